/* correlate_keys.c - the keyed state of each rule (dedup, threshold, flap,
 * absence, `clear after quiet`, raise grace) and what one rule does with one
 * event or timer of a key: tally, absorb, raise, clear. A key's incident
 * clears only as the plan says: its clearing event, its absence ending, or
 * its quiet time (and only when the rule has `clear after quiet`); dedup
 * folds repeats and clears nothing. See correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <stdio.h>
#include <string.h>

/* ---- key state ---------------------------------------------------------------- */

void fl_corr_key_rearm(struct fl_engine *e, struct key_state *ks)
{
	int64_t due = ks->absent_due;

	if (ks->quiet_due < due)
		due = ks->quiet_due;
	if (ks->inc && ks->inc->is_pending && ks->inc->pending_due < due)
		due = ks->inc->pending_due;
	if (ks->pair_due && ks->pair_due < due)
		due = ks->pair_due;
	if (due == FL_CORR_NEVER)
		fl_corr_disarm(e, &ks->tb);
	else
		fl_corr_arm(e, &ks->tb, due);
}

static void on_evict(const void *key, size_t key_len, void *val, void *ctx)
{
	struct fl_engine *e = ctx;
	struct key_state *ks = val;

	(void)key;
	(void)key_len;
	if (e->total_keys)
		e->total_keys--;
	fl_corr_disarm(e, &ks->tb);
	if (ks->inc) {
		if (ks->inc->is_pending)
			fl_corr_incident_free(e, ks->inc);
		else
			ks->inc->slot = NULL;
	}
	e->stats.evicted++;
}

/* Times a key of the rule keeps for its threshold or flap window. */
static size_t window_slots(const struct fl_prog_rule *r)
{
	uint32_t n = r->flap_n > 0 ? r->flap_n : r->threshold_n;

	return n > FL_CORR_WINDOW_N_MAX ? FL_CORR_WINDOW_N_MAX : n;
}

/* Bytes a key of the rule keeps for its `on timeout` texts: the key itself,
 * then each action's text; 0 without such actions. */
static size_t pair_texts_size(const struct fl_program *p, const struct fl_prog_rule *r)
{
	size_t n = 0;

	for (uint32_t a = r->first_timeout_action; a < r->first_timeout_action + r->n_timeout_actions;
	     a++)
		n += fl_corr_timeout_text_size(&p->actions[a]);
	return n ? FL_CORR_KEY_MAX + n : 0;
}

static char *pair_texts(const struct fl_engine *e, struct key_state *ks)
{
	return (char *)(ks->times + window_slots(&e->prog->rules[ks->rule]));
}

static struct fl_keytab *rule_table_create(struct fl_engine *e, uint32_t rule)
{
	struct fl_keytab_config cfg = {
	    .val_size = sizeof(struct key_state) +
			window_slots(&e->prog->rules[rule]) * sizeof(int64_t) +
			pair_texts_size(e->prog, &e->prog->rules[rule]),
	    .key_max = FL_CORR_KEY_MAX,
	    .max_keys = e->cfg.max_keys_per_rule,
	    .seed = 0x9e3779b97f4a7c15ull + rule,
	    .on_evict = on_evict,
	    .ctx = e,
	};

	/* the table also keeps a copy of each key, and indexes it */
	size_t fit = e->cfg.max_key_bytes_per_rule / (cfg.val_size + FL_CORR_KEY_MAX / 2 + 16);

	if (fit < cfg.max_keys)
		cfg.max_keys = fit ? fit : 1;
	if (fl_keytab_create(&e->keys[rule], &cfg) < 0)
		return NULL;
	return e->keys[rule];
}

/* Every matched event asks for its rule's table: the configuration, whose
 * sizes walk the rule's timeout actions, is built only for the first. */
struct fl_keytab *fl_corr_rule_table(struct fl_engine *e, uint32_t rule)
{
	return e->keys[rule] ? e->keys[rule] : rule_table_create(e, rule);
}

