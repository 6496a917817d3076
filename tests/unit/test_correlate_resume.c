/* fl_engine_resume(): a ticket left open by the engine before a restart is
 * handed to a new engine, which runs its ladder on from the ticket's open
 * time: a step that came due meanwhile fires at once and once, a step taken
 * before never again; later events of the same rule and key join it.
 * The end of a maintenance window: a planned incident still open when its
 * window ends pages from then; one cleared inside it never. The plan reads
 * the sample network from $FL_SHARED/data. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/clock.h"
#include "engine/correlate/correlate.h"
#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

/* 2026-11-20T00:00:00Z: when the ticket opened. */
#define RX_BASE_NS (INT64_C(1795132800) * FL_NS_PER_SEC)
#define RX_MAX 256

static const char rx_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data rings \"rings.csv\";\n"
	"data spans \"spans.csv\";\n"
	"data chains \"chains.csv\";\n"
	"data circuits \"circuits.csv\";\n"
	"data contacts \"contacts.csv\";\n"
	"roles duty_room;\n"
	"maintenance works {\n"
	"    scope device HC-JCJ-RT02;\n"
	"    from \"2026-11-20T01:00:00Z\";\n"
	"    until \"2026-11-20T02:00:00Z\";\n"
	"}\n"
	"level urgent { respond 0s; repair 2h; ladder page; }\n"
	"ladder page {\n"
	"    step after 0s notify duty_room at own via sms;\n"
	"    step after 10m notify duty_room at own via email;\n"
	"    step after 3h notify duty_room at own via sms;\n"
	"    step repair unrestored notify duty_room at own via email;\n"
	"}\n"
	"rule los {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /R_LOS raised port=(?<port>\\S+)/;\n"
	"    clear where msg ~ /R_LOS cleared port=(?<port>\\S+)/;\n"
	"    key host, port;\n"
	"    dedup 5m;\n"
	"}\n"
	"rule pair {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /PAIR_FAULT (?<p>\\S+)/;\n"
	"    clear where msg ~ /PAIR_CLEAR (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    raise level urgent title \"pair ${host} ${p}\";\n"
	"}\n"
	"level severe { respond 0s; }\n"
	"level minor { respond 30m; repair 3h; ladder quiet; }\n"
	"ladder quiet { step after 0s notify duty_room at own via webhook; }\n"
	"rule warm {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /WARM (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    dedup 1h;\n"
	"    raise level minor title \"warm ${host} ${p}\";\n"
	"    update level urgent;\n"
	"}\n"
	"rule stuck {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /STUCK_FAULT (?<p>\\S+) on (?<board>\\S+)/;\n"
	"    clear where msg ~ /STUCK_CLEAR (?<p>\\S+)/ within 30m;\n"
	"    key host, p;\n"
	"    raise level urgent title \"stuck ${host} ${p}\";\n"
	"    on timeout raise level severe title \"${p} of ${host} (${board}) stuck 30m in ${site}\";\n"
	"}\n"
	"rule stuck_quiet {\n"
	"    match syslog;\n"
	"    where msg ~ /QUIET_FAULT (?<p>\\S+)/;\n"
	"    clear where msg ~ /QUIET_CLEAR (?<p>\\S+)/ within 30m;\n"
	"    key host, p;\n"
	"    on timeout raise level severe title \"${p} of ${host} stuck 30m\";\n"
	"}\n"
	"correlate cut {\n"
	"    locate span;\n"
	"    from los;\n"
	"    within 60s;\n"
	"    absorb los for 15m;\n"
	"    raise level urgent title \"cut ${span}\";\n"
	"}\n";

struct rx_rec {
	enum fl_action_type type;
	uint64_t id;
	uint32_t step;
	char rule[32], ticket[72], reason[32], title[256], level[16];
	uint64_t count;
	int64_t at_s;
};

struct rx {
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_clock *clock;
	struct fl_engine *e;
	struct fl_event ev;
	struct rx_rec recs[RX_MAX];
	size_t n;
};

