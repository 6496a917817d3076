/* test_duecal.c - a periodic duty's calendar: month ends, leap years,
 * daylight saving, and what a tick after a long stop makes. The expected
 * instants come from date(1), e.g. date -u -d '2027-02-28 09:00 +0800' +%s. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "engine/lib/civil.h"
#include "engine/lib/duecal.h"
#include "engine/lib/tz.h"

static struct fl_tz *zone(const char *spec)
{
	struct fl_tz *tz = NULL;

	cr_assert_eq(fl_tz_load(&tz, spec), 0, "zone %s", spec);
	return tz;
}

/* occurrence k's local date in tz, as "YYYY-MM-DD". */
static void local_date(const struct fl_tz *tz, int64_t utc_s, char out[11])
{
	int64_t local_s = utc_s + fl_tz_offset_at(tz, utc_s);
	int64_t y;
	unsigned m, d;

	fl_civil_from_days(local_s / 86400, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", (int)y, m, d);
}

Test(duecal, a_monthly_duty_on_the_31st_falls_on_each_month_end_without_drifting)
{
	struct fl_duecal s = {2027, 1, 31, 9 * 60, 1, FL_DUECAL_MONTHS};
	static const char *const want[] = {"2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30",
					   "2027-05-31", "2027-06-30", "2027-07-31"};
	struct fl_tz *tz = zone("UTC");
	char got[11];

	cr_assert(fl_duecal_valid(&s));
	cr_expect_eq(fl_duecal_nth(tz, &s, 0), 1801386000);
	for (int64_t k = 0; k < 7; k++) {
		local_date(tz, fl_duecal_nth(tz, &s, k), got);
		cr_expect_str_eq(got, want[k], "occurrence %ld", (long)k);
	}
	fl_tz_free(tz);
}

Test(duecal, february_29_only_in_a_leap_year_and_the_zone_offset_is_applied)
{
	struct fl_duecal s = {2027, 1, 29, 9 * 60, 1, FL_DUECAL_MONTHS};
	struct fl_duecal leap = {2028, 2, 29, 60, 12, FL_DUECAL_MONTHS};
	struct fl_duecal bad = {2027, 2, 29, 0, 1, FL_DUECAL_MONTHS};
	struct fl_tz *cn = zone("+08:00"), *utc = zone("UTC");
	char got[11];

	cr_expect_eq(fl_duecal_nth(cn, &s, 1), 1803776400, "28 Feb 2027 09:00 in +08:00");
	cr_expect_not(fl_duecal_valid(&bad), "2027 has no 29 February");
	cr_expect_eq(fl_duecal_nth(utc, &leap, 0), 1835398800);
	local_date(utc, fl_duecal_nth(utc, &leap, 1), got);
	cr_expect_str_eq(got, "2029-02-28", "yearly from a leap day: the month's end");
	local_date(utc, fl_duecal_nth(utc, &leap, 4), got);
	cr_expect_str_eq(got, "2032-02-29", "and the leap day again four years on");
	fl_tz_free(cn);
	fl_tz_free(utc);
}

Test(duecal, the_minute_of_the_day_stays_on_the_local_clock_across_daylight_saving)
{
	/* Europe/Berlin goes to +02:00 on 28 March 2027 */
	struct fl_duecal s = {2027, 3, 27, 9 * 60, 1, FL_DUECAL_DAYS};
	struct fl_tz *tz = zone("Europe/Berlin");

	cr_expect_eq(fl_duecal_nth(tz, &s, 0), 1806134400, "09:00 +01:00");
	cr_expect_eq(fl_duecal_nth(tz, &s, 1), 1806217200, "09:00 +02:00, 23 h later");
	cr_expect_eq(fl_duecal_nth(tz, &s, 2), 1806303600);
	fl_tz_free(tz);
}

Test(duecal, every_two_weeks_counts_from_the_anchor)
{
	struct fl_duecal s = {2027, 1, 4, 0, 2, FL_DUECAL_WEEKS};
	struct fl_tz *tz = zone("UTC");
	int64_t first = fl_duecal_nth(tz, &s, 0);

	cr_expect_eq(fl_duecal_nth(tz, &s, 3) - first, 6 * 7 * 86400);
	cr_expect_eq(fl_duecal_last_due(tz, &s, first - 1), -1, "before the first");
	cr_expect_eq(fl_duecal_last_due(tz, &s, first), 0, "at the first itself");
	cr_expect_eq(fl_duecal_last_due(tz, &s, first + 14 * 86400 - 1), 0);
	cr_expect_eq(fl_duecal_last_due(tz, &s, first + 14 * 86400), 1);
	fl_tz_free(tz);
}

Test(duecal, last_due_agrees_with_nth_over_decades_of_month_ends)
{
	struct fl_duecal s = {2026, 1, 31, 23 * 60 + 30, 1, FL_DUECAL_MONTHS};
	struct fl_tz *tz = zone("Asia/Shanghai");

	for (int64_t k = 0; k < 600; k += 7) {
		int64_t at = fl_duecal_nth(tz, &s, k);

		cr_expect_eq(fl_duecal_last_due(tz, &s, at), k, "at occurrence %ld", (long)k);
		cr_expect_eq(fl_duecal_last_due(tz, &s, at - 1), k - 1, "just before %ld", (long)k);
	}
	fl_tz_free(tz);
}

Test(duecal, a_tick_after_a_long_stop_makes_the_latest_occurrence_once)
{
	struct fl_duecal s = {2027, 1, 1, 9 * 60, 1, FL_DUECAL_MONTHS};
	struct fl_tz *tz = zone("UTC");
	int64_t passed, june = fl_duecal_nth(tz, &s, 5) + 3600;

	/* done up to February (k 1), down until June: June once, Mar-May passed over */
	cr_expect_eq(fl_duecal_catch_up(tz, &s, 1, june, &passed), 5);
	cr_expect_eq(passed, 3);
	/* the next tick, June made: nothing, nothing passed over */
	cr_expect_eq(fl_duecal_catch_up(tz, &s, 5, june + 60, &passed), -1);
	cr_expect_eq(passed, 0);
	/* never made, first one due: it, nothing passed over */
	cr_expect_eq(fl_duecal_catch_up(tz, &s, -1, fl_duecal_nth(tz, &s, 0), &passed), 0);
	cr_expect_eq(passed, 0);
	/* before the anchor: nothing */
	cr_expect_eq(fl_duecal_catch_up(tz, &s, -1, fl_duecal_nth(tz, &s, 0) - 1, &passed), -1);
	fl_tz_free(tz);
}
