/* correlate.c - the engine's lifecycle, the feed of events (and of the
 * derived events they emit), its timers, the flush at the end of a replay,
 * and its queries. The rest of the engine is in the correlate_*.c files;
 * correlate_int.h says which holds what. */
#include "engine/correlate/correlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/correlate_int.h"
#include "engine/decode/event.h"
#include "engine/lib/clock.h"
#include "engine/lib/keytab.h"
#include "engine/correlate/match.h"
#include "engine/lib/timerwheel.h"

static const char *const action_names[] = {
#define X(name, text) text,
    FL_ACTION_KINDS(X)
#undef X
};

const char *fl_action_name(enum fl_action_type t)
{
	return (unsigned)t < FL_ACTION__COUNT ? action_names[t] : "?";
}

/* ---- lifecycle ------------------------------------------------------------- */

/* Adds correlation c to rule r's list (absorbed: the correlations that
 * absorb it, else those it feeds), once however often c names r; with
 * fill false only counts. */
static void link_rule(struct fl_engine *e, uint32_t r, uint32_t c, bool absorbed, bool fill)
{
	const struct fl_prog_correlation *co = &e->prog->correlations[c];
	struct rule_info *ri = &e->ri[r];
	uint32_t *list = absorbed ? ri->absorbers : ri->corrs;
	size_t *n = absorbed ? &ri->n_absorbers : &ri->n_corrs;
	int64_t grace = absorbed ? co->within_ms + co->hold_ms : co->within_ms;

	if (!fill) {
		(*n)++;
		return;
	}
	if (*n > 0 && list[*n - 1] == c)
		return;
	list[(*n)++] = c;
	if (!absorbed && co->locate != FL_LOCATE_GROUP)
		ri->is_span_input = true;
	if (!absorbed && co->locate == FL_LOCATE_GROUP && ri->group_corr == FL_PROG_NONE)
		ri->group_corr = c;
	if ((absorbed || co->locate == FL_LOCATE_GROUP) && grace > ri->grace_ms)
		ri->grace_ms = grace;
}

/* Gives each rule its two lists, as counted, out of one block (e->links):
 * an engine is made for each plan test, and two allocations a rule were
 * most of its making. */
static int carve_lists(struct fl_engine *e)
{
	size_t total = 0, at = 0;

	for (uint32_t r = 0; r < e->prog->n_rules; r++)
		total += e->ri[r].n_corrs + e->ri[r].n_absorbers;
	if (total == 0)
		return 0;
	e->links = malloc(total * sizeof(*e->links));
	if (!e->links)
		return -ENOMEM;
	for (uint32_t r = 0; r < e->prog->n_rules; r++) {
		struct rule_info *ri = &e->ri[r];

		ri->corrs = e->links + at;
		at += ri->n_corrs;
		ri->absorbers = e->links + at;
		at += ri->n_absorbers;
		ri->n_corrs = ri->n_absorbers = 0;
	}
	return 0;
}

/* Each rule's correlations, in plan order, from the correlations' own
 * lists: asking every correlation about every rule cost rules x
 * correlations, and a list sized for every correlation per rule. Counts
 * first, then fills. */
