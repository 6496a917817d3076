/* sink_store.c - the action stream into the ticket store: it takes actions,
 * has sink_rec.c copy each into a record, and writes the records (at once or
 * on its own thread). sink_rec.c knows nothing of the writer. */
#include "engine/pipeline/sink_store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/correlate/correlate.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/keytab.h"
#include "engine/lib/limits.h"
#include "engine/pipeline/sink_int.h"
#include "engine/store/store.h"
#include "grammar/program.h"

struct sink_step {
	uint32_t step;
	bool skip; /* taken before: nothing of it is sent again */
};

/* What the writer remembers of an incident, keyed by its id. */
struct sink_incident {
	uint64_t incident;
	bool cleared;
	bool is_planned; /* as the store has it: its clocks paused for the window */
	char ticket[FL_STORE_ID_MAX + 1];
	uint64_t absorbed; /* what the store has */
	size_t n_places;   /* the incident's places the store has */
	char rule[64];	   /* the rule or correlation the store has it under */
	struct sink_step steps[FL_SINK_STEPS_MAX];
	size_t n_steps;
};

struct fl_sink {
	const struct fl_program *prog;
	struct fl_store *store;
	bool owns_store;
	const char *prefix;
	bool in_tx;
	uint32_t pending;
	struct fl_keytab *inc; /* struct sink_incident by incident id */
	/* thread */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started, stopping;
	struct fl_sink_rec **q;
	size_t q_max, q_head, q_len;
	struct fl_sink_stats st;  /* under mu */
	struct fl_sink_stats wst; /* the writer's own */
	fl_sink_committed_fn *on_notices;
	void *on_notices_ctx;
	uint64_t notices_committed; /* wst.notices at the last commit */
	int64_t clocks_checked_ns; /* clocks past their deadline at this time are
				    * marked: 0 after a lost batch (look again) */
};

/* ---- the writer ----------------------------------------------------------- */

/* The incident the writer knows by id; create: a new one when unknown. Every
 * lookup makes it the most recently used, so the table, when full, forgets
 * the incident that has gone longest without an action: a cleared one, in
 * practice (the cap is twice the engine's open incidents). */
static struct sink_incident *find(struct fl_sink *s, uint64_t id, bool create)
{
	struct sink_incident *e;
	bool is_new;
	void *v;

	if (!create)
		return fl_keytab_get(s->inc, &id, sizeof(id));
	if (fl_keytab_upsert(s->inc, &id, sizeof(id), &v, &is_new) < 0) {
		s->wst.incidents_refused++;
		return NULL;
	}
	e = v;
	if (is_new)
		e->incident = id;
	return e;
}

/* The table forgets an incident to make room: counted when it was still
 * open, since its later actions will find no ticket. */
static void forget_incident(const void *key, size_t key_len, void *val, void *ctx)
{
	const struct sink_incident *e = val;
	struct fl_sink *s = ctx;

	(void)key;
	(void)key_len;
	if (!e->cleared)
		s->wst.incidents_forgotten_open++;
}

static void ticket_id(const struct fl_sink *s, const struct fl_sink_rec *r, char *out,
		      size_t size)
{
	time_t t = (time_t)(r->first_ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, size, "%s-%04d%02d%02d-%llu", s->prefix, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, (unsigned long long)r->incident);
}

static void publish(struct fl_sink *s)
{
	uint64_t full;

	pthread_mutex_lock(&s->mu);
	full = s->st.queue_full;
	s->st = s->wst;
	s->st.queue_full = full;
	pthread_mutex_unlock(&s->mu);
}

