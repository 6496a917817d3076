/* match_literals.c - the atoms each rule needs: per side (where, clear
 * where), the AND of the requirement trees of its regexes on msg, host, app
 * and msgid, with each distinct atom (of its text) numbered once for the
 * whole plan. See match.h. */
#include "engine/correlate/match_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/hash.h"
#include "grammar/plan.h"

/* The text a condition's regex must match, FL_MATCH_TEXT_*, or -1 when
 * it keys nothing: not a match, or on another field. */
static int text_match(const struct fl_prog_cond *c)
{
	if (!fl_program_cond_scans_text(c))
		return -1;
	switch (c->field.index) {
	case FL_EF_HOST: return FL_MATCH_TEXT_HOST;
	case FL_EF_APP: return FL_MATCH_TEXT_APP;
	case FL_EF_MSGID: return FL_MATCH_TEXT_MSGID;
	default: return FL_MATCH_TEXT_MSG;
	}
}

size_t fl_match_regex_requirement(const struct fl_prog_regex *rx, char *out, size_t cap)
{
	struct fl_rxreq *r;
	size_t len;

	if (!fl_prog_regex_compiled(rx) ||
	    fl_rxreq_build(&r, rx->pattern.p, rx->pattern.len, rx->opts) < 0) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	len = fl_rxreq_format(r, out, cap);
	fl_rxreq_destroy(r);
	return len;
}

/* The tree of every regex of a syslog rule on a text, the compiler's when
 * it kept it (walking 40,000 regexes twice cost 0.67 G instructions at
 * 10,000 patterns); a regex PCRE2 refused (it never matches) keeps NULL. */
static int walk_regexes(const struct fl_program *prog, struct match_atoms *a)
{
	a->trees = calloc(prog->n_regexes + 1, sizeof(*a->trees));
	a->own = calloc(prog->n_regexes + 1, sizeof(*a->own));
	a->texts = calloc(prog->n_regexes + 1, sizeof(*a->texts));
	if (!a->trees || !a->own || !a->texts)
		return -ENOMEM;
	a->n_trees = prog->n_regexes;
	for (size_t c = 0; c < prog->n_conds; c++) {
		const struct fl_prog_cond *cond = &prog->conds[c];
		const struct fl_prog_regex *rx;
		int text = text_match(cond);

		if (text < 0 || a->trees[cond->regex])
			continue;
		a->texts[cond->regex] = (uint8_t)text;
		rx = &prog->regexes[cond->regex];
		if (!fl_prog_regex_compiled(rx))
			continue;
		if (rx->req) {
			a->trees[cond->regex] = rx->req;
			continue;
		}
		if (fl_rxreq_build(&a->own[cond->regex], rx->pattern.p, rx->pattern.len, rx->opts) < 0)
			return -ENOMEM;
		a->trees[cond->regex] = a->own[cond->regex];
	}
	return 0;
}

/* The plan's text, not the network's, is hashed here: a fixed seed. */
#define ATOM_HASH_SEED UINT64_C(0xd6e8feb86659fd93)

/* The slot of atom (p, len, is_nocase) of text in a's table: its own, or
 * the empty one where it goes. */
static uint32_t *atom_slot(const struct match_atoms *a, const char *p, uint32_t len,
			   bool is_nocase, uint8_t text)
{
	size_t i = (size_t)(fl_hash64(p, len, ATOM_HASH_SEED) ^ is_nocase ^ ((uint64_t)text << 1)) &
		   a->mask;

	for (;; i = (i + 1) & a->mask) {
		const struct match_atom *x;

		if (a->slots[i] == 0)
			return &a->slots[i];
		x = &a->v[a->slots[i] - 1];
		if (x->len == len && x->is_nocase == is_nocase && x->text == text &&
		    memcmp(x->p, p, len) == 0)
			return &a->slots[i];
	}
}

/* Every atom of every tree, each once, in the order the trees hold them,
 * and counted: an atom's uses are the trees that hold it, how many rules it
 * would wake. Hashed: sorting them took 0.4 G instructions of the start at
 * 10,000 patterns. */
static int collect_atoms(struct match_atoms *a)
{
	size_t n = 0, size = 16;

	for (size_t t = 0; t < a->n_trees; t++)
		if (a->trees[t])
			n += a->trees[t]->n_nodes;
	while (size < 2 * n)
		size *= 2;
	a->v = malloc((n + 1) * sizeof(*a->v)); /* n: every node, most not atoms nor new */
	a->slots = calloc(size, sizeof(*a->slots));
	a->mask = size - 1;
	if (!a->v || !a->slots)
		return -ENOMEM;
	for (size_t t = 0; t < a->n_trees; t++) {
		const struct fl_rxreq *r = a->trees[t];

		for (size_t k = 0; r && k < r->n_nodes; k++) {
			const struct fl_rxreq_node *x = &r->nodes[k];
			uint32_t *slot;

			if (x->op != FL_RXREQ_ATOM)
				continue;
			slot = atom_slot(a, r->bytes + x->first, x->n, x->is_nocase, a->texts[t]);
			if (*slot) {
				a->v[*slot - 1].uses++;
				continue;
			}
			a->v[a->n++] = (struct match_atom){r->bytes + x->first, x->n, x->is_nocase,
							   a->texts[t], 1};
			*slot = (uint32_t)a->n;
		}
	}
	return 0;
}

