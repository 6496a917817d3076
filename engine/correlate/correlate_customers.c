/* correlate_customers.c - the customers an incident touches, and the level
 * its circuits call for. See correlate_int.h.
 *
 * The inventory decides which circuits the failed places bring down and
 * which they put on protection (fl_inventory_circuit_effect()); this file
 * turns that into customers, each named once: those with a circuit down are
 * told it is down (scope `customer`), those whose circuits only run on
 * protection are at risk (scope `at_risk`), and a level's `circuits` clause
 * raises an incident that brings down a circuit of that priority. */
#include "engine/correlate/correlate_int.h"

#include <errno.h>
#include <string.h>

/* The plan's priority bits are the inventory's (circuits.csv order). */
_Static_assert((int)FL_CPRIO_URGENT == (int)FL_INV_PRIO_URGENT &&
		   (int)FL_CPRIO_SEVERE == (int)FL_INV_PRIO_SEVERE &&
		   (int)FL_CPRIO_GENERAL == (int)FL_INV_PRIO_GENERAL,
	       "circuit priorities of the plan and the inventory differ");

static bool listed(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Adds a customer once; past the array it is counted in dropped. */
static void add_customer(const char **names, size_t *n, size_t *dropped, const char *name)
{
	if (listed(names, *n, name))
		return;
	if (*n == FL_CORR_CUSTOMERS_MAX) {
		(*dropped)++;
		return;
	}
	names[(*n)++] = name;
}

int fl_corr_customers(const struct fl_inventory *inv, const struct fl_inv_span *const *spans,
		      size_t nspans, const struct fl_inv_site *const *sites, size_t nsites,
		      struct fl_corr_customers *out)
{
	struct fl_inv_circuit_effect fx;
	int rc;

	if (!out)
		return -EINVAL;
	if (!inv) { /* a plan without data: nobody is a customer */
		memset(out, 0, sizeof(*out));
		return 0;
	}
	rc = fl_inventory_circuit_effect(inv, spans, nspans, sites, nsites, &fx);
	if (rc < 0)
		return rc;
	out->ndown = out->nat_risk = 0;
	out->dropped = fx.down_total - fx.ndown + fx.at_risk_total - fx.nat_risk;
	out->down_priorities = fx.down_priorities;
	for (size_t i = 0; i < fx.ndown; i++)
		add_customer(out->down, &out->ndown, &out->dropped, fx.down[i]->customer);
	/* at risk: every circuit of the customer still runs (on protection) */
	for (size_t i = 0; i < fx.nat_risk; i++)
		if (!listed(out->down, out->ndown, fx.at_risk[i]->customer))
			add_customer(out->at_risk, &out->nat_risk, &out->dropped,
				     fx.at_risk[i]->customer);
	return 0;
}

size_t fl_corr_incident_places(const struct fl_engine *e, const struct incident *inc,
			       const struct fl_inv_span **spans, size_t *nspans,
			       const struct fl_inv_site **sites)
{
	const struct fl_incident *p = &inc->pub;
	size_t nsites = 0, hi = e->places_hi < p->n_places ? e->places_hi : p->n_places;

	*nspans = 0;
	/* the places before places_hi (fl_corr_place_joined asks what the
	 * earlier places reached); a site only once it is down, not while it
	 * is on battery */
	for (size_t i = 0; i < hi; i++) {
		const struct fl_incident_place *pl = &p->places[i];

		if (pl->kind == FL_PLACE_SPAN)
			spans[(*nspans)++] = pl->span;
		else if (inc->site_is_down)
			sites[nsites++] = pl->site;
	}
	if (!p->n_places) /* a rule's incident: the spans it names, no failed site */
		for (size_t i = 0; i < p->n_spans; i++)
			spans[(*nspans)++] = p->spans[i];
	return nsites;
}

int fl_corr_incident_customers(const struct fl_engine *e, const struct incident *inc,
			       struct fl_corr_customers *out)
{
	const struct fl_inv_span *spans[FL_INCIDENT_MAX_PLACES + FL_INCIDENT_MAX_SPANS];
	const struct fl_inv_site *sites[FL_INCIDENT_MAX_PLACES];
	size_t nspans, nsites = fl_corr_incident_places(e, inc, spans, &nspans, sites);

	return fl_corr_customers(e->prog->inventory, spans, nspans, sites, nsites, out);
}

uint32_t fl_corr_circuit_level(const struct fl_engine *e, const struct incident *inc)
{
	const struct fl_program *prog = e->prog;
	struct fl_corr_customers cs;
	uint32_t now = inc->pub.level;

	if (!prog->inventory || fl_corr_incident_customers(e, inc, &cs) < 0 ||
	    !cs.down_priorities)
		return FL_PROG_NONE;
	/* levels are ranked by declaration: the first that names a priority of
	 * a down circuit is the most severe it calls for */
	for (uint32_t l = 0; l < prog->n_levels; l++) {
		if (!(prog->levels[l].circuit_priorities & cs.down_priorities))
			continue;
		return now == FL_PROG_NONE || l < now ? l : FL_PROG_NONE;
	}
	return FL_PROG_NONE;
}
