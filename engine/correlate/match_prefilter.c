/* match_prefilter.c - the prefilter: a rule is keyed on a cover of its
 * requirement tree (a set of atoms one of which any match holds), chosen to
 * wake it as rarely as possible; each atom of a cover is found by a key, the
 * atom itself or, when longer than FL_MATCH_KEY_MAX, the window of it the
 * fewest rules share (of equals, one that neither begins nor ends with
 * another atom). One Aho-Corasick automaton holds every distinct key,
 * and every other atom no longer than a key, which wakes no rule. A message
 * holding a key makes the rules it keys candidates, and a candidate's whole
 * tree confirms it before any regex runs: its short atoms by their bits
 * from the scan, its longer ones by a search of the message (none when
 * their key window is absent). See match.h. */
#include "engine/correlate/match_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/lib/hash.h"
#include "engine/lib/limits.h"

/* How often a cover would wake its rule. An atom many rules share is
 * boilerplate most messages hold (" port=", "notice"), one a single rule
 * holds an identifier few do; how much likelier the first is grows faster
 * than the count of rules sharing it, so an atom weighs its uses squared
 * and a cover the sum over its atoms (wakes). Weighed by uses alone, an
 * alternation of 250 alarm names, one rule's each, cost 250 against 40 for
 * the " port=" beside it that all 40 rules of its plan held, and keyed on
 * that every rule woke on every line, its 250 names each searched for in
 * the message: 5,000 events a second. Among equal covers the one whose
 * shortest atom is longest. uses: the plain sum of the chosen cover, what
 * the field prefilter weighs its values' rules against. */
struct cover_cost {
	uint64_t wakes;
	uint64_t uses;
	uint32_t min_len;
};

static bool cheaper(struct cover_cost a, struct cover_cost b)
{
	return a.wakes < b.wakes || (a.wakes == b.wakes && a.min_len > b.min_len);
}

