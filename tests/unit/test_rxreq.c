/* The literal requirements of a regex: the trees the walker gives for the
 * shapes rules take, and a differential test against PCRE2 itself: no
 * subject PCRE2 matches may fail the tree. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/rxreq.h"

struct tree_row {
	const char *name, *pattern;
	uint32_t options;
	const char *want;
};

static const struct tree_row tree_rows[] = {
    {"a plain run", "R_LOS raised port=", 0, "\"R_LOS raised port=\""},
    {"a capture next to digit classes", "(?<alarm>R_LOS-\\d\\d0)", 0,
     "OR(\"R_LOS-0\", \"R_LOS-1\", \"R_LOS-2\", \"R_LOS-3\", \"R_LOS-4\", \"R_LOS-5\", "
     "\"R_LOS-6\", \"R_LOS-7\", \"R_LOS-8\", \"R_LOS-9\")"},
    {"nested alternatives factored", "(?<alarm>(?:LINK_DOWN|LINK_UP)-\\d\\d3)", 0,
     "OR(\"LINK_DOWN-\", \"LINK_UP-\")"},
    {"a small class expanded", "port 1/[01] down", 0,
     "OR(\"port 1/0 down\", \"port 1/1 down\")"},
    {"alternation at the top", "MAINS_FAIL|POWER_FAIL", 0, "OR(\"MAINS_FAIL\", \"POWER_FAIL\")"},
    {"an optional char doubles the set", "colou?r change", 0,
     "OR(\"colour change\", \"color change\")"},
    {"a star splits the run", "abcx*yz", 0, "\"abc\""},
    {"a repeated char is too short alone", "abcx+yzw", 0, "AND(\"abc\", \"yzw\")"},
    {"an optional group requires nothing", "(?:GigabitEthernet)?0/1 link down", 0,
     "\"0/1 link down\""},
    {"a wide class splits the run", "port [0-9a-f]+ is down", 0, "AND(\"port \", \" is down\")"},
    {"escaped punctuation is literal", "a\\.b\\.c gone", 0, "\"a.b.c gone\""},
    {"caseless k stands for the Kelvin sign too", "link down", PCRE2_CASELESS,
     "OR(\"link down\"i, \"lin\xe2\x84\xaa down\"i)"},
    {"caseless inline: the whole atom caseless, in lower case", "LOS on (?i)fan fail", 0,
     "\"los on fan fail\"i"},
    {"extended mode skips spaces and comments", "LINK \\s DOWN # the state\n  now", PCRE2_EXTENDED,
     "AND(\"LINK\", \"DOWNnow\")"},
    {"quoted text is literal", "\\Qa.b*c\\E+d", 0, "\"a.b*\""},
    {"all case variants of a word are one caseless atom", "[Aa][Ll][Mm]-?0001 up", 0,
     "OR(\"alm-0001 up\"i, \"alm0001 up\"i)"},
    {"one letter in either case", "[Aa]LM-0001 up", 0, "\"alm-0001 up\"i"},
    {"three of four variants are not all", "(?:ALM|aLM|AlM)-0001 up", 0,
     "OR(\"ALM-0001 up\", \"aLM-0001 up\", \"AlM-0001 up\")"},
    {"a lookahead requires nothing", "(?=abc)x", 0, "NONE"},
    {"one char is no atom", "a.b", 0, "NONE"},
    {"recursion gives up", "abc(?R)?", 0, "NONE"},
    {"a backreference requires nothing of itself", "(abc)\\1xyz", 0, "AND(\"abc\", \"xyz\")"},
    {"leading settings are passed", "(*UTF)(*LIMIT_MATCH=1000)LOS detected", 0,
     "\"LOS detected\""},
    {"under (*UCP) \\d is any digit", "(*UCP)LOS-\\d", 0, "\"LOS-\""},
    {"a hex escape is its character", "R\\x5fLOS \\x{4e2d}\\x{65ad}", 0,
     "\"R_LOS \xe4\xb8\xad\xe6\x96\xad\""},
    {"a caseless hex letter", "\\x{41}LM up", PCRE2_CASELESS, "\"alm up\"i"},
    {"\\x with no hex digit is NUL", "abc\\xgdef", 0, "AND(\"abc\", \"gdef\")"},
    {"a verb later gives up", "LOS(*ACCEPT)xyz", 0, "NONE"},
    {"an unknown setting gives up", "(*TURKISH_CASING)LOS", 0, "NONE"},
    {"another newline ends comments elsewhere", "(*CR)LOS #c\nxyz", PCRE2_EXTENDED, "NONE"},
};

Test(rxreq, gives_each_shape_of_rule_its_tree)
{
	for (size_t i = 0; i < sizeof(tree_rows) / sizeof(tree_rows[0]); i++) {
		const struct tree_row *row = &tree_rows[i];
		struct fl_rxreq *r;
		char got[512];

		cr_assert_eq(fl_rxreq_build(&r, row->pattern, strlen(row->pattern),
					    row->options | PCRE2_UTF),
			     0);
		fl_rxreq_format(r, got, sizeof(got));
		cr_expect_str_eq(got, row->want, "row %s: got %s", row->name, got);
		fl_rxreq_destroy(r);
	}
}

Test(rxreq, notes_nested_unbounded_quantifiers)
{
	static const struct {
		const char *pattern;
		bool is_nested;
	} rows[] = {
	    {"(a+)+", true},	    {"(?:\\w+\\s?)*$", true}, {"x(?<p>\\d+-?)+", true},
	    {"x(?<p>\\d+-)+", false}, {"(?:\\d+,|\\w+;)*", false}, {"(?:\\d+,|\\w+)*", true},
	    {"(a+)", false},	    {"(a+){2}", false},	      {"(?:ab)+c+", false},
	    {"(?>a+)++", false},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fl_rxreq *r;

		cr_assert_eq(fl_rxreq_build(&r, rows[i].pattern, strlen(rows[i].pattern), 0), 0);
		cr_expect_eq(r->has_nested_unbounded, rows[i].is_nested, "%s", rows[i].pattern);
		fl_rxreq_destroy(r);
	}
}

/* ---- differential: PCRE2 matches imply the tree holds ------------------------- */

