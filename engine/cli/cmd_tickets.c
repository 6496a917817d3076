/* cmd_tickets.c - `faultline tickets`: the duty operator's view of the store.
 *
 * list and show read; ack, dispatch, onsite, restore, resolve and close move a
 * ticket along its lifecycle; pause and resume stop and restart one of its
 * clocks. Every change records who (--by, else $USER, $LOGNAME or the
 * login name of a user other than root) and an optional note.
 * Exit status: 0 done, 1 refused or not found (one line on stderr says why),
 * 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/lib/limits.h"
#include "engine/lib/utf8.h"
#include "engine/store/store.h"
#include "engine/cli/store_cli.h"
#include "engine/cli/tickets_open.h"
#include "engine/cli/time_cli.h"
#include "engine/cli/who_cli.h"
#include "engine/lib/jsonr.h"
#include "engine/lib/tz.h"
#include "engine/store/store_time.h"

#define TICKETS_COLS 7

struct tickets_args {
	const char *db, *verb, *id, *by, *note, *clock, *tz_name;
	struct fl_tz *tz; /* show's and watch's times; NULL: UTC */
	struct fl_ticket_open_args open;
	bool json, all, create;
	unsigned interval_s, frames; /* watch: seconds between frames; 0 frames: until killed */
};

static void tickets_usage(FILE *out)
{
	fprintf(out,
	        "usage: faultline tickets [--db PATH [--create]] [--json] [--all] list\n"
	        "       faultline tickets [--db PATH] [--json] [--tz ZONE] show ID\n"
	        "       faultline tickets [--db PATH] [--all] [--tz ZONE] watch\n"
	        "                         [--interval SECONDS] [--frames N]\n"
	        "       faultline tickets [--db PATH] ack|dispatch|onsite|restore|resolve|close ID\n"
	        "                         [--by NAME] [--note TEXT]\n"
	        "       faultline tickets [--db PATH] pause ID --clock respond|onsite|repair\n"
	        "                         --note REASON [--by NAME]\n"
	        "       faultline tickets [--db PATH] resume ID --clock respond|onsite|repair\n"
	        "                         [--by NAME]\n"
	        "       faultline tickets [--db PATH] open -c PLAN [--data DIR] --level LEVEL\n"
	        "                         --text TEXT (--customer NAME | --circuit ID | --site ID\n"
	        "                         | --span ID | --device ID) [--city NAME] [--county NAME]\n"
	        "                         [--class city|county|township] [--caller TEXT] [--by NAME]\n"
	        "open: a fault phoned in to the hotline becomes a ticket TEL-YYYY-NNNNNN with\n"
	        "the level's clocks; what it names must be in the plan's inventory.\n"
	        "ID: the ticket's id, its number alone (123 for INC-2026-000123) or the start\n"
	        "of one id (INC-2026-0001 when no other ticket starts so).\n"
	        "Lifecycle: open -> ack -> dispatch -> onsite -> restore -> resolve -> close;\n"
	        "restore may follow ack or dispatch directly. --by defaults to $USER, else\n"
	        "$LOGNAME, else the login name (root must give --by).\n"
	        "Default database: %s; one that is not there is refused unless --create.\n",
	        FL_STORE_DEFAULT_PATH);
}

