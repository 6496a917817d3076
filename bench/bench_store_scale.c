/* bench_store_scale.c - the ticket store at its caps: a database holding N
 * open tickets, as a storm or a long night leaves it (FL_CORR_MAX_OPEN_INCIDENTS
 * is 100,000), and how long the reads over all of them take.
 *
 * Fills DB (a new file) with N open tickets of the bundled plan's fibre_cut
 * correlation, each on a span of SPANS (the inventory's spans.csv; its first
 * column), opened a minute before now with the five steps of its ladder due
 * at once taken and one outbox row (who was told): a restart then resumes
 * them with no step due, and its time is the resume's own. Then it times, in
 * this process:
 *   1. the walk `tickets list` and a restarted engine's resume make
 *      (fl_store_tickets_each over every ticket not archived);
 *   2. the steps taken of each ticket, as resume reads them.
 * bench/store_scale.bench.sh times the commands themselves on the same file
 * (`faultline tickets list`, `faultline run` until its input listens).
 * Usage: bench_store_scale DB N SPANS_CSV */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/store/store.h"

#define SPANS_MAX 4096
#define STEPS_AT_ONCE 5 /* rules/faultline.plan, ladder emergency: "step after 0s" */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check(int rc, const char *what, struct fl_store *s)
{
	if (rc < 0) {
		fprintf(stderr, "bench_store_scale: %s: %s (%s)\n", what, strerror(-rc),
			fl_store_errmsg(s));
		exit(1);
	}
}

/* The span names of spans.csv, header skipped; exits when there are none. */
static size_t read_spans(const char *path, char (*spans)[64], size_t max)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "bench_store_scale: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, ",\r\n");

		if (len == 0 || len >= 64 || strncmp(line, "span,", 5) == 0)
			continue;
		memcpy(spans[n], line, len);
		spans[n++][len] = '\0';
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "bench_store_scale: %s: no spans\n", path);
		exit(1);
	}
	return n;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fill(struct fl_store *s, long n, char (*spans)[64], size_t n_spans)
{
	int64_t t0_ns = wall_ns() - 60 * 1000000000LL;
	struct fl_notice note = {.channel = "sms", .role = "duty_room", .person = "王工",
				 .address = "13800002112", .subject = "光缆中断",
				 .body = "光缆中断", .incident_json = "{}"};
	char id[48], key[96], title[128];
	int64_t t0 = mono_ns();

	for (long i = 0; i < n; i += 1000) {
		check(fl_store_begin(s), "begin", s);
		for (long k = i; k < i + 1000 && k < n; k++) {
			const char *span = spans[(size_t)k % n_spans];
			struct fl_ticket_new t = {
				.id = id, .rule = "fibre_cut", .key = span, .level = "urgent",
				.title = title, .loc = {.span = span, .loc_class = "county"},
				.respond_ms = 300000, .onsite_ms = 3600000, .repair_ms = 7200000,
				.opened_ns = t0_ns + k * 1000LL};

			snprintf(id, sizeof(id), "INC-20261125-%06ld", k);
			snprintf(title, sizeof(title), "光缆中断 %s", span);
			check(fl_store_incident_open(s, &t), "open", s);
			snprintf(key, sizeof(key), "%s:s0:sms:0:13800002112", id);
			note.key = key;
			check(fl_store_notify_enqueue(s, id, &note, t.opened_ns), "enqueue", s);
			for (uint32_t step = 0; step < STEPS_AT_ONCE; step++)
				check(fl_store_step_taken(s, id, step, t.opened_ns), "step", s);
		}
		check(fl_store_commit(s), "commit", s);
	}
	printf("%-48s %8.2f s\n", "fill: open tickets with clocks, a row, a step",
	       (double)(mono_ns() - t0) / 1e9);
}

/* What the walk saw: every ticket's id, for the per-ticket reads after it. */
struct walk {
	char (*id)[48];
	long n, max, running;
};

static int collect_ticket(void *ctx, const struct fl_ticket_summary *t)
{
	struct walk *w = ctx;

	if (w->n < w->max)
		snprintf(w->id[w->n++], sizeof(w->id[0]), "%s", t->id);
	w->running += t->next_deadline_ns != INT64_MAX;
	return 0;
}

int main(int argc, char **argv)
{
	static char spans[SPANS_MAX][64];
	struct walk w = {0};
	struct fl_store *s = NULL;
	char err[512];
	size_t n_spans;
	long n, steps = 0;
	int64_t t0;

	if (argc != 4 || (n = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_store_scale DB N SPANS_CSV\n");
		return 2;
	}
	n_spans = read_spans(argv[3], spans, SPANS_MAX);
	if (fl_store_open(&s, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_store_scale: %s\n", err);
		return 1;
	}
	fill(s, n, spans, n_spans);

	w.max = n;
	w.id = calloc((size_t)n, sizeof(*w.id));
	if (!w.id)
		return 1;
	t0 = mono_ns();
	check(fl_store_tickets_each(s, false, collect_ticket, &w), "tickets_each", s);
	printf("%-48s %8.2f s  (%ld tickets, %ld with a clock running)\n",
	       "walk of every open ticket (list, resume)", (double)(mono_ns() - t0) / 1e9,
	       w.n, w.running);
	t0 = mono_ns();
	for (long i = 0; i < w.n; i++) {
		uint32_t taken[64];
		size_t k = 0;

		check(fl_store_steps_taken(s, w.id[i], taken, 64, &k), "steps_taken", s);
		steps += (long)k;
	}
	printf("%-48s %8.2f s  (%ld steps)\n", "steps taken of every ticket (resume)",
	       (double)(mono_ns() - t0) / 1e9, steps);
	free(w.id);
	fl_store_close(s);
	return w.n == n ? 0 : 1;
}
