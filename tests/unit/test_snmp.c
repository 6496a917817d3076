#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/decode/event.h"
#include "engine/lib/json.h"
#include "engine/decode/snmp.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* ---- the captured traps ---------------------------------------------------------- */

static const char *traps_dir(char *out, size_t cap)
{
	const char *shared = getenv("FL_SHARED");

	snprintf(out, cap, "%s/data/traps", shared && *shared ? shared : "/work/shared");
	return out;
}

/* Reads a whole file (malloc'd, caller frees); cr_asserts it exists. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	cr_assert(f, "cannot open %s", path);
	cr_assert(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0);
	p = malloc((size_t)n + 1);
	cr_assert(p && fread(p, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	p[n] = 0;
	*len = (size_t)n;
	return p;
}

/* A small JSON canonicalizer for comparing decoder output with expected.jsonl:
 * object members sorted by key, strings unescaped then re-escaped one way,
 * numbers as written. `skip` lists top-level keys to leave out. */
static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *canon(const char *s, struct fl_buf *out, const char *const *skip);

static void put_utf8(struct fl_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		(void)fl_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		(void)fl_buf_addc(b, (char)(0xc0 | (cp >> 6)));
		(void)fl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		(void)fl_buf_addc(b, (char)(0xe0 | (cp >> 12)));
		(void)fl_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		(void)fl_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static const char *canon_string(const char *s, struct fl_buf *out)
{
	cr_assert_eq(*s, '"');
	(void)fl_buf_addc(out, '"');
	for (s++; *s != '"'; s++) {
		cr_assert(*s, "unterminated string");
		if (*s != '\\') {
			(void)fl_buf_addc(out, *s);
			continue;
		}
		s++;
		switch (*s) {
		case 'n': (void)fl_buf_adds(out, "\\n"); break;
		case '"': (void)fl_buf_adds(out, "\\\""); break;
		case '\\': (void)fl_buf_adds(out, "\\\\"); break;
		case 'u': {
			unsigned cp = 0;

			cr_assert(sscanf(s + 1, "%4x", &cp) == 1);
			s += 4;
			put_utf8(out, cp);	/* the samples hold no surrogate pairs */
			break;
		}
		default: (void)fl_buf_addc(out, *s); break;
		}
	}
	(void)fl_buf_addc(out, '"');
	return s + 1;
}

struct member {
	char *key, *text;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

/* key is canonical, quotes included */
static bool skipped(const char *key, const char *const *skip)
{
	for (; skip && *skip; skip++) {
		size_t n = strlen(*skip);

		if (strncmp(key + 1, *skip, n) == 0 && key[n + 1] == '"' && key[n + 2] == '\0')
			return true;
	}
	return false;
}

static const char *canon_object(const char *s, struct fl_buf *out, const char *const *skip)
{
	struct member m[64];
	size_t n = 0;

	s = ws(s + 1);
	while (*s != '}') {
		struct fl_buf k, v;

		fl_buf_init(&k, 1 << 16);
		fl_buf_init(&v, 1 << 20);
		s = ws(canon_string(s, &k));
		cr_assert_eq(*s, ':');
		s = ws(canon(ws(s + 1), &v, NULL));
		cr_assert(n < 64);
		if (skipped(k.p, skip)) {
			fl_buf_free(&k);
			fl_buf_free(&v);
		} else {
			m[n].key = k.p;
			m[n++].text = v.p ? v.p : strdup("");
		}
		if (*s == ',')
			s = ws(s + 1);
	}
	qsort(m, n, sizeof(m[0]), by_key);
	(void)fl_buf_addc(out, '{');
	for (size_t i = 0; i < n; i++) {
		(void)fl_buf_printf(out, "%s%s:%s", i ? "," : "", m[i].key, m[i].text);
		free(m[i].key);
		free(m[i].text);
	}
	(void)fl_buf_addc(out, '}');
	return s + 1;
}

static const char *canon(const char *s, struct fl_buf *out, const char *const *skip)
{
	s = ws(s);
	if (*s == '{')
		return canon_object(s, out, skip);
	if (*s == '"')
		return canon_string(s, out);
	if (*s == '[') {
		bool first = true;

		(void)fl_buf_addc(out, '[');
		for (s = ws(s + 1); *s != ']';) {
			if (!first)
				(void)fl_buf_addc(out, ',');
			first = false;
			s = ws(canon(s, out, NULL));
			if (*s == ',')
				s = ws(s + 1);
		}
		(void)fl_buf_addc(out, ']');
		return s + 1;
	}
	/* number, true, false, null: copied as written */
	const char *start = s;

	while (*s && strchr(",]} \t\r\n", *s) == NULL)
		s++;
	cr_assert(s > start, "bad JSON at '%.20s'", start);
	(void)fl_buf_add(out, start, (size_t)(s - start));
	return s;
}

static char *render(const struct fl_event *ev)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 1 << 20);
	fl_json_init(&j, &b);
	fl_json_obj_begin(&j);
	fl_snmp_json_fields(&j, ev);
	fl_json_obj_end(&j);
	cr_assert(!fl_json_failed(&j));
	return b.p;
}