struct gen {
	unsigned long long state;
	char pat[512], sample[512];
	size_t np, ns;
	unsigned names;
};

static unsigned rnd(struct gen *g, unsigned n)
{
	g->state = g->state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((g->state >> 33) % n);
}

static void put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n < 500) {
		memcpy(buf + *len, s, n);
		*len += n;
		buf[*len] = '\0';
	}
}

static void emit(struct gen *g, const char *pat, const char *sample)
{
	put(g->pat, &g->np, pat);
	put(g->sample, &g->ns, sample);
}

/* One atom of the small grammar: a pattern piece and a text it matches
 * (usually: flags and anchors may make it not; PCRE2 has the last word). */
static void gen_atom(struct gen *g, int depth);

static void gen_seq(struct gen *g, int depth)
{
	unsigned n = 1 + rnd(g, 4);

	for (unsigned i = 0; i < n; i++)
		gen_atom(g, depth);
}

static void gen_group(struct gen *g, int depth)
{
	static const char *const opens[] = {"(", "(?:", "(?<n", "(?i:", "(?>", "(?|",
					    "(?-i:", "(?x:", "(?=", "(?'q"};
	unsigned kind = rnd(g, sizeof(opens) / sizeof(opens[0]));
	unsigned branches = 1 + rnd(g, 3), pick = rnd(g, branches);
	char open[16];
	char keep[512];
	size_t keep_len = g->ns;

	if (kind == 2 || kind == 9) /* a name of its own: PCRE2 refuses duplicates */
		snprintf(open, sizeof(open), "%s%u%s", opens[kind], g->names++, kind == 2 ? ">" : "'");
	else
		snprintf(open, sizeof(open), "%s", opens[kind]);
	emit(g, open, "");
	memcpy(keep, g->sample, keep_len + 1);
	for (unsigned b = 0; b < branches; b++) {
		size_t before = g->ns;

		if (b)
			emit(g, "|", "");
		gen_seq(g, depth + 1);
		if (b != pick) { /* only the picked branch's text stays in the sample */
			g->ns = before;
			g->sample[before] = '\0';
		}
	}
	if (kind == 8) { /* a lookahead consumes nothing */
		g->ns = keep_len;
		memcpy(g->sample, keep, keep_len + 1);
	}
	emit(g, ")", "");
}

