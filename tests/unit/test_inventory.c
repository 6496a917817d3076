#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/limits.h"

/* The sample network of $FL_SHARED/data (see its README.md). */
struct sample {
	char dir[512];
	char files[8][600];
	struct fl_inventory_paths paths;
};

static struct fl_str S(const char *s) {
	return fl_str_make(s, strlen(s));
}

static void
sample_paths(struct sample *sm)
{
	static const char *const names[8] = {"devices", "sites",    "rings",    "spans",
	                                     "chains",  "circuits", "contacts", "maintenance"};
	const char *shared = getenv("FL_SHARED");

	snprintf(sm->dir, sizeof(sm->dir), "%s/data", shared && *shared ? shared : "/work/shared");
	for (int i = 0; i < 8; i++)
		snprintf(sm->files[i], sizeof(sm->files[i]), "%s/%s.csv", sm->dir, names[i]);
	sm->paths =
	    (struct fl_inventory_paths){sm->files[0], sm->files[1], sm->files[2], sm->files[3],
	                                sm->files[4], sm->files[5], sm->files[6], sm->files[7]};
}

static void print_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	(void)ctx;
	cr_log_error("%s:%zu:%zu: %s", file, line, col, msg);
}

static struct fl_inventory *inv;

static void load_sample(void)
{
	struct sample sm;

	sample_paths(&sm);
	cr_assert_eq(fl_inventory_load(&inv, &sm.paths, print_error, NULL), 0,
	             "the sample data loads without errors");
}

static void free_sample(void)
{
	fl_inventory_free(inv);
	inv = NULL;
}

TestSuite(inventory, .init = load_sample, .fini = free_sample, .timeout = 30);

Test(inventory, counts_every_table_as_the_readme_says)
{
	struct fl_inventory_counts n;

	fl_inventory_counts(inv, &n);
	cr_expect_eq(n.sites, 209);
	cr_expect_eq(n.devices, 713);
	cr_expect_eq(n.rings, 45);
	cr_expect_eq(n.spans, 252);
	cr_expect_eq(n.ring_spans, 239);
	cr_expect_eq(n.chain_spans, 13);
	cr_expect_eq(n.chains, 9);
	cr_expect_eq(n.circuits, 58);
	cr_expect_eq(n.contacts, 428);
	cr_expect_eq(n.windows, 3);
	cr_expect_eq(n.cities, 14);
	cr_expect_eq(n.counties, 87);
}

Test(inventory, finds_the_yizhou_north_span_by_name_and_by_port)
{
	const struct fl_inv_span *sp = fl_inventory_span(inv, S("HC-YZ-R01-S02"));

	cr_assert_not_null(sp);
	cr_expect_str_eq(sp->a->id, "HC-YZ-LX-OSN01");
	cr_expect_str_eq(sp->a_port, "1-8-1");
	cr_expect_str_eq(sp->b->id, "HC-YZ-SC-OSN01");
	cr_expect_str_eq(sp->b_port, "1-7-1");
	cr_expect_str_eq(sp->ring->id, "HC-YZ-R01");
	cr_expect(!sp->is_chain);
	cr_expect_eq(fl_inventory_span_at(inv, S("HC-YZ-LX-OSN01"), S("1-8-1")), sp);
	cr_expect_eq(fl_inventory_span_at(inv, S("HC-YZ-SC-OSN01"), S("1-7-1")), sp);
	cr_expect_null(fl_inventory_span_at(inv, S("HC-YZ-SC-OSN01"), S("9-9-9")));
	cr_expect_null(fl_inventory_span_at(inv, S("NO-SUCH"), S("1-7-1")));
	cr_expect_null(fl_inventory_span(inv, S("HC-YZ-R01-S99")));
}

Test(inventory, knows_ring_order_and_neighbours)
{
	const struct fl_inv_device *lx = fl_inventory_device(inv, S("HC-YZ-LX-OSN01"));
	const struct fl_inv_device *sc = fl_inventory_device(inv, S("HC-YZ-SC-OSN01"));
	const struct fl_inv_ring *r = fl_inventory_ring(inv, S("HC-YZ-R01"));

	cr_assert_not_null(lx);
	cr_assert_not_null(sc);
	cr_assert_not_null(r);
	cr_expect_eq(lx->ring, r);
	cr_expect_eq(lx->east, sc);
	cr_expect_eq(sc->west, lx);
	cr_expect_str_eq(lx->east_span->id, "HC-YZ-R01-S02");
	cr_expect_eq(sc->west_span, lx->east_span);
	cr_expect_eq(sc->ring_pos, lx->ring_pos + 1);
	cr_expect_eq(r->devices[lx->ring_pos - 1], lx);
	for (size_t k = 0; k < r->nodes; k++) {
		cr_expect_eq(r->devices[k]->ring_pos, k + 1);
		cr_expect_eq(r->spans[k]->a, r->devices[k]);
		cr_expect_eq(r->spans[k]->b, r->devices[(k + 1) % r->nodes]);
	}
	/* The head's west neighbour is the last device: the ring closes. */
	cr_expect_eq(r->devices[0]->west, r->devices[r->nodes - 1]);
}

