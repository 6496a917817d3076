#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/input/framing.h"

/* Collects delivered frames as "msg|msg|..." for one comparison. */
struct sink {
	char text[4096];
	size_t n;
};

static void collect(void *ctx, const char *msg, size_t len)
{
	struct sink *s = ctx;
	size_t used = strlen(s->text);

	cr_assert_lt(used + len + 2, sizeof(s->text));
	memcpy(s->text + used, msg, len);
	s->text[used + len] = '|';
	s->text[used + len + 1] = '\0';
	s->n++;
}

static const struct frame_row {
	const char *name, *stream;
	size_t max_msg;
	enum fl_frame_verdict verdict;
	const char *frames;
	uint64_t too_long;
	bool has_pending; /* a half frame is left at the end */
} frame_rows[] = {
	{"one octet-counted frame", "5 hello", 64, FL_FRAME_OK, "hello|", 0, false},
	{"two octet-counted frames", "5 hello3 abc", 64, FL_FRAME_OK, "hello|abc|", 0, false},
	{"octet frames with a space and LF inside", "11 a b\nc d efg", 64, FL_FRAME_OK,
	 "a b\nc d efg|", 0, false},
	{"LF after each octet frame is tolerated", "5 hello\n3 abc\n", 64, FL_FRAME_OK,
	 "hello|abc|", 0, false},
	{"octet frame body incomplete", "10 hello", 64, FL_FRAME_OK, "", 0, true},
	{"octet header incomplete", "12", 64, FL_FRAME_OK, "", 0, true},
	{"octet header with a letter", "5 hello5x abc", 64, FL_FRAME_BAD_FRAMING, "hello|", 0, false},
	{"octet header with a leading zero", "5 hello05 hello", 64, FL_FRAME_BAD_FRAMING, "hello|", 0,
	 false},
	{"octet header too many digits", "5 hello99999999999 x", 64, FL_FRAME_COUNT_OVER_MAX, "hello|",
	 0, false},
	{"octet count over the skip cap", "5 hello1073741825 x", 64, FL_FRAME_COUNT_OVER_MAX, "hello|",
	 0, false},
	{"octet frame over max is skipped", "8 too long3 abc", 4, FL_FRAME_OK, "abc|", 1, false},
	{"octet frame at exactly max", "4 four", 4, FL_FRAME_OK, "four|", 0, false},
	{"LF lines", "<13>a\n<13>b\n", 64, FL_FRAME_OK, "<13>a|<13>b|", 0, false},
	{"LF line without its LF is pending", "<13>a\n<13>b", 64, FL_FRAME_OK, "<13>a|", 0, true},
	{"LF line over max is skipped to its LF", "<13>aaaaaaaa\n<13>b\n", 6, FL_FRAME_OK, "<13>b|", 1,
	 false},
	{"LF line at exactly max", "<13>ab\n", 6, FL_FRAME_OK, "<13>ab|", 0, false},
	{"LF trailing NUL trimmed", "<13>a\0\n", 64, FL_FRAME_OK, "<13>a|", 0, false},
	{"empty LF lines deliver empty frames", "\n\n", 64, FL_FRAME_OK, "||", 0, false},
};

static void check_row(const struct frame_row *row, size_t chunk)
{
	struct fl_framer f;
	struct sink s = {{0}, 0};
	size_t len = strlen(row->stream), off = 0;
	enum fl_frame_verdict v = FL_FRAME_OK;

	/* The NUL row carries an embedded NUL: measure it by hand. */
	if (strcmp(row->name, "LF trailing NUL trimmed") == 0)
		len = 7;
	fl_framer_init(&f, row->max_msg);
	while (off < len && v == FL_FRAME_OK) {
		size_t n = len - off < chunk ? len - off : chunk;

		v = fl_framer_feed(&f, row->stream + off, n, collect, &s);
		off += n;
	}
	cr_expect_eq(v, row->verdict, "row %s (chunk %zu): verdict %s", row->name, chunk,
		     fl_frame_verdict_text(v));
	cr_expect_str_eq(s.text, row->frames, "row %s (chunk %zu)", row->name, chunk);
	cr_expect_eq(f.too_long, row->too_long, "row %s (chunk %zu)", row->name, chunk);
	if (row->verdict == FL_FRAME_OK)
		cr_expect_eq(fl_framer_pending(&f) > 0, row->has_pending, "row %s (chunk %zu)",
			     row->name, chunk);
	fl_framer_free(&f);
}

Test(framing, splits_streams_fed_whole)
{
	for (size_t i = 0; i < sizeof(frame_rows) / sizeof(frame_rows[0]); i++)
		check_row(&frame_rows[i], 1 << 20);
}

