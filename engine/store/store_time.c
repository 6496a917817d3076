#include "engine/store/store_time.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#define NS_PER_S 1000000000LL
#define S_PER_DAY 86400LL

/* Howard Hinnant's civil-date algorithms: exact for every proleptic
 * Gregorian date, no table, no timegm() (not in POSIX). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (int64_t)m + (m > 2 ? -3 : 9);
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

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
	    (unsigned)d > days_in_month(y, (unsigned)mo) || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * S_PER_DAY + h * 3600LL +
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

	civil_from_days(days, &y, &m, &d);
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

	civil_from_days(days, &y, &m, &d);
	int64_t idx = y * 12 + (int64_t)m - 1 + months;
	int64_t ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
	unsigned nm = (unsigned)(idx - ny * 12) + 1;
	unsigned dim = days_in_month(ny, nm);

	return days_from_civil(ny, nm, d > dim ? dim : d) * day_ns + in_day;
}
