#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/decode/mib.h"
#include "engine/decode/snmp.h"

/* dotted OID -> the name the table gives it, and back */
static const struct {
	const char *dotted, *named;
} names[] = {
	{"1.3.6.1.6.3.1.1.5.3", "linkDown"},
	{"1.3.6.1.6.3.1.1.5.4", "linkUp"},
	{"1.3.6.1.6.3.1.1.5.1", "coldStart"},
	{"1.3.6.1.2.1.1.3.0", "sysUpTime.0"},
	{"1.3.6.1.6.3.1.1.4.1.0", "snmpTrapOID.0"},
	{"1.3.6.1.2.1.2.2.1.1.3", "ifIndex.3"},
	{"1.3.6.1.2.1.2.2.1.2.10101", "ifDescr.10101"},
	{"1.3.6.1.2.1.31.1.1.1.1.7", "ifName.7"},
	{"1.3.6.1.2.1.31.1.1.1.18.7", "ifAlias.7"},
	{"1.3.6.1.2.1.14.16.2.2", "ospfNbrStateChange"},
	{"1.3.6.1.2.1.15.7.2", "bgpBackwardTransition"},
	{"1.3.6.1.2.1.47.2.0.1", "entConfigChange"},
	/* a notification of the table's subtree it does not name keeps the subtree */
	{"1.3.6.1.6.3.1.1.5.9", "snmpTraps.9"},
};

Test(mib, names_the_standard_traps_and_objects_with_their_instance)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t ber[64];
		char text[128];
		ssize_t n = fl_oid_parse(names[i].dotted, ber, sizeof(ber)), m;

		cr_assert_gt(n, 0, "%s", names[i].dotted);
		m = fl_mib_format(fl_str_make((const char *)ber, (size_t)n), text, sizeof(text));
		cr_expect_eq(m, (ssize_t)strlen(names[i].named), "%s", names[i].dotted);
		cr_expect_str_eq(text, names[i].named, "%s", names[i].dotted);
	}
}

Test(mib, resolves_a_name_with_its_instance_to_the_same_octets_as_the_dotted_oid)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t want[64], got[64];
		ssize_t n = fl_oid_parse(names[i].dotted, want, sizeof(want));
		ssize_t m = fl_mib_resolve(names[i].named, got, sizeof(got), NULL);

		cr_expect_eq(m, n, "%s", names[i].named);
		cr_expect(n > 0 && m == n && memcmp(want, got, (size_t)n) == 0, "%s",
			  names[i].named);
	}
}

Test(mib, keeps_an_oid_outside_the_table_dotted)
{
	uint8_t ber[64];
	char text[128];
	ssize_t n = fl_oid_parse("1.3.6.1.4.1.32473.1.2.0.1", ber, sizeof(ber));

	cr_assert_gt(n, 0);
	cr_expect_eq(fl_mib_format(fl_str_make((const char *)ber, (size_t)n), text, sizeof(text)),
		     25);
	cr_expect_str_eq(text, "1.3.6.1.4.1.32473.1.2.0.1");
	/* 1.3.6.1.2.1.2.2.1.10 (ifInOctets) is not under ifIndex (…2.2.1.1) */
	n = fl_oid_parse("1.3.6.1.2.1.2.2.1.10.3", ber, sizeof(ber));
	cr_expect_gt(fl_mib_format(fl_str_make((const char *)ber, (size_t)n), text, sizeof(text)), 0);
	cr_expect_str_eq(text, "1.3.6.1.2.1.2.2.1.10.3");
}

