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
					"rule", "correlate", "test", "announce", "relay",
					"template", "duty"};
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
	if (!s->block_loc) {
		struct fl_loc l = after_loc(s, s->nitems);

		fl_diag_error(c->d, &l, "expected '{' after %s '%s'", what, name->text);
		return NULL;
	}
	no_more(c, s, 2);
	return declare(c, t, name, what);
}

/* What pass 2 remembers across top-level statements. */
struct top_seen {
	const struct fl_ast_stmt *plan, *timezone;
};

/* Declares one top-level statement of kind k (T_*). Returns false when pass 3
 * must skip the statement (it is malformed or its name was not declared).
 * Out of memory sets c->oom; the caller then stops. */
typedef bool declare_fn(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			struct top_seen *seen);

static bool declare_plan(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			 struct top_seen *seen)
{
	(void)k;
	if (once(c, s, &seen->plan) && want_name(c, s, 1, "the plan's name")) {
		c->prog->name = arena_str(c, s->items[1]->text, s->items[1]->len);
		no_more(c, s, 2);
	}
	return true;
}

static bool declare_timezone(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			     struct top_seen *seen)
{
	(void)k;
	if (once(c, s, &seen->timezone) &&
	    want_kind(c, s, 1, FL_ITEM_STRING, "a time zone in quotes (\"Asia/Shanghai\")")) {
		c->prog->timezone = arena_str(c, s->items[1]->text, s->items[1]->len);
		no_more(c, s, 2);
		check_timezone(c, s->items[1]);
	}
	return true;
}

/* include: read while parsing; announce and relay: compiled with the bodies
 * (they name roles and channels). */
static bool declare_nothing(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			    struct top_seen *seen)
{
	(void)c, (void)s, (void)k, (void)seen;
	return true;
}

/* data KIND "FILE"; the file is read in pass 5. */
static bool declare_data(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			 struct top_seen *seen)
{
	int d;

	(void)k, (void)seen;
	if (!want_word(c, s, 1, "a data kind (devices, sites, rings, spans, ...)"))
		return true;
	d = keyword(c, s->items[1], "data kind", data_words, FL_DATA__COUNT);
	if (d < 0 || !want_kind(c, s, 2, FL_ITEM_STRING, "a file name in quotes"))
		return true;
	no_more(c, s, 3);
	if (c->data_stmts[d])
		once(c, s, &c->data_stmts[d]);
	else
		c->data_stmts[d] = s;
	return true;
}

/* roles ROLE[, ROLE ...] */
static bool declare_roles(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			  struct top_seen *seen)
{
	(void)k, (void)seen;
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
	return true;
}

/* plugin NAME ["FILE"]: a channel of its own. */
static bool declare_plugin(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			   struct top_seen *seen)
{
	struct fl_str *ch, *pp;

	(void)k, (void)seen;
	if (!want_word(c, s, 1, "the plugin's name") ||
	    !declare(c, &c->channels, s->items[1], "plugin"))
		return true;
	if ((ch = PUSH(c, channels)))
		*ch = arena_str(c, s->items[1]->text, s->items[1]->len);
	while (c->prog->n_plugin_paths < c->prog->n_channels)
		if ((pp = PUSH(c, plugin_paths)))
			*pp = FL_STR_NONE;
	if (at(s, 2) && want_kind(c, s, 2, FL_ITEM_STRING, "the plugin's file in quotes"))
		plugin_path(c, s, s->items[2]);
	no_more(c, s, 3);
	return true;
}

/* require ROLE[, ROLE] on_24h; resolved in pass 3, once roles are known. */
static bool declare_require(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			    struct top_seen *seen)
{
	(void)k, (void)seen;
	if (s->nitems < 3 || !is_word(s->items[s->nitems - 1], "on_24h")) {
		expected(c, s, s->nitems, "'ROLE, ... on_24h'");
		return false;
	}
	return true;
}

/* A level starts with every clock unset and no ladder: its body sets them. */
static void init_level(void *entry)
{
	struct fl_prog_level *lv = entry;

	lv->respond_ms = lv->repair_ms = -1;
	for (int j = 0; j < FL_CLASS__COUNT; j++)
		lv->onsite_ms[j] = -1;
	lv->ladder = FL_PROG_NONE;
}

/* The top-level blocks `KEYWORD NAME { ... }`: the symbol table NAME goes
 * into and the program array that gets an entry for it, by offset, so one
 * function declares them all. An entry's name is set here when name_off is
 * not NO_NAME (rules and correlations are named by their pass 3). */
struct block_kind {
	size_t symtab;			/* offsetof(struct fl_compile, ...) */
	const char *what;		/* in diagnostics */
	bool has_string_name;		/* test "NAME" */
	bool is_rule;			/* counts against FL_PLAN_MAX_RULES */
	size_t array, count, alloc;	/* the program array, its length, its capacity */
	size_t elem_size, name_off;
	void (*init)(void *entry);	/* NULL: the zeroed entry will do */
};

