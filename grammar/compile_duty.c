/* compile_duty.c - pass 3 for `duty` statements: the periodic tasks of the
 * plan (program.h, struct fl_prog_duty; docs/language.md, "Duties").
 *
 *     duty customer_call "call each key customer: is the service as agreed?"
 *         every 2 weeks from "2027-01-04" at "09:30" notify account_manager via sms;
 *     duty inspection "manager's inspection of the county branches"
 *         every 3 months from "2027-01-05" notify manager via email;
 *
 * The date anchors the calendar: every occurrence is counted from it, in the
 * plan's zone (engine/lib/duecal.h); at is the local time of day, 09:00
 * when not given. The role is one of the contact table's (contacts.csv
 * role), as the reminders go to the people holding it; `per region|city|
 * county` (default region) makes one ticket and reminder per branch. */
#include "grammar/compile_int.h"

#include "engine/inventory/inventory.h"
#include "engine/lib/utf8.h"

static const char *const unit_words[] = {"day", "days", "week", "weeks", "month", "months"};
/* the longest period of each unit: a yearly duty, or every other year */
static const uint32_t unit_max[] = {366, 104, 24};

/* `every N UNIT` at item *i. */
static bool duty_every(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
		       struct fl_duecal *cal)
{
	int64_t n;
	int k;

	const struct fl_ast_item *days;

	if (!is_word(at(s, *i), "every")) {
		expected(c, s, *i, "'every N days|weeks|months'");
		return false;
	}
	/* `every 1 day` scans as the duration "1 day": as many days */
	days = at(s, *i + 1);
	if (days && days->kind == FL_ITEM_DURATION && days->num > 0 &&
	    days->num % 86400000 == 0) {
		n = days->num / 86400000;
		if (n > unit_max[FL_DUECAL_DAYS]) {
			fl_diag_error(c->d, &days->loc, "a duty's period is at most %u days, not %lld",
				      unit_max[FL_DUECAL_DAYS], (long long)n);
			return false;
		}
		cal->unit = FL_DUECAL_DAYS;
		cal->every = (uint32_t)n;
		*i += 2;
		return true;
	}
	if (!want_count(c, s, ++*i, &n))
		return false;
	if (!want_word(c, s, ++*i, "days, weeks or months") ||
	    (k = keyword(c, s->items[*i], "unit of a duty's period", unit_words, 6)) < 0)
		return false;
	cal->unit = (enum fl_duecal_unit)(k / 2);
	if (n > unit_max[k / 2]) {
		fl_diag_error(c->d, &s->items[*i - 1]->loc,
			      "a duty's period is at most %u %s, not %lld",
			      unit_max[k / 2], unit_words[k | 1], (long long)n);
		return false;
	}
	cal->every = (uint32_t)n;
	(*i)++;
	return true;
}

/* Exactly n digits of text at *p, advanced past them; -1 otherwise. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int k = 0; k < n; k++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* `from "YYYY-MM-DD"` at item *i: required, as it anchors the calendar. */
static bool duty_from(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
		      struct fl_duecal *cal)
{
	const struct fl_ast_item *it;
	const char *p;

	if (!is_word(at(s, *i), "from")) {
		expected(c, s, *i, "'from \"YYYY-MM-DD\"' (the first day it is due)");
		return false;
	}
	if (!want_kind(c, s, ++*i, FL_ITEM_STRING, "a date \"YYYY-MM-DD\""))
		return false;
	it = s->items[*i];
	p = it->text;
	cal->year = digits(&p, 4);
	cal->month = *p == '-' ? (p++, digits(&p, 2)) : -1;
	cal->day = *p == '-' ? (p++, digits(&p, 2)) : -1;
	cal->minute = 0;
	if (*p || !fl_duecal_valid(cal)) {
		fl_diag_error(c->d, &it->loc,
			      "'%s' is not a date \"YYYY-MM-DD\" from 1970 to 9999 on the calendar",
			      it->text);
		return false;
	}
	(*i)++;
	return true;
}

/* `at "HH:MM"` at item *i, when given; 09:00 otherwise. */
static bool duty_at(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
		    struct fl_duecal *cal)
{
	const struct fl_ast_item *it;
	const char *p;
	int h, m;

	cal->minute = 9 * 60;
	if (!is_word(at(s, *i), "at"))
		return true;
	if (!want_kind(c, s, ++*i, FL_ITEM_STRING, "a time of day \"HH:MM\""))
		return false;
	it = s->items[*i];
	p = it->text;
	h = digits(&p, 2);
	m = *p == ':' ? (p++, digits(&p, 2)) : -1;
	if (*p || h < 0 || h > 23 || m < 0 || m > 59) {
		fl_diag_error(c->d, &it->loc, "'%s' is not a time of day \"HH:MM\" (00:00 to 23:59)",
			      it->text);
		return false;
	}
	cal->minute = h * 60 + m;
	(*i)++;
	return true;
}

/* The role must be one a branch fills in the contact table: the tick asks
 * that table for the people to remind. One of the plan's six, or, in a plan
 * that reads a contact table, a role of the table's own (checked against it
 * once it is read); a near miss of the six is a typo. */
