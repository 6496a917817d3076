#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/ac.h"
#include "engine/lib/limits.h"

#define LIT(s, i, nc) {(s), sizeof(s) - 1, (i), (nc)}

static struct fl_ac *build(const struct fl_ac_literal *lits, size_t n)
{
	struct fl_ac *ac = NULL;

	cr_assert_eq(fl_ac_create(&ac, lits, n, 0), 0);
	return ac;
}

/* Scans text and returns its bitset word 0 (ids < 64 in these tests). */
static uint64_t scan_bits(const struct fl_ac *ac, const char *text, size_t *found)
{
	uint64_t seen[4] = {0};

	cr_assert_leq(fl_ac_bitset_words(ac), 4);
	*found = fl_ac_scan(ac, text, strlen(text), seen, NULL, NULL);
	return seen[0];
}

#define BIT(i) (UINT64_C(1) << (i))

Test(ac, finds_overlapping_literals)
{
	const struct fl_ac_literal lits[] = {LIT("he", 0, false), LIT("she", 1, false),
					     LIT("his", 2, false), LIT("hers", 3, false)};
	struct fl_ac *ac = build(lits, 4);
	size_t found;

	cr_expect_eq(scan_bits(ac, "ushers", &found), BIT(0) | BIT(1) | BIT(3));
	cr_expect_eq(found, 3);
	cr_expect_eq(scan_bits(ac, "ahishe", &found), BIT(0) | BIT(1) | BIT(2));
	cr_expect_eq(scan_bits(ac, "h e s", &found), 0);
	cr_expect_eq(found, 0);
	fl_ac_destroy(ac);
}

Test(ac, reports_a_literal_that_is_a_suffix_of_another)
{
	const struct fl_ac_literal lits[] = {LIT("R_LOS", 0, false), LIT("LOS", 1, false),
					     LIT("S", 2, false), LIT("ETH_LOS", 3, false)};
	struct fl_ac *ac = build(lits, 4);
	size_t found;

	cr_expect_eq(scan_bits(ac, "OSN: R_LOS port=1-1-3", &found),
		     BIT(0) | BIT(1) | BIT(2));
	cr_expect_eq(scan_bits(ac, "ETH_LOS", &found), BIT(1) | BIT(2) | BIT(3));
	cr_expect_eq(scan_bits(ac, "LOSS", &found), BIT(1) | BIT(2));
	fl_ac_destroy(ac);
}

Test(ac, folds_ascii_case_only_for_nocase_literals)
{
	const struct fl_ac_literal lits[] = {LIT("link down", 0, true), LIT("Los", 1, false),
					     LIT("los", 2, true), LIT("MS_AIS", 3, false)};
	struct fl_ac *ac = build(lits, 4);
	size_t found;

	cr_expect_eq(scan_bits(ac, "Interface LINK DOWN", &found), BIT(0));
	cr_expect_eq(scan_bits(ac, "R_LOS", &found), BIT(2), "Los keeps its case");
	cr_expect_eq(scan_bits(ac, "xLosx", &found), BIT(1) | BIT(2));
	cr_expect_eq(scan_bits(ac, "ms_ais MS_AIs", &found), 0);
	cr_expect_eq(scan_bits(ac, "ms_ais MS_AIS", &found), BIT(3));
	/* A case-kept literal confirmed later in the text than its folded
	 * twin first matched. */
	cr_expect_eq(scan_bits(ac, "LOS then Los", &found), BIT(1) | BIT(2));
	fl_ac_destroy(ac);
}

Test(ac, finds_nothing_in_empty_input_and_with_no_literals)
{
	const struct fl_ac_literal lits[] = {LIT("a", 0, false)};
	struct fl_ac *ac = build(lits, 1), *none = build(NULL, 0);
	uint64_t seen[1] = {0};

	cr_expect_eq(fl_ac_scan(ac, "", 0, seen, NULL, NULL), 0);
	cr_expect_eq(fl_ac_scan(none, "abc", 3, seen, NULL, NULL), 0);
	cr_expect_eq(seen[0], 0);
	fl_ac_destroy(ac);
	fl_ac_destroy(none);
}

