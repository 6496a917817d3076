/* store_tmp.h - a ticket store in a temporary directory of its own, for the
 * store's unit tests: `dir` and `path` (DIR/t.db) are set by
 * store_tmp_setup(), every file SQLite made there is removed by
 * store_tmp_teardown() (which fails the test if anything else is left), and
 * open_store() opens the file or fails the test.
 *
 * The same tests on PostgreSQL: STORE_SUITES(suite, setup, teardown)
 * declares the suite and its twin suite_pg, and STORE_TEST(suite, name)
 * one body run in both. In the twin, `path` is the URL of a schema of its
 * own in the database FL_TEST_PG_URL names (made before the test, dropped
 * after); without FL_TEST_PG_URL the twin is skipped and says so. `make
 * pgtest` (in `make test`) starts a PostgreSQL and sets it. */
#ifndef FL_TEST_STORE_TMP_H
#define FL_TEST_STORE_TMP_H
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/store/store.h"

static char dir[64];
static char path[512];
static char pg_schema[64];

/* template: a mkdtemp(3) template, "/tmp/fl-NAME-XXXXXX" */
static inline void store_tmp_setup(const char *template)
{
	snprintf(dir, sizeof(dir), "%s", template);
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
}

static inline void store_tmp_teardown(void)
{
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
	char p[160];

	if (!dir[0])
		return; /* already: a skipped test tears down before it skips */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
	dir[0] = '\0';
}

static inline struct fl_store *open_store(void)
{
	struct fl_store *s = NULL;
	char err[256] = "";

	cr_assert_eq(fl_store_open(&s, path, err, sizeof(err)), 0, "%s", err);
	return s;
}

static inline void pg_admin(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("FL_TEST_PG_URL"));
	PGresult *r;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/* After store_tmp_setup(): path becomes the URL of a fresh schema (each
 * test runs in a process of its own: the pid names it). */
static inline void store_tmp_pg_setup(void)
{
	const char *url = getenv("FL_TEST_PG_URL");
	char sql[256];

	if (!url || !url[0])
		return; /* the test skips itself */
	snprintf(pg_schema, sizeof(pg_schema), "fl_test_%d", (int)getpid());
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", pg_schema,
	         pg_schema);
	pg_admin(sql);
	cr_assert_lt((size_t)snprintf(path, sizeof(path), "%s%soptions=-csearch_path%%3D%s", url,
	                              strchr(url, '?') ? "&" : "?", pg_schema),
	             sizeof(path));
}

static inline void store_tmp_pg_teardown(void)
{
	char sql[256];

	if (!pg_schema[0])
		return;
	snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", pg_schema);
	pg_admin(sql);
}

static inline void store_tmp_pg_or_skip(void)
{
	const char *url = getenv("FL_TEST_PG_URL");

	if (!url || !url[0]) {
		store_tmp_teardown(); /* criterion runs no .fini after a skip */
		cr_skip_test("FL_TEST_PG_URL is not set: no PostgreSQL to run the store on"
		             " (make pgtest starts one)");
	}
}

#define STORE_SUITES(suite, init_fn, fini_fn)                          \
	static void suite##_pg_init(void)                              \
	{                                                              \
		init_fn();                                             \
		store_tmp_pg_setup();                                  \
	}                                                              \
	static void suite##_pg_fini(void)                              \
	{                                                              \
		store_tmp_pg_teardown();                               \
		fini_fn();                                             \
	}                                                              \
	TestSuite(suite, .init = init_fn, .fini = fini_fn);            \
	TestSuite(suite##_pg, .init = suite##_pg_init, .fini = suite##_pg_fini)

#define STORE_TEST(suite, name)                  \
	static void suite##__##name(void);       \
	Test(suite, name)                        \
	{                                        \
		suite##__##name();               \
	}                                        \
	Test(suite##_pg, name)                   \
	{                                        \
		store_tmp_pg_or_skip();          \
		suite##__##name();               \
	}                                        \
	static void suite##__##name(void)

#endif /* FL_TEST_STORE_TMP_H */
