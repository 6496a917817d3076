/* duty_tick.h - the plan's periodic duties acted on: at each tick, every
 * duty that fell due makes, per branch of its level (`per region|city|
 * county`), one ticket of its own (store_duty.h) and reminders through
 * the outbox to the people holding the duty's role at that branch, or one
 * level up when nobody there does (the contact table's fallback, as
 * directives relay).
 *
 * The calendar is duecal's (engine/lib/duecal.h), on the plan's zone;
 * what was made last comes from the store, so a restart, a second engine
 * or a second tick of one instant makes nothing twice; after a long stop
 * only the latest missed occurrence is made, and the ones passed over are
 * counted on its run and its history.
 *
 * The store's thread (`faultline duties tick`, the running engine's store
 * thread). One transaction per occurrence and branch: its ticket and its
 * notices are written together or not at all. */
#ifndef FL_DUTY_TICK_H
#define FL_DUTY_TICK_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_program;
struct fl_store;
struct fl_tz;

/* One occurrence made at a branch; strings borrowed for the callback. */
struct fl_duty_made {
	const char *duty, *branch, *ticket;
	int64_t due_ns, deadline_ns, passed_over;
	uint32_t notices; /* reminders queued; 0: nobody holds the role, even at region */
};
typedef void fl_duty_made_fn(void *ctx, const struct fl_duty_made *m);

struct fl_duty_tick_stats {
	uint32_t made;        /* tickets made */
	uint32_t notices;     /* reminders queued */
	uint32_t unreached;   /* tickets made with nobody to remind */
	int64_t passed_over;  /* occurrences skipped by catch-up */
};

/* Ticks every duty of prog at now_ns (tz: the plan's zone, NULL: UTC).
 * made (may be NULL) is called per ticket made. Adds to *stats. Returns 0;
 * -EINVAL when the plan has duties but no contact table; or the store's
 * error (why in err). An occurrence another engine made meanwhile is not
 * an error: it is made once, by one of them. */
FL_MUST_CHECK int fl_duty_tick(struct fl_store *s, const struct fl_program *prog,
                               const struct fl_tz *tz, int64_t now_ns, fl_duty_made_fn *made,
                               void *ctx, struct fl_duty_tick_stats *stats, char *err,
                               size_t err_len);

#endif /* FL_DUTY_TICK_H */
