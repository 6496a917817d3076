/* correlate_escalate.c - escalation: the ladder an incident runs from its
 * opening, the contacts each step reaches, the end of a maintenance window,
 * and an incident's open and clear. See correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- escalation ------------------------------------------------------------- */

/* A step to customers: one that touches none tells nobody, and an action
 * that reaches no one says nothing (a role's step that reaches no one is a
 * gap in the contacts, and shown). */
static bool is_customer_scope(enum fl_scope s)
{
	return s == FL_SCOPE_CUSTOMER || s == FL_SCOPE_AT_RISK;
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
	char text[sizeof(e->to_text[0])];

	if (*n >= FL_CORR_TO_MAX || !addr[0])
		return;
	snprintf(text, sizeof(text), "%s <%s>", c->name, addr);
	for (size_t i = 0; i < *n; i++) /* one person of two places is told once */
		if (strcmp(e->to_text[i], text) == 0)
			return;
	memcpy(e->to_text[*n], text, sizeof(text));
	e->to[*n] = e->to_text[*n];
	(*n)++;
}

/* The branch one end of a place answers to: (level, where) for a contact
 * query of scope. A township's branch is its county's. */
static void branch_of(const struct fl_inv_device *dev, const struct fl_inv_site *site,
		      enum fl_scope scope, enum fl_inv_level *level, const char **where)
{
	enum fl_inv_level own;

	if (dev)
		own = dev->level;
	else if (site)
		own = site->site_class == FL_INV_CLASS_CITY ? FL_INV_LEVEL_CITY : FL_INV_LEVEL_COUNTY;
	else
		own = FL_INV_LEVEL_REGION;
	if (own == FL_INV_LEVEL_TOWNSHIP)
		own = FL_INV_LEVEL_COUNTY;
	*where = dev ? dev->id : site ? site->id : "region";
	*level = scope == FL_SCOPE_OWN	   ? own
		 : scope == FL_SCOPE_COUNTY ? FL_INV_LEVEL_COUNTY
		 : scope == FL_SCOPE_CITY   ? FL_INV_LEVEL_CITY
					    : FL_INV_LEVEL_REGION;
	if (*level == FL_INV_LEVEL_REGION)
		*where = "region";
}

static void branch_contacts(struct fl_engine *e, const struct fl_inv_device *dev,
			    const struct fl_inv_site *site, enum fl_scope scope, uint32_t role_bits,
			    const char *channel, size_t *n, bool *fell_back)
{
	struct fl_inv_contacts hits;
	enum fl_inv_level level;
	const char *where;

	branch_of(dev, site, scope, &level, &where);
	if (fl_inventory_contacts(e->prog->inventory, role_bits, level, fl_corr_cs(where),
				  &hits) < 0)
		return;
	for (size_t h = 0; h < hits.nhits; h++) {
		*fell_back |= hits.hits[h].fell_back;
		add_to(e, n, hits.hits[h].contact, channel);
	}
}

/* The branches of the incident's places lo..hi (both ends of a span, every
 * device of a site): each place pages the branches that own it. An incident
 * without places (a rule's) answers to its device or site. */
static void places_contacts(struct fl_engine *e, const struct fl_incident *p, size_t lo,
			    size_t hi, enum fl_scope scope, uint32_t role_bits,
			    const char *channel, size_t *n, bool *fell_back)
{
	if (!p->n_places) {
		branch_contacts(e, p->device, p->site, scope, role_bits, channel, n, fell_back);
		return;
	}
	for (size_t i = lo; i < hi && i < p->n_places; i++) {
		const struct fl_incident_place *pl = &p->places[i];

		if (pl->kind == FL_PLACE_SITE) {
			/* a county seat hosts the city ring's node too: every branch
			 * with a device there */
			for (size_t d = 0; d < pl->site->ndevices; d++)
				branch_contacts(e, pl->site->devices[d], NULL, scope, role_bits,
						channel, n, fell_back);
			if (!pl->site->ndevices)
				branch_contacts(e, NULL, pl->site, scope, role_bits, channel, n,
						fell_back);
			continue;
		}
		branch_contacts(e, pl->span->a, NULL, scope, role_bits, channel, n, fell_back);
		branch_contacts(e, pl->span->b, NULL, scope, role_bits, channel, n, fell_back);
	}
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
	size_t n = 0;

	*fell_back = false;
	if (!inv || fl_inventory_role_find(inv, e->prog->roles[st->role], &role) < 0)
		return 0;
	if (st->scope == FL_SCOPE_CUSTOMER || st->scope == FL_SCOPE_AT_RISK) {
		struct fl_corr_customers cs;
		bool is_down = st->scope == FL_SCOPE_CUSTOMER;

		if (fl_corr_incident_customers(e, inc, &cs) < 0)
			return 0;
		for (size_t i = 0; i < (is_down ? cs.ndown : cs.nat_risk); i++) {
			const char *customer = is_down ? cs.down[i] : cs.at_risk[i];

			if (fl_inventory_customer_contacts(inv, fl_corr_cs(customer), &hits) < 0)
				continue;
			for (size_t h = 0; h < hits.nhits; h++)
				add_to(e, &n, hits.hits[h].contact, channel);
		}
		return n;
	}
	places_contacts(e, p, e->places_lo, e->places_hi, st->scope, 1u << role, channel, &n,
			fell_back);
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
		if (!a.n_to && is_customer_scope(st->scope))
			continue; /* no customer of it is touched: nothing to tell */
		e->stats.notified++;
		fl_corr_emit(e, &a);
	}
}

