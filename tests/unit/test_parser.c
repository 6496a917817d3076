#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "grammar/arena.h"
#include "grammar/ast.h"
#include "grammar/diag.h"

struct parsed {
	struct fl_parse p;
	struct fl_diags *d;
	int rc;
};

static void parse(struct parsed *r, const char *text)
{
	const struct fl_src *src;

	memset(r, 0, sizeof(*r));
	cr_assert_eq(fl_diags_create(&r->d), 0);
	cr_assert_eq(fl_arena_create(&r->p.ast), 0);
	r->p.diags = r->d;
	src = fl_diag_source(r->d, "t.plan", text, strlen(text));
	cr_assert_not_null(src);
	r->rc = fl_parse_source(&r->p, src, 0);
}

static void done(struct parsed *r)
{
	fl_arena_destroy(r->p.ast);
	fl_diags_destroy(r->d);
}

static size_t count(const struct fl_ast_stmt *s)
{
	size_t n = 0;

	for (; s; s = s->next)
		n++;
	return n;
}

static char *messages(struct parsed *r, struct fl_buf *b)
{
	fl_buf_init(b, 1 << 16);
	cr_assert_eq(fl_diag_render(r->d, b), 0);
	return b->p ? b->p : "";
}

Test(parser, builds_statements_blocks_and_sets)
{
	struct parsed r;
	const struct fl_ast_stmt *rule, *where;
	struct fl_place pl;

	parse(&r, "plan p;\nrule los {\n  match syslog;\n  where host in [\"a\", b, 3];\n}\n");
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(count(r.p.first), 2);
	rule = r.p.first->next;
	cr_expect_not_null(rule->block_loc);
	cr_expect_eq(rule->nitems, 2);
	cr_expect_eq(count(rule->body), 2);
	where = rule->body->next;
	cr_assert_eq(where->nitems, 4);
	cr_expect_eq(where->items[3]->kind, FL_ITEM_SET);
	cr_expect_eq(where->items[3]->nelems, 5, "three values and two commas");
	fl_loc_place(&where->items[0]->loc, &pl);
	cr_expect_eq(pl.first_line, 4);
	cr_expect_eq(pl.first_column, 3);
	cr_expect_null(where->block_loc, "no block, no '{'");
	cr_assert_not_null(rule->block_loc);
	fl_loc_place(rule->block_loc, &pl);
	cr_expect_eq(pl.first_line, 2);
	cr_expect_eq(pl.first_column, 10, "the '{' of 'rule los {'");
	cr_expect_eq(pl.last_column, 10);
	cr_expect_eq(rule->block_loc->src, rule->items[0]->loc.src);
	done(&r);
}

Test(parser, accepts_an_empty_plan_and_an_empty_block)
{
	struct parsed r;

	parse(&r, "# nothing but a comment\n");
	cr_expect_eq(r.rc, 0);
	cr_expect_null(r.p.first);
	done(&r);
	parse(&r, "ladder l { }");
	cr_expect_eq(r.rc, 0);
	cr_expect_null(r.p.first->body);
	done(&r);
}

Test(parser, reports_several_syntax_errors_in_one_pass)
{
	struct parsed r;
	struct fl_buf b;
	char *out;

	parse(&r, "level a { respond 0s }\nlevel b { respond 0s; }\nrule c { ] ; }\nplan x;\n");
	cr_expect_eq(r.rc, -EINVAL);
	cr_expect_eq(fl_diag_errors(r.d), 2);
	out = messages(&r, &b);
	cr_expect(strstr(out, "t.plan:1:22: error: syntax error, unexpected '}'") != NULL, "%s", out);
	cr_expect(strstr(out, "t.plan:3:10: error: syntax error, unexpected ']'") != NULL, "%s", out);
	/* the good statements around the bad ones are kept */
	cr_expect_eq(count(r.p.first), 3);
	fl_buf_free(&b);
	done(&r);
}

Test(parser, points_at_the_end_of_file_when_a_block_is_unclosed)
{
	struct parsed r;
	struct fl_buf b;
	char *out;

	parse(&r, "rule r {\n  match syslog;\n");
	cr_expect_eq(r.rc, -EINVAL);
	out = messages(&r, &b);
	cr_expect(strstr(out, "unexpected end of file (is a '}' or ';' missing?)") != NULL, "%s",
		  out);
	fl_buf_free(&b);
	done(&r);
}

Test(parser, refuses_blocks_nested_past_the_limit)
{
	struct parsed r;
	char text[256] = "";
	struct fl_buf b;

	for (int i = 0; i <= FL_PLAN_MAX_DEPTH; i++)
		strcat(text, "a { ");
	strcat(text, "x; ");
	for (int i = 0; i <= FL_PLAN_MAX_DEPTH; i++)
		strcat(text, "} ");
	parse(&r, text);
	cr_expect_eq(r.rc, -EINVAL);
	cr_expect(strstr(messages(&r, &b), "blocks nested deeper than 8") != NULL);
	fl_buf_free(&b);
	done(&r);
}

Test(parser, survives_a_deep_pile_of_open_braces)
{
	struct parsed r;
	char *text = malloc(40001);

	for (int i = 0; i < 40000; i++)
		text[i] = i % 2 ? ' ' : '{';
	text[40000] = '\0';
	parse(&r, text);
	cr_expect_eq(r.rc, -EINVAL);
	free(text);
	done(&r);
}
