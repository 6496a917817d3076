/* compile.c - plan text -> struct fl_plan: runs the compiler's passes
 * (compile_int.h lists them) and owns the result's lifecycle. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grammar/plan.h"

#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grammar/compile_int.h"

static void release_mctx(void *p)
{
	pcre2_match_context_free(p);
}

/* An array grow() made, for the arena's cleanup list. */
struct array {
	void *v;
	size_t bytes; /* its capacity */
};

static void release_array(void *p)
{
	struct array *a = p;

	array_free(a->v, a->bytes);
}

#define ARRAY(field) {c->prog->field, c->a_##field * sizeof(*c->prog->field)}

/* Hands every growable array to the arena's cleanup list. */
static void adopt_arrays(struct fl_compile *c)
{
	const struct array arrays[] = {
		ARRAY(levels), ARRAY(ladders), ARRAY(steps), ARRAY(roles), ARRAY(channels),
		ARRAY(plugin_paths), ARRAY(step_channels), ARRAY(windows), ARRAY(rules),
		ARRAY(conds), ARRAY(set_values), ARRAY(regexes), ARRAY(captures),
		ARRAY(key_fields), ARRAY(actions), ARRAY(templates), ARRAY(tparts),
		ARRAY(correlations), ARRAY(rule_refs), ARRAY(tests), ARRAY(test_events),
		ARRAY(test_varbinds), ARRAY(expects), ARRAY(announces), ARRAY(relays),
		ARRAY(relay_roles), ARRAY(messages), ARRAY(message_roles), ARRAY(message_channels),
		ARRAY(duties)};

	for (size_t i = 0; i < FL_ARRAY_LEN(arrays); i++) {
		struct array *a;

		if (!arrays[i].v)
			continue;
		a = fl_arena_alloc(c->plan->arena, sizeof(*a));
		if (a)
			*a = arrays[i];
		if (!a || fl_arena_defer(c->plan->arena, release_array, a) < 0) {
			array_free(arrays[i].v, arrays[i].bytes); /* the plan is being torn down anyway */
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
	free(c->regex_keyed);
	free(c->regex_slots);
	free(c->template_locs);
	free(c->rule_stmts);
	fl_arena_destroy(c->parse.ast);
}

/* Takes text (len bytes from malloc, room for a NUL after them). */
static int compile_run(struct fl_plan **out, const char *name, char *text, size_t len,
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
	if (!c.plan || fl_arena_create(&c.plan->arena) < 0 || fl_arena_create(&c.parse.ast) < 0) {
		free(text);
		goto out;
	}
	c.prog = &c.plan->prog;
	parse_file(&c, name, text, len, 0, NULL); /* takes text */
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
		warn_every_event(&c);
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
	char *copy = len < SIZE_MAX ? malloc(len + 1) : NULL;

	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, text, len);
	return compile_run(out, name, copy, len, opt, d, NULL);
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
	return compile_run(out, path, text, len, opt, d, counts); /* takes text */
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
