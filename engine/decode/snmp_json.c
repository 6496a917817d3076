/* snmp_json.c - the JSON form of a decoded trap (conventions in snmp.h). */
#include "engine/decode/snmp.h"

#include <stdio.h>
#include <string.h>

#include "engine/decode/mib.h"
#include "engine/lib/json.h"
#include "engine/lib/utf8.h"

/* The one-line "text" member: room for a trap's name and its first varbinds;
 * a longer one ends in " ..." (the varbinds array still holds them all). */
#define SUMMARY_MAX 1024

static void put_oid(struct fl_json *j, struct fl_str oid)
{
	char text[FL_OID_TEXT_MAX];
	ssize_t n = fl_oid_format(oid, text, sizeof(text));

	if (n < 0) /* the decoder validated it: only a hand-built event gets here */
		fl_json_null(j);
	else
		fl_json_str(j, text, (size_t)n);
}

/* Valid UTF-8 as a string, anything else as {"hex": ...}: an operator reads
 * text, a rule author can still match binary octets exactly. */
static void put_octets(struct fl_json *j, struct fl_str s)
{
	if (fl_utf8_valid(s.p, s.len))
		fl_json_str(j, s.p, s.len);
	else
		fl_json_hex(j, s.p, s.len);
}

static void put_ipv4(struct fl_json *j, const uint8_t a[4])
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);

	fl_json_str(j, text, (size_t)n);
}

static void put_value(struct fl_json *j, const struct fl_varbind *vb)
{
	switch (vb->type) {
	case FL_VB_INTEGER:
		fl_json_int(j, vb->integer);
		break;
	case FL_VB_OCTET_STRING:
		put_octets(j, vb->bytes);
		break;
	case FL_VB_OID:
		put_oid(j, vb->bytes);
		break;
	case FL_VB_IPADDRESS:
		if (vb->bytes.len == 4)
			put_ipv4(j, (const uint8_t *)vb->bytes.p);
		else
			fl_json_hex(j, vb->bytes.p, vb->bytes.len);
		break;
	case FL_VB_COUNTER32:
	case FL_VB_GAUGE32:
	case FL_VB_TIMETICKS:
	case FL_VB_COUNTER64:
		fl_json_uint(j, vb->unsigned_value);
		break;
	case FL_VB_OPAQUE:
		fl_json_hex(j, vb->bytes.p, vb->bytes.len);
		break;
	case FL_VB_NULL:
	case FL_VB_NO_SUCH_OBJECT:
	case FL_VB_NO_SUCH_INSTANCE:
	case FL_VB_END_OF_MIB_VIEW:
	default:
		fl_json_null(j);
		break;
	}
}