static void rx_on_action(const struct fl_action *a, void *ctx)
{
	struct rx *x = ctx;
	struct rx_rec *r;

	cr_assert_lt(x->n, RX_MAX);
	r = &x->recs[x->n++];
	r->type = a->type;
	r->id = a->incident->id;
	r->step = a->step;
	r->count = a->incident->count;
	r->at_s = (a->at_ns - RX_BASE_NS) / FL_NS_PER_SEC;
	snprintf(r->rule, sizeof(r->rule), "%s", a->incident->source_name);
	snprintf(r->ticket, sizeof(r->ticket), "%s", a->incident->ticket ? a->incident->ticket : "");
	snprintf(r->reason, sizeof(r->reason), "%s", a->reason ? a->reason : "");
	snprintf(r->title, sizeof(r->title), "%s", a->incident->title);
	snprintf(r->level, sizeof(r->level), "%s",
		 x->plan ? fl_plan_program(x->plan)->levels[a->incident->level].name.p : "");
}

/* An engine started start_s seconds after the ticket opened. */
static struct rx *rx_open(int64_t start_s)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	struct fl_engine_config c = {.on_action = rx_on_action};
	struct fl_plan_options opt = {0};
	char data[4096];
	struct rx *x = calloc(1, sizeof(*x));

	cr_assert_not_null(x);
	c.ctx = x;
	snprintf(data, sizeof(data), "%s/data", shared);
	opt.data_dir = data;
	cr_assert_eq(fl_diags_create(&x->d), 0);
	cr_assert_eq(fl_plan_compile_text(&x->plan, "resume.plan", rx_plan, sizeof(rx_plan) - 1,
					  &opt, x->d),
		     0, "the plan compiles");
	cr_assert_eq(fl_clock_create_event(&x->clock, RX_BASE_NS + start_s * FL_NS_PER_SEC), 0);
	cr_assert_eq(fl_engine_create(&x->e, fl_plan_program(x->plan), x->clock, &c), 0);
	return x;
}

static void rx_close(struct rx *x)
{
	fl_engine_destroy(x->e);
	fl_clock_destroy(x->clock);
	fl_plan_destroy(x->plan);
	fl_diags_destroy(x->d);
	free(x);
}

static void rx_at(struct rx *x, int64_t at_s, const char *host, const char *msg)
{
	struct fl_syslog_opts so = {.year = 2026};
	char line[512];
	int n = snprintf(line, sizeof(line), "<131>Nov 20 00:00:00 %s app: %s", host, msg);

	so.received_ns = RX_BASE_NS;
	cr_assert_eq(fl_syslog_decode(&x->ev, line, (size_t)n, &so), FL_SYSLOG_OK);
	x->ev.time_ns = RX_BASE_NS + at_s * FL_NS_PER_SEC;
	cr_assert_eq(fl_engine_feed(x->e, &x->ev), 0);
}

static size_t rx_count(const struct rx *x, enum fl_action_type t, uint32_t step)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->recs[i].type == t && (step == FL_PROG_NONE || x->recs[i].step == step);
	return n;
}

/* The first ladder step of "page": steps are numbered across the program. */
static uint32_t rx_step0(const struct rx *x)
{
	const struct fl_program *p = fl_plan_program(x->plan);

	for (size_t i = 0; i < p->n_ladders; i++)
		if (strcmp(p->ladders[i].name.p, "page") == 0)
			return p->ladders[i].first_step;
	cr_assert_fail("no ladder page");
	return 0;
}

static const char pair_key[] = "kHC-YZ-LX-OSN01\x1f"
			       "1-8-1";

Test(correlate_resume, fires_a_step_due_while_down_once_and_a_step_taken_never)
{
	struct rx *x = rx_open(3600); /* an hour after the open */
	uint32_t s0 = rx_step0(x);
	uint32_t taken[] = {s0};
	struct fl_resumed_incident ri = {
		.ticket = "INC-1", .source = "pair", .key = pair_key, .level = "urgent",
		.title = "pair HC-YZ-LX-OSN01 1-8-1", .device = "HC-YZ-LX-OSN01",
		.first_ns = RX_BASE_NS, .steps_taken = taken, .n_steps_taken = 1};
	struct fl_engine_stats st;

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 0, "the step taken before is not fired");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 1, "the 10 min step fires at once");
	cr_expect_eq(x->recs[x->n - 1].at_s, 3600, "at the restart, not in the past");
	cr_expect_str_eq(x->recs[x->n - 1].ticket, "INC-1", "the action names its ticket");
	cr_expect_eq(rx_count(x, FL_ACTION_UPDATE, FL_PROG_NONE), 1, "one update: resumed");
	fl_engine_advance(x->e, RX_BASE_NS + 7200 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 1, "the 10 min step fires once");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 2), 0, "the 3 h step is not due yet");
	fl_engine_advance(x->e, RX_BASE_NS + 3 * 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 2), 1, "the 3 h step fires at its time");
	cr_expect_eq(x->recs[x->n - 1].at_s, 3 * 3600);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 0);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.resumed, 1);
	cr_expect_eq(st.resume_refused, 0);
	cr_expect_eq(st.open_incidents, 1);
	rx_close(x);
}

