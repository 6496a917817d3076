/* The correlation engine's rule actions beyond raise and set: update, clear,
 * emit (derived events, bounded in depth) and run (a plugin's notify). */
#include "plan_fixture.h"

static const char ax_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"roles duty_room;\n"
	"level urgent { respond 0s; }\n"
	"level general { respond 30m; }\n"
	"plugin pager;\n"
	"rule temp {\n"
	"    match syslog;\n"
	"    where msg ~ /TEMP (?<board>\\S+) (?<deg>\\d+)C/;\n"
	"    key host, board;\n"
	"    dedup 10m;\n"
	"    raise level general title \"warm ${board}\";\n"
	"    update level urgent title \"hot ${board} ${deg}C\";\n"
	"}\n"
	"rule cool {\n"
	"    match syslog;\n"
	"    where msg ~ /COOL (?<board>\\S+)/;\n"
	"    key host, board;\n"
	"    dedup 10m;\n"
	"    raise level general title \"cool ${board}\";\n"
	"    clear;\n"
	"}\n"
	"rule src {\n"
	"    match syslog;\n"
	"    where msg ~ /POWER (?<psu>\\S+) lost/;\n"
	"    key host, psu;\n"
	"    emit \"DERIVED psu ${psu} down\";\n"
	"}\n"
	"rule derived {\n"
	"    match syslog;\n"
	"    where msg ~ /DERIVED psu (?<psu>\\S+) down/;\n"
	"    key host, psu;\n"
	"    raise level urgent title \"psu ${psu} on ${host}\";\n"
	"}\n"
	"rule loop {\n"
	"    match syslog;\n"
	"    where msg ~ /LOOP/;\n"
	"    key host;\n"
	"    emit \"LOOP again\";\n"
	"}\n"
	"rule page {\n"
	"    match syslog;\n"
	"    where msg ~ /FAN (?<fan>\\S+) stopped/;\n"
	"    key host, fan;\n"
	"    dedup 10m;\n"
	"    raise level general title \"fan ${fan}\";\n"
	"    run pager \"fan ${fan} stopped on ${host}\";\n"
	"}\n"
	"rule psu {\n"
	"    match syslog;\n"
	"    where msg ~ /PSU (?<psu>\\S+) failed/;\n"
	"    key host, psu;\n"
	"    dedup 10m;\n"
	"    raise level general title \"psu ${psu}\";\n"
	"    run pager \"psu ${psu} failed on ${host}\";\n"
	"}\n"
	"correlate shelf {\n"
	"    locate group;\n"
	"    from psu;\n"
	"    group host;\n"
	"    within 60s;\n"
	"    raise level urgent title \"shelf ${group}\";\n"
	"}\n"
	"rule card {\n"
	"    match syslog;\n"
	"    where msg ~ /CARD (?<slot>\\S+) down/;\n"
	"    key host, slot;\n"
	"}\n"
	"correlate rack {\n"
	"    locate group;\n"
	"    from card;\n"
	"    group host;\n"
	"    within 30s;\n"
	"    raise level urgent title \"rack ${group}\";\n"
	"    run pager \"rack ${group}: ${count} cards down\";\n"
	"    emit \"RACK ${group} isolated\";\n"
	"}\n"
	"rule rackwatch {\n"
	"    match syslog;\n"
	"    where msg ~ /RACK (?<rack>\\S+) isolated/;\n"
	"    key rack;\n"
	"    raise level general title \"isolated ${rack}\";\n"
	"}\n";

static struct ax *ax_open(void)
{
	return ax_open_plan("actions.plan", ax_plan, sizeof(ax_plan) - 1);
}

static uint32_t ax_level(const struct ax *x, const char *name)
{
	for (uint32_t i = 0; i < x->prog->n_levels; i++)
		if (strcmp(x->prog->levels[i].name.p, name) == 0)
			return i;
	cr_assert_fail("no level %s", name);
	return 0;
}

