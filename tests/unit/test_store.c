#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/store/store.h"
#include "engine/store/store_time.h"
#include "tests/unit/store_tmp.h"

#define MS 1000000LL
#define MIN (60 * 1000 * MS)
#define T0 1764000000000000000LL /* 2025-11-24T16:00:00Z */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-store-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

/* An urgent fibre cut: respond 15 min, on site 2 h, repair 2 h. */
static void open_ticket(struct fl_store *s, const char *id, int64_t at_ns)
{
	struct fl_ticket_new t = {
		.id = id,
		.rule = "fibre_cut",
		.key = "SPAN-NN-LZ-01",
		.level = "urgent",
		.title = "南宁-柳州 光缆中断",
		.loc = {.span = "SPAN-NN-LZ-01", .ring = "RING-GX-1", .county = "柳江区",
		        .city = "柳州", .loc_class = "city"},
		.circuits = "CIR-1;CIR-2",
		.customers = "河池电子政务外网",
		.respond_ms = 15 * 60 * 1000,
		.onsite_ms = 120 * 60 * 1000,
		.repair_ms = 120 * 60 * 1000,
		.opened_ns = at_ns,
	};

	cr_assert_eq(fl_store_incident_open(s, &t), 0, "%s", fl_store_errmsg(s));
}

static struct fl_notice notice(const char *key)
{
	struct fl_notice n = {
		.key = key,
		.channel = "sms",
		.role = "duty operator",
		.person = "王工",
		.address = "13800002112",
		.subject = "光缆中断",
		.body = "南宁-柳州 光缆中断",
	};
	return n;
}

static int64_t outbox_rows(struct fl_store *s)
{
	uint64_t c[5];

	cr_assert_eq(fl_store_outbox_counts(s, c), 0);
	return (int64_t)(c[0] + c[1] + c[2] + c[3] + c[4]);
}

STORE_SUITES(store, setup, teardown);

STORE_TEST(store, migrates_an_empty_file_to_the_current_version)
{
	struct fl_store *s = open_store();

	cr_expect_eq(fl_store_version_at_open(s), 0);
	fl_store_close(s);
	s = open_store();
	cr_expect_eq(fl_store_version_at_open(s), FL_STORE_SCHEMA_VERSION);
	fl_store_close(s);
}

/* Version 1 as it shipped: tickets and the outbox, no maintenance table and
 * no index by fault. */
