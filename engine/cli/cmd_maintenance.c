/* cmd_maintenance.c - `faultline maintenance`: windows announced ahead.
 *
 * Inside a window the engine records incidents as planned and pages nobody.
 * A window ends by itself at --to (and a recurring one at the end of each
 * occurrence): nobody has to remember to delete it for faults to page again.
 * `announce` shows the customer announcements due (engine/pipeline/announce.h) and
 * queues them in the outbox, as `run` does every minute.
 * Exit status: 0 done, 1 refused or not found, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pipeline/announce.h"
#include "engine/lib/buf.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/store/store.h"
#include "engine/cli/store_cli.h"
#include "engine/cli/maint_consent.h"
#include "engine/cli/who_cli.h"
#include "engine/store/consent.h"
#include "engine/store/store_time.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/str.h"
#include "engine/lib/tz.h"
#include "engine/lib/utf8.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

struct maint_args {
	const char *db, *verb, *id, *scope, *target, *from, *to, *reason, *by;
	const char *plan, *data, *at;
	enum fl_maint_recur recur;
	bool json, dry_run, create;
	struct fl_maint_consent_args consent;
};

static void maint_usage(FILE *out)
{
	fprintf(out,
	        "usage: faultline maintenance [--db PATH] add --scope device|site|ring|span|city\n"
	        "           --target ID --from TIME --to TIME [--weekly|--monthly]\n"
	        "           [--reason TEXT] [--by NAME] [-c PLAN [--data DIR]]\n"
	        "       faultline maintenance [--db PATH] [--json] list\n"
	        "       faultline maintenance [--db PATH] delete ID\n"
	        "       faultline maintenance [--db PATH] [-c PLAN [--data DIR]] show ID\n"
	        "       faultline maintenance [--db PATH] consent ID --customer NAME\n"
	        "           (--asked|--given|--refused) [--by NAME] [--note TEXT]\n"
	        "           [-c PLAN [--data DIR]]\n"
	        "       faultline maintenance [--db PATH] announce -c PLAN [--data DIR]\n"
	        "           [--at TIME] [--dry-run]\n"
	        "TIME: YYYY-MM-DD[THH:MM[:SS]] with Z or +HH:MM (no suffix: UTC).\n"
	        "A recurring window repeats its first occurrence every week or month.\n"
	        "add with -c: the target must be in the plan's inventory (its data files).\n"
	        "A store that is not there is refused unless --create.\n"
	        "announce: the announcements of the plan's `announce maintenance` due at\n"
	        "TIME (default now) for the windows of the plan, its maintenance data and\n"
	        "the store, queued in the store's outbox once each (--dry-run: shown only).\n"
	        "add with -c records the customers the window affects (their circuits over\n"
	        "the target); consent records one customer's word, show lists them all.\n"
	        "A window warns (list: CONSENT given/customers with '!') when it has\n"
	        "started, or starts within the plan's notice period (its longest announce\n"
	        "lead; 72h without -c), without every customer's consent given.\n");
}

/* Returns true to go on; false with *status set (--help, a usage error). */
static bool parse_args(struct maint_args *a, int argc, char **argv, int *status)
{
	bool weekly = false, monthly = false;
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &a->db, "PATH", "the ticket store"),
		FL_OPT_FLAG_ROW("--create", &a->create, "make the store when it is not there"),
		FL_OPT_FLAG_ROW("--json", &a->json, "list: print JSON"),
		FL_OPT_STRING_ROW("--scope", &a->scope, "SCOPE", "add: device, site, ring, span or city"),
		FL_OPT_STRING_ROW("--target", &a->target, "ID", "add: what is maintained"),
		FL_OPT_STRING_ROW("--from", &a->from, "TIME", "add: the window opens"),
		FL_OPT_STRING_ROW("--to", &a->to, "TIME", "add: the window closes"),
		FL_OPT_FLAG_ROW("--weekly", &weekly, "add: repeat every week"),
		FL_OPT_FLAG_ROW("--monthly", &monthly, "add: repeat every month"),
		FL_OPT_STRING_ROW("--reason", &a->reason, "TEXT", "add: why"),
		FL_OPT_STRING_ROW("--by", &a->by, "NAME", "add: who announced it"),
		FL_OPT_STRING_ROW("-c", &a->plan, "PLAN", "announce, add: the plan"),
		FL_OPT_STRING_ROW("--plan", &a->plan, "PLAN", "announce, add: the plan"),
		FL_OPT_STRING_ROW("--data", &a->data, "DIR", "announce, add: the plan's data files"),
		FL_OPT_STRING_ROW("--at", &a->at, "TIME", "announce: what is due at TIME"),
		FL_OPT_FLAG_ROW("--dry-run", &a->dry_run, "announce: show, queue nothing"),
		FL_OPT_STRING_ROW("--customer", &a->consent.customer, "NAME", "consent: who"),
		FL_OPT_FLAG_ROW("--asked", &a->consent.asked, "consent: the customer was asked"),
		FL_OPT_FLAG_ROW("--given", &a->consent.given, "consent: the customer agreed"),
		FL_OPT_FLAG_ROW("--refused", &a->consent.refused, "consent: the customer refused"),
		FL_OPT_STRING_ROW("--note", &a->consent.note, "TEXT", "consent: a note kept with it"),
	};
	const struct fl_opts_cmd cmd = {"maintenance", opts, FL_ARRAY_LEN(opts), 2, false,
					maint_usage};
	struct fl_opts_result res;

	if (!fl_opts_accept(&cmd, argc, argv, a, &res, status))
		return false;
	a->verb = res.n_words > 0 ? res.words[0] : NULL;
	a->id = res.n_words > 1 ? res.words[1] : NULL;
	a->consent.id = a->id;
	a->consent.by = a->by;
	a->consent.plan = a->plan;
	a->consent.data = a->data;
	*status = 2;
	if (weekly && monthly) {
		fprintf(stderr, "faultline maintenance: --weekly or --monthly, not both\n");
		maint_usage(stderr);
		return false;
	}
	a->recur = weekly ? FL_MAINT_WEEKLY : monthly ? FL_MAINT_MONTHLY : FL_MAINT_NONE;
	if (!a->verb) {
		fprintf(stderr,
		        "faultline maintenance: which command? (add, list, delete, announce)\n");
		maint_usage(stderr);
		return false;
	}
	return true;
}

