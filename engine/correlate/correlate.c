/* correlate.c - rule state, correlations, incidents and escalation.
 *
 * Every timer of the engine is embedded as the first member of a struct whose
 * next member is its kind (struct tbase): the wheel hands back the timer and
 * the kind says whose it is. A rule's key state has one timer armed at the
 * earliest of its deadlines (absence, quiet period, raise grace); an incident
 * has one for its next ladder step; a span one for its hold or window; a
 * group one for its window.
 *
 * Raise grace: a raising rule whose alarms some correlation may absorb (or a
 * group may collect) waits that correlation's within + hold before opening,
 * so the consequences that arrive seconds before their cause are absorbed
 * by it instead of becoming tickets of their own. Its tally runs meanwhile. */
#include "engine/correlate/correlate.h"
#include "engine/correlate/correlate_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/clock.h"
#include "engine/decode/event.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/keytab.h"
#include "engine/correlate/match.h"
#include "engine/lib/timerwheel.h"

#define GROUP_MIN 2 /* alarms a group needs to be an incident */

static const char *const action_names[] = {
#define X(name, text) text,
    FL_ACTION_KINDS(X)
#undef X
};

const char *fl_action_name(enum fl_action_type t)
{
	return (unsigned)t < FL_ACTION__COUNT ? action_names[t] : "?";
}

/* ---- small helpers --------------------------------------------------------- */

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


static const char *site_class_name(enum fl_inv_site_class c)
{
	static const char *const names[] = {"city", "county", "township"};

	return (unsigned)c < 3 ? names[c] : "?";
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

/* ---- templates ------------------------------------------------------------- */


static struct fl_str topo_field(const struct incident *inc, uint32_t index, char *num,
				size_t num_size)
{
	const struct fl_incident *p = &inc->pub;
	const struct fl_inv_span *sp = p->n_spans ? p->spans[0] : NULL;
	const struct fl_inv_site *site = p->site;
	int n;

	switch ((enum fl_topo_field)index) {
	case FL_TF_SPAN:
		return fl_corr_cs(p->span_name);
	case FL_TF_RING:
		return inc->ring ? fl_corr_cs(inc->ring->id) : FL_STR_NONE;
	case FL_TF_A_DEVICE:
		return sp ? fl_corr_cs(sp->a->id) : FL_STR_NONE;
	case FL_TF_A_PORT:
		return sp ? fl_corr_cs(sp->a_port) : FL_STR_NONE;
	case FL_TF_B_DEVICE:
		return sp ? fl_corr_cs(sp->b->id) : FL_STR_NONE;
	case FL_TF_B_PORT:
		return sp ? fl_corr_cs(sp->b_port) : FL_STR_NONE;
	case FL_TF_SITE:
		return site ? fl_corr_cs(site->id) : FL_STR_NONE;
	case FL_TF_SITE_NAME:
		return site ? fl_corr_cs(site->name) : FL_STR_NONE;
	case FL_TF_COUNTY:
		return site && site->county ? fl_corr_cs(site->county->name) : FL_STR_NONE;
	case FL_TF_CITY:
		return site && site->city ? fl_corr_cs(site->city->name) : FL_STR_NONE;
	case FL_TF_CLASS:
		if (p->loc_class >= 0)
			return fl_corr_cs(site_class_name((enum fl_inv_site_class)p->loc_class));
		return site ? fl_corr_cs(site_class_name(site->site_class)) : FL_STR_NONE;
	case FL_TF_COUNT:
		n = snprintf(num, num_size, "%llu", (unsigned long long)p->count);
		return fl_str_make(num, (size_t)n);
	case FL_TF_ABSORBED:
		n = snprintf(num, num_size, "%llu", (unsigned long long)p->absorbed);
		return fl_str_make(num, (size_t)n);
	case FL_TF_RULE:
		return fl_corr_cs(p->source_name);
	case FL_TF_GROUP:
		return fl_corr_cs(p->key);
	case FL_TF__COUNT:
		break;
	}
	return FL_STR_NONE;
}

/* A field read from the incident's device, for templates rendered when no
 * event is at hand (an absence): host and the inventory fields. */
static struct fl_str device_field(const struct fl_inv_device *d, struct fl_prog_field f)
{
	if (!d)
		return FL_STR_NONE;
	if (f.kind == FL_FIELD_EVENT)
		return f.index == FL_EF_HOST ? fl_corr_cs(d->id) : FL_STR_NONE;
	if (f.kind != FL_FIELD_INVENTORY)
		return FL_STR_NONE;
	switch ((enum fl_inv_field)f.index) {
	case FL_IF_DEVICE:
		return fl_corr_cs(d->id);
	case FL_IF_SITE:
		return fl_corr_cs(d->site->id);
	case FL_IF_SITE_NAME:
		return fl_corr_cs(d->site->name);
	case FL_IF_COUNTY:
		return d->site->county ? fl_corr_cs(d->site->county->name) : FL_STR_NONE;
	case FL_IF_CITY:
		return d->site->city ? fl_corr_cs(d->site->city->name) : FL_STR_NONE;
	case FL_IF_RING:
		return d->ring ? fl_corr_cs(d->ring->id) : FL_STR_NONE;
	case FL_IF_VENDOR:
		return fl_corr_cs(d->vendor);
	case FL_IF_MODEL:
		return fl_corr_cs(d->model);
	case FL_IF_CLASS:
		return fl_corr_cs(site_class_name(d->site->site_class));
	default:
		return FL_STR_NONE;
	}
}

/* Renders template t into out (cut at size - 1). Event fields, captures and
 * inventory fields are read from the current event as rule e->ev_rule sees
 * it, and are empty when there is no current event (a timer fired). */
void fl_corr_render(struct fl_engine *e, const struct incident *inc, uint32_t t, char *out,
		    size_t size)
{
	const struct fl_program *prog = e->prog;
	const struct fl_prog_template *tp;
	size_t len = 0;
	char num[32];

	out[0] = '\0';
	if (t == FL_PROG_NONE || t >= prog->n_templates)
		return;
	tp = &prog->templates[t];
	for (uint32_t i = tp->first_part; i < tp->first_part + tp->n_parts; i++) {
		const struct fl_prog_tpart *part = &prog->tparts[i];
		struct fl_str v;

		if (!part->is_field)
			v = part->literal;
		else if (part->field.kind == FL_FIELD_TOPO)
			v = inc ? topo_field(inc, part->field.index, num, sizeof(num))
				: fl_corr_cs(NULL);
		else if (e->have_event && e->ev_rule != FL_PROG_NONE)
			v = fl_match_field(e->m, e->ev_rule, part->field);
		else
			v = device_field(inc ? inc->pub.device : NULL, part->field);
		if (!v.p)
			continue;
		if (v.len > size - 1 - len)
			v.len = size - 1 - len;
		memcpy(out + len, v.p, v.len);
		len += v.len;
	}
	out[len] = '\0';
}

/* Runs the `set` actions of a rule or correlation on the incident: each
 * field takes its template's value now (a later event sets it again). */
void fl_corr_apply_sets(struct fl_engine *e, struct incident *inc, uint32_t first, uint32_t n)
{
	struct fl_incident *p = &inc->pub;

	for (uint32_t a = first; a < first + n; a++) {
		const struct fl_prog_action *act = &e->prog->actions[a];
		size_t k;

		if (act->kind != FL_ACT_SET || !act->field.p)
			continue;
		for (k = 0; k < p->n_fields && strcmp(p->fields[k].name, act->field.p) != 0; k++)
			;
		if (k == FL_INCIDENT_MAX_FIELDS)
			continue;
		if (k == p->n_fields)
			p->n_fields++;
		p->fields[k].name = act->field.p;
		fl_corr_render(e, inc, act->value, p->fields[k].value, sizeof(p->fields[k].value));
	}
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
	if (inc->pub.site) {
		const char *id = inc->pub.site->id;
		struct site_state *ss = fl_keytab_peek(e->sites, id, strlen(id));

		if (ss && ss->inc == inc)
			ss->inc = NULL;
	}
	e->live[inc->live_pos] = NULL;
	e->n_alive--;
	if (inc->pub.is_correlation)
		list_remove(e->corr, &e->n_corr, inc);
	free(inc->scope);
	free(inc->held_run_text);
	free(inc->pub.history);
	free(inc);
}

static void add_scope_site(struct incident *inc, const struct fl_inv_site *s)
{
	if (!s || inc->n_scope >= SCOPE_SITES_MAX)
		return;
	for (size_t i = 0; i < inc->n_scope; i++)
		if (inc->scope[i] == s)
			return;
	inc->scope[inc->n_scope++] = s;
}

static void add_scope_ring(struct incident *inc, const struct fl_inv_ring *r)
{
	for (size_t i = 0; r && i < r->nodes; i++) {
		const struct fl_inv_device *d = r->devices[i];

		add_scope_site(inc, d->site);
		for (size_t c = 0; c < d->nchains; c++)
			for (size_t k = 0; k < d->chains[c]->ndevices; k++)
				add_scope_site(inc, d->chains[c]->devices[k]->site);
	}
}

/* The sites a span cut's consequences come from: the ring, what hangs
 * behind the span, and the far ends of the circuits riding it. */
void fl_corr_scope_span(struct incident *inc, const struct fl_inv_span *sp)
{
	if (!inc->scope && !(inc->scope = calloc(SCOPE_SITES_MAX, sizeof(*inc->scope))))
		return;
	add_scope_ring(inc, sp->ring);
	add_scope_site(inc, sp->a->site);
	add_scope_site(inc, sp->b->site);
	for (size_t i = 0; i < sp->ndownstream; i++)
		add_scope_site(inc, sp->downstream[i]->site);
	for (size_t i = 0; i < sp->ncircuits; i++) {
		add_scope_site(inc, sp->circuits[i]->a_site);
		add_scope_site(inc, sp->circuits[i]->b_site);
	}
}

void fl_corr_scope_site(struct incident *inc, const struct fl_inv_site *site)
{
	if (!inc->scope && !(inc->scope = calloc(SCOPE_SITES_MAX, sizeof(*inc->scope))))
		return;
	add_scope_site(inc, site);
	for (size_t i = 0; i < site->ndevices; i++) {
		const struct fl_inv_device *d = site->devices[i];

		add_scope_ring(inc, d->ring);
		for (size_t c = 0; c < d->nchains; c++)
			for (size_t k = 0; k < d->chains[c]->ndevices; k++)
				add_scope_site(inc, d->chains[c]->devices[k]->site);
	}
}

int fl_corr_span_class(const struct fl_inv_span *sp)
{
	if (sp->ring)
		return sp->ring->level == FL_INV_RING_COUNTY ? FL_INV_CLASS_COUNTY : FL_INV_CLASS_CITY;
	return (int)sp->a->site->site_class;
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

		if (!e->cfg.window_fn(e->cfg.window_ctx, p, at_ns, inc->window_name,
				      sizeof(inc->window_name), &ends_ns))
			return;
		inc->window_name[sizeof(inc->window_name) - 1] = '\0';
		p->is_planned = true;
		p->window = inc->window_name;
		inc->window_end_ns = ends_ns;
	}
}

