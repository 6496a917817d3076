/* cmd_test.c - `faultline test`: run a plan's test blocks (plantest.h).
 *
 * Every failed expectation is printed with the file:line:col where it is
 * written, what it expected and what happened; the last line is "N passed,
 * N failed" (tests), and the exit status is 1 when any failed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
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

static void test_usage(FILE *out)
{
	fprintf(out, "usage: faultline test PLAN [--data DIR]\n"
		     "Runs the test blocks of PLAN; prints how many passed and failed.\n");
}

/* Returns true to go on; false with *status set (--help, a usage error). */
static bool parse_args(int argc, char **argv, struct fl_plan_options *popt, const char **path,
		       int *status)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--data", &popt->data_dir, "DIR", "the plan's data files"),
	};
	const struct fl_opts_cmd cmd = {"test", opts, FL_ARRAY_LEN(opts), 1, false, test_usage};
	struct fl_opts_result res;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, status))
		return false;
	if (res.n_words == 0) {
		fprintf(stderr, "faultline test: which plan?\n");
		fl_opts_usage(&cmd, stderr);
		*status = 2;
		return false;
	}
	*path = res.words[0];
	return true;
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

	if (!parse_args(argc, argv, &popt, &path, &status))
		return status;
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
