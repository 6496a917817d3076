/* rxreq_sets.c - the algebra of the requirement walker: exact sets of
 * strings that multiply while small, trees of atoms otherwise, what a repeat
 * or an alternation makes of them, and the flat result. See rxreq.h. */
#include "engine/lib/rxreq_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK 65536

/* ---- pool ------------------------------------------------------------------ */

void *rxreq_pool_grow(struct walk *w, size_t need)
{
	size_t cap = need > POOL_CHUNK ? need : POOL_CHUNK;
	struct pool_chunk *c;

	if (w->oom)
		return NULL;
	c = malloc(sizeof(*c) + cap);
	if (!c) {
		w->oom = true;
		return NULL;
	}
	c->next = w->pool;
	c->used = need;
	c->cap = cap;
	w->pool = c;
	return c->data; /* not zeroed: every caller fills what it reads */
}

void rxreq_pool_free(struct walk *w)
{
	while (w->pool) {
		struct pool_chunk *next = w->pool->next;

		if (w->pool != w->first)
			free(w->pool);
		w->pool = next;
	}
}

/* ---- infos and trees ------------------------------------------------------- */

struct info rxreq_info_any(void)
{
	return (struct info){.is_exact = false};
}

struct info rxreq_info_set(const struct xset *s)
{
	return (struct info){.is_exact = s != NULL, .exact = s};
}

struct xset *rxreq_set_new(struct walk *w)
{
	struct xset *s = rxreq_pool_alloc(w, sizeof(*s));

	if (s)
		s->n = 0;
	return s;
}

struct xset *rxreq_set_one(struct walk *w, const char *p, uint32_t len, bool nocase)
{
	struct xset *s = rxreq_set_new(w);

	if (!s)
		return NULL;
	s->s[0] = (struct xstr){p, len, nocase};
	s->n = 1;
	return s;
}

struct info rxreq_info_empty(struct walk *w)
{
	return rxreq_info_set(rxreq_set_one(w, "", 0, false));
}

static bool set_has(const struct xset *s, struct xstr x)
{
	for (uint32_t k = 0; k < s->n; k++)
		if (s->s[k].len == x.len && s->s[k].is_nocase == x.is_nocase &&
		    memcmp(s->s[k].p, x.p, x.len) == 0)
			return true;
	return false;
}

void rxreq_set_add(struct xset *s, struct xstr x)
{
	if (!set_has(s, x) && s->n < FL_RXREQ_EXACT_MAX)
		s->s[s->n++] = x;
}

static uint32_t set_max_len(const struct xset *s)
{
	uint32_t m = 0;

	for (uint32_t k = 0; k < s->n; k++)
		if (s->s[k].len > m)
			m = s->s[k].len;
	return m;
}

uint32_t rxreq_set_min_len(const struct xset *s)
{
	uint32_t m = UINT32_MAX;

	for (uint32_t k = 0; k < s->n; k++)
		if (s->s[k].len < m)
			m = s->s[k].len;
	return m;
}

bool rxreq_fits_product(const struct xset *a, const struct xset *b)
{
	return a->n * b->n <= FL_RXREQ_EXACT_MAX &&
	       set_max_len(a) + set_max_len(b) <= FL_RXREQ_MAX_ATOM;
}

/* Every string of a followed by every string of b. Two single strings
 * that lie end to end in memory (a run of plain characters of the pattern)
 * join without a copy, which keeps a long literal linear to walk. */
const struct xset *rxreq_set_product(struct walk *w, const struct xset *a, const struct xset *b)
{
	struct xset *s = rxreq_set_new(w);

	if (!s)
		return NULL;
	if (a->n == 1 && b->n == 1 && a->s[0].p + a->s[0].len == b->s[0].p) {
		s->s[s->n++] = (struct xstr){a->s[0].p, a->s[0].len + b->s[0].len,
					     a->s[0].is_nocase || b->s[0].is_nocase};
		return s;
	}
	for (uint32_t i = 0; i < a->n; i++)
		for (uint32_t k = 0; k < b->n; k++) {
			uint32_t len = a->s[i].len + b->s[k].len;
			char *p = rxreq_pool_alloc(w, len + 1u);

			if (!p)
				return NULL;
			memcpy(p, a->s[i].p, a->s[i].len);
			memcpy(p + a->s[i].len, b->s[k].p, b->s[k].len);
			rxreq_set_add(s, (struct xstr){p, len, a->s[i].is_nocase || b->s[k].is_nocase});
		}
	return s;
}

