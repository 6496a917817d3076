/* The store sink when the store cannot write: another connection holding
 * the write lock past the busy timeout, a full database. Nothing located is
 * lost: the failure is logged at once with its ticket and the store's
 * message, the actions are held in order and written once the store
 * writes again; a record the store refuses for itself is given up alone. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/correlate/correlate.h"
#include "engine/pipeline/sink_store.h"
#include "engine/store/store.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define T0 1795572137000000000LL /* 2026-11-25T02:02:17Z */
#define SEC 1000000000LL

struct rx {
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_store *store;
	struct fl_sink *sink;
	FILE *log;
	char db[64];
	struct fl_incident inc[3];
};

/* The connection the store opened, caught as SQLite opens it: the test
 * fills the database up through it (max_page_count is a connection's). */
static sqlite3 *store_db;

static int catch_connection(sqlite3 *db, const char **err, const void *api)
{
	(void)err;
	(void)api;
	if (!store_db)
		store_db = db;
	return SQLITE_OK;
}

static void rx_open(struct rx *x, bool is_threaded, bool catch_db)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char plan[4096], data[4096], err[256];
	struct fl_plan_options opt = {0};
	struct fl_sink_opts so = {.drain_ms = 20000};
	struct fl_diags *d;
	int fd;

	snprintf(plan, sizeof(plan), "%s/rules/test-product.plan", root);
	snprintf(data, sizeof(data), "%s/data", shared);
	opt.data_dir = data;
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile(&x->plan, plan, &opt, d), 0, "the test plan compiles");
	fl_diags_destroy(d);
	x->prog = fl_plan_program(x->plan);
	snprintf(x->db, sizeof(x->db), "/tmp/fl-sink-retry-XXXXXX");
	fd = mkstemp(x->db);
	cr_assert(fd >= 0);
	close(fd);
	unlink(x->db);
	store_db = NULL;
	if (catch_db)
		cr_assert_eq(sqlite3_auto_extension((void (*)(void))catch_connection), SQLITE_OK);
	cr_assert_eq(fl_store_open(&x->store, x->db, err, sizeof(err)), 0, "%s", err);
	sqlite3_reset_auto_extension();
	fl_store_busy_timeout(x->store, 50); /* the lock test waits 50 ms, not 5 s */
	x->log = tmpfile();
	cr_assert_not_null(x->log);
	so.log = x->log;
	cr_assert_eq(fl_sink_create(&x->sink, x->prog, x->store, &so), 0);
	if (is_threaded)
		cr_assert_eq(fl_sink_start(x->sink), 0);
	for (int i = 0; i < 3; i++) {
		struct fl_incident *inc = &x->inc[i];

		memset(inc, 0, sizeof(*inc));
		inc->id = 7 + (uint64_t)i;
		inc->source_name = "fibre_cut";
		inc->level = 0; /* urgent */
		snprintf(inc->title, sizeof(inc->title), "光缆中断 HC-YZ-R01-S0%d", 2 + i);
		snprintf(inc->key, sizeof(inc->key), "HC-YZ-R01-S0%d", 2 + i);
		inc->loc_class = 1;
		inc->first_ns = inc->last_ns = T0;
		inc->count = 2;
	}
}

