#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/lib/utf8.h"

static char *render(void (*write)(struct fl_json *), struct fl_buf *b)
{
	struct fl_json j;

	fl_buf_init(b, 4096);
	fl_json_init(&j, b);
	write(&j);
	cr_assert(!fl_json_failed(&j));
	return b->p;
}

static void write_nested(struct fl_json *j)
{
	fl_json_obj_begin(j);
	fl_json_key(j, "a");
	fl_json_int(j, -3);
	fl_json_key(j, "b");
	fl_json_arr_begin(j);
	fl_json_uint(j, 18446744073709551615u);
	fl_json_null(j);
	fl_json_bool(j, true);
	fl_json_arr_end(j);
	fl_json_key(j, "c");
	fl_json_fstr(j, FL_STR_NONE);
	fl_json_obj_end(j);
}

Test(json, places_commas_between_members_and_items)
{
	struct fl_buf b;

	cr_expect_str_eq(render(write_nested, &b),
			 "{\"a\":-3,\"b\":[18446744073709551615,null,true],\"c\":null}");
	fl_buf_free(&b);
}

static void write_hostile(struct fl_json *j)
{
	fl_json_str(j, "q\"b\\\n\x01\xff\xe6\xb2\xb3", 10);
}

Test(json, escapes_controls_and_replaces_invalid_utf8)
{
	struct fl_buf b;

	/* \xff is not UTF-8 -> U+FFFD; 河 (e6 b2 b3) passes through. */
	cr_expect_str_eq(render(write_hostile, &b),
			 "\"q\\\"b\\\\\\n\\u0001\xef\xbf\xbd\xe6\xb2\xb3\"");
	fl_buf_free(&b);
}

Test(json, writes_binary_as_hex_object)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 64);
	fl_json_init(&j, &b);
	fl_json_hex(&j, "\x00\xab\x10", 3);
	cr_expect_str_eq(b.p, "{\"hex\":\"00ab10\"}");
	fl_buf_free(&b);
}

Test(json, fails_when_the_buffer_cap_is_hit)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 8);
	fl_json_init(&j, &b);
	fl_json_cstr(&j, "longer than eight bytes");
	cr_expect(fl_json_failed(&j));
	cr_expect(b.overflowed);
	fl_buf_free(&b);
}

Test(json, rejects_overlong_and_surrogate_utf8)
{
	cr_expect(fl_utf8_valid("\xe6\xb2\xb3", 3));
	cr_expect(!fl_utf8_valid("\xc0\xaf", 2));
	cr_expect(!fl_utf8_valid("\xed\xa0\x80", 3));
	cr_expect(!fl_utf8_valid("\xf4\x90\x80\x80", 4));
	cr_expect(!fl_utf8_valid("\xe6\xb2", 2));
}

static void write_int_edges(struct fl_json *j)
{
	fl_json_arr_begin(j);
	fl_json_int(j, INT64_MIN);
	fl_json_int(j, INT64_MAX);
	fl_json_int(j, 0);
	fl_json_uint(j, 0);
	fl_json_int(j, -10);
	fl_json_arr_end(j);
}

Test(json, writes_the_extremes_of_both_integer_types)
{
	struct fl_buf b;

	cr_expect_str_eq(render(write_int_edges, &b),
			 "[-9223372036854775808,9223372036854775807,0,0,-10]");
	fl_buf_free(&b);
}

static void write_past_cap(struct fl_json *j)
{
	fl_json_arr_begin(j);
	for (int i = 0; i < 2000; i++)
		fl_json_uint(j, 1234567);
	fl_json_arr_end(j);
}

Test(json, fails_cleanly_at_the_buffer_cap_however_the_bytes_arrive)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 100);
	fl_json_init(&j, &b);
	write_past_cap(&j);
	cr_expect(fl_json_failed(&j));
	cr_expect_leq(b.len, 100);
	cr_expect_eq(b.p[b.len], '\0');
	fl_buf_free(&b);
}

/* The reference: one byte at a time, as RFC 8259 asks (and U+FFFD for each
 * byte of invalid UTF-8, which fl_json_str() also writes). */
