/* compile_warn.c - pass 4: warnings about what is legal but probably wrong
 * (a rule shadowed by an earlier one; an unused ladder, role or capture; a
 * rule the prefilter cannot key on a literal; a regex that may backtrack
 * without end). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grammar/compile_int.h"

#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/rxreq.h"

static bool cond_equal(const struct fl_program *p, const struct fl_prog_cond *a,
		       const struct fl_prog_cond *b)
{
	if (a->field.kind != b->field.kind || a->op != b->op || a->is_num != b->is_num ||
	    a->is_addr_set != b->is_addr_set ||
	    a->num != b->num || !fl_str_eq(a->str, b->str) || !fl_str_eq(a->oid, b->oid) ||
	    !fl_str_eq(a->varbind_oid, b->varbind_oid) || a->n_values != b->n_values ||
	    a->addr.family != b->addr.family || a->addr.prefix != b->addr.prefix ||
	    memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes)) != 0)
		return false;
	/* captures of different rules have different indices: compare names */
	if (a->field.kind == FL_FIELD_CAPTURE) {
		if (!fl_str_eq(p->captures[a->field.index].name, p->captures[b->field.index].name))
			return false;
	} else if (a->field.index != b->field.index) {
		return false;
	}
	if ((a->regex == FL_PROG_NONE) != (b->regex == FL_PROG_NONE))
		return false;
	if (a->regex != FL_PROG_NONE &&
	    !fl_str_eq(p->regexes[a->regex].pattern, p->regexes[b->regex].pattern))
		return false;
	for (uint32_t i = 0; i < a->n_values; i++)
		if (!fl_str_eq(p->set_values[a->first_value + i], p->set_values[b->first_value + i]))
			return false;
	return true;
}

