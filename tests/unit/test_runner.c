/* The live runner of `faultline run`: how long its loop may wait for input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/decode/event.h"
#include "engine/pipeline/runner.h"
#include "engine/decode/syslog.h"

static int64_t real_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void feed_line(struct fl_runner *r, const char *line)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct fl_syslog_opts opts = {.received_ns = real_now_ns(), .tz = fl_runner_tz(r)};

	cr_assert(ev);
	ev->received_ns = opts.received_ns;
	cr_assert_eq(fl_syslog_decode(ev, line, strlen(line), &opts), FL_SYSLOG_OK, "%s", line);
	fl_runner_feed(r, ev);
	free(ev);
}

/* rules/test-product.plan holds a fibre cut 2 s: once both ends lost
 * signal, the loop may wait for input only until that hold ends, so the
 * incident opens on time and not at the next 100 ms poll. Timers keep whole
 * milliseconds, rounded up: a wait may be 1 ms over the plan's duration. */
Test(runner, waits_for_input_only_until_the_next_timer_is_due)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	char plan[512], data[512];
	struct fl_runner_config cfg = {.plan = plan, .data_dir = data};
	struct fl_runner *r = NULL;
	int wait_ms;

	snprintf(plan, sizeof(plan), "%s/rules/test-product.plan", root);
	snprintf(data, sizeof(data), "%s/data", shared);
	cr_assert_eq(fl_runner_create(&r, &cfg), 0);
	cr_expect_eq(fl_runner_wait_ms(r, 100), 100, "no timer armed: the whole wait");

	feed_line(r, "<130>Nov 25 10:02:17 HC-YZ-LX-OSN01 OSN: R_LOS raised port=1-8-1 "
		     "board=N1SL16 level=critical");
	wait_ms = fl_runner_wait_ms(r, 100000);
	cr_expect(wait_ms > 2001 && wait_ms <= 60001, "one end: the 60 s window, got %d ms",
		  wait_ms);
	feed_line(r, "<130>Nov 25 10:02:18 HC-YZ-SC-OSN01 OSN: R_LOS raised port=1-7-1 "
		     "board=N1SL16 level=critical");
	wait_ms = fl_runner_wait_ms(r, 100000);
	cr_expect(wait_ms >= 1 && wait_ms <= 2001, "both ends: the 2 s hold, got %d ms", wait_ms);
	cr_expect_eq(fl_runner_wait_ms(r, 10), 10, "never longer than the caller allows");
	fl_runner_destroy(r);
}
