/* fuzz_notify_format.c - hostile event text through the notification formatters.
 *
 * Invariants checked on every input:
 * - mime: a header built from the input is 7-bit ASCII, every CRLF in it is
 *   followed by a space (a fold) or ends it, no bare CR or LF, and every
 *   encoded-word is at most 75 characters: event text cannot add a header.
 * - sms: the prepared text is valid UTF-8 and fits the parts it was given.
 * - json: a document fl_json_compact() accepts comes out on one line and
 *   compacts to itself. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/lib/json.h"
#include "engine/notify/mime.h"
#include "engine/notify/notify_util.h"
#include "engine/notify/ucs2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static void check_header(const struct fl_buf *b)
{
	size_t word_start = 0;
	bool in_word = false;

	CHECK(b->len >= 2 && b->p[b->len - 2] == '\r' && b->p[b->len - 1] == '\n');
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->p[i];

		CHECK(c < 0x80);
		if (c == '\r') {
			CHECK(i + 1 < b->len && b->p[i + 1] == '\n');
			CHECK(i + 2 == b->len || b->p[i + 2] == ' ');
		}
		if (c == '\n')
			CHECK(i > 0 && b->p[i - 1] == '\r');
		if (!in_word && c == '=' && i + 1 < b->len && b->p[i + 1] == '?') {
			in_word = true;
			word_start = i;
		} else if (in_word && c == '=' && b->p[i - 1] == '?' && i - word_start > 10) {
			in_word = false;
			CHECK(i + 1 - word_start <= FL_MIME_WORD_MAX);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct fl_buf b, c;
	bool cut;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fl_buf_init(&b, 1 << 20);

	if (fl_mime_header(&b, "Subject", text) == 0)
		check_header(&b);
	fl_buf_reset(&b);
	if (fl_mime_address(&b, "To", text, "noc@example.net") == 0)
		check_header(&b);
	fl_buf_reset(&b);
	CHECK(fl_mime_address(&b, "To", "x", text) == -EINVAL || fl_mime_addr_valid(text));

	for (size_t parts = 1; parts <= 4; parts++) {
		struct fl_sms_plan plan;

		fl_buf_reset(&b);
		if (fl_sms_prepare(&b, (const char *)data, size, parts, &cut) != 0)
			continue;
		CHECK(fl_utf8_valid(b.p ? b.p : "", b.len));
		fl_sms_plan(b.p ? b.p : "", b.len, &plan);
		CHECK(plan.parts <= parts || !cut);
	}

	fl_buf_reset(&b);
	if (fl_json_compact(&b, (const char *)data, size) == 0) {
		CHECK(memchr(b.p, '\n', b.len) == NULL);
		fl_buf_init(&c, 1 << 20);
		CHECK(fl_json_compact(&c, b.p, b.len) == 0);
		CHECK(c.len == b.len && memcmp(c.p, b.p, b.len) == 0);
		fl_buf_free(&c);
	}
	fl_buf_free(&b);
	free(text);
	return 0;
}
