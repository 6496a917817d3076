/* store_tmp.h - a ticket store in a temporary directory of its own, for the
 * store's unit tests: `dir` and `path` (DIR/t.db) are set by
 * store_tmp_setup(), every file SQLite made there is removed by
 * store_tmp_teardown() (which fails the test if anything else is left), and
 * open_store() opens the file or fails the test. */
#ifndef FL_TEST_STORE_TMP_H
#define FL_TEST_STORE_TMP_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/store/store.h"

static char dir[64];
static char path[96];

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

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
}

static inline struct fl_store *open_store(void)
{
	struct fl_store *s = NULL;
	char err[256] = "";

	cr_assert_eq(fl_store_open(&s, path, err, sizeof(err)), 0, "%s", err);
	return s;
}

#endif /* FL_TEST_STORE_TMP_H */
