/* compile_blocks.c - pass 3: the bodies of levels, ladders, announcements,
 * maintenance windows, rules and correlations. */
#include "grammar/compile_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/civil.h"

static const char *const class_words[] = {
#define X(name, text) text,
	FL_LOC_CLASSES(X)
#undef X
};

/* circuits PRIORITY[, PRIORITY...]: the circuit priorities that raise an
 * incident to this level when it brings one of them down. */
static void compile_level_circuits(struct fl_compile *c, const struct fl_ast_stmt *s,
				   struct fl_prog_level *lv)
{
	static const char *const prio_words[] = {
#define X(name, text) text,
	    FL_CIRCUIT_PRIORITIES(X)
#undef X
	};
	size_t i;

	for (i = 1; i < s->nitems; i++) {
		int k;

		if (is_op(s->items[i], ",") && i + 1 < s->nitems)
			continue;
		if (!want_word(c, s, i, "a circuit priority (urgent, severe, general)"))
			return;
		k = keyword(c, s->items[i], "circuit priority", prio_words, FL_CPRIO__COUNT);
		if (k >= 0)
			lv->circuit_priorities |= 1u << k;
	}
	if (!lv->circuit_priorities)
		expected(c, s, i, "a circuit priority (urgent, severe, general)");
}

/* respond DURATION;  respond at once within DURATION;
 * The respond clock runs from the moment the ticket is raised and is met by
 * its acknowledgement. "At once" is a short grace the duty operator has to
 * acknowledge in: a clock of 0s would be missed the moment the ticket is
 * raised, whoever answered, so it gets a warning that says what to write. */
static void level_respond(struct fl_compile *c, const struct fl_ast_stmt *s,
			  struct fl_prog_level *lv)
{
	int64_t ms;
	size_t d;

	if (is_word(at(s, 1), "at")) {
		if (!is_word(at(s, 2), "once")) {
			expected(c, s, 2, "'once within DURATION'");
			return;
		}
		if (!is_word(at(s, 3), "within")) {
			expected(c, s, 3, "'within DURATION' (the time the duty operator has to "
					  "acknowledge)");
			return;
		}
		if (!want_duration(c, s, 4, &ms))
			return;
		if (ms == 0) {
			fl_diag_error(c->d, &s->items[4]->loc,
				      "'respond at once' needs a grace longer than 0s: the time the "
				      "duty operator has to acknowledge (e.g. 'within 2m')");
			return;
		}
		lv->respond_ms = ms;
		lv->respond_at_once = true;
		no_more(c, s, 5);
		return;
	}
	d = is_word(at(s, 1), "within") ? 2 : 1; /* respond within 30m, as the plan says */
	if (want_duration(c, s, d, &ms)) {
		lv->respond_ms = ms;
		if (ms == 0)
			fl_diag_warning(c->d, &s->items[d]->loc,
					"'respond 0s' is missed the moment the ticket is raised, "
					"however fast it is acknowledged: write 'respond at once "
					"within 2m;' with the time the duty operator has to "
					"acknowledge");
	}
	no_more(c, s, d + 1);
}

void compile_level(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"label",  "respond", "onsite",
					    "repair", "ladder",  "circuits"};
	struct fl_prog_level *lv = &c->prog->levels[index];
	const struct fl_ast_stmt *seen[6] = {0};

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		int k = clause(c, s, "level setting", words, FL_ARRAY_LEN(words)), cls;
		int64_t ms;
		size_t d;

		if (k < 0 || (k != 2 && !once(c, s, &seen[k])))
			continue;
		lv = &c->prog->levels[index];
		switch (k) {
		case 0:
			if (want_kind(c, s, 1, FL_ITEM_STRING, "a label in quotes"))
				lv->label = arena_str(c, s->items[1]->text, s->items[1]->len);
			no_more(c, s, 2);
			break;
		case 1:
			level_respond(c, s, lv);
			break;
		case 3:
			d = is_word(at(s, 1), "within") ? 2 : 1;
			if (want_duration(c, s, d, &ms))
				lv->repair_ms = ms;
			no_more(c, s, d + 1);
			break;
		case 2:
			if (!want_word(c, s, 1, "a location class (city, county, township)"))
				break;
			cls = keyword(c, s->items[1], "location class", class_words, FL_CLASS__COUNT);
			d = is_word(at(s, 2), "within") ? 3 : 2;
			if (cls >= 0 && want_duration(c, s, d, &ms))
				lv->onsite_ms[cls] = ms;
			no_more(c, s, d + 1);
			break;
		case 4:
			if (want_word(c, s, 1, "a ladder name"))
				lv->ladder = resolve(c, &c->ladders, s->items[1], "ladder");
			no_more(c, s, 2);
			break;
		case 5:
			compile_level_circuits(c, s, lv);
			break;
		}
	}
	if (!seen[1])
		fl_diag_error(c->d, &st->items[1]->loc, "level '%s' has no 'respond' clock",
			      st->items[1]->text);
}

const char *const scope_words[FL_SCOPE__COUNT] = {
#define X(name, text) text,
	FL_SCOPES(X)
#undef X
};
static const char *const cond_words[] = {
#define X(name, text) text,
	FL_STEP_CONDS(X)
#undef X
};
static const char *const when_words[] = {
#define X(name, text) text,
	FL_STEP_WHENS(X)
#undef X
};

/* via CHANNEL[, CHANNEL...] at item i (a ladder step's, an announcement's, a relay line's):
 * the channels are appended to step_channels, *first and *n name them. */