/* Returns true to go on; false with *status set (--help, a usage error). */
static bool parse_args(struct tickets_args *a, int argc, char **argv, int *status)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &a->db, "PATH", "the ticket store"),
		FL_OPT_FLAG_ROW("--create", &a->create, "make the store when it is not there"),
		FL_OPT_FLAG_ROW("--json", &a->json, "print JSON documents, not a table"),
		FL_OPT_FLAG_ROW("--all", &a->all, "list closed tickets too"),
		FL_OPT_STRING_ROW("--by", &a->by, "NAME", "who did it (default $USER)"),
		FL_OPT_STRING_ROW("--note", &a->note, "TEXT", "a note kept with the change"),
		FL_OPT_STRING_ROW("--clock", &a->clock, "CLOCK", "respond, onsite or repair"),
		FL_OPT_STRING_ROW("--tz", &a->tz_name, "ZONE",
		                  "show times in ZONE (the plan's: Asia/Shanghai); default UTC"),
		FL_OPT_STRING_ROW("-c", &a->open.plan, "PLAN", "open: the plan (levels, inventory)"),
		FL_OPT_STRING_ROW("--data", &a->open.data, "DIR", "open: the plan's data files"),
		FL_OPT_STRING_ROW("--level", &a->open.level, "LEVEL", "open: the plan's level"),
		FL_OPT_STRING_ROW("--text", &a->open.text, "TEXT", "open: what the caller reports"),
		FL_OPT_STRING_ROW("--caller", &a->open.caller, "TEXT", "open: who phoned"),
		FL_OPT_STRING_ROW("--customer", &a->open.customer, "NAME", "open: the customer"),
		FL_OPT_STRING_ROW("--circuit", &a->open.circuit, "ID", "open: the circuit"),
		FL_OPT_STRING_ROW("--site", &a->open.site, "ID", "open: the site"),
		FL_OPT_STRING_ROW("--span", &a->open.span, "ID", "open: the span"),
		FL_OPT_STRING_ROW("--device", &a->open.device, "ID", "open: the device"),
		FL_OPT_STRING_ROW("--city", &a->open.city, "NAME", "open: the city"),
		FL_OPT_STRING_ROW("--county", &a->open.county, "NAME", "open: the county"),
		FL_OPT_STRING_ROW("--class", &a->open.loc_class, "CLASS",
		                  "open: city, county or township (the on-site clock)"),
		FL_OPT_UINT_ROW("--interval", &a->interval_s, 1, 3600, FL_OPT_COUNT, "SECONDS",
		                "watch: seconds between two frames (default 5)"),
		FL_OPT_UINT_ROW("--frames", &a->frames, 1, 1000000, FL_OPT_COUNT, "N",
		                "watch: stop after N frames (default: until interrupted)"),
	};
	const struct fl_opts_cmd cmd = {"tickets", opts, FL_ARRAY_LEN(opts), 2, false,
					tickets_usage};
	struct fl_opts_result res;

	if (!fl_opts_accept(&cmd, argc, argv, a, &res, status))
		return false;
	a->verb = res.n_words > 0 ? res.words[0] : NULL;
	a->id = res.n_words > 1 ? res.words[1] : NULL;
	*status = 2;
	if (!a->verb) {
		fprintf(stderr, "faultline tickets: which command? (list, show, ack, ...)\n");
		tickets_usage(stderr);
		return false;
	}
	if (strcmp(a->verb, "list") != 0 && strcmp(a->verb, "watch") != 0 &&
	    strcmp(a->verb, "open") != 0 && !a->id) {
		fprintf(stderr, "faultline tickets: %s needs a ticket id\n", a->verb);
		tickets_usage(stderr);
		return false;
	}
	return true;
}

/* --- list: an aligned table ------------------------------------------------ */
struct table {
	char *(*rows)[TICKETS_COLS];
	size_t n, alloc;
	int64_t now_ns;
	bool failed;
};

static char *location_text(const struct fl_ticket_summary *t)
{
	const char *where = t->span ? t->span : t->site ? t->site : t->device;
	struct fl_buf b;

	fl_buf_init(&b, 512);
	(void)fl_buf_printf(&b, "%s", where ? where : "?");
	if (t->city || t->county)
		(void)fl_buf_printf(&b, " (%s%s%s)", t->city ? t->city : "",
		                    t->city && t->county ? " " : "", t->county ? t->county : "");
	if (t->is_unprotected)
		(void)fl_buf_adds(&b, " unprotected");
	if (t->is_planned)
		(void)fl_buf_adds(&b, " planned");
	return b.p ? b.p : strdup("?");
}

