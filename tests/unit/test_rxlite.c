/* rxlite against PCRE2 itself: random patterns of the subset on random
 * subjects near their matches, the corners where PCRE2's reading is easy to
 * get wrong ($ before a final newline, captures in repeated groups, caseless
 * classes), the regexes the shipped plans and operators write, and the
 * patterns and subjects rxlite must leave to PCRE2. Whenever rxlite answers,
 * its rc and every ovector pair must be PCRE2's. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <errno.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/rxlite.h"

#define BASE_OPTS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
#define OV_SLOTS (2 * (FL_RXLITE_MAX_GROUPS + 1))
#define OV_POISON ((size_t)0x5a5a5a5a)
#define MISMATCHES_SHOWN 25

/* ---- one pattern under one option set, both engines ------------------------ */

/* A pattern compiled by both engines (rx NULL when rxlite declined it). */
struct both {
	const char *pattern;
	size_t len;
	uint32_t opts;
	pcre2_code *code;
	pcre2_match_data *md;
	struct fl_rxlite *rx;
	int rx_rc; /* fl_rxlite_compile()'s answer */
};

/* What a series of comparisons saw. */
struct tally {
	size_t subjects;   /* compared with rxlite compiled */
	size_t declined;   /* of those, FL_RXLITE_DECLINED on an ASCII subject */
	size_t mismatches; /* rxlite answered, and not as PCRE2 */
	size_t pcre2_errors; /* PCRE2 gave an error (a limit): rxlite must decline */
	size_t matched;	   /* PCRE2 matched */
};

/* Compiles pattern with PCRE2 and rxlite. Returns false when PCRE2 refuses
 * it (nothing is held then). */
static bool both_compile(struct both *b, const char *pattern, size_t len, uint32_t opts)
{
	PCRE2_SIZE off;
	int err;

	*b = (struct both){.pattern = pattern, .len = len, .opts = opts};
	b->code = pcre2_compile((PCRE2_SPTR)pattern, len, opts | BASE_OPTS, &err, &off, NULL);
	if (!b->code)
		return false;
	b->md = pcre2_match_data_create_from_pattern(b->code, NULL);
	cr_assert_not_null(b->md);
	b->rx_rc = fl_rxlite_compile(pattern, len, opts | BASE_OPTS, &b->rx);
	cr_assert(b->rx_rc == 0 || b->rx_rc == -ENOTSUP, "/%s/ opts %#x: fl_rxlite_compile() gave %d",
		  pattern, opts, b->rx_rc);
	if (b->rx_rc != 0) {
		b->rx = NULL;
	} else {
		uint32_t want;

		cr_assert_eq(pcre2_pattern_info(b->code, PCRE2_INFO_CAPTURECOUNT, &want), 0);
		cr_assert_eq(fl_rxlite_groups(b->rx), want, "/%s/: rxlite counts %u groups, PCRE2 %u",
			     pattern, fl_rxlite_groups(b->rx), want);
	}
	return true;
}

static void both_free(struct both *b)
{
	fl_rxlite_free(b->rx);
	pcre2_match_data_free(b->md);
	pcre2_code_free(b->code);
	*b = (struct both){0};
}

