#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "engine/lib/clock.h"
#include "engine/lib/timerwheel.h"

#define DAY_MS (24 * 3600 * INT64_C(1000))

/* A timer embedded in caller state, as the engine embeds it. */
struct job {
	struct fl_timer timer;
	int id;
};

struct log {
	int ids[4096];
	int64_t at[4096];
	size_t n;
	struct fl_timerwheel *tw;
};

static struct job *job_of(struct fl_timer *t)
{
	return (struct job *)(void *)((char *)t - offsetof(struct job, timer));
}

static void record(struct fl_timer *t, void *ctx)
{
	struct log *lg = ctx;

	cr_assert_lt(lg->n, 4096);
	lg->ids[lg->n] = job_of(t)->id;
	lg->at[lg->n] = fl_timerwheel_now(lg->tw);
	lg->n++;
	cr_expect_not(fl_timer_is_armed(t), "a firing timer is already disarmed");
}

static struct fl_timerwheel *wheel(int64_t start_ms, size_t max)
{
	struct fl_timerwheel *tw;

	cr_assert_eq(fl_timerwheel_create(&tw, start_ms, max), 0);
	return tw;
}

static void arm(struct fl_timerwheel *tw, struct job *j, int id, int64_t at)
{
	fl_timer_init(&j->timer);
	j->id = id;
	cr_assert_eq(fl_timerwheel_add(tw, &j->timer, at), 0, "arm %d at %lld", id, (long long)at);
}