static char *canonical(const char *json, const char *const *skip)
{
	struct fl_buf b;

	fl_buf_init(&b, 1 << 20);
	canon(json, &b, skip);
	cr_assert(!b.overflowed);
	return b.p;
}

/* Every line of expected.jsonl, with its name; calls fn for each. */
static size_t each_capture(void (*fn)(const char *name, const char *expected_line,
				      const uint8_t *dgram, size_t len))
{
	char dir[512], path[1024], *save = NULL, *all;
	size_t len, n = 0;

	snprintf(path, sizeof(path), "%s/expected.jsonl", traps_dir(dir, sizeof(dir)));
	all = (char *)slurp(path, &len);
	for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		const char *at = strstr(line, "\"name\": \"");
		uint8_t *dgram;
		size_t dlen;

		cr_assert(at && sscanf(at + 9, "%127[^\"]", name) == 1, "no name in %s", line);
		snprintf(path, sizeof(path), "%s/raw/%s.bin", dir, name);
		dgram = slurp(path, &dlen);
		fn(name, line, dgram, dlen);
		free(dgram);
		n++;
	}
	free(all);
	return n;
}

static void check_capture(const char *name, const char *line, const uint8_t *dgram, size_t len)
{
	static const char *const skip_expected[] = {"name", "note", NULL};
	static const char *const skip_got[] = {"request_id", "trap", "text", NULL};
	struct fl_event *ev = calloc(1, sizeof(*ev));
	enum fl_snmp_verdict v;
	char *got, *want, *have;

	ev->received_ns = 1234;
	v = fl_snmp_decode(ev, dgram, len);
	cr_assert_eq(v, FL_SNMP_OK, "%s: %s", name, fl_snmp_verdict_text(v));
	cr_expect_eq(ev->kind, FL_EVENT_TRAP, "%s", name);
	cr_expect_eq(ev->error, 0, "%s", name);
	cr_expect_null(ev->error_reason, "%s", name);
	cr_expect_eq((const void *)ev->raw.p, (const void *)dgram, "%s: raw", name);
	cr_expect_eq(ev->raw.len, len, "%s: raw length", name);
	cr_expect_eq(ev->time_ns, 1234, "%s: no time in a trap: time_ns = received_ns", name);
	got = render(ev);
	want = canonical(line, skip_expected);
	have = canonical(got, skip_got);
	cr_expect_str_eq(have, want, "%s:\n got  %s\n want %s", name, have, want);
	/* v2c: request-id is in the JSON, and the header fields point into the datagram */
	if (ev->trap.version == 1) {
		cr_expect(strstr(got, "\"request_id\":") != NULL, "%s: no request_id", name);
		cr_expect(ev->trap.trap_oid.p >= (const char *)dgram &&
				  ev->trap.trap_oid.p < (const char *)dgram + len,
			  "%s: trap_oid not a slice of the datagram", name);
	}
	free(got);
	free(want);
	free(have);
	free(ev);
}

Test(snmp, decodes_every_capture_to_its_expected_json, .timeout = 30)
{
	cr_expect_eq(each_capture(check_capture), 9u, "expected.jsonl lists 9 captures");
}

static void check_every_cut(const char *name, const char *line, const uint8_t *dgram, size_t len)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));

	(void)line;
	for (size_t cut = 0; cut < len; cut++) {
		/* a copy of exactly `cut` bytes, so ASan sees any read past it */
		uint8_t *p = malloc(cut ? cut : 1);
		enum fl_snmp_verdict v;

		memcpy(p, dgram, cut);
		v = fl_snmp_decode(ev, p, cut);
		cr_expect_eq(v, FL_SNMP_TRUNCATED, "%s cut at %zu: %s", name, cut,
			     fl_snmp_verdict_text(v));
		cr_expect_eq(ev->error, (int)v, "%s cut at %zu: error not set", name, cut);
		cr_expect_not_null(ev->error_reason, "%s cut at %zu", name, cut);
		free(p);
	}
	free(ev);
}

Test(snmp, truncating_each_capture_at_every_length_gives_truncated, .timeout = 60)
{
	cr_expect_eq(each_capture(check_every_cut), 9u);
}

