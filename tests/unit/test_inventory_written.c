/* Tables as people write them by hand or save them from a spreadsheet: a
 * space after each comma and each ';', headers in title case, names of the
 * fixed lists in any case, the customers' fault levels and the contact
 * roles as the emergency plan names them in Chinese, and the usual words
 * for a circuit's protection. Each reads as its plain spelling would;
 * a name that is none of them is still refused where it stands. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/circuit_net.h"

struct seen {
	char text[4096];
	size_t len;
};

static void collect(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	struct seen *e = ctx;
	int n = snprintf(e->text + e->len, sizeof(e->text) - e->len, "%s:%zu:%zu: %s\n", file,
			 line, col, msg);

	if (n > 0 && e->len + (size_t)n < sizeof(e->text))
		e->len += (size_t)n;
}

#define W_CIRCUITS                                                                                \
	"Circuit, Customer, A_Site, B_Site, Path, Priority, Bandwidth, Protection\r\n"               \
	"K-001, 链路客户, C, U, N-R1-S01; N-R1-S02; N-Q-R2-S01; N-Q-C01-S01, General, GE, "         \
	"Unprotected\r\n"                                                                           \
	"K-002, 政务网, C, T, N-R1-S01;N-R1-S02 ;N-Q-R2-S01, 紧急, GE, SNCP\r\n"                    \
	"K-003, 政务网, C, P, N-R1-S01, 一般, GE, 1+1\r\n"                                           \
	"K-004, 医保网, C, R, N-R1-S04, SEVERE, GE, none\r\n"                                       \
	"K-005,\t公安网,\tP,\tR,\tN-R1-S02; N-R1-S03,\t严重,\tGE,\tsncp\r\n"                         \
	"K-006, IP客户, M1, M2, N-IP1-S01, severe, 10GE, \"sncp\"\r\n"

#define W_CONTACTS                                                                                \
	"Level, Branch, Role, Name, Mobile, Email, Office_Phone, On_24h, City, Branch_Name, "       \
	"Customer\r\n"                                                                              \
	"Region, region, 机房值班, 值班, 138-0000-0100, , 0771-5550000, Yes, , 区公司, \r\n"         \
	"city, Alpha, Fault_Lead, 李, 138-0000-0200, , , 是, Alpha, 分公司, \r\n"                    \
	"city, Alpha, 抢修队, 抢修, 138-0000-0300, , , no, Alpha, 分公司, \r\n"                       \
	CN_CONTACT("city", "Alpha", "客户联系人", "链", "138-0000-0001", "链路客户")                 \
	CN_CONTACT("city", "Alpha", "customer_contact", "政", "138-0000-0002", "政务网")            \
	CN_CONTACT("city", "Alpha", "customer_contact", "医", "138-0000-0004", "医保网")            \
	CN_CONTACT("city", "Alpha", "customer_contact", "公", "138-0000-0005", "公安网")            \
	CN_CONTACT("city", "Alpha", "customer_contact", "IP", "138-0000-0006", "IP客户")

static const struct fl_inv_contact *contact_named(const struct fl_inventory *inv, const char *name)
{
	const struct fl_inv_contact *c;

	for (size_t i = 0; (c = fl_inventory_contact_at(inv, i)) != NULL; i++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

Test(inventory_written, reads_circuits_and_contacts_written_by_hand)
{
	struct fl_inventory_texts t = cn_texts();
	struct fl_inventory *inv = NULL;
	struct seen e = {.len = 0};
	const struct fl_inv_circuit *k;
	const struct fl_inv_contact *c;

	t.circuits = cn_str(W_CIRCUITS);
	t.contacts = cn_str(W_CONTACTS);
	cr_assert_eq(fl_inventory_load_texts(&inv, &t, collect, &e), 0, "%s", e.text);
	k = fl_inventory_circuit(inv, cn_str("K-001"));
	cr_assert_not_null(k);
	cr_expect_str_eq(k->customer, "链路客户", "the space after the comma is not the name's");
	cr_expect_eq(k->npath, 4, "four spans, each without its space");
	cr_expect_eq(k->priority, FL_INV_PRIO_GENERAL);
	cr_expect_not(k->is_protected, "Unprotected");
	k = fl_inventory_circuit(inv, cn_str("K-002"));
	cr_expect_eq(k->priority, FL_INV_PRIO_URGENT, "紧急");
	cr_expect(k->is_protected, "SNCP");
	cr_expect_eq(k->npath, 3);
	k = fl_inventory_circuit(inv, cn_str("K-003"));
	cr_expect_eq(k->priority, FL_INV_PRIO_GENERAL, "一般");
	cr_expect(k->is_protected, "1+1");
	cr_expect_eq(fl_inventory_circuit(inv, cn_str("K-004"))->priority, FL_INV_PRIO_SEVERE);
	k = fl_inventory_circuit(inv, cn_str("K-005"));
	cr_expect_eq(k->priority, FL_INV_PRIO_SEVERE, "严重, after a tab");
	cr_expect(k->is_protected);
	cr_expect(fl_inventory_circuit(inv, cn_str("K-006"))->is_protected, "quoted");
	c = contact_named(inv, "值班");
	cr_assert_not_null(c);
	cr_expect_eq(c->role, FL_INV_CONTACT_DUTY_ROOM, "机房值班");
	cr_expect_eq(c->level, FL_INV_LEVEL_REGION, "Region");
	cr_expect(c->is_24h);
	cr_expect_str_eq(c->mobile, "138-0000-0100");
	cr_expect_eq(contact_named(inv, "李")->role, FL_INV_CONTACT_FAULT_LEAD, "Fault_Lead");
	cr_expect_eq(contact_named(inv, "抢修")->role, FL_INV_CONTACT_REPAIR_TEAM, "抢修队");
	cr_expect_eq(contact_named(inv, "链")->role, FL_INV_CONTACT_CUSTOMER_CONTACT, "客户联系人");
	fl_inventory_free(inv);
}

Test(inventory_written, still_refuses_a_name_that_is_none_of_them_where_it_stands)
{
	struct fl_inventory_texts t = cn_texts();
	struct fl_inventory *inv = NULL;
	struct seen e = {.len = 0};

	t.circuits = cn_str("circuit, customer, a_site, b_site, path, priority, bandwidth, protection\r\n"
			    "K-001, 链路客户, C, U, N-R1-S01;; N-R1-S02, urgnet, GE, mesh\r\n");
	cr_expect_neq(fl_inventory_load_texts(&inv, &t, collect, &e), 0);
	cr_expect(strstr(e.text, "circuits.csv:2:41: unknown priority 'urgnet'; did you mean "
				 "'urgent'?"),
		  "%s", e.text);
	cr_expect(strstr(e.text, "circuits.csv:2:53: unknown protection 'mesh'"), "%s", e.text);
	cr_expect(strstr(e.text, "circuits.csv:2:29: empty item in the path list"), "%s", e.text);
	fl_inventory_free(inv);
}

/* A contact table with roles of its own: each is one role however it is
 * cased, found by name and up the branches as the plan's are; a near miss
 * of one of the plan's is still a typo, and past the cap a role is refused. */