/* ---- escalation ------------------------------------------------------------- */

static enum fl_inv_level own_level(const struct fl_incident *p)
{
	enum fl_inv_level l;

	if (p->device)
		l = p->device->level;
	else if (p->site)
		l = p->site->site_class == FL_INV_CLASS_CITY ? FL_INV_LEVEL_CITY
							     : FL_INV_LEVEL_COUNTY;
	else
		l = FL_INV_LEVEL_REGION;
	return l == FL_INV_LEVEL_TOWNSHIP ? FL_INV_LEVEL_COUNTY : l;
}

static const char *scope_name(enum fl_scope s)
{
	static const char *const names[] = {
#define X(name, text) text,
	    FL_SCOPES(X)
#undef X
	};
	return (unsigned)s < FL_SCOPE__COUNT ? names[s] : "?";
}

static void add_to(struct fl_engine *e, size_t *n, const struct fl_inv_contact *c,
		   const char *channel)
{
	const char *addr = strcmp(channel, "email") == 0 ? c->email : c->mobile;

	if (*n >= FL_CORR_TO_MAX || !addr[0])
		return;
	snprintf(e->to_text[*n], sizeof(e->to_text[*n]), "%s <%s>", c->name, addr);
	e->to[*n] = e->to_text[*n];
	(*n)++;
}

/* Contacts a step reaches over one channel; returns how many, sets *fell_back. */
static size_t resolve_contacts(struct fl_engine *e, const struct incident *inc,
			       const struct fl_prog_step *st, const char *channel,
			       bool *fell_back)
{
	const struct fl_inventory *inv = e->prog->inventory;
	const struct fl_incident *p = &inc->pub;
	struct fl_inv_contacts hits;
	enum fl_inv_contact_role role;
	enum fl_inv_level level;
	const char *where;
	size_t n = 0;

	*fell_back = false;
	if (!inv || fl_inv_contact_role_parse(e->prog->roles[st->role], &role) < 0)
		return 0;
	if (st->scope == FL_SCOPE_CUSTOMER) {
		const struct fl_inv_circuit *const *cs_list = NULL;
		size_t nc = 0;

		if (p->n_spans) {
			cs_list = p->spans[0]->circuits;
			nc = p->spans[0]->ncircuits;
		} else if (p->site) {
			cs_list = p->site->circuits;
			nc = p->site->ncircuits;
		}
		for (size_t i = 0; i < nc; i++) {
			bool seen = false;

			for (size_t j = 0; j < i; j++)
				seen |= strcmp(cs_list[j]->customer, cs_list[i]->customer) == 0;
			if (seen || fl_inventory_customer_contacts(
					inv, fl_corr_cs(cs_list[i]->customer), &hits) < 0)
				continue;
			for (size_t h = 0; h < hits.nhits; h++)
				add_to(e, &n, hits.hits[h].contact, channel);
		}
		return n;
	}
	where = p->device ? p->device->id : p->site ? p->site->id : "region";
	switch (st->scope) {
	case FL_SCOPE_OWN:
		level = own_level(p);
		break;
	case FL_SCOPE_COUNTY:
		level = FL_INV_LEVEL_COUNTY;
		break;
	case FL_SCOPE_CITY:
		level = FL_INV_LEVEL_CITY;
		break;
	default:
		level = FL_INV_LEVEL_REGION;
		break;
	}
	if (level == FL_INV_LEVEL_REGION)
		where = "region";
	if (fl_inventory_contacts(inv, 1u << role, level, fl_corr_cs(where), &hits) < 0)
		return 0;
	for (size_t h = 0; h < hits.nhits; h++) {
		*fell_back |= hits.hits[h].fell_back;
		add_to(e, &n, hits.hits[h].contact, channel);
	}
	return n;
}

static bool step_cond_holds(const struct incident *inc, enum fl_step_cond c)
{
	(void)c; /* acknowledgement and restoration come from the ticket store: until
		  * then every state but "resolved" is the open incident's */
	return inc->pub.state == FL_INCIDENT_OPEN;
}

static void fire_step(struct fl_engine *e, struct incident *inc, uint32_t si, int64_t at_ns)
{
	const struct fl_program *prog = e->prog;
	const struct fl_prog_step *st = &prog->steps[si];

	if (!step_cond_holds(inc, st->cond) || inc->pub.is_planned)
		return;
	if (st->when != FL_WHEN_AFTER) {
		struct fl_action a = {.type = FL_ACTION_ESCALATE, .at_ns = at_ns,
				      .incident = &inc->pub, .step = si,
				      .reason = st->when == FL_WHEN_RESPOND ? "respond clock missed"
						: st->when == FL_WHEN_ONSITE ? "on-site clock missed"
									     : "repair clock missed"};

		fl_corr_history(inc, at_ns, FL_ACTION_ESCALATE, FL_PROG_NONE);
		fl_corr_emit(e, &a);
	}
	for (uint32_t c = st->first_channel; c < st->first_channel + st->n_channels; c++) {
		const char *channel = prog->channels[prog->step_channels[c]].p;
		struct fl_action a = {.type = FL_ACTION_NOTIFY, .at_ns = at_ns,
				      .incident = &inc->pub, .role = prog->roles[st->role].p,
				      .scope = scope_name(st->scope), .channel = channel,
				      .step = si};

		a.n_to = resolve_contacts(e, inc, st, channel, &a.fell_back);
		a.to = e->to;
		e->stats.notified++;
		fl_corr_emit(e, &a);
	}
}

static int64_t step_due(const struct fl_engine *e, const struct incident *inc,
			const struct fl_prog_step *st)
{
	const struct fl_prog_level *lv = &e->prog->levels[inc->pub.level];
	int64_t clock_ms;

	switch (st->when) {
	case FL_WHEN_AFTER:
		clock_ms = 0;
		break;
	case FL_WHEN_RESPOND:
		clock_ms = lv->respond_ms;
		break;
	case FL_WHEN_CLEARED:
		return FL_CORR_NEVER; /* not timed: fl_corr_incident_clear() fires it */
	case FL_WHEN_ONSITE: {
		enum fl_inv_site_class c = inc->pub.loc_class >= 0
					       ? (enum fl_inv_site_class)inc->pub.loc_class
					   : inc->pub.site ? inc->pub.site->site_class
							   : FL_INV_CLASS_COUNTY;

		clock_ms = lv->onsite_ms[c];
		break;
	}
	default:
		clock_ms = lv->repair_ms;
		break;
	}
	if (clock_ms < 0)
		return FL_CORR_NEVER;
	/* a fault that outlived its maintenance window: its clocks were paused
	 * until the window ended */
	return inc->pub.first_ns + inc->paused_ns + (clock_ms + st->delay_ms) * FL_NS_PER_MS;
}

/* Schedules the ladder of the incident's level (or its own) from the
 * incident's opening; steps already due run now, in ladder order. */
void fl_corr_schedule_ladder(struct fl_engine *e, struct incident *inc)
{
	const struct fl_program *prog = e->prog;
	uint32_t ladder = inc->pub.ladder;
	const struct fl_prog_ladder *ld;

	inc->n_steps = inc->next_step = 0;
	if (ladder == FL_PROG_NONE && inc->pub.level != FL_PROG_NONE)
		ladder = prog->levels[inc->pub.level].ladder;
	if (ladder == FL_PROG_NONE || inc->pub.is_planned)
		return;
	ld = &prog->ladders[ladder];
	for (uint32_t s = ld->first_step; s < ld->first_step + ld->n_steps; s++) {
		int64_t due = step_due(e, inc, &prog->steps[s]);
		size_t k;

		if (due == FL_CORR_NEVER || inc->n_steps == STEPS_MAX)
			continue;
		/* insertion keeps ladder order among equal times */
		for (k = inc->n_steps; k > 0 && inc->due[k - 1] > due; k--) {
			inc->due[k] = inc->due[k - 1];
			inc->steps[k] = inc->steps[k - 1];
		}
		inc->due[k] = due;
		inc->steps[k] = s;
		inc->n_steps++;
	}
}

/* A step the ticket took before the engine restarted: never fired again. */
static bool step_was_taken(const struct incident *inc, uint32_t si)
{
	for (size_t i = 0; i < inc->n_taken; i++)
		if (inc->taken[i] == si)
			return true;
	return false;
}

/* The maintenance window the incident opened in is over and the fault is
 * still there: from the window's end it is an unplanned fault. Its clocks
 * were paused for the window (the store moves their deadlines by as much),
 * so its ladder runs from then: steps "after 0s" page at the window's end. */
void fl_corr_window_ended(struct fl_engine *e, struct incident *inc, int64_t end_ns)
{
	struct fl_incident *p = &inc->pub;
	struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_UPDATE, .at_ns = end_ns,
			      .incident = p, .reason = "window ended"};

	p->is_planned = false;
	inc->window_end_ns = 0;
	inc->paused_ns = end_ns > p->first_ns ? end_ns - p->first_ns : 0;
	fl_corr_history(inc, end_ns, FL_ACTION_UPDATE, FL_PROG_NONE);
	fl_corr_emit(e, &a);
	fl_corr_schedule_ladder(e, inc);
}

