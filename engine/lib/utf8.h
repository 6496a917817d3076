/* utf8.h - the one UTF-8 decoder, terminal width table and "did you mean".
 *
 * Plans, inventory tables and syslog text hold Chinese place names; the CLI
 * aligns them in tables, the rule compiler and the inventory checker put
 * carets under them, the SMS coder turns them into UTF-16. They all decode
 * with fl_utf8_next() and measure with fl_utf8_cp_width(), so a character is
 * one thing everywhere.
 *
 * Widths come from a small built-in table (East Asian Wide and Fullwidth,
 * emoji presentation: 2 columns; combining marks and zero-width characters:
 * 0; everything else 1), not from wcwidth(), which depends on the locale.
 *
 * Pure functions over caller memory, no allocation; any thread. Also compiled
 * into every notification plugin (PLUGIN_LIB in the Makefile). */
#ifndef FL_UTF8_H
#define FL_UTF8_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_UTF8_REPLACEMENT 0xFFFDu
/* Names longer than this many bytes get no suggestion (nor a distance). */
#define FL_UTF8_SUGGEST_MAX_BYTES 64

/* Bytes of the valid UTF-8 sequence at p (1..4; n > 0 bytes left), or 0 if
 * none starts there (the same strictness as fl_utf8_next()): the fast check
 * the JSON writer and the validators use. */
size_t fl_utf8_seq_len(const char *p, size_t n);

/* Is p[0..len) valid UTF-8? */
bool fl_utf8_valid(const char *p, size_t len);

/* Does p[0..len) hold only ASCII bytes? Eight at a time. */
bool fl_utf8_is_ascii(const char *p, size_t len);

/* Writes code point cp as UTF-8 at out and returns its bytes (1..4), or 0
 * for a surrogate or a value above U+10FFFF, which have no encoding. */
size_t fl_utf8_encode(uint32_t cp, char out[4]);

/* Decodes the code point starting at p (len > 0 bytes left) into *cp and
 * returns the bytes it took (1..4). Strict (RFC 3629 §3): an overlong form,
 * a surrogate, a value above U+10FFFF, a stray continuation byte or a
 * sequence cut short decode as U+FFFD taking ONE byte, so the caller resyncs
 * on the next byte and never reads past len. */
size_t fl_utf8_next(const char *p, size_t len, uint32_t *cp);

/* Terminal columns of one code point: 0, 1 or 2 (see above). A control
 * character counts 1: callers that expand tabs do it themselves. */
int fl_utf8_cp_width(uint32_t cp);

/* Terminal columns of s[0..len): the sum of its code points' widths, an
 * invalid byte counting as the one-column U+FFFD. */
size_t fl_utf8_width(const char *s, size_t len);

/* Levenshtein distance (insert, delete, substitute one code point) between
 * a[0..a_len) and b[0..b_len), or SIZE_MAX once it must exceed max. Either
 * longer than FL_UTF8_SUGGEST_MAX_BYTES also gives SIZE_MAX. */
size_t fl_utf8_distance(const char *a, size_t a_len, const char *b, size_t b_len, size_t max);

/* "Did you mean": the candidate of cands[0..n) closest to name, at most two
 * edits away and fewer edits than name has code points (so "ab" never
 * suggests "xy"), or NULL. An exact match is no suggestion; NULL entries are
 * skipped; ties go to the earliest candidate. Returns a pointer into cands. */
const char *fl_utf8_suggest(const char *name, const char *const *cands, size_t n);

#endif /* FL_UTF8_H */