/* A level raised before the restart moved the ticket's repair deadline
 * (fl_store_incident_clocks_follow): the resumed ladder keeps it, rather
 * than timing the clock again from the level and the opening. */
Test(correlate_resume, times_its_clock_steps_by_the_deadlines_the_ticket_kept)
{
	struct rx *x = rx_open(600);
	uint32_t repair_step = rx_step0(x) + 3;
	struct fl_resumed_incident ri = {
		.ticket = "INC-9", .source = "pair", .key = pair_key, .level = "urgent",
		.title = "pair HC-YZ-LX-OSN01 1-8-1", .device = "HC-YZ-LX-OSN01",
		.first_ns = RX_BASE_NS, .clock_due_ns = {0, 0, RX_BASE_NS + 1800 * FL_NS_PER_SEC}};

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 1799 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, repair_step), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 1800 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, repair_step), 1,
		     "the ticket's 30 min, not the level's 2 h");
	rx_close(x);
}

/* A change of level started this ladder 50 min after the opening (the store
 * noted it): its `after` steps run on from then, not from the opening. */
Test(correlate_resume, times_a_ladder_started_by_a_raise_from_the_raise)
{
	struct rx *x = rx_open(3060);
	uint32_t s0 = rx_step0(x);
	uint32_t taken[] = {s0};
	struct fl_resumed_incident ri = {
		.ticket = "INC-10", .source = "pair", .key = pair_key, .level = "urgent",
		.title = "pair HC-YZ-LX-OSN01 1-8-1", .device = "HC-YZ-LX-OSN01",
		.first_ns = RX_BASE_NS, .steps_taken = taken, .n_steps_taken = 1,
		.ladder_from_ns = RX_BASE_NS + 3000 * FL_NS_PER_SEC};

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 0,
		     "the 10 min step is due 10 min after the raise, not the opening");
	fl_engine_advance(x->e, RX_BASE_NS + 3599 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 1);
	rx_close(x);
}

Test(correlate_resume, joins_events_of_the_same_rule_and_key_and_clears_on_their_clear)
{
	struct rx *x = rx_open(3600);
	uint32_t s0 = rx_step0(x);
	uint32_t taken[] = {s0, s0 + 1};
	struct fl_resumed_incident ri = {
		.ticket = "INC-2", .source = "pair", .key = pair_key, .level = "urgent",
		.device = "HC-YZ-LX-OSN01", .first_ns = RX_BASE_NS, .steps_taken = taken,
		.n_steps_taken = 2};

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE), 0, "both due steps were taken");
	rx_at(x, 3700, "HC-YZ-LX-OSN01", "PAIR_FAULT 1-8-1");
	cr_expect_eq(rx_count(x, FL_ACTION_OPEN, FL_PROG_NONE), 0, "the fault joins its ticket");
	rx_at(x, 3710, "HC-YZ-LX-OSN01", "PAIR_FAULT 2-1-1");
	cr_expect_eq(rx_count(x, FL_ACTION_OPEN, FL_PROG_NONE), 1, "another key is a new incident");
	rx_at(x, 3720, "HC-YZ-LX-OSN01", "PAIR_CLEAR 1-8-1");
	cr_assert_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 1);
	cr_expect_str_eq(x->recs[x->n - 1].ticket, "INC-2", "the clear names the resumed ticket");
	cr_expect_eq(x->recs[x->n - 1].count, 2, "the event after the restart was a tally");
	rx_close(x);
}

/* A ticket of rule "stuck" (a pair window of 30m) opened at the base time. */
static struct fl_resumed_incident stuck_ticket(bool timed_out)
{
	return (struct fl_resumed_incident){
	    .ticket = "INC-7", .source = "stuck", .key = pair_key, .level = "urgent",
	    .title = "stuck HC-YZ-LX-OSN01 1-8-1", .device = "HC-YZ-LX-OSN01",
	    .first_ns = RX_BASE_NS, .pair_timed_out = timed_out};
}