void fl_corr_run_due_steps(struct fl_engine *e, struct incident *inc, int64_t now_ns)
{
	if (inc->pub.is_planned && inc->window_end_ns && inc->window_end_ns <= now_ns &&
	    inc->pub.state == FL_INCIDENT_OPEN)
		fl_corr_window_ended(e, inc, inc->window_end_ns);
	while (inc->next_step < inc->n_steps && inc->due[inc->next_step] <= now_ns) {
		uint32_t s = inc->steps[inc->next_step];
		int64_t at = inc->due[inc->next_step];

		inc->next_step++;
		if (step_was_taken(inc, s))
			continue;
		fire_step(e, inc, s, at > inc->pub.first_ns ? at : now_ns);
	}
	if (inc->pub.state != FL_INCIDENT_OPEN)
		fl_corr_disarm(e, &inc->tb);
	else if (inc->next_step < inc->n_steps)
		fl_corr_arm(e, &inc->tb, inc->due[inc->next_step]);
	else if (inc->pub.is_planned && inc->window_end_ns)
		fl_corr_arm(e, &inc->tb, inc->window_end_ns); /* pages then if still open */
	else
		fl_corr_disarm(e, &inc->tb);
}

/* Announces an incident whose level, title and location are set. */

void fl_corr_incident_open(struct fl_engine *e, struct incident *inc, int64_t at_ns, uint32_t rule)
{
	fl_corr_check_maintenance(e, inc, inc->pub.first_ns);
	inc->is_pending = false;
	e->stats.opened++;
	fl_corr_emit_simple(e, inc, FL_ACTION_OPEN, at_ns, rule);
	if (inc->held_run_text) {
		char *text = inc->held_run_text;

		inc->held_run_text = NULL;
		fl_corr_deliver_run(e, inc, inc->held_run_channel, text, at_ns, inc->held_run_rule);
		free(text);
	}
	if (inc->pub.is_correlation)
		fl_corr_correlation_actions(e, inc, at_ns);
	fl_corr_schedule_ladder(e, inc);
	fl_corr_run_due_steps(e, inc, at_ns);
}

/* The `step cleared` lines of the incident's ladder: once, when it clears,
 * a notify with reason "restored" (the messages say the service is back).
 * A planned incident paged nobody, so it tells nobody it is over. */
static void notify_restored(struct fl_engine *e, struct incident *inc, int64_t at_ns)
{
	const struct fl_program *prog = e->prog;
	uint32_t ladder = inc->pub.ladder;
	const struct fl_prog_ladder *ld;

	if (ladder == FL_PROG_NONE && inc->pub.level != FL_PROG_NONE)
		ladder = prog->levels[inc->pub.level].ladder;
	if (ladder == FL_PROG_NONE || inc->pub.is_planned)
		return;
	ld = &prog->ladders[ladder];
	for (uint32_t si = ld->first_step; si < ld->first_step + ld->n_steps; si++) {
		const struct fl_prog_step *st = &prog->steps[si];

		if (st->when != FL_WHEN_CLEARED)
			continue;
		for (uint32_t c = st->first_channel; c < st->first_channel + st->n_channels; c++) {
			const char *channel = prog->channels[prog->step_channels[c]].p;
			struct fl_action a = {.type = FL_ACTION_NOTIFY, .at_ns = at_ns,
					      .incident = &inc->pub, .role = prog->roles[st->role].p,
					      .scope = scope_name(st->scope), .channel = channel,
					      .reason = FL_NOTIFY_RESTORED, .step = si};

			a.n_to = resolve_contacts(e, inc, st, channel, &a.fell_back);
			a.to = e->to;
			e->stats.notified++;
			fl_corr_emit(e, &a);
		}
	}
}