void compile_via(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i, uint32_t *first,
		 uint32_t *n)
{
	if (!is_word(at(s, i), "via")) {
		expected(c, s, i, "'via CHANNEL'");
		return;
	}
	*first = (uint32_t)c->prog->n_step_channels;
	for (i++; i < s->nitems; i++) {
		uint32_t *ch;

		if (is_op(s->items[i], ",") && i + 1 < s->nitems)
			continue;
		if (!want_word(c, s, i, "a channel"))
			return;
		if (!(ch = PUSH(c, step_channels)))
			return;
		*ch = resolve(c, &c->channels, s->items[i], "channel");
	}
	*n = (uint32_t)(c->prog->n_step_channels - *first);
	if (*n == 0)
		expected(c, s, i, "a channel");
}

static bool step_is_untimed(enum fl_step_when when)
{
	return when == FL_WHEN_CLEARED || when == FL_WHEN_QUIET || when == FL_WHEN_WORSENED;
}

/* `step cleared` and `step quiet` fire when the incident clears (by its
 * alarm; by its alarms going quiet), `step worsened` each time it worsens:
 * no delay, no incident state. */
static bool step_untimed_ok(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			    enum fl_step_when when)
{
	static const char *const no_state[] = {
	    [FL_WHEN_CLEARED] = "'cleared' takes no incident state: the service is restored "
				"when it fires",
	    [FL_WHEN_QUIET] = "'quiet' takes no incident state: it fires when the alarms "
			      "have gone quiet",
	    [FL_WHEN_WORSENED] = "'worsened' takes no incident state: it fires when the "
				 "incident grows (a second cut, a site gone down)",
	};
	const char *name = when == FL_WHEN_CLEARED ? "cleared"
			   : when == FL_WHEN_QUIET ? "quiet"
						   : "worsened";

	if (!step_is_untimed(when))
		return true;
	if (at(s, i) && (at(s, i)->kind == FL_ITEM_DURATION || at(s, i)->kind == FL_ITEM_NUMBER)) {
		fl_diag_error(c->d, &at(s, i)->loc, "'%s' takes no delay: the step fires %s", name,
			      when == FL_WHEN_WORSENED ? "when the incident worsens"
						       : "when the incident clears");
		return false;
	}
	if (at(s, i) && at(s, i)->kind == FL_ITEM_WORD && !is_word(at(s, i), "notify")) {
		fl_diag_error(c->d, &at(s, i)->loc, "%s", no_state[when]);
		return false;
	}
	return true;
}

/* step after DUR [COND] notify ROLE [at SCOPE] via CH[, CH];
 * step CLOCK [+DUR] [COND] notify ...;   CLOCK: respond, onsite, repair (missed) */
static void compile_step(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	struct fl_prog_step *step = PUSH(c, steps);
	size_t i = 1;
	int k;

	if (!step)
		return;
	step->role = FL_PROG_NONE;
	if (!want_word(c, s, i,
		       "'after', a clock (respond, onsite, repair), 'cleared', 'quiet' or "
		       "'worsened'"))
		return;
	if ((k = keyword(c, s->items[i], "step timing", when_words, FL_ARRAY_LEN(when_words))) < 0)
		return;
	step->when = (enum fl_step_when)k;
	i++;
	if (!step_untimed_ok(c, s, i, step->when))
		return;
	if (k == FL_WHEN_AFTER || (at(s, i) && at(s, i)->kind == FL_ITEM_DURATION)) {
		if (!want_duration(c, s, i, &step->delay_ms))
			return;
		i++;
	}
	if (at(s, i) && at(s, i)->kind == FL_ITEM_WORD && !is_word(at(s, i), "notify")) {
		if ((k = keyword(c, s->items[i], "incident state", cond_words,
				 FL_ARRAY_LEN(cond_words))) < 0)
			return;
		step->cond = (enum fl_step_cond)k;
		i++;
	}
	if (!is_word(at(s, i), "notify")) {
		expected(c, s, i, "'notify ROLE'");
		return;
	}
	i++;
	if (!want_word(c, s, i, "a contact role"))
		return;
	step->role = resolve(c, &c->roles, s->items[i++], "role");
	if (is_word(at(s, i), "at")) {
		i++;
		if (!want_word(c, s, i, "a scope (own, county, city, region, customer)"))
			return;
		if ((k = keyword(c, s->items[i], "scope", scope_words, FL_SCOPE__COUNT)) < 0)
			return;
		step->scope = (enum fl_scope)k;
		i++;
	}
	compile_via(c, s, i, &step->first_channel, &step->n_channels);
}

/* ladder NAME { step ...; ... }: at least one step, and no more timed steps
 * than an incident can schedule (FL_LADDER_STEPS_MAX): the engine would
 * silently drop the steps past it, so the first of them is an error. A
 * `step cleared`, `step quiet` or `step worsened` line is not scheduled (the
 * clear or the worsening fires it) and takes no place. */
void compile_ladder(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"step"};
	uint32_t first = (uint32_t)c->prog->n_steps;
	const struct fl_ast_stmt *past_cap = NULL;
	size_t n_steps = 0;

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		if (clause(c, s, "ladder clause", words, 1) != 0)
			continue;
		size_t before = c->prog->n_steps;

		compile_step(c, s);
		if (c->prog->n_steps > before &&
		    step_is_untimed(c->prog->steps[c->prog->n_steps - 1].when))
			continue;
		if (++n_steps == FL_LADDER_STEPS_MAX + 1)
			past_cap = s;
	}
	c->prog->ladders[index].first_step = first;
	c->prog->ladders[index].n_steps = (uint32_t)(c->prog->n_steps - first);
	if (first == c->prog->n_steps)
		fl_diag_error(c->d, &st->items[1]->loc, "ladder '%s' has no step",
			      st->items[1]->text);
	if (past_cap)
		fl_diag_error(c->d, &past_cap->items[0]->loc,
			      "ladder '%s' has %zu timed steps; an incident schedules at most %d",
			      st->items[1]->text, n_steps, FL_LADDER_STEPS_MAX);
}

