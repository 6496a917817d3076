/* cmd_plan.c - `faultline check` and `faultline dump`: the plan author's tools.
 *
 * check compiles a plan, prints its diagnostics on stderr and a one-line
 * summary on stdout; dump prints the compiled program (what the engine runs).
 * Exit status: 0 clean (warnings allowed unless --warnings-as-errors), 1 the
 * plan has errors, 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/cli/cli.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/plan_data.h"

struct plan_args {
	const char *plan;
	struct fl_plan_options opt;
	bool werror;
};

static int parse_args(int argc, char **argv, struct plan_args *a, bool allow_werror)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			a->opt.data_dir = argv[++i];
		} else if (allow_werror && strcmp(argv[i], "--warnings-as-errors") == 0) {
			a->werror = true;
		} else if (argv[i][0] == '-' || a->plan) {
			return -EINVAL;
		} else {
			a->plan = argv[i];
		}
	}
	return a->plan ? 0 : -EINVAL;
}

static int usage(const char *cmd, bool werror)
{
	fprintf(stderr, "usage: faultline %s PLAN [--data DIR]%s\n", cmd,
		werror ? " [--warnings-as-errors]" : "");
	return 2;
}

static bool wants_help(int argc, char **argv)
{
	return argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

int fl_cmd_check(int argc, char **argv)
{
	struct fl_plan_data_counts counts;
	struct plan_args a;
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	int rc, status;

	if (wants_help(argc, argv)) {
		printf("usage: faultline check PLAN [--data DIR] [--warnings-as-errors]\n"
		       "Compiles PLAN and its includes and data files; prints every diagnostic\n"
		       "on stderr and a summary on stdout. --data DIR reads the data files\n"
		       "named by the plan from DIR instead of beside the plan.\n");
		return 0;
	}
	if (parse_args(argc, argv, &a, true) < 0)
		return usage("check", true);
	if (fl_diags_create(&d) < 0) {
		fprintf(stderr, "faultline check: out of memory\n");
		return 1;
	}
	rc = fl_plan_compile_counted(&plan, a.plan, &a.opt, d, &counts);
	fl_diag_print(d, stderr);
	status = rc < 0 || (a.werror && fl_diag_warnings(d) > 0) ? 1 : 0;
	if (rc == -ENOMEM)
		fprintf(stderr, "faultline check: out of memory\n");
	if (status == 0) {
		const struct fl_program *p = fl_plan_program(plan);

		printf("%s: ok: %zu rules, %zu correlations, %zu levels, %zu ladders, "
		       "%zu roles, %zu windows, %zu tests; data: %zu files, %zu devices, "
		       "%zu spans, %zu contacts; %zu warning%s\n",
		       a.plan, p->n_rules, p->n_correlations, p->n_levels, p->n_ladders,
		       p->n_roles, counts.windows, p->n_tests, counts.files, counts.devices,
		       counts.spans, counts.contacts, fl_diag_warnings(d),
		       fl_diag_warnings(d) == 1 ? "" : "s");
	} else if (rc == 0 || rc == -EINVAL) {
		size_t ne = fl_diag_errors(d), nw = fl_diag_warnings(d);

		fprintf(stderr, "%s: %zu error%s, %zu warning%s%s\n", a.plan, ne, ne == 1 ? "" : "s",
			nw, nw == 1 ? "" : "s", a.werror ? " (warnings are errors)" : "");
	}
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return status;
}

int fl_cmd_dump(int argc, char **argv)
{
	struct plan_args a;
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	struct fl_buf out;
	int rc;

	if (wants_help(argc, argv)) {
		printf("usage: faultline dump PLAN [--data DIR]\n"
		       "Prints the compiled program of PLAN: what the engine will run.\n");
		return 0;
	}
	if (parse_args(argc, argv, &a, false) < 0)
		return usage("dump", false);
	if (fl_diags_create(&d) < 0) {
		fprintf(stderr, "faultline dump: out of memory\n");
		return 1;
	}
	rc = fl_plan_compile(&plan, a.plan, &a.opt, d);
	fl_diag_print(d, stderr);
	if (rc < 0) {
		fl_diags_destroy(d);
		return 1;
	}
	fl_buf_init(&out, 256u * 1024 * 1024);
	rc = fl_plan_dump(plan, &out);
	if (rc == 0 && out.len)
		fwrite(out.p, 1, out.len, stdout);
	else if (rc < 0)
		fprintf(stderr, "faultline dump: program too large to print\n");
	fl_buf_free(&out);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return rc < 0 ? 1 : 0;
}
