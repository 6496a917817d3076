#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/notify/ucs2.h"

static void expect_plan(const char *text, enum fl_sms_coding coding, size_t units, size_t parts)
{
	struct fl_sms_plan p;

	fl_sms_plan(text, strlen(text), &p);
	cr_expect_eq(p.coding, coding, "coding of '%s'", text);
	cr_expect_eq(p.units, units, "units of '%s': %zu", text, p.units);
	cr_expect_eq(p.parts, parts, "parts of '%s': %zu", text, p.parts);
}

static char *repeat(char *dst, const char *s, int n)
{
	dst[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(dst, s);
	return dst;
}

Test(sms_format, encodes_chinese_as_ucs2_big_endian)
{
	struct fl_buf b;

	fl_buf_init(&b, 256);
	cr_assert_eq(fl_ucs2_encode(&b, "光缆A", strlen("光缆A")), 0);
	cr_assert_eq(b.len, 6);
	cr_expect_eq(memcmp(b.p, "\x51\x49\x7f\x06\x00\x41", 6), 0);
	fl_buf_free(&b);
}

Test(sms_format, encodes_a_character_outside_the_bmp_as_a_surrogate_pair)
{
	struct fl_buf b;

	/* U+20BB7 (CJK Extension B) -> D842 DFB7 (RFC 2781 §2.1). */
	fl_buf_init(&b, 256);
	cr_assert_eq(fl_ucs2_encode(&b, "\xf0\xa0\xae\xb7", 4), 0);
	cr_assert_eq(b.len, 4);
	cr_expect_eq(memcmp(b.p, "\xd8\x42\xdf\xb7", 4), 0);
	fl_buf_free(&b);
}

Test(sms_format, replaces_invalid_utf8_with_u_fffd)
{
	struct fl_buf b;

	fl_buf_init(&b, 256);
	cr_assert_eq(fl_ucs2_encode(&b, "\xe5\x85", 2), 0); /* truncated sequence */
	cr_assert_eq(b.len, 4);
	cr_expect_eq(memcmp(b.p, "\xff\xfd\xff\xfd", 4), 0);
	fl_buf_free(&b);
}

Test(sms_format, plans_segments_at_the_gsm7_and_ucs2_boundaries)
{
	char text[2048];

	expect_plan("", FL_SMS_GSM7, 0, 1);
	expect_plan(repeat(text, "a", 160), FL_SMS_GSM7, 160, 1);
	expect_plan(repeat(text, "a", 161), FL_SMS_GSM7, 161, 2);
	expect_plan(repeat(text, "a", 306), FL_SMS_GSM7, 306, 2);
	expect_plan(repeat(text, "a", 307), FL_SMS_GSM7, 307, 3);
	expect_plan(repeat(text, "中", 70), FL_SMS_UCS2, 70, 1);
	expect_plan(repeat(text, "中", 71), FL_SMS_UCS2, 71, 2);
	expect_plan(repeat(text, "中", 134), FL_SMS_UCS2, 134, 2);
	expect_plan(repeat(text, "中", 135), FL_SMS_UCS2, 135, 3);
}

Test(sms_format, counts_gsm7_extension_characters_as_two_septets)
{
	char text[512];

	expect_plan("{x}", FL_SMS_GSM7, 5, 1);
	/* 80 braces = 160 septets: one message; one more character: two. */
	expect_plan(repeat(text, "{", 80), FL_SMS_GSM7, 160, 1);
	strcat(text, "a");
	expect_plan(text, FL_SMS_GSM7, 161, 2);
}

Test(sms_format, switches_to_ucs2_for_one_character_outside_gsm7)
{
	char text[512];

	repeat(text, "a", 100);
	strcat(text, "`");
	expect_plan(text, FL_SMS_UCS2, 101, 2);
	expect_plan("caf\xc3\xa9", FL_SMS_UCS2, 4, 1);
}

Test(sms_format, never_splits_a_surrogate_pair_across_parts)
{
	char text[512];

	/* 66 units, a pair, 66 units: 134 units fill two parts of 67 only if
	 * the pair straddles them (units 67 and 68). It moves whole to part
	 * two instead, which then overflows into a third. */
	repeat(text, "中", 66);
	strcat(text, "\xf0\xa0\xae\xb7");
	for (int i = 0; i < 66; i++)
		strcat(text, "中");
	expect_plan(text, FL_SMS_UCS2, 134, 3);
	/* A pair alone counts two units. */
	expect_plan("\xf0\x9f\x93\x9e", FL_SMS_UCS2, 2, 1);
}

Test(sms_format, passes_text_that_fits_unchanged_except_controls)
{
	struct fl_buf b;
	bool cut;

	fl_buf_init(&b, 4096);
	cr_assert_eq(
	    fl_sms_prepare(&b, "LOS\tNN\r\n中断\x1b", strlen("LOS\tNN\r\n中断\x1b"), 1, &cut), 0);
	cr_expect(!cut);
	cr_expect_str_eq(b.p, "LOS NN \n中断 ");
	fl_buf_free(&b);
}

Test(sms_format, cuts_long_chinese_text_to_max_parts_with_an_ellipsis)
{
	char text[4096];
	struct fl_sms_plan p;
	struct fl_buf b;
	bool cut;

	fl_buf_init(&b, 8192);
	repeat(text, "中", 300);
	cr_assert_eq(fl_sms_prepare(&b, text, strlen(text), 2, &cut), 0);
	cr_expect(cut);
	fl_sms_plan(b.p, b.len, &p);
	cr_expect_eq(p.parts, 2);
	cr_expect_eq(p.units, 134);
	cr_expect_str_eq(b.p + b.len - 3, "\xe2\x80\xa6");
	fl_buf_reset(&b);
	cr_assert_eq(fl_sms_prepare(&b, text, strlen(text), 1, &cut), 0);
	fl_sms_plan(b.p, b.len, &p);
	cr_expect_eq(p.parts, 1);
	cr_expect_eq(p.units, 70);
	fl_buf_free(&b);
}

Test(sms_format, cuts_before_a_surrogate_pair_that_does_not_fit)
{
	char text[512];
	struct fl_sms_plan p;
	struct fl_buf b;
	bool cut;

	/* 68 characters then a pair: in one message of 70 units the pair
	 * (units 69-70) would leave no room for the ellipsis; it is dropped
	 * whole, never halved. */
	repeat(text, "中", 68);
	strcat(text, "\xf0\xa0\xae\xb7");
	strcat(text, "尾");
	fl_buf_init(&b, 4096);
	cr_assert_eq(fl_sms_prepare(&b, text, strlen(text), 1, &cut), 0);
	cr_expect(cut);
	cr_expect_null(strstr(b.p, "\xf0\xa0\xae\xb7"));
	fl_sms_plan(b.p, b.len, &p);
	cr_expect_eq(p.units, 69);
	cr_expect_eq(p.parts, 1);
	fl_buf_free(&b);
}

Test(sms_format, cuts_ascii_with_three_dots)
{
	char text[1024];
	struct fl_sms_plan p;
	struct fl_buf b;
	bool cut;

	repeat(text, "a", 400);
	fl_buf_init(&b, 4096);
	cr_assert_eq(fl_sms_prepare(&b, text, strlen(text), 2, &cut), 0);
	cr_expect(cut);
	fl_sms_plan(b.p, b.len, &p);
	cr_expect_eq(p.coding, FL_SMS_GSM7);
	cr_expect_eq(p.units, 306);
	cr_expect_str_eq(b.p + b.len - 3, "...");
	cr_expect_eq(fl_sms_prepare(&b, text, 1, 0, &cut), -EINVAL);
	fl_buf_free(&b);
}

Test(sms_format, pads_so_a_gateway_cut_every_67_units_never_halves_a_pair)
{
	char text[2048];
	struct fl_buf b, u;
	bool cut;

	/* 66 characters, a pair at units 67-68, more text: the gateway's cut
	 * after unit 67 would separate D842 from DFB7. */
	repeat(text, "中", 66);
	strcat(text, "\xf0\xa0\xae\xb7");
	for (int i = 0; i < 40; i++)
		strcat(text, "文");
	fl_buf_init(&b, 8192);
	fl_buf_init(&u, 8192);
	cr_assert_eq(fl_sms_prepare(&b, text, strlen(text), 4, &cut), 0);
	cr_expect(!cut);
	cr_assert_eq(fl_ucs2_encode(&u, b.p, b.len), 0);
	for (size_t unit = FL_SMS_UCS2_PART; unit * 2 < u.len; unit += FL_SMS_UCS2_PART) {
		unsigned char hi = (unsigned char)u.p[(unit - 1) * 2];

		cr_expect(hi < 0xD8 || hi > 0xDB, "unit %zu ends a part with a high surrogate",
		          unit);
	}
	/* The padding is U+200B right before the pair; nothing else changed. */
	cr_expect_not_null(strstr(b.p, "\xe2\x80\x8b\xf0\xa0\xae\xb7"));
	cr_expect_eq(b.len, strlen(text) + 3);
	fl_buf_free(&b);
	fl_buf_free(&u);
}

Test(sms_format, does_not_pad_a_message_that_fits_one_part)
{
	struct fl_buf b;
	bool cut;

	fl_buf_init(&b, 4096);
	cr_assert_eq(fl_sms_prepare(&b, "告警\xf0\xa0\xae\xb7", 10, 4, &cut), 0);
	cr_expect_str_eq(b.p, "告警\xf0\xa0\xae\xb7");
	fl_buf_free(&b);
}
