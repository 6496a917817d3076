/* cmd_directive.c - `faultline directive`: issue a dispatch directive
 * (调度指挥令) and relay it down the branches, record acknowledgements and
 * reports, escalate late branches, show who has and has not acknowledged,
 * and the branches' yearly record. The relay itself is
 * engine/pipeline/directive.h; the records are the store's. Times are
 * --at TIME (default now), so a test or a replayed day runs on a fixed clock.
 * Exit status: 0, 1 refused / not found / store failure, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/store_cli.h"
#include "engine/cli/who_cli.h"
#include "engine/lib/buf.h"
#include "engine/lib/json.h"
#include "engine/pipeline/directive.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

struct dir_args {
	const char *db, *verb, *id, *extra, *plan, *data, *at;
	const char *from, *phone, *text, *coding, *scope, *level, *ask, *report_by, *branch, *by, *note;
	uint32_t year;
	bool json, all;
	int64_t now_ns;
	char who[64]; /* the uid's name, when --by is not given */
};

static void dir_usage(FILE *out)
{
	fprintf(out,
	        "usage: faultline directive [--db PATH] issue -c PLAN [--data DIR] --from ISSUER\n"
	        "           --text TEXT --scope all|'city NAME'|'county NAME[,NAME...]'\n"
	        "           [--level LEVEL] [--ask ack|act|report --report-by TIME] [--at TIME]\n"
	        "       faultline directive [--db PATH] ack ID --branch NAME [--by NAME] [--note T]\n"
	        "       faultline directive [--db PATH] report ID --branch NAME --text TEXT\n"
	        "           [--by NAME] -c PLAN [--data DIR]\n"
	        "       faultline directive [--db PATH] report --year YEAR [--json]\n"
	        "       faultline directive [--db PATH] tick -c PLAN [--data DIR] [--at TIME]\n"
	        "       faultline directive [--db PATH] reply -c PLAN [--data DIR] --phone NUMBER\n"
	        "           --text SMS [--coding 0|1|2] [--at TIME]\n"
	        "       faultline directive [--db PATH] [--json] show ID | list [--all]\n"
	        "TIME: YYYY-MM-DD[THH:MM[:SS]] with Z or +HH:MM (no suffix: UTC); --at: the\n"
	        "time of the step (default now). The plan's `relay directives` block says who\n"
	        "is told at each level and how long each has to acknowledge; tick escalates\n"
	        "the branches past their time. docs/directives.md.\n");
}

/* Returns true to go on; false with *status set. */
static bool parse_args(struct dir_args *a, int argc, char **argv, int *status)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &a->db, "PATH", "the ticket store"),
		FL_OPT_STRING_ROW("-c", &a->plan, "PLAN", "issue, report, tick: the plan"),
		FL_OPT_STRING_ROW("--plan", &a->plan, "PLAN", "issue, report, tick: the plan"),
		FL_OPT_STRING_ROW("--data", &a->data, "DIR", "the plan's data files"),
		FL_OPT_STRING_ROW("--at", &a->at, "TIME", "when the step happens (default now)"),
		FL_OPT_STRING_ROW("--from", &a->from, "ISSUER", "issue: who gave the order"),
		FL_OPT_STRING_ROW("--text", &a->text, "TEXT",
				  "issue: the order; report: the report; reply: the SMS"),
		FL_OPT_STRING_ROW("--phone", &a->phone, "NUMBER", "reply: who sent the SMS"),
		FL_OPT_STRING_ROW("--coding", &a->coding, "N",
				  "reply: --text is URL-encoded as Kannel's %a, coding N (%c)"),
		FL_OPT_STRING_ROW("--scope", &a->scope, "SCOPE", "issue: all, city NAME, county NAMES"),
		FL_OPT_STRING_ROW("--level", &a->level, "LEVEL", "issue: the plan's level"),
		FL_OPT_STRING_ROW("--ask", &a->ask, "WHAT", "issue: ack, act or report"),
		FL_OPT_STRING_ROW("--report-by", &a->report_by, "TIME", "issue: reports due by"),
		FL_OPT_STRING_ROW("--branch", &a->branch, "NAME", "ack, report: the branch"),
		FL_OPT_STRING_ROW("--by", &a->by, "NAME", "ack, report: who (default $USER)"),
		FL_OPT_STRING_ROW("--note", &a->note, "TEXT", "ack: a note"),
		FL_OPT_UINT_ROW("--year", &a->year, 1970, 2199, FL_OPT_YEAR, "YEAR",
				"report: the yearly record of YEAR"),
		FL_OPT_FLAG_ROW("--json", &a->json, "show, list, report --year: print JSON"),
		FL_OPT_FLAG_ROW("--all", &a->all, "list: every directive, not only open ones"),
	};
	const struct fl_opts_cmd cmd = {"directive", opts, FL_ARRAY_LEN(opts), 3, false,
					dir_usage};
	struct fl_opts_result res;

	if (!fl_opts_accept(&cmd, argc, argv, a, &res, status))
		return false;
	a->verb = res.n_words > 0 ? res.words[0] : NULL;
	a->id = res.n_words > 1 ? res.words[1] : NULL;
	a->extra = res.n_words > 2 ? res.words[2] : NULL;
	*status = 2;
	if (!a->verb) {
		fprintf(stderr, "faultline directive: a command is needed\n");
		dir_usage(stderr);
		return false;
	}
	a->now_ns = fl_cli_now_ns();
	a->by = fl_cli_who(a->by, a->who, sizeof(a->who));
	if (a->at && fl_time_parse(a->at, &a->now_ns) < 0) {
		fprintf(stderr, "faultline directive: --at must be a time: '%s'\n", a->at);
		return false;
	}
	return true;
}

