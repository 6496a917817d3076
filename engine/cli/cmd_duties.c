/* cmd_duties.c - `faultline duties list`: the plan's periodic duties and
 * their calendar at an instant, on the plan's zone: when each last fell due
 * and when it falls due next (engine/lib/duecal.h). A plan author checks
 * here that "every 1 month from 2027-01-31" means what was meant; with
 * --db, each branch's latest ticket and its state. `faultline duties tick`
 * makes what fell due (engine/pipeline/duty_tick.h), as the running engine
 * does, from cron or by hand after a stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/store_cli.h"
#include "engine/cli/time_cli.h"
#include "engine/lib/duecal.h"
#include "engine/lib/tz.h"
#include "engine/pipeline/duty_tick.h"
#include "engine/store/store.h"
#include "engine/store/store_duty.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

struct duties_args {
	const char *plan, *data, *db;
	int64_t at_ns; /* 0: now */
	bool create;
};

static void duties_usage(FILE *out)
{
	fprintf(out,
		"usage: faultline duties list -c PLAN [--data DIR] [--at TIME] [--db PATH]\n"
		"       faultline duties tick -c PLAN --data DIR [--at TIME] [--db PATH [--create]]\n"
		"list: the plan's duties (docs/language.md, Duties): each one's period, who\n"
		"is reminded through which channels, when it last fell due at TIME (default\n"
		"now) and when it falls due next, in the plan's zone; with --db, each\n"
		"branch's latest duty ticket and its state.\n"
		"tick: makes each occurrence due at TIME, once per branch: its ticket and\n"
		"the reminders to the branch's role in the outbox; after a long stop only\n"
		"the latest missed one, with how many were passed over.\n");
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

/* The plan compiled and its zone loaded; 0, or 1 after saying why. */
static int plan_load(const struct duties_args *a, struct fl_plan **plan, struct fl_tz **tz)
{
	struct fl_plan_options popt = {.data_dir = a->data};
	const struct fl_program *p;
	struct fl_diags *d = NULL;
	int rc;

	*tz = NULL;
	if (fl_diags_create(&d) < 0)
		return 1;
	rc = fl_plan_compile(plan, a->plan, &popt, d);
	fl_diag_print(d, stderr);
	fl_diags_destroy(d);
	if (rc < 0)
		return 1;
	p = fl_plan_program(*plan);
	if (p->timezone.p && fl_tz_load(tz, p->timezone.p) < 0) {
		fprintf(stderr, "faultline duties: unknown time zone '%s'\n", p->timezone.p);
		fl_plan_destroy(*plan);
		return 1;
	}
	return 0;
}

/* One branch's latest occurrence, under its duty's line. */
static int run_print(void *ctx, const struct fl_duty_run_view *r)
{
	const struct fl_tz *tz = ctx;
	char due[FL_CLI_TIME_LEN], deadline[FL_CLI_TIME_LEN];

	fl_cli_time(tz, r->due_ns, due);
	fl_cli_time(tz, r->deadline_ns, deadline);
	printf("  %s\t%s\t%s\tdue %s\tby %s", r->branch, r->ticket, r->state, due, deadline);
	if (r->passed_over)
		printf("\t%lld passed over", (long long)r->passed_over);
	printf("\n");
	return 0;
}

static int duties_list(const struct duties_args *a)
{
	const struct fl_program *p;
	struct fl_store *s = NULL;
	struct fl_plan *plan = NULL;
	struct fl_tz *tz = NULL;
	int64_t at_s = a->at_ns ? a->at_ns / 1000000000 : (int64_t)time(NULL);
	int rc = 0;

	if (plan_load(a, &plan, &tz))
		return 1;
	if (a->db && !(s = fl_cli_store_open_existing("duties", a->db, false))) {
		fl_tz_free(tz);
		fl_plan_destroy(plan);
		return 1;
	}
	p = fl_plan_program(plan);
	printf("NAME\tEVERY\tROLE\tVIA\tLAST DUE\tNEXT DUE\tTEXT\n");
	for (size_t i = 0; i < p->n_duties && rc == 0; i++) {
		char name[256];

		duty_print(p, &p->duties[i], tz, at_s);
		snprintf(name, sizeof(name), "%.*s", (int)p->duties[i].name.len, p->duties[i].name.p);
		if (s)
			rc = fl_store_duty_runs_each(s, name, run_print, tz);
	}
	if (rc < 0)
		fprintf(stderr, "faultline duties: %s (%s)\n", strerror(-rc), fl_store_errmsg(s));
	if (!p->n_duties)
		fprintf(stderr, "faultline duties: %s has no duty statements\n", a->plan);
	fl_store_close(s);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	return rc < 0 ? 1 : 0;
}

/* One ticket made: its line of the tick's output. */
static void made_print(void *ctx, const struct fl_duty_made *m)
{
	const struct fl_tz *tz = ctx;
	char due[FL_CLI_TIME_LEN];

	fl_cli_time(tz, m->due_ns, due);
	printf("made %s\t%s\t%s\tdue %s\t%u reminder%s", m->ticket, m->duty, m->branch, due,
	       m->notices, m->notices == 1 ? "" : "s");
	if (m->passed_over)
		printf("\t%lld passed over", (long long)m->passed_over);
	printf("\n");
	if (!m->notices)
		fprintf(stderr, "faultline duties: %s at %s: nobody holds the role, even at"
		                " region: no reminder\n", m->duty, m->branch);
}

static int duties_tick(const struct duties_args *a)
{
	struct fl_duty_tick_stats st = {0};
	struct fl_store *s;
	struct fl_plan *plan = NULL;
	struct fl_tz *tz = NULL;
	char err[512] = "";
	int rc;

	if (plan_load(a, &plan, &tz))
		return 1;
	s = fl_cli_store_open_existing("duties", a->db, a->create);
	if (!s) {
		fl_tz_free(tz);
		fl_plan_destroy(plan);
		return 1;
	}
	rc = fl_duty_tick(s, fl_plan_program(plan), tz, a->at_ns ? a->at_ns : fl_cli_now_ns(),
	                  made_print, tz, &st, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "faultline duties: tick: %s\n", err[0] ? err : strerror(-rc));
	else
		printf("%u ticket%s made, %u reminder%s queued, %lld occurrence%s passed over\n",
		       st.made, st.made == 1 ? "" : "s", st.notices, st.notices == 1 ? "" : "s",
		       (long long)st.passed_over, st.passed_over == 1 ? "" : "s");
	fl_store_close(s);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	return rc < 0 ? 1 : 0;
}

int fl_cmd_duties(int argc, char **argv)
{
	struct duties_args a = {0};
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("-c", &a.plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--plan", &a.plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--data", &a.data, "DIR", "the plan's data files"),
		FL_OPT_TIME_ROW("--at", &a.at_ns, "the calendar at TIME (default now)"),
		FL_OPT_STRING_ROW("--db", &a.db, "PATH", "the ticket store"),
		FL_OPT_FLAG_ROW("--create", &a.create, "tick: make the store when it is not there"),
	};
	const struct fl_opts_cmd cmd = {"duties", opts, FL_ARRAY_LEN(opts), 1, false,
					duties_usage};
	struct fl_opts_result res;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, &a, &res, &status))
		return status;
	if (res.n_words != 1 || !a.plan ||
	    (strcmp(res.words[0], "list") != 0 && strcmp(res.words[0], "tick") != 0)) {
		duties_usage(stderr);
		return 2;
	}
	return strcmp(res.words[0], "tick") == 0 ? duties_tick(&a) : duties_list(&a);
}