static size_t rx_reason(const struct rx *x, const char *reason)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->recs[i].type == FL_ACTION_UPDATE && strcmp(x->recs[i].reason, reason) == 0;
	return n;
}

Test(correlate_resume, pairs_a_clear_within_the_window_that_began_before_the_restart)
{
	struct rx *x = rx_open(600);
	struct fl_resumed_incident ri = stuck_ticket(false);
	struct fl_engine_stats st;

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	rx_at(x, 1200, "HC-YZ-LX-OSN01", "STUCK_CLEAR 1-8-1");
	cr_assert_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 1, "the clear within 30m pairs");
	cr_expect_str_eq(x->recs[x->n - 1].ticket, "INC-7");
	fl_engine_advance(x->e, RX_BASE_NS + 7200 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 0, "a paired fault never times out");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.clears_unpaired, 0);
	rx_close(x);
}

Test(correlate_resume, times_out_the_window_from_the_first_fault_with_the_keys_values)
{
	struct rx *x = rx_open(600);
	struct fl_resumed_incident ri = stuck_ticket(false);
	const struct rx_rec *u = NULL;

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 1799 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 0, "not before 30m from the fault");
	fl_engine_advance(x->e, RX_BASE_NS + 1801 * FL_NS_PER_SEC);
	cr_assert_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 1, "30m after the first fault, not the restart");
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_UPDATE && strcmp(x->recs[i].reason, "timeout") == 0)
			u = &x->recs[i];
	cr_assert_not_null(u);
	cr_expect_eq(u->at_s, 1800);
	cr_expect_str_eq(u->ticket, "INC-7");
	cr_expect_str_eq(u->level, "severe");
	/* host and port from the key, the site from the inventory; the board
	 * was a field of the fault only, gone with the old engine */
	cr_expect_str_eq(u->title, "1-8-1 of HC-YZ-LX-OSN01 () stuck 30m in HC-YZ-LX");
	rx_at(x, 2400, "HC-YZ-LX-OSN01", "STUCK_CLEAR 1-8-1");
	cr_expect_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 0, "a late clear is unpaired");
	fl_engine_advance(x->e, RX_BASE_NS + 9000 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 1, "once");
	rx_close(x);
}

Test(correlate_resume, times_out_at_once_a_window_that_ran_out_while_no_engine_ran)
{
	struct rx *x = rx_open(3600);
	struct fl_resumed_incident ri = stuck_ticket(false);

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 1);
	cr_expect_eq(x->recs[x->n - 1].at_s, 3600, "at the restart");
	rx_close(x);
}

Test(correlate_resume, never_times_out_again_nor_pairs_after_a_timeout_before_the_restart)
{
	struct rx *x = rx_open(3600);
	struct fl_resumed_incident ri = stuck_ticket(true);
	struct fl_engine_stats st;

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 3700 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 0, "its actions ran before the restart");
	rx_at(x, 3800, "HC-YZ-LX-OSN01", "STUCK_CLEAR 1-8-1");
	cr_expect_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 0, "the late clear clears nothing");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.clears_unpaired, 1);
	/* it ended the timed-out fault's wait: the next fault opens a window */
	rx_at(x, 3900, "HC-YZ-LX-OSN01", "STUCK_FAULT 1-8-1 on N1SL16");
	fl_engine_advance(x->e, RX_BASE_NS + 5800 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 1, "the new fault's window times out");
	rx_close(x);
}

Test(correlate_resume, takes_a_ticket_only_a_timeout_opens_as_timed_out)
{
	struct rx *x = rx_open(600);
	struct fl_resumed_incident ri = stuck_ticket(false);
	struct fl_engine_stats st;

	ri.source = "stuck_quiet"; /* raises nothing itself: its ticket is a timeout's */
	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_reason(x, FL_UPDATE_TIMEOUT), 0, "not timed out twice");
	rx_at(x, 3700, "HC-YZ-LX-OSN01", "QUIET_CLEAR 1-8-1");
	cr_expect_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 0);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.clears_unpaired, 1);
	rx_close(x);
}

