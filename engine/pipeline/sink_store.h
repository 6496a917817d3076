/* sink_store.h - the action stream into the ticket store.
 *
 * A struct fl_sink owns the translation of engine actions (correlate.h) into
 * ticket store calls (store.h): open becomes a ticket with the level's clocks
 * for the location class, its location and the circuits and customers riding
 * the cut spans; absorb and update add the absorbed alarms; clear records the
 * clear; escalate and notify record the ladder step taken and enqueue one
 * outbox row per recipient in the same transaction, so a step the store has
 * already taken is never paged again (a restart never re-pages). A ticket
 * opened inside a maintenance window has its clocks paused ("maintenance")
 * until the engine says the window ended with the fault still there; then
 * they resume and the ticket is no longer planned.
 * After a restart, fl_sink_resume() hands every ticket still open to the
 * new engine (fl_engine_resume), whose actions on it then name the ticket.
 * An open of the same rule and key as a ticket still open in the store (not
 * restored, alarm not cleared) continues that ticket rather than opening a
 * second (tickets written before rule and key were stored: the same place
 * and level).
 * It remembers, per incident, the ticket id, how many absorbed alarms the store
 * has and which steps were taken (capped: engine/lib/limits.h FL_SINK_*).
 *
 * Actions are first copied into a record (fl_sink_rec_from) that owns its
 * strings, so they can cross a thread: fl_sink_push() queues a record for
 * the store thread (bounded; a full queue drops and counts it), while
 * fl_sink_write() writes one at once (replay, in event time). Writes are
 * batched in transactions of at most FL_SINK_BATCH_MAX records; fl_sink_sync()
 * commits the open batch.
 *
 * A commit that fails loses nothing it can keep. When the store cannot write
 * (the disk full, another process holding the write lock past the busy
 * timeout, an I/O error) the transaction is rolled back with the writer's
 * memory of it, the failure is logged at once (the ticket, the action, the
 * store's message), and the batch's records and every later one are held, in
 * order (at most FL_SINK_HELD_MAX; beyond, the newest is given up and
 * logged), and tried again with backoff while the engine goes on; once the
 * store writes again they are all written in order. A record the store
 * refuses for itself (a ticket gone from the store, -ENOENT, -EPERM,
 * -EINVAL) would fail every time: it alone is given up and logged, and the
 * rest of its batch is written. held, retries and given_up in the stats,
 * and the summary, say where it stands.
 *
 * The store connection is borrowed and used only by the thread that writes:
 * the caller of fl_sink_write(), or the sink's own thread once started. */
#ifndef FL_SINK_STORE_H
#define FL_SINK_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/compiler.h"

struct fl_incident;
struct fl_store;

struct fl_action;
struct fl_program;
struct fl_resumed_incident;
struct fl_sink;
struct fl_sink_rec;
struct fl_store;

/* Called by the writing thread after a commit that added outbox rows, so a
 * delivery worker can look at once (outbox.h fl_outbox_bell_ring()). */
typedef void fl_sink_committed_fn(void *ctx);

struct fl_sink_opts {
	const char *id_prefix; /* ticket ids are PREFIX-YYYY-NNNNNN, numbered by the
				* store (fl_store_incident_open_numbered()); NULL: "INC";
				* at most FL_STORE_ID_PREFIX_MAX bytes */
	size_t queue_max;      /* 0: FL_SINK_QUEUE_DEFAULT */
	fl_sink_committed_fn *on_notices; /* may be NULL */
	void *on_notices_ctx;
	FILE *log;	  /* where store failures are told as they happen; NULL: stderr */
	int64_t drain_ms; /* at the end, how long to wait for a failing store;
			   * 0: FL_SINK_DRAIN_MS_DEFAULT, < 0: not at all */
	size_t held_max;  /* actions held for a failing store beyond the batch
			   * being written; 0: FL_SINK_HELD_MAX */
	int64_t directive_tick_ms; /* > 0: the store thread takes the late steps
				    * of dispatch directives (fl_directive_tick)
				    * this often, on the wall clock, when the
				    * plan has a relay block; 0: never (replay) */
	int64_t fence_epoch; /* the lead's fencing number (fl_store_fence()); 0: none */
};

struct fl_sink_stats {
	uint64_t actions, written, opened, absorbed, notices, steps, steps_skipped;
	uint64_t steps_not_due; /* the ticket was acknowledged, restored, resolved */
	uint64_t continued; /* opens that found the same fault's ticket still open */
	uint64_t joined;    /* opens that joined a ticket opened from a call (sink_join.c) */
	uint64_t resumed, resume_refused; /* tickets handed back by fl_sink_resume() */
	uint64_t resume_over_cap;	  /* open tickets beyond FL_SINK_RESUME_MAX */
	uint64_t windows_ended; /* planned tickets whose window ended with the fault on */
	uint64_t commits, errors, unknown_incident, incidents_refused, queue_full;
	uint64_t incidents_forgotten_open; /* open incidents the full memory let go */
	uint64_t clocks_missed; /* clocks the store marked missed at their deadline */
	uint64_t ids_taken; /* opens whose number the store found taken: refused,
			     * never joined; the ticket got the next number */
	/* directives' late steps taken by the store thread, their notices, and
	 * the ticks that failed (logged; tried again at the next tick) */
	uint64_t directive_steps, directive_notices, directive_errors;
	/* duties' tickets the store thread made, their reminders, and the
	 * ticks that failed (logged; the next tick makes what is still due) */
	uint64_t duty_tickets, duty_reminders, duty_errors;
	/* errors counts each failed write or commit (each logged); then: */
	uint64_t held;	    /* actions waiting for the store to write again */
	uint64_t held_high; /* the most ever held at once */
	uint64_t retries;   /* attempts to write the held actions */
	uint64_t given_up;  /* actions never written: refused, over FL_SINK_HELD_MAX,
			     * or still held when the sink ended */
	/* for the metrics: records waiting for the store thread when read; time
	 * spent in commits (monotonic clock, every commit, failed ones too); the
	 * commits failed in a row, 0 once one succeeds */
	uint64_t queue_depth, commit_ns_sum, commit_ns_max, commits_failing;
};