Test(store, migrates_a_version_1_file_and_keeps_its_tickets)
{
	struct fl_store *s = open_store();
	sqlite3 *db;
	bool active = true;

	open_ticket(s, "INC-1", T0);
	fl_store_close(s);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db,
	                          "DROP TABLE maintenance; DROP INDEX tickets_fault;"
	                          " DROP INDEX tickets_placed; DROP TABLE places;"
	                          " DROP INDEX tickets_seq; ALTER TABLE tickets DROP COLUMN seq; DROP TABLE ticket_seq;"
	                          " DELETE FROM schema_version WHERE version > 1",
	                          NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(db);

	s = open_store();
	cr_expect_eq(fl_store_version_at_open(s), 1);
	enum fl_ticket_state st;
	cr_expect_eq(fl_store_ticket_state(s, "INC-1", &st), 0);
	cr_expect_eq(st, FL_TICKET_OPEN);
	struct fl_maint_query q = {.span = "SPAN-1"};
	cr_expect_eq(fl_store_maint_active(s, &q, T0, &active, NULL), 0);
	cr_expect(!active);
	fl_store_close(s);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *idx;
	cr_assert_eq(sqlite3_prepare_v2(db,
	                                "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
	                                " AND name IN ('tickets_fault', 'tickets_placed')",
	                                -1, &idx, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(idx), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int(idx, 0), 2, "version 3's indexes");
	sqlite3_finalize(idx);
	sqlite3_close(db);
}

Test(store, refuses_a_file_written_by_a_newer_version)
{
	struct fl_store *s = open_store();
	sqlite3 *db;
	char err[256] = "";

	fl_store_close(s);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO schema_version VALUES(99, 0)", NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(db);
	s = NULL;
	cr_expect_eq(fl_store_open(&s, path, err, sizeof(err)), -EPROTO);
	cr_expect_null(s);
	cr_expect(strstr(err, "newer"), "%s", err);
}

Test(store, refuses_a_file_that_is_not_a_database)
{
	struct fl_store *s = NULL;
	FILE *f = fopen(path, "w");
	char err[256] = "";

	cr_assert(f);
	fputs("this is not a database, just text that is long enough to matter\n", f);
	for (int i = 0; i < 100; i++)
		fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	cr_expect_eq(fl_store_open(&s, path, err, sizeof(err)), -EIO);
	cr_expect_null(s);
}

/* Two engines started together on a store that is not there yet both
 * create it: switching the new file to WAL is where SQLite answers "database
 * is locked" at once instead of waiting its busy timeout, about one start in
 * a hundred. Both opens must succeed, every time. */
Test(store, two_processes_create_one_new_file_together)
{
	const int rounds = 150;
	int failed = 0;

	for (int i = 0; i < rounds; i++) {
		pid_t kids[2];
		char p[160];

		snprintf(p, sizeof(p), "%s/t.db", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/t.db-wal", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/t.db-shm", dir);
		unlink(p);
		for (int k = 0; k < 2; k++) {
			kids[k] = fork();
			cr_assert_geq(kids[k], 0);
			if (kids[k] == 0) {
				struct fl_store *s = NULL;
				char err[256] = "";
				int rc = fl_store_open(&s, path, err, sizeof(err));

				if (rc < 0)
					fprintf(stderr, "open: %s\n", err);
				fl_store_close(s);
				_exit(rc < 0 ? 1 : 0);
			}
		}
		for (int k = 0; k < 2; k++) {
			int st = 0;

			cr_assert_eq(waitpid(kids[k], &st, 0), kids[k]);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
		}
	}
	cr_expect_eq(failed, 0, "%d of %d opens failed", failed, 2 * rounds);
}

/* The lifecycle as the emergency plan writes it, stated independently of
 * the store's table: the state each transition may start from. */
static const enum fl_transition path_to[] = {FL_TR_ACK,     FL_TR_DISPATCH, FL_TR_ONSITE,
                                             FL_TR_RESTORE, FL_TR_RESOLVE,  FL_TR_CLOSE};

static bool expected_allowed(enum fl_transition tr, enum fl_ticket_state from)
{
	switch (tr) {
	case FL_TR_ACK:
		return from == FL_TICKET_OPEN;
	case FL_TR_DISPATCH:
		return from == FL_TICKET_ACKNOWLEDGED;
	case FL_TR_ONSITE:
		return from == FL_TICKET_DISPATCHED;
	case FL_TR_RESTORE:
		return from == FL_TICKET_ACKNOWLEDGED || from == FL_TICKET_DISPATCHED ||
		       from == FL_TICKET_ONSITE;
	case FL_TR_RESOLVE:
		return from == FL_TICKET_RESTORED;
	case FL_TR_CLOSE:
		return from == FL_TICKET_RESOLVED;
	default:
		return false;
	}
}

STORE_TEST(store, allows_exactly_the_lifecycle_edges_of_the_plan)
{
	struct fl_store *s = open_store();
	int n = 0;

	for (unsigned from = 0; from < FL_TICKET__COUNT; from++) {
		for (unsigned tr = 0; tr < FL_TR__COUNT; tr++) {
			char id[32], msg[160] = "";
			enum fl_ticket_state st;
			int rc;

			snprintf(id, sizeof(id), "INC-%u-%u", from, tr);
			open_ticket(s, id, T0);
			for (unsigned k = 0; k < from; k++) /* drive it along the path */
				cr_assert_eq(fl_store_transition(s, id, path_to[k], "wang", NULL,
				                                 T0 + MIN, msg, sizeof(msg)),
				             0, "%s: %s", id, msg);
			bool want = expected_allowed((enum fl_transition)tr, (enum fl_ticket_state)from);
			cr_expect_eq(fl_store_transition_allowed((enum fl_transition)tr,
			                                         (enum fl_ticket_state)from),
			             want, "table: %s from %s", fl_transition_name(tr),
			             fl_ticket_state_name(from));
			rc = fl_store_transition(s, id, (enum fl_transition)tr, "li", "note",
			                         T0 + 2 * MIN, msg, sizeof(msg));
			cr_expect_eq(rc, want ? 0 : -EPERM, "%s from %s: %d %s",
			             fl_transition_name(tr), fl_ticket_state_name(from), rc, msg);
			cr_assert_eq(fl_store_ticket_state(s, id, &st), 0);
			if (!want)
				cr_expect_eq(st, from, "a refused %s changed the state",
				             fl_transition_name(tr));
			n++;
		}
	}
	cr_expect_eq(n, FL_TICKET__COUNT * FL_TR__COUNT);
	fl_store_close(s);
}

STORE_TEST(store, refuses_close_before_restore_and_says_why)
{
	struct fl_store *s = open_store();
	char msg[160] = "";

	open_ticket(s, "INC-7", T0);
	cr_assert_eq(fl_store_transition(s, "INC-7", FL_TR_ACK, "wang", NULL, T0, msg, sizeof(msg)),
	             0);
	cr_expect_eq(fl_store_transition(s, "INC-7", FL_TR_CLOSE, "wang", NULL, T0, msg,
	                                 sizeof(msg)),
	             -EPERM);
	cr_expect_str_eq(msg, "cannot close INC-7: it is acknowledged; close needs resolved");
	cr_expect_eq(fl_store_transition(s, "INC-404", FL_TR_ACK, "wang", NULL, T0, msg,
	                                 sizeof(msg)),
	             -ENOENT);
	cr_expect_eq(fl_store_transition(s, "INC-7", FL_TR_DISPATCH, "", NULL, T0, msg,
	                                 sizeof(msg)),
	             -EINVAL, "a change without who did it is refused");
	fl_store_close(s);
}

STORE_TEST(store, ack_before_the_respond_deadline_meets_the_clock)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_RUNNING);
	cr_expect_eq(ci.deadline_ns, T0 + 15 * MIN);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + 15 * MIN, NULL,
	                                 0),
	             0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MET, "ack exactly at the deadline meets it");
	cr_expect_eq(ci.met_ns, T0 + 15 * MIN);
	fl_store_close(s);
}

STORE_TEST(store, ack_after_the_respond_deadline_misses_the_clock)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL,
	                                 T0 + 15 * MIN + 1, NULL, 0),
	             0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MISSED);
	/* onsite and repair clocks run on */
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_REPAIR, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_RUNNING);
	fl_store_close(s);
}

STORE_TEST(store, a_pause_moves_the_deadline_and_is_counted)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + MIN, NULL, 0),
	             0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_DISPATCH, "wang", NULL, T0 + 2 * MIN,
	                                 NULL, 0),
	             0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-1", FL_TICKET_CLOCK_ONSITE, "no site access", "wang",
	                                  T0 + 10 * MIN),
	             0);
	cr_expect_eq(fl_store_clock_pause(s, "INC-1", FL_TICKET_CLOCK_ONSITE, "again", "wang",
	                                  T0 + 11 * MIN),
	             -EPERM, "a paused clock cannot be paused again");
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_PAUSED);
	cr_assert_eq(fl_store_clock_resume(s, "INC-1", FL_TICKET_CLOCK_ONSITE, "wang", T0 + 40 * MIN), 0);
	cr_expect_eq(fl_store_clock_resume(s, "INC-1", FL_TICKET_CLOCK_ONSITE, "wang", T0 + 41 * MIN),
	             -EPERM);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.deadline_ns, T0 + 150 * MIN, "120 min + 30 min paused");
	cr_expect_eq(ci.paused_ms, 30 * 60 * 1000);
	cr_expect_eq(ci.pauses, 1);
	/* on site at 140 min: late without the pause, in time with it */
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ONSITE, "zhao", NULL, T0 + 140 * MIN,
	                                 NULL, 0),
	             0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MET);
	fl_store_close(s);
}

STORE_TEST(store, a_transition_on_a_paused_clock_resumes_it_first)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-1", FL_TICKET_CLOCK_RESPOND, "customer-caused", "wang",
	                                  T0 + 10 * MIN),
	             0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + 20 * MIN, NULL,
	                                 0),
	             0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MET, "10 min running + 10 paused is within 15");
	cr_expect_eq(ci.paused_ms, 10 * 60 * 1000);
	fl_store_close(s);
}