/* When a step's clock starts, as the store starts the ticket's clocks
 * (fl_store_incident_open()): respond from the raising of the ticket (a
 * correlation's hold is not the duty operator's time), the others and
 * `after` steps from the fault. A fault that outlived its maintenance window
 * had its clocks paused until the window ended: none starts before then. */
static int64_t clock_start(const struct incident *inc, enum fl_step_when when)
{
	int64_t from = inc->pub.first_ns + inc->paused_ns;

	if (when == FL_WHEN_RESPOND && inc->raised_ns > from)
		from = inc->raised_ns;
	return from;
}

/* The budget in ms of the clock `when` (RESPOND, ONSITE or REPAIR) at
 * level, by the incident's location class for on-site; -1: none. */
static int64_t clock_budget_ms(const struct fl_engine *e, const struct incident *inc,
			       uint32_t level, enum fl_step_when when)
{
	const struct fl_prog_level *lv;

	if (level == FL_PROG_NONE || level >= e->prog->n_levels)
		return -1;
	lv = &e->prog->levels[level];
	if (when == FL_WHEN_RESPOND)
		return lv->respond_ms;
	if (when == FL_WHEN_ONSITE) {
		enum fl_inv_site_class c = inc->pub.loc_class >= 0
					       ? (enum fl_inv_site_class)inc->pub.loc_class
					   : inc->pub.site ? inc->pub.site->site_class
							   : FL_INV_CLASS_COUNTY;

		return lv->onsite_ms[c];
	}
	return lv->repair_ms;
}

void fl_corr_clocks_reset(const struct fl_engine *e, struct incident *inc)
{
	for (int k = 0; k < FL_CORR_CLOCKS; k++) {
		enum fl_step_when when = (enum fl_step_when)(FL_WHEN_RESPOND + k);
		int64_t ms = clock_budget_ms(e, inc, inc->pub.level, when);

		inc->clock_due_ns[k] =
		    ms < 0 ? FL_CORR_NEVER : clock_start(inc, when) + ms * FL_NS_PER_MS;
	}
}

/* A new level's clocks, counted from the change at at_ns, where they end
 * earlier than the incident's: a raise never takes time a clock had
 * promised, nor makes one missed before the raise; a clock the new level
 * does not have keeps its deadline. */
static void clocks_follow(const struct fl_engine *e, struct incident *inc, int64_t at_ns)
{
	for (int k = 0; k < FL_CORR_CLOCKS; k++) {
		int64_t ms = clock_budget_ms(e, inc, inc->pub.level,
					     (enum fl_step_when)(FL_WHEN_RESPOND + k));

		if (ms >= 0 && at_ns + ms * FL_NS_PER_MS < inc->clock_due_ns[k])
			inc->clock_due_ns[k] = at_ns + ms * FL_NS_PER_MS;
	}
}

static int64_t step_due(const struct incident *inc, const struct fl_prog_step *st)
{
	int64_t from;

	switch (st->when) {
	case FL_WHEN_AFTER:
		from = clock_start(inc, FL_WHEN_AFTER);
		if (inc->pub.ladder_from_ns > from)
			from = inc->pub.ladder_from_ns;
		return from + st->delay_ms * FL_NS_PER_MS;
	case FL_WHEN_RESPOND:
	case FL_WHEN_ONSITE:
	case FL_WHEN_REPAIR:
		from = inc->clock_due_ns[st->when - FL_WHEN_RESPOND];
		return from == FL_CORR_NEVER ? FL_CORR_NEVER : from + st->delay_ms * FL_NS_PER_MS;
	default:
		return FL_CORR_NEVER; /* not timed: the incident's clear fires it */
	}
}