static int link_correlations(struct fl_engine *e)
{
	const struct fl_program *prog = e->prog;

	for (int fill = 0; fill < 2; fill++) {
		for (uint32_t c = 0; c < prog->n_correlations; c++) {
			const struct fl_prog_correlation *co = &prog->correlations[c];

			for (uint32_t k = 0; k < co->n_inputs; k++)
				if (prog->rule_refs[co->first_input + k] < prog->n_rules)
					link_rule(e, prog->rule_refs[co->first_input + k], c, false,
						  fill);
			for (uint32_t k = 0; k < co->n_absorbs; k++)
				if (prog->rule_refs[co->first_absorb + k] < prog->n_rules)
					link_rule(e, prog->rule_refs[co->first_absorb + k], c, true,
						  fill);
		}
		if (!fill && carve_lists(e) < 0)
			return -ENOMEM;
	}
	return 0;
}

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
		/* `clear after quiet`; else a rule without a clear of its own
		 * forgets an idle key's window after it (it clears nothing) */
		ri->quiet_ms = rule->clear_quiet_ms > 0 ? rule->clear_quiet_ms
			       : rule->n_clear_conds > 0 ? 0
			       : rule->flap_ms > 0	? rule->flap_ms
			       : rule->threshold_ms > 0 ? rule->threshold_ms
							: rule->dedup_ms;
	}
	if (link_correlations(e) < 0)
		return -ENOMEM;
	for (uint32_t r = 0; r < prog->n_rules; r++) {
		struct rule_info *ri = &e->ri[r];

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
	e->places_hi = SIZE_MAX;
	if (cfg)
		e->cfg = *cfg;
	if (e->cfg.late_ms == 0)
		e->cfg.late_ms = FL_CORR_LATE_MS_DEFAULT;
	if (e->cfg.max_keys_per_rule == 0)
		e->cfg.max_keys_per_rule = FL_CORR_KEYS_PER_RULE_DEFAULT;
	if (e->cfg.max_keys == 0)
		e->cfg.max_keys = FL_CORR_KEYS_TOTAL_DEFAULT;
	if (e->cfg.max_key_bytes_per_rule == 0)
		e->cfg.max_key_bytes_per_rule = FL_CORR_KEY_BYTES_PER_RULE;
	if (e->cfg.max_keys < e->cfg.max_keys_per_rule)
		e->cfg.max_keys_per_rule = e->cfg.max_keys;
	e->now_ns = fl_clock_now_ns(clock);
	e->keys = calloc(prog->n_rules + 1, sizeof(*e->keys));
	if (!e->keys)
		goto out_destroy;
	if (e->cfg.match) {
		e->m = e->cfg.match;
		rc = fl_match_use_program(e->m, prog);
	} else {
		rc = fl_match_create(&e->m, prog);
	}
	if (rc < 0 ||
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
	for (size_t i = 0; i < e->n_live; i++)
		if (e->live[i])
			fl_corr_incident_release(e->live[i]);
	free(e->live);
	free(e->corr);
	for (size_t r = 0; e->keys && r < e->prog->n_rules; r++)
		fl_keytab_destroy(e->keys[r]);
	free(e->keys);
	free(e->links);
	free(e->ri);
	fl_keytab_destroy(e->spans);
	fl_keytab_destroy(e->sites);
	fl_keytab_destroy(e->groups);
	fl_keytab_destroy(e->resumed);
	fl_timerwheel_destroy(e->tw);
	if (!e->cfg.match)
		fl_match_destroy(e->m);
	free(e);
}

/* ---- operations ------------------------------------------------------------ */

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

void fl_engine_set_clock(struct fl_engine *e, struct fl_clock *clock)
{
	e->clock = clock;
}

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

/* A syslog line that names no host (no HOSTNAME, or RFC 5424's "-") is its
 * sender's, as rsyslog's $hostname is its $fromhost then: a device sending
 * straight to faultline with no name configured is found by its address
 * (an IPv4 sender on a dual-stack socket in dotted form). A line read from
 * a file has no sender and stays nameless. */
static const struct fl_event *with_sender_host(struct fl_engine *e, const struct fl_event *ev)
{
	const void *peer = &ev->peer;
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)peer)->sin6_addr;
	const char *text = NULL;

	if (ev->kind != FL_EVENT_SYSLOG || ev->syslog.hostname.len > 0 || !ev->has_peer)
		return ev;
	if (ev->peer.ss_family == AF_INET)
		text = inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr,
				 e->sender_host, sizeof(e->sender_host));
	else if (ev->peer.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6))
		text = inet_ntop(AF_INET, a6->s6_addr + 12, e->sender_host, sizeof(e->sender_host));
	else if (ev->peer.ss_family == AF_INET6)
		text = inet_ntop(AF_INET6, a6, e->sender_host, sizeof(e->sender_host));
	if (!text)
		return ev;
	/* a syslog event: its trap part (two thirds of the struct) is never
	 * read, and the copy is on the path of every such line */
	memcpy(&e->sender_ev, ev, offsetof(struct fl_event, trap));
	e->sender_ev.syslog.hostname = fl_str_make(text, strlen(text));
	return &e->sender_ev;
}