STORE_TEST(store, restore_settles_repair_and_stops_the_on_site_clock)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + MIN, NULL, 0),
	             0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_RESTORE, "wang", "remote reroute",
	                                 T0 + 100 * MIN, NULL, 0),
	             0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_REPAIR, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MET);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_STOPPED, "restored in time: nobody had to go");
	cr_expect_eq(fl_store_next_deadline(s), INT64_MAX, "no clock runs any more");
	fl_store_close(s);
}

/* At the on-site deadline nobody was there and the service was down: the
 * clock was missed then, whether or not the engine ran to mark it; a later
 * remote fix does not turn it into "not needed". */
STORE_TEST(store, restore_after_the_on_site_deadline_leaves_the_on_site_clock_missed)
{
	struct fl_store *s = open_store();
	struct fl_clock_info ci;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + MIN, NULL, 0),
	             0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_RESTORE, "wang", "remote reroute",
	                                 T0 + 130 * MIN, NULL, 0),
	             0);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_REPAIR, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MISSED);
	cr_assert_eq(fl_store_clock_get(s, "INC-1", FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_MISSED);
	cr_expect_eq(fl_store_next_deadline(s), INT64_MAX, "no clock runs any more");
	fl_store_close(s);
}

struct due_seen {
	int n;
	enum fl_ticket_clock clocks[8];
};

static int collect_due(void *ctx, const struct fl_due_clock *due)
{
	struct due_seen *seen = ctx;

	cr_expect_str_eq(due->ticket, "INC-1");
	cr_expect_str_eq(due->level, "urgent");
	if (seen->n < 8)
		seen->clocks[seen->n] = due->clock;
	seen->n++;
	return 0;
}

STORE_TEST(store, lists_due_clocks_until_their_transition)
{
	struct fl_store *s = open_store();
	struct due_seen seen = {0};

	open_ticket(s, "INC-1", T0);
	cr_expect_eq(fl_store_next_deadline(s), T0 + 15 * MIN);
	cr_assert_eq(fl_store_due_clocks(s, T0 + 14 * MIN, collect_due, &seen), 0);
	cr_expect_eq(seen.n, 0);
	cr_assert_eq(fl_store_due_clocks(s, T0 + 16 * MIN, collect_due, &seen), 0);
	cr_expect_eq(seen.n, 1);
	cr_expect_eq(seen.clocks[0], FL_TICKET_CLOCK_RESPOND);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + 17 * MIN, NULL,
	                                 0),
	             0);
	seen.n = 0;
	cr_assert_eq(fl_store_due_clocks(s, T0 + 121 * MIN, collect_due, &seen), 0);
	cr_expect_eq(seen.n, 2, "on-site and repair are due, respond is settled");
	fl_store_close(s);
}

STORE_TEST(store, records_each_escalation_step_once)
{
	struct fl_store *s = open_store();
	uint32_t steps[4];
	size_t n = 0;

	open_ticket(s, "INC-1", T0);
	cr_expect_eq(fl_store_step_taken(s, "INC-1", 2, T0), 0);
	cr_expect_eq(fl_store_step_taken(s, "INC-1", 0, T0), 0);
	cr_expect_eq(fl_store_step_taken(s, "INC-1", 2, T0 + MIN), -EEXIST);
	cr_expect_eq(fl_store_step_taken(s, "INC-404", 0, T0), -ENOENT);
	fl_store_close(s);
	s = open_store(); /* a restart */
	cr_assert_eq(fl_store_steps_taken(s, "INC-1", steps, 4, &n), 0);
	cr_expect_eq(n, 2);
	cr_expect_eq(steps[0], 0);
	cr_expect_eq(steps[1], 2);
	fl_store_close(s);
}

STORE_TEST(store, commits_a_ticket_and_its_notification_together)
{
	struct fl_store *s = open_store();
	struct fl_notice n = notice("INC-1:open:duty");
	enum fl_ticket_state st;

	cr_assert_eq(fl_store_begin(s), 0);
	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), 0);
	cr_assert_eq(fl_store_commit(s), 0);
	cr_expect_eq(fl_store_ticket_state(s, "INC-1", &st), 0);
	cr_expect_eq(outbox_rows(s), 1);
	cr_expect_eq(fl_store_outbox_next_due(s), T0);
	fl_store_close(s);
}

/* A page whose idempotency key is queued already is no failure: inside a
 * batch it is skipped and the batch keeps everything else it holds (a
 * ticket opened in the same batch, found when an incident's ladder fires a
 * step it fired before: a site power failure that becomes a site outage). */
STORE_TEST(store, a_page_already_queued_leaves_the_transaction_whole)
{
	struct fl_store *s = open_store();
	struct fl_notice n = notice("dup-key");
	enum fl_ticket_state st;

	open_ticket(s, "INC-0", T0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-0", &n, T0), 0);

	cr_assert_eq(fl_store_begin(s), 0);
	open_ticket(s, "INC-1", T0);
	cr_expect_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), -EEXIST);
	cr_expect_eq(fl_store_transition(s, "INC-0", FL_TR_ACK, "wang", NULL, T0, NULL, 0), 0,
	             "the transaction goes on");
	cr_expect_eq(fl_store_commit(s), 0);
	cr_expect_eq(fl_store_ticket_state(s, "INC-1", &st), 0, "the ticket of the batch is kept");
	cr_expect_eq(fl_store_ticket_state(s, "INC-0", &st), 0);
	cr_expect_eq(st, FL_TICKET_ACKNOWLEDGED);
	cr_expect_eq(outbox_rows(s), 1, "paged once");
	/* outside a batch too */
	cr_expect_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), -EEXIST);
	cr_expect_eq(outbox_rows(s), 1);
	fl_store_close(s);
}

/* The second statement of the transaction fails (the step is taken): the
 * ticket written by the first must not survive either. */
