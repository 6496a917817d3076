/* bench_replay.c - replay throughput, rule scaling and memory of the engine.
 *
 * usage: bench_replay storm PLAN DATA_DIR [EVENTS]
 *        bench_replay rules [EVENTS]
 *        bench_replay keys [KEYS]
 *
 * storm: generates EVENTS (default 2,000,000) syslog lines of a storm over
 *   the sample network (LOS raised and cleared on real span ports, their
 *   consequences, MAC flaps, noise), in memory, in time order, and replays
 *   them through PLAN on one thread: decode + match + correlate + the JSON
 *   of every action (written to a buffer that is reset). Prints events/s of
 *   CPU time.
 * rules: the same input of EVENTS (default 1,000,000) lines through 10, 100,
 *   1,000 and 10,000 generated rules (distinct alarm codes, dedup, raise),
 *   prints events/s for each and the ratio of the cost at 10,000 to that at 10.
 * keys: KEYS (default 1,000,000) distinct live keys in one rule's state;
 *   prints the peak RSS. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/inventory/inventory.h"
#include "engine/pipeline/replay.h"
#include "engine/lib/tz.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define BASE_S INT64_C(1795132800) /* 2026-11-20T00:00:00Z */

struct lines {
	char *text;
	size_t *off, *len;
	size_t n, cap, used, text_cap;
};

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lines_add(struct lines *l, const char *s, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->off = realloc(l->off, l->cap * sizeof(*l->off));
		l->len = realloc(l->len, l->cap * sizeof(*l->len));
	}
	if (l->used + n > l->text_cap) {
		l->text_cap = (l->text_cap + n) * 2;
		l->text = realloc(l->text, l->text_cap);
	}
	if (!l->off || !l->len || !l->text) {
		fprintf(stderr, "bench_replay: out of memory\n");
		exit(1);
	}
	memcpy(l->text + l->used, s, n);
	l->off[l->n] = l->used;
	l->len[l->n++] = n;
	l->used += n;
}

static void stamp(char *out, size_t size, int64_t at_s)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)at_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, size, "%s %2d %02d:%02d:%02d", mon[tm.tm_mon], tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

static struct fl_plan *compile(const char *path, const char *text, size_t len, const char *data)
{
	struct fl_plan_options opt = {.data_dir = data, .no_files = text != NULL};
	struct fl_plan *plan = NULL;
	struct fl_diags *d;
	int rc;

	if (fl_diags_create(&d) < 0)
		exit(1);
	rc = text ? fl_plan_compile_text(&plan, "bench.plan", text, len, &opt, d)
		  : fl_plan_compile(&plan, path, &opt, d);
	if (rc < 0) {
		fl_diag_print(d, stderr);
		exit(1);
	}
	fl_diags_destroy(d);
	return plan;
}

/* Replays all lines once; returns CPU seconds. */
static double replay(const struct fl_program *prog, const struct lines *l, const struct fl_tz *tz,
		     struct fl_replay_stats *st)
{
	struct fl_replay_opts ro = {.tz = tz, .year = 2026, .late_ms = 60000};
	struct fl_replay *r;
	struct fl_buf out;
	double t0, t1;

	fl_buf_init(&out, 256u << 20);
	if (fl_replay_create(&r, prog, &ro, &out) < 0)
		exit(1);
	t0 = cpu_seconds();
	for (size_t i = 0; i < l->n; i++) {
		(void)fl_replay_line(r, l->text + l->off[i], l->len[i]);
		if (out.len > (1u << 20))
			fl_buf_reset(&out);
	}
	(void)fl_replay_finish(r);
	t1 = cpu_seconds();
	fl_replay_stats(r, st);
	fl_replay_destroy(r);
	fl_buf_free(&out);
	return t1 - t0;
}

static const char *const consequences[] = {"MS_AIS", "TU_AIS", "APS_INDI", "MS_RDI", "ETH_LOS"};

