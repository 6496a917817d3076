/* The store sink: actions in, tickets, steps and outbox rows out. The store
 * is read back with sqlite3 or libpq (docs/store.md documents the schema
 * for any reader); each test runs on SQLite and, as sink_store_pg, on
 * PostgreSQL (store_tmp.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/correlate/correlate.h"
#include "engine/pipeline/sink_store.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "tests/unit/store_tmp.h"

#define T0 1795572137000000000LL /* 2026-11-25T02:02:17Z */
#define SEC 1000000000LL

struct fx {
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_sink *sink;
	char db[512];
	struct fl_incident inc;
};

/* The store sink over test-product.plan, or over plan_text when not NULL
 * (with the sample network's data either way). */
static void fx_open_plan(struct fx *f, const char *plan_text)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char plan[4096], data[4096], err[256];
	struct fl_plan_options opt = {0};
	struct fl_diags *d;
	int fd;

	snprintf(plan, sizeof(plan), "%s/rules/test-product.plan", root);
	snprintf(data, sizeof(data), "%s/data", shared);
	opt.data_dir = data;
	cr_assert_eq(fl_diags_create(&d), 0);
	if (plan_text)
		cr_assert_eq(fl_plan_compile_text(&f->plan, "sink.plan", plan_text, strlen(plan_text),
						  &opt, d),
			     0, "the plan compiles");
	else
		cr_assert_eq(fl_plan_compile(&f->plan, plan, &opt, d), 0, "the test plan compiles");
	fl_diags_destroy(d);
	f->prog = fl_plan_program(f->plan);
	snprintf(f->db, sizeof(f->db), "/tmp/fl-sink-XXXXXX");
	fd = mkstemp(f->db);
	cr_assert(fd >= 0);
	close(fd);
	unlink(f->db);
	if (pg_schema[0]) /* the _pg twin: its schema's URL */
		snprintf(f->db, sizeof(f->db), "%s", path);
	cr_assert_eq(fl_sink_open(&f->sink, f->prog, f->db, NULL, err, sizeof(err)), 0, "%s", err);
	memset(&f->inc, 0, sizeof(f->inc));
	f->inc.id = 7;
	f->inc.source_name = "fibre_cut";
	f->inc.level = 0; /* urgent */
	snprintf(f->inc.title, sizeof(f->inc.title), "光缆中断 HC-YZ-R01-S02");
	snprintf(f->inc.key, sizeof(f->inc.key), "HC-YZ-R01-S02");
	f->inc.span_name = "HC-YZ-R01-S02";
	f->inc.loc_class = 1; /* county */
	f->inc.first_ns = f->inc.last_ns = T0;
	f->inc.count = 2;
}

static void fx_open(struct fx *f)
{
	fx_open_plan(f, NULL);
}

static void fx_close(struct fx *f)
{
	char wal[sizeof(f->db) + 8];

	fl_sink_destroy(f->sink);
	fl_plan_destroy(f->plan);
	if (fl_store_is_url(f->db))
		return; /* the schema goes with the suite's teardown */
	unlink(f->db);
	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->db);
	unlink(wal);
}

/* The first column of the first row on PostgreSQL (t/f as 1/0), or -1. */
static long long q_pg(const struct fx *f, const char *sql)
{
	PGconn *c = PQconnectdb(f->db);
	PGresult *r;
	long long v = -1;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		const char *t = PQgetvalue(r, 0, 0);

		v = t[0] == 't' ? 1 : t[0] == 'f' ? 0 : strtoll(t, NULL, 10);
	}
	PQclear(r);
	PQfinish(c);
	return v;
}

