#include <criterion/criterion.h>
#include <errno.h>
#include <time.h>

#include "engine/lib/clock.h"

Test(clock, event_clock_stands_still_until_advanced)
{
	struct fl_clock *c;

	cr_assert_eq(fl_clock_create_event(&c, 1000), 0);
	cr_expect_eq(fl_clock_now_ns(c), 1000);
	cr_expect_eq(fl_clock_mono_ns(c), 1000);
	cr_expect_eq(fl_clock_now_ns(c), 1000);
	cr_expect_eq(fl_clock_kind(c), FL_CLOCK_EVENT);
	fl_clock_destroy(c);
}

Test(clock, event_clock_moves_to_and_by_the_given_time)
{
	struct fl_clock *c;
	struct fl_clock_stats st;

	cr_assert_eq(fl_clock_create_event(&c, 0), 0);
	cr_expect_eq(fl_clock_advance_to(c, 5 * FL_NS_PER_SEC), 0);
	cr_expect_eq(fl_clock_now_ns(c), 5 * FL_NS_PER_SEC);
	cr_expect_eq(fl_clock_advance_by(c, 250 * FL_NS_PER_MS), 0);
	cr_expect_eq(fl_clock_mono_ns(c), 5250 * FL_NS_PER_MS);
	cr_expect_eq(fl_clock_advance_to(c, 5250 * FL_NS_PER_MS), 0); /* same time: fine */
	fl_clock_stats(c, &st);
	cr_expect_eq(st.advanced, 2);
	fl_clock_destroy(c);
}

Test(clock, refuses_and_counts_a_step_backwards)
{
	struct fl_clock *c;
	struct fl_clock_stats st;

	cr_assert_eq(fl_clock_create_event(&c, 100), 0);
	cr_expect_eq(fl_clock_advance_to(c, 99), -ERANGE);
	cr_expect_eq(fl_clock_now_ns(c), 100);
	cr_expect_eq(fl_clock_advance_by(c, -1), -EINVAL);
	fl_clock_stats(c, &st);
	cr_expect_eq(st.refused_backwards, 1);
	cr_expect_eq(st.advanced, 0);
	fl_clock_destroy(c);
}

Test(clock, refuses_an_advance_that_would_overflow)
{
	struct fl_clock *c;

	cr_assert_eq(fl_clock_create_event(&c, INT64_MAX - 10), 0);
	cr_expect_eq(fl_clock_advance_by(c, 11), -EINVAL);
	cr_expect_eq(fl_clock_advance_by(c, 10), 0);
	cr_expect_eq(fl_clock_now_ns(c), INT64_MAX);
	fl_clock_destroy(c);
}

Test(clock, refuses_a_negative_start)
{
	struct fl_clock *c = NULL;

	cr_expect_eq(fl_clock_create_event(&c, -1), -EINVAL);
	cr_expect_null(c);
}

Test(clock, live_clock_follows_the_system_clocks_and_cannot_be_driven)
{
	struct fl_clock *c;
	struct timespec ts;
	int64_t before, now, m1, m2;

	cr_assert_eq(fl_clock_create_live(&c), 0);
	cr_assert_eq(clock_gettime(CLOCK_REALTIME, &ts), 0);
	before = (int64_t)ts.tv_sec * FL_NS_PER_SEC + ts.tv_nsec;
	now = fl_clock_now_ns(c);
	cr_expect_geq(now, before);
	cr_expect_lt(now - before, 60 * FL_NS_PER_SEC);
	m1 = fl_clock_mono_ns(c);
	m2 = fl_clock_mono_ns(c);
	cr_expect_geq(m2, m1);
	cr_expect_eq(fl_clock_advance_to(c, now + 1), -EINVAL);
	cr_expect_eq(fl_clock_advance_by(c, 1), -EINVAL);
	cr_expect_eq(fl_clock_kind(c), FL_CLOCK_LIVE);
	fl_clock_destroy(c);
}

Test(clock, destroy_accepts_null)
{
	fl_clock_destroy(NULL);
}