/* ---- the plan -------------------------------------------------------------- */

static struct fl_plan *plan_open(const struct dir_args *a)
{
	struct fl_plan_options popt = {.data_dir = a->data};
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	int rc;

	if (!a->plan) {
		fprintf(stderr, "faultline directive: %s needs -c PLAN (its relay block)\n", a->verb);
		return NULL;
	}
	if (fl_diags_create(&d) < 0)
		return NULL;
	rc = fl_plan_compile(&plan, a->plan, &popt, d);
	fl_diag_print(d, stderr);
	fl_diags_destroy(d);
	return rc < 0 ? NULL : plan;
}

static bool level_known(const struct fl_program *prog, const char *level)
{
	for (size_t i = 0; i < prog->n_levels; i++)
		if (strcmp(prog->levels[i].name.p, level) == 0)
			return true;
	return false;
}

/* ---- issue ----------------------------------------------------------------- */

/* --scope all | "city NAME" | "county A,B", or the name as the next word
 * (--scope city Mingyang). names[] points into names_buf. */
static int parse_scope(const struct dir_args *a, struct fl_directive_order *o, char *names_buf,
                       size_t len, const char **names, size_t max)
{
	const char *rest;
	char *save = NULL;

	if (!a->scope)
		return -EINVAL;
	if (strcmp(a->scope, "all") == 0) {
		o->scope = FL_DIRECTIVE_TO_ALL;
		return a->id ? -EINVAL : 0;
	}
	if (strncmp(a->scope, "city", 4) == 0 && (a->scope[4] == ' ' || !a->scope[4]))
		o->scope = FL_DIRECTIVE_TO_CITY;
	else if (strncmp(a->scope, "county", 6) == 0 && (a->scope[6] == ' ' || !a->scope[6]))
		o->scope = FL_DIRECTIVE_TO_COUNTIES;
	else
		return -EINVAL;
	rest = strchr(a->scope, ' ') ? strchr(a->scope, ' ') + 1 : a->id;
	if (!rest || !rest[0] || (size_t)snprintf(names_buf, len, "%s", rest) >= len)
		return -EINVAL;
	o->n_names = 0;
	for (char *t = strtok_r(names_buf, ", ", &save); t && o->n_names < max;
	     t = strtok_r(NULL, ", ", &save))
		names[o->n_names++] = t;
	o->names = names;
	if (o->n_names == 0 || (o->scope == FL_DIRECTIVE_TO_CITY && o->n_names != 1))
		return -EINVAL;
	return 0;
}

