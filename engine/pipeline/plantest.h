/* plantest.h - a compiled plan's test blocks, run and checked.
 *
 * fl_plantest_run() runs each `test` block of a plan on an engine of its own
 * (event clock, no store, no network) and checks its `expect` lines against
 * the actions the engine wrote. It returns the results as data: per test its
 * failed expectations, each with the file:line:col where it is written and
 * what it expected, and the incidents the engine did raise; printing them is
 * the caller's (`faultline test`). The plan and zone are borrowed and only
 * read, so any thread may run the tests of a plan another thread uses. */
#ifndef FL_PLANTEST_H
#define FL_PLANTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_PLANTEST_SEEN_MAX 12	     /* incidents shown with a failed test */
#define FL_PLANTEST_EXPECTED_MAX 512 /* text of one expectation; longer is cut */

struct fl_program;
struct fl_tz;

/* One expectation that did not hold. */
struct fl_plantest_failure {
	const char *file; /* borrowed from the plan; "?" when unknown */
	int line, column;
	char expected[FL_PLANTEST_EXPECTED_MAX]; /* "incident fibre_cut level urgent" */
};

/* One action on an incident the test's engine wrote (notifications left out). */
struct fl_plantest_seen {
	int64_t at_s;	    /* seconds after the test's base time */
	const char *action; /* "open", "update", ... (static) */
	uint64_t id;
	const char *rule, *level; /* borrowed from the plan; "-" when none */
	char title[256];
	uint64_t absorbed;
	bool is_planned;
};

struct fl_plantest_result {
	const char *name; /* the test's, borrowed from the plan */
	struct fl_plantest_failure *failures; /* n_failures of them, owned */
	size_t n_failures;		      /* 0: the test passed */
	/* with failures: the first FL_PLANTEST_SEEN_MAX incident actions */
	struct fl_plantest_seen seen[FL_PLANTEST_SEEN_MAX];
	size_t n_seen;
};

struct fl_plantest_report {
	struct fl_plantest_result *tests; /* one per test block, in plan order; owned */
	size_t n_tests, passed, failed;
};

/* Runs every test of p. tz: the zone of times written without one (the
 * plan's timezone), NULL for UTC. Returns 0 with *out filled (a plan without
 * tests gives n_tests 0), or -ENOMEM (*out untouched). */
FL_MUST_CHECK int fl_plantest_run(const struct fl_program *p, const struct fl_tz *tz,
				  struct fl_plantest_report *out);
/* Frees what the report owns; accepts a report already freed. */
void fl_plantest_report_free(struct fl_plantest_report *r);

#endif /* FL_PLANTEST_H */
