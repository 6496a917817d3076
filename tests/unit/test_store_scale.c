/* The store at its caps and on disk: the statements a list, a resume or a
 * ticket's change runs read each ticket by its key (checked with EXPLAIN
 * QUERY PLAN on the very statements the store prepared), schema 5 comes
 * from a version 4 file, the files are the owner's alone, and a current
 * store opens while another process holds its write lock. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/store/store.h"

#define T0 1764000000000000000LL /* 2025-11-24T16:00:00Z */
#define MIN_NS (60LL * 1000000000)

static char dir[64];
static char path[96];

static void setup(void)
{
	strcpy(dir, "/tmp/fl-store-scale-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
}

static void teardown(void)
{
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
	char p[160];

	sqlite3_reset_auto_extension();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
}

static struct fl_store *open_store(void)
{
	struct fl_store *s = NULL;
	char err[256] = "";

	cr_assert_eq(fl_store_open(&s, path, err, sizeof(err)), 0, "%s", err);
	return s;
}

static void open_ticket(struct fl_store *s, const char *id, int64_t at_ns)
{
	struct fl_ticket_new t = {
		.id = id, .rule = "fibre_cut", .key = id, .level = "urgent",
		.title = "南宁-柳州 光缆中断", .loc = {.span = "SPAN-NN-LZ-01", .loc_class = "city"},
		.respond_ms = 15 * 60 * 1000, .onsite_ms = 120 * 60 * 1000,
		.repair_ms = 120 * 60 * 1000, .opened_ns = at_ns};
	struct fl_notice n = {.key = NULL, .channel = "sms", .role = "duty operator",
			      .address = "13800002112", .subject = "光缆中断", .body = "光缆中断"};
	char key[96];

	cr_assert_eq(fl_store_incident_open(s, &t), 0, "%s", fl_store_errmsg(s));
	snprintf(key, sizeof(key), "%s:s0:sms:0:13800002112", id);
	n.key = key;
	cr_assert_eq(fl_store_notify_enqueue(s, id, &n, at_ns), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_store_step_taken(s, id, 0, at_ns), 0);
}

/* ---- the statements the store runs, caught as it prepares them ----------- */

#define SEEN_MAX 256
static struct {
	bool is_on;
	char *sql[SEEN_MAX];
	size_t n;
} seen;

static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)ctx;
	(void)x;
	if (!seen.is_on || !sql || seen.n == SEEN_MAX)
		return 0;
	for (size_t i = 0; i < seen.n; i++)
		if (strcmp(seen.sql[i], sql) == 0)
			return 0;
	seen.sql[seen.n++] = strdup(sql);
	return 0;
}

/* Every connection opened from now on (the store's) reports each statement
 * it runs: the test sees the store's own SQL without reaching inside it. */
static int watch_connection(sqlite3 *db, const char **err, const void *api)
{
	(void)err;
	(void)api;
	sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_stmt, NULL);
	return SQLITE_OK;
}

static void seen_start(void)
{
	for (size_t i = 0; i < seen.n; i++)
		free(seen.sql[i]);
	seen.n = 0;
	seen.is_on = true;
}

