/* compile.c - plan text -> struct fl_plan: the checker and code generator.
 *
 * Passes, each over the whole statement list so that forward references work
 * and every problem is reported in one run:
 *   1. read and parse the plan and its includes (cycles and depth checked);
 *   2. declare: every named thing (level, ladder, role, plugin, rule,
 *      correlation, window, test) goes into its symbol table, duplicates are
 *      errors with a note at the first declaration;
 *   3. compile each declaration's body, resolving names, compiling regexes and
 *      templates, checking types (a duration where a number is needed ...);
 *   4. warn about what is legal but probably wrong (unused ladder, role or
 *      capture, a rule shadowed by an earlier one);
 *   5. load the data files.
 * All arrays grow with realloc and are handed to the plan's cleanup list once
 * complete: the program never points into the AST, which is freed at the end. */
#define _XOPEN_SOURCE 700 /* realpath() */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grammar/plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/limits.h"
#include "engine/inventory/inventory.h"
#include "grammar/arena.h"
#include "grammar/ast.h"
#include "grammar/diag.h"
#include "grammar/plan_data.h"

struct fl_plan {
	struct fl_arena *arena;
	struct fl_program prog;
};

/* --- symbol tables ---------------------------------------------------------- */

struct sym {
	const char *name; /* NULL: empty slot */
	uint32_t index;
	const struct fl_loc *loc; /* the declaration (AST: valid while compiling) */
	bool used;
};

struct symtab {
	struct sym *v;
	size_t cap, n;
	const char **names; /* in declaration order, for did-you-mean */
};

static size_t hash_name(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct sym *sym_find(const struct symtab *t, const char *name)
{
	if (!t->cap)
		return NULL;
	for (size_t i = hash_name(name) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->v[i].name)
			return NULL;
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	}
}

/* Adds name; returns the existing entry when it is a duplicate (*dup set). */
static struct sym *sym_add(struct symtab *t, const char *name, const struct fl_loc *loc,
			   bool *dup)
{
	struct sym *s;

	*dup = false;
	if ((s = sym_find(t, name))) {
		*dup = true;
		return s;
	}
	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct sym *nv = calloc(ncap, sizeof(*nv));
		const char **nn = realloc(t->names, ncap * sizeof(*nn));

		if (!nv || !nn) {
			free(nv);
			if (nn)
				t->names = nn;
			return NULL;
		}
		t->names = nn;
		for (size_t i = 0; i < t->cap; i++) {
			size_t j;

			if (!t->v[i].name)
				continue;
			for (j = hash_name(t->v[i].name) & (ncap - 1); nv[j].name; j = (j + 1) & (ncap - 1))
				;
			nv[j] = t->v[i];
		}
		free(t->v);
		t->v = nv;
		t->cap = ncap;
	}
	for (size_t i = hash_name(name) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (t->v[i].name)
			continue;
		s = &t->v[i];
		s->name = name;
		s->index = (uint32_t)t->n;
		s->loc = loc;
		t->names[t->n++] = name;
		return s;
	}
}

static void symtab_free(struct symtab *t)
{
	free(t->v);
	free(t->names);
}

/* --- compile state ------------------------------------------------------------ */

struct included {
	char *path; /* realpath */
};

struct fl_compile {
	struct fl_diags *d;
	const struct fl_plan_options *opt;
	struct fl_parse parse;
	struct fl_plan *plan;
	struct fl_program *prog;
	bool oom;
	char **file_paths; /* by file index, as opened */
	char **file_real;  /* realpath of each */
	size_t n_files;
	struct symtab levels, ladders, roles, channels, rules, correlations, windows, tests;
	const struct fl_ast_stmt **rule_stmts, **corr_stmts;
	bool *capture_used;
	size_t capture_used_alloc;
	const struct fl_loc **capture_locs;
	const struct fl_loc **template_locs; /* by template index: the string item */
	size_t template_locs_alloc;
	/* sizes of the growable program arrays */
	size_t a_levels, a_ladders, a_steps, a_roles, a_channels, a_step_channels, a_windows,
		a_plugin_paths, a_rules, a_conds, a_set_values, a_regexes, a_captures, a_key_fields, a_actions,
		a_templates, a_tparts, a_correlations, a_rule_refs, a_tests, a_test_events,
		a_expects, a_announces;
	const struct fl_ast_stmt *data_stmts[FL_DATA__COUNT];
	const char *require_24h[16]; /* roles whose contacts must answer 24 h */
	size_t n_require_24h;
	size_t rule_count;
	/* the rule or correlation being compiled: what its templates may name */
	struct {
		bool in_rule, in_corr, has_lookup;
		enum fl_rule_input input;
		const char *wrong_input; /* last field refused for the rule's input */
		uint32_t first_capture, n_captures;
		const struct fl_ast_stmt *stmt;
		const char *set_fields[32];
		size_t n_set_fields;
		uint32_t input_rules_first, n_input_rules;
	} scope;
};

/* Grows *v (element size esz) to hold one more; returns the new zeroed slot. */
static void *grow(struct fl_compile *c, void *vp, size_t *n, size_t *alloc, size_t esz)
{
	void **v = vp;

	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;
		void *nv = realloc(*v, na * esz);

		if (!nv) {
			c->oom = true;
			return NULL;
		}
		*v = nv;
		*alloc = na;
	}
	memset((char *)*v + *n * esz, 0, esz);
	return (char *)*v + (*n)++ * esz;
}

#define PUSH(c, field) \
	((__typeof__(c->prog->field))grow(c, &c->prog->field, &c->prog->n_##field, \
					    &c->a_##field, sizeof(*c->prog->field)))

static struct fl_str arena_str(struct fl_compile *c, const char *p, size_t n)
{
	char *s = fl_arena_strdup(c->plan->arena, p, n);

	if (!s) {
		c->oom = true;
		return FL_STR_NONE;
	}
	return fl_str_make(s, n);
}

/* --- item helpers ---------------------------------------------------------------- */

static const char *item_kind_name(const struct fl_ast_item *it)
{
	static const char *const names[] = {"a name", "a string", "a number", "a duration",
					    "a regex", "an address or OID", "an operator", "a set"};

	return names[it->kind];
}

static bool is_word(const struct fl_ast_item *it, const char *w)
{
	return it && it->kind == FL_ITEM_WORD && strcmp(it->text, w) == 0;
}

static bool is_op(const struct fl_ast_item *it, const char *op)
{
	return it && it->kind == FL_ITEM_OP && strcmp(it->text, op) == 0;
}

/* The statement's item i, or NULL past the end. */
static const struct fl_ast_item *at(const struct fl_ast_stmt *s, size_t i)
{
	return i < s->nitems ? s->items[i] : NULL;
}

/* Where "something is missing after item i": the end of item i-1. */
static struct fl_loc after_loc(const struct fl_ast_stmt *s, size_t i)
{
	struct fl_loc l = s->items[i ? i - 1 : 0]->loc;

	if (l.last_line != l.first_line) {
		return l;
	}
	l.first_column = l.last_column + 1;
	l.last_column = l.first_column;
	return l;
}

static void expected(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		     const char *what)
{
	const struct fl_ast_item *it = at(s, i);

	if (!it) {
		struct fl_loc l = after_loc(s, i);

		fl_diag_error(c->d, &l, "expected %s after '%s'", what, s->items[i - 1]->text);
		return;
	}
	if (it->kind == FL_ITEM_NUMBER && strstr(what, "duration"))
		fl_diag_error(c->d, &it->loc,
			      "expected %s, got the number %s: add a unit (ms, s, m, h, d)", what,
			      it->text);
	else if (it->kind == FL_ITEM_DURATION && strstr(what, "number"))
		fl_diag_error(c->d, &it->loc, "expected %s, got the duration %s: drop the unit",
			      what, it->text);
	else
		fl_diag_error(c->d, &it->loc, "expected %s, got %s '%s'", what, item_kind_name(it),
			      it->text);
}

/* Reports items after position i as unexpected. */
static void no_more(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i)
{
	if (i >= s->nitems)
		return;
	if (i > 0 && s->items[i]->loc.first_line > s->items[i - 1]->loc.last_line)
		fl_diag_error(c->d, &s->items[i]->loc,
			      "unexpected '%s' after '%s' (is a ';' missing at the end of line %d?)",
			      s->items[i]->text, s->items[0]->text, s->items[i - 1]->loc.last_line);
	else
		fl_diag_error(c->d, &s->items[i]->loc, "unexpected '%s' at the end of '%s'",
			      s->items[i]->text, s->items[0]->text);
}

static bool want_kind(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		      enum fl_item_kind kind, const char *what)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && it->kind == kind)
		return true;
	expected(c, s, i, what);
	return false;
}

static bool want_word(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		      const char *what)
{
	return want_kind(c, s, i, FL_ITEM_WORD, what);
}

/* A name or a string (plan names, test names). */
static bool want_name(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		      const char *what)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && (it->kind == FL_ITEM_WORD || it->kind == FL_ITEM_STRING))
		return true;
	expected(c, s, i, what);
	return false;
}

static bool want_duration(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			  int64_t *ms)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && it->kind == FL_ITEM_DURATION) {
		*ms = it->num;
		return true;
	}
	if (it && it->kind == FL_ITEM_NUMBER && it->num == 0) {
		*ms = 0; /* a bare 0 is unambiguous */
		return true;
	}
	expected(c, s, i, "a duration (30s, 5m, 2h)");
	return false;
}

static bool want_count(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i, int64_t *n)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && it->kind == FL_ITEM_NUMBER && it->num >= 1 && it->num <= INT32_MAX) {
		*n = it->num;
		return true;
	}
	if (it && it->kind == FL_ITEM_NUMBER) {
		fl_diag_error(c->d, &it->loc, "expected a count of at least 1, got %s", it->text);
		return false;
	}
	expected(c, s, i, "a number");
	return false;
}

/* Reports an unknown word with a did-you-mean from cands. */
static void unknown(struct fl_compile *c, const struct fl_loc *loc, const char *what,
		    const char *name, const char *const *cands, size_t n)
{
	const char *hint = fl_diag_suggest(name, cands, n);

	if (hint)
		fl_diag_error(c->d, loc, "unknown %s '%s'; did you mean '%s'?", what, name, hint);
	else
		fl_diag_error(c->d, loc, "unknown %s '%s'", what, name);
}

/* Resolves a word in a symbol table; reports it when unknown. */
static uint32_t resolve(struct fl_compile *c, struct symtab *t, const struct fl_ast_item *it,
			const char *what)
{
	struct sym *s = sym_find(t, it->text);

	if (s) {
		s->used = true;
		return s->index;
	}
	unknown(c, &it->loc, what, it->text, t->names, t->n);
	return FL_PROG_NONE;
}

/* Matches a word against a fixed keyword list; reports with a hint. */
static int keyword(struct fl_compile *c, const struct fl_ast_item *it, const char *what,
		   const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((it->kind == FL_ITEM_WORD || it->kind == FL_ITEM_OP) &&
		    strcmp(it->text, words[i]) == 0)
			return (int)i;
	if (it->kind != FL_ITEM_WORD)
		fl_diag_error(c->d, &it->loc, "expected %s, got %s '%s'", what, item_kind_name(it),
			      it->text);
	else
		unknown(c, &it->loc, what, it->text, words, n);
	return -1;
}

/* Declares name in t; a duplicate is an error with a note at the first one. */
static struct sym *declare(struct fl_compile *c, struct symtab *t, const struct fl_ast_item *it,
			   const char *what)
{
	bool dup;
	struct sym *s = sym_add(t, it->text, &it->loc, &dup);

	if (!s) {
		c->oom = true;
		return NULL;
	}
	if (dup) {
		fl_diag_error(c->d, &it->loc, "duplicate %s '%s'", what, it->text);
		fl_diag_note(c->d, s->loc, "'%s' is first declared here", it->text);
		return NULL;
	}
	return s;
}

/* --- files and includes -------------------------------------------------------- */

