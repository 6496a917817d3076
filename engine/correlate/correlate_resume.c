/* correlate_resume.c - fl_engine_resume(): a ticket still open in the store
 * when the engine starts becomes a live incident again, tied to the state
 * later events look up, its ladder running on. See correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* Whether the rule raises an incident of its own: one that does not has
 * incidents only from `on timeout raise`, whose window has timed out. */
static bool rule_raises(const struct fl_program *prog, const struct fl_prog_rule *r)
{
	for (uint32_t a = r->first_action; a < r->first_action + r->n_actions; a++)
		if (prog->actions[a].kind == FL_ACT_RAISE)
			return true;
	return false;
}

/* A rule incident's key state, as its raising event would have left it, so
 * the next event of that key is a tally of it and the rule's clear clears
 * it (within its pair window, which runs on from the first fault). An
 * absence incident is keyed by its device and has none. */
static void resume_key(struct fl_engine *e, struct incident *inc, bool pair_timed_out)
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
	if (ri->quiet_ms > 0)
		ks->quiet_due = e->now_ns + ri->quiet_ms * FL_NS_PER_MS;
	if (r->pair_ms > 0)
		fl_corr_pair_resume(e, ks, pair_timed_out || !rule_raises(e->prog, r));
	fl_corr_key_rearm(e, ks);
}

/* Ties a resumed incident to the state later events look up: the key of
 * its rule, the spans it cut (both ends taken as still down: only their
 * clears end it), the site it took down. A group incident is found by its
 * key. Its scope makes it absorb its consequences again. */
static void resume_attach(struct fl_engine *e, struct incident *inc, bool pair_timed_out)
{
	struct fl_incident *p = &inc->pub;

	if (!p->is_correlation) {
		resume_key(e, inc, pair_timed_out);
		return;
	}
	switch (e->prog->correlations[p->source].locate) {
	case FL_LOCATE_SPAN:
		for (size_t k = 0; k < p->n_spans; k++) {
			struct span_state *st = fl_corr_span_state(e, p->spans[k]);

			fl_corr_scope_span(e, inc, p->spans[k]);
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

			fl_corr_scope_site(e, inc, p->site);
			if (ss && !ss->inc)
				ss->inc = inc;
		}
		break;
	default:
		break;
	}
}

/* The steps the ticket took, never fired again: at most FL_LADDER_STEPS_MAX
 * are kept, the rest counted as resume_steps_dropped (they may fire again). */
static void resume_taken(struct fl_engine *e, struct incident *inc,
			 const struct fl_resumed_incident *r)
{
	struct incident_rare *rare = inc->rare; /* fl_engine_resume() made it */

	for (size_t i = 0; i < r->n_steps_taken; i++) {
		if (rare->n_taken == FL_LADDER_STEPS_MAX) {
			e->stats.resume_steps_dropped += r->n_steps_taken - i;
			return;
		}
		rare->taken[rare->n_taken++] = r->steps_taken[i];
	}
}

/* Tickets resumed before are known by id, not by a walk over every live
 * incident: a restart hands back up to FL_CORR_MAX_OPEN_INCIDENTS tickets,
 * and a walk per ticket made 20,000 of them take 18 s. */
static bool resume_known(const struct fl_engine *e, const char *ticket)
{
	return e->resumed && fl_keytab_peek(e->resumed, ticket, strlen(ticket));
}

static int resume_remember(struct fl_engine *e, const char *ticket)
{
	struct fl_keytab_config cfg = {.val_size = 1, .key_max = FL_STORE_ID_MAX,
				       .max_keys = FL_CORR_MAX_OPEN_INCIDENTS};
	bool is_new;
	void *v;
	int rc;

	if (!e->resumed && (rc = fl_keytab_create(&e->resumed, &cfg)) < 0)
		return rc;
	rc = fl_keytab_upsert(e->resumed, ticket, strlen(ticket), &v, &is_new);
	return rc < 0 ? rc : 0;
}

static int resume_check(const struct fl_engine *e, const struct fl_resumed_incident *r,
			uint32_t *src, bool *is_corr, uint32_t *level, struct resume_loc *loc)
{
	if (!r || !r->ticket || !r->ticket[0] || strlen(r->ticket) > FL_STORE_ID_MAX ||
	    !r->source || !r->level)
		return -EINVAL;
	if (resume_known(e, r->ticket))
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
	if (rc == 0)
		rc = resume_remember(e, r->ticket);
	if (rc == 0 && !(inc = fl_corr_incident_new(e, src, is_corr, r->first_ns)))
		rc = -ENOBUFS;
	if (rc == 0 && !fl_corr_rare(inc)) {
		fl_corr_incident_free(e, inc);
		rc = -ENOMEM;
	}
	if (rc < 0) {
		e->stats.resume_refused++;
		return rc;
	}
	p = &inc->pub;
	snprintf(inc->rare->ticket, sizeof(inc->rare->ticket), "%s", r->ticket);
	p->ticket = inc->rare->ticket;
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
	for (size_t k = 0; is_corr && k < loc.n_spans; k++)
		fl_corr_place_add(e, inc, loc.spans[k], NULL, r->first_ns, "resumed from its ticket");
	if (is_corr && !loc.n_spans && loc.site &&
	    prog->correlations[src].locate == FL_LOCATE_SITE)
		fl_corr_place_add(e, inc, NULL, loc.site, r->first_ns, "resumed from its ticket");
	if (!is_corr) {
		memcpy(p->spans, loc.spans, sizeof(p->spans));
		p->n_spans = loc.n_spans;
	}
	p->span_name = loc.span_name;
	if (p->loc_class < 0 && loc.n_spans)
		p->loc_class = fl_corr_span_class(loc.spans[0]);
	inc->ring = loc.n_spans ? loc.spans[0]->ring : loc.device ? loc.device->ring : NULL;
	p->evidence = "resumed from its ticket";
	p->ladder_from_ns = r->ladder_from_ns;
	p->count = 1;
	p->is_planned = r->is_planned;
	resume_taken(e, inc, r);
	resume_attach(e, inc, r->pair_timed_out);
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
	fl_corr_clocks_reset(e, inc);
	for (int k = 0; k < FL_CORR_CLOCKS && !r->is_planned; k++) /* paused: from the window */
		if (r->clock_due_ns[k])
			inc->clock_due_ns[k] = r->clock_due_ns[k];
	fl_corr_schedule_ladder(e, inc);
	for (size_t k = 0; k < inc->n_steps; k++)
		if (inc->ladder[k].due < e->now_ns)
			inc->ladder[k].due = e->now_ns;
	fl_corr_run_due_steps(e, inc, e->now_ns);
	return 0;
}
