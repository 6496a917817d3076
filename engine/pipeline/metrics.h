/* metrics.h - the numbers of a running `faultline run`, while it runs.
 *
 * struct fl_run_stats is one snapshot of every counter the run's exit
 * summary prints: per input (received, dropped by cause, decoder verdicts),
 * the engine's (correlate.h struct fl_engine_stats), per rule or
 * correlation (incidents opened and cleared, alarms absorbed, notifications,
 * counted from the action stream), and the store sink's (sink_store.h, with
 * its queue depth and commit times). The engine's thread fills it: the
 * command counts what it decodes (fl_run_stats_count), takes the inputs'
 * counters (fl_run_stats_take_inputs) and the runner's (runner.h
 * fl_runner_stats). It is written out three ways: the JSON stats line of
 * SIGUSR1 (fl_run_stats_json, the shape of `faultline listen`'s), the
 * Prometheus text exposition format 0.0.4 (fl_metrics_render), and the
 * verdict of /healthz (fl_metrics_health). Those three are pure functions of
 * their arguments, so tests call them without a socket.
 *
 * struct fl_metrics owns the HTTP endpoint: the listening socket and
 * libmicrohttpd's thread, which answers GET /metrics and GET /healthz. The
 * engine's thread hands it a snapshot with fl_metrics_publish() every
 * FL_METRICS_PUBLISH_MS: a copy under a mutex held for the copy alone, so a
 * slow or hostile scraper never holds up ingest (the HTTP thread renders from
 * a copy of its own, outside the lock). The outbox (rows by state, the
 * oldest row due) is read on the HTTP thread, on a store connection of its
 * own, at most once per FL_METRICS_OUTBOX_READ_MS: a count over the outbox
 * never runs on the engine's thread. Caps: engine/lib/limits.h FL_METRICS_*.
 *
 * /healthz answers 200 "ok", or 503 with one line saying why: the store's
 * last commit failed, the outbox has a row due longer than
 * FL_METRICS_OUTBOX_STUCK_S ago (nothing delivers it), the outbox cannot be
 * read, or the engine's thread has published nothing for
 * FL_METRICS_STALE_S (it is stuck). */
#ifndef FL_METRICS_H
#define FL_METRICS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/correlate/correlate.h"
#include "engine/decode/syslog.h"
#include "engine/input/inputs.h"
#include "engine/lib/compiler.h"
#include "engine/pipeline/sink_store.h"

struct fl_buf;
struct fl_metrics;
struct fl_runner;

#define FL_METRICS_PUBLISH_MS 100      /* the engine's thread publishes this often */
#define FL_METRICS_OUTBOX_READ_MS 1000 /* the outbox is counted at most this often */
#define FL_METRICS_OUTBOX_STUCK_S 300  /* a row due longer than this: unhealthy */
#define FL_METRICS_STALE_S 30	       /* no snapshot for this long: unhealthy */
#define FL_METRICS_OUTBOX_STATES 5     /* store.h enum fl_outbox_state */

/* One rule or correlation of the plan, named as the plan names it. */
struct fl_metrics_source {
	const char *name; /* the program's, NUL-terminated */
	bool is_correlation;
	uint64_t opened, cleared, absorbed, notified;
};

/* The engine's place in an active/standby pair (`run --pair NAME`). */
struct fl_pair_role {
	const char *name; /* borrowed from the run's options; NULL: not one of a pair */
	bool is_leader;
	int64_t epoch;	      /* the fencing number of its writes; 0 while the standby */
	uint64_t takeovers;   /* leads taken after standing by behind another engine */
	int64_t changed_ns;   /* CLOCK_MONOTONIC when it became the standby or the leader */
};

/* A snapshot, gathered and owned by the engine's thread. */
struct fl_run_stats {
	int64_t taken_ns; /* CLOCK_MONOTONIC when gathered */
	bool has_input[FL_INPUT__COUNT];
	struct fl_input_stats input[FL_INPUT__COUNT];
	uint64_t verdicts[FL_INPUT__COUNT][FL_SYSLOG__COUNT]; /* syslog inputs */
	uint64_t traps_decoded;
	uint64_t messages, undecoded; /* as the summary's "N messages, N undecoded" */
	/* plan reloads (SIGHUP, `faultline reload`): swapped in, or refused with
	 * the old plan running on. The engine's and the store's counters start
	 * again at each swap; the inputs' and these go on. */
	uint64_t reloads_ok, reloads_failed;
	struct fl_pair_role pair; /* set by the command, kept by fl_run_stats_gather */
	struct fl_engine_stats engine;
	bool has_timer;
	int64_t timer_in_ns; /* the engine's next timer is due this long from taken */
	bool has_store;	     /* --db: sink and window_errors are set */
	struct fl_sink_stats sink;
	uint64_t window_errors; /* store maintenance-window lookups that failed */
	/* per rule, then per correlation, in the plan's order; borrowed from the
	 * runner until its next event (fl_metrics_publish copies them) */
	const struct fl_metrics_source *sources;
	size_t n_sources;
};

