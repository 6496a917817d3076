/* match.c - prefilter, field conditions, PCRE2 confirmation and captures. */
#include "engine/correlate/match.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/lib/ac.h"
#include "engine/decode/event.h"
#include "engine/inventory/inventory.h"

#define LIT_SET_MAX 16	  /* alternatives kept as one rule's literal set */
#define FIELD_TEXT_MAX 64 /* a number, an address or an OID written as text */

#define SIDES 2 /* where, clear where */

struct match_rule {
	bool always;	    /* no required literal: always a candidate */
	uint32_t n_regex_conds;
	/* per side: its required literal sets, at need[need_at]: each set is
	 * its size, then the ids of its members (one must be in the message) */
	uint32_t need_at[SIDES], n_need_sets[SIDES];
};

struct match_cap {
	uint64_t gen; /* valid when == m->gen */
	struct fl_str val;
};

/* A regex as this matcher runs it: its runs lately, and its JIT copy. */
struct match_regex {
	pcre2_code *jit; /* NULL: interpreted (the program's code) */
	uint32_t runs;	 /* halved every FL_MATCH_JIT_DECAY interpreted runs */
	bool jit_tried;
};

struct fl_match {
	const struct fl_program *prog;
	struct match_regex *regexes; /* by regex index */
	uint32_t runs_to_decay;
	struct fl_ac *ac;
	struct match_rule *rules;
	uint32_t *always; /* rules that are always candidates, plan order */
	size_t n_always;
	uint64_t *seen; /* prefilter bitset */
	size_t seen_words;
	bool scanned; /* seen describes the current event's message */
	uint32_t *need;
	size_t n_need;
	uint32_t *cands; /* candidates of the current event */
	size_t n_cands;
	pcre2_match_data *md;
	struct match_cap *caps; /* by capture index */
	const struct fl_event *ev;
	uint64_t gen;
	/* lookups of the current event: by device name (host) and by address */
	const struct fl_inv_device *dev[2];
	bool dev_done[2];
	char peer_text[INET6_ADDRSTRLEN];
	char num_text[FIELD_TEXT_MAX];
	char inv_text[FIELD_TEXT_MAX];
	struct fl_match_stats stats;
};

/* ---- literal extraction ---------------------------------------------------- */

static bool is_meta(char c)
{
	return strchr("\\^$.|?*+()[]{}", c) != NULL;
}

static bool is_quant(char c)
{
	return c == '?' || c == '*' || c == '{';
}

/* Index just past the ']' closing the class that opens at p[i] == '['. */
static size_t skip_class(const char *p, size_t i, size_t n)
{
	i++;
	if (i < n && p[i] == '^')
		i++;
	if (i < n && p[i] == ']')
		i++;
	while (i < n && p[i] != ']')
		i += (p[i] == '\\') ? 2 : 1;
	return i < n ? i + 1 : n;
}

/* Index of the ')' closing the group that opens at p[i] == '(' (n if none). */
static size_t group_end(const char *p, size_t i, size_t n)
{
	int depth = 0;

	while (i < n) {
		if (p[i] == '\\') {
			i += 2;
			continue;
		}
		if (p[i] == '[') {
			i = skip_class(p, i, n);
			continue;
		}
		if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i;
		i++;
	}
	return n;
}

/* Splits [b, e) on top-level '|' into pure literals; false if an
 * alternative holds a metacharacter, is empty, or there are too many. */
static bool pure_alternatives(const char *p, size_t b, size_t e, struct fl_str *out,
			      size_t cap, size_t *n_out)
{
	size_t n = 0, start = b;

	for (size_t i = b; i <= e; i++) {
		if (i < e && p[i] != '|') {
			if (is_meta(p[i]))
				return false;
			continue;
		}
		if (i == start || n == cap)
			return false;
		out[n++] = fl_str_make(p + start, i - start);
		start = i + 1;
	}
	*n_out = n;
	return true;
}

static size_t set_score(const struct fl_str *set, size_t n)
{
	size_t min = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		if (set[i].len < min)
			min = set[i].len;
	return n ? min : 0;
}

