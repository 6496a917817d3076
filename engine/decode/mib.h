/* mib.h - the few standard MIB objects and notifications faultline names.
 *
 * A small table, bundled and read-only, of the SNMPv2-MIB (RFC 3418), IF-MIB
 * (RFC 2863), ENTITY-MIB (RFC 6933), BGP4-MIB (RFC 4273) and OSPF-TRAP-MIB
 * (RFC 4750) objects and notifications a NOC sees in the traps of routers,
 * switches and transmission gear, so that JSON, `dump` and plans say
 * `linkDown ifIndex.3` where the wire says 1.3.6.1.6.3.1.1.5.3 and
 * 1.3.6.1.2.1.2.2.1.1.3. It is not a MIB compiler: no other module is read,
 * and an OID the table does not hold keeps its dotted form.
 *
 * Everything here is a pure function over static const data: any thread may
 * call it, nothing is allocated. OIDs are BER content octets (event.h) or
 * dotted text; a name may carry an instance suffix (`ifIndex.3`,
 * `sysUpTime.0`), which is kept as arcs after the object's OID. */
#ifndef FL_MIB_H
#define FL_MIB_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/decode/event.h"
#include "engine/lib/str.h"

/* What an entry names: a notification (a trap's snmpTrapOID), a scalar or a
 * table column (a varbind's OID without or with its instance), or a subtree. */
enum fl_mib_kind {
	FL_MIB_NOTIFICATION,
	FL_MIB_SCALAR,
	FL_MIB_COLUMN,
	FL_MIB_NODE,
};

struct fl_mib_object {
	const char *name;		/* "ifDescr" */
	const char *module;		/* "IF-MIB" */
	const char *oid;		/* dotted: "1.3.6.1.2.1.2.2.1.2" */
	enum fl_mib_kind kind;
	enum fl_varbind_type syntax;	/* scalars and columns: the value's type */
};

/* Queries. */

/* The entry whose OID is ber or the longest one ber lies under, or NULL.
 * suffix (may be NULL) receives the dotted arcs after the entry's OID
 * ("3" for ifIndex.3, "" for the object itself). */
const struct fl_mib_object *fl_mib_by_oid(struct fl_str ber, char *suffix, size_t suffix_cap);

/* Writes ber as a name where the table has one ("linkDown", "ifIndex.3"),
 * else dotted, NUL-terminated. Returns the length, -EINVAL (not a valid OID)
 * or -ENOBUFS (cap too small). */
ssize_t fl_mib_format(struct fl_str ber, char *out, size_t cap);

/* Parses "ifIndex.3", "linkDown" or dotted "1.3.6.1..." into BER content
 * octets. Returns their number, -ENOENT (a name the table does not hold),
 * -EINVAL (a malformed suffix or OID) or -ENOBUFS. *obj (may be NULL) is set
 * to the named entry, or NULL for a dotted OID. */
ssize_t fl_mib_resolve(const char *text, uint8_t *out, size_t cap,
		       const struct fl_mib_object **obj);

/* The table's name nearest to name (one or two edits), or NULL: for "did you
 * mean" in a plan's diagnostics. */
const char *fl_mib_suggest(const char *name);

/* The named values of INTEGER object obj ("up(1) down(2) ..."), or NULL
 * when its MIB names none (or obj is NULL). */
const char *fl_mib_enum_labels(const struct fl_mib_object *obj);

/* The number label names among obj's values ("down", any case, or "down(2)"
 * as net-snmp prints it), or -1. */
int64_t fl_mib_enum_value(const struct fl_mib_object *obj, const char *label);

/* The table itself, in OID order within each module; *n is its length. */
const struct fl_mib_object *fl_mib_table(size_t *n);

#endif /* FL_MIB_H */
