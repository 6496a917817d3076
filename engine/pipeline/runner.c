/* runner.c - the plan, a live clock and the engine for `faultline run`. */
#include "engine/pipeline/runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/correlate/actions.h"
#include "engine/pipeline/announce.h"
#include "engine/pipeline/metrics.h"
#include "engine/lib/buf.h"
#include "engine/lib/clock.h"
#include "engine/correlate/correlate.h"
#include "engine/lib/heap.h"
#include "engine/notify/outbox.h"
#include "engine/pipeline/sink_store.h"
#include "engine/store/store.h"
#include "engine/lib/tz.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define OUT_MAX (64u << 20)
#define OUT_ROOM (1u << 20) /* written out when less room than this is left */

struct fl_runner {
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_clock *clock;
	/* catching up on a journal: the engine runs on this event clock, in the
	 * journal's times, until fl_runner_catch_up_end(); NULL otherwise */
	struct fl_clock *catch_clock;
	struct fl_engine *engine;
	struct fl_tz *tz;
	struct fl_buf out;
	bool out_failed;
	struct fl_sink *sink; /* NULL without a store */
	/* the store's maintenance windows: the engine thread's own connection;
	 * NULL without one */
	struct fl_store *windows_db;
	struct fl_store_windows windows;
	/* maintenance announcements: checked at start and every minute, on a
	 * store connection of this thread (the sink's is its thread's) */
	struct fl_announcer *announcer;
	int64_t announce_next_ns;
	/* per rule, then per correlation, from the action stream: for the
	 * metrics (fl_runner_stats) */
	struct fl_metrics_source *sources;
	size_t n_sources;
};

static void announce_tick(struct fl_runner *r, int64_t now_ns)
{
	struct fl_announce_tally t = {0};

	bool is_first;

	if (!r->announcer || now_ns < r->announce_next_ns)
		return;
	is_first = r->announce_next_ns == 0;
	r->announce_next_ns = now_ns + FL_ANNOUNCE_CHECK_MS * INT64_C(1000000);
	if (fl_announce_check(r->announcer, now_ns, &t) < 0)
		fprintf(stderr, "faultline run: announce: %s\n", fl_announcer_errmsg(r->announcer));
	else if (t.queued || is_first) /* the first check says so: the operator sees it ran */
		fprintf(stderr, "run: announce: %llu maintenance announcements queued, %llu queued "
				"before\n",
			(unsigned long long)t.queued, (unsigned long long)t.before);
}

static int write_out(struct fl_runner *r)
{
	if (r->out.len && fwrite(r->out.p, 1, r->out.len, stdout) != r->out.len)
		r->out_failed = true;
	fl_buf_reset(&r->out);
	if (fflush(stdout) != 0)
		r->out_failed = true;
	return r->out_failed ? -EIO : 0;
}

/* The rule or correlation of the incident an action is about, or NULL. */
static struct fl_metrics_source *action_source(struct fl_runner *r, const struct fl_action *a)
{
	const struct fl_incident *inc = a->incident;
	size_t at;

	if (!inc)
		return NULL;
	at = inc->is_correlation ? r->prog->n_rules + inc->source : inc->source;
	return at < r->n_sources ? &r->sources[at] : NULL;
}

static void count_action(struct fl_runner *r, const struct fl_action *a)
{
	struct fl_metrics_source *src = action_source(r, a);

	if (!src)
		return;
	switch (a->type) {
	case FL_ACTION_OPEN:
		src->opened++;
		break;
	case FL_ACTION_CLEAR:
		src->cleared++;
		break;
	case FL_ACTION_ABSORB:
		src->absorbed++;
		break;
	case FL_ACTION_NOTIFY:
		src->notified++;
		break;
	default:
		break;
	}
}

static int sources_create(struct fl_runner *r)
{
	const struct fl_program *p = r->prog;

	r->n_sources = p->n_rules + p->n_correlations;
	r->sources = calloc(r->n_sources ? r->n_sources : 1, sizeof(*r->sources));
	if (!r->sources)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_sources; i++) {
		bool is_corr = i >= p->n_rules;

		r->sources[i].is_correlation = is_corr;
		r->sources[i].name =
			is_corr ? p->correlations[i - p->n_rules].name.p : p->rules[i].name.p;
	}
	return 0;
}

