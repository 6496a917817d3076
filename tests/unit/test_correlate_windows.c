/* Threshold and flap windows slide for any N: the N most recent events of a
 * key (state changes for a flap) must fall within the window, ends included. */
#include "plan_fixture.h"

static const char ax_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"level general { respond 30m; }\n"
	"rule thr3 {\n"
	"    match syslog;\n"
	"    where msg ~ /THREE (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    threshold 3 in 60s;\n" /* `in` is `within` */
	"    raise level general title \"three ${p}\";\n"
	"}\n"
	"rule thr9 {\n"
	"    match syslog;\n"
	"    where msg ~ /NINE (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    threshold 9 within 60s;\n"
	"    raise level general title \"nine ${p}\";\n"
	"}\n"
	"rule thr100 {\n"
	"    match syslog;\n"
	"    where msg ~ /HUNDRED (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    threshold 100 within 100s;\n"
	"    raise level general title \"hundred ${p}\";\n"
	"}\n"
	"rule flap9 {\n"
	"    match syslog;\n"
	"    where msg ~ /link (?<p>\\S+) (?:up|down)/;\n"
	"    key host, p;\n"
	"    flap 9 within 60s;\n"
	"    raise level general title \"flap ${p}\";\n"
	"}\n";

static struct ax *ax_open(void)
{
	return ax_open_plan("windows.plan", ax_plan, sizeof(ax_plan) - 1);
}

static const struct ax_rec *ax_open_of(const struct ax *x, const char *rule, const char *title)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_OPEN && strcmp(x->recs[i].rule, rule) == 0 &&
		    strcmp(x->recs[i].title, title) == 0)
			return &x->recs[i];
	return NULL;
}

Test(correlate_windows, raises_a_threshold_of_three_on_equal_times_and_exactly_the_window_apart)
{
	struct ax *x = ax_open();

	for (int i = 0; i < 3; i++) /* three at one instant */
		ax_at(x, 0, "H", "THREE same");
	cr_expect_not_null(ax_open_of(x, "thr3", "three same"));
	ax_at(x, 0, "H", "THREE edge");
	ax_at(x, 30, "H", "THREE edge");
	cr_expect_null(ax_open_of(x, "thr3", "three edge"));
	ax_at(x, 60, "H", "THREE edge"); /* 0, 30, 60: exactly 60 s apart */
	cr_assert_not_null(ax_open_of(x, "thr3", "three edge"));
	cr_expect_eq(ax_open_of(x, "thr3", "three edge")->at_s, 60);
	ax_at(x, 100, "H", "THREE late");
	ax_at(x, 130, "H", "THREE late");
	ax_at(x, 161, "H", "THREE late"); /* 100, 130, 161: one second too wide */
	cr_expect_null(ax_open_of(x, "thr3", "three late"));
	ax_at(x, 162, "H", "THREE late"); /* 130, 161, 162 */
	cr_expect_not_null(ax_open_of(x, "thr3", "three late"));
	ax_close(x);
}

Test(correlate_windows, slides_a_threshold_of_nine_across_the_start_of_a_burst)
{
	struct ax *x = ax_open();
	static const int at[] = {0, 10, 20, 30, 40, 61, 62, 63, 64};

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		ax_at(x, at[i], "H", "NINE p1");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "thr9"), 0, "nine events over 64 s");
	ax_at(x, 65, "H", "NINE p1"); /* the last nine: 10 .. 65, 55 s */
	cr_assert_eq(ax_count(x, FL_ACTION_OPEN, "thr9"), 1);
	cr_expect_eq(ax_find(x, FL_ACTION_OPEN, "thr9")->at_s, 65);
	cr_expect_eq(ax_find(x, FL_ACTION_OPEN, "thr9")->count, 9);
	ax_close(x);
}

Test(correlate_windows, slides_a_threshold_of_one_hundred_with_inclusive_ends)
{
	struct ax *x = ax_open();

	for (int i = 0; i < 99; i++)
		ax_at(x, i, "H", "HUNDRED a");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "thr100"), 0, "ninety-nine");
	ax_at(x, 100, "H", "HUNDRED a"); /* 0 .. 100: exactly the window */
	cr_expect_not_null(ax_open_of(x, "thr100", "hundred a"));
	for (int i = 0; i < 99; i++)
		ax_at(x, 200 + i, "H", "HUNDRED b");
	ax_at(x, 301, "H", "HUNDRED b"); /* 200 .. 301 */
	cr_expect_null(ax_open_of(x, "thr100", "hundred b"));
	ax_at(x, 301, "H", "HUNDRED b"); /* 201 .. 301, two at one instant */
	cr_expect_not_null(ax_open_of(x, "thr100", "hundred b"));
	ax_close(x);
}

Test(correlate_windows, slides_a_flap_of_nine_changes_of_state)
{
	struct ax *x = ax_open();
	static const int at[] = {0, 10, 20, 30, 40, 61, 62, 63, 64};
	char msg[64];

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		snprintf(msg, sizeof(msg), "link ge1 %s", i % 2 ? "up" : "down");
		ax_at(x, at[i], "H", msg);
		ax_at(x, at[i], "H", msg); /* a repeat is not a change */
	}
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "flap9"), 0, "nine changes over 64 s");
	ax_at(x, 65, "H", "link ge1 up"); /* the ninth before was down: a change */
	cr_assert_eq(ax_count(x, FL_ACTION_OPEN, "flap9"), 1);
	cr_expect_eq(ax_find(x, FL_ACTION_OPEN, "flap9")->at_s, 65);
	ax_close(x);
}

Test(correlate_windows, refuses_a_window_larger_than_its_cap)
{
	static const char text[] = "plan t;\nlevel g { respond 0s; }\n"
				   "rule r { match syslog; where msg ~ /X/; key host;\n"
				   "    threshold 5000 within 1m; raise level g; }\n";
	struct fl_plan_options opt = {0};
	struct fl_diags *d;
	struct fl_plan *plan = NULL;

	cr_assert_eq(fl_diags_create(&d), 0);
	cr_expect_neq(fl_plan_compile_text(&plan, "big.plan", text, sizeof(text) - 1, &opt, d), 0);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}