/* A key that holds nothing any more goes, so that the live keys are the
 * open work and not every key ever seen: no incident, no timer, no window
 * times, and nothing a later event of the key would read (a flap rule's last
 * state, an absence, an absorption already announced). */
static void key_forget_if_idle(struct fl_engine *e, struct key_state *ks)
{
	const struct fl_prog_rule *r = &e->prog->rules[ks->rule];

	if (ks->inc || ks->n_times || ks->absent_due != FL_CORR_NEVER ||
	    ks->quiet_due != FL_CORR_NEVER || ks->absent_fired || ks->absorbed_into ||
	    ks->pair_due || ks->pair_timed_out ||
	    r->flap_n > 0 || r->absent_ms > 0 || fl_timer_is_armed(&ks->tb.t))
		return;
	fl_keytab_delete_slot(e->keys[ks->rule], ks);
	if (e->total_keys)
		e->total_keys--;
}

struct oldest {
	char key[FL_CORR_KEY_MAX];
	size_t len;
	void *val;
};

static bool first_entry(const void *key, size_t key_len, void *val, void *ctx)
{
	struct oldest *o = ctx;

	if (key_len <= sizeof(o->key)) {
		memcpy(o->key, key, key_len);
		o->len = key_len;
		o->val = val;
	}
	return false; /* the least recently used is enough */
}

/* The total cap is reached and rule wants a new key: its own least recently
 * used key goes (evicted and counted as the per-rule cap does). Returns
 * false when the rule holds no key to give: the new key is refused. */
bool fl_corr_make_room(struct fl_engine *e, struct fl_keytab *kt)
{
	struct oldest o = {.len = 0};

	fl_keytab_foreach(kt, first_entry, &o);
	if (!o.len) {
		e->stats.keys_refused++;
		return false;
	}
	on_evict(o.key, o.len, o.val, e);
	(void)fl_keytab_delete(kt, o.key, o.len);
	return true;
}

/* Builds the key of the current event for rule into e->keybuf: the key
 * fields joined by US (0x1f). Returns its length, 0 when too long. */
/* A key's (or a correlation group's) value of field f: the event's, but
 * - the field a rule looks its device up by (`host`, `peer`) is the device
 *   found (its id): a device writes its name as written, in lower case, as
 *   an FQDN or as its address (fl_inventory_device_named), and its fault
 *   and its clear must be one key however each line wrote it;
 * - `device` of a sender the inventory does not know is that field as
 *   written, so unknown senders are not all one key. */
static struct fl_str key_value(struct fl_engine *e, uint32_t rule, struct fl_prog_field f)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	bool is_lookup_field = r->lookup != FL_LOOKUP_NONE && r->lookup_field.kind == f.kind &&
			       r->lookup_field.index == f.index;
	bool is_device = r->lookup != FL_LOOKUP_NONE && f.kind == FL_FIELD_INVENTORY &&
			 f.index == FL_IF_DEVICE;

	if (is_lookup_field || is_device) {
		const struct fl_inv_device *d = fl_match_device(e->m, rule);

		if (d)
			return fl_str_make(d->id, strlen(d->id));
		if (is_device)
			return fl_match_field(e->m, rule, r->lookup_field);
	}
	return fl_match_field(e->m, rule, f);
}

size_t fl_corr_build_key(struct fl_engine *e, uint32_t rule)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	size_t len = 1;

	e->keybuf[0] = 'k'; /* never empty: a rule without key has one key */
	for (uint32_t k = r->first_key; k < r->first_key + r->n_keys; k++) {
		struct fl_str v = key_value(e, rule, e->prog->key_fields[k]);

		if (len + v.len + 2 > sizeof(e->keybuf)) {
			e->stats.key_too_long++;
			return 0;
		}
		if (k > r->first_key)
			e->keybuf[len++] = 0x1f;
		if (v.len)
			memcpy(e->keybuf + len, v.p, v.len);
		len += v.len;
	}
	e->keybuf[len] = '\0';
	return len;
}

void fl_corr_key_text(char *out, size_t size, const char *key)
{
	size_t i;

	for (i = 0; key[i + 1] && i + 1 < size; i++)
		out[i] = key[i + 1] == 0x1f ? '|' : key[i + 1];
	out[i] = '\0';
}