/* The names of one scope in the inventory, for "did you mean": every
 * device and span, and the sites, rings and cities they name (a site no
 * device stands on is not suggested): one per device, or per span, at
 * most max; NULL entries are skipped by fl_utf8_suggest(). */
static size_t scope_names(const struct fl_inventory *inv, const char *scope,
                          const char **names, size_t max)
{
	const struct fl_inv_device *dev;
	const struct fl_inv_span *span;
	size_t n = 0;

	if (strcmp(scope, "span") == 0) {
		for (size_t i = 0; n < max && (span = fl_inventory_span_nth(inv, i)); i++)
			names[n++] = span->id;
		return n;
	}
	for (size_t i = 0; n < max && (dev = fl_inventory_device_at(inv, i)); i++) {
		if (strcmp(scope, "device") == 0)
			names[n++] = dev->id;
		else if (strcmp(scope, "site") == 0)
			names[n++] = dev->site ? dev->site->id : NULL;
		else if (strcmp(scope, "ring") == 0)
			names[n++] = dev->ring ? dev->ring->id : NULL;
		else if (strcmp(scope, "city") == 0)
			names[n++] = dev->site && dev->site->city ? dev->site->city->name : NULL;
	}
	return n;
}

static bool target_known(const struct fl_inventory *inv, const char *scope, const char *target)
{
	struct fl_str t = fl_str_make(target, strlen(target));

	if (strcmp(scope, "device") == 0)
		return fl_inventory_device(inv, t) != NULL;
	if (strcmp(scope, "site") == 0)
		return fl_inventory_site(inv, t) != NULL;
	if (strcmp(scope, "span") == 0)
		return fl_inventory_span(inv, t) != NULL;
	if (strcmp(scope, "ring") == 0)
		return fl_inventory_ring(inv, t) != NULL;
	if (strcmp(scope, "city") == 0)
		return fl_inventory_city(inv, t) != NULL;
	return true; /* a scope the store refuses with its own message */
}

