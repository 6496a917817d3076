/* cmd_duties.c - `faultline duties list`: the plan's periodic duties and
 * their calendar at an instant, on the plan's zone: when each last fell due
 * and when it falls due next (engine/lib/duecal.h). A plan author checks
 * here that "every 1 month from 2027-01-31" means what was meant. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/time_cli.h"
#include "engine/lib/duecal.h"
#include "engine/lib/tz.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

struct duties_args {
	const char *plan, *data;
	int64_t at_ns; /* 0: now */
};

static void duties_usage(FILE *out)
{
	fprintf(out,
		"usage: faultline duties list -c PLAN [--data DIR] [--at TIME]\n"
		"Lists the plan's duties (docs/language.md, Duties): each one's period, who\n"
		"is reminded through which channels, when it last fell due at TIME (default\n"
		"now) and when it falls due next, in the plan's zone.\n");
}

static const char *unit_name(const struct fl_duecal *cal)
{
	static const char *const names[][2] = {{"day", "days"}, {"week", "weeks"},
					       {"month", "months"}};

	return names[cal->unit][cal->every != 1];
}

/* One duty: name, period, role, channels, last and next due, text. */
static void duty_print(const struct fl_program *p, const struct fl_prog_duty *d,
		       const struct fl_tz *tz, int64_t at_s)
{
	char last[FL_CLI_TIME_LEN] = "-", next[FL_CLI_TIME_LEN];
	int64_t k = fl_duecal_last_due(tz, &d->cal, at_s);

	if (k >= 0)
		fl_cli_time(tz, fl_duecal_nth(tz, &d->cal, k) * 1000000000, last);
	fl_cli_time(tz, fl_duecal_nth(tz, &d->cal, k + 1) * 1000000000, next);
	printf("%.*s\tevery %u %s\t%.*s\t", (int)d->name.len, d->name.p, d->cal.every,
	       unit_name(&d->cal), (int)p->roles[d->role].len, p->roles[d->role].p);
	for (uint32_t i = 0; i < d->n_channels; i++) {
		const struct fl_str *ch = &p->channels[p->step_channels[d->first_channel + i]];

		printf("%s%.*s", i ? "," : "", (int)ch->len, ch->p);
	}
	printf("\t%s\t%s\t%.*s\n", last, next, (int)d->text.len, d->text.p);
}

static int duties_list(const struct duties_args *a)
{
	struct fl_plan_options popt = {.data_dir = a->data};
	const struct fl_program *p;
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	struct fl_tz *tz = NULL;
	int64_t at_s = a->at_ns ? a->at_ns / 1000000000 : (int64_t)time(NULL);
	int rc;

	if (fl_diags_create(&d) < 0)
		return 1;
	rc = fl_plan_compile(&plan, a->plan, &popt, d);
	fl_diag_print(d, stderr);
	fl_diags_destroy(d);
	if (rc < 0)
		return 1;
	p = fl_plan_program(plan);
	if (p->timezone.p && fl_tz_load(&tz, p->timezone.p) < 0) {
		fprintf(stderr, "faultline duties: unknown time zone '%s'\n", p->timezone.p);
		fl_plan_destroy(plan);
		return 1;
	}
	printf("NAME\tEVERY\tROLE\tVIA\tLAST DUE\tNEXT DUE\tTEXT\n");
	for (size_t i = 0; i < p->n_duties; i++)
		duty_print(p, &p->duties[i], tz, at_s);
	if (!p->n_duties)
		fprintf(stderr, "faultline duties: %s has no duty statements\n", a->plan);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	return 0;
}

int fl_cmd_duties(int argc, char **argv)
{
	struct duties_args a = {0};
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("-c", &a.plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--plan", &a.plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--data", &a.data, "DIR", "the plan's data files"),
		FL_OPT_TIME_ROW("--at", &a.at_ns, "the calendar at TIME (default now)"),
	};
	const struct fl_opts_cmd cmd = {"duties", opts, FL_ARRAY_LEN(opts), 1, false,
					duties_usage};
	struct fl_opts_result res;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, &a, &res, &status))
		return status;
	if (res.n_words != 1 || strcmp(res.words[0], "list") != 0 || !a.plan) {
		duties_usage(stderr);
		return 2;
	}
	return duties_list(&a);
}
