/* match_prefilter.c - the prefilter: per rule the literal set the fewest
 * other rules share keys it in one Aho-Corasick automaton; every other set
 * its regexes require joins the automaton as a confirmation literal. See
 * match.h. */
#include "engine/correlate/match_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/limits.h"

/* ---- prefilter ------------------------------------------------------------- */

static bool is_msg_match(const struct fl_prog_cond *c)
{
	return c->op == FL_OP_MATCH && c->field.kind == FL_FIELD_EVENT &&
	       c->field.index == FL_EF_MSG;
}

/* Candidate literal sets of a list of conditions: from the first `msg ~`
 * that has some. Returns how many. The plan's flags (/i, /x) are options of
 * the compiled code, not part of the pattern text: caseless makes every
 * literal caseless, extended leaves no run of the text trustworthy. */
static size_t conds_candidates(const struct fl_program *prog, uint32_t first, uint32_t n_conds,
			       struct lit_cands *out, bool *nocase)
{
	for (uint32_t c = first; c < first + n_conds; c++) {
		const struct fl_prog_cond *cond = &prog->conds[c];
		const struct fl_prog_regex *rx;
		uint32_t opts = 0;

		if (!is_msg_match(cond))
			continue;
		rx = &prog->regexes[cond->regex];
		if (rx->code && pcre2_pattern_info((const pcre2_code *)rx->code,
						   PCRE2_INFO_ARGOPTIONS, &opts) == 0 &&
		    (opts & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)))
			continue;
		if (fl_match_lit_candidates(rx->pattern, out, nocase) > 0) {
			*nocase = *nocase || (opts & PCRE2_CASELESS);
			return out->n;
		}
	}
	out->n = 0;
	return 0;
}

/* How many rules offer each literal: the prefilter's measure of how selective
 * a literal is. Sorted bytes, counted by binary search; built once per plan. */
struct lit_freq {
	struct fl_str *lits;
	size_t n, cap;
};

static int str_cmp(const void *a, const void *b)
{
	const struct fl_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->p, y->p, n) : 0;

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static int freq_add_cands(struct lit_freq *f, const struct lit_cands *cands)
{
	for (size_t i = 0; i < cands->n; i++)
		for (size_t k = 0; k < cands->c[i].n; k++) {
			if (f->n == f->cap) {
				size_t cap = f->cap ? f->cap * 2 : 256;
				struct fl_str *lits = realloc(f->lits, cap * sizeof(*lits));

				if (!lits)
					return -ENOMEM;
				f->lits = lits;
				f->cap = cap;
			}
			f->lits[f->n++] = cands->c[i].set[k];
		}
	return 0;
}

