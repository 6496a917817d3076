/* Which customer circuits failed spans and sites bring down, and which run on
 * protection, over the hand-built network of circuit_net.h; and spans whose
 * ports are named as routers and OLTs name them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/inventory/inventory.h"
#include "tests/unit/circuit_net.h"

static struct fl_inventory *inv;

static void load(void)
{
	struct fl_inventory_texts t = cn_texts();

	cr_assert_eq(fl_inventory_load_texts(&inv, &t, NULL, NULL), 0);
}

static void unload(void)
{
	fl_inventory_free(inv);
	inv = NULL;
}

TestSuite(circuit_effect, .init = load, .fini = unload);

/* Failed places by name ("S:id" a span, else a site), and the circuit ids of
 * each class as one string ("K-001 K-004"), to compare in one go. */
struct outcome {
	char down[128], at_risk[128];
	struct fl_inv_circuit_effect fx;
};

static void run(const char *const *places, size_t n, struct outcome *o)
{
	const struct fl_inv_span *spans[8];
	const struct fl_inv_site *sites[8];
	size_t nspans = 0, nsites = 0;

	for (size_t i = 0; i < n; i++) {
		if (strncmp(places[i], "S:", 2) == 0) {
			spans[nspans] = fl_inventory_span(inv, cn_str(places[i] + 2));
			cr_assert_not_null(spans[nspans++], "span %s", places[i]);
		} else {
			sites[nsites] = fl_inventory_site(inv, cn_str(places[i]));
			cr_assert_not_null(sites[nsites++], "site %s", places[i]);
		}
	}
	memset(o, 0, sizeof(*o));
	cr_assert_eq(fl_inventory_circuit_effect(inv, spans, nspans, sites, nsites, &o->fx), 0);
	for (size_t i = 0; i < o->fx.ndown; i++)
		snprintf(o->down + strlen(o->down), sizeof(o->down) - strlen(o->down), "%s%s",
		         i ? " " : "", o->fx.down[i]->id);
	for (size_t i = 0; i < o->fx.nat_risk; i++)
		snprintf(o->at_risk + strlen(o->at_risk), sizeof(o->at_risk) - strlen(o->at_risk),
		         "%s%s", i ? " " : "", o->fx.at_risk[i]->id);
}

#define PRIO(p) (1u << FL_INV_PRIO_##p)

Test(circuit_effect, one_ring_cut_drops_the_unprotected_and_puts_sncp_on_protection)
{
	static const char *const cut[] = {"S:N-R1-S01"};
	struct outcome o;

	run(cut, 1, &o);
	cr_expect_str_eq(o.down, "K-001");
	cr_expect_str_eq(o.at_risk, "K-002 K-003");
	cr_expect_eq(o.fx.down_priorities, PRIO(GENERAL));
	cr_expect_eq(o.fx.down_total, 1);
	cr_expect_eq(o.fx.at_risk_total, 2);
}

Test(circuit_effect, two_cuts_that_cut_off_the_core_drop_every_circuit_through_them)
{
	/* a duct holding both of C's ring spans: C is alone; K-005 (P-R through Q)
	 * does not touch the cuts and is neither down nor at risk */
	static const char *const cut[] = {"S:N-R1-S01", "S:N-R1-S04"};
	struct outcome o;

	run(cut, 2, &o);
	cr_expect_str_eq(o.down, "K-001 K-002 K-003 K-004");
	cr_expect_str_eq(o.at_risk, "");
	cr_expect_eq(o.fx.down_priorities, PRIO(URGENT) | PRIO(SEVERE) | PRIO(GENERAL));
}

Test(circuit_effect, a_second_cut_on_a_county_ring_isolates_the_town_between)
{
	static const char *const cut[] = {"S:N-Q-R2-S01", "S:N-Q-R2-S02"};
	static const char *const one[] = {"S:N-Q-R2-S01"};
	struct outcome o;

	run(cut, 2, &o);
	cr_expect_str_eq(o.down, "K-001 K-002");
	cr_expect_str_eq(o.at_risk, "");
	run(one, 1, &o);
	cr_expect_str_eq(o.down, "K-001");
	cr_expect_str_eq(o.at_risk, "K-002");
}