STORE_TEST(store, a_failing_second_statement_rolls_back_the_ticket_change)
{
	struct fl_store *s = open_store();
	enum fl_ticket_state st;

	open_ticket(s, "INC-0", T0);
	cr_assert_eq(fl_store_step_taken(s, "INC-0", 0, T0), 0);

	cr_assert_eq(fl_store_begin(s), 0);
	open_ticket(s, "INC-1", T0);
	cr_expect_eq(fl_store_step_taken(s, "INC-0", 0, T0 + MIN), -EEXIST);
	cr_expect_eq(fl_store_transition(s, "INC-0", FL_TR_ACK, "wang", NULL, T0, NULL, 0),
	             -ECANCELED, "the failed transaction takes nothing more");
	cr_expect_eq(fl_store_commit(s), -EEXIST);
	cr_expect_eq(fl_store_ticket_state(s, "INC-1", &st), -ENOENT);
	cr_expect_eq(fl_store_ticket_state(s, "INC-0", &st), 0);
	cr_expect_eq(st, FL_TICKET_OPEN);
	/* the store works on after it */
	open_ticket(s, "INC-2", T0);
	fl_store_close(s);
}

STORE_TEST(store, a_rolled_back_transaction_leaves_nothing)
{
	struct fl_store *s = open_store();
	struct fl_notice n = notice("k-1");
	enum fl_ticket_state st;

	cr_assert_eq(fl_store_begin(s), 0);
	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), 0);
	fl_store_rollback(s);
	cr_expect_eq(fl_store_ticket_state(s, "INC-1", &st), -ENOENT);
	cr_expect_eq(outbox_rows(s), 0);
	fl_store_close(s);
}

STORE_TEST(store, refuses_a_notification_with_a_bad_key_or_no_ticket)
{
	struct fl_store *s = open_store();
	struct fl_notice n = notice("has space");

	open_ticket(s, "INC-1", T0);
	cr_expect_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), -EINVAL);
	n.key = "ok-key";
	cr_expect_eq(fl_store_notify_enqueue(s, "INC-404", &n, T0), -ENOENT);
	cr_expect_eq(outbox_rows(s), 0);
	fl_store_close(s);
}

STORE_TEST(store, writes_the_ticket_document_with_clocks_and_notifications)
{
	struct fl_store *s = open_store();
	struct fl_notice n = notice("INC-1:open:duty");
	struct fl_buf b;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), 0);
	cr_assert_eq(fl_store_incident_absorb(s, "INC-1", 41, "LOS on NN-ADM-01", T0 + MIN), 0);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", "seen", T0 + 5 * MIN,
	                                 NULL, 0),
	             0);
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-1", true, T0 + 10 * MIN, &b), 0);
	cr_expect(strstr(b.p, "\"state\":\"acknowledged\""), "%s", b.p);
	cr_expect(strstr(b.p, "\"respond\":{\"deadline\":\"2025-11-24T16:15:00Z\""), "%s", b.p);
	cr_expect(strstr(b.p, "\"met\":true,\"paused\":false"), "%s", b.p);
	cr_expect(strstr(b.p, "\"circuits\":[\"CIR-1\",\"CIR-2\"]"), "%s", b.p);
	cr_expect(strstr(b.p, "\"role\":\"duty operator\",\"person\":\"王工\",\"channel\":\"sms\""),
	          "%s", b.p);
	cr_expect(strstr(b.p, "\"delivery\":\"pending\""), "%s", b.p);
	cr_expect(strstr(b.p, "\"alarms\":42"), "%s", b.p);
	cr_expect(strstr(b.p, "\"what\":\"open -> acknowledged\",\"by\":\"wang\""), "%s", b.p);
	cr_expect(strstr(b.p, "\"age_s\":600"), "%s", b.p);
	fl_buf_free(&b);
	fl_buf_init(&b, 1 << 20);
	cr_expect_eq(fl_store_ticket_json(s, "INC-404", false, T0, &b), -ENOENT);
	fl_buf_free(&b);
	fl_store_close(s);
}

STORE_TEST(store, finds_a_target_inside_a_window_and_never_after_it)
{
	struct fl_store *s = open_store();
	struct fl_maint_window w = {.scope = "ring", .target = "RING-GX-1", .from_ns = T0,
	                            .to_ns = T0 + 60 * MIN, .reason = "splice", .by = "li"};
	struct fl_maint_query q = {.device = "NN-ADM-01", .ring = "RING-GX-1", .city = "南宁"};
	struct fl_maint_hit hit = {0};
	bool active;

	cr_assert_eq(fl_store_maint_add(s, &w, T0 - 60 * MIN), 0);
	cr_expect_gt(w.id, 0);
	cr_assert_eq(fl_store_maint_active(s, &q, T0 - 1, &active, &hit), 0);
	cr_expect(!active, "not before it");
	cr_assert_eq(fl_store_maint_active(s, &q, T0 + 30 * MIN, &active, &hit), 0);
	cr_expect(active);
	cr_expect_eq(hit.window_id, w.id);
	cr_expect_eq(hit.ends_ns, T0 + 60 * MIN);
	cr_assert_eq(fl_store_maint_active(s, &q, T0 + 60 * MIN, &active, NULL), 0);
	cr_expect(!active, "the end is exclusive: the window expires by itself");
	q.ring = "RING-GX-2";
	cr_assert_eq(fl_store_maint_active(s, &q, T0 + 30 * MIN, &active, NULL), 0);
	cr_expect(!active, "another ring is not covered");
	cr_expect_eq(fl_store_maint_delete(s, w.id), 0);
	cr_expect_eq(fl_store_maint_delete(s, w.id), -ENOENT);
	fl_store_close(s);
}

