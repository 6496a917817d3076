/* test_civil.c - day numbers of the Gregorian calendar: dates whose day
 * numbers Python's datetime gives ((date(y, m, d) - date(1970, 1, 1)).days),
 * the round trip over four centuries each side of the epoch, and month
 * lengths against the day numbers themselves. */
#include <criterion/criterion.h>

#include "engine/lib/civil.h"

Test(civil, known_dates_have_their_day_numbers)
{
	static const struct {
		int64_t y;
		unsigned m, d;
		int64_t days;
	} cases[] = {
		{1970, 1, 1, 0},	 {1969, 12, 31, -1},	 {2000, 3, 1, 11017},
		{2026, 12, 5, 20792}, {1900, 2, 28, -25509}, {2400, 2, 29, 157113},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t y;
		unsigned m, d;

		cr_expect_eq(fl_days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days,
			     "%lld-%u-%u", (long long)cases[i].y, cases[i].m, cases[i].d);
		fl_civil_from_days(cases[i].days, &y, &m, &d);
		cr_expect(y == cases[i].y && m == cases[i].m && d == cases[i].d, "day %lld",
			  (long long)cases[i].days);
	}
}

Test(civil, every_day_of_eight_centuries_goes_there_and_back)
{
	int64_t prev_y = 1599;
	unsigned prev_m = 12, prev_d = 31;

	for (int64_t day = fl_days_from_civil(1600, 1, 1); day < fl_days_from_civil(2400, 1, 1);
	     day++) {
		int64_t y;
		unsigned m, d;

		fl_civil_from_days(day, &y, &m, &d);
		if (fl_days_from_civil(y, m, d) != day)
			cr_assert_fail("day %lld -> %lld-%u-%u and back", (long long)day, (long long)y, m, d);
		/* the next day of the calendar, by hand */
		bool next = (y == prev_y && m == prev_m && d == prev_d + 1) ||
			    (y == prev_y && m == prev_m + 1 && d == 1 &&
			     prev_d == fl_days_in_month(prev_y, prev_m)) ||
			    (y == prev_y + 1 && m == 1 && d == 1 && prev_m == 12 && prev_d == 31);
		if (!next)
			cr_assert_fail("%lld-%u-%u follows %lld-%u-%u", (long long)y, m, d,
				 (long long)prev_y, prev_m, prev_d);
		prev_y = y;
		prev_m = m;
		prev_d = d;
	}
}

Test(civil, month_lengths_and_leap_years)
{
	cr_expect(fl_is_leap_year(2000) && fl_is_leap_year(2024) && fl_is_leap_year(2400));
	cr_expect(!fl_is_leap_year(1900) && !fl_is_leap_year(2100) && !fl_is_leap_year(2026));
	cr_expect_eq(fl_days_in_month(2024, 2), 29);
	cr_expect_eq(fl_days_in_month(2100, 2), 28);
	cr_expect_eq(fl_days_in_month(2026, 4), 30);
	cr_expect_eq(fl_days_in_month(2026, 12), 31);
	cr_expect_eq(fl_days_in_month(2026, 0), 0);
	cr_expect_eq(fl_days_in_month(2026, 13), 0);
	/* the 32nd of January is the 1st of February */
	cr_expect_eq(fl_days_from_civil(2026, 1, 32), fl_days_from_civil(2026, 2, 1));
}