Test(snmp, copies_the_v1_and_v2c_header_fields)
{
	char dir[512], path[1024];
	struct fl_event *ev = calloc(1, sizeof(*ev));
	uint8_t *d;
	size_t len;

	snprintf(path, sizeof(path), "%s/raw/03-v1-enterprise.bin", traps_dir(dir, sizeof(dir)));
	d = slurp(path, &len);
	cr_assert_eq(fl_snmp_decode(ev, d, len), FL_SNMP_OK);
	cr_expect_eq(ev->trap.version, 0);
	cr_expect_eq(ev->trap.pdu, FL_SNMP_PDU_TRAP_V1);
	cr_expect_arr_eq(ev->trap.agent_addr, ((uint8_t[]){10, 22, 18, 2}), 4);
	cr_expect_eq(ev->trap.generic_trap, 6);
	cr_expect_eq(ev->trap.specific_trap, 1001);
	cr_expect_eq(ev->trap.time_stamp, 4242424u);
	cr_expect(!ev->trap.has_uptime);
	cr_expect(!fl_str_present(ev->trap.trap_oid), "v1 has no snmpTrapOID");
	cr_expect_eq(ev->trap.n_varbinds, 4);
	free(d);

	snprintf(path, sizeof(path), "%s/raw/04-v2c-linkdown.bin", dir);
	d = slurp(path, &len);
	cr_assert_eq(fl_snmp_decode(ev, d, len), FL_SNMP_OK);
	cr_expect_eq(ev->trap.request_id, 0x58491751); /* bytes 02 04 58 49 17 51 */
	cr_expect(ev->trap.has_uptime);
	cr_expect_eq(ev->trap.uptime, 360000u);
	cr_expect_eq(ev->trap.trap_oid.len, 9u);
	cr_expect(memcmp(ev->trap.trap_oid.p, "\x2b\x06\x01\x06\x03\x01\x01\x05\x03", 9) == 0);
	cr_expect(fl_snmp_community_allowed(ev->trap.community, "ops\0public\0"));
	cr_expect(!fl_snmp_community_allowed(ev->trap.community, "ops\0publi\0"));
	cr_expect(!fl_snmp_community_allowed(ev->trap.community, ""));
	free(d);
	free(ev);
}

/* ---- hand-made datagrams, one per verdict ---------------------------------------- */

struct bld {
	uint8_t b[8192];
	size_t n;
};