Test(timerwheel, fires_timers_in_deadline_order)
{
	struct fl_timerwheel *tw = wheel(0, 100);
	struct log lg = {.tw = tw};
	struct job j[5];
	const int64_t at[5] = {5000, 10, 70000, 64, 4096};
	const int want[5] = {1, 3, 4, 0, 2};

	for (int i = 0; i < 5; i++)
		arm(tw, &j[i], i, at[i]);
	cr_expect_eq(fl_timerwheel_advance(tw, 100000, record, &lg), 5);
	cr_assert_eq(lg.n, 5);
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(lg.ids[i], want[i], "position %d", i);
		cr_expect_eq(lg.at[i], at[want[i]], "fired %d at its deadline", want[i]);
	}
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, fires_nothing_before_its_deadline)
{
	struct fl_timerwheel *tw = wheel(1000, 10);
	struct log lg = {.tw = tw};
	struct job j;

	arm(tw, &j, 7, 1500);
	cr_expect_eq(fl_timerwheel_advance(tw, 1499, record, &lg), 0);
	cr_expect(fl_timer_is_armed(&j.timer));
	cr_expect_eq(fl_timerwheel_advance(tw, 1500, record, &lg), 1);
	cr_expect_eq(lg.ids[0], 7);
	cr_expect_eq(fl_timerwheel_now(tw), 1500);
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, breaks_ties_in_arming_order)
{
	struct fl_timerwheel *tw = wheel(0, 100);
	struct log lg = {.tw = tw};
	struct job j[6];

	/* Same deadline, armed from different distances: the first two sit on
	 * coarse levels and cascade into the slot the later ones went to
	 * directly, yet they fire first because they were armed first. */
	arm(tw, &j[0], 0, 300000);
	cr_expect_eq(fl_timerwheel_advance(tw, 200000, record, &lg), 0);
	arm(tw, &j[1], 1, 300000);
	cr_expect_eq(fl_timerwheel_advance(tw, 299990, record, &lg), 0);
	arm(tw, &j[2], 2, 300000);
	arm(tw, &j[3], 3, 300000);
	cr_expect_eq(fl_timerwheel_advance(tw, 300000, record, &lg), 4);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(lg.ids[i], i);
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, cancelled_timers_never_fire)
{
	struct fl_timerwheel *tw = wheel(0, 100);
	struct log lg = {.tw = tw};
	struct job j[3];
	struct fl_timerwheel_stats st;

	arm(tw, &j[0], 0, 100);
	arm(tw, &j[1], 1, 100);
	arm(tw, &j[2], 2, 5 * DAY_MS);
	cr_expect(fl_timerwheel_cancel(tw, &j[0].timer));
	cr_expect(fl_timerwheel_cancel(tw, &j[2].timer));
	cr_expect_not(fl_timerwheel_cancel(tw, &j[2].timer), "second cancel is a no-op");
	cr_expect_eq(fl_timerwheel_advance(tw, 10 * DAY_MS, record, &lg), 1);
	cr_expect_eq(lg.ids[0], 1);
	fl_timerwheel_stats(tw, &st);
	cr_expect_eq(st.cancelled, 2);
	cr_expect_eq(st.armed, 0);
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, rearm_moves_the_deadline_and_the_tie_order)
{
	struct fl_timerwheel *tw = wheel(0, 100);
	struct log lg = {.tw = tw};
	struct job j[3];

	arm(tw, &j[0], 0, 500);
	arm(tw, &j[1], 1, 500);
	arm(tw, &j[2], 2, 90);
	cr_expect_eq(fl_timerwheel_rearm(tw, &j[0].timer, 500), 0); /* now last among 500s */
	cr_expect_eq(fl_timerwheel_rearm(tw, &j[2].timer, 20000), 0);
	cr_expect_eq(fl_timerwheel_add(tw, &j[2].timer, 1), -EBUSY);
	cr_expect_eq(fl_timerwheel_advance(tw, 1000, record, &lg), 2);
	cr_expect_eq(lg.ids[0], 1);
	cr_expect_eq(lg.ids[1], 0);
	cr_expect_eq(fl_timer_expires(&j[2].timer), 20000);
	cr_expect_eq(fl_timerwheel_advance(tw, 20000, record, &lg), 1);
	cr_expect_eq(lg.ids[2], 2);
	cr_expect_eq(lg.at[2], 20000);
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, handles_a_repair_clock_and_a_weekly_window_far_ahead)
{
	struct fl_timerwheel *tw = wheel(1732500000000, 10); /* an epoch-ms start */
	struct log lg = {.tw = tw};
	struct job repair, week, century;
	int64_t t0 = 1732500000000, next;
	struct fl_timerwheel_stats st;

	arm(tw, &repair, 1, t0 + 2 * 3600 * 1000);
	arm(tw, &week, 2, t0 + 7 * DAY_MS);
	arm(tw, &century, 3, t0 + 36500 * DAY_MS); /* beyond nothing, but far */
	cr_expect(fl_timerwheel_next_expiry(tw, &next));
	cr_expect_eq(next, t0 + 2 * 3600 * 1000);
	cr_expect_eq(fl_timerwheel_advance(tw, t0 + 2 * 3600 * 1000 - 1, record, &lg), 0);
	cr_expect_eq(fl_timerwheel_advance(tw, t0 + 8 * DAY_MS, record, &lg), 2);
	cr_expect_eq(lg.at[0], t0 + 2 * 3600 * 1000);
	cr_expect_eq(lg.at[1], t0 + 7 * DAY_MS);
	cr_expect(fl_timerwheel_next_expiry(tw, &next));
	cr_expect_eq(next, t0 + 36500 * DAY_MS);
	cr_expect_eq(fl_timerwheel_advance(tw, t0 + 40000 * DAY_MS, record, &lg), 1);
	cr_expect_eq(lg.at[2], t0 + 36500 * DAY_MS);
	/* A jump of a week touches occupied slots only: few cascades, no scan. */
	fl_timerwheel_stats(tw, &st);
	cr_expect_leq(st.cascaded, 3 * 7);
	cr_expect_not(fl_timerwheel_next_expiry(tw, &next));
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, parks_a_deadline_beyond_the_top_level_and_still_fires_it_on_time)
{
	struct fl_timerwheel *tw = wheel(0, 10);
	struct log lg = {.tw = tw};
	struct job j;
	int64_t far = (INT64_C(1) << 45) + 12345; /* past 2^42 ms, the top level's reach */

	arm(tw, &j, 9, far);
	cr_expect_eq(fl_timerwheel_advance(tw, far - 1, record, &lg), 0);
	cr_expect(fl_timer_is_armed(&j.timer));
	cr_expect_eq(fl_timerwheel_advance(tw, far, record, &lg), 1);
	cr_expect_eq(lg.at[0], far);
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, fires_a_deadline_already_past_at_the_next_advance_in_deadline_order)
{
	struct fl_timerwheel *tw = wheel(10000, 10);
	struct log lg = {.tw = tw};
	struct job j[3];

	arm(tw, &j[0], 0, 9000);
	arm(tw, &j[1], 1, 10001);
	arm(tw, &j[2], 2, 5);
	cr_expect_eq(fl_timerwheel_advance(tw, 10000, record, &lg), 2, "same now still fires past ones");
	cr_expect_eq(lg.ids[0], 2);
	cr_expect_eq(lg.ids[1], 0);
	cr_expect_eq(fl_timerwheel_advance(tw, 10001, record, &lg), 1);
	cr_expect_eq(lg.ids[2], 1);
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, refuses_and_counts_timers_past_the_cap)
{
	struct fl_timerwheel *tw = wheel(0, 2);
	struct job j[3];
	struct fl_timerwheel_stats st;
	struct log lg = {.tw = tw};

	arm(tw, &j[0], 0, 10);
	arm(tw, &j[1], 1, 20);
	fl_timer_init(&j[2].timer);
	cr_expect_eq(fl_timerwheel_add(tw, &j[2].timer, 30), -ENOBUFS);
	cr_expect_not(fl_timer_is_armed(&j[2].timer));
	cr_expect_eq(fl_timerwheel_rearm(tw, &j[1].timer, 40), 0, "re-arm needs no new room");
	fl_timerwheel_stats(tw, &st);
	cr_expect_eq(st.refused_full, 1);
	cr_expect_eq(st.armed, 2);
	cr_expect_eq(st.high_water, 2);
	cr_expect_eq(fl_timerwheel_advance(tw, 10, record, &lg), 1);
	cr_expect_eq(fl_timerwheel_add(tw, &j[2].timer, 30), 0, "room again after a fire");
	fl_timerwheel_destroy(tw);
}

