/* topology.c - ring and circuit state under a set of cut spans, and what
 * failed spans and sites do to the customer circuits.
 *
 * A ring of n devices is a cycle: spans[k] joins devices[k] and
 * devices[(k + 1) % n]. Cutting spans splits it into arcs; the arc holding the
 * head (ring_pos 1) still reaches the core. With the cut indices sorted, the
 * head reaches devices[0..kmin] going east and devices[kmax+1..n-1] going
 * west, so the isolated devices are exactly devices[kmin+1..kmax]: no
 * per-call allocation, O(cuts) work. */
#include "engine/inventory/inventory_int.h"

#include <errno.h>
#include <stdlib.h>

/* Index of a span on its ring, or SIZE_MAX when it is not one of r's spans. */
static size_t span_index(const struct fl_inv_ring *r, const struct fl_inv_span *sp)
{
	if (!sp || sp->ring != r || !sp->a || sp->a->ring != r || sp->a->ring_pos == 0)
		return SIZE_MAX;
	return r->spans[sp->a->ring_pos - 1] == sp ? sp->a->ring_pos - 1 : SIZE_MAX;
}

/* The lowest and highest cut index on r and how many distinct cuts. */
static size_t ring_cuts(const struct fl_inv_ring *r, const struct fl_inv_span *const *cuts,
                        size_t ncuts, size_t *kmin, size_t *kmax)
{
	size_t distinct = 0;

	*kmin = SIZE_MAX;
	*kmax = 0;
	for (size_t i = 0; i < ncuts; i++) {
		size_t k = span_index(r, cuts[i]);
		bool seen = false;

		if (k == SIZE_MAX)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = cuts[j] == cuts[i];
		if (seen)
			continue;
		distinct++;
		if (k < *kmin)
			*kmin = k;
		if (k > *kmax)
			*kmax = k;
	}
	return distinct;
}

int fl_inventory_ring_state(const struct fl_inventory *inv, const struct fl_inv_ring *ring,
                            const struct fl_inv_span *const *cuts, size_t ncuts,
                            const struct fl_inv_device **isolated, size_t cap, size_t *nisolated)
{
	size_t kmin, kmax, n, out = 0;

	(void)inv;
	if (!ring || (ncuts && !cuts) || !nisolated)
		return -EINVAL;
	n = ring_cuts(ring, cuts, ncuts, &kmin, &kmax);
	*nisolated = 0;
	if (n == 0)
		return FL_INV_RING_INTACT;
	if (n == 1)
		return FL_INV_RING_PROTECTED;
	for (size_t k = kmin + 1; k <= kmax; k++) {
		if (out < cap && isolated)
			isolated[out] = ring->devices[k];
		out++;
	}
	*nisolated = out;
	return FL_INV_RING_BROKEN;
}

static bool is_cut(const struct fl_inv_span *sp, const struct fl_inv_span *const *cuts,
                   size_t ncuts)
{
	for (size_t i = 0; i < ncuts; i++)
		if (cuts[i] == sp)
			return true;
	return false;
}

/* Whether a cut ring outside path[from..to) exists: the other way round. */
static bool other_way_cut(const struct fl_inv_circuit *c, size_t from, size_t to,
                          const struct fl_inv_span *const *cuts, size_t ncuts)
{
	const struct fl_inv_ring *r = c->path[from]->ring;

	for (size_t i = 0; i < ncuts; i++) {
		bool on_run = false;

		if (!cuts[i] || cuts[i]->ring != r)
			continue;
		for (size_t k = from; k < to && !on_run; k++)
			on_run = c->path[k] == cuts[i];
		if (!on_run)
			return true;
	}
	return false;
}

int fl_inventory_circuit_state(const struct fl_inventory *inv, const struct fl_inv_circuit *c,
                               const struct fl_inv_span *const *cuts, size_t ncuts)
{
	bool any_cut = false;

	(void)inv;
	if (!c || (ncuts && !cuts))
		return -EINVAL;
	for (size_t k = 0; k < c->npath; k++) {
		if (!is_cut(c->path[k], cuts, ncuts))
			continue;
		any_cut = true;
		if (!c->is_protected || c->path[k]->is_chain)
			return FL_INV_CIRCUIT_DOWN;
	}
	if (!any_cut)
		return FL_INV_CIRCUIT_UP;
	/* SNCP: each run of consecutive path spans on one ring is one way round
	 * between the devices where the circuit enters and leaves that ring; it
	 * survives a cut on the run while the other way round is whole. */
	for (size_t from = 0; from < c->npath;) {
		size_t to = from + 1;
		bool run_cut = false;

		while (to < c->npath && c->path[to]->ring == c->path[from]->ring)
			to++;
		for (size_t k = from; k < to && !run_cut; k++)
			run_cut = is_cut(c->path[k], cuts, ncuts);
		if (run_cut && other_way_cut(c, from, to, cuts, ncuts))
			return FL_INV_CIRCUIT_DOWN;
		from = to;
	}
	return FL_INV_CIRCUIT_PROTECTED;
}

/* ---- customer circuits under failed spans and sites ------------------------
 *
 * One scratch block per call holds a byte per span (failed?), per circuit
 * (touched?) and per site (failed?), and a component label and a queue slot
 * per site. Components are labelled lazily, from the end of the first
 * protected circuit that needs one: a cut that touches only unprotected
 * circuits never walks the graph. */