static long long q(const struct fx *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	if (fl_store_is_url(f->db))
		return q_pg(f, sql);
	cr_assert_eq(sqlite3_open(f->db, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void exec(const struct fx *f, const char *sql)
{
	sqlite3 *db;

	if (fl_store_is_url(f->db)) {
		PGconn *c = PQconnectdb(f->db);
		PGresult *r = PQexec(c, sql);

		cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql,
		             PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return;
	}
	cr_assert_eq(sqlite3_open(f->db, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sql);
	sqlite3_close(db);
}

static void act(struct fx *f, enum fl_action_type t, uint32_t step, const char *const *to,
		size_t n_to)
{
	struct fl_action a = {.type = t, .at_ns = T0, .incident = &f->inc, .step = step,
			      .channel = "sms", .role = "duty_room", .to = to, .n_to = n_to};

	cr_assert_eq(fl_sink_write(f->sink, &a), 0);
	cr_assert_eq(fl_sink_sync(f->sink), 0);
}

static void setup(void)
{
	store_tmp_setup("/tmp/fl-sinkdir-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

STORE_SUITES(sink_store, setup, teardown);

STORE_TEST(sink_store, opens_one_ticket_with_the_levels_clocks_for_its_location_class)
{
	struct fx f;

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_assert_eq(q(&f, "SELECT count(*) FROM tickets WHERE span = 'HC-YZ-R01-S02'"), 1);
	/* test-product.plan: urgent, on site within 3 s for a county fault */
	cr_assert_eq(q(&f, "SELECT deadline_ns - opened_ns FROM clocks JOIN tickets ON id = ticket "
			   "WHERE clock = 'onsite'"),
		     3000000000LL);
	cr_assert_eq(q(&f, "SELECT deadline_ns - opened_ns FROM clocks JOIN tickets ON id = ticket "
			   "WHERE clock = 'respond'"),
		     1000000000LL, "respond at once: within its 1 s grace");
	fx_close(&f);
}

STORE_TEST(sink_store, sums_absorbed_alarms_into_one_counter)
{
	struct fx f;

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	f.inc.absorbed = 5;
	act(&f, FL_ACTION_ABSORB, FL_PROG_NONE, NULL, 0);
	f.inc.absorbed = 300;
	act(&f, FL_ACTION_ABSORB, FL_PROG_NONE, NULL, 0);
	cr_assert_eq(q(&f, "SELECT alarms FROM tickets"), 301);
	fx_close(&f);
}

STORE_TEST(sink_store, queues_one_row_per_recipient_with_the_step_taken_in_the_same_transaction)
{
	static const char *const to[] = {"值班室 <13800002112>", "王工 <13800007734>"};
	struct fx f;

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 0, to, 2);
	cr_assert_eq(q(&f, "SELECT count(*) FROM outbox WHERE channel = 'sms'"), 2);
	cr_assert_eq(q(&f, "SELECT count(*) FROM outbox WHERE address = '13800007734' "
			   "AND person = '王工'"),
		     1);
	cr_assert_eq(q(&f, "SELECT count(*) FROM steps WHERE step = 0"), 1);
	fx_close(&f);
}

STORE_TEST(sink_store, never_sends_a_step_the_store_has_taken_before)
{
	static const char *const to[] = {"值班室 <13800002112>"};
	struct fx f;
	struct fl_sink_stats st;
	char err[256];

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	/* a restart: a new sink, the engine numbering its incidents again */
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	f.inc.id = 1;
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	cr_assert_eq(q(&f, "SELECT count(*) FROM tickets"), 1, "the open ticket is continued");
	cr_assert_eq(q(&f, "SELECT count(*) FROM outbox"), 1, "nobody is paged twice");
	fl_sink_stats(f.sink, &st);
	cr_assert_eq(st.continued, 1);
	cr_assert_eq(st.steps_skipped, 1);
	fx_close(&f);
}

STORE_TEST(sink_store, holds_back_an_unacked_step_once_the_ticket_is_acknowledged)
{
	static const char *const to[] = {"冯金凤 <13800001111>"};
	struct fx f;
	uint32_t unacked = FL_PROG_NONE;

	fx_open(&f);
	for (uint32_t i = 0; i < f.prog->n_steps; i++)
		if (f.prog->steps[i].cond == FL_COND_UNACKED && unacked == FL_PROG_NONE)
			unacked = i;
	cr_assert_neq(unacked, FL_PROG_NONE, "the test plan has an unacked step");
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	exec(&f, "UPDATE tickets SET state = 'acknowledged'");
	act(&f, FL_ACTION_NOTIFY, unacked, to, 1);
	cr_assert_eq(q(&f, "SELECT count(*) FROM outbox"), 0);
	cr_assert_eq(q(&f, "SELECT count(*) FROM steps"), 0);
	fx_close(&f);
}

STORE_TEST(sink_store, continues_a_ticket_of_the_same_rule_and_key_not_of_the_same_place)
{
	struct fx f;
	struct fl_sink_stats st;
	char err[256];

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	/* the same span, another rule's key: a fault of its own */
	f.inc.id = 1;
	f.inc.source_name = "site_down";
	snprintf(f.inc.key, sizeof(f.inc.key), "HC-YZ-SC");
	f.inc.first_ns = T0 + 1000000000LL;
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets"), 2, "same place, other rule and key");
	/* the same rule and key: the same fault */
	f.inc.id = 2;
	f.inc.source_name = "fibre_cut";
	snprintf(f.inc.key, sizeof(f.inc.key), "HC-YZ-R01-S02");
	f.inc.span_name = NULL; /* even where the place is told otherwise */
	f.inc.first_ns = T0 + 2000000000LL;
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets"), 2, "same rule and key: continued");
	fl_sink_stats(f.sink, &st);
	cr_expect_eq(st.continued, 1);
	fx_close(&f);
}

STORE_TEST(sink_store, continues_a_ticket_written_without_rule_and_key_by_place_and_level)
{
	struct fx f;
	struct fl_sink_stats st;
	char err[256];

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	exec(&f, "UPDATE tickets SET rule = NULL, key = NULL");
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	f.inc.id = 1;
	f.inc.first_ns = T0 + 1000000000LL;
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets"), 1);
	fl_sink_stats(f.sink, &st);
	cr_expect_eq(st.continued, 1);
	fx_close(&f);
}

struct resumed {
	char ticket[80], source[32], key[32], span[32];
	uint32_t steps[8];
	size_t n, n_steps;
	bool is_planned, pair_timed_out;
	int64_t clock_due_ns[3], ladder_from_ns;
};

static int collect_resumed(void *ctx, const struct fl_resumed_incident *r)
{
	struct resumed *out = ctx;

	if (out->n++ == 0) {
		snprintf(out->ticket, sizeof(out->ticket), "%s", r->ticket);
		snprintf(out->source, sizeof(out->source), "%s", r->source ? r->source : "");
		snprintf(out->key, sizeof(out->key), "%s", r->key ? r->key : "");
		snprintf(out->span, sizeof(out->span), "%s", r->span ? r->span : "");
		out->is_planned = r->is_planned;
		out->pair_timed_out = r->pair_timed_out;
		memcpy(out->clock_due_ns, r->clock_due_ns, sizeof(out->clock_due_ns));
		out->ladder_from_ns = r->ladder_from_ns;
		for (size_t i = 0; i < r->n_steps_taken && i < 8; i++)
			out->steps[out->n_steps++] = r->steps_taken[i];
	}
	return strcmp(r->ticket, "refused") == 0 ? -ENOENT : 0;
}

STORE_TEST(sink_store, hands_back_open_uncleared_tickets_with_their_steps_taken)
{
	static const char *const to[] = {"值班室 <13800002112>"};
	struct fx f;
	struct resumed got = {0};
	struct fl_sink_stats st;
	char err[256];

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 2, to, 1);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	f.inc.id = 8; /* a second one, cleared: nothing left to escalate */
	snprintf(f.inc.key, sizeof(f.inc.key), "HC-YZ-R01-S03");
	f.inc.span_name = "HC-YZ-R01-S03";
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_CLEAR, FL_PROG_NONE, NULL, 0);
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	cr_assert_eq(fl_sink_resume(f.sink, collect_resumed, &got), 0);
	cr_expect_eq(got.n, 1, "the cleared ticket is not handed back");
	cr_expect_str_eq(got.source, "fibre_cut");
	cr_expect_str_eq(got.key, "HC-YZ-R01-S02");
	cr_expect_str_eq(got.span, "HC-YZ-R01-S02");
	cr_assert_eq(got.n_steps, 2);
	cr_expect_eq(got.steps[0], 0, "ascending");
	cr_expect_eq(got.steps[1], 2);
	fl_sink_stats(f.sink, &st);
	cr_expect_eq(st.resumed, 1);
	cr_expect_eq(fl_sink_start(f.sink), 0);
	cr_expect_eq(fl_sink_resume(f.sink, collect_resumed, &got), -EINVAL, "before start only");
	fx_close(&f);
}

STORE_TEST(sink_store, writes_a_resumed_incidents_actions_to_its_ticket)
{
	static const char *const to[] = {"值班室 <13800002112>"};
	struct fx f;
	char err[256];

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	f.inc.id = 1;
	f.inc.ticket = "INC-2026-000001";
	act(&f, FL_ACTION_UPDATE, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 5, to, 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets"), 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox WHERE ticket = 'INC-2026-000001'"), 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM steps WHERE step = 5"), 1);
	fx_close(&f);
}

/* An update of reason why: what `update` or a pair window's timeout
 * writes, its level and title new. */
static void act_update(struct fx *f, const char *why, uint32_t level, const char *title)
{
	struct fl_action a = {.type = FL_ACTION_UPDATE, .at_ns = T0 + 60 * SEC, .incident = &f->inc,
			      .step = FL_PROG_NONE, .reason = why};

	f->inc.level = level;
	snprintf(f->inc.title, sizeof(f->inc.title), "%s", title);
	cr_assert_eq(fl_sink_write(f->sink, &a), 0);
	cr_assert_eq(fl_sink_sync(f->sink), 0);
}

STORE_TEST(sink_store, writes_a_timeouts_level_and_title_and_hands_it_back_timed_out)
{
	struct fx f;
	struct resumed got = {0};
	char err[256];
	uint32_t severe = FL_PROG_NONE;

	fx_open(&f);
	for (uint32_t l = 0; l < f.prog->n_levels; l++)
		if (strcmp(f.prog->levels[l].name.p, "severe") == 0)
			severe = l;
	cr_assert_neq(severe, FL_PROG_NONE, "test-product.plan has a level severe");
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act_update(&f, FL_UPDATE_RECURRED, 0, "光缆中断 HC-YZ-R01-S02");
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what LIKE 'updated%'"), 0,
		     "a recurrence changes nothing of the ticket's");
	act_update(&f, FL_UPDATE_TIMEOUT, severe, "光缆中断 HC-YZ-R01-S02 30 分钟未恢复");
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets WHERE level = 'severe'"
			   " AND title = '光缆中断 HC-YZ-R01-S02 30 分钟未恢复'"),
		     1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what = 'pair window timed out'"), 1);
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	cr_assert_eq(fl_sink_resume(f.sink, collect_resumed, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_expect(got.pair_timed_out, "the restarted engine must not time it out again");
	fx_close(&f);
}

STORE_TEST(sink_store, writes_an_update_actions_level_and_hands_back_a_window_still_open)
{
	struct fx f;
	struct resumed got = {0};
	char err[256];

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act_update(&f, FL_UPDATE_ACTION, 2, "光缆中断 HC-YZ-R01-S02 (已派单)");
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets WHERE level = 'general'"
			   " AND title = '光缆中断 HC-YZ-R01-S02 (已派单)'"),
		     1);
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	cr_assert_eq(fl_sink_resume(f.sink, collect_resumed, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_expect_not(got.pair_timed_out);
	fx_close(&f);
}

/* A restarted engine fed its journal again: the fault's first alarm is the
 * time it arrived, lag_ms before the last engine took it and opened its
 * ticket, cleared since. fed_again: pushed as such, on the store thread.
 * Returns the tickets of the fault (each call a fault of its own: the
 * PostgreSQL twin keeps one schema for the whole test). */
static long long reopened_tickets(int64_t lag_ms, bool fed_again)
{
	static int fault;
	struct fx f;
	long long n;
	char err[256], sql[320];
	struct fl_action a = {.type = FL_ACTION_OPEN, .step = FL_PROG_NONE};

	fx_open(&f);
	f.inc.source_name = "los_huawei";
	snprintf(f.inc.key, sizeof(f.inc.key), "kHC-YZ-LX-OSN01\x1f" "1-8-%d", ++fault);
	f.inc.span_name = NULL;
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_CLEAR, FL_PROG_NONE, NULL, 0);
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0);
	cr_assert_eq(fl_sink_start(f.sink), 0);
	f.inc.id = 1;
	f.inc.first_ns = f.inc.last_ns = T0 - lag_ms * 1000000;
	a.at_ns = f.inc.first_ns;
	a.incident = &f.inc;
	cr_assert_eq(fed_again ? fl_sink_push_fed_again(f.sink, &a) : fl_sink_push(f.sink, &a), 0);
	fl_sink_stop(f.sink);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tickets WHERE key = '%s'", f.inc.key);
	n = q(&f, sql);
	fx_close(&f);
	return n;
}

STORE_TEST(sink_store, a_journal_fed_again_continues_the_cleared_ticket_of_its_fault)
{
	cr_expect_eq(reopened_tickets(0, true), 1);
	cr_expect_eq(reopened_tickets(3, true), 1, "the alarm arrived 3 ms before it was taken");
	cr_expect_eq(reopened_tickets(FL_SINK_FED_AGAIN_LAG_MS, true), 1);
	cr_expect_eq(reopened_tickets(FL_SINK_FED_AGAIN_LAG_MS + 1, true), 2, "another fault");
	cr_expect_eq(reopened_tickets(-1, true), 2, "a first alarm after the ticket opened");
	cr_expect_eq(reopened_tickets(3, false), 2, "live, another first alarm is another fault");
	cr_expect_eq(reopened_tickets(0, false), 1, "the same recording again");
}

STORE_TEST(sink_store, pauses_a_planned_tickets_clocks_until_its_window_ends)
{
	static const char *const to[] = {"值班室 <13800002112>"};
	struct fx f;
	struct fl_sink_stats st;

	fx_open(&f);
	f.inc.is_planned = true;
	f.inc.window = "MW-2026-1128-01";
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE state = 'paused'"), 3);
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what LIKE '% clock paused'"
			   " AND note = 'maintenance'"),
		     3);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox"), 0, "a planned ticket pages nobody");
	f.inc.is_planned = false;
	act(&f, FL_ACTION_UPDATE, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE state = 'running'"), 3);
	cr_expect_eq(q(&f, "SELECT planned FROM tickets"), 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what = 'window MW-2026-1128-01 ended'"),
		     1);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox"), 1, "paged once the window ended");
	fl_sink_stats(f.sink, &st);
	cr_expect_eq(st.windows_ended, 1);
	cr_expect_eq(st.errors, 0);
	fx_close(&f);
}

