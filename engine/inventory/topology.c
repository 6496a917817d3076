/* topology.c - ring and circuit state under a set of cut spans.
 *
 * A ring of n devices is a cycle: spans[k] joins devices[k] and
 * devices[(k + 1) % n]. Cutting spans splits it into arcs; the arc holding the
 * head (ring_pos 1) still reaches the core. With the cut indices sorted, the
 * head reaches devices[0..kmin] going east and devices[kmax+1..n-1] going
 * west, so the isolated devices are exactly devices[kmin+1..kmax]: no
 * per-call allocation, O(cuts) work. */
#include "engine/inventory/inventory_int.h"

#include <errno.h>

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
