/* time_cli.c - time_cli.h. */
#include "engine/cli/time_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/tz.h"
#include "engine/store/store_time.h"

void fl_cli_time(const struct fl_tz *tz, int64_t ns, char buf[FL_CLI_TIME_LEN])
{
	char iso[FL_TIME_ISO_LEN];
	int32_t off;

	if (!tz) {
		fl_time_format(ns, iso);
		snprintf(buf, FL_CLI_TIME_LEN, "%s", iso);
		return;
	}
	off = fl_tz_offset_at(tz, ns / 1000000000);
	fl_time_format(ns + (int64_t)off * 1000000000, iso);
	iso[strlen(iso) - 1] = '\0'; /* the Z: the offset follows instead */
	snprintf(buf, FL_CLI_TIME_LEN, "%s%c%02d:%02d", iso, off < 0 ? '-' : '+',
		 abs(off) / 3600, abs(off) / 60 % 60);
}