/* add -c PLAN: a window on a target the inventory does not know would
 * hide nothing and tell nobody, so it is refused, with the closest name
 * the inventory has. 0 when the target is known; 1 refused; 2 usage. */
static int check_target(const struct maint_args *a)
{
	struct fl_plan_options popt = {.data_dir = a->data};
	const struct fl_inventory *inv;
	struct fl_diags *d = NULL;
	struct fl_plan *plan = NULL;
	int status = 1;

	if (!a->scope || !a->target)
		return 0; /* do_add says what is missing */
	if (fl_diags_create(&d) < 0)
		return 1;
	if (fl_plan_compile(&plan, a->plan, &popt, d) < 0) {
		fl_diag_print(d, stderr);
		goto out;
	}
	inv = fl_plan_program(plan)->inventory;
	if (!inv) {
		fprintf(stderr, "faultline maintenance: %s names no inventory: give --data DIR\n",
		        a->plan);
		status = 2;
	} else if (target_known(inv, a->scope, a->target)) {
		status = 0;
	} else {
		struct fl_inventory_counts c;
		size_t max;
		const char **names;
		const char *hint = NULL;

		fl_inventory_counts(inv, &c);
		max = c.devices > c.spans ? c.devices : c.spans;
		names = calloc(max ? max : 1, sizeof(*names));
		if (names)
			hint = fl_utf8_suggest(a->target, names, scope_names(inv, a->scope, names, max));

		fprintf(stderr, "faultline maintenance: refused: no %s '%s' in the inventory%s%s%s\n",
		        a->scope, a->target, hint ? "; did you mean '" : "", hint ? hint : "",
		        hint ? "'?" : "");
		free(names);
	}
out:
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return status;
}

static int do_add(struct fl_store *s, struct maint_args *a, int64_t now_ns)
{
	char who[64];
	struct fl_maint_window w = {.scope = a->scope, .target = a->target, .recur = a->recur,
	                            .reason = a->reason, .by = fl_cli_who(a->by, who, sizeof(who))};
	char from[FL_TIME_ISO_LEN], to[FL_TIME_ISO_LEN];
	int rc;

	if (!a->scope || !a->target || !a->from || !a->to) {
		fprintf(stderr, "faultline maintenance: add needs --scope, --target, --from, --to\n");
		return 2;
	}
	if (fl_time_parse(a->from, &w.from_ns) < 0 || fl_time_parse(a->to, &w.to_ns) < 0) {
		fprintf(stderr, "faultline maintenance: bad time '%s' (want 2026-11-25T02:00+08:00)\n",
		        fl_time_parse(a->from, &w.from_ns) < 0 ? a->from : a->to);
		return 2;
	}
	if (w.to_ns <= now_ns) {
		fprintf(stderr, "faultline maintenance: the window ends before now: nothing to add\n");
		return 1;
	}
	rc = fl_store_maint_add(s, &w, now_ns);
	if (rc == -EINVAL) {
		fprintf(stderr,
		        "faultline maintenance: refused: the scope must be device, site, ring, span"
		        " or city, --from before --to, and a recurring window shorter than its"
		        " period\n");
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "faultline maintenance: add: %s (%s)\n", strerror(-rc),
		        fl_store_errmsg(s));
		return 1;
	}
	fl_time_format(w.from_ns, from);
	fl_time_format(w.to_ns, to);
	printf("window %lld: %s %s from %s to %s%s%s\n", (long long)w.id, w.scope, w.target, from,
	       to, w.recur == FL_MAINT_WEEKLY ? ", weekly" : "",
	       w.recur == FL_MAINT_MONTHLY ? ", monthly" : "");
	if (a->plan)
		return fl_cli_maint_customers(s, w.id, w.scope, w.target, a->plan, a->data);
	return 0;
}

struct list_walk {
	int64_t now_ns, notice_ms;
};

/* "given/customers", '!' when the window warns; "-" without customers. */
static void print_consent(const struct fl_maint_view *v, const struct list_walk *lw)
{
	struct fl_consent_counts c = {.customers = v->consent_customers,
	                              .given = v->consent_given};
	char cell[32] = "-";

	if (c.customers)
		snprintf(cell, sizeof(cell), "%u/%u%s", c.given, c.customers,
		         fl_consent_warning(&c, v->is_active, v->next_from_ns, lw->now_ns,
		                            lw->notice_ms) ? "!" : "");
	printf("%-8s ", cell);
}

