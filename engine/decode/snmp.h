/* snmp.h - SNMPv1/v2c trap and inform decoding, the inform Response, JSON.
 *
 * fl_snmp_decode() turns one UDP datagram into a struct fl_event of kind
 * TRAP, in place: every slice in it points into the datagram, nothing is
 * allocated, no state is kept between calls, so any thread may call it with
 * its own event and buffer. Accepted: an SNMPv1 Trap-PDU (RFC 1157 §4.1.6), an
 * SNMPv2c SNMPv2-Trap-PDU or InformRequest-PDU (RFC 3416 §4.2.6-4.2.7, RFC
 * 1901 community framing). Everything else is rejected whole, with a verdict
 * naming the reason; the caller counts it under that name (snmp.<verdict>).
 *
 * Decisions a caller would not guess:
 *   - A message must be exactly one SEQUENCE: bytes after it are TRAILING.
 *   - OID arcs are accepted up to 2^64-1 (RFC 2578 §3.5 says 2^32-1; the
 *     wider bound costs nothing and keeps odd agents' traps), at most
 *     FL_SNMP_MAX_OID_ARCS of them.
 *   - Varbind INTEGERs are read up to 64 bits (SNMPv1 INTEGER is unbounded,
 *     struct fl_varbind holds int64); PDU fields (version, request-id,
 *     error-status/index, generic/specific-trap) must fit 32 bits; their
 *     values are not checked further (a generic-trap outside 0..6 is kept
 *     for the rules to see, not rejected).
 *   - Counter32, Gauge32, TimeTicks must be 0..2^32-1, Counter64 0..2^64-1,
 *     encoded as non-negative minimal INTEGERs; a negative encoding (an agent
 *     writing 0xffffffff as ff ff ff ff) is UNSIGNED_RANGE, not reinterpreted.
 *   - v2c: RFC 3416 §4.2.6 puts sysUpTime.0 (TimeTicks) then snmpTrapOID.0
 *     (OID) first. Both are copied to trap.uptime/trap_oid and stay in the
 *     varbind list. An agent that omits sysUpTime.0 but starts with
 *     snmpTrapOID.0 is accepted with has_uptime = false; anything else (no
 *     snmpTrapOID.0 in those places, or either of wrong type) is
 *     BAD_TRAP_HEADER: a trap without its identity cannot be matched by rules.
 *   - The community is returned as is; checking it against an allowlist is the
 *     input's job (fl_snmp_community_allowed() helps).
 *   - More than FL_EVENT_MAX_VARBINDS varbinds rejects the trap whole.
 *
 * JSON (fl_snmp_json_fields) follows traps/expected.jsonl of the sample data:
 * OIDs dotted; IpAddress dotted-quad; INTEGER a signed number, Counter32,
 * Gauge32, TimeTicks, Counter64 unsigned numbers; an OCTET STRING (and the
 * community) that is valid UTF-8 is a JSON string, otherwise {"hex": "..."}.
 * Decided here: NULL and the exceptions noSuchObject, noSuchInstance,
 * endOfMibView have value null with those type names; Opaque is always
 * {"hex": "..."} of its content octets (RFC 2578 §7.1.9: opaque wrapped BER,
 * not interpreted). */
#ifndef FL_SNMP_H
#define FL_SNMP_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/decode/ber.h"
#include "engine/lib/compiler.h"
#include "engine/decode/event.h"
#include "engine/lib/str.h"

struct fl_json;
struct fl_usm;

