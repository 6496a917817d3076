/* Pair windows (`clear where ... within T`, `on timeout`) and dedup's
 * repeats and recurrences, at their boundaries: an event exactly at T, one
 * just before and one just after, on the event clock. */
#include "plan_fixture.h"

static const char px_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"level urgent { respond 0s; }\n"
	"level general { respond 30m; }\n"
	"rule pair {\n"
	"    match syslog;\n"
	"    where msg ~ /LOS raised (?<p>\\S+)/;\n"
	"    clear where msg ~ /LOS cleared (?<p>\\S+)/ within 60s;\n"
	"    key host, p;\n"
	"    raise level general title \"los ${p}\";\n"
	"    on timeout raise level urgent title \"los ${p} not cleared in 60s\";\n"
	"}\n"
	"rule sig {\n"
	"    match syslog;\n"
	"    where msg ~ /SIG lost (?<p>\\S+)/;\n"
	"    clear where msg ~ /SIG back (?<p>\\S+)/ within 60s;\n"
	"    key host, p;\n"
	"    on timeout raise level general title \"sig ${p} lost for a minute\";\n"
	"    on timeout emit \"SIGTIMEOUT ${p}\";\n"
	"}\n"
	"rule sig_late {\n"
	"    match syslog;\n"
	"    where msg ~ /^SIGTIMEOUT (?<p>\\S+)/;\n"
	"    key p;\n"
	"    raise level general title \"derived ${p}\";\n"
	"}\n"
	"rule rec {\n"
	"    match syslog;\n"
	"    where msg ~ /REC raised (?<p>\\S+)/;\n"
	"    clear where msg ~ /REC cleared (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    dedup 60s;\n"
	"    raise level general title \"rec ${p}\";\n"
	"}\n";

static struct ax *px_open(void)
{
	return ax_open_plan("pairs.plan", px_plan, sizeof(px_plan) - 1);
}

/* ax_at at a time given to the nanosecond. */
static void px_at_ns(struct ax *x, int64_t at_ns, const char *host, const char *msg)
{
	struct fl_syslog_opts so = {.year = 2026};
	char line[512];
	int n = snprintf(line, sizeof(line), "<131>Nov 20 00:00:00 %s app: %s", host, msg);

	so.received_ns = AX_BASE_NS;
	cr_assert_eq(fl_syslog_decode(&x->ev, line, (size_t)n, &so), FL_SYSLOG_OK);
	x->ev.time_ns = AX_BASE_NS + at_ns;
	cr_assert_eq(fl_engine_feed(x->e, &x->ev), 0);
}

static void px_run_to(struct ax *x, int64_t at_s)
{
	fl_engine_advance(x->e, AX_BASE_NS + at_s * FL_NS_PER_SEC);
}

static size_t px_reasons(const struct ax *x, const char *rule, const char *reason)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->recs[i].type == FL_ACTION_UPDATE && strcmp(x->recs[i].rule, rule) == 0 &&
		     strcmp(x->recs[i].reason, reason) == 0;
	return n;
}

static struct fl_engine_stats px_stats(const struct ax *x)
{
	struct fl_engine_stats s;

	fl_engine_stats(x->e, &s);
	return s;
}

Test(correlate_pairs, pairs_a_clear_just_before_the_window_ends)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "LOS raised p1");
	ax_at(x, 59, "H", "LOS cleared p1");
	px_run_to(x, 300);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 1);
	cr_expect_eq(px_reasons(x, "pair", FL_UPDATE_TIMEOUT), 0);
	cr_expect_eq(px_stats(x).pair_timeouts, 0);
	ax_close(x);
}

Test(correlate_pairs, pairs_a_clear_exactly_the_window_after_its_fault)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "LOS raised p1");
	ax_at(x, 60, "H", "LOS cleared p1");
	px_run_to(x, 300);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 1, "a clear at exactly T pairs");
	cr_expect_eq(ax_find(x, FL_ACTION_CLEAR, "pair")->at_s, 60);
	cr_expect_eq(px_stats(x).pair_timeouts, 0);
	cr_expect_eq(px_stats(x).clears_unpaired, 0);
	ax_close(x);
}

Test(correlate_pairs, leaves_open_a_fault_whose_clear_comes_a_nanosecond_late)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "LOS raised p1");
	px_at_ns(x, 60 * FL_NS_PER_SEC + 1, "H", "LOS cleared p1");
	px_run_to(x, 300);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 0, "a late clear is not its clear");
	cr_expect_eq(px_reasons(x, "pair", FL_UPDATE_TIMEOUT), 1);
	cr_expect_eq(px_stats(x).pair_timeouts, 1);
	cr_expect_eq(px_stats(x).clears_unpaired, 1);
	ax_close(x);
}

Test(correlate_pairs, raises_the_open_incident_when_its_window_runs_out)
{
	struct ax *x = px_open();
	const struct ax_rec *u;

	ax_at(x, 0, "H", "LOS raised p1");
	px_run_to(x, 59);
	cr_expect_eq(px_reasons(x, "pair", FL_UPDATE_TIMEOUT), 0);
	px_run_to(x, 61);
	cr_assert_eq(px_reasons(x, "pair", FL_UPDATE_TIMEOUT), 1);
	u = &x->recs[x->n - 1];
	cr_expect_eq(u->level, 0, "raised to urgent");
	cr_expect_str_eq(u->title, "los p1 not cleared in 60s");
	cr_expect_eq(u->at_s, 60);
	ax_close(x);
}

