#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "engine/decode/ber.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* ---- one TLV: every length form ------------------------------------------------- */

struct tlv_row {
	const char *name;
	const uint8_t *in;
	size_t len;
	enum fl_ber_verdict verdict;
	uint8_t tag;
	size_t value_len, value_off;	/* where the content starts in `in` */
};

static const struct tlv_row tlv_rows[] = {
	{"short form", B(0x04, 0x02, 'h', 'i'), FL_BER_OK, 0x04, 2, 2},
	{"short form, empty content", B(0x04, 0x00), FL_BER_OK, 0x04, 0, 2},
	{"short form 127, content missing", B(0x04, 0x7f), FL_BER_TRUNCATED, 0, 0, 0},
	{"long form, one octet", B(0x04, 0x81, 0x01, 'x'), FL_BER_OK, 0x04, 1, 3},
	{"long form, two octets", B(0x04, 0x82, 0x00, 0x02, 'a', 'b'), FL_BER_OK, 0x04, 2, 4},
	{"long form, four octets non-minimal (RFC 3417 §8 allows)",
	 B(0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 'z'), FL_BER_OK, 0x04, 1, 6},
	{"long form, one octet saying zero", B(0x05, 0x81, 0x00), FL_BER_OK, 0x05, 0, 3},
	{"indefinite length", B(0x30, 0x80, 0x00, 0x00), FL_BER_INDEFINITE_LENGTH, 0, 0, 0},
	{"five length octets", B(0x04, 0x85, 0, 0, 0, 0, 1, 'x'), FL_BER_BAD_LENGTH, 0, 0, 0},
	{"reserved 0xff length", B(0x04, 0xff, 0x01), FL_BER_BAD_LENGTH, 0, 0, 0},
	{"huge four-octet length", B(0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 'x'), FL_BER_TRUNCATED,
	 0, 0, 0},
	{"length one past the end", B(0x04, 0x03, 'a', 'b'), FL_BER_TRUNCATED, 0, 0, 0},
	{"length octets cut", B(0x04, 0x82, 0x01), FL_BER_TRUNCATED, 0, 0, 0},
	{"tag only", B(0x02), FL_BER_TRUNCATED, 0, 0, 0},
	{"multi-octet tag number", B(0x1f, 0x81, 0x01, 0x00), FL_BER_HIGH_TAG, 0, 0, 0},
	{"context tag with long form", B(0xa7, 0x81, 0x80), FL_BER_TRUNCATED, 0, 0, 0},
};

Test(ber, reads_every_length_form_from_the_table)
{
	for (size_t i = 0; i < sizeof(tlv_rows) / sizeof(tlv_rows[0]); i++) {
		const struct tlv_row *r = &tlv_rows[i];
		struct fl_ber c;
		struct fl_ber_tlv t = {0};
		enum fl_ber_verdict v;

		fl_ber_init(&c, r->in, r->len);
		v = fl_ber_next(&c, &t);
		cr_expect_eq(v, r->verdict, "row %s: verdict %s, want %s", r->name,
			     fl_ber_verdict_text(v), fl_ber_verdict_text(r->verdict));
		if (v != FL_BER_OK) {
			cr_expect_eq(c.p, r->in, "row %s: cursor moved on failure", r->name);
			continue;
		}
		cr_expect_eq(t.tag, r->tag, "row %s: tag", r->name);
		cr_expect_eq(t.len, r->value_len, "row %s: length", r->name);
		cr_expect_eq(t.value, r->in + r->value_off, "row %s: content offset", r->name);
		cr_expect(fl_ber_at_end(&c), "row %s: cursor not after the element", r->name);
	}
}

