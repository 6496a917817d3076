/* correlate_locate.c - root cause: span cuts seen from both ends (or one
 * end and a silent far end), sites gone dark seen from their neighbours, and
 * groups of alarms sharing fields, each becoming one correlation incident
 * that absorbs its consequences. See correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <stdio.h>
#include <string.h>

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

/* The circuits an incident's places bring down may call for a more severe
 * level (a level's `circuits` clause). */
static void raise_by_circuits(struct fl_engine *e, struct incident *inc)
{
	uint32_t l = fl_corr_circuit_level(e, inc);

	if (l != FL_PROG_NONE)
		inc->pub.level = l;
}

/* The incident changed in place (a place joined, its site went down), from
 * old_level and old_ladder: its clocks and ladder follow, the change is
 * announced (escalate when the level moved, else update), the steps due
 * run, and, unless a new ladder has just reached every place, the places
 * from `first` on are told (fl_corr_place_joined). */
static void announce_change(struct fl_engine *e, struct incident *inc, uint32_t old_level,
			    uint32_t old_ladder, size_t first, int64_t at_ns)
{
	bool started = fl_corr_relevel(e, inc, old_level, old_ladder, at_ns);

	fl_corr_emit_simple(e, inc,
			    old_level != inc->pub.level ? FL_ACTION_ESCALATE : FL_ACTION_UPDATE, at_ns,
			    FL_PROG_NONE);
	fl_corr_run_due_steps(e, inc, at_ns);
	if (!started)
		fl_corr_place_joined(e, inc, first, at_ns);
}

/* A second cut joins an open incident: on a shared duct it is the same
 * fault; on the same ring it isolates the sites between the cuts (a ring
 * outage), and the incident goes to the most severe level. The new place
 * pages its own branch and its customers (fl_corr_place_joined). */
static void span_join(struct fl_engine *e, struct incident *inc, struct span_state *st,
		      bool is_duct, const char *how, int64_t at_ns)
{
	struct fl_incident *p = &inc->pub;
	uint32_t old_level = p->level, old_ladder = p->ladder;
	size_t place = p->n_places;

	st->inc = inc;
	if (!fl_corr_place_add(e, inc, st->span, NULL, at_ns, how))
		return;
	fl_corr_scope_span(e, inc, st->span);
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
	raise_by_circuits(e, inc);
	announce_change(e, inc, old_level, old_ladder, place, at_ns);
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
		span_join(e, inc, st, is_duct, evidence, at_ns);
		return;
	}
	inc = fl_corr_incident_new(e, st->corr, true, first_ns);
	if (!inc)
		return;
	fl_corr_place_add(e, inc, sp, NULL, first_ns, evidence);
	inc->pub.span_name = sp->id;
	inc->pub.device = sp->a;
	inc->pub.site = sp->a->site;
	inc->pub.evidence = evidence;
	inc->pub.count = (uint64_t)st->standing[0] + st->standing[1];
	inc->ring = sp->ring;
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", sp->id);
	fl_corr_scope_span(e, inc, sp);
	st->inc = inc;
	e->have_event = false;
	corr_title(e, inc);
	fl_corr_incident_open(e, inc, at_ns, FL_PROG_NONE);
}

/* Takes over the open rule incident at site (a power alarm that turns out to
 * be the site going down): it becomes the correlation's, its level and
 * ladder until then in *old_level and *old_ladder. */
static struct incident *take_over(struct fl_engine *e, uint32_t corr,
				  const struct fl_inv_site *site, uint32_t *old_level,
				  uint32_t *old_ladder)
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
		*old_level = inc->pub.level;
		*old_ladder = inc->pub.ladder;
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

static struct incident *open_site_incident(struct fl_engine *e, const struct fl_inv_site *site)
{
	struct site_state *ss = fl_keytab_peek(e->sites, site->id, strlen(site->id));

	return ss && ss->inc && ss->inc->pub.state == FL_INCIDENT_OPEN ? ss->inc : NULL;
}

static void site_open(struct fl_engine *e, uint32_t corr, struct site_state *ss, int64_t first_ns,
		      int64_t at_ns, const char *evidence)
{
	uint32_t old_level = FL_PROG_NONE, old_ladder = FL_PROG_NONE;
	struct incident *inc = take_over(e, corr, ss->site, &old_level, &old_ladder);
	bool is_takeover = inc != NULL;

	if (!inc && !(inc = fl_corr_incident_new(e, corr, true, first_ns)))
		return;
	inc->pub.site = ss->site;
	inc->pub.device = NULL;
	inc->pub.evidence = evidence;
	inc->site_is_down = true;
	inc->down_ns = at_ns;
	fl_corr_place_add(e, inc, NULL, ss->site, first_ns, evidence);
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", ss->site->id);
	fl_corr_scope_site(e, inc, ss->site);
	ss->inc = inc;
	e->have_event = false;
	corr_title(e, inc);
	if (!is_takeover) {
		fl_corr_incident_open(e, inc, at_ns, FL_PROG_NONE);
		return;
	}
	raise_by_circuits(e, inc);
	fl_corr_relevel(e, inc, old_level, old_ladder, at_ns);
	fl_corr_emit_simple(e, inc, FL_ACTION_ESCALATE, at_ns, FL_PROG_NONE);
	fl_corr_run_due_steps(e, inc, at_ns); /* re-arms its timer, disarmed by take_over */
}