/* The first FL_BER__COUNT verdicts are the BER reader's, in its order. */
#define FL_SNMP_VERDICTS(X)                                                                 \
	FL_BER_VERDICTS(X)                                                                  \
	X(BAD_IPADDRESS, "IpAddress not exactly 4 octets")                                  \
	X(BAD_NULL, "NULL or exception value with content octets")                          \
	X(UNKNOWN_TYPE, "varbind value of a type SNMP does not define")                     \
	X(BAD_VERSION, "version neither 0 (SNMPv1) nor 1 (SNMPv2c)")                        \
	X(SNMPV3, "SNMPv3 message, and no SNMPv3 users configured")                         \
	X(BAD_MSG_FLAGS, "SNMPv3 msgFlags not one octet, or privacy without authentication") \
	X(BAD_SECURITY_MODEL, "SNMPv3 msgSecurityModel not USM (3)")                        \
	X(USM_UNKNOWN_USER, "SNMPv3 user not configured (usmStatsUnknownUserNames)")        \
	X(USM_UNKNOWN_ENGINE_ID, "SNMPv3 engine id missing, malformed, or not the one "     \
				 "the user is bound to")                                    \
	X(USM_UNSUPPORTED_LEVEL, "SNMPv3 security level not the user's "                    \
				 "(usmStatsUnsupportedSecLevels)")                          \
	X(USM_WRONG_DIGEST, "SNMPv3 digest wrong: bad auth key or altered message "         \
			    "(usmStatsWrongDigests)")                                       \
	X(USM_NOT_IN_TIME_WINDOW, "SNMPv3 engine boots/time older than the engine's last "  \
				  "(usmStatsNotInTimeWindows)")                             \
	X(USM_DECRYPTION_ERROR, "SNMPv3 scoped PDU does not decrypt: bad priv key "         \
				"(usmStatsDecryptionErrors)")                               \
	X(V3_INFORM, "SNMPv3 inform (needs the receiver to be authoritative: not "          \
		     "supported)")                                                          \
	X(NOT_A_TRAP, "request or response PDU, not a trap or inform")                      \
	X(UNKNOWN_PDU, "PDU tag SNMP does not define")                                      \
	X(PDU_VERSION_MISMATCH, "trap PDU of the other SNMP version (v1 Trap-PDU in v2c, "  \
				"or v2 trap/inform in v1)")                                 \
	X(TOO_MANY_VARBINDS, "more varbinds than FL_EVENT_MAX_VARBINDS")                    \
	X(BAD_TRAP_HEADER, "v2c varbinds do not start with sysUpTime.0, snmpTrapOID.0 "     \
			   "(RFC 3416 §4.2.6)")

enum fl_snmp_verdict {
#define X(name, text) FL_SNMP_##name,
	FL_SNMP_VERDICTS(X)
#undef X
	FL_SNMP__COUNT
};

/* Longest dotted text of a valid OID: 128 arcs of up to 20 digits and a dot. */
#define FL_OID_TEXT_MAX (FL_SNMP_MAX_OID_ARCS * 21 + 1)

/* Operations. */

/* Decodes one SNMP datagram into ev: kind = TRAP, raw = the datagram (first
 * FL_EVENT_RAW_MAX bytes), error/error_reason = the verdict (0/NULL on OK),
 * the trap fields; has_time = false and time_ns = received_ns, since a trap
 * carries no wall-clock time (uptime only). transport, peer and received_ns
 * are the caller's, set before the call; ev->syslog is not touched. All
 * fl_str point into p, so p must outlive ev. On a verdict other than OK the
 * trap fields are unspecified. */
enum fl_snmp_verdict fl_snmp_decode(struct fl_event *ev, const uint8_t *p, size_t len);

/* The same for a datagram that may be SNMPv3 (RFC 3412 §6, USM of RFC
 * 3414): users and the engine times learned are in usm (usm.h), which this
 * call updates, so it belongs to the calling thread. p is writable because an
 * encrypted scoped PDU is decrypted in place: afterwards every slice of the
 * trap points into p, and p no longer holds the datagram as sent. now_s is
 * the receiver's clock for the time window. usm NULL: as fl_snmp_decode().
 * A v3 trap comes out as a v2c one would (version 3, the v2 PDU), with the
 * user, engine id and context in the trap; failures of USM have verdicts of
 * their own (USM_*), one per usmStats counter of RFC 3414 §5. */
