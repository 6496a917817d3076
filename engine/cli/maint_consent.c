/* maint_consent.c - customers' consent before maintenance, from the command
 * line (maint_consent.h). */
#include "engine/cli/maint_consent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/store_cli.h"
#include "engine/cli/who_cli.h"
#include "engine/lib/utf8.h"
#include "engine/pipeline/maint_customers.h"
#include "engine/store/consent.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

#define CONSENT_CUSTOMERS_MAX 512 /* the most a window records (maint_customers.c) */

struct customer_list {
	const char *names[CONSENT_CUSTOMERS_MAX];
	size_t n;
};

int fl_cli_maint_customers(struct fl_store *s, int64_t window, const char *scope,
                           const char *target, const char *plan, const char *data)
{
	struct fl_plan_options popt = {.data_dir = data};
	struct fl_plan *p = NULL;
	struct fl_diags *d = NULL;
	int rc = -ENOMEM;

	if (fl_diags_create(&d) < 0)
		return 1;
	if (fl_plan_compile(&p, plan, &popt, d) < 0) {
		fl_diag_print(d, stderr);
		goto out;
	}
	size_t n;

	rc = fl_maint_customers_record(s, fl_plan_program(p), window, scope, target, &n);
	if (rc == 0)
		printf("window %lld: %zu customer%s to ask for consent\n", (long long)window, n,
		       n == 1 ? "" : "s");
	if (rc < 0)
		fprintf(stderr, "faultline maintenance: the customers of window %lld: %s (%s)\n",
		        (long long)window, strerror(-rc), fl_store_errmsg(s));
out:
	fl_plan_destroy(p);
	fl_diags_destroy(d);
	return rc < 0 ? 1 : 0;
}

int64_t fl_cli_maint_notice_ms(const char *plan, const char *data)
{
	struct fl_plan_options popt = {.data_dir = data};
	struct fl_plan *p = NULL;
	struct fl_diags *d = NULL;
	int64_t notice = -1;

	if (!plan || fl_diags_create(&d) < 0)
		return -1;
	if (fl_plan_compile(&p, plan, &popt, d) == 0) {
		const struct fl_program *prog = fl_plan_program(p);

		for (size_t i = 0; i < prog->n_announces; i++)
			if (prog->announces[i].before_ms > notice)
				notice = prog->announces[i].before_ms;
	}
	fl_plan_destroy(p);
	fl_diags_destroy(d);
	return notice;
}

static int window_id(const char *text, int64_t *out)
{
	char *end;
	long long id = text ? strtoll(text, &end, 10) : 0;

	if (!text || *end || end == text || id <= 0) {
		fprintf(stderr, "faultline maintenance: bad window id '%s'\n", text ? text : "");
		return -EINVAL;
	}
	*out = id;
	return 0;
}

/* The window's view at now_ns, or -ENOENT. */
struct view_find {
	int64_t id;
	bool found;
	struct fl_maint_view v;
	char scope[16], target[256], reason[512];
};

static int view_take(void *ctx, const struct fl_maint_view *v)
{
	struct view_find *f = ctx;

	if (v->w.id != f->id)
		return 0;
	f->found = true;
	f->v = *v;
	snprintf(f->scope, sizeof(f->scope), "%s", v->w.scope ? v->w.scope : "");
	snprintf(f->target, sizeof(f->target), "%s", v->w.target ? v->w.target : "");
	snprintf(f->reason, sizeof(f->reason), "%s", v->w.reason ? v->w.reason : "");
	f->v.w.scope = f->scope;
	f->v.w.target = f->target;
	f->v.w.reason = f->reason;
	f->v.w.by = NULL;
	return 1;
}

static int window_view(struct fl_store *s, int64_t id, int64_t now_ns, struct view_find *f)
{
	int rc;

	f->id = id;
	rc = fl_store_maint_each(s, now_ns, view_take, f);
	if (rc < 0)
		return rc;
	return f->found ? 0 : -ENOENT;
}

/* The customers the window has, for "did you mean". */
static int name_take(void *ctx, const struct fl_consent_row *r)
{
	struct customer_list *l = ctx;

	if (l->n < CONSENT_CUSTOMERS_MAX && (l->names[l->n] = strdup(r->customer)))
		l->n++;
	return 0;
}

