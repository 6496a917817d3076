/* syslog.h - the syslog decoder: one message in, one struct fl_event out.
 *
 * It owns nothing. fl_syslog_decode() slices the caller's buffer into the
 * event's fields (RFC 5424, or RFC 3164 as devices really send it) without
 * copying and without allocating, so an event lives as long as its buffer. It
 * is reentrant: any thread may call it on its own event and buffer (and its
 * own opts->time_cache, if it passes one).
 *
 * A message that does not decode is still an event: kind SYSLOG, raw set, msg
 * the whole line, the PRI when it was readable, and error/error_reason naming
 * the first rule the line broke (RFC 3164 §4.3.3, RFC 5424 §6: keep the bytes
 * as the message). Callers count it under that verdict.
 *
 * Decisions a caller would not guess:
 * - "<01>" (a PRI with a leading zero) is rejected: RFC 5424 §6.2.1 PRIVAL is
 *   the number written without them, and a relay that pads it is broken.
 * - RFC 3164 without a PRI decodes with pri -1 (not the 13 of §4.3.3): rules
 *   can tell "no PRI" from "user.notice".
 * - RFC 3164 timestamps without a year take the year that puts them nearest the
 *   received time (a December line received on 1 January is last year's);
 *   without an offset they are read in opts->tz. A clock marked not
 *   synchronised (Cisco "*Mar  1 ..." or ".Mar  1 ...") gives has_time false
 *   and time_ns = received_ns; the timestamp text is kept.
 * - Zone abbreviations after an RFC 3164 time (see zone_abbrevs in
 *   syslog_3164.c) are the ones this network's devices send: CST is China
 *   Standard Time (+08:00), as Cisco devices in China are configured, not US
 *   Central.
 * - An RFC 3164 timestamp in RFC 3339 form ("<13>2026-11-25T10:00:00+08:00
 *   host tag: msg", old rsyslog forwarding) is accepted as RFC 3164.
 * - Huawei VRP "%%01MOD/L/MNEMONIC(l)[seq]:text" gives app_name MOD, msgid
 *   MNEMONIC and msg text; "tag[pid]:" gives app_name and procid (so an
 *   RFC 3164 app_name may be up to FL_SYSLOG_TAG_MAX long, longer than
 *   RFC 5424's APP-NAME); a TAG longer than FL_SYSLOG_TAG_MAX is not a tag
 *   and stays in msg.
 * - An RFC 3164 line with no timestamp (RFC 3164 §4.3.3) decodes as rsyslog
 *   and syslog-ng read it: no HOSTNAME, a tag if one starts the text, the
 *   received time, syslog.no_timestamp set. Cisco uptime stamps ("00:00:46:",
 *   "1d02h:") are kept as the timestamp text, with the received time.
 * - RFC 5424 with a VERSION other than 1 decodes as 1 and keeps it in version. */
#ifndef FL_SYSLOG_H
#define FL_SYSLOG_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/decode/event.h"
#include "engine/lib/str.h"

/* RFC 5424 §6 field caps (octets). */
#define FL_SYSLOG_HOSTNAME_MAX 255
#define FL_SYSLOG_APP_NAME_MAX 48
#define FL_SYSLOG_PROCID_MAX 128
#define FL_SYSLOG_MSGID_MAX 32
#define FL_SYSLOG_SD_NAME_MAX 32 /* SD-ID and PARAM-NAME */
#define FL_SYSLOG_TAG_MAX 128 /* RFC 3164 §4.1.3 says 32; rsyslog and syslog-ng take longer */

/* One verdict per reason a line fails to decode; each is counted. */
#define FL_SYSLOG_VERDICTS(X)                                                              \
	X(OK, "ok")                                                                         \
	X(EMPTY, "empty message")                                                           \
	X(BAD_PRI, "priority not <0..191>")                                                 \
	X(PRI_LEADING_ZERO, "priority written with a leading zero")                         \
	X(TRUNCATED, "message ends inside the header")                                      \
	X(BAD_VERSION, "RFC 5424 version not 1")                                            \
	X(BAD_TIMESTAMP, "timestamp not RFC 3339 as RFC 5424 section 6.2.3 allows")         \
	X(BAD_FRACTION, "more than 6 digits of fractional seconds")                         \
	X(BAD_OFFSET, "time offset not Z or +HH:MM/-HH:MM")                                 \
	X(LEAP_SECOND, "leap second 60 (RFC 5424 section 6.2.3)")                           \
	X(BAD_DATE, "date or time of day out of range")                                     \
	X(NO_TIMESTAMP, "no RFC 3164 timestamp (Mmm dd hh:mm:ss)")                          \
	X(BAD_SEPARATOR, "header fields not separated by one space")                        \
	X(BAD_HOSTNAME, "HOSTNAME empty, over 255 octets or not printable US-ASCII")        \
	X(BAD_APP_NAME, "APP-NAME empty, over 48 octets or not printable US-ASCII")         \
	X(BAD_PROCID, "PROCID empty, over 128 octets or not printable US-ASCII")            \
	X(BAD_MSGID, "MSGID empty, over 32 octets or not printable US-ASCII")               \
	X(BAD_SD, "STRUCTURED-DATA neither - nor [SD-ELEMENT]")                             \
	X(BAD_SD_ID, "SD-ID empty, over 32 octets or not printable US-ASCII")               \
	X(BAD_SD_PARAM, "SD-PARAM not NAME=\"VALUE\" with a 1..32 octet US-ASCII NAME")     \
	X(SD_UNTERMINATED, "STRUCTURED-DATA element or value never closed")

