/* rxlite_tree.h - the parse tree rxlite_parse.c reads a pattern into and
 * rxlite.c builds its program from, with the small arrays and byte sets
 * both use. Not for other modules. */
#ifndef FL_RXLITE_TREE_H
#define FL_RXLITE_TREE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/compiler.h"
#include "engine/lib/rxlite_int.h"

#define MAX_NEST 64	/* groups inside groups: deeper is declined */
#define MAX_COUNT 65534 /* PCRE2 takes 65535; rxlite keeps the last for RXL_INF */
#define MAX_BYTES 65535 /* literal bytes of a program, unrolled copies counted */
_Static_assert(FL_RXLITE_MAX_PROGRAM < UINT16_MAX,
	       "jump targets and the no-jump mark fit an insn's 16 bits");
#define MAX_OPTIONAL 64 /* optional copies of a group, {n,m} with m - n above: declined */
/* PCRE2 refuses a pattern whose code passes 64K units (its link size 2);
 * rxlite declines one whose code, estimated from above, might come near. */
#define MAX_PCRE2_UNITS 32768u
#define MAX_NAME 32 /* PCRE2's longest group name */

/* ---- growable arrays that start on the stack ---------------------------------- */

struct vec {
	char *p;
	size_t n, alloc, size;
	bool is_heap;
};

#define VEC_ON(buf) {.p = (char *)(buf), .alloc = sizeof(buf) / sizeof((buf)[0]), \
		     .size = sizeof((buf)[0])}

/* Moves v to a heap array with room for n more elements; -1: no memory. */
int rxl_vec_grow(struct vec *v, size_t n);

/* Room for n more elements: the index of the first, or -1 (out of memory). */
static inline long vec_take(struct vec *v, size_t n)
{
	if (v->n + n > v->alloc && rxl_vec_grow(v, n) < 0)
		return -1;
	v->n += n;
	return (long)(v->n - n);
}

static inline long vec_add(struct vec *v)
{
	return vec_take(v, 1);
}

static inline void vec_free(struct vec *v)
{
	if (v->is_heap)
		free(v->p);
}

/* ---- sets of ASCII bytes -------------------------------------------------------- */

static inline void set_add(struct rxl_set *s, unsigned c)
{
	s->w[c >> 6] |= 1ull << (c & 63);
}

static inline void set_range(struct rxl_set *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi && c < 128; c++)
		set_add(s, c);
}

static inline void set_union(struct rxl_set *s, const struct rxl_set *o)
{
	s->w[0] |= o->w[0];
	s->w[1] |= o->w[1];
	s->high = s->high || o->high;
}

static inline void set_negate(struct rxl_set *s)
{
	s->w[0] = ~s->w[0];
	s->w[1] = ~s->w[1];
	s->high = !s->high;
}

/* Adds each ASCII letter's other case, as PCRE2's caseless matching does
 * for an ASCII subject. Letters are bits 1-26 of the second word, upper
 * case 'A' - 64 and lower case 'a' - 64 + 32 apart. */
static inline void set_fold(struct rxl_set *s)
{
	const uint64_t upper = 0x7fffffeull, lower = upper << 32;
	uint64_t w = s->w[1];

	s->w[1] |= ((w & upper) << 32) | ((w & lower) >> 32);
}

static inline bool is_letter(unsigned c)
{
	return rxl_lower(c) >= 'a' && rxl_lower(c) <= 'z';
}

/* Whether c is k, K, s or S, which PCRE2 under UTF folds caselessly to
 * characters above ASCII too (U+212A, U+017F); folds_wide(): whether set s
 * holds one. */
static inline bool folds_wide_char(unsigned c)
{
	return rxl_lower(c) == 'k' || rxl_lower(c) == 's';
}

static inline bool folds_wide(const struct rxl_set *s)
{
	const uint64_t ks = 1ull << ('K' - 64) | 1ull << ('S' - 64) | 1ull << ('k' - 64) |
			    1ull << ('s' - 64);

	return (s->w[1] & ks) != 0;
}

static inline bool is_alnum(unsigned c)
{
	return rxl_is_word(c) && c != '_';
}

/* ---- the tree -------------------------------------------------------------------- */

enum kind { N_CHAR, N_STR, N_SET, N_CAT, N_ALT, N_GROUP, N_REPEAT, N_ASSERT };

struct node {
	uint8_t kind;
	bool is_caseless; /* N_CHAR, N_STR */
	bool is_lazy;	  /* N_REPEAT */
	bool is_bracketed; /* the body of a non-capturing group, which PCRE2 keeps as one */
	uint8_t c;	  /* N_CHAR: the byte; N_ASSERT: its kind */
	uint32_t group;	  /* N_GROUP: capture number, 0 for none */
	uint32_t min, max; /* N_REPEAT; N_STR: its offset in the pattern and length */
	int32_t kid, next; /* first child, next sibling; -1: none */
	struct rxl_set set; /* N_SET */
};

/* A named group: its name's place in the pattern. */
struct name_at {
	uint32_t off, len, group;
};

struct parse {
	const char *begin, *p, *end;
	bool caseless, dotall; /* the flags in force */
	bool folds_beyond_ascii; /* fl_rxlite.folds_beyond_ascii */
	uint32_t groups;
	uint32_t n_names;
	struct name_at names[FL_RXLITE_MAX_GROUPS];
	int nest;
	int err; /* -ENOTSUP, -ENOMEM */
	struct vec nodes;
};

#define NODE(ps, i) (((struct node *)(ps)->nodes.p)[i])

/* Reads ps->begin .. ps->end into ps->nodes: the root node, or -1 with
 * ps->err set (-ENOTSUP: outside the subset, or a pattern PCRE2 might
 * refuse or read otherwise; -ENOMEM). */
int32_t rxl_parse(struct parse *ps);

#endif