/* before DUR notify ROLE [at customer] via CH[, CH];  (inside announce maintenance) */
static void compile_announce_line(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	struct fl_prog_announce *an = PUSH(c, announces);
	size_t i = 1;
	int k;

	if (!an)
		return;
	an->role = FL_PROG_NONE;
	if (!want_duration(c, s, i++, &an->before_ms))
		return;
	if (an->before_ms > FL_ANNOUNCE_BEFORE_MAX_MS) {
		fl_diag_error(c->d, &s->items[1]->loc,
			      "announcements are made at most 366d ahead");
		an->role = FL_PROG_NONE;
		return;
	}
	if (!is_word(at(s, i), "notify")) {
		expected(c, s, i, "'notify ROLE'");
		return;
	}
	i++;
	if (!want_word(c, s, i, "a contact role"))
		return;
	an->role = resolve(c, &c->roles, s->items[i++], "role");
	if (is_word(at(s, i), "at")) {
		i++;
		if (!want_word(c, s, i, "the scope 'customer'"))
			return;
		if ((k = keyword(c, s->items[i], "scope", scope_words, FL_SCOPE__COUNT)) < 0)
			return;
		if (k != FL_SCOPE_CUSTOMER) {
			fl_diag_error(c->d, &s->items[i]->loc,
				      "maintenance is announced to customers: the scope is 'customer', "
				      "not '%s'", s->items[i]->text);
			return;
		}
		i++;
	}
	compile_via(c, s, i, &an->first_channel, &an->n_channels);
}

/* announce maintenance { before DUR notify ROLE [at customer] via CH, ...; ... } */
void compile_announce(struct fl_compile *c, const struct fl_ast_stmt *st)
{
	static const char *const what_words[] = {"maintenance"};
	static const char *const words[] = {"before"};
	size_t first = c->prog->n_announces;

	if (!want_word(c, st, 1, "what is announced ('maintenance')") ||
	    keyword(c, st->items[1], "announcement", what_words, 1) < 0)
		return;
	if (!st->block_loc) {
		struct fl_loc l = after_loc(st, st->nitems);

		fl_diag_error(c->d, &l, "expected '{' after 'announce maintenance'");
		return;
	}
	no_more(c, st, 2);
	for (const struct fl_ast_stmt *s = st->body; s; s = s->next)
		if (clause(c, s, "announce clause", words, 1) == 0)
			compile_announce_line(c, s);
	if (first == c->prog->n_announces && !st->body)
		fl_diag_error(c->d, &st->items[1]->loc,
			      "'announce maintenance' has no 'before DURATION notify ...' line");
}

/* ISO 8601 with offset: 2026-11-28T00:30:00+08:00 (or Z) -> ns since the epoch. */
static bool parse_iso8601(const char *s, int64_t *ns)
{
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	char sign;
	int64_t days;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	/* nanoseconds since 1970 in an int64_t end in April 2262 */
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > fl_days_in_month(y, (unsigned)mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || y < 1970 || y > 2261)
		return false;
	sign = s[19];
	if (sign == 'Z' && s[20] == '\0') {
		sign = '+';
	} else if ((sign == '+' || sign == '-') && strlen(s + 20) == 5 && s[22] == ':') {
		if (sscanf(s + 20, "%2d:%2d", &oh, &om) != 2 || oh < 0 || oh > 23 || om < 0 ||
		    om > 59)
			return false;
	} else {
		return false;
	}
	days = fl_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*ns = ((days * 86400 + h * 3600 + mi * 60 + sec) -
	       (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60)) *
	      1000000000LL;
	return true;
}

static const char *const wscope_words[] = {
#define X(name, text) text,
	FL_WINDOW_SCOPES(X)
#undef X
};

void compile_window(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"scope", "from", "until", "reason"};
	const struct fl_ast_stmt *seen[4] = {0};
	struct fl_prog_window *w;

	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		int k = clause(c, s, "maintenance clause", words, FL_ARRAY_LEN(words)), sc;
		int64_t ns;

		if (k < 0 || !once(c, s, &seen[k]))
			continue;
		w = &c->prog->windows[index];
		switch (k) {
		case 0:
			if (!want_word(c, s, 1, "a scope (device, site, ring, span, city)"))
				break;
			sc = keyword(c, s->items[1], "maintenance scope", wscope_words,
				     FL_ARRAY_LEN(wscope_words));
			if (sc < 0 || !want_name(c, s, 2, "the target's name"))
				break;
			w->scope = (enum fl_window_scope)sc;
			w->target = arena_str(c, s->items[2]->text, s->items[2]->len);
			no_more(c, s, 3);
			break;
		case 1:
		case 2:
			if (!want_kind(c, s, 1, FL_ITEM_STRING, "a time \"2026-11-28T00:30:00+08:00\""))
				break;
			if (!parse_iso8601(s->items[1]->text, &ns)) {
				fl_diag_error(c->d, &s->items[1]->loc,
					      "'%s' is not a time like 2026-11-28T00:30:00+08:00 "
					      "(years 1970 to 2261)",
					      s->items[1]->text);
				break;
			}
			*(k == 1 ? &w->start_ns : &w->end_ns) = ns;
			no_more(c, s, 2);
			break;
		case 3:
			if (want_kind(c, s, 1, FL_ITEM_STRING, "a reason in quotes"))
				w->reason = arena_str(c, s->items[1]->text, s->items[1]->len);
			break;
		}
	}
	w = &c->prog->windows[index];
	for (int k = 0; k < 3; k++)
		if (!seen[k])
			fl_diag_error(c->d, &st->items[1]->loc, "maintenance '%s' has no '%s'",
				      st->items[1]->text, words[k]);
	if (seen[1] && seen[2] && w->end_ns <= w->start_ns && w->end_ns)
		fl_diag_error(c->d, &seen[2]->items[1]->loc, "window ends before it starts");
}