Test(mib, reports_unknown_names_bad_instances_and_small_buffers)
{
	const struct fl_mib_object *o = (const void *)1;
	uint8_t ber[64];
	char text[8];
	ssize_t len;

	cr_expect_eq(fl_mib_resolve("linkDwn", ber, sizeof(ber), &o), -ENOENT);
	cr_expect_null(o, "no entry for an unknown name");
	cr_expect_eq(fl_mib_resolve("ifIndex.x", ber, sizeof(ber), NULL), -EINVAL);
	cr_expect_eq(fl_mib_resolve("ifIndex.", ber, sizeof(ber), NULL), -EINVAL);
	cr_expect_eq(fl_mib_resolve("ifIndex..3", ber, sizeof(ber), NULL), -EINVAL);
	cr_expect_eq(fl_mib_resolve("ifDescr", ber, 2, NULL), -ENOBUFS);
	len = fl_mib_resolve("ifDescr.3", ber, sizeof(ber), &o);
	cr_expect_eq(len, 10);
	cr_expect(o && strcmp(o->name, "ifDescr") == 0 && o->kind == FL_MIB_COLUMN &&
		  o->syntax == FL_VB_OCTET_STRING);
	cr_expect_eq(fl_mib_format(fl_str_make((const char *)ber, (size_t)len), text, sizeof(text)),
		     -ENOBUFS, "ifDescr.3 needs 10 bytes");
	cr_expect_str_eq(fl_mib_suggest("linkDwn"), "linkDown");
	cr_expect_str_eq(fl_mib_suggest("ifdescr"), "ifDescr");
	cr_expect_null(fl_mib_suggest("fibreCut"));
}

Test(mib, holds_each_name_once_and_every_oid_parses)
{
	size_t n;
	const struct fl_mib_object *t = fl_mib_table(&n);

	cr_assert_gt(n, 30u);
	for (size_t i = 0; i < n; i++) {
		uint8_t ber[64];

		cr_expect_gt(fl_oid_parse(t[i].oid, ber, sizeof(ber)), 0, "%s", t[i].name);
		for (size_t k = i + 1; k < n; k++) {
			cr_expect_str_neq(t[i].name, t[k].name);
			cr_expect_str_neq(t[i].oid, t[k].oid, "%s and %s", t[i].name, t[k].name);
		}
	}
}

/* The named values of an INTEGER object, by name in any case or as
 * net-snmp prints them; the RFCs' numbers; none for other objects. */
Test(mib, names_the_values_of_an_integer_object_as_its_mib_does)
{
	uint8_t ber[64];
	const struct fl_mib_object *oper = NULL, *bgp = NULL, *descr = NULL;
	size_t n;
	const struct fl_mib_object *t = fl_mib_table(&n);

	cr_assert_gt(fl_mib_resolve("ifOperStatus", ber, sizeof(ber), &oper), 0);
	cr_assert_gt(fl_mib_resolve("bgpPeerState", ber, sizeof(ber), &bgp), 0);
	cr_assert_gt(fl_mib_resolve("ifDescr", ber, sizeof(ber), &descr), 0);
	cr_expect_eq(fl_mib_enum_value(oper, "up"), 1);
	cr_expect_eq(fl_mib_enum_value(oper, "Down"), 2);
	cr_expect_eq(fl_mib_enum_value(oper, "down(2)"), 2);
	cr_expect_eq(fl_mib_enum_value(oper, "lowerLayerDown"), 7);
	cr_expect_eq(fl_mib_enum_value(oper, "down(3)"), -1, "the number disagrees");
	cr_expect_eq(fl_mib_enum_value(oper, "down(2"), -1);
	cr_expect_eq(fl_mib_enum_value(oper, "dow"), -1);
	cr_expect_eq(fl_mib_enum_value(oper, "downx"), -1);
	cr_expect_eq(fl_mib_enum_value(oper, ""), -1);
	cr_expect_eq(fl_mib_enum_value(bgp, "established"), 6);
	cr_expect_eq(fl_mib_enum_value(descr, "down"), -1, "ifDescr is text");
	cr_expect_null(fl_mib_enum_labels(descr));
	cr_expect_null(fl_mib_enum_labels(NULL));
	/* every object with named values is an INTEGER of the table */
	for (size_t i = 0; i < n; i++)
		if (fl_mib_enum_labels(&t[i]))
			cr_expect_eq(t[i].syntax, FL_VB_INTEGER, "%s", t[i].name);
}
