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
#include "engine/lib/compiler.h"
#include "engine/lib/heap.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/plan_data.h"

struct plan_args {
	const char *plan;
	struct fl_plan_options opt;
	bool werror;
};

static void check_usage(FILE *out)
{
	fprintf(out, "usage: faultline check PLAN [--data DIR] [--warnings-as-errors]\n"
		     "Compiles PLAN and its includes and data files; prints every diagnostic\n"
		     "on stderr and a summary on stdout. --data DIR reads the data files\n"
		     "named by the plan from DIR instead of beside the plan.\n");
}

static void dump_usage(FILE *out)
{
	fprintf(out, "usage: faultline dump PLAN [--data DIR]\n"
		     "Prints the compiled program of PLAN: what the engine will run.\n");
}

/* check and dump: PLAN [--data DIR], check also --warnings-as-errors.
 * Returns true to go on; false with *status set (--help, a usage error). */
static bool parse_args(int argc, char **argv, struct plan_args *a, bool is_check, int *status)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--data", &a->opt.data_dir, "DIR", "the plan's data files"),
		FL_OPT_FLAG_ROW("--warnings-as-errors", &a->werror, "fail on a warning too"),
	};
	const struct fl_opts_cmd cmd = {is_check ? "check" : "dump", opts,
					is_check ? 2 : 1, 1, false,
					is_check ? check_usage : dump_usage};
	struct fl_opts_result res;

	memset(a, 0, sizeof(*a));
	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, status))
		return false;
	if (res.n_words == 0) {
		fprintf(stderr, "faultline %s: which plan?\n", cmd.name);
		fl_opts_usage(&cmd, stderr);
		*status = 2;
		return false;
	}
	a->plan = res.words[0];
	return true;
}

int fl_cmd_check(int argc, char **argv)
{
	struct fl_plan_data_counts counts;
	struct plan_args a;
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	int rc, status;

	if (!parse_args(argc, argv, &a, true, &status))
		return status;
	(void)fl_heap_hugepages(); /* a plan of 10,000 rules: a fifth of the time */
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

	if (!parse_args(argc, argv, &a, false, &rc))
		return rc;
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
