#include "engine/decode/snmp.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "engine/decode/snmp_int.h"

_Static_assert((int)FL_SNMP_TRAILING == (int)FL_BER_TRAILING &&
		       (int)FL_SNMP_BAD_IPADDRESS == (int)FL_BER__COUNT,
	       "BER verdicts must be the first SNMP verdicts, in order");

static const char *const verdict_texts[] = {
#define X(name, text) text,
	FL_SNMP_VERDICTS(X)
#undef X
};

static const char *const verdict_names[] = {
#define X(name, text) #name,
	FL_SNMP_VERDICTS(X)
#undef X
};

/* sysUpTime.0 = 1.3.6.1.2.1.1.3.0, snmpTrapOID.0 = 1.3.6.1.6.3.1.1.4.1.0 */
static const uint8_t oid_sys_uptime0[] = {0x2b, 6, 1, 2, 1, 1, 3, 0};
static const uint8_t oid_snmp_trap_oid0[] = {0x2b, 6, 1, 6, 3, 1, 1, 4, 1, 0};

#define TRY(expr)                                                                           \
	do {                                                                                \
		enum fl_snmp_verdict try_v_ = (enum fl_snmp_verdict)(expr);                 \
		if (try_v_ != FL_SNMP_OK)                                                   \
			return try_v_;                                                      \
	} while (0)

static struct fl_str slice(const struct fl_ber_tlv *t)
{
	return fl_str_make((const char *)t->value, t->len);
}

static bool oid_is(struct fl_str oid, const uint8_t *want, size_t want_len)
{
	return oid.len == want_len && memcmp(oid.p, want, want_len) == 0;
}

/* One varbind value: RFC 3416 §3 VarBind.value CHOICE, types of RFC 2578 §7.1. */
static enum fl_snmp_verdict decode_value(const struct fl_ber_tlv *t, struct fl_varbind *vb)
{
	switch (t->tag) {
	case FL_BER_INTEGER:
		vb->type = FL_VB_INTEGER;
		return (enum fl_snmp_verdict)fl_ber_int64(t, &vb->integer);
	case FL_BER_OCTET_STRING:
		vb->type = FL_VB_OCTET_STRING;
		vb->bytes = slice(t);
		return FL_SNMP_OK;
	case FL_BER_NULL:
		vb->type = FL_VB_NULL;
		return t->len == 0 ? FL_SNMP_OK : FL_SNMP_BAD_NULL;
	case FL_BER_OID:
		vb->type = FL_VB_OID;
		vb->bytes = slice(t);
		return (enum fl_snmp_verdict)fl_ber_oid_check(t->value, t->len);
	case FL_BER_IPADDRESS:
		vb->type = FL_VB_IPADDRESS;
		vb->bytes = slice(t);
		return t->len == 4 ? FL_SNMP_OK : FL_SNMP_BAD_IPADDRESS;
	case FL_BER_COUNTER32:
		vb->type = FL_VB_COUNTER32;
		return (enum fl_snmp_verdict)fl_ber_uint(t, 32, &vb->unsigned_value);
	case FL_BER_GAUGE32:
		vb->type = FL_VB_GAUGE32;
		return (enum fl_snmp_verdict)fl_ber_uint(t, 32, &vb->unsigned_value);
	case FL_BER_TIMETICKS:
		vb->type = FL_VB_TIMETICKS;
		return (enum fl_snmp_verdict)fl_ber_uint(t, 32, &vb->unsigned_value);
	case FL_BER_OPAQUE:
		vb->type = FL_VB_OPAQUE;
		vb->bytes = slice(t);
		return FL_SNMP_OK;
	case FL_BER_COUNTER64:
		vb->type = FL_VB_COUNTER64;
		return (enum fl_snmp_verdict)fl_ber_uint(t, 64, &vb->unsigned_value);
	case FL_BER_NO_SUCH_OBJECT:
		vb->type = FL_VB_NO_SUCH_OBJECT;
		return t->len == 0 ? FL_SNMP_OK : FL_SNMP_BAD_NULL;
	case FL_BER_NO_SUCH_INSTANCE:
		vb->type = FL_VB_NO_SUCH_INSTANCE;
		return t->len == 0 ? FL_SNMP_OK : FL_SNMP_BAD_NULL;
	case FL_BER_END_OF_MIB_VIEW:
		vb->type = FL_VB_END_OF_MIB_VIEW;
		return t->len == 0 ? FL_SNMP_OK : FL_SNMP_BAD_NULL;
	default:
		return FL_SNMP_UNKNOWN_TYPE;
	}
}