Test(timerwheel, rejects_bad_arguments)
{
	struct fl_timerwheel *tw = NULL;
	struct job j;

	cr_expect_eq(fl_timerwheel_create(&tw, -1, 10), -EINVAL);
	cr_expect_eq(fl_timerwheel_create(&tw, 0, 0), -EINVAL);
	cr_expect_null(tw);
	tw = wheel(0, 10);
	fl_timer_init(&j.timer);
	cr_expect_eq(fl_timerwheel_add(tw, &j.timer, -5), -EINVAL);
	cr_expect_eq(fl_timerwheel_add(tw, &j.timer, FL_TIMERWHEEL_MAX_MS + 1), -EINVAL);
	cr_expect_eq(fl_timerwheel_rearm(tw, &j.timer, -5), -EINVAL);
	cr_expect_not(fl_timer_is_armed(&j.timer));
	fl_timerwheel_destroy(tw);
	fl_timerwheel_destroy(NULL);
}

/* A callback that re-arms its own timer (a heartbeat) and cancels another. */
struct churn {
	struct log lg;
	struct job beat, victim, late;
	int beats;
};

static void churn_fire(struct fl_timer *t, void *ctx)
{
	struct churn *c = ctx;
	struct job *j = job_of(t);

	record(t, &c->lg);
	if (j == &c->beat && ++c->beats < 5) {
		cr_assert_eq(fl_timerwheel_add(c->lg.tw, t, fl_timerwheel_now(c->lg.tw) + 1000), 0);
		if (c->beats == 2) {
			fl_timerwheel_cancel(c->lg.tw, &c->victim.timer);
			/* already due: fires in this same advance, after this one */
			cr_assert_eq(fl_timerwheel_add(c->lg.tw, &c->late.timer, 0), 0);
		}
	}
}

