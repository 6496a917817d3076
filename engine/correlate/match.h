/* match.h - which rules of a compiled program an event matches, and the
 * fields it gives them.
 *
 * A struct fl_match belongs to one shard: it owns the PCRE2 match data, the
 * per-event field cache (captures, the inventory device found by a lookup)
 * and a read-only prefilter built from the program at create time.
 *
 * The prefilter: each `~ /RE/` condition on msg, host, app or msgid gives
 * a tree of the literal atoms any match must hold in that text (rxreq.h
 * walks the whole regex: groups, alternation at any depth, quantifiers,
 * classes, flags); a side of a rule (where, clear where) requires the AND
 * of its regexes' trees. A
 * rule is keyed on a cover of its trees, a set of atoms one of which any
 * match holds, chosen to be the atoms the fewest rules share; an atom longer
 * than 8 bytes is keyed on its window the fewest rules share, which keeps
 * the automaton small. Every distinct key is in one Aho-Corasick automaton
 * (ac.h), once however many rules share it; a message that holds a key makes
 * its rules candidates, and a candidate side's whole tree (its atoms looked
 * up in the message) must hold before any of that side's regexes runs.
 * A side with a condition `host`, `app` or `msgid` `==` a text or `in` a
 * set is keyed on those values instead when it has no atom, or when fewer
 * rules share them than its atoms (match_fields.c): one hash lookup per
 * field of the event. A trap rule's side with `trap_oid` or `enterprise`
 * `==`, `in` or `under` an OID is keyed on the OID as a prefix. A rule with
 * a side keyed by none of these is a candidate for every event of its input
 * (`faultline check` warns about such syslog rules). So the work per event
 * is a scan of its texts, whatever the number of rules, plus the
 * candidates.
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
	uint64_t regex_lite;	  /* regex runs rxlite answered, without PCRE2 */
	uint64_t regex_shared;	  /* regex conditions answered by the same regex's run on
				   * the same text of the event, for another rule */
	uint64_t regex_compiled;   /* PCRE2 compiles of regexes the plan holds for rxlite
				    * (rxlite declined a subject, or the JIT) */
	uint64_t regex_uncompiled; /* of those, compiles that failed for want of memory:
				    * the regex is taken as not matching */
	uint64_t sides_skipped;	  /* where / clear where sides their atom tree ruled out */
	uint64_t wakes_gated;	  /* wakes by a key that the rule's gate stopped (no side
				   * had the other atoms it needs) */
	uint64_t atoms_searched;  /* atoms a candidate's tree searched the message for
				   * (longer than a key, their confirming window in it) */
	uint64_t regex_limit;	  /* counter match.regex_limit */
	size_t regex_jit;	  /* regexes JIT-compiled (counter match.regex_jit) */
	size_t rules_prefiltered; /* rules keyed on atoms or field values; the rest run on
				   * every message */
	size_t literals;	  /* keys in the automaton (atoms, or 8-byte windows of them) */
	size_t confirm_literals;  /* distinct atoms of the trees that confirm candidates */
	size_t rules_field_indexed; /* of rules_prefiltered, those with a side keyed on a
				     * host, app or msgid value (match_fields.c) */
};

/* Lifecycle. The program is borrowed and must outlive the matcher.
 * Returns 0, -ENOMEM or -E2BIG (prefilter past FL_AC_MAX_BYTES_DEFAULT). */
FL_MUST_CHECK int fl_match_create(struct fl_match **out, const struct fl_program *prog);
void fl_match_destroy(struct fl_match *m);

/* Points the matcher at prog, a copy of the program it was made for with
 * another inventory (a plan test's own data): its lookups read prog's. One
 * matcher then serves engines run one after another, where a matcher each
 * rebuilt the prefilter per plan test. prog is borrowed like the first: a
 * caller whose copy goes first points the matcher back. Returns 0, or
 * -EINVAL when prog's rules are not the matcher's. */
FL_MUST_CHECK int fl_match_use_program(struct fl_match *m, const struct fl_program *prog);

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

/* Why rule `rule` does not match the current event, for `replay --explain`:
 * appends one phrase to why ("failed at event:msg ~ regex #0 /LOS/", "the
 * prefilter: the message holds none of the literals its regexes need", "it
 * takes traps") and returns how many of its `where` conditions held first,
 * in the order fl_match_rule() checks them (a nearness for "the nearest
 * rule"). Called only when explaining: it runs the conditions again, and
 * leaves the matcher's stats as they were. */
struct fl_buf;
size_t fl_match_explain(struct fl_match *m, uint32_t rule, struct fl_buf *why);

/* The requirement tree the prefilter takes from a regex of a `msg ~`
 * condition, written as rxreq.h's fl_rxreq_format() writes it ("NONE": the
 * regex alone keys nothing), into out (cap bytes). Returns its length. For
 * tests and diagnostics. */
size_t fl_match_regex_requirement(const struct fl_prog_regex *rx, char *out, size_t cap);

#endif /* FL_MATCH_H */