static size_t reference_utf8_len(const unsigned char *p, size_t n)
{
	if (p[0] < 0x80)
		return 1;
	return n >= 2 && p[0] < 0xe0 && fl_utf8_valid((const char *)p, 2) ? 2
	       : n >= 3 && p[0] >= 0xe0 && p[0] < 0xf0 && fl_utf8_valid((const char *)p, 3) ? 3
	       : n >= 4 && p[0] >= 0xf0 && fl_utf8_valid((const char *)p, 4) ? 4
										 : 0;
}

static void reference_str(struct fl_buf *b, const unsigned char *s, size_t len)
{
	fl_buf_addc(b, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fl_buf_printf(b, "\\%c", c);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			fl_buf_adds(b, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
		} else if (c < 0x20) {
			fl_buf_printf(b, "\\u%04x", c);
		} else if ((n = reference_utf8_len(s + i, len - i)) == 0) {
			fl_buf_adds(b, "\xef\xbf\xbd");
		} else {
			fl_buf_add(b, s + i, n);
			i += n;
			continue;
		}
		i++;
	}
	fl_buf_addc(b, '"');
}

Test(json, escapes_strings_like_a_byte_at_a_time_reference_at_every_offset)
{
	static const unsigned char alphabet[] = {'a', 'Z', ' ', '~', '"', '\\', '\n', 0x01,
						 0x7f, 0xc3, 0xa9, 0xe4, 0xb8, 0xad, 0xff, '/'};
	unsigned int seed = 20261125;

	for (int round = 0; round < 5000; round++) {
		unsigned char text[40];
		size_t len = (size_t)(round % 40);
		struct fl_buf got, want;
		struct fl_json j;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly plain text, so whole 8-byte words take the fast path */
			text[i] = (seed >> 16) % 4 ? (unsigned char)('a' + (seed >> 20) % 26)
						   : alphabet[(seed >> 20) % sizeof(alphabet)];
		}
		fl_buf_init(&got, 4096);
		fl_buf_init(&want, 4096);
		fl_json_init(&j, &got);
		fl_json_str(&j, (const char *)text, len);
		reference_str(&want, text, len);
		cr_assert_str_eq(got.p, want.p, "round %d", round);
		fl_buf_free(&got);
		fl_buf_free(&want);
	}
}

/* The same document twice: keys as literals (FL_JSON_KEY) and through the
 * escaping writer. Literal keys come first in an object, after members,
 * after a nested value and after an array, each next to escaped values. */
static void write_members(struct fl_json *j, bool literal)
{
#define K(lit) (literal ? FL_JSON_KEY(j, lit) : fl_json_key(j, lit))
	fl_json_obj_begin(j);
	K("title");
	fl_json_cstr(j, "LOS \"ring\" 7\\8\n\xff end");
	K("rule");
	fl_json_str(j, "a\tb", 3);
	K("location");
	fl_json_obj_begin(j);
	K("site");
	fl_json_cstr(j, "\xe6\xb2\xb3-01");
	K("span");
	fl_json_null(j);
	fl_json_obj_end(j);
	K("to");
	fl_json_arr_begin(j);
	fl_json_cstr(j, "x\x01y");
	fl_json_obj_begin(j);
	K("n");
	fl_json_uint(j, 7);
	fl_json_obj_end(j);
	fl_json_arr_end(j);
	K("count");
	fl_json_int(j, -42);
	K("empty_obj");
	fl_json_obj_begin(j);
	fl_json_obj_end(j);
	K("last_one");
	fl_json_bool(j, false);
	fl_json_obj_end(j);
#undef K
}

static void write_members_literal(struct fl_json *j)
{
	write_members(j, true);
}

static void write_members_escaped(struct fl_json *j)
{
	write_members(j, false);
}

Test(json, literal_keys_write_what_escaped_keys_write_next_to_escaped_values)
{
	struct fl_buf lit, esc;

	cr_expect_str_eq(render(write_members_literal, &lit),
			 "{\"title\":\"LOS \\\"ring\\\" 7\\\\8\\n\xef\xbf\xbd end\","
			 "\"rule\":\"a\\tb\",\"location\":{\"site\":\"\xe6\xb2\xb3-01\","
			 "\"span\":null},\"to\":[\"x\\u0001y\",{\"n\":7}],\"count\":-42,"
			 "\"empty_obj\":{},\"last_one\":false}");
	cr_expect_str_eq(lit.p, render(write_members_escaped, &esc));
	fl_buf_free(&lit);
	fl_buf_free(&esc);
}