void fl_corr_incident_clear(struct fl_engine *e, struct incident *inc, int64_t at_ns, uint32_t rule,
			    int64_t absorb_ms)
{
	if (inc->pub.state != FL_INCIDENT_OPEN)
		return;
	inc->pub.state = FL_INCIDENT_CLEARED;
	inc->pub.cleared_ns = at_ns;
	inc->pub.last_ns = at_ns;
	e->stats.cleared++;
	fl_corr_emit_simple(e, inc, FL_ACTION_CLEAR, at_ns, rule);
	notify_restored(e, inc, at_ns);
	fl_corr_disarm(e, &inc->tb);
	if (inc->pub.is_correlation && absorb_ms > 0) {
		inc->absorb_until = at_ns + absorb_ms * FL_NS_PER_MS;
		fl_corr_arm(e, &inc->tb, inc->absorb_until);
		return;
	}
	fl_corr_incident_free(e, inc);
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

/* ---- key state ---------------------------------------------------------------- */

void fl_corr_key_rearm(struct fl_engine *e, struct key_state *ks)
{
	int64_t due = ks->absent_due;

	if (ks->quiet_due < due)
		due = ks->quiet_due;
	if (ks->inc && ks->inc->is_pending && ks->inc->pending_due < due)
		due = ks->inc->pending_due;
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

struct fl_keytab *fl_corr_rule_table(struct fl_engine *e, uint32_t rule)
{
	struct fl_keytab_config cfg = {
	    .val_size =
		sizeof(struct key_state) + window_slots(&e->prog->rules[rule]) * sizeof(int64_t),
	    .key_max = FL_CORR_KEY_MAX,
	    .max_keys = e->cfg.max_keys_per_rule,
	    .seed = 0x9e3779b97f4a7c15ull + rule,
	    .on_evict = on_evict,
	    .ctx = e,
	};

	if (!e->keys[rule] && fl_keytab_create(&e->keys[rule], &cfg) < 0)
		return NULL;
	return e->keys[rule];
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
size_t fl_corr_build_key(struct fl_engine *e, uint32_t rule)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	size_t len = 1;

	e->keybuf[0] = 'k'; /* never empty: a rule without key has one key */
	for (uint32_t k = r->first_key; k < r->first_key + r->n_keys; k++) {
		struct fl_str v = fl_match_field(e->m, rule, e->prog->key_fields[k]);

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

/* Key text for output: the separators shown as '|'. */
static void key_text(char *out, size_t size, const char *key)
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
		struct fl_str v = fl_match_field(e->m, rule, e->prog->key_fields[k]);

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

/* ---- topology: spans and sites ---------------------------------------------- */

const struct fl_prog_action *fl_corr_raise_action(const struct fl_engine *e, uint32_t first,
						  uint32_t n)
{
	for (uint32_t a = first; a < first + n; a++)
		if (e->prog->actions[a].kind == FL_ACT_RAISE)
			return &e->prog->actions[a];
	return NULL;
}

static void corr_title(struct fl_engine *e, struct incident *inc)
{
	const struct fl_prog_correlation *c = &e->prog->correlations[inc->pub.source];
	const struct fl_prog_action *ra = fl_corr_raise_action(e, c->first_action, c->n_actions);

	if (!ra)
		return;
	if (inc->pub.level == FL_PROG_NONE)
		inc->pub.level = ra->level;
	if (inc->pub.ladder == FL_PROG_NONE)
		inc->pub.ladder = ra->ladder;
	fl_corr_render(e, inc, ra->title, inc->pub.title, sizeof(inc->pub.title));
	fl_corr_apply_sets(e, inc, c->first_action, c->n_actions);
}

struct span_state *fl_corr_span_state(struct fl_engine *e, const struct fl_inv_span *sp)
{
	void *v;
	bool is_new;

	if (fl_keytab_upsert(e->spans, sp->id, strlen(sp->id), &v, &is_new) < 0)
		return NULL;
	if (is_new) {
		struct span_state *st = v;

		fl_timer_init(&st->tb.t);
		st->tb.kind = T_SPAN;
		st->span = sp;
		st->corr = FL_PROG_NONE;
	}
	return v;
}

struct site_state *fl_corr_site_state(struct fl_engine *e, const struct fl_inv_site *s)
{
	void *v;
	bool is_new;

	if (fl_keytab_upsert(e->sites, s->id, strlen(s->id), &v, &is_new) < 0)
		return NULL;
	((struct site_state *)v)->site = s;
	return v;
}

/* The open span incident a new cut on sp joins: one on a span sharing a duct
 * with it (opened within the window), else one on the same ring. */
static struct incident *span_joins(struct fl_engine *e, const struct fl_inv_span *sp,
				   uint32_t corr, int64_t at_ns, bool *is_duct)
{
	int64_t w = e->prog->correlations[corr].within_ms * FL_NS_PER_MS;

	for (size_t g = 0; g < sp->nsrlgs; g++)
		for (size_t k = 0; k < sp->srlgs[g]->nspans; k++) {
			const struct fl_inv_span *o = sp->srlgs[g]->spans[k];
			struct span_state *os =
			    o == sp ? NULL : fl_keytab_peek(e->spans, o->id, strlen(o->id));

			if (os && os->inc && os->inc->pub.state == FL_INCIDENT_OPEN &&
			    at_ns - os->inc->pub.first_ns <= w) {
				*is_duct = true;
				os->inc->pub.span_name = sp->srlgs[g]->id;
				return os->inc;
			}
		}
	*is_duct = false;
	for (size_t i = 0; sp->ring && i < e->n_corr; i++) {
		struct incident *inc = e->corr[i];

		if (inc->pub.source == corr && inc->ring == sp->ring &&
		    inc->pub.state == FL_INCIDENT_OPEN)
			return inc;
	}
	return NULL;
}

/* A second cut joins an open incident: on a shared duct it is the same
 * fault; on the same ring it isolates the sites between the cuts (a ring
 * outage), and the incident goes to the most severe level. */
static void span_join(struct fl_engine *e, struct incident *inc, struct span_state *st,
		      bool is_duct, int64_t at_ns)
{
	struct fl_incident *p = &inc->pub;
	uint32_t old_level = p->level;

	if (p->n_spans < FL_INCIDENT_MAX_SPANS)
		p->spans[p->n_spans++] = st->span;
	st->inc = inc;
	fl_corr_scope_span(inc, st->span);
	if (is_duct) {
		p->evidence = "both ends of spans in one duct";
	} else {
		const struct fl_inv_device *iso[1];
		size_t n_iso = 0;
		int rs = fl_inventory_ring_state(e->prog->inventory, inc->ring, p->spans,
						 p->n_spans, iso, 0, &n_iso);

		p->evidence = rs == FL_INV_RING_BROKEN ? "ring outage: sites between the cuts isolated"
						       : "second cut on the ring";
		if (e->prog->n_levels)
			p->level = 0;
	}
	corr_title(e, inc);
	fl_corr_emit_simple(e, inc, old_level != p->level ? FL_ACTION_ESCALATE : FL_ACTION_UPDATE,
			    at_ns, FL_PROG_NONE);
}

static void span_open(struct fl_engine *e, struct span_state *st, const char *evidence,
		      int64_t first_ns, int64_t at_ns)
{
	const struct fl_inv_span *sp = st->span;
	struct incident *inc;
	bool is_duct;

	if (st->inc)
		return;
	inc = span_joins(e, sp, st->corr, at_ns, &is_duct);
	if (inc) {
		span_join(e, inc, st, is_duct, at_ns);
		return;
	}
	inc = fl_corr_incident_new(e, st->corr, true, first_ns);
	if (!inc)
		return;
	inc->pub.spans[inc->pub.n_spans++] = sp;
	inc->pub.span_name = sp->id;
	inc->pub.device = sp->a;
	inc->pub.site = sp->a->site;
	inc->pub.loc_class = fl_corr_span_class(sp);
	inc->pub.evidence = evidence;
	inc->pub.count = (uint64_t)st->standing[0] + st->standing[1];
	inc->ring = sp->ring;
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", sp->id);
	fl_corr_scope_span(inc, sp);
	st->inc = inc;
	e->have_event = false;
	corr_title(e, inc);
	fl_corr_incident_open(e, inc, at_ns, FL_PROG_NONE);
}

/* Takes over the open rule incident at site (a power alarm that turns out to
 * be the site going down): it becomes the correlation's. */
static struct incident *take_over(struct fl_engine *e, uint32_t corr,
				  const struct fl_inv_site *site)
{
	const struct fl_prog_correlation *c = &e->prog->correlations[corr];

	for (size_t i = 0; i < e->n_live; i++) {
		struct incident *inc = e->live[i];

		if (!inc || inc->pub.is_correlation || inc->is_pending ||
		    inc->pub.state != FL_INCIDENT_OPEN || !inc->pub.device ||
		    inc->pub.device->site != site ||
		    !fl_corr_in_list(e->prog->rule_refs, c->first_absorb, c->n_absorbs,
				     inc->pub.source))
			continue;
		if (inc->slot && inc->slot->inc == inc)
			inc->slot->inc = NULL;
		inc->slot = NULL;
		fl_corr_disarm(e, &inc->tb);
		if (!fl_corr_absorber_add(e, inc))
			return NULL;
		inc->pub.source = corr;
		inc->pub.is_correlation = true;
		inc->pub.source_name = c->name.p;
		inc->pub.level = FL_PROG_NONE;
		inc->pub.ladder = FL_PROG_NONE;
		return inc;
	}
	return NULL;
}

/* Number of spans facing site whose near end lost signal while the site's
 * own end did not report, at least since since_ns; *one set to the last. */
static size_t facing_los(struct fl_engine *e, const struct fl_inv_site *site, int64_t since_ns,
			 struct span_state **one)
{
	size_t n = 0;

	for (size_t d = 0; d < site->ndevices; d++) {
		const struct fl_inv_device *dev = site->devices[d];

		for (size_t s = 0; s < dev->nspans; s++) {
			const struct fl_inv_span *sp = dev->spans[s];
			struct span_state *st = fl_keytab_peek(e->spans, sp->id, strlen(sp->id));
			int far = sp->a == dev ? 1 : 0; /* the end not at this site */

			if (!st || !st->standing[far] || st->standing[!far] ||
			    st->at_ns[far] < since_ns || (st->inc && st->inc->pub.site != site))
				continue;
			n++;
			*one = st;
		}
	}
	return n;
}

static void site_open(struct fl_engine *e, uint32_t corr, struct site_state *ss, int64_t first_ns,
		      int64_t at_ns, const char *evidence)
{
	struct incident *inc = take_over(e, corr, ss->site);
	bool is_takeover = inc != NULL;

	if (!inc && !(inc = fl_corr_incident_new(e, corr, true, first_ns)))
		return;
	inc->pub.site = ss->site;
	inc->pub.device = NULL;
	inc->pub.evidence = evidence;
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", ss->site->id);
	fl_corr_scope_site(inc, ss->site);
	ss->inc = inc;
	e->have_event = false;
	corr_title(e, inc);
	if (!is_takeover) {
		fl_corr_incident_open(e, inc, at_ns, FL_PROG_NONE);
		return;
	}
	fl_corr_emit_simple(e, inc, FL_ACTION_ESCALATE, at_ns, FL_PROG_NONE);
	fl_corr_schedule_ladder(e, inc);
	fl_corr_run_due_steps(e, inc, at_ns);
}

/* Evidence about site changed: two or more spans facing it lost signal at
 * the near end only (the site cannot report, or is dead): a site incident.
 * With one such span and the site's device silent, the span is cut and only
 * one end can tell. */
void fl_corr_site_check(struct fl_engine *e, const struct fl_inv_site *site, int64_t at_ns,
			bool silence)
{
	const struct fl_program *prog = e->prog;
	struct span_state *one = NULL;
	struct site_state *ss;
	size_t n;

	for (uint32_t c = 0; c < prog->n_correlations; c++) {
		int64_t w = prog->correlations[c].within_ms * FL_NS_PER_MS;

		if (prog->correlations[c].locate != FL_LOCATE_SITE)
			continue;
		n = facing_los(e, site, at_ns - w - (silence ? 600 * FL_NS_PER_SEC : 0), &one);
		ss = fl_corr_site_state(e, site);
		if (!ss || (ss->inc && ss->inc->pub.state == FL_INCIDENT_OPEN))
			return;
		if (n >= 2) {
			site_open(e, c, ss, one->at_ns[one->span->a->site == site ? 1 : 0], at_ns,
				  silence ? "site silent, neighbours lose signal facing it"
					  : "neighbours lose signal facing the site");
			return;
		}
		if (n == 1 && silence && one->corr != FL_PROG_NONE && !one->inc)
			span_open(e, one, "one end: the far end is silent", one->at_ns[0] ? one->at_ns[0] : one->at_ns[1], at_ns);
		return;
	}
}

void fl_corr_site_maybe_clear(struct fl_engine *e, const struct fl_inv_site *site, int64_t at_ns)
{
	struct site_state *ss = fl_keytab_peek(e->sites, site->id, strlen(site->id));
	struct span_state *one = NULL;

	if (!ss || !ss->inc || ss->inc->pub.state != FL_INCIDENT_OPEN || !ss->inc->site_heard)
		return;
	if (facing_los(e, site, 0, &one) == 0)
		fl_corr_incident_clear(e, ss->inc, at_ns, FL_PROG_NONE,
				       e->prog->correlations[ss->inc->pub.source].absorb_ms);
}

/* Both ends lost signal but one cleared within the hold: the transient is
 * recorded (a suppress action with its own id) and never opened, so it pages
 * nobody; it still absorbs its consequences for the absorb period, as an
 * incident cleared at once would. */
static void span_transient(struct fl_engine *e, struct span_state *st, int64_t at_ns)
{
	const struct fl_inv_span *sp = st->span;
	int64_t first = st->at_ns[0] > st->at_ns[1] ? st->at_ns[1] : st->at_ns[0];
	struct incident *inc = fl_corr_incident_new(e, st->corr, true, first);

	st->suppressed = true;
	if (!inc)
		return;
	inc->pub.spans[inc->pub.n_spans++] = sp;
	inc->pub.span_name = sp->id;
	inc->pub.device = sp->a;
	inc->pub.site = sp->a->site;
	inc->pub.loc_class = fl_corr_span_class(sp);
	inc->pub.count = 2;
	inc->pub.evidence = "both ends, cleared within the hold";
	inc->ring = sp->ring;
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", sp->id);
	fl_corr_scope_span(inc, sp);
	e->have_event = false;
	corr_title(e, inc);
	inc->pub.state = FL_INCIDENT_CLEARED;
	inc->pub.cleared_ns = inc->pub.last_ns = at_ns;
	e->stats.suppressed++;
	{
		struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_SUPPRESS, .at_ns = at_ns,
				      .incident = &inc->pub, .reason = "cleared within the hold"};

		fl_corr_emit(e, &a);
	}
	inc->absorb_until = at_ns + e->prog->correlations[st->corr].absorb_ms * FL_NS_PER_MS;
	fl_corr_arm(e, &inc->tb, inc->absorb_until);
}

/* LOS (or its clear) at (device, port) from a rule feeding span and site
 * correlations. */
void fl_corr_span_evidence(struct fl_engine *e, uint32_t rule, const struct fl_inv_device *dev,
			   bool is_clear, int64_t at_ns)
{
	const struct rule_info *ri = &e->ri[rule];
	const struct fl_inv_span *sp;
	struct span_state *st;
	struct fl_str port;
	int end;

	if (!dev || ri->port_capture == FL_PROG_NONE)
		return;
	port = fl_match_field(e->m, rule,
			     (struct fl_prog_field){FL_FIELD_CAPTURE, ri->port_capture});
	sp = fl_inventory_span_at(e->prog->inventory, fl_corr_cs(dev->id), port);
	if (!sp || !(st = fl_corr_span_state(e, sp)))
		return;
	end = sp->a == dev ? 0 : 1;
	for (size_t c = 0; st->corr == FL_PROG_NONE && c < ri->n_corrs; c++)
		if (e->prog->correlations[ri->corrs[c]].locate == FL_LOCATE_SPAN)
			st->corr = ri->corrs[c];
	if (is_clear) {
		st->standing[end] = false;
		if (st->hold_armed && !st->inc) {
			st->hold_armed = false;
			fl_corr_disarm(e, &st->tb);
			if (!st->suppressed && st->corr != FL_PROG_NONE)
				span_transient(e, st, at_ns);
		}
		if (st->inc && st->inc->pub.is_correlation &&
		    e->prog->correlations[st->inc->pub.source].locate == FL_LOCATE_SPAN &&
		    !st->standing[0] && !st->standing[1]) {
			struct incident *inc = st->inc;
			bool all_clear = true;

			for (size_t k = 0; k < inc->pub.n_spans; k++) {
				const char *id = inc->pub.spans[k]->id;
				struct span_state *o = fl_keytab_peek(e->spans, id, strlen(id));

				all_clear &= !(o && (o->standing[0] || o->standing[1]));
			}
			if (all_clear)
				fl_corr_incident_clear(
				    e, inc, at_ns, rule,
				    e->prog->correlations[inc->pub.source].absorb_ms);
		}
		fl_corr_site_maybe_clear(e, (end ? sp->a : sp->b)->site, at_ns);
		return;
	}
	if (st->standing[end]) {
		if (st->inc)
			st->inc->pub.count++;
		return;
	}
	st->standing[end] = true;
	st->at_ns[end] = at_ns;
	st->suppressed = false;
	if (st->inc) {
		st->inc->pub.count++;
		return;
	}
	if (st->corr == FL_PROG_NONE)
		return;
	{
		const struct fl_prog_correlation *c = &e->prog->correlations[st->corr];
		int64_t w = c->within_ms * FL_NS_PER_MS;
		int64_t d = st->at_ns[0] - st->at_ns[1];

		if (st->standing[0] && st->standing[1] && (d < 0 ? -d : d) <= w) {
			st->window_armed = false;
			if (c->hold_ms > 0) {
				st->hold_armed = true;
				fl_corr_arm(e, &st->tb, at_ns + c->hold_ms * FL_NS_PER_MS);
			} else {
				span_open(e, st, "both ends", at_ns - (d < 0 ? -d : d), at_ns);
			}
			return;
		}
		/* one end so far: look again when the window has passed */
		st->window_armed = true;
		fl_corr_arm(e, &st->tb, at_ns + w);
	}
}

void fl_corr_span_timer(struct fl_engine *e, struct span_state *st, int64_t now_ns)
{
	if (st->hold_armed) {
		st->hold_armed = false;
		if (st->standing[0] && st->standing[1])
			span_open(e, st, "both ends",
				  st->at_ns[0] < st->at_ns[1] ? st->at_ns[0] : st->at_ns[1], now_ns);
		return;
	}
	if (st->window_armed) {
		int end = st->standing[0] ? 0 : 1;
		const struct fl_inv_device *far = end ? st->span->a : st->span->b;

		st->window_armed = false;
		if (st->standing[end] && !st->standing[!end])
			fl_corr_site_check(e, far->site, now_ns, false);
	}
}

/* ---- groups ------------------------------------------------------------------ */

void fl_corr_group_input(struct fl_engine *e, uint32_t corr, uint32_t rule,
			 const struct fl_inv_device *dev, int64_t at_ns)
{
	char gk[FL_CORR_KEY_MAX];
	char key[FL_CORR_KEY_MAX + 8];
	struct group_state *gs;
	bool is_new;
	void *v;
	int n;

	if (fl_corr_group_key(e, corr, rule, gk, sizeof(gk)) == 0)
		return;
	n = snprintf(key, sizeof(key), "%u:%s", corr, gk);
	if (n <= 0 || (size_t)n >= sizeof(key) ||
	    fl_keytab_upsert(e->groups, key, (size_t)n, &v, &is_new) < 0)
		return;
	gs = v;
	if (is_new || gs->count == 0) {
		fl_timer_init(&gs->tb.t);
		gs->tb.kind = T_GROUP;
		gs->corr = corr;
		gs->first_ns = at_ns;
		gs->dev = dev;
		snprintf(gs->key, sizeof(gs->key), "%s", gk);
		fl_corr_arm(e, &gs->tb,
			    at_ns + e->prog->correlations[corr].within_ms * FL_NS_PER_MS);
	}
	gs->count++;
}

void fl_corr_group_timer(struct fl_engine *e, struct group_state *gs, int64_t now_ns)
{
	const struct fl_prog_correlation *c = &e->prog->correlations[gs->corr];
	uint64_t count = gs->count;
	struct incident *inc;

	gs->count = 0;
	if (count < GROUP_MIN)
		return;
	/* a group inside a located fault is that fault's, not a storm of its own */
	for (size_t i = 0; i < e->n_corr; i++) {
		struct incident *o = e->corr[i];

		if (!o->is_pending && o->pub.source != gs->corr &&
		    (o->pub.state == FL_INCIDENT_OPEN || now_ns < o->absorb_until) &&
		    fl_corr_covers(o, gs->dev, NULL, FL_PROG_NONE))
			return;
	}
	inc = fl_corr_incident_new(e, gs->corr, true, gs->first_ns);
	if (!inc)
		return;
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", gs->key);
	inc->pub.device = gs->dev;
	inc->pub.site = gs->dev ? gs->dev->site : NULL;
	inc->pub.count = count;
	inc->pub.evidence = "alarms sharing the group fields";
	e->have_event = false;
	corr_title(e, inc);
	fl_corr_incident_open(e, inc, now_ns, FL_PROG_NONE);
	/* a group incident ends when its members have been quiet for its window */
	inc->absorb_until = FL_CORR_NEVER;
	(void)c;
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

		if (ss)
			ss->n_silent++;
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

/* Opens (or absorbs) a rule incident whose grace has run out. */
void fl_corr_pending_done(struct fl_engine *e, struct key_state *ks, int64_t now_ns)
{
	struct incident *inc = ks->inc;
	struct incident *into = fl_corr_find_absorber(e, ks->rule, inc->pub.device,
						      inc->gcorr != FL_PROG_NONE ? inc->gkey : NULL,
						      inc->gcorr, now_ns);

	if (into) {
		ks->inc = NULL;
		key_text(e->keybuf, sizeof(e->keybuf), inc->pub.key);
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
	if (ks->quiet_due <= now_ns) {
		ks->quiet_due = FL_CORR_NEVER;
		ks->n_times = 0;
		if (ks->inc && !ks->inc->is_pending)
			fl_corr_incident_clear(e, ks->inc, now_ns, ks->rule, 0);
	}
	(void)r;
	fl_corr_key_rearm(e, ks);
	key_forget_if_idle(e, ks);
}

static void feed_derived(struct fl_engine *e);

static void on_timer(struct fl_timer *t, void *ctx)
{
	struct fl_engine *e = ctx;
	struct tbase *tb = (struct tbase *)(void *)t;
	int64_t now_ns = fl_timer_expires(t) * FL_NS_PER_MS;

	if (now_ns < e->now_ns)
		now_ns = e->now_ns;
	e->now_ns = now_ns;
	e->have_event = false;
	switch (tb->kind) {
	case T_KEY:
		fl_corr_key_timer(e, (struct key_state *)(void *)tb, now_ns);
		break;
	case T_INCIDENT: {
		struct incident *inc = (struct incident *)(void *)tb;

		if (inc->pub.state != FL_INCIDENT_OPEN) {
			if (now_ns >= inc->absorb_until)
				fl_corr_incident_free(e, inc);
			else
				fl_corr_arm(e, &inc->tb, inc->absorb_until);
			break;
		}
		fl_corr_run_due_steps(e, inc, now_ns);
		break;
	}
	case T_SPAN:
		fl_corr_span_timer(e, (struct span_state *)(void *)tb, now_ns);
		break;
	case T_GROUP:
		fl_corr_group_timer(e, (struct group_state *)(void *)tb, now_ns);
		break;
	}
	feed_derived(e); /* what a correlation opened here emitted, at its time */
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
	if (ri->group_corr != FL_PROG_NONE) {
		inc->gcorr = ri->group_corr;
		fl_corr_group_key(e, ri->group_corr, rule, inc->gkey, sizeof(inc->gkey));
	}
	if (ri->grace_ms > 0) {
		inc->is_pending = true;
		inc->pending_due = at_ns + ri->grace_ms * FL_NS_PER_MS;
		return;
	}
	fl_corr_incident_open(e, inc, at_ns, rule);
}

/* ---- update, clear, emit, run ----------------------------------------------- */

/* update: the level, ladder and title given change; an open incident says so
 * with an update action and, when its level or ladder changed, runs the new
 * ladder from its opening (steps already due fire now). A pending one
 * changes silently: its open action shows the result. */
static void incident_update(struct fl_engine *e, struct incident *inc,
			    const struct fl_prog_action *act, int64_t at_ns, uint32_t rule)
{
	struct fl_incident *p = &inc->pub;
	bool relad = false;

	if (act->level != FL_PROG_NONE && act->level != p->level) {
		p->level = act->level;
		relad = true;
	}
	if (act->ladder != FL_PROG_NONE && act->ladder != p->ladder) {
		p->ladder = act->ladder;
		relad = true;
	}
	if (act->title != FL_PROG_NONE)
		fl_corr_render(e, inc, act->title, p->title, sizeof(p->title));
	e->stats.updated++;
	if (inc->is_pending || p->state != FL_INCIDENT_OPEN)
		return;
	{
		struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_UPDATE, .at_ns = at_ns, .incident = p,
				      .reason = "update"};

		fl_corr_history(inc, at_ns, FL_ACTION_UPDATE, rule);
		fl_corr_emit(e, &a);
	}
	if (relad) {
		fl_corr_disarm(e, &inc->tb);
		fl_corr_schedule_ladder(e, inc);
		for (size_t k = 0; k < inc->n_steps; k++)
			if (inc->due[k] < at_ns)
				inc->due[k] = at_ns;
		fl_corr_run_due_steps(e, inc, at_ns);
	}
}

/* emit: queues a derived syslog event (the rendered text as its message, the
 * host and peer of the event that made it) one generation deeper. With no
 * event (a correlation opened by a timer) the host is the incident's device. */
static void queue_derived(struct fl_engine *e, uint32_t rule, const struct incident *inc,
			  uint32_t tmpl, int64_t at_ns)
{
	struct derived *d;
	struct fl_str host = FL_STR_NONE;

	if (e->depth >= FL_CORR_EMIT_DEPTH_MAX) {
		e->stats.emit_too_deep++;
		return;
	}
	if (e->q_n == FL_CORR_EMIT_QUEUE_MAX) {
		e->stats.emit_dropped++;
		return;
	}
	d = &e->emitq[(e->q_head + e->q_n) % FL_CORR_EMIT_QUEUE_MAX];
	e->q_n++;
	d->at_ns = at_ns;
	d->depth = e->depth + 1;
	d->has_peer = e->cur_ev && e->cur_ev->has_peer;
	d->peer_len = 0;
	if (d->has_peer && e->cur_ev->peer_len <= sizeof(d->peer)) {
		d->peer_len = e->cur_ev->peer_len;
		memcpy(&d->peer, &e->cur_ev->peer, d->peer_len);
	} else {
		d->has_peer = false;
	}
	if (e->have_event && rule != FL_PROG_NONE)
		host = fl_match_field(e->m, rule, (struct fl_prog_field){FL_FIELD_EVENT, FL_EF_HOST});
	else if (inc && inc->pub.device)
		host = fl_corr_cs(inc->pub.device->id);
	d->host_len = host.p ? (host.len < sizeof(d->host) ? host.len : sizeof(d->host) - 1) : 0;
	if (d->host_len)
		memcpy(d->host, host.p, d->host_len);
	d->host[d->host_len] = '\0';
	fl_corr_render(e, inc, tmpl, d->text, sizeof(d->text));
	d->text_len = strlen(d->text);
}

void fl_corr_deliver_run(struct fl_engine *e, struct incident *inc, uint32_t channel,
			 const char *text, int64_t at_ns, uint32_t rule)
{
	struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_NOTIFY, .at_ns = at_ns, .reason = "run"};

	if (inc->pub.is_planned) { /* planned work pages nobody */
		e->stats.suppressed++;
		return;
	}
	a.incident = &inc->pub;
	a.channel = e->prog->channels[channel].p;
	a.text = text;
	e->stats.runs++;
	fl_corr_history(inc, at_ns, FL_ACTION_NOTIFY, rule);
	fl_corr_emit(e, &a);
}

/* run: a notify action for the plugin's channel with the text rendered now
 * (the title when the action gives none), on the key's incident: at once
 * when it is open; when it is still in its raise grace, held (the first
 * one) and delivered when it opens, dropped if it is absorbed instead. */
static void run_plugin(struct fl_engine *e, uint32_t rule, struct incident *inc,
		       const struct fl_prog_action *act, int64_t at_ns)
{
	if (!inc || inc->pub.state != FL_INCIDENT_OPEN || act->plugin >= e->prog->n_channels) {
		e->stats.runs_without_incident++;
		return;
	}
	if (act->value != FL_PROG_NONE)
		fl_corr_render(e, inc, act->value, e->run_text, sizeof(e->run_text));
	else
		snprintf(e->run_text, sizeof(e->run_text), "%s", inc->pub.title);
	if (!inc->is_pending) {
		fl_corr_deliver_run(e, inc, act->plugin, e->run_text, at_ns, rule);
		return;
	}
	if (inc->held_run_text || !(inc->held_run_text = strdup(e->run_text))) {
		e->stats.runs_without_incident++;
		return;
	}
	inc->held_run_channel = act->plugin;
	inc->held_run_rule = rule;
}

/* A correlation's emit and run actions, in the order written, once, when its
 * incident opens (the compiler refuses update and clear there). Templates
 * read the located object's fields, and the event's when one opened it. */
void fl_corr_correlation_actions(struct fl_engine *e, struct incident *inc, int64_t at_ns)
{
	const struct fl_prog_correlation *c = &e->prog->correlations[inc->pub.source];
	uint32_t rule = e->have_event ? e->ev_rule : FL_PROG_NONE;

	for (uint32_t a = c->first_action; a < c->first_action + c->n_actions; a++) {
		const struct fl_prog_action *act = &e->prog->actions[a];

		if (act->kind == FL_ACT_EMIT)
			queue_derived(e, rule, inc, act->value, at_ns);
		else if (act->kind == FL_ACT_RUN)
			run_plugin(e, rule, inc, act, at_ns);
	}
}

/* The rule's update, clear, emit and run actions, in the order written, on a
 * fault event of key ks. update and clear act on the incident the key had
 * before this event (prior_id; an event that raises is not also updated or
 * cleared by itself); run acts on the key's open incident as the event left it. */
void fl_corr_rule_actions(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t,
			  uint64_t prior_id)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];

	for (uint32_t a = r->first_action; a < r->first_action + r->n_actions; a++) {
		const struct fl_prog_action *act = &e->prog->actions[a];
		struct incident *inc = ks->inc;
		bool prior = inc && prior_id && inc->pub.id == prior_id && !inc->pub.is_correlation;

		e->have_event = true;
		e->ev_rule = rule;
		switch (act->kind) {
		case FL_ACT_UPDATE:
			if (prior)
				incident_update(e, inc, act, t, rule);
			break;
		case FL_ACT_CLEAR:
			if (prior && inc->is_pending)
				fl_corr_incident_free(e, inc);
			else if (prior)
				fl_corr_incident_clear(e, inc, t, rule, 0);
			break;
		case FL_ACT_EMIT:
			queue_derived(e, rule, NULL, act->value, t);
			break;
		case FL_ACT_RUN:
			run_plugin(e, rule, inc, act, t);
			break;
		default:
			break;
		}
	}
	fl_corr_key_rearm(e, ks);
}

static void fault_state(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t,
			bool *raised)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	const struct rule_info *ri = &e->ri[rule];
	struct incident *into;
	bool holds = true;
	char gk[FL_CORR_KEY_MAX];

	if (ks->count == 0)
		ks->first_ns = t;
	ks->count++;
	ks->last_ns = t;
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
	if (ri->quiet_ms > 0 && r->n_clear_conds == 0)
		ks->quiet_due = t + ri->quiet_ms * FL_NS_PER_MS;
	if (ks->inc) { /* the open (or pending) alarm of this key: a tally */
		ks->inc->pub.count++;
		ks->inc->pub.last_ns = t;
		if (!ks->inc->pub.is_correlation)
			fl_corr_apply_sets(e, ks->inc, r->first_action, r->n_actions);
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

		key_text(shown, sizeof(shown), e->keybuf);
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

/* ---- lifecycle ------------------------------------------------------------- */

static int build_rule_info(struct fl_engine *e)
{
	const struct fl_program *prog = e->prog;

	e->ri = calloc(prog->n_rules + 1, sizeof(*e->ri));
	if (!e->ri)
		return -ENOMEM;
	for (uint32_t r = 0; r < prog->n_rules; r++) {
		const struct fl_prog_rule *rule = &prog->rules[r];
		struct rule_info *ri = &e->ri[r];

		ri->port_capture = FL_PROG_NONE;
		ri->group_corr = FL_PROG_NONE;
		for (uint32_t a = rule->first_action; a < rule->first_action + rule->n_actions; a++)
			if (prog->actions[a].kind == FL_ACT_RAISE && !ri->has_raise) {
				ri->has_raise = true;
				ri->raise_action = a;
			} else if (prog->actions[a].kind != FL_ACT_RAISE &&
				   prog->actions[a].kind != FL_ACT_SET) {
				ri->has_more = true;
			}
		for (uint32_t x = rule->first_regex; x < rule->first_regex + rule->n_regexes; x++)
			for (uint32_t c = prog->regexes[x].first_capture;
			     c < prog->regexes[x].first_capture + prog->regexes[x].n_captures; c++)
				if (ri->port_capture == FL_PROG_NONE &&
				    fl_str_eq_cstr(prog->captures[c].name, "port"))
					ri->port_capture = c;
		ri->quiet_ms = rule->flap_ms > 0 ? rule->flap_ms
			       : rule->threshold_ms > 0 ? rule->threshold_ms
							: rule->dedup_ms;
		ri->corrs = calloc(prog->n_correlations + 1, sizeof(*ri->corrs));
		ri->absorbers = calloc(prog->n_correlations + 1, sizeof(*ri->absorbers));
		if (!ri->corrs || !ri->absorbers)
			return -ENOMEM;
		for (uint32_t c = 0; c < prog->n_correlations; c++) {
			const struct fl_prog_correlation *co = &prog->correlations[c];
			int64_t g = 0;

			if (fl_corr_in_list(prog->rule_refs, co->first_input, co->n_inputs, r)) {
				ri->corrs[ri->n_corrs++] = c;
				if (co->locate != FL_LOCATE_GROUP)
					ri->is_span_input = true;
				if (co->locate == FL_LOCATE_GROUP) {
					if (ri->group_corr == FL_PROG_NONE)
						ri->group_corr = c;
					g = co->within_ms;
				}
			}
			if (fl_corr_in_list(prog->rule_refs, co->first_absorb, co->n_absorbs, r)) {
				ri->absorbers[ri->n_absorbers++] = c;
				g = co->within_ms + co->hold_ms;
			}
			if (g > ri->grace_ms)
				ri->grace_ms = g;
		}
		if (ri->grace_ms > FL_CORR_GRACE_MAX_MS)
			ri->grace_ms = FL_CORR_GRACE_MAX_MS;
		if (!ri->has_raise)
			ri->grace_ms = 0;
	}
	return 0;
}

int fl_engine_create(struct fl_engine **out, const struct fl_program *prog,
		     struct fl_clock *clock, const struct fl_engine_config *cfg)
{
	struct fl_keytab_config span_cfg = {.val_size = sizeof(struct span_state),
					    .key_max = 128, .max_keys = 1u << 20, .seed = 7};
	struct fl_keytab_config site_cfg = {.val_size = sizeof(struct site_state),
					    .key_max = 128, .max_keys = 1u << 20, .seed = 11};
	struct fl_keytab_config group_cfg = {.val_size = sizeof(struct group_state),
					     .key_max = FL_CORR_KEY_MAX + 8,
					     .max_keys = 1u << 20, .seed = 13};
	struct fl_engine *e;
	int rc = -ENOMEM;

	if (!prog || !clock)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->prog = prog;
	e->clock = clock;
	if (cfg)
		e->cfg = *cfg;
	if (e->cfg.late_ms == 0)
		e->cfg.late_ms = FL_CORR_LATE_MS_DEFAULT;
	if (e->cfg.max_keys_per_rule == 0)
		e->cfg.max_keys_per_rule = FL_CORR_KEYS_PER_RULE_DEFAULT;
	if (e->cfg.max_keys == 0)
		e->cfg.max_keys = FL_CORR_KEYS_TOTAL_DEFAULT;
	if (e->cfg.max_keys < e->cfg.max_keys_per_rule)
		e->cfg.max_keys_per_rule = e->cfg.max_keys;
	e->now_ns = fl_clock_now_ns(clock);
	e->keys = calloc(prog->n_rules + 1, sizeof(*e->keys));
	if (!e->keys)
		goto out_destroy;
	if ((rc = fl_match_create(&e->m, prog)) < 0 ||
	    (rc = fl_timerwheel_create(&e->tw, fl_corr_ns_to_ms(e->now_ns),
				       FL_TIMERWHEEL_MAX_TIMERS_DEFAULT)) < 0 ||
	    (rc = fl_keytab_create(&e->spans, &span_cfg)) < 0 ||
	    (rc = fl_keytab_create(&e->sites, &site_cfg)) < 0 ||
	    (rc = fl_keytab_create(&e->groups, &group_cfg)) < 0 || (rc = build_rule_info(e)) < 0)
		goto out_destroy;
	*out = e;
	return 0;

out_destroy:
	fl_engine_destroy(e);
	return rc;
}

void fl_engine_destroy(struct fl_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_live; i++) {
		if (!e->live[i])
			continue;
		free(e->live[i]->scope);
		free(e->live[i]->held_run_text);
		free(e->live[i]->pub.history);
		free(e->live[i]);
	}
	free(e->live);
	free(e->corr);
	for (size_t r = 0; e->keys && r < e->prog->n_rules; r++)
		fl_keytab_destroy(e->keys[r]);
	free(e->keys);
	for (size_t r = 0; e->ri && r < e->prog->n_rules; r++) {
		free(e->ri[r].corrs);
		free(e->ri[r].absorbers);
	}
	free(e->ri);
	fl_keytab_destroy(e->spans);
	fl_keytab_destroy(e->sites);
	fl_keytab_destroy(e->groups);
	fl_timerwheel_destroy(e->tw);
	fl_match_destroy(e->m);
	free(e);
}

/* ---- operations ------------------------------------------------------------ */

void fl_engine_advance(struct fl_engine *e, int64_t now_ns)
{
	fl_corr_live_compact(e);
	/* timers fire at their own time (e->now_ns follows them), then time
	 * moves to now_ns */
	fl_timerwheel_advance(e->tw, fl_corr_ns_to_ms(now_ns > e->now_ns ? now_ns : e->now_ns),
			      on_timer, e);
	if (now_ns > e->now_ns) {
		if (fl_clock_kind(e->clock) == FL_CLOCK_EVENT &&
		    fl_clock_advance_to(e->clock, now_ns) < 0)
			e->stats.late++; /* cannot happen: now_ns is ahead */
		e->now_ns = now_ns;
	}
}

static void feed_event(struct fl_engine *e, const struct fl_event *ev, int64_t t);

/* Feeds the derived events in the order they were emitted, each at the time
 * of the event that made it; what they emit joins the end of the queue. */
static void feed_derived(struct fl_engine *e)
{
	struct derived *d = &e->cur_derived;
	struct fl_event *ev = &e->derived_ev;

	while (e->q_n) {
		*d = e->emitq[e->q_head];
		e->q_head = (e->q_head + 1) % FL_CORR_EMIT_QUEUE_MAX;
		e->q_n--;
		memset(ev, 0, sizeof(*ev));
		ev->kind = FL_EVENT_SYSLOG;
		ev->transport = FL_TRANSPORT_FILE;
		ev->received_ns = ev->time_ns = d->at_ns;
		ev->has_time = true;
		ev->raw = fl_str_make(d->text, d->text_len);
		ev->syslog.pri = -1;
		ev->syslog.app_name = fl_str_make("faultline", 9);
		ev->syslog.msg = fl_str_make(d->text, d->text_len);
		if (d->host_len)
			ev->syslog.hostname = fl_str_make(d->host, d->host_len);
		if (d->has_peer) {
			ev->has_peer = true;
			ev->peer_len = d->peer_len;
			memcpy(&ev->peer, &d->peer, d->peer_len);
		}
		e->depth = d->depth;
		e->stats.emitted++;
		feed_event(e, ev, d->at_ns < e->now_ns ? e->now_ns : d->at_ns);
	}
	e->depth = 0;
}

int fl_engine_feed(struct fl_engine *e, const struct fl_event *ev)
{
	int64_t t = ev->time_ns;

	e->stats.events++;
	if (fl_clock_kind(e->clock) == FL_CLOCK_LIVE)
		t = fl_clock_now_ns(e->clock); /* live: arrival order is time order */
	if (e->cfg.late_ms >= 0 ? t < e->now_ns - e->cfg.late_ms * FL_NS_PER_MS : t < e->now_ns) {
		e->stats.late++;
		return -ESTALE;
	}
	fl_engine_advance(e, t);
	feed_event(e, ev, t);
	feed_derived(e);
	return 0;
}

static void feed_event(struct fl_engine *e, const struct fl_event *ev, int64_t t)
{
	const uint32_t *cands;
	size_t n;
	bool raised = false, matched = false;

	e->cur_ev = ev;
	n = fl_match_begin(e->m, ev, &cands);
	for (size_t i = 0; i < n; i++) {
		uint32_t rule = cands[i];
		enum fl_match_result res;
		struct fl_keytab *kt;
		struct key_state *ks = NULL;
		size_t klen;
		bool is_new = false;
		void *v;

		/* the rule's table is cold with thousands of rules: start loading
		 * it while the regexes run */
		if (e->keys[rule])
			fl_keytab_prefetch(e->keys[rule]);
		res = fl_match_rule(e->m, rule);
		if (res == FL_MATCH_NONE)
			continue;
		matched = true;
		e->have_event = true;
		e->ev_rule = rule;
		klen = fl_corr_build_key(e, rule);
		if (klen == 0 || !(kt = fl_corr_rule_table(e, rule)))
			continue;
		if (res == FL_MATCH_FAULT) {
			if (e->total_keys >= e->cfg.max_keys &&
			    !fl_keytab_peek(kt, e->keybuf, klen) && !fl_corr_make_room(e, kt))
				continue;
			if (fl_keytab_upsert(kt, e->keybuf, klen, &v, &is_new) < 0)
				continue;
			ks = v;
			if (is_new) {
				e->total_keys++;
				fl_timer_init(&ks->tb.t);
				ks->tb.kind = T_KEY;
				ks->rule = rule;
				ks->absent_due = ks->quiet_due = FL_CORR_NEVER;
			}
			fl_corr_on_fault(e, rule, ks, t, &raised);
		} else {
			fl_corr_on_clear(e, rule, fl_keytab_get(kt, e->keybuf, klen), t);
		}
		e->have_event = true;
		e->ev_rule = rule;
	}
	e->have_event = false;
	e->cur_ev = NULL;
	if (matched)
		e->stats.matched++;
}

struct due_id {
	int64_t due;
	uint64_t id;
};

static int due_id_cmp(const void *a, const void *b)
{
	const struct due_id *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* e->live is in id order (ids only grow, holes and compaction keep it). */
static struct incident *live_by_id(const struct fl_engine *e, uint64_t id)
{
	size_t lo = 0, hi = e->n_live;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, m = mid;

		while (m < hi && !e->live[m])
			m++;
		if (m == hi)
			hi = mid;
		else if (e->live[m]->pub.id < id)
			lo = m + 1;
		else if (e->live[m]->pub.id == id)
			return e->live[m];
		else
			hi = mid;
	}
	return NULL;
}

/* End of an event-clock input: raises still waiting out their grace open
 * (or are absorbed) at their own due time, earliest first, ties by id, as
 * if time had run on to them; nothing else runs meanwhile. */
static void flush_pending(struct fl_engine *e)
{
	struct due_id *todo;
	size_t n = 0;

	for (size_t i = 0; i < e->n_live; i++)
		n += e->live[i] && e->live[i]->is_pending && e->live[i]->slot;
	if (n == 0 || !(todo = calloc(n, sizeof(*todo))))
		return;
	n = 0;
	for (size_t i = 0; i < e->n_live; i++)
		if (e->live[i] && e->live[i]->is_pending && e->live[i]->slot)
			todo[n++] = (struct due_id){e->live[i]->pending_due, e->live[i]->pub.id};
	qsort(todo, n, sizeof(*todo), due_id_cmp);
	for (size_t k = 0; k < n; k++) {
		struct incident *inc = live_by_id(e, todo[k].id);
		int64_t at = todo[k].due > e->now_ns ? todo[k].due : e->now_ns;

		if (!inc || !inc->is_pending || !inc->slot || inc->slot->inc != inc)
			continue;
		e->now_ns = at;
		e->have_event = false;
		fl_corr_pending_done(e, inc->slot, at);
	}
	free(todo);
}

void fl_engine_flush(struct fl_engine *e)
{
	if (fl_clock_kind(e->clock) == FL_CLOCK_EVENT)
		flush_pending(e);
	for (size_t i = 0; i < e->n_live; i++) {
		struct incident *inc = e->live[i];

		if (!inc || inc->is_pending || (inc->emitted_count == inc->pub.count &&
					inc->emitted_absorbed == inc->pub.absorbed))
			continue;
		{
			struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_UPDATE, .at_ns = e->now_ns,
					      .incident = &inc->pub, .reason = "tally"};

			fl_corr_emit(e, &a);
		}
	}
}

