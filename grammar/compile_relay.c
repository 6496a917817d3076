/* compile_relay.c - pass 3 for the plan's `relay directives { ... }` block:
 * how a dispatch directive goes down the branches, who is told at each
 * level, how long a level has to acknowledge, who hears of a late one and
 * where reports go (program.h, struct fl_prog_relay; docs/directives.md).
 *
 *     relay directives {
 *         city within 15m notify duty_room, leader_in_charge via sms, email;
 *         county within 30m notify duty_room, leader_in_charge via sms;
 *         late after 0s notify leader_in_charge at own via sms;
 *         late after 15m notify duty_room at above via sms;
 *         report notify duty_room at above via email;
 *     }
 */
#include "grammar/compile_int.h"

static const char *const relay_words[] = {
#define X(name, text) text,
	FL_RELAY_KINDS(X)
#undef X
};
static const char *const whose_words[] = {"own", "above"};

/* ROLE[, ROLE...] at item *i, into relay_roles[]. */
static bool relay_roles(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
			struct fl_prog_relay *r)
{
	r->first_role = (uint32_t)c->prog->n_relay_roles;
	for (;; (*i)++) {
		uint32_t *role;

		if (!want_word(c, s, *i, "a contact role"))
			return false;
		if (!(role = PUSH(c, relay_roles)))
			return false;
		*role = resolve(c, &c->roles, s->items[*i], "role");
		if (!is_op(at(s, *i + 1), ","))
			break;
		(*i)++;
	}
	(*i)++;
	r->n_roles = (uint32_t)(c->prog->n_relay_roles - r->first_role);
	return true;
}

/* `at own|above`, only where a level is relative: late and report lines. */
static bool relay_whose(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
			struct fl_prog_relay *r)
{
	int k;

	if (!is_word(at(s, *i), "at"))
		return true;
	if (r->kind == FL_RELAY_CITY || r->kind == FL_RELAY_COUNTY) {
		fl_diag_error(c->d, &s->items[*i]->loc,
			      "a '%s' line tells the %s branches themselves: it takes no 'at'",
			      s->items[0]->text, s->items[0]->text);
		return false;
	}
	(*i)++;
	if (!want_word(c, s, *i, "'own' or 'above'"))
		return false;
	if ((k = keyword(c, s->items[*i], "relay scope", whose_words, 2)) < 0)
		return false;
	if (r->kind == FL_RELAY_REPORT && k == 0) {
		fl_diag_error(c->d, &s->items[*i]->loc,
			      "a report goes up to the level above: 'at above', not 'at own'");
		return false;
	}
	r->is_above = k == 1;
	(*i)++;
	return true;
}

/* The timing of a line: `within DUR` (city, county), `after DUR` (late),
 * nothing (report). */
static bool relay_timing(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
			 struct fl_prog_relay *r)
{
	const char *word = r->kind == FL_RELAY_LATE ? "after" : "within";

	if (r->kind == FL_RELAY_REPORT)
		return true;
	if (!is_word(at(s, *i), word)) {
		expected(c, s, *i, r->kind == FL_RELAY_LATE
				       ? "'after DURATION' (past the acknowledgement deadline)"
				       : "'within DURATION' (the time to acknowledge)");
		return false;
	}
	if (!want_duration(c, s, ++*i, &r->ms))
		return false;
	if (r->kind != FL_RELAY_LATE && (r->ms <= 0 || r->ms > FL_RELAY_WITHIN_MAX_MS)) {
		fl_diag_error(c->d, &s->items[*i]->loc,
			      "an acknowledgement is due within more than 0s and at most 7d");
		return false;
	}
	if (r->kind == FL_RELAY_LATE && r->ms > FL_RELAY_WITHIN_MAX_MS) {
		fl_diag_error(c->d, &s->items[*i]->loc, "a late step fires at most 7d after the deadline");
		return false;
	}
	(*i)++;
	return true;
}

/* One line of the block: KIND [within|after DUR] notify ROLES [at own|above]
 * via CHANNELS. */
static void compile_relay_line(struct fl_compile *c, const struct fl_ast_stmt *s, int kind)
{
	struct fl_prog_relay *r = PUSH(c, relays);
	size_t i = 1;

	if (!r)
		return;
	r->kind = (enum fl_relay_kind)kind;
	r->is_above = kind == FL_RELAY_REPORT;
	if (!relay_timing(c, s, &i, r))
		return;
	if (!is_word(at(s, i), "notify")) {
		expected(c, s, i, "'notify ROLE'");
		return;
	}
	i++;
	if (!relay_roles(c, s, &i, r) || !relay_whose(c, s, &i, r))
		return;
	compile_via(c, s, i, &r->first_channel, &r->n_channels);
}

/* Once per level; late lines in the order they fire, at most
 * FL_RELAY_LATE_MAX of them (the store counts the steps a branch took). */
static void relay_line_checks(struct fl_compile *c, const struct fl_ast_stmt *s, int kind,
			      const struct fl_ast_stmt **seen, size_t *n_late, int64_t *last_late_ms)
{
	const struct fl_prog_relay *r = &c->prog->relays[c->prog->n_relays - 1];

	if (kind != FL_RELAY_LATE) {
		(void)once(c, s, &seen[kind]);
		return;
	}
	if (++*n_late == FL_RELAY_LATE_MAX + 1)
		fl_diag_error(c->d, &s->items[0]->loc, "a relay block has at most %d late lines",
			      FL_RELAY_LATE_MAX);
	if (r->ms < *last_late_ms)
		fl_diag_error(c->d, &s->items[0]->loc,
			      "late lines are written in the order they fire: this one comes "
			      "before the one above it");
	*last_late_ms = r->ms;
}

/* relay directives { LINE; ... }: once per plan, with a city or a county line. */
void compile_relay(struct fl_compile *c, const struct fl_ast_stmt *st)
{
	static const char *const what_words[] = {"directives"};
	const struct fl_ast_stmt *seen[FL_RELAY__COUNT] = {0};
	int64_t last_late_ms = 0;
	size_t n_late = 0;

	if (!want_word(c, st, 1, "what is relayed ('directives')") ||
	    keyword(c, st->items[1], "relay", what_words, 1) < 0)
		return;
	if (c->relay_stmt) {
		fl_diag_error(c->d, &st->items[0]->loc, "a plan has one relay block");
		fl_diag_note(c->d, &c->relay_stmt->items[0]->loc, "first given here");
		return;
	}
	c->relay_stmt = st;
	if (!st->block_loc) {
		struct fl_loc l = after_loc(st, st->nitems);

		fl_diag_error(c->d, &l, "expected '{' after 'relay directives'");
		return;
	}
	no_more(c, st, 2);
	for (const struct fl_ast_stmt *s = st->body; s && !c->oom; s = s->next) {
		int kind = clause(c, s, "relay clause", relay_words, FL_RELAY__COUNT);
		size_t before = c->prog->n_relays;

		if (kind < 0)
			continue;
		compile_relay_line(c, s, kind);
		if (c->prog->n_relays > before)
			relay_line_checks(c, s, kind, seen, &n_late, &last_late_ms);
	}
	if (!seen[FL_RELAY_CITY] && !seen[FL_RELAY_COUNTY])
		fl_diag_error(c->d, &st->items[1]->loc,
			      "'relay directives' has no 'city' or 'county' line: nobody would be told");
}