static bool duty_role(struct fl_compile *c, const struct fl_ast_item *it)
{
	const char *names[FL_INV_CONTACT_CUSTOMER_CONTACT];
	enum fl_inv_contact_role r;
	const char *hint;
	bool is_known = fl_inv_contact_role_parse(fl_str_make(it->text, strlen(it->text)), &r) == 0;

	if (is_known && r != FL_INV_CONTACT_CUSTOMER_CONTACT)
		return true;
	for (unsigned k = 0; k < FL_INV_CONTACT_CUSTOMER_CONTACT; k++)
		names[k] = fl_inv_contact_role_name((enum fl_inv_contact_role)k);
	hint = fl_utf8_suggest(it->text, names, FL_INV_CONTACT_CUSTOMER_CONTACT);
	if (!is_known && !hint && c->data_stmts[FL_DATA_CONTACTS])
		return true; /* the contact table's own? check_against_data() says */
	if (hint)
		fl_diag_error(c->d, &it->loc,
			      "a duty reminds a branch role of the contact table, not '%s';"
			      " did you mean '%s'?", it->text, hint);
	else
		fl_diag_error(c->d, &it->loc,
			      "a duty reminds a branch role of the contact table, not '%s'"
			      " (duty_room, ops_head, fault_lead, repair_team, leader_in_charge"
			      " or chief_engineer)", it->text);
	return false;
}

/* `per region|city|county` at item *i, when given; region otherwise. */
static bool duty_per(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i, uint8_t *out)
{
	static const char *const levels[] = {"region", "city", "county"};
	int k;

	*out = FL_INV_LEVEL_REGION;
	if (!is_word(at(s, *i), "per"))
		return true;
	if (!want_word(c, s, ++*i, "region, city or county") ||
	    (k = keyword(c, s->items[*i], "branch level", levels, 3)) < 0)
		return false;
	*out = (uint8_t)k;
	(*i)++;
	return true;
}

/* `within DURATION` at item *i, when given: the time to do it in (a year at
 * most); the next occurrence otherwise (*ms 0). */
static bool duty_within(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
			int64_t *ms)
{
	*ms = 0;
	if (!is_word(at(s, *i), "within"))
		return true;
	if (!want_duration(c, s, ++*i, ms))
		return false;
	if (*ms <= 0 || *ms > 366LL * 86400 * 1000) {
		fl_diag_error(c->d, &s->items[*i]->loc,
			      "a duty's time to be done is more than 0 and at most 366 days, not '%s'",
			      s->items[*i]->text);
		return false;
	}
	(*i)++;
	return true;
}

/* A second duty of the same name: an error with a note at the first. */
static bool duty_name_free(struct fl_compile *c, const struct fl_ast_stmt *st)
{
	for (const struct fl_ast_stmt *s = c->parse.first; s && s != st; s = s->next)
		if (is_word(s->items[0], "duty") && s->nitems > 1 &&
		    strcmp(s->items[1]->text, st->items[1]->text) == 0) {
			fl_diag_error(c->d, &st->items[1]->loc, "duty '%s' is named twice",
				      st->items[1]->text);
			fl_diag_note(c->d, &s->items[1]->loc, "first given here");
			return false;
		}
	return true;
}

void compile_duty(struct fl_compile *c, const struct fl_ast_stmt *st)
{
	struct fl_prog_duty d = {0};
	struct fl_prog_duty *slot;
	size_t i = 3;

	if (st->block_loc) {
		fl_diag_error(c->d, st->block_loc, "'duty' takes no { } block");
		return;
	}
	if (!want_name(c, st, 1, "the duty's name") || !duty_name_free(c, st))
		return;
	if (!want_kind(c, st, 2, FL_ITEM_STRING, "the duty's text, what is to be done"))
		return;
	if (!st->items[2]->text[0]) {
		fl_diag_error(c->d, &st->items[2]->loc, "a duty's text says what is to be done");
		return;
	}
	if (!duty_every(c, st, &i, &d.cal) || !duty_from(c, st, &i, &d.cal) ||
	    !duty_at(c, st, &i, &d.cal))
		return;
	if (!is_word(at(st, i), "notify")) {
		expected(c, st, i, "'notify ROLE' (who is reminded)");
		return;
	}
	if (!want_word(c, st, ++i, "a contact role"))
		return;
	d.role = resolve(c, &c->roles, st->items[i], "role");
	i++;
	if ((d.role != FL_PROG_NONE && !duty_role(c, st->items[i - 1])) ||
	    !duty_per(c, st, &i, &d.per_level) || !duty_within(c, st, &i, &d.within_ms))
		return;
	if (c->prog->n_duties == FL_DUTY_MAX) {
		fl_diag_error(c->d, &st->items[0]->loc, "a plan has at most %d duties", FL_DUTY_MAX);
		return;
	}
	compile_via(c, st, i, &d.first_channel, &d.n_channels);
	d.name = arena_str(c, st->items[1]->text, strlen(st->items[1]->text));
	d.text = arena_str(c, st->items[2]->text, strlen(st->items[2]->text));
	if (!(slot = PUSH(c, duties)))
		return;
	*slot = d;
}