/* ---- resume after a restart ------------------------------------------------ */

static uint32_t level_named(const struct fl_program *prog, const char *name)
{
	for (uint32_t l = 0; l < prog->n_levels; l++)
		if (fl_str_eq_cstr(prog->levels[l].name, name))
			return l;
	return FL_PROG_NONE;
}

/* The rule or correlation called name (*is_corr says which), FL_PROG_NONE. */
static uint32_t source_named(const struct fl_program *prog, const char *name, bool *is_corr)
{
	for (uint32_t r = 0; r < prog->n_rules; r++)
		if (fl_str_eq_cstr(prog->rules[r].name, name)) {
			*is_corr = false;
			return r;
		}
	for (uint32_t c = 0; c < prog->n_correlations; c++)
		if (fl_str_eq_cstr(prog->correlations[c].name, name)) {
			*is_corr = true;
			return c;
		}
	return FL_PROG_NONE;
}

struct resume_loc {
	const struct fl_inv_device *device;
	const struct fl_inv_site *site;
	const struct fl_inv_span *spans[FL_INCIDENT_MAX_SPANS];
	size_t n_spans;
	const char *span_name;
};

/* The ticket's location names in today's inventory: -ENXIO when one is not
 * there (renamed, removed): a guess would page the wrong branch. A span name
 * may be a shared-risk group: a duct cut as one. */
