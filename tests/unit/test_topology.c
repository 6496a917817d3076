/* Ring and circuit state under cuts, and shared-risk groups, on the sample
 * network ($FL_SHARED/data). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"

static struct fl_inventory *inv;

static struct fl_str S(const char *s) {
	return fl_str_make(s, strlen(s));
}

static void
load(void)
{
	static const char *const names[8] = {"devices", "sites",    "rings",    "spans",
	                                     "chains",  "circuits", "contacts", "maintenance"};
	static char files[8][600];
	const char *shared = getenv("FL_SHARED");

	for (int i = 0; i < 8; i++)
		snprintf(files[i], sizeof(files[i]), "%s/data/%s.csv",
		         shared && *shared ? shared : "/work/shared", names[i]);
	struct fl_inventory_paths p = {files[0], files[1], files[2], files[3],
	                               files[4], files[5], files[6], files[7]};
	cr_assert_eq(fl_inventory_load(&inv, &p, NULL, NULL), 0);
}

static void unload(void)
{
	fl_inventory_free(inv);
	inv = NULL;
}

TestSuite(topology, .init = load, .fini = unload);

static const struct fl_inv_span *span(const char *id)
{
	const struct fl_inv_span *sp = fl_inventory_span(inv, S(id));

	cr_assert_not_null(sp, "span %s", id);
	return sp;
}

static int state(const char *ring, const char *const *cut_ids, size_t ncuts,
                 const struct fl_inv_device **iso, size_t cap, size_t *niso)
{
	const struct fl_inv_span *cuts[8];

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = span(cut_ids[i]);
	return fl_inventory_ring_state(inv, fl_inventory_ring(inv, S(ring)), cuts, ncuts, iso, cap,
	                               niso);
}

Test(topology, calls_a_ring_without_cuts_intact)
{
	size_t n = 99;

	cr_expect_eq(state("HC-YZ-R01", NULL, 0, NULL, 0, &n), FL_INV_RING_INTACT);
	cr_expect_eq(n, 0);
}

Test(topology, isolates_nothing_on_one_cut)
{
	static const char *const cut[] = {"HC-YZ-R01-S02"};
	size_t n = 99;

	cr_expect_eq(state("HC-YZ-R01", cut, 1, NULL, 0, &n), FL_INV_RING_PROTECTED);
	cr_expect_eq(n, 0);
}

Test(topology, isolates_the_devices_between_two_cuts)
{
	static const char *const cut[] = {"HC-YZ-R01-S04", "HC-YZ-R01-S02"};
	const struct fl_inv_ring *r = fl_inventory_ring(inv, S("HC-YZ-R01"));
	const struct fl_inv_device *iso[8];
	size_t n = 0;

	cr_assert_eq(state("HC-YZ-R01", cut, 2, iso, 8, &n), FL_INV_RING_BROKEN);
	/* S02 joins pos 2-3, S04 pos 4-5: pos 3 and 4 are cut off from the head. */
	cr_assert_eq(n, 2);
	cr_expect_eq(iso[0], r->devices[2]);
	cr_expect_eq(iso[1], r->devices[3]);
	cr_expect_eq(iso[0]->ring_pos, 3);
}

Test(topology, cuts_off_everything_but_the_head_when_both_head_spans_are_cut)
{
	static const char *const cut[] = {"HC-YZ-R01-S01", "HC-YZ-R01-S05", "HC-YZ-R01-S03"};
	const struct fl_inv_device *iso[2];
	size_t n = 0;

	cr_assert_eq(state("HC-YZ-R01", cut, 3, iso, 2, &n), FL_INV_RING_BROKEN);
	cr_expect_eq(n, 4, "the full count even past the caller's cap of 2");
	cr_expect_eq(iso[0]->ring_pos, 2);
	cr_expect_eq(iso[1]->ring_pos, 3);
}

