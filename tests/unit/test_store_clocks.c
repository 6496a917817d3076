/* The store's clocks as the plan measures them: respond from the raising
 * of the ticket, met by its acknowledgement; on site from the fault, met by
 * the crew's arrival; repair from the fault, met by restoration; and the
 * report's met and missed counts per clock, on a fixed clock. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/store/store.h"
#include "tests/unit/store_tmp.h"

#define SEC 1000000000LL
#define MIN (60 * SEC)
#define T0 1795132800000000000LL /* 2026-11-20T00:00:00Z: the fault's first alarm */
#define RAISED (T0 + 30 * SEC)	  /* the correlation held it 30 s */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-clocks-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

STORE_SUITES(store_clocks, setup, teardown);


/* An urgent cut in a city: respond within 1 min of the raising, on site in
 * 30 min, repaired in 2 h, both from the first alarm. */
static void open_cut(struct fl_store *s, const char *id)
{
	struct fl_ticket_new t = {
		.id = id, .rule = "fibre_cut", .key = id, .level = "urgent", .title = id,
		.loc = {.span = id, .county = "Jinchengjiang", .city = "Hechi", .loc_class = "city"},
		.respond_ms = 60 * 1000, .onsite_ms = 30 * 60 * 1000, .repair_ms = 120 * 60 * 1000,
		.opened_ns = T0, .raised_ns = RAISED,
	};

	cr_assert_eq(fl_store_incident_open(s, &t), 0, "%s", fl_store_errmsg(s));
}

static void tr(struct fl_store *s, const char *id, enum fl_transition t, int64_t at_ns)
{
	char msg[160] = "";

	cr_assert_eq(fl_store_transition(s, id, t, "wang", NULL, at_ns, msg, sizeof(msg)), 0, "%s",
		     msg);
}

static enum fl_clock_state clock_state(struct fl_store *s, const char *id, enum fl_ticket_clock c)
{
	struct fl_clock_info ci;

	cr_assert_eq(fl_store_clock_get(s, id, c, &ci), 0);
	return ci.state;
}