Test(timerwheel, lets_a_callback_rearm_itself_and_cancel_others)
{
	struct fl_timerwheel *tw = wheel(0, 10);
	struct churn c = {.lg = {.tw = tw}};

	arm(tw, &c.beat, 1, 1000);
	arm(tw, &c.victim, 2, 2500);
	fl_timer_init(&c.late.timer);
	c.late.id = 3;
	cr_expect_eq(fl_timerwheel_advance(tw, 100000, churn_fire, &c), 6);
	cr_assert_eq(c.lg.n, 6);
	const int want[6] = {1, 1, 3, 1, 1, 1};
	const int64_t at[6] = {1000, 2000, 2000, 3000, 4000, 5000};
	for (int i = 0; i < 6; i++) {
		cr_expect_eq(c.lg.ids[i], want[i], "position %d", i);
		cr_expect_eq(c.lg.at[i], at[i], "position %d", i);
	}
	fl_timerwheel_destroy(tw);
}

/* Randomized comparison against a plain list sorted on (deadline, seq). */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

#define NJOBS 2000

struct ref {
	struct job jobs[NJOBS];
	bool armed[NJOBS];
	int64_t expires[NJOBS];
	uint64_t seq[NJOBS];
	uint64_t next_seq;
	int fired[NJOBS * 4];
	size_t nfired;
};

static void ref_fire(struct fl_timer *t, void *ctx)
{
	struct ref *r = ctx;

	cr_assert_lt(r->nfired, FL_ARRAY_LEN(r->fired));
	r->fired[r->nfired++] = job_of(t)->id;
}

static struct ref *cmp_ref;

static int by_deadline(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	if (cmp_ref->expires[x] != cmp_ref->expires[y])
		return cmp_ref->expires[x] < cmp_ref->expires[y] ? -1 : 1;
	return cmp_ref->seq[x] < cmp_ref->seq[y] ? -1 : 1;
}

static int64_t random_delay(uint64_t *s, int64_t now)
{
	switch (rng_next(s) % 7) {
	case 0: return (int64_t)(rng_next(s) % 64);
	case 1: return (int64_t)(rng_next(s) % 5000);
	case 2: return (int64_t)(rng_next(s) % 600000);
	case 3: return (int64_t)(rng_next(s) % (14 * DAY_MS));
	case 4: return (int64_t)(rng_next(s) % 4) - 2; /* now, or just past */
	case 5: return (int64_t)(rng_next(s) % 3) * 4096;
	default: /* shared deadlines on block boundaries, reached from afar: ties */
		return 4096 - now % 4096 + (int64_t)(rng_next(s) % 4) * 4096;
	}
}

