/* bench_compile.c - compile a generated plan of N rules: time and peak memory.
 *
 * usage: bench_compile [RULES] [ROUNDS]   (defaults 10000 and 5)
 * The plan has the bundled plan's shape: levels, a ladder, and RULES rules
 * each with its own regex (two named captures), a numeric condition, a key,
 * dedup and a raise with a template, plus one correlation over every 100th
 * rule. Prints the best and median compile time of ROUNDS, the arena size and
 * the process's peak RSS. A figure, not a test: nothing here fails on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

static int generate(struct fl_buf *b, long rules)
{
	fl_buf_adds(b, "plan bench;\ntimezone \"Asia/Shanghai\";\n"
		       "roles duty_room, ops_head;\n"
		       "level urgent { label \"紧急\"; respond 0s; onsite city 30m; onsite county 1h; "
		       "repair 2h; ladder l; }\n"
		       "level general { respond 30m; repair 2h; ladder l; }\n"
		       "ladder l { step after 0s notify duty_room at own via sms; "
		       "step respond unacked notify ops_head at city via sms, email; }\n");
	for (long i = 0; i < rules; i++)
		fl_buf_printf(b,
			      "rule r%ld {\n"
			      "    match syslog;\n"
			      "    lookup device host;\n"
			      "    where msg ~ /ALARM_%ld (?<state>raised|cleared) port=(?<port>\\d+-\\d+-\\d+)/"
			      " and severity <= %ld;\n"
			      "    key host, port;\n"
			      "    dedup 5m;\n"
			      "    raise level %s title \"告警 %ld ${host} ${port} ${state} ${city}\";\n"
			      "}\n",
			      i, i, i % 8, i % 3 ? "general" : "urgent", i);
	fl_buf_adds(b, "correlate many { locate group; group site; within 2m; from r0");
	for (long i = 100; i < rules; i += 100)
		fl_buf_printf(b, ", r%ld", i);
	fl_buf_adds(b, "; raise level urgent title \"${site} ${count}\"; }\n");
	return b->overflowed ? -1 : 0;
}

int main(int argc, char **argv)
{
	long rules = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	double times[64];
	size_t arena = 0, nrules = 0;
	struct fl_buf text;
	struct rusage ru;

	if (rules < 1 || rules > 100000 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: bench_compile [RULES 1..100000] [ROUNDS 1..64]\n");
		return 2;
	}
	fl_buf_init(&text, 64u << 20);
	if (generate(&text, rules) < 0) {
		fprintf(stderr, "bench_compile: plan too large\n");
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		struct fl_diags *d;
		struct fl_plan *plan = NULL;
		double t0;
		int rc;

		if (fl_diags_create(&d) < 0)
			return 1;
		t0 = now_s();
		rc = fl_plan_compile_text(&plan, "bench.plan", text.p, text.len, NULL, d);
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
	qsort(times, (size_t)rounds, sizeof(times[0]), cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	printf("compile: %zu rules, %zu bytes of plan text, %d rounds\n", nrules, text.len, rounds);
	printf("compile: best %.3f s, median %.3f s (%.1f us/rule)\n", times[0],
	       times[rounds / 2], times[rounds / 2] * 1e6 / (double)nrules);
	printf("compile: arena %.1f MiB, peak RSS %.1f MiB (text buffer included)\n",
	       (double)arena / 1048576.0, (double)ru.ru_maxrss / 1024.0);
	fl_buf_free(&text);
	return 0;
}