/* Reads path whole, at most FL_PLAN_MAX_BYTES. 0, -errno, or -EFBIG. */
static int read_whole(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, alloc = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (alloc - n < 4096) {
			char *nb;

			if (alloc > FL_PLAN_MAX_BYTES) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			nb = realloc(buf, alloc ? alloc * 2 : 8192);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			alloc = alloc ? alloc * 2 : 8192;
		}
		got = fread(buf + n, 1, alloc - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno ? -errno : -EIO;

		free(buf);
		fclose(f);
		return e;
	}
	fclose(f);
	if (n > FL_PLAN_MAX_BYTES) {
		free(buf);
		return -EFBIG;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* "dir of base" + "/" + rel, unless rel is absolute. Caller frees. */
static char *path_join(const char *base_file, const char *rel)
{
	const char *slash = strrchr(base_file, '/');
	size_t dl = slash ? (size_t)(slash - base_file) : 0;
	char *out;

	if (rel[0] == '/' || !slash)
		return strdup(rel);
	out = malloc(dl + strlen(rel) + 2);
	if (out)
		sprintf(out, "%.*s/%s", (int)dl, base_file, rel);
	return out;
}

static int parse_file(struct fl_compile *c, const char *path, const char *text, size_t len,
		      int depth, const struct fl_loc *from);

/* Parses the includes among the statements [first, last] of one file. */
static void expand_includes(struct fl_compile *c, struct fl_ast_stmt *first,
			    struct fl_ast_stmt *last, size_t file, int depth)
{
	for (struct fl_ast_stmt *s = first; s; s = s->next) {
		if (is_word(s->items[0], "include") && !s->has_block) {
			const struct fl_ast_item *it = at(s, 1);
			char *path, *text = NULL;
			size_t len = 0;
			int rc;

			if (!want_kind(c, s, 1, FL_ITEM_STRING, "a file name in quotes"))
				goto next;
			no_more(c, s, 2);
			if (c->opt->no_files) {
				fl_diag_error(c->d, &it->loc, "includes are not read in this mode");
				goto next;
			}
			if (depth + 1 > FL_PLAN_MAX_INCLUDE_DEPTH) {
				fl_diag_error(c->d, &it->loc, "includes nested deeper than %d",
					      FL_PLAN_MAX_INCLUDE_DEPTH);
				goto next;
			}
			path = path_join(c->file_paths[file], it->text);
			if (!path) {
				c->oom = true;
				return;
			}
			rc = read_whole(path, &text, &len);
			if (rc < 0)
				fl_diag_error(c->d, &it->loc, "cannot read '%s': %s", path,
					      rc == -EFBIG ? "file too large" : strerror(-rc));
			else
				parse_file(c, path, text, len, depth + 1, &it->loc);
			free(text);
			free(path);
		}
next:
		if (s == last)
			break;
	}
}

static int parse_file(struct fl_compile *c, const char *path, const char *text, size_t len,
		      int depth, const struct fl_loc *from)
{
	char *real = c->opt->no_files ? NULL : realpath(path, NULL);
	const struct fl_src *src;
	struct fl_ast_stmt *before = c->parse.last;
	size_t file = c->n_files;
	char **np, **nr;
	int rc;

	for (size_t i = 0; real && i < c->n_files; i++) {
		if (c->file_real[i] && strcmp(c->file_real[i], real) == 0) {
			fl_diag_error(c->d, from, "include cycle: '%s' is already being read", path);
			free(real);
			return -EINVAL;
		}
	}
	if (c->n_files >= FL_PLAN_MAX_FILES) {
		fl_diag_error(c->d, from, "more than %d plan files", FL_PLAN_MAX_FILES);
		free(real);
		return -EINVAL;
	}
	np = realloc(c->file_paths, (c->n_files + 1) * sizeof(*np));
	if (np)
		c->file_paths = np;
	nr = realloc(c->file_real, (c->n_files + 1) * sizeof(*nr));
	if (nr)
		c->file_real = nr;
	if (!np || !nr || !(c->file_paths[file] = strdup(path))) {
		free(real);
		c->oom = true;
		return -ENOMEM;
	}
	c->file_real[file] = real;
	c->n_files++;
	src = fl_diag_source(c->d, path, text, len);
	if (!src) {
		c->oom = true;
		return -ENOMEM;
	}
	rc = fl_parse_source(&c->parse, src, file);
	if (rc == -ENOMEM)
		c->oom = true;
	if (c->parse.last != before)
		expand_includes(c, before ? before->next : c->parse.first, c->parse.last, file,
				depth);
	/* leave the include chain: a file may be included twice side by side
	 * (that is a duplicate-name problem, not a cycle) */
	free(c->file_real[file]);
	c->file_real[file] = NULL;
	return rc;
}

/* --- templates --------------------------------------------------------------------- */

static const char *const event_field_names[] = {
#define X(name, text, type) text,
	FL_EVENT_FIELDS(X)
#undef X
};
static const char *const inv_field_names[] = {
#define X(name, text) text,
	FL_INV_FIELDS(X)
#undef X
};
static const char *const topo_field_names[] = {
#define X(name, text) text,
	FL_TOPO_FIELDS(X)
#undef X
};

static int name_index(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Marks captures named `name` in the current scope used; true if any. */
static bool use_capture(struct fl_compile *c, const char *name, uint32_t *index)
{
	bool found = false;

	for (uint32_t i = 0; i < c->scope.n_captures; i++) {
		uint32_t k = c->scope.first_capture + i;

		if (strcmp(c->prog->captures[k].name.p, name) == 0) {
			c->capture_used[k] = true;
			if (!found)
				*index = k;
			found = true;
		}
	}
	/* correlations see the captures of the rules that feed them */
	for (uint32_t r = 0; !found && r < c->scope.n_input_rules; r++) {
		uint32_t rule = c->prog->rule_refs[c->scope.input_rules_first + r];
		const struct fl_prog_rule *pr = &c->prog->rules[rule];

		for (uint32_t g = 0; g < c->prog->n_captures; g++) {
			const struct fl_prog_capture *cap = &c->prog->captures[g];

			if (cap->regex >= pr->first_regex &&
			    cap->regex < pr->first_regex + pr->n_regexes &&
			    strcmp(cap->name.p, name) == 0) {
				c->capture_used[g] = true;
				*index = g;
				found = true;
			}
		}
	}
	return found;
}

/* Resolves a field name in the current rule or correlation: an event field,
 * a capture, an inventory field (when the rule looks the device up), a
 * topology field (correlations), or a field an earlier `set` wrote. */
static bool resolve_field(struct fl_compile *c, const char *name, struct fl_prog_field *f)
{
	int i;
	uint32_t cap = 0;

	if (use_capture(c, name, &cap)) {
		*f = (struct fl_prog_field){FL_FIELD_CAPTURE, cap};
		return true;
	}
	if (!c->scope.in_corr && (i = name_index(name, event_field_names, FL_EF__COUNT)) >= 0 &&
	    i != FL_EF_VARBIND) {
		/* syslog fields up to FACILITY, trap fields from COMMUNITY; peer is both */
		bool is_syslog = i <= FL_EF_FACILITY, is_trap = i >= FL_EF_COMMUNITY;

		if ((c->scope.input == FL_RULE_INPUT_TRAP && is_syslog) ||
		    (c->scope.input == FL_RULE_INPUT_SYSLOG && is_trap)) {
			c->scope.wrong_input = is_syslog ? "a syslog field; this rule matches traps" :
							   "a trap field; this rule matches syslog";
			return false;
		}
		*f = (struct fl_prog_field){FL_FIELD_EVENT, (uint32_t)i};
		return true;
	}
	if (c->scope.in_corr && (i = name_index(name, topo_field_names, FL_TF__COUNT)) >= 0) {
		*f = (struct fl_prog_field){FL_FIELD_TOPO, (uint32_t)i};
		return true;
	}
	if ((c->scope.has_lookup || c->scope.in_corr) &&
	    (i = name_index(name, inv_field_names, FL_IF__COUNT)) >= 0) {
		*f = (struct fl_prog_field){FL_FIELD_INVENTORY, (uint32_t)i};
		return true;
	}
	if (c->scope.in_corr && (i = name_index(name, event_field_names, FL_EF__COUNT)) >= 0 &&
	    i != FL_EF_VARBIND) {
		*f = (struct fl_prog_field){FL_FIELD_EVENT, (uint32_t)i};
		return true;
	}
	for (size_t k = 0; k < c->scope.n_set_fields; k++) {
		if (strcmp(c->scope.set_fields[k], name) == 0) {
			*f = (struct fl_prog_field){FL_FIELD_EVENT, FL_PROG_NONE};
			return true;
		}
	}
	return false;
}

/* Every name resolve_field() would accept here, for did-you-mean. */
static size_t field_candidates(struct fl_compile *c, const char **out, size_t max)
{
	size_t n = 0;

	for (uint32_t i = 0; i < c->scope.n_captures && n < max; i++)
		out[n++] = c->prog->captures[c->scope.first_capture + i].name.p;
	for (size_t i = 0; i < FL_EF__COUNT && n < max; i++)
		out[n++] = event_field_names[i];
	if (c->scope.has_lookup || c->scope.in_corr)
		for (size_t i = 0; i < FL_IF__COUNT && n < max; i++)
			out[n++] = inv_field_names[i];
	if (c->scope.in_corr)
		for (size_t i = 0; i < FL_TF__COUNT && n < max; i++)
			out[n++] = topo_field_names[i];
	for (size_t i = 0; i < c->scope.n_set_fields && n < max; i++)
		out[n++] = c->scope.set_fields[i];
	return n;
}

/* Reports a field resolve_field() refused: wrong input kind or unknown. */
static void field_error(struct fl_compile *c, const struct fl_loc *loc, const char *name)
{
	const char *cands[160];
	size_t nc;

	if (c->scope.wrong_input) {
		fl_diag_error(c->d, loc, "'%s' is %s", name, c->scope.wrong_input);
		c->scope.wrong_input = NULL;
		return;
	}
	nc = field_candidates(c, cands, FL_ARRAY_LEN(cands));
	unknown(c, loc, "field", name, cands, nc);
}

/* A location inside a string item: the k-th "${" of its source text. The
 * scanner's escapes never produce "${", so counting in the raw text finds it. */
static struct fl_loc loc_in_string(const struct fl_ast_item *it, size_t nth, size_t name_len)
{
	struct fl_loc l = it->loc;
	const char *raw = l.src->text + l.off, *end = l.src->text + l.end, *p = raw;
	int col = l.first_column;

	for (size_t seen = 0; p + 1 < end; p++) {
		if (p[0] == '$' && p[1] == '{' && seen++ == nth)
			break;
		if (((unsigned char)*p & 0xc0) != 0x80 && *p != '\n')
			col++;
	}
	if (p + 1 >= end) /* not found (string spans lines?): point at the string */
		return l;
	l.first_column = col;
	l.last_column = col + (int)name_len + 2; /* ${ name } */
	l.last_line = l.first_line;
	return l;
}

/* Compiles a template string into parts; FL_PROG_NONE after reporting. */
static uint32_t compile_template(struct fl_compile *c, const struct fl_ast_item *it)
{
	struct fl_prog_template *t;
	uint32_t index;
	const char *s = it->text, *lit = s;
	size_t nth = 0;
	bool ok = true;

	if (it->kind != FL_ITEM_STRING) {
		fl_diag_error(c->d, &it->loc, "expected a text in quotes, got %s '%s'",
			      item_kind_name(it), it->text);
		return FL_PROG_NONE;
	}
	t = PUSH(c, templates);
	if (!t)
		return FL_PROG_NONE;
	index = (uint32_t)(c->prog->n_templates - 1);
	if (index >= c->template_locs_alloc) {
		size_t na = c->template_locs_alloc ? c->template_locs_alloc * 2 : 64;
		const struct fl_loc **nl = realloc(c->template_locs, na * sizeof(*nl));

		if (!nl) {
			c->oom = true;
			return FL_PROG_NONE;
		}
		c->template_locs = nl;
		c->template_locs_alloc = na;
	}
	c->template_locs[index] = &it->loc;
	t->text = arena_str(c, it->text, it->len);
	t->first_part = (uint32_t)c->prog->n_tparts;
	while (*s) {
		const char *close;
		struct fl_prog_tpart *part;
		struct fl_prog_field f;
		char name[128];
		size_t nl;

		if (!(s[0] == '$' && s[1] == '{')) {
			s++;
			continue;
		}
		close = strchr(s + 2, '}');
		if (!close) {
			struct fl_loc l = loc_in_string(it, nth, 0);

			fl_diag_error(c->d, &l, "'${' without a closing '}' in template");
			return FL_PROG_NONE;
		}
		nl = (size_t)(close - s - 2);
		if (s > lit && (part = PUSH(c, tparts)))
			part->literal = arena_str(c, lit, (size_t)(s - lit));
		if (nl == 0 || nl >= sizeof(name)) {
			struct fl_loc l = loc_in_string(it, nth, nl);

			fl_diag_error(c->d, &l, "empty or overlong field name in template");
			ok = false;
		} else {
			memcpy(name, s + 2, nl);
			name[nl] = '\0';
			if (resolve_field(c, name, &f)) {
				if ((part = PUSH(c, tparts))) {
					part->is_field = true;
					part->field = f;
					part->name = arena_str(c, name, nl);
				}
			} else if (c->scope.wrong_input) {
				struct fl_loc l = loc_in_string(it, nth, nl);

				field_error(c, &l, name);
				ok = false;
			} else {
				const char *cands[160];
				size_t nc = field_candidates(c, cands, FL_ARRAY_LEN(cands));
				const char *hint = fl_diag_suggest(name, cands, nc);
				struct fl_loc l = loc_in_string(it, nth, nl);

				if (hint)
					fl_diag_error(c->d, &l,
						      "template names '%s', which this %s cannot have; "
						      "did you mean '%s'?",
						      name, c->scope.in_corr ? "correlation" : "rule",
						      hint);
				else
					fl_diag_error(c->d, &l,
						      "template names '%s', which this %s cannot have "
						      "(not an event field, capture or looked-up field)",
						      name, c->scope.in_corr ? "correlation" : "rule");
				ok = false;
			}
		}
		nth++;
		s = close + 1;
		lit = s;
	}
	if (*lit) {
		struct fl_prog_tpart *part = PUSH(c, tparts);

		if (part)
			part->literal = arena_str(c, lit, strlen(lit));
	}
	t = &c->prog->templates[index];
	t->n_parts = (uint32_t)(c->prog->n_tparts - t->first_part);
	return ok ? index : FL_PROG_NONE;
}

/* --- regexes ------------------------------------------------------------------------ */

static void release_code(void *p)
{
	pcre2_code_free(p);
}

static void release_mctx(void *p)
{
	pcre2_match_context_free(p);
}

/* Column of byte offset off inside the regex item's pattern: the pattern
 * starts one column after the opening '/'. */
static struct fl_loc loc_in_regex(const struct fl_ast_item *it, size_t off)
{
	struct fl_loc l = it->loc;
	const char *raw = l.src->text + l.off + 1;
	int col = l.first_column + 1;

	/* walk the raw text (escaped \/ take two bytes there, one in the pattern) */
	for (size_t i = 0, pi = 0; pi < off && raw + i < l.src->text + l.end; i++, pi++) {
		if (raw[i] == '\\' && raw[i + 1] == '/')
			i++, col++;
		if (((unsigned char)raw[i] & 0xc0) != 0x80)
			col++;
	}
	l.first_column = col;
	l.last_column = col;
	l.last_line = l.first_line;
	return l;
}

static uint32_t compile_regex(struct fl_compile *c, const struct fl_ast_item *it)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, count = 0, entry = 0;
	struct fl_prog_regex *rx;
	PCRE2_SPTR table;
	PCRE2_SIZE erroff;
	pcre2_code *code;
	int err;

	for (const char *f = it->flags; *f; f++) {
		switch (*f) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		default: {
			struct fl_loc l = it->loc;

			l.first_column = l.last_column - (int)strlen(f) + 1;
			l.last_column = l.first_column;
			fl_diag_error(c->d, &l, "unknown regex flag '%c' (flags: i, m, s, x)", *f);
			return FL_PROG_NONE;
		}
		}
	}
	if (it->len > FL_REGEX_MAX_PATTERN) {
		fl_diag_error(c->d, &it->loc, "regex is %zu bytes; the limit is %d", it->len,
			      FL_REGEX_MAX_PATTERN);
		return FL_PROG_NONE;
	}
	code = pcre2_compile((PCRE2_SPTR)it->text, it->len, opts, &err, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		struct fl_loc l = loc_in_regex(it, erroff);

		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "invalid pattern");
		fl_diag_error(c->d, &l, "regex does not compile: %s", (const char *)msg);
		return FL_PROG_NONE;
	}
	if (fl_arena_defer(c->plan->arena, release_code, code) < 0) {
		pcre2_code_free(code);
		c->oom = true;
		return FL_PROG_NONE;
	}
	rx = PUSH(c, regexes);
	if (!rx)
		return FL_PROG_NONE;
	rx->pattern = arena_str(c, it->text, it->len);
	rx->code = code;
	rx->first_capture = (uint32_t)c->prog->n_captures;
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++) {
		const PCRE2_UCHAR *e = table + (size_t)i * entry;
		struct fl_prog_capture *cap = PUSH(c, captures);
		const char *name = (const char *)e + 2;

		if (!cap)
			return FL_PROG_NONE;
		cap->name = arena_str(c, name, strlen(name));
		cap->regex = (uint32_t)(c->prog->n_regexes - 1);
		cap->group = (uint32_t)((e[0] << 8) | e[1]);
		if (c->prog->n_captures > c->capture_used_alloc) {
			size_t na = c->prog->n_captures * 2;
			bool *nu = realloc(c->capture_used, na * sizeof(*nu));
			const struct fl_loc **nl = realloc(c->capture_locs, na * sizeof(*nl));

			if (nu)
				c->capture_used = nu;
			if (nl)
				c->capture_locs = nl;
			if (!nu || !nl) {
				c->oom = true;
				return FL_PROG_NONE;
			}
			c->capture_used_alloc = na;
		}
		c->capture_used[c->prog->n_captures - 1] = false;
		c->capture_locs[c->prog->n_captures - 1] = &it->loc;
	}
	rx = &c->prog->regexes[c->prog->n_regexes - 1];
	rx->n_captures = (uint32_t)(c->prog->n_captures - rx->first_capture);
	return (uint32_t)(c->prog->n_regexes - 1);
}

