/* The engine's ladder against the plan's clocks, and how rule incidents
 * clear: the respond step counts from the raising of the incident (a raise
 * grace or a hold is the engine's time, not the duty room's); an incident
 * clears by its clearing event or, only when the plan says so, after its
 * alarms went quiet, and only the former tells anyone the service is back. */
#include "plan_fixture.h"

/* Channels tell the steps apart: sms the first page, email the respond
 * step, webhook `step cleared`, pager `step quiet`. */
static const char ck_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"plugin pager;\n"
	"roles duty_room, leader_in_charge;\n"
	"level urgent { respond at once within 2m; repair 2h; ladder l; }\n"
	"ladder l {\n"
	"    step after 0s notify duty_room via sms;\n"
	"    step respond unacked notify leader_in_charge via email;\n"
	"    step cleared notify duty_room via webhook;\n"
	"    step quiet notify duty_room via pager;\n"
	"}\n"
	"rule los {\n"
	"    match syslog;\n"
	"    where msg ~ /LOS (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    dedup 5m;\n"
	"    clear after quiet 10m;\n"
	"    raise level urgent title \"los ${p}\";\n"
	"}\n"
	"rule pair {\n"
	"    match syslog;\n"
	"    where msg ~ /FAULT (?<p>\\S+)/;\n"
	"    clear where msg ~ /CLEAR (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    clear after quiet 30m;\n"
	"    raise level urgent title \"pair ${p}\";\n"
	"}\n"
	"rule held {\n"
	"    match syslog;\n"
	"    where msg ~ /HELD (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    dedup 1m;\n"
	"    raise level urgent title \"held ${p}\";\n"
	"}\n"
	/* collects los alarms: each los incident waits 60 s (its raise grace)
	 * in case a storm at its host is the fault */
	"correlate storm {\n"
	"    locate group;\n"
	"    group host;\n"
	"    from los;\n"
	"    within 60s;\n"
	"    raise level urgent title \"storm ${group}\";\n"
	"}\n";

static struct ax *ck_open(void)
{
	return ax_open_plan("clocks.plan", ck_plan, sizeof(ck_plan) - 1);
}

static const struct ax_rec *ck_notify(const struct ax *x, const char *rule, const char *channel)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY && strcmp(x->recs[i].rule, rule) == 0 &&
		    strcmp(x->recs[i].channel, channel) == 0)
			return &x->recs[i];
	return NULL;
}

static void ck_run_to(struct ax *x, int64_t at_s)
{
	fl_engine_advance(x->e, AX_BASE_NS + at_s * FL_NS_PER_SEC);
}

Test(correlate_clocks, times_the_respond_step_from_the_raising_not_the_first_alarm)
{
	struct ax *x = ck_open();
	const struct ax_rec *open, *respond;

	ax_at(x, 0, "HOST-A", "LOS p1");
	ck_run_to(x, 150);
	open = ax_find(x, FL_ACTION_OPEN, "los");
	cr_assert_not_null(open);
	cr_expect_eq(open->at_s, 60, "raised when its grace ran out");
	cr_expect_null(ck_notify(x, "los", "email"),
		       "2 min after the first alarm is 1 min after the raising: not due");
	ck_run_to(x, 200);
	respond = ck_notify(x, "los", "email");
	cr_assert_not_null(respond, "the respond step fires");
	cr_expect_eq(respond->at_s, 180, "2 min after the raising");
	ax_close(x);
}

Test(correlate_clocks, clears_after_quiet_with_reason_quiet_and_tells_no_restoration)
{
	struct ax *x = ck_open();
	const struct ax_rec *clear, *quiet;

	ax_at(x, 0, "HOST-A", "LOS p1");
	ax_at(x, 300, "HOST-A", "LOS p1");
	ck_run_to(x, 300 + 599);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "los"), 0, "not quiet for 10 min yet");
	ck_run_to(x, 300 + 601);
	clear = ax_find(x, FL_ACTION_CLEAR, "los");
	cr_assert_not_null(clear, "10 min without an alarm: cleared");
	cr_expect_eq(clear->at_s, 900);
	cr_expect_str_eq(clear->reason, FL_CLEAR_QUIET);
	quiet = ck_notify(x, "los", "pager");
	cr_assert_not_null(quiet, "the `step quiet` line fires");
	cr_expect_str_eq(quiet->reason, FL_CLEAR_QUIET);
	cr_expect_null(ck_notify(x, "los", "webhook"), "`step cleared` says restored: not now");
	ax_close(x);
}

Test(correlate_clocks, a_clearing_event_tells_the_restoration_and_not_the_quiet)
{
	struct ax *x = ck_open();
	const struct ax_rec *restored;

	ax_at(x, 0, "HOST-A", "FAULT p1");
	ax_at(x, 100, "HOST-A", "CLEAR p1");
	cr_assert_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 1);
	cr_expect_str_eq(ax_find(x, FL_ACTION_CLEAR, "pair")->reason, "");
	restored = ck_notify(x, "pair", "webhook");
	cr_assert_not_null(restored);
	cr_expect_str_eq(restored->reason, FL_NOTIFY_RESTORED);
	cr_expect_null(ck_notify(x, "pair", "pager"));
	ax_close(x);
}

Test(correlate_clocks, clears_by_whichever_comes_first_of_its_clear_and_its_quiet)
{
	struct ax *x = ck_open();

	ax_at(x, 0, "HOST-A", "FAULT p1"); /* its clear is lost */
	ck_run_to(x, 1799);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 0);
	ck_run_to(x, 1801);
	cr_assert_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 1, "30 min quiet");
	cr_expect_str_eq(ax_find(x, FL_ACTION_CLEAR, "pair")->reason, FL_CLEAR_QUIET);
	ax_close(x);
}

/* dedup folds repeats; it clears nothing: without `clear where` or `clear
 * after quiet` the incident stays open until a person resolves it. */
Test(correlate_clocks, never_clears_a_rule_without_a_clear_of_its_own)
{
	struct ax *x = ck_open();

	ax_at(x, 0, "HOST-A", "HELD p1");
	ax_at(x, 30, "HOST-A", "HELD p1");
	ck_run_to(x, 86400);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "held"), 0, "a day of quiet clears nothing");
	ax_at(x, 86400 + 10, "HOST-A", "HELD p1");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "held"), 1, "the repeat folds into the open one");
	cr_expect_null(ck_notify(x, "held", "webhook"), "nothing says restored");
	cr_expect_null(ck_notify(x, "held", "pager"), "nothing says quiet");
	ax_close(x);
}
