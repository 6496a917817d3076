/* bench_prefilter.c - the rule prefilter: faultline's Aho-Corasick (ac.h)
 * against vectorscan's literal mode, on the same alarm-like messages.
 *
 * For 10, 100, 1,000 and 10,000 literals (a quarter of them case-insensitive)
 * it prints build time, matcher memory and messages/s for each (best of 3
 * runs), and checks both found the same ids in every message. Messages: 200,000 syslog lines of
 * 90-160 bytes, about a third holding one or two of the literals.
 *
 * vectorscan is referenced weakly: `make bench` links this file without
 * -lhs and it then measures faultline alone; bench/prefilter.bench.sh builds
 * it with -lhs for the side-by-side figures. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs/hs.h>

#include "engine/lib/ac.h"

#pragma weak hs_compile_lit_multi
#pragma weak hs_alloc_scratch
#pragma weak hs_free_scratch
#pragma weak hs_free_database
#pragma weak hs_free_compile_error
#pragma weak hs_database_size
#pragma weak hs_scan

#define N_MSGS 200000
#define MSG_MAX 192
#define LIT_MAX 24
#define REPEATS 3 /* best of: the machine is shared */

struct corpus {
	char (*msgs)[MSG_MAX];
	size_t *lens;
	size_t n;
};

struct literals {
	char (*text)[LIT_MAX];
	size_t *lens;
	unsigned *ids;
	bool *is_nocase;
	size_t n;
};

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const layer[] = {"R", "MS", "HP", "LP", "OTU", "ODU", "ETH", "OCH", "BD", "PW"};
static const char *const defect[] = {"LOS", "LOF", "AIS", "RDI", "BERSD", "TIM", "PLM", "DEG",
				     "EXC", "UNEQ", "SSF", "LOCK", "CSF", "LINK_DOWN", "FAIL"};

/* Literal i: vendor-like alarm names, distinct for every i. */
static size_t make_literal(char *out, size_t i)
{
	size_t nl = FL_ARRAY_LEN(layer), nd = FL_ARRAY_LEN(defect);

	if (i < nl * nd)
		return (size_t)snprintf(out, LIT_MAX, "%s_%s", layer[i % nl], defect[i / nl % nd]);
	return (size_t)snprintf(out, LIT_MAX, "%s_%s_%zu", layer[i % nl], defect[i / nl % nd],
				i / (nl * nd));
}

static int make_literals(struct literals *l, size_t n)
{
	l->text = calloc(n, sizeof(*l->text));
	l->lens = calloc(n, sizeof(*l->lens));
	l->ids = calloc(n, sizeof(*l->ids));
	l->is_nocase = calloc(n, sizeof(*l->is_nocase));
	if (!l->text || !l->lens || !l->ids || !l->is_nocase)
		return -1;
	for (size_t i = 0; i < n; i++) {
		l->lens[i] = make_literal(l->text[i], i);
		l->ids[i] = (unsigned)i;
		l->is_nocase[i] = i % 4 == 3;
	}
	l->n = n;
	return 0;
}

static void free_literals(struct literals *l)
{
	free(l->text);
	free(l->lens);
	free(l->ids);
	free(l->is_nocase);
}

/* Messages name alarms from a universe of 10,000 literal names, so every
 * literal count sees the same text and the larger sets match more of it. */
