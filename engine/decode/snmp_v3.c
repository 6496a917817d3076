/* snmp_v3.c - SNMPv3Message (RFC 3412 §6) with the User-based Security
 * Model (RFC 3414 §2.4): header, security parameters, then the scoped PDU,
 * authenticated and decrypted by usm.c, decoded as the v2 PDU it carries.
 *
 * Order of checks, as RFC 3414 §3.2 has them: the message must parse first
 * (a malformed one is counted under its BER verdict, and never reaches the
 * crypto), then user, level, digest, time window, decryption. The
 * reportable flag is ignored: a receiver of traps sends no Reports. */
#include <string.h>

#include "engine/decode/snmp_int.h"
#include "engine/decode/usm.h"

#define TRY(expr)                                                                           \
	do {                                                                                \
		enum fl_snmp_verdict try_v_ = (enum fl_snmp_verdict)(expr);                 \
		if (try_v_ != FL_SNMP_OK)                                                   \
			return try_v_;                                                      \
	} while (0)

enum { MSG_FLAG_AUTH = 1, MSG_FLAG_PRIV = 2, SECURITY_MODEL_USM = 3 };

static struct fl_str slice(const struct fl_ber_tlv *t)
{
	return fl_str_make((const char *)t->value, t->len);
}

static enum fl_snmp_verdict read_int32(struct fl_ber *c, int32_t *out)
{
	struct fl_ber_tlv t;

	TRY(fl_ber_expect(c, FL_BER_INTEGER, &t));
	return (enum fl_snmp_verdict)fl_ber_int32(&t, out);
}

/* HeaderData ::= SEQUENCE { msgID, msgMaxSize, msgFlags, msgSecurityModel } */
static enum fl_snmp_verdict decode_header(struct fl_ber *msg, struct fl_usm_params *sp)
{
	struct fl_ber hdr;
	struct fl_ber_tlv t;
	int32_t msg_id, max_size, model;

	TRY(fl_ber_enter(msg, FL_BER_SEQUENCE, &hdr));
	TRY(read_int32(&hdr, &msg_id));
	TRY(read_int32(&hdr, &max_size));
	if (msg_id < 0 || max_size < 484) /* RFC 3412 §6: INTEGER (484..2147483647) */
		return FL_SNMP_INTEGER_RANGE;
	TRY(fl_ber_expect(&hdr, FL_BER_OCTET_STRING, &t));
	if (t.len != 1 || (t.value[0] & (MSG_FLAG_AUTH | MSG_FLAG_PRIV)) == MSG_FLAG_PRIV)
		return FL_SNMP_BAD_MSG_FLAGS; /* RFC 3412 §7.2 step 5: priv needs auth */
	sp->wants_auth = (t.value[0] & MSG_FLAG_AUTH) != 0;
	sp->wants_priv = (t.value[0] & MSG_FLAG_PRIV) != 0;
	TRY(read_int32(&hdr, &model));
	if (model != SECURITY_MODEL_USM)
		return FL_SNMP_BAD_SECURITY_MODEL;
	return fl_ber_at_end(&hdr) ? FL_SNMP_OK : FL_SNMP_TRAILING;
}

static enum fl_snmp_verdict read_u31(struct fl_ber *c, uint32_t *out)
{
	int32_t v;

	TRY(read_int32(c, &v));
	if (v < 0) /* RFC 3414 §2.4: INTEGER (0..2147483647) */
		return FL_SNMP_INTEGER_RANGE;
	*out = (uint32_t)v;
	return FL_SNMP_OK;
}

/* msgSecurityParameters: an OCTET STRING holding UsmSecurityParameters. */
static enum fl_snmp_verdict decode_usm_params(struct fl_ber *msg, struct fl_usm_params *sp)
{
	struct fl_ber_tlv t;
	struct fl_ber outer, seq;

	TRY(fl_ber_expect(msg, FL_BER_OCTET_STRING, &t));
	fl_ber_init(&outer, t.value, t.len);
	outer.depth = msg->depth + 1;
	TRY(fl_ber_enter(&outer, FL_BER_SEQUENCE, &seq));
	if (!fl_ber_at_end(&outer))
		return FL_SNMP_TRAILING;
	TRY(fl_ber_expect(&seq, FL_BER_OCTET_STRING, &t));
	sp->engine_id = t.value, sp->engine_id_len = t.len;
	TRY(read_u31(&seq, &sp->boots));
	TRY(read_u31(&seq, &sp->time_s));
	TRY(fl_ber_expect(&seq, FL_BER_OCTET_STRING, &t));
	if (t.len > FL_USM_NAME_MAX)
		return FL_SNMP_USM_UNKNOWN_USER;
	sp->user = t.value, sp->user_len = t.len;
	TRY(fl_ber_expect(&seq, FL_BER_OCTET_STRING, &t));
	sp->auth = t.value, sp->auth_len = t.len;
	TRY(fl_ber_expect(&seq, FL_BER_OCTET_STRING, &t));
	sp->priv = t.value, sp->priv_len = t.len;
	return fl_ber_at_end(&seq) ? FL_SNMP_OK : FL_SNMP_TRAILING;
}