size_t fl_corr_group_key(struct fl_engine *e, uint32_t corr, uint32_t rule, char *out, size_t size)
{
	const struct fl_prog_correlation *c = &e->prog->correlations[corr];
	size_t len = 0;

	for (uint32_t k = c->first_group; k < c->first_group + c->n_group; k++) {
		struct fl_str v = key_value(e, rule, e->prog->key_fields[k]);

		if (len + v.len + 2 > size)
			return 0;
		if (k > c->first_group)
			out[len++] = '|';
		if (v.len)
			memcpy(out + len, v.p, v.len);
		len += v.len;
	}
	out[len] = '\0';
	return len;
}

/* threshold/flap, a sliding window: records at_ns in the key's ring of the
 * last n times and tells whether the n most recent events (this one
 * included) fall within ms, ends included: the oldest of them is at most ms
 * before at_ns. Exact for any n up to FL_CORR_WINDOW_N_MAX; events are fed
 * in time order (a late one is taken at its own, earlier, time). */
static bool window_holds(struct key_state *ks, uint32_t n, int64_t ms, int64_t at_ns)
{
	int64_t w = ms * FL_NS_PER_MS;

	if (n <= 1)
		return true;
	if (n > FL_CORR_WINDOW_N_MAX)
		n = FL_CORR_WINDOW_N_MAX; /* the compiler refuses more */
	ks->times[ks->n_times % n] = at_ns;
	if (ks->n_times < UINT32_MAX - n)
		ks->n_times++;
	else
		ks->n_times = n + (ks->n_times + 1) % n; /* keep the ring's phase */
	if (ks->n_times < n)
		return false;
	/* the slot after the newest holds the oldest of the last n */
	return at_ns - ks->times[ks->n_times % n] <= w;
}

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
	return h | 1;
}

/* ---- rule events ------------------------------------------------------------- */

/* A key of an `absent` rule that raises went quiet: its incident, with
 * what the device's inventory row can tell for the title. */
static void absence_incident(struct fl_engine *e, struct key_state *ks, int64_t now_ns)
{
	const struct rule_info *ri = &e->ri[ks->rule];
	const struct fl_prog_action *ra = &e->prog->actions[ri->raise_action];
	struct incident *inc = fl_corr_incident_new(e, ks->rule, false, ks->last_ns);

	if (!inc)
		return;
	inc->slot = ks;
	ks->inc = inc;
	inc->pub.level = ra->level;
	inc->pub.ladder = ra->ladder;
	inc->pub.device = ks->dev;
	inc->pub.site = ks->dev ? ks->dev->site : NULL;
	inc->ring = ks->dev ? ks->dev->ring : NULL;
	inc->pub.count = 1;
	inc->pub.evidence = "silent since its last event";
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", ks->dev ? ks->dev->id : "");
	e->have_event = false;
	fl_corr_render(e, inc, ra->title, inc->pub.title, sizeof(inc->pub.title));
	fl_corr_incident_open(e, inc, now_ns, ks->rule);
}

static void device_silent(struct fl_engine *e, struct key_state *ks, int64_t now_ns)
{
	ks->absent_fired = true;
	if (e->ri[ks->rule].has_raise && !ks->inc)
		absence_incident(e, ks, now_ns);
	if (!ks->dev)
		return;
	{
		struct site_state *ss = fl_corr_site_state(e, ks->dev->site);

		if (ss) {
			ss->n_silent++;
			ss->silent_from_ns = ks->last_ns;
			ss->silent_for_ms = e->prog->rules[ks->rule].absent_ms;
		}
	}
	for (size_t c = 0; c < e->ri[ks->rule].n_corrs; c++)
		if (e->prog->correlations[e->ri[ks->rule].corrs[c]].locate == FL_LOCATE_SITE) {
			fl_corr_site_check(e, ks->dev->site, now_ns, true);
			break;
		}
}