Test(ac, matches_utf8_bytes_exactly)
{
	const struct fl_ac_literal lits[] = {LIT("光缆中断", 0, true), LIT("中", 1, false),
					     LIT("\xff\x00x", 2, false)};
	struct fl_ac *ac = build(lits, 3);
	uint64_t seen[1] = {0};
	size_t found;

	cr_expect_eq(scan_bits(ac, "告警: 光缆中断 HC-N07", &found), BIT(0) | BIT(1));
	cr_expect_eq(scan_bits(ac, "光缆中", &found), BIT(1));
	/* 0xe4 0xb8 0xad is 中; the same bytes shifted by case must not match. */
	cr_expect_eq(scan_bits(ac, "\xc4\xb8\xad", &found), 0);
	cr_expect_eq(fl_ac_scan(ac, "a\xff\x00xb", 5, seen, NULL, NULL), 1, "NUL is a byte");
	cr_expect_eq(seen[0], BIT(2));
	fl_ac_destroy(ac);
}

struct calls {
	uint32_t ids[16];
	size_t n, stop_after;
};

static bool on_match(uint32_t id, void *ctx)
{
	struct calls *c = ctx;

	cr_assert_lt(c->n, 16);
	c->ids[c->n++] = id;
	return c->n != c->stop_after;
}

Test(ac, reports_each_id_once_in_the_order_found)
{
	const struct fl_ac_literal lits[] = {LIT("R_LOS", 7, false), LIT("ETH_LOS", 7, false),
					     LIT("port", 100, false), LIT("down", 3, true)};
	struct fl_ac *ac = build(lits, 4);
	const char *msg = "port 1 ETH_LOS, port 2 R_LOS, link DOWN, port 3 R_LOS";
	uint64_t *seen = calloc(fl_ac_bitset_words(ac), sizeof(uint64_t));
	struct calls c = {0};

	cr_assert_eq(fl_ac_bitset_words(ac), 2);
	cr_expect_eq(fl_ac_scan(ac, msg, strlen(msg), seen, on_match, &c), 3);
	cr_assert_eq(c.n, 3);
	cr_expect_eq(c.ids[0], 100);
	cr_expect_eq(c.ids[1], 7);
	cr_expect_eq(c.ids[2], 3);
	cr_expect_eq(seen[1], BIT(100 - 64));
	/* Already seen: a second piece of the same message reports nothing new. */
	cr_expect_eq(fl_ac_scan(ac, "R_LOS port", 10, seen, on_match, &c), 0);
	cr_expect_eq(c.n, 3);
	free(seen);
	fl_ac_destroy(ac);
}

Test(ac, stops_when_the_callback_asks)
{
	const struct fl_ac_literal lits[] = {LIT("a", 0, false), LIT("b", 1, false),
					     LIT("c", 2, false)};
	struct fl_ac *ac = build(lits, 3);
	uint64_t seen[1] = {0};
	struct calls c = {.stop_after = 2};

	cr_expect_eq(fl_ac_scan(ac, "abc", 3, seen, on_match, &c), 2);
	cr_expect_eq(seen[0], BIT(0) | BIT(1));
	fl_ac_destroy(ac);
}

Test(ac, rejects_empty_literals_and_ids_out_of_range)
{
	struct fl_ac *ac = NULL;
	const struct fl_ac_literal empty[] = {{"", 0, 1, false}};
	const struct fl_ac_literal big[] = {{"x", 1, FL_AC_MAX_PATTERN_ID + 1, false}};

	cr_expect_eq(fl_ac_create(&ac, empty, 1, 0), -EINVAL);
	cr_expect_eq(fl_ac_create(&ac, big, 1, 0), -EINVAL);
	cr_expect_null(ac);
	fl_ac_destroy(NULL);
}

