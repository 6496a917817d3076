/* match.h - which rules of a compiled program an event matches, and the
 * fields it gives them.
 *
 * A struct fl_match belongs to one shard: it owns the PCRE2 match data, the
 * per-event field cache (captures, the inventory device found by a lookup)
 * and a read-only prefilter built from the program at create time. The
 * prefilter is an Aho-Corasick automaton (ac.h) over literals extracted
 * conservatively from each rule's `msg ~ /RE/` conditions: a literal a regex
 * cannot match without, or a set of alternatives one of which it needs. A
 * rule with no such literal is always a candidate. So the work per event is a
 * scan of the message (independent of the number of rules) plus the
 * candidates, not every rule. A rule is a candidate on its rarest literal;
 * every other literal set its regex requires is in the same automaton (each
 * distinct literal once, however many rules share it), and a candidate whose
 * `where` (or `clear where`) lacks one of them skips that side's regexes.
 *
 * Per event: fl_match_begin() scans and returns the candidate rules in plan
 * order; fl_match_rule() checks one of them (field conditions before any
 * regex) and, on a match, leaves its captures and lookup in the cache, where
 * fl_match_field() reads them until the next fl_match_begin(). The event is
 * borrowed between the two calls.
 *
 * A regex that hits the PCRE2 match or depth limit counts as not matching
 * (stats.regex_limit). The program's regexes are interpreted; a regex that
 * runs often gets a JIT-compiled copy owned by the matcher (limits.h:
 * FL_MATCH_JIT_*), the only allocation after create. Which regexes those are
 * follows from the events alone, so a replay stays deterministic. */
#ifndef FL_MATCH_H
#define FL_MATCH_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/lib/str.h"
#include "grammar/program.h"

struct fl_event;
struct fl_inv_device;
struct fl_match;

enum fl_match_result {
	FL_MATCH_NONE,	/* the rule does not match */
	FL_MATCH_FAULT, /* its `where` holds */
	FL_MATCH_CLEAR, /* its `clear where` holds */
};

struct fl_match_stats {
	uint64_t events;
	uint64_t candidates;	  /* rules the prefilter let through, summed */
	uint64_t regex_runs;	  /* pcre2_match() calls */
	uint64_t sides_skipped;	  /* where / clear where sides a missing literal ruled out */
	uint64_t regex_limit;	  /* counter match.regex_limit */
	size_t regex_jit;	  /* regexes JIT-compiled (counter match.regex_jit) */
	size_t rules_prefiltered; /* rules with a required literal */
	size_t literals;	  /* literals in the prefilter */
	size_t confirm_literals;  /* distinct literals confirming candidates (0: off) */
};

/* Lifecycle. The program is borrowed and must outlive the matcher.
 * Returns 0, -ENOMEM or -E2BIG (prefilter past FL_AC_MAX_BYTES_DEFAULT). */
FL_MUST_CHECK int fl_match_create(struct fl_match **out, const struct fl_program *prog);
void fl_match_destroy(struct fl_match *m);

/* Operations. begin: starts a new event (borrowed until the next begin) and
 * returns the candidate rules in plan order through *rules (valid until the
 * next begin). rule: checks one rule against the current event. */
size_t fl_match_begin(struct fl_match *m, const struct fl_event *ev, const uint32_t **rules);
enum fl_match_result fl_match_rule(struct fl_match *m, uint32_t rule);

/* Queries on the current event, as rule `rule` sees it. field: the value as
 * text (numbers and addresses formatted), p == NULL when absent. device: the
 * rule's lookup result, NULL when none or not found. */
struct fl_str fl_match_field(struct fl_match *m, uint32_t rule, struct fl_prog_field f);
const struct fl_inv_device *fl_match_device(struct fl_match *m, uint32_t rule);
void fl_match_stats(const struct fl_match *m, struct fl_match_stats *out);

/* The literals fl_match_create() would use for a pattern: exposed for tests.
 * Writes at most cap literals into out (slices of pattern) and returns how
 * many a match needs one of (0: none required, the rule is always a
 * candidate). *is_nocase is set when the pattern starts with (?i). */
size_t fl_match_required_literals(struct fl_str pattern, struct fl_str *out, size_t cap,
				  bool *is_nocase);

#endif /* FL_MATCH_H */
