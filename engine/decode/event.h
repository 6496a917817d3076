/* event.h - the one normalized event every input produces.
 *
 * Syslog lines (file, UDP, TCP, RELP) and SNMP traps all become a struct
 * fl_event. A decoder fills it in place from a buffer the caller owns: every
 * struct fl_str in it points into that buffer, so an event lives exactly as long
 * as its buffer, and decoders never allocate. Tables are fixed-size (caps in
 * limits.h); what does not fit is counted, never written past the end.
 *
 * Threads: an event belongs to whoever holds it; it carries no locks and no
 * pointers to shared state. To outlive its buffer it must be copied as a whole
 * (fl_event_copy_into(), with its bytes) by the owner. */
#ifndef FL_EVENT_H
#define FL_EVENT_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/lib/limits.h"
#include "engine/lib/str.h"

enum fl_event_kind {
	FL_EVENT_SYSLOG,
	FL_EVENT_TRAP,
};

/* How the event reached us. */
enum fl_transport {
	FL_TRANSPORT_FILE, /* a file or stdin, one message per line */
	FL_TRANSPORT_UDP,
	FL_TRANSPORT_TCP,
	FL_TRANSPORT_RELP,
	FL_TRANSPORT_SNMP, /* SNMP trap/inform over UDP */
	FL_TRANSPORT_TLS,  /* syslog over TLS (RFC 5425) */
};

/* RFC 5424 §6.3 structured data. Names and values are slices of the message
 * exactly as on the wire: a value still holds its escapes (\" \\ \]); use
 * the syslog module's unescape when the text is needed. */
struct fl_sd_param {
	struct fl_str name;
	struct fl_str value;
};

struct fl_sd_element {
	struct fl_str id;
	uint16_t first_param; /* index into fl_syslog.params */
	uint16_t n_params;
};

struct fl_syslog {
	int16_t pri; /* 0..191, or -1 when the line has no PRI */
	uint8_t facility, severity; /* valid only when pri >= 0 */
	uint8_t version; /* RFC 5424's VERSION (1, or what a sender wrote: 1..99), 0 for
			  * RFC 3164 and undecodable lines */
	struct fl_str timestamp; /* the timestamp as written, absent when none */
	struct fl_str hostname, app_name, procid, msgid, msg; /* p == NULL: absent */
	bool has_bom; /* MSG started with the UTF-8 BOM (not included in msg) */
	bool no_timestamp; /* RFC 3164 line with none: the event time is the received time */
	uint16_t n_sd, n_params;
	uint16_t sd_dropped; /* elements/params beyond the caps, skipped */
	struct fl_sd_element sd[FL_EVENT_MAX_SD_ELEMENTS];
	struct fl_sd_param params[FL_EVENT_MAX_SD_PARAMS];
};

enum fl_snmp_pdu {
	FL_SNMP_PDU_TRAP_V1, /* [4] Trap-PDU (SNMPv1) */
	FL_SNMP_PDU_TRAP_V2, /* [7] SNMPv2-Trap-PDU */
	FL_SNMP_PDU_INFORM, /* [6] InformRequest-PDU, answered with a Response */
};

enum fl_varbind_type {
	FL_VB_INTEGER,
	FL_VB_OCTET_STRING,
	FL_VB_NULL,
	FL_VB_OID,
	FL_VB_IPADDRESS,
	FL_VB_COUNTER32,
	FL_VB_GAUGE32,
	FL_VB_TIMETICKS,
	FL_VB_OPAQUE,
	FL_VB_COUNTER64,
	FL_VB_NO_SUCH_OBJECT,
	FL_VB_NO_SUCH_INSTANCE,
	FL_VB_END_OF_MIB_VIEW,
};

/* OIDs are kept as their BER content octets (validated by the decoder): a
 * prefix of arcs is then a prefix of bytes, which is what rules match on. */
struct fl_varbind {
	struct fl_str oid;
	enum fl_varbind_type type;
	int64_t integer; /* INTEGER */
	uint64_t unsigned_value; /* Counter32, Gauge32, TimeTicks, Counter64 */
	struct fl_str bytes; /* OCTET STRING, Opaque, IpAddress (4 bytes), OID value */
};

struct fl_trap {
	uint8_t version; /* the wire value: 0 = SNMPv1, 1 = SNMPv2c, 3 = SNMPv3 */
	enum fl_snmp_pdu pdu;
	struct fl_str community; /* absent for v3 */
	/* v3 (RFC 3414 §2.4, RFC 3412 §6.8): who sent it, authenticated */
	struct fl_str user, engine_id, context_engine_id, context_name;
	uint8_t security_level; /* 1 noAuthNoPriv, 2 authNoPriv, 3 authPriv; 0 for v1/v2c */
	int32_t request_id, error_status, error_index; /* v2c/inform only */
	/* SNMPv1 Trap-PDU fields */
	struct fl_str enterprise; /* OID content octets */
	uint8_t agent_addr[4];
	int32_t generic_trap, specific_trap;
	uint32_t time_stamp;
	/* v2c: copied from the first two varbinds (sysUpTime.0, snmpTrapOID.0) */
	bool has_uptime;
	uint32_t uptime;
	struct fl_str trap_oid; /* OID content octets; absent for v1 */
	uint16_t n_varbinds;
	struct fl_varbind varbinds[FL_EVENT_MAX_VARBINDS];
};

struct fl_event {
	enum fl_event_kind kind;
	enum fl_transport transport;
	bool has_peer;
	socklen_t peer_len;
	struct sockaddr_storage peer;
	int64_t received_ns; /* CLOCK_REALTIME when the input got it, ns since the epoch */
	bool has_time; /* the message carried a usable time */
	int64_t time_ns; /* event time in UTC, ns since the epoch; = received_ns when !has_time */
	int32_t utc_offset_s; /* offset the message's time was written in */
	struct fl_str raw; /* the message as received, at most FL_EVENT_RAW_MAX bytes */
	bool raw_truncated;
	/* 0 when decoded; otherwise the decoder's verdict code and its text (static). */
	int error;
	const char *error_reason;
	struct fl_syslog syslog; /* kind == FL_EVENT_SYSLOG */
	struct fl_trap trap; /* kind == FL_EVENT_TRAP */
};

#endif /* FL_EVENT_H */