/* raise|update [level L] [title T] [ladder X];  set F T;  emit T;  run PLUGIN [T];  clear; */
static void compile_action(struct fl_compile *c, const struct fl_ast_stmt *s,
			   enum fl_action_kind kind)
{
	struct fl_prog_action a = {.kind = kind,
				   .level = FL_PROG_NONE,
				   .ladder = FL_PROG_NONE,
				   .title = FL_PROG_NONE,
				   .value = FL_PROG_NONE,
				   .plugin = FL_PROG_NONE};
	struct fl_prog_action *slot;
	size_t i = 1;

	switch (kind) {
	case FL_ACT_RAISE:
	case FL_ACT_UPDATE: {
		static const char *const words[] = {"level", "title", "ladder"};

		while (i < s->nitems) {
			int k = keyword(c, s->items[i], "incident attribute", words, 3);

			if (k < 0)
				return;
			if (k == 1) {
				if (!at(s, i + 1)) {
					expected(c, s, i + 1, "a title in quotes");
					return;
				}
				a.title = compile_template(c, s->items[i + 1]);
			} else if (want_word(c, s, i + 1, k == 0 ? "a level" : "a ladder")) {
				if (k == 0)
					a.level = resolve(c, &c->levels, s->items[i + 1], "level");
				else
					a.ladder = resolve(c, &c->ladders, s->items[i + 1], "ladder");
			} else {
				return;
			}
			i += 2;
		}
		if (kind == FL_ACT_RAISE && a.level == FL_PROG_NONE &&
		    !(i > 1 && s->nitems >= 2)) {
			struct fl_loc l = after_loc(s, 1);

			fl_diag_error(c->d, &l, "'raise' needs 'level NAME'");
		} else if (kind == FL_ACT_RAISE && a.level == FL_PROG_NONE) {
			bool has_level = false;

			for (size_t k = 1; k < s->nitems; k++)
				has_level |= is_word(s->items[k], "level");
			if (!has_level)
				fl_diag_error(c->d, &s->items[0]->loc, "'raise' needs 'level NAME'");
		}
		break;
	}
	case FL_ACT_SET:
		if (!want_word(c, s, 1, "a field name") || !at(s, 2)) {
			if (at(s, 1))
				expected(c, s, 2, "a value in quotes");
			return;
		}
		a.field = arena_str(c, s->items[1]->text, s->items[1]->len);
		a.value = compile_template(c, s->items[2]);
		no_more(c, s, 3);
		break;
	case FL_ACT_EMIT:
		if (!at(s, 1)) {
			expected(c, s, 1, "the derived event's text in quotes");
			return;
		}
		a.value = compile_template(c, s->items[1]);
		no_more(c, s, 2);
		break;
	case FL_ACT_RUN:
		if (!want_word(c, s, 1, "a plugin name"))
			return;
		a.plugin = resolve(c, &c->channels, s->items[1], "plugin");
		if (at(s, 2))
			a.value = compile_template(c, s->items[2]);
		no_more(c, s, 3);
		break;
	case FL_ACT_CLEAR:
		no_more(c, s, 1);
		break;
	}
	if ((slot = PUSH(c, actions)))
		*slot = a;
}

/* One field of a key or group (item i of s, or it of a set when i is
 * SIZE_MAX): appended to key_fields. false when it is no name at all. */
static bool compile_field(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			  const struct fl_ast_item *it)
{
	struct fl_prog_field f, *slot;

	/* a group by its number (key host, 1) is a field name too */
	if (!(it->kind == FL_ITEM_NUMBER && is_group_number(it->text)) && it->kind != FL_ITEM_WORD) {
		if (i < s->nitems)
			expected(c, s, i, "a field name");
		else
			fl_diag_error(c->d, &it->loc, "expected a field name, got %s '%s'",
				      item_kind_name(it), it->text);
		return false;
	}
	if (!resolve_field(c, it->text, &f))
		field_error(c, &it->loc, it->text);
	else if ((slot = PUSH(c, key_fields)))
		*slot = f;
	return true;
}

/* key F, F ...; group F, F ... (or the fields as one set, [F, F] or
 * (F, F)): appended to key_fields */
static void compile_fields(struct fl_compile *c, const struct fl_ast_stmt *s, uint32_t *first,
			   uint32_t *n)
{
	const struct fl_ast_item *set = s->nitems == 2 && s->items[1]->kind == FL_ITEM_SET
						? s->items[1]
						: NULL;

	*first = (uint32_t)c->prog->n_key_fields;
	for (const struct fl_ast_item *e = set ? next_value(set, NULL) : NULL; e;
	     e = next_value(set, e))
		if (!compile_field(c, s, SIZE_MAX, e))
			return;
	for (size_t i = 1; !set && i < s->nitems; i++) {
		if (is_op(s->items[i], ",") && i + 1 < s->nitems)
			continue;
		if (!compile_field(c, s, i, s->items[i]))
			return;
	}
	*n = (uint32_t)(c->prog->n_key_fields - *first);
	if (*n == 0 && (s->nitems == 1 || set))
		expected(c, s, 1, "a field name");
}

