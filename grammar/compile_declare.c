/* compile_declare.c - pass 2 (declare every named thing, handle the
 * one-line top-level statements) and the loop that runs pass 3. */
#include "grammar/compile_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const top_words[] = {"plan", "timezone", "include", "data", "roles",
					"plugin", "require", "level", "ladder", "maintenance",
					"rule", "correlate", "test", "announce"};
static const char *const data_words[] = {
#define X(name, text) text,
	FL_DATA_KINDS(X)
#undef X
};

/* Resolves a plugin's file relative to the plan file naming it; it must be
 * readable when files may be read. */
static void plugin_path(struct fl_compile *c, const struct fl_ast_stmt *s,
			const struct fl_ast_item *it)
{
	char *path = path_join(c->file_paths[s->file], it->text);

	if (!path) {
		c->oom = true;
		return;
	}
	if (!c->opt->no_files && access(path, R_OK) != 0)
		fl_diag_error(c->d, &it->loc, "cannot read plugin '%s': %s", path, strerror(errno));
	c->prog->plugin_paths[c->prog->n_plugin_paths - 1] = arena_str(c, path, strlen(path));
	free(path);
}

/* A zone is "UTC", an offset "+08:00", or a name of the system's zone
 * database (checked only when files may be read and the database exists). */
static void check_timezone(struct fl_compile *c, const struct fl_ast_item *it)
{
	const char *tz = it->text;
	char path[512];
	int hh, mm, n = 0;

	if (strcmp(tz, "UTC") == 0)
		return;
	if ((tz[0] == '+' || tz[0] == '-') && sscanf(tz + 1, "%2d:%2d%n", &hh, &mm, &n) == 2 &&
	    n == 5 && tz[6] == '\0' && hh <= 14 && mm <= 59)
		return;
	if (c->opt->no_files || access("/usr/share/zoneinfo", R_OK) != 0)
		return;
	if (tz[0] && tz[0] != '/' && !strstr(tz, "..") && strlen(tz) < 256) {
		struct stat st;

		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return;
	}
	fl_diag_error(c->d, &it->loc,
		      "unknown time zone '%s' (a zone name such as \"Asia/Shanghai\", \"UTC\" "
		      "or an offset such as \"+08:00\")", tz);
}

/* Checks the shape `KEYWORD NAME { ... }` and declares NAME. */
static struct sym *declare_block(struct fl_compile *c, const struct fl_ast_stmt *s,
				 struct symtab *t, const char *what, bool string_name)
{
	const struct fl_ast_item *name = at(s, 1);

	if (!name || (string_name ? name->kind != FL_ITEM_STRING : name->kind != FL_ITEM_WORD)) {
		expected(c, s, 1, string_name ? "a test name in quotes" : "a name");
		return NULL;
	}
	if (!s->has_block) {
		struct fl_loc l = after_loc(s, s->nitems);

		fl_diag_error(c->d, &l, "expected '{' after %s '%s'", what, name->text);
		return NULL;
	}
	no_more(c, s, 2);
	return declare(c, t, name, what);
}