STORE_TEST(sink_store, stops_the_clocks_of_a_planned_fault_cleared_inside_its_window)
{
	struct fx f;

	fx_open(&f);
	f.inc.is_planned = true;
	f.inc.window = "MW-2026-1128-01";
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_CLEAR, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE state = 'stopped'"), 3);
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what = 'clocks stopped'"), 1);
	cr_expect_eq(q(&f, "SELECT planned FROM tickets"), 1, "it stays planned work");
	fx_close(&f);
}

static void count_call(void *ctx)
{
	(*(int *)ctx)++;
}

/* `faultline run` wakes its delivery thread from this hook: it must come
 * after each commit that added outbox rows, and only then. */
STORE_TEST(sink_store, calls_its_hook_after_each_commit_that_queued_notifications)
{
	static const char *const to[] = {"值班室 <13800002112>"};
	struct fl_sink_opts so = {.on_notices = count_call};
	char err[256];
	struct fx f;
	int calls = 0;

	fx_open(&f);
	fl_sink_destroy(f.sink);
	so.on_notices_ctx = &calls;
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, &so, err, sizeof(err)), 0, "%s", err);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(calls, 0, "a ticket alone gives the outbox nothing");
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	cr_expect_eq(calls, 1, "the commit that queued the row");
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox"), 1, "and the row is there when it is told");
	cr_expect_eq(fl_sink_sync(f.sink), 0);
	cr_expect_eq(calls, 1, "nothing to commit, nothing to tell");
	f.inc.absorbed = 3;
	act(&f, FL_ACTION_ABSORB, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(calls, 1, "a commit of absorbed alarms queues no row");
	fx_close(&f);
}