/* --- values ----------------------------------------------------------------------------- */

/* "1.3.6.1.4.1.32473" -> BER content octets, the form events carry. */
static bool oid_encode(const char *text, uint8_t *out, size_t *len)
{
	unsigned long arcs[128];
	size_t n = 0, o = 0;
	const char *p = text;

	while (*p) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9' || n == FL_ARRAY_LEN(arcs))
			return false;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return false;
		arcs[n++] = v;
		p = end;
		if (*p == '.')
			p++;
		else if (*p)
			return false;
	}
	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
		return false;
	arcs[1] += arcs[0] * 40;
	for (size_t i = 1; i < n; i++) {
		uint8_t tmp[5];
		size_t k = 0;
		unsigned long v = arcs[i];

		do {
			tmp[k++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v);
		if (o + k > 512)
			return false;
		while (k--)
			out[o++] = (uint8_t)(tmp[k] | (k ? 0x80 : 0));
	}
	*len = o;
	return true;
}

static bool parse_cidr(const char *text, struct fl_prog_cond *cond)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t al = slash ? (size_t)(slash - text) : strlen(text);
	long prefix;
	char *end;

	if (al >= sizeof(buf))
		return false;
	memcpy(buf, text, al);
	buf[al] = '\0';
	if (inet_pton(AF_INET, buf, cond->addr.bytes) == 1)
		cond->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, cond->addr.bytes) == 1)
		cond->addr.family = AF_INET6;
	else
		return false;
	prefix = cond->addr.family == AF_INET ? 32 : 128;
	if (slash) {
		long max = prefix;

		errno = 0;
		prefix = strtol(slash + 1, &end, 10);
		if (errno || *end || slash[1] == '\0' || prefix < 0 || prefix > max)
			return false;
	}
	cond->addr.prefix = (uint8_t)prefix;
	return true;
}

enum ftype { T_STR, T_NUM, T_ADDR, T_OID, T_ANY };

static enum ftype event_field_type(size_t i)
{
	static const enum ftype types[] = {
#define X(name, text, type) T_##type,
		FL_EVENT_FIELDS(X)
#undef X
	};
	return types[i];
}

static const char *const op_words[] = {"==", "!=", "<", "<=", ">", ">=", "~", "!~", "in",
				       "not", "under", "exists"};

/* Compiles a set [a, b, c] into set_values; false after reporting. */
static bool compile_set(struct fl_compile *c, const struct fl_ast_item *set,
			struct fl_prog_cond *cond, enum ftype type)
{
	size_t first = c->prog->n_set_values, n = 0;

	for (const struct fl_ast_item *e = set->elems; e; e = e->next) {
		struct fl_str *v;

		if (is_op(e, ","))
			continue;
		if (type == T_NUM && e->kind != FL_ITEM_NUMBER) {
			fl_diag_error(c->d, &e->loc, "this field is a number; '%s' is not", e->text);
			return false;
		}
		if (e->kind == FL_ITEM_OP || e->kind == FL_ITEM_DURATION) {
			fl_diag_error(c->d, &e->loc, "unexpected %s '%s' in a set",
				      item_kind_name(e), e->text);
			return false;
		}
		if (!(v = PUSH(c, set_values)))
			return false;
		*v = arena_str(c, e->text, e->len);
		n++;
	}
	if (n == 0) {
		fl_diag_error(c->d, &set->loc, "empty set: it can never match");
		return false;
	}
	cond->first_value = (uint32_t)first;
	cond->n_values = (uint32_t)n;
	return true;
}

/* One condition at items[*i]; advances *i. false after reporting. */
static bool compile_cond(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
			 struct fl_prog_cond *cond)
{
	const struct fl_ast_item *f = at(s, *i), *op, *v;
	enum ftype type = T_STR;
	int e;
	uint8_t oid[512];
	size_t oid_len;

	if (!want_word(c, s, *i, "a field name"))
		return false;
	if (is_word(f, "varbind")) {
		const struct fl_ast_item *o = at(s, *i + 1);

		if (!o || o->kind != FL_ITEM_DOTTED || !oid_encode(o->text, oid, &oid_len)) {
			expected(c, s, *i + 1, "the varbind's OID (1.3.6.1...)");
			return false;
		}
		cond->field = (struct fl_prog_field){FL_FIELD_EVENT, FL_EF_VARBIND};
		cond->varbind_oid = arena_str(c, (const char *)oid, oid_len);
		type = T_ANY;
		*i += 2;
	} else if (!resolve_field(c, f->text, &cond->field)) {
		field_error(c, &f->loc, f->text);
		return false;
	} else {
		if (cond->field.kind == FL_FIELD_EVENT && cond->field.index != FL_PROG_NONE)
			type = event_field_type(cond->field.index);
		else if (cond->field.kind == FL_FIELD_INVENTORY &&
			 cond->field.index == FL_IF_RING_POS)
			type = T_NUM;
		(*i)++;
	}
	op = at(s, *i);
	if (!op || (op->kind != FL_ITEM_OP && op->kind != FL_ITEM_WORD) || is_op(op, ",")) {
		expected(c, s, *i, "an operator (== != < <= > >= ~ !~ in under exists)");
		return false;
	}
	e = keyword(c, op, "operator", op_words, FL_ARRAY_LEN(op_words));
	if (e < 0)
		return false;
	(*i)++;
	if (e == 9) { /* not in */
		if (!is_word(at(s, *i), "in")) {
			expected(c, s, *i, "'in' after 'not'");
			return false;
		}
		(*i)++;
	}
	if (e == 11) {
		cond->op = FL_OP_EXISTS;
		return true;
	}
	v = at(s, *i);
	if (!v) {
		expected(c, s, *i, "a value");
		return false;
	}
	(*i)++;
	switch (e) {
	case 0: /* == */
	case 1: /* != */
		cond->op = e == 0 ? FL_OP_EQ : FL_OP_NE;
		if (type == T_NUM || (v->kind == FL_ITEM_NUMBER && type != T_STR)) {
			if (v->kind != FL_ITEM_NUMBER)
				goto want_number;
			cond->is_num = true;
			cond->num = v->num;
			return true;
		}
		if (type == T_OID && v->kind == FL_ITEM_DOTTED) {
			if (!oid_encode(v->text, oid, &oid_len))
				goto bad_oid;
			cond->oid = arena_str(c, (const char *)oid, oid_len);
			return true;
		}
		if (type == T_ADDR && v->kind == FL_ITEM_DOTTED) {
			if (!parse_cidr(v->text, cond) || strchr(v->text, '/'))
				goto bad_addr;
			cond->op = e == 0 ? FL_OP_CIDR : FL_OP_NE;
			return true;
		}
		if (v->kind == FL_ITEM_STRING || v->kind == FL_ITEM_WORD ||
		    (type == T_STR && v->kind == FL_ITEM_NUMBER)) {
			cond->str = arena_str(c, v->text, v->len);
			return true;
		}
		fl_diag_error(c->d, &v->loc, "cannot compare '%s' with %s", f->text,
			      item_kind_name(v));
		return false;
	case 2: case 3: case 4: case 5: /* < <= > >= */
		cond->op = (enum fl_op)(FL_OP_LT + (e - 2));
		if (type != T_NUM && type != T_STR && type != T_ANY) {
			fl_diag_error(c->d, &op->loc, "'%s' is not a number: '%s' does not apply",
				      f->text, op->text);
			return false;
		}
		if (v->kind != FL_ITEM_NUMBER)
			goto want_number;
		cond->is_num = true;
		cond->num = v->num;
		return true;
	case 6: case 7: /* ~ !~ */
		cond->op = e == 6 ? FL_OP_MATCH : FL_OP_NOT_MATCH;
		if (v->kind != FL_ITEM_REGEX) {
			fl_diag_error(c->d, &v->loc, "'%s' needs a /regex/, got %s", op->text,
				      item_kind_name(v));
			return false;
		}
		cond->regex = compile_regex(c, v);
		return cond->regex != FL_PROG_NONE;
	case 8: case 9: /* in, not in */
		cond->op = e == 8 ? FL_OP_IN : FL_OP_NOT_IN;
		if (type == T_ADDR && v->kind == FL_ITEM_DOTTED && e == 8) {
			if (!parse_cidr(v->text, cond))
				goto bad_addr;
			cond->op = FL_OP_CIDR;
			return true;
		}
		if (v->kind != FL_ITEM_SET) {
			fl_diag_error(c->d, &v->loc, "'in' needs a set [a, b, ...]%s, got %s",
				      type == T_ADDR ? " or a CIDR" : "", item_kind_name(v));
			return false;
		}
		return compile_set(c, v, cond, type);
	case 10: /* under */
		cond->op = FL_OP_UNDER;
		if (type != T_OID && type != T_ANY) {
			fl_diag_error(c->d, &op->loc, "'under' applies to OIDs; '%s' is not one",
				      f->text);
			return false;
		}
		if (v->kind != FL_ITEM_DOTTED || !oid_encode(v->text, oid, &oid_len))
			goto bad_oid;
		cond->oid = arena_str(c, (const char *)oid, oid_len);
		return true;
	default:
		return false;
	}
want_number:
	if (v->kind == FL_ITEM_DURATION)
		fl_diag_error(c->d, &v->loc, "'%s' is a number, not a duration: drop the unit",
			      f->text);
	else
		fl_diag_error(c->d, &v->loc, "'%s' is compared as a number; '%s' is %s", f->text,
			      v->text, item_kind_name(v));
	return false;
bad_oid:
	fl_diag_error(c->d, &v->loc, "'%s' is not an OID (numbers joined by dots, 1.3.6.1...)",
		      v->text);
	return false;
bad_addr:
	fl_diag_error(c->d, &v->loc, "'%s' is not an IPv4/IPv6 address or CIDR", v->text);
	return false;
}