static void gen_quantified(struct gen *g, int depth)
{
	static const char *const quants[] = {"?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}",
					     "??", "+?", "*+", "{,2}", "{ 1}"};
	size_t before = g->ns;
	char piece[512];
	unsigned q = rnd(g, sizeof(quants) / sizeof(quants[0]));
	unsigned times = q == 3 || q == 6 ? 2 : q == 2 || q == 4 || q == 8 ? 1 : rnd(g, 2);

	gen_atom(g, depth + 1);
	memcpy(piece, g->sample + before, g->ns - before + 1);
	emit(g, quants[q], "");
	g->ns = before;
	g->sample[before] = '\0';
	for (unsigned t = 0; t < times; t++)
		emit(g, "", piece);
}

static void gen_atom(struct gen *g, int depth)
{
	static const char *const lits[][2] = {
	    {"a", "a"},	    {"b", "b"},	     {"k", "k"},	{"K", "\xe2\x84\xaa"}, {"s", "s"},
	    {"S", "\xc5\xbf"}, {"-", "-"},     {"0", "0"},	{"1", "1"},	       {"_", "_"},
	    {" ", " "},	    {"\xc3\xa9", "\xc3\xa9"}, {"\xc3\x89", "\xc3\xa9"}, {"\\.", "."},
	    {"\\d", "7"},   {"\\w", "q"},    {"\\s", "\t"},    {"\\x41", "A"},	       {"\\Qa|b\\E", "a|b"},
	    {"[ab]", "b"},  {"[a-c]", "c"},  {"[^x]", "y"},    {"[[:digit:]]", "4"},    {"[\\d_]", "_"},
	    {"[01]", "1"},  {"[]a]", "]"},   {"[a\\]]", "]"},  {".", "z"},	       {"^", ""},
	    {"$", ""},	    {"\\b", ""},     {"(?#c)", ""},    {"#c\n", ""},	       {"A", "a"},
	    {"LOS", "LOS"}, {"los", "LOS"},  {"(?i)", ""},     {"\\t", "\t"},	       {"{", "{"},
	    {"\\Q", ""},    {"\\E", ""},     {"[k]", "K"},     {"\\\xc3\xa9", "\xc3\xa9"},
	    {"\\x{41}", "A"}, {"\\x{e9}", "\xc3\xa9"}, {"\\x5f", "_"},
	    {"\\x{4e2d}", "\xe4\xb8\xad"},
	    {"\\x{4B}", "\xe2\x84\xaa"}, {"\\d", "\xd9\xa3"}, {"#c\r", ""}, {"\\x{ 41}", "A"},
	};
	unsigned pick = rnd(g, depth < 4 ? 10 : 6);

	if (pick == 0 && depth < 4) {
		gen_group(g, depth);
	} else if (pick == 1 && depth < 4) {
		gen_quantified(g, depth);
	} else {
		unsigned k = rnd(g, sizeof(lits) / sizeof(lits[0]));

		emit(g, lits[k][0], lits[k][1]);
	}
}