static int resume_location(const struct fl_program *prog, const struct fl_resumed_incident *r,
			   struct resume_loc *loc)
{
	const struct fl_inventory *inv = prog->inventory;

	memset(loc, 0, sizeof(*loc));
	if (!inv)
		return r->device || r->site || r->span ? -ENXIO : 0;
	if (r->device && !(loc->device = fl_inventory_device(inv, fl_corr_cs(r->device))))
		return -ENXIO;
	if (r->site && !(loc->site = fl_inventory_site(inv, fl_corr_cs(r->site))))
		return -ENXIO;
	if (r->span) {
		const struct fl_inv_span *sp = fl_inventory_span(inv, fl_corr_cs(r->span));
		const struct fl_inv_srlg *g =
		    sp ? NULL : fl_inventory_srlg(inv, fl_corr_cs(r->span));

		if (sp) {
			loc->spans[loc->n_spans++] = sp;
			loc->span_name = sp->id;
		} else if (g && g->nspans) {
			for (size_t k = 0; k < g->nspans && loc->n_spans < FL_INCIDENT_MAX_SPANS; k++)
				loc->spans[loc->n_spans++] = g->spans[k];
			loc->span_name = g->id;
		} else {
			return -ENXIO;
		}
	}
	if (!loc->site)
		loc->site = loc->device ? loc->device->site
			    : loc->n_spans ? loc->spans[0]->a->site : NULL;
	return 0;
}