int fl_engine_feed(struct fl_engine *e, const struct fl_event *ev)
{
	int64_t t = ev->time_ns;

	e->stats.events++;
	if (fl_clock_kind(e->clock) == FL_CLOCK_LIVE)
		t = fl_clock_now_ns(e->clock); /* live: arrival order is time order */
	if (e->cfg.late_ms >= 0 ? t < e->now_ns - e->cfg.late_ms * FL_NS_PER_MS : t < e->now_ns) {
		e->stats.late++;
		if (e->cfg.explain)
			fl_corr_explain(e, "late: %" PRId64 " ms before the engine's time, past the "
					   "late tolerance: dropped", (e->now_ns - t) / FL_NS_PER_MS);
		return -ESTALE;
	}
	fl_engine_advance(e, t);
	feed_event(e, with_sender_host(e, ev), t);
	feed_derived(e);
	return 0;
}

static void feed_event(struct fl_engine *e, const struct fl_event *ev, int64_t t)
{
	const uint32_t *cands;
	size_t n;
	bool raised = false, matched = false;
	bool is_explaining = e->cfg.explain != NULL; /* tested once per event */
	struct fl_corr_explain_mark mark;

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
		if (res == FL_MATCH_NONE) {
			if (is_explaining)
				fl_corr_explain_miss(e, rule);
			continue;
		}
		matched = true;
		e->have_event = true;
		e->ev_rule = rule;
		klen = fl_corr_build_key(e, rule);
		if (is_explaining)
			fl_corr_explain_hit(e, rule, res, klen);
		if (klen == 0 || !(kt = fl_corr_rule_table(e, rule)))
			continue;
		if (res == FL_MATCH_FAULT) {
			if ((e->total_keys >= e->cfg.max_keys &&
			     !fl_keytab_peek(kt, e->keybuf, klen) && !fl_corr_make_room(e, kt)) ||
			    fl_keytab_upsert(kt, e->keybuf, klen, &v, &is_new) < 0) {
				if (is_explaining)
					fl_corr_explain_fault(e, rule, NULL, NULL);
				continue;
			}
			ks = v;
			if (is_new) {
				e->total_keys++;
				fl_timer_init(&ks->tb.t);
				ks->tb.kind = T_KEY;
				ks->rule = rule;
				ks->absent_due = ks->quiet_due = FL_CORR_NEVER;
			}
			if (is_explaining)
				fl_corr_explain_mark(e, ks, &mark);
			fl_corr_on_fault(e, rule, ks, t, &raised);
			if (is_explaining)
				fl_corr_explain_fault(e, rule, ks, &mark);
		} else {
			ks = fl_keytab_get(kt, e->keybuf, klen);
			if (is_explaining)
				fl_corr_explain_clear(e, ks);
			fl_corr_on_clear(e, rule, ks, t);
		}
		e->have_event = true;
		e->ev_rule = rule;
	}
	if (is_explaining && !matched)
		fl_corr_explain_unmatched(e);
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

/* ---- queries ------------------------------------------------------------- */

void fl_engine_stats(const struct fl_engine *e, struct fl_engine_stats *out)
{
	struct fl_match_stats ms;
	struct fl_timerwheel_stats ts;

	*out = e->stats;
	fl_match_stats(e->m, &ms);
	fl_timerwheel_stats(e->tw, &ts);
	out->regex_limit = ms.regex_limit;
	out->regex_pcre2 = ms.regex_runs;
	out->regex_rxlite = ms.regex_lite;
	out->regex_shared = ms.regex_shared;
	out->regex_compiled = ms.regex_compiled;
	out->regex_uncompiled = ms.regex_uncompiled;
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