/* Is t inside s, as t would be matched (caseless t: either case)? */
static bool contains(struct xstr s, struct xstr t)
{
	if (t.len > s.len || (!t.is_nocase && s.is_nocase))
		return false;
	for (uint32_t at = 0; at + t.len <= s.len; at++) {
		uint32_t k = 0;

		while (k < t.len && (t.is_nocase ? rxreq_fold(s.p[at + k]) == rxreq_fold(t.p[k])
						 : s.p[at + k] == t.p[k]))
			k++;
		if (k == t.len)
			return true;
	}
	return false;
}

static struct wnode *node_new(struct walk *w, enum fl_rxreq_op op, uint32_t n_kids)
{
	struct wnode *x = rxreq_pool_alloc(w, sizeof(*x));

	if (!x)
		return NULL;
	*x = (struct wnode){.op = op};
	if (n_kids && !(x->kids = rxreq_pool_alloc(w, n_kids * sizeof(*x->kids))))
		return NULL;
	return x;
}

/* Are a and b, both case-sensitive, the same string but for the case of
 * their letters? */
static bool case_variants(struct xstr a, struct xstr b)
{
	if (a.is_nocase || b.is_nocase || a.len != b.len)
		return false;
	for (uint32_t k = 0; k < a.len; k++)
		if (rxreq_fold(a.p[k]) != rxreq_fold(b.p[k]))
			return false;
	return true;
}

/* Members that are case variants of one string, its letters at L
 * positions taking either case in every combination (2^L members), are one
 * caseless string: [Aa][Ll][Mm]0001 makes eight, each a literal the
 * automaton would find and confirm on its own. The caseless string also
 * finds the other letters in either case: more texts, never fewer, which a
 * requirement allows. The first member stands for the rest, which are
 * marked dropped. */
static void merge_case_variants(struct xstr *v, uint32_t n, bool *dropped)
{
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint32_t group[FL_RXREQ_EXACT_MAX], n_group = 0, varying = 0;

		if (dropped[i] || v[i].is_nocase)
			continue;
		for (uint32_t k = i + 1; k < n; k++)
			if (!dropped[k] && case_variants(v[i], v[k]))
				group[n_group++] = k;
		if (n_group == 0)
			continue;
		for (uint32_t b = 0; b < v[i].len; b++) {
			bool varies = false;

			for (uint32_t g = 0; g < n_group && !varies; g++)
				varies = v[group[g]].p[b] != v[i].p[b];
			varying += varies;
		}
		if (varying >= 31 || n_group + 1 != 1u << varying)
			continue;
		for (uint32_t g = 0; g < n_group; g++)
			dropped[group[g]] = true;
		v[i].is_nocase = true;
	}
}

/* A caseless atom as its consumers read one: its letters in lower case
 * (the matcher compares it with the message folded, the automaton folds
 * nothing else). A caseless string can hold capitals where case variants
 * merged ([Ll]ink: "Link" stood for all four) or where a case-sensitive
 * part joined a caseless one (LINK(?i)down); kept as written, such an atom
 * never equalled the folded message and its rule never ran. NULL when out
 * of memory. */
static const char *caseless_bytes(struct walk *w, struct xstr x)
{
	uint32_t first = 0;
	char *p;

	while (first < x.len && !(x.p[first] >= 'A' && x.p[first] <= 'Z'))
		first++;
	if (first == x.len)
		return x.p;
	p = rxreq_pool_alloc(w, x.len + 1u);
	if (!p)
		return NULL;
	for (uint32_t k = 0; k < x.len; k++)
		p[k] = rxreq_fold(x.p[k]);
	return p;
}

/* The OR of an exact set's strings; NULL (requires nothing) when one of them
 * is too short to be worth finding. All case variants of a string are one
 * caseless atom; a string holding another member needs no atom of its own:
 * the shorter one is in the text whenever it is. */
struct wnode *rxreq_set_to_match(struct walk *w, const struct xset *s)
{
	struct wnode *or;
	uint32_t keep = 0;
	bool dropped[FL_RXREQ_EXACT_MAX] = {false};
	struct xstr v[FL_RXREQ_EXACT_MAX];

	if (!s)
		return NULL;
	for (uint32_t i = 0; i < s->n; i++)
		if (s->s[i].len < FL_RXREQ_MIN_ATOM)
			return NULL;
	memcpy(v, s->s, s->n * sizeof(v[0]));
	if (s->n > 1)
		merge_case_variants(v, s->n, dropped);
	for (uint32_t i = 0; i < s->n; i++)
		for (uint32_t k = 0; k < s->n && !dropped[i]; k++)
			dropped[i] = k != i && !dropped[k] && contains(v[i], v[k]);
	for (uint32_t i = 0; i < s->n; i++)
		keep += !dropped[i];
	or = node_new(w, FL_RXREQ_OR, keep);
	if (!or)
		return NULL;
	for (uint32_t i = 0; i < s->n; i++) {
		struct wnode *a;

		if (dropped[i] || !(a = node_new(w, FL_RXREQ_ATOM, 0)))
			continue;
		if (v[i].is_nocase && !(v[i].p = caseless_bytes(w, v[i])))
			return NULL;
		a->p = v[i].p;
		a->len = v[i].len;
		a->is_nocase = v[i].is_nocase;
		or->kids[or->n++] = a;
	}
	return or->n == 1 ? or->kids[0] : or;
}

