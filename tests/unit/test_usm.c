/* test_usm.c - SNMPv3 USM: RFC 3414 §A.3 keys, a datagram net-snmp's
 * snmptrap sent, and hand-built messages for each refusal and the time
 * window of a trap receiver. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/decode/event.h"
#include "engine/decode/snmp.h"
#include "engine/decode/usm.h"

/* snmptrap -v 3 -u noc -e 0x8000000001020304 -l authPriv -a SHA -A maplesyrup
 *          -x AES -X maplesyrup2 127.0.0.1:PORT 4242 1.3.6.1.6.3.1.1.5.3
 *          1.3.6.1.2.1.2.2.1.1.3 i 3 1.3.6.1.2.1.2.2.1.2.3 s ge-0/0/3
 * (net-snmp 5.9.3), as received; also tests/fuzz/corpus/snmpv3/. */
static const uint8_t captured_sha_aes[] = {
  0x30, 0x81, 0xc4, 0x02, 0x01, 0x03, 0x30, 0x11, 0x02, 0x04, 0x5c, 0x08,
  0x51, 0xc5, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x03, 0x02, 0x01,
  0x03, 0x04, 0x31, 0x30, 0x2f, 0x04, 0x08, 0x80, 0x00, 0x00, 0x00, 0x01,
  0x02, 0x03, 0x04, 0x02, 0x01, 0x01, 0x02, 0x03, 0x20, 0xc7, 0x24, 0x04,
  0x03, 0x6e, 0x6f, 0x63, 0x04, 0x0c, 0x15, 0x4d, 0x2a, 0x35, 0x1e, 0xa9,
  0xa6, 0x19, 0x02, 0xc8, 0xf7, 0x55, 0x04, 0x08, 0x49, 0xa2, 0xe9, 0x87,
  0xc4, 0x27, 0xeb, 0xe0, 0x04, 0x79, 0x20, 0x4c, 0xa2, 0xfa, 0x9e, 0x63,
  0x22, 0x0f, 0x99, 0xb0, 0x19, 0x63, 0xbb, 0xf9, 0xf7, 0x4d, 0x1b, 0xed,
  0x01, 0x58, 0xda, 0x70, 0xa3, 0x67, 0xf0, 0x3b, 0x9f, 0x6c, 0x07, 0x7b,
  0x0b, 0x32, 0xa8, 0xb7, 0xac, 0xa0, 0x8b, 0x1b, 0xda, 0xee, 0x60, 0xa7,
  0x3f, 0x25, 0xe9, 0x8f, 0xde, 0x21, 0x6d, 0x5c, 0x4f, 0x2e, 0x67, 0xb1,
  0xb5, 0x91, 0x36, 0x8e, 0x78, 0xf3, 0x4e, 0x08, 0xfa, 0x7e, 0x24, 0xd4,
  0x54, 0x72, 0xe5, 0x25, 0x7d, 0x80, 0x78, 0x50, 0x4c, 0xf8, 0xdf, 0x79,
  0xda, 0xb5, 0x34, 0x3c, 0xbb, 0xc5, 0x6b, 0xe7, 0xe5, 0x31, 0x74, 0xf7,
  0xcf, 0x43, 0xe3, 0x0a, 0x69, 0x92, 0xb5, 0x08, 0x95, 0x77, 0x04, 0x7d,
  0xb8, 0xad, 0x68, 0x03, 0x9d, 0x6d, 0x8b, 0x4e, 0x26, 0x08, 0x2f, 0x1e,
  0xbd, 0x86, 0x23, 0x91, 0x11, 0xd7, 0x5d
};

static const char spec_sha_aes[] = "-e 0x8000000001020304 noc SHA maplesyrup AES maplesyrup2";

