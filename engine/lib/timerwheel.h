/* timerwheel.h - hierarchical timer wheel for windows, clocks and deadlines.
 *
 * The wheel owns no timers: a struct fl_timer is embedded in the caller's own
 * state (a window, an incident's repair clock) as the kernel embeds its
 * timer_list, and the wheel only links it. So arming a timer never allocates,
 * and the caller finds its state back with container_of-style arithmetic.
 *
 * Resolution is one millisecond. Syslog timestamps carry at best micro-, mostly
 * whole seconds, and the shortest window a plan writes is seconds; ms ticks
 * keep the wheel at 7 levels of 64 slots (2^42 ms, 139 years) where ns ticks
 * would need 11 and cascade each timer up to 4 more times for no gain.
 *
 * Cost: add, cancel and re-arm are O(1). A timer cascades down at most once
 * per level (7 times) over its life. fl_timerwheel_advance() jumps from one
 * occupied slot to the next with one 64-bit occupancy word per level, so moving
 * time forward by a week in replay costs nothing for the empty stretch.
 *
 * Order: advance() fires every timer whose deadline is <= now in deadline
 * order; timers with the same deadline fire in the order they were armed
 * (add or re-arm), so a replay is deterministic. A timer armed with a deadline
 * already passed fires at the next advance(), before later deadlines.
 *
 * Full: at most max_timers (create) are armed at once; an add past it returns
 * -ENOBUFS and is counted in refused_full (limits.h: timers.refused_full).
 *
 * Threads: a wheel and its timers belong to one thread (the shard's). The fire
 * callback may add, cancel or re-arm any timer, including the one firing, but
 * must not call advance() or destroy the wheel. */
#ifndef FL_TIMERWHEEL_H
#define FL_TIMERWHEEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

/* Largest deadline accepted (ms since the clock's epoch: about 146 million
 * years, far past anything; it keeps the slot arithmetic free of overflow). */
#define FL_TIMERWHEEL_MAX_MS (INT64_C(1) << 62)

struct fl_timerwheel;

struct fl_timer_link {
	struct fl_timer_link *next, *prev;
};

/* Embed in the caller's struct; initialise with fl_timer_init(). Fields are
 * the wheel's: read them only through the query functions. */
struct fl_timer {
	struct fl_timer_link link; /* first: the wheel casts a link to its timer */
	int64_t expires_ms;
	uint64_t seq;	/* arming order, breaks deadline ties */
	uint16_t where; /* slot while armed */
};

/* Called once per expired timer, already disarmed, with advance()'s ctx. */
typedef void fl_timer_fn(struct fl_timer *t, void *ctx);

struct fl_timerwheel_stats {
	uint64_t added;	       /* successful adds and re-arms */
	uint64_t cancelled;    /* armed timers cancelled (re-arm of an armed one counts) */
	uint64_t fired;	       /* timers expired through advance() */
	uint64_t cascaded;     /* moves from a coarse level to a finer one */
	uint64_t refused_full; /* adds refused: max_timers armed */
	size_t armed;	       /* armed now */
	size_t high_water;     /* most ever armed at once */
};

/* Lifecycle. start_ms: the wheel's time now (>= 0, <= FL_TIMERWHEEL_MAX_MS);
 * max_timers in [1, FL_TIMERWHEEL_MAX_TIMERS]. Returns 0, -EINVAL or -ENOMEM;
 * *out is set only on success. destroy accepts NULL; timers still armed are
 * simply forgotten (they belong to the caller). */
FL_MUST_CHECK int fl_timerwheel_create(struct fl_timerwheel **out, int64_t start_ms,
				       size_t max_timers);
void fl_timerwheel_destroy(struct fl_timerwheel *tw);

void fl_timer_init(struct fl_timer *t);

/* Operations.
 * add: arm t to fire at expires_ms. Returns 0, -EBUSY (t already armed: use
 * rearm), -EINVAL (expires_ms outside [0, FL_TIMERWHEEL_MAX_MS]) or -ENOBUFS
 * (max_timers armed; counted).
 * cancel: disarm t; returns true if it was armed. A cancelled timer never
 * fires, even from inside a callback of the same advance().
 * rearm: move t to a new deadline whether armed or not (as cancel + add, and
 * it takes a new place in the tie order); same returns as add minus -EBUSY.
 * advance: move the wheel to now_ms and fire, through fn, every timer due by
 * then. A now_ms behind the wheel's time moves nothing but still fires timers
 * armed in the past. Returns the number fired. */
FL_MUST_CHECK int fl_timerwheel_add(struct fl_timerwheel *tw, struct fl_timer *t,
				    int64_t expires_ms);
bool fl_timerwheel_cancel(struct fl_timerwheel *tw, struct fl_timer *t);
FL_MUST_CHECK int fl_timerwheel_rearm(struct fl_timerwheel *tw, struct fl_timer *t,
				      int64_t expires_ms);
size_t fl_timerwheel_advance(struct fl_timerwheel *tw, int64_t now_ms, fl_timer_fn *fn,
			     void *ctx);

/* Queries. now: the wheel's time (the latest now_ms advanced to).
 * next_expiry: the earliest deadline armed, in *out_ms; returns false when no
 * timer is armed. It looks at one slot per level (O(timers in those slots)):
 * meant for a live loop computing how long it may sleep, not per event. */
int64_t fl_timerwheel_now(const struct fl_timerwheel *tw);
bool fl_timerwheel_next_expiry(const struct fl_timerwheel *tw, int64_t *out_ms);
bool fl_timer_is_armed(const struct fl_timer *t);
int64_t fl_timer_expires(const struct fl_timer *t);
void fl_timerwheel_stats(const struct fl_timerwheel *tw, struct fl_timerwheel_stats *out);

#endif /* FL_TIMERWHEEL_H */