Test(inventory, puts_chain_yizhou_c01_downstream_of_the_cut_span)
{
	const struct fl_inv_span *sp = fl_inventory_span(inv, S("HC-YZ-R01-S02"));
	const struct fl_inv_chain *ch = fl_inventory_chain(inv, S("HC-YZ-C01"));
	bool has_pn = false, has_fl = false;

	cr_assert_not_null(sp);
	cr_assert_not_null(ch);
	cr_expect_eq(ch->ndevices, 2);
	cr_expect_str_eq(ch->parent_device->id, "HC-YZ-SC-OSN01");
	cr_expect_eq(ch->parent_device->nchains, 1);
	cr_expect_eq(ch->parent_device->chains[0], ch);
	cr_assert_eq(sp->ndownstream_chains, 1);
	cr_expect_eq(sp->downstream_chains[0], ch);
	for (size_t i = 0; i < sp->ndownstream; i++) {
		has_pn |= strcmp(sp->downstream[i]->id, "HC-YZ-PN-OSN01") == 0;
		has_fl |= strcmp(sp->downstream[i]->id, "HC-YZ-FL-OSN01") == 0;
	}
	cr_expect(has_pn && has_fl);
	/* The chain's second span has only the outer device behind it. */
	cr_assert_not_null(ch->spans[1]);
	cr_expect_eq(ch->spans[1]->ndownstream, 1);
	cr_expect_str_eq(ch->spans[1]->downstream[0]->id, "HC-YZ-FL-OSN01");
	cr_expect_eq(ch->spans[0]->ndownstream, 2);
	cr_expect_eq(fl_inventory_device(inv, S("HC-YZ-PN-OSN01"))->chain_pos, 1);
}

Test(inventory, marks_egov_012_unprotected_and_riding_the_chain)
{
	const struct fl_inv_circuit *c = fl_inventory_circuit(inv, S("HC-EGOV-012"));
	const struct fl_inv_span *s02 = fl_inventory_span(inv, S("HC-YZ-R01-S02"));
	const struct fl_inv_span *c01 = fl_inventory_span(inv, S("HC-YZ-C01-S01"));
	bool on_s02 = false;

	cr_assert_not_null(c);
	cr_expect(!c->is_protected);
	cr_expect_eq(c->priority, FL_INV_PRIO_URGENT);
	cr_expect_str_eq(c->customer, "河池市电子政务外网");
	cr_assert_eq(c->npath, 5);
	cr_expect_eq(c->path[4], c01);
	cr_expect(c01->is_chain);
	for (size_t i = 0; i < s02->ncircuits; i++)
		on_s02 |= s02->circuits[i] == c;
	cr_expect(on_s02, "the circuit is listed among those riding HC-YZ-R01-S02");
	cr_expect_eq(fl_inventory_circuit_state(inv, c, &s02, 1), FL_INV_CIRCUIT_DOWN);
	cr_expect_eq(fl_inventory_circuit_state(inv, c, NULL, 0), FL_INV_CIRCUIT_UP);
}

Test(inventory, keeps_apostrophes_in_county_names)
{
	static const char *const names[] = {"Tian'e", "Du'an", "Long'an", "Rong'an", "Xing'an"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct fl_inv_area *a = fl_inventory_county(inv, S(names[i]));

		cr_expect_not_null(a, "county %s", names[i]);
		if (a) {
			cr_expect_str_eq(a->name, names[i]);
			cr_expect_gt(a->nsites, 0);
		}
	}
	cr_expect_str_eq(fl_inventory_county(inv, S("Tian'e"))->city->name, "Hechi");
}

Test(inventory, indexes_sites_per_area_and_devices_per_site)
{
	const struct fl_inv_area *hechi = fl_inventory_city(inv, S("Hechi"));
	const struct fl_inv_site *yz = fl_inventory_site(inv, S("HC-YZ"));
	size_t devices = 0;
	bool has_osn02 = false;

	cr_assert_not_null(hechi);
	cr_assert_not_null(yz);
	for (size_t i = 0; i < hechi->nsites; i++)
		devices += hechi->sites[i]->ndevices;
	cr_expect_eq(devices, 235, "Hechi holds 235 devices");
	for (size_t i = 0; i < yz->ndevices; i++)
		has_osn02 |= strcmp(yz->devices[i]->id, "HC-YZ-OSN02") == 0;
	cr_expect(has_osn02);
	cr_expect_str_eq(yz->county->name, "Yizhou");
	cr_expect_eq(fl_inventory_site(inv, S("HC-JCJ-ZWZX"))->ncircuits > 0, true);
}

Test(inventory, leaves_the_new_dahua_sdh_on_no_ring_and_no_chain)
{
	const struct fl_inv_device *d = fl_inventory_device(inv, S("HC-DH-QBN-SDH01"));

	cr_assert_not_null(d);
	cr_expect_null(d->ring);
	cr_expect_null(d->chain);
	cr_expect_eq(d->nspans, 0);
	cr_expect_eq(d->role, FL_INV_ROLE_METRO_SDH);
	cr_expect_eq(d->site->power, FL_INV_POWER_MAINS);
}

Test(inventory, groups_spans_by_shared_risk)
{
	const struct fl_inv_srlg *g = fl_inventory_srlg(inv, S("DUCT-HC-JCJ-SW"));
	const struct fl_inv_span *bb = fl_inventory_span(inv, S("BB-R01-S02"));
	bool found = false;

	cr_assert_not_null(g);
	cr_expect_geq(g->nspans, 2, "a duct group holds spans of different rings");
	for (size_t i = 0; i < g->nspans; i++) {
		found |= g->spans[i] == bb;
		cr_expect_gt(g->spans[i]->nsrlgs, 0);
	}
	cr_expect(found);
}

/* ---- contacts ------------------------------------------------------------- */

static const struct fl_inv_contact_hit *only_hit(const struct fl_inv_contacts *r)
{
	cr_assert_eq(r->nhits, 1);
	return &r->hits[0];
}

Test(inventory, falls_back_from_fengshan_to_the_hechi_fault_lead)
{
	struct fl_inv_contacts r;
	const struct fl_inv_contact_hit *h;

	cr_assert_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_FAULT_LEAD,
	                                   FL_INV_LEVEL_COUNTY, S("Fengshan"), &r),
	             0);
	h = only_hit(&r);
	cr_expect(h->fell_back);
	cr_expect_eq(h->asked_level, FL_INV_LEVEL_COUNTY);
	cr_expect_eq(h->found_level, FL_INV_LEVEL_CITY);
	cr_expect_str_eq(h->found_branch, "Hechi");
	cr_expect_str_eq(h->contact->name, "廖光荣");
}

