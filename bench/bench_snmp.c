/* bench_snmp.c - SNMP trap decode rate on one core.
 *
 *   bench_snmp [-s SECONDS] FILE...
 *
 * Loads each FILE (one raw datagram), then decodes them round-robin on this
 * thread for about SECONDS (default 2) and prints traps/s; then the same with
 * the JSON rendering of `faultline parse --snmp` added. Every datagram must
 * decode: the figure is for the accepting path. Prints figures, asserts none. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/decode/event.h"
#include "engine/lib/json.h"
#include "engine/lib/limits.h"
#include "engine/decode/snmp.h"

#define MAX_FILES 256

struct datagram {
	uint8_t *p;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *path, struct datagram *d)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	d->p = malloc(FL_UDP_MAX_DATAGRAM);
	d->len = d->p ? fread(d->p, 1, FL_UDP_MAX_DATAGRAM, f) : 0;
	fclose(f);
	return d->p ? 0 : -ENOMEM;
}

/* Decodes all datagrams round-robin until `seconds` pass; returns the count
 * decoded per second, or -1 if one failed. */
static double run(const struct datagram *d, size_t n, double seconds, bool with_json,
		  struct fl_event *ev, struct fl_buf *out)
{
	uint64_t count = 0, sink = 0;
	double start = now_s(), elapsed;

	do {
		for (int round = 0; round < 1000; round++) {
			for (size_t i = 0; i < n; i++) {
				if (fl_snmp_decode(ev, d[i].p, d[i].len) != FL_SNMP_OK)
					return -1;
				sink += ev->trap.n_varbinds;
				if (with_json) {
					struct fl_json j;

					fl_buf_reset(out);
					fl_json_init(&j, out);
					fl_json_obj_begin(&j);
					fl_snmp_json_fields(&j, ev);
					fl_json_obj_end(&j);
					sink += out->len;
				}
			}
			count += n;
		}
		elapsed = now_s() - start;
	} while (elapsed < seconds);
	if (sink == 0)
		fprintf(stderr, "(nothing decoded)\n");
	return (double)count / elapsed;
}

int main(int argc, char **argv)
{
	struct datagram d[MAX_FILES];
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct fl_buf out;
	double seconds = 2.0, rate, json_rate;
	size_t n = 0, bytes = 0;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		seconds = atof(argv[2]);
		i = 3;
	}
	for (; i < argc && n < MAX_FILES; i++) {
		int rc = load(argv[i], &d[n]);

		if (rc < 0) {
			fprintf(stderr, "bench_snmp: %s: %s\n", argv[i], strerror(-rc));
			return 1;
		}
		bytes += d[n++].len;
	}
	if (n == 0 || !ev) {
		fprintf(stderr, "usage: bench_snmp [-s SECONDS] FILE...\n");
		return 2;
	}
	fl_buf_init(&out, 1 << 20);
	rate = run(d, n, seconds, false, ev, &out);
	json_rate = run(d, n, seconds, true, ev, &out);
	if (rate < 0 || json_rate < 0) {
		fprintf(stderr, "bench_snmp: a datagram did not decode\n");
		return 1;
	}
	printf("snmp decode:        %10.0f traps/s on one core (%zu datagrams, mean %zu bytes, "
	       "%.0f MB/s)\n",
	       rate, n, bytes / n, rate * (double)bytes / (double)n / 1e6);
	printf("snmp decode + JSON: %10.0f traps/s on one core\n", json_rate);
	fl_buf_free(&out);
	for (size_t k = 0; k < n; k++)
		free(d[k].p);
	free(ev);
	return 0;
}