/* N within DUR (or N in DUR, as people also say it) */
static bool compile_n_within(struct fl_compile *c, const struct fl_ast_stmt *s, uint32_t *n,
			     int64_t *ms)
{
	int64_t count;

	if (!want_count(c, s, 1, &count))
		return false;
	if (!is_word(at(s, 2), "within") && !is_word(at(s, 2), "in")) {
		expected(c, s, 2, "'within DURATION'");
		return false;
	}
	if (!want_duration(c, s, 3, ms))
		return false;
	no_more(c, s, 4);
	if (count > (int64_t)FL_CORR_WINDOW_N_MAX) {
		fl_diag_error(c->d, &at(s, 1)->loc, "at most %u events fit a window, got %lld",
			      FL_CORR_WINDOW_N_MAX, (long long)count);
		return false;
	}
	*n = (uint32_t)count;
	return true;
}

static const char *const action_words[] = {
#define X(name, text) text,
	FL_ACTIONS(X)
#undef X
};

enum {
	R_MATCH, R_WHERE, R_LOOKUP, R_KEY, R_DEDUP, R_THRESHOLD, R_FLAP, R_ABSENT,
	R_CLEAR, R_RAISE, R_UPDATE, R_SET, R_EMIT, R_RUN, R_ON, R__COUNT
};
static const char *const rule_words[] = {"match", "where", "lookup", "key", "dedup",
					 "threshold", "flap", "absent", "clear", "raise",
					 "update", "set", "emit", "run", "on"};

/* match syslog|trap: the rule's input (required). */
static void rule_match(struct fl_compile *c, const struct fl_ast_stmt *st,
		       const struct fl_ast_stmt *s, struct fl_prog_rule *r)
{
	static const char *const inputs[] = {"syslog", "trap"};
	int k;

	if (!s) {
		fl_diag_error(c->d, &st->items[1]->loc, "rule '%s' has no 'match syslog|trap'",
			      st->items[1]->text);
		return;
	}
	if (want_word(c, s, 1, "syslog or trap") &&
	    (k = keyword(c, s->items[1], "input", inputs, 2)) >= 0)
		r->input = (enum fl_rule_input)k;
	c->scope.input = r->input;
	no_more(c, s, 2);
}

/* lookup device|mgmt_ip FIELD: which inventory device the event is about. */
static void rule_lookup(struct fl_compile *c, const struct fl_ast_stmt *s, struct fl_prog_rule *r)
{
	static const char *const lk[] = {"device", "mgmt_ip"};
	int k;

	if (want_word(c, s, 1, "'device FIELD' or 'mgmt_ip FIELD'") &&
	    (k = keyword(c, s->items[1], "lookup", lk, 2)) >= 0 &&
	    want_word(c, s, 2, "the field holding the name (host)")) {
		r->lookup = k == 0 ? FL_LOOKUP_DEVICE : FL_LOOKUP_MGMT_IP;
		if (!resolve_field(c, s->items[2]->text, &r->lookup_field))
			field_error(c, &s->items[2]->loc, s->items[2]->text);
		no_more(c, s, 3);
	}
	c->scope.has_lookup = true;
}

/* clear where COND [and COND...] [within DURATION]: the clearing event, and
 * the pair window: a clear later than the window after the fault that opened
 * it is not that fault's clear. The conditions end at the last 'within'. */
static void rule_clear_where(struct fl_compile *c, const struct fl_ast_stmt *s,
			     struct fl_prog_rule *r)
{
	struct fl_ast_stmt conds = *s;
	size_t w = 0;

	for (size_t i = s->nitems; i-- > 3;)
		if (is_word(s->items[i], "within")) {
			w = i;
			break;
		}
	if (w == 0) {
		compile_where(c, s, 2, &r->first_clear_cond, &r->n_clear_conds);
		return;
	}
	conds.nitems = w;
	compile_where(c, &conds, 2, &r->first_clear_cond, &r->n_clear_conds);
	if (!want_duration(c, s, w + 1, &r->pair_ms))
		return;
	no_more(c, s, w + 2);
	if (r->pair_ms == 0) {
		fl_diag_error(c->d, &s->items[w + 1]->loc,
			      "a pair window of 0s pairs no clear: give the time within which a "
			      "clear still belongs to its fault");
	}
}

/* Conditions: every where, in order (captures become fields as they appear),
 * then the one 'clear where'. */
static void rule_conditions(struct fl_compile *c, const struct fl_ast_stmt *st, const int *kinds,
			    size_t nstmt, struct fl_prog_rule *r)
{
	const struct fl_ast_stmt *s = st->body;

	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		if (kinds[i] == R_WHERE) {
			compile_where(c, s, 1, &r->first_cond, &r->n_conds);
			c->scope.n_captures = (uint32_t)(c->prog->n_captures - c->scope.first_capture);
		}
	}
	if (r->n_conds == 0)
		r->first_cond = (uint32_t)c->prog->n_conds;
	s = st->body;
	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		if (kinds[i] != R_CLEAR || !at(s, 1) || is_word(s->items[1], "after"))
			continue;
		if (!is_word(s->items[1], "where")) {
			expected(c, s, 1,
				 "'where CONDITION', 'after quiet DURATION' (or ';' to clear the "
				 "incident)");
			continue;
		}
		if (r->n_clear_conds) {
			fl_diag_error(c->d, &s->items[0]->loc,
				      "'clear where' given twice: join them with 'and'");
			continue;
		}
		rule_clear_where(c, s, r);
	}
	c->scope.n_captures = (uint32_t)(c->prog->n_captures - c->scope.first_capture);
}

