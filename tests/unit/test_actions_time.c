/* fl_actions_time() formats by hand; gmtime_r() is the reference. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "engine/correlate/actions.h"

static void reference(char *out, size_t size, int64_t at_ns)
{
	int64_t s = at_ns / 1000000000, ms = (at_ns % 1000000000) / 1000000;
	time_t tt;
	struct tm tm;

	if (at_ns < 0 && ms != 0) {
		s--;
		ms += 1000;
	}
	tt = (time_t)s;
	gmtime_r(&tt, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)ms);
}

Test(actions_time, agrees_with_gmtime_across_leap_years_and_before_1970)
{
	static const int64_t fixed[] = {
	    0, 1, -1, 999999999, -999999999, 951782400000000000 /* 2000-02-29 */,
	    1764064937123456789, 4107542399999000000 /* 2100-02-28T23:59:59.999 */,
	    -86400000000000, -2208988800000000000 /* 1900-01-01 */};
	uint64_t x = 88172645463325252u;
	char got[32], want[96];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		fl_actions_time(got, sizeof(got), fixed[i]);
		reference(want, sizeof(want), fixed[i]);
		cr_expect_str_eq(got, want, "at %lld ns", (long long)fixed[i]);
	}
	for (int i = 0; i < 100000; i++) { /* xorshift over years 1900..2150 */
		int64_t at;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		at = (int64_t)(x % 7889000000000000000u) - 2208988800000000000;
		fl_actions_time(got, sizeof(got), at);
		reference(want, sizeof(want), at);
		cr_assert_str_eq(got, want, "at %lld ns", (long long)at);
	}
}

Test(actions_time, refuses_a_buffer_too_small)
{
	char out[8];

	fl_actions_time(out, sizeof(out), 0);
	cr_expect_str_eq(out, "?");
}