Test(correlate_resume, takes_a_cut_back_until_both_ends_clear)
{
	struct rx *x = rx_open(60);
	struct fl_resumed_incident ri = {
		.ticket = "INC-3", .source = "cut", .key = "HC-YZ-R01-S02", .level = "urgent",
		.device = "HC-YZ-LX-OSN01", .span = "HC-YZ-R01-S02", .first_ns = RX_BASE_NS};
	size_t notified;

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	notified = rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE);
	cr_expect_eq(notified, 1, "the step due at the open fires once (none taken)");
	rx_at(x, 70, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	rx_at(x, 71, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fl_engine_advance(x->e, RX_BASE_NS + 200 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_OPEN, FL_PROG_NONE), 0, "the cut seen again joins it");
	rx_at(x, 300, "HC-YZ-LX-OSN01", "R_LOS cleared port=1-8-1");
	cr_expect_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 0, "one end is not enough");
	rx_at(x, 301, "HC-YZ-SC-OSN01", "R_LOS cleared port=1-7-1");
	cr_expect_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 1, "both ends clear it");
	rx_close(x);
}

Test(correlate_resume, counts_and_refuses_a_ticket_it_cannot_place_or_plan)
{
	struct rx *x = rx_open(3600);
	struct fl_resumed_incident where = {.ticket = "INC-4", .source = "pair", .key = pair_key,
					    .level = "urgent", .device = "NO-SUCH-DEVICE",
					    .first_ns = RX_BASE_NS};
	struct fl_resumed_incident rule = where, level = where, twice = where;
	struct fl_engine_stats st;

	cr_expect_eq(fl_engine_resume(x->e, &where), -ENXIO, "an unknown device");
	where.device = NULL;
	where.span = "NO-SUCH-SPAN";
	cr_expect_eq(fl_engine_resume(x->e, &where), -ENXIO, "an unknown span");
	rule.device = NULL;
	rule.source = "gone";
	cr_expect_eq(fl_engine_resume(x->e, &rule), -ENOENT, "a rule the plan no longer has");
	level.device = NULL;
	level.level = "critical";
	cr_expect_eq(fl_engine_resume(x->e, &level), -ENOENT, "a level the plan no longer has");
	twice.device = "HC-YZ-LX-OSN01";
	cr_expect_eq(fl_engine_resume(x->e, &twice), 0);
	cr_expect_eq(fl_engine_resume(x->e, &twice), -EEXIST, "a ticket resumed twice");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.resume_refused, 5);
	cr_expect_eq(st.resumed, 1);
	cr_expect_eq(st.open_incidents, 1, "nothing of the refused ones is live");
	rx_close(x);
}

static const struct rx_rec *rx_find(const struct rx *x, enum fl_action_type t, const char *reason)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == t && (!reason || strcmp(x->recs[i].reason, reason) == 0))
			return &x->recs[i];
	return NULL;
}

Test(correlate_window_end, pages_an_incident_that_outlives_its_window_from_the_window_end)
{
	struct rx *x = rx_open(0);
	uint32_t s0 = rx_step0(x);
	const struct rx_rec *end;

	rx_at(x, 4200, "HC-JCJ-RT02", "PAIR_FAULT ge0"); /* 01:10, inside 01:00-02:00 */
	cr_assert_eq(rx_count(x, FL_ACTION_OPEN, FL_PROG_NONE), 1);
	fl_engine_advance(x->e, RX_BASE_NS + 7199 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE), 0, "nobody paged in the window");
	fl_engine_advance(x->e, RX_BASE_NS + 7200 * FL_NS_PER_SEC);
	end = rx_find(x, FL_ACTION_UPDATE, "window ended");
	cr_assert_not_null(end, "the window's end is an action");
	cr_expect_eq(end->at_s, 7200);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 1, "the first step pages at the end");
	cr_expect_eq(x->recs[x->n - 1].at_s, 7200);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 0, "the 10 min step runs from the end");
	fl_engine_advance(x->e, RX_BASE_NS + (7200 + 599) * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 0);
	fl_engine_advance(x->e, RX_BASE_NS + (7200 + 600) * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 1, "10 min after the window's end");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 1, "the first step once");
	rx_close(x);
}

/* Raised to another level inside its window: nobody is paged meanwhile;
 * at the window's end the new level's ladder and clocks run from then, and
 * the old level's ladder never pages. */