static void on_action(const struct fl_action *a, void *ctx)
{
	struct fl_runner *r = ctx;

	count_action(r, a);

	if (r->out.max - r->out.len < OUT_ROOM)
		(void)write_out(r);
	if (fl_actions_json(&r->out, r->prog, a) < 0)
		r->out_failed = true;
	if (r->sink)
		(void)fl_sink_push(r->sink, a); /* never blocks; a full queue is counted */
}

static const char *resume_refusal(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "the plan has no such rule, correlation or level";
	case -ENXIO:
		return "a location the inventory does not know";
	case -EEXIST:
		return "resumed twice";
	case -ENOBUFS:
		return "the incident table is full";
	default:
		return "no rule, key or level recorded";
	}
}

/* One open ticket handed back to the engine; a refusal keeps the ticket as
 * it is (people still see it) and says why here. */
static int resume_one(void *ctx, const struct fl_resumed_incident *ri)
{
	struct fl_runner *r = ctx;
	int rc = fl_engine_resume(r->engine, ri);

	if (rc < 0)
		fprintf(stderr,
			"faultline run: ticket %s (%s, level %s, device %s, site %s, span %s) not "
			"resumed: %s\n",
			ri->ticket, ri->source ? ri->source : "-", ri->level ? ri->level : "-",
			ri->device ? ri->device : "-", ri->site ? ri->site : "-",
			ri->span ? ri->span : "-", resume_refusal(rc));
	return rc;
}

static void ring_outbox(void *bell)
{
	fl_outbox_bell_ring(bell);
}

int fl_runner_create(struct fl_runner **out, const struct fl_runner_config *cfg)
{
	struct fl_plan_options popt = {.data_dir = cfg->data_dir};
	struct fl_engine_config ecfg = {.on_action = on_action,
					.max_keys_per_rule = cfg->max_keys_per_rule,
					.max_keys = cfg->max_keys};
	struct fl_diags *d = NULL;
	struct fl_runner *r = calloc(1, sizeof(*r));
	const char *zone;
	int rc = -ENOMEM;

	if (!r)
		return -ENOMEM;
	fl_buf_init(&r->out, OUT_MAX);
	ecfg.ctx = r;
	if (fl_diags_create(&d) < 0)
		goto out_fail;
	rc = fl_plan_compile(&r->plan, cfg->plan, &popt, d);
	fl_diag_print(d, stderr);
	fl_diags_destroy(d);
	if (rc < 0)
		goto out_fail;
	r->prog = fl_plan_program(r->plan);
	if ((rc = sources_create(r)) < 0)
		goto out_fail;
	zone = cfg->tz ? cfg->tz : r->prog->timezone.p;
	if (zone && fl_tz_load(&r->tz, zone) < 0) {
		fprintf(stderr, "faultline run: unknown time zone '%s'\n", zone);
		rc = -EINVAL;
		goto out_fail;
	}
	if (cfg->db) {
		char err[256] = "";
		/* ticket ids are numbered by the store, unique across engines
		 * and restarts (fl_store_incident_open_numbered()) */
		struct fl_sink_opts so = {.fence_epoch = cfg->fence_epoch};

		if (cfg->outbox_bell) {
			so.on_notices = ring_outbox;
			so.on_notices_ctx = cfg->outbox_bell;
		}
		rc = fl_sink_open(&r->sink, r->prog, cfg->db, &so, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "faultline run: %s: %s\n", cfg->db, err[0] ? err : "cannot open");
			goto out_fail;
		}
	}
	if (cfg->db) {
		char err[256] = "";

		rc = fl_store_open(&r->windows_db, cfg->db, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "faultline run: %s: %s\n", cfg->db, err[0] ? err : "cannot open");
			goto out_fail;
		}
		r->windows.store = r->windows_db;
		ecfg.window_fn = fl_store_windows_lookup;
		ecfg.window_ctx = &r->windows;
		if (r->prog->n_announces &&
		    ((rc = fl_announcer_create(&r->announcer, r->prog, r->tz)) < 0 ||
		     (rc = fl_announcer_attach(r->announcer, cfg->db, err, sizeof(err))) < 0))
			goto out_fail;
	}
	if ((rc = fl_clock_create_live(&r->clock)) < 0 ||
	    (cfg->catch_up_from_ns &&
	     (rc = fl_clock_create_event(&r->catch_clock, cfg->catch_up_from_ns)) < 0) ||
	    (rc = fl_engine_create(&r->engine, r->prog,
				   r->catch_clock ? r->catch_clock : r->clock, &ecfg)) < 0)
		goto out_fail;
	if (r->sink) {
		/* the tickets the last engine left open: their ladders run on */
		rc = fl_sink_resume(r->sink, resume_one, r);
		if (rc < 0) {
			fprintf(stderr, "faultline run: %s: cannot resume the open tickets: %s\n",
				cfg->db, fl_sink_errmsg(r->sink));
			goto out_fail;
		}
		if ((rc = fl_sink_start(r->sink)) < 0)
			goto out_fail;
	}
	*out = r;
	return 0;

