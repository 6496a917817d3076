/* time_cli.h - times as the commands print them for people: ISO 8601 in a
 * zone (the plan's, or --tz), with its offset, so the duty room reads its
 * own clock and a log reader still knows the instant. */
#ifndef FL_TIME_CLI_H
#define FL_TIME_CLI_H
#include <stdint.h>

struct fl_tz;

#define FL_CLI_TIME_LEN 26 /* "2026-11-25T10:00:00+08:00" and the NUL */

/* ns in tz ("2026-11-25T10:00:00+08:00"); tz NULL: UTC ("...Z"). */
void fl_cli_time(const struct fl_tz *tz, int64_t ns, char buf[FL_CLI_TIME_LEN]);

#endif /* FL_TIME_CLI_H */
