/* ac.h - Aho-Corasick multi-literal matcher: the rule prefilter.
 *
 * Each rule contributes the literals its regex cannot match without (R_LOS,
 * "port="); the prefilter scans a message once and reports which pattern ids
 * have a literal in it, so only those rules run PCRE2. An id stands for
 * whatever the caller wants (a rule, a literal set); several literals may
 * share one id, and each id is reported at most once per scan.
 *
 * Built once from N literals into a DFA over byte classes (bytes that occur
 * in no literal share one class), with a full transition table: the scan
 * costs one class lookup and one table load per byte whatever N is, and only
 * states that end a literal leave the loop. Case: a literal flagged is_nocase
 * matches ASCII letters in either case (bytes >= 0x80, UTF-8 included, match
 * exactly). The DFA runs on case-folded bytes; literals that keep their case
 * are confirmed with one memcmp when the folded form matches.
 *
 * Memory: the build refuses with -E2BIG when it would need more than
 * max_bytes (limits.h FL_AC_MAX_BYTES_DEFAULT), counted by the plan loader as
 * plan.prefilter_too_big. A built matcher is read-only: shards share it and
 * scan from any thread at once (the caller owns the result bitset). */
#ifndef FL_AC_H
#define FL_AC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_ac;

struct fl_ac_literal {
	const void *bytes; /* borrowed for fl_ac_create() only */
	size_t len;	   /* >= 1 */
	uint32_t id;	   /* 0..FL_AC_MAX_PATTERN_ID */
	bool is_nocase;	   /* ASCII letters match either case */
};

/* Sees each id found, once per scan, in the order its first literal ends in
 * the text. Return false to stop the scan there. */
typedef bool fl_ac_match_fn(uint32_t id, void *ctx);

struct fl_ac_stats {
	size_t literals;
	size_t states;
	size_t classes; /* byte classes: columns of the transition table */
	size_t bytes;	/* memory held by the built matcher */
};

/* Lifecycle. Builds a matcher from n literals (n may be 0: it matches
 * nothing). max_bytes: the build's memory cap (0: FL_AC_MAX_BYTES_DEFAULT).
 * Returns 0, -EINVAL (an empty literal or an id out of range), -E2BIG (past
 * max_bytes) or -ENOMEM; *out is set only on success. destroy accepts NULL. */
FL_MUST_CHECK int fl_ac_create(struct fl_ac **out, const struct fl_ac_literal *lits, size_t n,
			       size_t max_bytes);
void fl_ac_destroy(struct fl_ac *ac);

/* Operations. Scans len bytes of text and sets bit id of seen (an array of
 * fl_ac_bitset_words() words, cleared by the caller before the first scan of a
 * message) for each id found. An id whose bit is already set is not reported
 * again, so a message may be scanned in pieces that do not split a literal.
 * fn may be NULL. Returns the number of ids newly found. */
size_t fl_ac_scan(const struct fl_ac *ac, const void *text, size_t len, uint64_t *seen,
		  fl_ac_match_fn *fn, void *ctx);

/* Queries. */
size_t fl_ac_bitset_words(const struct fl_ac *ac);
void fl_ac_stats(const struct fl_ac *ac, struct fl_ac_stats *out);

#endif /* FL_AC_H */