Test(inventory, falls_back_for_tiane_dahua_napo_and_hezhou)
{
	static const struct {
		const char *where;
		enum fl_inv_contact_role role;
		enum fl_inv_level level;
		const char *branch;
		enum fl_inv_level found;
	} rows[] = {
	    {"Tian'e", FL_INV_CONTACT_DUTY_ROOM, FL_INV_LEVEL_COUNTY, "Hechi", FL_INV_LEVEL_CITY},
	    {"Dahua", FL_INV_CONTACT_DUTY_ROOM, FL_INV_LEVEL_COUNTY, "Hechi", FL_INV_LEVEL_CITY},
	    {"Dahua", FL_INV_CONTACT_FAULT_LEAD, FL_INV_LEVEL_COUNTY, "Hechi", FL_INV_LEVEL_CITY},
	    {"Napo", FL_INV_CONTACT_FAULT_LEAD, FL_INV_LEVEL_COUNTY, "Baise", FL_INV_LEVEL_CITY},
	    {"Hezhou", FL_INV_CONTACT_FAULT_LEAD, FL_INV_LEVEL_CITY, "region", FL_INV_LEVEL_REGION},
	    {"Yizhou", FL_INV_CONTACT_OPS_HEAD, FL_INV_LEVEL_COUNTY, "Hechi", FL_INV_LEVEL_CITY},
	    {"Yizhou", FL_INV_CONTACT_CHIEF_ENGINEER, FL_INV_LEVEL_COUNTY, "region",
	     FL_INV_LEVEL_REGION},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fl_inv_contacts r;

		cr_assert_eq(fl_inventory_contacts(inv, 1u << rows[i].role, rows[i].level,
		                                   S(rows[i].where), &r),
		             0);
		cr_expect_geq(r.nhits, 1, "row %zu", i);
		cr_expect_eq(r.missing_roles, 0);
		for (size_t k = 0; k < r.nhits; k++) {
			cr_expect_str_eq(r.hits[k].found_branch, rows[i].branch, "row %zu", i);
			cr_expect_eq(r.hits[k].found_level, rows[i].found, "row %zu", i);
			cr_expect(r.hits[k].fell_back, "row %zu", i);
		}
	}
}

Test(inventory, resolves_a_township_device_through_its_county)
{
	struct fl_inv_contacts r;
	const struct fl_inv_contact_hit *h;

	/* A Fengshan township device has no township branch: county, then city. */
	cr_assert_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_REPAIR_TEAM,
	                                   FL_INV_LEVEL_TOWNSHIP, S("HC-YZ-PN-OSN01"), &r),
	             0);
	h = only_hit(&r);
	cr_expect_eq(h->found_level, FL_INV_LEVEL_COUNTY);
	cr_expect_str_eq(h->found_branch, "Yizhou");
	cr_expect(h->fell_back);
	cr_assert_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_REPAIR_TEAM,
	                                   FL_INV_LEVEL_COUNTY, S("HC-YZ-PN"), &r),
	             0);
	cr_expect(!only_hit(&r)->fell_back);
}

Test(inventory, sends_bama_one_message_for_two_roles)
{
	struct fl_inv_contacts r;
	unsigned mask = 1u << FL_INV_CONTACT_FAULT_LEAD | 1u << FL_INV_CONTACT_LEADER_IN_CHARGE;

	cr_assert_eq(fl_inventory_contacts(inv, mask, FL_INV_LEVEL_COUNTY, S("Bama"), &r), 0);
	cr_assert_eq(r.nhits, 1);
	cr_expect_eq(r.duplicates, 1);
	cr_expect_str_eq(r.hits[0].contact->mobile, "138-0000-6516");
	cr_expect_eq(r.hits[0].role, FL_INV_CONTACT_FAULT_LEAD);
	cr_expect_eq(r.hits[0].also_roles, 1u << FL_INV_CONTACT_LEADER_IN_CHARGE);
}

Test(inventory, returns_both_region_fault_leads_and_their_24h_flags)
{
	struct fl_inv_contacts r;

	cr_assert_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_FAULT_LEAD,
	                                   FL_INV_LEVEL_REGION, S("region"), &r),
	             0);
	cr_assert_eq(r.nhits, 2);
	cr_expect(r.hits[0].contact->is_24h);
	cr_expect(!r.hits[1].contact->is_24h);
	cr_expect(!r.hits[0].fell_back);
}

Test(inventory, keeps_the_empty_email_of_donglan_repair_and_luocheng_off_hours)
{
	struct fl_inv_contacts r;

	cr_assert_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_REPAIR_TEAM,
	                                   FL_INV_LEVEL_COUNTY, S("Donglan"), &r),
	             0);
	cr_expect_str_eq(only_hit(&r)->contact->email, "");
	cr_assert_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_LEADER_IN_CHARGE,
	                                   FL_INV_LEVEL_COUNTY, S("Luocheng"), &r),
	             0);
	cr_expect(!only_hit(&r)->contact->is_24h);
}

Test(inventory, refuses_unknown_places_and_impossible_levels)
{
	struct fl_inv_contacts r;

	cr_expect_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_DUTY_ROOM, FL_INV_LEVEL_COUNTY,
	                                   S("Atlantis"), &r),
	             -ENOENT);
	cr_expect_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_DUTY_ROOM, FL_INV_LEVEL_COUNTY,
	                                   S("Hechi"), &r),
	             -EINVAL);
	cr_expect_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_DUTY_ROOM, FL_INV_LEVEL_CITY,
	                                   S("region"), &r),
	             -EINVAL);
	cr_expect_eq(fl_inventory_contacts(inv, 0, FL_INV_LEVEL_CITY, S("Hechi"), &r), -EINVAL);
	cr_expect_eq(fl_inventory_contacts(inv, 1u << FL_INV_CONTACT_CUSTOMER_CONTACT,
	                                   FL_INV_LEVEL_CITY, S("Hechi"), &r),
	             -EINVAL);
}

