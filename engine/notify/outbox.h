/* outbox.h - the delivery worker: takes due notifications from the store's
 * outbox and delivers them through the notification plugins.
 *
 * A struct fl_outbox owns a routing table (channel -> plugin instance; the
 * plugins themselves are borrowed) and its counters; the rows belong to the
 * store. One thread owns it: it blocks in fl_plugin_send() for at most each
 * route's time limit per message, so it must not be the ingest thread. A
 * struct fl_store belongs to one thread too: an outbox on a thread of its own
 * gets its own connection (fl_store_open() on the same file); WAL lets it
 * read while the engine's store thread writes.
 *
 * Each message goes through: claim (state "sending", committed before
 * anything leaves the machine), one delivery attempt, then one transaction
 * recording the attempt and the outcome. OK -> sent. PERMANENT -> failed
 * (the engine escalates). RETRY -> pending again at now + backoff, or
 * expired once that would pass the message's ttl. A process killed between
 * claim and outcome leaves the row "sending"; fl_outbox_recover() on the next
 * start puts it back, so the message is sent again: at most twice in all, and
 * the idempotency key lets receivers tell.
 *
 * Store errors while running (a database locked past the busy timeout by a
 * backup or an operator's shell) end the pass with the error and change
 * nothing else: a claim that failed claimed nothing; an outcome the store
 * refused is kept with its row and recorded first on the next pass, so the
 * message is neither lost nor sent again. The caller logs the error
 * (fl_outbox_last_error() names the step and the row), backs off and runs
 * again.
 *
 * Lanes. An outbox given a lane (fl_outbox_set_lane()) claims that lane's
 * rows only: deliver.c runs one outbox per channel, each on its own thread
 * and store connection, so a hung mail server never holds up SMS. A claim
 * is a lease: the row stays "sending" for the longest attempt the outbox may
 * make plus FL_OUTBOX_LEASE_GRACE_MS; fl_outbox_recover_stale() puts back the
 * lane's rows whose lease ran out (their lane died or hung), while running.
 *
 * Time is passed in: now_ns decides what is due and stamps every record, so
 * tests drive the schedule with their own clock and the replay pipeline with
 * event time.
 *
 * A worker that found nothing due sleeps until the next row's due time or
 * its poll interval. A struct fl_outbox_bell lets the thread that commits
 * new rows (the engine's store thread) wake it at once instead: the bell
 * owns a flag, a mutex and a condition variable, any thread may ring it,
 * one thread waits on it. Rings before a wait are not lost: the next wait
 * returns at once, and any number of rings between two waits count once. */
#ifndef FL_OUTBOX_H
#define FL_OUTBOX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_OUTBOX_LEASE_GRACE_MS 10000 /* a claim outlives its attempt's time limit by this */

struct fl_outbox;
struct fl_outbox_lane; /* engine/store/store.h */
struct fl_plugin;
struct fl_store;

/* A channel of the plan and the plugin instance that delivers it. */
struct fl_outbox_route {
	const char *channel; /* copied */
	struct fl_plugin *plugin; /* borrowed: outlives the outbox */
	uint32_t timeout_ms;      /* per attempt; 0: FL_PLUGIN_TIMEOUT_MS_DEFAULT */
};

/* Retry policy. The delay before attempt n+1 after n failed attempts is
 * d = min(backoff_max_ms, backoff_ms * 2^(n-1)), then jittered into
 * [d/2, d] by a hash of (seed, key, n): receivers that recover see retries
 * spread out, and the schedule is reproducible in tests. 0 fields take the
 * defaults of engine/lib/limits.h. */
struct fl_outbox_policy {
	int64_t backoff_ms, backoff_max_ms;
	uint64_t seed;
};

struct fl_outbox_stats {
	uint64_t claimed;   /* attempts started */
	uint64_t sent;      /* delivered (plugin said OK) */
	uint64_t retried;   /* RETRY outcomes rescheduled */
	uint64_t failed;    /* PERMANENT outcomes, and messages with no route */
	uint64_t expired;   /* given up at their ttl */
	uint64_t no_route;  /* of failed: channel with no plugin */
	uint64_t recovered; /* rows found "sending" by fl_outbox_recover() and _recover_stale() */
	uint64_t stale_recovered; /* of recovered: leases that ran out while running */
	uint64_t store_errors; /* store calls that failed; the row stays as it was */
	uint64_t held;	       /* outcomes the store refused, kept and recorded again */
	uint64_t batch_full;   /* passes that stopped at FL_OUTBOX_BATCH_MAX */
};

