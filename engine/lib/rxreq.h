/* rxreq.h - what text a PCRE2 pattern cannot match without: an AND/OR tree
 * of literal atoms, as RE2's FilteredRE2 computes it.
 *
 * The walker follows PCRE2's pattern syntax (10.42): captures and named
 * groups, non-capturing, atomic and branch-reset groups, alternation at any
 * depth, quantifiers with their minimum counts, character classes, escapes,
 * \Q..\E, inline flags and the caseless and extended options. Each part of
 * the pattern is either "exact" (it matches one of a few known strings) or
 * "inexact" (a tree any match of it satisfies). Concatenation multiplies
 * exact sets while they stay small, so `(?:LINK_DOWN|LINK_UP)-` gives the
 * atoms "link_down-" and "link_up-" rather than three weaker ones; a set
 * grown past FL_RXREQ_EXACT_MAX, or repeated, becomes an OR of its strings.
 * An atom shorter than FL_RXREQ_MIN_ATOM bytes would be in almost every
 * line: it counts as no requirement at all.
 *
 * The tree must never be stricter than the regex: every subject PCRE2
 * matches satisfies it. So any construct the walker does not follow
 * (recursion, conditionals, callouts, backtracking verbs) gives up on the
 * whole pattern, and what it follows but cannot use (lookarounds,
 * backreferences, \d+) counts as requiring nothing. Case: an atom marked
 * is_nocase matches ASCII letters in either case; under a caseless flag k
 * and s also stand for their partners in UTF mode (U+212A KELVIN SIGN,
 * U+017F LONG S: "lo\xc5\xbfs" matches /loss/i), and a non-ASCII character,
 * whose partners are other bytes, ends an atom.
 *
 * The walker also notes nested unbounded quantifiers, such as (a+)+, which
 * can make PCRE2 backtrack through exponentially many ways to fail.
 *
 * Pure functions of their arguments: any thread. Memory is the result's,
 * bounded by the pattern's length times FL_RXREQ_EXACT_MAX. */
#ifndef FL_RXREQ_H
#define FL_RXREQ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_RXREQ_MIN_ATOM 3	/* bytes: shorter atoms require nothing */
#define FL_RXREQ_MAX_ATOM 64	/* bytes: an exact string longer starts a new atom */
#define FL_RXREQ_EXACT_MAX 16	/* strings an exact part may stand for */
#define FL_RXREQ_CLASS_MAX 10	/* a class of at most this many chars ([01], \d) is exact */
#define FL_RXREQ_NONE UINT32_MAX

enum fl_rxreq_op { FL_RXREQ_ATOM, FL_RXREQ_AND, FL_RXREQ_OR };

/* AND and OR have at least two children; an atom is at least
 * FL_RXREQ_MIN_ATOM bytes. Caseless atoms are stored in lower case. */
struct fl_rxreq_node {
	enum fl_rxreq_op op;
	bool is_nocase;	 /* atom: ASCII letters match either case */
	uint32_t first, n; /* atom: bytes[first..+n); AND, OR: kids[first..+n) */
};

struct fl_rxreq {
	struct fl_rxreq_node *nodes;
	uint32_t *kids;
	char *bytes;
	size_t n_nodes, n_kids, n_bytes;
	uint32_t root;		   /* FL_RXREQ_NONE: any text may match */
	bool is_unsure;		   /* syntax the walker does not follow: root NONE */
	bool has_nested_unbounded; /* a group with an unbounded quantifier inside, repeated
				    * without bound: (a+)+, (\w+\s?)* */
	size_t nested_at;	   /* byte offset of that outer quantifier */
};

/* Lifecycle. Walks the len bytes of pattern, a pattern PCRE2 compiled with
 * options (its compile options, PCRE2_INFO_ARGOPTIONS: PCRE2_CASELESS,
 * PCRE2_EXTENDED, PCRE2_EXTENDED_MORE and PCRE2_UTF change what the text
 * means; PCRE2_LITERAL gives up). A pattern PCRE2 refuses gives a tree that
 * may be useless, never unsafe.
 * Returns 0 or -ENOMEM; *out is set only on success. destroy accepts NULL. */
FL_MUST_CHECK int fl_rxreq_build(struct fl_rxreq **out, const char *pattern, size_t len,
				 uint32_t options);
void fl_rxreq_destroy(struct fl_rxreq *r);

/* Queries. eval: does a text holding exactly the atoms for which has(node)
 * is true satisfy the tree? (NONE: true.) format: the tree as text, such as
 * AND("abc", OR("x-0"i, "y-0")), into out (cap bytes, NUL-terminated,
 * truncated); returns the length it needs. */
typedef bool fl_rxreq_has_fn(uint32_t atom_node, void *ctx);
bool fl_rxreq_eval(const struct fl_rxreq *r, uint32_t node, fl_rxreq_has_fn *has, void *ctx);
size_t fl_rxreq_format(const struct fl_rxreq *r, char *out, size_t cap);

#endif /* FL_RXREQ_H */
