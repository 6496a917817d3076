/* mib.c - the bundled name table (see mib.h). */
#include "engine/decode/mib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/decode/snmp.h"
#include "engine/lib/compiler.h"
#include "engine/lib/utf8.h"

/* name, module, dotted OID, kind, syntax. Column objects are given without
 * their instance: a trap carries ifDescr.3, the table holds ifDescr. */
#define FL_MIB_OBJECTS(X)                                                                  \
	X(sysDescr, "SNMPv2-MIB", "1.3.6.1.2.1.1.1", SCALAR, OCTET_STRING)                 \
	X(sysObjectID, "SNMPv2-MIB", "1.3.6.1.2.1.1.2", SCALAR, OID)                       \
	X(sysUpTime, "SNMPv2-MIB", "1.3.6.1.2.1.1.3", SCALAR, TIMETICKS)                   \
	X(sysName, "SNMPv2-MIB", "1.3.6.1.2.1.1.5", SCALAR, OCTET_STRING)                  \
	X(sysLocation, "SNMPv2-MIB", "1.3.6.1.2.1.1.6", SCALAR, OCTET_STRING)              \
	X(snmpTrapOID, "SNMPv2-MIB", "1.3.6.1.6.3.1.1.4.1", SCALAR, OID)                   \
	X(snmpTrapEnterprise, "SNMPv2-MIB", "1.3.6.1.6.3.1.1.4.3", SCALAR, OID)            \
	X(snmpTraps, "SNMPv2-MIB", "1.3.6.1.6.3.1.1.5", NODE, NULL)                        \
	X(coldStart, "SNMPv2-MIB", "1.3.6.1.6.3.1.1.5.1", NOTIFICATION, NULL)              \
	X(warmStart, "SNMPv2-MIB", "1.3.6.1.6.3.1.1.5.2", NOTIFICATION, NULL)              \
	X(linkDown, "IF-MIB", "1.3.6.1.6.3.1.1.5.3", NOTIFICATION, NULL)                   \
	X(linkUp, "IF-MIB", "1.3.6.1.6.3.1.1.5.4", NOTIFICATION, NULL)                     \
	X(authenticationFailure, "SNMPv2-MIB", "1.3.6.1.6.3.1.1.5.5", NOTIFICATION, NULL)  \
	X(egpNeighborLoss, "RFC1213-MIB", "1.3.6.1.6.3.1.1.5.6", NOTIFICATION, NULL)          \
	X(ifIndex, "IF-MIB", "1.3.6.1.2.1.2.2.1.1", COLUMN, INTEGER)                       \
	X(ifDescr, "IF-MIB", "1.3.6.1.2.1.2.2.1.2", COLUMN, OCTET_STRING)                  \
	X(ifType, "IF-MIB", "1.3.6.1.2.1.2.2.1.3", COLUMN, INTEGER)                        \
	X(ifAdminStatus, "IF-MIB", "1.3.6.1.2.1.2.2.1.7", COLUMN, INTEGER)                 \
	X(ifOperStatus, "IF-MIB", "1.3.6.1.2.1.2.2.1.8", COLUMN, INTEGER)                  \
	X(ifName, "IF-MIB", "1.3.6.1.2.1.31.1.1.1.1", COLUMN, OCTET_STRING)                \
	X(ifAlias, "IF-MIB", "1.3.6.1.2.1.31.1.1.1.18", COLUMN, OCTET_STRING)              \
	X(entPhysicalDescr, "ENTITY-MIB", "1.3.6.1.2.1.47.1.1.1.1.2", COLUMN, OCTET_STRING) \
	X(entPhysicalClass, "ENTITY-MIB", "1.3.6.1.2.1.47.1.1.1.1.5", COLUMN, INTEGER)     \
	X(entPhysicalName, "ENTITY-MIB", "1.3.6.1.2.1.47.1.1.1.1.7", COLUMN, OCTET_STRING) \
	X(entPhysicalSerialNum, "ENTITY-MIB", "1.3.6.1.2.1.47.1.1.1.1.11", COLUMN,         \
	  OCTET_STRING)                                                                      \
	X(entLastChangeTime, "ENTITY-MIB", "1.3.6.1.2.1.47.1.4.1", SCALAR, TIMETICKS)      \
	X(entConfigChange, "ENTITY-MIB", "1.3.6.1.2.1.47.2.0.1", NOTIFICATION, NULL)       \
	X(bgpPeerState, "BGP4-MIB", "1.3.6.1.2.1.15.3.1.2", COLUMN, INTEGER)               \
	X(bgpPeerRemoteAddr, "BGP4-MIB", "1.3.6.1.2.1.15.3.1.7", COLUMN, IPADDRESS)        \
	X(bgpPeerLastError, "BGP4-MIB", "1.3.6.1.2.1.15.3.1.14", COLUMN, OCTET_STRING)     \
	X(bgpEstablishedNotification, "BGP4-MIB", "1.3.6.1.2.1.15.0.1", NOTIFICATION, NULL) \
	X(bgpBackwardTransNotification, "BGP4-MIB", "1.3.6.1.2.1.15.0.2", NOTIFICATION,    \
	  NULL)                                                                              \
	X(bgpEstablished, "BGP4-MIB", "1.3.6.1.2.1.15.7.1", NOTIFICATION, NULL)            \
	X(bgpBackwardTransition, "BGP4-MIB", "1.3.6.1.2.1.15.7.2", NOTIFICATION, NULL)     \
	X(ospfRouterId, "OSPF-MIB", "1.3.6.1.2.1.14.1.1", SCALAR, IPADDRESS)               \
	X(ospfNbrIpAddr, "OSPF-MIB", "1.3.6.1.2.1.14.10.1.1", COLUMN, IPADDRESS)           \
	X(ospfNbrAddressLessIndex, "OSPF-MIB", "1.3.6.1.2.1.14.10.1.2", COLUMN, INTEGER)   \
	X(ospfNbrRtrId, "OSPF-MIB", "1.3.6.1.2.1.14.10.1.3", COLUMN, IPADDRESS)            \
	X(ospfNbrState, "OSPF-MIB", "1.3.6.1.2.1.14.10.1.6", COLUMN, INTEGER)              \
	X(ospfNbrStateChange, "OSPF-TRAP-MIB", "1.3.6.1.2.1.14.16.2.2", NOTIFICATION, NULL) \
	X(ospfIfStateChange, "OSPF-TRAP-MIB", "1.3.6.1.2.1.14.16.2.16", NOTIFICATION, NULL)


