/* correlate_explain.c - the engine's account of each event for `replay
 * --explain` (docs/explain.md). Nothing here runs unless cfg.explain is
 * set: the feed tests that pointer once per event and calls these, which
 * write a line of text each through the callback. They read the engine's
 * state and never change it (the matcher's second look at a rule keeps its
 * stats as they were). See correlate_int.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "engine/correlate/correlate_int.h"
#include "engine/lib/buf.h"
#include "grammar/plan.h"

#define LINE_MAX_BYTES 2048

void fl_corr_explain(struct fl_engine *e, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->cfg.explain(e->cfg.explain_ctx, line);
}

static const char *rule_name(const struct fl_engine *e, uint32_t rule)
{
	return e->prog->rules[rule].name.p;
}

static void ms_text(char *out, size_t size, int64_t ms)
{
	fl_plan_format_ms(out, size, ms);
}

void fl_corr_explain_miss(struct fl_engine *e, uint32_t rule)
{
	struct fl_buf why;

	fl_buf_init(&why, LINE_MAX_BYTES);
	(void)fl_match_explain(e->m, rule, &why);
	fl_corr_explain(e, "rule %s: no match: %.*s", rule_name(e, rule), (int)why.len,
			why.p ? why.p : "");
	fl_buf_free(&why);
}

void fl_corr_explain_hit(struct fl_engine *e, uint32_t rule, enum fl_match_result res,
			 size_t klen)
{
	const char *side = res == FL_MATCH_FAULT ? "where" : "clear where";
	char shown[FL_CORR_KEY_MAX];

	if (klen == 0)
		fl_corr_explain(e, "rule %s: %s holds, but a key field is missing or the key is "
				   "too long: dropped", rule_name(e, rule), side);
	else {
		fl_corr_key_text(shown, sizeof(shown), e->keybuf);
		fl_corr_explain(e, "rule %s: %s holds, key \"%s\"", rule_name(e, rule), side,
				shown);
	}
}

void fl_corr_explain_mark(const struct fl_engine *e, const struct key_state *ks,
			  struct fl_corr_explain_mark *out)
{
	out->inc_id = ks && ks->inc ? ks->inc->pub.id : 0;
	out->opened = e->stats.opened;
	out->absorbed = e->stats.absorbed;
	out->suppressed = e->stats.suppressed;
}

/* The correlations a rule feeds, for "evidence for ...". */
static void explain_evidence(struct fl_engine *e, uint32_t rule)
{
	const struct rule_info *ri = &e->ri[rule];
	static const char *const locates[] = {
#define X(name, text) text,
		FL_LOCATES(X)
#undef X
	};

	for (size_t i = 0; i < ri->n_corrs; i++) {
		const struct fl_prog_correlation *c = &e->prog->correlations[ri->corrs[i]];
		char within[32], hold[32];

		ms_text(within, sizeof(within), c->within_ms);
		ms_text(hold, sizeof(hold), c->hold_ms);
		fl_corr_explain(e, "  evidence for correlation %s (locate %s, within %s%s%s)",
				c->name.p, locates[c->locate], within,
				c->hold_ms > 0 ? ", hold " : "", c->hold_ms > 0 ? hold : "");
	}
}

/* What became of a fault that emitted no action of its own. */
static void explain_quiet_fault(struct fl_engine *e, uint32_t rule, const struct key_state *ks)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	const struct rule_info *ri = &e->ri[rule];
	char t[32];

	if (ks->inc && ks->inc->is_pending) {
		ms_text(t, sizeof(t), ri->grace_ms);
		fl_corr_explain(e, "  held: incident #%" PRIu64 " raises after %s unless cleared",
				ks->inc->pub.id, t);
	} else if (r->absent_ms > 0) {
		ms_text(t, sizeof(t), r->absent_ms);
		fl_corr_explain(e, "  heard: the absence rule raises after %s of silence", t);
	} else if (r->flap_n > 0) {
		ms_text(t, sizeof(t), r->flap_ms);
		fl_corr_explain(e, "  flap window: %u changes within %s needed; not reached "
				   "(or the same state as the last message)", r->flap_n, t);
	} else if (r->threshold_n > 0 && ri->has_raise) {
		ms_text(t, sizeof(t), r->threshold_ms);
		fl_corr_explain(e, "  threshold window: %u within %s needed; not reached "
				   "(the key has seen %" PRIu64 ")", r->threshold_n, t, ks->count);
	} else if (!ri->has_raise && ri->n_corrs == 0) {
		fl_corr_explain(e, "  the rule raises nothing and feeds no correlation");
	} else if (ri->has_raise) {
		fl_corr_explain(e, "  no incident: another rule of this event raised already");
	}
	explain_evidence(e, rule);
}

