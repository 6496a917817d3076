/* The correlation engine's `step cleared` ladder lines: the restoration
 * notice, sent once when the incident clears. */
#include "plan_fixture.h"

static const char rx_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"roles duty_room;\n"
	"level general { respond 30m; ladder tell; }\n"
	"ladder tell {\n"
	"    step after 0s notify duty_room via sms;\n"
	"    step cleared notify duty_room via sms, email;\n"
	"}\n"
	"rule pair {\n"
	"    match syslog;\n"
	"    where msg ~ /FAULT (?<p>\\S+)/;\n"
	"    clear where msg ~ /CLEAR (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    raise level general title \"fault ${p}\";\n"
	"}\n";

static struct ax *rx_open(void)
{
	return ax_open_plan("restored.plan", rx_plan, sizeof(rx_plan) - 1);
}

static size_t rx_restored(const struct ax *x, const char *channel)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->recs[i].type == FL_ACTION_NOTIFY &&
		     strcmp(x->recs[i].reason, FL_NOTIFY_RESTORED) == 0 &&
		     (!channel || strcmp(x->recs[i].channel, channel) == 0);
	return n;
}

Test(correlate_restored, tells_of_the_restoration_once_when_the_incident_clears)
{
	struct ax *x = rx_open();
	size_t clear_at = 0;

	ax_at(x, 0, "HOST-A", "FAULT p1");
	cr_assert_eq(ax_count(x, FL_ACTION_OPEN, "pair"), 1);
	cr_expect_eq(ax_count(x, FL_ACTION_NOTIFY, "pair"), 1, "the fault step only");
	cr_expect_eq(rx_restored(x, NULL), 0, "nothing is restored yet");
	fl_engine_advance(x->e, AX_BASE_NS + 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_restored(x, NULL), 0, "a cleared step is not timed");
	ax_at(x, 3700, "HOST-A", "CLEAR p1");
	cr_assert_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 1);
	cr_expect_eq(rx_restored(x, "sms"), 1);
	cr_expect_eq(rx_restored(x, "email"), 1);
	for (size_t i = 0; i < x->n; i++) {
		if (x->recs[i].type == FL_ACTION_CLEAR)
			clear_at = i;
		if (x->recs[i].type == FL_ACTION_NOTIFY && x->recs[i].reason[0]) {
			cr_expect_gt(i, clear_at, "the notice follows the clear");
			cr_expect_eq(x->recs[i].at_s, 3700, "at the clear's time");
			cr_expect_str_eq(x->recs[i].title, "fault p1");
		}
	}
	ax_at(x, 3800, "HOST-A", "CLEAR p1");
	cr_expect_eq(rx_restored(x, NULL), 2, "a second clear tells nobody again");
	ax_close(x);
}

Test(correlate_restored, tells_nothing_for_an_incident_that_never_clears)
{
	struct ax *x = rx_open();

	ax_at(x, 0, "HOST-A", "FAULT p1");
	ax_at(x, 10, "HOST-B", "CLEAR p1");
	fl_engine_advance(x->e, AX_BASE_NS + 7200 * FL_NS_PER_SEC);
	fl_engine_flush(x->e);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "pair"), 0, "another key clears nothing");
	cr_expect_eq(rx_restored(x, NULL), 0);
	ax_close(x);
}
