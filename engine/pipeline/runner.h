/* runner.h - a compiled plan running live: the engine side of `faultline run`.
 *
 * struct fl_runner owns the plan, a live clock, the engine and the buffer of
 * actions written as JSON Lines to stdout. It is kept apart from the inputs
 * (inputs.h) so the network side needs nothing of the program's headers.
 * One thread (the consumer of the inputs' queue) owns a runner. */
#ifndef FL_RUNNER_H
#define FL_RUNNER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/compiler.h"

struct fl_event;
struct fl_outbox_bell;
struct fl_program;
struct fl_run_stats;
struct fl_runner;
struct fl_tz;

struct fl_runner_config {
	const char *plan, *data_dir; /* data_dir may be NULL */
	const char *tz;		     /* NULL: the plan's timezone */
	size_t max_keys_per_rule, max_keys; /* 0: the defaults of limits.h */
	const char *db; /* the ticket store the actions go to (a store thread of
			 * its own, fed by a bounded queue); NULL: printed only */
	struct fl_outbox_bell *outbox_bell; /* borrowed, may be NULL: rung after
					     * each store commit that queued
					     * notifications */
	int64_t fence_epoch; /* the pair's fencing number the store's writes
			      * check (fl_store_fence()); 0: not in a pair */
	const char *partition; /* not NULL: this engine owns that partition of
				* the data (partition_gate.h) and no other */
	int64_t catch_up_from_ns; /* not 0: messages a journal kept are fed
				   * first (fl_runner_catch_up), in their own
				   * times from then, before the live clock */
};

/* Lifecycle. Compiles the plan (diagnostics on stderr) and builds the engine.
 * Returns 0, -EINVAL (the plan or zone is wrong, reported) or -ENOMEM. */
FL_MUST_CHECK int fl_runner_create(struct fl_runner **out, const struct fl_runner_config *cfg);
void fl_runner_destroy(struct fl_runner *r);

/* Operations. feed: one decoded event (its time is the live clock's).
 * tick: runs the timers due by now and writes the actions out. finish: the
 * final tallies, then the summary line on stderr. Return 0 or -EIO (stdout
 * failed). */
void fl_runner_feed(struct fl_runner *r, const struct fl_event *ev);
/* catch_up: a message taken before this start (a journal's), fed at the time
 * it was received, so holds and windows see it as they did (a cut and its
 * clear 4 s apart are a cut, not a blip); ev->time_ns is overwritten.
 * catch_up_end: from now on the live clock; the timers due meanwhile fire.
 * Both do nothing without catch_up_from_ns. */
void fl_runner_catch_up(struct fl_runner *r, struct fl_event *ev);
int fl_runner_catch_up_end(struct fl_runner *r);
int fl_runner_tick(struct fl_runner *r);
int fl_runner_finish(struct fl_runner *r, unsigned long long messages,
		     unsigned long long undecoded);

/* reload: the plan and data of cfg (re-read from disk) in place of *rp's,
 * at an event boundary, on the runner's thread; diagnostics, resume
 * refusals and tickets closed are written to diag.
 *  - The new plan is compiled beside the running one; a plan that does not
 *    compile returns -EINVAL and the old runner runs on, untouched.
 *  - Otherwise the old engine runs its due timers and writes out, its store
 *    thread writes everything it was given, and it ends. The new engine
 *    takes back the store's open tickets (fl_engine_resume: ticket, level,
 *    places, ladder steps taken) by rule and correlation name; the ticket of
 *    a rule or correlation the new plan lacks is cleared in the store with a
 *    history row saying so (rep->closed_gone). With cfg->catch_up_from_ns the
 *    new engine is on an event clock: the caller feeds the journal again
 *    (fl_runner_catch_up) and then calls fl_runner_catch_up_end(), so keys,
 *    windows and holds are rebuilt from the messages themselves.
 *  - What the new engine decides again about times up to rep->stopped_ns
 *    (the old one's last tick) was decided and written by the old one: it
 *    is neither written to stdout nor sent to the store again (counted,
 *    fl_runner_restated), but for ladder steps of the tickets taken back:
 *    those the old engine took never fire again, and one that fires is due.
 * Returns 0 (*rp is the new runner), -EINVAL (refused, *rp unchanged),
 * -EBUSY (the store is failing and holds actions: ending its sink would give
 * them up; *rp unchanged), or
 * when the new plan could not start: its error, or -ECANCELED for -EINVAL,
 * with *rp the old plan started again the same way, or -EIO when that
 * failed too (*rp NULL: the run cannot go on). -ENOMEM: *rp unchanged. */
struct fl_runner_reload_report {
	int64_t stopped_ns;
	size_t old_open_incidents, old_live_keys; /* what the old engine held */
	uint64_t closed_gone; /* tickets closed: their rule left the plan */
	bool is_started; /* an engine was started anew (the new plan's, or the
			  * old one's again): it is catching up, if asked */
};
FL_MUST_CHECK int fl_runner_reload(struct fl_runner **rp, const struct fl_runner_config *cfg,
				   FILE *diag, struct fl_runner_reload_report *rep);
/* Actions a reload's engine dropped as restated (see above). */
unsigned long long fl_runner_restated(const struct fl_runner *r);

/* Queries. tz: the zone RFC 3164 times are read in (NULL: UTC).
 * wait_ms: how long the caller may wait for input before the next tick, at
 * most max_ms and at least 1: until the engine's next timer is due, so a
 * hold or a ladder step fires on time rather than at the next poll. */
const struct fl_tz *fl_runner_tz(const struct fl_runner *r);
int fl_runner_wait_ms(const struct fl_runner *r, int max_ms);

/* The engine's and the store sink's counters, the engine's next timer and
 * the per-rule counts of the action stream, into out (metrics.h); the
 * other members of out are left as they are. out->sources is borrowed
 * until the next event. Runner's thread; reads only snapshots the engine
 * and the sink already keep. */
void fl_runner_stats(const struct fl_runner *r, struct fl_run_stats *out);

/* The compiled program the runner runs (its levels and zone, for the HTTP
 * API): borrowed, valid until fl_runner_destroy(). */
const struct fl_program *fl_runner_program(const struct fl_runner *r);

#endif /* FL_RUNNER_H */