struct wnode *rxreq_to_match(struct walk *w, struct info x)
{
	return x.is_exact ? rxreq_set_to_match(w, x.exact) : x.match;
}

/* a OR b: requires nothing when either side does. */
static struct wnode *match_or(struct walk *w, struct wnode *a, struct wnode *b)
{
	struct wnode *or;
	uint32_t na, nb;

	if (!a || !b)
		return NULL;
	na = a->op == FL_RXREQ_OR ? a->n : 1;
	nb = b->op == FL_RXREQ_OR ? b->n : 1;
	if (!(or = node_new(w, FL_RXREQ_OR, na + nb)))
		return NULL;
	if (a->op == FL_RXREQ_OR)
		memcpy(or->kids, a->kids, na * sizeof(*or->kids));
	else
		or->kids[0] = a;
	if (b->op == FL_RXREQ_OR)
		memcpy(or->kids + na, b->kids, nb * sizeof(*or->kids));
	else
		or->kids[na] = b;
	or->n = na + nb;
	return or;
}

/* ---- the conjunction a sequence builds --------------------------------------- */


void rxreq_conj_add(struct walk *w, struct conj *c, struct wnode *x)
{
	if (!x)
		return;
	if (x->op == FL_RXREQ_AND) {
		for (uint32_t k = 0; k < x->n; k++)
			rxreq_conj_add(w, c, x->kids[k]);
		return;
	}
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 8;
		struct wnode **kids = rxreq_pool_alloc(w, cap * sizeof(*kids));

		if (!kids)
			return;
		if (c->n)
			memcpy(kids, c->kids, c->n * sizeof(*kids));
		c->kids = kids;
		c->cap = cap;
	}
	c->kids[c->n++] = x;
}

struct wnode *rxreq_conj_node(struct walk *w, const struct conj *c)
{
	struct wnode *and;

	if (c->n <= 1)
		return c->n ? c->kids[0] : NULL;
	if (!(and = node_new(w, FL_RXREQ_AND, c->n)))
		return NULL;
	memcpy(and->kids, c->kids, c->n * sizeof(*and->kids));
	and->n = c->n;
	return and;
}

/* ---- quantifiers and alternation --------------------------------------------- */

/* The item x repeated min..max times (unbounded: no max). A part that may
 * be absent requires nothing (x? keeps a small exact set, with ""); a part
 * repeated is no longer exact. */
struct info rxreq_quantify(struct walk *w, struct info x, unsigned long min, unsigned long max,
			    bool unbounded, bool is_possessive, size_t at)
{
	struct info r;

	if (unbounded && x.has_unbounded && !x.has_fence && x.is_group && !is_possessive &&
	    !w->nested) {
		w->nested = true;
		w->nested_at = at;
	}
	if (min == 1 && max == 1 && !unbounded)
		return x;
	if (min == 0 && max == 1 && !unbounded && x.is_exact && x.exact &&
	    x.exact->n < FL_RXREQ_EXACT_MAX) {
		struct xset *s = rxreq_set_new(w);

		r = rxreq_info_any();
		if (s) {
			*s = *x.exact;
			rxreq_set_add(s, (struct xstr){"", 0, false});
			r = rxreq_info_set(s);
		}
	} else if (min == 0) {
		r = rxreq_info_any();
	} else {
		r = rxreq_info_any();
		r.match = rxreq_to_match(w, x);
	}
	r.has_unbounded = x.has_unbounded || unbounded;
	return r;
}

struct info rxreq_alternate(struct walk *w, struct info a, struct info b)
{
	struct info r = rxreq_info_any();

	if (a.is_exact && b.is_exact && a.exact && b.exact &&
	    a.exact->n + b.exact->n <= FL_RXREQ_EXACT_MAX) {
		struct xset *s = rxreq_set_new(w);

		if (s) {
			*s = *a.exact;
			for (uint32_t k = 0; k < b.exact->n; k++)
				rxreq_set_add(s, b.exact->s[k]);
			r = rxreq_info_set(s);
		}
	} else {
		r.match = match_or(w, rxreq_to_match(w, a), rxreq_to_match(w, b));
	}
	r.has_unbounded = a.has_unbounded || b.has_unbounded;
	r.has_fence = a.has_fence && b.has_fence;
	return r;
}

/* ---- the result -------------------------------------------------------------- */