enum fl_snmp_verdict fl_snmp_decode_usm(struct fl_event *ev, uint8_t *p, size_t len,
					struct fl_usm *usm, int64_t now_s);

/* A datagram the trap input accepted and queued, read back from a record of
 * `listen` or the run's journal (record.h): as fl_snmp_decode(), but an
 * SNMPv3 one is taken without its USM checks, its scoped PDU as the input
 * left it, decrypted (the input authenticated it when it came; a record is
 * the operator's own file). A v3 datagram as sent, still encrypted, gives
 * USM_DECRYPTION_ERROR. */
enum fl_snmp_verdict fl_snmp_decode_recorded(struct fl_event *ev, const uint8_t *p, size_t len);

/* For a decoded InformRequest: writes the Response-PDU (RFC 3416 §4.2.7: same
 * version, community and request-id, error-status and error-index 0, the same
 * varbinds) into out[0..cap) and sets *out_len. Returns 0, -EINVAL (ev is not
 * a decoded inform) or -ENOBUFS (cap too small; out may hold a partial
 * message, *out_len untouched). */
FL_MUST_CHECK int fl_snmp_encode_response(const struct fl_event *inform, uint8_t *out,
					  size_t cap, size_t *out_len);

/* Writes the trap's members into an object the caller has opened (see the top
 * of this file for the value conventions). Keys, in order: version,
 * community, pdu, request_id (v2c), enterprise, agent_addr, generic_trap,
 * specific_trap, time_stamp (v1), error_status, error_index, uptime (when
 * present), snmpTrapOID (v2c), varbinds, then two for people, the raw OIDs
 * staying above: trap, the trap's name from the bundled table (mib.h;
 * "linkDown", a v1 trap mapped by RFC 3584 §3.1, dotted when unknown), and
 * text, one line "linkDown ifIndex.3=3 ifDescr.3=\"Gi0/0/1\"" (the v2c
 * header's two varbinds left out, cut with " ..." past 1 KiB). Errors are
 * the writer's (sticky). */
void fl_snmp_json_fields(struct fl_json *j, const struct fl_event *ev);

/* Dotted-decimal text of an OID given as BER content octets, NUL-terminated.
 * Returns its length (without the NUL), -ENOBUFS (cap too small, out holds no
 * useful text) or -EINVAL (not a valid OID, see ber.h). */
ssize_t fl_oid_format(struct fl_str oid, char *out, size_t cap);

/* Parses dotted-decimal text ("1.3.6.1.4.1", an optional leading dot) into
 * BER content octets. At least two arcs, the first 0..2, the second < 40 when
 * the first is 0 or 1, arcs up to 2^64-1, at most FL_SNMP_MAX_OID_ARCS.
 * Returns the number of octets, -EINVAL or -ENOBUFS. */
ssize_t fl_oid_parse(const char *text, uint8_t *out, size_t cap);

/* Queries. */
const char *fl_snmp_verdict_text(enum fl_snmp_verdict v);
const char *fl_snmp_verdict_name(enum fl_snmp_verdict v);	/* "TOO_MANY_VARBINDS" */
const char *fl_snmp_type_name(enum fl_varbind_type t);		/* "Counter64" */
const char *fl_snmp_pdu_name(enum fl_snmp_pdu pdu);		/* "SNMPv2-Trap" */

/* The address of the agent a trap is about, when it names one: a v1
 * trap's agent-addr (not 0.0.0.0), else the snmpTrapAddress.0 varbind a
 * proxy or forwarder adds (RFC 3584 §3.1, an IpAddress). Copied to out;
 * false when the trap names none (its sender is then the agent). */
bool fl_snmp_trap_agent(const struct fl_trap *t, uint8_t out[4]);

/* Is community one of the NUL-separated, empty-string-terminated list
 * `allowed` ("public\0ops\0")? Exact byte comparison. */
bool fl_snmp_community_allowed(struct fl_str community, const char *allowed);

#endif /* FL_SNMP_H */
