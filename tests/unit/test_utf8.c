/* engine/lib/utf8: the one decoder, width table and "did you mean". */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/utf8.h"

struct decode_row {
	const char *name, *in;
	size_t len, used;
	uint32_t cp;
};

static const struct decode_row decode_rows[] = {
	{"ascii", "A", 1, 1, 'A'},
	{"two bytes", "\xc3\xa9", 2, 2, 0xE9},
	{"three bytes (CJK)", "\xe5\x85\x89", 3, 3, 0x5149},
	{"four bytes (emoji)", "\xf0\x9f\x98\x80", 4, 4, 0x1F600},
	{"largest code point", "\xf4\x8f\xbf\xbf", 4, 4, 0x10FFFF},
	{"overlong slash (C0 AF)", "\xc0\xaf", 2, 1, FL_UTF8_REPLACEMENT},
	{"overlong three bytes", "\xe0\x80\xaf", 3, 1, FL_UTF8_REPLACEMENT},
	{"overlong four bytes", "\xf0\x80\x80\xaf", 4, 1, FL_UTF8_REPLACEMENT},
	{"high surrogate", "\xed\xa0\x80", 3, 1, FL_UTF8_REPLACEMENT},
	{"low surrogate", "\xed\xbf\xbf", 3, 1, FL_UTF8_REPLACEMENT},
	{"above U+10FFFF (F4 90)", "\xf4\x90\x80\x80", 4, 1, FL_UTF8_REPLACEMENT},
	{"lead F5", "\xf5\x80\x80\x80", 4, 1, FL_UTF8_REPLACEMENT},
	{"truncated three bytes", "\xe5\x85", 2, 1, FL_UTF8_REPLACEMENT},
	{"truncated four bytes", "\xf0\x9f\x98", 3, 1, FL_UTF8_REPLACEMENT},
	{"lead then ascii", "\xe5" "A", 2, 1, FL_UTF8_REPLACEMENT},
	{"stray continuation", "\x80", 1, 1, FL_UTF8_REPLACEMENT},
	{"FF", "\xff", 1, 1, FL_UTF8_REPLACEMENT},
};

Test(utf8, decodes_every_row_of_the_table)
{
	for (size_t i = 0; i < sizeof(decode_rows) / sizeof(decode_rows[0]); i++) {
		const struct decode_row *r = &decode_rows[i];
		uint32_t cp = 0;
		size_t used = fl_utf8_next(r->in, r->len, &cp);

		cr_expect_eq(used, r->used, "row %s: used %zu", r->name, used);
		cr_expect_eq(cp, r->cp, "row %s: U+%04X", r->name, (unsigned)cp);
	}
}

Test(utf8, never_reads_past_the_length_it_is_given)
{
	uint32_t cp;

	/* a valid sequence in memory, but only one byte of it is ours */
	cr_expect_eq(fl_utf8_next("\xe5\x85\x89", 1, &cp), 1);
	cr_expect_eq(cp, FL_UTF8_REPLACEMENT);
}

/* fl_utf8_valid() takes ASCII eight bytes at a time: each row of the table
 * placed at every offset of an ASCII text, across the steps' edges, is
 * judged as the row alone is, and a cut the length makes is seen. */
Test(utf8, validates_a_sequence_at_any_offset_of_ascii_text)
{
	char buf[64];

	for (size_t i = 0; i < sizeof(decode_rows) / sizeof(decode_rows[0]); i++) {
		const struct decode_row *r = &decode_rows[i];
		bool want = r->cp != FL_UTF8_REPLACEMENT && r->used == r->len;

		for (size_t at = 0; at <= 20; at++) {
			for (size_t tail = 0; tail <= 9; tail += 9) {
				size_t len = at + r->len + tail;

				memset(buf, 'a', sizeof(buf));
				memcpy(buf + at, r->in, r->len);
				cr_expect_eq(fl_utf8_valid(buf, len), want, "row %s at %zu, tail %zu",
					     r->name, at, tail);
			}
		}
	}
	memset(buf, 'a', sizeof(buf));
	memcpy(buf + 14, "\xe5\x85\x89", 3);
	cr_expect(fl_utf8_valid(buf, 17));
	cr_expect_not(fl_utf8_valid(buf, 16), "the length cuts the sequence");
	cr_expect(fl_utf8_valid(buf, 14));
	cr_expect(fl_utf8_valid(buf, 0));
}

Test(utf8, gives_cjk_and_emoji_two_columns)
{
	cr_expect_eq(fl_utf8_cp_width(0x5149), 2); /* 光 */
	cr_expect_eq(fl_utf8_cp_width(0xAC00), 2); /* 가 */
	cr_expect_eq(fl_utf8_cp_width(0xFF01), 2); /* fullwidth ! */
	cr_expect_eq(fl_utf8_cp_width(0x20000), 2); /* Extension B */
	cr_expect_eq(fl_utf8_cp_width(0x1F600), 2); /* 😀 */
	cr_expect_eq(fl_utf8_cp_width(0x1F680), 2); /* 🚀 */
	cr_expect_eq(fl_utf8_cp_width(0x26A1), 2);  /* ⚡ */
	cr_expect_eq(fl_utf8_width("光缆中断", strlen("光缆中断")), 8);
	cr_expect_eq(fl_utf8_width("LOS 😀", strlen("LOS 😀")), 6);
}