/* Every required literal set a pattern offers (a run, or a group of pure
 * alternatives), up to LIT_CANDS_MAX of the longest: the prefilter later
 * picks, per rule, the one the fewest other rules share. */
#define LIT_CANDS_MAX 8

struct lit_cand {
	struct fl_str set[LIT_SET_MAX];
	size_t n, score;
};

struct lit_cands {
	struct lit_cand c[LIT_CANDS_MAX];
	size_t n;
};

/* Keeps sets of score >= 2 (shorter literals would make every byte a hit);
 * when full, a better set replaces the worst one kept. */
static void offer(struct lit_cands *b, const struct fl_str *set, size_t n)
{
	size_t score = set_score(set, n), worst = 0;

	if (score < 2)
		return;
	if (b->n < LIT_CANDS_MAX) {
		worst = b->n++;
	} else {
		for (size_t i = 1; i < b->n; i++)
			if (b->c[i].score < b->c[worst].score)
				worst = i;
		if (b->c[worst].score >= score)
			return;
	}
	memcpy(b->c[worst].set, set, n * sizeof(*set));
	b->c[worst].n = n;
	b->c[worst].score = score;
}

static void offer_run(struct lit_cands *b, const char *p, size_t start, size_t end)
{
	struct fl_str one = fl_str_make(p + start, end - start);

	if (end > start)
		offer(b, &one, 1);
}

/* A required literal is one every match must contain: a run of plain
 * characters in the top-level sequence, or a group of pure alternatives
 * (R_LOS|R_LOF) that is not optional. Anything unclear ends the run; a
 * top-level '|' or extended mode gives up. Conservative by construction: it
 * may miss a literal, never invent one. */
static size_t extract_candidates(struct fl_str pattern, struct lit_cands *cands, bool *is_nocase)
{
	const char *p = pattern.p;
	size_t n = pattern.len, i = 0, run = 0;
	struct lit_cands *best = cands;

	best->n = 0;

	*is_nocase = false;
	if (!p)
		return 0;
	if (n >= 4 && memcmp(p, "(?i)", 4) == 0) {
		*is_nocase = true;
		i = run = 4;
	}
	/* (?x) and (?x: make spaces insignificant: no run can be trusted. The
	 * pattern is a slice, not a string: every scan is bounded by n. */
	for (size_t k = 0; k + 2 < n; k++) {
		if (p[k] != '(' || p[k + 1] != '?' || p[k + 2] == '<' || p[k + 2] == ':')
			continue;
		for (size_t j = k + 2; j < n && p[j] != ':' && p[j] != ')'; j++) {
			if (p[j] == 'x')
				return 0;
			if (p[j] == 'i') /* caseless from here on: all of it, to be safe */
				*is_nocase = true;
		}
	}
	while (i < n) {
		char c = p[i];

		if (c == '|')
			return 0;
		if (!is_meta(c)) {
			if (i + 1 < n && is_quant(p[i + 1])) {
				offer_run(best, p, run, i);
				run = i + 1;
			} else if (i + 1 < n && p[i + 1] == '+') {
				offer_run(best, p, run, i + 1);
				run = i + 2;
				i++;
			}
			i++;
			continue;
		}
		offer_run(best, p, run, i);
		if (c == '\\') {
			i += 2;
		} else if (c == '[') {
			i = skip_class(p, i, n);
		} else if (c == '(') {
			size_t e = group_end(p, i, n), b = i + 1, k;
			struct fl_str set[LIT_SET_MAX];

			if (e == n)
				return 0;
			if (b < e && p[b] == '?') {
				if (b + 1 < e && p[b + 1] == ':') {
					b += 2;
				} else if (b + 1 < e && (p[b + 1] == '<' || p[b + 1] == 'P') &&
					   b + 2 < e && p[b + 2] != '=' && p[b + 2] != '!') {
					const char *gt = memchr(p + b, '>', e - b);

					b = gt ? (size_t)(gt - p) + 1 : e;
				} else {
					b = e; /* lookaround, flags, ...: nothing required */
				}
			}
			i = e + 1;
			if (!(i < n && (is_quant(p[i]))) && b < e &&
			    pure_alternatives(p, b, e, set, LIT_SET_MAX, &k))
				offer(best, set, k);
		} else {
			i++;
		}
		while (i < n && (p[i] == '?' || p[i] == '*' || p[i] == '+'))
			i++;
		if (i < n && p[i] == '{') {
			const char *close = memchr(p + i, '}', n - i);

			i = close ? (size_t)(close - p) + 1 : n;
		}
		run = i;
	}
	offer_run(best, p, run, i);
	return best->n;
}