Test(framing, splits_streams_fed_one_byte_at_a_time)
{
	for (size_t i = 0; i < sizeof(frame_rows) / sizeof(frame_rows[0]); i++)
		check_row(&frame_rows[i], 1);
}

Test(framing, splits_streams_fed_in_three_byte_pieces)
{
	for (size_t i = 0; i < sizeof(frame_rows) / sizeof(frame_rows[0]); i++)
		check_row(&frame_rows[i], 3);
}

Test(framing, keeps_no_more_than_one_frame_and_its_header_buffered)
{
	static char big[70000];
	struct fl_framer f;
	struct sink s = {{0}, 0};
	char hdr[16];
	int hdr_len = snprintf(hdr, sizeof(hdr), "%zu ", sizeof(big));

	memset(big, 'x', sizeof(big));
	fl_framer_init(&f, 1000);
	cr_assert_eq(fl_framer_feed(&f, hdr, (size_t)hdr_len, collect, &s), FL_FRAME_OK);
	for (size_t off = 0; off < sizeof(big); off += 4096) {
		size_t n = sizeof(big) - off < 4096 ? sizeof(big) - off : 4096;

		cr_assert_eq(fl_framer_feed(&f, big + off, n, collect, &s), FL_FRAME_OK);
		cr_assert_leq(f.pending.alloc, 1000 + FL_FRAME_HDR_MAX + 2);
	}
	cr_assert_eq(fl_framer_feed(&f, "2 ok", 4, collect, &s), FL_FRAME_OK);
	cr_expect_str_eq(s.text, "ok|");
	cr_expect_eq(f.too_long, 1);
	cr_expect_eq(fl_framer_pending(&f), 0);
	fl_framer_free(&f);
}

Test(framing, octets_rejects_a_length_over_the_cap)
{
	size_t msg_len = 0, hdr_len = 0;

	cr_expect_eq(fl_frame_octets("1001 x", 6, 1000, &msg_len, &hdr_len), FL_FRAME_TOO_LONG);
	cr_expect_eq(fl_frame_octets("1000 x", 6, 1000, &msg_len, &hdr_len), FL_FRAME_OK);
	cr_expect_eq(msg_len, 1000);
	cr_expect_eq(hdr_len, 5);
	cr_expect_eq(fl_frame_octets(" 5 x", 4, 1000, &msg_len, &hdr_len), FL_FRAME_BAD_FRAMING);
}

/* What the log says when a stream ends: an oversize count is not a malformed one. */
static void explain_stream(const char *stream, enum fl_frame_verdict want, char *out, size_t cap)
{
	struct fl_framer f;
	struct sink s = {{0}, 0};
	enum fl_frame_verdict v;

	fl_framer_init(&f, 64);
	v = fl_framer_feed(&f, stream, strlen(stream), collect, &s);
	cr_assert_eq(v, want, "%s: verdict %s", stream, fl_frame_verdict_text(v));
	fl_framer_explain(&f, v, out, cap);
	fl_framer_free(&f);
}

Test(framing, explains_an_octet_count_over_the_maximum_with_both_numbers)
{
	char why[160];

	explain_stream("5 hello5000000000 <13>x", FL_FRAME_COUNT_OVER_MAX, why, sizeof(why));
	cr_expect_str_eq(why, "octet count 5000000000 exceeds the maximum 1073741824");
	explain_stream("1073741825 ", FL_FRAME_COUNT_OVER_MAX, why, sizeof(why));
	cr_expect_str_eq(why, "octet count 1073741825 exceeds the maximum 1073741824");
	/* More digits than are kept: the quote says it was cut. */
	explain_stream("999999999999999999999999999999", FL_FRAME_COUNT_OVER_MAX, why, sizeof(why));
	cr_expect_str_eq(why, "octet count 999999999999999999999999... exceeds the maximum "
			      "1073741824");
}

Test(framing, explains_a_malformed_octet_count_by_quoting_it)
{
	char why[160];

	explain_stream("5 hello5x <13>y", FL_FRAME_BAD_FRAMING, why, sizeof(why));
	cr_expect_str_eq(why, "octet count not digits then space: '5x <13>y'");
	explain_stream("5 hello05 hello", FL_FRAME_BAD_FRAMING, why, sizeof(why));
	cr_expect_str_eq(why, "octet count not digits then space: '05 hello'");
	explain_stream("12\x01\x02", FL_FRAME_BAD_FRAMING, why, sizeof(why));
	cr_expect_str_eq(why, "octet count not digits then space: '12?" "?'"); /* no trigraph */
	cr_expect_eq(strstr(why, "exceeds"), NULL);
}
