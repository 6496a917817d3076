/* bench_decode.c - syslog decode throughput on one core.
 *
 * usage: bench_decode FILE [SECONDS] [--tz ZONE]
 * Reads FILE into memory, splits it into lines, then decodes them in a loop
 * for SECONDS (default 3) of this thread's CPU time and prints lines/s per
 * core and ns per line. Only fl_syslog_decode() is timed: no I/O, no JSON. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "engine/lib/tz.h"

struct span {
	const char *p;
	size_t len;
};

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	static struct fl_event ev;
	struct fl_syslog_opts opts = {.received_ns = INT64_C(1795579200) * 1000000000};
	struct fl_tz *tz = NULL;
	struct span *lines;
	size_t len, n = 0, cap = 1024, bad = 0;
	uint64_t done = 0;
	double secs = 3, start, spent;
	const char *zone = "Asia/Shanghai";
	char *buf;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_decode FILE [SECONDS] [--tz ZONE]\n");
		return 2;
	}
	if (argc > 2 && argv[2][0] != '-')
		secs = atof(argv[2]);
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], "--tz") == 0)
			zone = argv[i + 1];
	if (fl_tz_load(&tz, zone) < 0) {
		fprintf(stderr, "bench_decode: cannot load zone %s\n", zone);
		return 1;
	}
	opts.tz = tz;
	buf = slurp(argv[1], &len);
	lines = malloc(cap * sizeof(*lines));
	if (!buf || !lines) {
		fprintf(stderr, "bench_decode: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (size_t at = 0; at < len;) {
		const char *lf = memchr(buf + at, '\n', len - at);
		size_t end = lf ? (size_t)(lf - buf) : len;

		if (n == cap) {
			cap *= 2;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				return 1;
		}
		lines[n].p = buf + at;
		lines[n].len = end - at;
		n++;
		at = end + 1;
	}
	if (n == 0) {
		fprintf(stderr, "bench_decode: %s has no lines\n", argv[1]);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		bad += fl_syslog_decode(&ev, lines[i].p, lines[i].len, &opts) != FL_SYSLOG_OK;
	start = cpu_seconds();
	do {
		for (size_t i = 0; i < n; i++)
			fl_syslog_decode(&ev, lines[i].p, lines[i].len, &opts);
		done += n;
		spent = cpu_seconds() - start;
	} while (spent < secs);
	printf("decode: %zu distinct lines (%zu not decoded), %llu decoded in %.2f s CPU\n", n,
	       bad, (unsigned long long)done, spent);
	printf("decode: %.0f lines/s per core, %.1f ns/line, %.1f MB/s\n", (double)done / spent,
	       spent * 1e9 / (double)done, (double)len * ((double)done / (double)n) / spent / 1e6);
	free(lines);
	free(buf);
	fl_tz_free(tz);
	return 0;
}
