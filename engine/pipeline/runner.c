/* runner.c - the plan, a live clock and the engine for `faultline run`. */
#include "engine/pipeline/runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/correlate/actions.h"
#include "engine/pipeline/announce.h"
#include "engine/pipeline/metrics.h"
#include "engine/pipeline/partition_gate.h"
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
	bool catching_up; /* until fl_runner_catch_up_end() */
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
	/* after a reload: the engine is rebuilt from the store and the journal,
	 * and what it decides again about times up to the old engine's last
	 * tick was decided by the old one already (is_restated). 0: none. */
	int64_t mute_until_ns;
	uint64_t muted;
	/* the run's config, kept to start this runner's plan again when a
	 * reload's new plan cannot start (strings borrowed from the caller) */
	struct fl_runner_config cfg;
	FILE *diag; /* where resume refusals and closed tickets are said */
	uint64_t closed_gone; /* tickets closed: their rule left the plan */
	struct fl_partition_gate *gate; /* --partition; NULL: the whole network */
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
	else if (t.queued || t.consent_missing || is_first) /* the first check says so */
		fprintf(stderr, "run: announce: %llu maintenance announcements queued, %llu queued "
				"before, %llu windows started without consent\n",
			(unsigned long long)t.queued, (unsigned long long)t.before,
			(unsigned long long)t.consent_missing);
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

/* A reload's engine restating what the old one decided (see mute_until_ns):
 * its actions up to the old engine's last tick, and the "resumed" update of
 * each ticket it took back. They are dropped, not sent to the store: the
 * old engine's are there already, and a cut opened and cleared inside the
 * journal's window would otherwise become a second ticket. A ladder step of
 * a ticket taken back is never a restatement: the steps the old engine took
 * are not taken again (fl_engine_resume), so one that fires is one the new
 * plan added and is due. */
static bool is_restated(const struct fl_runner *r, const struct fl_action *a)
{
	if (!r->mute_until_ns)
		return false;
	if (a->incident && a->incident->ticket &&
	    (a->type == FL_ACTION_ESCALATE || a->type == FL_ACTION_NOTIFY))
		return false;
	if (a->at_ns <= r->mute_until_ns)
		return true;
	return a->type == FL_ACTION_UPDATE && a->reason && strcmp(a->reason, "resumed") == 0;
}