Test(circuit_effect, a_dead_site_drops_circuits_through_it_unless_the_ends_still_meet)
{
	/* Q is crossed, not an end: K-005 (P-R) goes round by C; K-002 (C-T)
	 * has no way left, T's county ring hangs off Q */
	static const char *const dead[] = {"Q"};
	struct outcome o;

	run(dead, 1, &o);
	cr_expect_str_eq(o.down, "K-001 K-002");
	cr_expect_str_eq(o.at_risk, "K-005");
	cr_expect_eq(o.fx.down_priorities, PRIO(URGENT) | PRIO(GENERAL));
}

Test(circuit_effect, a_dead_end_site_drops_its_circuits_protected_or_not)
{
	static const char *const dead_p[] = {"P"};
	static const char *const dead_u[] = {"U"};
	struct outcome o;

	run(dead_p, 1, &o);
	cr_expect_str_eq(o.down, "K-001 K-003 K-005");
	cr_expect_str_eq(o.at_risk, "K-002", "C reaches T by R and Q");
	run(dead_u, 1, &o);
	cr_expect_str_eq(o.down, "K-001");
	cr_expect_str_eq(o.at_risk, "");
}

Test(circuit_effect, spans_and_sites_together_are_one_failure)
{
	/* R1-S04 alone: K-004 down; with Q dead too, P and R no longer meet */
	static const char *const both[] = {"S:N-R1-S04", "Q"};
	struct outcome o;

	run(both, 2, &o);
	cr_expect_str_eq(o.down, "K-001 K-002 K-004 K-005");
	cr_expect_str_eq(o.at_risk, "");
}

Test(circuit_effect, router_links_are_spans_like_any_other)
{
	static const char *const one[] = {"S:N-IP1-S01"};
	static const char *const two[] = {"S:N-IP1-S01", "S:N-IP1-S02"};
	struct outcome o;

	run(one, 1, &o);
	cr_expect_str_eq(o.down, "");
	cr_expect_str_eq(o.at_risk, "K-006");
	run(two, 2, &o);
	cr_expect_str_eq(o.down, "K-006");
}

Test(circuit_effect, ignores_null_and_repeated_places_and_counts_those_past_the_cap)
{
	const struct fl_inv_span *sp = fl_inventory_span(inv, cn_str("N-R1-S01"));
	const struct fl_inv_span *spans[FL_INVENTORY_MAX_FAILED + 3];
	struct fl_inv_circuit_effect fx;

	for (size_t i = 0; i < FL_INVENTORY_MAX_FAILED + 3; i++)
		spans[i] = i % 2 ? NULL : sp;
	cr_assert_eq(fl_inventory_circuit_effect(inv, spans, FL_INVENTORY_MAX_FAILED + 3, NULL, 0,
	                                         &fx),
	             0);
	cr_expect_eq(fx.ndown, 1);
	cr_expect_eq(fx.nat_risk, 2);
	cr_expect_eq(fx.places_ignored, 3);
	cr_assert_eq(fl_inventory_circuit_effect(inv, NULL, 0, NULL, 0, &fx), 0);
	cr_expect_eq(fx.ndown + fx.nat_risk + fx.down_total + fx.at_risk_total, 0);
	cr_expect_eq(fl_inventory_circuit_effect(inv, NULL, 1, NULL, 0, &fx), -EINVAL);
	cr_expect_eq(fl_inventory_circuit_effect(inv, spans, 1, NULL, 0, NULL), -EINVAL);
	cr_expect_eq(fl_inventory_circuit_effect(NULL, spans, 1, NULL, 0, &fx), -EINVAL);
}