/* Every cap from 1 byte to past the document: the writer succeeds exactly
 * when the whole document fits, and otherwise fails having written a
 * prefix of it, never more than the cap, still NUL-terminated. Covers the
 * literal key's inline copy and the one-pass string copy at every offset
 * where the buffer could end. */
static void check_caps(void (*write)(struct fl_json *))
{
	struct fl_buf full;
	size_t n;

	render(write, &full);
	n = full.len;
	for (size_t max = 1; max <= n + 1; max++) {
		struct fl_buf b;
		struct fl_json j;

		fl_buf_init(&b, max);
		fl_json_init(&j, &b);
		write(&j);
		cr_assert_eq(fl_json_failed(&j), max < n, "cap %zu of %zu", max, n);
		cr_assert_leq(b.len, max, "cap %zu", max);
		cr_assert(b.len == 0 || b.p[b.len] == '\0', "cap %zu", max);
		cr_assert(b.len == 0 || memcmp(b.p, full.p, b.len) == 0, "cap %zu", max);
		cr_assert_eq(b.overflowed, max < n, "cap %zu", max);
		fl_buf_free(&b);
	}
	fl_buf_free(&full);
}

static void write_long_values(struct fl_json *j)
{
	fl_json_obj_begin(j);
	FL_JSON_KEY(j, "a_fairly_long_literal_key_of_forty_bytes");
	fl_json_cstr(j, "a plain value of more than thirty-two bytes, copied in words");
	FL_JSON_KEY(j, "k");
	fl_json_cstr(j, "short");
	fl_json_obj_end(j);
}

Test(json, literal_keys_and_plain_strings_fail_at_the_buffer_cap)
{
	check_caps(write_members_literal);
	check_caps(write_long_values);
}

Test(json, a_literal_key_that_would_pass_the_cap_fails_the_writer)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 12);
	fl_json_init(&j, &b);
	fl_json_obj_begin(&j);
	FL_JSON_KEY(&j, "longer_than_the_cap");
	fl_json_uint(&j, 1);
	fl_json_obj_end(&j);
	cr_expect(fl_json_failed(&j));
	cr_expect(b.overflowed);
	cr_expect_str_eq(b.p, "{");
	fl_buf_free(&b);
}

/* One byte of every value at every position of plain strings of every
 * length up to 40: the word-at-a-time check must send each string that is
 * not plain to the escaper, whichever word the byte falls in (first, last,
 * overlapping, or the short-string word). The buffer has room already, as
 * it has on every line but a stream's first: a buffer still to be grown
 * takes the escaper's path whatever the string. */
Test(json, every_byte_at_every_offset_is_written_like_the_reference)
{
	unsigned char text[40];
	struct fl_buf got, want;

	fl_buf_init(&got, 4096);
	fl_buf_init(&want, 4096);
	cr_assert_eq(fl_buf_add(&got, "", 0), 0); /* allocates */
	cr_assert_geq(got.alloc, sizeof(text) + 3);
	for (size_t len = 1; len <= sizeof(text); len++)
		for (size_t at = 0; at < len; at++)
			for (unsigned c = 0; c < 256; c++) {
				struct fl_json j;

				memset(text, 'm', len);
				text[at] = (unsigned char)c;
				fl_buf_reset(&got);
				fl_buf_reset(&want);
				fl_json_init(&j, &got);
				fl_json_str(&j, (const char *)text, len);
				reference_str(&want, text, len);
				cr_assert_str_eq(got.p, want.p, "len %zu, byte %#x at %zu", len, c, at);
			}
	fl_buf_free(&got);
	fl_buf_free(&want);
}

Test(json, writes_integers_like_printf_around_every_power_of_ten)
{
	uint64_t p = 1;

	for (int k = 0; k < 20; k++, p *= 10) {
		const uint64_t near[] = {p - 1, p, p + 1, p * 3 + 7};

		for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
			struct fl_buf b;
			struct fl_json j;
			char want[64];

			fl_buf_init(&b, 64);
			fl_json_init(&j, &b);
			fl_json_arr_begin(&j);
			fl_json_uint(&j, near[i]);
			fl_json_int(&j, -(int64_t)(near[i] >> 1));
			fl_json_arr_end(&j);
			snprintf(want, sizeof(want), "[%llu,%lld]", (unsigned long long)near[i],
				 -(long long)(near[i] >> 1));
			cr_assert_str_eq(b.p, want);
			fl_buf_free(&b);
		}
	}
}