static int parse_ask(const struct dir_args *a, struct fl_directive_order *o)
{
	const char *ask = a->ask ? a->ask : "ack";

	if (strcmp(ask, "report-by") == 0)
		ask = "report";
	if (fl_directive_ask_parse(ask, &o->ask) < 0) {
		fprintf(stderr, "faultline directive: --ask is ack, act or report: '%s'\n", ask);
		return -EINVAL;
	}
	if ((o->ask == FL_DIRECTIVE_ASK_REPORT) != (a->report_by != NULL)) {
		fprintf(stderr, "faultline directive: --ask report goes with --report-by TIME\n");
		return -EINVAL;
	}
	if (a->report_by && fl_time_parse(a->report_by, &o->report_by_ns) < 0) {
		fprintf(stderr, "faultline directive: --report-by must be a time: '%s'\n",
		        a->report_by);
		return -EINVAL;
	}
	return 0;
}

static int do_issue(struct fl_store *s, const struct fl_program *prog, const struct dir_args *a)
{
	struct fl_directive_order o = {.issuer = a->from, .text = a->text, .level = a->level,
	                               .at_ns = a->now_ns};
	struct fl_directive_outcome out;
	const char *names[FL_DIRECTIVE_BRANCHES_MAX];
	char names_buf[4096], err[512] = "";
	int rc;

	if (!a->from || !a->text) {
		fprintf(stderr, "faultline directive: issue needs --from ISSUER and --text TEXT\n");
		return 2;
	}
	if (parse_scope(a, &o, names_buf, sizeof(names_buf), names, FL_ARRAY_LEN(names)) < 0) {
		fprintf(stderr, "faultline directive: --scope is all, 'city NAME' or "
		                "'county NAME[,NAME...]'\n");
		return 2;
	}
	if (parse_ask(a, &o) < 0)
		return 2;
	if (a->level && !level_known(prog, a->level)) {
		fprintf(stderr, "faultline directive: the plan has no level '%s'\n", a->level);
		return 2;
	}
	rc = fl_directive_issue(s, prog, &o, &out, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "faultline directive: issue: %s\n", err[0] ? err : strerror(-rc));
		return 1;
	}
	printf("%s\n", out.id);
	fprintf(stderr, "directive %s: relayed to %zu branches, %zu notices queued, %zu branches "
	                "with nobody to tell\n",
	        out.id, out.branches, out.notices, out.unreached);
	return 0;
}

/* ---- ack, report, tick ------------------------------------------------------ */

static int step_error(const char *verb, const struct dir_args *a, int rc, const char *err)
{
	if (err && err[0])
		fprintf(stderr, "faultline directive: %s: %s\n", verb, err);
	else if (rc == -ENOENT)
		fprintf(stderr, "faultline directive: %s: no branch %s in directive %s\n", verb,
		        a->branch, a->id);
	else if (rc == -EEXIST)
		fprintf(stderr, "faultline directive: %s: %s has done so on %s already\n", verb,
		        a->branch, a->id);
	else
		fprintf(stderr, "faultline directive: %s: %s\n", verb, strerror(-rc));
	return 1;
}

static int do_ack(struct fl_store *s, const struct dir_args *a)
{
	int rc;

	if (!a->id || !a->branch || !a->by) {
		fprintf(stderr, "faultline directive: ack needs ID, --branch NAME and --by NAME\n");
		return 2;
	}
	rc = fl_store_directive_ack(s, a->id, a->branch, a->by, a->note, a->now_ns);
	if (rc < 0)
		return step_error("ack", a, rc, NULL);
	printf("%s acknowledged by %s (%s)\n", a->id, a->branch, a->by);
	return 0;
}

static int do_branch_report(struct fl_store *s, const struct fl_program *prog,
                            const struct dir_args *a)
{
	struct fl_directive_outcome out;
	char err[512] = "";
	int rc;

	if (!a->id || !a->branch || !a->by || !a->text) {
		fprintf(stderr, "faultline directive: report needs ID, --branch NAME, --by NAME and "
		                "--text TEXT\n");
		return 2;
	}
	rc = fl_directive_report(s, prog, a->id, a->branch, a->by, a->text, a->now_ns, &out, err,
	                         sizeof(err));
	if (rc < 0)
		return step_error("report", a, rc, err);
	printf("%s report of %s recorded, %zu notices queued upward\n", a->id, a->branch,
	       out.notices);
	return 0;
}