static void add(struct bld *x, const void *p, size_t n)
{
	cr_assert(n <= sizeof(x->b) - x->n);
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static void add_tlv(struct bld *x, uint8_t tag, const void *p, size_t n)
{
	uint8_t h[4] = {tag};
	size_t hn = 2;

	if (n < 0x80) {
		h[1] = (uint8_t)n;
	} else if (n < 0x100) {
		h[1] = 0x81;
		h[2] = (uint8_t)n;
		hn = 3;
	} else {
		h[1] = 0x82;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		hn = 4;
	}
	add(x, h, hn);
	add(x, p, n);
}

/* Varbind 1.3.6.1.4.1.32473.1.<arc> = value TLV (raw octets given). */
static void add_vb(struct bld *x, uint8_t arc, const uint8_t *value_tlv, size_t n)
{
	struct bld vb = {.n = 0};
	const uint8_t oid[] = {0x2b, 6, 1, 4, 1, 0x81, 0xfd, 0x59, 1, arc};

	add_tlv(&vb, 0x06, oid, sizeof(oid));
	add(&vb, value_tlv, n);
	add_tlv(x, 0x30, vb.b, vb.n);
}

static const uint8_t vb_uptime[] = {0x30, 0x0d, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 3, 0,
				    0x43, 0x01, 0x05};
static const uint8_t vb_trap_oid[] = {0x30, 0x17, 0x06, 0x0a, 0x2b, 6, 1, 6, 3, 1, 1, 4, 1, 0,
				      0x06, 0x09, 0x2b, 6, 1, 6, 3, 1, 1, 5, 3};

/* SEQUENCE { version, "public", pdu_tag { 1, 0, 0, SEQUENCE { vbs } } } */
static void message(struct bld *out, uint8_t version, uint8_t pdu_tag, const struct bld *vbs)
{
	struct bld pdu = {.n = 0}, msg = {.n = 0};

	add(&pdu, B(0x02, 0x01, 0x2a, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00));
	add_tlv(&pdu, 0x30, vbs->b, vbs->n);
	add(&msg, B(0x02, 0x01, version));
	add_tlv(&msg, 0x04, "public", 6);
	add_tlv(&msg, pdu_tag, pdu.b, pdu.n);
	out->n = 0;
	add_tlv(out, 0x30, msg.b, msg.n);
}

/* A v2c trap: sysUpTime.0, snmpTrapOID.0, then one varbind of the given value. */
static void trap_with(struct bld *out, uint8_t pdu_tag, const uint8_t *value_tlv, size_t n)
{
	struct bld vbs = {.n = 0};

	add(&vbs, vb_uptime, sizeof(vb_uptime));
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	add_vb(&vbs, 1, value_tlv, n);
	message(out, 1, pdu_tag, &vbs);
}

struct value_row {
	const char *name;
	const uint8_t *tlv;
	size_t len;
	enum fl_snmp_verdict verdict;
	const char *json;	/* the varbind's "type" and "value" members */
};

static const struct value_row value_rows[] = {
	{"INTEGER 64-bit", B(0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0), FL_SNMP_OK,
	 "\"type\":\"INTEGER\",\"value\":-9223372036854775808"},
	{"INTEGER of 9 octets", B(0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0),
	 FL_SNMP_INTEGER_RANGE, NULL},
	{"INTEGER non-minimal", B(0x02, 0x02, 0x00, 0x05), FL_SNMP_BAD_INTEGER, NULL},
	{"NULL", B(0x05, 0x00), FL_SNMP_OK, "\"type\":\"NULL\",\"value\":null"},
	{"NULL with content", B(0x05, 0x01, 0x00), FL_SNMP_BAD_NULL, NULL},
	{"IpAddress", B(0x40, 0x04, 192, 0, 2, 1), FL_SNMP_OK,
	 "\"type\":\"IpAddress\",\"value\":\"192.0.2.1\""},
	{"IpAddress of 5 octets", B(0x40, 0x05, 1, 2, 3, 4, 5), FL_SNMP_BAD_IPADDRESS, NULL},
	{"IpAddress of 16 octets", B(0x40, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
	 FL_SNMP_BAD_IPADDRESS, NULL},
	{"Gauge32 max", B(0x42, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff), FL_SNMP_OK,
	 "\"type\":\"Gauge32\",\"value\":4294967295"},
	{"Counter32 beyond 32 bits", B(0x41, 0x05, 0x01, 0, 0, 0, 0), FL_SNMP_UNSIGNED_RANGE,
	 NULL},
	{"TimeTicks negative", B(0x43, 0x01, 0x80), FL_SNMP_UNSIGNED_RANGE, NULL},
	{"Counter64 max", B(0x46, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	 FL_SNMP_OK, "\"type\":\"Counter64\",\"value\":18446744073709551615"},
	{"Counter64 beyond 64 bits", B(0x46, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0),
	 FL_SNMP_UNSIGNED_RANGE, NULL},
	{"Opaque (a wrapped float)", B(0x44, 0x07, 0x9f, 0x78, 0x04, 0x3f, 0x80, 0x00, 0x00),
	 FL_SNMP_OK, "\"type\":\"Opaque\",\"value\":{\"hex\":\"9f78043f800000\"}"},
	{"OID value, arc of 2^64-1",
	 B(0x06, 0x0b, 0x2b, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
	 FL_SNMP_OK, "\"type\":\"OBJECT IDENTIFIER\",\"value\":\"1.3.18446744073709551615\""},
	{"OID value with a 0x80-led arc", B(0x06, 0x03, 0x2b, 0x80, 0x01), FL_SNMP_BAD_OID, NULL},
	{"OID value first arc 2, large second", B(0x06, 0x02, 0x88, 0x37), FL_SNMP_OK,
	 "\"type\":\"OBJECT IDENTIFIER\",\"value\":\"2.999\""},
	{"OCTET STRING binary", B(0x04, 0x02, 0xc0, 0xaf), FL_SNMP_OK,
	 "\"type\":\"OCTET STRING\",\"value\":{\"hex\":\"c0af\"}"},
	{"OCTET STRING empty", B(0x04, 0x00), FL_SNMP_OK,
	 "\"type\":\"OCTET STRING\",\"value\":\"\""},
	{"OCTET STRING constructed", B(0x24, 0x04, 0x04, 0x02, 'h', 'i'), FL_SNMP_UNKNOWN_TYPE,
	 NULL},
	{"noSuchObject", B(0x80, 0x00), FL_SNMP_OK, "\"type\":\"noSuchObject\",\"value\":null"},
	{"noSuchInstance", B(0x81, 0x00), FL_SNMP_OK,
	 "\"type\":\"noSuchInstance\",\"value\":null"},
	{"endOfMibView", B(0x82, 0x00), FL_SNMP_OK, "\"type\":\"endOfMibView\",\"value\":null"},
	{"endOfMibView with content", B(0x82, 0x01, 0x00), FL_SNMP_BAD_NULL, NULL},
	{"UInteger32 (obsolete 0x47)", B(0x47, 0x01, 0x01), FL_SNMP_UNKNOWN_TYPE, NULL},
	{"NsapAddress (SMIv1 0x45)", B(0x45, 0x01, 0x01), FL_SNMP_UNKNOWN_TYPE, NULL},
	{"value truncated", B(0x04, 0x05, 'a'), FL_SNMP_TRUNCATED, NULL},
	{"indefinite length value", B(0x04, 0x80, 'a', 0, 0), FL_SNMP_INDEFINITE_LENGTH, NULL},
};

Test(snmp, decodes_every_varbind_type_from_the_table)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));

	for (size_t i = 0; i < sizeof(value_rows) / sizeof(value_rows[0]); i++) {
		const struct value_row *r = &value_rows[i];
		struct bld m;
		enum fl_snmp_verdict v;

		trap_with(&m, 0xa7, r->tlv, r->len);
		v = fl_snmp_decode(ev, m.b, m.n);
		cr_expect_eq(v, r->verdict, "row %s: %s, want %s", r->name,
			     fl_snmp_verdict_text(v), fl_snmp_verdict_text(r->verdict));
		if (v != FL_SNMP_OK || !r->json)
			continue;
		char *json = render(ev);

		cr_expect(strstr(json, r->json) != NULL, "row %s: %s lacks %s", r->name, json,
			  r->json);
		free(json);
	}
	free(ev);
}

struct message_row {
	const char *name;
	const uint8_t *in;
	size_t len;
	enum fl_snmp_verdict verdict;
};

static const struct message_row message_rows[] = {
	{"empty datagram", NULL, 0, FL_SNMP_TRUNCATED},
	{"not a SEQUENCE", B(0x04, 0x00), FL_SNMP_UNEXPECTED_TAG},
	{"bytes after the message", B(0x30, 0x00, 0x00), FL_SNMP_TRAILING},
	{"indefinite outer length", B(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00),
	 FL_SNMP_INDEFINITE_LENGTH},
	{"SNMPv3", B(0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00), FL_SNMP_SNMPV3},
	{"version 2", B(0x30, 0x05, 0x02, 0x01, 0x02, 0x04, 0x00), FL_SNMP_BAD_VERSION},
	{"version -1", B(0x30, 0x05, 0x02, 0x01, 0xff, 0x04, 0x00), FL_SNMP_BAD_VERSION},
	{"version beyond 32 bits", B(0x30, 0x07, 0x02, 0x05, 0x01, 0, 0, 0, 1),
	 FL_SNMP_INTEGER_RANGE},
	{"community missing", B(0x30, 0x03, 0x02, 0x01, 0x01), FL_SNMP_TRUNCATED},
	{"community not a string", B(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00),
	 FL_SNMP_UNEXPECTED_TAG},
	{"GetRequest", B(0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa0, 0x00),
	 FL_SNMP_NOT_A_TRAP},
	{"Response", B(0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa2, 0x00), FL_SNMP_NOT_A_TRAP},
	{"Report", B(0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa8, 0x00), FL_SNMP_NOT_A_TRAP},
	{"PDU tag 0xa9", B(0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa9, 0x00),
	 FL_SNMP_UNKNOWN_PDU},
	{"v1 message with a v2 trap", B(0x30, 0x07, 0x02, 0x01, 0x00, 0x04, 0x00, 0xa7, 0x00),
	 FL_SNMP_PDU_VERSION_MISMATCH},
	{"v2c message with a v1 trap", B(0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa4, 0x00),
	 FL_SNMP_PDU_VERSION_MISMATCH},
	{"v2c trap, empty PDU", B(0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa7, 0x00),
	 FL_SNMP_TRUNCATED},
	{"bytes after the PDU",
	 B(0x30, 0x09, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa7, 0x00, 0x05, 0x00), FL_SNMP_TRAILING},
	{"v2c trap, no varbinds",
	 B(0x30, 0x12, 0x02, 0x01, 0x01, 0x04, 0x00, 0xa7, 0x0b, 0x02, 0x01, 0x01, 0x02, 0x01,
	   0x00, 0x02, 0x01, 0x00, 0x30, 0x00),
	 FL_SNMP_BAD_TRAP_HEADER},
	{"v1 trap, agent-addr of 3 octets",
	 B(0x30, 0x1a, 0x02, 0x01, 0x00, 0x04, 0x00, 0xa4, 0x13, 0x06, 0x01, 0x2b, 0x40, 0x03, 1,
	   2, 3, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x43, 0x01, 0x00, 0x30, 0x00),
	 FL_SNMP_BAD_IPADDRESS},
	{"v1 trap, no varbinds is fine",
	 B(0x30, 0x1b, 0x02, 0x01, 0x00, 0x04, 0x00, 0xa4, 0x14, 0x06, 0x01, 0x2b, 0x40, 0x04, 1,
	   2, 3, 4, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x43, 0x01, 0x00, 0x30, 0x00),
	 FL_SNMP_OK},
	{"v1 trap, time-stamp as INTEGER",
	 B(0x30, 0x1b, 0x02, 0x01, 0x00, 0x04, 0x00, 0xa4, 0x14, 0x06, 0x01, 0x2b, 0x40, 0x04, 1,
	   2, 3, 4, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00),
	 FL_SNMP_UNEXPECTED_TAG},
	{"v1 trap, bytes after the varbinds",
	 B(0x30, 0x1d, 0x02, 0x01, 0x00, 0x04, 0x00, 0xa4, 0x16, 0x06, 0x01, 0x2b, 0x40, 0x04, 1,
	   2, 3, 4, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x43, 0x01, 0x00, 0x30, 0x00, 0x05, 0x00),
	 FL_SNMP_TRAILING},
};

Test(snmp, gives_each_malformed_message_its_verdict)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));

	for (size_t i = 0; i < sizeof(message_rows) / sizeof(message_rows[0]); i++) {
		const struct message_row *r = &message_rows[i];
		enum fl_snmp_verdict v = fl_snmp_decode(ev, r->in, r->len);

		cr_expect_eq(v, r->verdict, "row %s: %s, want %s", r->name,
			     fl_snmp_verdict_text(v), fl_snmp_verdict_text(r->verdict));
		cr_expect_eq(ev->error, (int)r->verdict, "row %s: ev->error", r->name);
	}
	free(ev);
}

