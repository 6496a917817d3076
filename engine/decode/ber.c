#include "engine/decode/ber.h"

#include "engine/lib/compiler.h"

static const char *const verdict_texts[] = {
#define X(name, text) text,
	FL_BER_VERDICTS(X)
#undef X
};

void fl_ber_init(struct fl_ber *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->end = p ? p + len : p;
	c->depth = 0;
}

/* Identifier octet, then the length (X.690 §8.1.2-8.1.3). Every read checks
 * the bytes left first; the content length is compared with what is left, so
 * a length near SIZE_MAX cannot wrap a pointer. */
enum fl_ber_verdict fl_ber_next(struct fl_ber *c, struct fl_ber_tlv *out)
{
	const uint8_t *p = c->p;
	size_t left = fl_ber_left(c), len;
	uint8_t tag, first;

	if (left < 2)
		return FL_BER_TRUNCATED;
	tag = p[0];
	if ((tag & 0x1f) == 0x1f)
		return FL_BER_HIGH_TAG;
	first = p[1];
	p += 2;
	left -= 2;
	if (first < 0x80) {
		len = first;
	} else if (first == 0x80) {
		return FL_BER_INDEFINITE_LENGTH;
	} else {
		size_t n_octets = first & 0x7fu;

		if (first == 0xff || n_octets > 4)
			return FL_BER_BAD_LENGTH;
		if (left < n_octets)
			return FL_BER_TRUNCATED;
		len = 0;
		for (size_t i = 0; i < n_octets; i++)
			len = (len << 8) | p[i];	/* <= 32 bits: fits size_t */
		p += n_octets;
		left -= n_octets;
	}
	if (len > left)
		return FL_BER_TRUNCATED;
	out->tag = tag;
	out->value = p;
	out->len = len;
	c->p = p + len;
	return FL_BER_OK;
}

enum fl_ber_verdict fl_ber_expect(struct fl_ber *c, uint8_t tag, struct fl_ber_tlv *out)
{
	struct fl_ber saved = *c;
	struct fl_ber_tlv t;
	enum fl_ber_verdict v = fl_ber_next(c, &t);

	if (v != FL_BER_OK)
		return v;
	if (t.tag != tag) {
		*c = saved;
		return FL_BER_UNEXPECTED_TAG;
	}
	*out = t;
	return FL_BER_OK;
}

enum fl_ber_verdict fl_ber_open(const struct fl_ber *c, const struct fl_ber_tlv *t,
				struct fl_ber *inner)
{
	if (c->depth >= FL_BER_MAX_DEPTH)
		return FL_BER_TOO_DEEP;
	if (!(t->tag & FL_BER_CONSTRUCTED))
		return FL_BER_UNEXPECTED_TAG;
	inner->p = t->value;
	inner->end = t->value + t->len;
	inner->depth = c->depth + 1;
	return FL_BER_OK;
}

enum fl_ber_verdict fl_ber_enter(struct fl_ber *c, uint8_t tag, struct fl_ber *inner)
{
	struct fl_ber saved = *c;
	struct fl_ber_tlv t;
	enum fl_ber_verdict v;

	v = fl_ber_expect(c, tag, &t);
	if (v == FL_BER_OK)
		v = fl_ber_open(&saved, &t, inner);
	if (v != FL_BER_OK)
		*c = saved;
	return v;
}

/* X.690 §8.3.2: the first nine bits of a multi-octet INTEGER are not all equal. */
static bool integer_is_minimal(const struct fl_ber_tlv *t)
{
	if (t->len < 2)
		return true;
	if (t->value[0] == 0x00 && !(t->value[1] & 0x80))
		return false;
	if (t->value[0] == 0xff && (t->value[1] & 0x80))
		return false;
	return true;
}

enum fl_ber_verdict fl_ber_int64(const struct fl_ber_tlv *t, int64_t *out)
{
	uint64_t u;

	if (t->len == 0 || !integer_is_minimal(t))
		return FL_BER_BAD_INTEGER;
	if (t->len > 8)
		return FL_BER_INTEGER_RANGE;
	u = (t->value[0] & 0x80) ? UINT64_MAX : 0;	/* sign extension */
	for (size_t i = 0; i < t->len; i++)
		u = (u << 8) | t->value[i];
	/* Two's complement to int64 without implementation-defined conversion. */
	*out = u <= INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
	return FL_BER_OK;
}

enum fl_ber_verdict fl_ber_int32(const struct fl_ber_tlv *t, int32_t *out)
{
	int64_t v;
	enum fl_ber_verdict verdict = fl_ber_int64(t, &v);

	if (verdict != FL_BER_OK)
		return verdict;
	if (v < INT32_MIN || v > INT32_MAX)
		return FL_BER_INTEGER_RANGE;
	*out = (int32_t)v;
	return FL_BER_OK;
}

/* RFC 2578 §7.1.6-7.1.10: unsigned application types are INTEGERs on the
 * wire, so a value with its high bit set carries a leading 0x00 (Counter64
 * max is 9 octets: 00 ff ff ff ff ff ff ff ff). */
enum fl_ber_verdict fl_ber_uint(const struct fl_ber_tlv *t, unsigned bits, uint64_t *out)
{
	const uint8_t *p = t->value;
	size_t n = t->len;
	uint64_t u = 0;

	if (FL_NEVER(bits != 32 && bits != 64))
		return FL_BER_UNSIGNED_RANGE;
	if (n == 0 || !integer_is_minimal(t))
		return FL_BER_BAD_INTEGER;
	if (p[0] & 0x80)
		return FL_BER_UNSIGNED_RANGE;
	if (p[0] == 0x00 && n > 1) {
		p++;
		n--;
	}
	if (n > bits / 8)
		return FL_BER_UNSIGNED_RANGE;
	for (size_t i = 0; i < n; i++)
		u = (u << 8) | p[i];
	*out = u;
	return FL_BER_OK;
}

/* X.690 §8.19: base-128 sub-identifiers, high bit = "more follows"; the first
 * one holds the first two arcs (40 * X + Y). */
enum fl_ber_verdict fl_ber_oid_check(const uint8_t *p, size_t len)
{
	size_t arcs = 1;	/* the first sub-identifier is two arcs */
	bool at_arc_start = true;
	unsigned bits = 0;	/* significant bits so far in this sub-identifier */

	if (len == 0)
		return FL_BER_BAD_OID;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = p[i];

		if (at_arc_start) {
			if (b == 0x80)
				return FL_BER_BAD_OID;	/* §8.19.2: not the smallest octets */
			bits = 0;
			/* bits of the leading group, ignoring its leading zeros */
			for (uint8_t g = b & 0x7f; g; g >>= 1)
				bits++;
		} else {
			bits += 7;
		}
		if (bits > 64)
			return FL_BER_BAD_OID;
		at_arc_start = !(b & 0x80);
		if (at_arc_start && ++arcs > FL_SNMP_MAX_OID_ARCS)
			return FL_BER_OID_TOO_LONG;
	}
	if (!at_arc_start)
		return FL_BER_BAD_OID;	/* the last sub-identifier never ends */
	return FL_BER_OK;
}

const char *fl_ber_verdict_text(enum fl_ber_verdict v)
{
	if ((unsigned)v >= FL_BER__COUNT)
		return "unknown verdict";
	return verdict_texts[v];
}