static int begin(struct fl_sink *s)
{
	int rc;

	if (s->in_tx)
		return 0;
	rc = fl_store_begin(s->store);
	if (rc == 0)
		s->in_tx = true;
	return rc;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int fl_sink_sync(struct fl_sink *s)
{
	uint64_t commit_ns;
	int rc;

	if (!s->in_tx)
		return 0;
	s->in_tx = false;
	s->pending = 0;
	commit_ns = monotonic_ns();
	rc = fl_store_commit(s->store);
	commit_ns = monotonic_ns() - commit_ns;
	s->wst.commit_ns_sum += commit_ns;
	if (commit_ns > s->wst.commit_ns_max)
		s->wst.commit_ns_max = commit_ns;
	s->wst.commits++;
	s->wst.commits_failing = rc < 0 ? s->wst.commits_failing + 1 : 0;
	if (rc < 0) {
		s->wst.errors++;
		s->clocks_checked_ns = 0; /* the marks went with the batch */
	}
	publish(s);
	if (rc == 0 && s->wst.notices != s->notices_committed && s->on_notices)
		s->on_notices(s->on_notices_ctx);
	s->notices_committed = s->wst.notices;
	return rc;
}

/* A ticket opened inside a maintenance window: its clocks are paused from
 * its opening (reason "maintenance") until the window ends (window_over).
 * Only running clocks: pausing another is refused, and a refusal would
 * roll the batch back. */
static int window_pause(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r,
			int64_t at_ns)
{
	char note[160];
	int rc;

	snprintf(note, sizeof(note), "inside maintenance window %s: pages nobody",
		 r->window ? r->window : "");
	rc = fl_store_note(s->store, e->ticket, "planned", "faultline", note, at_ns);
	for (unsigned c = 0; rc == 0 && c < FL_TICKET_CLOCK__COUNT; c++) {
		struct fl_clock_info ci;

		rc = fl_store_clock_get(s->store, e->ticket, (enum fl_ticket_clock)c, &ci);
		if (rc == 0 && ci.state == FL_CLOCK_ST_RUNNING)
			rc = fl_store_clock_pause(s->store, e->ticket, (enum fl_ticket_clock)c,
						  FL_STORE_PAUSE_WINDOW, "faultline", at_ns);
	}
	if (rc == 0)
		e->is_planned = true;
	return rc;
}

/* The window is over and the incident still open: the ticket is no longer
 * planned and its clocks run on from now (the engine pages from now). */
static int window_over(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	char what[160];
	int rc;

	if (r->window)
		snprintf(what, sizeof(what), "window %s ended", r->window);
	else
		snprintf(what, sizeof(what), "maintenance window ended");
	rc = fl_store_incident_unplan(s->store, e->ticket, what, r->at_ns);
	e->is_planned = false;
	if (rc == -EPERM)
		return 0; /* the store's ticket was not planned (continued) */
	if (rc == 0)
		s->wst.windows_ended++;
	return rc;
}

static int do_open(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	const struct fl_prog_level *lv = r->level < s->prog->n_levels ? &s->prog->levels[r->level]
								       : NULL;
	static const char *const classes[] = {"city", "county", "township"};
	enum fl_ticket_state state;
	struct fl_ticket_new t = {0};
	int rc;

	ticket_id(s, r, e->ticket, sizeof(e->ticket));
	e->absorbed = 0;
	/* A ticket still open in the store for the same fault: a restarted
	 * engine hands such tickets back (fl_sink_resume), so this finds the
	 * ones it could not resume and those of a replay into a store that has
	 * them. */
	if ((r->rule && r->key) || r->span || r->device || r->site) {
		struct fl_store_fault f = {.rule = r->rule, .key = r->key,
					   .level = lv ? lv->name.p : NULL, .span = r->span,
					   .device = r->device, .site = r->site};
		char id[FL_STORE_ID_MAX + 1];

		rc = fl_store_open_ticket_for_fault(s->store, &f, id, sizeof(id));
		if (rc < 0)
			return rc;
		if (rc == 1) {
			/* continue it: steps it took are not taken again */
			snprintf(e->ticket, sizeof(e->ticket), "%s", id);
			s->wst.continued++;
			return fl_store_note(s->store, e->ticket, "seen again", "faultline",
					     "the engine restarted and found the fault still there",
					     r->at_ns);
		}
	}
	if (fl_store_ticket_state(s->store, e->ticket, &state) == 0) {
		/* already there (the same recording replayed again, a restart):
		 * continue it rather than open it twice */
		e->absorbed = r->absorbed;
		return 0;
	}
	t.id = e->ticket;
	t.rule = r->rule;
	t.key = r->key;
	t.level = lv ? lv->name.p : "unknown";
	t.title = r->title;
	t.loc = (struct fl_ticket_location){r->device, r->site, r->span, r->ring, r->county,
					    r->city,
					    r->loc_class >= 0 && r->loc_class < 3
						    ? classes[r->loc_class] : NULL};
	t.circuits = r->circuits;
	t.customers = r->customers;
	t.is_planned = r->is_planned;
	t.respond_ms = lv ? lv->respond_ms : -1;
	t.onsite_ms = lv && r->loc_class >= 0 && r->loc_class < FL_CLASS__COUNT
			      ? lv->onsite_ms[r->loc_class] : -1;
	t.repair_ms = lv ? lv->repair_ms : -1;
	t.opened_ns = r->first_ns ? r->first_ns : r->at_ns;
	t.raised_ns = r->at_ns; /* the respond clock runs from the raising */
	rc = fl_store_incident_open(s->store, &t);
	if (rc == 0 && r->is_planned)
		rc = window_pause(s, e, r, t.opened_ns);
	if (rc == 0) {
		s->wst.opened++;
		if (r->absorbed) {
			rc = fl_store_incident_absorb(s->store, e->ticket, (uint32_t)r->absorbed,
						      NULL, r->at_ns);
			e->absorbed = r->absorbed;
		}
	}
	return rc;
}

/* Was the step taken before, or does its condition no longer hold (skip
 * it), or is it taken now? */
static int step(struct fl_sink *s, struct sink_incident *e, uint32_t si, int64_t now_ns,
		bool *skip)
{
	uint32_t taken[64];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < e->n_steps; i++) {
		if (e->steps[i].step == si) {
			*skip = e->steps[i].skip;
			return 0;
		}
	}
	*skip = false;
	if (si < s->prog->n_steps) {
		/* acknowledgement and restoration are people's, in the store: a
		 * step whose condition no longer holds does not fire */
		enum fl_step_cond c = s->prog->steps[si].cond;
		enum fl_ticket_state state;

		rc = fl_store_ticket_state(s->store, e->ticket, &state);
		if (rc < 0)
			return rc;
		if ((c == FL_COND_UNACKED && state != FL_TICKET_OPEN) ||
		    (c == FL_COND_UNARRIVED && state >= FL_TICKET_ONSITE) ||
		    (c == FL_COND_UNRESTORED && state >= FL_TICKET_RESTORED) ||
		    (c == FL_COND_UNRESOLVED && state >= FL_TICKET_RESOLVED)) {
			s->wst.steps_not_due++;
			*skip = true;
			return 0; /* not remembered: the next time it comes, ask again */
		}
	}
	rc = fl_store_steps_taken(s->store, e->ticket, taken, 64, &n);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && i < 64; i++)
		if (taken[i] == si)
			*skip = true;
	if (!*skip) {
		rc = fl_store_step_taken(s->store, e->ticket, si, now_ns);
		if (rc < 0)
			return rc;
		s->wst.steps++;
	} else {
		s->wst.steps_skipped++;
	}
	if (e->n_steps < FL_SINK_STEPS_MAX)
		e->steps[e->n_steps++] = (struct sink_step){si, *skip};
	return 0;
}