Test(snmp, checks_the_v2c_trap_header_varbinds)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct bld vbs = {.n = 0}, m;
	static const uint8_t uptime_as_integer[] = {0x30, 0x0d, 0x06, 0x08, 0x2b, 6, 1, 2, 1,
						    1, 3, 0, 0x02, 0x01, 0x05};

	/* no sysUpTime.0: accepted, has_uptime false, no "uptime" in JSON */
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	message(&m, 1, 0xa7, &vbs);
	cr_assert_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_OK);
	cr_expect(!ev->trap.has_uptime);
	cr_expect_eq(ev->trap.trap_oid.len, 9u);
	char *json = render(ev);

	cr_expect(strstr(json, "\"uptime\"") == NULL, "%s", json);
	cr_expect(strstr(json, "\"snmpTrapOID\":\"1.3.6.1.6.3.1.1.5.3\"") != NULL, "%s", json);
	free(json);

	/* the two header varbinds swapped */
	vbs.n = 0;
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	add(&vbs, vb_uptime, sizeof(vb_uptime));
	message(&m, 1, 0xa7, &vbs);
	cr_expect_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_OK, "snmpTrapOID.0 first is accepted");

	/* sysUpTime.0 alone */
	vbs.n = 0;
	add(&vbs, vb_uptime, sizeof(vb_uptime));
	message(&m, 1, 0xa6, &vbs);
	cr_expect_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_BAD_TRAP_HEADER);

	/* sysUpTime.0 of the wrong type */
	vbs.n = 0;
	add(&vbs, uptime_as_integer, sizeof(uptime_as_integer));
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	message(&m, 1, 0xa7, &vbs);
	cr_expect_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_BAD_TRAP_HEADER);

	/* a varbind before them */
	vbs.n = 0;
	add_vb(&vbs, 1, B(0x05, 0x00));
	add(&vbs, vb_uptime, sizeof(vb_uptime));
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	message(&m, 1, 0xa7, &vbs);
	cr_expect_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_BAD_TRAP_HEADER);
	free(ev);
}