Test(inventory_written, takes_roles_of_the_tables_own)
{
	struct fl_inventory_texts t = cn_texts();
	struct fl_inventory *inv = NULL;
	struct seen e = {.len = 0};
	struct fl_inv_contacts hits;
	enum fl_inv_contact_role noc, power;
	char contacts[8192];

	snprintf(contacts, sizeof(contacts), "%s%s", CN_CONTACTS,
		 "region,region,noc_manager,经理,138-0000-0900,,,yes,,区公司,\r\n"
		 "city,Alpha,NOC_Manager,城经理,138-0000-0901,,,yes,Alpha,分公司,\r\n"
		 "city,Alpha,power_engineer,电力,138-0000-0902,,,no,Alpha,分公司,\r\n");
	t.contacts = cn_str(contacts);
	cr_assert_eq(fl_inventory_load_texts(&inv, &t, collect, &e), 0, "%s", e.text);
	cr_assert_eq(fl_inventory_role_count(inv), FL_INV_CONTACT__COUNT + 2);
	cr_assert_eq(fl_inventory_role_find(inv, cn_str("noc_manager"), &noc), 0);
	cr_expect_geq(noc, FL_INV_CONTACT__COUNT);
	cr_expect_str_eq(fl_inventory_role_name(inv, noc), "noc_manager", "as first written");
	cr_assert_eq(fl_inventory_role_find(inv, cn_str("Power_Engineer"), &power), 0);
	cr_expect_neq(power, noc);
	cr_assert_eq(fl_inventory_contacts(inv, 1u << noc, FL_INV_LEVEL_COUNTY, cn_str("Q"), &hits),
		     0);
	cr_assert_eq(hits.nhits, 1);
	cr_expect_str_eq(hits.hits[0].contact->name, "城经理", "the city's, one level up");
	cr_expect_str_eq(hits.hits[0].contact->role_name, "noc_manager");
	cr_expect(hits.hits[0].fell_back);
	fl_inventory_free(inv);

	snprintf(contacts, sizeof(contacts), "%s%s", CN_CONTACTS,
		 "city,Alpha,fault_laed,李,138-0000-0903,,,yes,Alpha,分公司,\r\n");
	t.contacts = cn_str(contacts);
	inv = NULL;
	e.len = 0;
	cr_expect_neq(fl_inventory_load_texts(&inv, &t, collect, &e), 0);
	cr_expect(strstr(e.text, "unknown role 'fault_laed'; did you mean 'fault_lead'?"), "%s",
		  e.text);
	fl_inventory_free(inv);
}

Test(inventory_written, refuses_a_role_past_the_cap)
{
	struct fl_inventory_texts t = cn_texts();
	struct fl_inventory *inv = NULL;
	struct seen e = {.len = 0};
	char contacts[16384];
	size_t used = (size_t)snprintf(contacts, sizeof(contacts), "%s", CN_CONTACTS);

	for (int k = 0; k <= FL_INV_MAX_CONTACT_ROLES - FL_INV_CONTACT__COUNT; k++)
		used += (size_t)snprintf(contacts + used, sizeof(contacts) - used,
					 "region,region,extra_role_%02d,X%d,138-0000-%04d,,,yes,,区公司,\r\n",
					 k, k, 1000 + k);
	t.contacts = cn_str(contacts);
	cr_expect_neq(fl_inventory_load_texts(&inv, &t, collect, &e), 0);
	cr_expect(strstr(e.text, "role 'extra_role_17' is one too many: at most 17 roles of the "
				 "table's own beside the plan's 7"),
		  "%s", e.text);
	cr_expect_null(strstr(e.text, "extra_role_16'"), "%s", e.text);
	fl_inventory_free(inv);
}