static int do_tick(struct fl_store *s, const struct fl_program *prog, const struct dir_args *a)
{
	struct fl_directive_outcome out;
	char err[512] = "";
	int rc = fl_directive_tick(s, prog, a->now_ns, &out, err, sizeof(err));

	if (rc < 0)
		return step_error("tick", a, rc, err);
	printf("tick: %zu late steps taken, %zu notices queued\n", out.escalated, out.notices);
	return 0;
}

/* An SMS a branch sent back, handed over by the SMS gateway (Kannel's
 * sms-service `exec`): what to answer goes to stdout, the gateway's reply to
 * the sender; the exit status says whether it acknowledged anything. */
static int do_reply(struct fl_store *s, const struct fl_program *prog, const struct dir_args *a)
{
	struct fl_directive_reply out;
	char text[2048];
	int rc;

	if (!a->phone || !a->text) {
		fprintf(stderr, "faultline directive: reply needs --phone NUMBER and --text SMS\n");
		return 2;
	}
	if (a->coding && (strlen(a->coding) != 1 || a->coding[0] < '0' || a->coding[0] > '2' ||
	                  fl_directive_reply_text(a->text, a->coding[0] - '0', text,
	                                          sizeof(text)) < 0)) {
		fprintf(stderr, "faultline directive: reply: --text is not URL-encoded text in "
		                "coding '%s' (0, 1 or 2)\n", a->coding);
		return 2;
	}
	rc = fl_directive_reply(s, prog, a->phone, a->coding ? text : a->text, a->now_ns, &out);
	printf("%s\n", out.reply);
	if (rc < 0) {
		fprintf(stderr, "faultline directive: reply from %s refused: %s\n", a->phone,
		        out.reply);
		return 1;
	}
	return 0;
}

/* ---- yearly record ---------------------------------------------------------- */

static int year_row(void *ctx, const struct fl_directive_year_row *r)
{
	struct fl_json *j = ctx;

	if (!j) {
		fl_cli_cell(stdout, r->branch, 16);
		printf("%-7s %8lld %8lld %5lld %6lld %5lld %8lld\n", r->level, (long long)r->received,
		       (long long)r->acked_in_time, (long long)r->acked_late, (long long)r->never,
		       (long long)r->open, (long long)r->reports);
		return 0;
	}
	fl_json_obj_begin(j);
	fl_json_key(j, "branch");
	fl_json_cstr(j, r->branch);
	fl_json_key(j, "level");
	fl_json_cstr(j, r->level);
	fl_json_key(j, "received");
	fl_json_int(j, r->received);
	fl_json_key(j, "acknowledged_in_time");
	fl_json_int(j, r->acked_in_time);
	fl_json_key(j, "acknowledged_late");
	fl_json_int(j, r->acked_late);
	fl_json_key(j, "never_acknowledged");
	fl_json_int(j, r->never);
	fl_json_key(j, "open");
	fl_json_int(j, r->open);
	fl_json_key(j, "reports");
	fl_json_int(j, r->reports);
	fl_json_obj_end(j);
	return 0;
}

/* Directives issued in YEAR (UTC), judged at --at or at the latest time the
 * store recorded: a store filled on a fixed clock reads the same any day. */