static void key_part(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (; *in && o + 1 < size; in++) {
		char c = *in;
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == ':' || c == '@' || c == '-';

		out[o++] = ok ? c : '_';
	}
	out[o] = '\0';
}

static int do_notify(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r,
		     int64_t now_ns)
{
	const struct fl_prog_level *lv = r->level < s->prog->n_levels ? &s->prog->levels[r->level]
								       : NULL;
	char subject[512], body[1024], key[256], person[128], address[256], ch[32], ad[64];
	int rc = 0;

	/* a `step cleared` notify (reason "restored", correlate.h) says so first;
	 * a `step quiet` one says the alarms stopped, and claims no more */
	bool is_restored = r->reason && strcmp(r->reason, FL_NOTIFY_RESTORED) == 0;
	bool is_quiet = r->reason && strcmp(r->reason, FL_CLEAR_QUIET) == 0;

	if (!r->channel)
		return 0;
	snprintf(subject, sizeof(subject), "[%s%s] %s %s",
		 lv ? (lv->label.p ? lv->label.p : lv->name.p) : "alarm",
		 is_restored ? " 已恢复 restored" : is_quiet ? " 告警已停 alarms quiet" : "",
		 e->ticket, r->title);
	snprintf(body, sizeof(body),
		 "%s%s\nticket %s, %s\nspan %s, site %s, device %s\n%s %s\nalarms %llu, absorbed %llu\n",
		 is_restored ? "业务已恢复 (service restored): "
		 : is_quiet  ? "告警已停止，未确认恢复 (alarms stopped, restoration not confirmed): "
			     : "",
		 r->title, e->ticket,
		 lv ? lv->name.p : "", r->span ? r->span : "-",
		 r->site ? r->site : "-", r->device ? r->device : "-", r->city ? r->city : "",
		 r->county ? r->county : "", (unsigned long long)r->count,
		 (unsigned long long)r->absorbed);
	for (size_t i = 0; i < r->n_to && rc == 0; i++) {
		const char *lt = strrchr(r->to[i], '<');
		struct fl_notice n = {0};

		if (lt && strchr(lt, '>')) {
			size_t pl = (size_t)(lt - r->to[i]);
			size_t al = (size_t)(strchr(lt, '>') - lt - 1);

			while (pl && r->to[i][pl - 1] == ' ')
				pl--;
			snprintf(person, sizeof(person), "%.*s", (int)pl, r->to[i]);
			snprintf(address, sizeof(address), "%.*s", (int)al, lt + 1);
		} else {
			person[0] = '\0';
			snprintf(address, sizeof(address), "%s", r->to[i]);
		}
		key_part(ch, sizeof(ch), r->channel);
		key_part(ad, sizeof(ad), address);
		/* a place that joined (or a worsening) tells people again: its
		 * pages are keyed by the number of places, so each is queued once */
		if (r->reason && (strcmp(r->reason, FL_NOTIFY_JOINED) == 0 ||
				  strcmp(r->reason, FL_NOTIFY_WORSENED) == 0))
			snprintf(key, sizeof(key), "%s:s%u:p%zu:%s:%zu:%s", e->ticket, r->step,
				 r->n_places_now, ch, i, ad);
		else
			snprintf(key, sizeof(key), "%s:s%u:%s:%zu:%s", e->ticket, r->step, ch, i,
				 ad);
		key[128] = '\0'; /* fl_notice_key_valid(): at most 128 bytes */
		n.key = key;
		n.channel = r->channel;
		n.role = r->role;
		n.person = person[0] ? person : NULL;
		n.address = address;
		n.subject = subject;
		n.body = body;
		rc = fl_store_notify_enqueue(s->store, e->ticket, &n, now_ns);
		if (rc == -EEXIST)
			rc = 0; /* the same page, already queued */
		else if (rc == 0)
			s->wst.notices++;
	}
	return rc;
}

