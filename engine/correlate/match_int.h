/* match_int.h - what the matcher's files share; not for callers, who have
 * match.h (which describes the design).
 *
 *   match_literals.c   the literals a regex cannot match without
 *   match_prefilter.c  the Aho-Corasick prefilter built from them, and the
 *                      literal sets that confirm a candidate
 *   match.c            lifecycle, and matching one event: candidates, field
 *                      conditions, regexes, captures
 * Same thread rules as match.h: a matcher belongs to one shard. */
#ifndef FL_MATCH_INT_H
#define FL_MATCH_INT_H
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/correlate/match.h"
#include "engine/lib/ac.h"

#define FL_MATCH_LIT_SET_MAX 16    /* alternatives kept as one rule's literal set */
#define FL_MATCH_FIELD_TEXT_MAX 64 /* a number, an address or an OID written as text */

#define FL_MATCH_SIDES 2 /* where, clear where */

struct match_rule {
	bool always;	    /* no required literal: always a candidate */
	uint32_t n_regex_conds;
	/* per side: its required literal sets, at need[need_at]: each set is
	 * its size, then the ids of its members (one must be in the message) */
	uint32_t need_at[FL_MATCH_SIDES], n_need_sets[FL_MATCH_SIDES];
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
	char num_text[FL_MATCH_FIELD_TEXT_MAX];
	char inv_text[FL_MATCH_FIELD_TEXT_MAX];
	struct fl_match_stats stats;
};

/* Every required literal set a pattern offers (a run, or a group of pure
 * alternatives), up to FL_MATCH_LIT_CANDS_MAX of the longest: the prefilter
 * later picks, per rule, the one the fewest other rules share. */
#define FL_MATCH_LIT_CANDS_MAX 8

struct lit_cand {
	struct fl_str set[FL_MATCH_LIT_SET_MAX];
	size_t n, score;
};

struct lit_cands {
	struct lit_cand c[FL_MATCH_LIT_CANDS_MAX];
	size_t n;
};

/* match_literals.c: every required literal set pattern offers (at most
 * FL_MATCH_LIT_CANDS_MAX, the best kept) into *cands; returns how many.
 * *is_nocase is set when the pattern is caseless, wholly or in part. */
size_t fl_match_lit_candidates(struct fl_str pattern, struct lit_cands *cands, bool *is_nocase);

/* match_prefilter.c: builds m->ac, m->always, m->rules[].always and the
 * confirmation sets (m->need) from the program. Returns 0, -ENOMEM or
 * -E2BIG. sets_seen: does the current event's message hold a member of
 * every required set of the rule's side (0: where, 1: clear where)? */
int fl_match_build_prefilter(struct fl_match *m);
bool fl_match_sets_seen(const struct fl_match *m, const struct match_rule *mr, int side);

#endif /* FL_MATCH_INT_H */