static char *deadline_text(const struct fl_ticket_summary *t, int64_t now_ns)
{
	char d[32], out[96];

	if (t->next_deadline_ns == INT64_MAX)
		return strdup("-");
	fl_cli_duration(d, sizeof(d), t->next_deadline_ns - now_ns);
	snprintf(out, sizeof(out), "%s %s%s", fl_ticket_clock_name(t->next_clock),
	         t->next_deadline_ns >= now_ns ? "in " : "", d);
	if (t->next_deadline_ns < now_ns)
		strncat(out, " overdue", sizeof(out) - strlen(out) - 1);
	return strdup(out);
}

/* The TOLD cell of a list row: one notice as the store words it ("duty
 * operator 王工 (sms, sent)"); more as counts by delivery state ("9 sent,
 * 1 pending"): a storm told 40 people, and the row must stay one line. */
static char *told_text(const char *told)
{
	static const char *const states[] = {"sent", "pending", "sending", "failed", "expired"};
	size_t counts[5] = {0}, n = 0;
	struct fl_buf b;

	if (!told)
		return strdup("nobody");
	for (const char *p = told; p; p = strstr(p, "; "), p = p ? p + 2 : NULL) {
		const char *end = strstr(p, "; "), *close = end ? end : p + strlen(p);

		n++;
		for (size_t k = 0; k < 5; k++) {
			size_t sl = strlen(states[k]);

			if ((size_t)(close - p) > sl + 2 && close[-1] == ')' &&
			    memcmp(close - 1 - sl, states[k], sl) == 0 && close[-2 - (int)sl] == ' ')
				counts[k]++;
		}
	}
	if (n <= 1)
		return strdup(told);
	fl_buf_init(&b, 128);
	for (size_t k = 0; k < 5; k++)
		if (counts[k])
			(void)fl_buf_printf(&b, "%s%zu %s", b.len ? ", " : "", counts[k], states[k]);
	return b.p ? b.p : strdup(told);
}

static int collect_row(void *ctx, const struct fl_ticket_summary *t)
{
	struct table *tb = ctx;
	char age[32];

	if (tb->n == tb->alloc) {
		size_t alloc = tb->alloc ? tb->alloc * 2 : 16;
		void *p = realloc(tb->rows, alloc * sizeof(*tb->rows));

		if (!p)
			return -ENOMEM;
		tb->rows = p;
		tb->alloc = alloc;
	}
	fl_cli_duration(age, sizeof(age), tb->now_ns - t->opened_ns);
	char **r = tb->rows[tb->n++];
	r[0] = strdup(t->id);
	r[1] = strdup(fl_ticket_state_name(t->state));
	r[2] = strdup(t->level ? t->level : "-");
	r[3] = location_text(t);
	r[4] = strdup(age);
	r[5] = deadline_text(t, tb->now_ns);
	r[6] = told_text(t->told);
	for (int i = 0; i < TICKETS_COLS; i++)
		if (!r[i])
			tb->failed = true;
	return tb->failed ? -ENOMEM : 0;
}

static size_t cell_width(const char *s)
{
	return s ? fl_utf8_width(s, strlen(s)) : 0;
}