/* The store's clocks whose deadline came before this action are missed:
 * marked as the engine's time passes them, whether or not anyone acted.
 * Asked once each time the engine's time moves on, not per action: a storm
 * writes many actions per second. A clock whose deadline is earlier than a
 * time already looked at (an action out of time order) is marked when the
 * time next moves on. */
static int expire_clocks(struct fl_sink *s, int64_t now_ns)
{
	uint32_t n = 0;
	int rc;

	if (now_ns <= s->clocks_checked_ns)
		return 0;
	rc = fl_store_clocks_expire(s->store, now_ns, &n);
	if (rc == 0) {
		s->clocks_checked_ns = now_ns;
		s->wst.clocks_missed += n;
	}
	return rc;
}

/* The places the store does not have yet (returns how many it added, or the
 * error); and the rule or correlation the incident now belongs to (a power
 * alarm that became a site down). */
static int write_places(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	int rc = 0, added = 0;

	for (size_t i = e->n_places; rc >= 0 && i < r->n_places; i++) {
		struct fl_ticket_place p = {.kind = r->places[i].kind, .id = r->places[i].id,
					    .evidence = r->places[i].evidence,
					    .joined_ns = r->places[i].joined_ns};

		rc = fl_store_place_add(s->store, e->ticket, &p);
		added += rc == 0;
	}
	if (rc < 0)
		return rc;
	if (r->n_places > e->n_places)
		e->n_places = r->n_places;
	if (r->rule && e->rule[0] && strcmp(r->rule, e->rule) != 0) {
		rc = fl_store_incident_reassign(s->store, e->ticket, r->rule, r->key, r->at_ns);
		if (rc < 0)
			return rc;
	}
	if (r->rule)
		snprintf(e->rule, sizeof(e->rule), "%s", r->rule);
	return added;
}