/* The query plan's lines of sql, one per row, in plan. */
static void explain(const char *sql, char *plan, size_t size)
{
	char q[8192];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t len = 0;

	plan[0] = '\0';
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW && len + 1 < size)
		len += (size_t)snprintf(plan + len, size - len, "%s\n",
					(const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Every line of the plan that reads a table or an index either reads by a
 * key (ticket=? or id=?) or is one of the walks allowed; returns the count of
 * allowed walks seen, fails the test on any other SCAN or a keyless SEARCH.
 * A walk (walks not NULL) must also come in its order, with no sort; one
 * ticket's few rows may be sorted. */
static int check_plan(const char *sql, const char *plan, const char *const *walks)
{
	const char *line = plan;
	int walks_seen = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char row[512];
		bool is_walk = false;

		snprintf(row, sizeof(row), "%.*s", (int)len, line);
		for (size_t w = 0; walks && walks[w]; w++)
			is_walk |= strcmp(row, walks[w]) == 0;
		if (is_walk)
			walks_seen++;
		else if (strncmp(row, "SCAN ", 5) == 0)
			cr_expect_fail("a walk over a table: '%s' in\n%s", row, sql);
		else if (strncmp(row, "SEARCH ", 7) == 0)
			cr_expect(strstr(row, "(ticket=?") || strstr(row, "(id=?") ||
					  strstr(row, "(rowid=?"),
				  "not by the ticket's key: '%s' in\n%s", row, sql);
		cr_expect(!walks || !strstr(row, "TEMP B-TREE"), "a sort: '%s' in\n%s", row, sql);
		line = end ? end + 1 : line + len;
	}
	return walks_seen;
}

static int ignore_ticket(void *ctx, const struct fl_ticket_summary *t)
{
	(*(int *)ctx)++;
	(void)t;
	return 0;
}

TestSuite(store_plan, .init = setup, .fini = teardown);

Test(store_plan, lists_the_open_tickets_in_order_reading_each_ones_rows_by_its_key)
{
	static const char *const walk[] = {"SCAN t USING INDEX tickets_live", NULL};
	struct fl_store *s;
	char plan[4096];
	int n = 0, walks = 0;

	cr_assert_eq(sqlite3_auto_extension((void (*)(void))watch_connection), SQLITE_OK);
	s = open_store();
	for (int i = 0; i < 50; i++) {
		char id[32];

		snprintf(id, sizeof(id), "INC-%03d", i);
		open_ticket(s, id, T0 + i * MIN_NS);
	}
	seen_start();
	cr_assert_eq(fl_store_tickets_each(s, false, ignore_ticket, &n), 0);
	cr_expect_eq(n, 50);
	cr_assert_gt(seen.n, 0, "no statement seen");
	for (size_t i = 0; i < seen.n; i++) {
		explain(seen.sql[i], plan, sizeof(plan));
		walks += check_plan(seen.sql[i], plan, walk);
	}
	cr_expect_eq(walks, 1, "one walk, over the tickets not archived in their order");
	fl_store_close(s);
}

/* What a restarted engine reads per ticket (its steps), what `tickets show`
 * reads, and the changes made to one ticket's clocks: all by its key. */
Test(store_plan, reads_and_changes_one_ticket_by_its_key)
{
	struct fl_store *s;
	struct fl_buf doc;
	uint32_t steps[8];
	size_t n_steps = 0;
	char plan[4096], msg[128];
	int n = 0;

	cr_assert_eq(sqlite3_auto_extension((void (*)(void))watch_connection), SQLITE_OK);
	s = open_store();
	for (int i = 0; i < 20; i++) {
		char id[32];

		snprintf(id, sizeof(id), "INC-%03d", i);
		open_ticket(s, id, T0 + i * MIN_NS);
	}
	seen_start();
	cr_assert_eq(fl_store_steps_taken(s, "INC-007", steps, 8, &n_steps), 0);
	cr_expect_eq(n_steps, 1);
	cr_assert_eq(fl_store_ticket_summary(s, "INC-007", ignore_ticket, &n), 0);
	cr_expect_eq(n, 1);
	cr_expect_eq(fl_store_ticket_summary(s, "INC-999", ignore_ticket, &n), -ENOENT);
	fl_buf_init(&doc, 1u << 20);
	cr_assert_eq(fl_store_ticket_json(s, "INC-007", true, T0, &doc), 0);
	fl_buf_free(&doc);
	cr_assert_eq(fl_store_clock_pause(s, "INC-007", FL_TICKET_CLOCK_REPAIR, "no access",
					  "王工", T0 + MIN_NS),
		     0);
	cr_assert_eq(fl_store_clocks_stop_paused(s, "INC-007", NULL, T0 + 2 * MIN_NS), 0);
	cr_assert_eq(fl_store_transition(s, "INC-008", FL_TR_ACK, "王工", NULL, T0 + MIN_NS, msg,
					 sizeof(msg)),
		     0, "%s", msg);
	cr_assert_eq(fl_store_transition(s, "INC-008", FL_TR_RESTORE, "王工", NULL,
					 T0 + 200 * MIN_NS, msg, sizeof(msg)),
		     0, "%s", msg);
	cr_assert_gt(seen.n, 5);
	for (size_t i = 0; i < seen.n; i++) {
		explain(seen.sql[i], plan, sizeof(plan));
		check_plan(seen.sql[i], plan, NULL);
	}
	fl_store_close(s);
}

/* ---- schema 5 --------------------------------------------------------------- */

static int count_rows(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

TestSuite(store_schema5, .init = setup, .fini = teardown);

/* A version 4 file as it shipped: the same tables, no index by a ticket's
 * clocks and none of the tickets not archived. */
Test(store_schema5, migrates_a_version_4_file_and_lists_its_tickets)
{
	struct fl_store *s = open_store();
	sqlite3 *db;
	int n = 0;

	open_ticket(s, "INC-1", T0);
	open_ticket(s, "INC-2", T0 + MIN_NS);
	fl_store_close(s);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db,
				  "DROP INDEX IF EXISTS clocks_ticket;"
				  " DROP INDEX IF EXISTS tickets_live;"
				  " DROP INDEX tickets_seq; ALTER TABLE tickets DROP COLUMN seq; DROP TABLE ticket_seq;"
				  " DELETE FROM schema_version WHERE version > 4",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);

	s = open_store();
	cr_expect_eq(fl_store_version_at_open(s), 4);
	cr_assert_eq(fl_store_tickets_each(s, false, ignore_ticket, &n), 0);
	cr_expect_eq(n, 2, "the version 4 file's tickets");
	fl_store_close(s);
	cr_expect_eq(count_rows("SELECT count(*) FROM sqlite_master WHERE type = 'index'"
				" AND name IN ('clocks_ticket', 'tickets_live')"),
		     2, "version 5's indexes");
	cr_expect_eq(count_rows("SELECT max(version) FROM schema_version"),
		     FL_STORE_SCHEMA_VERSION);
	s = open_store();
	cr_expect_eq(fl_store_version_at_open(s), FL_STORE_SCHEMA_VERSION);
	fl_store_close(s);
}

/* ---- the files ---------------------------------------------------------------- */

static unsigned mode_of(const char *suffix)
{
	char p[160];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	cr_assert_eq(stat(p, &st), 0, "%s: %s", p, strerror(errno));
	return (unsigned)(st.st_mode & 07777);
}

static void expect_private_after_a_write(mode_t mask)
{
	struct fl_store *s;

	umask(mask);
	s = open_store();
	open_ticket(s, "INC-1", T0); /* the WAL and SHM exist while it is open */
	cr_expect_eq(mode_of(""), 0600u, "umask %03o: the store is %03o", (unsigned)mask,
		     mode_of(""));
	cr_expect_eq(mode_of("-wal"), 0600u, "umask %03o: its WAL is %03o", (unsigned)mask,
		     mode_of("-wal"));
	cr_expect_eq(mode_of("-shm"), 0600u, "umask %03o: its SHM is %03o", (unsigned)mask,
		     mode_of("-shm"));
	fl_store_close(s);
}

TestSuite(store_files, .init = setup, .fini = teardown);

Test(store_files, creates_the_store_its_wal_and_shm_for_the_owner_alone)
{
	expect_private_after_a_write(022);
}

Test(store_files, creates_them_for_the_owner_alone_under_an_open_umask)
{
	expect_private_after_a_write(0);
}

Test(store_files, takes_the_bits_for_others_off_an_existing_store)
{
	struct fl_store *s = open_store();

	fl_store_close(s);
	cr_assert_eq(chmod(path, 0644), 0);
	s = open_store();
	open_ticket(s, "INC-1", T0);
	cr_expect_eq(mode_of(""), 0640u, "kept for its group, not for others: %03o", mode_of(""));
	cr_expect_eq(mode_of("-wal") & 07, 0u, "its WAL is %03o", mode_of("-wal"));
	fl_store_close(s);
}

/* A backup, or an operator's sqlite3 shell, holds the write lock: a store
 * at the current version opens at once, and reads. */
Test(store_files, opens_a_current_store_while_another_holds_its_write_lock, .timeout = 30)
{
	struct fl_store *s = open_store();
	sqlite3 *holder;
	int n = 0;

	open_ticket(s, "INC-1", T0);
	fl_store_close(s);
	cr_assert_eq(sqlite3_open(path, &holder), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	s = open_store();
	cr_expect_eq(fl_store_tickets_each(s, false, ignore_ticket, &n), 0);
	cr_expect_eq(n, 1);
	fl_store_close(s);
	sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(holder);
}
