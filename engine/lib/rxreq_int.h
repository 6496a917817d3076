/* rxreq_int.h - what the requirement walker's files share; not for callers,
 * who have rxreq.h (which describes the design).
 *
 *   rxreq.c       the walk over PCRE2's syntax: items, groups, classes,
 *                 escapes, quantifiers, sequences and alternatives
 *   rxreq_sets.c  the algebra it computes with (exact string sets, trees of
 *                 atoms, repeats, alternation) in a pool, and the flat result
 * Pure functions: any thread. */
#ifndef FL_RXREQ_INT_H
#define FL_RXREQ_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/rxreq.h"

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct xstr {
	const char *p;
	uint32_t len;
	bool is_nocase;
};

struct xset {
	struct xstr s[FL_RXREQ_EXACT_MAX];
	uint32_t n;
};

struct wnode {
	enum fl_rxreq_op op;
	bool is_nocase;
	const char *p; /* atom */
	uint32_t len;
	struct wnode **kids; /* AND, OR */
	uint32_t n;
};

struct info {
	bool is_exact;
	const struct xset *exact; /* is_exact */
	struct wnode *match;	  /* !is_exact; NULL: requires nothing */
	bool has_unbounded;	  /* an unbounded quantifier inside */
	bool has_fence;		  /* a literal every match holds, outside any repeat:
				   * it fences off repeats around it, as ',' in (\d+,)* */
	bool is_group;
};

struct flags {
	bool caseless, extended, extended_more;
};

struct walk {
	const char *p;
	size_t n, i;
	bool utf, in_quote, oom, unsure, nested;
	bool ucp;	    /* (*UCP): \d is any Unicode digit */
	bool odd_newline;   /* (*CR), (*NUL)...: a newline other than LF ends a # comment */
	size_t nested_at;
	unsigned depth;
	struct pool_chunk *pool;
	struct pool_chunk *first; /* the caller's, on its stack: not freed */
};

/* The conjunction a sequence builds. */
struct conj {
	struct wnode **kids;
	uint32_t n, cap;
	bool is_inexact; /* some part was not exact */
};

/* size bytes from the pool, aligned for any type, not zeroed; NULL (and
 * w->oom) when out of memory. Inline: a walk asks some thirty times a
 * regex; rxreq_pool_grow() adds a chunk with room for need bytes. */
void *rxreq_pool_grow(struct walk *w, size_t need);
static inline void *rxreq_pool_alloc(struct walk *w, size_t size)
{
	struct pool_chunk *c = w->pool;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (w->oom || !c || c->cap - c->used < need)
		return rxreq_pool_grow(w, need);
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
}
void rxreq_pool_free(struct walk *w);
struct info rxreq_info_any(void);
struct info rxreq_info_set(const struct xset *s);
struct xset *rxreq_set_one(struct walk *w, const char *p, uint32_t len, bool nocase);
struct info rxreq_info_empty(struct walk *w);
struct xset *rxreq_set_new(struct walk *w);
void rxreq_set_add(struct xset *s, struct xstr x);
uint32_t rxreq_set_min_len(const struct xset *s);
bool rxreq_fits_product(const struct xset *a, const struct xset *b);
const struct xset *rxreq_set_product(struct walk *w, const struct xset *a, const struct xset *b);
/* ASCII upper case to lower; inline: the set operations fold every byte
 * they compare. */
static inline char rxreq_fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}
struct wnode *rxreq_set_to_match(struct walk *w, const struct xset *s);
struct wnode *rxreq_to_match(struct walk *w, struct info x);
void rxreq_conj_add(struct walk *w, struct conj *c, struct wnode *x);
struct wnode *rxreq_conj_node(struct walk *w, const struct conj *c);
struct info rxreq_quantify(struct walk *w, struct info x, unsigned long min, unsigned long max,
			    bool unbounded, bool is_possessive, size_t at);
struct info rxreq_alternate(struct walk *w, struct info a, struct info b);
struct fl_rxreq *rxreq_emit(const struct wnode *x);

#endif /* FL_RXREQ_INT_H */