/* Room in inc->ladder for a ladder of n steps (at most FL_LADDER_STEPS_MAX
 * are kept); false when out of memory. An incident without a ladder holds
 * no room: most of a storm's incidents page nobody step by step. */
static bool ladder_room(struct incident *inc, size_t n)
{
	struct ladder_step *l;

	if (n > FL_LADDER_STEPS_MAX)
		n = FL_LADDER_STEPS_MAX;
	if (n <= inc->cap_steps)
		return true;
	l = realloc(inc->ladder, n * sizeof(*l));
	if (!l)
		return false;
	inc->ladder = l;
	inc->cap_steps = n;
	return true;
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
	if (!ladder_room(inc, ld->n_steps)) {
		e->stats.ladder_steps_dropped += ld->n_steps;
		return;
	}
	for (uint32_t s = ld->first_step; s < ld->first_step + ld->n_steps; s++) {
		int64_t due = step_due(inc, &prog->steps[s]);
		size_t k;

		if (due == FL_CORR_NEVER)
			continue;
		if (inc->n_steps == inc->cap_steps) {
			e->stats.ladder_steps_dropped++;
			continue;
		}
		/* insertion keeps ladder order among equal times */
		for (k = inc->n_steps; k > 0 && inc->ladder[k - 1].due > due; k--)
			inc->ladder[k] = inc->ladder[k - 1];
		inc->ladder[k] = (struct ladder_step){due, s};
		inc->n_steps++;
	}
}

static uint32_t ladder_of(const struct fl_program *prog, uint32_t level, uint32_t ladder)
{
	return ladder != FL_PROG_NONE || level == FL_PROG_NONE ? ladder : prog->levels[level].ladder;
}

/* Whether step si is among the first n of taken. */
static bool step_in(const uint32_t *taken, size_t n, uint32_t si)
{
	for (size_t i = 0; i < n; i++)
		if (taken[i] == si)
			return true;
	return false;
}

/* The level (a second cut, circuits brought down, a site gone down, an
 * `update` action) or the ladder (a takeover, an action naming one)
 * changed after the incident opened. Its clocks follow the new level
 * (clocks_follow). On the same ladder, the steps not yet taken are timed by
 * them and those taken never fire again; a new ladder starts at the
 * change: its `after` steps count from then. Steps that come due by at_ns
 * are timed at at_ns, in ladder order: the caller announces the change,
 * then runs them (fl_corr_run_due_steps). The steps taken stay first in
 * inc->ladder, so a place that joins later still reaches their people.
 * Returns true when a new ladder started: its steps reach every place, the
 * caller's joining place included. */
bool fl_corr_relevel(struct fl_engine *e, struct incident *inc, uint32_t old_level,
		     uint32_t old_ladder, int64_t at_ns)
{
	const struct fl_program *prog = e->prog;
	uint32_t was = ladder_of(prog, old_level, old_ladder);
	uint32_t now = ladder_of(prog, inc->pub.level, inc->pub.ladder);
	uint32_t taken[FL_LADDER_STEPS_MAX];
	size_t n_taken = 0;

	if (inc->is_pending || inc->pub.state != FL_INCIDENT_OPEN ||
	    (old_level == inc->pub.level && was == now))
		return false;
	clocks_follow(e, inc, at_ns);
	if (was == now)
		for (size_t k = 0; k < inc->next_step && n_taken < FL_LADDER_STEPS_MAX; k++)
			taken[n_taken++] = inc->ladder[k].step;
	else
		inc->pub.ladder_from_ns = at_ns;
	fl_corr_schedule_ladder(e, inc);
	/* the steps taken first; then the rest by time, none before now, and
	 * in ladder order (their program order) among equal times */
	{
		size_t first = 0;

		for (size_t k = 0; k < inc->n_steps; k++) {
			struct ladder_step ls = inc->ladder[k];
			size_t j = k;

			if (step_in(taken, n_taken, ls.step)) {
				j = first++;
			} else {
				if (ls.due < at_ns)
					ls.due = at_ns;
				while (j > first && (inc->ladder[j - 1].due > ls.due ||
						     (inc->ladder[j - 1].due == ls.due &&
						      inc->ladder[j - 1].step > ls.step)))
					j--;
			}
			memmove(&inc->ladder[j + 1], &inc->ladder[j], (k - j) * sizeof(inc->ladder[0]));
			inc->ladder[j] = ls;
		}
		inc->next_step = first;
	}
	return was != now && !inc->pub.is_planned;
}

