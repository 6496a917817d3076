/* correlate_incident.c - the incident table and what every part of the
 * engine does to an incident: arm its timer, record its history, emit its
 * actions, give it a scope of sites whose alarms it absorbs, find it under a
 * maintenance window, and absorb an alarm into it. See correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/timerwheel.h"

/* ---- timers -------------------------------------------------------------- */

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

void fl_corr_arm(struct fl_engine *e, struct tbase *tb, int64_t at_ns)
{
	/* rounded up: the timer fires at a whole millisecond, and what it runs
	 * compares that time with at_ns. Rounded down, a live time with a
	 * fraction of a millisecond would fire before its due time, find nothing
	 * due and re-arm itself at the same millisecond forever. */
	int64_t ms =
	    at_ns > 0 ? (at_ns + FL_NS_PER_MS - 1) / FL_NS_PER_MS : fl_corr_ns_to_ms(at_ns);

	if (ms < 0)
		ms = 0;
	if (fl_timerwheel_rearm(e->tw, &tb->t, ms) < 0)
		e->stats.timers_refused++;
}

void fl_corr_disarm(struct fl_engine *e, struct tbase *tb)
{
	fl_timerwheel_cancel(e->tw, &tb->t);
}

/* ---- actions and history ----------------------------------------------------- */

void fl_corr_history(struct incident *inc, int64_t at_ns, enum fl_action_type what, uint32_t rule)
{
	struct fl_incident *p = &inc->pub;

	if (p->n_history == p->cap_history) {
		size_t cap = p->cap_history ? p->cap_history * 2 : 4;
		struct fl_incident_history *h;

		if (cap > FL_CORR_HISTORY_MAX)
			cap = FL_CORR_HISTORY_MAX;
		/* full, or no memory: the entry is counted, not kept */
		if (p->n_history == cap || !(h = realloc(p->history, cap * sizeof(*h)))) {
			p->history_dropped++;
			return;
		}
		p->history = h;
		p->cap_history = cap;
	}
	p->history[p->n_history++] = (struct fl_incident_history){at_ns, what, rule};
}

void fl_corr_emit(struct fl_engine *e, struct fl_action *a)
{
	struct incident *inc = CONTAINER(a->incident, struct incident, pub);

	inc->emitted_count = inc->pub.count;
	inc->emitted_absorbed = inc->pub.absorbed;
	if (e->cfg.explain)
		fl_corr_explain_action(e, a);
	if (e->cfg.on_action)
		e->cfg.on_action(a, e->cfg.ctx);
}

void fl_corr_emit_simple(struct fl_engine *e, struct incident *inc, enum fl_action_type t,
			 int64_t at_ns, uint32_t rule)
{
	struct fl_action a = {.type = t, .at_ns = at_ns, .incident = &inc->pub,
			      .step = FL_PROG_NONE};

	if (t != FL_ACTION_SUPPRESS)
		fl_corr_history(inc, at_ns, t, rule);
	fl_corr_emit(e, &a);
}

/* ---- incidents: lifecycle --------------------------------------------------- */

/* Lists a correlation incident among the absorbers; false when out of memory. */
bool fl_corr_absorber_add(struct fl_engine *e, struct incident *inc)
{
	if (e->n_corr == e->cap_corr) {
		size_t cap = e->cap_corr ? e->cap_corr * 2 : 16;
		struct incident **n = realloc(e->corr, cap * sizeof(*n));

		if (!n)
			return false;
		e->corr = n;
		e->cap_corr = cap;
	}
	e->corr[e->n_corr++] = inc;
	return true;
}

void fl_corr_live_compact(struct fl_engine *e)
{
	size_t n = 0;

	if (e->n_live - e->n_alive <= 64 || e->n_live - e->n_alive < e->n_alive)
		return;
	for (size_t i = 0; i < e->n_live; i++)
		if (e->live[i]) {
			e->live[i]->live_pos = n;
			e->live[n++] = e->live[i];
		}
	e->n_live = n;
}

static void list_remove(struct incident **list, size_t *n, const struct incident *inc)
{
	size_t i;

	for (i = 0; i < *n && list[i] != inc; i++)
		;
	if (i < *n) {
		memmove(list + i, list + i + 1, (*n - i - 1) * sizeof(*list));
		(*n)--;
	}
}

