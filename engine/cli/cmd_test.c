/* cmd_test.c - `faultline test`: run a plan's test blocks (plantest.h).
 *
 * Every failed expectation is printed with the file:line:col where it is
 * written, what it expected and what happened; the last line is "N passed,
 * N failed" (tests), and the exit status is 1 when any failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/lib/tz.h"
#include "engine/pipeline/plantest.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

static void print_failures(const struct fl_plantest_result *t)
{
	for (size_t i = 0; i < t->n_failures; i++) {
		const struct fl_plantest_failure *f = &t->failures[i];

		fprintf(stderr, "%s:%d:%d: test \"%s\" failed: expected %s\n", f->file, f->line,
			f->column, t->name, f->expected);
		for (size_t k = 0; k < t->n_seen; k++) {
			const struct fl_plantest_seen *s = &t->seen[k];

			fprintf(stderr,
				"    got: at %+llds %s #%llu %s level %s title \"%s\" absorbed %llu%s\n",
				(long long)s->at_s, s->action, (unsigned long long)s->id, s->rule,
				s->level, s->title, (unsigned long long)s->absorbed,
				s->is_planned ? " planned" : "");
		}
		if (t->n_seen == 0)
			fprintf(stderr, "    got: no incident\n");
	}
}

int fl_cmd_test(int argc, char **argv)
{
	struct fl_plan_options popt = {0};
	const char *path = NULL;
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	struct fl_tz *tz = NULL;
	struct fl_plantest_report report = {0};
	const struct fl_program *p;
	int status = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			popt.data_dir = argv[++i];
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "usage: faultline test PLAN [--data DIR]\n");
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		fprintf(stderr, "usage: faultline test PLAN [--data DIR]\n");
		return 2;
	}
	if (fl_diags_create(&d) < 0)
		goto out;
	if (fl_plan_compile(&plan, path, &popt, d) < 0) {
		fl_diag_print(d, stderr);
		goto out;
	}
	p = fl_plan_program(plan);
	if (p->timezone.p && fl_tz_load(&tz, p->timezone.p) < 0) {
		fprintf(stderr, "faultline test: unknown time zone '%s'\n", p->timezone.p);
		goto out;
	}
	if (fl_plantest_run(p, tz, &report) < 0) {
		fprintf(stderr, "faultline test: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < report.n_tests; i++)
		print_failures(&report.tests[i]);
	printf("%zu passed, %zu failed\n", report.passed, report.failed);
	status = report.failed ? 1 : 0;
out:
	fl_plantest_report_free(&report);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return status;
}
