/* bench_store.c - how fast the ticket store takes a storm, and whether a
 * store write can stall its caller.
 *
 * On a fresh database file in DIR:
 *   1. ticket opens, one transaction each (ticket, 3 clocks, history row);
 *   2. the same in batches of B per transaction (a storm: the engine's store
 *      thread commits what it has queued);
 *   3. outbox enqueues, batched, each with its incident document;
 *   4. absorbed alarms (a counter update and a sample row), batched;
 *   5. single-transaction ticket opens while two other connections work the
 *      same file as they do in production: a reader listing tickets as JSON
 *      in a loop (`faultline tickets list`) and an outbox worker claiming and
 *      finishing rows. Every write's latency is recorded: the maximum is what
 *      a caller may wait, WAL checkpoints and lock waits included.
 * Prints rates and latency percentiles. Usage: bench_store DIR [N] [B] */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/store/store.h"

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct fl_store *open_or_die(const char *path)
{
	struct fl_store *s = NULL;
	char err[256];

	if (fl_store_open(&s, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_store: %s\n", err);
		exit(1);
	}
	return s;
}

static void ticket(struct fl_ticket_new *t, char *id, size_t id_len, const char *prefix, long i)
{
	snprintf(id, id_len, "%s-%06ld", prefix, i);
	*t = (struct fl_ticket_new){
		.id = id,
		.rule = "fibre_cut",
		.key = "SPAN-NN-LZ-01",
		.level = "urgent",
		.title = "南宁-柳州 光缆中断",
		.loc = {.span = "SPAN-NN-LZ-01", .ring = "RING-GX-1", .county = "柳江区",
		        .city = "柳州", .loc_class = "city"},
		.circuits = "CIR-HC-01;CIR-HC-02",
		.customers = "河池电子政务外网",
		.respond_ms = 900000,
		.onsite_ms = 7200000,
		.repair_ms = 7200000,
		.opened_ns = 1764000000000000000LL + i,
	};
}

static void check(int rc, const char *what, struct fl_store *s)
{
	if (rc < 0) {
		fprintf(stderr, "bench_store: %s: %s (%s)\n", what, strerror(-rc), fl_store_errmsg(s));
		exit(1);
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void print_latency(const char *what, int64_t *lat, long n)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("%-44s p50 %7.1f us  p99 %7.1f us  p99.9 %8.1f us  max %8.1f us\n", what,
	       (double)lat[n / 2] / 1e3, (double)lat[n * 99 / 100] / 1e3,
	       (double)lat[n * 999 / 1000] / 1e3, (double)lat[n - 1] / 1e3);
}

static void opens_single(struct fl_store *s, long n)
{
	int64_t *lat = malloc((size_t)n * sizeof(*lat)), t0 = mono_ns();
	struct fl_ticket_new t;
	char id[32];

	for (long i = 0; i < n; i++) {
		int64_t a = mono_ns();

		ticket(&t, id, sizeof(id), "S", i);
		check(fl_store_incident_open(s, &t), "open", s);
		lat[i] = mono_ns() - a;
	}
	printf("%-44s %9.0f /s\n", "ticket opens, one transaction each",
	       (double)n * 1e9 / (double)(mono_ns() - t0));
	print_latency("  latency of one open", lat, n);
	free(lat);
}

static void opens_batched(struct fl_store *s, long n, long batch)
{
	struct fl_notice note = {.channel = "sms", .role = "duty operator", .person = "王工",
	                         .address = "13800002112", .subject = "光缆中断",
	                         .body = "南宁-柳州 光缆中断", .incident_json = "{\"id\":\"x\"}"};
	struct fl_ticket_new t;
	char id[32], key[48];
	int64_t t0 = mono_ns();

	for (long i = 0; i < n; i += batch) {
		check(fl_store_begin(s), "begin", s);
		for (long k = i; k < i + batch && k < n; k++) {
			ticket(&t, id, sizeof(id), "B", k);
			check(fl_store_incident_open(s, &t), "open", s);
			snprintf(key, sizeof(key), "%s:sms:duty", id);
			note.key = key;
			check(fl_store_notify_enqueue(s, id, &note, t.opened_ns), "enqueue", s);
		}
		check(fl_store_commit(s), "commit", s);
	}
	printf("%-44s %9.0f /s  (batches of %ld)\n", "ticket opens + 1 notification, batched",
	       (double)n * 1e9 / (double)(mono_ns() - t0), batch);
}

static void enqueues_batched(struct fl_store *s, long n, long batch)
{
	struct fl_notice note = {.channel = "sms", .role = "duty operator", .person = "王工",
	                         .address = "13800002112", .subject = "光缆中断",
	                         .body = "南宁-柳州 光缆中断", .incident_json = "{\"id\":\"S-000000\"}"};
	char key[48];
	int64_t t0 = mono_ns();

	for (long i = 0; i < n; i += batch) {
		check(fl_store_begin(s), "begin", s);
		for (long k = i; k < i + batch && k < n; k++) {
			snprintf(key, sizeof(key), "S-000000:sms:%ld", k);
			note.key = key;
			check(fl_store_notify_enqueue(s, "S-000000", &note, 1), "enqueue", s);
		}
		check(fl_store_commit(s), "commit", s);
	}
	printf("%-44s %9.0f /s  (batches of %ld)\n", "outbox enqueues, batched",
	       (double)n * 1e9 / (double)(mono_ns() - t0), batch);
}

static void absorbs_batched(struct fl_store *s, long n, long batch)
{
	int64_t t0 = mono_ns();

	for (long i = 0; i < n; i += batch) {
		check(fl_store_begin(s), "begin", s);
		for (long k = i; k < i + batch && k < n; k++)
			check(fl_store_incident_absorb(s, "S-000001", 1, "LOS NN-ADM-01 port 3", k),
			      "absorb", s);
		check(fl_store_commit(s), "commit", s);
	}
	printf("%-44s %9.0f /s  (batches of %ld)\n", "absorbed alarms (count + sample), batched",
	       (double)n * 1e9 / (double)(mono_ns() - t0), batch);
}

/* --- contention: a reader and an outbox worker on their own connections --- */
struct side {
	const char *path;
	atomic_bool stop;
	long reads, claims;
};

static void *reader(void *arg)
{
	struct side *sd = arg;
	struct fl_store *s = open_or_die(sd->path);

	while (!atomic_load(&sd->stop)) {
		struct fl_buf b;

		fl_buf_init(&b, 256u << 20);
		if (fl_store_tickets_json(s, false, 0, &b) == 0)
			sd->reads++;
		fl_buf_free(&b);
	}
	fl_store_close(s);
	return NULL;
}

static void *worker(void *arg)
{
	struct side *sd = arg;
	struct fl_store *s = open_or_die(sd->path);
	int64_t now = 2000000000000000000LL;

	while (!atomic_load(&sd->stop)) {
		struct fl_outbox_row *r = NULL;

		if (fl_store_outbox_claim(s, now, &r) == 0) {
			if (fl_store_outbox_finish(s, r->id, FL_OUTBOX_SENT, "ok", NULL, 0, now) == 0)
				sd->claims++;
			fl_store_outbox_row_free(r);
		} else {
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
		}
	}
	fl_store_close(s);
	return NULL;
}

static void opens_contended(struct fl_store *s, const char *path, long n)
{
	int64_t *lat = malloc((size_t)n * sizeof(*lat)), t0;
	struct side sd = {.path = path};
	pthread_t rt, wt;
	struct fl_ticket_new t;
	char id[32];

	atomic_init(&sd.stop, false);
	pthread_create(&rt, NULL, reader, &sd);
	pthread_create(&wt, NULL, worker, &sd);
	t0 = mono_ns();
	for (long i = 0; i < n; i++) {
		int64_t a = mono_ns();

		ticket(&t, id, sizeof(id), "C", i);
		check(fl_store_incident_open(s, &t), "open", s);
		lat[i] = mono_ns() - a;
	}
	double rate = (double)n * 1e9 / (double)(mono_ns() - t0);
	atomic_store(&sd.stop, true);
	pthread_join(rt, NULL);
	pthread_join(wt, NULL);
	printf("%-44s %9.0f /s  (%ld list reads, %ld outbox rows done meanwhile)\n",
	       "ticket opens beside a reader and a worker", rate, sd.reads, sd.claims);
	print_latency("  latency of one open, contended", lat, n);
	free(lat);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	long n = argc > 2 ? atol(argv[2]) : 20000;
	long batch = argc > 3 ? atol(argv[3]) : 500;
	char path[256], cmd[1024];
	struct fl_store *s;

	if (n < 1000 || batch < 1) {
		fprintf(stderr, "usage: bench_store DIR [N >= 1000] [BATCH]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bench-store-%d.db", dir, (int)getpid());
	s = open_or_die(path);
	opens_single(s, n / 4);
	opens_batched(s, n, batch);
	enqueues_batched(s, n, batch);
	absorbs_batched(s, n, batch);
	opens_contended(s, path, n / 4);
	fl_store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", path, path, path);
	return system(cmd) == 0 ? 0 : 1;
}
