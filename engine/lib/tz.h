/* tz.h - time zones for timestamps that carry no UTC offset.
 *
 * RFC 3164 lines say "Nov 25 10:00:00" and leave the zone to the receiver, so
 * the operator names the zone the devices' clocks are set to (--tz). A struct
 * fl_tz is either a fixed offset ("+08:00", "UTC") or the transitions of an IANA
 * zone read from its TZif file (RFC 8536) under $TZDIR, else /usr/share/zoneinfo.
 * The file is
 * parsed here, never through setenv("TZ")/localtime(): that would be process
 * state shared by every thread and every engine.
 *
 * A loaded zone is immutable: any thread may query it; whoever loaded it frees
 * it, after the last query. Times after the file's last transition follow the
 * footer's POSIX TZ rule (RFC 8536 §3.3), daylight saving included, so a zone
 * stays right past 2037 and with "slim" files that stop at the last rule
 * change; a file without a footer keeps its last transition's offset. */
#ifndef FL_TZ_H
#define FL_TZ_H
#include <stdint.h>

#include "engine/lib/compiler.h"

/* A TZif file larger than this is refused (-EFBIG); real ones are < 4 KiB. */
#define FL_TZ_FILE_MAX (256 * 1024)

struct fl_tz;

/* Lifecycle. spec: "UTC" (or "Z", "GMT"), a fixed offset "+08:00" / "-05:30" /
 * "+0800" / "+08", an IANA name such as "Asia/Shanghai" (read from
 * $TZDIR, else /usr/share/zoneinfo), an absolute path to a TZif file, or NULL for the
 * machine's zone (/etc/localtime). Returns 0, -EINVAL (bad spec or name),
 * -ENOENT/-EACCES (file), -ENOEXEC (not a valid TZif file), -EFBIG or -ENOMEM;
 * *out is set only on success. fl_tz_free(NULL) does nothing. */
int fl_tz_load(struct fl_tz **out, const char *spec) FL_MUST_CHECK;
void fl_tz_free(struct fl_tz *tz);

/* Queries. NULL tz means UTC. */
/* UTC offset in seconds in force at UTC time utc_s. */
int32_t fl_tz_offset_at(const struct fl_tz *tz, int64_t utc_s);
/* UTC offset in seconds for a local wall-clock time (seconds since the epoch as
 * if the wall clock were UTC). In a gap or an overlap around a DST change it
 * picks one of the two candidate offsets; it never fails. */
int32_t fl_tz_offset_for_local(const struct fl_tz *tz, int64_t local_s);

#endif /* FL_TZ_H */
