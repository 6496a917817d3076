/* rxlite takes only what PCRE2 compiles. The plan compiler stands on
 * rxlite's word and leaves the PCRE2 compile of such a regex to the matcher
 * that first needs it: a pattern rxlite took and PCRE2 refused would pass
 * `faultline check` and then never run. Random patterns of tokens, valid or
 * not, and the refusals PCRE2 10.42 is known for: whenever rxlite takes a
 * pattern, PCRE2 must take it too, with the same groups and names in the
 * same order. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/rxlite.h"

#define BASE_OPTS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

/* Pieces of patterns, valid and not, with the refusals' ingredients:
 * names of 32 and 33 bytes, names twice, class escapes before '-', POSIX
 * brackets, counts that make PCRE2's code too large. */
static const char *const tokens[] = {
    "a", "b", "x", "-", "_", "0", "9", "(", ")", "(?:", "(?<n>", "(?<n1>", "(?<m>",
    "(?<abcdefghijabcdefghijabcdefghij12>", "(?<abcdefghijabcdefghijabcdefghij123>", "(?'n'",
    "(?P<n>", "(?<_a>", "(?i)", "(?-i)", "(?s)", "(?)", "(?-)", "(?i-)", "(?i:", "(?-:", "[", "]",
    "[^", "\\d", "\\w", "\\s", "\\D", "\\b", "\\B", "\\A", "\\z", "\\Z", "\\t", "\\n", "\\-",
    "\\]", "\\\\", "\\.", "\\_", "\\[", "|", "*", "+", "?", "{", "}", ",", "{2}", "{1,3}",
    "{3,1}", "{2,}", "{,2}", "{0}", "{65534}", "{65535}", "{300}", "{1000}", "{5000}",
    "{100,164}", "^", "$", ".", "\\", ":", "'", "<", ">", "=", "!", "#", "P", " ", "\\e", "[:",
    "[.", "[=", ":]", ".]", "=]", "\\/", "\\'", "\\{", "\\}", "\\(", "\\)",
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[^abc]", "[a-z0-9_]",
    "(?:[^x]{2}y){600}", "(?<n>a)", "(?<p>\\d+)", "(?<alarm>ALM\\d{4})", "(?<Port>[0-9-]+)", "[= ]", "[.,]", "[:x]",
    /* what the subset leaves out: each must be declined, or read as PCRE2 reads it */
    "\\Q", "\\E", "(?|", "(?P=n)", "(?&n)", "(?R)", "(*UTF)", "\\c", "\\N", "\\h", "\\<",
    "{ 2}", "{1,2,3}", "(?#c)", "(?x)", "(?m)", "(?J)", "(?U)", "(?^)", "\\K", "(?<=a)", "(?=a)",
    "(?>a)", "a++", "\\1", "(?(1)a|b)", "[[:alpha:]]", "[a-\\d]", "[\\d-]", "[]]", "\\x41", "\\0"};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Asserts that rx and code give the same groups and the same name table. */
static void expect_same_names(const pcre2_code *code, const struct fl_rxlite *rx, const char *pat)
{
	uint32_t groups = 0, count = 0, entry = 0;
	PCRE2_SPTR table = NULL;

	cr_assert_eq(pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups), 0);
	cr_assert_eq(pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count), 0);
	cr_assert_eq(pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry), 0);
	cr_assert_eq(pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table), 0);
	cr_assert_eq(fl_rxlite_groups(rx), groups, "/%s/: groups", pat);
	cr_assert_eq(fl_rxlite_names(rx), count, "/%s/: names", pat);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = table + (size_t)i * entry;
		uint32_t group;
		const char *name = fl_rxlite_name(rx, i, &group);

		cr_assert_str_eq(name, (const char *)e + 2, "/%s/: name %u", pat, i);
		cr_assert_eq(group, (uint32_t)(e[0] << 8 | e[1]), "/%s/: group of %s", pat, name);
	}
}

#define SOUP_PATTERNS 400000