static void put_varbinds(struct fl_json *j, const struct fl_trap *t)
{
	fl_json_key(j, "varbinds");
	fl_json_arr_begin(j);
	for (size_t i = 0; i < t->n_varbinds && i < FL_EVENT_MAX_VARBINDS; i++) {
		const struct fl_varbind *vb = &t->varbinds[i];

		fl_json_obj_begin(j);
		fl_json_key(j, "oid");
		put_oid(j, vb->oid);
		fl_json_key(j, "type");
		fl_json_cstr(j, fl_snmp_type_name(vb->type));
		fl_json_key(j, "value");
		put_value(j, vb);
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
}

struct summary {
	char text[SUMMARY_MAX];
	size_t len;
	bool is_full;
};

/* Appends s[0..n) when it fits with room for " ...", else marks it full. */
static void add(struct summary *s, const char *p, size_t n)
{
	if (s->is_full)
		return;
	if (n + 5 > sizeof(s->text) - s->len) {
		memcpy(s->text + s->len, " ...", 5);
		s->len += 4;
		s->is_full = true;
		return;
	}
	memcpy(s->text + s->len, p, n);
	s->len += n;
	s->text[s->len] = '\0';
}

static void add_oid_name(struct summary *s, struct fl_str oid)
{
	char name[FL_OID_TEXT_MAX];
	ssize_t n = fl_mib_format(oid, name, sizeof(name));

	if (n < 0)
		add(s, "?", 1);
	else
		add(s, name, (size_t)n);
}

static void add_value(struct summary *s, const struct fl_varbind *vb)
{
	char num[32];
	int n = -1;

	switch (vb->type) {
	case FL_VB_INTEGER:
		n = snprintf(num, sizeof(num), "%lld", (long long)vb->integer);
		break;
	case FL_VB_COUNTER32:
	case FL_VB_GAUGE32:
	case FL_VB_TIMETICKS:
	case FL_VB_COUNTER64:
		n = snprintf(num, sizeof(num), "%llu", (unsigned long long)vb->unsigned_value);
		break;
	case FL_VB_IPADDRESS:
		if (vb->bytes.len == 4) {
			const uint8_t *a = (const uint8_t *)vb->bytes.p;

			n = snprintf(num, sizeof(num), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		}
		break;
	case FL_VB_OID:
		add_oid_name(s, vb->bytes);
		return;
	case FL_VB_OCTET_STRING:
		/* text as the operator reads it; binary octets only in the array */
		if (fl_utf8_valid(vb->bytes.p, vb->bytes.len)) {
			add(s, "\"", 1);
			add(s, vb->bytes.p, vb->bytes.len);
			add(s, "\"", 1);
			return;
		}
		add(s, "0x", 2);
		for (size_t i = 0; i < vb->bytes.len && !s->is_full; i++) {
			n = snprintf(num, sizeof(num), "%02x", (unsigned char)vb->bytes.p[i]);
			add(s, num, (size_t)n);
		}
		return;
	default:
		break;
	}
	if (n > 0)
		add(s, num, (size_t)n);
	else
		add(s, fl_snmp_type_name(vb->type), strlen(fl_snmp_type_name(vb->type)));
}

/* The trap's name: snmpTrapOID.0 for v2c; for v1 the notification RFC 3584
 * §3.1 maps it to, a generic trap (0..5) snmpTraps.(generic + 1) and an
 * enterprise one "enterprise.0.specific". */
static void add_trap_name(struct summary *s, const struct fl_trap *t)
{
	static const char *const generic[] = {"coldStart", "warmStart", "linkDown", "linkUp",
					      "authenticationFailure", "egpNeighborLoss"};
	char num[16];

	if (t->pdu != FL_SNMP_PDU_TRAP_V1) {
		add_oid_name(s, t->trap_oid);
	} else if (t->generic_trap >= 0 && t->generic_trap <= 5) {
		add(s, generic[t->generic_trap], strlen(generic[t->generic_trap]));
	} else {
		int n = snprintf(num, sizeof(num), ".0.%d", (int)t->specific_trap);

		add_oid_name(s, t->enterprise);
		add(s, num, (size_t)n);
	}
}

/* "linkDown ifIndex.3=3 ifDescr.3=\"Gi0/0/1\"": the trap by name and its
 * varbinds, the v2c header's sysUpTime.0 and snmpTrapOID.0 left out. */
static void put_summary(struct fl_json *j, const struct fl_trap *t)
{
	struct summary s = {.len = 0};
	size_t first = 0;

	s.text[0] = '\0';
	add_trap_name(&s, t);
	fl_json_key(j, "trap");
	fl_json_str(j, s.text, s.len);
	if (t->pdu != FL_SNMP_PDU_TRAP_V1)
		first = t->has_uptime ? 2 : 1;
	for (size_t i = first; i < t->n_varbinds && i < FL_EVENT_MAX_VARBINDS; i++) {
		add(&s, " ", 1);
		add_oid_name(&s, t->varbinds[i].oid);
		add(&s, "=", 1);
		add_value(&s, &t->varbinds[i]);
	}
	fl_json_key(j, "text");
	fl_json_str(j, s.text, s.len);
}

void fl_snmp_json_fields(struct fl_json *j, const struct fl_event *ev)
{
	const struct fl_trap *t = &ev->trap;
	bool is_v1 = t->pdu == FL_SNMP_PDU_TRAP_V1;

	static const char *const levels[] = {"", "noAuthNoPriv", "authNoPriv", "authPriv"};

	fl_json_key(j, "version");
	fl_json_cstr(j, t->version == 0 ? "1" : t->version == 3 ? "3" : "2c");
	if (t->version == 3) { /* RFC 3414 §2.4: who, as USM authenticated it */
		fl_json_key(j, "user");
		put_octets(j, t->user);
		fl_json_key(j, "engine_id");
		fl_json_hex(j, t->engine_id.p, t->engine_id.len);
		fl_json_key(j, "security_level");
		fl_json_cstr(j, levels[t->security_level <= 3 ? t->security_level : 0]);
		fl_json_key(j, "context_name");
		put_octets(j, t->context_name);
	} else {
		fl_json_key(j, "community");
		put_octets(j, t->community);
	}
	fl_json_key(j, "pdu");
	fl_json_cstr(j, fl_snmp_pdu_name(t->pdu));
	if (is_v1) {
		fl_json_key(j, "enterprise");
		put_oid(j, t->enterprise);
		fl_json_key(j, "agent_addr");
		put_ipv4(j, t->agent_addr);
		fl_json_key(j, "generic_trap");
		fl_json_int(j, t->generic_trap);
		fl_json_key(j, "specific_trap");
		fl_json_int(j, t->specific_trap);
		fl_json_key(j, "time_stamp");
		fl_json_uint(j, t->time_stamp);
	} else {
		fl_json_key(j, "request_id");
		fl_json_int(j, t->request_id);
		fl_json_key(j, "error_status");
		fl_json_int(j, t->error_status);
		fl_json_key(j, "error_index");
		fl_json_int(j, t->error_index);
		if (t->has_uptime) {
			fl_json_key(j, "uptime");
			fl_json_uint(j, t->uptime);
		}
		fl_json_key(j, "snmpTrapOID");
		put_oid(j, t->trap_oid);
	}
	put_varbinds(j, t);
	put_summary(j, t);
}