static const struct fl_mib_object mib_objects[] = {
#define X(name, module, oid, kind, syntax) {#name, module, oid, FL_MIB_##kind, FL_VB_##syntax},
	FL_MIB_OBJECTS(X)
#undef X
};

static const char *const mib_names[] = {
#define X(name, module, oid, kind, syntax) #name,
	FL_MIB_OBJECTS(X)
#undef X
};

/* The entry whose dotted OID is text or a prefix of it at an arc boundary,
 * the longest one; *rest points at what follows it ("" or ".3"). */
static const struct fl_mib_object *longest_prefix(const char *text, const char **rest)
{
	const struct fl_mib_object *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < FL_ARRAY_LEN(mib_objects); i++) {
		size_t n = strlen(mib_objects[i].oid);

		if (n > best_len && strncmp(text, mib_objects[i].oid, n) == 0 &&
		    (text[n] == '\0' || text[n] == '.')) {
			best = &mib_objects[i];
			best_len = n;
		}
	}
	if (best)
		*rest = text + best_len;
	return best;
}

const struct fl_mib_object *fl_mib_by_oid(struct fl_str ber, char *suffix, size_t suffix_cap)
{
	char text[FL_OID_TEXT_MAX];
	const struct fl_mib_object *o;
	const char *rest;

	if (fl_oid_format(ber, text, sizeof(text)) < 0)
		return NULL;
	o = longest_prefix(text, &rest);
	if (!o || !suffix)
		return o;
	if (*rest == '.')
		rest++;
	if (strlen(rest) >= suffix_cap)
		return NULL;
	strcpy(suffix, rest);
	return o;
}

ssize_t fl_mib_format(struct fl_str ber, char *out, size_t cap)
{
	char text[FL_OID_TEXT_MAX];
	const struct fl_mib_object *o;
	const char *rest;
	ssize_t n = fl_oid_format(ber, text, sizeof(text));
	size_t name_len, rest_len;

	if (n < 0)
		return n == -ENOBUFS ? -EINVAL : n; /* our buffer fits any valid OID */
	o = longest_prefix(text, &rest);
	if (!o) {
		if ((size_t)n >= cap)
			return -ENOBUFS;
		memcpy(out, text, (size_t)n + 1);
		return n;
	}
	name_len = strlen(o->name);
	rest_len = strlen(rest);
	if (name_len + rest_len >= cap)
		return -ENOBUFS;
	memcpy(out, o->name, name_len);
	memcpy(out + name_len, rest, rest_len + 1);
	return (ssize_t)(name_len + rest_len);
}