/* Actions, in order; set fields become nameable by later templates. */
static void rule_actions(struct fl_compile *c, const struct fl_ast_stmt *st, const int *kinds,
			 size_t nstmt)
{
	const struct fl_ast_stmt *s = st->body;

	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		int k = kinds[i];

		if (k == R_CLEAR && at(s, 1))
			continue;
		if (k < R_CLEAR || k == R_ON)
			continue;
		compile_action(c, s,
			       (enum fl_action_kind)keyword(c, s->items[0], "action", action_words,
							    FL_ARRAY_LEN(action_words)));
		if (k == R_SET && at(s, 1) && s->items[1]->kind == FL_ITEM_WORD &&
		    c->scope.n_set_fields < FL_ARRAY_LEN(c->scope.set_fields))
			c->scope.set_fields[c->scope.n_set_fields++] = s->items[1]->text;
	}
}

/* clear after quiet DURATION: the rule's incident clears once its key has
 * had no event for that long. Nothing else clears by time: without it (and
 * without `clear where`) an incident stays open until a person resolves it. */
static void rule_clear_quiet(struct fl_compile *c, const struct fl_ast_stmt *st,
			     const int *kinds, size_t nstmt, struct fl_prog_rule *r)
{
	const struct fl_ast_stmt *s = st->body, *seen = NULL;

	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		int64_t ms;

		if (kinds[i] != R_CLEAR || !is_word(at(s, 1), "after"))
			continue;
		if (!is_word(at(s, 2), "quiet")) {
			expected(c, s, 2, "'quiet DURATION'");
			continue;
		}
		if (seen) {
			fl_diag_error(c->d, &s->items[0]->loc, "'clear after quiet' given twice");
			fl_diag_note(c->d, &seen->items[0]->loc, "first given here");
			continue;
		}
		seen = s;
		if (!want_duration(c, s, 3, &ms))
			continue;
		no_more(c, s, 4);
		if (ms == 0) {
			fl_diag_error(c->d, &s->items[3]->loc,
				      "'clear after quiet 0s' would clear the incident as it opens: "
				      "give the quiet time that means the fault is over");
			continue;
		}
		if (r->absent_ms > 0) {
			fl_diag_error(c->d, &s->items[0]->loc,
				      "an absent rule's incident clears when the device is heard "
				      "again: 'clear after quiet' does not apply");
			continue;
		}
		r->clear_quiet_ms = ms;
	}
}

/* on timeout raise ...; on timeout emit "T";: what a fault whose clear did
 * not come within the pair window does, compiled after the rule's actions.
 * Their templates are rendered when the fault opens the window (its fields
 * are at hand then, not when the timer fires), so each kind is given once. */
static void rule_timeouts(struct fl_compile *c, const int *kinds, size_t nstmt,
			  const struct fl_ast_stmt *st, struct fl_prog_rule *r)
{
	const struct fl_ast_stmt *s = st->body, *given[2] = {NULL, NULL};

	r->first_timeout_action = (uint32_t)c->prog->n_actions;
	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		struct fl_ast_stmt act;
		int k;

		if (kinds[i] != R_ON)
			continue;
		if (!is_word(at(s, 1), "timeout")) {
			expected(c, s, 1, "'timeout'");
			continue;
		}
		if (!r->pair_ms) {
			fl_diag_error(c->d, &s->items[0]->loc,
				      "'on timeout' needs a pair window: write 'clear where ... "
				      "within DURATION'");
			continue;
		}
		if (!want_word(c, s, 2, "'raise' or 'emit'"))
			continue;
		k = is_word(s->items[2], "raise") ? 0 : is_word(s->items[2], "emit") ? 1 : -1;
		if (k < 0) {
			fl_diag_error(c->d, &s->items[2]->loc,
				      "'on timeout' takes 'raise ...' or 'emit \"...\"', not '%s'",
				      s->items[2]->text);
			continue;
		}
		if (given[k]) {
			fl_diag_error(c->d, &s->items[2]->loc, "'on timeout %s' given twice",
				      s->items[2]->text);
			fl_diag_note(c->d, &given[k]->items[2]->loc, "first given here");
			continue;
		}
		given[k] = s;
		act = *s;
		act.items = s->items + 2;
		act.nitems = s->nitems - 2;
		compile_action(c, &act, k == 0 ? FL_ACT_RAISE : FL_ACT_EMIT);
	}
	r->n_timeout_actions = (uint32_t)(c->prog->n_actions - r->first_timeout_action);
}

/* A raising rule with a window (dedup, threshold, flap) and no clear of its
 * own used to clear when its key went quiet for that window. It no longer
 * does: say what to write to keep that, where the window is written. */