struct effect_work {
	unsigned char *span_failed, *circuit_touched, *site_failed;
	size_t *component; /* 0: not labelled yet; labels start at 1 */
	size_t *queue;
	size_t next_label;
};

static void *effect_work_alloc(const struct fl_inventory *inv, struct effect_work *w)
{
	size_t nsites = inv->sites.n, nspans = inv->spans.n, ncircuits = inv->circuits.n;
	size_t words = 2 * nsites + 1;
	size_t bytes = words * sizeof(size_t) + nspans + ncircuits + nsites;
	unsigned char *block = calloc(1, bytes);

	if (!block)
		return NULL;
	w->component = (size_t *)(void *)block;
	w->queue = w->component + nsites;
	w->span_failed = block + words * sizeof(size_t);
	w->circuit_touched = w->span_failed + nspans;
	w->site_failed = w->circuit_touched + ncircuits;
	w->next_label = 1;
	return block;
}

static void touch_circuits(struct effect_work *w, const struct fl_inv_circuit *const *cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w->circuit_touched[cs[i]->index] = 1;
}

/* Labels the component of site `from` in the graph without the failed spans
 * and sites (breadth first, each site queued once). */
static void label_component(const struct fl_inventory *inv, struct effect_work *w, size_t from)
{
	size_t head = 0, tail = 0, label = w->next_label++;

	w->component[from] = label;
	w->queue[tail++] = from;
	while (head < tail) {
		size_t s = w->queue[head++];

		for (size_t k = inv->adj_first[s]; k < inv->adj_first[s + 1]; k++) {
			const struct inv_edge *ed = &inv->adj[k];

			if (w->span_failed[ed->span->index] || w->site_failed[ed->site] ||
			    w->component[ed->site])
				continue;
			w->component[ed->site] = label;
			w->queue[tail++] = ed->site;
		}
	}
}

static bool ends_joined(const struct fl_inventory *inv, struct effect_work *w,
                        const struct fl_inv_circuit *c)
{
	size_t a = c->a_site->index, b = c->b_site->index;

	if (!w->component[a])
		label_component(inv, w, a);
	return w->component[a] == w->component[b];
}

/* Marks the failed places and every circuit whose path or ends touch them. */
static size_t mark_failed(struct effect_work *w, const struct fl_inv_span *const *spans,
                          size_t nspans, const struct fl_inv_site *const *sites, size_t nsites)
{
	size_t ignored = 0;

	for (size_t i = 0; i < nspans; i++) {
		if (i == FL_INVENTORY_MAX_FAILED) {
			ignored += nspans - i;
			break;
		}
		if (!spans[i])
			continue;
		w->span_failed[spans[i]->index] = 1;
		touch_circuits(w, spans[i]->circuits, spans[i]->ncircuits);
	}
	for (size_t i = 0; i < nsites; i++) {
		const struct fl_inv_site *s = sites[i];

		if (i == FL_INVENTORY_MAX_FAILED) {
			ignored += nsites - i;
			break;
		}
		if (!s)
			continue;
		w->site_failed[s->index] = 1;
		touch_circuits(w, s->circuits, s->ncircuits);
		/* circuits passing through: a path span ends at one of its devices */
		for (size_t d = 0; d < s->ndevices; d++)
			for (size_t k = 0; k < s->devices[d]->nspans; k++)
				touch_circuits(w, s->devices[d]->spans[k]->circuits,
				               s->devices[d]->spans[k]->ncircuits);
	}
	return ignored;
}

int fl_inventory_circuit_effect(const struct fl_inventory *inv,
                                const struct fl_inv_span *const *spans, size_t nspans,
                                const struct fl_inv_site *const *sites, size_t nsites,
                                struct fl_inv_circuit_effect *out)
{
	struct effect_work w;
	size_t ignored;
	void *block;

	if (!inv || !out || (nspans && !spans) || (nsites && !sites))
		return -EINVAL;
	block = effect_work_alloc(inv, &w);
	if (!block)
		return -ENOMEM;
	ignored = mark_failed(&w, spans, nspans, sites, nsites);
	out->ndown = out->nat_risk = out->down_total = out->at_risk_total = 0;
	out->down_priorities = 0;
	out->places_ignored = ignored;
	for (size_t i = 0; i < inv->circuits.n; i++) {
		const struct fl_inv_circuit *c = inv->circuits.items[i];
		bool is_down;

		if (!w.circuit_touched[i])
			continue;
		/* touched and unprotected: its path crosses a failed place */
		is_down = w.site_failed[c->a_site->index] || w.site_failed[c->b_site->index] ||
		          !c->is_protected || !ends_joined(inv, &w, c);
		if (is_down) {
			out->down_priorities |= 1u << c->priority;
			if (out->ndown < FL_INVENTORY_MAX_EFFECT)
				out->down[out->ndown++] = c;
			out->down_total++;
		} else {
			if (out->nat_risk < FL_INVENTORY_MAX_EFFECT)
				out->at_risk[out->nat_risk++] = c;
			out->at_risk_total++;
		}
	}
	free(block);
	return 0;
}