static void device_heard(struct fl_engine *e, struct key_state *ks, int64_t at_ns)
{
	struct site_state *ss;

	ks->absent_fired = false;
	if (ks->inc && !ks->inc->is_pending) /* the absence is over */
		fl_corr_incident_clear(e, ks->inc, at_ns, ks->rule, 0);
	if (!ks->dev ||
	    !(ss = fl_keytab_peek(e->sites, ks->dev->site->id, strlen(ks->dev->site->id))))
		return;
	if (ss->n_silent)
		ss->n_silent--;
	if (ss->inc) {
		ss->inc->site_heard = true;
		fl_corr_site_maybe_clear(e, ks->dev->site, at_ns);
	}
}

/* ---- pair windows ---------------------------------------------------------- */

/* A fault of a key with no pair window open opens one, anchored at this
 * fault: repeats do not move it, so `within T` bounds the time from the
 * fault's start to its clear, as SEC's PairWithWindow does. Its `on timeout`
 * texts are rendered now, while the fault's fields are at hand. */
static void pair_open(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	char *text;

	ks->pair_from_ns = t;
	/* the first instant past the window: a clear at exactly T still pairs
	 * (the wheel rounds up to its millisecond; fl_corr_on_clear checks
	 * the exact time) */
	ks->pair_due = t + r->pair_ms * FL_NS_PER_MS + 1;
	if (!r->n_timeout_actions)
		return;
	text = pair_texts(e, ks);
	snprintf(text, FL_CORR_KEY_MAX, "%s", e->keybuf);
	text += FL_CORR_KEY_MAX;
	for (uint32_t a = r->first_timeout_action; a < r->first_timeout_action + r->n_timeout_actions;
	     a++) {
		const struct fl_prog_action *act = &e->prog->actions[a];
		size_t size = fl_corr_timeout_text_size(act);

		fl_corr_render(e, ks->inc, act->kind == FL_ACT_RAISE ? act->title : act->value, text,
			       size);
		text += size;
	}
}

/* `on timeout raise` with no incident of the key open: the fault's own
 * incident, from its first event, unless a correlation's incident explains
 * it (then absorbed, as a raise would be). */
static void timeout_incident(struct fl_engine *e, struct key_state *ks,
			     const struct fl_prog_action *act, const char *key, const char *title,
			     int64_t now_ns)
{
	struct incident *into = fl_corr_find_absorber(e, ks->rule, ks->dev, NULL, FL_PROG_NONE,
						      now_ns);
	struct incident *inc;

	if (into) {
		fl_corr_key_text(e->keybuf, sizeof(e->keybuf), key);
		fl_corr_absorb(e, into, ks->rule, ks, 1, now_ns);
		return;
	}
	if (!(inc = fl_corr_incident_new(e, ks->rule, false, ks->pair_from_ns)))
		return;
	inc->slot = ks;
	ks->inc = inc;
	inc->pub.level = act->level;
	inc->pub.ladder = act->ladder;
	inc->pub.device = ks->dev;
	inc->pub.site = ks->dev ? ks->dev->site : NULL;
	inc->ring = ks->dev ? ks->dev->ring : NULL;
	inc->pub.count = 1;
	inc->pub.last_ns = ks->last_ns;
	inc->pub.evidence = "not cleared within its pair window";
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", key);
	snprintf(inc->pub.title, sizeof(inc->pub.title), "%s",
		 title[0] ? title : e->prog->rules[ks->rule].name.p);
	fl_corr_incident_open(e, inc, now_ns, ks->rule);
}

/* The window ran out with no clear: the fault stands unpaired until its
 * late clear, and the rule's `on timeout` actions run. */