Test(correlate_pairs, anchors_the_window_at_the_first_fault_not_its_repeats)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "LOS raised p1");
	ax_at(x, 30, "H", "LOS raised p1");
	ax_at(x, 50, "H", "LOS raised p1");
	ax_at(x, 70, "H", "LOS cleared p1"); /* 20 s after the last, 70 s after the first */
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 0);
	cr_expect_eq(px_stats(x).pair_timeouts, 1);
	ax_close(x);
}

Test(correlate_pairs, opens_a_new_window_after_the_late_clear)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "LOS raised p1");
	ax_at(x, 61, "H", "LOS cleared p1"); /* late: clears nothing */
	ax_at(x, 100, "H", "LOS raised p1");
	ax_at(x, 160, "H", "LOS cleared p1"); /* 60 s after the new fault */
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "pair"), 1, "one key, one incident");
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 1);
	cr_expect_eq(ax_find(x, FL_ACTION_CLEAR, "pair")->at_s, 160);
	cr_expect_eq(px_stats(x).pair_timeouts, 1);
	ax_close(x);
}

Test(correlate_pairs, times_out_once_per_fault_however_long_it_stands)
{
	struct ax *x = px_open();

	for (int s = 0; s <= 600; s += 30)
		ax_at(x, s, "H", "LOS raised p1");
	px_run_to(x, 900);
	cr_expect_eq(px_stats(x).pair_timeouts, 1);
	cr_expect_eq(px_reasons(x, "pair", FL_UPDATE_TIMEOUT), 1);
	ax_close(x);
}

Test(correlate_pairs, opens_an_incident_and_emits_for_an_unpaired_fault_of_a_quiet_rule)
{
	struct ax *x = px_open();
	const struct ax_rec *o;

	ax_at(x, 0, "H", "SIG lost p7");
	px_run_to(x, 59);
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "sig"), 0);
	px_run_to(x, 120);
	cr_assert_not_null(o = ax_find(x, FL_ACTION_OPEN, "sig"));
	cr_expect_str_eq(o->title, "sig p7 lost for a minute", "rendered from the fault's fields");
	cr_expect_eq(o->at_s, 60);
	cr_assert_not_null(o = ax_find(x, FL_ACTION_OPEN, "sig_late"));
	cr_expect_str_eq(o->title, "derived p7");
	ax_close(x);
}

Test(correlate_pairs, runs_no_timeout_for_a_fault_cleared_in_time)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "SIG lost p7");
	ax_at(x, 30, "H", "SIG back p7");
	px_run_to(x, 600);
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "sig"), 0);
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "sig_late"), 0);
	cr_expect_eq(px_stats(x).pair_timeouts, 0);
	ax_close(x);
}

Test(correlate_pairs, counts_a_clear_with_no_fault_before_it_as_unpaired)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "SIG back p7");
	cr_expect_eq(px_stats(x).clears_unpaired, 1);
	cr_expect_eq(x->n, 0);
	ax_close(x);
}

Test(correlate_dedup, folds_a_repeat_just_inside_the_window_as_a_tally)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "REC raised p1");
	px_at_ns(x, 60 * FL_NS_PER_SEC - 1, "H", "REC raised p1");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "rec"), 1);
	cr_expect_eq(px_reasons(x, "rec", FL_UPDATE_RECURRED), 0);
	cr_expect_eq(px_stats(x).recurred, 0);
	ax_close(x);
}

Test(correlate_dedup, says_a_fault_exactly_the_window_after_the_last_recurred)
{
	struct ax *x = px_open();
	const struct ax_rec *u;

	ax_at(x, 0, "H", "REC raised p1");
	ax_at(x, 50, "H", "REC raised p1");
	ax_at(x, 110, "H", "REC raised p1"); /* 60 s after the last: anchored there */
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "rec"), 1, "still one incident");
	cr_assert_eq(px_reasons(x, "rec", FL_UPDATE_RECURRED), 1);
	u = &x->recs[x->n - 1];
	cr_expect_eq(u->at_s, 110);
	cr_expect_eq(u->count, 3);
	ax_close(x);
}

Test(correlate_dedup, says_a_fault_just_after_the_window_recurred)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "REC raised p1");
	px_at_ns(x, 60 * FL_NS_PER_SEC + 1, "H", "REC raised p1");
	cr_expect_eq(px_reasons(x, "rec", FL_UPDATE_RECURRED), 1);
	cr_expect_eq(px_stats(x).recurred, 1);
	ax_close(x);
}

Test(correlate_dedup, raises_anew_after_a_clear_not_a_recurrence)
{
	struct ax *x = px_open();

	ax_at(x, 0, "H", "REC raised p1");
	ax_at(x, 10, "H", "REC cleared p1");
	ax_at(x, 200, "H", "REC raised p1");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "rec"), 2);
	cr_expect_eq(px_reasons(x, "rec", FL_UPDATE_RECURRED), 0);
	ax_close(x);
}
