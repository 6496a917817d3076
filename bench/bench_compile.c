/* bench_compile.c - compile a generated plan of N rules: time and peak memory.
 *
 * usage: bench_compile [RULES] [ROUNDS]   (defaults 10000 and 5)
 * The plan has the bundled plan's shape: levels, a ladder, and RULES rules
 * each beginning with the same condition, then its own regex (two named
 * captures), a numeric condition, a key, dedup and a raise with a template;
 * a correlation for every ten rules, whose title names their captures; and
 * one correlation over every 100th of the first 10,000 rules. It is written
 * to files in a temporary directory, 10,000 rules to an included file (a
 * plan file is capped at FL_PLAN_MAX_BYTES), and compiled as `faultline
 * check` compiles it. Prints the best and median compile time of
 * ROUNDS, the CPU time of all rounds, the arena size and the process's peak
 * RSS. A figure, not a test: nothing here fails on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define RULES_PER_FILE 10000L /* about 2.7 MB of plan text a file */

static int generate(struct fl_buf *b, long first, long rules)
{
	if (first > 0)
		goto body;
	fl_buf_adds(b, "plan bench;\ntimezone \"Asia/Shanghai\";\n"
		       "roles duty_room, ops_head;\n"
		       "level urgent { label \"紧急\"; respond 0s; onsite city 30m; onsite county 1h; "
		       "repair 2h; ladder l; }\n"
		       "level general { respond 30m; repair 2h; ladder l; }\n"
		       "ladder l { step after 0s notify duty_room at own via sms; "
		       "step respond unacked notify ops_head at city via sms, email; }\n");
	fl_buf_adds(b, "correlate many { locate group; group site; within 2m; from r0");
	for (long i = 100; i < rules && i < 10000; i += 100) /* a statement has at most
								   * FL_PLAN_MAX_ITEMS words */
		fl_buf_printf(b, ", r%ld", i);
	fl_buf_adds(b, "; raise level urgent title \"${site} ${count}\"; }\n");
	for (long k = RULES_PER_FILE; k < rules; k += RULES_PER_FILE)
		fl_buf_printf(b, "include \"part%ld.plan\";\n", k / RULES_PER_FILE);
body:
	/* every rule begins with the same condition, as operators' rules do */
	for (long i = first; i < rules && i < first + RULES_PER_FILE; i++)
		fl_buf_printf(b,
			      "rule r%ld {\n"
			      "    match syslog;\n"
			      "    lookup device host;\n"
			      "    where app == \"alarmd\";\n"
			      "    where msg ~ /ALARM_%ld (?<state>raised|cleared) port=(?<port>\\d+-\\d+-\\d+)/"
			      " and severity <= %ld;\n"
			      "    key host, port;\n"
			      "    dedup 5m;\n"
			      "    raise level %s title \"告警 %ld ${host} ${port} ${state} ${city}\";\n"
			      "}\n",
			      i, i, i % 8, i % 3 ? "general" : "urgent", i);
	/* and a correlation for every ten of them, naming their captures */
	for (long i = first; i + 10 <= rules && i < first + RULES_PER_FILE; i += 10) {
		fl_buf_printf(b, "correlate c%ld { locate group; group host; within 2m; from r%ld", i, i);
		for (long k = i + 1; k < i + 10; k++)
			fl_buf_printf(b, ", r%ld", k);
		fl_buf_adds(b, "; raise level general title \"${host} ${port} ${count}\"; }\n");
	}
	return b->overflowed ? -1 : 0;
}

/* Writes the plan into dir: plan.plan with the first RULES_PER_FILE rules,
 * part1.plan... with the rest. Returns the bytes written, or -1. */
static long write_plan(const char *dir, long rules)
{
	long total = 0;

	for (long first = 0; first == 0 || first < rules; first += RULES_PER_FILE) {
		char path[512];
		struct fl_buf b;
		FILE *f;
		size_t wrote;

		fl_buf_init(&b, 64u << 20);
		if (first == 0)
			snprintf(path, sizeof(path), "%s/plan.plan", dir);
		else
			snprintf(path, sizeof(path), "%s/part%ld.plan", dir, first / RULES_PER_FILE);
		if (generate(&b, first, rules) < 0 || !(f = fopen(path, "w"))) {
			fl_buf_free(&b);
			return -1;
		}
		wrote = fwrite(b.p, 1, b.len, f);
		total += (long)b.len;
		if (fclose(f) != 0 || wrote != b.len) {
			fl_buf_free(&b);
			return -1;
		}
		fl_buf_free(&b);
	}
	return total;
}

int main(int argc, char **argv)
{
	long rules = argc > 1 ? strtol(argv[1], NULL, 10) : 10000, bytes;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	char dir[] = "/tmp/fl-bench-compile.XXXXXX", path[512];
	double times[64], cpu_s;
	size_t arena = 0, nrules = 0;
	struct rusage ru;

	if (rules < 1 || rules > 100000 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: bench_compile [RULES 1..100000] [ROUNDS 1..64]\n");
		return 2;
	}
	if (!mkdtemp(dir) || (bytes = write_plan(dir, rules)) < 0) {
		fprintf(stderr, "bench_compile: cannot write the plan under /tmp\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/plan.plan", dir);
	getrusage(RUSAGE_SELF, &ru);
	cpu_s = -((double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	for (int r = 0; r < rounds; r++) {
		struct fl_diags *d;
		struct fl_plan *plan = NULL;
		double t0;
		int rc;

		if (fl_diags_create(&d) < 0)
			return 1;
		t0 = now_s();
		rc = fl_plan_compile(&plan, path, NULL, d);
		times[r] = now_s() - t0;
		if (rc < 0) {
			fl_diag_print(d, stderr);
			return 1;
		}
		arena = fl_plan_arena_bytes(plan);
		nrules = fl_plan_program(plan)->n_rules;
		fl_plan_destroy(plan);
		fl_diags_destroy(d);
	}
	getrusage(RUSAGE_SELF, &ru);
	cpu_s += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	for (long k = rules / RULES_PER_FILE; k >= 1; k--) {
		snprintf(path, sizeof(path), "%s/part%ld.plan", dir, k);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/plan.plan", dir);
	unlink(path);
	rmdir(dir);
	qsort(times, (size_t)rounds, sizeof(times[0]), cmp_double);
	printf("compile: %zu rules, %ld bytes of plan text, %d rounds\n", nrules, bytes, rounds);
	printf("compile: best %.3f s, median %.3f s (%.1f us/rule); CPU %.3f s a round\n", times[0],
	       times[rounds / 2], times[rounds / 2] * 1e6 / (double)nrules, cpu_s / rounds);
	printf("compile: arena %.1f MiB, peak RSS %.1f MiB\n", (double)arena / 1048576.0,
	       (double)ru.ru_maxrss / 1024.0);
	return 0;
}
