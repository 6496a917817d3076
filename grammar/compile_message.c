/* compile_message.c - pass 3 for `template` statements: the words a notice
 * is written in, for an audience (roles) and channels (program.h, struct
 * fl_prog_message; docs/language.md, "Messages").
 *
 *     template customer_sms for customer_contact via sms
 *         "【线路故障】您的专线${circuits}自${since}起中断，正在抢修。工单${ticket}";
 *
 * Each ${field} must be one of FL_MESSAGE_FIELDS; an SMS template longer
 * than two parts with its fields at their usual lengths is a warning with
 * its length, since a phone shows a long text cut or in pieces. */
#include "grammar/compile_int.h"

#define SMS_PARTS_BUDGET 2

static const char *const when_words[] = {
#define X(name, text) text,
	FL_MESSAGE_WHEN(X)
#undef X
};
static const char *const field_names[] = {
#define X(name, len) #name,
	FL_MESSAGE_FIELDS(X)
#undef X
};
static const unsigned field_lengths[] = {
#define X(name, len) len,
	FL_MESSAGE_FIELDS(X)
#undef X
};

/* Characters (code points) of p[0..n), and whether one is outside ASCII
 * (the SMS then goes as UCS-2). */
static size_t chars(const char *p, size_t n, bool *wide)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			k++;
		if ((unsigned char)p[i] >= 0x80)
			*wide = true;
	}
	return k;
}

/* Checks every ${field} of the text item; returns its length in
 * characters with each field at its usual length, or 0 after an error. */
static size_t check_fields(struct fl_compile *c, const struct fl_ast_item *it, bool *wide)
{
	const char *s = it->text, *lit = s;
	size_t nth = 0, len = 0;
	bool ok = true;

	while ((s = strstr(s, "${"))) {
		const char *close = strchr(s + 2, '}');
		size_t nl, f;

		len += chars(lit, (size_t)(s - lit), wide);
		if (!close) {
			struct fl_loc l = loc_in_string(it, nth, 0);

			fl_diag_error(c->d, &l, "'${' without a closing '}' in template");
			return 0;
		}
		nl = (size_t)(close - s - 2);
		for (f = 0; f < FL_ARRAY_LEN(field_names); f++)
			if (strlen(field_names[f]) == nl && strncmp(field_names[f], s + 2, nl) == 0)
				break;
		if (f == FL_ARRAY_LEN(field_names)) {
			struct fl_loc l = loc_in_string(it, nth, nl);
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)(nl < 60 ? nl : 60), s + 2);
			unknown(c, &l, "message field", name, field_names, FL_ARRAY_LEN(field_names));
			ok = false;
		} else {
			len += field_lengths[f];
		}
		nth++;
		s = lit = close + 1;
	}
	len += chars(lit, strlen(lit), wide);
	return ok ? (len ? len : 1) : 0;
}

/* ROLE[, ROLE] after `for`, CHANNEL[, CHANNEL] after `via`, into the
 * program's array at *first, *n. */
static void name_list(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
		      struct symtab *t, const char *what, bool roles, uint32_t *first,
		      uint32_t *n)
{
	size_t *count = roles ? &c->prog->n_message_roles : &c->prog->n_message_channels;

	*first = (uint32_t)*count;
	for ((*i)++;; (*i)++) {
		uint32_t *slot;

		if (!want_word(c, s, *i, what))
			return;
		slot = roles ? PUSH(c, message_roles) : PUSH(c, message_channels);
		if (!slot)
			return;
		*slot = resolve(c, t, s->items[*i], what);
		if (!is_op(at(s, *i + 1), ","))
			break;
		(*i)++;
	}
	(*i)++;
	*n = (uint32_t)(*count - *first);
}

static bool names_channel(const struct fl_compile *c, const struct fl_prog_message *m,
			  const char *channel)
{
	for (uint32_t k = 0; k < m->n_channels; k++) {
		uint32_t ch = c->prog->message_channels[m->first_channel + k];

		if (ch != FL_PROG_NONE && strcmp(c->prog->channels[ch].p, channel) == 0)
			return true;
	}
	return false;
}