/* `where A and B ...;` from items[1]: appends the conditions. */
static bool compile_where(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			  uint32_t *first, uint32_t *n)
{
	bool ok = true;

	if (i >= s->nitems) {
		expected(c, s, i, "a condition");
		return false;
	}
	while (i < s->nitems) {
		struct fl_prog_cond cond = {.regex = FL_PROG_NONE}, *slot;

		if (!compile_cond(c, s, &i, &cond)) {
			ok = false;
			break;
		}
		if (!(slot = PUSH(c, conds)))
			return false;
		*slot = cond;
		if (*n == 0)
			*first = (uint32_t)(c->prog->n_conds - 1);
		(*n)++;
		if (i < s->nitems) {
			if (!is_word(s->items[i], "and")) {
				expected(c, s, i, "'and' or ';'");
				ok = false;
				break;
			}
			i++;
			if (i >= s->nitems) {
				expected(c, s, i, "a condition after 'and'");
				ok = false;
			}
		}
	}
	return ok;
}

/* --- blocks ------------------------------------------------------------------------------ */

/* Index of the statement's keyword in words, or -1 after reporting it. Also
 * rejects a block where none belongs. */
static int clause(struct fl_compile *c, const struct fl_ast_stmt *s, const char *block,
		  const char *const *words, size_t n)
{
	int k = keyword(c, s->items[0], block, words, n);

	if (k >= 0 && s->has_block) {
		fl_diag_error(c->d, &s->block_loc, "'%s' takes no { } block here", s->items[0]->text);
		return -1;
	}
	return k;
}

/* A clause given twice where once is meant. */
static bool once(struct fl_compile *c, const struct fl_ast_stmt *s,
		 const struct fl_ast_stmt **seen)
{
	if (*seen) {
		fl_diag_error(c->d, &s->items[0]->loc, "'%s' given twice", s->items[0]->text);
		fl_diag_note(c->d, &(*seen)->items[0]->loc, "first given here");
		return false;
	}
	*seen = s;
	return true;
}

static const char *const class_words[] = {
#define X(name, text) text,
	FL_LOC_CLASSES(X)
#undef X
};

static void compile_level(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"label", "respond", "onsite", "repair", "ladder"};
	struct fl_prog_level *lv = &c->prog->levels[index];
	const struct fl_ast_stmt *seen[5] = {0};

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		int k = clause(c, s, "level setting", words, FL_ARRAY_LEN(words)), cls;
		int64_t ms;

		if (k < 0 || (k != 2 && !once(c, s, &seen[k])))
			continue;
		lv = &c->prog->levels[index];
		switch (k) {
		case 0:
			if (want_kind(c, s, 1, FL_ITEM_STRING, "a label in quotes"))
				lv->label = arena_str(c, s->items[1]->text, s->items[1]->len);
			no_more(c, s, 2);
			break;
		case 1:
		case 3:
			if (want_duration(c, s, 1, &ms))
				*(k == 1 ? &lv->respond_ms : &lv->repair_ms) = ms;
			no_more(c, s, 2);
			break;
		case 2:
			if (!want_word(c, s, 1, "a location class (city, county, township)"))
				break;
			cls = keyword(c, s->items[1], "location class", class_words, FL_CLASS__COUNT);
			if (cls >= 0 && want_duration(c, s, 2, &ms))
				lv->onsite_ms[cls] = ms;
			no_more(c, s, 3);
			break;
		case 4:
			if (want_word(c, s, 1, "a ladder name"))
				lv->ladder = resolve(c, &c->ladders, s->items[1], "ladder");
			no_more(c, s, 2);
			break;
		}
	}
	if (!seen[1])
		fl_diag_error(c->d, &st->items[1]->loc, "level '%s' has no 'respond' clock",
			      st->items[1]->text);
}

static const char *const scope_words[] = {
#define X(name, text) text,
	FL_SCOPES(X)
#undef X
};
static const char *const cond_words[] = {
#define X(name, text) text,
	FL_STEP_CONDS(X)
#undef X
};
static const char *const when_words[] = {
#define X(name, text) text,
	FL_STEP_WHENS(X)
#undef X
};

/* via CHANNEL[, CHANNEL...] at item i (a ladder step's or an announcement's):
 * the channels are appended to step_channels, *first and *n name them. */
static void compile_via(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			uint32_t *first, uint32_t *n)
{
	if (!is_word(at(s, i), "via")) {
		expected(c, s, i, "'via CHANNEL'");
		return;
	}
	*first = (uint32_t)c->prog->n_step_channels;
	for (i++; i < s->nitems; i++) {
		uint32_t *ch;

		if (is_op(s->items[i], ",") && i + 1 < s->nitems)
			continue;
		if (!want_word(c, s, i, "a channel"))
			return;
		if (!(ch = PUSH(c, step_channels)))
			return;
		*ch = resolve(c, &c->channels, s->items[i], "channel");
	}
	*n = (uint32_t)(c->prog->n_step_channels - *first);
	if (*n == 0)
		expected(c, s, i, "a channel");
}

/* step after DUR [COND] notify ROLE [at SCOPE] via CH[, CH];
 * step CLOCK [+DUR] [COND] notify ...;   CLOCK: respond, onsite, repair (missed) */
static void compile_step(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	struct fl_prog_step *step = PUSH(c, steps);
	size_t i = 1;
	int k;

	if (!step)
		return;
	step->role = FL_PROG_NONE;
	if (!want_word(c, s, i, "'after', a clock (respond, onsite, repair) or 'cleared'"))
		return;
	if ((k = keyword(c, s->items[i], "step timing", when_words, FL_ARRAY_LEN(when_words))) < 0)
		return;
	step->when = (enum fl_step_when)k;
	i++;
	if (k == FL_WHEN_CLEARED && at(s, i) &&
	    (at(s, i)->kind == FL_ITEM_DURATION || at(s, i)->kind == FL_ITEM_NUMBER)) {
		fl_diag_error(c->d, &at(s, i)->loc,
			      "'cleared' takes no delay: the step fires when the incident clears");
		return;
	}
	if (k == FL_WHEN_CLEARED && at(s, i) && at(s, i)->kind == FL_ITEM_WORD &&
	    !is_word(at(s, i), "notify")) {
		fl_diag_error(c->d, &at(s, i)->loc,
			      "'cleared' takes no incident state: the service is restored when it "
			      "fires");
		return;
	}
	if (k == FL_WHEN_AFTER || (at(s, i) && at(s, i)->kind == FL_ITEM_DURATION)) {
		if (!want_duration(c, s, i, &step->delay_ms))
			return;
		i++;
	}
	if (at(s, i) && at(s, i)->kind == FL_ITEM_WORD && !is_word(at(s, i), "notify")) {
		if ((k = keyword(c, s->items[i], "incident state", cond_words,
				 FL_ARRAY_LEN(cond_words))) < 0)
			return;
		step->cond = (enum fl_step_cond)k;
		i++;
	}
	if (!is_word(at(s, i), "notify")) {
		expected(c, s, i, "'notify ROLE'");
		return;
	}
	i++;
	if (!want_word(c, s, i, "a contact role"))
		return;
	step->role = resolve(c, &c->roles, s->items[i++], "role");
	if (is_word(at(s, i), "at")) {
		i++;
		if (!want_word(c, s, i, "a scope (own, county, city, region, customer)"))
			return;
		if ((k = keyword(c, s->items[i], "scope", scope_words, FL_SCOPE__COUNT)) < 0)
			return;
		step->scope = (enum fl_scope)k;
		i++;
	}
	compile_via(c, s, i, &step->first_channel, &step->n_channels);
}

static void compile_ladder(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"step"};
	uint32_t first = (uint32_t)c->prog->n_steps;

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next)
		if (clause(c, s, "ladder clause", words, 1) == 0)
			compile_step(c, s);
	c->prog->ladders[index].first_step = first;
	c->prog->ladders[index].n_steps = (uint32_t)(c->prog->n_steps - first);
	if (first == c->prog->n_steps)
		fl_diag_error(c->d, &st->items[1]->loc, "ladder '%s' has no step",
			      st->items[1]->text);
}

/* before DUR notify ROLE [at customer] via CH[, CH];  (inside announce maintenance) */
static void compile_announce_line(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	struct fl_prog_announce *an = PUSH(c, announces);
	size_t i = 1;
	int k;

	if (!an)
		return;
	an->role = FL_PROG_NONE;
	if (!want_duration(c, s, i++, &an->before_ms))
		return;
	if (an->before_ms > FL_ANNOUNCE_BEFORE_MAX_MS) {
		fl_diag_error(c->d, &s->items[1]->loc,
			      "announcements are made at most 366d ahead");
		an->role = FL_PROG_NONE;
		return;
	}
	if (!is_word(at(s, i), "notify")) {
		expected(c, s, i, "'notify ROLE'");
		return;
	}
	i++;
	if (!want_word(c, s, i, "a contact role"))
		return;
	an->role = resolve(c, &c->roles, s->items[i++], "role");
	if (is_word(at(s, i), "at")) {
		i++;
		if (!want_word(c, s, i, "the scope 'customer'"))
			return;
		if ((k = keyword(c, s->items[i], "scope", scope_words, FL_SCOPE__COUNT)) < 0)
			return;
		if (k != FL_SCOPE_CUSTOMER) {
			fl_diag_error(c->d, &s->items[i]->loc,
				      "maintenance is announced to customers: the scope is 'customer', "
				      "not '%s'", s->items[i]->text);
			return;
		}
		i++;
	}
	compile_via(c, s, i, &an->first_channel, &an->n_channels);
}

/* announce maintenance { before DUR notify ROLE [at customer] via CH, ...; ... } */
static void compile_announce(struct fl_compile *c, const struct fl_ast_stmt *st)
{
	static const char *const what_words[] = {"maintenance"};
	static const char *const words[] = {"before"};
	size_t first = c->prog->n_announces;

	if (!want_word(c, st, 1, "what is announced ('maintenance')") ||
	    keyword(c, st->items[1], "announcement", what_words, 1) < 0)
		return;
	if (!st->has_block) {
		struct fl_loc l = after_loc(st, st->nitems);

		fl_diag_error(c->d, &l, "expected '{' after 'announce maintenance'");
		return;
	}
	no_more(c, st, 2);
	for (const struct fl_ast_stmt *s = st->body; s; s = s->next)
		if (clause(c, s, "announce clause", words, 1) == 0)
			compile_announce_line(c, s);
	if (first == c->prog->n_announces && !st->body)
		fl_diag_error(c->d, &st->items[1]->loc,
			      "'announce maintenance' has no 'before DURATION notify ...' line");
}

/* ISO 8601 with offset: 2026-11-28T00:30:00+08:00 (or Z) -> ns since the epoch. */
static bool parse_iso8601(const char *s, int64_t *ns)
{
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	char sign;
	int64_t days;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	/* nanoseconds since 1970 in an int64_t end in April 2262 */
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59 || y < 1970 || y > 2261)
		return false;
	sign = s[19];
	if (sign == 'Z' && s[20] == '\0') {
		sign = '+';
	} else if ((sign == '+' || sign == '-') && strlen(s + 20) == 5 && s[22] == ':') {
		if (sscanf(s + 20, "%2d:%2d", &oh, &om) != 2 || oh < 0 || oh > 23 || om < 0 ||
		    om > 59)
			return false;
	} else {
		return false;
	}
	/* days from civil (H. Hinnant's algorithm) */
	y -= mo <= 2;
	{
		int64_t era = y / 400, yoe = y - era * 400;
		int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + doe - 719468;
	}
	*ns = ((days * 86400 + h * 3600 + mi * 60 + sec) -
	       (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60)) *
	      1000000000LL;
	return true;
}