static const struct fl_mib_object *by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < FL_ARRAY_LEN(mib_objects); i++)
		if (strlen(mib_objects[i].name) == len && memcmp(mib_objects[i].name, name, len) == 0)
			return &mib_objects[i];
	return NULL;
}

ssize_t fl_mib_resolve(const char *text, uint8_t *out, size_t cap,
		       const struct fl_mib_object **obj)
{
	char dotted[FL_OID_TEXT_MAX];
	const struct fl_mib_object *o;
	const char *dot;
	size_t oid_len, suffix_len;

	if (obj)
		*obj = NULL;
	if (text[0] >= '0' && text[0] <= '9')
		return fl_oid_parse(text, out, cap);
	dot = strchr(text, '.');
	o = by_name(text, dot ? (size_t)(dot - text) : strlen(text));
	if (!o)
		return -ENOENT;
	/* the instance: digits joined by single dots, nothing else */
	for (const char *p = dot; p && *p; p++)
		if (!(*p >= '0' && *p <= '9') && !(*p == '.' && p[1] >= '0' && p[1] <= '9'))
			return -EINVAL;
	oid_len = strlen(o->oid);
	suffix_len = dot ? strlen(dot) : 0;
	if (oid_len + suffix_len >= sizeof(dotted))
		return -EINVAL;
	memcpy(dotted, o->oid, oid_len);
	memcpy(dotted + oid_len, dot ? dot : "", suffix_len + 1);
	if (obj)
		*obj = o;
	return fl_oid_parse(dotted, out, cap);
}

const char *fl_mib_suggest(const char *name)
{
	return fl_utf8_suggest(name, mib_names, FL_ARRAY_LEN(mib_names));
}

const struct fl_mib_object *fl_mib_table(size_t *n)
{
	*n = FL_ARRAY_LEN(mib_objects);
	return mib_objects;
}

/* The named values of the INTEGER objects a rule compares (`varbind
 * ifOperStatus == down`), as their MIBs define them: RFC 2863, RFC 4273,
 * RFC 4750 (OSPF-MIB), RFC 6933. */
static const struct {
	const char *name, *labels;
} mib_enums[] = {
    {"ifAdminStatus", "up(1) down(2) testing(3)"},
    {"ifOperStatus", "up(1) down(2) testing(3) unknown(4) dormant(5) notPresent(6) "
		     "lowerLayerDown(7)"},
    {"bgpPeerState", "idle(1) connect(2) active(3) opensent(4) openconfirm(5) established(6)"},
    {"ospfNbrState", "down(1) attempt(2) init(3) twoWay(4) exchangeStart(5) exchange(6) "
		     "loading(7) full(8)"},
    {"entPhysicalClass", "other(1) unknown(2) chassis(3) backplane(4) container(5) "
			 "powerSupply(6) fan(7) sensor(8) module(9) port(10) stack(11) cpu(12) "
			 "energyObject(13) battery(14) storageDrive(15)"},
};

const char *fl_mib_enum_labels(const struct fl_mib_object *obj)
{
	for (size_t i = 0; obj && i < FL_ARRAY_LEN(mib_enums); i++)
		if (strcmp(mib_enums[i].name, obj->name) == 0)
			return mib_enums[i].labels;
	return NULL;
}

/* Does label's "(N)", if it has one, say v? */
static bool number_agrees(const char *paren, int64_t v)
{
	char *end;
	long n;

	if (*paren == '\0')
		return true;
	n = strtol(paren + 1, &end, 10);
	return end != paren + 1 && end[0] == ')' && end[1] == '\0' && n == v;
}

int64_t fl_mib_enum_value(const struct fl_mib_object *obj, const char *label)
{
	const char *labels = fl_mib_enum_labels(obj), *p = labels;
	size_t n = strcspn(label, "(");

	if (!labels || n == 0)
		return -1;
	while (*p) {
		size_t len = strcspn(p, "(");
		int64_t v = strtol(p + len + 1, NULL, 10);

		/* the label in any case, or as net-snmp prints it: down(2) */
		if (len == n && strncasecmp(p, label, n) == 0 && number_agrees(label + n, v))
			return v;
		p += strcspn(p, " ");
		p += *p == ' ';
	}
	return -1;
}