STORE_TEST(store_clocks, respond_runs_from_the_raising_and_the_others_from_the_fault)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_cut(s, "A");
	cr_assert_eq(fl_store_clock_get(s, "A", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.deadline_ns, RAISED + MIN, "the hold is not the duty room's time");
	cr_assert_eq(fl_store_clock_get(s, "A", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.deadline_ns, T0 + 30 * MIN);
	cr_assert_eq(fl_store_clock_get(s, "A", FL_TICKET_CLOCK_REPAIR, &ci), 0);
	cr_expect_eq(ci.deadline_ns, T0 + 120 * MIN);
	/* acknowledged 47 s after it was raised, 77 s after the first alarm */
	tr(s, "A", FL_TR_ACK, RAISED + 47 * SEC);
	cr_expect_eq(clock_state(s, "A", FL_TICKET_CLOCK_RESPOND), FL_CLOCK_ST_MET);
	fl_store_close(s);
}

/* A ticket raised inside a maintenance window has its clocks paused from the
 * fault; the respond clock, not started yet, pauses from its start, so once
 * the window ends the duty room has its whole minute. */
STORE_TEST(store_clocks, a_clock_paused_before_it_started_runs_in_full_after_the_pause)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_cut(s, "W");
	cr_assert_eq(fl_store_clock_pause(s, "W", FL_TICKET_CLOCK_RESPOND, FL_STORE_PAUSE_WINDOW,
					  "faultline", T0),
		     0);
	cr_assert_eq(fl_store_clock_resume(s, "W", FL_TICKET_CLOCK_RESPOND, "faultline",
					   T0 + 60 * MIN),
		     0);
	cr_assert_eq(fl_store_clock_get(s, "W", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.deadline_ns, T0 + 61 * MIN, "a minute from the window's end");
	fl_store_close(s);
}

struct counts {
	int rows;
	struct fl_report_row r;
};

static int keep_row(void *ctx, const struct fl_report_row *r)
{
	struct counts *c = ctx;

	c->rows++;
	c->r = *r;
	c->r.city = c->r.county = c->r.levels = NULL; /* valid during the call only */
	return 0;
}

/* Four tickets, every way a clock can end:
 *   A  acknowledged in time, on site in time, restored in time
 *   B  acknowledged late, on site late, restored late
 *   C  never acknowledged: nobody touched it
 *   D  acknowledged in time, never on site (restored remotely in time) */
static void four_tickets(struct fl_store *s)
{
	open_cut(s, "A");
	tr(s, "A", FL_TR_ACK, RAISED + 47 * SEC);
	tr(s, "A", FL_TR_DISPATCH, T0 + 5 * MIN);
	tr(s, "A", FL_TR_ONSITE, T0 + 20 * MIN);
	tr(s, "A", FL_TR_RESTORE, T0 + 60 * MIN);
	open_cut(s, "B");
	tr(s, "B", FL_TR_ACK, T0 + 5 * MIN);
	tr(s, "B", FL_TR_DISPATCH, T0 + 6 * MIN);
	tr(s, "B", FL_TR_ONSITE, T0 + 45 * MIN);
	tr(s, "B", FL_TR_RESTORE, T0 + 150 * MIN);
	open_cut(s, "C");
	open_cut(s, "D");
	tr(s, "D", FL_TR_ACK, RAISED + 20 * SEC);
	tr(s, "D", FL_TR_RESTORE, T0 + 20 * MIN);
}

static void expect_counts(struct fl_store *s, const char *when)
{
	struct counts c = {0};

	cr_assert_eq(fl_store_report_each(s, T0 - 24 * 60 * MIN, T0 + 24 * 60 * MIN,
					  T0 + 180 * MIN, keep_row, &c),
		     0);
	cr_assert_eq(c.rows, 1, "one area (%s)", when);
	cr_expect_eq(c.r.tickets, 4);
	cr_expect_eq(c.r.met_by_clock[FL_TICKET_CLOCK_RESPOND], 2, "A, D (%s)", when);
	cr_expect_eq(c.r.missed_by_clock[FL_TICKET_CLOCK_RESPOND], 2, "B late, C never (%s)", when);
	cr_expect_eq(c.r.met_by_clock[FL_TICKET_CLOCK_ONSITE], 1, "A (%s)", when);
	cr_expect_eq(c.r.missed_by_clock[FL_TICKET_CLOCK_ONSITE], 2, "B late, C never (%s)", when);
	cr_expect_eq(c.r.met_by_clock[FL_TICKET_CLOCK_REPAIR], 2, "A, D (%s)", when);
	cr_expect_eq(c.r.missed_by_clock[FL_TICKET_CLOCK_REPAIR], 2, "B late, C never (%s)", when);
	cr_expect_eq(c.r.clocks_met, 5, "%s", when);
	cr_expect_eq(c.r.clocks_missed, 6, "%s", when);
}

STORE_TEST(store_clocks, report_counts_met_and_missed_per_clock_whoever_marked_them)
{
	struct fl_store *s = open_store();
	uint32_t n = 0;

	four_tickets(s);
	cr_expect_eq(clock_state(s, "D", FL_TICKET_CLOCK_ONSITE), FL_CLOCK_ST_STOPPED,
		     "restored before the on-site deadline: nobody had to go");
	/* judged by time alone: C's clocks still run, past their deadlines */
	expect_counts(s, "running clocks judged by the report");
	/* the engine's time passes them: marked missed, counted the same */
	cr_assert_eq(fl_store_clocks_expire(s, T0 + 180 * MIN, &n), 0);
	cr_expect_eq(n, 3, "C's three clocks");
	expect_counts(s, "clocks marked missed");
	/* a late acknowledgement of C leaves respond missed */
	tr(s, "C", FL_TR_ACK, T0 + 181 * MIN);
	cr_expect_eq(clock_state(s, "C", FL_TICKET_CLOCK_RESPOND), FL_CLOCK_ST_MISSED);
	expect_counts(s, "after a late acknowledgement");
	fl_store_close(s);
}

/* The JSON report carries the per-clock counts beside the totals. */
STORE_TEST(store_clocks, report_json_has_the_counts_per_clock)
{
	struct fl_store *s = open_store();
	struct fl_buf b;

	four_tickets(s);
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_report_json(s, T0 - 24 * 60 * MIN, T0 + 24 * 60 * MIN, T0 + 180 * MIN,
					  &b),
		     0);
	cr_expect(strstr(b.p, "\"by_clock\":{\"respond\":{\"met\":2,\"missed\":2},"
			      "\"onsite\":{\"met\":1,\"missed\":2},"
			      "\"repair\":{\"met\":2,\"missed\":2}}") != NULL,
		  "%s", b.p);
	fl_buf_free(&b);
	fl_store_close(s);
}