static const char *const wscope_words[] = {
#define X(name, text) text,
	FL_WINDOW_SCOPES(X)
#undef X
};

static void compile_window(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"scope", "from", "until", "reason"};
	const struct fl_ast_stmt *seen[4] = {0};
	struct fl_prog_window *w;

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		int k = clause(c, s, "maintenance clause", words, FL_ARRAY_LEN(words)), sc;
		int64_t ns;

		if (k < 0 || !once(c, s, &seen[k]))
			continue;
		w = &c->prog->windows[index];
		switch (k) {
		case 0:
			if (!want_word(c, s, 1, "a scope (device, site, ring, span, city)"))
				break;
			sc = keyword(c, s->items[1], "maintenance scope", wscope_words,
				     FL_ARRAY_LEN(wscope_words));
			if (sc < 0 || !want_name(c, s, 2, "the target's name"))
				break;
			w->scope = (enum fl_window_scope)sc;
			w->target = arena_str(c, s->items[2]->text, s->items[2]->len);
			no_more(c, s, 3);
			break;
		case 1:
		case 2:
			if (!want_kind(c, s, 1, FL_ITEM_STRING, "a time \"2026-11-28T00:30:00+08:00\""))
				break;
			if (!parse_iso8601(s->items[1]->text, &ns)) {
				fl_diag_error(c->d, &s->items[1]->loc,
					      "'%s' is not a time like 2026-11-28T00:30:00+08:00 "
					      "(years 1970 to 2261)",
					      s->items[1]->text);
				break;
			}
			*(k == 1 ? &w->start_ns : &w->end_ns) = ns;
			no_more(c, s, 2);
			break;
		case 3:
			if (want_kind(c, s, 1, FL_ITEM_STRING, "a reason in quotes"))
				w->reason = arena_str(c, s->items[1]->text, s->items[1]->len);
			break;
		}
	}
	w = &c->prog->windows[index];
	for (int k = 0; k < 3; k++)
		if (!seen[k])
			fl_diag_error(c->d, &st->items[1]->loc, "maintenance '%s' has no '%s'",
				      st->items[1]->text, words[k]);
	if (seen[1] && seen[2] && w->end_ns <= w->start_ns && w->end_ns)
		fl_diag_error(c->d, &seen[2]->items[1]->loc, "window ends before it starts");
}

/* raise|update [level L] [title T] [ladder X];  set F T;  emit T;  run PLUGIN [T];  clear; */
static void compile_action(struct fl_compile *c, const struct fl_ast_stmt *s,
			   enum fl_action_kind kind)
{
	struct fl_prog_action a = {.kind = kind,
				   .level = FL_PROG_NONE,
				   .ladder = FL_PROG_NONE,
				   .title = FL_PROG_NONE,
				   .value = FL_PROG_NONE,
				   .plugin = FL_PROG_NONE};
	struct fl_prog_action *slot;
	size_t i = 1;

	switch (kind) {
	case FL_ACT_RAISE:
	case FL_ACT_UPDATE: {
		static const char *const words[] = {"level", "title", "ladder"};

		while (i < s->nitems) {
			int k = keyword(c, s->items[i], "incident attribute", words, 3);

			if (k < 0)
				return;
			if (k == 1) {
				if (!at(s, i + 1)) {
					expected(c, s, i + 1, "a title in quotes");
					return;
				}
				a.title = compile_template(c, s->items[i + 1]);
			} else if (want_word(c, s, i + 1, k == 0 ? "a level" : "a ladder")) {
				if (k == 0)
					a.level = resolve(c, &c->levels, s->items[i + 1], "level");
				else
					a.ladder = resolve(c, &c->ladders, s->items[i + 1], "ladder");
			} else {
				return;
			}
			i += 2;
		}
		if (kind == FL_ACT_RAISE && a.level == FL_PROG_NONE &&
		    !(i > 1 && s->nitems >= 2)) {
			struct fl_loc l = after_loc(s, 1);

			fl_diag_error(c->d, &l, "'raise' needs 'level NAME'");
		} else if (kind == FL_ACT_RAISE && a.level == FL_PROG_NONE) {
			bool has_level = false;

			for (size_t k = 1; k < s->nitems; k++)
				has_level |= is_word(s->items[k], "level");
			if (!has_level)
				fl_diag_error(c->d, &s->items[0]->loc, "'raise' needs 'level NAME'");
		}
		break;
	}
	case FL_ACT_SET:
		if (!want_word(c, s, 1, "a field name") || !at(s, 2)) {
			if (at(s, 1))
				expected(c, s, 2, "a value in quotes");
			return;
		}
		a.field = arena_str(c, s->items[1]->text, s->items[1]->len);
		a.value = compile_template(c, s->items[2]);
		no_more(c, s, 3);
		break;
	case FL_ACT_EMIT:
		if (!at(s, 1)) {
			expected(c, s, 1, "the derived event's text in quotes");
			return;
		}
		a.value = compile_template(c, s->items[1]);
		no_more(c, s, 2);
		break;
	case FL_ACT_RUN:
		if (!want_word(c, s, 1, "a plugin name"))
			return;
		a.plugin = resolve(c, &c->channels, s->items[1], "plugin");
		if (at(s, 2))
			a.value = compile_template(c, s->items[2]);
		no_more(c, s, 3);
		break;
	case FL_ACT_CLEAR:
		no_more(c, s, 1);
		break;
	}
	if ((slot = PUSH(c, actions)))
		*slot = a;
}

/* key F, F ...; group F, F ...: appended to key_fields */
static void compile_fields(struct fl_compile *c, const struct fl_ast_stmt *s, uint32_t *first,
			   uint32_t *n)
{
	*first = (uint32_t)c->prog->n_key_fields;
	for (size_t i = 1; i < s->nitems; i++) {
		struct fl_prog_field f, *slot;

		if (is_op(s->items[i], ",") && i + 1 < s->nitems)
			continue;
		if (!want_word(c, s, i, "a field name"))
			return;
		if (!resolve_field(c, s->items[i]->text, &f)) {
			field_error(c, &s->items[i]->loc, s->items[i]->text);
			continue;
		}
		if ((slot = PUSH(c, key_fields)))
			*slot = f;
	}
	*n = (uint32_t)(c->prog->n_key_fields - *first);
	if (*n == 0 && s->nitems == 1)
		expected(c, s, 1, "a field name");
}

/* N within DUR */
static bool compile_n_within(struct fl_compile *c, const struct fl_ast_stmt *s, uint32_t *n,
			     int64_t *ms)
{
	int64_t count;

	if (!want_count(c, s, 1, &count))
		return false;
	if (!is_word(at(s, 2), "within")) {
		expected(c, s, 2, "'within DURATION'");
		return false;
	}
	if (!want_duration(c, s, 3, ms))
		return false;
	no_more(c, s, 4);
	if (count > (int64_t)FL_CORR_WINDOW_N_MAX) {
		fl_diag_error(c->d, &at(s, 1)->loc, "at most %u events fit a window, got %lld",
			      FL_CORR_WINDOW_N_MAX, (long long)count);
		return false;
	}
	*n = (uint32_t)count;
	return true;
}

static const char *const action_words[] = {
#define X(name, text) text,
	FL_ACTIONS(X)
#undef X
};

enum {
	R_MATCH, R_WHERE, R_LOOKUP, R_KEY, R_DEDUP, R_THRESHOLD, R_FLAP, R_ABSENT,
	R_CLEAR, R_RAISE, R_UPDATE, R_SET, R_EMIT, R_RUN, R__COUNT
};
static const char *const rule_words[] = {"match", "where", "lookup", "key", "dedup",
					 "threshold", "flap", "absent", "clear", "raise",
					 "update", "set", "emit", "run"};

static void compile_rule(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	const struct fl_ast_stmt *seen[R__COUNT] = {0};
	struct fl_prog_rule r = {0};
	int kinds[FL_PLAN_MAX_ITEMS];
	size_t nstmt = 0;

	memset(&c->scope, 0, sizeof(c->scope));
	c->scope.in_rule = true;
	c->scope.stmt = st;
	r.name = arena_str(c, st->items[1]->text, st->items[1]->len);
	r.first_regex = (uint32_t)c->prog->n_regexes;
	r.first_action = (uint32_t)c->prog->n_actions;
	c->scope.first_capture = (uint32_t)c->prog->n_captures;
	/* classify clauses once; order of compilation is fixed below */
	for (const struct fl_ast_stmt *s = st->body; s; s = s->next, nstmt++) {
		int k = clause(c, s, "rule clause", rule_words, R__COUNT);

		if (nstmt < FL_ARRAY_LEN(kinds))
			kinds[nstmt] = k;
		if (k == R_CLEAR && at(s, 1))
			continue; /* clear where ...: the pair, compiled below */
		if (k == R_MATCH || k == R_LOOKUP || k == R_KEY || k == R_DEDUP ||
		    k == R_THRESHOLD || k == R_FLAP || k == R_ABSENT)
			once(c, s, &seen[k]);
	}
	if (nstmt > FL_ARRAY_LEN(kinds)) {
		fl_diag_error(c->d, &st->items[1]->loc, "rule '%s' has %zu clauses; the limit is %zu",
			      st->items[1]->text, nstmt, FL_ARRAY_LEN(kinds));
		nstmt = FL_ARRAY_LEN(kinds);
	}
	if (!seen[R_MATCH]) {
		fl_diag_error(c->d, &st->items[1]->loc, "rule '%s' has no 'match syslog|trap'",
			      st->items[1]->text);
	} else {
		const struct fl_ast_stmt *s = seen[R_MATCH];
		static const char *const inputs[] = {"syslog", "trap"};
		int k;

		if (want_word(c, s, 1, "syslog or trap") &&
		    (k = keyword(c, s->items[1], "input", inputs, 2)) >= 0)
			r.input = (enum fl_rule_input)k;
		c->scope.input = r.input;
		no_more(c, s, 2);
	}
	if (seen[R_LOOKUP]) {
		const struct fl_ast_stmt *s = seen[R_LOOKUP];
		static const char *const lk[] = {"device", "mgmt_ip"};
		int k;

		if (want_word(c, s, 1, "'device FIELD' or 'mgmt_ip FIELD'") &&
		    (k = keyword(c, s->items[1], "lookup", lk, 2)) >= 0 &&
		    want_word(c, s, 2, "the field holding the name (host)")) {
			r.lookup = k == 0 ? FL_LOOKUP_DEVICE : FL_LOOKUP_MGMT_IP;
			if (!resolve_field(c, s->items[2]->text, &r.lookup_field))
				field_error(c, &s->items[2]->loc, s->items[2]->text);
			no_more(c, s, 3);
		}
		c->scope.has_lookup = true;
	}
	/* conditions: every where, in order (captures become fields as they appear) */
	{
		const struct fl_ast_stmt *s = st->body;

		for (size_t i = 0; i < nstmt; i++, s = s->next) {
			if (kinds[i] == R_WHERE) {
				compile_where(c, s, 1, &r.first_cond, &r.n_conds);
				c->scope.n_captures =
					(uint32_t)(c->prog->n_captures - c->scope.first_capture);
			}
		}
		if (r.n_conds == 0)
			r.first_cond = (uint32_t)c->prog->n_conds;
		s = st->body;
		for (size_t i = 0; i < nstmt; i++, s = s->next) {
			if (kinds[i] != R_CLEAR || !at(s, 1))
				continue;
			if (!is_word(s->items[1], "where")) {
				expected(c, s, 1, "'where CONDITION' (or ';' to clear the incident)");
				continue;
			}
			if (r.n_clear_conds) {
				fl_diag_error(c->d, &s->items[0]->loc,
					      "'clear where' given twice: join them with 'and'");
				continue;
			}
			compile_where(c, s, 2, &r.first_clear_cond, &r.n_clear_conds);
		}
		c->scope.n_captures = (uint32_t)(c->prog->n_captures - c->scope.first_capture);
	}
	r.n_regexes = (uint32_t)(c->prog->n_regexes - r.first_regex);
	if (seen[R_KEY])
		compile_fields(c, seen[R_KEY], &r.first_key, &r.n_keys);
	if (seen[R_DEDUP] && want_duration(c, seen[R_DEDUP], 1, &r.dedup_ms))
		no_more(c, seen[R_DEDUP], 2);
	if (seen[R_THRESHOLD])
		compile_n_within(c, seen[R_THRESHOLD], &r.threshold_n, &r.threshold_ms);
	if (seen[R_FLAP])
		compile_n_within(c, seen[R_FLAP], &r.flap_n, &r.flap_ms);
	if (seen[R_ABSENT] && want_duration(c, seen[R_ABSENT], 1, &r.absent_ms))
		no_more(c, seen[R_ABSENT], 2);
	/* actions, in order; set fields become nameable by later templates */
	{
		const struct fl_ast_stmt *s = st->body;

		for (size_t i = 0; i < nstmt; i++, s = s->next) {
			int k = kinds[i];

			if (k == R_CLEAR && at(s, 1))
				continue;
			if (k < R_CLEAR)
				continue;
			compile_action(c, s,
				       (enum fl_action_kind)keyword(c, s->items[0], "action",
								    action_words,
								    FL_ARRAY_LEN(action_words)));
			if (k == R_SET && at(s, 1) && s->items[1]->kind == FL_ITEM_WORD &&
			    c->scope.n_set_fields < FL_ARRAY_LEN(c->scope.set_fields))
				c->scope.set_fields[c->scope.n_set_fields++] = s->items[1]->text;
		}
	}
	r.n_actions = (uint32_t)(c->prog->n_actions - r.first_action);
	c->prog->rules[index] = r;
	c->scope.in_rule = false;
}

