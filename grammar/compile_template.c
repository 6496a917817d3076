/* compile_template.c - a template string (`title "LOS ${host} ${port}"`)
 * into literal and field parts, each ${field} resolved in the rule's or
 * correlation's scope; and the places inside a string that diagnostics
 * point at. */
#include "grammar/compile_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The place of the nth '$' (any_dollar) or "${" of string item it's source
 * text, and the name_len + 2 bytes after it ("${" name "}"). The scanner's
 * escapes never produce a '$', so counting in the raw text finds it. */
static struct fl_loc loc_of_dollar(const struct fl_ast_item *it, size_t nth, bool any_dollar,
				   size_t name_len)
{
	struct fl_loc l = it->loc;
	const char *raw = l.src->text + l.off, *end = l.src->text + l.end, *p = raw;

	for (size_t seen = 0; p + 1 < end; p++)
		if (p[0] == '$' && (any_dollar || p[1] == '{') && seen++ == nth)
			break;
	if (p + 1 >= end) /* not found: point at the string */
		return l;
	l.off = (uint32_t)(p - l.src->text);
	l.end = (size_t)(end - p) > name_len + 3 ? l.off + (uint32_t)name_len + 3 : l.end;
	return l;
}

/* A location inside a string item: its nth "${" and the name after it. */
struct fl_loc loc_in_string(const struct fl_ast_item *it, size_t nth, size_t name_len)
{
	return loc_of_dollar(it, nth, false, name_len);
}

/* Keeps where template index was written, for notes that point at it.
 * false when out of memory (c->oom set). */
static bool remember_template_loc(struct fl_compile *c, uint32_t index, const struct fl_loc *loc)
{
	if (index >= c->template_locs_alloc) {
		size_t na = c->template_locs_alloc ? c->template_locs_alloc * 2 : 64;
		const struct fl_loc **nl = realloc(c->template_locs, na * sizeof(*nl));

		if (!nl) {
			c->oom = true;
			return false;
		}
		c->template_locs = nl;
		c->template_locs_alloc = na;
	}
	c->template_locs[index] = loc;
	return true;
}

/* The nth ${NAME} of template item it, NAME being p[0..nl): appended to
 * tparts when the rule or correlation has the field. false after reporting. */
static bool template_field(struct fl_compile *c, const struct fl_ast_item *it, size_t nth,
			   const char *p, size_t nl)
{
	struct fl_loc l = loc_in_string(it, nth, nl);
	struct fl_prog_tpart *part;
	struct fl_prog_field f;
	const char *hint;
	char name[128];

	if (nl == 0 || nl >= sizeof(name)) {
		fl_diag_error(c->d, &l, "empty or overlong field name in template");
		return false;
	}
	memcpy(name, p, nl);
	name[nl] = '\0';
	if (resolve_field(c, name, &f)) {
		if ((part = PUSH(c, tparts))) {
			part->is_field = true;
			part->field = f;
			part->name = arena_str(c, name, nl);
		}
		return true;
	}
	if (c->scope.wrong_input) {
		field_error(c, &l, name);
		return false;
	}
	hint = field_hint(c, name);
	if (hint)
		fl_diag_error(c->d, &l,
			      "template names '%s', which this %s cannot have; did you mean '%s'?",
			      name, c->scope.in_corr ? "correlation" : "rule", hint);
	else
		fl_diag_error(c->d, &l,
			      "template names '%s', which this %s cannot have "
			      "(not an event field, capture or looked-up field)",
			      name, c->scope.in_corr ? "correlation" : "rule");
	return false;
}

/* `$host`, `$1`, SEC's `$+{port}` at dollar, a '$' of template it: a
 * warning when it names a field or a regex group, since the text keeps it
 * as written. */
static void warn_bare_field(struct fl_compile *c, const struct fl_ast_item *it,
			    const char *dollar)
{
	const char *p = dollar + 1, *name = p + (p[0] == '+' && p[1] == '{' ? 2 : 0);
	size_t nth = 0;
	char buf[64];
	size_t nl = 0;
	bool digits = true;
	struct fl_prog_field f;

	while (nl < sizeof(buf) - 1 && (isalnum((unsigned char)name[nl]) || name[nl] == '_')) {
		digits &= isdigit((unsigned char)name[nl]) != 0;
		buf[nl] = name[nl];
		nl++;
	}
	buf[nl] = '\0';
	if (nl == 0 || nl == sizeof(buf) - 1)
		return;
	if (digits ? strtoul(buf, NULL, 10) - 1 >= c->scope.max_groups /* "costs $5" */
		   : !resolve_field(c, buf, &f)) {
		c->scope.wrong_input = NULL;
		return;
	}
	for (const char *q = it->text; q < dollar; q++)
		nth += *q == '$';
	struct fl_loc l = loc_of_dollar(it, nth, true, (size_t)(name - p) + nl - 1);
	fl_diag_warning(c->d, &l, "'$%.*s' stays as written: a template names a %s as '${%s}'",
			(int)((size_t)(name - p) + nl + (name != p)), p,
			digits ? "regex group" : "field", buf);
}

/* Compiles a template string into parts; FL_PROG_NONE after reporting. */
uint32_t compile_template(struct fl_compile *c, const struct fl_ast_item *it)
{
	struct fl_prog_template *t;
	uint32_t index;
	const char *s = it->text, *lit = s;
	size_t nth = 0;
	bool ok = true;

	if (it->kind != FL_ITEM_STRING) {
		fl_diag_error(c->d, &it->loc, "expected a text in quotes, got %s '%s'",
			      item_kind_name(it), it->text);
		return FL_PROG_NONE;
	}
	t = PUSH(c, templates);
	if (!t)
		return FL_PROG_NONE;
	index = (uint32_t)(c->prog->n_templates - 1);
	if (!remember_template_loc(c, index, &it->loc))
		return FL_PROG_NONE;
	t->text = arena_str(c, it->text, it->len);
	t->first_part = (uint32_t)c->prog->n_tparts;
	while (*s) {
		const char *close;
		struct fl_prog_tpart *part;

		if (s[0] == '$' && s[1] != '{')
			warn_bare_field(c, it, s);
		if (!(s[0] == '$' && s[1] == '{')) {
			s++;
			continue;
		}
		close = strchr(s + 2, '}');
		if (!close) {
			struct fl_loc l = loc_in_string(it, nth, 0);

			fl_diag_error(c->d, &l, "'${' without a closing '}' in template");
			return FL_PROG_NONE;
		}
		if (s > lit && (part = PUSH(c, tparts)))
			part->literal = arena_str(c, lit, (size_t)(s - lit));
		if (!template_field(c, it, nth, s + 2, (size_t)(close - s - 2)))
			ok = false;
		nth++;
		s = close + 1;
		lit = s;
	}
	if (*lit) {
		struct fl_prog_tpart *part = PUSH(c, tparts);

		if (part)
			part->literal = arena_str(c, lit, strlen(lit));
	}
	t = &c->prog->templates[index];
	t->n_parts = (uint32_t)(c->prog->n_tparts - t->first_part);
	return ok ? index : FL_PROG_NONE;
}
