#include <criterion/criterion.h>
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