struct incident *fl_corr_incident_new(struct fl_engine *e, uint32_t source, bool is_corr,
				      int64_t at_ns)
{
	const struct fl_program *prog = e->prog;
	struct incident *inc;

	if (e->n_alive >= FL_CORR_MAX_OPEN_INCIDENTS) {
		e->stats.incidents_refused++;
		return NULL;
	}
	if (e->n_live == e->cap_live) {
		size_t cap = e->cap_live ? e->cap_live * 2 : 64;
		struct incident **n = realloc(e->live, cap * sizeof(*n));

		if (!n) {
			e->stats.incidents_refused++;
			return NULL;
		}
		e->live = n;
		e->cap_live = cap;
	}
	inc = calloc(1, sizeof(*inc));
	if (!inc || (is_corr && !fl_corr_absorber_add(e, inc))) {
		free(inc);
		e->stats.incidents_refused++;
		return NULL;
	}
	fl_timer_init(&inc->tb.t);
	inc->tb.kind = T_INCIDENT;
	inc->pub.id = ++e->next_id;
	inc->pub.source = source;
	inc->pub.is_correlation = is_corr;
	inc->pub.source_name =
	    is_corr ? prog->correlations[source].name.p : prog->rules[source].name.p;
	inc->pub.first_ns = inc->pub.last_ns = at_ns;
	inc->pub.level = FL_PROG_NONE;
	inc->pub.ladder = FL_PROG_NONE;
	inc->pub.loc_class = -1;
	inc->gcorr = FL_PROG_NONE;
	inc->absorb_until = FL_CORR_NEVER;
	inc->live_pos = e->n_live;
	e->live[e->n_live++] = inc;
	e->n_alive++;
	return inc;
}

struct incident_rare *fl_corr_rare(struct incident *inc)
{
	if (!inc->rare)
		inc->rare = calloc(1, sizeof(*inc->rare));
	return inc->rare;
}

/* Forgets an incident: every pointer to it goes first. */
void fl_corr_incident_free(struct fl_engine *e, struct incident *inc)
{
	fl_corr_disarm(e, &inc->tb);
	if (inc->slot && inc->slot->inc == inc)
		inc->slot->inc = NULL;
	for (size_t k = 0; k < inc->pub.n_spans; k++) {
		const char *id = inc->pub.spans[k]->id;
		struct span_state *st = fl_keytab_peek(e->spans, id, strlen(id));

		if (st && st->inc == inc)
			st->inc = NULL;
	}
	for (size_t k = 0; k <= inc->pub.n_places; k++) {
		const struct fl_inv_site *site =
		    k < inc->pub.n_places ? inc->pub.places[k].site : inc->pub.site;
		struct site_state *ss =
		    site ? fl_keytab_peek(e->sites, site->id, strlen(site->id)) : NULL;

		if (ss && ss->inc == inc)
			ss->inc = NULL;
	}
	e->live[inc->live_pos] = NULL;
	e->n_alive--;
	if (inc->pub.is_correlation)
		list_remove(e->corr, &e->n_corr, inc);
	fl_corr_incident_release(inc);
}

void fl_corr_incident_release(struct incident *inc)
{
	free(inc->scope);
	free(inc->rare);
	free(inc->ladder);
	free(inc->held_run_text);
	free(inc->pub.history);
	free(inc->pub.places);
	free(inc->pub.fields);
	free(inc);
}

/* A site the incident's alarms come from; one past FL_SCOPE_SITES_MAX is
 * left out and counted (its alarms will not be absorbed). */
static void add_scope_site(struct fl_engine *e, struct incident *inc,
			   const struct fl_inv_site *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < inc->n_scope; i++)
		if (inc->scope[i] == s)
			return;
	if (inc->n_scope >= FL_SCOPE_SITES_MAX) {
		e->stats.scope_sites_dropped++;
		return;
	}
	inc->scope[inc->n_scope++] = s;
}

static void add_scope_ring(struct fl_engine *e, struct incident *inc, const struct fl_inv_ring *r)
{
	for (size_t i = 0; r && i < r->nodes; i++) {
		const struct fl_inv_device *d = r->devices[i];

		add_scope_site(e, inc, d->site);
		for (size_t k = 0; k < d->nbehind; k++)
			add_scope_site(e, inc, d->behind[k]->site);
	}
}

/* The sites a span cut's consequences come from: the ring (a chain's: the
 * ring it hangs off, where its traffic is dropped), what hangs behind the
 * span, and the far ends of the circuits riding it. */
void fl_corr_scope_span(struct fl_engine *e, struct incident *inc, const struct fl_inv_span *sp)
{
	if (!inc->scope && !(inc->scope = calloc(FL_SCOPE_SITES_MAX, sizeof(*inc->scope))))
		return;
	add_scope_ring(e, inc, sp->ring ? sp->ring : sp->chain ? sp->chain->parent_ring : NULL);
	add_scope_site(e, inc, sp->a->site);
	add_scope_site(e, inc, sp->b->site);
	for (size_t i = 0; i < sp->ndownstream; i++)
		add_scope_site(e, inc, sp->downstream[i]->site);
	for (size_t i = 0; i < sp->ncircuits; i++) {
		add_scope_site(e, inc, sp->circuits[i]->a_site);
		add_scope_site(e, inc, sp->circuits[i]->b_site);
	}
}

