/* sink_write.c - the store sink's writer: one record into the ticket store
 * inside the open transaction, with what the writer remembers of each
 * incident (its ticket, absorbed count, steps, places) and the undo of that
 * memory when a transaction is lost. sink_store.c drives it (sink_int.h);
 * this file never calls back into sink_store.c. */
#include "engine/pipeline/sink_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/correlate.h"
#include "engine/lib/keytab.h"
#include "engine/lib/limits.h"
#include "engine/store/store.h"
#include "grammar/program.h"

/* The incident the writer knows by id; create: a new one when unknown. Every
 * lookup makes it the most recently used, so the table, when full, forgets
 * the incident that has gone longest without an action: a cleared one, in
 * practice (the cap is twice the engine's open incidents). */
static struct sink_incident *find(struct fl_sink *s, uint64_t id, bool create, bool *is_new)
{
	struct sink_incident *e;
	void *v;

	*is_new = false;
	if (!create)
		return fl_keytab_get(s->inc, &id, sizeof(id));
	if (fl_keytab_upsert(s->inc, &id, sizeof(id), &v, is_new) < 0) {
		s->wst.incidents_refused++;
		return NULL;
	}
	e = v;
	if (*is_new)
		e->incident = id;
	return e;
}

/* The table forgets an incident to make room: counted when it was still
 * open, since its later actions will find no ticket. */
void sink_forget_incident(const void *key, size_t key_len, void *val, void *ctx)
{
	const struct sink_incident *e = val;
	struct fl_sink *s = ctx;

	(void)key;
	(void)key_len;
	if (!e->cleared)
		s->wst.incidents_forgotten_open++;
}

/* A transaction begins: what the writer counts and remembers from here on
 * can be put back (batch_start, the undo list). */
static int begin(struct fl_sink *s)
{
	int rc;

	if (s->in_tx)
		return 0;
	rc = fl_store_begin(s->store);
	if (rc == 0) {
		s->in_tx = true;
		s->batch_seq++;
		s->n_undo = 0;
		s->batch_start = s->wst;
	}
	return rc;
}

/* Saves e, once per transaction, before the writer changes it. */
static void undo_save(struct fl_sink *s, struct sink_incident *e, bool is_new)
{
	struct sink_undo *u;

	if (e->undo_seq == s->batch_seq || FL_NEVER(s->n_undo == FL_SINK_BATCH_MAX))
		return;
	u = &s->undo[s->n_undo++];
	u->incident = e->incident;
	u->existed = !is_new;
	u->before = *e;
	e->undo_seq = s->batch_seq;
}

/* The transaction is lost: the incidents it changed are as they were
 * before it, and so are the counts of what it wrote. What tells of the
 * failure itself (errors, retries, given up, commits) stays. */
