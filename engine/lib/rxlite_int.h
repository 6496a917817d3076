/* rxlite_int.h - the compiled program that rxlite.c writes and
 * rxlite_match.c runs. Not for other modules. */
#ifndef FL_RXLITE_INT_H
#define FL_RXLITE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/rxlite.h"

/* A set of characters: the ASCII ones by bit c of w[c / 64], and every
 * character above 0x7f when high (a negated class, \D \S \W, '.'). */
struct rxl_set {
	uint64_t w[2];
	bool high;
};

static inline bool rxl_set_has(const struct rxl_set *s, unsigned c)
{
	return c < 128 && (s->w[c >> 6] >> (c & 63) & 1);
}

static inline bool rxl_is_word(unsigned c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '_';
}

static inline unsigned rxl_lower(unsigned c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

enum rxl_assertion { RXL_BOS, RXL_EOS, RXL_EOL, RXL_WORDB, RXL_NWORDB };

enum rxl_op {
	RXL_CHAR,   /* a: the byte */
	RXL_STR,    /* a: offset in bytes, b: length */
	RXL_STRI,   /* the same, caseless: bytes holds the lower case */
	RXL_SET,    /* a: the set */
	RXL_REP,    /* a: the set, min to max of it; is_lazy */
	RXL_SPLIT,  /* try a, then b */
	RXL_JMP,    /* a */
	RXL_SAVE,   /* a: the ovector slot */
	RXL_ASSERT, /* a: enum rxl_assertion */
	RXL_MATCH,
};

#define RXL_INF UINT16_MAX /* an unbounded repeat's max */
#define RXL_NO_HINT 0xff

/* 12 bytes: a plan's thousands of programs stay small in the cache. */
struct rxl_insn {
	uint8_t op;
	bool is_lazy;
	/* REP: the bytes the rest must start with; SPLIT: the bytes its first
	 * branch must start with; RXL_NO_HINT in [0]: any */
	uint8_t hint[2];
	uint16_t a, b;
	uint16_t min, max;
};

/* One allocation: this header, then sets, prog and bytes. */
/* A named group, in the program's table ordered as PCRE2's. */
struct rxl_name {
	const char *text; /* NUL-terminated */
	uint32_t group;
};

struct fl_rxlite {
	const struct rxl_name *names;
	uint32_t n_names;
	const struct rxl_set *sets;
	const struct rxl_insn *prog;
	const char *bytes;
	uint32_t n_prog;
	uint32_t groups;
	bool is_anchored; /* every match starts at offset 0 */
	/* a caseless k or s, whose other cases under UTF are K (U+212A) and
	 * long s (U+017F): a subject above ASCII is left to PCRE2 */
	bool folds_beyond_ascii;
	bool has_first;	  /* a match consumes a byte of first at its start */
	int16_t first_byte; /* the only such byte, or -1 */
	struct rxl_set first;
};

#endif