Test(utf8, gives_combining_marks_no_column)
{
	cr_expect_eq(fl_utf8_cp_width(0x0301), 0); /* combining acute */
	cr_expect_eq(fl_utf8_cp_width(0x200D), 0); /* zero width joiner */
	cr_expect_eq(fl_utf8_cp_width(0xFE0F), 0); /* emoji variation selector */
	cr_expect_eq(fl_utf8_cp_width(0x3099), 0); /* inside the kana block */
	cr_expect_eq(fl_utf8_width("e\xcc\x81", 3), 1);
}

Test(utf8, gives_ascii_latin_and_invalid_bytes_one_column)
{
	cr_expect_eq(fl_utf8_cp_width('a'), 1);
	cr_expect_eq(fl_utf8_cp_width('\t'), 1);
	cr_expect_eq(fl_utf8_cp_width(0xE9), 1);
	cr_expect_eq(fl_utf8_cp_width(0x303F), 1); /* just past the wide block */
	cr_expect_eq(fl_utf8_width("HC-YZ", 5), 5);
	cr_expect_eq(fl_utf8_width("\xff\xfe", 2), 2);
	cr_expect_eq(fl_utf8_width("", 0), 0);
}

Test(utf8, measures_edit_distance_in_code_points)
{
	cr_expect_eq(fl_utf8_distance("urgnet", 6, "urgent", 6, 2), 2);
	cr_expect_eq(fl_utf8_distance("--max-key", 9, "--max-keys", 10, 2), 1);
	cr_expect_eq(fl_utf8_distance("abc", 3, "abc", 3, 2), 0);
	cr_expect_eq(fl_utf8_distance("光缆", strlen("光缆"), "光纤", strlen("光纤"), 2), 1,
		     "one character, three bytes: one edit");
	cr_expect_eq(fl_utf8_distance("abcdef", 6, "uvwxyz", 6, 2), SIZE_MAX, "past max");
	cr_expect_eq(fl_utf8_distance("a", 1, "abcd", 4, 2), SIZE_MAX, "lengths too far apart");
}

Test(utf8, suggests_the_nearest_name_or_none)
{
	const char *const names[] = {"critical", "urgent", "severe", "general"};

	cr_expect_str_eq(fl_utf8_suggest("urgnet", names, 4), "urgent");
	cr_expect_str_eq(fl_utf8_suggest("genreal", names, 4), "general");
	cr_expect_null(fl_utf8_suggest("minor", names, 4));
	cr_expect_null(fl_utf8_suggest("urgent", names, 4), "an exact match is no hint");
	cr_expect_null(fl_utf8_suggest("ab", (const char *const[]){"xy"}, 1),
		       "two edits in two characters is no hint");
	cr_expect_str_eq(fl_utf8_suggest("tickts", (const char *const[]){"test", "tickets"}, 2),
			 "tickets");
	cr_expect_str_eq(fl_utf8_suggest("aa", (const char *const[]){"ab", "ac"}, 2), "ab",
			 "ties go to the earliest");
	cr_expect_null(fl_utf8_suggest("x", (const char *const[]){NULL}, 1));
	/* another case first, however many letters it changes: SMS is sms */
	cr_expect_str_eq(fl_utf8_suggest("SMS", (const char *const[]){"sm", "sms"}, 2), "sms");
	cr_expect_str_eq(fl_utf8_suggest("URGENT", names, 4), "urgent");
}

Test(utf8, encodes_what_it_decodes_and_refuses_what_has_no_encoding)
{
	static const uint32_t edges[] = {0x1, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd,
					 0xffff, 0x10000, 0x10ffff};

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		char b[4];
		uint32_t cp = 0;
		size_t n = fl_utf8_encode(edges[i], b);

		cr_assert(n >= 1 && n <= 4, "U+%04X: %zu bytes", edges[i], n);
		cr_expect_eq(fl_utf8_seq_len(b, n), n, "U+%04X", edges[i]);
		cr_expect_eq(fl_utf8_next(b, n, &cp), n, "U+%04X", edges[i]);
		cr_expect_eq(cp, edges[i]);
	}
	for (uint32_t cp = 0xd800; cp <= 0xdfff; cp += 0x100) {
		char b[4];

		cr_expect_eq(fl_utf8_encode(cp, b), 0, "surrogate U+%04X", cp);
	}
	{
		char b[4];

		cr_expect_eq(fl_utf8_encode(0x110000, b), 0);
		cr_expect_eq(fl_utf8_encode(0xdfff, b), 0);
	}
}
