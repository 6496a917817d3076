/* deliver.h - the outbox delivery worker (outbox.h): routes, plugins, retry
 * policy and the loop that delivers what is due.
 *
 * `faultline outbox run` runs it on the calling thread (fl_deliver_run());
 * `faultline run` and `replay --deliver` start it on a thread of its own
 * (fl_deliver_start()), on its own connection to the store, so a slow
 * receiver never holds up ingest or the store thread. It is configured by a
 * struct fl_deliver_config, never by a command line: a bad option or route is
 * an error value from the fl_deliver_config_*() calls, reported by the
 * caller with the option's name.
 *
 * The worker puts back rows a killed worker left claimed, then delivers
 * until stopped; with once it delivers what is due now (retries included
 * when their time comes within the pass) and ends by itself. It delivers on
 * one lane per route (a thread with its own store connection, claiming only
 * its channel's rows) and one for rows no route takes, so a receiver that
 * hangs holds up its own channel only. Idle, a lane waits its poll
 * interval, or for the bell when given (rung by the store thread after a
 * commit that added rows, passed on to every lane). A store error never
 * ends a lane: it is logged with the ticket and SQLite's message, waited
 * out with backoff and tried again (outbox.h); with once, a store failing
 * for a minute ends the run with status 1. Its clock is the wall clock, or one that
 * reads at_ns at start and runs on at the wall clock's pace, so a store
 * filled by `replay --db` is delivered in its own event time. It reports on
 * stderr ("faultline outbox: ..."); a plugin that does not load ends it at
 * once with status 1. */
#ifndef FL_DELIVER_H
#define FL_DELIVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"
#include "engine/notify/outbox.h"
#include "engine/notify/plugin.h"

#define FL_DELIVER_POLL_MS 200	       /* poll_ms 0: look for other processes' rows this often */
#define FL_DELIVER_POLL_MS_MAX 3600000 /* --poll-ms */
#define FL_DELIVER_BACKOFF_MS_MAX 86400000 /* --backoff-ms, --backoff-max-ms */

struct fl_deliver;
struct fl_store;

/* One channel's route: plugin DIR/<plugin>.so with its settings. */
struct fl_deliver_route {
	char *channel, *plugin;	 /* owned by the config */
	struct fl_kv *settings;	 /* owned, FL_PLUGIN_MAX_SETTINGS of room */
	size_t n_settings;
};

struct fl_deliver_config {
	const char *db;		/* the store (borrowed); NULL: FL_STORE_DEFAULT_PATH */
	const char *plugin_dir; /* borrowed; NULL: plugins/ beside the running binary */
	struct fl_deliver_route routes[FL_OUTBOX_MAX_ROUTES];
	size_t n_routes;
	uint32_t timeout_ms; /* per delivery; 0: the plugin's default */
	struct fl_outbox_policy policy; /* 0s: outbox.h defaults */
	uint32_t poll_ms;		/* 0: FL_DELIVER_POLL_MS */
	bool once;			/* deliver what is due, then end */
	int64_t at_ns;			/* the clock's reading at start; <= 0: the wall clock */
	struct fl_outbox_bell *bell;	/* borrowed, may be NULL; must outlive the worker */
};

/* Building a config. Start from {0}; route and set copy their text into it,
 * fl_deliver_config_free() frees that (and accepts a config never filled).
 * route: "CHANNEL=PLUGIN"; 0, -EINVAL (not that shape, or more than
 * FL_OUTBOX_MAX_ROUTES) or -ENOMEM.
 * set: "CHANNEL.KEY=VALUE" for a channel routed before; 0, -EINVAL (shape,
 * more than FL_PLUGIN_MAX_SETTINGS), -ENOENT (no such route yet) or -ENOMEM.
 * option: one delivery option of `faultline outbox` by name with its value:
 * --plugin-dir (val borrowed), --route, --set, --timeout-ms, --backoff-ms,
 * --backoff-max-ms, --poll-ms, --at (YYYY-MM-DDTHH:MM[:SS] with Z or +HH:MM);
 * 0, -EINVAL (a bad value, or opt not one of them), -ENOENT or -ENOMEM. */
FL_MUST_CHECK int fl_deliver_config_route(struct fl_deliver_config *c, const char *arg);
FL_MUST_CHECK int fl_deliver_config_set(struct fl_deliver_config *c, const char *arg);
FL_MUST_CHECK int fl_deliver_config_option(struct fl_deliver_config *c, const char *opt,
					   const char *val);
bool fl_deliver_is_option(const char *opt); /* one that fl_deliver_config_option() takes */
void fl_deliver_config_free(struct fl_deliver_config *c);

/* Runs the worker on the calling thread against the open store s (borrowed,
 * used for the recovery at start; the lanes open c->db themselves) until
 * nothing is due (once) or forever. Returns the exit status: 0, or 1 after a
 * plugin failure, a lane that could not start, or (once) a store that stayed
 * failing (reported on stderr). */
int fl_deliver_run(struct fl_store *s, const struct fl_deliver_config *c);

/* Lifecycle of a worker thread. start copies c (its strings too: the
 * caller may free its config at once) and opens the store on the thread.
 * Returns 0, -ENOMEM or -EAGAIN (no thread).
 * stop: ends the worker after its current message; wait: lets a worker
 * started with once end by itself. Both free d and return its status (0, 1);
 * both accept NULL (status 0). */
FL_MUST_CHECK int fl_deliver_start(struct fl_deliver **out, const struct fl_deliver_config *c);
int fl_deliver_stop(struct fl_deliver *d);
int fl_deliver_wait(struct fl_deliver *d);

#endif /* FL_DELIVER_H */