static void rule_clear_warn(struct fl_compile *c, const struct fl_ast_stmt *st,
			    const struct fl_ast_stmt *const *seen, const struct fl_prog_rule *r)
{
	const struct fl_ast_stmt *w = seen[R_FLAP] && r->flap_ms ? seen[R_FLAP]
				      : seen[R_THRESHOLD] && r->threshold_ms ? seen[R_THRESHOLD]
				      : seen[R_DEDUP] && r->dedup_ms ? seen[R_DEDUP] : NULL;
	int64_t ms = r->flap_ms ? r->flap_ms : r->threshold_ms ? r->threshold_ms : r->dedup_ms;
	bool raises = false;
	char d[32];

	for (uint32_t a = r->first_action; a < r->first_action + r->n_actions; a++)
		raises |= c->prog->actions[a].kind == FL_ACT_RAISE;
	if (!raises || !w || r->n_clear_conds || r->clear_quiet_ms || r->absent_ms)
		return;
	fl_plan_format_ms(d, sizeof(d), ms);
	fl_diag_warning(c->d, &w->items[0]->loc,
			"rule '%s' has no 'clear where' and no 'clear after quiet': its incident "
			"stays open until a person resolves it ('%s' does not clear it); write "
			"'clear after quiet %s;' to clear it when its alarms stop",
			st->items[1]->text, w->items[0]->text, d);
}

/* Does the rule name a group of its regexes by number (`${1}` in a
 * template, `key host, 1`)? Only then are its groups captured by number
 * too: most rules name theirs, and each capture costs every match. */
static bool rule_names_groups(const struct fl_ast_stmt *st)
{
	for (const struct fl_ast_stmt *s = st->body; s; s = s->next)
		for (size_t i = 0; i < s->nitems; i++) {
			const struct fl_ast_item *it = s->items[i];
			const char *p = it->text;

			if (i > 0 && it->kind == FL_ITEM_NUMBER && is_group_number(it->text) &&
			    is_word(s->items[0], "key"))
				return true;
			for (const struct fl_ast_item *e = it->kind == FL_ITEM_SET ? it->elems : NULL;
			     e && is_word(s->items[0], "key"); e = e->next)
				if (e->kind == FL_ITEM_NUMBER && is_group_number(e->text))
					return true; /* key (host, 1) */
			while (it->kind == FL_ITEM_STRING && (p = strstr(p, "${")) != NULL) {
				p += 2;
				if (*p >= '1' && *p <= '9')
					return true;
			}
		}
	return false;
}

void compile_rule(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	const struct fl_ast_stmt *seen[R__COUNT] = {0};
	struct fl_prog_rule r = {0};
	int kinds[FL_PLAN_MAX_ITEMS];
	size_t nstmt = 0;

	memset(&c->scope, 0, sizeof(c->scope));
	c->scope.in_rule = true;
	c->scope.names_groups = rule_names_groups(st);
	c->scope.stmt = st;
	r.name = arena_str(c, st->items[1]->text, st->items[1]->len);
	r.first_regex = (uint32_t)c->prog->n_regexes;
	r.first_action = (uint32_t)c->prog->n_actions;
	c->scope.first_capture = (uint32_t)c->prog->n_captures;
	/* classify clauses once; order of compilation is fixed below */
	for (const struct fl_ast_stmt *s = st->body; s; s = s->next, nstmt++) {
		int k = clause(c, s, "rule clause", rule_words, R__COUNT);

		if (nstmt < FL_ARRAY_LEN(kinds))
			kinds[nstmt] = k;
		if (k == R_CLEAR && at(s, 1))
			continue; /* clear where ...: the pair, compiled below */
		if (k == R_MATCH || k == R_LOOKUP || k == R_KEY || k == R_DEDUP ||
		    k == R_THRESHOLD || k == R_FLAP || k == R_ABSENT)
			once(c, s, &seen[k]);
	}
	if (nstmt > FL_ARRAY_LEN(kinds)) {
		fl_diag_error(c->d, &st->items[1]->loc, "rule '%s' has %zu clauses; the limit is %zu",
			      st->items[1]->text, nstmt, FL_ARRAY_LEN(kinds));
		nstmt = FL_ARRAY_LEN(kinds);
	}
	rule_match(c, st, seen[R_MATCH], &r);
	if (seen[R_LOOKUP])
		rule_lookup(c, seen[R_LOOKUP], &r);
	rule_conditions(c, st, kinds, nstmt, &r);
	r.n_regexes = (uint32_t)(c->prog->n_regexes - r.first_regex);
	if (seen[R_KEY])
		compile_fields(c, seen[R_KEY], &r.first_key, &r.n_keys);
	if (seen[R_DEDUP] && want_duration(c, seen[R_DEDUP], 1, &r.dedup_ms))
		no_more(c, seen[R_DEDUP], 2);
	if (seen[R_THRESHOLD])
		compile_n_within(c, seen[R_THRESHOLD], &r.threshold_n, &r.threshold_ms);
	if (seen[R_FLAP])
		compile_n_within(c, seen[R_FLAP], &r.flap_n, &r.flap_ms);
	if (seen[R_ABSENT] && want_duration(c, seen[R_ABSENT], 1, &r.absent_ms))
		no_more(c, seen[R_ABSENT], 2);
	rule_clear_quiet(c, st, kinds, nstmt, &r);
	rule_actions(c, st, kinds, nstmt);
	r.n_actions = (uint32_t)(c->prog->n_actions - r.first_action);
	rule_timeouts(c, kinds, nstmt, st, &r);
	rule_clear_warn(c, st, seen, &r);
	c->prog->rules[index] = r;
	c->scope.in_rule = false;
}

static const char *const locate_words[] = {
#define X(name, text) text,
	FL_LOCATES(X)
#undef X
};

/* rule names, comma-separated, into rule_refs */
static void compile_rule_list(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			      size_t end, uint32_t *first, uint32_t *n)
{
	*first = (uint32_t)c->prog->n_rule_refs;
	for (; i < end; i++) {
		uint32_t r, *slot;

		if (is_op(s->items[i], ",") && i + 1 < end)
			continue;
		if (!want_word(c, s, i, "a rule name"))
			return;
		r = resolve(c, &c->rules, s->items[i], "rule");
		if (r != FL_PROG_NONE && (slot = PUSH(c, rule_refs)))
			*slot = r;
	}
	*n = (uint32_t)(c->prog->n_rule_refs - *first);
	if (*n == 0 && i == end && end <= 1)
		expected(c, s, i, "a rule name");
}