/* The outbox as the HTTP thread last read it. */
struct fl_metrics_outbox {
	bool is_read; /* false: no store, or the last read failed */
	uint64_t rows[FL_METRICS_OUTBOX_STATES]; /* by enum fl_outbox_state */
	int64_t oldest_due_ns; /* earliest due time of a pending row; INT64_MAX: none */
	uint64_t read_errors;
	char why[160]; /* the last read error, for /healthz */
};

/* The endpoint's own counters. */
struct fl_metrics_http {
	uint64_t connections_refused, render_failed;
};

/* What the exposition and the health check are computed from. */
struct fl_metrics_view {
	const struct fl_run_stats *run;
	const struct fl_metrics_outbox *outbox; /* NULL: no store */
	struct fl_metrics_http http;
	int64_t mono_ns, wall_ns; /* now: CLOCK_MONOTONIC, CLOCK_REALTIME */
	int64_t outbox_stuck_ns, stale_ns; /* the health bounds */
};

struct fl_metrics_config {
	const char *addr; /* ADDR:PORT to listen on; port 0: the kernel picks */
	const char *db;	  /* the store whose outbox is watched; NULL: none */
	int64_t outbox_stuck_s, stale_s; /* 0: the defaults above */
};

/* Lifecycle. create binds the address (nothing is served yet); err gets one
 * sentence naming the address and why. Returns 0, -EINVAL (bad address),
 * -ENOMEM or the bind error. start: the HTTP thread; 0 or -EIO. destroy
 * stops the thread and closes everything; accepts NULL. Main thread. */
FL_MUST_CHECK int fl_metrics_create(struct fl_metrics **out, const struct fl_metrics_config *cfg,
				    char *err, size_t err_len);
FL_MUST_CHECK int fl_metrics_start(struct fl_metrics *m);
void fl_metrics_destroy(struct fl_metrics *m);

/* Operations (the engine's thread). publish: copies st for the HTTP thread;
 * never waits for a scrape longer than that copy. The rule names are copied
 * at the first publish and when their number changes. Returns 0 or -ENOMEM
 * (the names could not be copied; the last snapshot stays). is_due: true
 * when FL_METRICS_PUBLISH_MS have passed since the last publish. */
int fl_metrics_publish(struct fl_metrics *m, const struct fl_run_stats *st);
bool fl_metrics_is_due(const struct fl_metrics *m);

/* Queries. The address bound ("127.0.0.1:40123"). */
void fl_metrics_local(const struct fl_metrics *m, char *out, size_t cap);

/* Gathering a snapshot (the engine's thread). count: one message the
 * decoder saw, with the verdict fl_message_decode() returned. gather: the
 * inputs' counters, the runner's (fl_runner_stats) and the time, into st
 * (what count added stays). */
void fl_run_stats_count(struct fl_run_stats *st, enum fl_input_kind input, bool is_trap,
			int verdict);
void fl_run_stats_gather(struct fl_run_stats *st, const struct fl_inputs *in,
			 const struct fl_runner *r);

/* Writing one out. Return 0, -ENOMEM or -EMSGSIZE (out's cap).
 * json: {"stats":{"udp":{...},...,"engine":{...},"store":{...}}}, the input
 * members named as `faultline listen` names them, no newline.
 * render: the Prometheus text format, every family with # HELP and # TYPE.
 * health: true when healthy; else why holds one line (no newline). */
int fl_run_stats_json(struct fl_buf *out, const struct fl_run_stats *st);
int fl_metrics_render(struct fl_buf *out, const struct fl_metrics_view *v);
bool fl_metrics_health(const struct fl_metrics_view *v, char *why, size_t why_len);

#endif /* FL_METRICS_H */