Test(ber, reports_truncation_at_every_cut_of_a_nested_message)
{
	/* SEQUENCE { INTEGER 1, OCTET STRING "public" } with a long-form length */
	static const uint8_t msg[] = {0x30, 0x81, 0x0b, 0x02, 0x01, 0x01, 0x04, 0x06,
				      'p',  'u',  'b',  'l',  'i',  'c'};

	for (size_t cut = 0; cut < sizeof(msg); cut++) {
		struct fl_ber c, inner;
		struct fl_ber_tlv t;

		fl_ber_init(&c, msg, cut);
		cr_expect_eq(fl_ber_enter(&c, FL_BER_SEQUENCE, &inner), FL_BER_TRUNCATED,
			     "cut at %zu", cut);
		cr_expect_eq(c.p, msg, "cut at %zu: cursor moved", cut);
		/* the inner elements, cut the same way, never read past the cut */
		if (cut > 3) {
			fl_ber_init(&c, msg + 3, cut - 3);
			enum fl_ber_verdict v = fl_ber_next(&c, &t);

			if (v == FL_BER_OK)
				v = fl_ber_next(&c, &t);
			cr_expect_eq(v, FL_BER_TRUNCATED, "inner cut at %zu", cut);
		}
	}
	{
		struct fl_ber c, inner;
		struct fl_ber_tlv t;

		fl_ber_init(&c, msg, sizeof(msg));
		cr_assert_eq(fl_ber_enter(&c, FL_BER_SEQUENCE, &inner), FL_BER_OK);
		cr_expect_eq(inner.depth, 1u);
		cr_expect_eq(fl_ber_expect(&inner, FL_BER_INTEGER, &t), FL_BER_OK);
		cr_expect_eq(fl_ber_expect(&inner, FL_BER_OCTET_STRING, &t), FL_BER_OK);
		cr_expect_eq(t.len, 6u);
		cr_expect(fl_ber_at_end(&inner));
		cr_expect_eq(fl_ber_next(&inner, &t), FL_BER_TRUNCATED, "read past the end");
	}
}

Test(ber, rejects_an_unexpected_tag_without_moving)
{
	static const uint8_t in[] = {0x02, 0x01, 0x05};
	struct fl_ber c, inner;
	struct fl_ber_tlv t;

	fl_ber_init(&c, in, sizeof(in));
	cr_expect_eq(fl_ber_expect(&c, FL_BER_OCTET_STRING, &t), FL_BER_UNEXPECTED_TAG);
	cr_expect_eq(c.p, in);
	cr_expect_eq(fl_ber_enter(&c, FL_BER_SEQUENCE, &inner), FL_BER_UNEXPECTED_TAG);
	cr_expect_eq(c.p, in);
	/* a primitive element cannot be entered even when the tag matches */
	fl_ber_init(&c, in, sizeof(in));
	cr_expect_eq(fl_ber_next(&c, &t), FL_BER_OK);
	cr_expect_eq(fl_ber_open(&c, &t, &inner), FL_BER_UNEXPECTED_TAG);
}

Test(ber, bounds_the_nesting_depth)
{
	uint8_t in[2 * (FL_BER_MAX_DEPTH + 2)];
	struct fl_ber c[FL_BER_MAX_DEPTH + 2];
	size_t n = sizeof(in) / 2;

	/* n nested SEQUENCEs, each holding the rest: 30 2k 30 2(k-1) ... 30 00 */
	for (size_t i = 0; i < n; i++) {
		in[2 * i] = FL_BER_SEQUENCE;
		in[2 * i + 1] = (uint8_t)(2 * (n - i - 1));
	}
	fl_ber_init(&c[0], in, sizeof(in));
	for (size_t d = 0; d < FL_BER_MAX_DEPTH; d++)
		cr_assert_eq(fl_ber_enter(&c[d], FL_BER_SEQUENCE, &c[d + 1]), FL_BER_OK,
			     "depth %zu", d + 1);
	cr_expect_eq(c[FL_BER_MAX_DEPTH].depth, (unsigned)FL_BER_MAX_DEPTH);
	cr_expect_eq(fl_ber_enter(&c[FL_BER_MAX_DEPTH], FL_BER_SEQUENCE,
				  &c[FL_BER_MAX_DEPTH + 1]),
		     FL_BER_TOO_DEEP);
}

Test(ber, treats_an_empty_or_null_slice_as_truncated)
{
	struct fl_ber c;
	struct fl_ber_tlv t;

	fl_ber_init(&c, NULL, 0);
	cr_expect(fl_ber_at_end(&c));
	cr_expect_eq(fl_ber_next(&c, &t), FL_BER_TRUNCATED);
}

/* ---- integers ------------------------------------------------------------------- */

struct int_row {
	const char *name;
	const uint8_t *in;
	size_t len;
	enum fl_ber_verdict v64, v32;
	int64_t value;
};

