/* rxlite on subjects above ASCII, against PCRE2 itself: random patterns of
 * the pieces whose reading changes under UTF ('.', negated classes, \D \S
 * \W, \b, counted and lazy repeats of them, caseless letters) on random
 * subjects of ASCII and multi-byte characters -- two, three and four bytes,
 * the other cases PCRE2 folds k and s to, a no-break space, a NEL -- with
 * now and then a byte that makes the subject invalid. Whenever rxlite
 * answers, rc and every ovector pair must be PCRE2's; it must decline every
 * invalid subject. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/rxlite.h"

#define BASE_OPTS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
#define OV_SLOTS (2 * (FL_RXLITE_MAX_GROUPS + 1))

static const char *const tokens[] = {
    "a", "b", "k", "s", "K", "S", "0", "-", " ", ".", "(", ")", "(?:", "(?<n>", "(?<m>", "(?i)",
    "(?-i)", "(?s)", "(?i:", "[", "]", "[^", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\b", "\\B",
    "^", "$", "\\z", "\\Z", "|", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{0,2}?", "{2,}",
    "[^a]", "[^k]", "[a-z]", "[^\\d]", "[\\W]", "[^\\W]", ".+", ".*?", "[^x]+", "\\S+", "(?:.)",
    "(?:.){2}", "[a-j]", "[l-r]+", "(?i)[a-j]+", "(?i)ab", "(?i)i", "[^a-j]", "\\w+", "(?i)[^a]"};

/* Characters of the subjects: ASCII, and above it é, 中, an emoji, the
 * Kelvin sign and long s (k's and s's other cases under UTF), dotless and
 * dotted i, the angstrom sign, a no-break space and a NEL. */
static const char *const chars[] = {"a", "b", "k", "s", "K", "S", "0", "1", " ", "\n", "-",
				    "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xe2\x84\xaa",
				    "\xc5\xbf", "\xc4\xb1", "\xc4\xb0", "\xe2\x84\xab", "\xc2\xa0",
				    "\xc2\x85"};
/* Bytes that break UTF-8 where they fall (or, after a lone lead byte, mend
 * it: PCRE2 is asked which). */
static const char *const breakers[] = {"\xff", "\xc3", "\x80", "\xed\xa0\x80", "\xc0\xaf"};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define PATTERNS 30000
#define SUBJECTS 24

Test(rxlite_utf8, answers_subjects_above_ascii_as_pcre2, .timeout = 240)
{
	const size_t n_tokens = sizeof(tokens) / sizeof(tokens[0]);
	const size_t n_chars = sizeof(chars) / sizeof(chars[0]);
	pcre2_match_data *md = pcre2_match_data_create(FL_RXLITE_MAX_GROUPS + 1, NULL);
	pcre2_match_context *mctx = pcre2_match_context_create(NULL);
	PCRE2_SIZE off;
	int err;
	/* PCRE2 without MATCH_INVALID_UTF says whether a subject is valid */
	pcre2_code *validity = pcre2_compile((PCRE2_SPTR) "", 0, PCRE2_UTF, &err, &off, NULL);
	uint64_t s = 0x5eedc0de1234ULL;
	size_t compared = 0, above = 0, invalid = 0, mismatches = 0;

	cr_assert(md && mctx && validity);
	pcre2_set_match_limit(mctx, 10000000);
	for (int p = 0; p < PATTERNS; p++) {
		char pat[512];
		size_t len = 0;
		uint32_t opts = BASE_OPTS;
		struct fl_rxlite *rx;
		pcre2_code *code;

		for (unsigned k = 0, n = 1 + (unsigned)(next(&s) % 10); k < n; k++) {
			const char *t = tokens[next(&s) % n_tokens];

			memcpy(pat + len, t, strlen(t));
			len += strlen(t);
		}
		pat[len] = '\0';
		opts |= (next(&s) % 3 == 0 ? PCRE2_CASELESS : 0) | (next(&s) % 3 == 0 ? PCRE2_DOTALL : 0);
		if (fl_rxlite_compile(pat, len, opts, &rx) != 0)
			continue;
		code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &err, &off, NULL);
		cr_assert_not_null(code, "rxlite takes /%s/, PCRE2 refuses it", pat);
		for (int i = 0; i < SUBJECTS; i++) {
			char subj[64];
			size_t sl = 0, ov[OV_SLOTS];
			int got, want;
			bool is_valid, is_ascii = true;

			for (unsigned k = 0, n = (unsigned)(next(&s) % 9); k < n; k++) {
				const char *c = next(&s) % 40 == 0 ? breakers[next(&s) % 5]
								   : chars[next(&s) % n_chars];

				memcpy(subj + sl, c, strlen(c));
				sl += strlen(c);
			}
			for (size_t k = 0; k < sl; k++)
				is_ascii = is_ascii && (unsigned char)subj[k] < 0x80;
			is_valid = pcre2_match(validity, (PCRE2_SPTR)subj, sl, 0, 0, md, NULL) >= 0;
			got = fl_rxlite_match(rx, subj, sl, ov);
			if (!is_valid) {
				invalid++;
				cr_assert_eq(got, FL_RXLITE_DECLINED, "/%s/ answered an invalid subject",
					     pat);
				continue;
			}
			want = pcre2_match(code, (PCRE2_SPTR)subj, sl, 0, 0, md, mctx);
			if (got == FL_RXLITE_DECLINED || (want < 0 && want != PCRE2_ERROR_NOMATCH))
				continue;
			compared++;
			above += !is_ascii;
			if (want == PCRE2_ERROR_NOMATCH) {
				mismatches += got != FL_RXLITE_NOMATCH;
				continue;
			}
			if (got != want) {
				mismatches++;
				continue;
			}
			for (int g = 0; g < 2 * want; g++)
				if (ov[g] != pcre2_get_ovector_pointer(md)[g]) {
					if (mismatches++ < 10)
						fprintf(stderr, "rxlite utf8 mismatch: /%s/ opts %#x on %.*s\n",
							pat, opts, (int)sl, subj);
					break;
				}
		}
		pcre2_code_free(code);
		fl_rxlite_free(rx);
	}
	cr_expect_eq(mismatches, 0, "%zu of %zu answers differ from PCRE2's", mismatches, compared);
	cr_expect_gt(above, (size_t)PATTERNS * 4, "subjects above ASCII compared: %zu", above);
	cr_expect_gt(invalid, 1000, "invalid subjects: %zu", invalid);
	pcre2_code_free(validity);
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
}