out_fail:
	fl_runner_destroy(r);
	return rc;
}

void fl_runner_destroy(struct fl_runner *r)
{
	if (!r)
		return;
	fl_announcer_destroy(r->announcer);
	fl_engine_destroy(r->engine);
	fl_sink_destroy(r->sink); /* writes what is queued */
	fl_store_close(r->windows_db);
	fl_clock_destroy(r->clock);
	fl_clock_destroy(r->catch_clock);
	fl_tz_free(r->tz);
	fl_plan_destroy(r->plan);
	fl_buf_free(&r->out);
	free(r->sources);
	free(r);
}

void fl_runner_catch_up(struct fl_runner *r, struct fl_event *ev)
{
	if (!r->catch_clock)
		return;
	ev->time_ns = ev->received_ns; /* live, an event's time is its arrival */
	(void)fl_engine_feed(r->engine, ev);
}

int fl_runner_catch_up_end(struct fl_runner *r)
{
	if (!r->catch_clock)
		return 0;
	fl_engine_set_clock(r->engine, r->clock);
	return fl_runner_tick(r);
}

void fl_runner_feed(struct fl_runner *r, const struct fl_event *ev)
{
	(void)fl_engine_feed(r->engine, ev);
}

int fl_runner_tick(struct fl_runner *r)
{
	fl_heap_follow();
	fl_engine_advance(r->engine, fl_clock_now_ns(r->clock));
	announce_tick(r, fl_clock_now_ns(r->clock));
	return write_out(r);
}

int fl_runner_finish(struct fl_runner *r, unsigned long long messages,
		     unsigned long long undecoded)
{
	struct fl_engine_stats e;
	char words[1024];

	fl_engine_advance(r->engine, fl_clock_now_ns(r->clock));
	fl_engine_flush(r->engine);
	(void)write_out(r);
	fl_engine_stats(r->engine, &e);
	fl_actions_summary(words, sizeof(words), &e);
	fprintf(stderr, "run: %llu messages, %llu undecoded, %s\n", messages, undecoded, words);
	if (r->sink) {
		struct fl_sink_stats st;

		fl_sink_stop(r->sink); /* the store thread writes what is queued */
		fl_sink_print_summary(r->sink, stderr, "run: ");
		fl_sink_stats(r->sink, &st);
		fprintf(stderr,
			"run: resume: %llu tickets resumed, %llu not resumed; %llu maintenance "
			"windows ended, %llu store window lookups failed\n",
			(unsigned long long)st.resumed,
			(unsigned long long)(st.resume_refused + st.resume_over_cap),
			(unsigned long long)st.windows_ended,
			(unsigned long long)r->windows.errors);
	}
	return r->out_failed ? -EIO : 0;
}

const struct fl_tz *fl_runner_tz(const struct fl_runner *r)
{
	return r->tz;
}

int fl_runner_wait_ms(const struct fl_runner *r, int max_ms)
{
	int64_t at_ns, wait_ns;

	if (!fl_engine_next_timer(r->engine, &at_ns))
		return max_ms;
	wait_ns = at_ns - fl_clock_now_ns(r->clock);
	if (wait_ns >= (int64_t)max_ms * 1000000)
		return max_ms;
	/* rounded up, and never 0: a timer due now fires at the tick after a
	 * 1 ms look at the inputs, not in a spin */
	return wait_ns <= 1000000 ? 1 : (int)((wait_ns + 999999) / 1000000);
}

void fl_runner_stats(const struct fl_runner *r, struct fl_run_stats *out)
{
	int64_t at_ns;

	fl_engine_stats(r->engine, &out->engine);
	out->has_timer = fl_engine_next_timer(r->engine, &at_ns);
	out->timer_in_ns = out->has_timer ? at_ns - fl_clock_now_ns(r->clock) : 0;
	out->has_store = r->sink != NULL;
	if (r->sink)
		fl_sink_stats(r->sink, &out->sink);
	out->window_errors = r->windows.errors;
	out->sources = r->sources;
	out->n_sources = r->n_sources;
}
