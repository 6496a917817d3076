/* store_sqlite.c - the store's SQLite backend: a database file, WAL, a busy
 * timeout, foreign keys on (store_int.h's backend layer). The SQL arrives in
 * SQLite's own dialect; the one clause it lacks, a row lock (FOR UPDATE SKIP
 * LOCKED), is dropped: a SQLite write transaction locks the whole file. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/limits.h"
#include "engine/store/store_int.h"

struct sqlite_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
};

#define ROW_LOCK " FOR UPDATE SKIP LOCKED"

static sqlite3_stmt *raw(struct store_stmt *st)
{
	return ((struct sqlite_stmt *)st)->st;
}

static int lite_fail(struct fl_store *s, int rc)
{
	snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
	return rc;
}

static int lite_prepare(struct fl_store *s, const char *sql, struct store_stmt **out)
{
	const char *lock = strstr(sql, ROW_LOCK);
	struct sqlite_stmt *st;
	char *plain = NULL;
	int rc;

	if (lock) { /* the clause is only ever at the end of a claim */
		plain = strndup(sql, (size_t)(lock - sql));
		if (!plain)
			return SQLITE_NOMEM;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(plain);
		return SQLITE_NOMEM;
	}
	rc = sqlite3_prepare_v2(s->db, plain ? plain : sql, -1, &st->st, NULL);
	free(plain);
	if (rc != SQLITE_OK) {
		free(st);
		return lite_fail(s, rc);
	}
	st->base.ops = &store_sqlite_ops;
	st->base.s = s;
	*out = &st->base;
	return SQLITE_OK;
}

static int lite_exec(struct fl_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? rc : lite_fail(s, rc);
}

static int64_t lite_changes(struct fl_store *s)
{
	return sqlite3_changes(s->db);
}

static bool lite_in_txn(struct fl_store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

static int lite_table_exists(struct fl_store *s, const char *table, bool *out)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type='table'"
	                               " AND name=?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return lite_fail(s, rc);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0) > 0;
	else
		lite_fail(s, rc);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void lite_busy_timeout(struct fl_store *s, int timeout_ms)
{
	sqlite3_busy_timeout(s->db, timeout_ms);
}

static void lite_close(struct fl_store *s)
{
	sqlite3_close(s->db);
	s->db = NULL;
}

static void lite_finalize(struct store_stmt *st)
{
	sqlite3_finalize(raw(st));
	free(st);
}

static void lite_reset(struct store_stmt *st)
{
	sqlite3_reset(raw(st));
}

static void lite_clear(struct store_stmt *st)
{
	sqlite3_clear_bindings(raw(st));
}

static void lite_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(raw(st), i, v);
}

static void lite_bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(raw(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(raw(st), i);
}

static void lite_bind_null(struct store_stmt *st, int i)
{
	sqlite3_bind_null(raw(st), i);
}

static int lite_step(struct store_stmt *st)
{
	int rc = sqlite3_step(raw(st));

	return rc == SQLITE_ROW || rc == SQLITE_DONE ? rc : lite_fail(st->s, rc);
}

static bool lite_col_is_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(raw(st), i) == SQLITE_NULL;
}

static int64_t lite_col_int64(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(raw(st), i);
}

static double lite_col_double(struct store_stmt *st, int i)
{
	return sqlite3_column_double(raw(st), i);
}

static const char *lite_col_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(raw(st), i);
}

const struct store_db_ops store_sqlite_ops = {
	.name = "sqlite",
	.begin_rows_sql = "BEGIN IMMEDIATE",
	.prepare = lite_prepare,
	.exec = lite_exec,
	.changes = lite_changes,
	.in_txn = lite_in_txn,
	.table_exists = lite_table_exists,
	.busy_timeout = lite_busy_timeout,
	.close = lite_close,
	.finalize = lite_finalize,
	.reset = lite_reset,
	.clear = lite_clear,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.col_is_null = lite_col_is_null,
	.col_int64 = lite_col_int64,
	.col_double = lite_col_double,
	.col_text = lite_col_text,
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Switching a new file to WAL upgrades the pragma's read transaction to a
 * write one, and SQLite answers SQLITE_BUSY at once there instead of
 * calling the busy handler (two engines creating one store together saw
 * "database is locked"). So the wait is ours: retried for as long as the
 * busy timeout would have waited. A file already in WAL costs one read. */
static int lite_journal_wal(struct fl_store *s)
{
	int64_t deadline = monotonic_ms() + FL_STORE_BUSY_TIMEOUT_MS;
	int rc;

	for (;;) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY || monotonic_ms() >= deadline)
			break;
		sqlite3_sleep(5);
	}
	return rc == SQLITE_OK ? rc : lite_fail(s, rc);
}

int store_sqlite_connect(struct fl_store *s, const char *path, bool may_create)
{
	int rc;

	s->ops = &store_sqlite_ops;
	rc = sqlite3_open_v2(path, &s->db,
	                     SQLITE_OPEN_READWRITE | (may_create ? SQLITE_OPEN_CREATE : 0), NULL);
	if (rc != SQLITE_OK)
		return s->db ? lite_fail(s, rc) : SQLITE_NOMEM;
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, FL_STORE_BUSY_TIMEOUT_MS);
	/* WAL: readers (tickets list) never block the writer (the engine).
	 * synchronous=NORMAL in WAL keeps every commit atomic and durable
	 * against a process kill; only an OS crash may lose the last commits. */
	rc = lite_journal_wal(s);
	if (rc != SQLITE_OK)
		return rc;
	return lite_exec(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}