static int do_year(struct fl_store *s, const struct dir_args *a)
{
	char from_text[24], to_text[24];
	int64_t from_ns, to_ns, as_of_ns = a->now_ns;
	struct fl_buf b;
	struct fl_json j;
	int rc;

	snprintf(from_text, sizeof(from_text), "%u-01-01", a->year);
	snprintf(to_text, sizeof(to_text), "%u-01-01", a->year + 1);
	if (fl_time_parse(from_text, &from_ns) < 0 || fl_time_parse(to_text, &to_ns) < 0)
		return 2;
	if (!a->at && (rc = fl_store_recorded_until(s, &as_of_ns)) < 0)
		return step_error("report", a, rc, fl_store_errmsg(s));
	fl_buf_init(&b, 16u << 20);
	fl_json_init(&j, &b);
	if (a->json) {
		fl_json_arr_begin(&j);
	} else {
		printf("directives of %u, per branch\n", a->year);
		fl_cli_cell(stdout, "BRANCH", 16);
		printf("%-7s %8s %8s %5s %6s %5s %8s\n", "LEVEL", "RECEIVED", "IN TIME", "LATE",
		       "NEVER", "OPEN", "REPORTS");
	}
	rc = fl_store_directive_year_each(s, from_ns, to_ns, as_of_ns, year_row,
	                                  a->json ? &j : NULL);
	if (a->json) {
		fl_json_arr_end(&j);
		if (rc == 0)
			printf("%s\n", b.p);
	}
	fl_buf_free(&b);
	return rc < 0 ? step_error("report", a, rc, fl_store_errmsg(s)) : 0;
}

/* ---- show and list ------------------------------------------------------------ */

/* A branch as shown: copied out of the store's walk, so the tree can be
 * printed with each city's counties under it. */
struct brow {
	struct fl_directive_branch_view v;
	char *strs[7];
};

struct brows {
	struct brow *v;
	size_t n, cap;
	bool failed;
};

static char *dup_or_null(const char *p)
{
	return p ? strdup(p) : NULL;
}

static int take_brow(void *ctx, const struct fl_directive_branch_view *b)
{
	struct brows *rows = ctx;
	struct brow *r;

	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 32;
		struct brow *v = realloc(rows->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rows->v = v;
		rows->cap = cap;
	}
	r = &rows->v[rows->n++];
	r->v = *b;
	r->strs[0] = dup_or_null(b->branch), r->v.branch = r->strs[0];
	r->strs[1] = dup_or_null(b->level), r->v.level = r->strs[1];
	r->strs[2] = dup_or_null(b->parent), r->v.parent = r->strs[2];
	r->strs[3] = dup_or_null(b->acked_by), r->v.acked_by = r->strs[3];
	r->strs[4] = dup_or_null(b->ack_note), r->v.ack_note = r->strs[4];
	r->strs[5] = dup_or_null(b->reported_by), r->v.reported_by = r->strs[5];
	r->strs[6] = dup_or_null(b->report), r->v.report = r->strs[6];
	return r->v.branch && r->v.level ? 0 : -ENOMEM;
}

static void brows_free(struct brows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		for (size_t k = 0; k < FL_ARRAY_LEN(rows->v[i].strs); k++)
			free(rows->v[i].strs[k]);
	free(rows->v);
}

/* Where a branch stands at now_ns: what `show` prints and what is late. */
static const char *branch_state(const struct fl_directive_branch_view *b, int64_t now_ns)
{
	if (b->acked_ns)
		return b->acked_ns <= b->deadline_ns ? "acknowledged" : "acknowledged late";
	return now_ns > b->deadline_ns ? "late" : "waiting";
}

static void json_branch(struct fl_json *j, const struct brows *rows, size_t i, int64_t now_ns)
{
	const struct fl_directive_branch_view *b = &rows->v[i].v;

	fl_json_obj_begin(j);
	fl_json_key(j, "branch");
	fl_json_cstr(j, b->branch);
	fl_json_key(j, "level");
	fl_json_cstr(j, b->level);
	fl_json_key(j, "state");
	fl_json_cstr(j, branch_state(b, now_ns));
	fl_directive_json_time(j, "sent", b->sent_ns);
	fl_directive_json_time(j, "deadline", b->deadline_ns);
	fl_directive_json_time(j, "acknowledged", b->acked_ns);
	fl_json_key(j, "acknowledged_by");
	fl_json_cstr(j, b->acked_by);
	fl_json_key(j, "note");
	fl_json_cstr(j, b->ack_note);
	fl_directive_json_time(j, "reported", b->reported_ns);
	fl_json_key(j, "reported_by");
	fl_json_cstr(j, b->reported_by);
	fl_json_key(j, "report");
	fl_json_cstr(j, b->report);
	fl_json_key(j, "late_steps");
	fl_json_uint(j, b->late_steps);
	fl_json_key(j, "below");
	fl_json_arr_begin(j);
	for (size_t k = 0; k < rows->n; k++)
		if (rows->v[k].v.parent && strcmp(rows->v[k].v.parent, b->branch) == 0)
			json_branch(j, rows, k, now_ns);
	fl_json_arr_end(j);
	fl_json_obj_end(j);
}

