#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/notify/deliver.h"
#include "engine/notify/outbox.h"
#include "engine/notify/plugin.h"
#include "engine/store/store.h"

#define MS 1000000LL
#define T0 1764000000000000000LL

static char dir[64];
static char path[96];
static struct fl_store *store;
static struct fl_plugin *echo;

/* The test plugins are built next to the unit test binary. */
static const char *test_plugin_dir(void)
{
	static char pdir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", pdir, sizeof(pdir) - 32);
	char *slash;

	cr_assert(n > 0);
	pdir[n] = '\0';
	slash = strrchr(pdir, '/');
	cr_assert(slash);
	strcpy(slash, "/../plugins");
	return pdir;
}

static void setup(void)
{
	char err[256] = "";

	strcpy(dir, "/tmp/fl-outbox-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	cr_assert_eq(fl_store_open(&store, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_plugin_load(&echo, test_plugin_dir(), "test_echo", NULL, 0, err,
	                            sizeof(err)),
	             0, "%s", err);
	struct fl_ticket_new t = {.id = "INC-1", .level = "urgent", .title = "cut",
	                          .respond_ms = -1, .onsite_ms = -1, .repair_ms = -1,
	                          .opened_ns = T0};
	cr_assert_eq(fl_store_incident_open(store, &t), 0);
}

/* The database and its WAL files, then the directory: no shell needed. */
static void remove_dir(void)
{
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
	char p[160];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
}

static void teardown(void)
{
	fl_store_close(store);
	store = NULL;
	fl_plugin_unload(echo);
	echo = NULL;
	remove_dir();
}

TestSuite(outbox, .init = setup, .fini = teardown);

/* subject tells test_echo what to answer: "ok", "retry", "crash", other: permanent. */
static void enqueue(const char *key, const char *channel, const char *subject, int64_t ttl_ms)
{
	struct fl_notice n = {.key = key, .channel = channel, .address = "13800002112",
	                      .person = "王工", .subject = subject, .body = "光缆中断",
	                      .ttl_ms = ttl_ms};

	cr_assert_eq(fl_store_notify_enqueue(store, "INC-1", &n, T0), 0);
}

static struct fl_outbox *make_outbox(const struct fl_outbox_policy *policy)
{
	struct fl_outbox_route r = {.channel = "sms", .plugin = echo, .timeout_ms = 5000};
	struct fl_outbox *ob = NULL;

	cr_assert_eq(fl_outbox_create(&ob, store, &r, 1, policy), 0);
	return ob;
}