/* A site incident opened by a site alarm (its power failed) becomes a site
 * down: the site fell silent or its neighbours lost signal facing it. It
 * takes the correlation's level and title; the worsening pages the plan's
 * `worsened` steps. */
static void site_worsen(struct fl_engine *e, struct incident *inc, int64_t at_ns,
			const char *evidence)
{
	struct fl_incident *p = &inc->pub;
	uint32_t old_level = p->level, old_ladder = p->ladder;
	const struct fl_prog_correlation *c = &e->prog->correlations[p->source];
	const struct fl_prog_action *ra = fl_corr_raise_action(e, c->first_action, c->n_actions);

	inc->site_is_down = true;
	inc->down_ns = at_ns;
	inc->site_heard = false;
	p->evidence = evidence;
	if (ra && (p->level == FL_PROG_NONE || ra->level < p->level)) {
		p->level = ra->level;
		p->ladder = ra->ladder;
	}
	e->have_event = false;
	if (ra)
		fl_corr_render(e, inc, ra->title, p->title, sizeof(p->title));
	fl_corr_apply_sets(e, inc, c->first_action, c->n_actions);
	raise_by_circuits(e, inc);
	announce_change(e, inc, old_level, old_ladder, p->n_places, at_ns);
}

/* Has the whole site gone quiet since its power failed? One device's absence
 * is not enough: a transmission node that reports every 15 min can look
 * absent while the OLT beside it still talks. */
static bool site_silent(const struct site_state *ss, int64_t at_ns)
{
	return ss->silent_from_ns >= ss->power_ns &&
	       at_ns - ss->heard_ns >= ss->silent_for_ms * FL_NS_PER_MS;
}

/* Evidence about site changed: two or more spans facing it lost signal at
 * the near end only (the site cannot report, or is dead): a site incident.
 * A site already at risk (its power failed) is down with one such span, or
 * when it falls silent. One span alone, the far site not at risk, is a cut
 * seen from one end. */
void fl_corr_site_check(struct fl_engine *e, const struct fl_inv_site *site, int64_t at_ns,
			bool silence)
{
	const struct fl_program *prog = e->prog;
	struct span_state *one = NULL;
	struct site_state *ss;
	struct incident *inc;
	size_t n;

	for (uint32_t c = 0; c < prog->n_correlations; c++) {
		int64_t w = prog->correlations[c].within_ms * FL_NS_PER_MS;

		if (prog->correlations[c].locate != FL_LOCATE_SITE)
			continue;
		n = facing_los(e, site, at_ns - w - (silence ? 600 * FL_NS_PER_SEC : 0), &one);
		if (!(ss = fl_corr_site_state(e, site)))
			return;
		if ((inc = open_site_incident(e, site))) {
			if (inc->site_is_down)
				return;
			if (n >= 1)
				site_worsen(e, inc, at_ns, "site at risk, neighbours lose signal facing it");
			else if (silence && site_silent(ss, at_ns))
				site_worsen(e, inc, at_ns, "site at risk, then silent");
			return;
		}
		if (n >= 2) {
			site_open(e, c, ss, one->at_ns[one->span->a->site == site ? 1 : 0], at_ns,
				  silence ? "site silent, neighbours lose signal facing it"
					  : "neighbours lose signal facing the site");
			return;
		}
		if (n == 1 && one->corr != FL_PROG_NONE && !one->inc)
			span_open(e, one,
				  silence ? "one end: the far end is silent"
					  : "one end: the far end does not report",
				  one->at_ns[0] ? one->at_ns[0] : one->at_ns[1], at_ns);
		return;
	}
}

/* A site incident ends when nothing holds it: no facing span without
 * signal, no site alarm standing, and, once the site was down, a device of
 * the site heard again. */
void fl_corr_site_maybe_clear(struct fl_engine *e, const struct fl_inv_site *site, int64_t at_ns)
{
	struct site_state *ss = fl_keytab_peek(e->sites, site->id, strlen(site->id));
	struct span_state *one = NULL;

	if (!ss || !ss->inc || ss->inc->pub.state != FL_INCIDENT_OPEN || ss->power_standing ||
	    (ss->inc->site_is_down && !ss->inc->site_heard))
		return;
	if (facing_los(e, site, 0, &one) == 0)
		fl_corr_incident_clear(e, ss->inc, at_ns, FL_PROG_NONE,
				       e->prog->correlations[ss->inc->pub.source].absorb_ms);
}