Test(inventory, finds_the_customer_contact_of_a_circuit)
{
	struct fl_inv_contacts r;
	const struct fl_inv_circuit *c = fl_inventory_circuit(inv, S("HC-EGOV-012"));

	cr_assert_eq(fl_inventory_customer_contacts(inv, S(c->customer), &r), 0);
	cr_expect_geq(r.nhits, 1);
	cr_expect_str_eq(r.hits[0].contact->name, "农婷婷");
	cr_assert_eq(fl_inventory_customer_contacts(inv, S("nobody"), &r), 0);
	cr_expect_eq(r.nhits, 0);
}

/* ---- maintenance ---------------------------------------------------------- */

static int64_t at(const char *iso)
{
	int64_t ns = 0;

	cr_assert_eq(fl_inventory_parse_time(S(iso), &ns), 0, "%s", iso);
	return ns;
}

Test(inventory, parses_iso8601_with_offsets_to_utc)
{
	int64_t ns;

	cr_expect_eq(at("1970-01-01T00:00:00Z"), 0);
	cr_expect_eq(at("1970-01-01T08:00:00+08:00"), 0);
	cr_expect_eq(at("1969-12-31T18:30:00-05:30"), 0);
	cr_expect_eq(at("2026-11-28T00:30:00+08:00"), INT64_C(1795797000) * 1000000000);
	cr_expect_eq(at("2024-02-29T00:00:00.5Z"), INT64_C(1709164800) * 1000000000 + 500000000);
	cr_expect_eq(fl_inventory_parse_time(S("2026-11-28T00:30:00"), &ns), -EINVAL, "no offset");
	cr_expect_eq(fl_inventory_parse_time(S("2026-11-28 00:30:00Z"), &ns), -EINVAL);
	cr_expect_eq(fl_inventory_parse_time(S("2025-02-29T00:00:00Z"), &ns), -EINVAL);
	cr_expect_eq(fl_inventory_parse_time(S("2026-11-28T00:30:00+0800"), &ns), -EINVAL);
	cr_expect_eq(fl_inventory_parse_time(S("9999-12-31T00:00:00Z"), &ns), -EINVAL,
		     "past what nanoseconds since 1970 hold");
	cr_expect_eq(fl_inventory_parse_time(S("0001-01-01T00:00:00Z"), &ns), -EINVAL);
	cr_assert_eq(fl_inventory_parse_time(S("2261-12-31T23:59:59Z"), &ns), 0);
	cr_expect_gt(ns, 0);
	cr_expect_eq(fl_inventory_parse_time(S("2026-11-28T24:00:00Z"), &ns), -EINVAL);
}

Test(inventory, covers_span_site_and_device_inside_their_windows_only)
{
	int64_t in = at("2026-11-28T01:00:00+08:00");
	const struct fl_inv_window *w;

	w = fl_inventory_maintenance(inv, FL_INV_SCOPE_SPAN, S("HC-JCJ-R01-S01"), in);
	cr_assert_not_null(w);
	cr_expect_str_eq(w->id, "MW-2026-1128-01");
	cr_expect_eq(w->ncustomers_notified, 2);
	cr_expect_null(fl_inventory_maintenance(inv, FL_INV_SCOPE_SPAN, S("HC-JCJ-R01-S02"), in));
	cr_expect_null(fl_inventory_maintenance(inv, FL_INV_SCOPE_SPAN, S("HC-JCJ-R01-S01"),
	                                        at("2026-11-28T04:30:00+08:00")),
	               "end is exclusive");
	cr_expect_not_null(fl_inventory_maintenance(inv, FL_INV_SCOPE_SPAN, S("HC-JCJ-R01-S01"),
	                                            at("2026-11-27T16:30:00Z")),
	                   "start is inclusive");
	/* A site window covers the site and every device in it. */
	in = at("2026-12-05T02:00:00+08:00");
	cr_expect_not_null(fl_inventory_maintenance(inv, FL_INV_SCOPE_SITE, S("HC-BM"), in));
	cr_expect_not_null(
	    fl_inventory_maintenance(inv, FL_INV_SCOPE_DEVICE, S("HC-BM-OSN01"), in));
	cr_expect_null(fl_inventory_maintenance(inv, FL_INV_SCOPE_DEVICE, S("HC-FS-OSN01"), in));
	in = at("2026-11-21T01:00:00+08:00");
	cr_expect_not_null(
	    fl_inventory_maintenance(inv, FL_INV_SCOPE_DEVICE, S("HC-JCJ-RT01"), in));
	cr_expect_null(fl_inventory_maintenance(inv, FL_INV_SCOPE_DEVICE, S("HC-JCJ-RT02"), in));
}

Test(inventory, finds_a_device_by_its_management_address)
{
	const struct fl_inv_device *d = fl_inventory_device_by_ip(inv, S("10.1.0.11"));

	cr_assert_not_null(d);
	cr_expect_str_eq(d->id, "GX-NOC-RT01");
	cr_expect_null(fl_inventory_device_by_ip(inv, S("10.1.0.1")));
	cr_expect_null(fl_inventory_device_by_ip(inv, S("10.1.0.11 ")));
	cr_expect_eq(fl_inventory_device_by_ip(inv, S("::ffff:10.1.0.11")), d);
	cr_expect_eq(fl_inventory_device_by_addr(inv, AF_INET, (const unsigned char[]){10, 1, 0, 11}),
		     d);
	cr_expect_null(fl_inventory_device_by_addr(inv, AF_UNIX, "anything"));
}

/* A network whose names differ only in case: core-A and CORE-a are two
 * devices, and neither is found by a name that is neither. */