/* A rule incident's key state, as its raising event would have left it, so
 * the next event of that key is a tally of it and the rule's clear clears
 * it. An absence incident is keyed by its device and has none. */
static void resume_key(struct fl_engine *e, struct incident *inc)
{
	const struct fl_prog_rule *r = &e->prog->rules[inc->pub.source];
	const struct rule_info *ri = &e->ri[inc->pub.source];
	size_t klen = strlen(inc->pub.key);
	struct fl_keytab *kt;
	struct key_state *ks;
	bool is_new;
	void *v;

	if (r->absent_ms > 0 || klen == 0 || inc->pub.key[0] != 'k' ||
	    e->total_keys >= e->cfg.max_keys || !(kt = fl_corr_rule_table(e, inc->pub.source)) ||
	    fl_keytab_upsert(kt, inc->pub.key, klen, &v, &is_new) < 0)
		return;
	ks = v;
	if (is_new) {
		e->total_keys++;
		fl_timer_init(&ks->tb.t);
		ks->tb.kind = T_KEY;
		ks->rule = inc->pub.source;
		ks->absent_due = ks->quiet_due = FL_CORR_NEVER;
	}
	if (ks->inc)
		return;
	ks->inc = inc;
	inc->slot = ks;
	ks->dev = inc->pub.device;
	ks->first_ns = ks->last_ns = inc->pub.first_ns;
	ks->count = 1;
	/* a rule that clears by going quiet: quiet from now on */
	if (ri->quiet_ms > 0 && r->n_clear_conds == 0)
		ks->quiet_due = e->now_ns + ri->quiet_ms * FL_NS_PER_MS;
	fl_corr_key_rearm(e, ks);
}