Test(correlate_actions, updates_the_level_and_title_of_the_incident_its_key_opened)
{
	struct ax *x = ax_open();
	const struct ax_rec *open, *upd;

	ax_at(x, 0, "HOST-A", "TEMP b1 61C");
	cr_assert_eq(ax_count(x, FL_ACTION_UPDATE, "temp"), 0, "the raising event is not updated");
	ax_at(x, 30, "HOST-A", "TEMP b1 78C");
	open = ax_find(x, FL_ACTION_OPEN, "temp");
	upd = ax_find(x, FL_ACTION_UPDATE, "temp");
	cr_assert_not_null(open);
	cr_assert_not_null(upd);
	cr_expect_eq(upd->id, open->id);
	cr_expect_eq(open->level, ax_level(x, "general"));
	cr_expect_eq(upd->level, ax_level(x, "urgent"));
	cr_expect_str_eq(upd->title, "hot b1 78C");
	cr_expect_str_eq(upd->reason, "update");
	cr_expect_eq(upd->at_s, 30);
	ax_at(x, 40, "HOST-B", "TEMP b1 62C");
	cr_expect_eq(ax_count(x, FL_ACTION_UPDATE, "temp"), 1, "another key opens its own");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "temp"), 2);
	ax_close(x);
}

Test(correlate_actions, clears_the_incident_its_key_opened_on_the_next_event)
{
	struct ax *x = ax_open();

	ax_at(x, 0, "HOST-A", "COOL b2");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "cool"), 1);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "cool"), 0, "not cleared by the event that raised it");
	ax_at(x, 5, "HOST-B", "COOL b2");
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "cool"), 0, "another key clears nothing");
	ax_at(x, 20, "HOST-A", "COOL b2");
	cr_assert_eq(ax_count(x, FL_ACTION_CLEAR, "cool"), 1);
	cr_expect_eq(ax_find(x, FL_ACTION_CLEAR, "cool")->at_s, 20);
	cr_expect_eq(ax_find(x, FL_ACTION_CLEAR, "cool")->id, ax_find(x, FL_ACTION_OPEN, "cool")->id);
	ax_close(x);
}

Test(correlate_actions, feeds_an_emitted_event_back_through_the_rules)
{
	struct ax *x = ax_open();
	struct fl_engine_stats st;
	const struct ax_rec *r;

	ax_at(x, 7, "HOST-P", "POWER psu2 lost");
	r = ax_find(x, FL_ACTION_OPEN, "derived");
	cr_assert_not_null(r, "the derived event raised");
	cr_expect_str_eq(r->title, "psu psu2 on HOST-P");
	cr_expect_eq(r->at_s, 7);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.emitted, 1);
	cr_expect_eq(st.events, 1, "a derived event is not an input event");
	ax_close(x);
}

Test(correlate_actions, stops_a_derived_event_that_emits_again_past_the_depth_and_counts_it)
{
	struct ax *x = ax_open();
	struct fl_engine_stats st;

	ax_at(x, 0, "HOST-L", "LOOP");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.emitted, FL_CORR_EMIT_DEPTH_MAX);
	cr_expect_eq(st.emit_too_deep, 1);
	ax_at(x, 1, "HOST-L", "LOOP");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.emitted, 2 * FL_CORR_EMIT_DEPTH_MAX, "the depth starts again per input event");
	cr_expect_eq(st.emit_too_deep, 2);
	ax_close(x);
}

Test(correlate_actions, runs_a_plugin_as_a_notify_naming_its_channel_and_text)
{
	struct ax *x = ax_open();
	const struct ax_rec *r = NULL;
	struct fl_engine_stats st;

	ax_at(x, 3, "HOST-F", "FAN f1 stopped");
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY && strcmp(x->recs[i].reason, "run") == 0)
			r = &x->recs[i];
	cr_assert_not_null(r);
	cr_expect_str_eq(r->channel, "pager");
	cr_expect_str_eq(r->text, "fan f1 stopped on HOST-F");
	cr_expect_str_eq(r->rule, "page");
	cr_expect_eq(r->at_s, 3);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.runs, 1);
	ax_close(x);
}