static const enum fl_snmp_verdict usm_verdicts[] = {
	[FL_USM_OK] = FL_SNMP_OK,
	[FL_USM_UNKNOWN_USER] = FL_SNMP_USM_UNKNOWN_USER,
	[FL_USM_UNKNOWN_ENGINE_ID] = FL_SNMP_USM_UNKNOWN_ENGINE_ID,
	[FL_USM_UNSUPPORTED_LEVEL] = FL_SNMP_USM_UNSUPPORTED_LEVEL,
	[FL_USM_WRONG_DIGEST] = FL_SNMP_USM_WRONG_DIGEST,
	[FL_USM_NOT_IN_TIME_WINDOW] = FL_SNMP_USM_NOT_IN_TIME_WINDOW,
	[FL_USM_DECRYPTION_ERROR] = FL_SNMP_USM_DECRYPTION_ERROR,
};

/* ScopedPDU ::= SEQUENCE { contextEngineID, contextName, data }; scoped is
 * a cursor over its contents. */
static enum fl_snmp_verdict decode_scoped_pdu(struct fl_ber *scoped, struct fl_trap *trap)
{
	struct fl_ber pdu;
	struct fl_ber_tlv t;

	TRY(fl_ber_expect(scoped, FL_BER_OCTET_STRING, &t));
	trap->context_engine_id = slice(&t);
	TRY(fl_ber_expect(scoped, FL_BER_OCTET_STRING, &t));
	trap->context_name = slice(&t);
	TRY(fl_ber_next(scoped, &t));
	TRY(fl_snmp_pdu_verdict(t.tag, FL_SNMP_V3));
	if (t.tag == FL_SNMP_TAG_INFORM)
		return FL_SNMP_V3_INFORM;
	TRY(fl_ber_open(scoped, &t, &pdu));
	if (!fl_ber_at_end(scoped))
		return FL_SNMP_TRAILING;
	trap->pdu = FL_SNMP_PDU_TRAP_V2;
	return fl_snmp_pdu_v2(&pdu, trap);
}

/* The decrypted encryptedPDU: a ScopedPDU, then up to a block of padding
 * (CBC-DES pads to 8 octets, RFC 3414 §8.1.1.2). Not a SEQUENCE that fits:
 * the key was wrong (RFC 3414 §3.2 step 8b, decryptionError). */
static enum fl_snmp_verdict decode_decrypted(const uint8_t *p, size_t len, unsigned depth,
					     struct fl_trap *trap)
{
	struct fl_ber c, scoped;

	fl_ber_init(&c, p, len);
	c.depth = depth;
	if (fl_ber_enter(&c, FL_BER_SEQUENCE, &scoped) != FL_BER_OK || fl_ber_left(&c) >= 8)
		return FL_SNMP_USM_DECRYPTION_ERROR;
	return decode_scoped_pdu(&scoped, trap);
}

enum fl_snmp_verdict fl_snmp_decode_v3(struct fl_ber *msg, struct fl_trap *trap,
				       uint8_t *whole, size_t len, struct fl_usm *usm,
				       int64_t now_s)
{
	struct fl_usm_params sp;
	struct fl_ber_tlv data;
	struct fl_ber scoped;
	enum fl_usm_result r;
	uint8_t *enc = NULL;

	memset(&sp, 0, sizeof(sp));
	TRY(decode_header(msg, &sp));
	TRY(decode_usm_params(msg, &sp));
	TRY(fl_ber_next(msg, &data));
	if (!fl_ber_at_end(msg))
		return FL_SNMP_TRAILING;
	/* ScopedPduData: plaintext ScopedPDU, or encryptedPDU OCTET STRING */
	if (data.tag != (sp.wants_priv ? FL_BER_OCTET_STRING : FL_BER_SEQUENCE))
		return FL_SNMP_UNEXPECTED_TAG;
	trap->user = fl_str_make((const char *)sp.user, sp.user_len);
	trap->engine_id = fl_str_make((const char *)sp.engine_id, sp.engine_id_len);
	trap->security_level = (uint8_t)(1 + sp.wants_auth + sp.wants_priv);
	if (usm) { /* else a recorded datagram, checked and decrypted when received */
		if (sp.wants_priv) /* data.value points into whole: the same bytes */
			enc = whole + (data.value - whole);
		r = fl_usm_check(usm, &sp, whole, len, enc, sp.wants_priv ? data.len : 0, now_s);
		if ((unsigned)r >= sizeof(usm_verdicts) / sizeof(usm_verdicts[0]))
			return FL_SNMP_USM_WRONG_DIGEST;
		TRY(usm_verdicts[r]);
	}
	if (sp.wants_priv)
		return decode_decrypted(data.value, data.len, msg->depth, trap);
	TRY(fl_ber_open(msg, &data, &scoped));
	return decode_scoped_pdu(&scoped, trap);
}