static int make_corpus(struct corpus *c)
{
	static const char *const types[] = {"OSN", "SDH", "OTN", "RT", "SW", "OLT"};
	uint64_t seed = 20261125;

	c->msgs = calloc(N_MSGS, sizeof(*c->msgs));
	c->lens = calloc(N_MSGS, sizeof(*c->lens));
	if (!c->msgs || !c->lens)
		return -1;
	for (size_t i = 0; i < N_MSGS; i++) {
		char alarm[LIT_MAX] = "link state poll ok", second[LIT_MAX] = "";
		uint64_t r = rng_next(&seed);
		int len;

		if (r % 3 == 0) {
			make_literal(alarm, (size_t)(rng_next(&seed) % 10000));
			if (rng_next(&seed) % 4 == 0)
				make_literal(second, (size_t)(rng_next(&seed) % 10000));
		}
		len = snprintf(c->msgs[i], MSG_MAX,
			       "<%u>Nov 25 10:%02u:%02u HC-N%02u-%s%02u %s: %s port=%u-%u-%u %s "
			       "severity=%s seq=%llu",
			       (unsigned)(r % 192), (unsigned)(r >> 8) % 60, (unsigned)(r >> 16) % 60,
			       (unsigned)(r >> 24) % 99, types[(r >> 32) % 6],
			       (unsigned)(r >> 36) % 20, types[(r >> 32) % 6], alarm,
			       (unsigned)(r >> 40) % 8 + 1, (unsigned)(r >> 44) % 16 + 1,
			       (unsigned)(r >> 48) % 4 + 1, second,
			       (r >> 50) % 2 ? "critical" : "major",
			       (unsigned long long)(rng_next(&seed) % 1000000));
		c->lens[i] = (size_t)len < MSG_MAX ? (size_t)len : MSG_MAX - 1;
	}
	c->n = N_MSGS;
	return 0;
}

struct hs_ctx {
	uint64_t *seen;
	size_t found;
};

static int hs_on_match(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	struct hs_ctx *h = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (!(h->seen[id >> 6] & (UINT64_C(1) << (id & 63)))) {
		h->seen[id >> 6] |= UINT64_C(1) << (id & 63);
		h->found++;
	}
	return 0;
}

/* Sums, over every message, a hash of the ids found, so two matchers that
 * agree on every message print the same check value. */
static uint64_t digest(const uint64_t *seen, size_t words)
{
	uint64_t h = 0;

	for (size_t w = 0; w < words; w++)
		h = h * 0x100000001b3u ^ seen[w];
	return h;
}