size_t fl_match_required_literals(struct fl_str pattern, struct fl_str *out, size_t cap,
				  bool *is_nocase)
{
	struct lit_cands cands;
	size_t best = 0;

	if (extract_candidates(pattern, &cands, is_nocase) == 0)
		return 0;
	for (size_t i = 1; i < cands.n; i++)
		if (cands.c[i].score > cands.c[best].score)
			best = i;
	if (cands.c[best].n > cap)
		return 0;
	memcpy(out, cands.c[best].set, cands.c[best].n * sizeof(*out));
	return cands.c[best].n;
}

/* ---- lifecycle ------------------------------------------------------------- */

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
		if (extract_candidates(rx->pattern, out, nocase) > 0) {
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
 * rule always a candidate. out holds 2 * LIT_SET_MAX. */
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
		for (int side = 0; side < SIDES && !m->rules[r].always; side++) {
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
static bool sets_seen(const struct fl_match *m, const struct match_rule *mr, int side)
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

static int build_prefilter(struct fl_match *m)
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
	lits = calloc(prog->n_rules * 2 * LIT_SET_MAX + 1, sizeof(*lits));
	if (!lits) {
		free(freq.lits);
		return -ENOMEM;
	}
	for (size_t r = 0; r < prog->n_rules; r++) {
		struct fl_str set[2 * LIT_SET_MAX];
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

int fl_match_create(struct fl_match **out, const struct fl_program *prog)
{
	struct fl_match *m = calloc(1, sizeof(*m));
	uint32_t max_groups = 1;
	int rc = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->prog = prog;
	m->rules = calloc(prog->n_rules + 1, sizeof(*m->rules));
	m->always = calloc(prog->n_rules + 1, sizeof(*m->always));
	m->cands = calloc(prog->n_rules + 1, sizeof(*m->cands));
	m->caps = calloc(prog->n_captures + 1, sizeof(*m->caps));
	m->regexes = calloc(prog->n_regexes + 1, sizeof(*m->regexes));
	if (!m->rules || !m->always || !m->cands || !m->caps || !m->regexes)
		goto out_free;
	m->runs_to_decay = FL_MATCH_JIT_DECAY;
	for (size_t i = 0; i < prog->n_regexes; i++) {
		uint32_t groups = 0;

		if (prog->regexes[i].code &&
		    pcre2_pattern_info((const pcre2_code *)prog->regexes[i].code,
				       PCRE2_INFO_CAPTURECOUNT, &groups) == 0 &&
		    groups + 1 > max_groups)
			max_groups = groups + 1;
	}
	m->md = pcre2_match_data_create(max_groups, NULL);
	if (!m->md)
		goto out_free;
	rc = build_prefilter(m);
	if (rc < 0)
		goto out_free;
	*out = m;
	return 0;

out_free:
	fl_match_destroy(m);
	return rc;
}

void fl_match_destroy(struct fl_match *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->regexes && i < m->prog->n_regexes; i++)
		pcre2_code_free(m->regexes[i].jit);
	free(m->regexes);
	pcre2_match_data_free(m->md);
	fl_ac_destroy(m->ac);
	free(m->seen);
	free(m->need);
	free(m->caps);
	free(m->cands);
	free(m->always);
	free(m->rules);
	free(m);
}

/* ---- per event ------------------------------------------------------------- */

static bool collect(uint32_t id, void *ctx)
{
	struct fl_match *m = ctx;

	if (id < m->prog->n_rules) /* the rest are confirmation literals */
		m->cands[m->n_cands++] = id;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Plan order. An event has a handful of candidates: insertion sort, which
 * costs a few dozen instructions where qsort() costs hundreds. */
static void sort_cands(uint32_t *c, size_t n)
{
	if (n > 16) {
		qsort(c, n, sizeof(*c), cmp_u32);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = c[i];
		size_t k = i;

		for (; k > 0 && c[k - 1] > x; k--)
			c[k] = c[k - 1];
		c[k] = x;
	}
}

size_t fl_match_begin(struct fl_match *m, const struct fl_event *ev, const uint32_t **rules)
{
	m->ev = ev;
	m->gen++;
	m->dev_done[0] = m->dev_done[1] = false;
	m->n_cands = 0;
	m->stats.events++;
	m->scanned = false;
	if (ev->kind == FL_EVENT_SYSLOG && ev->syslog.msg.p && m->seen_words) {
		m->scanned = true;
		memset(m->seen, 0, m->seen_words * sizeof(*m->seen));
		(void)fl_ac_scan(m->ac, ev->syslog.msg.p, ev->syslog.msg.len, m->seen, collect, m);
	}
	memcpy(m->cands + m->n_cands, m->always, m->n_always * sizeof(*m->always));
	m->n_cands += m->n_always;
	if (m->n_cands > 1)
		sort_cands(m->cands, m->n_cands);
	m->stats.candidates += m->n_cands;
	*rules = m->cands;
	return m->n_cands;
}

static struct fl_str peer_text(struct fl_match *m)
{
	const struct fl_event *ev = m->ev;
	const void *a;
	int af = ev->peer.ss_family;

	if (!ev->has_peer)
		return FL_STR_NONE;
	if (af == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)&ev->peer)->sin_addr;
	else if (af == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)&ev->peer)->sin6_addr;
	else
		return FL_STR_NONE;
	if (!inet_ntop(af, a, m->peer_text, sizeof(m->peer_text)))
		return FL_STR_NONE;
	return fl_str_make(m->peer_text, strlen(m->peer_text));
}

static struct fl_str num_text(struct fl_match *m, int64_t v)
{
	int n = snprintf(m->num_text, sizeof(m->num_text), "%lld", (long long)v);

	return fl_str_make(m->num_text, (size_t)n);
}

static struct fl_str event_field(struct fl_match *m, uint32_t index)
{
	const struct fl_event *ev = m->ev;
	const struct fl_syslog *s = &ev->syslog;
	bool is_syslog = ev->kind == FL_EVENT_SYSLOG, is_trap = ev->kind == FL_EVENT_TRAP;

	switch ((enum fl_event_field)index) {
	case FL_EF_HOST:
		return is_syslog ? s->hostname : FL_STR_NONE;
	case FL_EF_APP:
		return is_syslog ? s->app_name : FL_STR_NONE;
	case FL_EF_PROCID:
		return is_syslog ? s->procid : FL_STR_NONE;
	case FL_EF_MSGID:
		return is_syslog ? s->msgid : FL_STR_NONE;
	case FL_EF_MSG:
		return is_syslog ? s->msg : FL_STR_NONE;
	case FL_EF_SEVERITY:
		return is_syslog && s->pri >= 0 ? num_text(m, s->severity) : FL_STR_NONE;
	case FL_EF_FACILITY:
		return is_syslog && s->pri >= 0 ? num_text(m, s->facility) : FL_STR_NONE;
	case FL_EF_PEER:
		return peer_text(m);
	case FL_EF_COMMUNITY:
		return is_trap ? ev->trap.community : FL_STR_NONE;
	case FL_EF_TRAP_OID:
		return is_trap ? ev->trap.trap_oid : FL_STR_NONE;
	case FL_EF_ENTERPRISE:
		return is_trap ? ev->trap.enterprise : FL_STR_NONE;
	case FL_EF_GENERIC_TRAP:
		return is_trap && ev->trap.version == 0 ? num_text(m, ev->trap.generic_trap)
							: FL_STR_NONE;
	case FL_EF_SPECIFIC_TRAP:
		return is_trap && ev->trap.version == 0 ? num_text(m, ev->trap.specific_trap)
							: FL_STR_NONE;
	case FL_EF_VARBIND:
	case FL_EF__COUNT:
		break;
	}
	return FL_STR_NONE;
}

const struct fl_inv_device *fl_match_device(struct fl_match *m, uint32_t rule)
{
	const struct fl_prog_rule *r = &m->prog->rules[rule];
	size_t slot = r->lookup == FL_LOOKUP_MGMT_IP;
	struct fl_str key;

	if (r->lookup == FL_LOOKUP_NONE || !m->prog->inventory)
		return NULL;
	if (m->dev_done[slot])
		return m->dev[slot];
	key = fl_match_field(m, rule, r->lookup_field);
	m->dev[slot] = NULL;
	if (key.p)
		m->dev[slot] = r->lookup == FL_LOOKUP_DEVICE
				   ? fl_inventory_device(m->prog->inventory, key)
				   : fl_inventory_device_by_ip(m->prog->inventory, key);
	m->dev_done[slot] = true;
	return m->dev[slot];
}

static struct fl_str cstr(const char *s)
{
	return s ? fl_str_make(s, strlen(s)) : FL_STR_NONE;
}

static struct fl_str inventory_field(struct fl_match *m, uint32_t rule, uint32_t index)
{
	const struct fl_inv_device *d = fl_match_device(m, rule);
	static const char *const classes[] = {"city", "county", "township"};
	int n;

	if (!d)
		return FL_STR_NONE;
	switch ((enum fl_inv_field)index) {
	case FL_IF_DEVICE:
		return cstr(d->id);
	case FL_IF_SITE:
		return cstr(d->site->id);
	case FL_IF_SITE_NAME:
		return cstr(d->site->name);
	case FL_IF_COUNTY:
		return d->site->county ? cstr(d->site->county->name) : FL_STR_NONE;
	case FL_IF_CITY:
		return d->site->city ? cstr(d->site->city->name) : FL_STR_NONE;
	case FL_IF_RING:
		return d->ring ? cstr(d->ring->id) : FL_STR_NONE;
	case FL_IF_RING_POS:
		if (!d->ring)
			return FL_STR_NONE;
		n = snprintf(m->inv_text, sizeof(m->inv_text), "%zu", d->ring_pos);
		return fl_str_make(m->inv_text, (size_t)n);
	case FL_IF_ROLE:
		return cstr(fl_inv_device_role_name(d->role));
	case FL_IF_VENDOR:
		return cstr(d->vendor);
	case FL_IF_MODEL:
		return cstr(d->model);
	case FL_IF_DEVICE_LEVEL:
		return cstr(fl_inv_level_name(d->level));
	case FL_IF_CLASS:
		return cstr(classes[d->site->site_class]);
	case FL_IF__COUNT:
		break;
	}
	return FL_STR_NONE;
}

/* A capture: its own value, or that of a same-named capture of the rule set by
 * the other regex (a clear's `port` stands for the fault's `port` in the key). */
static struct fl_str capture_field(struct fl_match *m, uint32_t rule, uint32_t index)
{
	const struct fl_program *prog = m->prog;
	const struct fl_prog_rule *r = &prog->rules[rule];
	struct fl_str name = prog->captures[index].name;

	if (m->caps[index].gen == m->gen)
		return m->caps[index].val;
	for (uint32_t x = r->first_regex; x < r->first_regex + r->n_regexes; x++) {
		const struct fl_prog_regex *re = &prog->regexes[x];

		for (uint32_t c = re->first_capture; c < re->first_capture + re->n_captures; c++)
			if (m->caps[c].gen == m->gen && fl_str_eq(prog->captures[c].name, name))
				return m->caps[c].val;
	}
	return FL_STR_NONE;
}

struct fl_str fl_match_field(struct fl_match *m, uint32_t rule, struct fl_prog_field f)
{
	switch (f.kind) {
	case FL_FIELD_EVENT:
		return event_field(m, f.index);
	case FL_FIELD_CAPTURE:
		return capture_field(m, rule, f.index);
	case FL_FIELD_INVENTORY:
		return inventory_field(m, rule, f.index);
	case FL_FIELD_TOPO:
		break;
	}
	return FL_STR_NONE;
}

/* Counts a run of regex ri and gives it its JIT copy once it has earned
 * one (limits.h: FL_MATCH_JIT_*). A copy that fails to compile, for want of
 * memory or JIT support, leaves the regex interpreted for good. */
static void count_run(struct fl_match *m, uint32_t ri, const pcre2_code *code)
{
	struct match_regex *mr = &m->regexes[ri];

	if (--m->runs_to_decay == 0) {
		for (size_t i = 0; i < m->prog->n_regexes; i++)
			m->regexes[i].runs /= 2;
		m->runs_to_decay = FL_MATCH_JIT_DECAY;
	}
	if (mr->jit_tried || ++mr->runs < FL_MATCH_JIT_AFTER || m->stats.regex_jit >= FL_MATCH_JIT_MAX)
		return;
	mr->jit_tried = true;
	mr->jit = pcre2_code_copy(code);
	if (mr->jit && pcre2_jit_compile(mr->jit, PCRE2_JIT_COMPLETE) != 0) {
		pcre2_code_free(mr->jit);
		mr->jit = NULL;
	}
	m->stats.regex_jit += mr->jit != NULL;
}

static bool run_regex(struct fl_match *m, uint32_t ri, struct fl_str subject)
{
	const struct fl_program *prog = m->prog;
	const struct fl_prog_regex *re = &prog->regexes[ri];
	const pcre2_code *code;
	PCRE2_SIZE *ov;
	int rc;

	if (!re->code || !subject.p)
		return false;
	m->stats.regex_runs++;
	code = m->regexes[ri].jit;
	if (!code) {
		code = (const pcre2_code *)re->code;
		count_run(m, ri, code);
	}
	rc = pcre2_match(code, (PCRE2_SPTR)subject.p, subject.len, 0, 0, m->md,
			 (pcre2_match_context *)prog->match_ctx);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
		m->stats.regex_limit++;
	if (rc < 0)
		return false;
	ov = pcre2_get_ovector_pointer(m->md);
	for (uint32_t c = re->first_capture; c < re->first_capture + re->n_captures; c++) {
		uint32_t g = prog->captures[c].group;

		m->caps[c].gen = m->gen;
		if ((int)g < rc && ov[2 * g] != PCRE2_UNSET)
			m->caps[c].val = fl_str_make(subject.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		else
			m->caps[c].val = FL_STR_NONE;
	}
	return true;
}

static bool parse_num(struct fl_str s, int64_t *out)
{
	int64_t v = 0;
	bool neg = false;
	size_t i = 0;

	if (!s.p || s.len == 0 || s.len > 19)
		return false;
	if (s.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == s.len)
		return false;
	for (; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (s.p[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static bool cidr_holds(const struct fl_match *m, const struct fl_prog_cond *c)
{
	const struct fl_event *ev = m->ev;
	const uint8_t *a;
	size_t bytes;

	if (!ev->has_peer || ev->peer.ss_family != c->addr.family)
		return false;
	if (c->addr.family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)&ev->peer)->sin_addr;
		bytes = 4;
	} else {
		a = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)&ev->peer)
			->sin6_addr;
		bytes = 16;
	}
	for (size_t bit = 0; bit < c->addr.prefix && bit < bytes * 8; bit++) {
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));

		if ((a[bit / 8] & mask) != (c->addr.bytes[bit / 8] & mask))
			return false;
	}
	return true;
}