/* Ties a resumed incident to the state later events look up: the key of
 * its rule, the spans it cut (both ends taken as still down: only their
 * clears end it), the site it took down. A group incident is found by its
 * key. Its scope makes it absorb its consequences again. */
static void resume_attach(struct fl_engine *e, struct incident *inc)
{
	struct fl_incident *p = &inc->pub;

	if (!p->is_correlation) {
		resume_key(e, inc);
		return;
	}
	switch (e->prog->correlations[p->source].locate) {
	case FL_LOCATE_SPAN:
		for (size_t k = 0; k < p->n_spans; k++) {
			struct span_state *st = fl_corr_span_state(e, p->spans[k]);

			fl_corr_scope_span(inc, p->spans[k]);
			if (!st || st->inc)
				continue;
			st->corr = p->source;
			st->inc = inc;
			st->standing[0] = st->standing[1] = true;
			st->at_ns[0] = st->at_ns[1] = p->first_ns;
		}
		break;
	case FL_LOCATE_SITE:
		if (p->site) {
			struct site_state *ss = fl_corr_site_state(e, p->site);

			fl_corr_scope_site(inc, p->site);
			if (ss && !ss->inc)
				ss->inc = inc;
		}
		break;
	default:
		break;
	}
}

static int resume_check(const struct fl_engine *e, const struct fl_resumed_incident *r,
			uint32_t *src, bool *is_corr, uint32_t *level, struct resume_loc *loc)
{
	if (!r || !r->ticket || !r->ticket[0] || strlen(r->ticket) > FL_STORE_ID_MAX ||
	    !r->source || !r->level)
		return -EINVAL;
	for (size_t i = 0; i < e->n_live; i++)
		if (e->live[i]->pub.ticket && strcmp(e->live[i]->ticket, r->ticket) == 0)
			return -EEXIST;
	if ((*src = source_named(e->prog, r->source, is_corr)) == FL_PROG_NONE ||
	    (*level = level_named(e->prog, r->level)) == FL_PROG_NONE)
		return -ENOENT;
	return resume_location(e->prog, r, loc);
}

int fl_engine_resume(struct fl_engine *e, const struct fl_resumed_incident *r)
{
	const struct fl_program *prog = e->prog;
	const struct fl_prog_action *ra;
	struct resume_loc loc;
	struct fl_incident *p;
	struct incident *inc;
	uint32_t src, level;
	bool is_corr = false;
	int rc;

	rc = resume_check(e, r, &src, &is_corr, &level, &loc);
	if (rc == 0 && !(inc = fl_corr_incident_new(e, src, is_corr, r->first_ns)))
		rc = -ENOBUFS;
	if (rc < 0) {
		e->stats.resume_refused++;
		return rc;
	}
	p = &inc->pub;
	snprintf(inc->ticket, sizeof(inc->ticket), "%s", r->ticket);
	p->ticket = inc->ticket;
	snprintf(p->key, sizeof(p->key), "%s", r->key ? r->key : "");
	ra = is_corr ? fl_corr_raise_action(e, prog->correlations[src].first_action,
					    prog->correlations[src].n_actions)
		     : fl_corr_raise_action(e, prog->rules[src].first_action,
					    prog->rules[src].n_actions);
	p->level = level;
	p->ladder = ra ? ra->ladder : FL_PROG_NONE;
	snprintf(p->title, sizeof(p->title), "%s", r->title ? r->title : prog->levels[level].name.p);
	p->device = loc.device;
	p->site = loc.site;
	memcpy(p->spans, loc.spans, sizeof(p->spans));
	p->n_spans = loc.n_spans;
	p->span_name = loc.span_name;
	p->loc_class = loc.n_spans ? fl_corr_span_class(loc.spans[0]) : -1;
	inc->ring = loc.n_spans ? loc.spans[0]->ring : loc.device ? loc.device->ring : NULL;
	p->evidence = "resumed from its ticket";
	p->count = 1;
	p->is_planned = r->is_planned;
	for (size_t i = 0; i < r->n_steps_taken && inc->n_taken < STEPS_MAX; i++)
		inc->taken[inc->n_taken++] = r->steps_taken[i];
	resume_attach(e, inc);
	e->stats.resumed++;
	{
		struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_UPDATE,
				      .at_ns = e->now_ns, .incident = p, .reason = "resumed"};

		fl_corr_history(inc, e->now_ns, FL_ACTION_UPDATE, FL_PROG_NONE);
		fl_corr_emit(e, &a);
	}
	if (p->is_planned) {
		/* the window it opened in: still on, or over while nothing ran
		 * (gone from the plan and data: over now) */
		p->is_planned = false;
		fl_corr_check_maintenance(e, inc, p->first_ns);
		if (!p->is_planned) {
			p->is_planned = true;
			inc->window_end_ns = e->now_ns;
		}
		if (inc->window_end_ns <= e->now_ns)
			fl_corr_window_ended(e, inc, inc->window_end_ns);
	}
	/* the ladder from the opening; what came due meanwhile fires now, once */
	fl_corr_schedule_ladder(e, inc);
	for (size_t k = 0; k < inc->n_steps; k++)
		if (inc->due[k] < e->now_ns)
			inc->due[k] = e->now_ns;
	fl_corr_run_due_steps(e, inc, e->now_ns);
	return 0;
}

void fl_engine_stats(const struct fl_engine *e, struct fl_engine_stats *out)
{
	struct fl_match_stats ms;
	struct fl_timerwheel_stats ts;

	*out = e->stats;
	fl_match_stats(e->m, &ms);
	fl_timerwheel_stats(e->tw, &ts);
	out->regex_limit = ms.regex_limit;
	out->timers_refused += ts.refused_full;
	out->live_keys = 0;
	for (size_t r = 0; r < e->prog->n_rules; r++)
		if (e->keys[r])
			out->live_keys += fl_keytab_count(e->keys[r]);
	out->open_incidents = 0;
	for (size_t i = 0; i < e->n_live; i++)
		out->open_incidents += e->live[i] && e->live[i]->pub.state == FL_INCIDENT_OPEN &&
				       !e->live[i]->is_pending;
}

const struct fl_program *fl_engine_program(const struct fl_engine *e)
{
	return e->prog;
}

bool fl_engine_next_timer(const struct fl_engine *e, int64_t *at_ns)
{
	int64_t ms;

	if (!fl_timerwheel_next_expiry(e->tw, &ms))
		return false;
	*at_ns = ms * FL_NS_PER_MS;
	return true;
}