static const char names_sites[] =
    "site,site_name,county,city,class,lat,lon,power\r\n"
    "N-X,机房X,Tian'e,Alpha,county,24.1,107.1,mains\r\n";
static const char names_devices[] =
    "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,level\r\n"
    "N-X-OSN01,10.9.1.2,Huawei,OptiX OSN 3500,metro-sdh,N-X,机房X,Tian'e,Alpha,,,county\r\n"
    "core-A,10.9.1.3,Huawei,NE40E,router,N-X,机房X,Tian'e,Alpha,,,county\r\n"
    "CORE-a,10.9.1.4,Huawei,NE40E,router,N-X,机房X,Tian'e,Alpha,,,county\r\n"
    "edge.gx,10.9.1.5,Huawei,NE40E,router,N-X,机房X,Tian'e,Alpha,,,county\r\n"
    "v6-RT01,FD00:22:0002::0011,Huawei,NE40E,router,N-X,机房X,Tian'e,Alpha,,,county\r\n";

static const char *named(const struct fl_inventory *in, const char *name)
{
	const struct fl_inv_device *d = fl_inventory_device_named(in, S(name));

	return d ? d->id : "(none)";
}

Test(inventory_names, finds_a_device_by_any_name_a_syslog_host_gives_it)
{
	struct fl_inventory_texts t = {.sites = S(names_sites), .devices = S(names_devices)};
	struct fl_inventory *in = NULL;
	char long_name[400];

	cr_assert_eq(fl_inventory_load_texts(&in, &t, NULL, NULL), 0);
	cr_expect_str_eq(named(in, "N-X-OSN01"), "N-X-OSN01");
	cr_expect_str_eq(named(in, "n-x-osn01"), "N-X-OSN01", "DNS names ignore case");
	cr_expect_str_eq(named(in, "N-X-OSN01.noc.example.net"), "N-X-OSN01", "an FQDN");
	cr_expect_str_eq(named(in, "n-x-osn01.NOC.example.net"), "N-X-OSN01");
	cr_expect_str_eq(named(in, "10.9.1.2"), "N-X-OSN01", "its management address");
	cr_expect_str_eq(named(in, "10.9.1.9"), "(none)", "an address is not a name's label");
	cr_expect_str_eq(named(in, "10"), "(none)");
	cr_expect_str_eq(named(in, "fd00:22:2::11"), "v6-RT01", "an IPv6 management address");
	cr_expect_str_eq(named(in, "fd00:22:2:0:0:0:0:11"), "v6-RT01", "in any spelling");
	cr_expect_str_eq(named(in, "::ffff:10.9.1.2"), "N-X-OSN01", "IPv4 as a v6 socket shows it");
	cr_expect_str_eq(named(in, "fd00:22:2::12"), "(none)");
	cr_expect_str_eq(named(in, "fd00:22:2::11%eth0"), "(none)", "a zone is not an address");
	cr_expect_str_eq(named(in, "core-A"), "core-A", "the exact name first");
	cr_expect_str_eq(named(in, "CORE-a"), "CORE-a");
	cr_expect_str_eq(named(in, "core-a"), "(none)", "two devices fold alike: neither");
	cr_expect_str_eq(named(in, "core-a.gx.example.net"), "(none)");
	cr_expect_str_eq(named(in, "edge.gx"), "edge.gx", "an id with a dot, as written");
	cr_expect_str_eq(named(in, "EDGE.GX"), "edge.gx");
	cr_expect_str_eq(named(in, "edge"), "(none)", "an id's label is not the id");
	cr_expect_str_eq(named(in, ".noc.example.net"), "(none)");
	cr_expect_str_eq(named(in, ""), "(none)");
	memset(long_name, 'n', sizeof(long_name));
	long_name[sizeof(long_name) - 1] = '\0';
	cr_expect_str_eq(named(in, long_name), "(none)");
	fl_inventory_free(in);
}

Test(inventory_names, finds_a_device_by_its_ipv6_management_address_in_any_spelling)
{
	struct fl_inventory_texts t = {.sites = S(names_sites), .devices = S(names_devices)};
	struct fl_inventory *in = NULL;
	const struct fl_inv_device *d;
	unsigned char a[16] = {0xfd, 0x00, 0x00, 0x22, 0x00, 0x02, [15] = 0x11};

	cr_assert_eq(fl_inventory_load_texts(&in, &t, NULL, NULL), 0);
	d = fl_inventory_device(in, S("v6-RT01"));
	cr_assert_not_null(d);
	cr_expect_str_eq(d->mgmt_ip, "fd00:22:2::11", "kept in RFC 5952's spelling");
	cr_expect_eq(fl_inventory_device_by_ip(in, S("fd00:22:2::11")), d);
	cr_expect_eq(fl_inventory_device_by_ip(in, S("FD00:0022:0002:0000:0000:0000:0000:0011")), d);
	cr_expect_eq(fl_inventory_device_by_addr(in, AF_INET6, a), d);
	a[15] = 0x12;
	cr_expect_null(fl_inventory_device_by_addr(in, AF_INET6, a));
	cr_expect_null(fl_inventory_device_by_ip(in, S("fd00:22:2::11/64")));
	cr_expect_null(fl_inventory_device_by_ip(in, S("")));
	fl_inventory_free(in);
}

/* A spur off a spur: chain B-C01 hangs off ring B-R01 at B-Z-OSN01, B-C02
 * off B-C01's first device, B-C03 off B-C02's (written first: a chain may
 * name a parent chain of a later row). */
static const char branch_sites[] =
    "site,site_name,county,city,class,lat,lon,power\r\n"
    "B-X,X,Tian'e,Alpha,county,24.1,107.1,mains\r\n"
    "B-Y,Y,Tian'e,Alpha,township,24.2,107.2,mains\r\n"
    "B-Z,Z,Tian'e,Alpha,township,24.3,107.3,mains\r\n"
    "B-D,D,Tian'e,Alpha,township,24.4,107.4,mains\r\n"
    "B-E,E,Tian'e,Alpha,township,24.5,107.5,mains\r\n"
    "B-F,F,Tian'e,Alpha,township,24.6,107.6,mains\r\n";