static void pair_timeout(struct fl_engine *e, struct key_state *ks, int64_t now_ns)
{
	const struct fl_prog_rule *r = &e->prog->rules[ks->rule];
	const char *key = pair_texts(e, ks), *text = key + FL_CORR_KEY_MAX;

	ks->pair_due = 0;
	ks->pair_timed_out = true;
	e->stats.pair_timeouts++;
	e->have_event = false;
	for (uint32_t a = r->first_timeout_action; a < r->first_timeout_action + r->n_timeout_actions;
	     a++) {
		const struct fl_prog_action *act = &e->prog->actions[a];

		if (act->kind == FL_ACT_EMIT)
			fl_corr_emit_text(e, fl_corr_cs(ks->dev ? ks->dev->id : NULL), text, now_ns);
		else if (ks->inc && !ks->inc->pub.is_correlation)
			fl_corr_raise_to(e, ks->inc, act, text, FL_UPDATE_TIMEOUT, now_ns, ks->rule);
		else if (!ks->inc)
			timeout_incident(e, ks, act, key, text, now_ns);
		text += fl_corr_timeout_text_size(act);
	}
}

void fl_corr_pair_resume(struct fl_engine *e, struct key_state *ks, bool timed_out)
{
	const struct fl_incident *p = &ks->inc->pub;

	if (timed_out) {
		ks->pair_timed_out = true;
		return;
	}
	/* the fault's fields are gone with the old engine: its key still
	 * holds the values the key names (host, port, ...) */
	snprintf(e->keybuf, sizeof(e->keybuf), "%s", p->key);
	e->have_event = false;
	e->render_key = p->key;
	e->render_key_rule = ks->rule;
	pair_open(e, ks->rule, ks, p->first_ns);
	e->render_key = NULL;
}

/* Whether a clear at t is the clear of the key's fault: a pair window is
 * open and t is at most its T after the fault that opened it. A clear past
 * T whose timer has not fired yet (it rounds to the millisecond) times the
 * window out first. */
static bool pair_takes_clear(struct fl_engine *e, struct key_state *ks, int64_t t)
{
	if (!ks || !ks->pair_due)
		return false;
	if (t - ks->pair_from_ns <= e->prog->rules[ks->rule].pair_ms * FL_NS_PER_MS) {
		ks->pair_due = 0;
		return true;
	}
	pair_timeout(e, ks, t);
	return false;
}

/* Opens (or absorbs) a rule incident whose grace has run out. */
void fl_corr_pending_done(struct fl_engine *e, struct key_state *ks, int64_t now_ns)
{
	struct incident *inc = ks->inc;
	struct incident *into = fl_corr_find_absorber(e, ks->rule, inc->pub.device,
						      inc->gcorr != FL_PROG_NONE ? inc->rare->gkey : NULL,
						      inc->gcorr, now_ns);

	if (into) {
		ks->inc = NULL;
		fl_corr_key_text(e->keybuf, sizeof(e->keybuf), inc->pub.key);
		fl_corr_absorb(e, into, ks->rule, ks, inc->pub.count, now_ns);
		fl_corr_incident_free(e, inc);
		return;
	}
	fl_corr_incident_open(e, inc, now_ns, ks->rule);
}

void fl_corr_key_timer(struct fl_engine *e, struct key_state *ks, int64_t now_ns)
{
	const struct fl_prog_rule *r = &e->prog->rules[ks->rule];

	if (ks->inc && ks->inc->is_pending && ks->inc->pending_due <= now_ns)
		fl_corr_pending_done(e, ks, now_ns);
	if (ks->absent_due <= now_ns) {
		ks->absent_due = FL_CORR_NEVER;
		device_silent(e, ks, now_ns);
	}
	if (ks->pair_due && ks->pair_due <= now_ns)
		pair_timeout(e, ks, now_ns);
	if (ks->quiet_due <= now_ns) {
		/* the key went idle: its window's times go (and the key, once it
		 * holds nothing). Its incident clears only with `clear after
		 * quiet`: the alarms stopped, which is not word that the service
		 * is back (fl_corr_incident_clear_quiet) */
		ks->quiet_due = FL_CORR_NEVER;
		ks->n_times = 0;
		if (ks->inc && !ks->inc->is_pending && r->clear_quiet_ms > 0)
			fl_corr_incident_clear_quiet(e, ks->inc, now_ns, ks->rule);
	}
	fl_corr_key_rearm(e, ks);
	key_forget_if_idle(e, ks);
}