Test(circuit_effect, finds_a_span_by_any_port_name_exactly_as_written)
{
	static const struct {
		const char *device, *port, *span;
	} ports[] = {
	    {"C-OSN01", "1-8-1", "N-R1-S01"},
	    {"Q-SDH02", "1-1-6-1", "N-Q-R2-S01"},
	    {"T-SDH01", "gpon-olt_1/2/3", "N-Q-C01-S01"},
	    {"M1-RT01", "GigabitEthernet0/0/1", "N-IP1-S01"},
	    {"M2-RT01", "xgei-1/2/4", "N-IP1-S01"},
	    {"M2-RT01", "ge-0/0/1.0", "N-IP1-S02"},
	    {"M3-RT01", "Te1/1/1", "N-IP1-S02"},
	    {"M3-RT01", "TenGigabitEthernet1/0/1.1000", "N-IP1-S03"},
	};

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		const struct fl_inv_span *sp =
		    fl_inventory_span_at(inv, cn_str(ports[i].device), cn_str(ports[i].port));

		cr_expect_not_null(sp, "%s %s", ports[i].device, ports[i].port);
		if (sp)
			cr_expect_str_eq(sp->id, ports[i].span);
	}
	/* no folding of case or abbreviations: the name as spans.csv writes it */
	cr_expect_null(fl_inventory_span_at(inv, cn_str("M1-RT01"), cn_str("gigabitethernet0/0/1")));
	cr_expect_null(fl_inventory_span_at(inv, cn_str("M1-RT01"), cn_str("Gi0/0/1")));
	cr_expect_null(fl_inventory_span_at(inv, cn_str("M3-RT01"), cn_str("Te1/1/1 ")));
}

/* Port names that cannot be ports, each reported at its cell. */
struct port_case {
	const char *port, *expect;
};

static char reported[1024];

static void on_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	(void)ctx;
	snprintf(reported + strlen(reported), sizeof(reported) - strlen(reported),
	         "%s:%zu:%zu: %s\n", file, line, col, msg);
}

Test(circuit_effect, refuses_only_what_cannot_be_a_port)
{
	char long_port[FL_INVENTORY_MAX_PORT_BYTES + 2];
	char spans_csv[512], expect[256];
	struct port_case cases[] = {
	    {"\"\"", "spans.csv:2:25: empty a_port; write the port as the device names it, e.g. "
	             "1-8-1 or GigabitEthernet0/0/1\n"},
	    {"\"Gi 0/0/1\"", "spans.csv:2:28: a_port 'Gi 0/0/1' holds a space; a port name is "
	                     "written without spaces, as the device writes it (e.g. "
	                     "GigabitEthernet0/0/1)\n"},
	    {"\"xgei-1/2\t/4\"", "spans.csv:2:34: a_port holds a control character (byte 0x09); "
	                         "a port name is printable text, as the device writes it\n"},
	    {"\"端口\xe3\x80\x80" "1\"", "spans.csv:2:28: a_port '端口\xe3\x80\x80" "1' holds a "
	                                 "space; a port name is written without spaces, as the "
	                                 "device writes it (e.g. GigabitEthernet0/0/1)\n"},
	    {long_port, expect},
	};

	memset(long_port, 'x', sizeof(long_port) - 1);
	long_port[sizeof(long_port) - 1] = '\0';
	snprintf(expect, sizeof(expect),
	         "spans.csv:2:25: a_port is %d bytes long; a port name has at most %d\n",
	         FL_INVENTORY_MAX_PORT_BYTES + 1, FL_INVENTORY_MAX_PORT_BYTES);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fl_inventory_texts t = cn_texts();
		struct fl_inventory *got = NULL;

		/* the row puts a_port at column 25 (the opening quote when quoted) */
		snprintf(spans_csv, sizeof(spans_csv),
		         "span,ring,a_device,a_port,b_device,b_port,length_km,duct,kind,srlg\r\n"
		         "N-IP1-S01,N-IP1,M1-RT01,%s,M2-RT01,xgei-1/2/4,3,yes,ring,\r\n",
		         cases[i].port);
		t.spans = cn_str(spans_csv);
		t.circuits = FL_STR_NONE;
		t.contacts = FL_STR_NONE;
		reported[0] = '\0';
		cr_expect_eq(fl_inventory_load_texts(&got, &t, on_error, NULL), -EINVAL);
		cr_expect_null(got);
		/* the other spans of the ring are missing too: only the port line counts */
		cr_expect(strstr(reported, cases[i].expect) != NULL, "case %zu reported:\n%s", i,
		          reported);
	}
}