static void hex(const char *text, uint8_t *out, size_t *len)
{
	size_t n = strlen(text) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		cr_assert(sscanf(text + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
}

static struct fl_usm *usm_with(const char *spec)
{
	struct fl_usm *u;
	char err[256] = "";

	cr_assert_eq(fl_usm_create(&u), 0);
	if (spec)
		cr_assert_eq(fl_usm_add_user(u, spec, err, sizeof(err)), 0, "%s: %s", spec, err);
	return u;
}

/* ---- keys: RFC 3414 §A.3, and the SHA-2 hashes of RFC 7860 ----------------------- */

struct key_row {
	const char *name;
	enum fl_usm_auth auth;
	const char *ku, *kul; /* "maplesyrup", engine id 00 00 00 00 00 00 00 00 00 00 00 02 */
};

/* MD5 and SHA-1: RFC 3414 §A.3.1 and §A.3.2. RFC 7860 gives no vectors: the
 * SHA-2 rows were computed with Python's hashlib, another implementation of
 * the same §A.2 algorithm. */
static const struct key_row key_rows[] = {
	{"md5 (RFC 3414 A.3.1)", FL_USM_AUTH_MD5, "9faf3283884e92834ebc9847d8edd963",
	 "526f5eed9fcce26f8964c2930787d82b"},
	{"sha1 (RFC 3414 A.3.2)", FL_USM_AUTH_SHA1, "9fb5cc0381497b3793528939ff788d5d79145211",
	 "6695febc9288e36282235fc7151f128497b38f3f"},
	{"sha224", FL_USM_AUTH_SHA224, "282a5867ee9aac639ad59df9572c7d3ac0fbc13a905b6df07dbbf00b",
	 "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674"},
	{"sha256", FL_USM_AUTH_SHA256,
	 "ab51014d1e077f6017df2b12bee5f5aa72993177e9bb569c4dff5a4ca0b4afac",
	 "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"},
	{"sha384", FL_USM_AUTH_SHA384,
	 "e06eccdf2c68a06ed034723c9c26e0db3b669e1e2efed49150b55377a2e98f383c86fb83685744465"
	 "4b287c93f51ff64",
	 "3b298f16164a11184279d5432bf169e2d2a48307de02b3d3f7e2b4f36eb6f0455a53689a3937eea07"
	 "319a633d2ccba78"},
	{"sha512", FL_USM_AUTH_SHA512,
	 "7e4396de5aadc77be853819b98c9406265b3a9c37cc3176569847a4e4f6fba63dd3a73d04924d31a6"
	 "3f95a601f9385af6be4ed1b37f87d040f7c6ed6f8d38a91",
	 "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f3d84c099ad1ea87a8db096714"
	 "d9788bd544047c9021e4229ce27e4c0a69250adfcffbb0b"},
};

Test(usm, derives_and_localizes_the_maplesyrup_keys)
{
	static const uint8_t engine[12] = {[11] = 2};

	for (size_t i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		const struct key_row *row = &key_rows[i];
		uint8_t ku[FL_USM_KEY_MAX], kul[FL_USM_KEY_MAX], want[FL_USM_KEY_MAX];
		size_t want_len;

		cr_assert_eq(fl_usm_password_to_key(row->auth, "maplesyrup", 10, ku), 0);
		hex(row->ku, want, &want_len);
		cr_expect_eq(want_len, fl_usm_digest_len(row->auth), "row %s", row->name);
		cr_expect(memcmp(ku, want, want_len) == 0, "row %s: Ku", row->name);
		cr_assert_eq(fl_usm_localize(row->auth, ku, engine, sizeof(engine), kul), 0);
		hex(row->kul, want, &want_len);
		cr_expect(memcmp(kul, want, want_len) == 0, "row %s: Kul", row->name);
	}
}

Test(usm, refuses_bad_user_specs)
{
	static const char *const bad[] = {
		"",
		"noc SHA short",			/* RFC 3414 §11.2: 8 characters at least */
		"noc SHA1024 maplesyrup",		/* no such protocol */
		"noc SHA maplesyrup 3DES maplesyrup",	/* no such privacy */
		"-e 0x0102 noc",			/* engine id under 5 octets */
		"-e 0x80zz000001 noc",			/* not hex */
		"noc SHA maplesyrup AES maplesyrup extra",
		"a_user_name_longer_than_thirty_two_octets",
	};
	struct fl_usm *u = usm_with(NULL);
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_expect_lt(fl_usm_add_user(u, bad[i], err, sizeof(err)), 0, "spec '%s'", bad[i]);
		cr_expect(err[0] != '\0', "spec '%s' says why", bad[i]);
	}
	cr_expect_eq(fl_usm_n_users(u), 0);
	cr_expect_eq(fl_usm_add_user(u, "noc SHA \"maple syrup\" AES", err, sizeof(err)), 0,
		     "quoted password, priv password defaulting to it: %s", err);
	cr_expect_eq(fl_usm_n_users(u), 1);
	fl_usm_destroy(u);
}

Test(usm, reads_create_user_lines_from_a_file)
{
	char path[] = "/tmp/fl_usm_XXXXXX";
	int fd = mkstemp(path);
	struct fl_usm *u = usm_with(NULL);
	char err[256] = "";
	FILE *f;

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert(f);
	fputs("# snmptrapd.conf\ncreateUser -e 0x8000000001020304 noc SHA maplesyrup AES\n"
	      "authUser log noc\n\ncreateUser ops MD5 \"two words\" DES maplesyrup\n", f);
	fclose(f);
	cr_expect_eq(fl_usm_add_file(u, path, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(fl_usm_n_users(u), 2);
	f = fopen(path, "w");
	cr_assert(f);
	fputs("createUser ok SHA maplesyrup\ncreateUser bad SHA short\n", f);
	fclose(f);
	cr_expect_eq(fl_usm_add_file(u, path, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, ":2: ") != NULL, "names the line: %s", err);
	unlink(path);
	fl_usm_destroy(u);
}

/* ---- the captured datagram ------------------------------------------------------ */

static enum fl_snmp_verdict decode_captured(const char *spec, uint8_t *copy, struct fl_event *ev)
{
	struct fl_usm *u = spec ? usm_with(spec) : NULL;
	enum fl_snmp_verdict v;

	memcpy(copy, captured_sha_aes, sizeof(captured_sha_aes));
	memset(ev, 0, sizeof(*ev));
	v = fl_snmp_decode_usm(ev, copy, sizeof(captured_sha_aes), u, 1000);
	fl_usm_destroy(u);
	return v;
}

Test(usm, decodes_snmptraps_authpriv_sha_aes_trap)
{
	uint8_t copy[sizeof(captured_sha_aes)];
	struct fl_event *ev = calloc(1, sizeof(*ev));
	const struct fl_trap *t = &ev->trap;

	cr_assert_eq(decode_captured(spec_sha_aes, copy, ev), FL_SNMP_OK, "%s", ev->error_reason);
	cr_expect_eq(t->version, 3);
	cr_expect_eq(t->security_level, 3);
	cr_expect(fl_str_eq_cstr(t->user, "noc"));
	cr_expect_eq(t->engine_id.len, 8);
	cr_expect(memcmp(t->engine_id.p, "\x80\x00\x00\x00\x01\x02\x03\x04", 8) == 0);
	cr_expect_eq(t->pdu, FL_SNMP_PDU_TRAP_V2);
	cr_expect(t->has_uptime);
	cr_expect_eq(t->uptime, 4242);
	cr_assert_eq(t->n_varbinds, 4);
	cr_expect_eq(t->varbinds[2].type, FL_VB_INTEGER);
	cr_expect_eq(t->varbinds[2].integer, 3);
	cr_expect(fl_str_eq_cstr(t->varbinds[3].bytes, "ge-0/0/3"));
	free(ev);
}

Test(usm, refuses_the_captured_trap_for_each_reason)
{
	static const struct {
		const char *name, *spec;
		enum fl_snmp_verdict want;
	} rows[] = {
		{"no users", NULL, FL_SNMP_SNMPV3},
		{"unknown user", "ops SHA maplesyrup AES maplesyrup2", FL_SNMP_USM_UNKNOWN_USER},
		{"other engine", "-e 0x8000000001020305 noc SHA maplesyrup AES maplesyrup2",
		 FL_SNMP_USM_UNKNOWN_ENGINE_ID},
		{"wrong auth password", "noc SHA maplesyrupX AES maplesyrup2",
		 FL_SNMP_USM_WRONG_DIGEST},
		{"wrong auth protocol", "noc MD5 maplesyrup AES maplesyrup2",
		 FL_SNMP_USM_WRONG_DIGEST},
		{"wrong priv password", "noc SHA maplesyrup AES maplesyrupX",
		 FL_SNMP_USM_DECRYPTION_ERROR},
		{"user without priv", "noc SHA maplesyrup", FL_SNMP_USM_UNSUPPORTED_LEVEL},
		{"user without auth", "noc", FL_SNMP_USM_UNSUPPORTED_LEVEL},
	};
	uint8_t copy[sizeof(captured_sha_aes)];
	struct fl_event *ev = calloc(1, sizeof(*ev));

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(decode_captured(rows[i].spec, copy, ev), rows[i].want, "row %s: %s",
			     rows[i].name, ev->error_reason ? ev->error_reason : "ok");
	free(ev);
}

Test(usm, refuses_the_captured_trap_with_any_octet_changed)
{
	struct fl_usm *u = usm_with(spec_sha_aes);
	struct fl_event *ev = calloc(1, sizeof(*ev));
	uint8_t copy[sizeof(captured_sha_aes)];

	/* every content octet from the auth parameters on (not the two TLV
	 * headers of msgPrivacyParameters and encryptedPDU, 0x42 and 0x4c): the
	 * digest covers them all */
	for (size_t at = 0x36; at < sizeof(copy); at++) {
		if (at == 0x42 || at == 0x43 || at == 0x4c || at == 0x4d)
			continue;
		memcpy(copy, captured_sha_aes, sizeof(copy));
		copy[at] ^= 0x01;
		fl_usm_forget_engines(u);
		cr_expect_eq(fl_snmp_decode_usm(ev, copy, sizeof(copy), u, 1000),
			     FL_SNMP_USM_WRONG_DIGEST, "octet %zu", at);
	}
	fl_usm_destroy(u);
	free(ev);
}

/* ---- hand-built messages -------------------------------------------------------- */

struct msg {
	uint8_t p[512];
	size_t n;
};

static void put_tlv(struct msg *m, uint8_t tag, const void *v, size_t len)
{
	cr_assert(len < 256 && m->n + 3 + len <= sizeof(m->p));
	m->p[m->n++] = tag;
	if (len >= 128)
		m->p[m->n++] = 0x81;
	m->p[m->n++] = (uint8_t)len;
	memcpy(m->p + m->n, v, len);
	m->n += len;
}

/* A non-negative INTEGER in minimal form (X.690 §8.3.2). */
static void put_int(struct msg *m, uint32_t v)
{
	const uint8_t all[5] = {0, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
				(uint8_t)v};
	size_t start = 0;

	while (start < 4 && all[start] == 0 && !(all[start + 1] & 0x80))
		start++;
	put_tlv(m, 0x02, all + start, 5 - start);
}

static const uint8_t engine_id[] = {0x80, 0, 0, 0, 1, 9, 9, 9};

struct v3 {
	uint8_t flags, model, pdu_tag;
	uint32_t boots, time_s;
	const char *user;
	enum fl_usm_auth auth; /* sign with "maplesyrup" when not NONE */
};

/* An SNMPv3 message with a plaintext scoped PDU carrying a linkDown trap. */
static size_t build(const struct v3 *b, uint8_t *out)
{
	struct msg pdu = {.n = 0}, scoped = {.n = 0}, usm = {.n = 0}, sp = {.n = 0};
	struct msg hdr = {.n = 0}, body = {.n = 0}, whole = {.n = 0};
	uint8_t zeros[FL_USM_MAC_MAX] = {0}, list[64];
	size_t list_len;

	/* sysUpTime.0 = 42, snmpTrapOID.0 = linkDown */
	{
		struct msg vb1 = {.n = 0}, vb2 = {.n = 0}, l = {.n = 0};
		static const uint8_t up[] = {0x2b, 6, 1, 2, 1, 1, 3, 0};
		static const uint8_t trap_oid[] = {0x2b, 6, 1, 6, 3, 1, 1, 4, 1, 0};
		static const uint8_t link_down[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 3};
		static const uint8_t ticks[] = {42};

		put_tlv(&vb1, 0x06, up, sizeof(up));
		put_tlv(&vb1, 0x43, ticks, sizeof(ticks));
		put_tlv(&vb2, 0x06, trap_oid, sizeof(trap_oid));
		put_tlv(&vb2, 0x06, link_down, sizeof(link_down));
		put_tlv(&l, 0x30, vb1.p, vb1.n);
		put_tlv(&l, 0x30, vb2.p, vb2.n);
		list_len = l.n;
		memcpy(list, l.p, l.n);
	}
	put_int(&pdu, 7);
	put_int(&pdu, 0);
	put_int(&pdu, 0);
	put_tlv(&pdu, 0x30, list, list_len);
	put_tlv(&scoped, 0x04, engine_id, sizeof(engine_id));
	put_tlv(&scoped, 0x04, "", 0);
	put_tlv(&scoped, b->pdu_tag, pdu.p, pdu.n);
	put_int(&hdr, 99);
	put_int(&hdr, 1500);
	put_tlv(&hdr, 0x04, &b->flags, 1);
	put_int(&hdr, b->model);
	put_tlv(&usm, 0x04, engine_id, sizeof(engine_id));
	put_int(&usm, b->boots);
	put_int(&usm, b->time_s);
	put_tlv(&usm, 0x04, b->user, strlen(b->user));
	put_tlv(&usm, 0x04, zeros, b->auth ? fl_usm_mac_len(b->auth) : 0);
	put_tlv(&usm, 0x04, "", 0);
	put_tlv(&sp, 0x30, usm.p, usm.n);
	put_int(&body, 3);
	put_tlv(&body, 0x30, hdr.p, hdr.n);
	put_tlv(&body, 0x04, sp.p, sp.n);
	put_tlv(&body, 0x30, scoped.p, scoped.n);
	put_tlv(&whole, 0x30, body.p, body.n);
	if (b->auth) {
		uint8_t ku[FL_USM_KEY_MAX], kul[FL_USM_KEY_MAX], mac[FL_USM_MAC_MAX];
		size_t mac_len = fl_usm_mac_len(b->auth), at = 0;

		/* the digest's place: the only OCTET STRING of that many zeros */
		while (at + 2 + mac_len <= whole.n &&
		       !(whole.p[at] == 0x04 && whole.p[at + 1] == mac_len &&
			 memcmp(whole.p + at + 2, zeros, mac_len) == 0))
			at++;
		cr_assert(at + 2 + mac_len <= whole.n);
		at += 2;

		cr_assert_eq(fl_usm_password_to_key(b->auth, "maplesyrup", 10, ku), 0);
		cr_assert_eq(fl_usm_localize(b->auth, ku, engine_id, sizeof(engine_id), kul), 0);
		fl_usm_hmac(b->auth, kul, whole.p, whole.n, mac);
		memcpy(whole.p + at, mac, mac_len);
	}
	memcpy(out, whole.p, whole.n);
	return whole.n;
}

static enum fl_snmp_verdict decode_built(struct fl_usm *u, const struct v3 *b, int64_t now_s)
{
	uint8_t p[512];
	size_t n = build(b, p);
	struct fl_event ev;

	memset(&ev, 0, sizeof(ev));
	return fl_snmp_decode_usm(&ev, p, n, u, now_s);
}

Test(usm, decodes_hand_built_messages_at_each_level_it_allows)
{
	struct fl_usm *u = usm_with("anon");
	struct v3 b = {.flags = 0, .model = 3, .pdu_tag = 0xa7, .user = "anon"};

	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_OK);
	cr_assert_eq(fl_usm_add_user(u, "ops SHA-512 maplesyrup", (char[64]){0}, 64), 0);
	b = (struct v3){.flags = 1, .model = 3, .pdu_tag = 0xa7, .user = "ops",
			.auth = FL_USM_AUTH_SHA512, .boots = 1, .time_s = 10};
	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_OK);
	b.flags = 0; /* the same user, claiming no authentication */
	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_USM_UNSUPPORTED_LEVEL);
	fl_usm_destroy(u);
}