/* Reads one column of the outbox row with this key (documented schema). */
static void row_of(const char *key, char *state, size_t len, int64_t *attempts, int64_t *due_ns)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT state, attempts, due_ns FROM outbox WHERE key=?",
	                                -1, &st, NULL),
	             SQLITE_OK);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(state, len, "%s", (const char *)sqlite3_column_text(st, 0));
	*attempts = sqlite3_column_int64(st, 1);
	if (due_ns)
		*due_ns = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int64_t attempt_rows(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM attempts", -1, &st, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

struct gave_up_seen {
	int n;
	char keys[4][32], states[4][16], reasons[4][96];
};

static void record_gave_up(void *ctx, const struct fl_outbox_gave_up *g)
{
	struct gave_up_seen *seen = ctx;

	cr_expect_str_eq(g->ticket, "INC-1");
	if (seen->n < 4) {
		snprintf(seen->keys[seen->n], sizeof(seen->keys[0]), "%s", g->key);
		snprintf(seen->states[seen->n], sizeof(seen->states[0]), "%s", g->state);
		snprintf(seen->reasons[seen->n], sizeof(seen->reasons[0]), "%s", g->reason);
	}
	seen->n++;
}

Test(outbox, doubles_the_backoff_within_its_jitter_up_to_the_cap)
{
	struct fl_outbox_policy p = {.backoff_ms = 1000, .backoff_max_ms = 60000, .seed = 7};
	int64_t want[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};

	for (uint32_t a = 1; a <= 8; a++) {
		int64_t d = fl_outbox_backoff_ms(&p, "INC-1:sms:1", a);

		cr_expect(d >= want[a - 1] / 2 && d <= want[a - 1], "attempt %u: %lld", a,
		          (long long)d);
		cr_expect_eq(d, fl_outbox_backoff_ms(&p, "INC-1:sms:1", a), "deterministic");
	}
	cr_expect_leq(fl_outbox_backoff_ms(&p, "k", 4000000000u), 60000, "no overflow");
	/* different keys spread out: not all 16 land on the same delay */
	int64_t first = fl_outbox_backoff_ms(&p, "key-0", 5);
	bool differs = false;
	for (int i = 1; i < 16; i++) {
		char key[16];

		snprintf(key, sizeof(key), "key-%d", i);
		differs |= fl_outbox_backoff_ms(&p, key, 5) != first;
	}
	cr_expect(differs);
}

Test(outbox, delivers_a_due_message_and_records_the_attempt)
{
	struct fl_outbox *ob = make_outbox(NULL);
	struct fl_outbox_stats stats;
	char state[16];
	int64_t attempts;
	uint32_t n = 0;

	enqueue("INC-1:sms:1", "sms", "ok", 0);
	cr_assert_eq(fl_outbox_run_once(ob, T0, 0, &n), 0);
	cr_expect_eq(n, 1);
	row_of("INC-1:sms:1", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "sent");
	cr_expect_eq(attempts, 1);
	cr_expect_eq(attempt_rows(), 1);
	cr_assert_eq(fl_outbox_run_once(ob, T0 + 1000 * MS, 0, &n), 0);
	cr_expect_eq(n, 0, "a sent message is never sent again");
	fl_outbox_stats(ob, &stats);
	cr_expect_eq(stats.sent, 1);
	fl_outbox_destroy(ob);
}

Test(outbox, retries_on_the_backoff_schedule_until_it_expires)
{
	struct fl_outbox_policy p = {.backoff_ms = 1000, .backoff_max_ms = 8000, .seed = 1};
	struct fl_outbox *ob = make_outbox(&p);
	struct gave_up_seen seen = {0};
	struct fl_outbox_stats stats;
	char state[16];
	int64_t attempts, due, now = T0;
	uint32_t n;
	int rounds = 0;

	fl_outbox_on_gave_up(ob, record_gave_up, &seen);

	enqueue("INC-1:sms:2", "sms", "retry", 30000); /* 30 s to live */
	for (;;) {
		cr_assert_eq(fl_outbox_run_once(ob, now, 0, &n), 0);
		cr_assert_eq(n, 1, "round %d", rounds);
		rounds++;
		row_of("INC-1:sms:2", state, sizeof(state), &attempts, &due);
		cr_expect_eq(attempts, rounds);
		if (strcmp(state, "pending") != 0)
			break;
		int64_t delay = fl_outbox_backoff_ms(&p, "INC-1:sms:2", (uint32_t)attempts);
		cr_expect_eq(due, now + delay * MS, "round %d", rounds);
		cr_assert_eq(fl_outbox_run_once(ob, due - 1, 0, &n), 0);
		cr_expect_eq(n, 0, "not due a nanosecond early");
		now = due;
		cr_assert_lt(rounds, 50);
	}
	cr_expect_str_eq(state, "expired");
	cr_expect_eq(seen.n, 1);
	cr_expect_str_eq(seen.states[0], "expired");
	cr_expect_str_eq(seen.reasons[0], "asked to retry");
	cr_expect_geq(rounds, 4, "1+2+4+8 s fit in 30 s");
	cr_expect_leq(now, T0 + 30000 * MS);
	cr_expect_eq(attempt_rows(), rounds);
	fl_outbox_stats(ob, &stats);
	cr_expect_eq(stats.expired, 1);
	cr_expect_eq(stats.retried, (uint64_t)rounds - 1);
	fl_outbox_destroy(ob);
}

Test(outbox, marks_a_permanent_failure_and_never_retries_it)
{
	struct fl_outbox *ob = make_outbox(NULL);
	struct gave_up_seen seen = {0};
	char state[16];
	int64_t attempts;
	uint32_t n;

	fl_outbox_on_gave_up(ob, record_gave_up, &seen);

	enqueue("INC-1:sms:3", "sms", "rejected", 0);
	enqueue("INC-1:pager:1", "pager", "ok", 0); /* no route for this channel */
	cr_assert_eq(fl_outbox_run_once(ob, T0, 0, &n), 0);
	cr_expect_eq(n, 2);
	row_of("INC-1:sms:3", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "failed");
	row_of("INC-1:pager:1", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "failed");
	cr_assert_eq(fl_outbox_run_once(ob, T0 + 3600 * 1000 * MS, 0, &n), 0);
	cr_expect_eq(n, 0);
	cr_expect_eq(seen.n, 2, "the engine hears of both, once");
	cr_expect_str_eq(seen.keys[0], "INC-1:sms:3");
	cr_expect_str_eq(seen.states[0], "failed");
	cr_expect_str_eq(seen.reasons[0], "unknown subject 'rejected'");
	cr_expect_str_eq(seen.reasons[1], "no plugin for channel 'pager'");
	fl_outbox_destroy(ob);
}

Test(outbox, retries_after_a_plugin_crash)
{
	struct fl_outbox *ob = make_outbox(NULL);
	char state[16];
	int64_t attempts;
	uint32_t n;

	enqueue("INC-1:sms:4", "sms", "crash", 0);
	cr_assert_eq(fl_outbox_run_once(ob, T0, 0, &n), 0);
	row_of("INC-1:sms:4", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "pending");
	fl_outbox_destroy(ob);
}

Test(outbox, an_expired_message_is_not_sent)
{
	struct fl_outbox *ob = make_outbox(NULL);
	char state[16];
	int64_t attempts;
	uint32_t n;

	enqueue("INC-1:sms:5", "sms", "ok", 1000);
	cr_assert_eq(fl_outbox_run_once(ob, T0 + 1000 * MS, 0, &n), 0);
	row_of("INC-1:sms:5", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "expired");
	fl_outbox_destroy(ob);
}

/* A worker killed between claim and outcome leaves the row "sending". */
Test(outbox, recovers_a_claimed_but_unfinished_message_after_a_restart)
{
	struct fl_outbox_row *r = NULL;
	struct fl_outbox *ob;
	char state[16], err[256];
	int64_t attempts;
	uint32_t n = 0;

	enqueue("INC-1:sms:6", "sms", "ok", 0);
	enqueue("INC-1:sms:7", "sms", "ok", 0);
	cr_assert_eq(fl_store_outbox_claim(store, T0, &r), 0);
	cr_expect_str_eq(r->key, "INC-1:sms:6");
	fl_store_outbox_row_free(r);
	fl_store_close(store); /* the crash: no outcome recorded */
	store = NULL;
	row_of("INC-1:sms:6", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "sending");

	cr_assert_eq(fl_store_open(&store, path, err, sizeof(err)), 0, "%s", err);
	ob = make_outbox(NULL);
	cr_assert_eq(fl_outbox_run_once(ob, T0 + MS, 0, &n), 0);
	cr_expect_eq(n, 1, "only the unclaimed one before recovery");
	cr_assert_eq(fl_outbox_recover(ob, T0 + 2 * MS, &n), 0);
	cr_expect_eq(n, 1);
	cr_assert_eq(fl_outbox_run_once(ob, T0 + 2 * MS, 0, &n), 0);
	cr_expect_eq(n, 1);
	row_of("INC-1:sms:6", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "sent");
	cr_expect_eq(attempts, 2, "sent at most twice: the lost attempt and this one");
	fl_outbox_destroy(ob);
}

Test(outbox, refuses_duplicate_channels_and_missing_plugins)
{
	struct fl_outbox_route r[2] = {{.channel = "sms", .plugin = echo},
	                               {.channel = "sms", .plugin = echo}};
	struct fl_outbox *ob = NULL;

	cr_expect_eq(fl_outbox_create(&ob, store, r, 2, NULL), -EINVAL);
	r[1].channel = "email";
	r[1].plugin = NULL;
	cr_expect_eq(fl_outbox_create(&ob, store, r, 2, NULL), -EINVAL);
	cr_expect_null(ob);
}

/* ---- the bell and the worker that waits on it -------------------------------- */

Test(outbox, a_bell_rung_before_the_wait_is_not_lost)
{
	struct fl_outbox_bell *b = NULL;

	cr_assert_eq(fl_outbox_bell_create(&b), 0);
	fl_outbox_bell_ring(b);
	fl_outbox_bell_ring(b);
	cr_expect(fl_outbox_bell_wait(b, 0), "two rings before the wait");
	cr_expect_not(fl_outbox_bell_wait(b, 0), "and they count once");
	cr_expect_not(fl_outbox_bell_wait(b, 20), "nobody rang: the wait times out");
	cr_expect_eq(fl_outbox_bell_rings(b), 2);
	fl_outbox_bell_destroy(b);
	fl_outbox_bell_destroy(NULL);
}

struct waiter {
	struct fl_outbox_bell *bell;
	bool was_rung;
};

static void *wait_long(void *arg)
{
	struct waiter *w = arg;

	w->was_rung = fl_outbox_bell_wait(w->bell, 50000);
	return NULL;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

Test(outbox, a_ring_from_another_thread_ends_a_long_wait)
{
	struct waiter w = {0};
	pthread_t t;
	int64_t start = mono_ms();

	cr_assert_eq(fl_outbox_bell_create(&w.bell), 0);
	cr_assert_eq(pthread_create(&t, NULL, wait_long, &w), 0);
	fl_outbox_bell_ring(w.bell);
	pthread_join(t, NULL);
	cr_expect(w.was_rung);
	cr_expect_lt(mono_ms() - start, 40000, "the 50 s wait ended on the ring");
	fl_outbox_bell_destroy(w.bell);
}

static int64_t real_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void enqueue_now(const char *key)
{
	struct fl_notice n = {.key = key, .channel = "sms", .address = "13800002112",
	                      .person = "王工", .subject = "ok", .body = "光缆中断"};

	cr_assert_eq(fl_store_notify_enqueue(store, "INC-1", &n, real_now_ns()), 0);
}

/* Polls the row's state every 10 ms until it is want or deadline_ms passed. */
static bool reaches(const char *key, const char *want, int64_t deadline_ms)
{
	int64_t until = mono_ms() + deadline_ms;
	struct timespec ten_ms = {.tv_nsec = 10 * 1000000L};
	char state[16];
	int64_t attempts;

	for (;;) {
		row_of(key, state, sizeof(state), &attempts, NULL);
		if (strcmp(state, want) == 0)
			return true;
		if (mono_ms() > until)
			return false;
		nanosleep(&ten_ms, NULL);
	}
}

/* The delivery thread of `faultline run` with a poll interval of 20 s: a
 * row committed and rung is sent at once; one committed without a ring
 * waits (the poll), so the ring is what delivered it. The deadlines keep a
 * worker that ignores the bell inside the runner's 60 s: it fails, not hangs.
 *
 * After a delivery the worker looks once more for rows before it waits, so a
 * row committed in that moment goes without a ring: that try proves nothing
 * and the next row is tried, after a pause. A worker that sends every row
 * without a ring fails all the tries. */
Test(outbox, a_row_enqueued_and_rung_is_delivered_without_waiting_for_the_poll)
{
	char pdir[PATH_MAX];
	struct fl_deliver_config c = {.db = path, .plugin_dir = pdir, .poll_ms = 20000};
	struct fl_outbox_bell *bell = NULL;
	struct fl_deliver *d = NULL;
	struct timespec settle = {.tv_nsec = 200 * 1000000L};
	bool is_proven = false;
	char state[16], key[32];
	int64_t attempts;

	snprintf(pdir, sizeof(pdir), "%s", test_plugin_dir());
	cr_assert_eq(fl_outbox_bell_create(&bell), 0);
	cr_assert_eq(fl_deliver_config_route(&c, "sms=test_echo"), 0);
	c.bell = bell;
	cr_assert_eq(fl_deliver_start(&d, &c), 0);
	fl_deliver_config_free(&c);

	enqueue_now("INC-1:sms:first");
	fl_outbox_bell_ring(bell);
	cr_expect(reaches("INC-1:sms:first", "sent", 8000), "the rung row was not delivered");

	for (int try = 0; try < 5 && !is_proven; try++) {
		nanosleep(&settle, NULL); /* the worker is now idle, waiting out its poll */
		snprintf(key, sizeof(key), "INC-1:sms:try%d", try);
		enqueue_now(key);
		if (reaches(key, "sent", 300))
			continue; /* taken by the worker's last look: no ring was needed */
		is_proven = true;
		fl_outbox_bell_ring(bell);
		cr_expect(reaches(key, "sent", 8000), "the ring did not wake the worker");
		row_of(key, state, sizeof(state), &attempts, NULL);
		cr_expect_eq(attempts, 1);
	}
	cr_expect(is_proven, "every row was delivered without a ring: the poll was not waited");

	cr_expect_eq(fl_deliver_stop(d), 0, "the stop ends the wait at once");
	fl_outbox_bell_destroy(bell);
}

/* A lane claims its channel's rows only; the lane of no route takes the
 * rest and fails them as such. */
Test(outbox, a_lane_claims_its_own_channel_and_the_rest_lane_the_unrouted)
{
	static const char *const routed[] = {"sms", "email"};
	struct fl_outbox_lane email = {.channel = "email"};
	struct fl_outbox_lane rest = {.others = routed, .n_others = 2};
	struct fl_outbox_row *r = NULL;
	struct fl_outbox *ob;
	char state[16];
	int64_t attempts;
	uint32_t n = 0;

	enqueue("INC-1:sms:20", "sms", "ok", 0);
	enqueue("INC-1:pager:21", "pager", "ok", 0);
	enqueue("INC-1:email:22", "email", "ok", 0);
	cr_assert_eq(fl_store_outbox_claim_lane(store, &email, T0, T0 + 1000 * MS, &r), 0);
	cr_expect_str_eq(r->key, "INC-1:email:22", "the earlier sms row is not the email lane's");
	fl_store_outbox_row_free(r);
	cr_expect_eq(fl_store_outbox_claim_lane(store, &email, T0, T0 + 1000 * MS, &r), -ENOENT);
	cr_expect_eq(fl_store_outbox_next_due_lane(store, &email), INT64_MAX);

	ob = make_outbox(NULL);
	cr_assert_eq(fl_outbox_set_lane(ob, &rest), 0);
	cr_assert_eq(fl_outbox_run_once(ob, T0 + MS, 0, &n), 0);
	cr_expect_eq(n, 1, "the rest lane takes the unrouted pager row only");
	row_of("INC-1:pager:21", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "failed");
	row_of("INC-1:sms:20", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "pending");
	fl_outbox_destroy(ob);
}

/* A claim is a lease: while running, a row is put back only once the lease
 * of the lane that claimed it ran out, and then sent again. */
Test(outbox, a_claim_whose_lease_ran_out_is_put_back_while_running)
{
	struct fl_outbox_lane sms = {.channel = "sms"};
	struct fl_outbox_row *r = NULL;
	struct fl_outbox *ob;
	char state[16];
	int64_t attempts, due_ns;
	uint32_t n = 9;

	enqueue("INC-1:sms:30", "sms", "ok", 0);
	cr_assert_eq(fl_store_outbox_claim_lane(store, &sms, T0, T0 + 1000 * MS, &r), 0);
	fl_store_outbox_row_free(r); /* the lane that claimed it died or hangs */
	row_of("INC-1:sms:30", state, sizeof(state), &attempts, &due_ns);
	cr_expect_str_eq(state, "sending");
	cr_expect_eq(due_ns, T0 + 1000 * MS, "the lease is kept in due_ns");

	ob = make_outbox(NULL);
	cr_assert_eq(fl_outbox_set_lane(ob, &sms), 0);
	cr_assert_eq(fl_outbox_recover_stale(ob, T0 + 999 * MS, &n), 0);
	cr_expect_eq(n, 0, "a lease still running is left alone");
	cr_assert_eq(fl_outbox_recover_stale(ob, T0 + 1000 * MS, &n), 0);
	cr_expect_eq(n, 1);
	cr_assert_eq(fl_outbox_run_once(ob, T0 + 1000 * MS, 0, &n), 0);
	cr_expect_eq(n, 1);
	row_of("INC-1:sms:30", state, sizeof(state), &attempts, NULL);
	cr_expect_str_eq(state, "sent");
	cr_expect_eq(attempts, 2);
	fl_outbox_destroy(ob);
}