void fl_corr_explain_fault(struct fl_engine *e, uint32_t rule, const struct key_state *ks,
			   const struct fl_corr_explain_mark *before)
{
	const struct fl_prog_rule *r = &e->prog->rules[rule];
	char t[32];

	if (!ks) {
		fl_corr_explain(e, "  dropped: no room for a new key (max keys)");
		return;
	}
	if (before->inc_id) {
		ms_text(t, sizeof(t), r->dedup_ms);
		fl_corr_explain(e, "  tallied on its key's open incident #%" PRIu64 " (now %" PRIu64
				   " events)%s%s", before->inc_id,
				ks->inc ? ks->inc->pub.count : ks->count,
				r->dedup_ms > 0 ? "; dedup " : "", r->dedup_ms > 0 ? t : "");
		return;
	}
	if (e->stats.absorbed != before->absorbed && ks->absorbed_into) {
		/* the absorb action is emitted once per key; say it each time */
		fl_corr_explain(e, "  absorbed into incident #%" PRIu64, ks->absorbed_into);
		return;
	}
	if (e->stats.absorbed != before->absorbed || e->stats.opened != before->opened ||
	    e->stats.suppressed != before->suppressed)
		return; /* the actions say it, each on its line */
	explain_quiet_fault(e, rule, ks);
}

void fl_corr_explain_clear(struct fl_engine *e, const struct key_state *ks)
{
	if (!ks || !ks->inc)
		fl_corr_explain(e, "  a clear with no open incident for its key: nothing to clear");
	else if (ks->inc->is_pending)
		fl_corr_explain(e, "  clears the held incident #%" PRIu64 " before it raised",
				ks->inc->pub.id);
}

void fl_corr_explain_action(struct fl_engine *e, const struct fl_action *a)
{
	const struct fl_incident *inc = a->incident;

	/* outside an event's rules: a timer that came due by the event's time */
	fl_corr_explain(e, "  -> %s%s incident #%" PRIu64 " \"%s\" (%s %s)%s%s%s%s",
			e->cur_ev ? "" : "(timer) ", fl_action_name(a->type), inc->id, inc->title,
			inc->is_correlation ? "correlation" : "rule", inc->source_name,
			a->rule ? ", absorbs rule " : "", a->rule ? a->rule : "",
			a->reason ? ", " : "", a->reason ? a->reason : "");
}

/* No rule matched: the rule whose `where` came nearest, by conditions held
 * in the order the matcher checks them (the first in the plan on a tie). */
void fl_corr_explain_unmatched(struct fl_engine *e)
{
	bool is_syslog = e->cur_ev->kind == FL_EVENT_SYSLOG;
	uint32_t best = FL_PROG_NONE;
	size_t best_held = 0;
	struct fl_buf why;

	fl_buf_init(&why, LINE_MAX_BYTES);
	for (uint32_t rule = 0; rule < (uint32_t)e->prog->n_rules; rule++) {
		size_t held;

		if ((e->prog->rules[rule].input == FL_RULE_INPUT_SYSLOG) != is_syslog)
			continue;
		fl_buf_reset(&why);
		held = fl_match_explain(e->m, rule, &why);
		if (best == FL_PROG_NONE || held > best_held) {
			best = rule;
			best_held = held;
		}
	}
	if (best == FL_PROG_NONE) {
		fl_corr_explain(e, "no rule matched (no rule takes %s)",
				is_syslog ? "syslog" : "traps");
	} else {
		fl_buf_reset(&why);
		(void)fl_match_explain(e->m, best, &why);
		fl_corr_explain(e, "no rule matched (nearest rule: %s, %.*s)", rule_name(e, best),
				(int)why.len, why.p ? why.p : "");
	}
	fl_buf_free(&why);
}