Test(usm, refuses_what_a_trap_receiver_cannot_take)
{
	struct fl_usm *u = usm_with("anon");
	struct v3 b = {.flags = 0, .model = 3, .pdu_tag = 0xa6, .user = "anon"};

	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_V3_INFORM);
	b.pdu_tag = 0xa8; /* Report */
	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_NOT_A_TRAP);
	b.pdu_tag = 0xa4; /* v1 Trap-PDU inside v3 */
	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_PDU_VERSION_MISMATCH);
	b.pdu_tag = 0xa7;
	b.flags = 2; /* privacy without authentication */
	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_BAD_MSG_FLAGS);
	b.flags = 0;
	b.model = 2; /* community-based, not USM */
	cr_expect_eq(decode_built(u, &b, 0), FL_SNMP_BAD_SECURITY_MODEL);
	fl_usm_destroy(u);
}

Test(usm, keeps_a_trap_senders_time_window_as_snmptrapd_does)
{
	struct fl_usm *u = usm_with("ops SHA maplesyrup");
	struct v3 b = {.flags = 1, .model = 3, .pdu_tag = 0xa7, .user = "ops",
		       .auth = FL_USM_AUTH_SHA1, .boots = 5, .time_s = 1000};

	cr_expect_eq(decode_built(u, &b, 50000), FL_SNMP_OK, "first contact: learned");
	cr_expect_eq(decode_built(u, &b, 50000), FL_SNMP_OK, "the same time again");
	b.time_s = 851;
	cr_expect_eq(decode_built(u, &b, 50000), FL_SNMP_OK, "149 s behind: in the window");
	b.time_s = 849;
	cr_expect_eq(decode_built(u, &b, 50000), FL_SNMP_USM_NOT_IN_TIME_WINDOW, "151 s behind");
	b.time_s = 900;
	cr_expect_eq(decode_built(u, &b, 50100), FL_SNMP_USM_NOT_IN_TIME_WINDOW,
		     "the sender's clock is estimated forward with ours: 1100 expected");
	b.boots = 4, b.time_s = 99999;
	cr_expect_eq(decode_built(u, &b, 50100), FL_SNMP_USM_NOT_IN_TIME_WINDOW, "lower boots");
	b.boots = 6, b.time_s = 3;
	cr_expect_eq(decode_built(u, &b, 50100), FL_SNMP_OK, "a reboot: learned");
	b.boots = 5, b.time_s = 1100;
	cr_expect_eq(decode_built(u, &b, 50100), FL_SNMP_USM_NOT_IN_TIME_WINDOW, "before it");
	b.boots = 2147483647u;
	cr_expect_eq(decode_built(u, &b, 50100), FL_SNMP_USM_NOT_IN_TIME_WINDOW,
		     "boots latched at 2^31-1");
	fl_usm_destroy(u);
}