static void new_rule_incident(struct fl_engine *e, uint32_t rule, struct key_state *ks,
			      int64_t at_ns)
{
	const struct rule_info *ri = &e->ri[rule];
	const struct fl_prog_action *ra = &e->prog->actions[ri->raise_action];
	struct incident *inc = fl_corr_incident_new(e, rule, false, at_ns);

	if (!inc)
		return;
	inc->slot = ks;
	ks->inc = inc;
	inc->pub.level = ra->level;
	inc->pub.ladder = ra->ladder;
	inc->pub.device = ks->dev;
	inc->pub.site = ks->dev ? ks->dev->site : NULL;
	inc->ring = ks->dev ? ks->dev->ring : NULL;
	/* the events that made it: all of the window when one had to fill */
	inc->pub.count = e->prog->rules[rule].flap_n > 1	    ? e->prog->rules[rule].flap_n
			 : e->prog->rules[rule].threshold_n > 1 ? e->prog->rules[rule].threshold_n
								 : 1;
	memcpy(inc->pub.key, e->keybuf, sizeof(inc->pub.key));
	e->have_event = true;
	e->ev_rule = rule;
	fl_corr_render(e, inc, ra->title, inc->pub.title, sizeof(inc->pub.title));
	fl_corr_apply_sets(e, inc, e->prog->rules[rule].first_action,
			   e->prog->rules[rule].n_actions);
	/* out of memory for the key: it opens on its own, as if in no group */
	if (ri->group_corr != FL_PROG_NONE && fl_corr_rare(inc)) {
		inc->gcorr = ri->group_corr;
		fl_corr_group_key(e, ri->group_corr, rule, inc->rare->gkey,
				  sizeof(inc->rare->gkey));
	}
	if (ri->grace_ms > 0) {
		inc->is_pending = true;
		inc->pending_due = at_ns + ri->grace_ms * FL_NS_PER_MS;
		return;
	}
	fl_corr_incident_open(e, inc, at_ns, rule);
}

/* ---- faults and clears --------------------------------------------------- */

/* A fault of a key whose incident is open came back dedup or more after the
 * key's previous fault, with no clear between: not a repeat but the fault
 * again, which the ticket's history shows (a pending one just tallies). */
static void incident_recurred(struct fl_engine *e, struct incident *inc, uint32_t rule, int64_t t)
{
	struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_UPDATE, .at_ns = t,
			      .incident = &inc->pub, .reason = FL_UPDATE_RECURRED};

	if (inc->is_pending || inc->pub.is_correlation || inc->pub.state != FL_INCIDENT_OPEN)
		return;
	e->stats.recurred++;
	fl_corr_history(inc, t, FL_ACTION_UPDATE, rule);
	fl_corr_emit(e, &a);
}

