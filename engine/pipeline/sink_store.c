/* sink_store.c - the action stream into the ticket store: it takes actions,
 * has sink_rec.c copy each into a record, holds the records until they are
 * committed (and after a failed commit until the store writes again), and
 * has sink_write.c write them, at once or on its own thread. sink_rec.c
 * knows nothing of the writer. */
#include "engine/pipeline/sink_store.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/correlate/correlate.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/keytab.h"
#include "engine/lib/limits.h"
#include "engine/lib/tz.h"
#include "engine/pipeline/directive.h"
#include "engine/pipeline/duty_tick.h"
#include "engine/pipeline/sink_int.h"
#include "engine/store/hotline.h"
#include "engine/store/store_duty.h"
#include "engine/store/store.h"
#include "grammar/program.h"

static void publish(struct fl_sink *s)
{
	uint64_t full;

	pthread_mutex_lock(&s->mu);
	full = s->st.queue_full;
	s->st = s->wst;
	s->st.queue_full = full;
	s->st.errors += s->copy_failed;
	s->st.given_up += s->copy_failed;
	s->st.held = s->held_len - s->in_batch;
	pthread_mutex_unlock(&s->mu);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line to the sink's log, at most FL_SINK_LOG_PER_MIN a minute: a store
 * failing for hours logs its retries, not a flood; the lines left out are
 * counted and said with the next one. */
__attribute__((format(printf, 2, 3))) static void sink_log(struct fl_sink *s, const char *fmt,
							   ...)
{
	int64_t now = mono_ms();
	va_list ap;

	if (now - s->log_window_ms >= 60000) {
		s->log_window_ms = now;
		s->log_lines = 0;
	}
	if (s->log_lines >= FL_SINK_LOG_PER_MIN) {
		s->log_suppressed++;
		return;
	}
	s->log_lines++;
	fputs("faultline: store: ", s->log);
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	if (s->log_suppressed)
		fprintf(s->log, " (%llu earlier lines not shown)",
			(unsigned long long)s->log_suppressed);
	s->log_suppressed = 0;
	fputc('\n', s->log);
	fflush(s->log);
}

/* ---- held records, retries ------------------------------------------------ */

static const char *const kind_names[] = {"open",     "update", "absorb",  "clear",
					 "escalate", "notify", "suppress"};

static struct fl_sink_rec *held_at(const struct fl_sink *s, size_t i)
{
	return s->held[(s->held_head + i) % s->held_ring];
}

/* Frees the n oldest held records (written, or given up). */
static void held_drop(struct fl_sink *s, size_t n)
{
	for (; n && s->held_len; n--) {
		fl_sink_rec_free(s->held[s->held_head]);
		s->held[s->held_head] = NULL;
		s->held_head = (s->held_head + 1) % s->held_ring;
		s->held_len--;
	}
}

/* Frees the held record at i, the ones before it moving up one place. */
static void held_remove(struct fl_sink *s, size_t i)
{
	fl_sink_rec_free(held_at(s, i));
	for (; i > 0; i--)
		s->held[(s->held_head + i) % s->held_ring] = held_at(s, i - 1);
	s->held[s->held_head] = NULL;
	s->held_head = (s->held_head + 1) % s->held_ring;
	s->held_len--;
}

/* The ticket a record is about, for the log: its own, the incident's;
 * "new" for an open the store has not numbered yet (it numbers it in the
 * transaction that writes it); "-" before the writer knows any. */
static const char *rec_ticket(struct fl_sink *s, const struct fl_sink_rec *r)
{
	const struct sink_incident *e = NULL;

	if (r->ticket)
		return r->ticket;
	if (r->incident)
		e = fl_keytab_peek(s->inc, &r->incident, sizeof(r->incident));
	if (e && e->ticket[0])
		return e->ticket;
	if (r->type == SINK_OPEN && r->incident)
		return "new";
	return "-";
}

/* "ticket INC-2026-000123", or "a new ticket" for an open not yet numbered. */
static const char *rec_about(struct fl_sink *s, const struct fl_sink_rec *r, char *buf,
			     size_t size)
{
	const char *t = rec_ticket(s, r);

	if (strcmp(t, "new") == 0)
		return "a new ticket";
	snprintf(buf, size, "ticket %s", t);
	return buf;
}

static const char *rec_kind(const struct fl_sink_rec *r)
{
	return (unsigned)r->type <= SINK_SUPPRESS ? kind_names[r->type] : "action";
}

/* Errors a later try may not meet: the store locked, full, failing to read
 * or write its file, out of memory. The others are the record's own. */
static bool is_transient(int rc)
{
	return rc == -EBUSY || rc == -ENOSPC || rc == -EIO || rc == -ENOMEM || rc == -EAGAIN;
}

static void give_up(struct fl_sink *s, const struct fl_sink_rec *r, const char *why)
{
	char about[FL_STORE_ID_MAX + 16];

	s->wst.given_up++;
	sink_log(s, "gave up the %s of %s (incident %llu): %s", rec_kind(r),
		 rec_about(s, r, about, sizeof(about)), (unsigned long long)r->incident, why);
}

/* The tickets of the first n held records, for the log of a failed commit:
 * "ticket A" or "tickets A, B, C and 4 more". */
static void batch_tickets(struct fl_sink *s, size_t n, char *out, size_t size)
{
	char seen[3][FL_STORE_ID_MAX + 1];
	size_t n_seen = 0, more = 0, len;

	for (size_t i = 0; i < n; i++) {
		const char *t = rec_ticket(s, held_at(s, i));
		bool is_dup = strcmp(t, "-") == 0;

		for (size_t k = 0; k < n_seen && !is_dup; k++)
			is_dup = strcmp(seen[k], t) == 0;
		if (is_dup)
			continue;
		if (n_seen < 3)
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", t);
		else
			more++; /* counted once per record past the third: "at least" */
	}
	len = (size_t)snprintf(out, size, "ticket%s", n_seen > 1 ? "s" : "");
	for (size_t k = 0; k < n_seen && len < size; k++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", k ? ", " : " ", seen[k]);
	if (more && len < size)
		snprintf(out + len, size - len, " and more");
	if (!n_seen)
		snprintf(out, size, "no ticket");
}

/* The next try after a failure that may pass: the first of an episode is
 * told with its record (or, for a commit, the tickets of its batch), the
 * later ones with what is held. */
static void retry_later(struct fl_sink *s, int rc, const struct fl_sink_rec *r,
			const char *tickets)
{
	int64_t now = mono_ms();
	char about[FL_STORE_ID_MAX + 16];
	size_t held = s->held_len;

	if (!s->in_episode) {
		s->in_episode = true;
		s->episode_start_ms = now;
		s->episode_retries = 0;
		s->backoff_ms = FL_SINK_RETRY_FIRST_MS;
		if (r)
			sink_log(s, "cannot write the %s of %s (incident %llu): %s (%s);"
				    " %zu actions held, retry in %lld ms",
				 rec_kind(r), rec_about(s, r, about, sizeof(about)),
				 (unsigned long long)r->incident, fl_store_errmsg(s->store),
				 strerror(-rc), held, (long long)s->backoff_ms);
		else
			sink_log(s, "cannot commit %zu actions of %s: %s (%s); held, retry in %lld ms",
				 held, tickets, fl_store_errmsg(s->store), strerror(-rc),
				 (long long)s->backoff_ms);
	} else {
		sink_log(s, "retry %llu failed: %s (%s); %zu actions held, next in %lld ms",
			 (unsigned long long)s->episode_retries, fl_store_errmsg(s->store),
			 strerror(-rc), held, (long long)s->backoff_ms);
	}
	s->is_failing = true;
	s->last_rc = rc;
	s->retry_at_ms = now + s->backoff_ms;
	s->backoff_ms = s->backoff_ms * 2 > FL_SINK_RETRY_MAX_MS ? FL_SINK_RETRY_MAX_MS
								 : s->backoff_ms * 2;
}

/* The open transaction failed on r (NULL: on its commit) with rc, and the
 * store rolled it back. The writer forgets what it did. A record the store
 * refuses for itself is given up alone, and the rest go again at once
 * (returns 0); anything else holds them all for a retry (returns rc). */
static int batch_lost(struct fl_sink *s, int rc, const struct fl_sink_rec *r)
{
	char tickets[256] = "";

	if (!r && !s->in_episode)
		batch_tickets(s, s->in_batch, tickets, sizeof(tickets));
	fl_store_rollback(s->store);
	s->in_tx = false;
	sink_undo_all(s);
	s->wst.errors++;
	if (r && !is_transient(rc)) {
		char why[320];

		snprintf(why, sizeof(why), "%s (%s)", fl_store_errmsg(s->store), strerror(-rc));
		give_up(s, r, why);
		held_remove(s, s->in_batch);
		s->in_batch = 0;
		return 0;
	}
	s->in_batch = 0;
	retry_later(s, rc, r, tickets);
	return rc;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Commits the open transaction: its records are written and freed. */
static int batch_commit(struct fl_sink *s)
{
	uint64_t commit_ns;
	int rc;

	if (!s->in_tx)
		return 0;
	s->in_tx = false;
	commit_ns = monotonic_ns();
	rc = fl_store_commit(s->store);
	commit_ns = monotonic_ns() - commit_ns;
	s->wst.commit_ns_sum += commit_ns;
	if (commit_ns > s->wst.commit_ns_max)
		s->wst.commit_ns_max = commit_ns;
	s->wst.commits++;
	s->wst.commits_failing = rc < 0 ? s->wst.commits_failing + 1 : 0;
	if (rc < 0)
		return batch_lost(s, rc, NULL);
	if (s->in_episode) {
		sink_log(s, "writes again after %llu retries in %lld ms; %zu held actions written",
			 (unsigned long long)s->episode_retries,
			 (long long)(mono_ms() - s->episode_start_ms), s->in_batch);
		s->in_episode = false;
	}
	held_drop(s, s->in_batch);
	s->in_batch = 0;
	s->n_undo = 0;
	publish(s);
	if (s->wst.notices != s->notices_committed && s->on_notices)
		s->on_notices(s->on_notices_ctx);
	s->notices_committed = s->wst.notices;
	return 0;
}

/* Writes the held records not yet in the transaction, in order, committing
 * every FL_SINK_BATCH_MAX. A failing store is tried again only once its
 * time has come (-EAGAIN before). Returns 0 or the error that holds them. */
static int pump(struct fl_sink *s)
{
	int rc;

	if (s->is_failing) {
		if (mono_ms() < s->retry_at_ms)
			return -EAGAIN;
		s->is_failing = false;
		s->wst.retries++;
		s->episode_retries++;
	}
	while (s->in_batch < s->held_len) {
		const struct fl_sink_rec *r = held_at(s, s->in_batch);

		rc = sink_write_one(s, r);
		if (rc < 0) {
			rc = batch_lost(s, rc, r);
			if (rc < 0)
				return rc;
			continue;
		}
		s->in_batch++;
		if (s->in_batch >= FL_SINK_BATCH_MAX && (rc = batch_commit(s)) < 0)
			return rc;
	}
	return 0;
}

/* Takes r: held behind the records before it, then written unless the
 * store is failing. 0 when written or held; -ENOBUFS when it is given up,
 * FL_SINK_HELD_MAX records being held already. */
static int take(struct fl_sink *s, struct fl_sink_rec *r)
{
	if (s->held_len == s->held_ring) {
		give_up(s, r, "too many actions held for a failing store");
		fl_sink_rec_free(r);
		return -ENOBUFS;
	}
	s->held[(s->held_head + s->held_len) % s->held_ring] = r;
	s->held_len++;
	if (s->held_len - s->in_batch > s->wst.held_high)
		s->wst.held_high = s->held_len - s->in_batch;
	(void)pump(s); /* a failure holds r: told in the log, counted */
	return 0;
}

/* The store thread with nothing queued: commits the open batch, or tries a
 * failing store again when its time has come. */
static void idle(struct fl_sink *s)
{
	if (s->is_failing)
		(void)pump(s);
	else if (pump(s) == 0)
		(void)batch_commit(s);
}

int fl_sink_sync(struct fl_sink *s)
{
	int64_t deadline = mono_ms() + (s->drain_ms > 0 ? s->drain_ms : 0);
	int rc;

	for (;;) {
		rc = pump(s);
		if (rc == 0)
			rc = batch_commit(s);
		if (rc == 0 && s->held_len == 0)
			break;
		if (rc == 0)
			continue;
		int64_t now = mono_ms(), wake = s->retry_at_ms < deadline ? s->retry_at_ms : deadline;

		if (now >= deadline)
			break;
		if (wake > now) {
			struct timespec ts = {.tv_sec = (wake - now) / 1000,
					      .tv_nsec = (wake - now) % 1000 * 1000000};

			nanosleep(&ts, NULL);
		}
	}
	if (s->held_len) {
		uint64_t n = s->held_len;

		sink_log(s, "gave up %llu held actions after waiting %lld ms: %s (%s)",
			 (unsigned long long)n, (long long)(s->drain_ms > 0 ? s->drain_ms : 0),
			 fl_store_errmsg(s->store), strerror(s->last_rc < 0 ? -s->last_rc : EIO));
		s->wst.given_up += n;
		held_drop(s, s->held_len);
		s->in_batch = 0;
		s->is_failing = s->in_episode = false;
	}
	publish(s);
	return rc;
}

/* Queues a record for the store thread; takes it (freed when the queue is
 * full: -ENOBUFS). */
static int enqueue(struct fl_sink *s, struct fl_sink_rec *r)
{
	pthread_mutex_lock(&s->mu);
	if (s->q_len == s->q_max) {
		s->st.queue_full++;
		pthread_mutex_unlock(&s->mu);
		fl_sink_rec_free(r);
		return -ENOBUFS;
	}
	s->q[(s->q_head + s->q_len) % s->q_max] = r;
	s->q_len++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Counts an action that could not be copied into a record (out of memory):
 * an error and an action given up, kept apart from the writer's counts,
 * which publish() copies over st. */
static void count_lost(struct fl_sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->copy_failed++;
	s->st.errors++;
	s->st.given_up++;
	pthread_mutex_unlock(&s->mu);
}

int fl_sink_write(struct fl_sink *s, const struct fl_action *a)
{
	struct fl_sink_rec *r = fl_sink_rec_from(a, s->prog);
	int rc;

	if (!r) {
		count_lost(s);
		return -ENOMEM;
	}
	rc = take(s, r);
	publish(s);
	return rc;
}

static int push(struct fl_sink *s, const struct fl_action *a, bool is_fed_again)
{
	struct fl_sink_rec *r = fl_sink_rec_from(a, s->prog);

	if (!r) {
		count_lost(s);
		return -ENOMEM;
	}
	r->is_fed_again = is_fed_again;
	return enqueue(s, r);
}

int fl_sink_push(struct fl_sink *s, const struct fl_action *a)
{
	return push(s, a, false);
}

int fl_sink_push_fed_again(struct fl_sink *s, const struct fl_action *a)
{
	return push(s, a, true);
}

/* ---- resume ---------------------------------------------------------------- */

struct resume_row {
	char *id, *rule, *key, *level, *title, *device, *site, *span;
	int64_t opened_ns;
	bool is_planned;
};

struct resume_walk {
	struct resume_row *rows;
	size_t n, max;
	uint64_t over_cap;
};

static void resume_row_free(struct resume_row *w)
{
	free(w->id);
	free(w->rule);
	free(w->key);
	free(w->level);
	free(w->title);
	free(w->device);
	free(w->site);
	free(w->span);
}

static bool dup_into(char **out, const char *v)
{
	return !v || (*out = strdup(v)) != NULL;
}

/* Copies the tickets an engine resumes: not yet resolved, alarm not cleared
 * (a cleared one has nothing left to escalate: people close it). */
static int resume_collect(void *ctx, const struct fl_ticket_summary *t)
{
	struct resume_walk *w = ctx;
	struct resume_row *row;

	if (t->state >= FL_TICKET_RESOLVED || t->cleared_ns)
		return 0;
	if (t->rule && strcmp(t->rule, FL_HOTLINE_RULE) == 0)
		return 0; /* a person's ticket: an alarm joins it (sink_join.c) */
	/* a duty's ticket is work on a calendar, no incident: nothing for the
	 * engine to take back, nor for a reload to close as a rule gone */
	if (t->rule && strcmp(t->rule, FL_DUTY_RULE) == 0)
		return 0;
	if (w->n == w->max) {
		w->over_cap++;
		return 0;
	}
	row = &w->rows[w->n++];
	row->opened_ns = t->opened_ns;
	row->is_planned = t->is_planned;
	if (!dup_into(&row->id, t->id) || !dup_into(&row->rule, t->rule) ||
	    !dup_into(&row->key, t->key) || !dup_into(&row->level, t->level) ||
	    !dup_into(&row->title, t->title) || !dup_into(&row->device, t->device) ||
	    !dup_into(&row->site, t->site) || !dup_into(&row->span, t->span))
		return -ENOMEM;
	return 0;
}

/* What fn made the engine push (the steps of a resumed ticket that came
 * due while nothing ran) is written here, on the caller's thread, which owns
 * the connection until the store thread starts: 20,000 tickets a day overdue
 * fire 240,000 pages at once, and a queue nobody empties dropped three in
 * four of them. */
static void drain_here(struct fl_sink *s)
{
	for (;;) {
		struct fl_sink_rec *r = NULL;

		pthread_mutex_lock(&s->mu);
		if (s->q_len) {
			r = s->q[s->q_head];
			s->q_head = (s->q_head + 1) % s->q_max;
			s->q_len--;
		}
		pthread_mutex_unlock(&s->mu);
		if (!r)
			return;
		(void)take(s, r);
	}
}

/* The ticket's clock deadlines for the engine to resume on (0: a clock it
 * does not have, or one paused, whose deadline moves when the pause ends). */
static int resume_clocks(struct fl_sink *s, const char *id, int64_t due_ns[3])
{
	static const enum fl_ticket_clock kinds[3] = {
	    FL_TICKET_CLOCK_RESPOND, FL_TICKET_CLOCK_ONSITE, FL_TICKET_CLOCK_REPAIR};

	for (int k = 0; k < 3; k++) {
		struct fl_clock_info ci;
		int rc = fl_store_clock_get(s->store, id, kinds[k], &ci);

		if (rc < 0)
			return rc;
		due_ns[k] = ci.state == FL_CLOCK_ST_NONE || ci.state == FL_CLOCK_ST_PAUSED
				? 0 : ci.deadline_ns;
	}
	return 0;
}

int fl_sink_resume(struct fl_sink *s, fl_sink_resume_fn *fn, void *ctx)
{
	struct resume_walk w = {.max = FL_SINK_RESUME_MAX};
	uint32_t taken[FL_SINK_RESUME_STEPS_MAX];
	int rc;

	if (s->started || !fn)
		return -EINVAL;
	w.rows = calloc(w.max, sizeof(*w.rows));
	if (!w.rows)
		return -ENOMEM;
	rc = fl_store_tickets_each(s->store, false, resume_collect, &w);
	/* the walk is over before anything runs: what fn makes the sink
	 * write (replay) does not write under an open statement */
	for (size_t i = 0; rc == 0 && i < w.n; i++) {
		const struct resume_row *row = &w.rows[i];
		struct fl_resumed_incident ri = {
			.ticket = row->id, .source = row->rule, .key = row->key,
			.level = row->level, .title = row->title, .device = row->device,
			.site = row->site, .span = row->span, .first_ns = row->opened_ns,
			.is_planned = row->is_planned, .steps_taken = taken};

		rc = fl_store_steps_taken(s->store, row->id, taken, FL_SINK_RESUME_STEPS_MAX,
					  &ri.n_steps_taken);
		if (rc < 0)
			break;
		rc = resume_clocks(s, row->id, ri.clock_due_ns);
		if (rc >= 0)
			rc = fl_store_ticket_noted_at(s->store, row->id, FL_STORE_LADDER_STARTED,
						      &ri.ladder_from_ns);
		if (rc < 0)
			break;
		rc = fl_store_ticket_noted(s->store, row->id, FL_STORE_PAIR_TIMED_OUT);
		if (rc < 0)
			break;
		ri.pair_timed_out = rc > 0;
		rc = 0;
		if (ri.n_steps_taken > FL_SINK_RESUME_STEPS_MAX)
			ri.n_steps_taken = FL_SINK_RESUME_STEPS_MAX;
		if (fn(ctx, &ri) == 0)
			s->wst.resumed++;
		else
			s->wst.resume_refused++;
		drain_here(s);
	}
	s->wst.resume_over_cap += w.over_cap;
	for (size_t i = 0; i < w.n; i++)
		resume_row_free(&w.rows[i]);
	free(w.rows);
	publish(s);
	return rc;
}

/* ---- lifecycle -------------------------------------------------------------- */

int fl_sink_create(struct fl_sink **out, const struct fl_program *prog, struct fl_store *store,
		   const struct fl_sink_opts *opts)
{
	struct fl_keytab_config kcfg = {.val_size = sizeof(struct sink_incident),
					.key_max = sizeof(uint64_t),
					.max_keys = FL_SINK_INCIDENTS_MAX,
					.on_evict = sink_forget_incident};
	pthread_condattr_t cattr;
	struct fl_sink *s;
	int rc;

	if (!out || !prog || !store ||
	    (opts && opts->id_prefix &&
	     (!opts->id_prefix[0] || strlen(opts->id_prefix) > FL_STORE_ID_PREFIX_MAX)))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	kcfg.ctx = s;
	rc = fl_keytab_create(&s->inc, &kcfg);
	s->q_max = opts && opts->queue_max ? opts->queue_max : FL_SINK_QUEUE_DEFAULT;
	s->q = calloc(s->q_max, sizeof(*s->q));
	/* the ring holds the batch being written and, behind it, what waits */
	s->held_ring = (opts && opts->held_max ? opts->held_max : FL_SINK_HELD_MAX) +
		      FL_SINK_BATCH_MAX;
	s->held = calloc(s->held_ring, sizeof(*s->held));
	s->undo = calloc(FL_SINK_BATCH_MAX, sizeof(*s->undo));
	if (rc < 0 || !s->q || !s->held || !s->undo) {
		fl_keytab_destroy(s->inc);
		free(s->q);
		free(s->held);
		free(s->undo);
		free(s);
		return rc < 0 ? rc : -ENOMEM;
	}
	s->prog = prog;
	if ((prog->n_messages || prog->n_duties) && prog->timezone.p &&
	    fl_tz_load(&s->tz, prog->timezone.p) < 0)
		s->tz = NULL; /* the plan compiled with it; read as UTC rather than fail */
	s->store = store;
	s->prefix = opts && opts->id_prefix ? opts->id_prefix : "INC";
	if (opts && opts->directive_tick_ms > 0 && (prog->n_relays || prog->n_duties)) {
		s->directive_tick_ms = opts->directive_tick_ms;
		s->directive_next_ms = mono_ms(); /* at once: orders late while it was down */
	}
	s->on_notices = opts ? opts->on_notices : NULL;
	s->on_notices_ctx = opts ? opts->on_notices_ctx : NULL;
	s->log = opts && opts->log ? opts->log : stderr;
	s->drain_ms = opts && opts->drain_ms ? opts->drain_ms : FL_SINK_DRAIN_MS_DEFAULT;
	s->log_window_ms = mono_ms();
	pthread_mutex_init(&s->mu, NULL);
	/* the retry timer waits on the monotonic clock: a wall clock set back
	 * must not stall a retry */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &cattr);
	pthread_condattr_destroy(&cattr);
	*out = s;
	return 0;
}

/* The store thread waits for a record, for the end, or for the time to
 * try a failing store again. Called with mu held. */
static void wait_work(struct fl_sink *s)
{
	while (s->q_len == 0 && !s->stopping && !(s->in_tx && !s->is_failing)) {
		int64_t now = mono_ms(), wake;
		struct timespec at;

		if (!s->is_failing && !s->directive_tick_ms) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		wake = s->is_failing ? s->retry_at_ms : s->directive_next_ms;
		if (now >= wake)
			return;
		at.tv_sec = wake / 1000;
		at.tv_nsec = wake % 1000 * 1000000;
		pthread_cond_timedwait(&s->cv, &s->mu, &at);
	}
}

/* The plan's duties fall due on the same tick (engine/pipeline/duty_tick.h):
 * each occurrence is made once whoever ticks, so a failed tick is logged
 * and the next one makes what it did not. */
static void duty_tick(struct fl_sink *s, int64_t now_ns)
{
	struct fl_duty_tick_stats st = {0};
	char err[256] = "";
	int rc;

	if (!s->prog->n_duties || !s->prog->inventory || mono_ms() < s->duty_next_ms)
		return;
	s->duty_next_ms = mono_ms() + FL_DUTY_TICK_MS; /* the first look at once */
	rc = fl_duty_tick(s->store, s->prog, s->tz, now_ns, NULL, NULL, &st, err, sizeof(err));
	s->wst.duty_tickets += st.made;
	s->wst.duty_reminders += st.notices;
	if (rc < 0) {
		s->wst.duty_errors++;
		sink_log(s, "store: duties not ticked: %s", err[0] ? err : strerror(-rc));
	} else if (st.made) {
		sink_log(s, "store: %u duty ticket%s made, %u reminder%s queued", st.made,
			 st.made == 1 ? "" : "s", st.notices, st.notices == 1 ? "" : "s");
	}
	if (st.notices && s->on_notices)
		s->on_notices(s->on_notices_ctx);
}

/* Dispatch directives are the store's, not the engine's: a branch late to
 * acknowledge is escalated by the thread that owns the store's writes, at
 * the wall clock's time, between batches (never inside one). A failure is
 * logged and counted; the next tick takes the same steps, each recorded
 * once. */
static void directive_tick(struct fl_sink *s)
{
	struct fl_directive_outcome out = {0};
	struct timespec ts;
	char err[256] = "";
	int rc;

	if (!s->directive_tick_ms || s->in_tx || s->is_failing || mono_ms() < s->directive_next_ms)
		return;
	s->directive_next_ms = mono_ms() + s->directive_tick_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	duty_tick(s, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	if (!s->prog->n_relays)
		return;
	rc = fl_directive_tick(s->store, s->prog, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
			       &out, err, sizeof(err));
	if (rc < 0) {
		s->wst.directive_errors++;
		sink_log(s, "store: directives not ticked: %s", err[0] ? err : strerror(-rc));
		return;
	}
	s->wst.directive_steps += out.escalated;
	s->wst.directive_notices += out.notices;
	if (out.notices && s->on_notices)
		s->on_notices(s->on_notices_ctx);
}

static void *sink_main(void *arg)
{
	struct fl_sink *s = arg;

	for (;;) {
		struct fl_sink_rec *r = NULL;
		bool stop;

		pthread_mutex_lock(&s->mu);
		wait_work(s);
		if (s->q_len) {
			r = s->q[s->q_head];
			s->q_head = (s->q_head + 1) % s->q_max;
			s->q_len--;
		}
		stop = s->stopping && !r;
		pthread_mutex_unlock(&s->mu);
		/* store writes happen outside the lock: a push never waits on SQLite */
		if (r)
			(void)take(s, r);
		else if (stop)
			(void)fl_sink_sync(s); /* everything held, or given up */
		else {
			idle(s); /* make the batch durable, or try the store again */
			directive_tick(s);
		}
		publish(s);
		if (stop)
			break;
	}
	return NULL;
}

int fl_sink_start(struct fl_sink *s)
{
	if (s->started)
		return -EINVAL;
	if (pthread_create(&s->thread, NULL, sink_main, s) != 0)
		return -EAGAIN;
	s->started = true;
	return 0;
}

void fl_sink_stats(struct fl_sink *s, struct fl_sink_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->st;
	out->queue_depth = s->q_len;
	pthread_mutex_unlock(&s->mu);
}

void fl_sink_print_summary(struct fl_sink *s, FILE *out, const char *prefix)
{
	struct fl_sink_stats st;

	fl_sink_stats(s, &st);
	fprintf(out,
		"%sstore: %llu tickets opened, %llu continued, %llu alarms absorbed, "
		"%llu steps taken, %llu steps already taken, %llu steps no longer due, "
		"%llu notifications queued, %llu commits, %llu errors, %llu queue full\n",
		prefix, (unsigned long long)st.opened, (unsigned long long)st.continued,
		(unsigned long long)st.absorbed, (unsigned long long)st.steps,
		(unsigned long long)st.steps_skipped, (unsigned long long)st.steps_not_due,
		(unsigned long long)st.notices, (unsigned long long)st.commits,
		(unsigned long long)st.errors, (unsigned long long)st.queue_full);
	fprintf(out,
		"%sstore incidents: %llu forgotten while open, %llu actions without a ticket, "
		"%llu refused, %llu clocks missed, %llu ticket ids found taken\n",
		prefix, (unsigned long long)st.incidents_forgotten_open,
		(unsigned long long)st.unknown_incident, (unsigned long long)st.incidents_refused,
		(unsigned long long)st.clocks_missed, (unsigned long long)st.ids_taken);
	fprintf(out, "%sstore retries: %llu actions held, %llu retries, %llu given up, "
		     "%llu held at most\n",
		prefix, (unsigned long long)st.held, (unsigned long long)st.retries,
		(unsigned long long)st.given_up, (unsigned long long)st.held_high);
	if (st.joined)
		fprintf(out, "%sstore: %llu alarms joined tickets opened from a call\n", prefix,
			(unsigned long long)st.joined);
	if (st.directive_steps || st.directive_errors)
		fprintf(out, "%sstore directives: %llu late steps taken, %llu notices, "
			     "%llu ticks failed\n",
			prefix, (unsigned long long)st.directive_steps,
			(unsigned long long)st.directive_notices,
			(unsigned long long)st.directive_errors);
	if (st.duty_tickets || st.duty_errors)
		fprintf(out, "%sstore duties: %llu tickets made, %llu reminders, %llu ticks failed\n",
			prefix, (unsigned long long)st.duty_tickets,
			(unsigned long long)st.duty_reminders, (unsigned long long)st.duty_errors);
}

int fl_sink_open(struct fl_sink **out, const struct fl_program *prog, const char *path,
		 const struct fl_sink_opts *opts, char *err, size_t err_len)
{
	struct fl_store *st;
	int rc = fl_store_open(&st, path, err, err_len);

	if (rc < 0)
		return rc;
	if (opts && opts->fence_epoch) /* an engine that lost the lead writes nothing */
		fl_store_fence(st, opts->fence_epoch);
	rc = fl_sink_create(out, prog, st, opts);
	if (rc < 0) {
		fl_store_close(st);
		return rc;
	}
	(*out)->owns_store = true;
	return 0;
}

const char *fl_sink_errmsg(const struct fl_sink *s)
{
	return fl_store_errmsg(s->store);
}

void fl_sink_stop(struct fl_sink *s)
{
	if (s->started) {
		pthread_mutex_lock(&s->mu);
		s->stopping = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		s->started = false;
	} else {
		(void)fl_sink_sync(s);
	}
}

void fl_sink_destroy(struct fl_sink *s)
{
	if (!s)
		return;
	fl_sink_stop(s);
	while (s->q_len) {
		fl_sink_rec_free(s->q[s->q_head]);
		s->q_head = (s->q_head + 1) % s->q_max;
		s->q_len--;
	}
	if (s->owns_store)
		fl_store_close(s->store);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	held_drop(s, s->held_len); /* none: stop wrote or gave up all */
	free(s->held);
	free(s->undo);
	free(s->q);
	fl_keytab_destroy(s->inc);
	fl_tz_free(s->tz);
	free(s);
}

bool fl_store_windows_lookup(void *ctx, const struct fl_incident *inc, int64_t at_ns,
			     char *name, size_t name_len, int64_t *ends_ns)
{
	struct fl_store_windows *w = ctx;
	const struct fl_inv_site *site = inc->site;
	const struct fl_inv_ring *ring = inc->n_spans ? inc->spans[0]->ring
					 : inc->device ? inc->device->ring : NULL;
	struct fl_maint_query q = {
		.device = inc->device ? inc->device->id : NULL,
		.site = site ? site->id : NULL,
		.ring = ring ? ring->id : NULL,
		.span = inc->n_spans ? inc->spans[0]->id : NULL,
		.city = site && site->city ? site->city->name : NULL,
	};
	struct fl_maint_hit hit;
	bool is_active = false;

	if (fl_store_maint_active(w->store, &q, at_ns, &is_active, &hit) < 0) {
		w->errors++;
		return false;
	}
	if (!is_active)
		return false;
	snprintf(name, name_len, "MW-%lld", (long long)hit.window_id);
	*ends_ns = hit.ends_ns;
	return true;
}