static uint32_t atom_id(const struct match_atoms *a, const struct fl_rxreq *r, uint8_t text,
		       uint32_t node)
{
	const struct fl_rxreq_node *x = &r->nodes[node];

	return *atom_slot(a, r->bytes + x->first, x->n, x->is_nocase, text) - 1; /* all collected */
}

/* Copies node of r into m->nodes[self], and the nodes below it after those
 * already copied, each node's children side by side. The caller has
 * reserved the room. */
static void copy_tree(struct fl_match *m, const struct match_atoms *a, const struct fl_rxreq *r,
		      uint8_t text, uint32_t node, uint32_t self)
{
	const struct fl_rxreq_node *x = &r->nodes[node];
	uint32_t first = (uint32_t)m->n_nodes;

	if (x->op == FL_RXREQ_ATOM) {
		m->nodes[self] = (struct match_node){FL_RXREQ_ATOM, atom_id(a, r, text, node), 0};
		return;
	}
	m->n_nodes += x->n;
	m->nodes[self] = (struct match_node){x->op, first, x->n};
	for (uint32_t k = 0; k < x->n; k++)
		copy_tree(m, a, r, text, r->kids[x->first + k], first + k);
}

/* The tree of one side: its regexes' trees, under one AND when several. */
static uint32_t side_tree(struct fl_match *m, const struct match_atoms *a, uint32_t first_cond,
			  uint32_t n_conds)
{
	const struct fl_program *prog = m->prog;
	const struct fl_rxreq *trees[8];
	uint8_t texts[8];
	uint32_t n = 0, top, first;

	for (uint32_t c = first_cond; c < first_cond + n_conds; c++) {
		const struct fl_prog_cond *cond = &prog->conds[c];
		const struct fl_rxreq *r;

		if (text_match(cond) < 0 || !(r = a->trees[cond->regex]) ||
		    r->root == FL_RXREQ_NONE)
			continue;
		if (n < sizeof(trees) / sizeof(trees[0])) { /* more regexes than 8: rare, and
							       fewer only requires less */
			texts[n] = a->texts[cond->regex];
			trees[n++] = r;
		}
	}
	if (n == 0)
		return FL_RXREQ_NONE;
	top = (uint32_t)m->n_nodes++;
	if (n == 1) {
		copy_tree(m, a, trees[0], texts[0], trees[0]->root, top);
		return top;
	}
	first = (uint32_t)m->n_nodes;
	m->n_nodes += n;
	m->nodes[top] = (struct match_node){FL_RXREQ_AND, first, n};
	for (uint32_t k = 0; k < n; k++)
		copy_tree(m, a, trees[k], texts[k], trees[k]->root, first + k);
	return top;
}

/* Room for every side's copy: each side copies at most the nodes of
 * its regexes' trees, plus one AND. */
static int reserve(struct fl_match *m, const struct match_atoms *a)
{
	const struct fl_program *prog = m->prog;
	size_t nodes = 0;

	for (size_t c = 0; c < prog->n_conds; c++) {
		const struct fl_prog_cond *cond = &prog->conds[c];
		const struct fl_rxreq *r;

		if (text_match(cond) < 0 || !(r = a->trees[cond->regex]))
			continue;
		nodes += r->n_nodes + 1;
	}
	m->nodes = malloc((nodes + 2 * prog->n_rules + 1) * sizeof(*m->nodes));
	return m->nodes ? 0 : -ENOMEM;
}

/* The build is done with the reserve's worst case: the matcher keeps
 * n_nodes of it, and the hash table served atom_id() only. */
static void trim(struct fl_match *m, struct match_atoms *atoms)
{
	struct match_node *nodes = realloc(m->nodes, (m->n_nodes + 1) * sizeof(*m->nodes));

	if (nodes) /* else the larger block stays: still right */
		m->nodes = nodes;
	free(atoms->slots);
	atoms->slots = NULL;
}

int fl_match_build_trees(struct fl_match *m, struct match_atoms *atoms)
{
	const struct fl_program *prog = m->prog;
	int rc;

	memset(atoms, 0, sizeof(*atoms));
	if ((rc = walk_regexes(prog, atoms)) < 0 || (rc = collect_atoms(atoms)) < 0 ||
	    (rc = reserve(m, atoms)) < 0)
		return rc;
	for (size_t i = 0; i < prog->n_rules; i++) {
		const struct fl_prog_rule *r = &prog->rules[i];

		m->rules[i].tree[0] = m->rules[i].tree[1] = FL_RXREQ_NONE;
		if (r->input != FL_RULE_INPUT_SYSLOG)
			continue; /* only syslog messages are scanned */
		m->rules[i].tree[0] = side_tree(m, atoms, r->first_cond, r->n_conds);
		m->rules[i].tree[1] = side_tree(m, atoms, r->first_clear_cond, r->n_clear_conds);
	}
	trim(m, atoms);
	return 0;
}

void fl_match_atoms_free(struct match_atoms *atoms)
{
	for (size_t t = 0; atoms->own && t < atoms->n_trees; t++)
		fl_rxreq_destroy(atoms->own[t]);
	free(atoms->own);
	free(atoms->trees);
	free(atoms->texts);
	free(atoms->v);
	free(atoms->slots);
	atoms->trees = NULL;
	atoms->texts = NULL;
	atoms->own = NULL;
	atoms->v = NULL;
	atoms->slots = NULL;
	atoms->n = atoms->n_trees = 0;
}