/* A storm can hold thousands of incidents open at once: the sink remembers
 * every one of them (it used to keep 4,096 and refuse the rest), and the
 * last actions of the first still reach its ticket. */
STORE_TEST(sink_store, remembers_every_incident_of_a_storm_that_holds_thousands_open)
{
	enum { OPEN = 6000 };
	struct fl_sink_stats st;
	struct fx f;

	fx_open(&f);
	for (uint64_t i = 1; i <= OPEN; i++) {
		struct fl_action a = {.type = FL_ACTION_OPEN, .at_ns = T0, .incident = &f.inc,
				      .step = FL_PROG_NONE};

		f.inc.id = i;
		snprintf(f.inc.key, sizeof(f.inc.key), "K%llu", (unsigned long long)i);
		cr_assert_eq(fl_sink_write(f.sink, &a), 0);
	}
	cr_assert_eq(fl_sink_sync(f.sink), 0);
	f.inc.id = 1;
	f.inc.state = FL_INCIDENT_CLEARED;
	f.inc.cleared_ns = T0 + 1000000000LL;
	act(&f, FL_ACTION_CLEAR, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets"), OPEN);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets WHERE key = 'K1' AND cleared_ns > 0"), 1);
	fl_sink_stats(f.sink, &st);
	cr_expect_eq(st.incidents_refused, 0);
	cr_expect_eq(st.unknown_incident, 0);
	cr_expect_eq(st.incidents_forgotten_open, 0);
	fx_close(&f);
}

