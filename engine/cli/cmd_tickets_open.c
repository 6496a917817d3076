/* cmd_tickets_open.c - `faultline tickets open` (tickets_open.h). */
#include "engine/cli/tickets_open.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "engine/lib/str.h"
#include "engine/lib/utf8.h"
#include "engine/store/hotline.h"
#include "engine/store/store.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

#define OPEN_LIST_MAX 8192 /* bytes of one ';'-separated list of circuits */

/* The report once the inventory has filled in what the caller left out. */
struct resolved {
	struct fl_hotline_report rep;
	struct fl_buf circuits; /* a customer's circuits */
};

static bool given(const char *s)
{
	return s && s[0];
}

static struct fl_str str_of(const char *s)
{
	return fl_str_make(s, strlen(s));
}

/* Every circuit once, in circuits.csv order: those riding a span and
 * those ending at a site a device stands on (a circuit within one site
 * rides no span). Calls fn until it returns false. */
static void circuits_each(const struct fl_inventory *inv,
                          bool (*fn)(void *ctx, const struct fl_inv_circuit *c), void *ctx)
{
	const struct fl_inv_circuit **by_index;
	struct fl_inventory_counts n;
	const struct fl_inv_span *sp;
	const struct fl_inv_device *d;

	fl_inventory_counts(inv, &n);
	if (!(by_index = calloc(n.circuits ? n.circuits : 1, sizeof(*by_index))))
		return;
	for (size_t i = 0; (sp = fl_inventory_span_nth(inv, i)); i++)
		for (size_t k = 0; k < sp->ncircuits; k++)
			if (sp->circuits[k]->index < n.circuits)
				by_index[sp->circuits[k]->index] = sp->circuits[k];
	for (size_t i = 0; (d = fl_inventory_device_at(inv, i)); i++)
		for (size_t k = 0; d->site && k < d->site->ncircuits; k++)
			if (d->site->circuits[k]->index < n.circuits)
				by_index[d->site->circuits[k]->index] = d->site->circuits[k];
	for (size_t i = 0; i < n.circuits; i++)
		if (by_index[i] && !fn(ctx, by_index[i]))
			break;
	free(by_index);
}

struct customer_scan {
	const char *name;
	const char **names; /* every customer, for "did you mean" */
	size_t n, max;
	struct fl_buf *circuits;
	bool found;
};

static bool customer_visit(void *ctx, const struct fl_inv_circuit *c)
{
	struct customer_scan *cs = ctx;

	if (strcmp(c->customer, cs->name) == 0) {
		cs->found = true;
		if (cs->circuits->len)
			(void)fl_buf_addc(cs->circuits, ';');
		(void)fl_buf_adds(cs->circuits, c->id);
	} else if (cs->n < cs->max) {
		cs->names[cs->n++] = c->customer;
	}
	return true;
}