/* Pass 2: declare everything, handle the one-line top-level statements. */
void declare_all(struct fl_compile *c, int *kinds)
{
	size_t i = 0;
	const struct fl_ast_stmt *seen_plan = NULL, *seen_tz = NULL;
	static const char *const builtin_channels[] = {"sms", "email", "webhook"};

	for (size_t k = 0; k < FL_ARRAY_LEN(builtin_channels); k++) {
		bool dup;
		struct fl_str *ch = PUSH(c, channels);

		if (!ch || !sym_add(&c->channels, builtin_channels[k], NULL, &dup)) {
			c->oom = true;
			return;
		}
		*ch = arena_str(c, builtin_channels[k], strlen(builtin_channels[k]));
	}
	for (const struct fl_ast_stmt *s = c->parse.first; s; s = s->next, i++) {
		int k = keyword(c, s->items[0], "statement", top_words, T__COUNT);
		struct sym *sym;

		kinds[i] = k;
		if (k < 0)
			continue;
		if (k < T_LEVEL && s->has_block) {
			fl_diag_error(c->d, &s->block_loc, "'%s' takes no { } block",
				      s->items[0]->text);
			kinds[i] = -1;
			continue;
		}
		switch (k) {
		case T_PLAN:
			if (once(c, s, &seen_plan) && want_name(c, s, 1, "the plan's name")) {
				c->prog->name = arena_str(c, s->items[1]->text, s->items[1]->len);
				no_more(c, s, 2);
			}
			break;
		case T_TIMEZONE:
			if (once(c, s, &seen_tz) &&
			    want_kind(c, s, 1, FL_ITEM_STRING, "a time zone in quotes (\"Asia/Shanghai\")")) {
				c->prog->timezone = arena_str(c, s->items[1]->text, s->items[1]->len);
				no_more(c, s, 2);
				check_timezone(c, s->items[1]);
			}
			break;
		case T_INCLUDE:
			break; /* read while parsing */
		case T_DATA: {
			int d;

			if (!want_word(c, s, 1, "a data kind (devices, sites, rings, spans, ...)"))
				break;
			d = keyword(c, s->items[1], "data kind", data_words, FL_DATA__COUNT);
			if (d < 0 || !want_kind(c, s, 2, FL_ITEM_STRING, "a file name in quotes"))
				break;
			no_more(c, s, 3);
			if (c->data_stmts[d]) {
				once(c, s, &c->data_stmts[d]);
				break;
			}
			c->data_stmts[d] = s;
			break;
		}
		case T_ROLES:
			for (size_t j = 1; j < s->nitems; j++) {
				struct fl_str *r;

				if (is_op(s->items[j], ",") && j + 1 < s->nitems)
					continue;
				if (!want_word(c, s, j, "a role name"))
					break;
				if (declare(c, &c->roles, s->items[j], "role") && (r = PUSH(c, roles)))
					*r = arena_str(c, s->items[j]->text, s->items[j]->len);
			}
			if (s->nitems == 1)
				expected(c, s, 1, "a role name");
			break;
		case T_PLUGIN:
			if (want_word(c, s, 1, "the plugin's name") &&
			    declare(c, &c->channels, s->items[1], "plugin")) {
				struct fl_str *ch = PUSH(c, channels), *pp;

				if (ch)
					*ch = arena_str(c, s->items[1]->text, s->items[1]->len);
				while (c->prog->n_plugin_paths < c->prog->n_channels)
					if ((pp = PUSH(c, plugin_paths)))
						*pp = FL_STR_NONE;
				if (at(s, 2) &&
				    want_kind(c, s, 2, FL_ITEM_STRING, "the plugin's file in quotes"))
					plugin_path(c, s, s->items[2]);
				no_more(c, s, 3);
			}
			break;
		case T_REQUIRE:
			/* require ROLE[, ROLE] on_24h; resolved once roles are known */
			if (s->nitems < 3 || !is_word(s->items[s->nitems - 1], "on_24h")) {
				expected(c, s, s->nitems, "'ROLE, ... on_24h'");
				kinds[i] = -1;
			}
			break;
		case T_LEVEL:
			if ((sym = declare_block(c, s, &c->levels, "level", false))) {
				struct fl_prog_level *lv = PUSH(c, levels);

				if (!lv)
					return;
				lv->name = arena_str(c, s->items[1]->text, s->items[1]->len);
				lv->respond_ms = lv->repair_ms = -1;
				for (int j = 0; j < FL_CLASS__COUNT; j++)
					lv->onsite_ms[j] = -1;
				lv->ladder = FL_PROG_NONE;
			} else {
				kinds[i] = -1;
			}
			break;
		case T_LADDER:
			if ((sym = declare_block(c, s, &c->ladders, "ladder", false))) {
				struct fl_prog_ladder *l = PUSH(c, ladders);

				if (!l)
					return;
				l->name = arena_str(c, s->items[1]->text, s->items[1]->len);
			} else {
				kinds[i] = -1;
			}
			break;
		case T_MAINTENANCE:
			if ((sym = declare_block(c, s, &c->windows, "maintenance window", false))) {
				struct fl_prog_window *w = PUSH(c, windows);

				if (!w)
					return;
				w->name = arena_str(c, s->items[1]->text, s->items[1]->len);
			} else {
				kinds[i] = -1;
			}
			break;
		case T_RULE:
		case T_CORRELATE:
			if (++c->rule_count == FL_PLAN_MAX_RULES + 1)
				fl_diag_error(c->d, &s->items[0]->loc,
					      "more than %d rules and correlations", FL_PLAN_MAX_RULES);
			if (c->rule_count > FL_PLAN_MAX_RULES) {
				kinds[i] = -1;
				break;
			}
			if (k == T_RULE && (sym = declare_block(c, s, &c->rules, "rule", false))) {
				if (!PUSH(c, rules))
					return;
			} else if (k == T_CORRELATE &&
				   (sym = declare_block(c, s, &c->correlations, "correlation", false))) {
				if (!PUSH(c, correlations))
					return;
			} else {
				kinds[i] = -1;
			}
			break;
		case T_ANNOUNCE:
			break; /* compiled with the bodies: it names roles and channels */
		case T_TEST:
			if ((sym = declare_block(c, s, &c->tests, "test", true))) {
				struct fl_prog_test *t = PUSH(c, tests);

				if (!t)
					return;
				t->name = arena_str(c, s->items[1]->text, s->items[1]->len);
			} else {
				kinds[i] = -1;
			}
			break;
		}
		if (c->oom)
			return;
	}
	if (!seen_plan && c->parse.first)
		fl_diag_error(c->d, &c->parse.first->loc,
			      "the plan has no name: start it with 'plan NAME;'");
}

/* Pass 3: compile bodies; names are all declared now. */
void compile_all(struct fl_compile *c, const int *kinds)
{
	uint32_t n[T__COUNT] = {0};
	size_t i = 0;

	for (const struct fl_ast_stmt *s = c->parse.first; s && !c->oom; s = s->next, i++) {
		switch (kinds[i]) {
		case T_LEVEL: compile_level(c, s, n[T_LEVEL]++); break;
		case T_LADDER: compile_ladder(c, s, n[T_LADDER]++); break;
		case T_MAINTENANCE: compile_window(c, s, n[T_MAINTENANCE]++); break;
		case T_RULE: compile_rule(c, s, n[T_RULE]++); break;
		case T_ANNOUNCE: compile_announce(c, s); break;
		case T_REQUIRE:
			for (size_t j = 1; j + 1 < s->nitems; j++) {
				uint32_t r;

				if (is_op(s->items[j], ",") && j + 2 < s->nitems)
					continue;
				if (!want_word(c, s, j, "a role name"))
					break;
				r = resolve(c, &c->roles, s->items[j], "role");
				if (r != FL_PROG_NONE && c->n_require_24h < FL_ARRAY_LEN(c->require_24h))
					c->require_24h[c->n_require_24h++] = s->items[j]->text;
			}
			break;
		default: break;
		}
	}
	/* correlations after every rule: they read the rules' captures */
	i = 0;
	for (const struct fl_ast_stmt *s = c->parse.first; s && !c->oom; s = s->next, i++) {
		if (kinds[i] == T_CORRELATE)
			compile_correlation(c, s, n[T_CORRELATE]++);
		else if (kinds[i] == T_TEST)
			compile_test(c, s, n[T_TEST]++);
	}
}