enum fl_syslog_verdict {
#define X(name, text) FL_SYSLOG_##name,
	FL_SYSLOG_VERDICTS(X)
#undef X
	FL_SYSLOG__COUNT
};

struct fl_tz; /* engine/lib/tz.h */
struct fl_json; /* engine/lib/json.h */

/* The last plain RFC 3164 timestamp ("Mmm dd hh:mm:ss", no year, fraction
 * or zone) that decoded, and the time it came to. Lines read in a row repeat
 * their second, so a line whose timestamp has the same bytes, read with the
 * same zone, year and (when the year is inferred) received time, takes the
 * time from here instead of parsing the text and walking the calendar again.
 * The reader that owns it (one thread) zeroes it before the first line;
 * the fields are the decoder's. */
struct fl_syslog_time_cache {
	char text[16];		/* the timestamp's bytes; len 0: empty */
	uint8_t len;
	int year;		/* the key besides the text: opts->year, */
	const struct fl_tz *tz; /* opts->tz, */
	int64_t received_ns;	/* and opts->received_ns when year is 0 (else 0) */
	int64_t time_ns;	/* what the text came to */
	int32_t utc_offset_s;
};

struct fl_syslog_opts {
	int64_t received_ns; /* when it was received (CLOCK_REALTIME ns); decides the RFC 3164 year */
	const struct fl_tz *tz; /* zone for RFC 3164 timestamps without an offset; NULL = UTC */
	int year; /* 0: infer from received_ns; else force this year (replay --year) */
	/* NULL: none; else read and updated by the decode (not thread-safe:
	 * one cache per reading thread) */
	struct fl_syslog_time_cache *time_cache;
};

/* The verdict's text (static); "unknown verdict" for a value outside the list. */
const char *fl_syslog_verdict_text(enum fl_syslog_verdict v);
/* Its name as in the list ("BAD_PRI"), for counters: syslog.<name>; "UNKNOWN"
 * outside the list. */
const char *fl_syslog_verdict_name(enum fl_syslog_verdict v);

/* Decodes one syslog message p[0..len) (no trailing LF) into ev. Never fails
 * fatally: on a line it cannot decode, ev is still a usable event (kind SYSLOG,
 * raw set, msg = the whole line, error/error_reason set). Returns the verdict.
 * Does not allocate. All fl_str in ev point into p. Sets kind, received_ns
 * (from opts), time, raw, error and the syslog part; leaves transport and peer
 * to the caller. opts NULL: received at 0, UTC, year inferred. */
enum fl_syslog_verdict fl_syslog_decode(struct fl_event *ev, const char *p, size_t len,
					const struct fl_syslog_opts *opts);

/* Writes the members (inside an object the caller opened) pri, facility,
 * severity, version, timestamp, hostname, app_name, procid, msgid,
 * structured_data, msg, and error where the line did not decode; plus
 * has_bom, clock_unsynced, raw_truncated and sd_dropped only when set.
 * - pri/facility/severity are null without a PRI; version is the RFC 5424 VERSION
 *   and null otherwise; absent fields (NILVALUE) are null.
 * - timestamp is RFC 3339 in the offset the message used, with the fraction
 *   digits it wrote ("2026-11-25T10:00:12.345+08:00"; "Z" for offset 0), null
 *   without a usable time.
 * - structured_data is {SD-ID: {PARAM: "unescaped value"}}; a param name that
 *   repeats within an SD-ID gives an array of its values in wire order, and a
 *   repeated SD-ID merges into the first. null when there is none. */
void fl_syslog_json_fields(struct fl_json *j, const struct fl_event *ev);

/* RFC 5424 §6.3.3 PARAM-VALUE unescape: \" \\ \] become " \ ]; a backslash
 * before any other character is kept with it. Writes into out[0..cap) (no NUL);
 * returns the bytes written or -ENOBUFS when they do not fit. */
ssize_t fl_sd_unescape(struct fl_str value, char *out, size_t cap);

#endif /* FL_SYSLOG_H */
