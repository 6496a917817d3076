/* limits.h - every cap faultline enforces, in one place.
 *
 * Each cap has its default here, the setting that changes it (where one exists)
 * and the counter that is bumped when it is hit. Hitting a cap never fails
 * silently: the message, key or row that did not fit is counted under that name
 * and shows in the stats output. Modules add their caps here, not in their .c. */
#ifndef FL_LIMITS_H
#define FL_LIMITS_H

/* Raw bytes an event keeps for the audit trail; longer messages keep the first
 * FL_EVENT_RAW_MAX bytes and set raw_truncated. counter: event.raw_truncated */
#define FL_EVENT_RAW_MAX 8192

/* RFC 5424 structured data kept per event: elements and params in total.
 * counter: syslog.sd_dropped (elements or params beyond the cap are skipped, the
 * message is still decoded). */
#define FL_EVENT_MAX_SD_ELEMENTS 16
#define FL_EVENT_MAX_SD_PARAMS 64

/* SNMP varbinds kept per trap. A trap with more is rejected whole
 * (verdict TOO_MANY_VARBINDS): half a trap would mislead a rule. */
#define FL_EVENT_MAX_VARBINDS 64

/* BER nesting a decoder follows (an SNMP trap needs 4: message, PDU, varbind
 * list, varbind). Deeper input is rejected (verdict TOO_DEEP); it bounds the
 * work per datagram should a reader ever recurse. counter: snmp.too_deep */
#define FL_BER_MAX_DEPTH 8

/* Sub-identifiers in one OBJECT IDENTIFIER (RFC 2578 §3.5: at most 128).
 * Longer OIDs reject the trap (verdict OID_TOO_LONG). counter: snmp.oid_too_long */
#define FL_SNMP_MAX_OID_ARCS 128

/* Largest syslog message accepted over TCP or RELP, and a UDP datagram's maximum.
 * setting: --max-msg-size; counter: tcp.too_long */
#define FL_SYSLOG_MAX_MSG_DEFAULT (64 * 1024)
#define FL_UDP_MAX_DATAGRAM 65535

/* Longest line the line reader (faultline parse, replay) hands on; the rest of
 * a longer line is skipped up to its LF and the line is delivered cut.
 * setting: --max-line; counters: lines.cut, lines.bytes_skipped */
#define FL_LINE_MAX_DEFAULT FL_SYSLOG_MAX_MSG_DEFAULT

#endif /* FL_LIMITS_H */