/* What the flat copy of x takes: nodes, kids and atom bytes. */
static void tree_size(const struct wnode *x, size_t *nodes, size_t *kids, size_t *bytes)
{
	(*nodes)++;
	if (x->op == FL_RXREQ_ATOM) {
		*bytes += x->len;
		return;
	}
	*kids += x->n;
	for (uint32_t k = 0; k < x->n; k++)
		tree_size(x->kids[k], nodes, kids, bytes);
}

/* Copies the work tree x into r, whose arrays rxreq_emit() sized; returns
 * its node index. Kids are placed after their parent's slot. */
static uint32_t emit_node(struct fl_rxreq *r, const struct wnode *x)
{
	uint32_t self = (uint32_t)r->n_nodes++, first;

	if (x->op == FL_RXREQ_ATOM) {
		memcpy(r->bytes + r->n_bytes, x->p, x->len);
		r->nodes[self] = (struct fl_rxreq_node){FL_RXREQ_ATOM, x->is_nocase,
							(uint32_t)r->n_bytes, x->len};
		r->n_bytes += x->len;
		r->bytes[r->n_bytes] = '\0';
		return self;
	}
	first = (uint32_t)r->n_kids;
	r->n_kids += x->n;
	r->nodes[self] = (struct fl_rxreq_node){x->op, false, first, x->n};
	for (uint32_t k = 0; k < x->n; k++)
		r->kids[first + k] = emit_node(r, x->kids[k]);
	return self;
}

/* The result and its three arrays in one allocation, sized by a first walk
 * of the tree: a plan keeps 40,000 of them, and growing three arrays each
 * cost more reallocs than the walk itself. x NULL: nothing required. */
struct fl_rxreq *rxreq_emit(const struct wnode *x)
{
	size_t nodes = 0, kids = 0, bytes = 0, size;
	struct fl_rxreq *r;
	char *p;

	if (x)
		tree_size(x, &nodes, &kids, &bytes);
	size = sizeof(*r) + nodes * sizeof(*r->nodes) + kids * sizeof(*r->kids) + bytes + 1;
	r = malloc(size);
	if (!r)
		return NULL;
	*r = (struct fl_rxreq){.root = FL_RXREQ_NONE};
	if (!x)
		return r;
	p = (char *)(r + 1);
	r->nodes = (struct fl_rxreq_node *)p;
	p += nodes * sizeof(*r->nodes);
	r->kids = kids ? (uint32_t *)p : NULL;
	p += kids * sizeof(*r->kids);
	r->bytes = bytes ? p : NULL;
	r->root = emit_node(r, x);
	return r;
}

void fl_rxreq_destroy(struct fl_rxreq *r)
{
	free(r); /* its arrays are in the same allocation */
}

bool fl_rxreq_eval(const struct fl_rxreq *r, uint32_t node, fl_rxreq_has_fn *has, void *ctx)
{
	const struct fl_rxreq_node *x;

	if (node == FL_RXREQ_NONE)
		return true;
	x = &r->nodes[node];
	if (x->op == FL_RXREQ_ATOM)
		return has(node, ctx);
	for (uint32_t k = 0; k < x->n; k++) {
		bool v = fl_rxreq_eval(r, r->kids[x->first + k], has, ctx);

		if (v == (x->op == FL_RXREQ_OR))
			return v;
	}
	return x->op == FL_RXREQ_AND;
}

static size_t append(char *out, size_t cap, size_t len, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++, len++)
		if (len + 1 < cap)
			out[len] = s[k];
	if (cap)
		out[len + 1 < cap ? len : cap - 1] = '\0';
	return len;
}

static size_t format_node(const struct fl_rxreq *r, uint32_t node, char *out, size_t cap,
			  size_t len)
{
	const struct fl_rxreq_node *x = &r->nodes[node];

	if (x->op == FL_RXREQ_ATOM) {
		len = append(out, cap, len, "\"", 1);
		len = append(out, cap, len, r->bytes + x->first, x->n);
		return append(out, cap, len, x->is_nocase ? "\"i" : "\"", x->is_nocase ? 2 : 1);
	}
	len = append(out, cap, len, x->op == FL_RXREQ_AND ? "AND(" : "OR(",
		     x->op == FL_RXREQ_AND ? 4 : 3);
	for (uint32_t k = 0; k < x->n; k++) {
		if (k)
			len = append(out, cap, len, ", ", 2);
		len = format_node(r, r->kids[x->first + k], out, cap, len);
	}
	return append(out, cap, len, ")", 1);
}

size_t fl_rxreq_format(const struct fl_rxreq *r, char *out, size_t cap)
{
	if (cap)
		out[0] = '\0';
	if (r->root == FL_RXREQ_NONE)
		return append(out, cap, 0, "NONE", 4);
	return format_node(r, r->root, out, cap, 0);
}