static struct fl_str varbind_value(struct fl_match *m, const struct fl_prog_cond *c)
{
	const struct fl_trap *t = &m->ev->trap;

	if (m->ev->kind != FL_EVENT_TRAP)
		return FL_STR_NONE;
	for (size_t i = 0; i < t->n_varbinds && i < FL_EVENT_MAX_VARBINDS; i++) {
		const struct fl_varbind *vb = &t->varbinds[i];

		if (!fl_str_eq(vb->oid, c->varbind_oid))
			continue;
		if (vb->type == FL_VB_INTEGER)
			return num_text(m, vb->integer);
		if (vb->type == FL_VB_COUNTER32 || vb->type == FL_VB_GAUGE32 ||
		    vb->type == FL_VB_TIMETICKS || vb->type == FL_VB_COUNTER64)
			return num_text(m, (int64_t)vb->unsigned_value);
		return vb->bytes;
	}
	return FL_STR_NONE;
}

static bool cond_holds(struct fl_match *m, uint32_t rule, const struct fl_prog_cond *c)
{
	const struct fl_program *prog = m->prog;
	struct fl_str v;
	int64_t num;

	if (c->op == FL_OP_CIDR)
		return cidr_holds(m, c);
	if (c->field.kind == FL_FIELD_EVENT && c->field.index == FL_EF_VARBIND)
		v = varbind_value(m, c);
	else
		v = fl_match_field(m, rule, c->field);
	switch (c->op) {
	case FL_OP_EXISTS:
		return v.p != NULL;
	case FL_OP_EQ:
	case FL_OP_NE: {
		bool eq;

		if (!v.p)
			return c->op == FL_OP_NE;
		if (c->is_num)
			eq = parse_num(v, &num) && num == c->num;
		else if (c->oid.p)
			eq = fl_str_eq(v, c->oid);
		else
			eq = fl_str_eq(v, c->str);
		return eq == (c->op == FL_OP_EQ);
	}
	case FL_OP_LT:
	case FL_OP_LE:
	case FL_OP_GT:
	case FL_OP_GE:
		if (!parse_num(v, &num))
			return false;
		return c->op == FL_OP_LT ? num < c->num
		       : c->op == FL_OP_LE ? num <= c->num
		       : c->op == FL_OP_GT ? num > c->num
					   : num >= c->num;
	case FL_OP_IN:
	case FL_OP_NOT_IN: {
		bool in = false;

		for (uint32_t k = c->first_value; v.p && k < c->first_value + c->n_values; k++)
			if (fl_str_eq(v, prog->set_values[k])) {
				in = true;
				break;
			}
		return in == (c->op == FL_OP_IN);
	}
	case FL_OP_MATCH:
		return run_regex(m, c->regex, v);
	case FL_OP_NOT_MATCH:
		return v.p && !run_regex(m, c->regex, v);
	case FL_OP_UNDER:
		return v.p && v.len >= c->oid.len && memcmp(v.p, c->oid.p, c->oid.len) == 0;
	case FL_OP_CIDR:
		break;
	}
	return false;
}