/* A step the ticket took before the engine restarted: never fired again. */
static bool step_was_taken(const struct incident *inc, uint32_t si)
{
	for (size_t i = 0; inc->rare && i < inc->rare->n_taken; i++)
		if (inc->rare->taken[i] == si)
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
	fl_corr_clocks_reset(e, inc);
	fl_corr_schedule_ladder(e, inc);
}

void fl_corr_run_due_steps(struct fl_engine *e, struct incident *inc, int64_t now_ns)
{
	if (inc->pub.is_planned && inc->window_end_ns && inc->window_end_ns <= now_ns &&
	    inc->pub.state == FL_INCIDENT_OPEN)
		fl_corr_window_ended(e, inc, inc->window_end_ns);
	while (inc->next_step < inc->n_steps && inc->ladder[inc->next_step].due <= now_ns) {
		uint32_t s = inc->ladder[inc->next_step].step;
		int64_t at = inc->ladder[inc->next_step].due;

		inc->next_step++;
		if (step_was_taken(inc, s))
			continue;
		fire_step(e, inc, s, at > inc->pub.first_ns ? at : now_ns);
	}
	if (inc->pub.state != FL_INCIDENT_OPEN)
		fl_corr_disarm(e, &inc->tb);
	else if (inc->next_step < inc->n_steps)
		fl_corr_arm(e, &inc->tb, inc->ladder[inc->next_step].due);
	else if (inc->pub.is_planned && inc->window_end_ns)
		fl_corr_arm(e, &inc->tb, inc->window_end_ns); /* pages then if still open */
	else
		fl_corr_disarm(e, &inc->tb);
}

/* Announces an incident whose level, title and location are set. */

void fl_corr_incident_open(struct fl_engine *e, struct incident *inc, int64_t at_ns, uint32_t rule)
{
	uint32_t circuit_level = fl_corr_circuit_level(e, inc);

	if (circuit_level != FL_PROG_NONE)
		inc->pub.level = circuit_level;
	fl_corr_check_maintenance(e, inc, inc->pub.first_ns);
	inc->is_pending = false;
	inc->raised_ns = at_ns;
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
	fl_corr_clocks_reset(e, inc);
	fl_corr_schedule_ladder(e, inc);
	fl_corr_run_due_steps(e, inc, at_ns);
}

/* The untimed lines of the incident's ladder: `step worsened` each time it
 * worsens (reason FL_NOTIFY_WORSENED), and, once, those its clear fires:
 * `step cleared` (when FL_WHEN_CLEARED: its alarm cleared, a notify with
 * reason "restored" whose messages say the service is back) or `step quiet`
 * (FL_WHEN_QUIET: its alarms stopped, reason FL_CLEAR_QUIET, which claims
 * nothing). A planned incident paged nobody, so it tells nobody it is over. */
static void notify_cleared(struct fl_engine *e, struct incident *inc, int64_t at_ns,
			   enum fl_step_when when)
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

		if (st->when != when)
			continue;
		for (uint32_t c = st->first_channel; c < st->first_channel + st->n_channels; c++) {
			const char *channel = prog->channels[prog->step_channels[c]].p;
			struct fl_action a = {.type = FL_ACTION_NOTIFY, .at_ns = at_ns,
					      .incident = &inc->pub, .role = prog->roles[st->role].p,
					      .scope = scope_name(st->scope), .channel = channel,
					      .reason = when == FL_WHEN_QUIET	   ? FL_CLEAR_QUIET
							: when == FL_WHEN_WORSENED ? FL_NOTIFY_WORSENED
									   : FL_NOTIFY_RESTORED,
					      .step = si};

			a.n_to = resolve_contacts(e, inc, st, channel, &a.fell_back);
			a.to = e->to;
			if (!a.n_to && is_customer_scope(st->scope))
				continue;
			e->stats.notified++;
			fl_corr_emit(e, &a);
		}
	}
}