static void gen_storm(struct lines *l, const struct fl_inventory *inv, size_t n)
{
	struct fl_inventory_counts c;
	char line[512], ts[32];

	fl_inventory_counts(inv, &c);
	for (size_t i = 0; i < n; i++) {
		int64_t at_s = BASE_S + (int64_t)(i / 5000); /* 5,000 events a second */
		const struct fl_inv_span *sp = fl_inventory_span_nth(inv, (i / 10) % c.spans);
		const struct fl_inv_device *d = fl_inventory_device_at(inv, (i * 7919) % c.devices);
		int k;

		stamp(ts, sizeof(ts), at_s);
		switch (i % 10) {
		case 0:
			k = snprintf(line, sizeof(line),
				     "<130>%s %s OSN: R_LOS raised port=%s board=N1SL16 level=critical seq=%zu",
				     ts, sp->a->id, sp->a_port, i);
			break;
		case 1:
			k = snprintf(line, sizeof(line),
				     "<130>%s %s OSN: R_LOS raised port=%s board=N1SL16 level=critical seq=%zu",
				     ts, sp->b->id, sp->b_port, i);
			break;
		case 2:
		case 3:
		case 4:
			k = snprintf(line, sizeof(line), "<131>%s %s OSN: %s raised port=1-7-1 seq=%zu",
				     ts, d->id, consequences[i % 5], i);
			break;
		case 5:
			k = snprintf(line, sizeof(line),
				     "<188>%s %s %%SW_MATM-4-MACFLAP_NOTIF: Host 00%02zx.1122.3344 in vlan "
				     "120 is flapping between port Gi1/0/12 and port Gi1/0/13",
				     ts, d->id, i % 97);
			break;
		default:
			k = snprintf(line, sizeof(line),
				     "<190>%s %s sshd[811]: Accepted publickey for noc from 10.1.0.%zu "
				     "port 52%03zu ssh2",
				     ts, d->id, i % 250, i % 1000);
			break;
		}
		lines_add(l, line, (size_t)k);
	}
}

static int bench_storm(const char *plan_path, const char *data, size_t n)
{
	struct fl_plan *plan = compile(plan_path, NULL, 0, data);
	const struct fl_program *prog = fl_plan_program(plan);
	struct lines l = {0};
	struct fl_replay_stats st;
	struct fl_tz *tz;
	double s;

	if (fl_tz_load(&tz, "Asia/Shanghai") < 0 || !prog->inventory)
		return 1;
	gen_storm(&l, prog->inventory, n);
	(void)replay(prog, &l, tz, &st); /* warm up */
	s = replay(prog, &l, tz, &st);
	printf("storm: %zu events, %.3f s CPU, %.0f events/s on one core\n", l.n, s,
	       (double)l.n / s);
	printf("storm: %llu matched, %llu absorbed, %llu opened, %llu cleared, %llu late, "
	       "%llu evicted, %zu keys live\n",
	       (unsigned long long)st.engine.matched, (unsigned long long)st.engine.absorbed,
	       (unsigned long long)st.engine.opened, (unsigned long long)st.engine.cleared,
	       (unsigned long long)st.engine.late, (unsigned long long)st.engine.evicted,
	       st.engine.live_keys);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	return 0;
}

static char *rules_plan(size_t n_rules, size_t *len)
{
	struct fl_buf b;

	fl_buf_init(&b, 64u << 20);
	if (fl_buf_adds(&b, "plan scale;\nlevel general { respond 30m; }\n") < 0)
		exit(1);
	for (size_t r = 0; r < n_rules; r++)
		if (fl_buf_printf(&b,
				  "rule r%zu {\n match syslog;\n where msg ~ /ALM%05zu raised on "
				  "(?<port>\\S+)/;\n key host, port;\n dedup 5m;\n raise level "
				  "general title \"%zu ${host} ${port}\";\n}\n",
				  r, r, r) < 0)
			exit(1);
	*len = b.len;
	return b.p;
}