/* A text for an SMS that will not fit its budget is said at compile time. */
static void warn_sms_length(struct fl_compile *c, const struct fl_prog_message *m,
			    const struct fl_ast_item *body, size_t len, bool wide)
{
	size_t part = wide ? 67 : 153, budget = SMS_PARTS_BUDGET * part;

	if (!names_channel(c, m, "sms") || len <= budget)
		return;
	fl_diag_warning(c->d, &body->loc,
			"template '%s' is about %zu characters with its fields at their usual "
			"lengths: more than the %zu of %d SMS parts (%s)",
			m->name.p, len, budget, SMS_PARTS_BUDGET, wide ? "UCS-2" : "GSM");
}

/* n ids from `from` in both lists; an empty list may have no array at all. */
static bool same_ids(const uint32_t *ids, uint32_t from_a, uint32_t from_b, size_t n)
{
	return n == 0 || memcmp(ids + from_a, ids + from_b, n * sizeof(uint32_t)) == 0;
}

/* Two templates for the same kind, roles and channels: the second could
 * never be chosen. */
static void check_duplicate(struct fl_compile *c, const struct fl_ast_stmt *s,
			    const struct fl_prog_message *m)
{
	const struct fl_program *p = c->prog;

	for (size_t i = 0; i + 1 < p->n_messages; i++) {
		const struct fl_prog_message *o = &p->messages[i];

		if (o->when != m->when || o->n_roles != m->n_roles || o->n_channels != m->n_channels ||
		    o->has_scope != m->has_scope || (m->has_scope && o->scope != m->scope) ||
		    !same_ids(p->message_roles, o->first_role, m->first_role, m->n_roles) ||
		    !same_ids(p->message_channels, o->first_channel, m->first_channel,
			      m->n_channels))
			continue;
		fl_diag_error(c->d, &s->items[1]->loc,
			      "template '%s' is for the same notices as template '%s': it would "
			      "never be used",
			      m->name.p, o->name.p);
		return;
	}
}

void compile_message(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	struct fl_prog_message *m;
	const struct fl_ast_item *subject = NULL, *body;
	size_t i = 2, len;
	bool wide = false;
	int k;

	if (s->block_loc) {
		fl_diag_error(c->d, s->block_loc, "'template' takes no { } block");
		return;
	}
	if (!want_name(c, s, 1, "the template's name") || !(m = PUSH(c, messages)))
		return;
	m->name = arena_str(c, s->items[1]->text, s->items[1]->len);
	m->subject = FL_STR_NONE;
	if (is_word(at(s, i), "for"))
		name_list(c, s, &i, &c->roles, "role", true, &m->first_role, &m->n_roles);
	if (m->n_roles && is_word(at(s, i), "at")) {
		if (!want_word(c, s, ++i, "a scope") ||
		    (k = keyword(c, s->items[i], "scope", scope_words, FL_SCOPE__COUNT)) < 0)
			return;
		m->has_scope = true;
		m->scope = (enum fl_scope)k;
		i++;
	}
	if (is_word(at(s, i), "via"))
		name_list(c, s, &i, &c->channels, "channel", false, &m->first_channel,
			  &m->n_channels);
	if (is_word(at(s, i), "when")) {
		if (!want_word(c, s, ++i, "page, restored or quiet") ||
		    (k = keyword(c, s->items[i], "notice kind", when_words, FL_MSG__COUNT)) < 0)
			return;
		m->when = (enum fl_message_when)k;
		i++;
	}
	if (at(s, i + 1) && at(s, i)->kind == FL_ITEM_STRING)
		subject = s->items[i++];
	if (!want_kind(c, s, i, FL_ITEM_STRING, "the message text in quotes"))
		return;
	body = s->items[i];
	no_more(c, s, i + 1);
	if (subject && check_fields(c, subject, &wide))
		m->subject = arena_str(c, subject->text, subject->len);
	wide = false;
	if (!(len = check_fields(c, body, &wide)))
		return;
	m->body = arena_str(c, body->text, body->len);
	check_duplicate(c, s, m);
	warn_sms_length(c, m, body, len, wide);
}