static void incident_clear(struct fl_engine *e, struct incident *inc, int64_t at_ns, uint32_t rule,
			   int64_t absorb_ms, bool is_quiet)
{
	if (inc->pub.state != FL_INCIDENT_OPEN)
		return;
	inc->pub.state = FL_INCIDENT_CLEARED;
	inc->pub.cleared_ns = at_ns;
	inc->pub.last_ns = at_ns;
	e->stats.cleared++;
	if (is_quiet) {
		struct fl_action a = {.type = FL_ACTION_CLEAR, .at_ns = at_ns,
				      .incident = &inc->pub, .reason = FL_CLEAR_QUIET,
				      .step = FL_PROG_NONE};

		fl_corr_history(inc, at_ns, FL_ACTION_CLEAR, rule);
		fl_corr_emit(e, &a);
	} else {
		fl_corr_emit_simple(e, inc, FL_ACTION_CLEAR, at_ns, rule);
	}
	notify_cleared(e, inc, at_ns, is_quiet ? FL_WHEN_QUIET : FL_WHEN_CLEARED);
	fl_corr_disarm(e, &inc->tb);
	if (inc->pub.is_correlation && absorb_ms > 0) {
		inc->absorb_until = at_ns + absorb_ms * FL_NS_PER_MS;
		fl_corr_arm(e, &inc->tb, inc->absorb_until);
		return;
	}
	fl_corr_incident_free(e, inc);
}

/* The contacts of step st for the places from `first` on: into e->to, the
 * count returned. Customers (and those at risk) only when the earlier places
 * did not reach them. With first past the last place the incident worsened
 * in place (its site went down): those the site at risk did not reach. */
static size_t new_contacts(struct fl_engine *e, struct incident *inc,
			   const struct fl_prog_step *st, const char *channel, size_t first,
			   bool *fell_back)
{
	char before[FL_CORR_TO_MAX][sizeof(e->to_text[0])];
	bool worsened = first >= inc->pub.n_places, was_down = inc->site_is_down;
	size_t n_before, n = 0;

	e->places_lo = 0;
	e->places_hi = worsened ? SIZE_MAX : first;
	if (worsened)
		inc->site_is_down = false;
	/* the crew and the duty room of a branch hear of each place they must go
	 * to; a customer hears once that its service is down */
	n_before = st->scope == FL_SCOPE_CUSTOMER || st->scope == FL_SCOPE_AT_RISK || worsened
			   ? resolve_contacts(e, inc, st, channel, fell_back)
			   : 0;
	inc->site_is_down = was_down;
	for (size_t i = 0; i < n_before; i++)
		memcpy(before[i], e->to_text[i], sizeof(before[i]));
	e->places_lo = worsened ? 0 : first;
	e->places_hi = SIZE_MAX;
	for (size_t i = 0, all = resolve_contacts(e, inc, st, channel, fell_back); i < all; i++) {
		bool told = false;

		for (size_t j = 0; j < n_before && !told; j++)
			told = strcmp(before[j], e->to_text[i]) == 0;
		if (told)
			continue;
		if (n != i)
			memcpy(e->to_text[n], e->to_text[i], sizeof(e->to_text[n]));
		e->to[n] = e->to_text[n];
		n++;
	}
	e->places_lo = 0;
	return n;
}

void fl_corr_place_joined(struct fl_engine *e, struct incident *inc, size_t first, int64_t at_ns)
{
	const struct fl_program *prog = e->prog;

	if (inc->pub.is_planned || inc->pub.state != FL_INCIDENT_OPEN || inc->is_pending)
		return;
	notify_cleared(e, inc, at_ns, FL_WHEN_WORSENED);
	/* the steps taken so far reach the new places' own people too */
	for (size_t k = 0; k < inc->next_step; k++) {
		const struct fl_prog_step *st = &prog->steps[inc->ladder[k].step];

		if (st->when != FL_WHEN_AFTER || st->scope == FL_SCOPE_REGION)
			continue;
		for (uint32_t c = st->first_channel; c < st->first_channel + st->n_channels; c++) {
			const char *channel = prog->channels[prog->step_channels[c]].p;
			struct fl_action a = {.type = FL_ACTION_NOTIFY, .at_ns = at_ns,
					      .incident = &inc->pub, .role = prog->roles[st->role].p,
					      .scope = scope_name(st->scope), .channel = channel,
					      .reason = FL_NOTIFY_JOINED, .step = inc->ladder[k].step};

			a.n_to = new_contacts(e, inc, st, channel, first, &a.fell_back);
			a.to = e->to;
			if (!a.n_to)
				continue;
			e->stats.notified++;
			fl_corr_emit(e, &a);
		}
	}
}

void fl_corr_incident_clear(struct fl_engine *e, struct incident *inc, int64_t at_ns, uint32_t rule,
			    int64_t absorb_ms)
{
	incident_clear(e, inc, at_ns, rule, absorb_ms, false);
}

void fl_corr_incident_clear_quiet(struct fl_engine *e, struct incident *inc, int64_t at_ns,
				  uint32_t rule)
{
	incident_clear(e, inc, at_ns, rule, 0, true);
}