Test(correlate_actions, holds_a_run_of_a_raise_in_its_grace_until_it_opens)
{
	struct ax *x = ax_open();
	const struct ax_rec *r = NULL;
	struct fl_engine_stats st;

	ax_at(x, 5, "HOST-S", "PSU p1 failed");
	cr_expect_eq(ax_count(x, FL_ACTION_NOTIFY, "psu"), 0, "waiting out its grace");
	ax_at(x, 200, "HOST-T", "noise");
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY && strcmp(x->recs[i].rule, "psu") == 0)
			r = &x->recs[i];
	cr_assert_not_null(r, "delivered when the raise opened");
	cr_expect_eq(r->at_s, 65);
	cr_expect_str_eq(r->text, "psu p1 failed on HOST-S", "rendered from the event");
	cr_expect_eq(ax_find(x, FL_ACTION_OPEN, "psu")->at_s, 65);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.runs, 1);
	cr_expect_eq(st.runs_without_incident, 0);
	ax_close(x);
}

Test(correlate_actions, runs_and_emits_a_correlations_actions_once_when_it_opens)
{
	struct ax *x = ax_open();
	const struct ax_rec *open, *run = NULL, *derived;
	struct fl_engine_stats st;

	ax_at(x, 0, "HOST-R", "CARD 3 down");
	ax_at(x, 5, "HOST-R", "CARD 4 down");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "rack"), 0, "the group's window is still open");
	ax_at(x, 100, "HOST-Z", "noise");
	open = ax_find(x, FL_ACTION_OPEN, "rack");
	cr_assert_not_null(open, "opened by the group's timer");
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY && strcmp(x->recs[i].reason, "run") == 0)
			run = &x->recs[i];
	cr_assert_not_null(run, "the correlation's run is a notify");
	cr_expect_eq(run->id, open->id);
	cr_expect_str_eq(run->channel, "pager");
	cr_expect_str_eq(run->text, "rack HOST-R: 2 cards down");
	cr_expect_eq(run->at_s, open->at_s);
	derived = ax_find(x, FL_ACTION_OPEN, "rackwatch");
	cr_assert_not_null(derived, "the emitted event was fed before time moved on");
	cr_expect_str_eq(derived->title, "isolated HOST-R");
	cr_expect_eq(derived->at_s, open->at_s);
	ax_at(x, 200, "HOST-Z", "noise");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "rackwatch"), 1, "once per opening");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.runs, 1);
	cr_expect_eq(st.emitted, 1);
	ax_close(x);
}

/* Groups named by number, as a rule copied from SEC writes $1: ${1} in a
 * title and `key host, 2`; a clear's regex fills its own groups, so it
 * clears the incident of its own port. */
static const char numbered_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"level urgent { respond 5m; }\n"
	"rule link {\n"
	"    match syslog;\n"
	"    where msg =~ /LINK_DOWN-(\\d+) port (\\S+)/;\n"
	"    clear where msg =~ /LINK_UP-(\\d+) port (\\S+)/;\n"
	"    key host, 2;\n"
	"    raise level urgent title \"down ${1} on ${host} ${2}\";\n"
	"}\n";

Test(correlate_actions, names_a_rules_groups_by_number_as_sec_does)
{
	struct ax *x = ax_open_plan("numbered.plan", numbered_plan, sizeof(numbered_plan) - 1);

	ax_at(x, 0, "NE1", "LINK_DOWN-17 port ge-0/0/1");
	ax_at(x, 1, "NE1", "LINK_DOWN-18 port ge-0/0/2");
	ax_at(x, 2, "NE1", "LINK_DOWN-17 port ge-0/0/1");
	cr_assert_eq(ax_count(x, FL_ACTION_OPEN, "link"), 2, "one incident a port");
	cr_expect_str_eq(x->recs[0].title, "down 17 on NE1 ge-0/0/1");
	ax_at(x, 3, "NE1", "LINK_UP-18 port ge-0/0/2");
	cr_assert_eq(ax_count(x, FL_ACTION_CLEAR, "link"), 1);
	cr_expect_str_eq(ax_find(x, FL_ACTION_CLEAR, "link")->title, "down 18 on NE1 ge-0/0/2",
			 "the clear's group 2 is its port: that incident clears");
	ax_close(x);
}