static void refuse_customer(struct fl_store *s, int64_t id, const char *customer)
{
	struct customer_list *l = calloc(1, sizeof(*l));
	const char *hint = NULL;

	if (l && fl_consent_each(s, id, name_take, l) == 0)
		hint = fl_utf8_suggest(customer, l->names, l->n);
	fprintf(stderr,
	        "faultline maintenance: refused: '%s' is not a customer window %lld affects%s%s%s\n",
	        customer, (long long)id, hint ? "; did you mean '" : "", hint ? hint : "",
	        hint ? "'?" : l && !l->n ? " (it has none recorded: give -c PLAN --data DIR)" : "");
	for (size_t i = 0; l && i < l->n; i++)
		free((char *)l->names[i]);
	free(l);
}

static int consent_state(const struct fl_maint_consent_args *a, enum fl_consent_state *out)
{
	if (a->asked + a->given + a->refused != 1) {
		fprintf(stderr, "faultline maintenance: consent takes one of --asked, --given,"
		                " --refused\n");
		return -EINVAL;
	}
	*out = a->asked ? FL_CONSENT_ASKED : a->given ? FL_CONSENT_GIVEN : FL_CONSENT_REFUSED;
	return 0;
}

int fl_cli_maint_consent(struct fl_store *s, const struct fl_maint_consent_args *a,
                         int64_t now_ns)
{
	enum fl_consent_state st;
	struct view_find f = {0};
	char who[64];
	const char *by = fl_cli_who(a->by, who, sizeof(who));
	int64_t id;
	int rc;

	if (window_id(a->id, &id) < 0 || consent_state(a, &st) < 0)
		return 2;
	if (!a->customer || !a->customer[0] || !by) {
		fprintf(stderr, "faultline maintenance: consent needs --customer NAME and --by NAME\n");
		return 2;
	}
	if ((rc = window_view(s, id, now_ns, &f)) < 0) {
		fprintf(stderr, "faultline maintenance: no window %lld\n", (long long)id);
		return 1;
	}
	if (a->plan && fl_cli_maint_customers(s, id, f.scope, f.target, a->plan, a->data) != 0)
		return 1;
	rc = fl_consent_record(s, id, a->customer, st, by, a->note, now_ns);
	if (rc == -ENOENT) {
		refuse_customer(s, id, a->customer);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "faultline maintenance: consent: %s (%s)\n", strerror(-rc),
		        fl_store_errmsg(s));
		return 1;
	}
	printf("window %lld: %s %s (by %s)\n", (long long)id, a->customer,
	       fl_consent_state_name(st), by);
	return 0;
}

static int show_row(void *ctx, const struct fl_consent_row *r)
{
	char at[FL_TIME_ISO_LEN] = "-";

	(void)ctx;
	if (r->at_ns)
		fl_time_format(r->at_ns, at);
	printf("  %-8s %-20s ", fl_consent_state_name(r->state), at);
	fl_cli_cell(stdout, r->customer, 30);
	printf(" %s%s%s\n", r->by ? r->by : "", r->note ? ": " : "", r->note ? r->note : "");
	return 0;
}

int fl_cli_maint_show(struct fl_store *s, const struct fl_maint_consent_args *a, int64_t now_ns)
{
	struct fl_consent_counts c;
	struct view_find f = {0};
	char from[FL_TIME_ISO_LEN], to[FL_TIME_ISO_LEN];
	int64_t id;

	if (window_id(a->id, &id) < 0)
		return 2;
	if (window_view(s, id, now_ns, &f) < 0 || fl_consent_counts(s, id, &c) < 0) {
		fprintf(stderr, "faultline maintenance: no window %lld\n", (long long)id);
		return 1;
	}
	fl_time_format(f.v.next_from_ns, from);
	fl_time_format(f.v.next_to_ns, to);
	printf("window %lld: %s %s from %s to %s (%s)\n", (long long)id, f.scope, f.target, from,
	       to, f.v.is_active ? "now" : "ahead");
	if (f.reason[0])
		printf("reason:   %s\n", f.reason);
	printf("consent:  %u customers: %u given, %u asked, %u refused, %u not asked\n",
	       c.customers, c.given, c.asked, c.refused, c.missing);
	if (fl_consent_warning(&c, f.v.is_active, f.v.next_from_ns, now_ns,
	                       fl_cli_maint_notice_ms(a->plan, a->data)))
		printf("warning:  %s without every customer's consent\n",
		       f.v.is_active ? "running" : "starts within the notice period");
	return fl_consent_each(s, id, show_row, NULL) < 0 ? 1 : 0;
}
