/* syslog_int.h - what the syslog decoder's three files share; not for callers.
 *
 * syslog.c holds the entry point, PRI, the failure path, calendar arithmetic
 * and JSON output; syslog_5424.c and syslog_3164.c decode the rest of a line
 * once the PRI is known. Same threading and ownership as syslog.h. */
#ifndef FL_SYSLOG_INT_H
#define FL_SYSLOG_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/decode/syslog.h"
#include "engine/lib/civil.h"

#define FL_NS_PER_S INT64_C(1000000000)
/* Years an event time may carry: int64 nanoseconds reach 1677..2262. */
#define FL_SYSLOG_YEAR_MIN 1900
#define FL_SYSLOG_YEAR_MAX 2200

static inline bool fl_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* PRINTUSASCII, %d33-126 (RFC 5424 §6). */
static inline bool fl_is_print(char c)
{
	return (unsigned char)((unsigned char)c - 33u) < 94u;
}


/* RFC 3339 date-time at p[*i..len). max_frac: 6 for RFC 5424, 9 elsewhere.
 * On OK: *i is past it, *utc_ns and *off_s are set. */
enum fl_syslog_verdict fl_rfc3339_parse(const char *p, size_t len, size_t *i, unsigned max_frac,
					int64_t *utc_ns, int32_t *off_s);

/* The rest of a line after "<PRI>1 " (RFC 5424) or after the PRI, if any
 * (RFC 3164). They fill ev->syslog and the time; on a verdict other than OK
 * the caller resets the event to the failure shape. */
enum fl_syslog_verdict fl_syslog_decode_5424(struct fl_event *ev, const char *p, size_t len,
					     size_t i);
enum fl_syslog_verdict fl_syslog_decode_3164(struct fl_event *ev, const char *p, size_t len,
					     size_t i, const struct fl_syslog_opts *opts);

#endif /* FL_SYSLOG_INT_H */