static const char branch_rings[] = "ring,name,level,city,county,vendor,nodes\r\n"
				   "B-R01,县环,county,Alpha,Tian'e,Huawei,3\r\n";
static const char branch_devices[] =
    "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,level\r\n"
    "B-X-OSN01,10.3.1.2,Huawei,OSN,metro-sdh,B-X,X,Tian'e,Alpha,B-R01,1,county\r\n"
    "B-Y-OSN01,10.3.2.2,Huawei,OSN,metro-sdh,B-Y,Y,Tian'e,Alpha,B-R01,2,township\r\n"
    "B-Z-OSN01,10.3.3.2,Huawei,OSN,metro-sdh,B-Z,Z,Tian'e,Alpha,B-R01,3,township\r\n"
    "B-D1-OSN01,10.3.4.2,Huawei,OSN,metro-sdh,B-D,D,Tian'e,Alpha,,,township\r\n"
    "B-D2-OSN01,10.3.4.3,Huawei,OSN,metro-sdh,B-D,D,Tian'e,Alpha,,,township\r\n"
    "B-E1-OSN01,10.3.5.2,Huawei,OSN,metro-sdh,B-E,E,Tian'e,Alpha,,,township\r\n"
    "B-E2-OSN01,10.3.5.3,Huawei,OSN,metro-sdh,B-E,E,Tian'e,Alpha,,,township\r\n"
    "B-F1-OSN01,10.3.6.2,Huawei,OSN,metro-sdh,B-F,F,Tian'e,Alpha,,,township\r\n"
    "B-G1-OSN01,10.3.6.3,Huawei,OSN,metro-sdh,B-F,F,Tian'e,Alpha,,,township\r\n";
static const char branch_chains[] =
    "chain,parent_ring,parent_device,devices,name,county,city\r\n"
    "B-C03,B-R01,B-E1-OSN01,B-F1-OSN01,支链3,Tian'e,Alpha\r\n"
    "B-C01,B-R01,B-Z-OSN01,B-D1-OSN01;B-D2-OSN01,支链1,Tian'e,Alpha\r\n"
    "B-C02,B-R01,B-D1-OSN01,B-E1-OSN01;B-E2-OSN01,支链2,Tian'e,Alpha\r\n";
static const char branch_spans[] =
    "span,ring,a_device,a_port,b_device,b_port,length_km,duct,kind,srlg\r\n"
    "B-R01-S01,B-R01,B-X-OSN01,1-8-1,B-Y-OSN01,1-7-1,1,no,ring,\r\n"
    "B-R01-S02,B-R01,B-Y-OSN01,1-8-1,B-Z-OSN01,1-7-1,1,no,ring,\r\n"
    "B-R01-S03,B-R01,B-Z-OSN01,1-8-1,B-X-OSN01,1-7-1,1,no,ring,\r\n"
    "B-C01-S01,B-C01,B-Z-OSN01,1-11-1,B-D1-OSN01,1-7-1,1,no,chain,\r\n"
    "B-C01-S02,B-C01,B-D1-OSN01,1-8-1,B-D2-OSN01,1-7-1,1,no,chain,\r\n"
    "B-C02-S01,B-C02,B-D1-OSN01,1-11-1,B-E1-OSN01,1-7-1,1,no,chain,\r\n"
    "B-C02-S02,B-C02,B-E1-OSN01,1-8-1,B-E2-OSN01,1-7-1,1,no,chain,\r\n"
    "B-C03-S01,B-C03,B-E1-OSN01,1-11-1,B-F1-OSN01,1-7-1,1,no,chain,\r\n";

/* ids of n devices, sorted, joined by ' ' */
static const char *ids(const struct fl_inv_device *const *d, size_t n, char *out, size_t cap)
{
	const char *v[16];
	size_t len = 0;

	cr_assert_leq(n, 16);
	for (size_t i = 0; i < n; i++)
		v[i] = d[i]->id;
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
			const char *t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", v[i]);
	return out;
}

static const char *downstream(const struct fl_inventory *in, const char *span, char *out,
			      size_t cap)
{
	const struct fl_inv_span *sp = fl_inventory_span(in, S(span));

	cr_assert_not_null(sp, "%s", span);
	return ids(sp->downstream, sp->ndownstream, out, cap);
}

Test(inventory_chains, takes_a_chain_off_a_chain_and_knows_what_hangs_behind_each_span)
{
	struct fl_inventory_texts t = {.sites = S(branch_sites), .rings = S(branch_rings),
				       .devices = S(branch_devices), .chains = S(branch_chains),
				       .spans = S(branch_spans)};
	struct fl_inventory *in = NULL;
	const struct fl_inv_device *z;
	const struct fl_inv_span *sp;
	char buf[512];

	cr_assert_eq(fl_inventory_load_texts(&in, &t, NULL, NULL), 0);
	z = fl_inventory_device(in, S("B-Z-OSN01"));
	cr_assert_not_null(z);
	cr_expect_str_eq(ids(z->behind, z->nbehind, buf, sizeof(buf)),
			 "B-D1-OSN01 B-D2-OSN01 B-E1-OSN01 B-E2-OSN01 B-F1-OSN01");
	cr_expect_str_eq(downstream(in, "B-C01-S01", buf, sizeof(buf)),
			 "B-D1-OSN01 B-D2-OSN01 B-E1-OSN01 B-E2-OSN01 B-F1-OSN01",
			 "the first span of the trunk: every spur behind it");
	cr_expect_str_eq(downstream(in, "B-C01-S02", buf, sizeof(buf)), "B-D2-OSN01",
			 "past the branch point: the trunk's tail alone");
	cr_expect_str_eq(downstream(in, "B-C02-S01", buf, sizeof(buf)),
			 "B-E1-OSN01 B-E2-OSN01 B-F1-OSN01");
	cr_expect_str_eq(downstream(in, "B-C03-S01", buf, sizeof(buf)), "B-F1-OSN01");
	cr_expect_str_eq(downstream(in, "B-R01-S02", buf, sizeof(buf)),
			 "B-D1-OSN01 B-D2-OSN01 B-E1-OSN01 B-E2-OSN01 B-F1-OSN01",
			 "a ring span: what hangs off its ends");
	cr_expect_str_eq(downstream(in, "B-R01-S01", buf, sizeof(buf)), "");
	sp = fl_inventory_span(in, S("B-C01-S01"));
	cr_assert_eq(sp->ndownstream_chains, 3);
	cr_expect_str_eq(sp->downstream_chains[0]->id, "B-C01", "its own chain first");
	cr_expect_eq(fl_inventory_span_at(in, S("B-E1-OSN01"), S("1-11-1")),
		     fl_inventory_span(in, S("B-C03-S01")), "found by its parent's port");
	fl_inventory_free(in);
}

