#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/lib/utf8.h"
#include "engine/notify/mime.h"

static int b64_value(char c)
{
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(alpha, c);

	return c && p ? (int)(p - alpha) : -1;
}

/* Decodes base64 text (no line breaks) into out; returns the byte count. */
static size_t b64_decode(const char *in, size_t len, char *out)
{
	size_t n = 0;
	unsigned v = 0;
	int bits = 0;

	for (size_t i = 0; i < len && in[i] != '='; i++) {
		int d = b64_value(in[i]);

		cr_assert_geq(d, 0, "bad base64 character '%c'", in[i]);
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((v >> bits) & 0xff);
		}
	}
	return n;
}

/* Decodes a header value made of encoded-words separated by CRLF SP,
 * checking each word's length and that each decodes to whole UTF-8. */
static void decode_words(const char *value, char *out, size_t *n_words)
{
	const char *p = value;
	size_t n = 0;

	*n_words = 0;
	for (;;) {
		const char *end;
		size_t wlen, k;

		cr_assert(strncmp(p, "=?UTF-8?B?", 10) == 0, "not an encoded-word: %s", p);
		end = strstr(p + 10, "?=");
		cr_assert_not_null(end);
		wlen = (size_t)(end + 2 - p);
		cr_expect_leq(wlen, FL_MIME_WORD_MAX, "word of %zu characters", wlen);
		k = b64_decode(p + 10, (size_t)(end - p - 10), out + n);
		cr_expect(fl_utf8_valid(out + n, k), "word %zu splits a character", *n_words);
		n += k;
		(*n_words)++;
		p = end + 2;
		if (*p == '\0' || (strncmp(p, "\r\n", 2) == 0 && p[2] != ' '))
			break;
		cr_assert(strncmp(p, "\r\n ", 3) == 0, "words not folded with CRLF SP: %s", p);
		p += 3;
	}
	out[n] = '\0';
}

static char *header(struct fl_buf *b, const char *name, const char *value)
{
	fl_buf_init(b, 1 << 16);
	cr_assert_eq(fl_mime_header(b, name, value), 0);
	return b->p;
}

Test(email_format, leaves_a_short_ascii_subject_as_is)
{
	struct fl_buf b;

	cr_expect_str_eq(header(&b, "Subject", "LOS on NN-ADM-01"),
	                 "Subject: LOS on NN-ADM-01\r\n");
	fl_buf_free(&b);
}

Test(email_format, encodes_a_chinese_subject_and_round_trips_it)
{
	const char *subject = "南宁-柳州 光缆中断：三个站点告警";
	char decoded[512];
	struct fl_buf b;
	size_t words;
	char *v = header(&b, "Subject", subject);

	cr_assert(strncmp(v, "Subject: ", 9) == 0);
	decode_words(v + 9, decoded, &words);
	cr_expect_str_eq(decoded, subject);
	cr_expect_eq(words, 2, "%zu words", words);
	fl_buf_free(&b);
}

Test(email_format, splits_long_text_only_between_characters)
{
	/* 40 three-byte characters plus a 4-byte one in the middle: 124 bytes,
	 * several words, none may cut a character (checked in decode_words). */
	char subject[256] = "";
	char decoded[512];
	struct fl_buf b;
	size_t words;

	for (int i = 0; i < 20; i++)
		strcat(subject, "河");
	strcat(subject, "\xf0\xa0\xae\xb7"); /* U+20BB7, outside the BMP */
	for (int i = 0; i < 20; i++)
		strcat(subject, "池");
	header(&b, "Subject", subject);
	decode_words(b.p + 9, decoded, &words);
	cr_expect_str_eq(decoded, subject);
	cr_expect_geq(words, 3);
	for (char *line = b.p; (line = strstr(line, "\r\n")) != NULL; line += 2)
		cr_expect(line[2] == ' ' || line[2] == '\0', "unfolded line break");
	fl_buf_free(&b);
}