/* One action of type t at the given time (act() writes at T0). */
static void act_at(struct fx *f, enum fl_action_type t, int64_t at_ns)
{
	struct fl_action a = {.type = t, .at_ns = at_ns, .incident = &f->inc,
			      .step = FL_PROG_NONE};

	cr_assert_eq(fl_sink_write(f->sink, &a), 0);
	cr_assert_eq(fl_sink_sync(f->sink), 0);
}

/* A clock is missed in the store when the engine's time passes its deadline,
 * whether or not anyone touched the ticket: the history says so at the
 * deadline, an acknowledgement afterwards leaves it missed, and the report
 * counts it. (test-product.plan: urgent responds at once within 1 s, on
 * site in 3 s, repairs in 2 h.) */
STORE_TEST(sink_store, marks_a_clock_missed_when_its_deadline_passes_untouched)
{
	struct fl_sink_stats st;
	struct fx f;

	fx_open(&f);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE state = 'running'"), 3,
		     "nothing is late at the open");
	act_at(&f, FL_ACTION_ABSORB, T0 + 2 * SEC);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE clock = 'respond' AND state = 'missed'"),
		     1, "respond within 1 s: missed once its grace has passed");
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE state = 'running'"), 2);
	act_at(&f, FL_ACTION_ABSORB, T0 + 60 * SEC);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE clock = 'onsite' AND state = 'missed'"),
		     1);
	cr_expect_eq(q(&f, "SELECT at_ns FROM history WHERE what = 'onsite clock missed'"),
		     T0 + 3 * SEC, "the history row is at the deadline");
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE clock = 'repair' AND state = 'running'"),
		     1, "repair has 2 h");
	/* a person acknowledges after the fact: respond stays missed */
	exec(&f, "UPDATE tickets SET state = 'acknowledged'");
	act_at(&f, FL_ACTION_ABSORB, T0 + 61 * SEC);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE state = 'missed'"), 2);
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what LIKE '% clock missed'"), 2,
		     "each clock missed once");
	fl_sink_stats(f.sink, &st);
	cr_expect_eq(st.clocks_missed, 2);
	fx_close(&f);
}