static bool is_cheap(const struct fl_prog_cond *c)
{
	return c->op != FL_OP_MATCH && c->op != FL_OP_NOT_MATCH &&
	       c->field.kind == FL_FIELD_EVENT;
}

/* Field conditions on the event first, then regexes, then conditions on
 * captures and inventory (which the regexes and lookup provide). */
static bool conds_hold(struct fl_match *m, uint32_t rule, uint32_t first, uint32_t n)
{
	const struct fl_prog_cond *conds = m->prog->conds;

	for (int pass = 0; pass < 3; pass++)
		for (uint32_t c = first; c < first + n; c++) {
			bool cheap = is_cheap(&conds[c]);
			bool rx = conds[c].op == FL_OP_MATCH || conds[c].op == FL_OP_NOT_MATCH;
			int want = cheap ? 0 : rx ? 1 : 2;

			if (want == pass && !cond_holds(m, rule, &conds[c]))
				return false;
		}
	return true;
}

enum fl_match_result fl_match_rule(struct fl_match *m, uint32_t rule)
{
	const struct fl_prog_rule *r = &m->prog->rules[rule];
	bool want_syslog = r->input == FL_RULE_INPUT_SYSLOG;

	const struct match_rule *mr = &m->rules[rule];

	if (want_syslog != (m->ev->kind == FL_EVENT_SYSLOG))
		return FL_MATCH_NONE;
	if (m->scanned && !sets_seen(m, mr, 0))
		m->stats.sides_skipped++;
	else if (conds_hold(m, rule, r->first_cond, r->n_conds))
		return FL_MATCH_FAULT;
	if (!r->n_clear_conds)
		return FL_MATCH_NONE;
	if (m->scanned && !sets_seen(m, mr, 1))
		m->stats.sides_skipped++;
	else if (conds_hold(m, rule, r->first_clear_cond, r->n_clear_conds))
		return FL_MATCH_CLEAR;
	return FL_MATCH_NONE;
}

void fl_match_stats(const struct fl_match *m, struct fl_match_stats *out)
{
	*out = m->stats;
}