struct seen_errors {
	char text[2048];
	size_t len;
};

static void collect(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	struct seen_errors *e = ctx;

	e->len += (size_t)snprintf(e->text + e->len, sizeof(e->text) - e->len, "%s:%zu:%zu: %s\n",
				   file, line, col, msg);
}

static void expect_chains_refused(const char *chains, const char *want)
{
	struct fl_inventory_texts t = {.sites = S(branch_sites), .rings = S(branch_rings),
				       .devices = S(branch_devices), .chains = S(chains)};
	struct fl_inventory *in = NULL;
	struct seen_errors e = {.len = 0};

	cr_expect_neq(fl_inventory_load_texts(&in, &t, collect, &e), 0, "%s", chains);
	cr_expect(strstr(e.text, want) != NULL, "want '%s' in:\n%s", want, e.text);
	fl_inventory_free(in);
}

Test(inventory_chains, refuses_a_chain_off_itself_or_off_nothing)
{
	expect_chains_refused("chain,parent_ring,parent_device,devices,name,county,city\r\n"
			      "B-C02,B-R01,B-F1-OSN01,B-E1-OSN01,c2,Tian'e,Alpha\r\n"
			      "B-C03,B-R01,B-E1-OSN01,B-F1-OSN01,c3,Tian'e,Alpha\r\n",
			      "chains.csv:2:13: chain B-C02 hangs off itself through parent_device "
			      "B-F1-OSN01");
	expect_chains_refused("chain,parent_ring,parent_device,devices,name,county,city\r\n"
			      "B-C02,B-R01,B-G1-OSN01,B-E1-OSN01,c2,Tian'e,Alpha\r\n",
			      "chains.csv:2:13: parent_device B-G1-OSN01 is on no ring and no chain");
}

/* chains nested n deep below B-Z-OSN01: chain Nk holds device Nk and hangs
 * off device Nk-1 (N0 off the ring) */
static void nested_chains(int n, char *devices, size_t dcap, char *chains, size_t ccap)
{
	size_t dl = (size_t)snprintf(devices, dcap, "%s", branch_devices);
	size_t cl = (size_t)snprintf(chains, ccap,
				     "chain,parent_ring,parent_device,devices,name,county,city\r\n");
	char parent[16] = "B-Z-OSN01";

	for (int k = 0; k < n; k++) {
		dl += (size_t)snprintf(devices + dl, dcap - dl,
				       "N%d,10.9.0.%d,Huawei,OSN,metro-sdh,B-F,F,Tian'e,Alpha,,,"
				       "township\r\n",
				       k, k + 1);
		cl += (size_t)snprintf(chains + cl, ccap - cl, "C%d,B-R01,%s,N%d,c,Tian'e,Alpha\r\n",
				       k, parent, k);
		snprintf(parent, sizeof(parent), "N%d", k);
	}
}

Test(inventory_chains, takes_chains_nested_to_the_cap_and_refuses_one_deeper)
{
	char devices[8192], chains[4096];
	struct fl_inventory *in = NULL;
	struct fl_inventory_texts t = {.sites = S(branch_sites), .rings = S(branch_rings)};
	struct seen_errors e = {.len = 0};

	nested_chains(FL_INVENTORY_MAX_CHAIN_DEPTH, devices, sizeof(devices), chains,
		      sizeof(chains));
	t.devices = S(devices);
	t.chains = S(chains);
	cr_assert_eq(fl_inventory_load_texts(&in, &t, collect, &e), 0, "%s", e.text);
	cr_expect_eq(fl_inventory_device(in, S("B-Z-OSN01"))->nbehind,
		     FL_INVENTORY_MAX_CHAIN_DEPTH);
	fl_inventory_free(in);
	in = NULL;
	nested_chains(FL_INVENTORY_MAX_CHAIN_DEPTH + 1, devices, sizeof(devices), chains,
		      sizeof(chains));
	t.devices = S(devices);
	t.chains = S(chains);
	cr_expect_neq(fl_inventory_load_texts(&in, &t, collect, &e), 0);
	cr_expect(strstr(e.text, "chain C16 hangs more than 16 chains deep below its ring"),
		  "%s", e.text);
	fl_inventory_free(in);
}

/* Vendors and kinds of gear beyond the sample's are taken as named (a
 * cable operator's CMTS, a Juniper router); a known one written in other
 * case takes its own spelling; a near miss of a known one is a typo. */