/* A step of the ladder (recorded once), or a level raised by the engine
 * (a second cut, a site gone down). */
static int do_escalate(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	bool skip = false;
	int rc = write_places(s, e, r);

	if (rc < 0)
		return rc;
	if (r->step != FL_PROG_NONE) {
		rc = step(s, e, r->step, r->at_ns, &skip);
		if (rc == 0 && !skip)
			rc = fl_store_note(s->store, e->ticket, "escalated", "faultline", r->reason,
					   r->at_ns);
		return rc;
	}
	{
		const struct fl_prog_level *lv = r->level < s->prog->n_levels
							 ? &s->prog->levels[r->level] : NULL;

		return fl_store_incident_update(s->store, e->ticket, lv ? lv->name.p : NULL,
						r->title, -1, "level raised", r->at_ns);
	}
}

static int write_one(struct fl_sink *s, const struct fl_sink_rec *r)
{
	struct sink_incident *e;
	bool skip = false;
	int rc;

	s->wst.actions++;
	if (r->type == SINK_SUPPRESS || r->incident == 0)
		return 0;
	/* a resumed incident opens nothing: its actions name their ticket */
	e = find(s, r->incident, r->type == SINK_OPEN || r->ticket);
	if (!e) {
		s->wst.unknown_incident++;
		return 0;
	}
	if (r->ticket && !e->ticket[0]) {
		snprintf(e->ticket, sizeof(e->ticket), "%s", r->ticket);
		e->is_planned = r->is_planned;
	}
	rc = begin(s);
	if (rc == 0)
		rc = expire_clocks(s, r->at_ns);
	if (rc < 0)
		goto out;
	if (e->is_planned && !r->is_planned && r->type != SINK_OPEN) {
		rc = window_over(s, e, r);
		if (rc < 0)
			goto out;
	}
	switch ((enum fl_sink_kind)r->type) {
	case SINK_OPEN:
		rc = do_open(s, e, r);
		if (rc == 0 && (rc = write_places(s, e, r)) > 0)
			rc = 0;
		break;
	case SINK_CLEAR:
		rc = fl_store_incident_clear(s->store, e->ticket, r->reason, r->at_ns);
		if (rc == 0 && e->is_planned) /* over inside its window: nothing to meet */
			rc = fl_store_clocks_stop_paused(s->store, e->ticket,
							 "cleared inside its maintenance window",
							 r->at_ns);
		e->cleared = true;
		break;
	case SINK_UPDATE:
		rc = write_places(s, e, r);
		if (rc > 0) /* it grew: its title names the new place */
			rc = fl_store_incident_update(s->store, e->ticket, NULL, r->title, -1,
						      "place joined", r->at_ns);
		break;
	case SINK_ABSORB:
		break;
	case SINK_ESCALATE:
		rc = do_escalate(s, e, r);
		break;
	case SINK_NOTIFY:
		if (r->is_planned)
			break;
		if (r->step != FL_PROG_NONE)
			rc = step(s, e, r->step, r->at_ns, &skip);
		if (rc == 0 && !skip)
			rc = do_notify(s, e, r, r->at_ns);
		break;
	case SINK_SUPPRESS:
		break;
	}
	/* every action carries the incident's tally: the store gets the
	 * difference as one absorb, a storm stays one counter */
	if (rc == 0 && r->absorbed > e->absorbed && r->type != SINK_OPEN) {
		uint64_t n = r->absorbed - e->absorbed;

		rc = fl_store_incident_absorb(s->store, e->ticket,
					      n > UINT32_MAX ? UINT32_MAX : (uint32_t)n,
					      r->type == SINK_ABSORB ? r->title : NULL, r->at_ns);
		if (rc == 0) {
			s->wst.absorbed += n;
			e->absorbed = r->absorbed;
		}
	}
out:
	if (rc < 0) {
		s->wst.errors++;
		(void)fl_sink_sync(s); /* the batch is lost: end it now */
		return rc;
	}
	s->wst.written++;
	if (++s->pending >= FL_SINK_BATCH_MAX)
		return fl_sink_sync(s);
	return 0;
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

/* Counts an action that could not be copied into a record (out of memory). */
static void count_lost(struct fl_sink *s)
{
	pthread_mutex_lock(&s->mu);
	s->st.errors++;
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
	rc = write_one(s, r);
	publish(s);
	fl_sink_rec_free(r);
	return rc;
}

int fl_sink_push(struct fl_sink *s, const struct fl_action *a)
{
	struct fl_sink_rec *r = fl_sink_rec_from(a, s->prog);

	if (!r) {
		count_lost(s);
		return -ENOMEM;
	}
	return enqueue(s, r);
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
		if (ri.n_steps_taken > FL_SINK_RESUME_STEPS_MAX)
			ri.n_steps_taken = FL_SINK_RESUME_STEPS_MAX;
		if (fn(ctx, &ri) == 0)
			s->wst.resumed++;
		else
			s->wst.resume_refused++;
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
					.on_evict = forget_incident};
	struct fl_sink *s;
	int rc;

	if (!out || !prog || !store)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	kcfg.ctx = s;
	rc = fl_keytab_create(&s->inc, &kcfg);
	s->q_max = opts && opts->queue_max ? opts->queue_max : FL_SINK_QUEUE_DEFAULT;
	s->q = calloc(s->q_max, sizeof(*s->q));
	if (rc < 0 || !s->q) {
		fl_keytab_destroy(s->inc);
		free(s->q);
		free(s);
		return rc < 0 ? rc : -ENOMEM;
	}
	s->prog = prog;
	s->store = store;
	s->prefix = opts && opts->id_prefix ? opts->id_prefix : "INC";
	s->on_notices = opts ? opts->on_notices : NULL;
	s->on_notices_ctx = opts ? opts->on_notices_ctx : NULL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	*out = s;
	return 0;
}