Test(rxlite_accepts, takes_only_what_pcre2_compiles_with_its_groups_and_names, .timeout = 240)
{
	const size_t n_tokens = sizeof(tokens) / sizeof(tokens[0]);
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t taken = 0, refused = 0, named = 0;

	for (int p = 0; p < SOUP_PATTERNS; p++) {
		char pat[1024];
		size_t len = 0;
		uint32_t opts = BASE_OPTS;
		struct fl_rxlite *rx = NULL;
		pcre2_code *code;
		PCRE2_SIZE off;
		int err, rc;

		for (unsigned k = 0, n = 1 + (unsigned)(next(&s) % 12); k < n; k++) {
			const char *t = tokens[next(&s) % n_tokens];

			memcpy(pat + len, t, strlen(t));
			len += strlen(t);
		}
		pat[len] = '\0';
		opts |= (next(&s) % 2 ? PCRE2_CASELESS : 0) | (next(&s) % 3 == 0 ? PCRE2_DOTALL : 0);
		rc = fl_rxlite_compile(pat, len, opts, &rx);
		cr_assert(rc == 0 || rc == -ENOTSUP, "/%s/: %d", pat, rc);
		code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &err, &off, NULL);
		refused += code == NULL;
		if (rc == 0) {
			PCRE2_UCHAR why[160] = "";

			if (!code)
				pcre2_get_error_message(err, why, sizeof(why));
			cr_assert_not_null(code, "rxlite takes /%s/, PCRE2 refuses it: %s", pat,
					   (const char *)why);
			expect_same_names(code, rx, pat);
			taken++;
			named += fl_rxlite_names(rx) > 0;
		}
		pcre2_code_free(code);
		fl_rxlite_free(rx);
	}
	/* the soup reaches both sides of the line */
	cr_expect_gt(taken, SOUP_PATTERNS / 10, "rxlite took %zu", taken);
	cr_expect_gt(named, SOUP_PATTERNS / 100, "%zu taken patterns have names", named);
	cr_expect_gt(refused, SOUP_PATTERNS / 10, "PCRE2 refused %zu", refused);
}

/* What PCRE2 refuses and a plain reading of the subset would take. */
static const struct {
	const char *why, *pattern;
} refused_rows[] = {
    {"a name twice", "(?<n>a)(?<n>b)"},
    {"a name twice in alternatives", "(?<n>a)|(?<n>b)"},
    {"a name twice, spelled two ways", "(?<a>x)(?P<a>y)(?'b'z)"},
    {"a name of 33 bytes", "(?<abcdefghijabcdefghijabcdefghij123>x)"},
    {"a range from a class escape", "[\\d-z]"},
    {"a range from a class escape, late in the class", "[ab\\w-.]"},
    {"a POSIX class outside a class", "[:alpha:]"},
    {"a POSIX collating element", "[.a.]"},
    {"a POSIX equivalence class", "[=a=]"},
    {"a group copied past PCRE2's size", "(?:abcdefghijklmnopqrstuvwxyz0123456789){1500}"},
    {"one character in a group, copied", "(?:x){65534}"},
    {"nested copies", "(?:(?:abcdefghij){100}){30}"},
};

Test(rxlite_accepts, declines_what_pcre2_refuses)
{
	for (size_t r = 0; r < sizeof(refused_rows) / sizeof(refused_rows[0]); r++) {
		const char *pat = refused_rows[r].pattern;
		struct fl_rxlite *rx = NULL;
		PCRE2_SIZE off;
		int err;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, strlen(pat), BASE_OPTS, &err, &off, NULL);

		cr_expect_null(code, "%s: PCRE2 takes /%s/", refused_rows[r].why, pat);
		pcre2_code_free(code);
		cr_expect_eq(fl_rxlite_compile(pat, strlen(pat), BASE_OPTS, &rx), -ENOTSUP,
			     "%s: /%s/", refused_rows[r].why, pat);
		fl_rxlite_free(rx);
	}
}

/* The edges on the other side: PCRE2 takes these, and so does rxlite. */
static const char *const taken_rows[] = {
    "(?<abcdefghijabcdefghijabcdefghij12>x)", /* 32 bytes */
    "[\\d-]",				      /* a '-' last is a literal */
    "[a-z-0]",				      /* a '-' after a range is one too */
    "(?<port>\\d+)-(?<alarm>ALM\\d{4})(?<Port>x)(?<a>y)",
    "(?:abcdefghij){300}",
    "x{65534}",
    "[^]a]",
    "port[= ](?<p>\\d+)", /* "[=", "[." and "[:" with no POSIX terminator open plain classes */
    "[.,;]",
    "[:]",
    "[:a]:]",
};

Test(rxlite_accepts, takes_the_edges_pcre2_takes_with_names_in_its_order)
{
	for (size_t r = 0; r < sizeof(taken_rows) / sizeof(taken_rows[0]); r++) {
		const char *pat = taken_rows[r];
		struct fl_rxlite *rx = NULL;
		PCRE2_SIZE off;
		int err;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, strlen(pat), BASE_OPTS, &err, &off, NULL);

		cr_assert_not_null(code, "PCRE2 refuses /%s/", pat);
		cr_assert_eq(fl_rxlite_compile(pat, strlen(pat), BASE_OPTS, &rx), 0, "/%s/", pat);
		expect_same_names(code, rx, pat);
		pcre2_code_free(code);
		fl_rxlite_free(rx);
	}
}