static int print_window(void *ctx, const struct fl_maint_view *v)
{
	static const char *const recur[] = {"once", "weekly", "monthly"};
	char from[FL_TIME_ISO_LEN], to[FL_TIME_ISO_LEN];

	fl_time_format(v->next_from_ns, from);
	fl_time_format(v->next_to_ns, to);
	printf("%-5lld ", (long long)v->w.id);
	fl_cli_cell(stdout, v->w.scope, 7);
	fl_cli_cell(stdout, v->w.target, 20);
	printf("%s  %s  %-7s  %-6s  ", from, to, recur[v->w.recur], v->is_active ? "now" : "ahead");
	print_consent(v, ctx);
	fl_cli_cell(stdout, v->w.reason, 0);
	fputc('\n', stdout);
	return 0;
}

static int do_list(struct fl_store *s, const struct maint_args *a, int64_t now_ns)
{
	struct list_walk lw = {now_ns, fl_cli_maint_notice_ms(a->plan, a->data)};
	int rc;

	if (a->json) {
		struct fl_buf b;

		fl_buf_init(&b, 16u << 20);
		rc = fl_store_maint_json(s, now_ns, lw.notice_ms, &b);
		if (rc == 0)
			printf("%s\n", b.p);
		fl_buf_free(&b);
	} else {
		printf("%-5s %-7s%-20s%-20s  %-20s  %-7s  %-6s  %-8s %s\n", "ID", "SCOPE", "TARGET",
		       "FROM", "TO", "REPEATS", "STATE", "CONSENT", "REASON");
		rc = fl_store_maint_each(s, now_ns, print_window, &lw);
	}
	if (rc < 0)
		fprintf(stderr, "faultline maintenance: list: %s\n", strerror(-rc));
	return rc < 0 ? 1 : 0;
}

static int do_delete(struct fl_store *s, const struct maint_args *a)
{
	char *end;
	long long id;
	int rc;

	if (!a->id) {
		fprintf(stderr, "faultline maintenance: delete needs a window id\n");
		return 2;
	}
	id = strtoll(a->id, &end, 10);
	if (*end || end == a->id || id <= 0) {
		fprintf(stderr, "faultline maintenance: bad window id '%s'\n", a->id);
		return 2;
	}
	rc = fl_store_maint_delete(s, id);
	if (rc == -ENOENT)
		fprintf(stderr, "faultline maintenance: no window %lld\n", id);
	else if (rc < 0)
		fprintf(stderr, "faultline maintenance: delete: %s\n", strerror(-rc));
	else
		printf("window %lld deleted\n", id);
	return rc < 0 ? 1 : 0;
}

struct announce_run {
	struct fl_store *s; /* NULL: dry run */
	int64_t now_ns;
	unsigned long long due, queued, before;
	int rc;
};

static int announce_one(void *ctx, const struct fl_announcement *an)
{
	struct announce_run *ar = ctx;
	char start[FL_TIME_ISO_LEN];
	const char *what = "due";
	int rc;

	ar->due++;
	if (ar->s) {
		rc = fl_announce_enqueue(ar->s, an, ar->now_ns);
		if (rc == -EEXIST) {
			what = "queued-before";
			ar->before++;
		} else if (rc < 0) {
			fprintf(stderr, "faultline maintenance: announce %s: %s (%s)\n", an->key,
			        strerror(-rc), fl_store_errmsg(ar->s));
			ar->rc = rc;
			return rc;
		} else {
			what = "queued";
			ar->queued++;
		}
	}
	fl_time_format(an->start_ns, start);
	printf("%-12s %s %s ", what, an->window, start);
	fl_cli_cell(stdout, an->customer, 0);
	printf(" ");
	fl_cli_cell(stdout, an->person, 0);
	printf(" %s %s [%s] %s\n", an->channel, an->address, an->circuits, an->key);
	return 0;
}