static const struct int_row int_rows[] = {
	{"zero", B(0x00), FL_BER_OK, FL_BER_OK, 0},
	{"one", B(0x01), FL_BER_OK, FL_BER_OK, 1},
	{"127", B(0x7f), FL_BER_OK, FL_BER_OK, 127},
	{"128 needs a leading zero", B(0x00, 0x80), FL_BER_OK, FL_BER_OK, 128},
	{"-1", B(0xff), FL_BER_OK, FL_BER_OK, -1},
	{"-3", B(0xfd), FL_BER_OK, FL_BER_OK, -3},
	{"-128", B(0x80), FL_BER_OK, FL_BER_OK, -128},
	{"-129", B(0xff, 0x7f), FL_BER_OK, FL_BER_OK, -129},
	{"INT32_MAX", B(0x7f, 0xff, 0xff, 0xff), FL_BER_OK, FL_BER_OK, INT32_MAX},
	{"INT32_MIN", B(0x80, 0x00, 0x00, 0x00), FL_BER_OK, FL_BER_OK, INT32_MIN},
	{"INT32_MAX + 1", B(0x00, 0x80, 0x00, 0x00, 0x00), FL_BER_OK, FL_BER_INTEGER_RANGE,
	 INT64_C(2147483648)},
	{"INT32_MIN - 1", B(0xff, 0x7f, 0xff, 0xff, 0xff), FL_BER_OK, FL_BER_INTEGER_RANGE,
	 INT64_C(-2147483649)},
	{"INT64_MAX", B(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), FL_BER_OK,
	 FL_BER_INTEGER_RANGE, INT64_MAX},
	{"INT64_MIN", B(0x80, 0, 0, 0, 0, 0, 0, 0), FL_BER_OK, FL_BER_INTEGER_RANGE, INT64_MIN},
	{"nine octets", B(0x00, 0x80, 0, 0, 0, 0, 0, 0, 0), FL_BER_INTEGER_RANGE,
	 FL_BER_INTEGER_RANGE, 0},
	{"empty", NULL, 0, FL_BER_BAD_INTEGER, FL_BER_BAD_INTEGER, 0},
	{"redundant leading zero", B(0x00, 0x01), FL_BER_BAD_INTEGER, FL_BER_BAD_INTEGER, 0},
	{"redundant leading 0xff", B(0xff, 0xff), FL_BER_BAD_INTEGER, FL_BER_BAD_INTEGER, 0},
};

Test(ber, decodes_signed_integers_from_the_table)
{
	for (size_t i = 0; i < sizeof(int_rows) / sizeof(int_rows[0]); i++) {
		const struct int_row *r = &int_rows[i];
		struct fl_ber_tlv t = {FL_BER_INTEGER, r->in, r->len};
		int64_t v64 = 42;
		int32_t v32 = 42;

		cr_expect_eq(fl_ber_int64(&t, &v64), r->v64, "row %s: int64 verdict", r->name);
		if (r->v64 == FL_BER_OK)
			cr_expect_eq(v64, r->value, "row %s: int64 value %lld", r->name,
				     (long long)v64);
		else
			cr_expect_eq(v64, 42, "row %s: output written on failure", r->name);
		cr_expect_eq(fl_ber_int32(&t, &v32), r->v32, "row %s: int32 verdict", r->name);
		if (r->v32 == FL_BER_OK)
			cr_expect_eq(v32, r->value, "row %s: int32 value", r->name);
	}
}

struct uint_row {
	const char *name;
	const uint8_t *in;
	size_t len;
	enum fl_ber_verdict v32, v64;
	uint64_t value;
};

