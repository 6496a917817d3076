#include "engine/store/store_time.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine/lib/civil.h"

#define NS_PER_S 1000000000LL
#define S_PER_DAY 86400LL

/* Reads exactly n digits at *p; false if any is not a digit. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

int fl_time_parse(const char *s, int64_t *out_ns)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, off_h = 0, off_m = 0, sign = 0;
	const char *p = s;

	if (!s || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return -EINVAL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return -EINVAL;
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits(&p, 2, &off_h) || *p++ != ':' || !digits(&p, 2, &off_m) ||
		    off_h > 14 || off_m > 59)
			return -EINVAL;
	}
	/* nanoseconds since the epoch in an int64_t reach 2262 only; stay well
	 * inside so month arithmetic on the result cannot overflow either */
	if (y < FL_TIME_YEAR_MIN || y > FL_TIME_YEAR_MAX)
		return -EINVAL;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 ||
	    (unsigned)d > fl_days_in_month(y, (unsigned)mo) || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	int64_t secs = fl_days_from_civil(y, (unsigned)mo, (unsigned)d) * S_PER_DAY + h * 3600LL +
	               mi * 60LL + sec - sign * (off_h * 3600LL + off_m * 60LL);
	if (secs < 0) /* 1970-01-01 with a positive offset */
		return -EINVAL;
	*out_ns = secs * NS_PER_S;
	return 0;
}

void fl_time_format(int64_t ns, char buf[FL_TIME_ISO_LEN])
{
	int64_t secs = ns >= 0 ? ns / NS_PER_S : -((-ns + NS_PER_S - 1) / NS_PER_S);
	int64_t days = secs >= 0 ? secs / S_PER_DAY : -((-secs + S_PER_DAY - 1) / S_PER_DAY);
	int64_t rem = secs - days * S_PER_DAY, y;
	unsigned m, d;

	fl_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(buf, FL_TIME_ISO_LEN, "%s", "0000-00-00T00:00:00Z");
		return;
	}
	unsigned hh = (unsigned)(rem / 3600) % 24, mm = (unsigned)(rem / 60 % 60) % 60;
	unsigned ss = (unsigned)(rem % 60) % 60;

	snprintf(buf, FL_TIME_ISO_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
	         m % 13u, d % 32u, hh, mm, ss);
}

int64_t fl_time_add_months(int64_t ns, int64_t months)
{
	int64_t day_ns = S_PER_DAY * NS_PER_S;
	int64_t days = ns >= 0 ? ns / day_ns : -((-ns + day_ns - 1) / day_ns);
	int64_t in_day = ns - days * day_ns, y;
	unsigned m, d;

	fl_civil_from_days(days, &y, &m, &d);
	int64_t idx = y * 12 + (int64_t)m - 1 + months;
	int64_t ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
	unsigned nm = (unsigned)(idx - ny * 12) + 1;
	unsigned dim = fl_days_in_month(ny, nm);

	return fl_days_from_civil(ny, nm, d > dim ? dim : d) * day_ns + in_day;
}
