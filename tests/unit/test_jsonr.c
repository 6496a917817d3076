#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/lib/jsonr.h"

/* A document and the verdict of fl_jsonr_parse() on it. */
struct jsonr_case {
	const char *name, *doc;
	int verdict;
};

static const struct jsonr_case cases[] = {
    {"empty object", "{}", 0},
    {"nested values", "{\"a\":[1,-2.5e3,true,false,null,{\"b\":\"c\"}]}", 0},
    {"whitespace around", " \n\t{ \"a\" : 1 } \r\n", 0},
    {"a bare string", "\"x\"", 0},
    {"escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", 0},
    {"chinese text", "{\"t\":\"光缆中断\"}", 0},
    {"empty input", "", -EINVAL},
    {"trailing bytes", "{} x", -EINVAL},
    {"trailing comma", "[1,]", -EINVAL},
    {"missing colon", "{\"a\" 1}", -EINVAL},
    {"key not a string", "{a:1}", -EINVAL},
    {"unterminated string", "\"abc", -EINVAL},
    {"raw control character", "\"a\x01\"", -EINVAL},
    {"bad escape", "\"\\x\"", -EINVAL},
    {"lone low surrogate", "\"\\udc00\"", -EINVAL},
    {"high surrogate without its pair", "\"\\ud800x\"", -EINVAL},
    {"leading zero", "01", -EINVAL},
    {"fraction without digits", "1.", -EINVAL},
    {"exponent without digits", "1e+", -EINVAL},
    {"true misspelt", "tru", -EINVAL},
    {"invalid UTF-8", "\"\xff\"", -EILSEQ},
    {"overlong UTF-8", "\"\xc0\xaf\"", -EILSEQ},
    {"an escaped NUL", "\"a\\u0000b\"", -EILSEQ},
    {"deeper than the cap", "[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]", -ELOOP},
};

Test(jsonr, gives_each_document_its_verdict)
{
	struct fl_jsonr_tok toks[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fl_jsonr r;
		int rc = fl_jsonr_parse(&r, cases[i].doc, strlen(cases[i].doc), toks, 64);

		cr_expect_eq(rc, cases[i].verdict, "row %s: got %d, want %d", cases[i].name, rc,
			     cases[i].verdict);
	}
}

Test(jsonr, refuses_a_document_of_more_values_than_tokens)
{
	struct fl_jsonr_tok toks[4];
	struct fl_jsonr r;

	cr_expect_eq(fl_jsonr_parse(&r, "[1,2,3]", 7, toks, 4), 0);
	cr_expect_eq(fl_jsonr_parse(&r, "[1,2,3,4]", 9, toks, 4), -E2BIG);
}

Test(jsonr, finds_members_skipping_nested_values)
{
	const char *doc = "{\"a\":{\"x\":[1,2,{\"y\":3}]},\"note\":\"on \\\"site\\\" 光\",\"n\":-42}";
	struct fl_jsonr_tok toks[32];
	struct fl_jsonr r;
	char out[64];
	int64_t v;
	long i;

	cr_assert_eq(fl_jsonr_parse(&r, doc, strlen(doc), toks, 32), 0);
	i = fl_jsonr_member(&r, 0, "note");
	cr_assert_geq(i, 0);
	cr_expect_eq(fl_jsonr_string(&r, (size_t)i, out, sizeof(out)), (long)strlen("on \"site\" 光"));
	cr_expect_str_eq(out, "on \"site\" 光");
	i = fl_jsonr_member(&r, 0, "n");
	cr_assert_geq(i, 0);
	cr_expect_eq(fl_jsonr_int(&r, (size_t)i, &v), 0);
	cr_expect_eq(v, -42);
	cr_expect_eq(fl_jsonr_member(&r, 0, "y"), -1, "a nested member is not the top's");
	cr_expect_eq(fl_jsonr_member(&r, 0, "missing"), -1);
}

Test(jsonr, the_last_of_duplicate_members_wins)
{
	const char *doc = "{\"by\":\"a\",\"by\":\"b\"}";
	struct fl_jsonr_tok toks[8];
	struct fl_jsonr r;
	char out[8];

	cr_assert_eq(fl_jsonr_parse(&r, doc, strlen(doc), toks, 8), 0);
	cr_assert_eq(fl_jsonr_string(&r, (size_t)fl_jsonr_member(&r, 0, "by"), out, sizeof(out)), 1);
	cr_expect_str_eq(out, "b");
}

Test(jsonr, decodes_a_surrogate_pair_to_one_code_point)
{
	const char *doc = "\"\\ud83d\\ude00\"";
	struct fl_jsonr_tok toks[2];
	struct fl_jsonr r;
	char out[8];

	cr_assert_eq(fl_jsonr_parse(&r, doc, strlen(doc), toks, 2), 0);
	cr_expect_eq(fl_jsonr_string(&r, 0, out, sizeof(out)), 4);
	cr_expect_str_eq(out, "\xf0\x9f\x98\x80");
}

Test(jsonr, refuses_a_string_longer_than_the_caller_room)
{
	struct fl_jsonr_tok toks[2];
	struct fl_jsonr r;
	char out[4];

	cr_assert_eq(fl_jsonr_parse(&r, "\"abcd\"", 6, toks, 2), 0);
	cr_expect_eq(fl_jsonr_string(&r, 0, out, sizeof(out)), -ENOSPC);
}

Test(jsonr, reads_integers_but_not_fractions_or_overflow)
{
	const char *doc = "[9223372036854775807,9223372036854775808,1.5,1e3]";
	struct fl_jsonr_tok toks[8];
	struct fl_jsonr r;
	int64_t v;

	cr_assert_eq(fl_jsonr_parse(&r, doc, strlen(doc), toks, 8), 0);
	cr_expect_eq(fl_jsonr_int(&r, 1, &v), 0);
	cr_expect_eq(v, INT64_MAX);
	cr_expect_eq(fl_jsonr_int(&r, 2, &v), -EINVAL);
	cr_expect_eq(fl_jsonr_int(&r, 3, &v), -EINVAL);
	cr_expect_eq(fl_jsonr_int(&r, 4, &v), -EINVAL);
}
