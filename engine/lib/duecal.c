/* duecal.c - see duecal.h. */
#include "engine/lib/duecal.h"

#include <stdbool.h>

#include "engine/lib/civil.h"
#include "engine/lib/tz.h"

static int32_t month_days(int64_t y, int32_t m)
{
	return (int32_t)fl_days_in_month(y, (unsigned)m);
}

bool fl_duecal_valid(const struct fl_duecal *s)
{
	return s->year >= 1970 && s->year <= 9999 && s->month >= 1 && s->month <= 12 &&
	       s->day >= 1 && s->day <= month_days(s->year, s->month) && s->minute >= 0 &&
	       s->minute < 1440 && s->every >= 1 && s->every <= FL_DUECAL_EVERY_MAX &&
	       (s->unit == FL_DUECAL_DAYS || s->unit == FL_DUECAL_WEEKS ||
		s->unit == FL_DUECAL_MONTHS);
}

/* The local date of occurrence k, as days since the epoch. */
static int64_t nth_day(const struct fl_duecal *s, int64_t k)
{
	int64_t months, y;
	int32_t m, d;

	if (s->unit != FL_DUECAL_MONTHS)
		return fl_days_from_civil(s->year, (unsigned)s->month, (unsigned)s->day) +
		       k * (int64_t)s->every * (s->unit == FL_DUECAL_WEEKS ? 7 : 1);
	months = (int64_t)s->month - 1 + k * (int64_t)s->every;
	y = s->year + months / 12;
	m = (int32_t)(months % 12) + 1;
	/* from the anchor's day, clamped to this month: the 31st stays the 31st */
	d = s->day <= month_days(y, m) ? s->day : month_days(y, m);
	return fl_days_from_civil(y, (unsigned)m, (unsigned)d);
}

int64_t fl_duecal_nth(const struct fl_tz *tz, const struct fl_duecal *s, int64_t k)
{
	int64_t local_s = nth_day(s, k) * 86400 + (int64_t)s->minute * 60;

	return local_s - fl_tz_offset_for_local(tz, local_s);
}

int64_t fl_duecal_last_due(const struct fl_tz *tz, const struct fl_duecal *s, int64_t t_s)
{
	int64_t first = fl_duecal_nth(tz, s, 0), period_s, k;

	if (t_s < first)
		return -1;
	/* a guess from the shortest period (28 days a month), then walk: the
	 * walk is a few steps, as a period never exceeds the guess by much */
	period_s = (int64_t)s->every * 86400 *
		   (s->unit == FL_DUECAL_DAYS ? 1 : s->unit == FL_DUECAL_WEEKS ? 7 : 31);
	k = (t_s - first) / period_s;
	while (k > 0 && fl_duecal_nth(tz, s, k) > t_s)
		k--;
	while (fl_duecal_nth(tz, s, k + 1) <= t_s)
		k++;
	return k;
}

int64_t fl_duecal_catch_up(const struct fl_tz *tz, const struct fl_duecal *s, int64_t done_k,
			   int64_t t_s, int64_t *passed_over)
{
	int64_t k = fl_duecal_last_due(tz, s, t_s);

	*passed_over = 0;
	if (k < 0 || k <= done_k)
		return -1;
	*passed_over = k - done_k - 1;
	return k;
}