static uint64_t hash_bytes(uint64_t h, const void *bytes, size_t len)
{
	const unsigned char *b = bytes;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

static uint64_t hash_str(uint64_t h, struct fl_str s)
{
	return hash_bytes(h, s.p, s.p ? s.len : 0) * 1099511628211u;
}

/* Of what cond_equal() compares, so that equal conditions hash alike and
 * conditions that differ only in their field or their set's values do not
 * share a bucket: `host in ["NE1"]` and `host in ["NE2"]` did, and ten
 * thousand rules each with its own host set took 5.9 G instructions here. */
static uint64_t cond_hash(const struct fl_program *p, const struct fl_prog_cond *a)
{
	uint64_t h = 1469598103934665603u;
	uint32_t field = a->field.index;

	h = (h ^ (uint64_t)a->op) * 1099511628211u;
	h = (h ^ (uint64_t)a->field.kind) * 1099511628211u;
	if (a->field.kind == FL_FIELD_CAPTURE)
		h = hash_str(h, p->captures[field].name);
	else
		h = hash_bytes(h, &field, sizeof(field));
	h = hash_str(h, a->regex != FL_PROG_NONE ? p->regexes[a->regex].pattern : a->str);
	h = hash_str(h, a->oid);
	for (uint32_t i = 0; i < a->n_values; i++)
		h = hash_str(h, p->set_values[a->first_value + i]);
	return h ^ (uint64_t)a->num;
}

static bool rule_raises(const struct fl_program *p, const struct fl_prog_rule *r)
{
	for (uint32_t i = r->first_action; i < r->first_action + r->n_actions; i++)
		if (p->actions[i].kind == FL_ACT_RAISE)
			return true;
	return false;
}

/* Every rule that matches an event sees it, but an event raises at most one
 * incident: the first raising rule that matches it. So a raising rule b is
 * shadowed when an earlier raising rule a, with no window of its own that
 * could hold the raise back, has the same input and a subset of b's
 * conditions. */
/* Can rule a shadow a later one: it raises whenever it matches, with no
 * window or clear of its own. */
static bool may_shadow(const struct fl_program *p, const struct fl_prog_rule *a)
{
	return !a->threshold_n && !a->flap_n && !a->absent_ms && !a->n_clear_conds &&
	       rule_raises(p, a);
}

static bool shadows(const struct fl_program *p, const struct fl_prog_rule *a,
		    const struct fl_prog_rule *b)
{
	if (a->input != b->input || !may_shadow(p, a) || !rule_raises(p, b))
		return false;
	for (uint32_t i = 0; i < a->n_conds; i++) {
		bool found = false;

		for (uint32_t j = 0; j < b->n_conds && !found; j++)
			found = cond_equal(p, &p->conds[a->first_cond + i], &p->conds[b->first_cond + j]);
		if (!found)
			return false;
	}
	return true;
}

struct hrule {
	uint64_t hash;
	uint32_t rule;
};

static int cmp_hrule(const void *x, const void *y)
{
	const struct hrule *a = x, *b = y;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/* How many of the n sorted hashes equal h. */
static size_t hash_count(const uint64_t *sorted, size_t n, uint64_t h)
{
	size_t lo = 0, hi = n, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sorted[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	for (hi = n; lo < hi;) {
		size_t mid = (lo + hi) / 2;

		if (sorted[mid] <= h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - first;
}

/* Warns about each raising rule an earlier one shadows: it never raises.
 * Only a rule that raises whenever it matches can shadow; each is indexed
 * under the hash of its rarest condition (the one fewest rules have), and
 * a later rule looks up each of its own. Keyed on the first condition,
 * the check was quadratic in plans whose rules all begin `where device
 * exists`: 1.8 G instructions at 20,000 rules. */
void warn_shadowed(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	struct hrule *idx = malloc((p->n_rules + 1) * sizeof(*idx));
	uint64_t *all = malloc((p->n_conds + 1) * sizeof(*all));
	uint64_t *hash = malloc((p->n_conds + 1) * sizeof(*hash)); /* by condition, hashed once */
	size_t n = 0, n_all = 0;

	if (!idx || !all || !hash) {
		free(idx);
		free(all);
		free(hash);
		c->oom = true;
		return;
	}
	for (uint32_t r = 0; r < p->n_rules; r++)
		for (uint32_t j = p->rules[r].first_cond; j < p->rules[r].first_cond + p->rules[r].n_conds;
		     j++)
			all[n_all++] = hash[j] = cond_hash(p, &p->conds[j]);
	qsort(all, n_all, sizeof(*all), cmp_u64);
	for (uint32_t r = 0; r < p->n_rules; r++) {
		const struct fl_prog_rule *a = &p->rules[r];
		uint64_t key = 0;
		size_t fewest = SIZE_MAX;

		if (!a->n_conds || !may_shadow(p, a))
			continue;
		for (uint32_t j = 0; j < a->n_conds; j++) {
			uint64_t h = hash[a->first_cond + j];
			size_t k = hash_count(all, n_all, h);

			if (k < fewest) {
				fewest = k;
				key = h;
			}
		}
		idx[n++] = (struct hrule){key, r};
	}
	free(all);
	qsort(idx, n, sizeof(*idx), cmp_hrule);
	for (uint32_t b = 0; b < p->n_rules; b++) {
		const struct fl_prog_rule *rb = &p->rules[b];
		uint32_t by = FL_PROG_NONE;

		if (n == 0 || !rule_raises(p, rb))
			continue; /* nothing can shadow, or it never raises anyway */
		for (uint32_t j = 0; j < rb->n_conds && by == FL_PROG_NONE; j++) {
			struct hrule key = {hash[rb->first_cond + j], 0};
			size_t lo = 0, hi = n;

			while (lo < hi) { /* first entry with this hash */
				size_t mid = (lo + hi) / 2;

				if (cmp_hrule(&idx[mid], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < n && idx[lo].hash == key.hash && idx[lo].rule < b; lo++)
				if (shadows(p, &p->rules[idx[lo].rule], rb)) {
					by = idx[lo].rule;
					break;
				}
		}
		if (by == FL_PROG_NONE || !c->rule_stmts[b] || !c->rule_stmts[by])
			continue;
		fl_diag_warning(c->d, &c->rule_stmts[b]->items[1]->loc,
				"rule '%s' never raises: rule '%s' above matches every event it does "
				"and raises first",
				rb->name.p, p->rules[by].name.p);
		fl_diag_note(c->d, &c->rule_stmts[by]->items[1]->loc, "'%s' is declared here",
			     p->rules[by].name.p);
	}
	free(idx);
	free(hash);
}

void warn_unused(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	bool *named = calloc(p->n_roles + 1, sizeof(*named));
	bool *fed = calloc(p->n_rules + 1, sizeof(*fed));

	if (!named || !fed) {
		free(named);
		free(fed);
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < c->ladders.cap; i++) {
		const struct sym *s = &c->ladders.v[i];

		if (s->name && !s->used)
			fl_diag_warning(c->d, s->loc, "ladder '%s' is never used: no level or raise names it",
					s->name);
	}
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].role != FL_PROG_NONE)
			named[p->steps[i].role] = true;
	for (size_t i = 0; i < p->n_announces; i++)
		if (p->announces[i].role != FL_PROG_NONE)
			named[p->announces[i].role] = true;
	for (size_t i = 0; i < p->n_relay_roles; i++)
		if (p->relay_roles[i] != FL_PROG_NONE)
			named[p->relay_roles[i]] = true;
	for (size_t i = 0; i < p->n_duties; i++)
		if (p->duties[i].role != FL_PROG_NONE)
			named[p->duties[i].role] = true;
	for (size_t i = 0; i < c->roles.cap; i++) {
		const struct sym *s = &c->roles.v[i];

		if (s->name && !named[s->index])
			fl_diag_warning(c->d, s->loc, "role '%s' is never notified: no ladder step names it",
					s->name);
	}
	for (size_t i = 0; i < p->n_captures; i++)
		if (!c->capture_used[i] && !is_group_number(p->captures[i].name.p)) {
			struct fl_loc l = *c->capture_locs[i];

			fl_diag_warning(c->d, &l, "capture '%s' is never used (not in a key, "
					"condition or template)", p->captures[i].name.p);
		}
	for (size_t i = 0; i < p->n_rule_refs; i++)
		fed[p->rule_refs[i]] = true;
	for (size_t i = 0; i < p->n_rules; i++)
		if (!p->rules[i].n_actions && !p->rules[i].n_timeout_actions && !fed[i] &&
		    c->rule_stmts[i])
			fl_diag_warning(c->d, &c->rule_stmts[i]->items[1]->loc,
					"rule '%s' has no action and feeds no correlation",
					p->rules[i].name.p);
	free(named);
	free(fed);
}

/* A group repeated without bound around something repeated without bound,
 * (a+)+ or (\w+\s?)*: on a line that almost matches PCRE2 tries every way to
 * split the run between the two, exponentially many, until the match limit
 * (FL_REGEX_MATCH_LIMIT) stops it and the rule silently misses the line. */
const struct fl_rxreq *warn_regex(struct fl_compile *c, const struct fl_ast_item *it,
				  uint32_t pcre2_options, const struct fl_rxreq *known,
				  struct fl_rxreq **built)
{
	const struct fl_rxreq *r = known;
	struct fl_loc l;

	*built = NULL;
	if (!r && fl_rxreq_build(built, it->text, it->len, pcre2_options) < 0) {
		c->oom = true;
		return NULL;
	}
	if (!r)
		r = *built;
	if (c->prog->n_regexes >= c->regex_keyed_alloc) { /* the index this regex gets */
		size_t na = c->regex_keyed_alloc ? c->regex_keyed_alloc * 2 : 64;
		bool *k = realloc(c->regex_keyed, na * sizeof(*k));

		if (k) {
			c->regex_keyed = k;
			c->regex_keyed_alloc = na;
		}
	}
	if (c->prog->n_regexes < c->regex_keyed_alloc)
		c->regex_keyed[c->prog->n_regexes] = r->root != FL_RXREQ_NONE;
	if (r->has_nested_unbounded) {
		l = loc_in_regex(it, r->nested_at);
		fl_diag_warning(c->d, &l,
				"nested unbounded quantifiers: on a line that almost matches, this "
				"regex may backtrack until the match limit and miss it; bound the "
				"inner or outer repeat, or make one possessive (++, *+)");
	}
	return r;
}

static bool is_msg_regex(const struct fl_prog_cond *c)
{
	return (c->op == FL_OP_MATCH || c->op == FL_OP_NOT_MATCH) &&
	       c->field.kind == FL_FIELD_EVENT && c->field.index == FL_EF_MSG &&
	       c->regex != FL_PROG_NONE;
}

/* host, app, msgid: the syslog fields the matcher keys sides on, by value
 * or by the atoms of a regex on them. */
static bool is_keyed_field(uint32_t index)
{
	return index == FL_EF_HOST || index == FL_EF_APP || index == FL_EF_MSGID;
}

bool fl_program_cond_scans_text(const struct fl_prog_cond *c)
{
	return c->op == FL_OP_MATCH && c->field.kind == FL_FIELD_EVENT &&
	       c->regex != FL_PROG_NONE &&
	       (c->field.index == FL_EF_MSG || is_keyed_field(c->field.index));
}

int fl_program_rule_device_key(const struct fl_prog_rule *r)
{
	if (r->lookup_field.kind != FL_FIELD_EVENT)
		return -1;
	if (r->lookup == FL_LOOKUP_DEVICE && r->lookup_field.index == FL_EF_HOST)
		return 0;
	if (r->lookup == FL_LOOKUP_MGMT_IP && r->lookup_field.index == FL_EF_PEER)
		return 1;
	return -1;
}

bool fl_program_cond_keys_field(const struct fl_prog_rule *r, const struct fl_prog_cond *c,
				uint32_t *n_values)
{
	bool event = c->field.kind == FL_FIELD_EVENT &&
		     (is_keyed_field(c->field.index) || c->field.index == FL_EF_MSG);
	bool device = c->field.kind == FL_FIELD_INVENTORY && fl_program_rule_device_key(r) >= 0;

	if (c->op == FL_OP_CIDR && c->field.kind == FL_FIELD_EVENT &&
	    c->field.index == FL_EF_PEER) {
		*n_values = 1;
		return true;
	}
	if (!event && !device)
		return false;
	if (c->op == FL_OP_EQ && !c->is_num && !c->oid.p && c->str.p) {
		*n_values = 1;
		return true;
	}
	if (c->op == FL_OP_IN) {
		*n_values = c->n_values;
		return true;
	}
	return false;
}

/* Is a side (its conditions) keyed: by a regex on msg, host, app or msgid
 * that requires a literal, or on a field's value? *runs_regex: does it hold a regex on msg
 * (one on a short field, msgid or app, costs little)? keyed: what the walk
 * of each regex gave, when the compiler kept it (n_keyed of them), or NULL.
 * -ENOMEM, 0 or 1. */
static int side_keyed(const struct fl_program *p, const struct fl_prog_rule *rule, uint32_t first,
		      uint32_t n, bool *runs_regex, const bool *keyed_by_regex, size_t n_keyed)
{
	int keyed = 0;

	for (uint32_t i = first; i < first + n; i++) {
		const struct fl_prog_cond *cond = &p->conds[i];
		const struct fl_prog_regex *rx;
		struct fl_rxreq *r;

		uint32_t values;

		*runs_regex = *runs_regex || is_msg_regex(cond);
		if (!keyed && fl_program_cond_keys_field(rule, cond, &values))
			keyed = 1;
		if (keyed || !fl_program_cond_scans_text(cond))
			continue;
		rx = &p->regexes[cond->regex];
		if (!fl_prog_regex_compiled(rx))
			continue;
		if (keyed_by_regex && cond->regex < n_keyed) {
			keyed = keyed_by_regex[cond->regex];
			continue;
		}
		if (fl_rxreq_build(&r, rx->pattern.p, rx->pattern.len, rx->opts) < 0)
			return -ENOMEM;
		keyed = r->root != FL_RXREQ_NONE;
		fl_rxreq_destroy(r);
	}
	return keyed;
}

static bool every_event(const struct fl_program *p, uint32_t r, bool *runs_regex,
			const bool *keyed_by_regex, size_t n_keyed)
{
	const struct fl_prog_rule *rule = &p->rules[r];
	bool runs = false, every;
	int where = side_keyed(p, rule, rule->first_cond, rule->n_conds, &runs, keyed_by_regex,
			       n_keyed);
	int clear = 1;

	if (rule->n_clear_conds)
		clear = side_keyed(p, rule, rule->first_clear_cond, rule->n_clear_conds, &runs,
				   keyed_by_regex, n_keyed);
	every = where == 0 || clear == 0;
	if (runs_regex)
		*runs_regex = every && runs;
	return every;
}

bool fl_program_rule_every_event(const struct fl_program *p, uint32_t r, bool *runs_regex)
{
	return every_event(p, r, runs_regex, NULL, 0);
}

/* A rule whose msg regexes require no literal of FL_RXREQ_MIN_ATOM bytes or
 * more is a candidate for every message: they run on every line. */
void warn_every_event(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	size_t kept = c->regex_keyed ? c->regex_keyed_alloc : 0;

	for (uint32_t r = 0; r < p->n_rules; r++) {
		const struct fl_prog_rule *rule = &p->rules[r];
		bool runs_regex = false;
		int where;

		if (rule->input != FL_RULE_INPUT_SYSLOG || !c->rule_stmts[r] ||
		    !every_event(p, r, &runs_regex, c->regex_keyed, kept) || !runs_regex)
			continue;
		runs_regex = false;
		where = side_keyed(p, rule, rule->first_cond, rule->n_conds, &runs_regex,
				   c->regex_keyed, kept);
		fl_diag_warning(c->d, &c->rule_stmts[r]->items[1]->loc,
				"rule '%s' runs on every event: its %s has no regex that requires a "
				"literal of %d bytes or more, and no host, app, msgid or msg it "
				"must equal; add a literal",
				rule->name.p, where == 0 ? "where" : "clear where", FL_RXREQ_MIN_ATOM);
	}
}
