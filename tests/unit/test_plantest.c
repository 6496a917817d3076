#include <criterion/criterion.h>
#include <string.h>

#include "engine/pipeline/plantest.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

static const struct fl_plan_options memory_only = {.no_files = true};

static const char plan_head[] = "plan t;\n"
				"level urgent {\n"
				"    respond 0s;\n"
				"}\n"
				"rule los {\n"
				"    match syslog;\n"
				"    where msg ~ /R_LOS/;\n"
				"    key host;\n"
				"    raise level urgent title \"LOS ${host}\";\n"
				"}\n";

struct compiled {
	struct fl_plan *plan;
	struct fl_diags *d;
	struct fl_plantest_report report;
};

/* Compiles plan_head + tests in memory and runs the tests. */
static void run(struct compiled *c, const char *tests)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), "%s%s", plan_head, tests);

	cr_assert(n > 0 && (size_t)n < sizeof(text));
	memset(c, 0, sizeof(*c));
	cr_assert_eq(fl_diags_create(&c->d), 0);
	cr_assert_eq(fl_plan_compile_text(&c->plan, "t.plan", text, (size_t)n, &memory_only, c->d),
		     0);
	cr_assert_eq(fl_plantest_run(fl_plan_program(c->plan), NULL, &c->report), 0);
}

static void done(struct compiled *c)
{
	fl_plantest_report_free(&c->report);
	cr_expect_null(c->report.tests);
	fl_plan_destroy(c->plan);
	fl_diags_destroy(c->d);
}

Test(plantest, reports_a_test_whose_expectations_hold_as_passed)
{
	struct compiled c;

	run(&c, "test \"a loss of signal\" {\n"
		"    at 0s syslog \"<131>Nov 25 10:00:00 HC-N07 OSN: R_LOS port=1-1-3\";\n"
		"    expect incident los level urgent;\n"
		"}\n");
	cr_expect_eq(c.report.n_tests, 1);
	cr_expect_eq(c.report.passed, 1);
	cr_expect_eq(c.report.failed, 0);
	cr_expect_str_eq(c.report.tests[0].name, "a loss of signal");
	cr_expect_eq(c.report.tests[0].n_failures, 0);
	done(&c);
}

/* Plan line 14 is the test's second expectation (the head has 10 lines). */
Test(plantest, reports_a_failed_expectation_with_its_line_and_what_happened)
{
	struct compiled c;
	const struct fl_plantest_result *t;

	run(&c, "test \"quiet\" {\n"
		"    at 0s syslog \"<131>Nov 25 10:00:00 HC-N07 OSN: R_LOS port=1-1-3\";\n"
		"    expect incident los level urgent;\n"
		"    expect no incident;\n"
		"}\n");
	cr_assert_eq(c.report.n_tests, 1);
	cr_expect_eq(c.report.passed, 0);
	cr_expect_eq(c.report.failed, 1);
	t = &c.report.tests[0];
	cr_assert_eq(t->n_failures, 1, "only the second expectation fails");
	cr_expect_str_eq(t->failures[0].file, "t.plan");
	cr_expect_eq(t->failures[0].line, 14);
	cr_expect_eq(t->failures[0].column, 5);
	cr_expect_str_eq(t->failures[0].expected, "no incident");
	cr_assert_eq(t->n_seen, 1);
	cr_expect_str_eq(t->seen[0].action, "open");
	cr_expect_str_eq(t->seen[0].rule, "los");
	cr_expect_str_eq(t->seen[0].level, "urgent");
	cr_expect_str_eq(t->seen[0].title, "LOS HC-N07");
	cr_expect_eq(t->seen[0].at_s, 0);
	done(&c);
}

Test(plantest, runs_nothing_for_a_plan_without_tests)
{
	struct compiled c;

	run(&c, "");
	cr_expect_eq(c.report.n_tests, 0);
	cr_expect_eq(c.report.passed, 0);
	cr_expect_eq(c.report.failed, 0);
	done(&c);
}