static void on_action(const struct fl_action *a, void *ctx)
{
	struct fl_runner *r = ctx;

	if (r->gate && !fl_partition_gate_keeps_incident(r->gate, a->incident))
		return; /* another partition's engine tickets and pages it */
	if (is_restated(r, a)) {
		r->muted++;
		return;
	}
	count_action(r, a);

	if (r->out.max - r->out.len < OUT_ROOM)
		(void)write_out(r);
	if (fl_actions_json(&r->out, r->prog, a) < 0)
		r->out_failed = true;
	if (r->sink) /* never blocks; a full queue is counted */
		(void)(r->catching_up ? fl_sink_push_fed_again(r->sink, a) : fl_sink_push(r->sink, a));
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

static bool program_has_source(const struct fl_program *p, const char *name)
{
	for (uint32_t i = 0; i < p->n_rules; i++)
		if (fl_str_eq_cstr(p->rules[i].name, name))
			return true;
	for (uint32_t i = 0; i < p->n_correlations; i++)
		if (fl_str_eq_cstr(p->correlations[i].name, name))
			return true;
	return false;
}

/* A reload's ticket whose rule or correlation is gone from the new plan:
 * no engine would ever follow or clear it, so it is cleared with a history
 * row that says why (the people working it keep it), instead of lying open
 * and silent. */
static void close_gone(struct fl_runner *r, const struct fl_resumed_incident *ri)
{
	char note[256];
	int rc;

	snprintf(note, sizeof(note),
		 "'%s' left the plan at a reload: no engine follows this ticket any more",
		 ri->source);
	rc = fl_store_incident_clear(r->windows_db, ri->ticket, note, fl_clock_now_ns(r->clock));
	if (rc < 0) {
		fprintf(r->diag, "faultline run: reload: ticket %s of '%s', gone from the plan, "
				 "could not be closed: %s\n",
			ri->ticket, ri->source, strerror(-rc));
		return;
	}
	r->closed_gone++;
	fprintf(r->diag, "faultline run: reload: ticket %s closed: %s\n", ri->ticket, note);
}

/* One open ticket handed back to the engine; a refusal keeps the ticket as
 * it is (people still see it) and says why here, except after a reload for
 * a ticket whose rule is gone (close_gone). */
static int resume_one(void *ctx, const struct fl_resumed_incident *ri)
{
	struct fl_runner *r = ctx;
	int rc;

	if (r->gate && !fl_partition_gate_keeps_resumed(r->gate, ri))
		return -EXDEV; /* its partition's engine takes it back */
	rc = fl_engine_resume(r->engine, ri);

	if (rc == -ENOENT && r->mute_until_ns && ri->source && r->windows_db &&
	    !program_has_source(r->prog, ri->source)) {
		close_gone(r, ri);
		return rc;
	}
	if (rc < 0)
		fprintf(r->diag,
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

/* The plan, its program, the per-source counters and the zone: everything
 * a reload can build beside the running runner without touching the store.
 * Diagnostics go to diag. Returns 0, -EINVAL (reported) or -ENOMEM. */
static int runner_compile(struct fl_runner *r, const struct fl_runner_config *cfg, FILE *diag)
{
	struct fl_plan_options popt = {.data_dir = cfg->data_dir};
	struct fl_diags *d = NULL;
	const char *zone;
	int rc;

	fl_buf_init(&r->out, OUT_MAX);
	r->cfg = *cfg;
	r->diag = diag;
	if (fl_diags_create(&d) < 0)
		return -ENOMEM;
	rc = fl_plan_compile(&r->plan, cfg->plan, &popt, d);
	fl_diag_print(d, diag);
	fl_diags_destroy(d);
	if (rc < 0)
		return rc;
	r->prog = fl_plan_program(r->plan);
	if ((rc = sources_create(r)) < 0)
		return rc;
	zone = cfg->tz ? cfg->tz : r->prog->timezone.p;
	if (zone && fl_tz_load(&r->tz, zone) < 0) {
		fprintf(diag, "faultline run: unknown time zone '%s'\n", zone);
		return -EINVAL;
	}
	if (cfg->partition)
		return fl_partition_gate_create(&r->gate, r->prog->inventory, cfg->data_dir,
						cfg->partition, diag);
	return 0;
}

/* The store's connections: the sink's thread and the engine thread's own
 * (maintenance windows, announcements, tickets closed at a reload). */
static int runner_open_store(struct fl_runner *r, const struct fl_runner_config *cfg,
			     struct fl_engine_config *ecfg)
{
	/* ticket ids are numbered by the store, unique across engines and
	 * restarts (fl_store_incident_open_numbered()) */
	struct fl_sink_opts so = {.directive_tick_ms = FL_DIRECTIVE_TICK_MS,
				  .fence_epoch = cfg->fence_epoch};
	char err[256] = "";
	int rc;

	if (cfg->outbox_bell) {
		so.on_notices = ring_outbox;
		so.on_notices_ctx = cfg->outbox_bell;
	}
	rc = fl_sink_open(&r->sink, r->prog, cfg->db, &so, err, sizeof(err));
	if (rc == 0)
		rc = fl_store_open(&r->windows_db, cfg->db, err, sizeof(err));
	if (rc < 0) {
		if (err[0]) /* "PATH: why", from the store */
			fprintf(r->diag, "faultline run: %s\n", err);
		else
			fprintf(r->diag, "faultline run: %s: %s\n", cfg->db, strerror(-rc));
		return rc;
	}
	r->windows.store = r->windows_db;
	ecfg->window_fn = fl_store_windows_lookup;
	ecfg->window_ctx = &r->windows;
	if (r->prog->n_announces &&
	    ((rc = fl_announcer_create(&r->announcer, r->prog, r->tz)) < 0 ||
	     (rc = fl_announcer_attach(r->announcer, cfg->db, err, sizeof(err))) < 0))
		return rc;
	return 0;
}

/* The live half of a compiled runner: store, clocks, engine, the tickets
 * the last engine left open. Undone by runner_stop(). */
static int runner_start(struct fl_runner *r, const struct fl_runner_config *cfg)
{
	struct fl_engine_config ecfg = {.on_action = on_action,
					.ctx = r,
					.max_keys_per_rule = cfg->max_keys_per_rule,
					.max_keys = cfg->max_keys};
	int rc;

	if (cfg->db && (rc = runner_open_store(r, cfg, &ecfg)) < 0)
		return rc;
	if ((rc = fl_clock_create_live(&r->clock)) < 0 ||
	    (cfg->catch_up_from_ns &&
	     (rc = fl_clock_create_event(&r->catch_clock, cfg->catch_up_from_ns)) < 0) ||
	    (rc = fl_engine_create(&r->engine, r->prog,
				   r->catch_clock ? r->catch_clock : r->clock, &ecfg)) < 0)
		return rc;
	r->catching_up = r->catch_clock != NULL;
	if (r->sink) {
		/* the tickets the last engine left open: their ladders run on */
		rc = fl_sink_resume(r->sink, resume_one, r);
		if (rc < 0) {
			fprintf(r->diag, "faultline run: %s: cannot resume the open tickets: %s\n",
				cfg->db, fl_sink_errmsg(r->sink));
			return rc;
		}
		if ((rc = fl_sink_start(r->sink)) < 0)
			return rc;
	}
	return 0;
}

/* Ends the live half: the engine, then the sink once it has written all it
 * was given, so the store holds everything this engine decided. */
static void runner_stop(struct fl_runner *r)
{
	fl_announcer_destroy(r->announcer);
	r->announcer = NULL;
	r->announce_next_ns = 0;
	fl_engine_destroy(r->engine);
	r->engine = NULL;
	fl_sink_destroy(r->sink); /* writes what is queued */
	r->sink = NULL;
	fl_store_close(r->windows_db);
	r->windows_db = NULL;
	r->windows.store = NULL;
	fl_clock_destroy(r->clock);
	r->clock = NULL;
	fl_clock_destroy(r->catch_clock);
	r->catch_clock = NULL;
}

int fl_runner_create(struct fl_runner **out, const struct fl_runner_config *cfg)
{
	struct fl_runner *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	rc = runner_compile(r, cfg, stderr);
	if (rc == 0)
		rc = runner_start(r, cfg);
	if (rc < 0) {
		fl_runner_destroy(r);
		return rc;
	}
	*out = r;
	return 0;
}

void fl_runner_destroy(struct fl_runner *r)
{
	if (!r)
		return;
	runner_stop(r);
	fl_tz_free(r->tz);
	fl_partition_gate_destroy(r->gate);
	fl_plan_destroy(r->plan);
	fl_buf_free(&r->out);
	free(r->sources);
	free(r);
}

/* The rules and correlations of old that new does not have: said once, as
 * what is closed with them (their tickets, by resume_one) and what ends. */
static void say_gone(const struct fl_runner *old, const struct fl_runner *new, FILE *diag)
{
	for (size_t i = 0; i < old->n_sources; i++)
		if (!program_has_source(new->prog, old->sources[i].name))
			fprintf(diag,
				"faultline run: reload: %s '%s' is not in the new plan: its open "
				"tickets are closed, its keys, windows and holds end here\n",
				old->sources[i].is_correlation ? "correlation" : "rule",
				old->sources[i].name);
}

/* What the plan a reload retires did, said before its counters go with it:
 * the summary at exit counts the running plan's alone. */
static void old_counts(struct fl_runner *old, FILE *diag)
{
	struct fl_engine_stats e;
	char words[1024];

	fl_engine_stats(old->engine, &e);
	fl_actions_summary(words, sizeof(words), &e);
	fprintf(diag, "faultline run: reload: the old plan: %s\n", words);
	if (old->sink) {
		fl_sink_stop(old->sink); /* its queue written: the counts are final */
		fl_sink_print_summary(old->sink, diag, "faultline run: reload: the old plan's ");
	}
}

int fl_runner_reload(struct fl_runner **rp, const struct fl_runner_config *cfg, FILE *diag,
		     struct fl_runner_reload_report *rep)
{
	struct fl_runner *old = *rp, *new = calloc(1, sizeof(*new));
	struct fl_engine_stats es;
	struct fl_runner_config again;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (!new)
		return -ENOMEM;
	rc = runner_compile(new, cfg, diag);
	if (rc == 0 && old->sink) {
		struct fl_sink_stats ss;

		/* ending the sink now would give up what it holds for a store
		 * that cannot write: the reload waits for the store instead */
		fl_sink_stats(old->sink, &ss);
		if (ss.held || ss.commits_failing) {
			fprintf(diag, "faultline run: reload: the store is failing (%llu actions "
				      "held for it): try again once it writes\n",
				(unsigned long long)ss.held);
			rc = -EBUSY;
		}
	}
	if (rc < 0) {
		fl_runner_destroy(new); /* the old runner was not touched */
		return rc;
	}
	/* the event boundary: the old engine runs its timers due by now and
	 * writes out; from here its decisions are in the store and on stdout */
	(void)fl_runner_tick(old);
	rep->stopped_ns = fl_clock_now_ns(old->clock);
	fl_engine_stats(old->engine, &es);
	rep->old_open_incidents = es.open_incidents;
	rep->old_live_keys = es.live_keys;
	say_gone(old, new, diag);
	old_counts(old, diag);
	runner_stop(old);
	new->mute_until_ns = rep->stopped_ns;
	rep->is_started = true;
	rc = runner_start(new, cfg);
	if (rc == 0) {
		rep->closed_gone = new->closed_gone;
		*rp = new;
		fl_runner_destroy(old);
		return 0;
	}
	/* the new plan compiled but could not start (the store, the zone's
	 * files): the old plan starts again the same way */
	fl_runner_destroy(new);
	again = old->cfg;
	again.catch_up_from_ns = cfg->catch_up_from_ns;
	old->mute_until_ns = rep->stopped_ns;
	if (runner_start(old, &again) < 0) {
		fl_runner_destroy(old);
		*rp = NULL;
		return -EIO;
	}
	return rc == -EINVAL ? -ECANCELED : rc;
}

void fl_runner_catch_up(struct fl_runner *r, struct fl_event *ev)
{
	if (!r->catch_clock)
		return;
	ev->time_ns = ev->received_ns; /* live, an event's time is its arrival */
	if (r->gate && !fl_partition_gate_takes_event(r->gate, ev))
		return;
	(void)fl_engine_feed(r->engine, ev);
}

int fl_runner_catch_up_end(struct fl_runner *r)
{
	if (!r->catch_clock)
		return 0;
	fl_engine_set_clock(r->engine, r->clock);
	r->catching_up = false;
	return fl_runner_tick(r);
}

void fl_runner_feed(struct fl_runner *r, const struct fl_event *ev)
{
	if (r->gate && !fl_partition_gate_takes_event(r->gate, ev))
		return;
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
	if (r->gate)
		fl_partition_gate_summary(r->gate, stderr, "run: ");
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

unsigned long long fl_runner_restated(const struct fl_runner *r)
{
	return r->muted;
}

const struct fl_program *fl_runner_program(const struct fl_runner *r)
{
	return r->prog;
}
