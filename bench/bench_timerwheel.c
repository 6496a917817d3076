/* bench_timerwheel.c - 1,000,000 timers embedded in caller state.
 *
 * Deadlines spread like the engine's: most within minutes (dedup windows),
 * some hours (repair clocks), a few days (maintenance windows). Prints adds/s,
 * re-arms/s, cancels/s, and the cost of advancing time in 1 ms steps (live)
 * and in one jump of a week (replay), with fires/s, plus peak RSS. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/lib/timerwheel.h"

#define HOUR_MS (3600 * INT64_C(1000))

struct window {
	struct fl_timer timer;
	uint64_t key;
};

struct fire_check {
	int64_t last_ms;
	size_t fired, out_of_order;
	const struct fl_timerwheel *tw;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int64_t deadline(uint64_t *seed, int64_t now)
{
	uint64_t r = rng_next(seed) % 100;

	if (r < 80)
		return now + 1 + (int64_t)(rng_next(seed) % (10 * 60 * 1000)); /* windows */
	if (r < 98)
		return now + (int64_t)(rng_next(seed) % (4 * HOUR_MS)); /* repair clocks */
	return now + (int64_t)(rng_next(seed) % (7 * 24 * HOUR_MS)); /* maintenance */
}

static void on_fire(struct fl_timer *t, void *ctx)
{
	struct fire_check *fc = ctx;

	if (fl_timer_expires(t) < fc->last_ms)
		fc->out_of_order++;
	fc->last_ms = fl_timer_expires(t);
	fc->fired++;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct window *w = calloc(n, sizeof(*w));
	struct fl_timerwheel *tw;
	struct fire_check fc = {0};
	struct fl_timerwheel_stats st;
	struct rusage ru;
	int64_t t_ms = 1732500000000;
	uint64_t seed = 1;
	double t0, t_add, t_rearm, t_cancel, t_live, t_jump;
	size_t live_fired, steps = 0;

	if (!w || fl_timerwheel_create(&tw, t_ms, n) != 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		fl_timer_init(&w[i].timer);

	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		if (fl_timerwheel_add(tw, &w[i].timer, deadline(&seed, t_ms)) != 0)
			return 1;
	t_add = now_s() - t0;

	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		if (fl_timerwheel_rearm(tw, &w[i].timer, deadline(&seed, t_ms)) != 0)
			return 1;
	t_rearm = now_s() - t0;

	t0 = now_s();
	for (size_t i = 0; i < n; i += 4)
		fl_timerwheel_cancel(tw, &w[i].timer);
	t_cancel = now_s() - t0;

	/* Live: one advance per millisecond for ten minutes of wheel time. */
	fc.tw = tw;
	fc.last_ms = t_ms;
	t0 = now_s();
	for (int64_t end = t_ms + 10 * 60 * 1000; t_ms < end; steps++)
		fl_timerwheel_advance(tw, ++t_ms, on_fire, &fc);
	t_live = now_s() - t0;
	live_fired = fc.fired;

	/* Replay: jump a week ahead in one call. */
	t0 = now_s();
	fl_timerwheel_advance(tw, t_ms + 7 * 24 * HOUR_MS, on_fire, &fc);
	t_jump = now_s() - t0;

	fl_timerwheel_stats(tw, &st);
	getrusage(RUSAGE_SELF, &ru);
	printf("timerwheel: %zu timers (80%% < 10 min, 18%% < 4 h, 2%% < 7 days), 1 ms ticks\n", n);
	printf("  add:     %7.2f M/s   re-arm: %7.2f M/s   cancel: %7.2f M/s\n",
	       (double)n / t_add / 1e6, (double)n / t_rearm / 1e6,
	       (double)(n / 4) / t_cancel / 1e6);
	printf("  live, %zu advances of 1 ms: %.0f ns per advance, %zu fired (%.2f M fires/s)\n",
	       steps, t_live / (double)steps * 1e9, live_fired,
	       (double)live_fired / t_live / 1e6);
	printf("  replay, one advance of 7 days: %.1f ms, %zu fired (%.2f M fires/s)\n",
	       t_jump * 1e3, fc.fired - live_fired,
	       (double)(fc.fired - live_fired) / t_jump / 1e6);
	printf("  cascades per timer: %.2f; slot heads %zu bytes + %zu bytes of timers in caller "
	       "state; peak RSS %.1f MiB\n",
	       (double)st.cascaded / (double)st.added, (size_t)7 * 64 * 16,
	       n * sizeof(struct fl_timer), (double)ru.ru_maxrss / 1024.0);
	if (fc.out_of_order || fc.fired != n - (n + 3) / 4 || st.armed != 0) {
		fprintf(stderr, "bench_timerwheel: wrong results (%zu out of order, %zu fired)\n",
			fc.out_of_order, fc.fired);
		return 1;
	}
	fl_timerwheel_destroy(tw);
	free(w);
	return 0;
}