static const struct uint_row uint_rows[] = {
	{"zero", B(0x00), FL_BER_OK, FL_BER_OK, 0},
	{"42", B(0x2a), FL_BER_OK, FL_BER_OK, 42},
	{"TimeTicks with a leading zero", B(0x00, 0x83, 0xd5, 0xff), FL_BER_OK, FL_BER_OK,
	 8639999},
	{"UINT32_MAX", B(0x00, 0xff, 0xff, 0xff, 0xff), FL_BER_OK, FL_BER_OK, UINT32_MAX},
	{"UINT32_MAX + 1", B(0x01, 0x00, 0x00, 0x00, 0x00), FL_BER_UNSIGNED_RANGE, FL_BER_OK,
	 UINT64_C(4294967296)},
	{"UINT64_MAX", B(0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	 FL_BER_UNSIGNED_RANGE, FL_BER_OK, UINT64_MAX},
	{"2^64", B(0x01, 0, 0, 0, 0, 0, 0, 0, 0), FL_BER_UNSIGNED_RANGE, FL_BER_UNSIGNED_RANGE,
	 0},
	{"negative (ff ff ff ff is -1)", B(0xff, 0xff, 0xff, 0xff), FL_BER_BAD_INTEGER,
	 FL_BER_BAD_INTEGER, 0},
	{"negative, minimal", B(0x80), FL_BER_UNSIGNED_RANGE, FL_BER_UNSIGNED_RANGE, 0},
	{"redundant leading zero", B(0x00, 0x00, 0x01), FL_BER_BAD_INTEGER, FL_BER_BAD_INTEGER,
	 0},
	{"empty", NULL, 0, FL_BER_BAD_INTEGER, FL_BER_BAD_INTEGER, 0},
};

Test(ber, decodes_unsigned_32_and_64_bit_values_from_the_table)
{
	for (size_t i = 0; i < sizeof(uint_rows) / sizeof(uint_rows[0]); i++) {
		const struct uint_row *r = &uint_rows[i];
		struct fl_ber_tlv t = {FL_BER_COUNTER64, r->in, r->len};
		uint64_t v = 42;

		cr_expect_eq(fl_ber_uint(&t, 32, &v), r->v32, "row %s: 32-bit verdict", r->name);
		if (r->v32 == FL_BER_OK)
			cr_expect_eq(v, r->value, "row %s: 32-bit value", r->name);
		v = 42;
		cr_expect_eq(fl_ber_uint(&t, 64, &v), r->v64, "row %s: 64-bit verdict", r->name);
		if (r->v64 == FL_BER_OK)
			cr_expect_eq(v, r->value, "row %s: 64-bit value", r->name);
		else
			cr_expect_eq(v, 42, "row %s: output written on failure", r->name);
	}
}

/* ---- object identifiers --------------------------------------------------------- */

struct oid_row {
	const char *name;
	const uint8_t *in;
	size_t len;
	enum fl_ber_verdict verdict;
};

static const struct oid_row oid_rows[] = {
	{"1.3.6.1", B(0x2b, 0x06, 0x01), FL_BER_OK},
	{"one sub-identifier (two arcs)", B(0x2b), FL_BER_OK},
	{"32473 in three octets", B(0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59), FL_BER_OK},
	{"arc of exactly 64 bits", B(0x2b, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0x7f),
	 FL_BER_OK},
	{"arc of 65 bits", B(0x2b, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
	 FL_BER_BAD_OID},
	{"empty", NULL, 0, FL_BER_BAD_OID},
	{"arc led by 0x80", B(0x2b, 0x80, 0x01), FL_BER_BAD_OID},
	{"first sub-identifier led by 0x80", B(0x80, 0x2b), FL_BER_BAD_OID},
	{"last arc unterminated", B(0x2b, 0x06, 0x81), FL_BER_BAD_OID},
};

Test(ber, validates_object_identifiers_from_the_table)
{
	for (size_t i = 0; i < sizeof(oid_rows) / sizeof(oid_rows[0]); i++) {
		const struct oid_row *r = &oid_rows[i];

		cr_expect_eq(fl_ber_oid_check(r->in, r->len), r->verdict, "row %s", r->name);
	}
}

Test(ber, caps_the_number_of_oid_arcs)
{
	uint8_t in[FL_SNMP_MAX_OID_ARCS];

	/* one octet holds two arcs: 127 octets = 128 arcs, the cap */
	memset(in, 0x01, sizeof(in));
	in[0] = 0x2b;
	cr_expect_eq(fl_ber_oid_check(in, FL_SNMP_MAX_OID_ARCS - 1), FL_BER_OK);
	cr_expect_eq(fl_ber_oid_check(in, FL_SNMP_MAX_OID_ARCS), FL_BER_OID_TOO_LONG);
}

Test(ber, names_every_verdict)
{
	for (int v = 0; v < FL_BER__COUNT; v++)
		cr_expect(strlen(fl_ber_verdict_text((enum fl_ber_verdict)v)) > 1, "verdict %d", v);
	cr_expect_str_eq(fl_ber_verdict_text(FL_BER__COUNT), "unknown verdict");
}