/* s (len bytes) as a C string literal's body, into out. */
static const char *quoted(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			n += (size_t)snprintf(out + n, size - n, "\\n");
		else if (c == '\\' || c == '"')
			n += (size_t)snprintf(out + n, size - n, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

/* An rc and its ovector pairs as text: "2 (0,3) (1,2)" or "2 (0,3) (-,-)". */
static const char *answer_text(int rc, const size_t *ov, uint32_t groups, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%d", rc);

	for (uint32_t g = 0; rc > 0 && g <= groups && n + 48 < size; g++) {
		if (ov[2 * g] == PCRE2_UNSET && ov[2 * g + 1] == PCRE2_UNSET)
			n += (size_t)snprintf(out + n, size - n, " (-,-)");
		else
			n += (size_t)snprintf(out + n, size - n, " (%zu,%zu)", ov[2 * g], ov[2 * g + 1]);
	}
	return out;
}

static void show_mismatch(const struct both *b, const char *subject, size_t len, int want,
			  const size_t *want_ov, int got, const size_t *got_ov)
{
	char p[600], s[300], w[600], g[600];
	uint32_t groups = fl_rxlite_groups(b->rx);

	fprintf(stderr,
		"rxlite mismatch: pattern \"%s\" opts %s%s subject \"%s\": PCRE2 %s, rxlite %s\n",
		quoted(b->pattern, b->len, p, sizeof(p)), b->opts & PCRE2_CASELESS ? "CASELESS " : "",
		b->opts & PCRE2_DOTALL ? "DOTALL" : (b->opts & PCRE2_CASELESS ? "" : "0"),
		quoted(subject, len, s, sizeof(s)), answer_text(want, want_ov, groups, w, sizeof(w)),
		answer_text(got, got_ov, groups, g, sizeof(g)));
}

/* Runs subject through both engines (rxlite compiled) and counts the
 * outcome into t; a mismatch is printed while fewer than
 * MISMATCHES_SHOWN have been. Returns rxlite's rc. */
static int compare(const struct both *b, const char *subject, size_t len, struct tally *t)
{
	size_t ov[OV_SLOTS];
	const size_t *want_ov = pcre2_get_ovector_pointer(b->md);
	uint32_t pairs = fl_rxlite_groups(b->rx) + 1;
	int want, got;
	bool same;

	for (size_t i = 0; i < OV_SLOTS; i++)
		ov[i] = OV_POISON;
	want = pcre2_match(b->code, (PCRE2_SPTR)subject, len, 0, 0, b->md, NULL);
	got = fl_rxlite_match(b->rx, subject, len, ov);
	t->subjects++;
	if (want < 0 && want != PCRE2_ERROR_NOMATCH) { /* a PCRE2 limit: only a decline is right */
		t->pcre2_errors++;
		same = got == FL_RXLITE_DECLINED;
	} else if (got == FL_RXLITE_DECLINED) {
		t->declined++;
		return got;
	} else if (want == PCRE2_ERROR_NOMATCH) {
		same = got == FL_RXLITE_NOMATCH;
	} else {
		t->matched++;
		same = got == want;
		for (uint32_t i = 0; same && i < 2 * pairs; i++)
			same = ov[i] == want_ov[i];
	}
	if (!same && t->mismatches++ < MISMATCHES_SHOWN)
		show_mismatch(b, subject, len, want, want_ov, got, ov);
	return got;
}

/* ---- random patterns of the subset ---------------------------------------- */

#define ALPHABET "aAbB0-: =\n" /* the subjects' bytes; the literals' are all but \n */
#define N_ALPHABET (sizeof(ALPHABET) - 1)
#define GEN_NODES 96
#define GEN_PATTERN_MAX 200
#define GEN_SUBJECT_MAX 48
#define GEN_GROUPS_MAX 12

enum node_kind { N_LEAF, N_ANCHOR, N_FLAG, N_GROUP, N_SEQ, N_ALT };

/* A node of a generated pattern, kept to walk it for subjects. */
struct node {
	enum node_kind kind;
	char members[N_ALPHABET + 1]; /* N_LEAF: the alphabet bytes it matches alone */
	char anchor;		      /* N_ANCHOR: '^' '$' 'A' 'z' 'Z' 'b' 'B' */
	int min, max;		      /* the quantifier; max -1: unbounded */
	bool nullable;		      /* can match the empty string */
	int kid[5], n_kid;
};

/* A pattern being generated, from a seeded PRNG. */
struct gen {
	unsigned long long s;
	struct node nodes[GEN_NODES];
	int n_nodes, groups;
	char pat[GEN_PATTERN_MAX + 64];
	size_t len;
	bool full; /* out of nodes or pattern room: the pattern is dropped */
};

static unsigned rnd(struct gen *g, unsigned n)
{
	g->s = g->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((g->s >> 33) % n);
}

static void emit(struct gen *g, const char *text)
{
	size_t n = strlen(text);

	if (g->len + n >= GEN_PATTERN_MAX) {
		g->full = true;
		return;
	}
	memcpy(g->pat + g->len, text, n + 1);
	g->len += n;
}

static int new_node(struct gen *g, enum node_kind kind)
{
	if (g->n_nodes == GEN_NODES) {
		g->full = true;
		return GEN_NODES - 1; /* a harmless scribble: the pattern is dropped */
	}
	g->nodes[g->n_nodes] = (struct node){.kind = kind, .min = 1, .max = 1};
	return g->n_nodes++;
}

/* The alphabet bytes atom matches on its own, as PCRE2 says (opts 0). */
static void leaf_members(const char *atom, char *members)
{
	char re[64];
	PCRE2_SIZE off;
	pcre2_code *code;
	pcre2_match_data *md;
	size_t n = 0;
	int err;

	snprintf(re, sizeof(re), "^(?:%s)\\z", atom);
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, BASE_OPTS, &err, &off, NULL);
	cr_assert_not_null(code, "the generator's atom %s", atom);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	for (size_t i = 0; i < N_ALPHABET; i++)
		if (pcre2_match(code, (PCRE2_SPTR)ALPHABET + i, 1, 0, 0, md, NULL) >= 0)
			members[n++] = ALPHABET[i];
	members[n] = '\0';
	pcre2_match_data_free(md);
	pcre2_code_free(code);
}

/* A bracket class of one to three parts, maybe negated, into out. */
static void bracket(struct gen *g, char *out, size_t size)
{
	static const char *const parts[] = {"a", "A", "b", "B", "0", "a-b", "A-B", "0-9", "a-z",
					    "\\d", "\\s", "\\w", "\\D", "\\:", " ", "\\=", "\\-", "\\n"};
	size_t n = (size_t)snprintf(out, size, "[%s", rnd(g, 3) == 0 ? "^" : "");

	for (unsigned k = 0, parts_n = 1 + rnd(g, 3); k < parts_n; k++)
		n += (size_t)snprintf(out + n, size - n, "%s", parts[rnd(g, sizeof(parts) / sizeof(parts[0]))]);
	snprintf(out + n, size - n, "]");
}

static int gen_leaf(struct gen *g)
{
	static const char *const lits[] = {"a", "A", "b", "B", "0", "-", ":", " ", "=",
					   "\\-", "\\:", "\\=", "\\n"};
	static const char *const escs[] = {"\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "."};
	char atom[48];
	unsigned pick = rnd(g, 10);
	int n = new_node(g, N_LEAF);

	if (pick < 6)
		snprintf(atom, sizeof(atom), "%s", lits[rnd(g, sizeof(lits) / sizeof(lits[0]))]);
	else if (pick < 8)
		snprintf(atom, sizeof(atom), "%s", escs[rnd(g, sizeof(escs) / sizeof(escs[0]))]);
	else
		bracket(g, atom, sizeof(atom));
	leaf_members(atom, g->nodes[n].members);
	emit(g, atom);
	return n;
}

static int gen_alt(struct gen *g, int depth);

/* A quantifier for item n: maybe none; on a nullable item at most `?`, for
 * rxlite leaves a group that can match empty repeated more than once to
 * PCRE2. */
static void quantify(struct gen *g, int n)
{
	static const int mins[] = {0, 0, 1, 2, 3, 0, 1, 2, 1};
	static const int maxs[] = {1, -1, -1, 2, 3, 2, 3, -1, 1};
	static const char *const text[] = {"?", "*", "+", "{2}", "{3}", "{0,2}", "{1,3}", "{2,}", "{1}"};
	struct node *x = &g->nodes[n];
	unsigned q;

	if (rnd(g, 20) < 11)
		return;
	q = x->nullable ? 0 : rnd(g, sizeof(mins) / sizeof(mins[0]));
	emit(g, text[q]);
	if (rnd(g, 10) < 3)
		emit(g, "?");
	x->min = mins[q];
	x->max = maxs[q];
	x->nullable = x->nullable || x->min == 0;
}

/* An inline flag: it holds to the end of the enclosing group. */
static int gen_flag(struct gen *g)
{
	static const char *const flags[] = {"(?i)", "(?-i)", "(?s)", "(?-s)"};
	int n = new_node(g, N_FLAG);

	g->nodes[n].nullable = true;
	emit(g, flags[rnd(g, 4)]);
	return n;
}

static int gen_group(struct gen *g, int depth)
{
	unsigned pick = 1 + rnd(g, 11);
	char open[24];
	int n, inner;

	if (pick < 4)
		snprintf(open, sizeof(open), "(");
	else if (pick < 6)
		snprintf(open, sizeof(open), "(?<g%d>", g->groups);
	else if (pick < 10)
		snprintf(open, sizeof(open), "(?:");
	else
		snprintf(open, sizeof(open), "%s", pick == 10 ? "(?i:" : "(?-i:");
	g->groups += pick < 6;
	emit(g, open);
	n = new_node(g, N_GROUP);
	inner = gen_alt(g, depth + 1);
	emit(g, ")");
	g->nodes[n].kid[0] = inner;
	g->nodes[n].n_kid = 1;
	g->nodes[n].nullable = g->nodes[inner].nullable;
	return n;
}

static int gen_item(struct gen *g, int depth)
{
	static const char *const anchors = "^$AzZbB";
	unsigned pick = rnd(g, 20);
	int n;

	if (pick < 2) {
		char a = anchors[rnd(g, 7)], text[3] = {'\\', a, '\0'};

		n = new_node(g, N_ANCHOR);
		g->nodes[n].anchor = a;
		g->nodes[n].nullable = true;
		emit(g, a == '^' || a == '$' ? text + 1 : text);
		return n;
	}
	if (pick == 2)
		return gen_flag(g);
	if (pick < 6 && depth < 3 && g->groups < GEN_GROUPS_MAX)
		n = gen_group(g, depth);
	else
		n = gen_leaf(g);
	quantify(g, n);
	return n;
}

static int gen_seq(struct gen *g, int depth)
{
	int n = new_node(g, N_SEQ);
	int items = 1 + (int)rnd(g, depth == 0 ? 5 : 3);

	g->nodes[n].nullable = true;
	for (int i = 0; i < items; i++) {
		int kid = gen_item(g, depth);

		g->nodes[n].kid[g->nodes[n].n_kid++] = kid;
		g->nodes[n].nullable = g->nodes[n].nullable && g->nodes[kid].nullable;
	}
	return n;
}

static int gen_alt(struct gen *g, int depth)
{
	int n = new_node(g, N_ALT);
	int branches = rnd(g, 5) == 0 ? 2 + (int)rnd(g, 2) : 1;

	for (int i = 0; i < branches; i++) {
		int kid;

		if (i)
			emit(g, "|");
		kid = rnd(g, 12) == 0 && i ? new_node(g, N_SEQ) : gen_seq(g, depth); /* an empty branch */
		if (g->nodes[kid].n_kid == 0)
			g->nodes[kid].nullable = true;
		g->nodes[n].kid[g->nodes[n].n_kid++] = kid;
		g->nodes[n].nullable = g->nodes[n].nullable || g->nodes[kid].nullable;
	}
	return n;
}

static void put(char *out, size_t *len, char c)
{
	if (*len < GEN_SUBJECT_MAX)
		out[(*len)++] = c;
}

/* A byte for leaf x: mostly one it matches, now and then in the other
 * case (for the caseless runs) or any byte at all. */
static char leaf_byte(struct gen *g, const struct node *x)
{
	char c;

	if (!x->members[0] || rnd(g, 10) == 0)
		return ALPHABET[rnd(g, N_ALPHABET)];
	c = x->members[rnd(g, (unsigned)strlen(x->members))];
	if (rnd(g, 6) == 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	return c;
}

/* Appends to out a string node n matches, or nearly: a leaf's byte is
 * another now and then, and a repeat runs once too few or too many. */
static void walk(struct gen *g, int n, char *out, size_t *len)
{
	const struct node *x = &g->nodes[n];
	int span = x->max < 0 ? 3 : x->max - x->min;
	int times = x->min + (int)rnd(g, (unsigned)(span > 3 ? 3 : span) + 1);

	if ((x->kind == N_LEAF || x->kind == N_GROUP) && rnd(g, 12) == 0)
		times += rnd(g, 2) && times > 0 ? -1 : 1;
	for (int t = 0; t < times; t++) {
		switch (x->kind) {
		case N_LEAF:
			put(out, len, leaf_byte(g, x));
			break;
		case N_ANCHOR:
			if ((x->anchor == '$' || x->anchor == 'Z') && rnd(g, 3) == 0)
				put(out, len, '\n');
			break;
		case N_FLAG:
			break;
		case N_ALT:
			walk(g, x->kid[rnd(g, (unsigned)x->n_kid)], out, len);
			break;
		default: /* a group, a sequence */
			for (int k = 0; k < x->n_kid; k++)
				walk(g, x->kid[k], out, len);
			break;
		}
	}
}

/* A subject for the pattern of g: a walk of it, perhaps with a byte
 * changed, added or dropped, or (one in four) random bytes. */
static size_t subject_for(struct gen *g, int root, char *out)
{
	size_t len = 0;

	if (rnd(g, 4) == 0) {
		for (unsigned i = 0, n = rnd(g, 12); i < n; i++)
			put(out, &len, ALPHABET[rnd(g, N_ALPHABET)]);
		return len;
	}
	if (rnd(g, 4) == 0)
		put(out, &len, ALPHABET[rnd(g, N_ALPHABET)]);
	walk(g, root, out, &len);
	if (len && rnd(g, 3) == 0) {
		size_t at = rnd(g, (unsigned)len);

		switch (rnd(g, 3)) {
		case 0:
			out[at] = ALPHABET[rnd(g, N_ALPHABET)];
			break;
		case 1:
			memmove(out + at, out + at + 1, len - at - 1);
			len--;
			break;
		default:
			if (len < GEN_SUBJECT_MAX) {
				memmove(out + at + 1, out + at, len - at);
				out[at] = ALPHABET[rnd(g, N_ALPHABET)];
				len++;
			}
			break;
		}
	}
	if (rnd(g, 4) == 0)
		put(out, &len, ALPHABET[rnd(g, N_ALPHABET)]);
	return len;
}

/* A fresh pattern into g->pat; its root node, or -1 when it ran out of room. */
static int generate(struct gen *g)
{
	int root;

	g->n_nodes = 0;
	g->groups = 0;
	g->len = 0;
	g->full = false;
	g->pat[0] = '\0';
	root = gen_alt(g, 0);
	return g->full ? -1 : root;
}

#define RANDOM_PATTERNS 3000
#define SUBJECTS_PER_PATTERN 32

Test(rxlite, random_patterns_of_the_subset_answer_as_pcre2, .timeout = 240)
{
	static const uint32_t option_sets[] = {0, PCRE2_CASELESS, PCRE2_DOTALL,
					       PCRE2_CASELESS | PCRE2_DOTALL};
	struct gen g = {.s = 0x5eed0f7a17e5ULL};
	struct tally t = {0};
	size_t tries = 0, refused = 0, compiled = 0;

	for (int p = 0; p < RANDOM_PATTERNS;) {
		int root = generate(&g);
		char subjects[SUBJECTS_PER_PATTERN][GEN_SUBJECT_MAX];
		size_t lens[SUBJECTS_PER_PATTERN];

		if (root < 0)
			continue;
		p++;
		for (int i = 0; i < SUBJECTS_PER_PATTERN; i++)
			lens[i] = subject_for(&g, root, subjects[i]);
		for (size_t o = 0; o < sizeof(option_sets) / sizeof(option_sets[0]); o++) {
			struct both b;

			tries++;
			if (!both_compile(&b, g.pat, g.len, option_sets[o])) {
				refused++;
				continue;
			}
			compiled += b.rx != NULL;
			for (int i = 0; b.rx && i < SUBJECTS_PER_PATTERN; i++)
				compare(&b, subjects[i], lens[i], &t);
			both_free(&b);
		}
	}
	fprintf(stderr,
		"rxlite random: %zu pattern compiles, %zu refused by PCRE2, %zu taken by rxlite; "
		"%zu subjects, %zu matched, %zu declined, %zu PCRE2 errors, %zu mismatches\n",
		tries, refused, compiled, t.subjects, t.matched, t.declined, t.pcre2_errors, t.mismatches);
	cr_expect_lt(refused * 20, tries, "the generator writes what PCRE2 compiles");
	cr_expect_geq(compiled * 10, (tries - refused) * 7, "rxlite takes at least 70%% of them");
	cr_expect_gt(t.matched * 5, t.subjects, "a fifth or more of the subjects match");
	cr_expect_lt(t.declined * 100, t.subjects, "declines (the budgets) stay under 1%%");
	cr_expect_eq(t.mismatches, 0, "rxlite answered otherwise than PCRE2 (the first are above)");
}

/* ---- targeted cases -------------------------------------------------------- */

/* A pattern of the subset, its options, and subjects (NULL-ended) where
 * PCRE2's reading is worth pinning down. */
struct case_row {
	const char *why, *pattern;
	uint32_t opts;
	const char *subjects[6];
};

#define CI PCRE2_CASELESS
#define DA PCRE2_DOTALL

static const struct case_row corner_rows[] = {
    {"$ before a final newline", "abc$", 0, {"abc", "abc\n", "abc\n\n", "abcd", "xabc\n"}},
    {"$ with no text before it", "$", 0, {"", "\n", "a\n", "\n\n"}},
    {"^$ on an empty line", "^$", 0, {"", "\n", "\n\n", "a"}},
    {"\\Z before a final newline", "abc\\Z", 0, {"abc", "abc\n", "abc\n\n"}},
    {"\\z at the very end only", "abc\\z", 0, {"abc", "abc\n"}},
    {"\\A at the start only", "\\Aab", 0, {"ab", "xab", "\nab"}},
    {"$ under dotall", "a.$", DA, {"ab\n", "a\n", "a\n\n"}},
    {". not \\n", "a.c", 0, {"abc", "a\nc", "a c"}},
    {". any byte under dotall", "a.c", DA, {"abc", "a\nc"}},
    {"(?s) inline", "a(?s).c", 0, {"a\nc", "abc"}},
    {"(?-s) after dotall", "a(?-s).c", DA, {"a\nc", "abc"}},
    {"a negated class takes \\n", "a[^b]c", 0, {"a\nc", "abc", "aBc"}},
    {"\\D \\S \\W on \\n", "a\\Dc|x\\Wy|p\\S", 0, {"a\nc", "x\ny", "p\n", "pq"}},
    {"\\s takes \\n \\t \\r \\f and VT", "a\\sb", 0, {"a\nb", "a\tb", "a\rb", "a\fb", "a\vb", "a b"}},
    {"\\w is ASCII and _", "^\\w+$", 0, {"a_Z09", "a-b", "_"}},
    {"a caseless range", "[a-c]", CI, {"B", "d", "C"}},
    {"a caseless negated class", "[^a]", CI, {"A", "a", "b"}},
    {"a caseless upper range", "^[B-D]+$", CI, {"bcd", "BcD", "a"}},
    {"a range over letters and punctuation", "^[Z-a]+$", CI, {"Z[\\]^_`a", "z", "A", "b"}},
    {"caseless escapes in a class", "^[\\dA]+$", CI, {"a0A9", "b"}},
    {"\\b at both ends", "\\bab\\b", 0, {"ab", " ab ", "xab", "ab_", "-ab-"}},
    {"\\b between \\w and \\W", "a\\b-", 0, {"a-", "aa-"}},
    {"\\B inside a word", "a\\Bb", 0, {"ab", "a b"}},
    {"\\b and \\B on empty", "\\b", 0, {"", " ", "a"}},
    {"\\B on empty", "\\B", 0, {"", " ", "a"}},
    {"a capture set in an earlier turn", "(?:(a)|b)+", 0, {"ab", "ba", "bb"}},
    {"the last turn's capture", "(a|b)*", 0, {"abab", "", "c"}},
    {"an optional capture unset", "(a)?b", 0, {"b", "ab"}},
    {"a trailing unset group", "(a)|b", 0, {"b", "a"}},
    {"an inner unset group", "(a)|(b)", 0, {"b", "a"}},
    {"captures across turns", "(?:(a)|(b))+c", 0, {"abc", "bac", "ac"}},
    {"an optional group of optional items", "(a?)?b", 0, {"b", "ab"}},
    {"a lazy plus", "a+?", 0, {"aaa"}},
    {"a lazy count", "(a{2,3}?)", 0, {"aaaa", "a"}},
    {"a lazy count then the end", "(a{2,3}?)$", 0, {"aaaa", "aaa"}},
    {"a lazy star before a literal", "x(.*?)y", 0, {"xaybyc", "xy", "x\ny"}},
    {"a lazy optional", "(a?\?)a", 0, {"a", "aa"}},
    {"exactly three", "^a{3}$", 0, {"aa", "aaa", "aaaa"}},
    {"two or more", "^a{2,}$", 0, {"a", "aa", "aaaaaa"}},
    {"up to two", "^a{0,2}b", 0, {"b", "ab", "aab", "aaab"}},
    {"a counted group", "^(ab){2}$", 0, {"abab", "ab", "ababab"}},
    {"a counted group with a range", "(a|b){2,3}c", 0, {"abc", "babac", "ac"}},
    {"alternation priority", "(a|ab)(c|bcd)", 0, {"abcd", "abc"}},
    {"alternation priority, longer first", "(ab|a)(c|bcd)", 0, {"abcd"}},
    {"an empty alternative first", "(|a)b", 0, {"ab", "b"}},
    {"an empty alternative last", "(a|)b", 0, {"ab", "b"}},
    {"nested named groups", "(?<outer>x(?<inner>y|z)+)w", 0, {"xyzw", "xw", "xyw"}},
    {"named and numbered mixed", "(?<a>a)(b)(?<c>c)?", 0, {"ab", "abc"}},
    {"(?i) at the start", "(?i)abc", 0, {"ABC", "aBc"}},
    {"(?i) in the middle", "a(?i)b", 0, {"aB", "AB"}},
    {"(?i:...) scope", "(?i:a)b", 0, {"Ab", "AB"}},
    {"(?i:...) in the middle", "a(?i:b)c", 0, {"aBc", "aBC"}},
    {"(?-i) after (?i)", "(?i)a(?-i)b", 0, {"Ab", "AB"}},
    {"(?i) ends with its group", "(a(?i)b)c", 0, {"aBc", "aBC"}},
    {"(?i) carries into later branches", "x(?i)a|b", 0, {"B", "xA"}},
    {"(?-i) under caseless", "a(?-i)b", CI, {"Ab", "AB"}},
    {"escapes", "\\t\\n\\r\\f\\e\\a", 0, {"\t\n\r\f\x1b\a", "\t\n\r\f\x1b"}},
    {"escaped punctuation", "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\\\\\^\\$\\/\\-", 0,
     {".*+?()[]{}|\\^$/-", "a*+?()[]{}|\\^$/-"}},
    {"a class with escapes", "^[\\t\\n\\]\\\\]+$", 0, {"\t\n]\\", "a"}},
    {"backtracking into a star", "^(a*)(a)(b?)$", 0, {"aaa", "aab", "b"}},
    {"a greedy optional given back", "a?ab", 0, {"ab", "aab"}},
    {"the leftmost match, not the longest", "b|abc", 0, {"abc"}},
    {"a match past the start", "b+", 0, {"aabbbc"}},
};

/* Spellings of the subset's own things that rxlite may leave to PCRE2 (a
 * brace that is no quantifier, a ] first in a class); answered, they must
 * be answered right. */
static const struct case_row spelling_rows[] = {
    {"a literal brace", "a{b", 0, {"a{b", "ab"}},
    {"a literal brace after a count", "a{2}{", 0, {"aa{", "a{"}},
    {"a class with a literal ] and -", "^[]a-]+$", 0, {"]-a", "b"}},
};

/* ---- regexes operators write (bench/peers/gen.py --style written) ---------- */

static const struct case_row written_rows[] = {
    {"supp", "(?<alarm>(?:ALM|Alm)-?0042)\\s+(?:notice|NOTICE)\\s+(?:port|PORT)=(?<port>\\d+-\\d+-\\d+)", 0,
     {"ALM-0042 notice port=1-2-3", "Alm0042  NOTICE PORT=10-2-33 x", "ALM0042 Notice port=1-2-3",
      "alm-0042 notice port=1-2-3", "ALM-0042 notice port=1-2-"}},
    {"thr", "(?i)(?<alarm>alm-?0042) burst port=(?<port>\\d+-\\d+-\\d+)$", 0,
     {"ALM-0042 burst port=1-2-3", "Alm0042 BURST PORT=1-2-3\n", "alm-0042 burst port=1-2-3 x",
      "ALM-0042 burst port=1-2-3\n\n"}},
    {"raised", "(?<alarm>ALM0042)\\s(?:raised|set)\\s+port=(?<port>[0-9]+-[0-9]+-[0-9]+)", 0,
     {"ALM0042 raised port=1-2-3", "ALM0042 set   port=12-2-3", "ALM0042  raised port=1-2-3",
      "ALM0042\traised port=1-2-3"}},
    {"cleared", "(?<alarm>ALM0042)\\s(?:cleared|clear)\\s+port=(?<port>[0-9-]+)", 0,
     {"ALM0042 cleared port=1-2-3", "ALM0042 clear port=--", "ALM0042 cleared port="}},
};

/* ---- regexes of the shipped plans (rules/, rules/vendors/) ----------------- */

static const struct case_row plan_rows[] = {
    {"cisco link", "%LINK-3-UPDOWN: Interface (?<ifname>[^,]+), changed state to (?:up|down)", 0,
     {"%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
      "%LINK-3-UPDOWN: Interface , changed state to up"}},
    {"cisco lineproto", "^%(?:PKT_INFRA-)?LINEPROTO-5-UPDOWN ?: Line protocol on Interface "
		       "(?<ifname>[^,\\s]+), changed state to (?<state>up|down)\\b", CI,
     {"%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to DOWN",
      "%PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol on Interface Te0/0/0/1, changed state to up",
      "%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to downward"}},
    {"fiberhome", "LOC=(?<port>\\d+-\\d+-\\d+) ALMCODE=(?<alarm>R_LOS|R_LOF|OTU_LOF) SEVERITY=\\w+ STATE=RAISE",
     0, {"[ALARM] NE=FH-1 LOC=1-2-3 ALMCODE=R_LOF SEVERITY=MJ STATE=RAISE", "LOC=1-2-3 ALMCODE=R_LO SEVERITY=MJ STATE=RAISE"}},
    {"macflap", "MACFLAP_NOTIF: Host (?<mac>\\S+) in vlan (?<vlan>\\d+)", 0,
     {"%SW_MATM-4-MACFLAP_NOTIF: Host 0011.2233.4455 in vlan 10 is flapping", "MACFLAP_NOTIF: Host  in vlan 10"}},
    {"mains", "MAINS_FAIL_active|POWER_FAIL|input voltage abnormal", 0,
     {"x MAINS_FAIL_active", "Power module 1 input voltage abnormal", "MAINS_FAIL_clear"}},
    {"huawei ifname", "\\(ifName=(?<ifname>[^,\\s)]+),.*\\bOperStatus=(?<state>UP|DOWN)\\b", 0,
     {"IFNET/4/LINK_STATE(l): (ifName=GE0/0/1, AdminStatus=UP, OperStatus=DOWN)", "(ifName=GE0/0/1,OperStatus=DOWNX)"}},
    {"sdh words", "\\b(?<alarm>MS_AIS|MS_RDI|AU_AIS|TU_AIS|HP_UNEQ|APS_INDI|B2_EXC|IN_PWR_LOW|ETH_LOS|LINK_DOWN)\\b", 0,
     {"alarm MS_RDI raised", "xMS_RDI", "LINK_DOWN_2", "ETH_LOS"}},
    {"otn raised", "^(?<alarm>R_LOS|R_LOF|OTU_LOF|OCH_LOS_P) raised port=(?<port>\\d+(?:-\\d+){2,3})\\b", 0,
     {"R_LOS raised port=1-2-3", "OCH_LOS_P raised port=1-2-3-4-5", "R_LOF raised port=1-2", "OTU_LOF raised port=1-2-3x"}},
    {"battery", "^(?<alarm>BATTERY_DISCHARGE|BATTERY_UNDERVOLTAGE|POWER_FAIL)_active$", 0,
     {"POWER_FAIL_active", "BATTERY_UNDERVOLTAGE_active\n", "POWER_FAIL_active "}},
    {"nexus", "^(?:[^%]*CST: )?%ETHPORT-5-IF_(?:DOWN_\\w+|UP): Interface (?<ifname>\\S+) is (?<state>up|down)\\b", 0,
     {"2026 Nov 25 10:00:00 CST: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down",
      "%ETHPORT-5-IF_UP: Interface Ethernet1/2 is up", "%ETHPORT-5-IF_DOWN: Interface e1 is down"}},
    {"juniper", "^(?:RPD_)?BGP_NEIGHBOR_STATE_CHANGED: BGP peer \\S+ \\([^)]*\\) changed state from Established to \\w+"
		"|^RPD_OSPF_NBRDOWN: OSPF neighbor \\S+ \\([^)]*\\) state changed from \\w+ to Down\\b", 0,
     {"BGP_NEIGHBOR_STATE_CHANGED: BGP peer 10.0.0.1 (External AS 65001) changed state from Established to Idle",
      "RPD_OSPF_NBRDOWN: OSPF neighbor 10.0.0.2 (realm ospf-v2 ge-0/0/1.0 area 0.0.0.0) state changed from Full to Down",
      "RPD_OSPF_NBRDOWN: OSPF neighbor 10.0.0.2 () state changed from Full to Downer"}},
    {"cisco adjchange", "^(?:\\d{4} \\w{3} +\\d+ [\\d:.]+(?: \\w+)?: )?%(?:BGP-5-ADJCHANGE: +(?:bgp-\\S+ \\[\\d+\\] \\(\\S+\\) +)?"
			"neighbor \\S+ Down\\b|ROUTING-BGP-5-ADJCHANGE : neighbor \\S+ Down\\b)", 0,
     {"2026 Nov 25 10:00:00.123 UTC: %BGP-5-ADJCHANGE:  bgp-65000 [1] (default) neighbor 10.1.1.1 Down - peer closed",
      "%ROUTING-BGP-5-ADJCHANGE : neighbor 10.1.1.1 Down", "%BGP-5-ADJCHANGE: neighbor 10.1.1.1 Up"}},
    {"zte", "^An alarm \\d+ ID \\d+ level \\d+ occurred at .* %ENVMON% (?<alarm>BATTERY_DISCHARGE|BATTERY_UNDERVOLTAGE|"
	    "Power module \\S+ input voltage abnormal)", 0,
     {"An alarm 1 ID 22 level 3 occurred at 2026-11-25 10:00:00 %ENVMON% Power module 2 input voltage abnormal",
      "An alarm 1 ID 22 level 3 occurred at x %ENVMON% BATTERY_DISCHARGE", "An alarm 1 ID 22 level 3 cleared at x %ENVMON% BATTERY_DISCHARGE"}},
    {"link caseless", "^LINK (?<ifname>\\S+) (?:up|down|raise|clear)$", CI,
     {"link ge-0/0/1 DOWN", "LINK x clear\n", "LINK x cleared"}},
    {"trap", "^SNMP_TRAP_LINK_(?<state>UP|DOWN): ifIndex \\d+, .*\\bifName (?<ifname>[^\\s,]+)", 0,
     {"SNMP_TRAP_LINK_DOWN: ifIndex 513, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1",
      "SNMP_TRAP_LINK_UP: ifIndex 1, ifName"}},
    {"alarm line", "^\\[ALARM\\] NE=\\S+ LOC=(?<port>\\d+(?:-\\d+){2,3}) ALMCODE=(?<alarm>R_LOS|R_LOF|OTU_LOF|OCH_LOS_P) "
		   "SEVERITY=\\w+ STATE=CLEAR\\b", 0,
     {"[ALARM] NE=FH-7 LOC=1-2-3-4 ALMCODE=OCH_LOS_P SEVERITY=CR STATE=CLEAR", "[ALARM] NE=FH-7 LOC=1-2 ALMCODE=R_LOS SEVERITY=CR STATE=CLEAR"}},
};

/* Every subject of every row against PCRE2: rxlite must take the pattern
 * (all rows are of the subset) unless may_decline, and answer each
 * subject as PCRE2 does. */
static void check_rows(const struct case_row *rows, size_t n, bool may_decline)
{
	size_t bad = 0;

	for (size_t r = 0; r < n; r++) {
		struct both b;
		struct tally t = {0};

		cr_assert(both_compile(&b, rows[r].pattern, strlen(rows[r].pattern), rows[r].opts),
			  "%s: PCRE2 refuses /%s/", rows[r].why, rows[r].pattern);
		if (!b.rx && may_decline) {
			both_free(&b);
			continue;
		}
		if (!b.rx) {
			cr_expect_not_null(b.rx, "%s: rxlite declined /%s/ (%d)", rows[r].why, rows[r].pattern, b.rx_rc);
			bad++;
			both_free(&b);
			continue;
		}
		for (size_t i = 0; i < 6 && rows[r].subjects[i]; i++)
			compare(&b, rows[r].subjects[i], strlen(rows[r].subjects[i]), &t);
		cr_expect_eq(t.declined + t.pcre2_errors, 0, "%s: /%s/ declined a subject", rows[r].why,
			     rows[r].pattern);
		cr_expect_eq(t.mismatches, 0, "%s: /%s/ answered otherwise than PCRE2 (above)", rows[r].why,
			     rows[r].pattern);
		bad += t.mismatches + t.declined;
		both_free(&b);
	}
	cr_expect_eq(bad, 0);
}

Test(rxlite, corners_of_pcre2s_reading)
{
	check_rows(corner_rows, sizeof(corner_rows) / sizeof(corner_rows[0]), false);
	check_rows(spelling_rows, sizeof(spelling_rows) / sizeof(spelling_rows[0]), true);
}

Test(rxlite, regexes_operators_write)
{
	check_rows(written_rows, sizeof(written_rows) / sizeof(written_rows[0]), false);
}

Test(rxlite, regexes_of_the_shipped_plans)
{
	check_rows(plan_rows, sizeof(plan_rows) / sizeof(plan_rows[0]), false);
}

/* A few answers written out, so a wrong helper cannot hide behind PCRE2:
 * $ before a final newline, and the last turn's capture. */
Test(rxlite, answers_written_out)
{
	static const struct {
		const char *pattern, *subject;
		int rc;
		size_t ov[6];
	} rows[] = {
	    {"abc$", "abc\n", 1, {0, 3}},
	    {"(a|b)*", "abab", 2, {0, 4, 3, 4}},
	    {"(a)?b", "b", 1, {0, 1, PCRE2_UNSET, PCRE2_UNSET}},
	    {"(a)|(b)", "b", 3, {0, 1, PCRE2_UNSET, PCRE2_UNSET, 0, 1}},
	    {"(?:(a)|b)+", "ab", 2, {0, 2, 0, 1}},
	    {"(a|ab)(c|bcd)", "abcd", 3, {0, 4, 0, 1, 1, 4}},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct fl_rxlite *rx;
		size_t ov[OV_SLOTS];
		int rc;

		cr_assert_eq(fl_rxlite_compile(rows[r].pattern, strlen(rows[r].pattern), BASE_OPTS, &rx), 0,
			     "/%s/", rows[r].pattern);
		rc = fl_rxlite_match(rx, rows[r].subject, strlen(rows[r].subject), ov);
		cr_expect_eq(rc, rows[r].rc, "/%s/ rc %d", rows[r].pattern, rc);
		for (uint32_t i = 0; rc == rows[r].rc && i < 2 * (fl_rxlite_groups(rx) + 1); i++)
			cr_expect_eq(ov[i], rows[r].ov[i], "/%s/ ov[%u] = %zu", rows[r].pattern, i, ov[i]);
		fl_rxlite_free(rx);
	}
}

/* ---- what rxlite leaves to PCRE2 ------------------------------------------- */

static const struct {
	const char *why, *pattern;
	uint32_t opts;
} declined_rows[] = {
    {"a backreference", "(a)\\1", 0},
    {"a named backreference", "(?<n>a)\\k<n>", 0},
    {"a lookahead", "(?=a)a", 0},
    {"a negative lookahead", "a(?!b)", 0},
    {"a lookbehind", "(?<=a)b", 0},
    {"a negative lookbehind", "(?<!a)b", 0},
    {"an atomic group", "(?>a+)b", 0},
    {"a possessive plus", "a++b", 0},
    {"a possessive star", "a*+b", 0},
    {"a possessive count", "a{2}+", 0},
    {"a property", "\\p{L}", 0},
    {"a hex escape", "\\x41", 0},
    {"a hex escape in a class", "[\\x41-\\x43]", 0},
    {"an octal escape", "\\101", 0},
    {"a quoted run", "\\Q.*\\E", 0},
    {"an inline extended flag", "(?x)a b", 0},
    {"an inline multiline flag", "(?m)^a", 0},
    {"an inline ungreedy flag", "(?U)a+", 0},
    {"a non-ASCII literal", "caf\xc3\xa9", 0},
    {"a non-ASCII byte in a class", "[\xc3\xa9]", 0},
    {"a starred group that can match empty", "(a*)*", 0},
    {"a plussed group that can match empty", "(a?)+b", 0},
    {"a counted group that can match empty", "(?:a|){2}", 0},
    {"{,3}, a literal in PCRE2 10.42", "a{,3}", 0},
    {"\\v, a class in PCRE2", "a\\vb", 0},
    {"\\h", "a\\hb", 0},
    {"\\R", "a\\Rb", 0},
    {"\\N", "a\\Nb", 0},
    {"\\K", "a\\Kb", 0},
    {"\\G", "\\Ga", 0},
    {"a POSIX class", "[[:alpha:]]", 0},
    {"a branch reset", "(?|(a)|(b))", 0},
    {"a subroutine call", "(a)(?1)", 0},
    {"a conditional", "(a)?(?(1)b|c)", 0},
    {"a backtracking verb", "a(*SKIP)b", 0},
    {"the extended option", "a b", PCRE2_EXTENDED},
    {"the multiline option", "^a", PCRE2_MULTILINE},
    {"the ungreedy option", "a+", PCRE2_UNGREEDY},
};

Test(rxlite, declines_patterns_outside_the_subset)
{
	for (size_t r = 0; r < sizeof(declined_rows) / sizeof(declined_rows[0]); r++) {
		struct both b;

		cr_assert(both_compile(&b, declined_rows[r].pattern, strlen(declined_rows[r].pattern),
				       declined_rows[r].opts),
			  "%s: PCRE2 refuses /%s/", declined_rows[r].why, declined_rows[r].pattern);
		cr_expect_eq(b.rx_rc, -ENOTSUP, "%s: /%s/ gave %d, not -ENOTSUP", declined_rows[r].why,
			     declined_rows[r].pattern, b.rx_rc);
		both_free(&b);
	}
}

Test(rxlite, declines_more_groups_than_it_holds)
{
	char pat[8 * (FL_RXLITE_MAX_GROUPS + 2)];
	size_t len = 0;
	struct fl_rxlite *rx = NULL;

	for (int g = 0; g < FL_RXLITE_MAX_GROUPS; g++)
		len += (size_t)snprintf(pat + len, sizeof(pat) - len, "(a)");
	cr_assert_eq(fl_rxlite_compile(pat, len, BASE_OPTS, &rx), 0, "%d groups fit",
		     FL_RXLITE_MAX_GROUPS);
	cr_expect_eq(fl_rxlite_groups(rx), FL_RXLITE_MAX_GROUPS);
	fl_rxlite_free(rx);
	len += (size_t)snprintf(pat + len, sizeof(pat) - len, "(a)");
	cr_expect_eq(fl_rxlite_compile(pat, len, BASE_OPTS, &rx), -ENOTSUP, "%d groups do not",
		     FL_RXLITE_MAX_GROUPS + 1);
}

/* Above ASCII, rxlite answers valid UTF-8 as PCRE2 does under UTF (a
 * character, not a byte, for '.', negated classes and \D \S \W), and
 * declines what it must leave to PCRE2: invalid UTF-8, which PCRE2 reads as
 * barriers, and a caseless k or s, which PCRE2 also folds to K (U+212A)
 * and long s (U+017F). tests/unit/test_rxlite_utf8.c tries random ones. */
Test(rxlite, answers_utf8_subjects_and_declines_the_rest)
{
	static const char *const valid[] = {"caf\xc3\xa9 a", "\xc3\xa9", "\xe4\xb8\xad-\xf0\x9f\x98\x80" "b",
					    "a\xe2\x84\xaa\n", "\xc2\xa0 0"};
	static const char *const invalid[] = {"\x80", "a\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf"};
	static const char *const patterns[] = {"a", ".", "\\W", "[^b]", "(?s).*", "^.{2}", "(\\S+)\\s",
					       "\\b.\\b", "[^a]+?$", "(?i)A(.)"};
	struct tally t = {0};

	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		struct both b;
		size_t ov[OV_SLOTS];

		cr_assert(both_compile(&b, patterns[p], strlen(patterns[p]), 0));
		cr_assert_not_null(b.rx, "/%s/ is of the subset", patterns[p]);
		for (size_t s = 0; s < sizeof(valid) / sizeof(valid[0]); s++)
			cr_expect_neq(compare(&b, valid[s], strlen(valid[s]), &t), FL_RXLITE_DECLINED,
				      "/%s/ declined valid UTF-8 #%zu", patterns[p], s);
		for (size_t s = 0; s < sizeof(invalid) / sizeof(invalid[0]); s++)
			cr_expect_eq(fl_rxlite_match(b.rx, invalid[s], strlen(invalid[s]), ov),
				     FL_RXLITE_DECLINED, "/%s/ on invalid #%zu", patterns[p], s);
		both_free(&b);
	}
	cr_expect_eq(t.mismatches, 0, "an answer other than PCRE2's (above)");
	for (size_t p = 0; p < 4; p++) {
		static const char *const folds[] = {"k", "(?i:S)", "[j-l]", "[^s]"};
		struct both b;

		cr_assert(both_compile(&b, folds[p], strlen(folds[p]), PCRE2_CASELESS));
		cr_assert_not_null(b.rx);
		cr_expect_eq(compare(&b, "\xe2\x84\xaa \xc5\xbf", 6, &t), FL_RXLITE_DECLINED,
			     "/%s/i above ASCII is PCRE2's", folds[p]);
		cr_expect_neq(compare(&b, "ks", 2, &t), FL_RXLITE_DECLINED, "/%s/i on ASCII", folds[p]);
		both_free(&b);
	}
	cr_expect_eq(t.mismatches, 0);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Patterns whose backtracking explodes on a near match: rxlite gives up
 * within its budget (DECLINED) or gives PCRE2's answer, and either way
 * quickly. */
Test(rxlite, gives_up_on_catastrophic_backtracking_quickly)
{
	static const char *const patterns[] = {"(?:a|aa)+b", "^(?:a|aa)+$", "^(a+)+b", "^(\\w+\\s?)+$",
					       "(?:a*)?(?:a*)?(?:a*)?(?:a*)?b", "^(?:a|a)+c"};
	char subject[64];
	struct tally t = {0};

	memset(subject, 'a', 40);
	subject[40] = '!';
	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		struct timespec t0;
		struct both b;

		cr_assert(both_compile(&b, patterns[p], strlen(patterns[p]), 0));
		cr_assert_not_null(b.rx, "/%s/ is of the subset", patterns[p]);
		for (size_t len = 40; len <= 41; len++) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			compare(&b, subject, len, &t);
			cr_expect_lt(seconds_since(&t0), 5.0, "/%s/ on %zu bytes took %.1fs (PCRE2 too)",
				     patterns[p], len, seconds_since(&t0));
		}
		both_free(&b);
	}
	cr_expect_eq(t.mismatches, 0, "an answer other than PCRE2's, or than a decline (above)");
}