Test(inventory, takes_vendors_and_roles_of_its_own_and_refuses_near_misses)
{
	static const char devices[] =
	    "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,level\r\n"
	    "N-CMTS01,10.9.1.2,Harmonic,CableOS,cmts,N-X,机房X,Tian'e,Alpha,,,county\r\n"
	    "N-RT01,10.9.1.3,Juniper,MX204,router,N-X,机房X,Tian'e,Alpha,,,county\r\n"
	    "N-RT02,10.9.1.4,huawei,NE40E,ROUTER,N-X,机房X,Tian'e,Alpha,,,county\r\n";
	struct fl_inventory_texts t = {.sites = S(names_sites), .devices = S(devices)};
	struct fl_inventory *in = NULL;
	const struct fl_inv_device *d;
	struct seen_errors e = {.len = 0};

	cr_assert_eq(fl_inventory_load_texts(&in, &t, NULL, NULL), 0);
	d = fl_inventory_device(in, S("N-CMTS01"));
	cr_expect_str_eq(d->vendor, "Harmonic");
	cr_expect_str_eq(d->role_name, "cmts");
	cr_expect_eq(d->role, FL_INV_ROLE_OTHER);
	d = fl_inventory_device(in, S("N-RT01"));
	cr_expect_str_eq(d->vendor, "Juniper");
	cr_expect_eq(d->role, FL_INV_ROLE_ROUTER);
	d = fl_inventory_device(in, S("N-RT02"));
	cr_expect_str_eq(d->vendor, "Huawei", "a known vendor in its own spelling");
	cr_expect_str_eq(d->role_name, "router");
	fl_inventory_free(in);

	t.devices = S("device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,"
		      "level\r\n"
		      "N-RT01,10.9.1.3,Cisko,ASR,routr,N-X,机房X,Tian'e,Alpha,,,county\r\n"
		      "N-RT02,10.9.1.4,,ASR,router,N-X,机房X,Tian'e,Alpha,,,county\r\n");
	in = NULL;
	cr_expect_neq(fl_inventory_load_texts(&in, &t, collect, &e), 0);
	cr_expect(strstr(e.text, "devices.csv:2:17: unknown vendor 'Cisko'; did you mean 'Cisco'?"),
		  "%s", e.text);
	cr_expect(strstr(e.text, "devices.csv:2:27: unknown role 'routr'; did you mean 'router'?"),
		  "%s", e.text);
	cr_expect(strstr(e.text, "devices.csv:3:17: unknown vendor ''"), "%s", e.text);
	fl_inventory_free(in);
}

/* power: sources joined by '+' in any order and case, others taken as
 * named, a near miss refused at its own column. */
Test(inventory, reads_a_sites_power_sources_in_any_order)
{
	static const char sites[] =
	    "site,site_name,county,city,class,lat,lon,power\r\n"
	    "P-A,A,Tian'e,Alpha,county,24.1,107.1,mains+generator\r\n"
	    "P-B,B,Tian'e,Alpha,county,24.1,107.1,Battery+Mains\r\n"
	    "P-C,C,Tian'e,Alpha,county,24.1,107.1,mains+solar\r\n"
	    "P-D,D,Tian'e,Alpha,county,24.1,107.1,mains+battery+generator\r\n";
	struct fl_inventory_texts t = {.sites = S(sites)};
	struct fl_inventory *in = NULL;
	struct seen_errors e = {.len = 0};

	cr_assert_eq(fl_inventory_load_texts(&in, &t, collect, &e), 0, "%s", e.text);
	cr_expect_eq(fl_inventory_site(in, S("P-A"))->power, FL_INV_POWER_GENERATOR);
	cr_expect_eq(fl_inventory_site(in, S("P-B"))->power, FL_INV_POWER_BATTERY);
	cr_expect_eq(fl_inventory_site(in, S("P-C"))->power, FL_INV_POWER_MAINS);
	cr_expect_eq(fl_inventory_site(in, S("P-D"))->power, FL_INV_POWER_GENERATOR);
	fl_inventory_free(in);
	t.sites = S("site,site_name,county,city,class,lat,lon,power\r\n"
		    "P-A,A,Tian'e,Alpha,county,24.1,107.1,mains+batery\r\n"
		    "P-B,B,Tian'e,Alpha,county,24.1,107.1,\r\n");
	in = NULL;
	cr_expect_neq(fl_inventory_load_texts(&in, &t, collect, &e), 0);
	cr_expect(strstr(e.text, "sites.csv:2:44: unknown power source 'batery'; did you mean "
				 "'battery'?"),
		  "%s", e.text);
	cr_expect(strstr(e.text, "sites.csv:3:38: unknown power source ''"), "%s", e.text);
	fl_inventory_free(in);
}

/* yes and no as spreadsheets write them */
Test(inventory_chains, reads_yes_and_no_as_spreadsheets_write_them)
{
	static const char *const yes[] = {"yes", "Y", "TRUE", "1", "是"};
	static const char *const no[] = {"no", "n", "False", "0", "否"};
	const char *cut = strstr(branch_spans, ",1,no,ring,");
	char spans[4096];

	cr_assert_not_null(cut);
	for (int i = 0; i < 10; i++) {
		const char *word = i < 5 ? yes[i] : no[i - 5];
		struct fl_inventory *in = NULL;
		struct seen_errors e = {.len = 0};
		struct fl_inventory_texts t = {.sites = S(branch_sites), .rings = S(branch_rings),
					       .devices = S(branch_devices),
					       .chains = S(branch_chains)};

		snprintf(spans, sizeof(spans), "%.*s,1,%s,ring,%s", (int)(cut - branch_spans),
			 branch_spans, word, cut + strlen(",1,no,ring,"));
		t.spans = S(spans);
		cr_assert_eq(fl_inventory_load_texts(&in, &t, collect, &e), 0, "%s: %s", word,
			     e.text);
		cr_expect_eq(fl_inventory_span(in, S("B-R01-S01"))->is_duct, i < 5, "%s", word);
		fl_inventory_free(in);
	}
}