static const char *const locate_words[] = {
#define X(name, text) text,
	FL_LOCATES(X)
#undef X
};

/* rule names, comma-separated, into rule_refs */
static void compile_rule_list(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			      size_t end, uint32_t *first, uint32_t *n)
{
	*first = (uint32_t)c->prog->n_rule_refs;
	for (; i < end; i++) {
		uint32_t r, *slot;

		if (is_op(s->items[i], ",") && i + 1 < end)
			continue;
		if (!want_word(c, s, i, "a rule name"))
			return;
		r = resolve(c, &c->rules, s->items[i], "rule");
		if (r != FL_PROG_NONE && (slot = PUSH(c, rule_refs)))
			*slot = r;
	}
	*n = (uint32_t)(c->prog->n_rule_refs - *first);
	if (*n == 0 && i == end && end <= 1)
		expected(c, s, i, "a rule name");
}

enum { C_LOCATE, C_FROM, C_WITHIN, C_GROUP, C_ABSORB, C_HOLD, C_RAISE, C_UPDATE, C_SET,
       C_EMIT, C_RUN, C_CLEAR, C__COUNT };
static const char *const corr_words[] = {"locate", "from", "within", "group", "absorb", "hold",
					 "raise", "update", "set", "emit", "run", "clear"};

static void compile_correlation(struct fl_compile *c, const struct fl_ast_stmt *st,
				uint32_t index)
{
	const struct fl_ast_stmt *seen[C__COUNT] = {0};
	struct fl_prog_correlation k = {0};
	int kinds[FL_PLAN_MAX_ITEMS];
	size_t nstmt = 0;
	const struct fl_ast_stmt *s;

	memset(&c->scope, 0, sizeof(c->scope));
	c->scope.in_corr = true;
	c->scope.stmt = st;
	k.name = arena_str(c, st->items[1]->text, st->items[1]->len);
	for (s = st->body; s; s = s->next, nstmt++) {
		int w = clause(c, s, "correlation clause", corr_words, C__COUNT);

		if (nstmt < FL_ARRAY_LEN(kinds))
			kinds[nstmt] = w;
		if (w >= 0 && w < C_RAISE)
			once(c, s, &seen[w]);
	}
	if (nstmt > FL_ARRAY_LEN(kinds)) {
		fl_diag_error(c->d, &st->items[1]->loc,
			      "correlation '%s' has %zu clauses; the limit is %zu", st->items[1]->text,
			      nstmt, FL_ARRAY_LEN(kinds));
		nstmt = FL_ARRAY_LEN(kinds);
	}
	if (!seen[C_LOCATE]) {
		fl_diag_error(c->d, &st->items[1]->loc,
			      "correlation '%s' has no 'locate span|site|group'", st->items[1]->text);
	} else if (want_word(c, seen[C_LOCATE], 1, "span, site or group")) {
		int w = keyword(c, seen[C_LOCATE]->items[1], "locate kind", locate_words,
				FL_ARRAY_LEN(locate_words));

		if (w >= 0)
			k.locate = (enum fl_locate)w;
		no_more(c, seen[C_LOCATE], 2);
	}
	if (!seen[C_FROM])
		fl_diag_error(c->d, &st->items[1]->loc, "correlation '%s' has no 'from RULE, ...'",
			      st->items[1]->text);
	else
		compile_rule_list(c, seen[C_FROM], 1, seen[C_FROM]->nitems, &k.first_input,
				  &k.n_inputs);
	c->scope.input_rules_first = k.first_input;
	c->scope.n_input_rules = k.n_inputs;
	if (!seen[C_WITHIN])
		fl_diag_error(c->d, &st->items[1]->loc, "correlation '%s' has no 'within DURATION'",
			      st->items[1]->text);
	else if (want_duration(c, seen[C_WITHIN], 1, &k.within_ms))
		no_more(c, seen[C_WITHIN], 2);
	if (seen[C_HOLD] && want_duration(c, seen[C_HOLD], 1, &k.hold_ms))
		no_more(c, seen[C_HOLD], 2);
	if (seen[C_GROUP])
		compile_fields(c, seen[C_GROUP], &k.first_group, &k.n_group);
	else if (k.locate == FL_LOCATE_GROUP && seen[C_LOCATE])
		fl_diag_error(c->d, &seen[C_LOCATE]->items[0]->loc,
			      "'locate group' needs 'group FIELD, ...'");
	if (seen[C_ABSORB]) {
		const struct fl_ast_stmt *a = seen[C_ABSORB];
		size_t end = a->nitems;

		for (size_t i = 1; i < a->nitems; i++)
			if (is_word(a->items[i], "for")) {
				end = i;
				if (want_duration(c, a, i + 1, &k.absorb_ms))
					no_more(c, a, i + 2);
				break;
			}
		compile_rule_list(c, a, 1, end, &k.first_absorb, &k.n_absorbs);
	}
	k.first_action = (uint32_t)c->prog->n_actions;
	s = st->body;
	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		if (kinds[i] < C_RAISE)
			continue;
		/* update and clear act on the incident a key opened before its
		 * event; a correlation's incident changes with its evidence */
		if (kinds[i] == C_UPDATE || kinds[i] == C_CLEAR) {
			fl_diag_error(c->d, &s->items[0]->loc,
				      "'%s' is a rule's action; a correlation's incident is "
				      "raised, changed and cleared by its evidence",
				      s->items[0]->text);
			continue;
		}
		compile_action(c, s,
			       (enum fl_action_kind)keyword(c, s->items[0], "action", action_words,
							    FL_ARRAY_LEN(action_words)));
		if (kinds[i] == C_SET && at(s, 1) && s->items[1]->kind == FL_ITEM_WORD &&
		    c->scope.n_set_fields < FL_ARRAY_LEN(c->scope.set_fields))
			c->scope.set_fields[c->scope.n_set_fields++] = s->items[1]->text;
	}
	k.n_actions = (uint32_t)(c->prog->n_actions - k.first_action);
	c->prog->correlations[index] = k;
	c->scope.in_corr = false;
}

/* Can text come out of template parts [first, end)? Literals must appear as
 * written; a field stands for any non-empty text. A table of reachable
 * (part, offset) states keeps it polynomial whatever the template; when the
 * table would pass 1 MiB the answer is "yes" (nothing is reported). */
static bool template_fits(const struct fl_program *p, uint32_t first, uint32_t end,
			  const char *text)
{
	size_t len = strlen(text), parts = end - first, cells;
	bool *reach, fits;

	if (__builtin_mul_overflow(parts + 1, len + 1, &cells) || cells > (1u << 20))
		return true;
	reach = calloc(cells, sizeof(*reach));
	if (!reach)
		return true;
	reach[0] = true; /* before part 0, at offset 0 */
	for (size_t i = 0; i < parts; i++) {
		const struct fl_prog_tpart *part = &p->tparts[first + i];
		bool *row = reach + i * (len + 1), *next = row + (len + 1);
		bool seen = false;

		for (size_t off = 0; off <= len; off++) {
			if (part->is_field) {
				/* any non-empty run: every offset after a reached one */
				if (seen && off > 0)
					next[off] = true;
				seen |= row[off];
			} else if (row[off] && len - off >= part->literal.len &&
				   memcmp(text + off, part->literal.p, part->literal.len) == 0) {
				next[off + part->literal.len] = true;
			}
		}
	}
	fits = reach[parts * (len + 1) + len];
	free(reach);
	return fits;
}

/* expect incident NAME title "T": T must be a title NAME can raise. */
static void check_expected_title(struct fl_compile *c, const struct fl_prog_expect *e,
				 const struct fl_ast_item *title)
{
	const struct fl_program *p = c->prog;
	uint32_t first, n;
	uint32_t last = FL_PROG_NONE;

	if (e->source == FL_PROG_NONE || !e->title.p)
		return;
	if (e->source_is_correlation) {
		first = p->correlations[e->source].first_action;
		n = p->correlations[e->source].n_actions;
	} else {
		first = p->rules[e->source].first_action;
		n = p->rules[e->source].n_actions;
	}
	for (uint32_t a = first; a < first + n; a++) {
		const struct fl_prog_template *t;

		if (p->actions[a].title == FL_PROG_NONE)
			continue;
		t = &p->templates[p->actions[a].title];
		last = p->actions[a].title;
		if (template_fits(p, t->first_part, t->first_part + t->n_parts, e->title.p))
			return;
	}
	if (last == FL_PROG_NONE)
		return;
	fl_diag_error(c->d, &title->loc, "'%s' cannot raise a title like this one",
		      e->source_is_correlation ? p->correlations[e->source].name.p :
						 p->rules[e->source].name.p);
	fl_diag_note(c->d, c->template_locs[last], "its title is made by this template");
}

/* NAME of a rule or correlation in a test expectation. */
static bool resolve_source(struct fl_compile *c, const struct fl_ast_item *it,
			   struct fl_prog_expect *e)
{
	struct sym *s = sym_find(&c->correlations, it->text);

	if (s) {
		e->source = s->index;
		e->source_is_correlation = true;
		return true;
	}
	if ((s = sym_find(&c->rules, it->text))) {
		e->source = s->index;
		return true;
	}
	{
		const char *hint = fl_diag_suggest(it->text, c->correlations.names,
						   c->correlations.n);

		if (!hint)
			hint = fl_diag_suggest(it->text, c->rules.names, c->rules.n);
		if (hint)
			fl_diag_error(c->d, &it->loc,
				      "unknown rule or correlation '%s'; did you mean '%s'?",
				      it->text, hint);
		else
			fl_diag_error(c->d, &it->loc, "unknown rule or correlation '%s'",
				      it->text);
	}
	return false;
}

static void compile_expect(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	static const char *const words[] = {"incident", "no", "absorbed", "notify", "cleared",
					    "planned"};
	struct fl_prog_expect e = {.source = FL_PROG_NONE,
				   .level = FL_PROG_NONE,
				   .role = FL_PROG_NONE,
				   .channel = FL_PROG_NONE,
				   .count = -1,
				   .at_ms = -1},
			      *slot;
	size_t i = 2;
	int k;

	if (!want_word(c, s, 1, "an outcome (incident, no incident, absorbed, notify, cleared, planned)"))
		return;
	if ((k = keyword(c, s->items[1], "outcome", words, FL_ARRAY_LEN(words))) < 0)
		return;
	e.kind = (enum fl_expect_kind)k;
	switch (k) {
	case FL_EXPECT_INCIDENT:
	case FL_EXPECT_PLANNED:
		if (!want_word(c, s, 2, "a rule or correlation name") ||
		    !resolve_source(c, s->items[2], &e))
			return;
		for (i = 3; k == FL_EXPECT_INCIDENT && i < s->nitems; i += 2) {
			if (is_word(s->items[i], "level") && want_word(c, s, i + 1, "a level")) {
				e.level = resolve(c, &c->levels, s->items[i + 1], "level");
			} else if (is_word(s->items[i], "title") &&
				   want_kind(c, s, i + 1, FL_ITEM_STRING, "a title in quotes")) {
				e.title = arena_str(c, s->items[i + 1]->text, s->items[i + 1]->len);
				check_expected_title(c, &e, s->items[i + 1]);
			} else {
				if (!is_word(s->items[i], "level") && !is_word(s->items[i], "title"))
					expected(c, s, i, "'level' or 'title'");
				return;
			}
		}
		no_more(c, s, i);
		break;
	case FL_EXPECT_NO_INCIDENT:
		if (!is_word(at(s, 2), "incident")) {
			expected(c, s, 2, "'incident' after 'no'");
			return;
		}
		if (at(s, 3) && want_word(c, s, 3, "a rule or correlation name"))
			resolve_source(c, s->items[3], &e);
		no_more(c, s, 4);
		break;
	case FL_EXPECT_ABSORBED:
		if (!want_count(c, s, 2, &e.count))
			return;
		i = 3;
		if (is_word(at(s, 3), "into")) {
			if (want_word(c, s, 4, "a correlation name"))
				resolve_source(c, s->items[4], &e);
			i = 5;
		}
		no_more(c, s, i);
		break;
	case FL_EXPECT_NOTIFY:
		if (!want_word(c, s, 2, "a contact role"))
			return;
		e.role = resolve(c, &c->roles, s->items[2], "role");
		i = 3;
		if (is_word(at(s, i), "at")) {
			if (!want_word(c, s, i + 1, "a scope"))
				return;
			k = keyword(c, s->items[i + 1], "scope", scope_words, FL_SCOPE__COUNT);
			if (k < 0)
				return;
			e.scope = (enum fl_scope)k;
			e.has_scope = true;
			i += 2;
		}
		if (!is_word(at(s, i), "via")) {
			expected(c, s, i, "'via CHANNEL'");
			return;
		}
		if (!want_word(c, s, i + 1, "a channel"))
			return;
		e.channel = resolve(c, &c->channels, s->items[i + 1], "channel");
		i += 2;
		if (is_word(at(s, i), "restored")) {
			e.is_restored = true;
			i++;
		}
		no_more(c, s, i);
		break;
	case FL_EXPECT_CLEARED:
		if (at(s, 2) && at(s, 2)->kind == FL_ITEM_WORD && !is_word(at(s, 2), "at")) {
			resolve_source(c, s->items[2], &e);
			i = 3;
		}
		if (is_word(at(s, i), "at")) {
			if (!want_duration(c, s, i + 1, &e.at_ms))
				return;
			i += 2;
		}
		no_more(c, s, i);
		break;
	}
	if (s->loc.src && s->loc.src->name)
		e.file = arena_str(c, s->loc.src->name, strlen(s->loc.src->name));
	e.line = s->loc.first_line;
	e.column = s->loc.first_column;
	if ((slot = PUSH(c, expects)))
		*slot = e;
}

