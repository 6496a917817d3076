/* snmp_int.h - what snmp.c and snmp_v3.c share: the v2 PDU body and the
 * check of a PDU tag against the message version. Decode wing only. */
#ifndef FL_SNMP_INT_H
#define FL_SNMP_INT_H
#include <stdint.h>

#include "engine/decode/ber.h"
#include "engine/decode/event.h"
#include "engine/decode/snmp.h"

enum { FL_SNMP_V1 = 0, FL_SNMP_V2C = 1, FL_SNMP_V3 = 3 };

/* PDU tags, RFC 3416 §3 and RFC 1157 §4.1 (context class, constructed). */
enum {
	FL_SNMP_TAG_GET = 0xa0,
	FL_SNMP_TAG_GET_NEXT = 0xa1,
	FL_SNMP_TAG_RESPONSE = 0xa2,
	FL_SNMP_TAG_SET = 0xa3,
	FL_SNMP_TAG_TRAP_V1 = 0xa4,
	FL_SNMP_TAG_GET_BULK = 0xa5,
	FL_SNMP_TAG_INFORM = 0xa6,
	FL_SNMP_TAG_TRAP_V2 = 0xa7,
	FL_SNMP_TAG_REPORT = 0xa8,
};

/* OK when a PDU of this tag may come in a message of this version. */
enum fl_snmp_verdict fl_snmp_pdu_verdict(uint8_t tag, int32_t version);

/* RFC 3416 §3 PDU body (request-id .. variable-bindings) and the trap header
 * varbinds; pdu is a cursor inside the PDU. */
enum fl_snmp_verdict fl_snmp_pdu_v2(struct fl_ber *pdu, struct fl_trap *trap);

/* snmp_v3.c: the rest of an SNMPv3Message after msgVersion; msg is a cursor
 * inside its SEQUENCE, whole[0..len) the datagram (writable). usm NULL: a
 * recorded datagram (fl_snmp_decode_recorded()): no USM check, the scoped
 * PDU read as the input left it, decrypted; whole is not written. */
enum fl_snmp_verdict fl_snmp_decode_v3(struct fl_ber *msg, struct fl_trap *trap,
				       uint8_t *whole, size_t len, struct fl_usm *usm,
				       int64_t now_s);

#endif /* FL_SNMP_INT_H */