Test(ac, refuses_a_build_past_its_memory_cap)
{
	struct fl_ac_literal *lits = calloc(1000, sizeof(*lits));
	char *text = malloc(1000 * 12);
	struct fl_ac *ac = NULL;
	struct fl_ac_stats st;

	cr_assert(lits && text);
	for (int i = 0; i < 1000; i++) {
		snprintf(text + i * 12, 12, "ALARM_%05d", i);
		lits[i] = (struct fl_ac_literal){text + i * 12, 11, (uint32_t)i, false};
	}
	cr_expect_eq(fl_ac_create(&ac, lits, 1000, 64 * 1024), -E2BIG);
	cr_expect_null(ac);
	cr_assert_eq(fl_ac_create(&ac, lits, 1000, 0), 0);
	fl_ac_stats(ac, &st);
	cr_expect_eq(st.literals, 1000);
	/* Shared prefixes share states: "ALARM_" once, then the digits. */
	cr_expect_eq(st.states, 1 + 6 + 1 + 1 + 10 + 100 + 1000); /* "ALARM_00ddd" */
	cr_expect_gt(st.bytes, 64 * 1024);
	cr_expect_eq(fl_ac_scan(ac, "x ALARM_00999 y", 15, (uint64_t[16]){0}, NULL, NULL), 1);
	fl_ac_destroy(ac);
	free(lits);
	free(text);
}

/* Randomized comparison with a naive search over every literal. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned char fold(unsigned char b)
{
	return (b >= 'A' && b <= 'Z') ? (unsigned char)(b + 32) : b;
}

static bool naive_has(const unsigned char *text, size_t n, const struct fl_ac_literal *l)
{
	const unsigned char *p = l->bytes;

	for (size_t i = 0; i + l->len <= n; i++) {
		size_t k = 0;

		while (k < l->len && (l->is_nocase ? fold(text[i + k]) == fold(p[k])
						   : text[i + k] == p[k]))
			k++;
		if (k == l->len)
			return true;
	}
	return false;
}

Test(ac, agrees_with_naive_search_on_random_literals_and_texts, .timeout = 60)
{
	static const unsigned char alphabet[] = "abAB_x\xe6\xb2\x00";
	uint64_t seed = 7;

	for (int round = 0; round < 400; round++) {
		struct fl_ac_literal lits[40];
		unsigned char bytes[40][8], text[300];
		size_t n = 1 + rng_next(&seed) % 40;
		struct fl_ac *ac;

		for (size_t i = 0; i < n; i++) {
			size_t len = 1 + rng_next(&seed) % 6;

			for (size_t k = 0; k < len; k++)
				bytes[i][k] = alphabet[rng_next(&seed) % (sizeof(alphabet) - 1)];
			lits[i] = (struct fl_ac_literal){bytes[i], len,
							 (uint32_t)(rng_next(&seed) % 70),
							 rng_next(&seed) % 2 == 0};
		}
		ac = build(lits, n);
		for (int t = 0; t < 20; t++) {
			size_t len = rng_next(&seed) % sizeof(text), got, want = 0;
			uint64_t seen[2] = {0}, expect[2] = {0};

			for (size_t k = 0; k < len; k++)
				text[k] = alphabet[rng_next(&seed) % (sizeof(alphabet) - 1)];
			for (size_t i = 0; i < n; i++)
				if (naive_has(text, len, &lits[i]))
					expect[lits[i].id / 64] |= UINT64_C(1) << (lits[i].id % 64);
			want = (size_t)__builtin_popcountll(expect[0]) +
			       (size_t)__builtin_popcountll(expect[1]);
			got = fl_ac_scan(ac, text, len, seen, NULL, NULL);
			cr_assert_eq(seen[0], expect[0], "round %d text %d", round, t);
			cr_assert_eq(seen[1], expect[1], "round %d text %d", round, t);
			cr_assert_eq(got, want);
		}
		fl_ac_destroy(ac);
	}
}

/* Literals of 8 to 20 bytes over a, A, b, B, keeping their case or not,
 * and texts holding each of them planted with its letters' case flipped at
 * random: a literal that keeps its case is found only as written, which
 * the report confirms on 8-byte words up to 16 bytes and with memcmp()
 * past them. */