Test(email_format, keeps_the_first_line_within_78_characters)
{
	char decoded[512];
	struct fl_buf b;
	size_t words;
	char *eol;

	header(&b, "Subject",
	       "告警告警告警告警告警告警告警告警告警告警告警告警告警告警告警告警告警告警");
	eol = strstr(b.p, "\r\n");
	cr_assert_not_null(eol);
	cr_expect_leq((size_t)(eol - b.p), 78);
	decode_words(b.p + 9, decoded, &words);
	fl_buf_free(&b);
}

Test(email_format, turns_crlf_in_a_subject_into_spaces_not_a_new_header)
{
	char decoded[512];
	struct fl_buf b;
	size_t words;

	header(&b, "Subject", "LOS\r\nBcc: victim@example.org\r\n\r\nbody");
	/* Exactly one line break, at the end: nothing can start a header. */
	cr_expect_eq(strstr(b.p, "\r\n"), b.p + b.len - 2);
	cr_expect_null(strstr(b.p, "\nBcc"));
	cr_expect_null(strchr(b.p, '\n') == b.p + b.len - 1 ? NULL : strchr(b.p, '\n'));
	if (strncmp(b.p + 9, "=?", 2) == 0) {
		decode_words(b.p + 9, decoded, &words);
		cr_expect_str_eq(decoded, "LOS  Bcc: victim@example.org    body");
	} else {
		cr_expect_str_eq(b.p, "Subject: LOS  Bcc: victim@example.org    body\r\n");
	}
	fl_buf_free(&b);
}

Test(email_format, removes_bare_lf_nul_and_other_controls_from_a_chinese_subject)
{
	char decoded[512];
	struct fl_buf b;
	size_t words;

	header(&b, "Subject", "光缆\nTo: x@y\x7f\x1b[31m中断\xc2\x85");
	cr_expect_eq(strchr(b.p, '\n'), b.p + b.len - 1);
	decode_words(b.p + 9, decoded, &words);
	cr_expect_str_eq(decoded, "光缆 To: x@y  [31m中断 ");
	fl_buf_free(&b);
}

Test(email_format, encodes_text_that_looks_like_an_encoded_word)
{
	char decoded[512];
	struct fl_buf b;
	size_t words;

	/* A crafted "=?...?=" would decode into a header break in lax readers;
	 * it is itself encoded, so it stays literal text. */
	header(&b, "Subject", "=?UTF-8?B?DQpCY2M6IHhAeQ==?=");
	decode_words(b.p + 9, decoded, &words);
	cr_expect_str_eq(decoded, "=?UTF-8?B?DQpCY2M6IHhAeQ==?=");
	fl_buf_free(&b);
}

Test(email_format, replaces_invalid_utf8_in_a_header)
{
	char decoded[512];
	struct fl_buf b;
	size_t words;

	header(&b, "Subject", "bad \xff\xfe byte");
	decode_words(b.p + 9, decoded, &words);
	cr_expect_str_eq(decoded, "bad \xef\xbf\xbd\xef\xbf\xbd byte");
	fl_buf_free(&b);
}

Test(email_format, refuses_addresses_that_could_inject)
{
	static const char *const bad[] = {
	    "a@b\r\nBcc: c@d", "a@b>, <c@d", "a b@c", "@b",      "a@",
	    "a@b@c",           "",           "a@b\n", "\"a\"@b", "a@b;c@d",
	};
	struct fl_buf b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect(!fl_mime_addr_valid(bad[i]), "accepted '%s'", bad[i]);
		fl_buf_init(&b, 4096);
		cr_expect_eq(fl_mime_address(&b, "To", "x", bad[i]), -EINVAL, "'%s'", bad[i]);
		fl_buf_free(&b);
	}
	cr_expect(fl_mime_addr_valid("noc-duty@example.net"));
}

Test(email_format, quotes_an_ascii_display_name_and_encodes_a_chinese_one)
{
	char decoded[512];
	struct fl_buf b;
	size_t words;

	fl_buf_init(&b, 4096);
	cr_assert_eq(fl_mime_address(&b, "To", "Duty \"Room\"\r\nBcc: x", "a@b.net"), 0);
	cr_expect_str_eq(b.p, "To: \"Duty \\\"Room\\\"  Bcc: x\"\r\n <a@b.net>\r\n");
	fl_buf_reset(&b);
	cr_assert_eq(fl_mime_address(&b, "To", "区公司网管中心值班室", "noc-duty@example.net"), 0);
	cr_assert(strncmp(b.p, "To: ", 4) == 0);
	*strstr(b.p, "\r\n <noc-duty@example.net>\r\n") = '\0';
	decode_words(b.p + 4, decoded, &words);
	cr_expect_str_eq(decoded, "区公司网管中心值班室");
	fl_buf_free(&b);
}