Test(topology, ignores_repeated_cuts_and_cuts_on_other_rings)
{
	static const char *const cut[] = {"HC-YZ-R01-S02", "HC-YZ-R01-S02", "HC-JCJ-R01-S01",
	                                  "HC-YZ-C01-S01"};
	size_t n = 99;

	cr_expect_eq(state("HC-YZ-R01", cut, 4, NULL, 0, &n), FL_INV_RING_PROTECTED);
	cr_expect_eq(n, 0);
	cr_expect_eq(fl_inventory_ring_state(inv, NULL, NULL, 0, NULL, 0, &n), -EINVAL);
}

static int circuit(const char *id, const char *const *cut_ids, size_t ncuts)
{
	const struct fl_inv_span *cuts[8];

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = span(cut_ids[i]);
	return fl_inventory_circuit_state(inv, fl_inventory_circuit(inv, S(id)), cuts, ncuts);
}

Test(topology, keeps_an_sncp_circuit_up_while_the_other_way_round_is_whole)
{
	static const char *const one[] = {"HC-CR03-S01"};
	static const char *const same_way[] = {"HC-CR03-S01", "HC-CR03-S02"};
	static const char *const two_rings[] = {"HC-JCJ-R01-S01", "HC-CR03-S02"};
	static const char *const both_ways[] = {"HC-CR03-S01", "HC-CR03-S04"};
	static const char *const elsewhere[] = {"HC-CR03-S04"};

	/* HC-EGOV-003 rides HC-JCJ-R01-S01, then HC-CR03-S01 and S02. */
	cr_expect_eq(circuit("HC-EGOV-003", NULL, 0), FL_INV_CIRCUIT_UP);
	cr_expect_eq(circuit("HC-EGOV-003", elsewhere, 1), FL_INV_CIRCUIT_UP);
	cr_expect_eq(circuit("HC-EGOV-003", one, 1), FL_INV_CIRCUIT_PROTECTED);
	cr_expect_eq(circuit("HC-EGOV-003", same_way, 2), FL_INV_CIRCUIT_PROTECTED);
	cr_expect_eq(circuit("HC-EGOV-003", two_rings, 2), FL_INV_CIRCUIT_PROTECTED);
	cr_expect_eq(circuit("HC-EGOV-003", both_ways, 2), FL_INV_CIRCUIT_DOWN);
}

Test(topology, drops_a_circuit_cut_on_its_chain_or_unprotected)
{
	static const char *const chain[] = {"HC-YZ-C01-S01"};
	static const char *const ring[] = {"HC-YZ-R01-S01"};

	cr_expect_eq(circuit("HC-EGOV-012", chain, 1), FL_INV_CIRCUIT_DOWN);
	cr_expect_eq(circuit("HC-EGOV-012", ring, 1), FL_INV_CIRCUIT_DOWN);
	cr_expect_eq(fl_inventory_circuit_state(inv, NULL, NULL, 0), -EINVAL);
}

Test(topology, lists_every_span_in_each_of_its_shared_risk_groups)
{
	const struct fl_inv_span *sp;
	size_t grouped = 0, multi_ring = 0;
	struct fl_inventory_counts n;

	for (size_t i = 0; (sp = fl_inventory_span_nth(inv, i)); i++) {
		for (size_t g = 0; g < sp->nsrlgs; g++) {
			const struct fl_inv_srlg *grp = sp->srlgs[g];
			bool listed = false, other_ring = false;

			cr_expect_eq(fl_inventory_srlg(inv, S(grp->id)), grp);
			for (size_t k = 0; k < grp->nspans; k++) {
				listed |= grp->spans[k] == sp;
				other_ring |= grp->spans[k]->ring != sp->ring;
			}
			cr_expect(listed, "%s lists %s", grp->id, sp->id);
			multi_ring += other_ring;
			grouped++;
		}
	}
	fl_inventory_counts(inv, &n);
	cr_expect_gt(n.srlgs, 0);
	cr_expect_gt(grouped, n.srlgs, "groups hold several spans");
	cr_expect_gt(multi_ring, 0, "one dig can cut spans of different rings");
	cr_expect_null(fl_inventory_srlg(inv, S("DUCT-NOWHERE")));
}