/* Lifecycle. routes are copied (not the plugins), at most
 * FL_OUTBOX_MAX_ROUTES, channels unique. policy may be NULL (defaults).
 * Returns 0, -EINVAL or -ENOMEM. fl_outbox_destroy() accepts NULL. */
FL_MUST_CHECK int fl_outbox_create(struct fl_outbox **out, struct fl_store *store,
                                   const struct fl_outbox_route *routes, size_t n_routes,
                                   const struct fl_outbox_policy *policy);
void fl_outbox_destroy(struct fl_outbox *ob);

/* Called after a message is given up (failed or expired) and recorded: the
 * engine escalates, since nobody was told. Strings valid during the call. */
struct fl_outbox_gave_up {
	const char *ticket, *key, *channel, *address;
	const char *state;  /* "failed" or "expired" */
	const char *reason; /* the last attempt's, may be empty */
	uint32_t attempts;
};
typedef void fl_outbox_gave_up_fn(void *ctx, const struct fl_outbox_gave_up *g);
void fl_outbox_on_gave_up(struct fl_outbox *ob, fl_outbox_gave_up_fn *fn, void *ctx);

/* Claim only the lane's rows (store.h); its channel is copied, its others
 * borrowed (they must outlive the outbox). Without a lane an outbox claims
 * every row. 0, -EINVAL or -ENOMEM. */
FL_MUST_CHECK int fl_outbox_set_lane(struct fl_outbox *ob, const struct fl_outbox_lane *lane);

/* Operations. recover: call once at start, before any run: puts back every
 * "sending" row, whoever claimed it (one delivering process per store).
 * recover_stale: while running, the rows of the lane whose lease ran out
 * before now_ns. Both return 0 or the store's error; *n (may be NULL) gets
 * the rows put back. */
FL_MUST_CHECK int fl_outbox_recover(struct fl_outbox *ob, int64_t now_ns, uint32_t *n);
FL_MUST_CHECK int fl_outbox_recover_stale(struct fl_outbox *ob, int64_t now_ns, uint32_t *n);

/* One pass: delivers every message due at now_ns, at most max (0 or more
 * than FL_OUTBOX_BATCH_MAX: FL_OUTBOX_BATCH_MAX). *n_attempted (may be NULL)
 * gets how many it attempted. Returns 0, or a store error that stopped the
 * pass (the counters say how far it got). */
FL_MUST_CHECK int fl_outbox_run_once(struct fl_outbox *ob, int64_t now_ns, uint32_t max,
                                     uint32_t *n_attempted);

/* Records an outcome the store refused before (none: 0), without claiming
 * anything: for a worker that stops. 0 or the store's error. */
FL_MUST_CHECK int fl_outbox_flush(struct fl_outbox *ob);

/* Queries. next_due: the earliest due time of the lane's pending rows,
 * INT64_MAX for none, INT64_MIN while an outcome waits to be recorded. */
void fl_outbox_stats(const struct fl_outbox *ob, struct fl_outbox_stats *out);
int64_t fl_outbox_next_due(struct fl_outbox *ob);

/* The last store error: the step that failed ("claim a due notification",
 * "record the outcome", ...) and the row's ticket and key ("" when no row).
 * Strings valid until the next call on ob. */
struct fl_outbox_error {
	const char *step, *ticket, *key;
};
void fl_outbox_last_error(const struct fl_outbox *ob, struct fl_outbox_error *out);

/* The bell. create: 0, -ENOMEM or -EAGAIN (no condition variable);
 * destroy accepts NULL and must not race a wait or a ring. ring: any
 * thread, never blocks beyond the bell's own mutex. wait: one thread;
 * returns true when the bell was rung (since the last wait returned true)
 * within timeout_ms (<= 0: only looks), false when the time ran out.
 * rings: how many times it was rung (any thread). */
struct fl_outbox_bell;
FL_MUST_CHECK int fl_outbox_bell_create(struct fl_outbox_bell **out);
void fl_outbox_bell_destroy(struct fl_outbox_bell *b);
void fl_outbox_bell_ring(struct fl_outbox_bell *b);
bool fl_outbox_bell_wait(struct fl_outbox_bell *b, int64_t timeout_ms);
uint64_t fl_outbox_bell_rings(struct fl_outbox_bell *b);

/* The delay in ms before the next attempt of key after attempts failed ones
 * (>= 1), under policy (NULL: defaults). Pure: the schedule itself. */
int64_t fl_outbox_backoff_ms(const struct fl_outbox_policy *policy, const char *key,
                             uint32_t attempts);

#endif /* FL_OUTBOX_H */