static void refuse(const char *what, const char *name, const char *hint)
{
	fprintf(stderr, "faultline tickets: refused: no %s '%s' in the inventory%s%s%s\n", what,
	        name, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
}

/* A customer is known by its circuits: fills r->circuits with them. */
static bool resolve_customer(const struct fl_inventory *inv, struct resolved *r)
{
	struct fl_inventory_counts n;
	struct customer_scan cs = {.name = r->rep.customer, .circuits = &r->circuits};

	fl_inventory_counts(inv, &n);
	cs.max = n.circuits;
	if (!(cs.names = calloc(cs.max ? cs.max : 1, sizeof(*cs.names))))
		return false;
	circuits_each(inv, customer_visit, &cs);
	if (!cs.found)
		refuse("customer", r->rep.customer, fl_utf8_suggest(r->rep.customer, cs.names, cs.n));
	else if (r->circuits.overflowed)
		fprintf(stderr, "faultline tickets: %s has too many circuits to list\n",
		        r->rep.customer);
	else if (!given(r->rep.circuit))
		r->rep.circuit = r->circuits.p;
	free(cs.names);
	return cs.found && !r->circuits.overflowed;
}

/* The names of one kind, for "did you mean". */
static const char *suggest(const struct fl_inventory *inv, const char *kind, const char *name)
{
	struct fl_inventory_counts n;
	const struct fl_inv_device *d;
	const struct fl_inv_span *sp;
	const char **names, *hint;
	size_t k = 0, max;

	fl_inventory_counts(inv, &n);
	max = n.devices + n.spans;
	if (!(names = calloc(max ? max : 1, sizeof(*names))))
		return NULL;
	for (size_t i = 0; strcmp(kind, "span") == 0 && (sp = fl_inventory_span_nth(inv, i)); i++)
		names[k++] = sp->id;
	for (size_t i = 0; strcmp(kind, "span") != 0 && (d = fl_inventory_device_at(inv, i)); i++)
		names[k++] = strcmp(kind, "device") == 0 ? d->id
		             : !d->site                 ? NULL
		             : strcmp(kind, "site") == 0 ? d->site->id
		             : strcmp(kind, "city") == 0 ? (d->site->city ? d->site->city->name : NULL)
		                                         : (d->site->county ? d->site->county->name : NULL);
	hint = fl_utf8_suggest(name, names, k);
	free(names);
	return hint;
}

/* A site names its city, county and class when the caller did not; the
 * site itself only when it is where the fault was reported (a device's
 * site), not a circuit's end: a ticket's site is a place an alarm must
 * match to join it (engine/pipeline/hand_join.h). */
static void from_site(const struct fl_inv_site *site, bool is_place,
                      struct fl_hotline_report *rep)
{
	static const char *const classes[] = {"city", "county", "township"};

	if (!site)
		return;
	if (is_place && !given(rep->site))
		rep->site = site->id;
	if (!given(rep->city) && site->city)
		rep->city = site->city->name;
	if (!given(rep->county) && site->county)
		rep->county = site->county->name;
	if (!given(rep->loc_class) && (size_t)site->site_class < 3)
		rep->loc_class = classes[site->site_class];
}

/* The places: each named one must be known. */
static bool resolve_places(const struct fl_inventory *inv, struct fl_hotline_report *rep)
{
	const struct fl_inv_device *dev = NULL;
	const struct fl_inv_site *site = NULL;
	const struct fl_inv_circuit *c = NULL;

	if (given(rep->device) && !(dev = fl_inventory_device(inv, str_of(rep->device))))
		return refuse("device", rep->device, suggest(inv, "device", rep->device)), false;
	if (given(rep->site) && !(site = fl_inventory_site(inv, str_of(rep->site))))
		return refuse("site", rep->site, suggest(inv, "site", rep->site)), false;
	if (given(rep->span) && !fl_inventory_span(inv, str_of(rep->span)))
		return refuse("span", rep->span, suggest(inv, "span", rep->span)), false;
	if (given(rep->city) && !fl_inventory_city(inv, str_of(rep->city)))
		return refuse("city", rep->city, suggest(inv, "city", rep->city)), false;
	if (given(rep->county) && !fl_inventory_county(inv, str_of(rep->county)))
		return refuse("county", rep->county, suggest(inv, "county", rep->county)), false;
	if (given(rep->circuit) && !strchr(rep->circuit, ';') &&
	    !(c = fl_inventory_circuit(inv, str_of(rep->circuit))))
		return refuse("circuit", rep->circuit, NULL), false;
	if (c && !given(rep->customer))
		rep->customer = c->customer;
	from_site(site ? site : dev ? dev->site : c ? c->a_site : NULL, site || dev, rep);
	return true;
}

/* The level's clocks from the plan; false when it has no such level. */
static bool level_clocks(const struct fl_program *prog, const char *name,
                         struct fl_hotline_clocks *out)
{
	for (size_t i = 0; i < prog->n_levels; i++) {
		const struct fl_prog_level *l = &prog->levels[i];

		if (!fl_str_eq_cstr(l->name, name))
			continue;
		out->respond_ms = l->respond_ms;
		out->repair_ms = l->repair_ms;
		for (size_t k = 0; k < 3; k++)
			out->onsite_ms[k] = k < FL_CLASS__COUNT ? l->onsite_ms[k] : -1;
		return true;
	}
	return false;
}

static int resolve(const struct fl_program *prog, struct resolved *r)
{
	const struct fl_inventory *inv = prog->inventory;

	if (!level_clocks(prog, r->rep.level, &r->rep.clocks)) {
		fprintf(stderr, "faultline tickets: refused: the plan has no level '%s'\n",
		        r->rep.level);
		return 1;
	}
	if (!inv) {
		fprintf(stderr, "faultline tickets: the plan names no inventory: give --data DIR\n");
		return 2;
	}
	if (given(r->rep.customer) && !resolve_customer(inv, r))
		return 1;
	return resolve_places(inv, &r->rep) ? 0 : 1;
}

static int check_args(const struct fl_ticket_open_args *o)
{
	if (!o->plan || !given(o->level) || !given(o->text)) {
		fprintf(stderr, "faultline tickets: open needs -c PLAN, --level and --text (what the"
		                " caller reports)\n");
		return 2;
	}
	if (!given(o->customer) && !given(o->circuit) && !given(o->site) && !given(o->span) &&
	    !given(o->device)) {
		fprintf(stderr, "faultline tickets: open: say what is affected: --customer,"
		                " --circuit, --site, --span or --device\n");
		return 2;
	}
	if (o->loc_class && fl_hotline_class(o->loc_class) < 0) {
		fprintf(stderr, "faultline tickets: --class is city, county or township\n");
		return 2;
	}
	return 0;
}

static int open_write(struct fl_store *s, struct resolved *r)
{
	char id[FL_STORE_ID_MAX + 1];
	int rc = fl_hotline_open(s, &r->rep, id, sizeof(id));

	if (rc < 0) {
		fprintf(stderr, "faultline tickets: open: %s (%s)\n", strerror(-rc),
		        fl_store_errmsg(s));
		return 1;
	}
	printf("%s opened: %s\n", id, r->rep.text);
	return 0;
}

int fl_cli_tickets_open(struct fl_store *s, const struct fl_ticket_open_args *o, const char *by,
                        int64_t now_ns)
{
	struct fl_plan_options popt = {.data_dir = o->data};
	struct resolved r = {.rep = {
		.level = o->level, .text = o->text, .caller = o->caller, .by = by,
		.customer = o->customer, .circuit = o->circuit, .site = o->site, .span = o->span,
		.device = o->device, .city = o->city, .county = o->county,
		.loc_class = o->loc_class, .now_ns = now_ns}};
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	int status;

	if ((status = check_args(o)) != 0)
		return status;
	if (fl_diags_create(&d) < 0)
		return 1;
	fl_buf_init(&r.circuits, OPEN_LIST_MAX);
	status = 1;
	if (fl_plan_compile(&plan, o->plan, &popt, d) < 0)
		fl_diag_print(d, stderr);
	else if ((status = resolve(fl_plan_program(plan), &r)) == 0)
		status = open_write(s, &r);
	fl_buf_free(&r.circuits);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return status;
}
