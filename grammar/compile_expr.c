/* compile_expr.c - templates, regexes, values and conditions: what a rule
 * or correlation says about the events and fields it reads. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grammar/compile_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/decode/mib.h"
#include "engine/lib/hash.h"
#include "engine/lib/rxlite.h"
#include "engine/lib/rxreq.h"

/* --- templates --------------------------------------------------------------------- */

static const char *const event_field_names[] = {
#define X(name, text, type) text,
	FL_EVENT_FIELDS(X)
#undef X
};
static const char *const inv_field_names[] = {
#define X(name, text) text,
	FL_INV_FIELDS(X)
#undef X
};
static const char *const topo_field_names[] = {
#define X(name, text) text,
	FL_TOPO_FIELDS(X)
#undef X
};

static int name_index(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Marks captures named `name` in the current scope used; true if any. */
static bool use_capture(struct fl_compile *c, const char *name, uint32_t *index)
{
	bool found = false;

	for (uint32_t i = 0; i < c->scope.n_captures; i++) {
		uint32_t k = c->scope.first_capture + i;

		if (strcmp(c->prog->captures[k].name.p, name) == 0) {
			c->capture_used[k] = true;
			if (!found)
				*index = k;
			found = true;
		}
	}
	/* correlations see the captures of the rules that feed them: each
	 * rule's own, not every capture of the plan once per rule (a
	 * correlation over 100 of 10,000 rules cost 60 M instructions) */
	for (uint32_t r = 0; !found && r < c->scope.n_input_rules; r++) {
		uint32_t rule = c->prog->rule_refs[c->scope.input_rules_first + r];
		const struct fl_prog_rule *pr = &c->prog->rules[rule];

		for (uint32_t x = pr->first_regex; x < pr->first_regex + pr->n_regexes; x++) {
			const struct fl_prog_regex *rx = &c->prog->regexes[x];

			for (uint32_t g = rx->first_capture; g < rx->first_capture + rx->n_captures;
			     g++) {
				if (strcmp(c->prog->captures[g].name.p, name) == 0) {
					c->capture_used[g] = true;
					*index = g;
					found = true;
				}
			}
		}
	}
	return found;
}

/* Resolves a field name in the current rule or correlation: an event field,
 * a capture, an inventory field (when the rule looks the device up), a
 * topology field (correlations), or a field an earlier `set` wrote. */
bool resolve_field(struct fl_compile *c, const char *name, struct fl_prog_field *f)
{
	int i;
	uint32_t cap = 0;

	if (use_capture(c, name, &cap)) {
		*f = (struct fl_prog_field){FL_FIELD_CAPTURE, cap};
		return true;
	}
	if (!c->scope.in_corr && (i = name_index(name, event_field_names, FL_EF__COUNT)) >= 0 &&
	    i != FL_EF_VARBIND) {
		/* syslog fields up to FACILITY, trap fields from COMMUNITY; peer is both */
		bool is_syslog = i <= FL_EF_FACILITY, is_trap = i >= FL_EF_COMMUNITY;

		if ((c->scope.input == FL_RULE_INPUT_TRAP && is_syslog) ||
		    (c->scope.input == FL_RULE_INPUT_SYSLOG && is_trap)) {
			c->scope.wrong_input = is_syslog ? "a syslog field; this rule matches traps" :
							   "a trap field; this rule matches syslog";
			return false;
		}
		*f = (struct fl_prog_field){FL_FIELD_EVENT, (uint32_t)i};
		return true;
	}
	if (c->scope.in_corr && (i = name_index(name, topo_field_names, FL_TF__COUNT)) >= 0) {
		*f = (struct fl_prog_field){FL_FIELD_TOPO, (uint32_t)i};
		return true;
	}
	if ((c->scope.has_lookup || c->scope.in_corr) &&
	    (i = name_index(name, inv_field_names, FL_IF__COUNT)) >= 0) {
		*f = (struct fl_prog_field){FL_FIELD_INVENTORY, (uint32_t)i};
		return true;
	}
	if (c->scope.in_corr && (i = name_index(name, event_field_names, FL_EF__COUNT)) >= 0 &&
	    i != FL_EF_VARBIND) {
		*f = (struct fl_prog_field){FL_FIELD_EVENT, (uint32_t)i};
		return true;
	}
	for (size_t k = 0; k < c->scope.n_set_fields; k++) {
		if (strcmp(c->scope.set_fields[k], name) == 0) {
			*f = (struct fl_prog_field){FL_FIELD_EVENT, FL_PROG_NONE};
			return true;
		}
	}
	/* the names `faultline parse` prints the fields by (RFC 5424's
	 * APP-NAME and HOSTNAME) are the same fields */
	if (strcmp(name, "app_name") == 0)
		return resolve_field(c, "app", f);
	if (strcmp(name, "hostname") == 0)
		return resolve_field(c, "host", f);
	return false;
}

/* Every name resolve_field() would accept here, for did-you-mean. */
static size_t field_candidates(struct fl_compile *c, const char **out, size_t max)
{
	size_t n = 0;

	for (uint32_t i = 0; i < c->scope.n_captures && n < max; i++) {
		const char *name = c->prog->captures[c->scope.first_capture + i].name.p;

		if (!is_group_number(name)) /* `l` is no typo of `1` */
			out[n++] = name;
	}
	for (size_t i = 0; i < FL_EF__COUNT && n < max; i++)
		out[n++] = event_field_names[i];
	if (c->scope.has_lookup || c->scope.in_corr)
		for (size_t i = 0; i < FL_IF__COUNT && n < max; i++)
			out[n++] = inv_field_names[i];
	if (c->scope.in_corr)
		for (size_t i = 0; i < FL_TF__COUNT && n < max; i++)
			out[n++] = topo_field_names[i];
	for (size_t i = 0; i < c->scope.n_set_fields && n < max; i++)
		out[n++] = c->scope.set_fields[i];
	return n;
}

/* What other tools call faultline's fields: a rule copied from rsyslog,
 * syslog-ng or SEC names them so, and no spelling hint reaches "app" from
 * "app_name". */
static const struct {
	const char *other, *ours;
} field_aliases[] = {
    {"APP_NAME", "app"},     {"appname", "app"},	 {"app-name", "app"},
    {"program", "app"},	     {"programname", "app"}, {"syslogtag", "app"},
    {"tag", "app"},	     {"HOSTNAME", "host"},   {"fromhost", "host"},
    {"source", "host"},	     {"message", "msg"},     {"msgtext", "msg"},
    {"pid", "procid"},	     {"proc_id", "procid"},  {"msg_id", "msgid"},
    {"syslogseverity", "severity"},		     {"syslogfacility", "facility"},
};

/* faultline's name for a field another tool names so (any case), when it
 * is one of the n fields in cands; else NULL. */
static const char *field_alias(const char *name, const char *const *cands, size_t n)
{
	for (size_t i = 0; i < FL_ARRAY_LEN(field_aliases); i++) {
		if (strcasecmp(name, field_aliases[i].other) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			if (strcmp(cands[k], field_aliases[i].ours) == 0)
				return field_aliases[i].ours;
	}
	return NULL;
}

/* What the name of a field the scope lacks may have meant: another tool's
 * name for one, or one within a few edits; NULL when nothing is close. */
const char *field_hint(struct fl_compile *c, const char *name)
{
	const char *cands[160], *hint;
	size_t nc = field_candidates(c, cands, FL_ARRAY_LEN(cands));

	hint = field_alias(name, cands, nc);
	return hint ? hint : fl_diag_suggest(name, cands, nc);
}

/* Reports a field resolve_field() refused: wrong input kind or unknown. */
void field_error(struct fl_compile *c, const struct fl_loc *loc, const char *name)
{
	uint8_t oid[512];
	const char *cands[160], *ours;
	size_t nc;

	if (c->scope.wrong_input) {
		fl_diag_error(c->d, loc, "'%s' is %s", name, c->scope.wrong_input);
		c->scope.wrong_input = NULL;
		return;
	}
	nc = field_candidates(c, cands, FL_ARRAY_LEN(cands));
	if ((ours = field_alias(name, cands, nc))) {
		fl_diag_error(c->d, loc, "unknown field '%s'; faultline calls it '%s'", name, ours);
		return;
	}
	if (c->scope.input == FL_RULE_INPUT_TRAP && !strchr(name, '.') &&
	    fl_mib_resolve(name, oid, sizeof(oid), NULL) > 0) {
		fl_diag_error(c->d, loc,
			      "'%s' is a varbind, not a field: capture it in a condition "
			      "(varbind %s ~ /(?<%s>.+)/) and name the capture",
			      name, name, name);
		return;
	}
	unknown(c, loc, "field", name, cands, nc);
}

/* --- regexes ------------------------------------------------------------------------ */

static void release_code(void *p)
{
	pcre2_code_free(p);
}

static void release_lite(void *p)
{
	fl_rxlite_free(p);
}

static void release_req(void *p)
{
	fl_rxreq_destroy(p);
}

/* The byte at offset off of the regex item's pattern, in its source: the
 * pattern starts one byte after the opening '/', and an escaped \/ takes
 * two bytes there, one in the pattern. */
struct fl_loc loc_in_regex(const struct fl_ast_item *it, size_t off)
{
	struct fl_loc l = it->loc;
	const char *raw = l.src->text + l.off + 1, *end = l.src->text + l.end;
	size_t i = 0;

	for (size_t pi = 0; pi < off && raw + i < end; i++, pi++)
		if (raw[i] == '\\' && raw + i + 1 < end && raw[i + 1] == '/')
			i++;
	if (raw + i > end)
		i = (size_t)(end - raw);
	l.off += 1 + (uint32_t)i;
	if (l.off < l.end)
		l.end = l.off + 1;
	return l;
}

/* The table of regexes by pattern and options (fl_compile.regex_slots). */
#define REGEX_HASH_SEED UINT64_C(0x8f3c5a1e92d4b607)

static size_t regex_slot(const struct fl_compile *c, const char *p, size_t len, uint32_t opts)
{
	size_t mask = c->regex_slots_cap - 1;
	size_t i = (size_t)(fl_hash64(p, len, REGEX_HASH_SEED) ^ opts) & mask;

	for (;; i = (i + 1) & mask) {
		const struct fl_prog_regex *rx;

		if (c->regex_slots[i] == 0)
			return i;
		rx = &c->prog->regexes[c->regex_slots[i] - 1];
		if (rx->opts == opts && rx->pattern.len == len && memcmp(rx->pattern.p, p, len) == 0)
			return i;
	}
}

/* The index of the regex written before with this pattern and these
 * options, else FL_PROG_NONE. */
static uint32_t same_regex(const struct fl_compile *c, const char *p, size_t len, uint32_t opts)
{
	size_t i;

	if (!c->regex_slots_cap)
		return FL_PROG_NONE;
	i = regex_slot(c, p, len, opts);
	return c->regex_slots[i] ? c->regex_slots[i] - 1 : FL_PROG_NONE;
}

/* Enters regex index (its pattern and options set, the first of them),
 * the table kept at most half full. -ENOMEM. */
static int remember_regex(struct fl_compile *c, uint32_t index)
{
	const struct fl_prog_regex *rx;

	if ((c->prog->n_regexes + 1) * 2 > c->regex_slots_cap) {
		size_t cap = c->regex_slots_cap ? c->regex_slots_cap * 2 : 256;
		uint32_t *old = c->regex_slots;
		size_t old_cap = c->regex_slots_cap;

		c->regex_slots = calloc(cap, sizeof(*c->regex_slots));
		if (!c->regex_slots) {
			c->regex_slots = old;
			return -ENOMEM;
		}
		c->regex_slots_cap = cap;
		for (size_t k = 0; k < old_cap; k++)
			if (old[k]) {
				rx = &c->prog->regexes[old[k] - 1];
				c->regex_slots[regex_slot(c, rx->pattern.p, rx->pattern.len,
							  rx->opts)] = old[k];
			}
		free(old);
	}
	rx = &c->prog->regexes[index];
	c->regex_slots[regex_slot(c, rx->pattern.p, rx->pattern.len, rx->opts)] = index + 1;
	return 0;
}

/* The PCRE2 options of the regex item's flags: false after reporting an
 * unknown one. */
static bool regex_options(struct fl_compile *c, const struct fl_ast_item *it, uint32_t *opts)
{
	*opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	for (const char *f = it->flags; *f; f++) {
		switch (*f) {
		case 'i': *opts |= PCRE2_CASELESS; break;
		case 'x': *opts |= PCRE2_EXTENDED; break;
		case 's': *opts |= PCRE2_DOTALL; break;
		case 'm': *opts |= PCRE2_MULTILINE; break;
		default: {
			struct fl_loc l = it->loc; /* the flags end the item */

			l.off = l.end - (uint32_t)strlen(f);
			l.end = l.off + 1;
			fl_diag_error(c->d, &l, "unknown regex flag '%c' (flags: i, m, s, x)", *f);
			return false;
		}
		}
	}
	return true;
}

/* Named group `name` (group number group) of the regex just pushed, as
 * capture. Returns false when out of memory (c->oom set). */
static bool add_capture(struct fl_compile *c, const struct fl_ast_item *it, const char *name,
			uint32_t group)
{
	struct fl_prog_capture *cap = PUSH(c, captures);

	if (!cap)
		return false;
	cap->name = arena_str(c, name, strlen(name));
	cap->regex = (uint32_t)(c->prog->n_regexes - 1);
	cap->group = group;
	if (c->prog->n_captures > c->capture_used_alloc) {
		size_t na = c->prog->n_captures * 2;
		bool *nu = realloc(c->capture_used, na * sizeof(*nu));
		const struct fl_loc **nl = realloc(c->capture_locs, na * sizeof(*nl));

		if (nu)
			c->capture_used = nu;
		if (nl)
			c->capture_locs = nl;
		if (!nu || !nl) {
			c->oom = true;
			return false;
		}
		c->capture_used_alloc = na;
	}
	c->capture_used[c->prog->n_captures - 1] = false;
	c->capture_locs[c->prog->n_captures - 1] = &it->loc;
	return true;
}

/* The named groups of rx (just pushed) as captures, in the order of PCRE2's
 * name table, from rxlite's copy of it when PCRE2 has not compiled it; then,
 * when the rule names groups by number, each group as "1".."99". */
static bool add_captures(struct fl_compile *c, const struct fl_ast_item *it,
			 struct fl_prog_regex *rx)
{
	uint32_t count = 0, entry = 0, group;
	PCRE2_SPTR table;

	rx->first_capture = (uint32_t)c->prog->n_captures;
	if (rx->lite) {
		for (uint32_t i = 0; i < fl_rxlite_names(rx->lite); i++) {
			const char *name = fl_rxlite_name(rx->lite, i, &group);

			if (!add_capture(c, it, name, group))
				return false;
		}
	} else {
		pcre2_pattern_info(rx->code, PCRE2_INFO_NAMECOUNT, &count);
		pcre2_pattern_info(rx->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
		pcre2_pattern_info(rx->code, PCRE2_INFO_NAMETABLE, &table);
		for (uint32_t i = 0; i < count; i++) {
			const PCRE2_UCHAR *e = table + (size_t)i * entry;

			if (!add_capture(c, it, (const char *)e + 2, (uint32_t)((e[0] << 8) | e[1])))
				return false;
		}
	}
	/* and, in a rule that names them so, every group by its number, as
	 * SEC's $1 and Perl's: ${1} */
	for (group = 1; c->scope.names_groups && group <= rx->groups &&
			group <= FL_CAPTURE_NUMBERED_MAX;
	     group++) {
		char name[4];

		snprintf(name, sizeof(name), "%u", group);
		if (!add_capture(c, it, name, group))
			return false;
	}
	rx->n_captures = (uint32_t)(c->prog->n_captures - rx->first_capture);
	if (rx->groups > c->scope.max_groups)
		c->scope.max_groups = rx->groups;
	return true;
}

/* A new pattern compiled: by rxlite when in its subset (PCRE2 would take
 * it, rxlite.h, and a matcher compiles it for PCRE2 only if it ever needs
 * to), else by PCRE2, whose refusal is reported at its offset; *groups its
 * capture groups. The code is the plan's. Returns false when it does not
 * compile or on no memory. */
static bool compile_new(struct fl_compile *c, const struct fl_ast_item *it, uint32_t opts,
			pcre2_code **code, const struct fl_rxlite **lite, uint32_t *groups)
{
	struct fl_rxlite *rx;
	PCRE2_SIZE erroff;
	int err = fl_rxlite_compile(it->text, it->len, opts, &rx);

	*code = NULL;
	*lite = NULL;
	if (err == 0) {
		if (fl_arena_defer(c->plan->arena, release_lite, rx) < 0) {
			fl_rxlite_free(rx);
			c->oom = true;
			return false;
		}
		*lite = rx;
		*groups = fl_rxlite_groups(rx);
		return true;
	}
	if (err == -ENOMEM) {
		c->oom = true;
		return false;
	}
	*code = pcre2_compile((PCRE2_SPTR)it->text, it->len, opts, &err, &erroff, NULL);
	if (!*code) {
		PCRE2_UCHAR msg[256];
		struct fl_loc l = loc_in_regex(it, erroff);

		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "invalid pattern");
		fl_diag_error(c->d, &l, "regex does not compile: %s", (const char *)msg);
		return false;
	}
	if (fl_arena_defer(c->plan->arena, release_code, *code) < 0) {
		pcre2_code_free(*code);
		c->oom = true;
		return false;
	}
	pcre2_pattern_info(*code, PCRE2_INFO_CAPTURECOUNT, groups);
	return true;
}

static uint32_t compile_regex(struct fl_compile *c, const struct fl_ast_item *it)
{
	uint32_t opts, same, groups = 0;
	struct fl_prog_regex *rx;
	const struct fl_rxreq *req;
	struct fl_rxreq *built;
	const struct fl_rxlite *lite;
	pcre2_code *code;

	if (!regex_options(c, it, &opts))
		return FL_PROG_NONE;
	if (it->len > FL_REGEX_MAX_PATTERN) {
		fl_diag_error(c->d, &it->loc, "regex is %zu bytes; the limit is %d", it->len,
			      FL_REGEX_MAX_PATTERN);
		return FL_PROG_NONE;
	}
	same = same_regex(c, it->text, it->len, opts);
	if (same != FL_PROG_NONE) {
		/* copied rules repeat their regexes: one compile and one walk
		 * for all, and the matcher runs it once an event */
		code = c->prog->regexes[same].code;
		lite = c->prog->regexes[same].lite;
		groups = c->prog->regexes[same].groups;
		req = warn_regex(c, it, opts, c->prog->regexes[same].req, &built);
	} else {
		if (!compile_new(c, it, opts, &code, &lite, &groups))
			return FL_PROG_NONE;
		req = warn_regex(c, it, opts, NULL, &built);
	}
	if (built && fl_arena_defer(c->plan->arena, release_req, built) < 0) {
		fl_rxreq_destroy(built);
		c->oom = true;
		return FL_PROG_NONE;
	}
	rx = PUSH(c, regexes);
	if (!rx)
		return FL_PROG_NONE;
	rx->pattern = arena_str(c, it->text, it->len);
	rx->code = code;
	rx->lite = lite;
	rx->opts = opts;
	rx->groups = groups;
	rx->req = req;
	rx->canon = same != FL_PROG_NONE ? same : (uint32_t)(c->prog->n_regexes - 1);
	if (same == FL_PROG_NONE && remember_regex(c, rx->canon) < 0) {
		c->oom = true;
		return FL_PROG_NONE;
	}
	if (!add_captures(c, it, rx))
		return FL_PROG_NONE;
	return (uint32_t)(c->prog->n_regexes - 1);
}

enum ftype { T_STR, T_NUM, T_ADDR, T_OID, T_ANY };

static enum ftype event_field_type(size_t i)
{
	static const enum ftype types[] = {
#define X(name, text, type) T_##type,
		FL_EVENT_FIELDS(X)
#undef X
	};
	return types[i];
}

static const char *const op_words[] = {
    "==", "!=", "<", "<=", ">", ">=", "~", "!~", "in", "not", "under", "exists", "contains",
};
enum { OP_NOT_CONTAINS = (int)FL_ARRAY_LEN(op_words) }; /* `not contains`, past op_words */

/* A syslog severity or facility by its name (RFC 5424 table 2 and 1, in
 * the spellings syslog tools use: `err` and `error`, `warn`, `local3`):
 * its number, or -1. */
static int64_t syslog_name_number(const struct fl_prog_cond *cond, const struct fl_ast_item *v)
{
	static const char *const severities[] = {
	    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	    "emergency", "alert", "critical", "error", "warn", "notice", "informational", "debug",
	    "panic"};
	static const char *const facilities[] = {
	    "kern",   "user",   "mail",   "daemon", "auth",	  "syslog", "lpr",    "news",
	    "uucp",   "cron",   "authpriv", "ftp",  "ntp",	  "security", "console", "clock",
	    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};

	if (cond->field.kind != FL_FIELD_EVENT || (v->kind != FL_ITEM_WORD && v->kind != FL_ITEM_STRING))
		return -1;
	if (cond->field.index == FL_EF_SEVERITY)
		for (size_t k = 0; k < FL_ARRAY_LEN(severities); k++)
			if (strcasecmp(v->text, severities[k]) == 0)
				return (int64_t)(k % 8);
	if (cond->field.index == FL_EF_FACILITY)
		for (size_t k = 0; k < FL_ARRAY_LEN(facilities); k++)
			if (strcasecmp(v->text, facilities[k]) == 0)
				return (int64_t)k;
	return -1;
}

/* The number v stands for when compared with cond's field: a number, or a
 * severity or facility by name; false when neither. */
static bool item_number(const struct fl_prog_cond *cond, const struct fl_ast_item *v, int64_t *out)
{
	if (v->kind == FL_ITEM_NUMBER) {
		*out = v->num;
		return true;
	}
	*out = syslog_name_number(cond, v);
	return *out >= 0;
}

/* Compiles a set [a, b, c] into set_values; false after reporting. */
static bool compile_set(struct fl_compile *c, const struct fl_ast_item *set,
			struct fl_prog_cond *cond, enum ftype type)
{
	size_t first = c->prog->n_set_values, n = 0;

	for (const struct fl_ast_item *e = next_value(set, NULL); e; e = next_value(set, e)) {
		const char *text = e->text;
		size_t len = e->len;
		char num_text[24];
		struct fl_str *v;
		int64_t named;

		switch (varbind_enum(c, e, &named)) {
		case 1: /* compared as the varbind's number reads */
			len = (size_t)snprintf(num_text, sizeof(num_text), "%lld", (long long)named);
			text = num_text;
			break;
		case -1:
			return false;
		}
		if (type == T_NUM && e->kind != FL_ITEM_NUMBER) {
			int64_t num = syslog_name_number(cond, e);

			if (num < 0) {
				fl_diag_error(c->d, &e->loc, "this field is a number; '%s' is not",
					      e->text);
				return false;
			}
			/* a severity or facility by name: its number, as the field reads */
			len = (size_t)snprintf(num_text, sizeof(num_text), "%lld", (long long)num);
			text = num_text;
		}
		if (e->kind == FL_ITEM_OP || e->kind == FL_ITEM_DURATION || e->kind == FL_ITEM_REGEX) {
			fl_diag_error(c->d, &e->loc, "unexpected %s '%s' in a set",
				      item_kind_name(e), e->text);
			return false;
		}
		if (type == T_OID) {
			uint8_t oid[512];
			size_t oid_len;

			if (!oid_item(c, e, oid, &oid_len))
				return false;
			if (!(v = PUSH(c, set_values)))
				return false;
			*v = arena_str(c, (const char *)oid, oid_len);
			n++;
			continue;
		}
		if (!(v = PUSH(c, set_values)))
			return false;
		*v = arena_str(c, text, len);
		n++;
	}
	if (n == 0) {
		fl_diag_error(c->d, &set->loc, "empty set: it can never match");
		return false;
	}
	cond->first_value = (uint32_t)first;
	cond->n_values = (uint32_t)n;
	return true;
}

/* The field a condition at items[*i] tests: `varbind OID` or a name
 * resolve_field() knows. Sets cond->field and *type; advances *i. false
 * after reporting. */
static bool cond_field(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
		       struct fl_prog_cond *cond, enum ftype *type)
{
	const struct fl_ast_item *f = at(s, *i);
	uint8_t oid[512];
	size_t oid_len;

	if (f && f->kind == FL_ITEM_SET) {
		fl_diag_error(c->d, &f->loc,
			      "conditions are not grouped in brackets: write FIELD OP VALUE, "
			      "several joined by 'and'");
		return false;
	}
	c->scope.varbind_obj = NULL;
	if (!want_word(c, s, *i, "a field name"))
		return false;
	if (is_word(f, "not") && at(s, *i + 1) && at(s, *i + 1)->kind == FL_ITEM_WORD) {
		const struct fl_ast_item *op = at(s, *i + 2);
		const char *neg = NULL;

		if (is_op(op, "~"))
			neg = "!~";
		else if (is_op(op, "=="))
			neg = "!=";
		else if (is_word(op, "in") || is_word(op, "contains"))
			neg = is_word(op, "in") ? "not in" : "not contains";
		if (neg)
			fl_diag_error(c->d, &f->loc,
				      "'not' goes with the operator: write '%s %s ...'",
				      at(s, *i + 1)->text, neg);
		else
			fl_diag_error(c->d, &f->loc,
				      "'not' goes with the operator (!=, !~, not in, not contains), "
				      "not before a condition");
		return false;
	}
	if (is_word(f, "varbind")) {
		const struct fl_ast_item *o = at(s, *i + 1);

		if (!o || (o->kind != FL_ITEM_DOTTED && o->kind != FL_ITEM_WORD)) {
			expected(c, s, *i + 1, "the varbind's OID (1.3.6.1... or a name: ifDescr)");
			return false;
		}
		if (!oid_item(c, o, oid, &oid_len))
			return false;
		c->scope.varbind_obj = fl_mib_by_oid(fl_str_make((const char *)oid, oid_len), NULL, 0);
		cond->field = (struct fl_prog_field){FL_FIELD_EVENT, FL_EF_VARBIND};
		cond->varbind_oid = arena_str(c, (const char *)oid, oid_len);
		*type = T_ANY;
		*i += 2;
		return true;
	}
	if (!resolve_field(c, f->text, &cond->field)) {
		field_error(c, &f->loc, f->text);
		return false;
	}
	if (cond->field.kind == FL_FIELD_EVENT && cond->field.index != FL_PROG_NONE)
		*type = event_field_type(cond->field.index);
	else if (cond->field.kind == FL_FIELD_INVENTORY && cond->field.index == FL_IF_RING_POS)
		*type = T_NUM;
	(*i)++;
	return true;
}

static bool want_number(struct fl_compile *c, const struct fl_ast_item *f,
			const struct fl_ast_item *v)
{
	if (v->kind == FL_ITEM_DURATION)
		fl_diag_error(c->d, &v->loc, "'%s' is a number, not a duration: drop the unit",
			      f->text);
	else
		fl_diag_error(c->d, &v->loc, "'%s' is compared as a number; '%s' is %s", f->text,
			      v->text, item_kind_name(v));
	return false;
}

static bool bad_oid(struct fl_compile *c, const struct fl_ast_item *v)
{
	fl_diag_error(c->d, &v->loc, "'%s' is not an OID (numbers joined by dots, 1.3.6.1...)",
		      v->text);
	return false;
}

static bool bad_addr(struct fl_compile *c, const struct fl_ast_item *v)
{
	fl_diag_error(c->d, &v->loc, "'%s' is not an IPv4/IPv6 address or CIDR", v->text);
	return false;
}

/* FIELD == VALUE, FIELD != VALUE: compared as the field's type says (numbers,
 * OIDs, addresses), else as text. is_eq: == rather than !=. */
static bool cond_equality(struct fl_compile *c, const struct fl_ast_item *f,
			  const struct fl_ast_item *v, bool is_eq, enum ftype type,
			  struct fl_prog_cond *cond)
{
	uint8_t oid[512];
	size_t oid_len;

	cond->op = is_eq ? FL_OP_EQ : FL_OP_NE;
	switch (varbind_enum(c, v, &cond->num)) {
	case 1:
		cond->is_num = true;
		return true;
	case -1:
		return false;
	}
	if (type == T_NUM || (v->kind == FL_ITEM_NUMBER && type != T_STR)) {
		if (!item_number(cond, v, &cond->num))
			return want_number(c, f, v);
		cond->is_num = true;
		return true;
	}
	if (type == T_OID && (v->kind == FL_ITEM_DOTTED || v->kind == FL_ITEM_WORD ||
			      v->kind == FL_ITEM_STRING)) {
		if (!oid_item(c, v, oid, &oid_len))
			return false;
		cond->oid = arena_str(c, (const char *)oid, oid_len);
		return true;
	}
	if (type == T_ADDR && (v->kind == FL_ITEM_DOTTED || v->kind == FL_ITEM_STRING)) {
		if (!parse_cidr(v->text, cond) || strchr(v->text, '/'))
			return bad_addr(c, v);
		cond->op = is_eq ? FL_OP_CIDR : FL_OP_NE;
		return true;
	}
	if (v->kind == FL_ITEM_STRING || v->kind == FL_ITEM_WORD ||
	    (type == T_STR && v->kind == FL_ITEM_NUMBER)) {
		cond->str = arena_str(c, v->text, v->len);
		return true;
	}
	fl_diag_error(c->d, &v->loc, "cannot compare '%s' with %s", f->text, item_kind_name(v));
	return false;
}

/* Appends text to out with every regex metacharacter escaped: the regex
 * that finds text as written. */
static size_t escape_literal(char *out, const char *text, size_t len)
{
	size_t n = 0;

	for (size_t k = 0; k < len; k++) {
		if (text[k] && strchr("\\^$.|?*+()[]{}", text[k]))
			out[n++] = '\\';
		out[n++] = text[k];
	}
	return n;
}

/* FIELD contains "TEXT" (or [TEXT, ...], any of them), as SEC's SubStr
 * patterns: compiled to the regex that finds the text as written, so the
 * prefilter keys the rule on it and the matcher runs no other code. */
static bool cond_contains(struct fl_compile *c, const struct fl_ast_item *op,
			  const struct fl_ast_item *v, bool is_not, struct fl_prog_cond *cond)
{
	struct fl_ast_item rx = *v;
	size_t bytes = 0;
	char *pat;

	for (const struct fl_ast_item *t = next_value(v, NULL); t; t = next_value(v, t)) {
		/* a number or an address as written: 404, 10.1.2.3 */
		if (t->kind != FL_ITEM_STRING && t->kind != FL_ITEM_WORD &&
		    t->kind != FL_ITEM_NUMBER && t->kind != FL_ITEM_DOTTED) {
			fl_diag_error(c->d, &t->loc, "'%s' needs a \"text\" or a set of them, got %s",
				      op->text, item_kind_name(t));
			return false;
		}
		if (t->len == 0) {
			fl_diag_error(c->d, &t->loc,
				      "'%s \"\"' holds for every event: write the text it looks for",
				      op->text);
			return false;
		}
		bytes += 2 * t->len + 1;
	}
	if (bytes == 0) {
		fl_diag_error(c->d, &v->loc, "'%s' needs at least one text", op->text);
		return false;
	}
	if (bytes > FL_REGEX_MAX_PATTERN) {
		fl_diag_error(c->d, &v->loc, "'%s' looks for %zu bytes of text; the limit is %d",
			      op->text, bytes / 2, FL_REGEX_MAX_PATTERN / 2);
		return false;
	}
	if (!(pat = malloc(bytes))) {
		c->oom = true;
		return false;
	}
	rx.len = 0;
	for (const struct fl_ast_item *t = next_value(v, NULL); t; t = next_value(v, t)) {
		if (rx.len)
			pat[rx.len++] = '|';
		rx.len += escape_literal(pat + rx.len, t->text, t->len);
	}
	pat[rx.len] = '\0';
	rx.kind = FL_ITEM_REGEX;
	rx.text = pat;
	rx.flags = "";
	cond->op = is_not ? FL_OP_NOT_MATCH : FL_OP_MATCH;
	cond->regex = compile_regex(c, &rx);
	free(pat);
	return cond->regex != FL_PROG_NONE;
}

/* The value v that operator op (op_words[e]) compares field f of type type
 * with. false after reporting. */
static bool cond_value(struct fl_compile *c, const struct fl_ast_item *f,
		       const struct fl_ast_item *op, int e, const struct fl_ast_item *v,
		       enum ftype type, struct fl_prog_cond *cond)
{
	uint8_t oid[512];
	size_t oid_len;

	switch (e) {
	case 0: /* == */
	case 1: /* != */
		return cond_equality(c, f, v, e == 0, type, cond);
	case 2: case 3: case 4: case 5: /* < <= > >= */
		cond->op = (enum fl_op)(FL_OP_LT + (e - 2));
		if (type != T_NUM && type != T_STR && type != T_ANY) {
			fl_diag_error(c->d, &op->loc, "'%s' is not a number: '%s' does not apply",
				      f->text, op->text);
			return false;
		}
		if (!item_number(cond, v, &cond->num))
			return want_number(c, f, v);
		cond->is_num = true;
		return true;
	case 6: case 7: /* ~ !~ */
		cond->op = e == 6 ? FL_OP_MATCH : FL_OP_NOT_MATCH;
		if (v->kind == FL_ITEM_STRING) {
			fl_diag_error(c->d, &v->loc,
				      "'%s' needs a /regex/, got a string: write /%s/, or "
				      "'contains \"%s\"' for the text as written",
				      op->text, v->text, v->text);
			return false;
		}
		if (v->kind != FL_ITEM_REGEX) {
			fl_diag_error(c->d, &v->loc, "'%s' needs a /regex/, got %s", op->text,
				      item_kind_name(v));
			return false;
		}
		cond->regex = compile_regex(c, v);
		return cond->regex != FL_PROG_NONE;
	case 8: case 9: /* in, not in */
		cond->op = e == 8 ? FL_OP_IN : FL_OP_NOT_IN;
		if (type == T_ADDR && e == 8 &&
		    (v->kind == FL_ITEM_DOTTED || v->kind == FL_ITEM_STRING)) {
			if (!parse_cidr(v->text, cond))
				return bad_addr(c, v);
			cond->op = FL_OP_CIDR; /* one network: keyed by the prefilter */
			return true;
		}
		if (type == T_ADDR) /* networks are compared as addresses, not text */
			return compile_addr_set(c, v, cond);
		if (v->kind != FL_ITEM_SET) {
			fl_diag_error(c->d, &v->loc, "'in' needs a set [a, b, ...]%s, got %s",
				      type == T_ADDR ? " or a CIDR" : "", item_kind_name(v));
			return false;
		}
		return compile_set(c, v, cond, type);
	case 10: /* under */
		cond->op = FL_OP_UNDER;
		if (type != T_OID && type != T_ANY) {
			fl_diag_error(c->d, &op->loc, "'under' applies to OIDs; '%s' is not one",
				      f->text);
			return false;
		}
		if (v->kind != FL_ITEM_DOTTED && v->kind != FL_ITEM_WORD &&
		    v->kind != FL_ITEM_STRING)
			return bad_oid(c, v);
		if (!oid_item(c, v, oid, &oid_len))
			return false;
		cond->oid = arena_str(c, (const char *)oid, oid_len);
		return true;
	case 12: case OP_NOT_CONTAINS:
		return cond_contains(c, op, v, e == OP_NOT_CONTAINS, cond);
	default:
		return false;
	}
}

/* One condition at items[*i]; advances *i. false after reporting. */
static bool compile_cond(struct fl_compile *c, const struct fl_ast_stmt *s, size_t *i,
			 struct fl_prog_cond *cond)
{
	const struct fl_ast_item *f = at(s, *i), *op, *v;
	enum ftype type = T_STR;
	int e;

	if (!cond_field(c, s, i, cond, &type))
		return false;
	op = at(s, *i);
	if (!op || (op->kind != FL_ITEM_OP && op->kind != FL_ITEM_WORD) || is_op(op, ",")) {
		expected(c, s, *i, "an operator (== != < <= > >= ~ !~ in under exists contains)");
		return false;
	}
	e = keyword(c, op, "operator", op_words, FL_ARRAY_LEN(op_words));
	if (e < 0)
		return false;
	(*i)++;
	if (e == 9) { /* not in, not contains */
		if (is_word(at(s, *i), "contains")) {
			e = OP_NOT_CONTAINS;
		} else if (!is_word(at(s, *i), "in")) {
			expected(c, s, *i, "'in' or 'contains' after 'not'");
			return false;
		}
		(*i)++;
	}
	if (e == 11) {
		cond->op = FL_OP_EXISTS;
		return true;
	}
	v = at(s, *i);
	if (!v) {
		expected(c, s, *i, "a value");
		return false;
	}
	(*i)++;
	return cond_value(c, f, op, e, v, type, cond);
}

/* `where A and B ...;` from items[1]: appends the conditions. */
bool compile_where(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		   uint32_t *first, uint32_t *n)
{
	bool ok = true;

	if (i >= s->nitems) {
		expected(c, s, i, "a condition");
		return false;
	}
	while (i < s->nitems) {
		struct fl_prog_cond cond = {.regex = FL_PROG_NONE}, *slot;

		if (!compile_cond(c, s, &i, &cond)) {
			ok = false;
			break;
		}
		if (!(slot = PUSH(c, conds)))
			return false;
		*slot = cond;
		if (*n == 0)
			*first = (uint32_t)(c->prog->n_conds - 1);
		(*n)++;
		if (i < s->nitems) {
			if (is_word(s->items[i], "or")) {
				fl_diag_error(c->d, &s->items[i]->loc, FL_PLAN_OR_HINT);
				ok = false;
				break;
			}
			if (!is_word(s->items[i], "and")) {
				expected(c, s, i, "'and' or ';'");
				ok = false;
				break;
			}
			i++;
			if (i >= s->nitems) {
				expected(c, s, i, "a condition after 'and'");
				ok = false;
			}
		}
	}
	return ok;
}
