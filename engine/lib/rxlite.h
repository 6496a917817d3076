/* rxlite.h - a small backtracking matcher for the plain part of PCRE2's
 * syntax, which most rules are written in, giving PCRE2's own answer
 * without the cost of its interpreter.
 *
 * The subset: ASCII literals and escaped punctuation (\t \n \r \f \e \a
 * too), `.`, the classes \d \D \s \S \w \W and bracket classes of ASCII
 * characters, ranges and those escapes; capturing, named and non-capturing
 * groups; alternation at any depth; the quantifiers ? * + {n} {n,} {n,m},
 * greedy or lazy, on a single item or on a group (a repeated group that can
 * match the empty string only up to once); ^ $ \A \z \Z \b \B; the caseless
 * and dotall options, and the inline flags (?i) (?-i) (?s) (?-s) and
 * (?i:...) groups. Everything else -- backreferences, lookarounds, atomic
 * groups, possessive quantifiers, \p, \x, \Q..\E, the extended and
 * multiline options, non-ASCII bytes in the pattern, more than
 * FL_RXLITE_MAX_GROUPS groups, a count above 65,534, a group repeated
 * {n,m} with m - n above 64, a program past FL_RXLITE_MAX_PROGRAM
 * instructions -- makes fl_rxlite_compile() decline the pattern, and the
 * caller keeps PCRE2.
 *
 * On a subject of valid UTF-8 the match and every capture equal what
 * pcre2_match() gives for the pattern compiled with PCRE2_UTF |
 * PCRE2_MATCH_INVALID_UTF (and the two options named above) with the
 * default newline (LF), start offset 0 and no match options: above ASCII,
 * '.', negated classes and \D \S \W take one character, of 2 to 4 bytes,
 * and nothing else takes any. Declined: a subject of invalid UTF-8 (PCRE2
 * reads it as barriers), a subject above ASCII for a pattern with a
 * caseless k or s (PCRE2 folds them to U+212A and U+017F), and a match
 * that would take more than
 * FL_RXLITE_STEP_BUDGET steps, nest deeper than FL_RXLITE_DEPTH_MAX
 * backtracking points or hold more than 256 capture writes on one path:
 * the caller then runs PCRE2, whose limits decide.
 *
 * The compiled program is immutable: any number of threads may match with
 * it at once. Memory: the program, bounded by FL_RXLITE_MAX_PROGRAM
 * instructions; matching allocates nothing. */
#ifndef FL_RXLITE_H
#define FL_RXLITE_H
#include <stddef.h>
#include <stdint.h>

#define FL_RXLITE_MAX_GROUPS 32	  /* capture groups; a pattern with more is declined */
#define FL_RXLITE_MAX_PROGRAM 4096 /* instructions after counted repeats are unrolled */
#define FL_RXLITE_STEP_BUDGET 20000
#define FL_RXLITE_DEPTH_MAX 2000

#define FL_RXLITE_NOMATCH 0
#define FL_RXLITE_DECLINED (-1)

struct fl_rxlite;

/* Compiles pattern (len bytes, no NUL needed) under the PCRE2 option bits
 * opts: PCRE2_UTF and PCRE2_MATCH_INVALID_UTF are expected, PCRE2_CASELESS
 * and PCRE2_DOTALL honoured, any other bit declines. A pattern rxlite takes
 * is one pcre2_compile() takes under opts, with the same groups and names:
 * a caller may stand on rxlite's word and compile for PCRE2 later, or never.
 * rxlite diagnoses nothing: it declines a pattern PCRE2 might refuse (a
 * duplicate or over-long name, a range from a class escape, a POSIX class
 * outside a class, code PCRE2 might find too large), and PCRE2 says why.
 * Returns 0 and *out (the caller's, freed with fl_rxlite_free()), -ENOTSUP
 * for a pattern outside the subset or one PCRE2 might refuse or read
 * otherwise, -ENOMEM. */
int fl_rxlite_compile(const char *pattern, size_t len, uint32_t opts, struct fl_rxlite **out);
void fl_rxlite_free(struct fl_rxlite *rx);

/* Matches subject (len bytes) as pcre2_match() at offset 0 would. On a
 * match returns what pcre2_match() returns, one more than the highest
 * group set, and fills ov[0 .. 2 * (groups + 1)) as PCRE2's ovector, with
 * (size_t)-1 (PCRE2_UNSET) for each pair not set. Returns FL_RXLITE_NOMATCH
 * for no match, FL_RXLITE_DECLINED when it cannot answer (invalid UTF-8, a
 * caseless k or s above ASCII, the step budget or the depth spent): ask
 * PCRE2. ov must hold
 * 2 * (fl_rxlite_groups(rx) + 1) entries. */
int fl_rxlite_match(const struct fl_rxlite *rx, const char *subject, size_t len, size_t *ov);

/* Capture groups, group 0 (the whole match) not counted. */
uint32_t fl_rxlite_groups(const struct fl_rxlite *rx);

/* Named groups, and the i-th (i < fl_rxlite_names()) in the order of PCRE2's
 * name table: its name (NUL-terminated, rx's) and its number in *group. */
uint32_t fl_rxlite_names(const struct fl_rxlite *rx);
const char *fl_rxlite_name(const struct fl_rxlite *rx, uint32_t i, uint32_t *group);

#endif