static void *sink_main(void *arg)
{
	struct fl_sink *s = arg;

	for (;;) {
		struct fl_sink_rec *r = NULL;
		bool stop;

		pthread_mutex_lock(&s->mu);
		while (s->q_len == 0 && !s->stopping && !s->in_tx)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->q_len) {
			r = s->q[s->q_head];
			s->q_head = (s->q_head + 1) % s->q_max;
			s->q_len--;
		}
		stop = s->stopping && !r;
		pthread_mutex_unlock(&s->mu);
		/* store writes happen outside the lock: a push never waits on SQLite */
		if (r) {
			(void)write_one(s, r);
			fl_sink_rec_free(r);
		} else {
			(void)fl_sink_sync(s); /* idle: make the batch durable */
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
		"%llu refused, %llu clocks missed\n",
		prefix, (unsigned long long)st.incidents_forgotten_open,
		(unsigned long long)st.unknown_incident, (unsigned long long)st.incidents_refused,
		(unsigned long long)st.clocks_missed);
}

int fl_sink_open(struct fl_sink **out, const struct fl_program *prog, const char *path,
		 const struct fl_sink_opts *opts, char *err, size_t err_len)
{
	struct fl_store *st;
	int rc = fl_store_open(&st, path, err, err_len);

	if (rc < 0)
		return rc;
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
	free(s->q);
	fl_keytab_destroy(s->inc);
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