/* A power alarm's ticket at a general level: respond in 30 min of the
 * raising, no on-site clock, repair in 3 h. */
static void open_general(struct fl_store *s, const char *id)
{
	struct fl_ticket_new t = {
		.id = id, .rule = "mains_fail", .key = id, .level = "general", .title = id,
		.loc = {.site = id, .county = "Fengshan", .city = "Hechi", .loc_class = "county"},
		.respond_ms = 30 * 60 * 1000, .onsite_ms = -1, .repair_ms = 180 * 60 * 1000,
		.opened_ns = T0, .raised_ns = RAISED,
	};

	cr_assert_eq(fl_store_incident_open(s, &t), 0, "%s", fl_store_errmsg(s));
}

static int64_t deadline(struct fl_store *s, const char *id, enum fl_ticket_clock c)
{
	struct fl_clock_info ci;

	cr_assert_eq(fl_store_clock_get(s, id, c, &ci), 0, "the ticket has the clock");
	return ci.deadline_ns;
}

STORE_TEST(store_clocks, a_raised_level_shortens_its_clocks_from_the_raise_and_never_lengthens_them)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_general(s, "P");
	cr_assert_eq(fl_store_clock_get(s, "P", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_NONE, "a general ticket has no on-site clock");
	/* the site goes down 20 min in: urgent, respond 5 min, on site in 1 h,
	 * repair in 2 h */
	cr_assert_eq(fl_store_incident_clocks_follow(s, "P", 5 * 60 * 1000, 60 * 60 * 1000,
						     120 * 60 * 1000, T0 + 20 * MIN),
		     0, "%s", fl_store_errmsg(s));
	cr_expect_eq(deadline(s, "P", FL_TICKET_CLOCK_RESPOND), T0 + 25 * MIN,
		     "5 min from the raise, before the 30 min from the raising");
	cr_expect_eq(deadline(s, "P", FL_TICKET_CLOCK_ONSITE), T0 + 80 * MIN,
		     "a clock the ticket did not have starts at the raise");
	cr_expect_eq(deadline(s, "P", FL_TICKET_CLOCK_REPAIR), T0 + 140 * MIN,
		     "2 h from the raise: earlier than 3 h from the fault");
	/* a level with longer clocks takes nothing back */
	cr_assert_eq(fl_store_incident_clocks_follow(s, "P", 60 * 60 * 1000, -1, 240 * 60 * 1000,
						     T0 + 21 * MIN),
		     0);
	cr_expect_eq(deadline(s, "P", FL_TICKET_CLOCK_RESPOND), T0 + 25 * MIN);
	cr_expect_eq(deadline(s, "P", FL_TICKET_CLOCK_ONSITE), T0 + 80 * MIN,
		     "a level without the clock leaves it running");
	cr_expect_eq(deadline(s, "P", FL_TICKET_CLOCK_REPAIR), T0 + 140 * MIN);
	cr_expect_eq(clock_state(s, "P", FL_TICKET_CLOCK_RESPOND), FL_CLOCK_ST_RUNNING);
	fl_store_close(s);
}

STORE_TEST(store_clocks, a_raise_leaves_a_clock_already_met_or_missed_as_it_was)
{
	struct fl_store *s = open_store();
	uint32_t n = 0;

	open_general(s, "Q");
	tr(s, "Q", FL_TR_ACK, RAISED + 10 * MIN);
	cr_assert_eq(fl_store_clocks_expire(s, T0 + 200 * MIN, &n), 0);
	cr_assert_eq(clock_state(s, "Q", FL_TICKET_CLOCK_REPAIR), FL_CLOCK_ST_MISSED);
	cr_assert_eq(fl_store_incident_clocks_follow(s, "Q", 5 * 60 * 1000, -1, 120 * 60 * 1000,
						     T0 + 201 * MIN),
		     0);
	cr_expect_eq(clock_state(s, "Q", FL_TICKET_CLOCK_RESPOND), FL_CLOCK_ST_MET,
		     "acknowledged before the raise: met");
	cr_expect_eq(deadline(s, "Q", FL_TICKET_CLOCK_RESPOND), RAISED + 30 * MIN);
	cr_expect_eq(clock_state(s, "Q", FL_TICKET_CLOCK_REPAIR), FL_CLOCK_ST_MISSED);
	cr_expect_eq(deadline(s, "Q", FL_TICKET_CLOCK_REPAIR), T0 + 180 * MIN);
	fl_store_close(s);
}