/* Lifecycle. prog and store are borrowed and must outlive the sink.
 * Returns 0, -EINVAL or -ENOMEM. destroy stops the thread (after writing
 * what is queued) and commits the open batch. */
FL_MUST_CHECK int fl_sink_create(struct fl_sink **out, const struct fl_program *prog,
				 struct fl_store *store, const struct fl_sink_opts *opts);
/* The same on a store of its own, opened at path (and closed by destroy):
 * for callers that do not otherwise need store.h. err gets why it failed. */
FL_MUST_CHECK int fl_sink_open(struct fl_sink **out, const struct fl_program *prog,
			       const char *path, const struct fl_sink_opts *opts, char *err,
			       size_t err_len);
void fl_sink_destroy(struct fl_sink *s);
/* The store's last message, for logs. */
const char *fl_sink_errmsg(const struct fl_sink *s);

/* A copy of the action that owns its strings; NULL when out of memory. */
struct fl_sink_rec *fl_sink_rec_from(const struct fl_action *a, const struct fl_program *prog);
void fl_sink_rec_free(struct fl_sink_rec *r);

/* Synchronous use: writes one action (replay). Returns 0 when it is written
 * or held for a retry (a failing store is logged and counted, not this
 * call's error), -ENOBUFS when it was given up (FL_SINK_HELD_MAX actions
 * held), -ENOMEM. */
int fl_sink_write(struct fl_sink *s, const struct fl_action *a);
/* Commits the open batch and writes everything held, waiting up to the
 * sink's drain_ms for a failing store; what is still held then is given up
 * (logged, counted). 0, or the store's error that made it give up. */
int fl_sink_sync(struct fl_sink *s);

/* Restart: calls fn for every ticket of the store not yet resolved whose
 * alarm has not cleared, oldest first, with the ladder steps it took (fn
 * passes it to fl_engine_resume(); r is borrowed for the call). fn returning
 * 0 counts as resumed, anything else as resume_refused; the walk goes on.
 * At most FL_SINK_RESUME_MAX tickets (the rest counted in
 * resume_over_cap). Call it before fl_sink_start(): 0, -EINVAL (started),
 * -ENOMEM or the store's error. */
typedef int fl_sink_resume_fn(void *ctx, const struct fl_resumed_incident *r);
FL_MUST_CHECK int fl_sink_resume(struct fl_sink *s, fl_sink_resume_fn *fn, void *ctx);

/* Threaded use. start: the store thread; push: hands the action to it (never
 * blocks; -ENOBUFS when the queue is full, -ENOMEM). */
FL_MUST_CHECK int fl_sink_start(struct fl_sink *s);
int fl_sink_push(struct fl_sink *s, const struct fl_action *a);
/* push_fed_again: an action of an engine fed its journal again at start.
 * Its times are those the journal kept, when the messages arrived, a little
 * before the last engine took them; an open of a fault whose ticket the
 * last engine made, cleared since, continues that ticket when it opened at
 * most FL_SINK_FED_AGAIN_LAG_MS after the journal's first alarm (an open
 * ticket is found by its place, as any open). */
#define FL_SINK_FED_AGAIN_LAG_MS 10000
int fl_sink_push_fed_again(struct fl_sink *s, const struct fl_action *a);
/* Ends the store thread after it has written everything queued and held
 * and committed, as fl_sink_sync() does (later pushes are written by
 * nobody: call it at the end). */
void fl_sink_stop(struct fl_sink *s);

/* Queries (thread-safe). */
void fl_sink_stats(struct fl_sink *s, struct fl_sink_stats *out);
/* The three summary lines every command that fills a store prints at its end,
 * each started with prefix ("run: ", or "" for replay):
 *   store: N tickets opened, N continued, N alarms absorbed, N steps taken,
 *   N steps already taken, N steps no longer due, N notifications queued,
 *   N commits, N errors, N queue full
 *   store incidents: N forgotten while open, N actions without a ticket, N refused,
 *   N clocks missed, N ticket ids found taken
 *   store retries: N actions held, N retries, N given up, N held at most
 * The e2e tests and bench/latency_storm.py read these words: change them only
 * with those. Call it after fl_sink_stop() when the sink was started. */
void fl_sink_print_summary(struct fl_sink *s, FILE *out, const char *prefix);

/* The store's maintenance windows (`faultline maintenance add`) for the
 * engine: an fl_window_fn (correlate.h) whose ctx is a struct
 * fl_store_windows. The windows are named MW-<id>. A store that cannot
 * answer answers no and counts it in errors: the fault pages rather than
 * hides. The store is borrowed; use a connection of the engine's thread. */
struct fl_store_windows {
	struct fl_store *store;
	uint64_t errors;
};
bool fl_store_windows_lookup(void *ctx, const struct fl_incident *inc, int64_t at_ns,
			     char *name, size_t name_len, int64_t *ends_ns);

#endif /* FL_SINK_STORE_H */