void fl_corr_scope_site(struct fl_engine *e, struct incident *inc, const struct fl_inv_site *site)
{
	if (!inc->scope && !(inc->scope = calloc(FL_SCOPE_SITES_MAX, sizeof(*inc->scope))))
		return;
	add_scope_site(e, inc, site);
	for (size_t i = 0; i < site->ndevices; i++) {
		const struct fl_inv_device *d = site->devices[i];

		add_scope_ring(e, inc, d->ring);
		for (size_t k = 0; k < d->nbehind; k++)
			add_scope_site(e, inc, d->behind[k]->site);
	}
}

/* The more remote of two classes: a crew sent to a span goes to its ends,
 * and the farther end sets how long it may take (township > county > city). */
static int remote_class(int a, int b)
{
	return a > b ? a : b;
}

/* ${span} of an incident of several spans; one of a single span reads its
 * span_name and needs no text of its own. */
static void span_text(struct incident *inc)
{
	const struct fl_incident *p = &inc->pub;
	struct incident_rare *rare;
	char *out;
	size_t len = 0, cap;

	if (p->n_spans < 2 || !(rare = fl_corr_rare(inc)))
		return;
	out = rare->span_text;
	cap = sizeof(rare->span_text);
	out[0] = '\0';
	for (size_t i = 0; i < p->n_spans && len < cap; i++) {
		int n = snprintf(out + len, cap - len, "%s%s", i ? "+" : "", p->spans[i]->id);

		len += n > 0 ? (size_t)n : 0;
	}
	if (p->span_name && strcmp(p->span_name, p->spans[0]->id) != 0 && len < cap)
		snprintf(out + len, cap - len, " (%s)", p->span_name);
}

bool fl_corr_place_add(struct fl_engine *e, struct incident *inc, const struct fl_inv_span *sp,
		       const struct fl_inv_site *site, int64_t at_ns, const char *evidence)
{
	struct fl_incident *p = &inc->pub;
	struct fl_incident_place *pl;

	for (size_t i = 0; i < p->n_places; i++)
		if (sp ? p->places[i].span == sp : p->places[i].site == site)
			return false;
	if (p->n_places >= FL_INCIDENT_MAX_PLACES || (sp && p->n_spans >= FL_INCIDENT_MAX_SPANS) ||
	    (!p->places && !(p->places = calloc(FL_INCIDENT_MAX_PLACES, sizeof(*p->places))))) {
		e->stats.places_dropped++;
		return false;
	}
	pl = &p->places[p->n_places++];
	*pl = (struct fl_incident_place){.kind = sp ? FL_PLACE_SPAN : FL_PLACE_SITE,
					 .span = sp, .site = site, .joined_ns = at_ns,
					 .evidence = evidence};
	if (sp) {
		p->spans[p->n_spans++] = sp;
		span_text(inc);
		p->loc_class = remote_class(p->loc_class, fl_corr_span_class(sp));
	} else {
		p->loc_class = remote_class(p->loc_class, (int)site->site_class);
	}
	return true;
}

int fl_corr_span_class(const struct fl_inv_span *sp)
{
	return remote_class((int)sp->a->site->site_class, (int)sp->b->site->site_class);
}

/* ---- maintenance ------------------------------------------------------------ */

static bool plan_window_covers(const struct fl_prog_window *w, const struct fl_incident *p,
			       int64_t at_ns)
{
	const struct fl_inv_device *d = p->device;

	if (at_ns < w->start_ns || at_ns >= w->end_ns)
		return false;
	switch (w->scope) {
	case FL_WSCOPE_DEVICE:
		return d && fl_str_eq_cstr(w->target, d->id);
	case FL_WSCOPE_SITE:
		return p->site && fl_str_eq_cstr(w->target, p->site->id);
	case FL_WSCOPE_RING:
		for (size_t i = 0; i < p->n_spans; i++)
			if (p->spans[i]->ring && fl_str_eq_cstr(w->target, p->spans[i]->ring->id))
				return true;
		return d && d->ring && fl_str_eq_cstr(w->target, d->ring->id);
	case FL_WSCOPE_SPAN:
		for (size_t i = 0; i < p->n_spans; i++)
			if (fl_str_eq_cstr(w->target, p->spans[i]->id))
				return true;
		return false;
	case FL_WSCOPE_CITY:
		return p->site && p->site->city && fl_str_eq_cstr(w->target, p->site->city->name);
	}
	return false;
}

