/* bench_keytab.c - keyed state table with 1,000,000 distinct live keys.
 *
 * Keys look like the engine's correlation keys (rule, host, port, alarm,
 * 30-40 bytes); each holds a 32-byte state slot. Prints inserts/s, lookups/s
 * (hits in random order, and misses), evictions/s once the table is full,
 * the bytes the table reports and the process's peak RSS (getrusage). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/lib/keytab.h"

struct state {
	uint64_t first_ms, last_ms, count, flags;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static char *put_uint(char *p, uint32_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* "r017|GX-HC-N000123-OSN01|1-2-3|R_LOS": distinct for every i < 10^7. */
static size_t make_key(char *buf, uint32_t i)
{
	static const char *const alarms[] = {"R_LOS", "ETH_LOS", "MS_AIS", "LINK_DOWN"};
	const char *alarm = alarms[i % 4];
	char *p = buf;

	*p++ = 'r';
	p = put_uint(p, i % 97, 3);
	memcpy(p, "|GX-HC-N", 8);
	p += 8;
	p = put_uint(p, i / 4, 7);
	memcpy(p, "-OSN01|", 7);
	p += 7;
	p = put_uint(p, (i / 7) % 9 + 1, 1);
	*p++ = '-';
	p = put_uint(p, (i / 3) % 9 + 1, 1);
	*p++ = '-';
	p = put_uint(p, i % 8 + 1, 1);
	*p++ = '|';
	memcpy(p, alarm, strlen(alarm));
	p += strlen(alarm);
	return (size_t)(p - buf);
}

static void on_evict(const void *key, size_t key_len, void *val, void *ctx)
{
	(void)key;
	(void)key_len;
	(void)val;
	(*(uint64_t *)ctx)++;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	uint64_t evicted = 0;
	struct fl_keytab_config cfg = {.val_size = sizeof(struct state),
				       .key_max = 48,
				       .max_keys = n,
				       .on_evict = on_evict,
				       .ctx = &evicted};
	struct fl_keytab *kt;
	struct fl_keytab_stats st;
	uint32_t *order;
	char key[64];
	long rss0, rss1;
	double t0, t_ins, t_hit, t_peek, t_miss, t_evict;
	uint64_t found = 0;
	size_t len;
	int rc;

	order = malloc((size_t)n * sizeof(*order));
	if (!order)
		return 1;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	srand(1);
	for (uint32_t i = n - 1; i > 0; i--) { /* fixed shuffle for random lookups */
		uint32_t j = (uint32_t)(((uint64_t)rand() << 16 ^ (uint64_t)rand()) % (i + 1));
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	rss0 = peak_rss_kib();
	rc = fl_keytab_create(&kt, &cfg);
	if (rc < 0) {
		fprintf(stderr, "create: %s\n", strerror(-rc));
		return 1;
	}

	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		void *val;

		len = make_key(key, i);
		if (fl_keytab_upsert(kt, key, len, &val, NULL) != 0)
			return 1;
		((struct state *)val)->count = i;
	}
	t_ins = now_s() - t0;
	rss1 = peak_rss_kib();

	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		struct state *s;

		len = make_key(key, order[i]);
		s = fl_keytab_get(kt, key, len);
		found += s && s->count == order[i];
	}
	t_hit = now_s() - t0;

	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		const struct state *s;

		len = make_key(key, order[n - 1 - i]);
		s = fl_keytab_peek(kt, key, len);
		found += s && s->count == order[n - 1 - i];
	}
	t_peek = now_s() - t0;

	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		len = make_key(key, n + order[i]);
		key[0] = 'x'; /* never inserted */
		found += fl_keytab_peek(kt, key, len) != NULL;
	}
	t_miss = now_s() - t0;

	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		void *val;

		len = make_key(key, n + i);
		if (fl_keytab_upsert(kt, key, len, &val, NULL) != 0)
			return 1;
	}
	t_evict = now_s() - t0;

	fl_keytab_stats(kt, &st);
	printf("keytab: %u distinct keys, 32-byte slots, key_max 48, keys 30-40 bytes\n", n);
	printf("  insert (index grows from empty): %8.2f M/s  (%.0f ns each)\n",
	       n / t_ins / 1e6, t_ins / n * 1e9);
	printf("  lookup hit, random order:        %8.2f M/s  (%.0f ns each)\n",
	       n / t_hit / 1e6, t_hit / n * 1e9);
	printf("  peek hit (no recency update):    %8.2f M/s  (%.0f ns each)\n",
	       n / t_peek / 1e6, t_peek / n * 1e9);
	printf("  lookup miss:                     %8.2f M/s  (%.0f ns each)\n",
	       n / t_miss / 1e6, t_miss / n * 1e9);
	printf("  insert into full table (evicts): %8.2f M/s  (%llu evicted)\n",
	       n / t_evict / 1e6, (unsigned long long)evicted);
	printf("  table bytes (own count):         %8.1f MiB  (%.0f bytes/key, %llu rehashes)\n",
	       (double)st.bytes / 1048576.0, (double)st.bytes / n, (unsigned long long)st.rehashes);
	printf("  peak RSS: %.1f MiB before the table, %.1f MiB with %u keys (+%.1f MiB)\n",
	       (double)rss0 / 1024.0, (double)rss1 / 1024.0, n, (double)(rss1 - rss0) / 1024.0);
	if (found != 2 * (uint64_t)n || evicted != n) {
		fprintf(stderr, "bench_keytab: wrong results (found %llu)\n",
			(unsigned long long)found);
		return 1;
	}
	fl_keytab_destroy(kt);
	free(order);
	return 0;
}