static int run(size_t n, const struct corpus *c, bool with_hs)
{
	struct literals l = {0};
	struct fl_ac_literal *lits = calloc(n, sizeof(*lits));
	size_t words = n / 64 + 1, found_ac = 0, found_hs = 0;
	uint64_t *seen = calloc(words, sizeof(uint64_t)), sum_ac = 0, sum_hs = 0;
	struct fl_ac *ac;
	struct fl_ac_stats st;
	double t0, build_ac, scan_ac, harness, build_hs = 0, scan_hs = 0;
	size_t hs_bytes = 0;
	int rc;

	if (!lits || !seen || make_literals(&l, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		lits[i] = (struct fl_ac_literal){l.text[i], l.lens[i], l.ids[i], l.is_nocase[i]};
	t0 = now_s();
	rc = fl_ac_create(&ac, lits, n, 0);
	build_ac = now_s() - t0;
	if (rc != 0)
		return -1;
	fl_ac_stats(ac, &st);
	scan_ac = 1e9;
	for (int rep = 0; rep < REPEATS; rep++) {
		found_ac = 0;
		sum_ac = 0;
		t0 = now_s();
		for (size_t m = 0; m < c->n; m++) {
			memset(seen, 0, words * sizeof(uint64_t));
			found_ac += fl_ac_scan(ac, c->msgs[m], c->lens[m], seen, NULL, NULL);
			sum_ac += digest(seen, words);
		}
		if (now_s() - t0 < scan_ac)
			scan_ac = now_s() - t0;
	}
	/* What the loop costs without a matcher (clearing and digesting the
	 * bitset), so the figures below can be read net of it. */
	harness = 1e9;
	for (int rep = 0; rep < REPEATS; rep++) {
		uint64_t sink = 0;

		t0 = now_s();
		for (size_t m = 0; m < c->n; m++) {
			memset(seen, 0, words * sizeof(uint64_t));
			seen[m % words] = c->lens[m];
			sink += digest(seen, words);
		}
		if (now_s() - t0 < harness)
			harness = now_s() - t0;
		if (sink == 42)
			printf(" ");
	}
	fl_ac_destroy(ac);

	if (with_hs) {
		const char **exprs = calloc(n, sizeof(*exprs));
		unsigned *flags = calloc(n, sizeof(*flags));
		hs_database_t *db = NULL;
		hs_compile_error_t *err = NULL;
		hs_scratch_t *scratch = NULL;
		struct hs_ctx h = {seen, 0};

		if (!exprs || !flags)
			return -1;
		for (size_t i = 0; i < n; i++) {
			exprs[i] = l.text[i];
			flags[i] = HS_FLAG_SINGLEMATCH | (l.is_nocase[i] ? HS_FLAG_CASELESS : 0);
		}
		t0 = now_s();
		if (hs_compile_lit_multi(exprs, flags, l.ids, l.lens, (unsigned)n, HS_MODE_BLOCK,
					 NULL, &db, &err) != HS_SUCCESS) {
			fprintf(stderr, "vectorscan: %s\n", err ? err->message : "compile failed");
			hs_free_compile_error(err);
			return -1;
		}
		if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
			return -1;
		build_hs = now_s() - t0;
		hs_database_size(db, &hs_bytes);
		scan_hs = 1e9;
		for (int rep = 0; rep < REPEATS; rep++) {
			found_hs = 0;
			sum_hs = 0;
			t0 = now_s();
			for (size_t m = 0; m < c->n; m++) {
				memset(seen, 0, words * sizeof(uint64_t));
				h.found = 0;
				hs_scan(db, c->msgs[m], (unsigned)c->lens[m], 0, scratch,
					hs_on_match, &h);
				found_hs += h.found;
				sum_hs += digest(seen, words);
			}
			if (now_s() - t0 < scan_hs)
				scan_hs = now_s() - t0;
		}
		hs_free_scratch(scratch);
		hs_free_database(db);
		free(exprs);
		free(flags);
	}

	printf("%6zu literals  ac: build %8.2f ms %8.1f KiB %6.2f M msg/s (%5.0f ns/msg)", n,
	       build_ac * 1e3, (double)st.bytes / 1024.0, (double)c->n / scan_ac / 1e6,
	       scan_ac / (double)c->n * 1e9);
	if (with_hs)
		printf(" | vectorscan: build %8.2f ms %8.1f KiB %6.2f M msg/s (%5.0f ns/msg)%s",
		       build_hs * 1e3, (double)hs_bytes / 1024.0, (double)c->n / scan_hs / 1e6,
		       scan_hs / (double)c->n * 1e9,
		       sum_ac == sum_hs && found_ac == found_hs ? "" : "  RESULTS DIFFER");
	printf("  [%zu ids found, %zu states, %zu classes; harness alone %3.0f ns/msg]\n",
	       found_ac, st.states, st.classes, harness / (double)c->n * 1e9);
	free_literals(&l);
	free(lits);
	free(seen);
	return with_hs && (sum_ac != sum_hs || found_ac != found_hs) ? -1 : 0;
}

int main(void)
{
	static const size_t sizes[] = {10, 100, 1000, 10000};
	bool with_hs = hs_compile_lit_multi != NULL;
	struct corpus c = {0};
	size_t bytes = 0;

	if (make_corpus(&c) != 0)
		return 1;
	for (size_t i = 0; i < c.n; i++)
		bytes += c.lens[i];
	printf("prefilter: %zu messages, %.0f bytes on average, one thread, %s\n", c.n,
	       (double)bytes / (double)c.n,
	       with_hs ? "faultline ac vs vectorscan (literal mode, HS_FLAG_SINGLEMATCH)"
		       : "vectorscan not linked (run bench/prefilter.bench.sh)");
	for (size_t i = 0; i < FL_ARRAY_LEN(sizes); i++)
		if (run(sizes[i], &c, with_hs) != 0) {
			fprintf(stderr, "bench_prefilter: failed at %zu literals\n", sizes[i]);
			return 1;
		}
	free(c.msgs);
	free(c.lens);
	return 0;
}