Test(snmp, rejects_a_trap_with_one_varbind_too_many)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct bld vbs = {.n = 0}, m;

	add(&vbs, vb_uptime, sizeof(vb_uptime));
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	for (size_t i = 2; i < FL_EVENT_MAX_VARBINDS; i++)
		add_vb(&vbs, (uint8_t)i, B(0x02, 0x01, 0x07));
	message(&m, 1, 0xa7, &vbs);
	cr_assert_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_OK, "exactly the cap");
	cr_expect_eq(ev->trap.n_varbinds, FL_EVENT_MAX_VARBINDS);
	add_vb(&vbs, 99, B(0x02, 0x01, 0x07));
	message(&m, 1, 0xa7, &vbs);
	cr_expect_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_TOO_MANY_VARBINDS);
	free(ev);
}

Test(snmp, rejects_a_varbind_with_a_third_element)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct bld vbs = {.n = 0}, m;

	add(&vbs, vb_uptime, sizeof(vb_uptime));
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	add_vb(&vbs, 1, B(0x05, 0x00, 0x05, 0x00));
	message(&m, 1, 0xa7, &vbs);
	cr_expect_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_TRAILING);
	free(ev);
}

/* ---- the inform Response --------------------------------------------------------- */

static void expect_response_of(const uint8_t *inform, size_t len, const char *what)
{
	struct fl_event *ev = calloc(1, sizeof(*ev)), *back = calloc(1, sizeof(*ev));
	uint8_t out[8192];
	size_t out_len = 0, ignored = 7;
	char *a, *b;

	cr_assert_eq(fl_snmp_decode(ev, inform, len), FL_SNMP_OK, "%s", what);
	cr_assert_eq(fl_snmp_encode_response(ev, out, sizeof(out), &out_len), 0, "%s", what);
	/* The decoder refuses a Response; with its PDU tag turned back into an
	 * inform it must decode to the same trap. */
	cr_expect_eq(fl_snmp_decode(back, out, out_len), FL_SNMP_NOT_A_TRAP, "%s", what);
	/* outer header, version (3 octets), community "public" (8 octets) */
	size_t at = (out[1] < 0x80 ? 2u : 2u + (out[1] & 0x7fu)) + 3 + 8;

	cr_assert_eq(out[at], 0xa2, "%s: no Response-PDU tag", what);
	out[at] = 0xa6;
	cr_assert_eq(fl_snmp_decode(back, out, out_len), FL_SNMP_OK, "%s", what);
	cr_expect_eq(back->trap.request_id, ev->trap.request_id, "%s", what);
	cr_expect_eq(back->trap.error_status, 0, "%s", what);
	cr_expect_eq(back->trap.error_index, 0, "%s", what);
	a = render(ev);
	b = render(back);
	cr_expect_str_eq(a, b, "%s: response varbinds differ", what);
	free(a);
	free(b);
	/* every cap short of the size fails cleanly and leaves out_len alone */
	for (size_t cap = 0; cap < out_len; cap++)
		cr_expect_eq(fl_snmp_encode_response(ev, out, cap, &ignored), -ENOBUFS,
			     "%s: cap %zu", what, cap);
	cr_expect_eq(ignored, 7u, "%s", what);
	free(ev);
	free(back);
}