Test(timerwheel, matches_a_sorted_reference_under_random_operations, .timeout = 60)
{
	struct ref *r = calloc(1, sizeof(*r));
	struct fl_timerwheel *tw = wheel(123456, NJOBS);
	uint64_t seed = 42;
	int64_t now = 123456;
	int due[NJOBS];

	cr_assert_not_null(r);
	cmp_ref = r;
	for (int i = 0; i < NJOBS; i++) {
		fl_timer_init(&r->jobs[i].timer);
		r->jobs[i].id = i;
	}
	for (int step = 0; step < 20000; step++) {
		int i = (int)(rng_next(&seed) % NJOBS);
		uint64_t op = rng_next(&seed) % 10;

		if (op < 4) {
			int64_t at = now + random_delay(&seed, now);
			int rc = fl_timerwheel_rearm(tw, &r->jobs[i].timer, at < 0 ? 0 : at);

			cr_assert_eq(rc, 0);
			r->armed[i] = true;
			r->expires[i] = at < 0 ? 0 : at;
			r->seq[i] = r->next_seq++;
		} else if (op < 6) {
			cr_assert_eq(fl_timerwheel_cancel(tw, &r->jobs[i].timer), r->armed[i]);
			r->armed[i] = false;
		} else {
			size_t n = 0, fired;

			int64_t step_ms = (op == 9) ? random_delay(&seed, now) * 3 : (int64_t)(rng_next(&seed) % 300);

			now += step_ms < 0 ? 0 : step_ms; /* time never runs backwards */
			for (int k = 0; k < NJOBS; k++)
				if (r->armed[k] && r->expires[k] <= now)
					due[n++] = k;
			qsort(due, n, sizeof(due[0]), by_deadline);
			r->nfired = 0;
			fired = fl_timerwheel_advance(tw, now, ref_fire, r);
			cr_assert_eq(fired, n, "step %d: fired %zu, want %zu", step, fired, n);
			for (size_t k = 0; k < n; k++) {
				cr_assert_eq(r->fired[k], due[k], "step %d position %zu", step, k);
				r->armed[due[k]] = false;
			}
		}
		if (step % 997 == 0) {
			int64_t want = INT64_MAX, got;
			bool any = false;

			for (int k = 0; k < NJOBS; k++)
				if (r->armed[k] && r->expires[k] < want) {
					want = r->expires[k];
					any = true;
				}
			cr_assert_eq(fl_timerwheel_next_expiry(tw, &got), any);
			if (any)
				cr_assert_eq(got, want, "step %d next expiry", step);
		}
	}
	free(r);
	fl_timerwheel_destroy(tw);
}

/* A replay: events at recorded times drive an event clock, the clock drives
 * the wheel. Two runs of the same input must fire the same timers at the
 * same times, in the same order. */

static void replay_once(struct log *lg, struct job *jobs, size_t njobs)
{
	static const int64_t event_s[] = {0, 1, 1, 2, 5, 5, 5, 9, 60, 61, 3600, 7200};
	struct fl_clock *clk;
	struct fl_timerwheel *tw;

	cr_assert_eq(fl_clock_create_event(&clk, 1732500000 * FL_NS_PER_SEC), 0);
	cr_assert_eq(fl_timerwheel_create(&tw, fl_clock_now_ns(clk) / FL_NS_PER_MS, 64), 0);
	lg->tw = tw;
	for (size_t i = 0; i < FL_ARRAY_LEN(event_s) && i < njobs; i++) {
		int64_t at_ns = (1732500000 + event_s[i]) * FL_NS_PER_SEC;
		int64_t now_ms;

		cr_assert_eq(fl_clock_advance_to(clk, at_ns), 0);
		now_ms = fl_clock_mono_ns(clk) / FL_NS_PER_MS;
		fl_timerwheel_advance(tw, now_ms, record, lg);
		/* each event opens a window of 5 s, or a 2 h repair clock */
		fl_timer_init(&jobs[i].timer);
		jobs[i].id = (int)i;
		cr_assert_eq(fl_timerwheel_add(tw, &jobs[i].timer,
					       now_ms + (i % 4 == 3 ? 7200000 : 5000)), 0);
	}
	fl_timerwheel_advance(tw, fl_clock_mono_ns(clk) / FL_NS_PER_MS + 3 * 3600 * 1000, record, lg);
	fl_timerwheel_destroy(tw);
	fl_clock_destroy(clk);
}

Test(timerwheel, replays_the_same_input_to_the_same_fires_on_an_event_clock)
{
	struct log a = {0}, b = {0};
	struct job ja[12], jb[12];

	replay_once(&a, ja, 12);
	replay_once(&b, jb, 12);
	cr_assert_eq(a.n, 12);
	cr_assert_eq(b.n, a.n);
	cr_expect_arr_eq(a.ids, b.ids, a.n * sizeof(a.ids[0]));
	cr_expect_arr_eq(a.at, b.at, a.n * sizeof(a.at[0]));
	/* 1 s and 1 s: two 5 s windows from the same second fire in arming order */
	cr_expect_eq(a.ids[0], 0);
	cr_expect_eq(a.ids[1], 1);
	cr_expect_eq(a.ids[2], 2);
	cr_expect_eq(a.at[1], a.at[2]);
}
