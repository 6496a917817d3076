/* clock.h - time as an interface: live time or event time.
 *
 * Everything in the engine that needs "now" asks a struct fl_clock, never the
 * system directly, so replay and `faultline test` can run on event time and
 * produce the same output byte for byte from the same input.
 *
 * Two implementations:
 *  - live: wall time from CLOCK_REALTIME (for timestamps written out) and
 *    monotonic time from CLOCK_MONOTONIC (for deadlines, immune to clock steps).
 *  - event: the owner moves time forward with fl_clock_advance_to() as events
 *    are replayed; wall and monotonic time are then the same number. Time never
 *    goes backwards: a late event does not rewind the clock, it is counted
 *    (stats.refused_backwards) and the clock stays where it was.
 *
 * All times are nanoseconds: wall time since the Unix epoch (good until 2262),
 * monotonic time since an unspecified start. A clock belongs to one thread
 * (the shard that owns it); it holds no globals and no locks. */
#ifndef FL_CLOCK_H
#define FL_CLOCK_H
#include <stdbool.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_NS_PER_MS INT64_C(1000000)
#define FL_NS_PER_SEC INT64_C(1000000000)

struct fl_clock;

enum fl_clock_kind {
	FL_CLOCK_LIVE,
	FL_CLOCK_EVENT,
};

struct fl_clock_stats {
	uint64_t advanced;	    /* fl_clock_advance_*() calls that moved time */
	uint64_t refused_backwards; /* advances to a time before now, ignored */
};

/* Lifecycle. create_live: a clock reading the system clocks.
 * create_event: a clock standing at start_ns (wall and monotonic) until
 * advanced; start_ns must be >= 0. Both return 0, -EINVAL or -ENOMEM; *out is
 * set only on success; free with fl_clock_destroy(), which accepts NULL. */
FL_MUST_CHECK int fl_clock_create_live(struct fl_clock **out);
FL_MUST_CHECK int fl_clock_create_event(struct fl_clock **out, int64_t start_ns);
void fl_clock_destroy(struct fl_clock *c);

/* Operations, event clocks only. advance_to moves time to at_ns; an at_ns
 * earlier than now leaves the clock unchanged and is counted. advance_by adds
 * delta_ns (>= 0). Both return 0, -EINVAL (negative delta, overflow, or a live
 * clock: live time cannot be driven) or -ERANGE (at_ns before now). */
FL_MUST_CHECK int fl_clock_advance_to(struct fl_clock *c, int64_t at_ns);
FL_MUST_CHECK int fl_clock_advance_by(struct fl_clock *c, int64_t delta_ns);

/* Queries. now_ns: wall time; mono_ns: time for deadlines and intervals. On an
 * event clock both return the event time. A failing system clock (it does not
 * fail on Linux) reads as 0. */
int64_t fl_clock_now_ns(const struct fl_clock *c);
int64_t fl_clock_mono_ns(const struct fl_clock *c);
enum fl_clock_kind fl_clock_kind(const struct fl_clock *c);
void fl_clock_stats(const struct fl_clock *c, struct fl_clock_stats *out);

#endif /* FL_CLOCK_H */