/* Whether the incident's location is under a maintenance window at at_ns:
 * those of the plan, then those of the maintenance data file. */
void fl_corr_check_maintenance(struct fl_engine *e, struct incident *inc, int64_t at_ns)
{
	const struct fl_program *prog = e->prog;
	const struct fl_inventory *inv = prog->inventory;
	struct fl_incident *p = &inc->pub;
	const struct fl_inv_window *w = NULL;

	for (size_t i = 0; i < prog->n_windows; i++)
		if (plan_window_covers(&prog->windows[i], p, at_ns)) {
			p->is_planned = true;
			p->window = prog->windows[i].name.p;
			inc->window_end_ns = prog->windows[i].end_ns;
			return;
		}
	for (size_t i = 0; inv && !w && i < p->n_spans; i++)
		w = fl_inventory_maintenance(inv, FL_INV_SCOPE_SPAN, fl_corr_cs(p->spans[i]->id),
					     at_ns);
	if (inv && !w && p->site)
		w = fl_inventory_maintenance(inv, FL_INV_SCOPE_SITE, fl_corr_cs(p->site->id),
					     at_ns);
	if (inv && !w && p->device)
		w = fl_inventory_maintenance(inv, FL_INV_SCOPE_DEVICE, fl_corr_cs(p->device->id),
					     at_ns);
	if (w) {
		p->is_planned = true;
		p->window = w->id;
		inc->window_end_ns = w->end_ns;
		return;
	}
	if (e->cfg.window_fn) {
		int64_t ends_ns = 0;
		struct incident_rare *rare = fl_corr_rare(inc);

		if (!rare || !e->cfg.window_fn(e->cfg.window_ctx, p, at_ns, rare->window_name,
					       sizeof(rare->window_name), &ends_ns))
			return;
		rare->window_name[sizeof(rare->window_name) - 1] = '\0';
		p->is_planned = true;
		p->window = rare->window_name;
		inc->window_end_ns = ends_ns;
	}
}

/* ---- absorption ------------------------------------------------------------- */

static bool absorbs_rule(const struct fl_engine *e, const struct incident *inc, uint32_t rule)
{
	const struct fl_prog_correlation *c;

	if (!inc->pub.is_correlation)
		return false;
	c = &e->prog->correlations[inc->pub.source];
	if (c->locate == FL_LOCATE_GROUP)
		return fl_corr_in_list(e->prog->rule_refs, c->first_input, c->n_inputs, rule);
	return fl_corr_in_list(e->prog->rule_refs, c->first_absorb, c->n_absorbs, rule);
}

bool fl_corr_covers(const struct incident *inc, const struct fl_inv_device *dev, const char *gkey,
		    uint32_t gcorr)
{
	if (inc->pub.is_correlation && inc->pub.source == gcorr && gkey)
		return strcmp(inc->pub.key, gkey) == 0;
	if (!dev)
		return false;
	for (size_t i = 0; i < inc->n_scope; i++)
		if (inc->scope[i] == dev->site)
			return true;
	return false;
}

/* The open (or recently cleared) correlation incident that absorbs an alarm
 * of rule from dev at at_ns: the oldest that covers it. */
struct incident *fl_corr_find_absorber(struct fl_engine *e, uint32_t rule,
				       const struct fl_inv_device *dev, const char *gkey,
				       uint32_t gcorr, int64_t at_ns)
{
	for (size_t i = 0; i < e->n_corr; i++) {
		struct incident *inc = e->corr[i];

		if (inc->is_pending || !absorbs_rule(e, inc, rule))
			continue;
		if (inc->pub.state != FL_INCIDENT_OPEN && at_ns >= inc->absorb_until)
			continue;
		if (fl_corr_covers(inc, dev, gkey, gcorr))
			return inc;
	}
	return NULL;
}

void fl_corr_absorb(struct fl_engine *e, struct incident *into, uint32_t rule, struct key_state *ks,
		    uint64_t n, int64_t at_ns)
{
	into->pub.absorbed += n;
	e->stats.absorbed += n;
	if (ks && ks->absorbed_into == into->pub.id)
		return;
	if (ks)
		ks->absorbed_into = into->pub.id;
	{
		struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_ABSORB, .at_ns = at_ns,
				      .incident = &into->pub, .rule = e->prog->rules[rule].name.p,
				      .key = e->keybuf};

		fl_corr_history(into, at_ns, FL_ACTION_ABSORB, rule);
		fl_corr_emit(e, &a);
	}
}