static void table_print(const struct table *tb)
{
	static const char *const head[TICKETS_COLS] = {"ID",  "STATE",         "LEVEL", "LOCATION",
	                                               "AGE", "NEXT DEADLINE", "TOLD"};
	size_t width[TICKETS_COLS];

	for (int c = 0; c < TICKETS_COLS; c++) {
		width[c] = cell_width(head[c]);
		for (size_t i = 0; i < tb->n; i++) {
			size_t w = cell_width(tb->rows[i][c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (int c = 0; c < TICKETS_COLS; c++)
		fl_cli_cell(stdout, head[c], c + 1 < TICKETS_COLS ? width[c] + 2 : 0);
	fputc('\n', stdout);
	for (size_t i = 0; i < tb->n; i++) {
		for (int c = 0; c < TICKETS_COLS; c++)
			fl_cli_cell(stdout, tb->rows[i][c], c + 1 < TICKETS_COLS ? width[c] + 2 : 0);
		fputc('\n', stdout);
	}
}

static void table_free(struct table *tb)
{
	for (size_t i = 0; i < tb->n; i++)
		for (int c = 0; c < TICKETS_COLS; c++)
			free(tb->rows[i][c]);
	free(tb->rows);
	tb->rows = NULL;
}

static int do_list(struct fl_store *s, const struct tickets_args *a, int64_t now_ns)
{
	struct table tb = {.now_ns = now_ns};
	int rc;

	if (a->json) {
		struct fl_buf b;

		fl_buf_init(&b, 64u << 20);
		rc = fl_store_tickets_json(s, a->all, now_ns, &b);
		if (rc == 0)
			printf("%s\n", b.p);
		fl_buf_free(&b);
	} else {
		rc = fl_store_tickets_each(s, a->all, collect_row, &tb);
		if (rc == 0)
			table_print(&tb);
		table_free(&tb);
	}
	if (rc < 0)
		fprintf(stderr, "faultline tickets: list: %s (%s)\n", strerror(-rc),
		        fl_store_errmsg(s));
	return rc < 0 ? 1 : 0;
}

/* --- watch: the list redrawn in place ------------------------------------ */

/* One frame: the time it was drawn, the table, and a count of the deadlines
 * already missed, so a glance from across the room says whether to move. */
struct watch_tally {
	struct table *tb;
	size_t open, overdue;
};

static int tally_row(void *ctx, const struct fl_ticket_summary *t)
{
	struct watch_tally *w = ctx;

	w->open++;
	if (t->next_deadline_ns != INT64_MAX && t->next_deadline_ns < w->tb->now_ns)
		w->overdue++;
	return collect_row(w->tb, t);
}

static int watch_frame(struct fl_store *s, const struct tickets_args *a, bool tty)
{
	struct table tb = {.now_ns = fl_cli_now_ns()};
	struct watch_tally w = {.tb = &tb};
	char at[FL_CLI_TIME_LEN];
	int rc;

	fl_cli_time(a->tz, tb.now_ns, at);
	rc = fl_store_tickets_each(s, a->all, tally_row, &w);
	if (rc == 0) {
		/* home and clear: the new frame replaces the old one, no scrollback */
		fputs(tty ? "\033[H\033[2J" : "\n", stdout);
		printf("faultline tickets at %s, every %u s%s\n\n", at, a->interval_s,
		       tty ? " (Ctrl-C ends)" : "");
		table_print(&tb);
		printf("\n%zu ticket%s, %zu past a deadline\n", w.open, w.open == 1 ? "" : "s",
		       w.overdue);
		fflush(stdout);
	}
	table_free(&tb);
	return rc;
}

static int do_watch(struct fl_store *s, struct tickets_args *a)
{
	bool tty = isatty(STDOUT_FILENO) == 1;

	if (!a->interval_s)
		a->interval_s = 5;
	for (unsigned n = 0; a->frames == 0 || n < a->frames; n++) {
		struct timespec pause = {.tv_sec = a->interval_s};
		int rc;

		if (n > 0)
			while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
				;
		/* a store busy with the engine's commit is tried again next frame */
		rc = watch_frame(s, a, tty);
		if (rc < 0 && rc != -EBUSY) {
			fprintf(stderr, "faultline tickets: watch: %s (%s)\n", strerror(-rc),
			        fl_store_errmsg(s));
			return 1;
		}
	}
	return 0;
}

/* --- show ------------------------------------------------------------------- */
struct show_ctx {
	const char *id;
	int64_t now_ns;
	const struct fl_tz *tz;
};

static int show_summary(void *ctx, const struct fl_ticket_summary *t)
{
	struct show_ctx *sc = ctx;
	char age[32], opened[FL_CLI_TIME_LEN], cleared[FL_CLI_TIME_LEN] = "-";
	char *loc, *next;

	loc = location_text(t);
	next = deadline_text(t, sc->now_ns);
	fl_cli_duration(age, sizeof(age), sc->now_ns - t->opened_ns);
	fl_cli_time(sc->tz, t->opened_ns, opened);
	if (t->cleared_ns)
		fl_cli_time(sc->tz, t->cleared_ns, cleared);
	printf("%s  %s  %s\n", t->id, t->level ? t->level : "-", fl_ticket_state_name(t->state));
	printf("title:     %s\n", t->title ? t->title : "-");
	printf("location:  %s\n", loc ? loc : "-");
	printf("opened:    %s (%s ago)\n", opened, age);
	printf("cleared:   %s\n", t->cleared_ns ? cleared : "not yet (the alarm is on)");
	printf("next:      %s\n", next ? next : "-");
	printf("told:      %s\n", t->told ? t->told : "nobody");
	free(loc);
	free(next);
	return 0;
}

static int show_history(void *ctx, const struct fl_history_row *h)
{
	const struct show_ctx *sc = ctx;
	char at[FL_CLI_TIME_LEN];

	fl_cli_time(sc->tz, h->at_ns, at);
	printf("  %s  %-28s %s%s%s\n", at, h->what, h->by ? h->by : "", h->note ? ": " : "",
	       h->note ? h->note : "");
	return 0;
}

static int show_place(void *ctx, const struct fl_ticket_place *p)
{
	const struct show_ctx *sc = ctx;
	char at[FL_CLI_TIME_LEN];

	fl_cli_time(sc->tz, p->joined_ns, at);
	printf("  %-4s %-24s since %s%s%s\n", p->kind, p->id, at, p->evidence ? ", " : "",
	       p->evidence ? p->evidence : "");
	return 0;
}

/* One array of strings of the ticket's document, ", "-joined. */
static void print_list(const struct fl_jsonr *r, const char *label, const char *key)
{
	long i = fl_jsonr_member(r, 0, key);
	char item[512];

	printf("%-10s ", label);
	if (i < 0 || r->toks[i].type != FL_JSONR_ARRAY || !r->toks[i].n_children) {
		printf("-\n");
		return;
	}
	for (size_t k = (size_t)i + 1, n = 0; k < r->toks[i].next; k = r->toks[k].next, n++)
		if (fl_jsonr_string(r, k, item, sizeof(item)) >= 0)
			printf("%s%s", n ? ", " : "", item);
	printf("\n");
}

/* What the summary row leaves out: the circuits and customers the fault
 * takes down and how many alarms it absorbed, read back from the ticket's
 * document (docs/store.md) rather than a second query of the schema. */
static int show_effect(struct fl_store *s, const char *id, int64_t now_ns)
{
	size_t cap = 8192;
	struct fl_jsonr_tok *toks = calloc(cap, sizeof(*toks));
	struct fl_jsonr r;
	struct fl_buf b;
	int64_t alarms = 0;
	long i;
	int rc;

	if (!toks)
		return -ENOMEM;
	fl_buf_init(&b, FL_STORE_JSON_MAX);
	rc = fl_store_ticket_json(s, id, false, now_ns, &b);
	if (rc == 0 && fl_jsonr_parse(&r, b.p, b.len, toks, cap) == 0) {
		print_list(&r, "circuits:", "circuits");
		print_list(&r, "customers:", "customers");
		i = fl_jsonr_member(&r, 0, "alarms");
		if (i >= 0 && fl_jsonr_int(&r, (size_t)i, &alarms) == 0)
			printf("alarms:    %lld\n", (long long)alarms);
	}
	fl_buf_free(&b);
	free(toks);
	return rc;
}

static int show_text(struct fl_store *s, const char *id, int64_t now_ns, const struct fl_tz *tz)
{
	struct show_ctx sc = {.id = id, .now_ns = now_ns, .tz = tz};
	/* by its key: one ticket of 100,000 is not a walk over all of them */
	int rc = fl_store_ticket_summary(s, id, show_summary, &sc);

	if (rc < 0 || (rc = show_effect(s, id, now_ns)) < 0)
		return rc;
	printf("places:\n");
	rc = fl_store_places_each(s, id, show_place, &sc);
	if (rc < 0)
		return rc;
	printf("clocks:\n");
	for (unsigned c = 0; c < FL_TICKET_CLOCK__COUNT; c++) {
		struct fl_clock_info ci;
		char deadline[FL_CLI_TIME_LEN], paused[32] = "";

		rc = fl_store_clock_get(s, id, (enum fl_ticket_clock)c, &ci);
		if (rc < 0)
			return rc;
		if (ci.state == FL_CLOCK_ST_NONE)
			continue;
		fl_cli_time(tz, ci.deadline_ns, deadline);
		if (ci.pauses)
			snprintf(paused, sizeof(paused), ", paused %u time%s", ci.pauses,
			         ci.pauses == 1 ? "" : "s");
		printf("  %-8s %-8s deadline %s%s\n", fl_ticket_clock_name((enum fl_ticket_clock)c),
		       fl_clock_state_name(ci.state), deadline, paused);
	}
	printf("history:\n");
	return fl_store_history_each(s, id, show_history, &sc);
}

static int do_show(struct fl_store *s, const struct tickets_args *a, int64_t now_ns)
{
	struct fl_buf b;
	int rc;

	fl_buf_init(&b, FL_STORE_JSON_MAX);
	if (a->json) {
		rc = fl_store_ticket_json(s, a->id, true, now_ns, &b);
		if (rc == 0)
			printf("%s\n", b.p);
	} else {
		rc = show_text(s, a->id, now_ns, a->tz);
	}
	if (rc == -ENOENT)
		fprintf(stderr, "faultline tickets: no ticket %s\n", a->id);
	else if (rc < 0)
		fprintf(stderr, "faultline tickets: show %s: %s\n", a->id, strerror(-rc));
	fl_buf_free(&b);
	return rc < 0 ? 1 : 0;
}

/* --- changes ------------------------------------------------------------------ */
static int parse_clock(const char *name, enum fl_ticket_clock *out)
{
	for (unsigned c = 0; name && c < FL_TICKET_CLOCK__COUNT; c++)
		if (strcmp(name, fl_ticket_clock_name((enum fl_ticket_clock)c)) == 0) {
			*out = (enum fl_ticket_clock)c;
			return 0;
		}
	return -EINVAL;
}

static int do_clock(struct fl_store *s, const struct tickets_args *a, const char *by,
                    int64_t now_ns)
{
	bool pause = strcmp(a->verb, "pause") == 0;
	enum fl_ticket_clock c;
	int rc;

	if (parse_clock(a->clock, &c) < 0) {
		fprintf(stderr, "faultline tickets: %s needs --clock respond, onsite or repair\n",
		        a->verb);
		return 2;
	}
	if (pause && (!a->note || !a->note[0])) {
		fprintf(stderr, "faultline tickets: pause needs --note REASON\n");
		return 2;
	}
	rc = pause ? fl_store_clock_pause(s, a->id, c, a->note, by, now_ns)
	           : fl_store_clock_resume(s, a->id, c, by, now_ns);
	if (rc == -EPERM)
		fprintf(stderr, "faultline tickets: cannot %s the %s clock of %s: it is not %s\n",
		        a->verb, a->clock, a->id, pause ? "running" : "paused");
	else if (rc < 0)
		fprintf(stderr, "faultline tickets: %s %s: %s\n", a->verb, a->id,
		        rc == -ENOENT ? "no such ticket" : strerror(-rc));
	else
		printf("%s: %s clock %s\n", a->id, a->clock, pause ? "paused" : "resumed");
	return rc < 0 ? 1 : 0;
}

static int do_transition(struct fl_store *s, const struct tickets_args *a, enum fl_transition tr,
                         const char *by, int64_t now_ns)
{
	char msg[256] = "";
	enum fl_ticket_state st;
	int rc;

	rc = fl_store_transition(s, a->id, tr, by, a->note, now_ns, msg, sizeof(msg));
	if (rc < 0) {
		fprintf(stderr, "faultline tickets: %s\n",
		        msg[0] ? msg : rc == -ENOENT ? "no such ticket" : strerror(-rc));
		return 1;
	}
	if (fl_store_ticket_state(s, a->id, &st) == 0)
		printf("%s: %s by %s\n", a->id, fl_ticket_state_name(st), by);
	return 0;
}

/* The ticket a->id names (its id, its number alone, a unique start of
 * an id: fl_store_ticket_find()), written to id; false with why on stderr
 * when it names none or several. */
static bool resolve_id(struct fl_store *s, const char *ref, char *id, size_t size)
{
	char others[FL_STORE_REF_SHOWN * (FL_STORE_ID_MAX + 2) + 1];
	int n = fl_store_ticket_find(s, ref, id, size, others, sizeof(others));

	if (n == 1)
		return true;
	if (n == 0 || n == -EINVAL)
		fprintf(stderr, "faultline tickets: no ticket %s\n", ref);
	else if (n < 0)
		fprintf(stderr, "faultline tickets: cannot look up %s: %s (%s)\n", ref,
		        strerror(-n), fl_store_errmsg(s));
	else
		fprintf(stderr,
		        "faultline tickets: '%s' names %s%d tickets: %s%s; give more of the id\n", ref, n > FL_STORE_REF_SHOWN ? "more than " : "",
		        n > FL_STORE_REF_SHOWN ? FL_STORE_REF_SHOWN : n, others,
		        n > FL_STORE_REF_SHOWN ? ", ..." : "");
	return false;
}

int fl_cmd_tickets(int argc, char **argv)
{
	char id[FL_STORE_ID_MAX + 1], who[64];
	struct tickets_args a = {0};
	enum fl_transition tr;
	struct fl_store *s;
	const char *by;
	int64_t now_ns = fl_cli_now_ns();
	int status;

	if (!parse_args(&a, argc, argv, &status))
		return status;
	bool is_change = fl_transition_parse(a.verb, &tr) == 0;
	bool is_clock = strcmp(a.verb, "pause") == 0 || strcmp(a.verb, "resume") == 0;
	bool is_open = strcmp(a.verb, "open") == 0;
	bool is_read = strcmp(a.verb, "list") == 0 || strcmp(a.verb, "show") == 0 ||
	               strcmp(a.verb, "watch") == 0;
	if (!is_change && !is_clock && !is_read && !is_open) {
		fprintf(stderr, "faultline tickets: unknown command '%s'\n", a.verb);
		tickets_usage(stderr);
		return 2;
	}
	by = fl_cli_who(a.by, who, sizeof(who));
	if ((is_change || is_clock || is_open) && !by) {
		fprintf(stderr,
		        "faultline tickets: %s needs --by NAME: who did it? ($USER and $LOGNAME"
		        " are empty%s)\n",
		        a.verb, geteuid() == 0 ? " and root names no person" : "");
		return 2;
	}
	if (a.tz_name && fl_tz_load(&a.tz, a.tz_name) < 0) {
		fprintf(stderr, "faultline tickets: --tz %s: no such zone (Asia/Shanghai, +08:00, UTC)\n",
		        a.tz_name);
		return 2;
	}
	s = fl_cli_store_open_existing("tickets", a.db, a.create);
	if (!s) {
		fl_tz_free(a.tz);
		return 1;
	}
	if (a.id && strcmp(a.verb, "list") != 0 && strcmp(a.verb, "watch") != 0 && !is_open) {
		if (!resolve_id(s, a.id, id, sizeof(id))) {
			fl_store_close(s);
			fl_tz_free(a.tz);
			return 1;
		}
		a.id = id;
	}
	if (strcmp(a.verb, "list") == 0)
		status = do_list(s, &a, now_ns);
	else if (strcmp(a.verb, "watch") == 0)
		status = do_watch(s, &a);
	else if (strcmp(a.verb, "show") == 0)
		status = do_show(s, &a, now_ns);
	else if (is_clock)
		status = do_clock(s, &a, by, now_ns);
	else if (is_open)
		status = fl_cli_tickets_open(s, &a.open, by, now_ns);
	else
		status = do_transition(s, &a, tr, by, now_ns);
	fl_store_close(s);
	fl_tz_free(a.tz);
	return status;
}