/* VarBindList ::= SEQUENCE (SIZE (0..max-bindings)) OF VarBind */
static enum fl_snmp_verdict decode_varbinds(struct fl_ber *pdu, struct fl_trap *trap)
{
	struct fl_ber list;

	TRY(fl_ber_enter(pdu, FL_BER_SEQUENCE, &list));
	trap->n_varbinds = 0;
	while (!fl_ber_at_end(&list)) {
		struct fl_varbind *vb;
		struct fl_ber_tlv name, value;
		struct fl_ber seq;

		if (trap->n_varbinds >= FL_EVENT_MAX_VARBINDS)
			return FL_SNMP_TOO_MANY_VARBINDS;
		vb = &trap->varbinds[trap->n_varbinds];
		memset(vb, 0, sizeof(*vb));
		TRY(fl_ber_enter(&list, FL_BER_SEQUENCE, &seq));
		TRY(fl_ber_expect(&seq, FL_BER_OID, &name));
		TRY(fl_ber_oid_check(name.value, name.len));
		vb->oid = slice(&name);
		TRY(fl_ber_next(&seq, &value));
		TRY(decode_value(&value, vb));
		if (!fl_ber_at_end(&seq))
			return FL_SNMP_TRAILING;
		trap->n_varbinds++;
	}
	return FL_SNMP_OK;
}

static enum fl_snmp_verdict read_int32(struct fl_ber *c, int32_t *out)
{
	struct fl_ber_tlv t;

	TRY(fl_ber_expect(c, FL_BER_INTEGER, &t));
	return (enum fl_snmp_verdict)fl_ber_int32(&t, out);
}

/* RFC 1157 §4.1.6 Trap-PDU: enterprise, agent-addr, generic-trap,
 * specific-trap, time-stamp, variable-bindings. */
static enum fl_snmp_verdict decode_trap_v1(struct fl_ber *pdu, struct fl_trap *trap)
{
	struct fl_ber_tlv t;
	uint64_t ticks;

	trap->pdu = FL_SNMP_PDU_TRAP_V1;
	TRY(fl_ber_expect(pdu, FL_BER_OID, &t));
	TRY(fl_ber_oid_check(t.value, t.len));
	trap->enterprise = slice(&t);
	TRY(fl_ber_expect(pdu, FL_BER_IPADDRESS, &t));
	if (t.len != 4)
		return FL_SNMP_BAD_IPADDRESS;
	memcpy(trap->agent_addr, t.value, 4);
	TRY(read_int32(pdu, &trap->generic_trap));
	TRY(read_int32(pdu, &trap->specific_trap));
	TRY(fl_ber_expect(pdu, FL_BER_TIMETICKS, &t));
	TRY(fl_ber_uint(&t, 32, &ticks));
	trap->time_stamp = (uint32_t)ticks;
	TRY(decode_varbinds(pdu, trap));
	return fl_ber_at_end(pdu) ? FL_SNMP_OK : FL_SNMP_TRAILING;
}

/* RFC 3416 §4.2.6: sysUpTime.0 and snmpTrapOID.0 come first; see snmp.h for
 * the one tolerated deviation (no sysUpTime.0). */
static enum fl_snmp_verdict copy_trap_header(struct fl_trap *trap)
{
	const struct fl_varbind *vb = trap->varbinds;
	size_t i = 0;