struct has_ctx {
	const struct fl_rxreq *r;
	const char *text;
	size_t len;
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool text_has(uint32_t node, void *ctx)
{
	const struct has_ctx *h = ctx;
	const struct fl_rxreq_node *x = &h->r->nodes[node];
	const char *atom = h->r->bytes + x->first;

	for (size_t at = 0; at + x->n <= h->len; at++) {
		size_t k = 0;

		while (k < x->n && (x->is_nocase ? lower(h->text[at + k]) == lower(atom[k])
						 : h->text[at + k] == atom[k]))
			k++;
		if (k == x->n)
			return true;
	}
	return false;
}

/* Checks one pattern against subjects; returns how many PCRE2 matched. */
static size_t check_pattern(const char *pat, size_t plen, uint32_t pcre_opts,
			    const char *const *subjects, size_t n_subjects, size_t *with_tree)
{
	pcre2_code *code;
	pcre2_match_data *md;
	struct fl_rxreq *r;
	size_t matched = 0;
	int err;
	PCRE2_SIZE off;

	code = pcre2_compile((PCRE2_SPTR)pat, plen, pcre_opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
			     &err, &off, NULL);
	if (!code)
		return 0;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	cr_assert_eq(fl_rxreq_build(&r, pat, plen, pcre_opts | PCRE2_UTF), 0);
	for (size_t i = 0; i < n_subjects; i++) {
		struct has_ctx h = {r, subjects[i], strlen(subjects[i])};

		if (pcre2_match(code, (PCRE2_SPTR)h.text, h.len, 0, 0, md, NULL) < 0)
			continue;
		matched++;
		if (!fl_rxreq_eval(r, r->root, text_has, &h)) {
			char tree[1024];

			fl_rxreq_format(r, tree, sizeof(tree));
			cr_assert_fail("/%.*s/%s%s matches \"%s\" but its tree %s does not",
				       (int)plen, pat, pcre_opts & PCRE2_CASELESS ? "i" : "",
				       pcre_opts & PCRE2_EXTENDED ? "x" : "", h.text, tree);
		}
	}
	*with_tree += matched && r->root != FL_RXREQ_NONE;
	fl_rxreq_destroy(r);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return matched;
}

Test(rxreq, never_requires_what_a_pcre2_match_lacks)
{
	static const char *const leading[] = {"(*UTF)",	    "(*UCP)", "(*CR)",
					      "(*LF)",	    "(*NUL)", "(*LIMIT_MATCH=99)",
					      "(*NO_JIT)", "(*ANY)", "(*NO_START_OPT)"};
	const unsigned n_leading = sizeof(leading) / sizeof(leading[0]);
	struct gen g = {.state = 16};
	size_t compiled_matched = 0, with_tree = 0;

	for (int round = 0; round < 50000; round++) {
		char subj[6][600];
		const char *subjects[6];
		uint32_t opts = (rnd(&g, 3) == 0 ? PCRE2_CASELESS : 0) |
				(rnd(&g, 5) == 0 ? PCRE2_EXTENDED : 0);

		g.np = g.ns = g.names = 0;
		g.pat[0] = g.sample[0] = '\0';
		if (rnd(&g, 4) == 0) /* settings PCRE2 reads only at the start */
			for (unsigned k = 1 + rnd(&g, 2); k > 0; k--)
				emit(&g, leading[rnd(&g, n_leading)], "");
		gen_seq(&g, 0);
		snprintf(subj[0], sizeof(subj[0]), "%s", g.sample);
		snprintf(subj[1], sizeof(subj[1]), "x %s y", g.sample);
		for (int k = 2; k < 6; k++) { /* the sample with a letter's case flipped or a byte cut */
			size_t len = strlen(g.sample);

			snprintf(subj[k], sizeof(subj[k]), "%s", g.sample);
			if (len && k < 4 && (subj[k][rnd(&g, (unsigned)len)] ^= 0x20))
				continue;
			if (len)
				memmove(subj[k] + rnd(&g, (unsigned)len), subj[k] + len - 1, 2);
		}
		for (int k = 0; k < 6; k++)
			subjects[k] = subj[k];
		compiled_matched += check_pattern(g.pat, g.np, opts, subjects, 6, &with_tree) > 0;
	}
	/* the grammar must give PCRE2 matches to compare, not only errors */
	cr_expect_gt(compiled_matched, 15000, "%zu patterns matched a subject", compiled_matched);
	cr_expect_gt(with_tree, 4000, "%zu of them with a requirement", with_tree);
}
