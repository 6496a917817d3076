#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/notify/deliver.h"
#include "engine/store/store.h"

#define T0 1764000000000000000LL

static char dir[64];
static char path[96];
static char pdir[PATH_MAX];
static struct fl_store *store;

/* The test plugins are built next to the unit test binary. */
static void find_test_plugins(void)
{
	ssize_t n = readlink("/proc/self/exe", pdir, sizeof(pdir) - 32);
	char *slash;

	cr_assert(n > 0);
	pdir[n] = '\0';
	slash = strrchr(pdir, '/');
	cr_assert(slash);
	strcpy(slash, "/../plugins");
}

static void setup(void)
{
	char err[256] = "";
	struct fl_ticket_new t = {.id = "INC-1", .level = "urgent", .title = "cut",
				  .respond_ms = -1, .onsite_ms = -1, .repair_ms = -1,
				  .opened_ns = T0};

	find_test_plugins();
	strcpy(dir, "/tmp/fl-deliver-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	cr_assert_eq(fl_store_open(&store, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_store_incident_open(store, &t), 0);
}

static void teardown(void)
{
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
	char p[160];

	fl_store_close(store);
	store = NULL;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
}

TestSuite(deliver, .init = setup, .fini = teardown, .timeout = 30);

/* subject "ok": test_echo accepts it. */
static void enqueue(const char *key, int64_t at_ns)
{
	struct fl_notice n = {.key = key, .channel = "sms", .address = "13800002112",
			      .person = "王工", .subject = "ok", .body = "光缆中断"};

	cr_assert_eq(fl_store_notify_enqueue(store, "INC-1", &n, at_ns), 0);
}

static void state_of(const char *key, char *state, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT state FROM outbox WHERE key=?", -1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(state, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Polls every 10 ms until the row is in state want or deadline_ms passed. */
static bool reaches(const char *key, const char *want, int deadline_ms)
{
	struct timespec ten_ms = {.tv_nsec = 10 * 1000000L};
	char state[16];

	for (int waited = 0;; waited += 10) {
		state_of(key, state, sizeof(state));
		if (strcmp(state, want) == 0)
			return true;
		if (waited > deadline_ms)
			return false;
		nanosleep(&ten_ms, NULL);
	}
}

Test(deliver, a_worker_started_from_a_struct_delivers_what_is_due_and_ends)
{
	struct fl_deliver_config c = {.db = path, .plugin_dir = pdir, .once = true,
				      .at_ns = T0 + 1000000000LL};
	struct fl_deliver *d = NULL;
	char state[16];

	enqueue("INC-1:sms:1", T0);
	cr_assert_eq(fl_deliver_config_route(&c, "sms=test_echo"), 0);
	cr_assert_eq(fl_deliver_start(&d, &c), 0);
	fl_deliver_config_free(&c); /* the worker has its own copy */
	cr_expect_eq(fl_deliver_wait(d), 0);
	state_of("INC-1:sms:1", state, sizeof(state));
	cr_expect_str_eq(state, "sent");
}

Test(deliver, a_running_worker_delivers_a_new_row_and_stops_when_asked)
{
	struct fl_deliver_config c = {.db = path, .plugin_dir = pdir};
	struct fl_deliver *d = NULL;
	struct timespec now;

	cr_assert_eq(fl_deliver_config_option(&c, "--route", "sms=test_echo"), 0);
	cr_assert_eq(fl_deliver_config_option(&c, "--poll-ms", "20"), 0);
	cr_assert_eq(fl_deliver_config_option(&c, "--timeout-ms", "5000"), 0);
	cr_assert_eq(fl_deliver_start(&d, &c), 0);
	clock_gettime(CLOCK_REALTIME, &now);
	enqueue("INC-1:sms:2", (int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
	cr_expect(reaches("INC-1:sms:2", "sent", 8000), "the polling worker did not deliver");
	cr_expect_eq(fl_deliver_stop(d), 0);
	fl_deliver_config_free(&c);
}

Test(deliver, a_bad_route_or_option_is_an_error_value)
{
	struct fl_deliver_config c = {0};

	cr_expect_eq(fl_deliver_config_route(&c, "sms"), -EINVAL);
	cr_expect_eq(fl_deliver_config_route(&c, "=test_echo"), -EINVAL);
	cr_expect_eq(fl_deliver_config_route(&c, "sms="), -EINVAL);
	cr_expect_eq(fl_deliver_config_set(&c, "sms.from=10086"), -ENOENT, "no route yet");
	cr_assert_eq(fl_deliver_config_route(&c, "sms=test_echo"), 0);
	cr_expect_eq(fl_deliver_config_set(&c, "sms.from=10086"), 0);
	cr_expect_eq(fl_deliver_config_set(&c, "sms=10086"), -EINVAL);
	cr_expect_eq(fl_deliver_config_option(&c, "--poll-ms", "0"), -EINVAL);
	cr_expect_eq(fl_deliver_config_option(&c, "--timeout-ms", "soon"), -EINVAL);
	cr_expect_eq(fl_deliver_config_option(&c, "--at", "yesterday"), -EINVAL);
	cr_expect_eq(fl_deliver_config_option(&c, "--bogus", "1"), -EINVAL);
	cr_expect(!fl_deliver_is_option("--bogus"));
	cr_expect(fl_deliver_is_option("--backoff-max-ms"));
	cr_expect_eq(c.n_routes, 1);
	cr_expect_eq(c.routes[0].n_settings, 1);
	fl_deliver_config_free(&c);
	cr_expect_eq(c.n_routes, 0);
}

/* The worker reports the plugin and ends with status 1; the caller goes on. */
Test(deliver, a_route_to_a_missing_plugin_ends_the_worker_with_status_1)
{
	struct fl_deliver_config c = {.db = path, .plugin_dir = pdir, .once = true};
	struct fl_deliver *d = NULL;

	cr_assert_eq(fl_deliver_config_route(&c, "sms=no_such_plugin"), 0);
	cr_assert_eq(fl_deliver_start(&d, &c), 0);
	cr_expect_eq(fl_deliver_wait(d), 1);
	fl_deliver_config_free(&c);
}

/* ---- store errors while running --------------------------------------------- */

static int64_t real_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* How many lines of the file are key (0 without the file). */
static int lines_of(const char *file, const char *key)
{
	char line[256];
	int n = 0;
	FILE *f = fopen(file, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		n += strcmp(line, key) == 0;
	}
	fclose(f);
	return n;
}

/* A pager for the exec plugin: notes the key, then takes 300 ms, so a
 * write lock taken after the note falls between the claim and the outcome. */
static void write_pager(const char *pager, const char *keys)
{
	FILE *f = fopen(pager, "w");

	cr_assert(f);
	fprintf(f, "#!/bin/sh\necho \"$FL_KEY\" >>%s\nsleep 0.3\n", keys);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(pager, 0755), 0);
}

/* Another process's write lock (a backup, an operator's sqlite3 shell) held
 * longer than the busy timeout while the worker claims and records: it
 * logs, waits and goes on; once the lock is gone every message is sent,
 * each exactly once, and a row added afterwards is delivered too. */
Test(deliver, a_database_locked_past_the_busy_timeout_delays_delivery_but_loses_nothing,
     .timeout = 150)
{
	struct fl_deliver_config c = {.db = path};
	char pager[128], keys[128], set[200], pdir_real[PATH_MAX + 16], key[32];
	struct timespec lock_ms = {.tv_sec = FL_STORE_BUSY_TIMEOUT_MS / 1000 + 2};
	struct fl_deliver *d = NULL;
	sqlite3 *holder;
	int64_t now = real_now_ns();

	snprintf(pager, sizeof(pager), "%s/pager", dir);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(pdir_real, sizeof(pdir_real), "%s/../../plugins", pdir);
	write_pager(pager, keys);
	for (int i = 1; i <= 6; i++) {
		snprintf(key, sizeof(key), "INC-1:sms:%d", i);
		enqueue(key, now);
	}
	c.plugin_dir = pdir_real;
	cr_assert_eq(fl_deliver_config_route(&c, "sms=exec"), 0);
	snprintf(set, sizeof(set), "sms.program=%s", pager);
	cr_assert_eq(fl_deliver_config_set(&c, set), 0);
	cr_assert_eq(fl_deliver_config_option(&c, "--poll-ms", "20"), 0);
	cr_assert_eq(fl_deliver_start(&d, &c), 0);

	/* the first attempt is under way: lock the store under the worker */
	for (int waited = 0; lines_of(keys, "INC-1:sms:1") == 0 && waited < 20000; waited += 5)
		nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
	cr_assert_eq(lines_of(keys, "INC-1:sms:1"), 1, "the worker never started");
	cr_assert_eq(sqlite3_open(path, &holder), SQLITE_OK);
	/* the worker may be inside one of its own short write transactions
	 * (recording the attempt) just then: wait for it, as a backup would */
	cr_assert_eq(sqlite3_busy_timeout(holder, 10000), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	nanosleep(&lock_ms, NULL);
	cr_assert_eq(sqlite3_exec(holder, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(holder);

	for (int i = 1; i <= 6; i++) {
		snprintf(key, sizeof(key), "INC-1:sms:%d", i);
		cr_expect(reaches(key, "sent", i == 1 ? 30000 : 10000), "%s not sent after the lock",
			  key);
		cr_expect_eq(lines_of(keys, key), 1, "%s delivered %d times", key,
			     lines_of(keys, key));
	}
	enqueue("INC-1:sms:7", real_now_ns()); /* the worker is still alive */
	cr_expect(reaches("INC-1:sms:7", "sent", 30000), "the worker died of the lock");
	cr_expect_eq(fl_deliver_stop(d), 0);
	fl_deliver_config_free(&c);
	unlink(pager);
	unlink(keys);
}
