/* correlate_rule_actions.c - a rule's update, clear, emit and run actions,
 * and a correlation's emit and run when its incident opens. See
 * correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- update, clear, emit, run ----------------------------------------------- */

/* update: the level, ladder and title given change; an open incident says so
 * with an update action (of reason) and its clocks and ladder follow
 * (fl_corr_relevel). A pending one changes silently: its open action shows
 * the result. title: the rendered title, NULL to keep it. */
static void incident_update(struct fl_engine *e, struct incident *inc,
			    const struct fl_prog_action *act, const char *title,
			    const char *reason, int64_t at_ns, uint32_t rule)
{
	struct fl_incident *p = &inc->pub;
	uint32_t old_level = p->level, old_ladder = p->ladder;

	if (act->level != FL_PROG_NONE)
		p->level = act->level;
	if (act->ladder != FL_PROG_NONE)
		p->ladder = act->ladder;
	if (title)
		snprintf(p->title, sizeof(p->title), "%s", title);
	e->stats.updated++;
	if (inc->is_pending || p->state != FL_INCIDENT_OPEN)
		return;
	fl_corr_relevel(e, inc, old_level, old_ladder, at_ns);
	{
		struct fl_action a = {.step = FL_PROG_NONE, .type = FL_ACTION_UPDATE, .at_ns = at_ns, .incident = p,
				      .reason = reason};

		fl_corr_history(inc, at_ns, FL_ACTION_UPDATE, rule);
		fl_corr_emit(e, &a);
	}
	fl_corr_run_due_steps(e, inc, at_ns);
}

/* The `update` action: its title rendered from the event now. */
static void rule_update(struct fl_engine *e, struct incident *inc, const struct fl_prog_action *act,
			int64_t at_ns, uint32_t rule)
{
	if (act->title != FL_PROG_NONE)
		fl_corr_render(e, inc, act->title, e->run_text, sizeof(e->run_text));
	incident_update(e, inc, act, act->title != FL_PROG_NONE ? e->run_text : NULL,
			FL_UPDATE_ACTION, at_ns, rule);
}

void fl_corr_raise_to(struct fl_engine *e, struct incident *inc, const struct fl_prog_action *act,
		      const char *title, const char *reason, int64_t at_ns, uint32_t rule)
{
	incident_update(e, inc, act, title && title[0] ? title : NULL, reason, at_ns, rule);
}

/* A slot at the end of the derived events' queue, one generation deeper than
 * the event being fed, with that event's peer and the host given; NULL when
 * too deep or the queue is full (both counted). */
static struct derived *derived_push(struct fl_engine *e, struct fl_str host, int64_t at_ns)
{
	struct derived *d;

	if (e->depth >= FL_CORR_EMIT_DEPTH_MAX) {
		e->stats.emit_too_deep++;
		return NULL;
	}
	if (e->q_n == FL_CORR_EMIT_QUEUE_MAX) {
		e->stats.emit_dropped++;
		return NULL;
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
	d->host_len = host.p ? (host.len < sizeof(d->host) ? host.len : sizeof(d->host) - 1) : 0;
	if (d->host_len)
		memcpy(d->host, host.p, d->host_len);
	d->host[d->host_len] = '\0';
	return d;
}

void fl_corr_emit_text(struct fl_engine *e, struct fl_str host, const char *text, int64_t at_ns)
{
	struct derived *d = derived_push(e, host, at_ns);

	if (!d)
		return;
	snprintf(d->text, sizeof(d->text), "%s", text);
	d->text_len = strlen(d->text);
}

/* emit: queues a derived syslog event (the rendered text as its message, the
 * host and peer of the event that made it) one generation deeper. With no
 * event (a correlation opened by a timer) the host is the incident's device. */
static void queue_derived(struct fl_engine *e, uint32_t rule, const struct incident *inc,
			  uint32_t tmpl, int64_t at_ns)
{
	struct fl_str host = FL_STR_NONE;
	struct derived *d;

	if (e->have_event && rule != FL_PROG_NONE) {
		host = fl_match_field(e->m, rule, (struct fl_prog_field){FL_FIELD_EVENT, FL_EF_HOST});
		/* a trap names no host: the device its lookup found is the sender */
		if (!host.p && fl_match_device(e->m, rule))
			host = fl_corr_cs(fl_match_device(e->m, rule)->id);
	} else if (inc && inc->pub.device) {
		host = fl_corr_cs(inc->pub.device->id);
	}
	if (!(d = derived_push(e, host, at_ns)))
		return;
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
				rule_update(e, inc, act, t, rule);
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