/* Compiles the plan, gathers every window and queues what is due. */
static int do_announce(const struct maint_args *a, int64_t now_ns)
{
	struct fl_plan_options popt = {.data_dir = a->data};
	struct announce_run ar = {.now_ns = now_ns};
	struct fl_announce_stats st;
	const struct fl_program *prog;
	struct fl_announcer *an = NULL;
	struct fl_diags *d = NULL;
	struct fl_plan *plan = NULL;
	struct fl_tz *tz = NULL;
	int status = 1, rc;

	if (!a->plan) {
		fprintf(stderr, "faultline maintenance: announce needs -c PLAN\n");
		return 2;
	}
	if (a->at && fl_time_parse(a->at, &ar.now_ns) < 0) {
		fprintf(stderr, "faultline maintenance: bad time '%s'\n", a->at);
		return 2;
	}
	if (fl_diags_create(&d) < 0)
		return 1;
	rc = fl_plan_compile(&plan, a->plan, &popt, d);
	fl_diag_print(d, stderr);
	if (rc < 0)
		goto out;
	prog = fl_plan_program(plan);
	if (prog->timezone.p && fl_tz_load(&tz, prog->timezone.p) < 0) {
		fprintf(stderr, "faultline maintenance: unknown time zone '%s'\n", prog->timezone.p);
		goto out;
	}
	if (!prog->n_announces)
		fprintf(stderr, "faultline maintenance: %s has no 'announce maintenance': nothing "
		                "is announced\n", a->plan);
	if (fl_announcer_create(&an, prog, tz) < 0 || fl_announcer_add_plan(an) < 0)
		goto out;
	if (!a->dry_run || a->db) {
		ar.s = fl_cli_store_open_existing("maintenance", a->db, a->create);
		if (!ar.s)
			goto out;
		if (fl_announcer_add_store(an, ar.s, ar.now_ns) < 0) {
			fprintf(stderr, "faultline maintenance: announce: cannot read the store's "
			                "windows (%s)\n", fl_store_errmsg(ar.s));
			goto out;
		}
	}
	if (a->dry_run) {
		fl_store_close(ar.s);
		ar.s = NULL;
	}
	rc = fl_announcer_due(an, ar.now_ns, announce_one, &ar);
	fl_announcer_stats(an, &st);
	fprintf(stderr,
	        "announce: %llu windows, %llu due, %llu queued, %llu queued before, %llu customers "
	        "told by hand (customers_notified), %llu without a contact%s\n",
	        (unsigned long long)st.windows, ar.due, ar.queued, ar.before,
	        (unsigned long long)st.told_before, (unsigned long long)st.no_contact,
	        a->dry_run ? " (dry run: nothing queued)" : "");
	status = rc == 0 ? 0 : 1;
out:
	fl_store_close(ar.s);
	fl_announcer_destroy(an);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return status;
}

int fl_cmd_maintenance(int argc, char **argv)
{
	struct maint_args a = {0};
	int64_t now_ns = fl_cli_now_ns();
	struct fl_store *s;
	int status;

	if (!parse_args(&a, argc, argv, &status))
		return status;
	if (strcmp(a.verb, "add") != 0 && strcmp(a.verb, "list") != 0 &&
	    strcmp(a.verb, "delete") != 0 && strcmp(a.verb, "announce") != 0 &&
	    strcmp(a.verb, "consent") != 0 && strcmp(a.verb, "show") != 0) {
		fprintf(stderr, "faultline maintenance: unknown command '%s'\n", a.verb);
		maint_usage(stderr);
		return 2;
	}
	if (strcmp(a.verb, "announce") == 0)
		return do_announce(&a, now_ns);
	if (strcmp(a.verb, "add") == 0 && a.plan && (status = check_target(&a)) != 0)
		return status;
	s = fl_cli_store_open_existing("maintenance", a.db, a.create);
	if (!s)
		return 1;
	if (strcmp(a.verb, "add") == 0)
		status = do_add(s, &a, now_ns);
	else if (strcmp(a.verb, "consent") == 0)
		status = fl_cli_maint_consent(s, &a.consent, now_ns);
	else if (strcmp(a.verb, "show") == 0)
		status = fl_cli_maint_show(s, &a.consent, now_ns);
	else if (strcmp(a.verb, "list") == 0)
		status = do_list(s, &a, now_ns);
	else
		status = do_delete(s, &a);
	fl_store_close(s);
	return status;
}