/* Is the branch's parent among the directive's branches (then it is shown
 * under it)? */
static bool under_a_branch(const struct brows *rows, const struct fl_directive_branch_view *b)
{
	for (size_t k = 0; b->parent && k < rows->n; k++)
		if (strcmp(rows->v[k].v.branch, b->parent) == 0)
			return true;
	return false;
}

struct show_ctx {
	struct fl_json *j; /* NULL: text */
	struct fl_store *s;
	int64_t now_ns;
	int shown;
};

static void json_directive(struct fl_json *j, const struct fl_directive_view *d,
                           const struct brows *rows, int64_t now_ns)
{
	fl_json_obj_begin(j);
	fl_directive_json_fields(j, d);
	if (rows) {
		fl_json_key(j, "tree");
		fl_json_arr_begin(j);
		for (size_t i = 0; i < rows->n; i++)
			if (!under_a_branch(rows, &rows->v[i].v))
				json_branch(j, rows, i, now_ns);
		fl_json_arr_end(j);
	}
	fl_json_obj_end(j);
}

static void text_branch(const struct fl_directive_branch_view *b, bool indent, int64_t now_ns)
{
	char name[160], dl[FL_TIME_ISO_LEN], at[FL_TIME_ISO_LEN], acked[256];

	snprintf(name, sizeof(name), "%s%s", indent ? "  " : "", b->branch);
	fl_time_format(b->deadline_ns, dl);
	if (b->acked_ns) {
		fl_time_format(b->acked_ns, at);
		snprintf(acked, sizeof(acked), "%s %s by %s", branch_state(b, now_ns), at,
		         b->acked_by ? b->acked_by : "?");
	} else {
		snprintf(acked, sizeof(acked), "%s%s", strcmp(branch_state(b, now_ns), "late") == 0
		                                            ? "LATE: not acknowledged"
		                                            : "waiting",
		         b->late_steps ? ", escalated" : "");
	}
	fl_cli_cell(stdout, name, 16);
	printf("%-7s %-21s ", b->level, dl);
	fl_cli_cell(stdout, acked, 47);
	putchar(' '); /* a name wider than the column still stands apart */
	if (b->reported_ns) {
		fl_time_format(b->reported_ns, at);
		printf("reported %s: %s\n", at, b->report ? b->report : "");
	} else {
		printf("-\n");
	}
}

static void text_directive(const struct fl_directive_view *d, const struct brows *rows,
                           int64_t now_ns)
{
	char issued[FL_TIME_ISO_LEN];

	fl_time_format(d->issued_ns, issued);
	printf("%s  issued %s by %s, to %s, %s, asks %s; %lld of %lld acknowledged, %lld "
	       "reported\n",
	       d->id, issued, d->issuer, d->scope, d->level ? d->level : "no level",
	       fl_directive_ask_name(d->ask), (long long)d->acked, (long long)d->branches,
	       (long long)d->reported);
	printf("  %s\n", d->text);
	if (!rows)
		return;
	fl_cli_cell(stdout, "BRANCH", 16);
	printf("%-7s %-21s ", "LEVEL", "DEADLINE");
	fl_cli_cell(stdout, "ACKNOWLEDGED", 47);
	putchar(' ');
	printf("REPORTED\n");
	for (size_t i = 0; i < rows->n; i++) {
		if (under_a_branch(rows, &rows->v[i].v))
			continue;
		text_branch(&rows->v[i].v, false, now_ns);
		for (size_t k = 0; k < rows->n; k++)
			if (rows->v[k].v.parent && strcmp(rows->v[k].v.parent, rows->v[i].v.branch) == 0)
				text_branch(&rows->v[k].v, true, now_ns);
	}
}