Test(snmp, answers_the_captured_inform_with_its_own_bytes_but_the_pdu_tag)
{
	char dir[512], path[1024];
	struct fl_event *ev = calloc(1, sizeof(*ev));
	uint8_t out[1024];
	size_t len, out_len;
	uint8_t *d;

	snprintf(path, sizeof(path), "%s/raw/09-v2c-inform.bin", traps_dir(dir, sizeof(dir)));
	d = slurp(path, &len);
	expect_response_of(d, len, "09-v2c-inform");
	cr_assert_eq(fl_snmp_decode(ev, d, len), FL_SNMP_OK);
	cr_assert_eq(fl_snmp_encode_response(ev, out, sizeof(out), &out_len), 0);
	/* net-snmp encodes minimally too: only the PDU tag differs (0xa6 -> 0xa2) */
	cr_assert_eq(out_len, len);
	cr_expect_eq(out[13], 0xa2);
	d[13] = 0xa2;
	cr_expect(memcmp(out, d, len) == 0, "response differs from the inform beyond its tag");
	free(d);
	free(ev);
}

Test(snmp, round_trips_an_inform_with_every_value_type)
{
	struct bld vbs = {.n = 0}, m;
	uint8_t arc = 1;

	add(&vbs, vb_uptime, sizeof(vb_uptime));
	add(&vbs, vb_trap_oid, sizeof(vb_trap_oid));
	for (size_t i = 0; i < sizeof(value_rows) / sizeof(value_rows[0]); i++)
		if (value_rows[i].verdict == FL_SNMP_OK)
			add_vb(&vbs, arc++, value_rows[i].tlv, value_rows[i].len);
	add_vb(&vbs, arc++, B(0x02, 0x01, 0x80));			/* -128 */
	add_vb(&vbs, arc++, B(0x02, 0x02, 0x00, 0x80));			/* 128 */
	add_vb(&vbs, arc++, B(0x41, 0x01, 0x00));			/* Counter32 0 */
	add_vb(&vbs, arc++, B(0x43, 0x02, 0x00, 0x80));			/* TimeTicks 128 */
	/* a string long enough for two length octets */
	char big[300];
	struct bld s = {.n = 0};

	memset(big, 'x', sizeof(big));
	add_tlv(&s, 0x04, big, sizeof(big));
	add_vb(&vbs, arc++, s.b, s.n);
	message(&m, 1, 0xa6, &vbs);
	expect_response_of(m.b, m.n, "every type");
}

Test(snmp, refuses_to_answer_anything_but_a_decoded_inform)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct bld m;
	uint8_t out[512];
	size_t out_len = 0;

	trap_with(&m, 0xa7, B(0x05, 0x00));
	cr_assert_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_OK);
	cr_expect_eq(fl_snmp_encode_response(ev, out, sizeof(out), &out_len), -EINVAL, "a trap");
	trap_with(&m, 0xa6, B(0x04, 0x05, 'a'));
	cr_assert_eq(fl_snmp_decode(ev, m.b, m.n), FL_SNMP_TRUNCATED);
	ev->trap.pdu = FL_SNMP_PDU_INFORM;
	cr_expect_eq(fl_snmp_encode_response(ev, out, sizeof(out), &out_len), -EINVAL,
		     "a failed decode");
	cr_expect_eq(out_len, 0u);
	free(ev);
}

/* ---- OID text -------------------------------------------------------------------- */

struct oid_text_row {
	const char *text;
	const uint8_t *ber;
	size_t len;
};

static const struct oid_text_row oid_text_rows[] = {
	{"1.3.6.1.4.1.32473.1.2.0.1", B(0x2b, 6, 1, 4, 1, 0x81, 0xfd, 0x59, 1, 2, 0, 1)},
	{"0.0", B(0x00)},
	{"0.39", B(0x27)},
	{"1.0", B(0x28)},
	{"2.0", B(0x50)},
	{"2.999.3", B(0x88, 0x37, 0x03)},
	{"1.3.127.128.16383.16384", B(0x2b, 0x7f, 0x81, 0x00, 0xff, 0x7f, 0x81, 0x80, 0x00)},
	{"1.3.18446744073709551615",
	 B(0x2b, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)},
};

Test(snmp, formats_and_parses_oids_from_the_table)
{
	for (size_t i = 0; i < sizeof(oid_text_rows) / sizeof(oid_text_rows[0]); i++) {
		const struct oid_text_row *r = &oid_text_rows[i];
		char text[FL_OID_TEXT_MAX];
		uint8_t ber[256];
		ssize_t n;

		n = fl_oid_format(fl_str_make((const char *)r->ber, r->len), text, sizeof(text));
		cr_expect_eq(n, (ssize_t)strlen(r->text), "row %s: format length %zd", r->text, n);
		if (n >= 0)
			cr_expect_str_eq(text, r->text, "row %s", r->text);
		n = fl_oid_parse(r->text, ber, sizeof(ber));
		cr_expect_eq(n, (ssize_t)r->len, "row %s: parse length %zd", r->text, n);
		if (n == (ssize_t)r->len)
			cr_expect(memcmp(ber, r->ber, r->len) == 0, "row %s: octets", r->text);
		/* every buffer one byte too small is refused, never overrun */
		cr_expect_eq(fl_oid_format(fl_str_make((const char *)r->ber, r->len), text,
					   strlen(r->text)),
			     -ENOBUFS, "row %s: format cap", r->text);
		cr_expect_eq(fl_oid_parse(r->text, ber, r->len - 1), -ENOBUFS,
			     "row %s: parse cap", r->text);
	}
	cr_expect_eq(fl_oid_parse(".1.3.6", (uint8_t[8]){0}, 8), 2, "leading dot");
}