enum { C_LOCATE, C_FROM, C_WITHIN, C_GROUP, C_ABSORB, C_HOLD, C_RAISE, C_UPDATE, C_SET,
       C_EMIT, C_RUN, C_CLEAR, C__COUNT };
static const char *const corr_words[] = {"locate", "from", "within", "group", "absorb", "hold",
					 "raise", "update", "set", "emit", "run", "clear"};

void compile_correlation(struct fl_compile *c, const struct fl_ast_stmt *st,
			 uint32_t index)
{
	const struct fl_ast_stmt *seen[C__COUNT] = {0};
	struct fl_prog_correlation k = {0};
	int kinds[FL_PLAN_MAX_ITEMS];
	size_t nstmt = 0;
	const struct fl_ast_stmt *s;

	memset(&c->scope, 0, sizeof(c->scope));
	c->scope.in_corr = true;
	c->scope.stmt = st;
	k.name = arena_str(c, st->items[1]->text, st->items[1]->len);
	for (s = st->body; s; s = s->next, nstmt++) {
		int w = clause(c, s, "correlation clause", corr_words, C__COUNT);

		if (nstmt < FL_ARRAY_LEN(kinds))
			kinds[nstmt] = w;
		if (w >= 0 && w < C_RAISE)
			once(c, s, &seen[w]);
	}
	if (nstmt > FL_ARRAY_LEN(kinds)) {
		fl_diag_error(c->d, &st->items[1]->loc,
			      "correlation '%s' has %zu clauses; the limit is %zu", st->items[1]->text,
			      nstmt, FL_ARRAY_LEN(kinds));
		nstmt = FL_ARRAY_LEN(kinds);
	}
	if (!seen[C_LOCATE]) {
		fl_diag_error(c->d, &st->items[1]->loc,
			      "correlation '%s' has no 'locate span|site|group'", st->items[1]->text);
	} else if (want_word(c, seen[C_LOCATE], 1, "span, site or group")) {
		int w = keyword(c, seen[C_LOCATE]->items[1], "locate kind", locate_words,
				FL_ARRAY_LEN(locate_words));

		if (w >= 0)
			k.locate = (enum fl_locate)w;
		no_more(c, seen[C_LOCATE], 2);
	}
	if (!seen[C_FROM])
		fl_diag_error(c->d, &st->items[1]->loc, "correlation '%s' has no 'from RULE, ...'",
			      st->items[1]->text);
	else
		compile_rule_list(c, seen[C_FROM], 1, seen[C_FROM]->nitems, &k.first_input,
				  &k.n_inputs);
	c->scope.input_rules_first = k.first_input;
	c->scope.n_input_rules = k.n_inputs;
	if (!seen[C_WITHIN])
		fl_diag_error(c->d, &st->items[1]->loc, "correlation '%s' has no 'within DURATION'",
			      st->items[1]->text);
	else if (want_duration(c, seen[C_WITHIN], 1, &k.within_ms))
		no_more(c, seen[C_WITHIN], 2);
	if (seen[C_HOLD] && want_duration(c, seen[C_HOLD], 1, &k.hold_ms))
		no_more(c, seen[C_HOLD], 2);
	if (seen[C_GROUP])
		compile_fields(c, seen[C_GROUP], &k.first_group, &k.n_group);
	else if (k.locate == FL_LOCATE_GROUP && seen[C_LOCATE])
		fl_diag_error(c->d, &seen[C_LOCATE]->items[0]->loc,
			      "'locate group' needs 'group FIELD, ...'");
	if (seen[C_ABSORB]) {
		const struct fl_ast_stmt *a = seen[C_ABSORB];
		size_t end = a->nitems;

		for (size_t i = 1; i < a->nitems; i++)
			if (is_word(a->items[i], "for")) {
				end = i;
				if (want_duration(c, a, i + 1, &k.absorb_ms))
					no_more(c, a, i + 2);
				break;
			}
		compile_rule_list(c, a, 1, end, &k.first_absorb, &k.n_absorbs);
	}
	k.first_action = (uint32_t)c->prog->n_actions;
	s = st->body;
	for (size_t i = 0; i < nstmt; i++, s = s->next) {
		if (kinds[i] < C_RAISE)
			continue;
		/* update and clear act on the incident a key opened before its
		 * event; a correlation's incident changes with its evidence */
		if (kinds[i] == C_UPDATE || kinds[i] == C_CLEAR) {
			fl_diag_error(c->d, &s->items[0]->loc,
				      "'%s' is a rule's action; a correlation's incident is "
				      "raised, changed and cleared by its evidence",
				      s->items[0]->text);
			continue;
		}
		compile_action(c, s,
			       (enum fl_action_kind)keyword(c, s->items[0], "action", action_words,
							    FL_ARRAY_LEN(action_words)));
		if (kinds[i] == C_SET && at(s, 1) && s->items[1]->kind == FL_ITEM_WORD &&
		    c->scope.n_set_fields < FL_ARRAY_LEN(c->scope.set_fields))
			c->scope.set_fields[c->scope.n_set_fields++] = s->items[1]->text;
	}
	k.n_actions = (uint32_t)(c->prog->n_actions - k.first_action);
	c->prog->correlations[index] = k;
	c->scope.in_corr = false;
}