STORE_TEST(store, repeats_weekly_and_monthly_windows)
{
	struct fl_store *s = open_store();
	int64_t week = 7 * 24 * 60 * MIN, start;
	struct fl_maint_window w = {.scope = "city", .target = "柳州", .from_ns = T0,
	                            .to_ns = T0 + 120 * MIN, .recur = FL_MAINT_WEEKLY};
	struct fl_maint_query q = {.city = "柳州"};
	bool active;

	cr_assert_eq(fl_store_maint_add(s, &w, T0), 0);
	struct fl_maint_hit hit;
	cr_assert_eq(fl_store_maint_active(s, &q, T0 + 3 * week + 60 * MIN, &active, &hit), 0);
	cr_expect(active);
	cr_expect_eq(hit.ends_ns, T0 + 3 * week + 120 * MIN, "the end of this week's occurrence");
	cr_assert_eq(fl_store_maint_active(s, &q, T0 + 3 * week + 121 * MIN, &active, NULL), 0);
	cr_expect(!active);
	cr_assert_eq(fl_time_parse("2026-01-31T20:00:00Z", &start), 0);
	struct fl_maint_window m = {.scope = "site", .target = "S-1", .from_ns = start,
	                            .to_ns = start + 60 * MIN, .recur = FL_MAINT_MONTHLY};
	struct fl_maint_query qs = {.site = "S-1"};
	int64_t feb;
	cr_assert_eq(fl_store_maint_add(s, &m, start), 0);
	cr_assert_eq(fl_time_parse("2026-02-28T20:30:00Z", &feb), 0);
	cr_assert_eq(fl_store_maint_active(s, &qs, feb, &active, NULL), 0);
	cr_expect(active, "the 31st falls on the last day of February");
	cr_assert_eq(fl_store_maint_active(s, &qs, feb + 24 * 60 * MIN, &active, NULL), 0);
	cr_expect(!active);
	w.to_ns = T0 + week; /* a weekly window as long as its week would never end */
	cr_expect_eq(fl_store_maint_add(s, &w, T0), -EINVAL);
	w.to_ns = T0 - 1;
	w.recur = FL_MAINT_NONE;
	cr_expect_eq(fl_store_maint_add(s, &w, T0), -EINVAL);
	fl_store_close(s);
}

STORE_TEST(store, reports_levels_times_and_clocks_per_area)
{
	struct fl_store *s = open_store();
	struct fl_buf b;

	open_ticket(s, "INC-1", T0);
	open_ticket(s, "INC-2", T0 + 60 * MIN);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "wang", NULL, T0 + 10 * MIN, NULL,
	                                 0),
	             0);
	cr_assert_eq(fl_store_transition(s, "INC-2", FL_TR_ACK, "wang", NULL,
	                                 T0 + 60 * MIN + 20 * MIN, NULL, 0),
	             0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-1", FL_TICKET_CLOCK_REPAIR, "no site access", "wang",
	                                  T0 + 11 * MIN),
	             0);
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_report_json(s, T0 - MIN, T0 + 90 * MIN, T0 + 24 * 60 * MIN, &b), 0);
	cr_expect(strstr(b.p, "\"city\":\"柳州\",\"county\":\"柳江区\",\"tickets\":2,"
	                      "\"by_level\":{\"urgent\":2},\"mean_ack_s\":900"),
	          "%s", b.p);
	cr_expect(strstr(b.p, "\"clocks\":{\"met\":1,\"missed\":1,\"paused\":1"), "%s", b.p);
	fl_buf_free(&b);
	fl_store_close(s);
}

/* The report judges a clock still running by the store's own time, the
 * latest it recorded, never by the day the report is run: a replayed store
 * reads the same a year later. */
STORE_TEST(store, judges_running_clocks_by_the_time_the_store_recorded)
{
	struct fl_store *s = open_store();
	int64_t until = -1;
	struct fl_buf b;

	cr_assert_eq(fl_store_recorded_until(s, &until), 0);
	cr_expect_eq(until, 0, "an empty store has recorded nothing");
	open_ticket(s, "INC-1", T0); /* respond due T0 + 15 min, onsite and repair + 2 h */
	cr_assert_eq(fl_store_clock_pause(s, "INC-1", FL_TICKET_CLOCK_REPAIR, "no site access",
	                                  "wang", T0 + 10 * MIN),
	             0);
	cr_assert_eq(fl_store_recorded_until(s, &until), 0);
	cr_expect_eq(until, T0 + 10 * MIN, "the pause is the latest record");
	fl_buf_init(&b, 1 << 20);
	/* as of the store's time nothing was due yet: nothing missed */
	cr_assert_eq(fl_store_report_json(s, T0 - MIN, T0 + 365 * 24 * 60 * MIN, until, &b), 0);
	cr_expect(strstr(b.p, "\"clocks\":{\"met\":0,\"missed\":0,"), "%s", b.p);
	cr_expect(strstr(b.p, "\"as_of\":\"2025-11-24T16:10:00Z\""), "%s", b.p);
	/* a record after the respond deadline: respond missed, the on-site
	 * clock still within its time, the paused repair clock not judged */
	cr_assert_eq(fl_store_incident_absorb(s, "INC-1", 3, "R_LOS raised", T0 + 30 * MIN), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_store_recorded_until(s, &until), 0);
	cr_expect_eq(until, T0 + 30 * MIN);
	fl_buf_reset(&b);
	cr_assert_eq(fl_store_report_json(s, T0 - MIN, T0 + 365 * 24 * 60 * MIN, until, &b), 0);
	cr_expect(strstr(b.p, "\"clocks\":{\"met\":0,\"missed\":1,"), "%s", b.p);
	/* a period that ends before the deadline judges by its end */
	fl_buf_reset(&b);
	cr_assert_eq(fl_store_report_json(s, T0 - MIN, T0 + 5 * MIN, until, &b), 0);
	cr_expect(strstr(b.p, "\"clocks\":{\"met\":0,\"missed\":0,"), "%s", b.p);
	/* judged at a time past every deadline (report --at): all but the
	 * paused clock are missed */
	fl_buf_reset(&b);
	cr_assert_eq(fl_store_report_json(s, T0 - MIN, T0 + 365 * 24 * 60 * MIN,
	                                  T0 + 24 * 60 * MIN, &b),
	             0);
	cr_expect(strstr(b.p, "\"clocks\":{\"met\":0,\"missed\":2,"), "%s", b.p);
	fl_buf_free(&b);
	fl_store_close(s);
}

STORE_TEST(store, parses_and_prints_times)
{
	int64_t ns;
	char iso[FL_TIME_ISO_LEN];

	cr_assert_eq(fl_time_parse("2025-11-24T16:00:00Z", &ns), 0);
	cr_expect_eq(ns, T0);
	cr_assert_eq(fl_time_parse("2025-11-25T00:00+08:00", &ns), 0);
	cr_expect_eq(ns, T0);
	cr_assert_eq(fl_time_parse("2025-11-24 16:00", &ns), 0);
	cr_expect_eq(ns, T0);
	cr_expect_eq(fl_time_parse("2025-02-29", &ns), -EINVAL);
	cr_expect_eq(fl_time_parse("2025-11-24T24:00", &ns), -EINVAL);
	cr_expect_eq(fl_time_parse("2025-11-24T16:00:00Zjunk", &ns), -EINVAL);
	/* found by fuzz_store_time: the year 1027 overflowed the nanoseconds */
	cr_expect_eq(fl_time_parse("1027-11-25", &ns), -EINVAL);
	cr_expect_eq(fl_time_parse("2300-01-01", &ns), -EINVAL);
	cr_expect_eq(fl_time_parse("1970-01-01T00:00+01:00", &ns), -EINVAL);
	cr_assert_eq(fl_time_parse("2199-12-31T23:59:59Z", &ns), 0);
	fl_time_format(ns, iso);
	cr_expect_str_eq(iso, "2199-12-31T23:59:59Z");
	fl_time_format(T0, iso);
	cr_expect_str_eq(iso, "2025-11-24T16:00:00Z");
}