/* The fibre cut is raised 30 s after its first alarm (the correlation's
 * hold): the respond clock runs from the raising, on site from the fault.
 * (test-product.plan: urgent responds at once within 1 s, on site in 3 s.) */
STORE_TEST(sink_store, starts_the_respond_clock_when_the_ticket_is_raised)
{
	struct fx f;

	fx_open(&f);
	act_at(&f, FL_ACTION_OPEN, T0 + 30 * SEC);
	cr_expect_eq(q(&f, "SELECT deadline_ns FROM clocks WHERE clock = 'respond'"),
		     T0 + 30 * SEC + SEC);
	cr_expect_eq(q(&f, "SELECT deadline_ns FROM clocks WHERE clock = 'onsite'"), T0 + 3 * SEC);
	cr_expect_eq(q(&f, "SELECT opened_ns FROM tickets"), T0, "the fault's time");
	fx_close(&f);
}

/* A ticket raised at general (respond 30 min, no on-site clock, repair
 * 2 h) whose incident the engine raises to urgent (respond within 1 s, on
 * site in 3 s, repair 2 h) a minute in: each clock ends at the earlier of
 * its deadline and the raise plus urgent's budget, as the engine's ladder
 * times its steps. */
STORE_TEST(sink_store, moves_the_tickets_clocks_to_a_level_the_engine_raised)
{
	struct fx f;

	fx_open(&f);
	f.inc.level = 2; /* general */
	act_at(&f, FL_ACTION_OPEN, T0);
	cr_expect_eq(q(&f, "SELECT count(*) FROM clocks WHERE clock = 'onsite'"), 0);
	f.inc.level = 0; /* urgent */
	act_at(&f, FL_ACTION_ESCALATE, T0 + 60 * SEC);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets WHERE level = 'urgent'"), 1);
	cr_expect_eq(q(&f, "SELECT deadline_ns FROM clocks WHERE clock = 'respond'"),
		     T0 + 61 * SEC, "1 s from the raise, not 30 min from the opening");
	cr_expect_eq(q(&f, "SELECT deadline_ns FROM clocks WHERE clock = 'onsite'"),
		     T0 + 63 * SEC, "the on-site clock starts at the raise");
	cr_expect_eq(q(&f, "SELECT deadline_ns FROM clocks WHERE clock = 'repair'"),
		     T0 + 7200 * SEC, "2 h from the fault either way");
	fx_close(&f);
}