Test(correlate_window_end, runs_a_level_raised_inside_the_window_from_the_window_end)
{
	struct rx *x = rx_open(0);
	uint32_t s0 = rx_step0(x);

	rx_at(x, 4200, "HC-JCJ-RT02", "WARM ge1"); /* 01:10, inside 01:00-02:00: minor */
	rx_at(x, 4500, "HC-JCJ-RT02", "WARM ge1"); /* the update: urgent */
	cr_assert_eq(rx_count(x, FL_ACTION_OPEN, FL_PROG_NONE), 1);
	fl_engine_advance(x->e, RX_BASE_NS + 7199 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE), 0, "nobody paged in the window");
	fl_engine_advance(x->e, RX_BASE_NS + 7200 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 1, "urgent's first step at the end");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE), 1, "and nothing of minor's");
	fl_engine_advance(x->e, RX_BASE_NS + (7200 + 600) * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 1, "10 min after the window's end");
	fl_engine_advance(x->e, RX_BASE_NS + (7200 + 7199) * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 3), 0);
	fl_engine_advance(x->e, RX_BASE_NS + (7200 + 7200) * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 3), 1,
		     "urgent's 2 h repair clock from the window's end");
	rx_close(x);
}

Test(correlate_window_end, never_pages_a_fault_cleared_inside_its_window)
{
	struct rx *x = rx_open(0);

	rx_at(x, 4200, "HC-JCJ-RT02", "PAIR_FAULT ge0");
	rx_at(x, 5000, "HC-JCJ-RT02", "PAIR_CLEAR ge0");
	cr_assert_eq(rx_count(x, FL_ACTION_CLEAR, FL_PROG_NONE), 1);
	fl_engine_advance(x->e, RX_BASE_NS + 6 * 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE), 0);
	cr_expect_null(rx_find(x, FL_ACTION_UPDATE, "window ended"));
	rx_close(x);
}

Test(correlate_window_end, ends_the_window_of_a_resumed_ticket_that_ended_while_down)
{
	struct rx *x = rx_open(3 * 3600); /* 03:00: the window ended at 02:00 */
	uint32_t s0 = rx_step0(x);
	struct fl_resumed_incident ri = {
		.ticket = "INC-5", .source = "pair", .key = "kHC-JCJ-RT02\x1f" "ge0",
		.level = "urgent", .device = "HC-JCJ-RT02",
		.first_ns = RX_BASE_NS + 4200 * FL_NS_PER_SEC, .is_planned = true,
		/* paused in the store: its deadlines move when the pause ends */
		.clock_due_ns = {0, 0, RX_BASE_NS + 4200 * FL_NS_PER_SEC + 7200 * FL_NS_PER_SEC}};
	const struct rx_rec *end;

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 3), 0,
		     "the repair clock runs 2 h from the window's end, not from the fault");
	end = rx_find(x, FL_ACTION_UPDATE, "window ended");
	cr_assert_not_null(end);
	cr_expect_eq(end->at_s, 7200, "at the window's own end");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 1, "due at 02:00: fires at start");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 1), 1, "due at 02:10: fires at start");
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 2), 0, "due at 05:00");
	fl_engine_advance(x->e, RX_BASE_NS + (4 * 3600 - 1) * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 3), 0);
	fl_engine_advance(x->e, RX_BASE_NS + 4 * 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 3), 1, "2 h after the window's end");
	fl_engine_advance(x->e, RX_BASE_NS + 5 * 3600 * FL_NS_PER_SEC);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0 + 2), 1, "3 h after the window's end");
	rx_close(x);
}

Test(correlate_window_end, keeps_a_resumed_ticket_planned_while_its_window_lasts)
{
	struct rx *x = rx_open(5400); /* 01:30 */
	uint32_t s0 = rx_step0(x);
	struct fl_resumed_incident ri = {
		.ticket = "INC-6", .source = "pair", .key = "kHC-JCJ-RT02\x1f" "ge0",
		.level = "urgent", .device = "HC-JCJ-RT02",
		.first_ns = RX_BASE_NS + 4200 * FL_NS_PER_SEC, .is_planned = true};

	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, FL_PROG_NONE), 0, "still inside the window");
	fl_engine_advance(x->e, RX_BASE_NS + 7200 * FL_NS_PER_SEC);
	cr_expect_not_null(rx_find(x, FL_ACTION_UPDATE, "window ended"));
	cr_expect_eq(rx_count(x, FL_ACTION_NOTIFY, s0), 1, "pages at the window's end");
	rx_close(x);
}