static void compile_test(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"at", "expect", "year"};
	struct fl_prog_test *t;
	int year = 0;
	uint32_t first_event = (uint32_t)c->prog->n_test_events;
	uint32_t first_expect = (uint32_t)c->prog->n_expects;
	int64_t last_ms = 0;

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		int k = clause(c, s, "test clause", words, 3);
		struct fl_prog_test_event *ev;
		int64_t ms;

		if (k == 1) {
			compile_expect(c, s);
			continue;
		}
		if (k == 2) {
			const struct fl_ast_item *y = at(s, 1);

			if (y && y->kind == FL_ITEM_NUMBER && y->num >= 1970 && y->num <= 9999)
				year = (int)y->num;
			else if (y && y->kind == FL_ITEM_NUMBER)
				fl_diag_error(c->d, &y->loc, "expected a year from 1970 to 9999, got %s",
					      y->text);
			else
				expected(c, s, 1, "a year");
			no_more(c, s, 2);
			continue;
		}
		if (k != 0 || !want_duration(c, s, 1, &ms))
			continue;
		if (ms < last_ms)
			fl_diag_error(c->d, &s->items[1]->loc,
				      "events must be in time order: this one comes before the one above");
		last_ms = ms;
		if (!want_word(c, s, 2, "syslog or trap"))
			continue;
		if (is_word(s->items[2], "syslog")) {
			if (!want_kind(c, s, 3, FL_ITEM_STRING, "the syslog line in quotes"))
				continue;
			no_more(c, s, 4);
			if (!(ev = PUSH(c, test_events)))
				return;
			ev->input = FL_RULE_INPUT_SYSLOG;
			ev->text = arena_str(c, s->items[3]->text, s->items[3]->len);
		} else if (is_word(s->items[2], "trap")) {
			uint8_t oid[512];
			size_t len;
			size_t i = 4;

			if (!at(s, 3) || s->items[3]->kind != FL_ITEM_DOTTED ||
			    !oid_encode(s->items[3]->text, oid, &len)) {
				expected(c, s, 3, "the trap's OID (1.3.6.1...)");
				continue;
			}
			if (!(ev = PUSH(c, test_events)))
				return;
			ev->input = FL_RULE_INPUT_TRAP;
			ev->trap_oid = arena_str(c, (const char *)oid, len);
			if (is_word(at(s, 4), "from")) {
				if (want_kind(c, s, 5, FL_ITEM_DOTTED, "the sender's address"))
					ev->peer = arena_str(c, s->items[5]->text, s->items[5]->len);
				i = 6;
			}
			if (is_word(at(s, i), "community")) {
				if (want_kind(c, s, i + 1, FL_ITEM_STRING, "the community in quotes"))
					ev->community =
					    arena_str(c, s->items[i + 1]->text, s->items[i + 1]->len);
				i += 2;
			}
			no_more(c, s, i);
		} else {
			static const char *const inputs[] = {"syslog", "trap"};

			keyword(c, s->items[2], "input", inputs, 2);
			continue;
		}
		ev->at_ms = ms;
	}
	if (year == 0 && c->prog->n_windows) { /* the earliest maintenance window's */
		int64_t first = INT64_MAX;

		for (size_t w = 0; w < c->prog->n_windows; w++)
			if (c->prog->windows[w].start_ns && c->prog->windows[w].start_ns < first)
				first = c->prog->windows[w].start_ns;
		if (first != INT64_MAX) {
			time_t secs = (time_t)(first / 1000000000);
			struct tm tm;

			if (gmtime_r(&secs, &tm))
				year = tm.tm_year + 1900;
		}
	}
	t = &c->prog->tests[index];
	t->year = year;
	t->first_event = first_event;
	t->n_events = (uint32_t)(c->prog->n_test_events - first_event);
	t->first_expect = first_expect;
	t->n_expects = (uint32_t)(c->prog->n_expects - first_expect);
	if (t->n_expects == 0)
		fl_diag_error(c->d, &st->items[1]->loc, "test \"%s\" expects nothing: add 'expect ...'",
			      st->items[1]->text);
}

/* --- declarations and the top level --------------------------------------------------- */

enum { T_PLAN, T_TIMEZONE, T_INCLUDE, T_DATA, T_ROLES, T_PLUGIN, T_REQUIRE, T_LEVEL,
       T_LADDER, T_MAINTENANCE, T_RULE, T_CORRELATE, T_TEST, T_ANNOUNCE, T__COUNT };
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
static void declare_all(struct fl_compile *c, int *kinds)
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
static void compile_all(struct fl_compile *c, const int *kinds)
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

/* --- warnings --------------------------------------------------------------------------- */

static bool cond_equal(const struct fl_program *p, const struct fl_prog_cond *a,
		       const struct fl_prog_cond *b)
{
	if (a->field.kind != b->field.kind || a->op != b->op || a->is_num != b->is_num ||
	    a->num != b->num || !fl_str_eq(a->str, b->str) || !fl_str_eq(a->oid, b->oid) ||
	    !fl_str_eq(a->varbind_oid, b->varbind_oid) || a->n_values != b->n_values ||
	    a->addr.family != b->addr.family || a->addr.prefix != b->addr.prefix ||
	    memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes)) != 0)
		return false;
	/* captures of different rules have different indices: compare names */
	if (a->field.kind == FL_FIELD_CAPTURE) {
		if (!fl_str_eq(p->captures[a->field.index].name, p->captures[b->field.index].name))
			return false;
	} else if (a->field.index != b->field.index) {
		return false;
	}
	if ((a->regex == FL_PROG_NONE) != (b->regex == FL_PROG_NONE))
		return false;
	if (a->regex != FL_PROG_NONE &&
	    !fl_str_eq(p->regexes[a->regex].pattern, p->regexes[b->regex].pattern))
		return false;
	for (uint32_t i = 0; i < a->n_values; i++)
		if (!fl_str_eq(p->set_values[a->first_value + i], p->set_values[b->first_value + i]))
			return false;
	return true;
}

static uint64_t cond_hash(const struct fl_program *p, const struct fl_prog_cond *a)
{
	uint64_t h = 1469598103934665603u;
	const struct fl_str *s = a->regex != FL_PROG_NONE ? &p->regexes[a->regex].pattern : &a->str;

	h = (h ^ (uint64_t)a->op) * 1099511628211u;
	h = (h ^ (uint64_t)a->field.kind) * 1099511628211u;
	for (size_t i = 0; i < s->len; i++)
		h = (h ^ (unsigned char)s->p[i]) * 1099511628211u;
	return h ^ (uint64_t)a->num;
}

static bool rule_raises(const struct fl_program *p, const struct fl_prog_rule *r)
{
	for (uint32_t i = r->first_action; i < r->first_action + r->n_actions; i++)
		if (p->actions[i].kind == FL_ACT_RAISE)
			return true;
	return false;
}

/* Every rule that matches an event sees it, but an event raises at most one
 * incident: the first raising rule that matches it. So a raising rule b is
 * shadowed when an earlier raising rule a, with no window of its own that
 * could hold the raise back, has the same input and a subset of b's
 * conditions. */
static bool shadows(const struct fl_program *p, const struct fl_prog_rule *a,
		    const struct fl_prog_rule *b)
{
	if (a->input != b->input || a->threshold_n || a->flap_n || a->absent_ms ||
	    a->n_clear_conds || !rule_raises(p, a) || !rule_raises(p, b))
		return false;
	for (uint32_t i = 0; i < a->n_conds; i++) {
		bool found = false;

		for (uint32_t j = 0; j < b->n_conds && !found; j++)
			found = cond_equal(p, &p->conds[a->first_cond + i], &p->conds[b->first_cond + j]);
		if (!found)
			return false;
	}
	return true;
}

struct hrule {
	uint64_t hash;
	uint32_t rule;
};