Test(ac, confirms_the_case_of_literals_of_8_to_20_bytes, .timeout = 60)
{
	static const unsigned char alphabet[] = "aAbB";
	uint64_t seed = 17;

	for (int round = 0; round < 300; round++) {
		struct fl_ac_literal lits[8];
		unsigned char bytes[8][20], text[120];
		size_t n = 1 + rng_next(&seed) % 8;
		struct fl_ac *ac;

		for (size_t i = 0; i < n; i++) {
			size_t len = 8 + rng_next(&seed) % 13;

			for (size_t k = 0; k < len; k++)
				bytes[i][k] = alphabet[rng_next(&seed) % 4];
			lits[i] = (struct fl_ac_literal){bytes[i], len, (uint32_t)i,
							 rng_next(&seed) % 2 == 0};
		}
		ac = build(lits, n);
		for (int t = 0; t < 20; t++) {
			size_t len = 40 + rng_next(&seed) % 80, at;
			const struct fl_ac_literal *l = &lits[rng_next(&seed) % n];
			uint64_t seen[1] = {0}, expect[1] = {0};

			for (size_t k = 0; k < len; k++)
				text[k] = alphabet[rng_next(&seed) % 4];
			at = rng_next(&seed) % (len - l->len + 1);
			for (size_t k = 0; k < l->len; k++) {
				unsigned char c = ((const unsigned char *)l->bytes)[k];

				text[at + k] = rng_next(&seed) % 4 == 0 ? (unsigned char)(c ^ 0x20) : c;
			}
			for (size_t i = 0; i < n; i++)
				if (naive_has(text, len, &lits[i]))
					expect[0] |= UINT64_C(1) << lits[i].id;
			(void)fl_ac_scan(ac, text, len, seen, NULL, NULL);
			cr_assert_eq(seen[0], expect[0], "round %d text %d", round, t);
		}
		fl_ac_destroy(ac);
	}
}

/* n random literals of 6..11 bytes over a..t, and texts of a..f (many
 * partial hits) with a literal planted in every other one: the automaton
 * finds what a naive search finds. Returns its states. */
static size_t check_big_against_naive(size_t n, uint64_t seed)
{
	static const unsigned char alphabet[] = "abcdefghijklmnopqrst";
	unsigned char(*bytes)[12] = calloc(n, sizeof(*bytes));
	struct fl_ac_literal *lits = calloc(n, sizeof(*lits));
	size_t words = n / 64 + 1;
	uint64_t *seen = calloc(words, sizeof(*seen)), *expect = calloc(words, sizeof(*expect));
	struct fl_ac_stats st;
	struct fl_ac *ac;

	cr_assert(bytes && lits && seen && expect);
	for (size_t i = 0; i < n; i++) {
		size_t len = 6 + rng_next(&seed) % 6;

		for (size_t k = 0; k < len; k++)
			bytes[i][k] = alphabet[rng_next(&seed) % (sizeof(alphabet) - 1)];
		lits[i] = (struct fl_ac_literal){bytes[i], len, (uint32_t)i, false};
	}
	ac = build(lits, n);
	fl_ac_stats(ac, &st);
	for (int t = 0; t < 40; t++) {
		unsigned char text[400];
		size_t len = rng_next(&seed) % sizeof(text);

		memset(seen, 0, words * sizeof(*seen));
		memset(expect, 0, words * sizeof(*expect));
		for (size_t k = 0; k < len; k++)
			text[k] = alphabet[rng_next(&seed) % 6];
		if (t % 2 && len > 12)
			memcpy(text + len / 2, bytes[t], lits[t].len < len / 2 ? lits[t].len : 0);
		for (size_t i = 0; i < n; i++)
			if (naive_has(text, len, &lits[i]))
				expect[i / 64] |= UINT64_C(1) << (i % 64);
		(void)fl_ac_scan(ac, text, len, seen, NULL, NULL);
		cr_assert_arr_eq(seen, expect, words * sizeof(*seen), "text %d", t);
	}
	fl_ac_destroy(ac);
	free(bytes);
	free(lits);
	free(seen);
	free(expect);
	return st.states;
}

/* Three table layouts, by size: row offsets in 16 bits (the random test
 * above), state numbers in 16 bits (offsets past 16 bits, up to 65,536
 * states), row offsets in 32 bits (more states). All find the same. */
Test(ac, agrees_with_naive_search_when_its_table_holds_16_bit_state_numbers, .timeout = 60)
{
	size_t states = check_big_against_naive(3000, 11);

	cr_expect_gt((states - 1) * 20, 65535, "%zu states", states);
	cr_expect_leq(states, 65536, "%zu states", states);
}

Test(ac, agrees_with_naive_search_when_its_table_needs_32_bit_entries, .timeout = 120)
{
	cr_expect_gt(check_big_against_naive(12000, 13), 65536);
}