static void rx_close(struct rx *x)
{
	char p[80];

	fl_sink_destroy(x->sink);
	fl_store_close(x->store);
	fl_plan_destroy(x->plan);
	if (x->log)
		fclose(x->log);
	unlink(x->db);
	snprintf(p, sizeof(p), "%s-wal", x->db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", x->db);
	unlink(p);
}

/* What the sink logged so far. */
static const char *rx_log(struct rx *x, char *buf, size_t size)
{
	size_t n;

	fflush(x->log);
	rewind(x->log);
	n = fread(buf, 1, size - 1, x->log);
	buf[n] = '\0';
	fseek(x->log, 0, SEEK_END);
	return buf;
}

static long long count(const struct rx *x, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	cr_assert_eq(sqlite3_open(x->db, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *const duty[] = {"王工 <13800002112>", "李工 <13800002113>"};

typedef int put_fn(struct fl_sink *s, const struct fl_action *a);

/* The actions of one located fault: its open, five alarms absorbed, the
 * first step's two pages; put: fl_sink_write, or fl_sink_push (threaded). */
static void fault(struct rx *x, int i, int64_t at_ns, put_fn *put)
{
	struct fl_incident *inc = &x->inc[i];
	struct fl_action open = {.type = FL_ACTION_OPEN, .at_ns = at_ns, .incident = inc,
				 .step = FL_PROG_NONE};
	struct fl_action absorb = {.type = FL_ACTION_ABSORB, .at_ns = at_ns + SEC,
				   .incident = inc, .step = FL_PROG_NONE};
	struct fl_action page = {.type = FL_ACTION_NOTIFY, .at_ns = at_ns + SEC, .incident = inc,
				 .step = 0, .channel = "sms", .role = "duty_room", .to = duty,
				 .n_to = 2};

	inc->absorbed = 0;
	cr_assert_eq(put(x->sink, &open), 0);
	inc->absorbed = 5;
	cr_assert_eq(put(x->sink, &absorb), 0);
	cr_assert_eq(put(x->sink, &page), 0);
}

static void hold_lock(const struct rx *x, sqlite3 **holder)
{
	cr_assert_eq(sqlite3_open(x->db, holder), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(*holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
}

static void release_lock(sqlite3 *holder)
{
	cr_assert_eq(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(holder);
}

/* Both faults' tickets, their absorbed alarms once each, their four pages
 * and the step taken, exactly once. */
static void expect_both_faults_written(const struct rx *x)
{
	cr_expect_eq(count(x, "SELECT count(*) FROM tickets"), 2);
	/* numbered in the order written: the lost tries gave their numbers back */
	cr_expect_eq(count(x, "SELECT count(*) FROM tickets WHERE id = 'INC-2026-000001'"
			      " AND key = 'HC-YZ-R01-S02'"), 1);
	cr_expect_eq(count(x, "SELECT count(*) FROM tickets WHERE id = 'INC-2026-000002'"
			      " AND key = 'HC-YZ-R01-S03'"), 1);
	cr_expect_eq(count(x, "SELECT sum(alarms) FROM tickets"), 12, "1 + 5 alarms each");
	cr_expect_eq(count(x, "SELECT count(*) FROM outbox"), 4);
	cr_expect_eq(count(x, "SELECT count(*) FROM steps"), 2);
}

TestSuite(sink_retry, .timeout = 60);

/* A backup, or an operator's sqlite3 shell, holds the write lock past the
 * busy timeout while two faults come in, one after the other. */
Test(sink_retry, writes_every_ticket_and_page_once_a_held_write_lock_is_released)
{
	struct fl_sink_stats st;
	struct rx x;
	sqlite3 *holder;
	char log[4096];

	rx_open(&x, false, false);
	hold_lock(&x, &holder);
	fault(&x, 0, T0, fl_sink_write);
	rx_log(&x, log, sizeof(log));
	cr_expect(strstr(log, "cannot write the open of a new ticket (incident 7)"),
		  "the failure is told at once, with its ticket: %s", log);
	cr_expect(strstr(log, "database is locked"), "with the store's message: %s", log);
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets"), 0);
	fault(&x, 1, T0 + 2 * SEC, fl_sink_write); /* the engine goes on meanwhile */
	fl_sink_stats(x.sink, &st);
	cr_expect_eq(st.held, 6, "%llu actions held", (unsigned long long)st.held);
	cr_expect_geq(st.errors, 1);
	cr_expect_eq(st.given_up, 0);
	release_lock(holder);

	cr_expect_eq(fl_sink_sync(x.sink), 0, "%s", fl_sink_errmsg(x.sink));
	expect_both_faults_written(&x);
	fl_sink_stats(x.sink, &st);
	cr_expect_eq(st.held, 0);
	cr_expect_eq(st.given_up, 0);
	cr_expect_geq(st.retries, 1);
	cr_expect_eq(st.opened, 2, "each ticket counted once: %llu", (unsigned long long)st.opened);
	cr_expect_eq(st.notices, 4, "each page counted once: %llu", (unsigned long long)st.notices);
	rx_log(&x, log, sizeof(log));
	cr_expect(strstr(log, "writes again after"), "the recovery is told: %s", log);
	rx_close(&x);
}

/* The same on the store thread: it keeps taking actions from the engine
 * while it waits, and tries again on its own. */
Test(sink_retry, holds_on_the_store_thread_and_writes_when_the_lock_goes)
{
	struct fl_sink_stats st = {0};
	struct rx x;
	sqlite3 *holder;

	rx_open(&x, true, false);
	hold_lock(&x, &holder);
	fault(&x, 0, T0, fl_sink_push);
	fault(&x, 1, T0 + 2 * SEC, fl_sink_push);
	for (int i = 0; i < 2000 && st.held < 6; i++) {
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
		fl_sink_stats(x.sink, &st);
	}
	cr_expect_eq(st.held, 6, "%llu actions held", (unsigned long long)st.held);
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets"), 0);
	release_lock(holder);
	for (int i = 0; i < 2000 && count(&x, "SELECT count(*) FROM outbox") < 4; i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	expect_both_faults_written(&x);
	fl_sink_stop(x.sink);
	fl_sink_stats(x.sink, &st);
	cr_expect_eq(st.held, 0);
	cr_expect_eq(st.given_up, 0);
	cr_expect_geq(st.retries, 1);
	rx_close(&x);
}

/* The disk is full: SQLite's max_page_count on the store's own connection
 * stops the file growing as a full disk would. */
Test(sink_retry, logs_a_full_store_at_once_and_writes_the_ticket_once_there_is_room)
{
	struct fl_sink_stats st;
	struct rx x;
	char log[4096], sql[96];
	long long pages;

	rx_open(&x, false, true);
	cr_assert_not_null(store_db, "the store's connection");
	pages = count(&x, "PRAGMA page_count");
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", pages);
	cr_assert_eq(sqlite3_exec(store_db, sql, NULL, NULL, NULL), SQLITE_OK);
	/* a storm of faults until the file would have to grow */
	st.held = 0;
	for (int i = 0; i < 5000 && st.held == 0; i++) {
		x.inc[2].id = 100 + (uint64_t)i;
		struct fl_action open = {.type = FL_ACTION_OPEN, .at_ns = T0, .incident = &x.inc[2],
					 .step = FL_PROG_NONE};

		cr_assert_eq(fl_sink_write(x.sink, &open), 0);
		fl_sink_stats(x.sink, &st);
	}
	cr_assert_gt(st.held, 0, "the store never filled up");
	rx_log(&x, log, sizeof(log));
	cr_expect(strstr(log, "cannot write the open of a new ticket (incident "),
		  "the failure is told at once, with its ticket: %s", log);
	cr_expect(strstr(log, "database or disk is full"), "with the store's message: %s", log);
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets WHERE key = 'HC-YZ-R01-S02'"), 0);
	fault(&x, 0, T0, fl_sink_write); /* held behind the storm */
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets WHERE key = 'HC-YZ-R01-S02'"), 0);

	cr_assert_eq(sqlite3_exec(store_db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL),
		     SQLITE_OK); /* room again */
	fault(&x, 1, T0 + 2 * SEC, fl_sink_write);
	cr_expect_eq(fl_sink_sync(x.sink), 0, "%s", fl_sink_errmsg(x.sink));
	fl_sink_stats(x.sink, &st);
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets"), (long long)st.opened,
		     "every ticket of the storm");
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets WHERE key = 'HC-YZ-R01-S02'"), 1);
	cr_expect_eq(count(&x, "SELECT count(*) FROM outbox"), 4);
	cr_expect_eq(st.held, 0);
	cr_expect_eq(st.given_up, 0);
	rx_close(&x);
}

/* An action the store refuses for itself (the clear of a resumed ticket
 * that is no longer in the store) would fail at every try: it alone is
 * given up, told, and the rest of its batch is written. */
Test(sink_retry, gives_up_a_refused_action_alone_and_writes_the_rest_of_its_batch)
{
	struct fl_sink_stats st;
	struct rx x;
	char log[4096];
	struct fl_action clear = {.type = FL_ACTION_CLEAR, .at_ns = T0 + SEC,
				  .incident = NULL, .step = FL_PROG_NONE};

	rx_open(&x, false, false);
	x.inc[2].ticket = "INC-GONE";
	clear.incident = &x.inc[2];
	fault(&x, 0, T0, fl_sink_write);
	cr_assert_eq(fl_sink_write(x.sink, &clear), 0);
	fault(&x, 1, T0 + 2 * SEC, fl_sink_write);
	cr_expect_eq(fl_sink_sync(x.sink), 0, "%s", fl_sink_errmsg(x.sink));
	expect_both_faults_written(&x);
	fl_sink_stats(x.sink, &st);
	cr_expect_eq(st.given_up, 1);
	cr_expect_eq(st.held, 0);
	rx_log(&x, log, sizeof(log));
	cr_expect(strstr(log, "gave up the clear of ticket INC-GONE (incident 9)"), "%s", log);
	rx_close(&x);
}

/* Past its cap of held actions the newest is given up: counted and told,
 * never silent; what was held before is written. */
Test(sink_retry, counts_and_tells_what_overflows_the_held_actions)
{
	struct fl_sink_stats st;
	struct fl_sink_opts so = {.drain_ms = 20000, .held_max = 2};
	struct rx x;
	sqlite3 *holder;
	char log[8192];

	rx_open(&x, false, false);
	fl_sink_destroy(x.sink);
	so.log = x.log;
	cr_assert_eq(fl_sink_create(&x.sink, x.prog, x.store, &so), 0);
	hold_lock(&x, &holder);
	fault(&x, 0, T0, fl_sink_write); /* 3 held */
	{
		struct fl_action open = {.type = FL_ACTION_OPEN, .at_ns = T0 + 3 * SEC,
					 .incident = &x.inc[1], .step = FL_PROG_NONE};
		struct fl_action more = {.type = FL_ACTION_UPDATE, .at_ns = T0 + 4 * SEC,
					 .incident = &x.inc[0], .step = FL_PROG_NONE};
		int rc = 0;

		/* the ring holds the failed batch and two more; the held
		 * count is what waits beyond the batch being written, and
		 * the batch written when it failed is held too */
		for (int i = 0; i < 600 && rc == 0; i++)
			rc = fl_sink_write(x.sink, &more);
		cr_expect_eq(rc, -ENOBUFS, "refused once the held actions are at their cap");
		cr_expect_eq(fl_sink_write(x.sink, &open), -ENOBUFS);
	}
	fl_sink_stats(x.sink, &st);
	cr_expect_geq(st.given_up, 2);
	rx_log(&x, log, sizeof(log));
	cr_expect(strstr(log, "gave up the open of a new ticket (incident 8): too many"),
		  "%s", log);
	release_lock(holder);
	cr_expect_eq(fl_sink_sync(x.sink), 0, "%s", fl_sink_errmsg(x.sink));
	cr_expect_eq(count(&x, "SELECT count(*) FROM tickets WHERE key = 'HC-YZ-R01-S02'"), 1,
		     "what was held is written");
	cr_expect_eq(count(&x, "SELECT count(*) FROM outbox"), 2);
	rx_close(&x);
}