static size_t freq_count(const struct lit_freq *f, struct fl_str lit)
{
	size_t lo = 0, hi = f->n, first;

	while (lo < hi) { /* first element >= lit */
		size_t mid = lo + (hi - lo) / 2;

		if (str_cmp(&f->lits[mid], &lit) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = f->n;
	while (lo < hi) { /* first element > lit */
		size_t mid = lo + (hi - lo) / 2;

		if (str_cmp(&f->lits[mid], &lit) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - first;
}

/* The candidate set whose most shared member is shared by the fewest rules;
 * among equals the longest. A literal every rule of a generated plan carries
 * (" notice port=") would make each of them a candidate for every event and
 * the prefilter worthless; the alarm name beside it selects one rule. */
static const struct lit_cand *pick_rarest(const struct lit_cands *cands, const struct lit_freq *f)
{
	const struct lit_cand *best = NULL;
	size_t best_shared = SIZE_MAX;

	for (size_t i = 0; i < cands->n; i++) {
		size_t shared = 0;

		for (size_t k = 0; k < cands->c[i].n; k++) {
			size_t c = freq_count(f, cands->c[i].set[k]);

			if (c > shared)
				shared = c;
		}
		if (!best || shared < best_shared ||
		    (shared == best_shared && cands->c[i].score > best->score)) {
			best = &cands->c[i];
			best_shared = shared;
		}
	}
	return best;
}

/* Literals of one rule: an event it matches has one of its `where` literals,
 * or one of its `clear where` literals; either side without any makes the
 * rule always a candidate. out holds 2 * FL_MATCH_LIT_SET_MAX. */
static size_t rule_literals(const struct fl_program *prog, const struct fl_prog_rule *r,
			    const struct lit_freq *f, struct fl_str *out, bool *nocase)
{
	struct lit_cands where, clear;
	const struct lit_cand *w, *c;
	bool clear_nocase = false;

	if (conds_candidates(prog, r->first_cond, r->n_conds, &where, nocase) == 0)
		return 0;
	w = pick_rarest(&where, f);
	memcpy(out, w->set, w->n * sizeof(*out));
	if (r->n_clear_conds == 0)
		return w->n;
	if (conds_candidates(prog, r->first_clear_cond, r->n_clear_conds, &clear,
			     &clear_nocase) == 0)
		return 0;
	c = pick_rarest(&clear, f);
	memcpy(out + w->n, c->set, c->n * sizeof(*out));
	*nocase = *nocase || clear_nocase;
	return w->n + c->n;
}

/* Counts, over all rules, every literal they could be prefiltered on. */
static int build_freq(const struct fl_program *prog, struct lit_freq *f)
{
	for (size_t r = 0; r < prog->n_rules; r++) {
		const struct fl_prog_rule *rule = &prog->rules[r];
		struct lit_cands cands;
		bool nocase = false;
		int rc;

		conds_candidates(prog, rule->first_cond, rule->n_conds, &cands, &nocase);
		if ((rc = freq_add_cands(f, &cands)) < 0)
			return rc;
		conds_candidates(prog, rule->first_clear_cond, rule->n_clear_conds, &cands, &nocase);
		if ((rc = freq_add_cands(f, &cands)) < 0)
			return rc;
	}
	if (f->n)
		qsort(f->lits, f->n, sizeof(*f->lits), str_cmp);
	return 0;
}

/* A distinct literal of the confirmation sets and its automaton id. */
struct conf_lit {
	struct fl_str s;
	bool nocase;
};

static int conf_cmp(const void *a, const void *b)
{
	const struct conf_lit *x = a, *y = b;
	int c = str_cmp(&x->s, &y->s);

	return c ? c : (x->nocase > y->nocase) - (x->nocase < y->nocase);
}

struct confirm {
	struct conf_lit *lits;
	size_t n, cap;
};

static int conf_push(struct confirm *cf, struct fl_str s, bool nocase)
{
	if (cf->n == cf->cap) {
		size_t cap = cf->cap ? cf->cap * 2 : 256;
		struct conf_lit *n = realloc(cf->lits, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cf->lits = n;
		cf->cap = cap;
	}
	cf->lits[cf->n++] = (struct conf_lit){s, nocase};
	return 0;
}

static size_t side_sets(const struct fl_program *prog, const struct fl_prog_rule *r, int side,
			struct lit_cands *out, bool *nocase)
{
	*nocase = false;
	return side == 0 ? conds_candidates(prog, r->first_cond, r->n_conds, out, nocase)
			 : conds_candidates(prog, r->first_clear_cond, r->n_clear_conds, out, nocase);
}

/* Calls fn with the required literal sets of each side of each prefiltered
 * rule, in rule order; stops at the first nonzero return and returns it. */
typedef int side_fn(struct fl_match *m, struct match_rule *mr, int side,
		    const struct lit_cands *c, bool nocase, void *ctx);

static int each_side(struct fl_match *m, side_fn *fn, void *ctx)
{
	const struct fl_program *prog = m->prog;

	for (size_t r = 0; r < prog->n_rules; r++)
		for (int side = 0; side < FL_MATCH_SIDES && !m->rules[r].always; side++) {
			struct lit_cands c;
			bool nocase;
			int rc;

			side_sets(prog, &prog->rules[r], side, &c, &nocase);
			if ((rc = fn(m, &m->rules[r], side, &c, nocase, ctx)) != 0)
				return rc;
		}
	return 0;
}

static int push_literals(struct fl_match *m, struct match_rule *mr, int side,
			 const struct lit_cands *c, bool nocase, void *ctx)
{
	(void)m, (void)mr, (void)side;
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->c[i].n; k++)
			if (conf_push(ctx, c->c[i].set[k], nocase) < 0)
				return -ENOMEM;
	return 0;
}

/* The distinct literals of every required set of every prefiltered rule,
 * sorted: a literal's id is n_rules + its index. */
static int confirm_literals(struct fl_match *m, struct confirm *cf)
{
	size_t u = 0;
	int rc = each_side(m, push_literals, cf);

	if (rc < 0 || cf->n == 0)
		return rc;
	qsort(cf->lits, cf->n, sizeof(*cf->lits), conf_cmp);
	for (size_t i = 1; i < cf->n; i++)
		if (conf_cmp(&cf->lits[u], &cf->lits[i]) != 0)
			cf->lits[++u] = cf->lits[i];
	cf->n = u + 1;
	return 0;
}

static uint32_t conf_id(const struct fl_match *m, const struct confirm *cf, struct fl_str s,
			bool nocase)
{
	struct conf_lit key = {s, nocase};
	const struct conf_lit *hit = bsearch(&key, cf->lits, cf->n, sizeof(*cf->lits), conf_cmp);

	return (uint32_t)(m->prog->n_rules + (size_t)(hit - cf->lits)); /* always found */
}

static int count_need(struct fl_match *m, struct match_rule *mr, int side,
		      const struct lit_cands *c, bool nocase, void *ctx)
{
	(void)m, (void)mr, (void)side, (void)nocase;
	for (size_t i = 0; i < c->n; i++)
		*(size_t *)ctx += 1 + c->c[i].n;
	return 0;
}

static int fill_need(struct fl_match *m, struct match_rule *mr, int side,
		     const struct lit_cands *c, bool nocase, void *ctx)
{
	mr->need_at[side] = (uint32_t)m->n_need;
	mr->n_need_sets[side] = (uint32_t)c->n;
	for (size_t i = 0; i < c->n; i++) {
		m->need[m->n_need++] = (uint32_t)c->c[i].n;
		for (size_t k = 0; k < c->c[i].n; k++)
			m->need[m->n_need++] = conf_id(m, ctx, c->c[i].set[k], nocase);
	}
	return 0;
}

/* Fills m->need from the sets of every rule; false when out of memory. */
static bool build_need(struct fl_match *m, const struct confirm *cf)
{
	size_t cap = 0;

	(void)each_side(m, count_need, &cap);
	m->need = calloc(cap + 1, sizeof(*m->need));
	if (!m->need)
		return false;
	(void)each_side(m, fill_need, (void *)cf);
	return true;
}

/* Does the message hold a member of every required set of the side? */
bool fl_match_sets_seen(const struct fl_match *m, const struct match_rule *mr, int side)
{
	const uint32_t *p = m->need + mr->need_at[side];

	for (uint32_t s = 0; s < mr->n_need_sets[side]; s++) {
		uint32_t n = *p++;
		bool any = false;

		for (uint32_t k = 0; k < n && !any; k++)
			any = (m->seen[p[k] / 64] >> (p[k] % 64)) & 1;
		if (!any)
			return false;
		p += n;
	}
	return true;
}

/* Without confirmation every candidate runs its regexes: when the literals
 * would not fit the automaton's ids or memory, or memory runs out. */
static void confirm_off(struct fl_match *m)
{
	free(m->need);
	m->need = NULL;
	m->n_need = 0;
	for (size_t r = 0; r < m->prog->n_rules; r++)
		m->rules[r].n_need_sets[0] = m->rules[r].n_need_sets[1] = 0;
	m->stats.confirm_literals = 0;
}

int fl_match_build_prefilter(struct fl_match *m)
{
	const struct fl_program *prog = m->prog;
	struct lit_freq freq = {0};
	struct confirm cf = {0};
	struct fl_ac_literal *lits, *grown;
	size_t n_lits = 0, n_keyed;
	int rc;

	if (prog->n_rules > (size_t)FL_AC_MAX_PATTERN_ID)
		return -E2BIG;
	rc = build_freq(prog, &freq);
	if (rc < 0) {
		free(freq.lits);
		return rc;
	}
	lits = calloc(prog->n_rules * 2 * FL_MATCH_LIT_SET_MAX + 1, sizeof(*lits));
	if (!lits) {
		free(freq.lits);
		return -ENOMEM;
	}
	for (size_t r = 0; r < prog->n_rules; r++) {
		struct fl_str set[2 * FL_MATCH_LIT_SET_MAX];
		bool nocase = false;
		size_t n = rule_literals(prog, &prog->rules[r], &freq, set, &nocase);

		m->rules[r].always = (n == 0);
		if (n == 0) {
			m->always[m->n_always++] = (uint32_t)r;
			continue;
		}
		m->stats.rules_prefiltered++;
		for (size_t k = 0; k < n; k++)
			lits[n_lits++] = (struct fl_ac_literal){
			    .bytes = set[k].p, .len = set[k].len, .id = (uint32_t)r,
			    .is_nocase = nocase};
	}
	free(freq.lits);
	m->stats.literals = n_keyed = n_lits;
	if (confirm_literals(m, &cf) == 0 && cf.n &&
	    prog->n_rules + cf.n <= (size_t)FL_AC_MAX_PATTERN_ID && build_need(m, &cf) &&
	    (grown = realloc(lits, (n_lits + cf.n + 1) * sizeof(*lits)))) {
		lits = grown;
		for (size_t i = 0; i < cf.n; i++)
			lits[n_lits++] = (struct fl_ac_literal){
			    .bytes = cf.lits[i].s.p, .len = cf.lits[i].s.len,
			    .id = (uint32_t)(prog->n_rules + i), .is_nocase = cf.lits[i].nocase};
		m->stats.confirm_literals = cf.n;
	} else {
		confirm_off(m);
	}
	rc = fl_ac_create(&m->ac, lits, n_lits, 0);
	if (rc == -E2BIG && n_lits > n_keyed) {
		confirm_off(m);
		rc = fl_ac_create(&m->ac, lits, n_keyed, 0);
	}
	free(lits);
	free(cf.lits);
	if (rc < 0)
		return rc;
	m->seen_words = fl_ac_bitset_words(m->ac);
	m->seen = calloc(m->seen_words + 1, sizeof(*m->seen));
	return m->seen ? 0 : -ENOMEM;
}