static void gen_rules_input(struct lines *l, size_t n)
{
	char line[256], ts[32];

	for (size_t i = 0; i < n; i++) {
		int k;

		stamp(ts, sizeof(ts), BASE_S + (int64_t)(i / 5000));
		if (i % 2)
			k = snprintf(line, sizeof(line),
				     "<131>%s DEV%03zu ne: ALM%05zu raised on 1-%zu-1 seq=%zu", ts,
				     i % 500, i % 10, i % 16, i);
		else
			k = snprintf(line, sizeof(line),
				     "<190>%s DEV%03zu ne: performance report 15min ok seq=%zu", ts,
				     i % 500, i);
		lines_add(l, line, (size_t)k);
	}
}

static int bench_rules(size_t n)
{
	static const size_t counts[] = {10, 100, 1000, 10000};
	struct lines l = {0};
	double cost10 = 0;

	gen_rules_input(&l, n);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		size_t len;
		char *text = rules_plan(counts[i], &len);
		double t0 = cpu_seconds();
		struct fl_plan *plan = compile(NULL, text, len, NULL);
		double compile_s = cpu_seconds() - t0, s;
		struct fl_replay_stats st;

		(void)replay(fl_plan_program(plan), &l, NULL, &st);
		s = replay(fl_plan_program(plan), &l, NULL, &st);
		if (i == 0)
			cost10 = s;
		printf("rules %5zu: %.0f events/s, %.2fx the cost of 10 rules (compile %.2f s, "
		       "%llu opened)\n",
		       counts[i], (double)l.n / s, s / cost10, compile_s,
		       (unsigned long long)st.engine.opened);
		fl_plan_destroy(plan);
		free(text);
	}
	return 0;
}

static long peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char row[256];
	long kib = -1;

	while (f && fgets(row, sizeof(row), f))
		if (strncmp(row, "VmHWM:", 6) == 0)
			kib = strtol(row + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

static int bench_keys(size_t n)
{
	static const char text[] = "plan keys;\nrule k {\n match syslog;\n where msg ~ /KEY "
				   "(?<k>\\d+) seen/;\n key host, k;\n dedup 1h;\n}\n";
	struct fl_plan *plan = compile(NULL, text, sizeof(text) - 1, NULL);
	struct fl_replay_opts ro = {.year = 2026, .max_keys_per_rule = n};
	struct fl_replay_stats st;
	struct fl_replay *r;
	struct fl_buf out;
	long before = peak_rss_kib();
	char line[256], ts[32];

	fl_buf_init(&out, 1u << 20);
	if (fl_replay_create(&r, fl_plan_program(plan), &ro, &out) < 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		int k;

		stamp(ts, sizeof(ts), BASE_S + (int64_t)(i / 10000));
		k = snprintf(line, sizeof(line), "<131>%s HC-YZ-LX-OSN01 ne: KEY %zu seen", ts, i);
		(void)fl_replay_line(r, line, (size_t)k);
	}
	fl_replay_stats(r, &st);
	printf("keys: %zu live keys (%llu evicted), peak RSS %.1f MiB (%.1f MiB before)\n",
	       st.engine.live_keys, (unsigned long long)st.engine.evicted,
	       (double)peak_rss_kib() / 1024.0, (double)before / 1024.0);
	fl_replay_destroy(r);
	fl_buf_free(&out);
	fl_plan_destroy(plan);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "storm") == 0)
		return bench_storm(argv[2], argv[3],
				   argc > 4 ? (size_t)strtoull(argv[4], NULL, 10) : 2000000);
	if (argc >= 2 && strcmp(argv[1], "rules") == 0)
		return bench_rules(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000);
	if (argc >= 2 && strcmp(argv[1], "keys") == 0)
		return bench_keys(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000);
	fprintf(stderr, "usage: bench_replay storm PLAN DATA_DIR [EVENTS] | rules [EVENTS] | "
			"keys [KEYS]\n");
	return 2;
}