static char fold_byte(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The cost of the cheapest cover of node: an atom covers itself; an AND is
 * covered by any one child, the cheapest; an OR needs all its children's. */
static struct cover_cost cover_cost(const struct fl_match *m, const struct match_atoms *a,
				    uint32_t node)
{
	const struct match_node *x = &m->nodes[node];
	struct cover_cost best = {UINT64_MAX, UINT64_MAX, 0}, sum = {0, 0, UINT32_MAX};

	if (x->op == FL_RXREQ_ATOM) {
		uint64_t u = a->v[x->first].uses;

		return (struct cover_cost){u * u, u, a->v[x->first].len};
	}
	for (uint32_t k = 0; k < x->n; k++) {
		struct cover_cost c = cover_cost(m, a, x->first + k);

		if (x->op == FL_RXREQ_AND && cheaper(c, best))
			best = c;
		sum.wakes = c.wakes > UINT64_MAX - sum.wakes ? UINT64_MAX : sum.wakes + c.wakes;
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

/* The child of AND node x whose cover is cheapest: the one the rule is
 * keyed on. */
static uint32_t cheapest_child(const struct fl_match *m, const struct match_atoms *a,
			       const struct match_node *x)
{
	struct cover_cost best = {UINT64_MAX, UINT64_MAX, 0};
	uint32_t pick = x->first;

	for (uint32_t k = 0; k < x->n; k++) {
		struct cover_cost c = cover_cost(m, a, x->first + k);

		if (cheaper(c, best)) {
			best = c;
			pick = x->first + k;
		}
	}
	return pick;
}

/* Appends the atoms of node's cheapest cover to out. */
static void cover(const struct fl_match *m, const struct match_atoms *a, uint32_t node,
		  struct cover_out *out)
{
	const struct match_node *x = &m->nodes[node];

	if (x->op == FL_RXREQ_ATOM) {
		if (out->atoms)
			out->atoms[out->n] = x->first;
		out->n++;
		return;
	}
	if (x->op == FL_RXREQ_OR) {
		for (uint32_t k = 0; k < x->n; k++)
			cover(m, a, x->first + k, out);
		return;
	}
	cover(m, a, cheapest_child(m, a, x), out);
}

/* Whether a side of the rule is keyed on the atoms of its tree (not on a
 * field's values, and the rule not a candidate of every message). */
static bool keyed_on_atoms(const struct match_rule *mr, int side)
{
	return !mr->always && mr->tree[side] != FL_RXREQ_NONE && !mr->by_field[side];
}

/* Appends the covers of rule r's sides keyed on atoms to out (counts them
 * when out->atoms is NULL). */
static void rule_cover(const struct fl_match *m, const struct match_atoms *a, size_t r,
		       struct cover_out *out)
{
	for (int side = 0; side < FL_MATCH_SIDES; side++)
		if (keyed_on_atoms(&m->rules[r], side))
			cover(m, a, m->rules[r].tree[side], out);
}

/* Each rule side's condition that could key it on a field. */
static void find_field_conds(struct fl_match *m)
{
	const struct fl_program *prog = m->prog;

	for (size_t r = 0; r < prog->n_rules; r++) {
		struct match_rule *mr = &m->rules[r];
		const struct fl_prog_rule *pr = &prog->rules[r];

		for (int side = 0; side < FL_MATCH_SIDES; side++)
			mr->field_cond[side] = FL_RXREQ_NONE;
		mr->field_cond[0] = fl_match_field_cond(prog, pr, pr->first_cond, pr->n_conds);
		if (pr->n_clear_conds > 0)
			mr->field_cond[1] =
			    fl_match_field_cond(prog, pr, pr->first_clear_cond, pr->n_clear_conds);
	}
}

/* Keys each side on its field where it has no tree, or where fewer rule
 * sides share its field's values than share its atoms' cheapest cover:
 * keyed on the atoms, it would be woken (and its tree checked) with all of
 * them. On a tie the atoms key it, as they select on the message itself.
 * Marks the rules that neither keys: they run on every message. */
static int choose_sides(struct fl_match *m, const struct match_atoms *a)
{
	const struct fl_program *prog = m->prog;
	int rc;

	find_field_conds(m);
	rc = fl_match_build_fields(m, true);
	for (size_t r = 0; rc == 0 && r < prog->n_rules; r++) {
		struct match_rule *mr = &m->rules[r];
		bool by_field = false;

		for (int side = 0; side < (mr->has_clear ? 2 : 1); side++) {
			uint32_t c = mr->field_cond[side];

			if (c == FL_RXREQ_NONE)
				mr->by_field[side] = false;
			else if (mr->tree[side] == FL_RXREQ_NONE)
				mr->by_field[side] = true;
			else
				mr->by_field[side] = fl_match_field_uses(m, &prog->rules[r], c) <
						     cover_cost(m, a, mr->tree[side]).uses;
			by_field = by_field || mr->by_field[side];
			mr->always = mr->always ||
				     (mr->tree[side] == FL_RXREQ_NONE && c == FL_RXREQ_NONE);
		}
		if (mr->always) {
			int input = mr->is_syslog ? 0 : 1;

			m->always[input][m->n_always[input]++] = (uint32_t)r;
			continue;
		}
		m->stats.rules_prefiltered++;
		m->stats.rules_field_indexed += by_field;
	}
	fl_match_fields_free(&m->fields);
	return rc;
}

/* The covers of every rule keyed on atoms, appended to out (atoms
 * allocated), rule r's from starts[r] to starts[r + 1]. */
static int all_covers(struct fl_match *m, const struct match_atoms *a, struct cover_out *out,
		      size_t *starts)
{
	const struct fl_program *prog = m->prog;
	int rc = choose_sides(m, a);

	if (rc < 0)
		return rc;
	out->n = 0;
	for (size_t r = 0; r < prog->n_rules; r++)
		if (!m->rules[r].always)
			rule_cover(m, a, r, out);
	out->atoms = malloc((out->n + 1) * sizeof(*out->atoms)); /* every one written below */
	if (!out->atoms)
		return -ENOMEM;
	out->n = 0;
	for (size_t r = 0; r < prog->n_rules; r++) {
		starts[r] = out->n;
		if (!m->rules[r].always)
			rule_cover(m, a, r, out);
	}
	starts[prog->n_rules] = out->n;
	return 0;
}

/* The atoms, copied: the trees' walks are freed once the matcher is built. */
static int copy_atoms(struct fl_match *m, const struct match_atoms *a)
{
	size_t bytes = 0;
	bool has_text[FL_MATCH_TEXTS] = {false};

	for (size_t i = 0; i < a->n; i++)
		bytes += a->v[i].len;
	m->atoms = calloc(a->n + 1, sizeof(*m->atoms));
	m->atom_bytes = malloc(bytes + 1);
	if (!m->atoms || !m->atom_bytes)
		return -ENOMEM;
	bytes = 0;
	for (size_t i = 0; i < a->n; i++) {
		memcpy(m->atom_bytes + bytes, a->v[i].p, a->v[i].len);
		m->atoms[i] = (struct match_atom_ref){.off = (uint32_t)bytes,
						      .len = a->v[i].len,
						      .text = a->v[i].text,
						      .window = UINT32_MAX,
						      .is_nocase = a->v[i].is_nocase};
		has_text[a->v[i].text] = true;
		if (a->v[i].len <= FL_MATCH_ATOM_INLINE)
			memcpy(m->atoms[i].bytes, a->v[i].p, a->v[i].len);
		bytes += a->v[i].len;
	}
	m->n_atoms = a->n;
	m->scans[m->n_scans++] = FL_MATCH_TEXT_MSG;
	for (uint8_t t = 0; t < FL_MATCH_TEXTS; t++)
		if (t != FL_MATCH_TEXT_MSG && has_text[t])
			m->scans[m->n_scans++] = t;
	return 0;
}

/* Windows with the same text (and case) are one group: one key, whose
 * wakes are the rules the atoms holding it key. Grouped by hashing, in
 * linear time: sorting every window of 30,000 rules' atoms took a quarter
 * of the start at 10,000 patterns (1.4 G instructions of 5.6 G). */
struct window_group {
	const char *p;
	uint32_t len;
	bool is_nocase;
	int8_t edge_atom; /* edge_atom(): -1 not yet asked, else 0 or 1 */
	uint32_t key;	  /* dense key id once chosen, UINT32_MAX before */
	uint64_t wakes;	  /* rules keyed on an atom that holds it, each once */
	uint64_t uses;	  /* the same counted once for each such atom */
	uint32_t atoms;	  /* atoms that hold it: how rare its text is */
	uint32_t last_rule; /* the last rule counted in wakes, + 1 */
};

struct window_table {
	uint32_t *slots; /* group index + 1, 0 empty */
	size_t mask;
	struct window_group *groups;
	size_t n_groups;
};

/* The plan's text, not the network's, is hashed here: a fixed seed. */
#define WINDOW_HASH_SEED UINT64_C(0x9e3779b97f4a7c15)

static uint32_t window_group(struct window_table *t, const char *p, uint32_t len, bool is_nocase)
{
	size_t i = (size_t)(fl_hash64(p, len, WINDOW_HASH_SEED) ^ is_nocase) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		uint32_t g = t->slots[i];
		struct window_group *x;

		if (g == 0) {
			t->groups[t->n_groups] =
			    (struct window_group){p, len, is_nocase, -1, UINT32_MAX, 0, 0, 0, 0};
			t->slots[i] = (uint32_t)++t->n_groups;
			return (uint32_t)t->n_groups - 1;
		}
		x = &t->groups[g - 1];
		if (x->len == len && x->is_nocase == is_nocase && memcmp(x->p, p, len) == 0)
			return g - 1;
	}
}

/* The windows of atom i that could key it: the atom itself when short,
 * else each FL_MATCH_KEY_MAX bytes of it. */
static uint32_t window_len(const struct match_atom_ref *at)
{
	return at->len < FL_MATCH_KEY_MAX ? at->len : FL_MATCH_KEY_MAX;
}

/* Whether rule r is new to *last (the last rule seen, plus one, 0 for
 * none), which then holds it: the covers are walked rule by rule, so this
 * counts each rule once however many of its atoms come by. */
static bool rule_once(uint32_t *last, size_t r)
{
	if (*last == r + 1)
		return false;
	*last = (uint32_t)r + 1;
	return true;
}

/* The windows atom i has a group for: every one of an atom longer than a
 * key (its key, if it keys rules, and the one that confirms it are among
 * them), the atom itself when it keys rules. */
static size_t n_windows(const struct match_atom_ref *at, uint32_t uses)
{
	return uses || at->len > FL_MATCH_KEY_MAX ? at->len - window_len(at) + 1 : 0;
}

/* Groups every window of every atom n_windows() names; *of_window gets
 * each window's group, atom by atom, offset by offset. A group's wakes are
 * the rules whose covers (covers->atoms[starts[r]..starts[r + 1])) hold an
 * atom with the window, each rule once: 250 alarm names of one rule that
 * share "L01DOWN_" wake one rule, not 250. */
static int group_windows(const struct fl_match *m, const uint32_t *uses,
			 const struct cover_out *covers, const size_t *starts,
			 struct window_table *t, uint32_t **of_window)
{
	size_t count = 0, size = 16, j = 0;
	size_t *first = malloc((m->n_atoms + 1) * sizeof(*first)); /* each written below */

	for (size_t i = 0; i < m->n_atoms; i++) {
		size_t n = n_windows(&m->atoms[i], uses[i]);

		count += n ? n : 1; /* 0: short, confirmed by the automaton: a group of its own */
	}
	while (size < 2 * count)
		size *= 2;
	/* Only the slots must start empty: the groups are written as they are
	 * found (far fewer than the windows, which share their text) and every
	 * window's entry is written, so neither is zeroed, nor its unused tail
	 * touched. */
	t->slots = calloc(size, sizeof(*t->slots));
	t->mask = size - 1;
	t->groups = malloc((count + 1) * sizeof(*t->groups));
	*of_window = malloc((count + 1) * sizeof(**of_window));
	if (!first || !t->slots || !t->groups || !*of_window) {
		free(first);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < m->n_atoms; i++) {
		const struct match_atom_ref *at = &m->atoms[i];
		uint32_t len = window_len(at);
		size_t n = n_windows(at, uses[i]);

		first[i] = j;
		for (size_t off = 0; off < n; off++) {
			uint32_t g = window_group(t, m->atom_bytes + at->off + off, len,
						  at->is_nocase);

			t->groups[g].atoms++;
			t->groups[g].uses += uses[i];
			(*of_window)[j++] = g;
		}
	}
	for (size_t r = 0; r < m->prog->n_rules; r++)
		for (size_t k = starts[r]; k < starts[r + 1]; k++) {
			uint32_t i = covers->atoms[k];
			size_t end = first[i] + n_windows(&m->atoms[i], uses[i]);

			for (size_t w = first[i]; w < end; w++) {
				struct window_group *g = &t->groups[(*of_window)[w]];

				g->wakes += rule_once(&g->last_rule, r);
			}
		}
	free(first);
	return 0;
}

/* The short atoms (no longer than a key) by their text in lower case, to
 * ask of a window whether it begins or ends with one: each text packed in
 * a word, and for each first and each last byte the lengths it has. */
struct packed_text {
	uint64_t bytes;
	uint32_t len; /* 0: an empty slot */
};

struct short_atoms {
	struct packed_text *slots;
	size_t mask;
	uint16_t first_lens[256], last_lens[256]; /* bit L: an atom L bytes long */
};

/* len (1..FL_MATCH_KEY_MAX) bytes from p, in lower case. */
static struct packed_text pack_folded(const char *p, uint32_t len)
{
	struct packed_text t = {0, len};

	for (uint32_t i = 0; i < len; i++)
		t.bytes |= (uint64_t)(unsigned char)fold_byte(p[i]) << (8 * i);
	return t;
}

static size_t packed_slot(const struct short_atoms *s, struct packed_text t)
{
	return (size_t)(((t.bytes ^ t.len) * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & s->mask;
}

static bool short_atom_in(const struct short_atoms *s, struct packed_text t)
{
	for (size_t i = packed_slot(s, t); s->slots[i].len; i = (i + 1) & s->mask)
		if (s->slots[i].bytes == t.bytes && s->slots[i].len == t.len)
			return true;
	return false;
}

static int short_atoms_build(const struct fl_match *m, struct short_atoms *s)
{
	size_t size = 16;

	while (size < 2 * m->n_atoms)
		size *= 2;
	memset(s, 0, sizeof(*s));
	s->slots = calloc(size, sizeof(*s->slots));
	s->mask = size - 1;
	if (!s->slots)
		return -ENOMEM;
	for (uint32_t a = 0; a < m->n_atoms; a++) {
		const struct match_atom_ref *at = &m->atoms[a];
		const char *p = m->atom_bytes + at->off;
		struct packed_text t;
		size_t i;

		if (at->len > FL_MATCH_KEY_MAX)
			continue;
		s->first_lens[(unsigned char)fold_byte(p[0])] |= (uint16_t)(1u << at->len);
		s->last_lens[(unsigned char)fold_byte(p[at->len - 1])] |= (uint16_t)(1u << at->len);
		t = pack_folded(p, at->len);
		for (i = packed_slot(s, t); s->slots[i].len; i = (i + 1) & s->mask)
			if (s->slots[i].bytes == t.bytes && s->slots[i].len == t.len)
				break;
		s->slots[i] = t;
	}
	return 0;
}

/* Does window g begin or end with a short atom of the plan (in either
 * case)? Such a window is in every message where that atom has the same
 * bytes beside it: "alm0015 " of "alm0015 burst port=" is in each line of
 * the rules that want "ALM0015" followed by a space (its notices, raises
 * and clears), and waking the burst rule on all of them cost 500
 * instructions an event at 10,000 written patterns, where "lm0015 b" wakes
 * it on its bursts alone. Asked only of windows that wake equally few rules. */
static bool edge_atom(const struct short_atoms *s, struct window_group *g)
{
	if (g->edge_atom < 0) {
		uint32_t firsts = s->first_lens[(unsigned char)fold_byte(g->p[0])];
		uint32_t lasts = s->last_lens[(unsigned char)fold_byte(g->p[g->len - 1])];

		g->edge_atom = 0;
		for (uint32_t len = 1; len <= g->len && !g->edge_atom; len++)
			if ((((firsts >> len) & 1) && short_atom_in(s, pack_folded(g->p, len))) ||
			    (((lasts >> len) & 1) &&
			     short_atom_in(s, pack_folded(g->p + g->len - len, len))))
				g->edge_atom = 1;
	}
	return g->edge_atom;
}

/* Does group a come before group b in byte order (then length, then case)?
 * Of an atom's windows that wake equally few rules, the first so ordered
 * keys it: the choice the sort made before the windows were hashed. (The
 * first by offset, "alm0015 " of "alm0015 burst port=", is in every line of
 * the alarm, where "0015 bur" is in its bursts only: 600 instructions more
 * an event at 1,000 written patterns.) */
static bool group_before(const struct window_group *a, const struct window_group *b)
{
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);

	if (c)
		return c < 0;
	if (a->len != b->len)
		return a->len < b->len;
	return a->is_nocase < b->is_nocase;
}

/* Group g's id in the automaton: the next of *n (keys, or the ids after
 * them), its literal appended to keys (room reserved by the caller), the
 * first time it is asked for. */
static uint32_t group_id(struct window_group *g, struct fl_ac_literal *keys, size_t *n)
{
	if (g->key == UINT32_MAX) {
		g->key = (uint32_t)*n;
		keys[(*n)++] = (struct fl_ac_literal){
		    .bytes = g->p, .len = g->len, .id = g->key, .is_nocase = g->is_nocase};
	}
	return g->key;
}

/* Gives every atom short enough to be a key an id in the automaton (its
 * key's when a key has its text, else one after the keys), in ac_of[atom],
 * UINT32_MAX for longer atoms. The scan then says whether a message holds
 * it, where a search of the message for each atom of each candidate's tree
 * cost 1,100 instructions an event at 1,000 written patterns. A longer atom
 * gets the id of its confirming window (confirm_of[atom], a group) as its
 * window, one after the keys when no key has its text. */
static void confirm_ids(const struct fl_match *m, struct window_table *t, const uint32_t *key_of,
			const uint32_t *confirm_of, uint32_t *ac_of, struct fl_ac_literal *keys,
			size_t *n_ids)
{
	for (uint32_t i = 0; i < m->n_atoms; i++) {
		struct match_atom_ref *at = &m->atoms[i];

		ac_of[i] = UINT32_MAX;
		if (at->len > FL_MATCH_KEY_MAX) {
			if (confirm_of[i] != UINT32_MAX)
				at->window = group_id(&t->groups[confirm_of[i]], keys, n_ids);
		} else if (key_of[i] != UINT32_MAX) {
			ac_of[i] = key_of[i]; /* a short atom's one window is itself */
		} else {
			ac_of[i] = group_id(&t->groups[window_group(t, m->atom_bytes + at->off,
								    at->len, at->is_nocase)],
					    keys, n_ids);
		}
	}
}

/* Of two windows that wake equally few rules, is w a better key than b?
 * One that begins or ends with no short atom, then byte order. */
static bool tie_before(const struct short_atoms *s, struct window_group *w,
		       struct window_group *b)
{
	bool w_edge = edge_atom(s, w), b_edge = edge_atom(s, b);

	return w_edge != b_edge ? !w_edge : group_before(w, b);
}

/* How many atoms may share the key window that confirms them: when it is
 * in a message, each is searched for. */
#define CONFIRM_SHARED_MAX 8

/* The window that confirms atom i (its windows of_window[j..j + n)): its
 * bit unset, the atom is in no message scanned and is not searched for.
 * Its key's, which the automaton has anyway, unless more than
 * CONFIRM_SHARED_MAX atoms hold that; then the one the fewest atoms hold.
 * A rule's 250 alarm names share "L01DOWN_", its key, and each has a
 * window few others hold ("WN_00007"): a line of one name searches for
 * one, not 250. An atom that keys nothing gets the one the fewest hold. */
static uint32_t confirm_window(const struct window_table *t, const uint32_t *of_window, size_t j,
			       size_t n, uint32_t key_group)
{
	uint32_t best = key_group;

	if (best != UINT32_MAX && t->groups[best].atoms <= CONFIRM_SHARED_MAX)
		return best;
	for (size_t k = j; k < j + n; k++)
		if (best == UINT32_MAX || t->groups[of_window[k]].atoms < t->groups[best].atoms)
			best = of_window[k];
	return best;
}

/* Chooses each cover atom's key: of its windows, the one the fewest rules'
 * covers share (tie_before() breaks ties). Fills key_of[atom] with dense
 * key ids, numbered as atoms first choose them, and sets *n_keys; then the
 * atoms the automaton confirms (confirm_ids()), *n_ids in all, their text
 * in *keys. covers and starts: as all_covers() made them. */
static int choose_keys(struct fl_match *m, const uint32_t *uses, const struct cover_out *covers,
		       const size_t *starts, uint32_t *key_of, uint32_t *ac_of,
		       struct fl_ac_literal **keys, size_t *n_keys, size_t *n_ids)
{
	struct window_table t = {0};
	struct short_atoms sa = {0};
	uint32_t *of_window = NULL;
	uint32_t *confirm_of = malloc((m->n_atoms + 1) * sizeof(*confirm_of)); /* all written */
	size_t j = 0;
	int rc = confirm_of ? group_windows(m, uses, covers, starts, &t, &of_window) : -ENOMEM;

	if (rc == 0)
		rc = short_atoms_build(m, &sa);

	/* n_ids written: the groups so far, and one for each short atom */
	*keys = rc == 0 ? malloc((t.n_groups + m->n_atoms + 1) * sizeof(**keys)) : NULL;
	if (!*keys) {
		rc = -ENOMEM;
		goto out;
	}
	*n_keys = 0;
	for (uint32_t i = 0; i < m->n_atoms; i++) {
		struct match_atom_ref *at = &m->atoms[i];
		uint32_t best = UINT32_MAX;
		size_t n = n_windows(at, uses[i]);
		uint64_t fewest = UINT64_MAX, fewest_uses = UINT64_MAX;

		key_of[i] = UINT32_MAX;
		/* the fewest wakes first, then of those the fewest uses (two
		 * atoms of one rule sharing a window wake it once, but a window
		 * of one atom alone is the rarer text), so that only the
		 * windows with both that few are compared by tie_before() */
		for (size_t k = j; uses[i] && k < j + n; k++) {
			const struct window_group *w = &t.groups[of_window[k]];

			if (w->wakes < fewest || (w->wakes == fewest && w->uses < fewest_uses)) {
				fewest = w->wakes;
				fewest_uses = w->uses;
			}
		}
		for (size_t k = j; uses[i] && k < j + n; k++) {
			struct window_group *w = &t.groups[of_window[k]];

			if (w->wakes == fewest && w->uses == fewest_uses &&
			    (best == UINT32_MAX || tie_before(&sa, w, &t.groups[best])))
				best = of_window[k];
		}
		confirm_of[i] = at->len > FL_MATCH_KEY_MAX
				    ? confirm_window(&t, of_window, j, n, best)
				    : UINT32_MAX;
		j += n;
		if (best != UINT32_MAX)
			key_of[i] = group_id(&t.groups[best], *keys, n_keys);
	}
	*n_ids = *n_keys;
	confirm_ids(m, &t, key_of, confirm_of, ac_of, *keys, n_ids);
out:
	free(confirm_of);
	free(sa.slots);
	free(t.slots);
	free(t.groups);
	free(of_window);
	return rc;
}

/* Each key's posting where a found key reads it: its rules inline when
 * there are few (most keys: a key is the window the fewest rules share),
 * else where they start in keyed. */
static int inline_postings(struct fl_match *m)
{
	m->posts = calloc(m->n_ids + 1, sizeof(*m->posts)); /* the confirmed atoms': n 0 */
	if (!m->posts)
		return -ENOMEM;
	for (size_t k = 0; k < m->n_keys; k++) {
		struct match_posting *p = &m->posts[k];
		uint32_t first = m->key_first[k];

		p->n = m->key_first[k + 1] - first;
		if (p->n <= FL_MATCH_POSTING_INLINE)
			memcpy(p->rules, m->keyed + first, p->n * sizeof(*p->rules));
		else
			p->rules[0] = first;
	}
	free(m->key_first); /* the posts say it all now */
	m->key_first = NULL;
	return 0;
}

/* The postings: the rules each key wakes, counted, then filled. */
static int build_postings(struct fl_match *m, const struct cover_out *covers,
			  const size_t *starts, const uint32_t *key_of)
{
	uint32_t *fill = calloc(m->n_keys + 1, sizeof(*fill));
	uint32_t *last = calloc(m->n_keys + 1, sizeof(*last)); /* rule + 1 */

	m->key_first = calloc(m->n_keys + 2, sizeof(*m->key_first));
	m->keyed = malloc((covers->n + 1) * sizeof(*m->keyed)); /* each written once */
	if (!fill || !last || !m->key_first || !m->keyed) {
		free(fill);
		free(last);
		return -ENOMEM;
	}
	/* a rule once per key, however many of its atoms the key is a
	 * window of (one rule's 250 alarm names that share "L01DOWN_") */
	for (size_t r = 0; r < m->prog->n_rules; r++)
		for (size_t k = starts[r]; k < starts[r + 1]; k++) {
			uint32_t key = key_of[covers->atoms[k]];

			m->key_first[key + 1] += rule_once(&last[key], r);
		}
	for (size_t i = 0; i < m->n_keys; i++)
		m->key_first[i + 1] += m->key_first[i];
	memset(last, 0, (m->n_keys + 1) * sizeof(*last));
	for (size_t r = 0; r < m->prog->n_rules; r++)
		for (size_t k = starts[r]; k < starts[r + 1]; k++) {
			uint32_t key = key_of[covers->atoms[k]];

			if (rule_once(&last[key], r))
				m->keyed[m->key_first[key] + fill[key]++] = (uint32_t)r;
		}
	free(fill);
	free(last);
	return inline_postings(m);
}

/* The keys, their postings and the automaton. The temporary tables are
 * freed before fl_ac_create() builds its own, so it reuses their memory
 * instead of faulting in fresh pages. */
/* Marks each atom node of the trees with the atom's automaton id (plus
 * one; ac_of NULL: none, every atom is searched for). */
static void mark_atom_nodes(struct fl_match *m, const uint32_t *ac_of)
{
	for (size_t k = 0; k < m->n_nodes; k++) {
		struct match_node *x = &m->nodes[k];

		if (x->op == FL_RXREQ_ATOM)
			x->n = ac_of && ac_of[x->first] != UINT32_MAX ? ac_of[x->first] + 1 : 0;
	}
}

/* The automaton over the keys and the atoms it confirms; over the keys
 * alone when that is past its memory cap (the atoms are then searched for,
 * as they would be anyway). */
static int build_automaton(struct fl_match *m, const struct fl_ac_literal *keys,
			   const uint32_t *ac_of)
{
	int rc = -E2BIG;

	if (m->n_keys > (size_t)FL_AC_MAX_PATTERN_ID + 1)
		return -E2BIG;
	if (m->n_ids <= (size_t)FL_AC_MAX_PATTERN_ID + 1)
		rc = fl_ac_create(&m->ac, keys, m->n_ids, 0);
	if (rc == 0) {
		mark_atom_nodes(m, ac_of);
		return 0;
	}
	if (rc != -E2BIG || m->n_ids == m->n_keys)
		return rc;
	m->n_ids = m->n_keys;
	mark_atom_nodes(m, NULL);
	for (size_t i = 0; i < m->n_atoms; i++) /* confirming windows past the keys are gone */
		if (m->atoms[i].window != UINT32_MAX && m->atoms[i].window >= m->n_keys)
			m->atoms[i].window = UINT32_MAX;
	return fl_ac_create(&m->ac, keys, m->n_keys, 0);
}

/* Node k as a gate group: an atom with a bit, or an OR of one or two of
 * them; its bits in g, its cost (how many trees hold its atoms: the more,
 * the likelier the message has one) returned, UINT64_MAX when it is no
 * group. */
static uint64_t gate_group(const struct fl_match *m, const struct match_atoms *a, uint32_t k,
			   uint32_t g[2])
{
	const struct match_node *x = &m->nodes[k];
	uint64_t uses = 0;

	g[0] = g[1] = MATCH_GATE_NONE;
	if (x->op == FL_RXREQ_ATOM) {
		if (x->n == 0)
			return UINT64_MAX;
		g[0] = x->n - 1;
		return a->v[x->first].uses;
	}
	if (x->op != FL_RXREQ_OR || x->n == 0 || x->n > 2)
		return UINT64_MAX;
	for (uint32_t i = 0; i < x->n; i++) {
		const struct match_node *y = &m->nodes[x->first + i];

		if (y->op != FL_RXREQ_ATOM || y->n == 0)
			return UINT64_MAX;
		g[i] = y->n - 1;
		uses += a->v[y->first].uses;
	}
	return uses;
}

/* A side's gate: of its tree's top AND, the children other than the one
 * its cover keys it on that are gate groups, the fewest-held first. A bit
 * is set whenever its atom is in a scanned text, and every match of the
 * side holds every child of the AND: the gate only drops wakes its tree
 * would drop. */
static void side_gate(const struct fl_match *m, const struct match_atoms *a, uint32_t root,
		      uint32_t gate[FL_MATCH_GATE_GROUPS][2])
{
	const struct match_node *x = &m->nodes[root];
	uint64_t cost[FL_MATCH_GATE_GROUPS];
	uint32_t pick;

	for (int i = 0; i < FL_MATCH_GATE_GROUPS; i++) {
		gate[i][0] = gate[i][1] = MATCH_GATE_NONE;
		cost[i] = UINT64_MAX;
	}
	if (x->op != FL_RXREQ_AND)
		return;
	pick = cheapest_child(m, a, x);
	for (uint32_t k = x->first; k < x->first + x->n; k++) {
		uint32_t g[2];
		uint64_t c;
		int at = 0;

		if (k == pick || (c = gate_group(m, a, k, g)) == UINT64_MAX)
			continue;
		while (at < FL_MATCH_GATE_GROUPS && cost[at] <= c)
			at++;
		if (at == FL_MATCH_GATE_GROUPS)
			continue; /* the groups kept are all held by fewer */
		for (int i = FL_MATCH_GATE_GROUPS - 1; i > at; i--) {
			cost[i] = cost[i - 1];
			memcpy(gate[i], gate[i - 1], sizeof(gate[i]));
		}
		cost[at] = c;
		memcpy(gate[at], g, sizeof(g));
	}
}

/* Every rule's gates, once the trees' atoms have their bits. */
static void build_gates(struct fl_match *m, const struct match_atoms *a)
{
	for (size_t r = 0; r < m->prog->n_rules; r++) {
		struct match_rule *mr = &m->rules[r];

		for (int side = 0; side < FL_MATCH_SIDES; side++) {
			if (keyed_on_atoms(mr, side))
				side_gate(m, a, mr->tree[side], mr->gate.bit[side]);
			else
				memset(mr->gate.bit[side], 0xff, sizeof(mr->gate.bit[side])); /* UNKEYED */
		}
	}
}

static int build_keys(struct fl_match *m, const struct match_atoms *a)
{
	struct cover_out covers = {0};
	struct fl_ac_literal *keys = NULL;
	uint32_t *uses = calloc(a->n + 1, sizeof(*uses));
	uint32_t *key_of = malloc((a->n + 1) * sizeof(*key_of)); /* choose_keys() writes all */
	uint32_t *ac_of = malloc((a->n + 1) * sizeof(*ac_of));	   /* and these */
	size_t *starts = malloc((m->prog->n_rules + 1) * sizeof(*starts)); /* all_covers() too */
	int rc = uses && key_of && ac_of && starts ? all_covers(m, a, &covers, starts) : -ENOMEM;

	for (size_t k = 0; rc == 0 && k < covers.n; k++)
		uses[covers.atoms[k]]++;
	if (rc == 0)
		rc = choose_keys(m, uses, &covers, starts, key_of, ac_of, &keys, &m->n_keys,
				 &m->n_ids);
	free(uses);
	if (rc == 0)
		rc = build_postings(m, &covers, starts, key_of);
	free(covers.atoms);
	free(starts);
	free(key_of);
	if (rc == 0)
		rc = build_automaton(m, keys, ac_of);
	if (rc == 0)
		build_gates(m, a);
	free(ac_of);
	free(keys);
	return rc;
}

int fl_match_build_prefilter(struct fl_match *m)
{
	struct match_atoms atoms;
	int rc = fl_match_build_trees(m, &atoms);

	if (rc == 0)
		rc = copy_atoms(m, &atoms);
	if (rc == 0)
		rc = build_keys(m, &atoms);
	if (rc == 0)
		rc = fl_match_build_fields(m, false);
	m->stats.literals = m->n_keys;
	m->stats.confirm_literals = atoms.n;
	fl_match_atoms_free(&atoms);
	if (rc < 0)
		return rc;
	m->seen_words = fl_ac_bitset_words(m->ac);
	m->seen = calloc(m->seen_words + 1, sizeof(*m->seen));
	m->found = calloc(m->n_ids + 1, sizeof(*m->found));
	return m->seen && m->found ? 0 : -ENOMEM;
}

/* Does hay (n bytes) hold needle (len > 0 bytes)? memchr() for its first
 * byte, then the rest: a message is a few dozen bytes, and a byte-by-byte
 * compare at every offset cost a third of an event's instructions at 1,000
 * written patterns. */
static bool holds(const char *hay, size_t n, const char *needle, size_t len)
{
	const char *p = hay, *last;

	if (len > n)
		return false;
	last = hay + (n - len);
	while (p <= last && (p = memchr(p, (unsigned char)needle[0], (size_t)(last - p) + 1))) {
		if (memcmp(p + 1, needle + 1, len - 1) == 0)
			return true;
		p++;
	}
	return false;
}

/* The current message with ASCII letters in lower case, made once per
 * message for its caseless atoms (stored in lower case); NULL when out of
 * memory, and the caller folds as it compares. */
static const char *folded_msg(struct fl_match *m, struct fl_str msg)
{
	if (m->folded_gen == m->gen)
		return m->folded;
	if (msg.len > m->folded_cap) {
		char *f = realloc(m->folded, msg.len);

		if (!f)
			return NULL;
		m->folded = f;
		m->folded_cap = msg.len;
	}
	for (size_t i = 0; i < msg.len; i++)
		m->folded[i] = fold_byte(msg.p[i]);
	m->folded_gen = m->gen;
	return m->folded;
}

static bool holds_folding(const char *hay, size_t n, const char *atom, size_t len)
{
	for (size_t i = 0; i + len <= n; i++) {
		size_t k = 0;

		while (k < len && fold_byte(hay[i + k]) == atom[k])
			k++;
		if (k == len)
			return true;
	}
	return false;
}

/* Does the current message hold atom a? Found once per message. */
static bool atom_present(struct fl_match *m, uint32_t a)
{
	struct match_atom_ref *at = &m->atoms[a];
	const char *atom, *f;
	struct fl_str text;
	bool has;

	if (at->gen == m->gen)
		return at->has;
	text = fl_match_event_text(m->ev, at->text);
	atom = at->len <= FL_MATCH_ATOM_INLINE ? at->bytes : m->atom_bytes + at->off;
	if (!text.p)
		has = false;
	else if (at->window != UINT32_MAX &&
		 !((m->seen[at->window >> 6] >> (at->window & 63)) & 1))
		has = false; /* a window of it is in no text scanned */
	else {
		m->stats.atoms_searched++;
		if (!at->is_nocase)
			has = holds(text.p, text.len, atom, at->len);
		else if (at->text == FL_MATCH_TEXT_MSG && (f = folded_msg(m, text)))
			has = holds(f, text.len, atom, at->len);
		else
			has = holds_folding(text.p, text.len, atom, at->len);
	}
	at->gen = m->gen;
	at->has = has;
	return has;
}

/* An atom node: its bit from the scan, or a search of the message. */
static bool atom_seen(struct fl_match *m, const struct match_node *x)
{
	return x->n ? (m->seen[(x->n - 1) >> 6] >> ((x->n - 1) & 63)) & 1
		    : atom_present(m, x->first);
}

static bool node_seen(struct fl_match *m, uint32_t node);

/* An AND or OR node x: atom children are read in the loop, not by a call
 * apiece (most nodes are atoms, and the calls were half the cost of a
 * candidate's check); deeper groups recurse. */
static inline bool group_seen(struct fl_match *m, const struct match_node *x)
{
	bool stop_on = x->op == FL_RXREQ_OR;

	for (uint32_t k = 0; k < x->n; k++) {
		const struct match_node *y = &m->nodes[x->first + k];
		bool seen = y->op == FL_RXREQ_ATOM ? atom_seen(m, y) : node_seen(m, x->first + k);

		if (seen == stop_on)
			return stop_on;
	}
	return !stop_on;
}

/* A side's root: most are an AND of ORs of atoms ("ALM|Alm", "notice|
 * NOTICE"), checked here with no call below the root's. */
static bool node_seen(struct fl_match *m, uint32_t node)
{
	const struct match_node *x = &m->nodes[node];
	bool stop_on = x->op == FL_RXREQ_OR;

	if (x->op == FL_RXREQ_ATOM)
		return atom_seen(m, x);
	for (uint32_t k = 0; k < x->n; k++) {
		const struct match_node *y = &m->nodes[x->first + k];
		bool seen = y->op == FL_RXREQ_ATOM ? atom_seen(m, y) : group_seen(m, y);

		if (seen == stop_on)
			return stop_on;
	}
	return !stop_on;
}

bool fl_match_side_seen(struct fl_match *m, const struct match_rule *mr, int side)
{
	return mr->tree[side] == FL_RXREQ_NONE || node_seen(m, mr->tree[side]);
}