STORE_TEST(store, records_updates_absorbed_alarms_and_the_clear_in_the_history)
{
	struct fl_store *s = open_store();
	struct fl_buf b;
	const char *cleared;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_incident_update(s, "INC-1", "critical", NULL, 1,
	                                      "second cut on RING-GX-1", T0 + MIN),
	             0);
	cr_assert_eq(fl_store_incident_absorb(s, "INC-1", 250, "LOS LZ-ADM-03 port 2", T0 + 2 * MIN),
	             0);
	cr_assert_eq(fl_store_incident_absorb(s, "INC-1", 10, NULL, T0 + 3 * MIN), 0);
	cr_assert_eq(fl_store_incident_clear(s, "INC-1", "LOS cleared", T0 + 4 * MIN), 0);
	/* the same clear fed again: the first stands, no second history row */
	cr_assert_eq(fl_store_incident_clear(s, "INC-1", "LOS cleared", T0 + 4 * MIN - 1), 0);
	cr_expect_eq(fl_store_incident_update(s, "INC-404", "critical", NULL, -1, NULL, T0),
	             -ENOENT);
	cr_expect_eq(fl_store_incident_absorb(s, "INC-404", 1, NULL, T0), -ENOENT);
	cr_expect_eq(fl_store_incident_clear(s, "INC-404", NULL, T0), -ENOENT);
	cr_assert_eq(fl_store_note(s, "INC-1", "fallback", NULL, "no county lead: paged the city",
	                           T0 + 4 * MIN),
	             0);
	cr_expect_eq(fl_store_note(s, "INC-404", "x", NULL, NULL, T0), -ENOENT);
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-1", true, T0 + 5 * MIN, &b), 0);
	cr_expect(strstr(b.p, "\"level\":\"critical\",\"title\":\"南宁-柳州 光缆中断\""), "%s",
	          b.p);
	cr_expect(strstr(b.p, "\"unprotected\":true"), "%s", b.p);
	cr_expect(strstr(b.p, "\"alarms\":261"), "%s", b.p);
	cr_expect(strstr(b.p, "\"cleared\":\"2025-11-24T16:04:00Z\""), "%s", b.p);
	cr_expect(strstr(b.p, "\"what\":\"updated: level critical, ring unprotected\""), "%s",
	          b.p);
	cr_expect(strstr(b.p, "\"what\":\"absorbed 250\",\"by\":\"faultline\","
	                      "\"note\":\"LOS LZ-ADM-03 port 2\""),
	          "%s", b.p);
	cleared = strstr(b.p, "\"what\":\"alarm cleared\"");
	cr_expect_not_null(cleared, "%s", b.p);
	cr_expect_null(cleared ? strstr(cleared + 1, "\"what\":\"alarm cleared\"") : NULL,
	               "cleared once: %s", b.p);
	cr_expect(strstr(b.p, "\"what\":\"fallback\",\"by\":\"faultline\","
	                      "\"note\":\"no county lead: paged the city\""),
	          "%s", b.p);
	cr_expect(strstr(b.p, "\"state\":\"open\""), "a clear does not move the lifecycle");
	fl_buf_free(&b);
	fl_store_close(s);
}

STORE_TEST(store, marks_a_planned_ticket_and_refuses_duplicates_and_bad_input)
{
	struct fl_store *s = open_store();
	struct fl_ticket_new t = {.id = "INC-P", .level = "major", .is_planned = true,
	                          .respond_ms = -1, .onsite_ms = -1, .repair_ms = -1,
	                          .opened_ns = T0};
	struct fl_clock_info ci;
	struct fl_buf b;

	cr_assert_eq(fl_store_incident_open(s, &t), 0);
	cr_expect_eq(fl_store_incident_open(s, &t), -EEXIST);
	t.id = "";
	cr_expect_eq(fl_store_incident_open(s, &t), -EINVAL);
	t.id = "INC-Q";
	t.level = NULL;
	cr_expect_eq(fl_store_incident_open(s, &t), -EINVAL);
	cr_assert_eq(fl_store_clock_get(s, "INC-P", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_NONE, "a level without clocks sets none");
	cr_expect_eq(fl_store_next_deadline(s), INT64_MAX);
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-P", true, T0, &b), 0);
	cr_expect(strstr(b.p, "\"planned\":true"), "%s", b.p);
	cr_expect(strstr(b.p, "\"clocks\":{\"respond\":null,\"onsite\":null,\"repair\":null}"),
	          "%s", b.p);
	cr_expect(strstr(b.p, "\"what\":\"opened (planned)\""), "%s", b.p);
	fl_buf_free(&b);
	cr_expect_eq(fl_store_begin(s), 0);
	cr_expect_eq(fl_store_begin(s), -EINVAL, "transactions do not nest");
	cr_expect_eq(fl_store_commit(s), 0);
	cr_expect_eq(fl_store_commit(s), -EINVAL);
	fl_store_close(s);
}

/* A clock missed while the engine was down is due once it starts again:
 * the due query finds it, and the step recorded for it stops a second page. */
STORE_TEST(store, a_clock_missed_while_down_is_due_on_restart_and_pages_once)
{
	struct fl_store *s = open_store();
	struct due_seen seen = {0};

	open_ticket(s, "INC-1", T0);
	fl_store_close(s);
	s = open_store();
	cr_assert_eq(fl_store_due_clocks(s, T0 + 20 * MIN, collect_due, &seen), 0);
	cr_expect_eq(seen.n, 1);
	cr_assert_eq(fl_store_begin(s), 0);
	cr_assert_eq(fl_store_step_taken(s, "INC-1", 0, T0 + 20 * MIN), 0);
	struct fl_notice n = notice("INC-1:step0:duty");
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0 + 20 * MIN), 0);
	cr_assert_eq(fl_store_commit(s), 0);
	fl_store_close(s);
	s = open_store(); /* and again: the step is remembered */
	cr_assert_eq(fl_store_begin(s), 0);
	cr_expect_eq(fl_store_step_taken(s, "INC-1", 0, T0 + 21 * MIN), -EEXIST);
	cr_expect_eq(fl_store_commit(s), -EEXIST);
	cr_expect_eq(outbox_rows(s), 1, "paged once");
	fl_store_close(s);
}