#define NO_NAME SIZE_MAX
#define BLOCK(tab, arr, type, what_, has_str, is_rule_, name_, init_)                      \
	{                                                                                  \
		.symtab = offsetof(struct fl_compile, tab), .what = what_,                 \
		.has_string_name = has_str, .is_rule = is_rule_,                           \
		.array = offsetof(struct fl_program, arr),                                 \
		.count = offsetof(struct fl_program, n_##arr),                             \
		.alloc = offsetof(struct fl_compile, a_##arr), .elem_size = sizeof(type),  \
		.name_off = name_, .init = init_                                           \
	}

static const struct block_kind block_kinds[T__COUNT] = {
	[T_LEVEL] = BLOCK(levels, levels, struct fl_prog_level, "level", false, false,
			  offsetof(struct fl_prog_level, name), init_level),
	[T_LADDER] = BLOCK(ladders, ladders, struct fl_prog_ladder, "ladder", false, false,
			   offsetof(struct fl_prog_ladder, name), NULL),
	[T_MAINTENANCE] = BLOCK(windows, windows, struct fl_prog_window, "maintenance window",
				false, false, offsetof(struct fl_prog_window, name), NULL),
	[T_RULE] = BLOCK(rules, rules, struct fl_prog_rule, "rule", false, true, NO_NAME, NULL),
	[T_CORRELATE] = BLOCK(correlations, correlations, struct fl_prog_correlation,
			      "correlation", false, true, NO_NAME, NULL),
	[T_TEST] = BLOCK(tests, tests, struct fl_prog_test, "test", true, false,
			 offsetof(struct fl_prog_test, name), NULL),
};

/* KEYWORD NAME { ... } of kind k (a block_kinds entry). */
static bool declare_block_stmt(struct fl_compile *c, const struct fl_ast_stmt *s, int k,
			       struct top_seen *seen)
{
	const struct block_kind *b = &block_kinds[k];
	char *prog = (char *)c->prog;
	char *entry;

	(void)seen;
	if (b->is_rule) {
		if (++c->rule_count == FL_PLAN_MAX_RULES + 1)
			fl_diag_error(c->d, &s->items[0]->loc,
				      "more than %d rules and correlations", FL_PLAN_MAX_RULES);
		if (c->rule_count > FL_PLAN_MAX_RULES)
			return false;
	}
	if (!declare_block(c, s, (struct symtab *)(void *)((char *)c + b->symtab), b->what,
			   b->has_string_name))
		return false;
	entry = grow(c, prog + b->array, (size_t *)(void *)(prog + b->count),
		     (size_t *)(void *)((char *)c + b->alloc), b->elem_size);
	if (!entry)
		return true; /* c->oom: the caller stops */
	if (b->name_off != NO_NAME)
		*(struct fl_str *)(void *)(entry + b->name_off) =
			arena_str(c, s->items[1]->text, s->items[1]->len);
	if (b->init)
		b->init(entry);
	return true;
}

static declare_fn *const top_declare[T__COUNT] = {
	[T_PLAN] = declare_plan,	 [T_TIMEZONE] = declare_timezone,
	[T_INCLUDE] = declare_nothing,	 [T_DATA] = declare_data,
	[T_ROLES] = declare_roles,	 [T_PLUGIN] = declare_plugin,
	[T_REQUIRE] = declare_require,	 [T_LEVEL] = declare_block_stmt,
	[T_LADDER] = declare_block_stmt, [T_MAINTENANCE] = declare_block_stmt,
	[T_RULE] = declare_block_stmt,	 [T_CORRELATE] = declare_block_stmt,
	[T_TEST] = declare_block_stmt,	 [T_ANNOUNCE] = declare_nothing,
	[T_RELAY] = declare_nothing,	 [T_TEMPLATE] = declare_nothing,
	[T_DUTY] = declare_nothing,
};

/* sms, email and webhook are channels every plan has. */
static void declare_builtin_channels(struct fl_compile *c)
{
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
}

/* Pass 2: declare everything, handle the one-line top-level statements.
 * kinds[i] becomes statement i's T_* kind, or -1 when pass 3 must skip it. */
void declare_all(struct fl_compile *c, int *kinds)
{
	struct top_seen seen = {0};
	size_t i = 0;

	declare_builtin_channels(c);
	if (c->oom)
		return;
	for (const struct fl_ast_stmt *s = c->parse.first; s; s = s->next, i++) {
		int k = keyword(c, s->items[0], "statement", top_words, T__COUNT);

		kinds[i] = k;
		if (k < 0)
			continue;
		if (k < T_LEVEL && s->block_loc) {
			fl_diag_error(c->d, s->block_loc, "'%s' takes no { } block",
				      s->items[0]->text);
			kinds[i] = -1;
			continue;
		}
		if (!top_declare[k](c, s, k, &seen))
			kinds[i] = -1;
		if (c->oom)
			return;
	}
	if (!seen.plan && c->parse.first)
		fl_diag_error(c->d, &c->parse.first->items[0]->loc,
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
		case T_RELAY: compile_relay(c, s); break;
		case T_TEMPLATE: compile_message(c, s); break;
		case T_DUTY: compile_duty(c, s); break;
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
