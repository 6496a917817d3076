#include <criterion/criterion.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "grammar/diag.h"

static char *render(struct fl_diags *d, struct fl_buf *b)
{
	fl_buf_init(b, 1 << 20);
	cr_assert_eq(fl_diag_render(d, b), 0);
	return b->p ? b->p : "";
}

/* A location on line 1 from column first to column last. */
static struct fl_loc span(const struct fl_src *s, int first, int last)
{
	return fl_loc_columns(s, 0, (size_t)first, (size_t)(last - first + 1));
}

Test(diag, prints_file_line_column_source_line_and_caret)
{
	struct fl_diags *d;
	struct fl_buf b;
	const struct fl_src *s;
	struct fl_loc l;

	cr_assert_eq(fl_diags_create(&d), 0);
	s = fl_diag_source(d, "core.plan", "raise level urgnet;\n", 20);
	l = span(s, 13, 18);
	fl_diag_error(d, &l, "unknown level '%s'", "urgnet");
	cr_expect_str_eq(render(d, &b), "core.plan:1:13: error: unknown level 'urgnet'\n"
					"    1 | raise level urgnet;\n"
					"      |             ^~~~~~\n");
	fl_buf_free(&b);
	fl_diags_destroy(d);
}

Test(diag, gives_wide_characters_two_columns_and_keeps_tabs)
{
	struct fl_diags *d;
	struct fl_buf b;
	const char *text = "\ttitle \"光缆 ${x}\";";
	const struct fl_src *s;
	struct fl_loc l;

	cr_assert_eq(fl_diags_create(&d), 0);
	s = fl_diag_source(d, "t.plan", text, strlen(text));
	/* code points: \t(1) t..e(2-6) sp(7) "(8) 光(9) 缆(10) sp(11) $(12) */
	l = span(s, 12, 15);
	fl_diag_error(d, &l, "bad");
	cr_expect_str_eq(render(d, &b), "t.plan:1:12: error: bad\n"
					"    1 | \ttitle \"光缆 ${x}\";\n"
					"      | \t            ^~~~\n");
	fl_buf_free(&b);
	fl_diags_destroy(d);
}

Test(diag, sorts_by_position_and_keeps_notes_with_their_error)
{
	struct fl_diags *d;
	struct fl_buf b;
	const char *text = "a\nb\nc\n";
	const struct fl_src *s;
	struct fl_loc l3 = {0}, l1 = {0};

	cr_assert_eq(fl_diags_create(&d), 0);
	s = fl_diag_source(d, "x.plan", text, strlen(text));
	l3 = (struct fl_loc){s, 4, 5};
	l1 = (struct fl_loc){s, 0, 1};
	fl_diag_error(d, &l3, "third");
	fl_diag_note(d, &l1, "see first");
	fl_diag_warning(d, &l1, "first");
	cr_expect_str_eq(render(d, &b), "x.plan:1:1: warning: first\n"
					"    1 | a\n"
					"      | ^\n"
					"x.plan:3:1: error: third\n"
					"    3 | c\n"
					"      | ^\n"
					"x.plan:1:1: note: see first\n"
					"    1 | a\n"
					"      | ^\n");
	cr_expect_eq(fl_diag_errors(d), 1);
	cr_expect_eq(fl_diag_warnings(d), 1);
	fl_buf_free(&b);
	fl_diags_destroy(d);
}

Test(diag, keeps_at_most_the_cap_and_counts_the_rest)
{
	struct fl_diags *d;
	struct fl_buf b;
	const struct fl_src *s;
	struct fl_loc l;
	char *out;

	cr_assert_eq(fl_diags_create(&d), 0);
	s = fl_diag_source(d, "x.plan", "abc", 3);
	l = span(s, 1, 1);
	for (int i = 0; i < FL_MAX_DIAGS + 7; i++) {
		fl_diag_error(d, &l, "e%d", i);
		fl_diag_note(d, &l, "n%d", i);
	}
	cr_expect_eq(fl_diag_errors(d), FL_MAX_DIAGS + 7);
	cr_expect_eq(fl_diag_dropped(d), 7);
	out = render(d, &b);
	cr_expect(strstr(out, "faultline: 7 more diagnostics not shown") != NULL);
	cr_expect(strstr(out, "note: n56") == NULL, "a dropped error's note is dropped too");
	fl_buf_free(&b);
	fl_diags_destroy(d);
}

Test(diag, reports_a_csv_cell_without_a_source_line)
{
	struct fl_diags *d;
	struct fl_buf b;

	cr_assert_eq(fl_diags_create(&d), 0);
	fl_diag_at(d, FL_DIAG_ERROR, "data/devices.csv", 12, 5, "bad ring_pos '%s'", "x");
	cr_expect_str_eq(render(d, &b), "data/devices.csv:12:5: error: bad ring_pos 'x'\n");
	fl_buf_free(&b);
	fl_diags_destroy(d);
}

Test(diag, puts_the_caret_after_the_last_character_at_end_of_line)
{
	struct fl_diags *d;
	struct fl_buf b;
	const struct fl_src *s;
	struct fl_loc l;

	cr_assert_eq(fl_diags_create(&d), 0);
	s = fl_diag_source(d, "x.plan", "ab\n", 3);
	l = span(s, 3, 3);
	fl_diag_error(d, &l, "eof");
	cr_expect_str_eq(render(d, &b), "x.plan:1:3: error: eof\n    1 | ab\n      |   ^\n");
	fl_buf_free(&b);
	fl_diags_destroy(d);
}

Test(diag, suggests_names_within_two_edits)
{
	static const char *const names[] = {"urgent", "severe", "general", "notice"};

	cr_expect_str_eq(fl_diag_suggest("urgnet", names, 4), "urgent");
	cr_expect_str_eq(fl_diag_suggest("sever", names, 4), "severe");
	cr_expect_str_eq(fl_diag_suggest("genreal", names, 4), "general");
	cr_expect_null(fl_diag_suggest("minor", names, 4));
	cr_expect_null(fl_diag_suggest("ab", (const char *const[]){"xy"}, 1),
		       "no hint that rewrites the whole name");
	cr_expect_null(fl_diag_suggest("urgent", names, 4), "an exact match is no hint");
}

Test(diag, knows_wide_ranges_without_the_locale)
{
	cr_expect_eq(fl_diag_cp_width(0x5149), 2); /* 光 */
	cr_expect_eq(fl_diag_cp_width(0xff01), 2); /* fullwidth ! */
	cr_expect_eq(fl_diag_cp_width('a'), 1);
	cr_expect_eq(fl_diag_cp_width(0xe9), 1); /* é */
}