/* `tickets --json list` is built from three queries for the whole list; each
 * of its documents must be the one `show` writes for that ticket (without
 * the history), whatever clocks and notifications a ticket has. */
/* The write side queues the document the read side shows (store_doc.c
 * serves both): a notice without a document of its own carries the ticket
 * as `tickets show --json` wrote it at the moment it was queued. */
STORE_TEST(store, queues_the_document_show_writes_when_a_notice_has_none)
{
	struct fl_store *s = open_store();
	struct fl_notice n = notice("INC-1:open:duty"), own = notice("INC-1:s1:duty");
	struct fl_outbox_row *r = NULL;
	struct fl_buf shown;

	open_ticket(s, "INC-1", T0);
	cr_assert_eq(fl_store_incident_absorb(s, "INC-1", 2, "LOS on NN-ADM-01", T0 + MIN), 0);
	fl_buf_init(&shown, 1 << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-1", false, T0 + MIN, &shown), 0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0 + MIN), 0);
	own.incident_json = "{\"mine\":true}";
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &own, T0 + 2 * MIN), 0);

	cr_assert_eq(fl_store_outbox_claim(s, T0 + 3 * MIN, &r), 0);
	cr_expect_str_eq(r->key, "INC-1:open:duty");
	cr_expect_str_eq(r->incident_json, shown.p);
	fl_store_outbox_row_free(r);
	cr_assert_eq(fl_store_outbox_claim(s, T0 + 3 * MIN, &r), 0);
	cr_expect_str_eq(r->incident_json, "{\"mine\":true}", "a notice's own document wins");
	fl_store_outbox_row_free(r);
	fl_buf_free(&shown);
	fl_store_close(s);
}

STORE_TEST(store, lists_each_ticket_as_its_own_document_in_three_queries)
{
	struct fl_store *s = open_store();
	struct fl_ticket_new none = {.id = "INC-N", .level = "notice", .respond_ms = -1,
	                             .onsite_ms = -1, .repair_ms = -1, .opened_ns = T0 + 2 * MIN};
	struct fl_notice n1 = notice("INC-A:s0:sms:0:1"), n2 = notice("INC-A:s1:sms:0:1");
	struct fl_notice n3 = notice("INC-B:s0:sms:0:1");
	const char *order[] = {"INC-B", "INC-A", "INC-N"}; /* opened first first */
	struct fl_buf list, one;
	const char *at;

	open_ticket(s, "INC-A", T0 + MIN);
	open_ticket(s, "INC-B", T0);
	open_ticket(s, "INC-Z", T0 + 3 * MIN); /* archived: not listed */
	cr_assert_eq(fl_store_incident_open(s, &none), 0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-A", &n1, T0 + MIN), 0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-A", &n2, T0 + 2 * MIN), 0);
	cr_assert_eq(fl_store_notify_enqueue(s, "INC-B", &n3, T0), 0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-A", FL_TICKET_CLOCK_ONSITE, "no access", "li",
	                                  T0 + 2 * MIN),
	             0);
	cr_assert_eq(fl_store_transition(s, "INC-B", FL_TR_ACK, "wang", NULL, T0 + MIN, NULL, 0), 0);
	for (enum fl_transition tr = FL_TR_ACK; tr <= FL_TR_CLOSE; tr++)
		if (tr != FL_TR_DISPATCH && tr != FL_TR_ONSITE)
			cr_assert_eq(fl_store_transition(s, "INC-Z", tr, "wang", NULL,
			                                 T0 + 4 * MIN, NULL, 0),
			             0, "%s", fl_transition_name(tr));
	fl_buf_init(&list, 1 << 20);
	cr_assert_eq(fl_store_tickets_json(s, false, T0 + 10 * MIN, &list), 0);
	cr_expect(!strstr(list.p, "INC-Z"), "an archived ticket is not listed");
	at = list.p;
	for (size_t i = 0; i < 3; i++) {
		fl_buf_init(&one, 1 << 20);
		cr_assert_eq(fl_store_ticket_json(s, order[i], false, T0 + 10 * MIN, &one), 0);
		at = strstr(at, one.p);
		cr_expect_not_null(at, "%s as show writes it, in order:\n%s\n%s", order[i], one.p,
		                   list.p);
		at = at ? at + one.len : list.p;
		fl_buf_free(&one);
	}
	fl_buf_free(&list);
	fl_buf_init(&list, 1 << 20);
	cr_assert_eq(fl_store_tickets_json(s, true, T0 + 10 * MIN, &list), 0);
	cr_expect(strstr(list.p, "\"id\":\"INC-Z\""), "--all lists the archived one");
	fl_buf_free(&list);
	fl_store_close(s);
}

static int find_history(void *ctx, const struct fl_history_row *h)
{
	const char *what = ctx;

	return strcmp(h->what, what) == 0 ? 1 : 0;
}

/* A planned ticket whose window ended with the fault on: planned no more,
 * its paused clocks resume with deadlines moved by the pause. */