/* One directive with its tree (show) or its summary line (list). */
static int show_one(void *ctx, const struct fl_directive_view *d)
{
	struct show_ctx *sc = ctx;
	struct brows rows = {0};
	bool with_tree = sc->shown < 0;
	int rc = 0;

	if (with_tree)
		rc = fl_store_directive_branches_each(sc->s, d->id, take_brow, &rows);
	if (rc == 0 && sc->j)
		json_directive(sc->j, d, with_tree ? &rows : NULL, sc->now_ns);
	else if (rc == 0)
		text_directive(d, with_tree ? &rows : NULL, sc->now_ns);
	brows_free(&rows);
	if (!with_tree)
		sc->shown++;
	return rc;
}

/* show: id's tree; list (id NULL): the open directives, all with all. */
static int show_or_list(struct fl_store *s, const struct dir_args *a, const char *id)
{
	struct fl_buf b;
	struct fl_json j;
	struct show_ctx sc = {.j = a->json ? &j : NULL, .s = s, .now_ns = a->now_ns,
	                      .shown = id ? -1 : 0};
	int rc;

	fl_buf_init(&b, 64u << 20);
	fl_json_init(&j, &b);
	if (a->json && !id)
		fl_json_arr_begin(&j);
	rc = id ? fl_store_directive_get(s, id, show_one, &sc)
	        : fl_store_directives_each(s, !a->all, show_one, &sc);
	if (a->json && !id)
		fl_json_arr_end(&j);
	if (rc == 0 && a->json)
		printf("%s\n", b.p);
	if (rc == 0 && !a->json && !id && sc.shown == 0)
		printf("no %sdirectives\n", a->all ? "" : "open ");
	fl_buf_free(&b);
	if (rc == -ENOENT) {
		fprintf(stderr, "faultline directive: no directive %s\n", id);
		return 1;
	}
	return rc < 0 ? step_error(id ? "show" : "list", a, rc, fl_store_errmsg(s)) : 0;
}

static bool needs_plan(const struct dir_args *a)
{
	return strcmp(a->verb, "issue") == 0 || strcmp(a->verb, "tick") == 0 ||
	       strcmp(a->verb, "reply") == 0 ||
	       (strcmp(a->verb, "report") == 0 && !a->year);
}

static int run_verb(struct fl_store *s, const struct fl_program *prog, const struct dir_args *a)
{
	if (strcmp(a->verb, "issue") == 0)
		return do_issue(s, prog, a);
	if (strcmp(a->verb, "ack") == 0)
		return do_ack(s, a);
	if (strcmp(a->verb, "report") == 0)
		return a->year ? do_year(s, a) : do_branch_report(s, prog, a);
	if (strcmp(a->verb, "tick") == 0)
		return do_tick(s, prog, a);
	if (strcmp(a->verb, "reply") == 0)
		return do_reply(s, prog, a);
	if (strcmp(a->verb, "show") == 0 && a->id)
		return show_or_list(s, a, a->id);
	if (strcmp(a->verb, "list") == 0)
		return show_or_list(s, a, NULL);
	fprintf(stderr, "faultline directive: unknown command '%s'%s\n", a->verb,
	        strcmp(a->verb, "show") == 0 ? " without an ID" : "");
	dir_usage(stderr);
	return 2;
}

int fl_cmd_directive(int argc, char **argv)
{
	struct dir_args a = {0};
	struct fl_plan *plan = NULL;
	struct fl_store *s;
	int status;

	if (!parse_args(&a, argc, argv, &status))
		return status;
	if (needs_plan(&a) && !(plan = plan_open(&a)))
		return a.plan ? 1 : 2;
	s = fl_cli_store_open("directive", a.db);
	if (!s) {
		fl_plan_destroy(plan);
		return 1;
	}
	status = run_verb(s, plan ? fl_plan_program(plan) : NULL, &a);
	fl_store_close(s);
	fl_plan_destroy(plan);
	return status;
}