	if (trap->n_varbinds > 0 &&
	    oid_is(vb[0].oid, oid_sys_uptime0, sizeof(oid_sys_uptime0))) {
		if (vb[0].type != FL_VB_TIMETICKS)
			return FL_SNMP_BAD_TRAP_HEADER;
		trap->has_uptime = true;
		trap->uptime = (uint32_t)vb[0].unsigned_value;
		i = 1;
	}
	if (trap->n_varbinds <= i ||
	    !oid_is(vb[i].oid, oid_snmp_trap_oid0, sizeof(oid_snmp_trap_oid0)) ||
	    vb[i].type != FL_VB_OID)
		return FL_SNMP_BAD_TRAP_HEADER;
	trap->trap_oid = vb[i].bytes;
	return FL_SNMP_OK;
}

/* RFC 3416 §3 PDU: request-id, error-status, error-index, variable-bindings. */
enum fl_snmp_verdict fl_snmp_pdu_v2(struct fl_ber *pdu, struct fl_trap *trap)
{
	TRY(read_int32(pdu, &trap->request_id));
	TRY(read_int32(pdu, &trap->error_status));
	TRY(read_int32(pdu, &trap->error_index));
	TRY(decode_varbinds(pdu, trap));
	if (!fl_ber_at_end(pdu))
		return FL_SNMP_TRAILING;
	return copy_trap_header(trap);
}

enum fl_snmp_verdict fl_snmp_pdu_verdict(uint8_t tag, int32_t version)
{
	switch (tag) {
	case FL_SNMP_TAG_TRAP_V1:
		return version == FL_SNMP_V1 ? FL_SNMP_OK : FL_SNMP_PDU_VERSION_MISMATCH;
	case FL_SNMP_TAG_TRAP_V2:
	case FL_SNMP_TAG_INFORM:
		return version == FL_SNMP_V2C || version == FL_SNMP_V3 ? FL_SNMP_OK
									: FL_SNMP_PDU_VERSION_MISMATCH;
	case FL_SNMP_TAG_GET:
	case FL_SNMP_TAG_GET_NEXT:
	case FL_SNMP_TAG_RESPONSE:
	case FL_SNMP_TAG_SET:
	case FL_SNMP_TAG_GET_BULK:
	case FL_SNMP_TAG_REPORT:
		return FL_SNMP_NOT_A_TRAP;
	default:
		return FL_SNMP_UNKNOWN_PDU;
	}
}

/* RFC 1157 §4 / RFC 1901 §3: Message ::= SEQUENCE { version, community, data };
 * RFC 3412 §6 for version 3, when there are users (then wp == p, writable). */
static enum fl_snmp_verdict decode_message(struct fl_trap *trap, const uint8_t *p, size_t len,
					   uint8_t *wp, struct fl_usm *usm, int64_t now_s,
					   bool is_recorded)
{
	struct fl_ber top, msg, pdu;
	struct fl_ber_tlv t;
	int32_t version;

	fl_ber_init(&top, p, len);
	TRY(fl_ber_enter(&top, FL_BER_SEQUENCE, &msg));
	if (!fl_ber_at_end(&top))
		return FL_SNMP_TRAILING;
	TRY(read_int32(&msg, &version));
	if (version == FL_SNMP_V3 && !(usm && wp) && !is_recorded)
		return FL_SNMP_SNMPV3;
	if (version == FL_SNMP_V3) {
		trap->version = FL_SNMP_V3;
		return fl_snmp_decode_v3(&msg, trap, usm && wp ? wp : NULL, len,
					 usm && wp ? usm : NULL, now_s);
	}
	if (version != FL_SNMP_V1 && version != FL_SNMP_V2C)
		return FL_SNMP_BAD_VERSION;
	trap->version = (uint8_t)version;
	TRY(fl_ber_expect(&msg, FL_BER_OCTET_STRING, &t));
	trap->community = slice(&t);
	TRY(fl_ber_next(&msg, &t));
	TRY(fl_snmp_pdu_verdict(t.tag, version));
	TRY(fl_ber_open(&msg, &t, &pdu));
	if (!fl_ber_at_end(&msg))
		return FL_SNMP_TRAILING;
	if (t.tag == FL_SNMP_TAG_TRAP_V1)
		return decode_trap_v1(&pdu, trap);
	trap->pdu = t.tag == FL_SNMP_TAG_INFORM ? FL_SNMP_PDU_INFORM : FL_SNMP_PDU_TRAP_V2;
	return fl_snmp_pdu_v2(&pdu, trap);
}

