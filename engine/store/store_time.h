/* store_time.h - the wall-clock times the store and its commands read and
 * print: ISO 8601 in UTC or with an offset, as nanoseconds since the epoch.
 * Pure functions, any thread; no locale or TZ dependence (no mktime). */
#ifndef FL_STORE_TIME_H
#define FL_STORE_TIME_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM:SS" (a space may
 * replace the T) with an optional "Z" or "+HH:MM"/"-HH:MM" suffix; no suffix
 * means UTC. Returns 0 or -EINVAL (also for out-of-range fields, and for
 * years outside FL_TIME_YEAR_MIN..MAX or an instant before the epoch:
 * nanoseconds in an int64_t end in 2262). */
#define FL_TIME_YEAR_MIN 1970
#define FL_TIME_YEAR_MAX 2199
FL_MUST_CHECK int fl_time_parse(const char *s, int64_t *out_ns);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL) into buf. */
#define FL_TIME_ISO_LEN 21
void fl_time_format(int64_t ns, char buf[FL_TIME_ISO_LEN]);

/* The same instant moved by months calendar months (UTC), the day clamped to
 * the month's last day (Jan 31 + 1 month = Feb 28/29). The caller keeps the
 * result inside the int64_t range (years 1678..2261). */
int64_t fl_time_add_months(int64_t ns, int64_t months);

#endif /* FL_STORE_TIME_H */