Test(email_format, derives_a_stable_message_id_from_the_key)
{
	struct fl_buf b;

	fl_buf_init(&b, 4096);
	cr_assert_eq(fl_mime_message_id(&b, "inc-42:step.1@x", "fl@noc.example.net"), 0);
	cr_expect_str_eq(b.p, "<inc-42=3Astep=2E1=40x@noc.example.net>");
	fl_buf_reset(&b);
	cr_assert_eq(fl_mime_message_id(&b, "k", "not an address"), 0);
	cr_expect_str_eq(b.p, "<k@faultline.invalid>");
	fl_buf_free(&b);
}

Test(email_format, writes_the_body_as_base64_lines_of_76)
{
	char body[1024] = "", decoded[2048];
	struct fl_buf b;
	size_t n = 0;

	for (int i = 0; i < 30; i++)
		strcat(body, "中断\n");
	fl_buf_init(&b, 1 << 16);
	cr_assert_eq(fl_mime_body_base64(&b, body, strlen(body)), 0);
	for (char *line = b.p; *line;) {
		char *eol = strstr(line, "\r\n");

		cr_assert_not_null(eol);
		cr_expect_leq((size_t)(eol - line), 76);
		n += b64_decode(line, (size_t)(eol - line), decoded + n);
		line = eol + 2;
	}
	decoded[n] = '\0';
	cr_expect_eq(n, strlen(body) + 30, "LF must become CRLF");
	cr_expect(strncmp(decoded, "中断\r\n中断\r\n", strlen("中断\r\n中断\r\n")) == 0);
	fl_buf_free(&b);
}

Test(email_format, builds_a_whole_message_with_mime_headers)
{
	struct fl_mime_msg m = {
	    .from_name = "faultline",
	    .from_addr = "faultline@noc.example.net",
	    .to_name = "周金凤",
	    .to_addr = "jinfeng.zhou@example.net",
	    .subject = "光缆中断",
	    .body = "南宁-柳州",
	    .idempotency_key = "inc-1",
	    .date_s = 0,
	};
	struct fl_buf b;

	fl_buf_init(&b, 1 << 16);
	cr_assert_eq(fl_mime_build(&b, &m), 0);
	cr_expect(strncmp(b.p, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n", 39) == 0, "%s", b.p);
	cr_expect_not_null(strstr(b.p, "\r\nMessage-ID: <inc-1@noc.example.net>\r\n"));
	cr_expect_not_null(strstr(b.p, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	cr_expect_not_null(strstr(b.p, "\r\nContent-Transfer-Encoding: base64\r\n"));
	cr_expect_not_null(strstr(b.p, "\r\n\r\n5Y2X5a6BLeafs+W3ng==\r\n"));
	m.to_addr = "x@y\r\nBcc: z@w";
	fl_buf_reset(&b);
	cr_expect_eq(fl_mime_build(&b, &m), -EINVAL);
	fl_buf_free(&b);
}

Test(email_format, makes_the_body_clean_utf8_with_crlf_line_breaks)
{
	char decoded[256];
	struct fl_buf b;
	size_t n = 0;

	fl_buf_init(&b, 4096);
	cr_assert_eq(fl_mime_body_base64(&b, "a\rb\r\nc\nd\xff\x1b[1m\te", 15), 0);
	for (char *line = b.p; *line;) {
		char *eol = strstr(line, "\r\n");

		cr_assert_not_null(eol);
		n += b64_decode(line, (size_t)(eol - line), decoded + n);
		line = eol + 2;
	}
	decoded[n] = '\0';
	cr_expect_str_eq(decoded, "a\r\nb\r\nc\r\nd\xef\xbf\xbd [1m\te");
	fl_buf_free(&b);
}