/* The raise started urgent's ladder (general's is another): the store notes
 * when, and hands it and the moved clocks to an engine that resumes. */
STORE_TEST(sink_store, hands_back_the_raised_clocks_and_when_the_new_ladder_started)
{
	struct fx f;
	struct resumed got = {0};
	char err[256];

	fx_open(&f);
	f.inc.level = 2; /* general */
	act_at(&f, FL_ACTION_OPEN, T0);
	f.inc.level = 0; /* urgent */
	f.inc.ladder_from_ns = T0 + 60 * SEC;
	act_at(&f, FL_ACTION_ESCALATE, T0 + 60 * SEC);
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what = 'ladder started'"), 1);
	act_at(&f, FL_ACTION_ESCALATE, T0 + 90 * SEC); /* raised again, no new ladder */
	cr_expect_eq(q(&f, "SELECT count(*) FROM history WHERE what = 'ladder started'"), 1,
		     "noted once");
	fl_sink_destroy(f.sink);
	cr_assert_eq(fl_sink_open(&f.sink, f.prog, f.db, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_sink_resume(f.sink, collect_resumed, &got), 0);
	cr_assert_eq(got.n, 1);
	cr_expect_eq(got.ladder_from_ns, T0 + 60 * SEC);
	cr_expect_eq(got.clock_due_ns[0], T0 + 61 * SEC, "respond, as the raise moved it");
	cr_expect_eq(got.clock_due_ns[1], T0 + 63 * SEC, "on site, started by the raise");
	cr_expect_eq(got.clock_due_ns[2], T0 + 7200 * SEC);
	fx_close(&f);
}

static const char unarrived_plan[] =
	"plan t;\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data rings \"rings.csv\";\n"
	"data spans \"spans.csv\";\n"
	"data chains \"chains.csv\";\n"
	"data circuits \"circuits.csv\";\n"
	"data contacts \"contacts.csv\";\n"
	"roles leader_in_charge;\n"
	"level urgent { respond at once within 2m; onsite county 1h; repair 2h; ladder l; }\n"
	"ladder l {\n"
	"    step onsite unarrived notify leader_in_charge at city via sms;\n"
	"    step onsite unrestored notify leader_in_charge at city via email;\n"
	"}\n";

/* The on-site step asks whether the crew is there, not whether the service
 * is back: a crew on site (or further) is not escalated for. */
STORE_TEST(sink_store, holds_back_an_unarrived_step_once_the_crew_is_on_site)
{
	static const char *const to[] = {"冯金凤 <13800001111>"};
	struct fx f;

	fx_open_plan(&f, unarrived_plan);
	cr_assert_eq(f.prog->steps[0].cond, FL_COND_UNARRIVED);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	exec(&f, "UPDATE tickets SET state = 'onsite'");
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox"), 0, "the crew arrived");
	act(&f, FL_ACTION_NOTIFY, 1, to, 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox"), 1, "not restored: that one goes");
	fx_close(&f);
}

STORE_TEST(sink_store, sends_an_unarrived_step_while_the_crew_is_on_its_way)
{
	static const char *const to[] = {"冯金凤 <13800001111>"};
	struct fx f;

	fx_open_plan(&f, unarrived_plan);
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	exec(&f, "UPDATE tickets SET state = 'dispatched'");
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM outbox"), 1);
	fx_close(&f);
}

/* Two engines on one store started in the same second each number their
 * incidents from 1: both have an incident 7, on different spans. Each is a
 * ticket of its own and pages; neither joins the other's. */
STORE_TEST(sink_store, two_engines_on_one_store_open_a_ticket_each_for_the_same_incident_number)
{
	static const char *const to[] = {"值班室 <13800002112>"};
	struct fl_sink *first, *second;
	struct fl_sink_stats st;
	struct fx f;
	char err[256];

	fx_open(&f);
	cr_assert_eq(fl_sink_open(&second, f.prog, f.db, NULL, err, sizeof(err)), 0, "%s", err);
	first = f.sink;
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	f.sink = second;
	snprintf(f.inc.title, sizeof(f.inc.title), "光缆中断 HC-YZ-R01-S03");
	snprintf(f.inc.key, sizeof(f.inc.key), "HC-YZ-R01-S03");
	f.inc.span_name = "HC-YZ-R01-S03";
	act(&f, FL_ACTION_OPEN, FL_PROG_NONE, NULL, 0);
	act(&f, FL_ACTION_NOTIFY, 0, to, 1);
	fl_sink_stats(second, &st);
	cr_expect_eq(st.opened, 1, "the second engine opened its ticket");
	cr_expect_eq(st.continued, 0);
	cr_expect_eq(st.notices, 1, "and paged");
	fl_sink_destroy(second);
	f.sink = first;
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets"), 2);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets WHERE id = 'INC-2026-000001'"
			   " AND span = 'HC-YZ-R01-S02'"), 1);
	cr_expect_eq(q(&f, "SELECT count(*) FROM tickets WHERE id = 'INC-2026-000002'"
			   " AND span = 'HC-YZ-R01-S03'"), 1);
	cr_expect_eq(q(&f, "SELECT count(DISTINCT ticket) FROM outbox"), 2);
	fx_close(&f);
}
