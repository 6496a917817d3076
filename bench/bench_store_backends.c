/* bench_store_backends.c - the same store writes on whichever backend a
 * location names (a file: SQLite; postgresql://...: PostgreSQL), so one run
 * of bench/store_backends.bench.sh puts the two side by side.
 *
 *   1. tickets as the store sink writes them in a storm: per ticket an open
 *      (ticket, clocks, history row), an update (history row), an absorbed
 *      alarm (count and sample) and one notification queued, committed in
 *      batches of B as the sink commits what it has queued;
 *   2. outbox deliveries: N rows queued, then W workers (1, then 4), each on
 *      a connection of its own as the delivery lanes are, claim a row and
 *      mark it sent until none is due. A delivery here is the store's part
 *      alone: no plugin runs.
 * Prints one line per figure, "name rate", for the script to compare.
 * Usage: bench_store_backends LOCATION [N] [B] */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/store/store.h"

#define MAX_WORKERS 4

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct fl_store *open_or_die(const char *where)
{
	struct fl_store *s = NULL;
	char err[256];

	if (fl_store_open(&s, where, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_store_backends: %s\n", err);
		exit(1);
	}
	return s;
}

static void check(int rc, const char *what, struct fl_store *s)
{
	if (rc < 0) {
		fprintf(stderr, "bench_store_backends: %s: %s (%s)\n", what, strerror(-rc),
			fl_store_errmsg(s));
		exit(1);
	}
}

static const struct fl_notice notice = {
	.channel = "sms", .role = "duty operator", .person = "王工", .address = "13800002112",
	.subject = "光缆中断", .body = "南宁-柳州 光缆中断", .incident_json = "{\"id\":\"x\"}"};

/* One ticket as the sink writes a cut: open, update, absorb, page. */
static void one_ticket(struct fl_store *s, const char *run, long i)
{
	char id[48], key[96];
	struct fl_notice note = notice;
	int64_t at = 1764000000000000000LL + i;
	struct fl_ticket_new t = {
		.id = id, .rule = "fibre_cut", .key = id, .level = "urgent",
		.title = "南宁-柳州 光缆中断",
		.loc = {.span = "SPAN-NN-LZ-01", .ring = "RING-GX-1", .county = "柳江区",
			.city = "柳州", .loc_class = "city"},
		.circuits = "CIR-HC-01;CIR-HC-02", .customers = "河池电子政务外网",
		.respond_ms = 900000, .onsite_ms = 7200000, .repair_ms = 7200000, .opened_ns = at,
	};

	snprintf(id, sizeof(id), "%s-T%07ld", run, i);
	snprintf(key, sizeof(key), "%s:sms:duty", id);
	note.key = key;
	check(fl_store_incident_open(s, &t), "open", s);
	check(fl_store_incident_update(s, id, NULL, "南宁-柳州 光缆中断 (两端)", -1, "both ends",
				       at + 1),
	      "update", s);
	check(fl_store_incident_absorb(s, id, 6, "R_LOF raised port=1-8-1", at + 2), "absorb", s);
	check(fl_store_notify_enqueue(s, id, &note, at + 3), "enqueue", s);
}

static void tickets(struct fl_store *s, const char *run, long n, long batch)
{
	int64_t t0 = mono_ns();

	for (long i = 0; i < n; i += batch) {
		check(fl_store_begin(s), "begin", s);
		for (long k = i; k < i + batch && k < n; k++)
			one_ticket(s, run, k);
		check(fl_store_commit(s), "commit", s);
	}
	printf("tickets_per_s %.0f\n", (double)n * 1e9 / (double)(mono_ns() - t0));
}

/* n rows due on the first ticket, batched. */
static void queue_rows(struct fl_store *s, const char *run, const char *tag, long n, long batch)
{
	struct fl_notice note = notice;
	char ticket[48], key[96];

	snprintf(ticket, sizeof(ticket), "%s-T%07d", run, 0);
	for (long i = 0; i < n; i += batch) {
		check(fl_store_begin(s), "begin", s);
		for (long k = i; k < i + batch && k < n; k++) {
			snprintf(key, sizeof(key), "%s:%s:%ld", ticket, tag, k);
			note.key = key;
			check(fl_store_notify_enqueue(s, ticket, &note, 1), "enqueue", s);
		}
		check(fl_store_commit(s), "commit", s);
	}
}

struct worker {
	const char *where;
	pthread_t thread;
	long done;
};

static void *deliver(void *arg)
{
	struct worker *w = arg;
	struct fl_store *s = open_or_die(w->where);
	const int64_t now = 2000000000000000000LL;
	struct fl_outbox_row *r = NULL;
	int rc;

	while ((rc = fl_store_outbox_claim(s, now, &r)) == 0) {
		check(fl_store_outbox_finish(s, r->id, FL_OUTBOX_SENT, "ok", NULL, 0, now), "finish",
		      s);
		fl_store_outbox_row_free(r);
		r = NULL;
		w->done++;
	}
	if (rc != -ENOENT)
		check(rc, "claim", s);
	fl_store_close(s);
	return NULL;
}

static void deliveries(struct fl_store *s, const char *where, const char *run, long n,
		       long batch, int n_workers)
{
	struct worker w[MAX_WORKERS];
	char tag[16];
	long done = 0;
	int64_t t0;

	snprintf(tag, sizeof(tag), "w%d", n_workers);
	queue_rows(s, run, tag, n, batch);
	t0 = mono_ns();
	for (int k = 0; k < n_workers; k++) {
		w[k] = (struct worker){.where = where};
		if (pthread_create(&w[k].thread, NULL, deliver, &w[k]) != 0) {
			fprintf(stderr, "bench_store_backends: no thread\n");
			exit(1);
		}
	}
	for (int k = 0; k < n_workers; k++) {
		pthread_join(w[k].thread, NULL);
		done += w[k].done;
	}
	if (done < n) { /* the 1-worker phase also takes what nothing left before */
		fprintf(stderr, "bench_store_backends: %ld of %ld rows delivered\n", done, n);
		exit(1);
	}
	printf("deliveries_%dw_per_s %.0f\n", n_workers,
	       (double)done * 1e9 / (double)(mono_ns() - t0));
}

int main(int argc, char **argv)
{
	const char *where = argc > 1 ? argv[1] : NULL;
	long n = argc > 2 ? atol(argv[2]) : 2000;
	long batch = argc > 3 ? atol(argv[3]) : 100;
	char run[24];
	struct fl_store *s;

	if (!where || n < 100 || batch < 1) {
		fprintf(stderr, "usage: bench_store_backends LOCATION [N >= 100] [BATCH]\n");
		return 2;
	}
	/* ticket ids of their own: a PostgreSQL store may hold an earlier run's */
	snprintf(run, sizeof(run), "BX%lld", (long long)(mono_ns() / 1000) % 100000000);
	s = open_or_die(where);
	tickets(s, run, n, batch);
	deliveries(s, where, run, n, batch, 1);
	deliveries(s, where, run, n, batch, MAX_WORKERS);
	fl_store_close(s);
	return 0;
}