/* A site incident opened by an alarm about the site (its power failed):
 * at the alarm rule's level and title when it raises, else the
 * correlation's. */
static void site_open_at_risk(struct fl_engine *e, uint32_t corr, uint32_t rule,
			      struct site_state *ss, int64_t at_ns)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	const struct fl_prog_action *ra = fl_corr_raise_action(e, r->first_action, r->n_actions);
	struct incident *inc = fl_corr_incident_new(e, corr, true, at_ns);

	if (!inc)
		return;
	inc->pub.site = ss->site;
	inc->pub.evidence = "alarm at the site";
	inc->pub.count = 1;
	inc->site_heard = true;
	fl_corr_place_add(e, inc, NULL, ss->site, at_ns, inc->pub.evidence);
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", ss->site->id);
	fl_corr_scope_site(e, inc, ss->site);
	ss->inc = inc;
	if (ra) {
		inc->pub.level = ra->level;
		inc->pub.ladder = ra->ladder;
		e->have_event = true;
		e->ev_rule = rule;
		fl_corr_render(e, inc, ra->title, inc->pub.title, sizeof(inc->pub.title));
	} else {
		e->have_event = false;
		corr_title(e, inc);
	}
	fl_corr_incident_open(e, inc, at_ns, rule);
}

/* A site alarm of a rule feeding a site correlation: a device talking (an
 * `absent` rule's event), or an alarm about the site itself (power): the
 * first opens nothing; the second opens the site's incident at once, at the
 * rule's level and title (at risk), or counts into the open one. */
static void site_alarm(struct fl_engine *e, uint32_t rule, const struct fl_inv_device *dev,
		       bool is_clear, int64_t at_ns)
{
	const struct rule_info *ri = &e->ri[rule];
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	uint32_t corr = FL_PROG_NONE;
	struct site_state *ss;
	struct incident *inc;

	for (size_t c = 0; corr == FL_PROG_NONE && c < ri->n_corrs; c++)
		if (e->prog->correlations[ri->corrs[c]].locate == FL_LOCATE_SITE)
			corr = ri->corrs[c];
	if (corr == FL_PROG_NONE || !(ss = fl_corr_site_state(e, dev->site)))
		return;
	inc = open_site_incident(e, dev->site);
	if (r->absent_ms > 0) {
		if (at_ns > ss->heard_ns)
			ss->heard_ns = at_ns;
		if (inc && inc->site_is_down && at_ns > inc->down_ns && !inc->site_heard) {
			inc->site_heard = true;
			fl_corr_site_maybe_clear(e, dev->site, at_ns);
		}
		return;
	}
	if (is_clear) {
		ss->power_standing = false;
		if (inc && !inc->site_is_down)
			inc->site_heard = true;
		fl_corr_site_maybe_clear(e, dev->site, at_ns);
		return;
	}
	if (!ss->power_standing || !inc)
		ss->power_ns = at_ns;
	ss->power_standing = r->n_clear_conds > 0;
	if (inc) {
		inc->pub.count++;
		inc->pub.last_ns = at_ns;
		return;
	}
	site_open_at_risk(e, corr, rule, ss, at_ns);
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
	inc->pub.evidence = "both ends, cleared within the hold";
	fl_corr_place_add(e, inc, sp, NULL, first, inc->pub.evidence);
	inc->pub.span_name = sp->id;
	inc->pub.device = sp->a;
	inc->pub.site = sp->a->site;
	inc->pub.count = 2;
	inc->ring = sp->ring;
	snprintf(inc->pub.key, sizeof(inc->pub.key), "%s", sp->id);
	fl_corr_scope_span(e, inc, sp);
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

	if (!dev)
		return;
	if (ri->port_capture == FL_PROG_NONE) {
		site_alarm(e, rule, dev, is_clear, at_ns);
		return;
	}
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
		if (at_ns > st->cleared_ns)
			st->cleared_ns = at_ns;
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
			int64_t last = at_ns;

			/* clocks of two ends differ: it cleared when the last of its
			 * clears says, not when that line happened to arrive */
			for (size_t k = 0; k < inc->pub.n_spans; k++) {
				const char *id = inc->pub.spans[k]->id;
				struct span_state *o = fl_keytab_peek(e->spans, id, strlen(id));

				all_clear &= !(o && (o->standing[0] || o->standing[1]));
				if (o && o->cleared_ns > last && o->cleared_ns - at_ns < 60 * FL_NS_PER_SEC)
					last = o->cleared_ns;
			}
			if (all_clear)
				fl_corr_incident_clear(
				    e, inc, last, rule,
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

#define GROUP_MIN 2 /* alarms a group needs to be an incident */

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