void sink_undo_all(struct fl_sink *s)
{
	struct fl_sink_stats now = s->wst;

	for (size_t i = s->n_undo; i-- > 0;) {
		const struct sink_undo *u = &s->undo[i];
		bool is_new;
		void *v;

		if (!u->existed)
			(void)fl_keytab_delete(s->inc, &u->incident, sizeof(u->incident));
		else if (fl_keytab_upsert(s->inc, &u->incident, sizeof(u->incident), &v,
					  &is_new) == 0)
			memcpy(v, &u->before, sizeof(u->before));
	}
	s->n_undo = 0;
	s->wst = s->batch_start;
	s->wst.commits = now.commits;
	s->wst.errors = now.errors;
	s->wst.retries = now.retries;
	s->wst.given_up = now.given_up;
	s->wst.held_high = now.held_high;
	s->wst.resumed = now.resumed;
	s->wst.resume_refused = now.resume_refused;
	s->wst.resume_over_cap = now.resume_over_cap;
	s->clocks_checked_ns = 0; /* the marks went with the batch */
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

/* The on-site clock of level lv at the incident's location class, in ms;
 * -1 when the level has none or the class is not known. */
static int64_t onsite_budget(const struct fl_prog_level *lv, const struct fl_sink_rec *r)
{
	return lv && r->loc_class >= 0 && r->loc_class < FL_CLASS__COUNT ? lv->onsite_ms[r->loc_class]
									 : -1;
}

static int do_open(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	const struct fl_prog_level *lv = r->level < s->prog->n_levels ? &s->prog->levels[r->level]
								       : NULL;
	static const char *const classes[] = {"city", "county", "township"};
	struct fl_ticket_new t = {0};
	uint32_t taken = 0;
	int rc;

	e->ticket[0] = '\0';
	e->absorbed = 0;
	/* A ticket still open in the store for the same fault: a restarted
	 * engine hands such tickets back (fl_sink_resume), so this finds the
	 * ones it could not resume and those of a replay into a store that has
	 * them. Any other open is a new ticket, numbered by the store: never
	 * one another engine holds. */
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
	t.opened_ns = r->first_ns ? r->first_ns : r->at_ns;
	if (r->rule && r->key) {
		/* the same fault from the same first alarm, its ticket cleared
		 * since: the same recording replayed into the store again
		 * continues it rather than open it twice, and so does a journal
		 * fed again, whose times are the arrivals the last engine took
		 * a little later */
		int64_t lag = r->is_fed_again ? FL_SINK_FED_AGAIN_LAG_MS * INT64_C(1000000) : 0;

		rc = fl_store_ticket_for_fault_at(s->store, r->rule, r->key, t.opened_ns,
						  t.opened_ns + lag, e->ticket, sizeof(e->ticket));
		if (rc < 0)
			return rc;
		if (rc == 1) {
			e->absorbed = r->absorbed;
			return 0;
		}
	}
	/* a fault a person phoned in first: its ticket takes the alarm */
	if ((rc = sink_join_hand(s, e, r)) != 0)
		return rc < 0 ? rc : 0;
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
	t.onsite_ms = onsite_budget(lv, r);
	t.repair_ms = lv ? lv->repair_ms : -1;
	t.raised_ns = r->at_ns; /* the respond clock runs from the raising */
	rc = fl_store_incident_open_numbered(s->store, &t, s->prefix, e->ticket,
					     sizeof(e->ticket), &taken);
	s->wst.ids_taken += taken;
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

/* The plan's template for this notice, filled in for one person: the
 * subject too when the template has one (else the built-in subject). */
static void write_message(const struct fl_sink *s, const struct fl_prog_message *tpl,
			  const struct sink_incident *e, const struct fl_sink_rec *r,
			  const struct fl_prog_level *lv, const char *address, char *subject,
			  size_t subject_cap, char *body, size_t body_cap)
{
	const struct sink_message_ctx x = {
	    .rec = r, .ticket = e->ticket, .address = address, .inv = s->prog->inventory,
	    .tz = s->tz, .level = lv ? (lv->label.p ? lv->label.p : lv->name.p) : NULL};

	if (tpl->subject.p)
		(void)sink_message_render(&x, tpl->subject.p, subject, subject_cap);
	(void)sink_message_render(&x, tpl->body.p, body, body_cap);
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

	const struct fl_prog_message *tpl;

	if (!r->channel)
		return 0;
	tpl = sink_message_pick(s->prog, r->step, r->role, r->channel,
				is_restored ? FL_MSG_RESTORED : is_quiet ? FL_MSG_QUIET : FL_MSG_PAGE);
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
		if (tpl)
			write_message(s, tpl, e, r, lv, address, subject, sizeof(subject), body,
				      sizeof(body));
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

/* The ticket's clocks follow the level the incident has now (a raise or an
 * update action), as the engine's ladder does (fl_corr_relevel): a level it
 * had already changes nothing. */
static int follow_level(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r,
			const struct fl_prog_level *lv)
{
	int rc;

	if (!lv)
		return 0;
	rc = fl_store_incident_clocks_follow(s->store, e->ticket, lv->respond_ms,
					     onsite_budget(lv, r), lv->repair_ms, r->at_ns);
	/* another ladder started: noted, so a restarted engine times it so */
	if (rc == 0 && r->ladder_from_ns > e->ladder_from_ns) {
		rc = fl_store_note(s->store, e->ticket, FL_STORE_LADDER_STARTED, "faultline",
				   r->title, r->ladder_from_ns);
		if (rc == 0)
			e->ladder_from_ns = r->ladder_from_ns;
	}
	return rc;
}

/* The level and title an `update` action or a pair window's timeout gave
 * the incident (a new ladder's steps come as actions of their own); a
 * timeout is noted so that an engine restarted later does not time the
 * fault out again, nor pair its late clear. */
static int write_update(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	const struct fl_prog_level *lv = r->level < s->prog->n_levels ? &s->prog->levels[r->level]
								      : NULL;
	bool is_timeout = r->reason && strcmp(r->reason, FL_UPDATE_TIMEOUT) == 0;
	int rc;

	if (!is_timeout && !(r->reason && strcmp(r->reason, FL_UPDATE_ACTION) == 0))
		return 0; /* a tally, a recurrence, a window's end: the ticket is as it was */
	rc = fl_store_incident_update(s->store, e->ticket, lv ? lv->name.p : NULL, r->title, -1,
				      is_timeout ? "not cleared within its pair window"
						 : "update action",
				      r->at_ns);
	if (rc == 0)
		rc = follow_level(s, e, r, lv);
	if (rc == 0 && is_timeout)
		rc = fl_store_note(s->store, e->ticket, FL_STORE_PAIR_TIMED_OUT, "faultline",
				   r->title, r->at_ns);
	return rc;
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

		rc = fl_store_incident_update(s->store, e->ticket, lv ? lv->name.p : NULL, r->title,
					      -1, "level raised", r->at_ns);
		return rc == 0 ? follow_level(s, e, r, lv) : rc;
	}
}

/* Writes r inside the open transaction (begun here if none is). Returns 0
 * or the store's error; the caller ends the lost transaction (batch_lost). */
int sink_write_one(struct fl_sink *s, const struct fl_sink_rec *r)
{
	struct sink_incident *e;
	bool skip = false, is_new;
	int rc;

	rc = begin(s);
	if (rc < 0)
		return rc;
	s->wst.actions++;
	if (r->type == SINK_SUPPRESS || r->incident == 0)
		return 0;
	/* a resumed incident opens nothing: its actions name their ticket */
	e = find(s, r->incident, r->type == SINK_OPEN || r->ticket, &is_new);
	if (!e) {
		s->wst.unknown_incident++;
		return 0;
	}
	undo_save(s, e, is_new);
	if (r->ticket && !e->ticket[0]) {
		snprintf(e->ticket, sizeof(e->ticket), "%s", r->ticket);
		e->is_planned = r->is_planned;
	}
	rc = expire_clocks(s, r->at_ns);
	if (rc < 0)
		return rc;
	if (e->is_planned && !r->is_planned && r->type != SINK_OPEN) {
		rc = window_over(s, e, r);
		if (rc < 0)
			return rc;
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
		else if (rc == 0)
			rc = write_update(s, e, r);
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
	if (rc == 0)
		s->wst.written++;
	return rc;
}
