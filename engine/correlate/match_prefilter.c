/* match_prefilter.c - the prefilter: one Aho-Corasick automaton over every
 * distinct atom of the plan, and per atom the rules it keys. A rule is keyed
 * on a cover of its requirement tree (a set of atoms one of which any match
 * holds), chosen to wake it as rarely as possible; the whole tree then
 * confirms a candidate before any regex runs. See match.h. */
#include "engine/correlate/match_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/limits.h"

/* How often a cover would wake its rule: the uses of its atoms summed (a
 * shared atom wakes every rule keyed on it); among equal covers the one
 * whose shortest atom is longest. */
struct cover_cost {
	uint64_t uses;
	uint32_t min_len;
};

static bool cheaper(struct cover_cost a, struct cover_cost b)
{
	return a.uses < b.uses || (a.uses == b.uses && a.min_len > b.min_len);
}

/* The cost of the cheapest cover of node: an atom covers itself; an AND is
 * covered by any one child, the cheapest; an OR needs all its children's. */
static struct cover_cost cover_cost(const struct fl_match *m, const struct match_atoms *a,
				    uint32_t node)
{
	const struct match_node *x = &m->nodes[node];
	struct cover_cost best = {UINT64_MAX, 0}, sum = {0, UINT32_MAX};

	if (x->op == FL_RXREQ_ATOM)
		return (struct cover_cost){a->v[x->first].uses, a->v[x->first].len};
	for (uint32_t k = 0; k < x->n; k++) {
		struct cover_cost c = cover_cost(m, a, m->kids[x->first + k]);

		if (x->op == FL_RXREQ_AND && cheaper(c, best))
			best = c;
		sum.uses += c.uses;
		if (c.min_len < sum.min_len)
			sum.min_len = c.min_len;
	}
	return x->op == FL_RXREQ_AND ? best : sum;
}

/* The atoms of a cheapest cover, appended to atoms (NULL: counted only). */
struct cover_out {
	uint32_t *atoms; /* NULL: count only */
	size_t n;
};

/* Appends the atoms of node's cheapest cover to out. */
static void cover(const struct fl_match *m, const struct match_atoms *a, uint32_t node,
		  struct cover_out *out)
{
	const struct match_node *x = &m->nodes[node];
	struct cover_cost best = {UINT64_MAX, 0};
	uint32_t pick = 0;

	if (x->op == FL_RXREQ_ATOM) {
		if (out->atoms)
			out->atoms[out->n] = x->first;
		out->n++;
		return;
	}
	if (x->op == FL_RXREQ_OR) {
		for (uint32_t k = 0; k < x->n; k++)
			cover(m, a, m->kids[x->first + k], out);
		return;
	}
	for (uint32_t k = 0; k < x->n; k++) {
		struct cover_cost c = cover_cost(m, a, m->kids[x->first + k]);

		if (cheaper(c, best)) {
			best = c;
			pick = m->kids[x->first + k];
		}
	}
	cover(m, a, pick, out);
}

/* Appends the covers of rule r's sides to out (counts them when
 * out->atoms is NULL). */
static void rule_cover(const struct fl_match *m, const struct match_atoms *a, size_t r,
		       struct cover_out *out)
{
	for (int side = 0; side < FL_MATCH_SIDES; side++)
		if (m->rules[r].tree[side] != FL_RXREQ_NONE)
			cover(m, a, m->rules[r].tree[side], out);
}

/* The rules each atom keys, as postings: counted, then filled. A rule with
 * a side that requires nothing is a candidate for every message instead. */
static int build_postings(struct fl_match *m, const struct match_atoms *a)
{
	const struct fl_program *prog = m->prog;
	struct cover_out out = {0};
	uint32_t *fill;

	m->key_first = calloc(a->n + 2, sizeof(*m->key_first));
	if (!m->key_first)
		return -ENOMEM;
	for (size_t r = 0; r < prog->n_rules; r++) {
		struct match_rule *mr = &m->rules[r];
		bool has_clear = prog->rules[r].n_clear_conds > 0;

		mr->always = mr->tree[0] == FL_RXREQ_NONE || (has_clear && mr->tree[1] == FL_RXREQ_NONE);
		if (mr->always) {
			m->always[m->n_always++] = (uint32_t)r;
			continue;
		}
		m->stats.rules_prefiltered++;
		rule_cover(m, a, r, &out);
	}
	m->keyed = calloc(out.n + 1, sizeof(*m->keyed));
	out.atoms = calloc(out.n + 1, sizeof(*out.atoms));
	fill = calloc(a->n + 1, sizeof(*fill));
	if (!m->keyed || !out.atoms || !fill) {
		free(out.atoms);
		free(fill);
		return -ENOMEM;
	}
	out.n = 0;
	for (size_t r = 0; r < prog->n_rules; r++)
		if (!m->rules[r].always)
			rule_cover(m, a, r, &out);
	for (size_t k = 0; k < out.n; k++)
		m->key_first[out.atoms[k] + 1]++;
	for (size_t i = 0; i < a->n; i++)
		m->key_first[i + 1] += m->key_first[i];
	out.n = 0;
	for (size_t r = 0; r < prog->n_rules; r++) {
		size_t from = out.n;

		if (m->rules[r].always)
			continue;
		rule_cover(m, a, r, &out);
		for (size_t k = from; k < out.n; k++)
			m->keyed[m->key_first[out.atoms[k]] + fill[out.atoms[k]]++] = (uint32_t)r;
	}
	free(out.atoms);
	free(fill);
	return 0;
}

static int build_automaton(struct fl_match *m, const struct match_atoms *a)
{
	struct fl_ac_literal *lits;
	int rc;

	if (a->n > (size_t)FL_AC_MAX_PATTERN_ID + 1)
		return -E2BIG;
	lits = calloc(a->n + 1, sizeof(*lits));
	if (!lits)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++)
		lits[i] = (struct fl_ac_literal){.bytes = a->v[i].p, .len = a->v[i].len,
						 .id = (uint32_t)i, .is_nocase = a->v[i].is_nocase};
	rc = fl_ac_create(&m->ac, lits, a->n, 0);
	free(lits);
	return rc;
}

int fl_match_build_prefilter(struct fl_match *m)
{
	struct match_atoms atoms;
	int rc = fl_match_build_trees(m, &atoms);

	if (rc == 0)
		rc = build_postings(m, &atoms);
	if (rc == 0)
		rc = build_automaton(m, &atoms);
	m->n_atoms = atoms.n;
	m->stats.literals = m->stats.confirm_literals = atoms.n;
	fl_match_atoms_free(&atoms);
	if (rc < 0)
		return rc;
	m->seen_words = fl_ac_bitset_words(m->ac);
	m->seen = calloc(m->seen_words + 1, sizeof(*m->seen));
	m->rule_gen = calloc(m->prog->n_rules + 1, sizeof(*m->rule_gen));
	return m->seen && m->rule_gen ? 0 : -ENOMEM;
}

static bool node_seen(const struct fl_match *m, uint32_t node)
{
	const struct match_node *x = &m->nodes[node];

	if (x->op == FL_RXREQ_ATOM)
		return (m->seen[x->first / 64] >> (x->first % 64)) & 1;
	for (uint32_t k = 0; k < x->n; k++)
		if (node_seen(m, m->kids[x->first + k]) == (x->op == FL_RXREQ_OR))
			return x->op == FL_RXREQ_OR;
	return x->op == FL_RXREQ_AND;
}

bool fl_match_side_seen(const struct fl_match *m, const struct match_rule *mr, int side)
{
	return mr->tree[side] == FL_RXREQ_NONE || node_seen(m, mr->tree[side]);
}