static enum fl_snmp_verdict decode_event(struct fl_event *ev, const uint8_t *p, size_t len,
					 uint8_t *wp, struct fl_usm *usm, int64_t now_s,
					 bool is_recorded)
{
	enum fl_snmp_verdict v;

	ev->kind = FL_EVENT_TRAP;
	ev->raw = fl_str_make((const char *)p, len < FL_EVENT_RAW_MAX ? len : FL_EVENT_RAW_MAX);
	ev->raw_truncated = len > FL_EVENT_RAW_MAX;
	ev->has_time = false; /* SNMP carries no wall-clock time, only uptime */
	ev->time_ns = ev->received_ns;
	ev->utc_offset_s = 0;
	/* The header fields only: varbinds are written as they are decoded. */
	memset(&ev->trap, 0, offsetof(struct fl_trap, varbinds));
	v = decode_message(&ev->trap, p, len, wp, usm, now_s, is_recorded);
	ev->error = (int)v;
	ev->error_reason = v == FL_SNMP_OK ? NULL : fl_snmp_verdict_text(v);
	return v;
}

enum fl_snmp_verdict fl_snmp_decode(struct fl_event *ev, const uint8_t *p, size_t len)
{
	return decode_event(ev, p, len, NULL, NULL, 0, false);
}

enum fl_snmp_verdict fl_snmp_decode_recorded(struct fl_event *ev, const uint8_t *p, size_t len)
{
	return decode_event(ev, p, len, NULL, NULL, 0, true);
}

enum fl_snmp_verdict fl_snmp_decode_usm(struct fl_event *ev, uint8_t *p, size_t len,
					struct fl_usm *usm, int64_t now_s)
{
	return decode_event(ev, p, len, p, usm, now_s, false);
}

/* ---- Response encoder ------------------------------------------------------------- */

struct writer {
	uint8_t *p;
	size_t cap, len;
	bool is_full;
};