Test(snmp, rejects_bad_oid_text_and_octets)
{
	static const char *const bad[] = {
		"", "1", "3.1", "1.40", "0.40", "1..3", "1.3.", "1.3.a", "1.03",
		"1.3.18446744073709551616", "-1.3", "1.3 ", "..1.3",
	};
	uint8_t ber[64];
	char text[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(fl_oid_parse(bad[i], ber, sizeof(ber)), -EINVAL, "'%s'", bad[i]);
	cr_expect_eq(fl_oid_format(fl_str_make("\x2b\x80\x01", 3), text, sizeof(text)), -EINVAL);
	cr_expect_eq(fl_oid_format(FL_STR_NONE, text, sizeof(text)), -EINVAL);
	cr_expect_eq(fl_oid_format(fl_str_make("\x2b", 1), text, 0), -ENOBUFS);
}

Test(snmp, parses_and_formats_the_longest_oid)
{
	char text[FL_OID_TEXT_MAX], *t = text;
	uint8_t ber[FL_SNMP_MAX_OID_ARCS * 10];
	char back[FL_OID_TEXT_MAX];
	ssize_t n;

	t += sprintf(t, "2.18446744073709551535"); /* 40 * 2 + this = 2^64-1 */
	for (size_t i = 2; i < FL_SNMP_MAX_OID_ARCS; i++)
		t += sprintf(t, ".18446744073709551615");
	n = fl_oid_parse(text, ber, sizeof(ber));
	cr_assert_gt(n, 0);
	cr_expect_eq(fl_oid_format(fl_str_make((const char *)ber, (size_t)n), back, sizeof(back)),
		     (ssize_t)strlen(text));
	cr_expect_str_eq(back, text);
	sprintf(t, ".1");
	cr_expect_eq(fl_oid_parse(text, ber, sizeof(ber)), -EINVAL, "129 arcs");
}

Test(snmp, names_every_verdict_and_type)
{
	for (int v = 0; v < FL_SNMP__COUNT; v++) {
		cr_expect(strlen(fl_snmp_verdict_text((enum fl_snmp_verdict)v)) > 1, "%d", v);
		cr_expect(strlen(fl_snmp_verdict_name((enum fl_snmp_verdict)v)) > 1, "%d", v);
	}
	cr_expect_str_eq(fl_snmp_verdict_name(FL_SNMP_TOO_MANY_VARBINDS), "TOO_MANY_VARBINDS");
	cr_expect_str_eq(fl_snmp_verdict_text(FL_SNMP_TRUNCATED),
			 fl_ber_verdict_text(FL_BER_TRUNCATED));
	for (int t = FL_VB_INTEGER; t <= FL_VB_END_OF_MIB_VIEW; t++)
		cr_expect_str_neq(fl_snmp_type_name((enum fl_varbind_type)t), "unknown", "%d", t);
}

/* The agent a trap is about: a v1 trap's agent-addr, else the
 * snmpTrapAddress.0 a forwarder adds (RFC 3584 §3.1), else none (the
 * sender is the agent). */
Test(snmp, finds_the_agent_a_trap_names)
{
	static const uint8_t trap_address[] = {0x2b, 6, 1, 6, 3, 18, 1, 3, 0};
	static const uint8_t other_oid[] = {0x2b, 6, 1, 6, 3, 18, 1, 4, 0};
	static const uint8_t ip[4] = {10, 71, 2, 2}, zero[4] = {0};
	struct fl_trap t = {.version = 0, .agent_addr = {10, 71, 1, 2}};
	uint8_t out[4];

	cr_assert(fl_snmp_trap_agent(&t, out));
	cr_expect_arr_eq(out, t.agent_addr, 4, "a v1 trap's agent-addr");
	memset(t.agent_addr, 0, 4);
	cr_expect_not(fl_snmp_trap_agent(&t, out), "0.0.0.0 names no agent");
	t = (struct fl_trap){.version = 1, .n_varbinds = 3};
	t.varbinds[0] = (struct fl_varbind){.oid = fl_str_make((const char *)other_oid, 9),
					    .type = FL_VB_IPADDRESS,
					    .bytes = fl_str_make((const char *)zero, 4)};
	t.varbinds[1] = (struct fl_varbind){.oid = fl_str_make((const char *)trap_address, 9),
					    .type = FL_VB_OCTET_STRING,
					    .bytes = fl_str_make("10.7", 4)};
	cr_expect_not(fl_snmp_trap_agent(&t, out), "no IpAddress at snmpTrapAddress.0");
	t.varbinds[2] = (struct fl_varbind){.oid = fl_str_make((const char *)trap_address, 9),
					    .type = FL_VB_IPADDRESS,
					    .bytes = fl_str_make((const char *)ip, 4)};
	cr_assert(fl_snmp_trap_agent(&t, out), "a forwarded v2c trap");
	cr_expect_arr_eq(out, ip, 4);
}