Test(usm, reads_back_a_recorded_v3_trap_without_keys)
{
	uint8_t copy[sizeof(captured_sha_aes)];
	struct fl_event *ev = calloc(1, sizeof(*ev));

	/* what the trap input queues: the datagram, decrypted in place */
	cr_assert_eq(decode_captured(spec_sha_aes, copy, ev), FL_SNMP_OK);
	memset(ev, 0, sizeof(*ev));
	cr_expect_eq(fl_snmp_decode(ev, copy, sizeof(copy)), FL_SNMP_SNMPV3,
		     "a datagram off the wire is not taken without users");
	memset(ev, 0, sizeof(*ev));
	cr_assert_eq(fl_snmp_decode_recorded(ev, copy, sizeof(copy)), FL_SNMP_OK, "%s",
		     ev->error_reason);
	cr_expect(fl_str_eq_cstr(ev->trap.user, "noc"));
	cr_assert_eq(ev->trap.n_varbinds, 4);
	cr_expect(fl_str_eq_cstr(ev->trap.varbinds[3].bytes, "ge-0/0/3"));
	memset(ev, 0, sizeof(*ev));
	cr_expect_eq(fl_snmp_decode_recorded(ev, captured_sha_aes, sizeof(captured_sha_aes)),
		     FL_SNMP_USM_DECRYPTION_ERROR, "still encrypted: not a recorded datagram");
	free(ev);
}