static void put(struct writer *w, const void *src, size_t n)
{
	if (w->is_full || n > w->cap - w->len) {
		w->is_full = true;
		return;
	}
	if (n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_byte(struct writer *w, uint8_t b)
{
	put(w, &b, 1);
}

static size_t length_octets(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 1;
	for (; len; len >>= 8)
		n++;
	return n;
}

static size_t tlv_size(size_t content_len)
{
	return 1 + length_octets(content_len) + content_len;
}

/* Minimal definite length (X.690 §8.1.3: short form below 128). */
static void put_header(struct writer *w, uint8_t tag, size_t len)
{
	size_t n = length_octets(len) - 1;

	put_byte(w, tag);
	if (n == 0) {
		put_byte(w, (uint8_t)len);
		return;
	}
	put_byte(w, (uint8_t)(0x80 | n));
	while (n--)
		put_byte(w, (uint8_t)(len >> (8 * n)));
}

/* Octets of the minimal two's complement form of v (X.690 §8.3.2). */
static size_t int_len(int64_t v)
{
	size_t n = 1;

	while (n < 8 && !(v >= -(INT64_C(1) << (8 * n - 1)) && v < (INT64_C(1) << (8 * n - 1))))
		n++;
	return n;
}

static void put_int(struct writer *w, uint8_t tag, int64_t v)
{
	size_t n = int_len(v);
	uint64_t u = (uint64_t)v;

	put_header(w, tag, n);
	while (n--)
		put_byte(w, (uint8_t)(u >> (8 * n)));
}

/* An unsigned value as a non-negative INTEGER: a leading 0x00 when the top
 * bit of the first octet is set. */
static size_t uint_len(uint64_t u)
{
	size_t n = 1;

	while (n < 8 && (u >> (8 * n)) != 0)
		n++;
	return n + ((u >> (8 * n - 1)) & 1);
}

static void put_uint(struct writer *w, uint8_t tag, uint64_t u)
{
	size_t n = uint_len(u);

	put_header(w, tag, n);
	while (n--)
		put_byte(w, (uint8_t)(n >= 8 ? 0 : u >> (8 * n)));
}

static const uint8_t value_tags[] = {
	[FL_VB_INTEGER] = FL_BER_INTEGER,
	[FL_VB_OCTET_STRING] = FL_BER_OCTET_STRING,
	[FL_VB_NULL] = FL_BER_NULL,
	[FL_VB_OID] = FL_BER_OID,
	[FL_VB_IPADDRESS] = FL_BER_IPADDRESS,
	[FL_VB_COUNTER32] = FL_BER_COUNTER32,
	[FL_VB_GAUGE32] = FL_BER_GAUGE32,
	[FL_VB_TIMETICKS] = FL_BER_TIMETICKS,
	[FL_VB_OPAQUE] = FL_BER_OPAQUE,
	[FL_VB_COUNTER64] = FL_BER_COUNTER64,
	[FL_VB_NO_SUCH_OBJECT] = FL_BER_NO_SUCH_OBJECT,
	[FL_VB_NO_SUCH_INSTANCE] = FL_BER_NO_SUCH_INSTANCE,
	[FL_VB_END_OF_MIB_VIEW] = FL_BER_END_OF_MIB_VIEW,
};

static size_t value_len(const struct fl_varbind *vb)
{
	switch (vb->type) {
	case FL_VB_INTEGER:
		return int_len(vb->integer);
	case FL_VB_COUNTER32:
	case FL_VB_GAUGE32:
	case FL_VB_TIMETICKS:
	case FL_VB_COUNTER64:
		return uint_len(vb->unsigned_value);
	case FL_VB_OCTET_STRING:
	case FL_VB_OID:
	case FL_VB_IPADDRESS:
	case FL_VB_OPAQUE:
		return vb->bytes.len;
	default:
		return 0;
	}
}

static size_t varbind_len(const struct fl_varbind *vb)
{
	return tlv_size(vb->oid.len) + tlv_size(value_len(vb));
}

static void put_varbind(struct writer *w, const struct fl_varbind *vb)
{
	uint8_t tag = value_tags[vb->type];

	put_header(w, FL_BER_SEQUENCE, varbind_len(vb));
	put_header(w, FL_BER_OID, vb->oid.len);
	put(w, vb->oid.p, vb->oid.len);
	switch (vb->type) {
	case FL_VB_INTEGER:
		put_int(w, tag, vb->integer);
		break;
	case FL_VB_COUNTER32:
	case FL_VB_GAUGE32:
	case FL_VB_TIMETICKS:
	case FL_VB_COUNTER64:
		put_uint(w, tag, vb->unsigned_value);
		break;
	default:
		put_header(w, tag, value_len(vb));
		put(w, vb->bytes.p, value_len(vb));
		break;
	}
}

static bool is_decoded_inform(const struct fl_event *ev)
{
	const struct fl_trap *t = &ev->trap;

	if (ev->kind != FL_EVENT_TRAP || ev->error != 0 || t->pdu != FL_SNMP_PDU_INFORM ||
	    t->version != FL_SNMP_V2C || t->n_varbinds > FL_EVENT_MAX_VARBINDS || !t->community.p)
		return false;
	for (size_t i = 0; i < t->n_varbinds; i++)
		if ((unsigned)t->varbinds[i].type >= sizeof(value_tags) || !t->varbinds[i].oid.p)
			return false;
	return true;
}

int fl_snmp_encode_response(const struct fl_event *inform, uint8_t *out, size_t cap,
			    size_t *out_len)
{
	const struct fl_trap *t = &inform->trap;
	struct writer w = {out, cap, 0, false};
	size_t list_len = 0, pdu_len, msg_len;

	if (!is_decoded_inform(inform) || (!out && cap))
		return -EINVAL;
	for (size_t i = 0; i < t->n_varbinds; i++)
		list_len += tlv_size(varbind_len(&t->varbinds[i]));
	pdu_len = tlv_size(int_len(t->request_id)) + 2 * tlv_size(1) + tlv_size(list_len);
	msg_len = tlv_size(int_len(t->version)) + tlv_size(t->community.len) + tlv_size(pdu_len);
	if (tlv_size(msg_len) > cap)
		return -ENOBUFS;

	put_header(&w, FL_BER_SEQUENCE, msg_len);
	put_int(&w, FL_BER_INTEGER, t->version);
	put_header(&w, FL_BER_OCTET_STRING, t->community.len);
	put(&w, t->community.p, t->community.len);
	put_header(&w, FL_SNMP_TAG_RESPONSE, pdu_len);
	put_int(&w, FL_BER_INTEGER, t->request_id);
	put_int(&w, FL_BER_INTEGER, 0); /* error-status: noError */
	put_int(&w, FL_BER_INTEGER, 0); /* error-index */
	put_header(&w, FL_BER_SEQUENCE, list_len);
	for (size_t i = 0; i < t->n_varbinds; i++)
		put_varbind(&w, &t->varbinds[i]);
	if (FL_NEVER(w.is_full || w.len != tlv_size(msg_len)))
		return -ENOBUFS;
	*out_len = w.len;
	return 0;
}

/* ---- OID text ---------------------------------------------------------------------- */

/* Appends the decimal digits of v at out[*at], leaving room for the NUL. */
static bool put_decimal(char *out, size_t cap, size_t *at, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (n >= cap - *at) /* keep one byte for the NUL */
		return false;
	while (n)
		out[(*at)++] = digits[--n];
	return true;
}

ssize_t fl_oid_format(struct fl_str oid, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)oid.p;
	size_t at = 0;
	uint64_t v = 0;
	bool is_first = true;

	if (!p || fl_ber_oid_check(p, oid.len) != FL_BER_OK)
		return -EINVAL;
	if (!out || cap == 0)
		return -ENOBUFS;
	for (size_t i = 0; i < oid.len; i++) {
		v = (v << 7) | (p[i] & 0x7fu);
		if (p[i] & 0x80)
			continue;
		if (is_first) {
			/* X.690 §8.19.4: 40 * X + Y, X in 0..2, Y < 40 unless X = 2 */
			uint64_t x = v < 40 ? 0 : v < 80 ? 1 : 2;

			if (!put_decimal(out, cap, &at, x) || at + 1 >= cap)
				return -ENOBUFS;
			out[at++] = '.';
			v -= 40 * x;
			is_first = false;
		} else {
			if (at + 1 >= cap)
				return -ENOBUFS;
			out[at++] = '.';
		}
		if (!put_decimal(out, cap, &at, v))
			return -ENOBUFS;
		v = 0;
	}
	out[at] = '\0';
	return (ssize_t)at;
}

/* Base-128 sub-identifier, most significant group first. */
static bool put_subid(uint8_t *out, size_t cap, size_t *at, uint64_t v)
{
	size_t groups = 1;

	for (uint64_t rest = v >> 7; rest; rest >>= 7)
		groups++;
	if (groups > cap - *at)
		return false;
	for (size_t g = groups; g-- > 0;)
		out[(*at)++] = (uint8_t)(((v >> (7 * g)) & 0x7f) | (g ? 0x80 : 0));
	return true;
}

/* One arc: digits, no leading zero (canonical form only), at most 2^64-1. */
static const char *parse_arc(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *start = s;

	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (s == start || (s - start > 1 && *start == '0'))
		return NULL;
	*out = v;
	return s;
}

ssize_t fl_oid_parse(const char *text, uint8_t *out, size_t cap)
{
	uint64_t first = 0, arc;
	size_t arcs = 0, at = 0;
	const char *s = text;

	if (!s || (!out && cap))
		return -EINVAL;
	if (*s == '.')
		s++;
	for (;;) {
		s = parse_arc(s, &arc);
		if (!s || ++arcs > FL_SNMP_MAX_OID_ARCS)
			return -EINVAL;
		if (arcs == 1) {
			if (arc > 2)
				return -EINVAL;
			first = arc;
		} else if (arcs == 2) {
			if ((first < 2 && arc >= 40) || arc > UINT64_MAX - 40 * first)
				return -EINVAL;
			if (!put_subid(out, cap, &at, 40 * first + arc))
				return -ENOBUFS;
		} else if (!put_subid(out, cap, &at, arc)) {
			return -ENOBUFS;
		}
		if (*s == '\0')
			break;
		if (*s != '.')
			return -EINVAL;
		s++;
	}
	if (arcs < 2)
		return -EINVAL;
	return (ssize_t)at;
}

/* ---- queries ------------------------------------------------------------------------ */

const char *fl_snmp_verdict_text(enum fl_snmp_verdict v)
{
	if ((unsigned)v >= FL_SNMP__COUNT)
		return "unknown verdict";
	return verdict_texts[v];
}

const char *fl_snmp_verdict_name(enum fl_snmp_verdict v)
{
	if ((unsigned)v >= FL_SNMP__COUNT)
		return "UNKNOWN";
	return verdict_names[v];
}

const char *fl_snmp_type_name(enum fl_varbind_type t)
{
	static const char *const names[] = {
		[FL_VB_INTEGER] = "INTEGER",
		[FL_VB_OCTET_STRING] = "OCTET STRING",
		[FL_VB_NULL] = "NULL",
		[FL_VB_OID] = "OBJECT IDENTIFIER",
		[FL_VB_IPADDRESS] = "IpAddress",
		[FL_VB_COUNTER32] = "Counter32",
		[FL_VB_GAUGE32] = "Gauge32",
		[FL_VB_TIMETICKS] = "TimeTicks",
		[FL_VB_OPAQUE] = "Opaque",
		[FL_VB_COUNTER64] = "Counter64",
		[FL_VB_NO_SUCH_OBJECT] = "noSuchObject",
		[FL_VB_NO_SUCH_INSTANCE] = "noSuchInstance",
		[FL_VB_END_OF_MIB_VIEW] = "endOfMibView",
	};

	if ((unsigned)t >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[t];
}

const char *fl_snmp_pdu_name(enum fl_snmp_pdu pdu)
{
	switch (pdu) {
	case FL_SNMP_PDU_TRAP_V1:
		return "Trap-v1";
	case FL_SNMP_PDU_TRAP_V2:
		return "SNMPv2-Trap";
	case FL_SNMP_PDU_INFORM:
		return "InformRequest";
	}
	return "unknown";
}

bool fl_snmp_trap_agent(const struct fl_trap *t, uint8_t out[4])
{
	/* 1.3.6.1.6.3.18.1.3.0, snmpTrapAddress.0 (SNMP-COMMUNITY-MIB) */
	static const uint8_t trap_address[] = {0x2b, 6, 1, 6, 3, 18, 1, 3, 0};
	static const uint8_t none[4] = {0};

	if (t->version == 0 && memcmp(t->agent_addr, none, 4) != 0) {
		memcpy(out, t->agent_addr, 4);
		return true;
	}
	for (size_t i = 0; i < t->n_varbinds && i < FL_EVENT_MAX_VARBINDS; i++) {
		const struct fl_varbind *v = &t->varbinds[i];

		if (v->type == FL_VB_IPADDRESS && v->bytes.len == 4 &&
		    v->oid.len == sizeof(trap_address) &&
		    memcmp(v->oid.p, trap_address, sizeof(trap_address)) == 0 &&
		    memcmp(v->bytes.p, none, 4) != 0) {
			memcpy(out, v->bytes.p, 4);
			return true;
		}
	}
	return false;
}

bool fl_snmp_community_allowed(struct fl_str community, const char *allowed)
{
	if (!community.p || !allowed)
		return false;
	for (const char *s = allowed; *s; s += strlen(s) + 1)
		if (fl_str_eq_cstr(community, s))
			return true;
	return false;
}