static void fault_state(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t,
			bool *raised)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	const struct rule_info *ri = &e->ri[rule];
	struct incident *into;
	bool holds = true;
	char gk[FL_CORR_KEY_MAX];

	/* dedup: a fault dedup or more after the key's previous one recurs */
	bool recurs = r->dedup_ms > 0 && ks->count > 0 && t - ks->last_ns >= r->dedup_ms * FL_NS_PER_MS;

	if (ks->count == 0)
		ks->first_ns = t;
	ks->count++;
	ks->last_ns = t;
	if (r->pair_ms > 0 && !ks->pair_due && !ks->pair_timed_out)
		pair_open(e, rule, ks, t);
	ks->dev = fl_match_device(e->m, rule);
	if (r->absent_ms > 0) {
		if (ks->absent_fired)
			device_heard(e, ks, t);
		ks->absent_due = t + r->absent_ms * FL_NS_PER_MS;
	}
	if (r->flap_n > 0) {
		struct fl_str msg = fl_match_field(e->m, rule, (struct fl_prog_field){FL_FIELD_EVENT, FL_EF_MSG});
		uint64_t h = fnv(msg.p ? msg.p : "", msg.len);

		/* a change of state is a message that differs from the last one */
		if (h == ks->state_hash) {
			fl_corr_key_rearm(e, ks);
			return;
		}
		ks->state_hash = h;
		holds = window_holds(ks, r->flap_n, r->flap_ms, t);
	} else if (r->threshold_n > 0) {
		holds = window_holds(ks, r->threshold_n, r->threshold_ms, t);
	}
	if (ri->is_span_input)
		fl_corr_span_evidence(e, rule, ks->dev, false, t);
	if (ri->group_corr != FL_PROG_NONE)
		fl_corr_group_input(e, ri->group_corr, rule, ks->dev, t);
	for (size_t c = 0; c < ri->n_corrs; c++)
		if (e->prog->correlations[ri->corrs[c]].locate == FL_LOCATE_GROUP &&
		    ri->corrs[c] != ri->group_corr)
			fl_corr_group_input(e, ri->corrs[c], rule, ks->dev, t);
	if (ri->quiet_ms > 0) /* quiet (idle) from this event on */
		ks->quiet_due = t + ri->quiet_ms * FL_NS_PER_MS;
	if (ks->inc) { /* the open (or pending) alarm of this key: a tally */
		ks->inc->pub.count++;
		ks->inc->pub.last_ns = t;
		if (!ks->inc->pub.is_correlation)
			fl_corr_apply_sets(e, ks->inc, r->first_action, r->n_actions);
		if (recurs)
			incident_recurred(e, ks->inc, rule, t);
		if (ri->has_raise)
			*raised = true;
		fl_corr_key_rearm(e, ks);
		return;
	}
	gk[0] = '\0';
	if (ri->group_corr != FL_PROG_NONE)
		fl_corr_group_key(e, ri->group_corr, rule, gk, sizeof(gk));
	into = ri->n_absorbers || ri->group_corr != FL_PROG_NONE
		   ? fl_corr_find_absorber(e, rule, ks->dev, gk[0] ? gk : NULL, ri->group_corr, t)
		   : NULL;
	if (into) {
		char shown[FL_CORR_KEY_MAX];

		fl_corr_key_text(shown, sizeof(shown), e->keybuf);
		memcpy(e->keybuf, shown, sizeof(shown));
		fl_corr_absorb(e, into, rule, ks, 1, t);
		fl_corr_key_rearm(e, ks);
		return;
	}
	if (ri->has_raise && !*raised && holds && r->absent_ms == 0) {
		*raised = true;
		new_rule_incident(e, rule, ks, t);
	}
	fl_corr_key_rearm(e, ks);
}

void fl_corr_on_fault(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t,
		      bool *raised)
{
	uint64_t prior_id = ks->inc ? ks->inc->pub.id : 0;

	fault_state(e, rule, ks, t, raised);
	if (e->ri[rule].has_more)
		fl_corr_rule_actions(e, rule, ks, t, prior_id);
}

void fl_corr_on_clear(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t)
{
	const struct rule_info *ri = &e->ri[rule];

	if (ri->is_span_input)
		fl_corr_span_evidence(e, rule, fl_match_device(e->m, rule), true, t);
	if (e->prog->rules[rule].pair_ms > 0 && !pair_takes_clear(e, ks, t)) {
		/* late, or with no fault before it: an event of its own, which
		 * ends the timed-out fault's wait and clears nothing */
		e->stats.clears_unpaired++;
		if (ks) {
			ks->pair_timed_out = false;
			fl_corr_key_rearm(e, ks);
			key_forget_if_idle(e, ks);
		}
		return;
	}
	if (ks && !ks->inc && e->prog->rules[rule].pair_ms > 0) { /* its pair closed */
		fl_corr_key_rearm(e, ks);
		key_forget_if_idle(e, ks);
	}
	if (!ks || !ks->inc)
		return;
	if (ks->inc->is_pending) {
		fl_corr_incident_free(e, ks->inc);
		fl_corr_key_rearm(e, ks);
		return;
	}
	fl_corr_incident_clear(e, ks->inc, t, rule, 0);
	fl_corr_key_rearm(e, ks);
	key_forget_if_idle(e, ks);
}