STORE_TEST(store, unplans_a_ticket_and_resumes_its_paused_clocks)
{
	struct fl_store *s = open_store();
	struct fl_ticket_new t = {.id = "INC-W", .level = "urgent", .is_planned = true,
	                          .respond_ms = 0, .onsite_ms = -1, .repair_ms = 2 * 3600 * 1000,
	                          .opened_ns = T0};
	struct fl_clock_info ci;
	struct fl_buf b;

	cr_assert_eq(fl_store_incident_open(s, &t), 0);
	open_ticket(s, "INC-U", T0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-W", FL_TICKET_CLOCK_RESPOND, "maintenance",
	                                  "faultline", T0),
	             0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-W", FL_TICKET_CLOCK_REPAIR, "maintenance",
	                                  "faultline", T0),
	             0);
	cr_expect_eq(fl_store_incident_unplan(s, "INC-U", "window MW-1 ended", T0), -EPERM,
	             "a ticket not planned");
	cr_expect_eq(fl_store_incident_unplan(s, "INC-404", "window MW-1 ended", T0), -ENOENT);
	cr_expect_eq(fl_store_incident_unplan(s, "INC-W", "", T0), -EINVAL);
	cr_assert_eq(fl_store_incident_unplan(s, "INC-W", "window MW-1 ended", T0 + 60 * MIN), 0);
	cr_assert_eq(fl_store_clock_get(s, "INC-W", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_RUNNING);
	cr_expect_eq(ci.deadline_ns, T0 + 60 * MIN, "moved by the hour paused");
	cr_expect_eq(ci.paused_ms, 3600 * 1000);
	cr_expect_eq(ci.pauses, 1);
	cr_assert_eq(fl_store_clock_get(s, "INC-W", FL_TICKET_CLOCK_REPAIR, &ci), 0);
	cr_expect_eq(ci.deadline_ns, T0 + 180 * MIN);
	cr_expect_eq(fl_store_history_each(s, "INC-W", find_history, (void *)"window MW-1 ended"),
	             1, "the history says the window ended");
	cr_expect_eq(fl_store_incident_unplan(s, "INC-W", "window MW-1 ended", T0), -EPERM,
	             "once");
	/* a clock a person paused for a reason of theirs is theirs to resume */
	t.id = "INC-P";
	cr_assert_eq(fl_store_incident_open(s, &t), 0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-P", FL_TICKET_CLOCK_RESPOND, FL_STORE_PAUSE_WINDOW,
	                                  "faultline", T0),
	             0);
	cr_assert_eq(fl_store_clock_pause(s, "INC-P", FL_TICKET_CLOCK_REPAIR, "no site access",
	                                  "li.wei", T0),
	             0);
	cr_assert_eq(fl_store_incident_unplan(s, "INC-P", "window MW-1 ended", T0 + 60 * MIN), 0);
	cr_assert_eq(fl_store_clock_get(s, "INC-P", FL_TICKET_CLOCK_RESPOND, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_RUNNING);
	cr_assert_eq(fl_store_clock_get(s, "INC-P", FL_TICKET_CLOCK_REPAIR, &ci), 0);
	cr_expect_eq(ci.state, FL_CLOCK_ST_PAUSED, "paused by a person: still paused");
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-W", false, T0, &b), 0);
	cr_expect(strstr(b.p, "\"planned\":false"), "%s", b.p);
	fl_buf_free(&b);
	fl_store_close(s);
}

struct places_seen {
	char text[512];
	size_t n;
};

static int collect_place(void *ctx, const struct fl_ticket_place *p)
{
	struct places_seen *ps = ctx;
	size_t len = strlen(ps->text);

	snprintf(ps->text + len, sizeof(ps->text) - len, "%s%s %s", ps->n ? "; " : "", p->kind,
	         p->id);
	ps->n++;
	return 0;
}

/* A duct cut is one ticket over two spans: the store keeps both, in the
 * order they joined, once each, and show lists them. */
STORE_TEST(store, keeps_every_place_of_a_ticket_once_in_the_order_they_joined)
{
	struct fl_store *s = open_store();
	struct fl_ticket_place a = {.kind = "span", .id = "SPAN-NN-LZ-01", .joined_ns = T0,
	                            .evidence = "both ends"};
	struct fl_ticket_place b = {.kind = "span", .id = "SPAN-NN-LZ-02", .joined_ns = T0 + MIN,
	                            .evidence = "both ends of spans in one duct"};
	struct fl_ticket_place bad = {.kind = "ring", .id = "R1", .joined_ns = T0};
	struct places_seen seen = {.n = 0};
	struct fl_buf doc;

	open_ticket(s, "INC-1", T0);
	cr_expect_eq(fl_store_place_add(s, "INC-1", &b), 0);
	cr_expect_eq(fl_store_place_add(s, "INC-1", &a), 0);
	cr_expect_eq(fl_store_place_add(s, "INC-1", &a), 1, "known already");
	cr_expect_eq(fl_store_place_add(s, "INC-1", &bad), -EINVAL);
	cr_assert_eq(fl_store_places_each(s, "INC-1", collect_place, &seen), 0);
	cr_expect_eq(seen.n, 2);
	cr_expect_str_eq(seen.text, "span SPAN-NN-LZ-01; span SPAN-NN-LZ-02");
	fl_buf_init(&doc, 1 << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-1", true, T0 + 2 * MIN, &doc), 0);
	cr_expect_not_null(strstr(doc.p, "\"places\":[{\"kind\":\"span\",\"id\":\"SPAN-NN-LZ-01\""),
	                   "%s", doc.p);
	cr_expect_not_null(strstr(doc.p, "place: span SPAN-NN-LZ-02"), "a history row: %s", doc.p);
	fl_buf_free(&doc);
	cr_expect_eq(fl_store_incident_reassign(s, "INC-1", "site_down", "HC-FS", T0 + MIN), 0);
	cr_expect_eq(fl_store_incident_reassign(s, "INC-9", "site_down", NULL, T0 + MIN), -ENOENT);
	fl_store_close(s);
}

/* A ticket written by the engine before places existed keeps the one place
 * its row names. */
Test(store, migrates_a_version_3_file_giving_each_ticket_its_place)
{
	struct fl_store *s = open_store();
	struct places_seen seen = {.n = 0};
	sqlite3 *db;

	open_ticket(s, "INC-1", T0);
	fl_store_close(s);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "DROP TABLE places;"
	                              " DROP INDEX tickets_seq; ALTER TABLE tickets DROP COLUMN seq; DROP TABLE ticket_seq;"
	                              " DELETE FROM schema_version WHERE version > 3",
	                          NULL, NULL, NULL),
	             SQLITE_OK);
	sqlite3_close(db);
	s = open_store();
	cr_expect_eq(fl_store_version_at_open(s), 3);
	cr_assert_eq(fl_store_places_each(s, "INC-1", collect_place, &seen), 0);
	cr_expect_str_eq(seen.text, "span SPAN-NN-LZ-01");
	fl_store_close(s);
}