static int cmp_hrule(const void *x, const void *y)
{
	const struct hrule *a = x, *b = y;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

/* Warns about each raising rule an earlier one shadows: it never raises.
 * Candidates are found
 * through the hash of the earlier rule's first condition, so the check stays
 * near-linear on plans of thousands of rules. */
static void warn_shadowed(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	struct hrule *idx = malloc((p->n_rules + 1) * sizeof(*idx));
	size_t n = 0;

	if (!idx) {
		c->oom = true;
		return;
	}
	for (uint32_t r = 0; r < p->n_rules; r++)
		if (p->rules[r].n_conds)
			idx[n++] = (struct hrule){cond_hash(p, &p->conds[p->rules[r].first_cond]), r};
	qsort(idx, n, sizeof(*idx), cmp_hrule);
	for (uint32_t b = 0; b < p->n_rules; b++) {
		const struct fl_prog_rule *rb = &p->rules[b];
		uint32_t by = FL_PROG_NONE;

		for (uint32_t j = 0; j < rb->n_conds && by == FL_PROG_NONE; j++) {
			struct hrule key = {cond_hash(p, &p->conds[rb->first_cond + j]), 0};
			size_t lo = 0, hi = n;

			while (lo < hi) { /* first entry with this hash */
				size_t mid = (lo + hi) / 2;

				if (cmp_hrule(&idx[mid], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < n && idx[lo].hash == key.hash && idx[lo].rule < b; lo++)
				if (shadows(p, &p->rules[idx[lo].rule], rb)) {
					by = idx[lo].rule;
					break;
				}
		}
		if (by == FL_PROG_NONE || !c->rule_stmts[b] || !c->rule_stmts[by])
			continue;
		fl_diag_warning(c->d, &c->rule_stmts[b]->items[1]->loc,
				"rule '%s' never raises: rule '%s' above matches every event it does "
				"and raises first",
				rb->name.p, p->rules[by].name.p);
		fl_diag_note(c->d, &c->rule_stmts[by]->items[1]->loc, "'%s' is declared here",
			     p->rules[by].name.p);
	}
	free(idx);
}

static void warn_unused(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	bool *named = calloc(p->n_roles + 1, sizeof(*named));
	bool *fed = calloc(p->n_rules + 1, sizeof(*fed));

	if (!named || !fed) {
		free(named);
		free(fed);
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < c->ladders.cap; i++) {
		const struct sym *s = &c->ladders.v[i];

		if (s->name && !s->used)
			fl_diag_warning(c->d, s->loc, "ladder '%s' is never used: no level or raise names it",
					s->name);
	}
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].role != FL_PROG_NONE)
			named[p->steps[i].role] = true;
	for (size_t i = 0; i < p->n_announces; i++)
		if (p->announces[i].role != FL_PROG_NONE)
			named[p->announces[i].role] = true;
	for (size_t i = 0; i < c->roles.cap; i++) {
		const struct sym *s = &c->roles.v[i];

		if (s->name && !named[s->index])
			fl_diag_warning(c->d, s->loc, "role '%s' is never notified: no ladder step names it",
					s->name);
	}
	for (size_t i = 0; i < p->n_captures; i++)
		if (!c->capture_used[i]) {
			struct fl_loc l = *c->capture_locs[i];

			fl_diag_warning(c->d, &l, "capture '%s' is never used (not in a key, "
					"condition or template)", p->captures[i].name.p);
		}
	for (size_t i = 0; i < p->n_rule_refs; i++)
		fed[p->rule_refs[i]] = true;
	for (size_t i = 0; i < p->n_rules; i++)
		if (!p->rules[i].n_actions && !fed[i] && c->rule_stmts[i])
			fl_diag_warning(c->d, &c->rule_stmts[i]->items[1]->loc,
					"rule '%s' has no action and feeds no correlation",
					p->rules[i].name.p);
	free(named);
	free(fed);
}

/* --- data ------------------------------------------------------------------------------- */

static void release_inventory(void *inv)
{
	fl_plan_data_free(inv);
}

static void load_data(struct fl_compile *c, struct fl_plan_data_counts *counts)
{
	char *paths[FL_DATA__COUNT] = {0};
	const struct fl_loc *locs[FL_DATA__COUNT] = {0};
	struct fl_inventory *inv = NULL;
	bool any = false;
	int rc;

	for (size_t k = 0; k < FL_DATA__COUNT; k++) {
		const struct fl_ast_stmt *s = c->data_stmts[k];
		const char *rel, *base;
		char *p;

		if (!s)
			continue;
		rel = s->items[2]->text;
		if (c->opt->data_dir) {
			/* --data DIR keeps the file names and swaps their directory */
			base = strrchr(rel, '/');
			base = base ? base + 1 : rel;
			p = malloc(strlen(c->opt->data_dir) + strlen(base) + 2);
			if (p)
				sprintf(p, "%s/%s", c->opt->data_dir, base);
		} else {
			p = path_join(c->file_paths[s->file], rel);
		}
		if (!p) {
			c->oom = true;
			goto out;
		}
		paths[k] = p;
		locs[k] = &s->items[2]->loc;
		any = true;
	}
	if (!any)
		return;
	/* what the rules need from the data, when the plan names data at all */
	for (size_t r = 0; r < c->prog->n_rules && c->rule_stmts; r++) {
		const struct fl_prog_rule *rule = &c->prog->rules[r];
		const struct fl_ast_stmt *s = c->rule_stmts[r];

		if (rule->lookup != FL_LOOKUP_NONE && !c->data_stmts[FL_DATA_DEVICES] && s)
			fl_diag_error(c->d, &s->items[1]->loc,
				      "rule '%s' looks devices up, but the plan names no "
				      "'data devices' file", rule->name.p);
	}
	for (size_t k = 0; k < c->prog->n_correlations; k++) {
		const struct fl_prog_correlation *cr = &c->prog->correlations[k];
		const struct sym *s = sym_find(&c->correlations, cr->name.p);
		enum fl_data_kind need = cr->locate == FL_LOCATE_SPAN ? FL_DATA_SPANS : FL_DATA_SITES;

		if (cr->locate != FL_LOCATE_GROUP && !c->data_stmts[need] && s)
			fl_diag_error(c->d, s->loc, "correlation '%s' locates %ss, but the plan names "
				      "no 'data %ss' file", cr->name.p,
				      cr->locate == FL_LOCATE_SPAN ? "span" : "site",
				      cr->locate == FL_LOCATE_SPAN ? "span" : "site");
	}
	if (c->opt->no_files) {
		for (size_t k = 0; k < FL_DATA__COUNT; k++)
			if (locs[k])
				fl_diag_error(c->d, locs[k], "data files are not read in this mode");
		goto out;
	}
	for (size_t k = 0; k < FL_DATA__COUNT; k++)
		if (paths[k])
			c->prog->data_paths[k] = arena_str(c, paths[k], strlen(paths[k]));
	rc = fl_plan_data_load(&inv, (const char *const *)paths, locs, c->d, counts);
	if (rc == -ENOMEM)
		c->oom = true;
	if (inv && fl_arena_defer(c->plan->arena, release_inventory, inv) < 0) {
		fl_plan_data_free(inv);
		inv = NULL;
		c->oom = true;
	}
	c->prog->inventory = inv;
out:
	for (size_t k = 0; k < FL_DATA__COUNT; k++)
		free(paths[k]);
}

/* With the data loaded: roles must be contacts.csv roles, every role the
 * contacts hold should be reachable from some ladder, and maintenance windows
 * must name things that exist. */
static void check_against_data(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	const struct fl_inventory *inv = p->inventory;
	const char *role_names[FL_INV_CONTACT__COUNT];
	bool held[FL_INV_CONTACT__COUNT] = {0}, named[FL_INV_CONTACT__COUNT] = {0};
	const struct fl_inv_contact *ct;

	for (int r = 0; r < FL_INV_CONTACT__COUNT; r++)
		role_names[r] = fl_inv_contact_role_name((enum fl_inv_contact_role)r);
	if (c->data_stmts[FL_DATA_CONTACTS]) {
		for (size_t i = 0; (ct = fl_inventory_contact_at(inv, i)) != NULL; i++)
			held[ct->role] = true;
		for (size_t i = 0; i < c->roles.cap; i++) {
			const struct sym *s = &c->roles.v[i];
			enum fl_inv_contact_role r;

			if (!s->name)
				continue;
			if (fl_inv_contact_role_parse(fl_str_make(s->name, strlen(s->name)), &r) < 0) {
				unknown(c, s->loc, "contact role", s->name, role_names,
					FL_INV_CONTACT__COUNT);
				continue;
			}
			if (!held[r])
				fl_diag_warning(c->d, s->loc, "no contact in the contacts file holds role '%s'",
						s->name);
		}
		for (size_t i = 0; i < p->n_steps; i++) {
			enum fl_inv_contact_role r;
			const struct fl_str *name;

			if (p->steps[i].role == FL_PROG_NONE)
				continue;
			name = &p->roles[p->steps[i].role];
			if (fl_inv_contact_role_parse(*name, &r) == 0)
				named[r] = true;
		}
		{
			unsigned mask = 0;

			for (size_t i = 0; i < c->n_require_24h; i++) {
				enum fl_inv_contact_role r;
				const char *name = c->require_24h[i];

				if (fl_inv_contact_role_parse(fl_str_make(name, strlen(name)), &r) == 0)
					mask |= 1u << r;
			}
			if (mask)
				fl_plan_data_require_24h(inv, p->data_paths[FL_DATA_CONTACTS].p, mask,
							 c->d);
		}
		for (int r = 0; r < FL_INV_CONTACT__COUNT; r++)
			if (held[r] && !named[r])
				fl_diag_warning(c->d, &c->data_stmts[FL_DATA_CONTACTS]->items[2]->loc,
						"contacts hold role '%s', which no ladder step notifies",
						role_names[r]);
	}
	for (size_t i = 0; i < p->n_windows; i++) {
		const struct fl_prog_window *w = &p->windows[i];
		const struct sym *s = sym_find(&c->windows, w->name.p);
		bool found = true;
		const char *kind = "";

		if (!w->target.p || !s)
			continue;
		switch (w->scope) {
		case FL_WSCOPE_DEVICE: found = fl_inventory_device(inv, w->target) != NULL; kind = "device"; break;
		case FL_WSCOPE_SITE: found = fl_inventory_site(inv, w->target) != NULL; kind = "site"; break;
		case FL_WSCOPE_RING: found = fl_inventory_ring(inv, w->target) != NULL; kind = "ring"; break;
		case FL_WSCOPE_SPAN: found = fl_inventory_span(inv, w->target) != NULL; kind = "span"; break;
		case FL_WSCOPE_CITY: found = fl_inventory_city(inv, w->target) != NULL; kind = "city"; break;
		}
		if (!found)
			fl_diag_error(c->d, s->loc, "maintenance '%s' covers %s '%s', which the data does not hold",
				      w->name.p, kind, w->target.p);
	}
}

/* --- driver ------------------------------------------------------------------------------ */

static void release_free(void *p)
{
	free(p);
}

/* Hands every growable array to the arena's cleanup list. */
static void adopt_arrays(struct fl_compile *c)
{
	struct fl_program *p = c->prog;
	void *arrays[] = {p->levels, p->ladders, p->steps, p->roles, p->channels, p->plugin_paths,
			  p->step_channels, p->windows, p->rules, p->conds, p->set_values,
			  p->regexes, p->captures, p->key_fields, p->actions, p->templates,
			  p->tparts, p->correlations, p->rule_refs, p->tests, p->test_events,
			  p->expects, p->announces};

	for (size_t i = 0; i < FL_ARRAY_LEN(arrays); i++) {
		if (!arrays[i])
			continue;
		if (fl_arena_defer(c->plan->arena, release_free, arrays[i]) < 0) {
			free(arrays[i]); /* the plan is being torn down anyway */
			c->oom = true;
		}
	}
}

static void compile_free(struct fl_compile *c)
{
	symtab_free(&c->levels);
	symtab_free(&c->ladders);
	symtab_free(&c->roles);
	symtab_free(&c->channels);
	symtab_free(&c->rules);
	symtab_free(&c->correlations);
	symtab_free(&c->windows);
	symtab_free(&c->tests);
	for (size_t i = 0; i < c->n_files; i++) {
		free(c->file_paths[i]);
		free(c->file_real[i]);
	}
	free(c->file_paths);
	free(c->file_real);
	free(c->capture_used);
	free(c->capture_locs);
	free(c->template_locs);
	free(c->rule_stmts);
	fl_arena_destroy(c->parse.ast);
}

static int compile_run(struct fl_plan **out, const char *name, const char *text, size_t len,
		       const struct fl_plan_options *opt, struct fl_diags *d,
		       struct fl_plan_data_counts *counts)
{
	static const struct fl_plan_options defaults = {0};
	struct fl_compile c = {.d = d, .opt = opt ? opt : &defaults};
	struct fl_plan_data_counts scratch;
	size_t errors = fl_diag_errors(d), nstmts = 0;
	int *kinds = NULL, rc = -ENOMEM;

	if (!counts)
		counts = &scratch;
	memset(counts, 0, sizeof(*counts));
	c.parse.diags = d;
	c.plan = calloc(1, sizeof(*c.plan));
	if (!c.plan || fl_arena_create(&c.plan->arena) < 0 || fl_arena_create(&c.parse.ast) < 0)
		goto out;
	c.prog = &c.plan->prog;
	parse_file(&c, name, text, len, 0, NULL);
	if (c.oom)
		goto out;
	for (const struct fl_ast_stmt *s = c.parse.first; s; s = s->next)
		nstmts++;
	kinds = calloc(nstmts + 1, sizeof(*kinds));
	if (!kinds)
		goto out;
	declare_all(&c, kinds);
	c.rule_stmts = calloc(c.prog->n_rules + 1, sizeof(*c.rule_stmts));
	if (c.oom || !c.rule_stmts)
		goto out;
	{
		size_t i = 0, r = 0;

		for (const struct fl_ast_stmt *s = c.parse.first; s; s = s->next, i++)
			if (kinds[i] == T_RULE)
				c.rule_stmts[r++] = s;
	}
	compile_all(&c, kinds);
	if (c.oom)
		goto out;
	/* Warnings only on a plan that compiled: they would mislead on a broken one. */
	if (fl_diag_errors(d) == errors) {
		warn_shadowed(&c);
		warn_unused(&c);
	}
	load_data(&c, counts);
	counts->windows += c.prog->n_windows;
	if (c.oom)
		goto out;
	if (c.prog->inventory)
		check_against_data(&c);
	c.prog->match_ctx = pcre2_match_context_create(NULL);
	if (!c.prog->match_ctx)
		goto out;
	if (fl_arena_defer(c.plan->arena, release_mctx, c.prog->match_ctx) < 0) {
		pcre2_match_context_free(c.prog->match_ctx);
		c.prog->match_ctx = NULL;
		goto out;
	}
	pcre2_set_match_limit(c.prog->match_ctx, FL_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(c.prog->match_ctx, FL_REGEX_DEPTH_LIMIT);
	rc = fl_diag_errors(d) > errors ? -EINVAL : 0;
out:
	free(kinds);
	if (c.plan) {
		adopt_arrays(&c);
		if (c.oom)
			rc = -ENOMEM;
	}
	compile_free(&c);
	if (rc < 0) {
		fl_plan_destroy(c.plan);
		return rc;
	}
	*out = c.plan;
	return 0;
}

int fl_plan_compile_text(struct fl_plan **out, const char *name, const char *text, size_t len,
			 const struct fl_plan_options *opt, struct fl_diags *d)
{
	return compile_run(out, name, text, len, opt, d, NULL);
}

int fl_plan_compile(struct fl_plan **out, const char *path, const struct fl_plan_options *opt,
		    struct fl_diags *d)
{
	return fl_plan_compile_counted(out, path, opt, d, NULL);
}

int fl_plan_compile_counted(struct fl_plan **out, const char *path,
			    const struct fl_plan_options *opt, struct fl_diags *d,
			    struct fl_plan_data_counts *counts)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_whole(path, &text, &len);

	if (rc < 0) {
		fl_diag_at(d, FL_DIAG_ERROR, path, 0, 0, "cannot read plan: %s",
			   rc == -EFBIG ? "file too large" : strerror(-rc));
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	rc = compile_run(out, path, text, len, opt, d, counts);
	free(text);
	return rc;
}

void fl_plan_destroy(struct fl_plan *plan)
{
	if (!plan)
		return;
	fl_arena_destroy(plan->arena);
	free(plan);
}

const struct fl_program *fl_plan_program(const struct fl_plan *plan)
{
	return &plan->prog;
}

size_t fl_plan_arena_bytes(const struct fl_plan *plan)
{
	return fl_arena_bytes(plan->arena);
}
