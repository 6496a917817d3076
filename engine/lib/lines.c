/* lines.c - bounded line reader; see lines.h. */
#include "engine/lib/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINES_READ_CHUNK (64 * 1024)
#define LINES_MAX_LINE (1024u * 1024u * 1024u)

struct fl_lines {
	int fd;
	bool at_eof;
	bool skipping; /* inside the tail of a cut line: drop up to the LF */
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	size_t max_line;
	uint64_t number;
	struct fl_lines_stats stats;
};

int fl_lines_create(struct fl_lines **out, int fd, size_t max_line)
{
	struct fl_lines *r;

	if (fd < 0 || max_line == 0 || max_line > LINES_MAX_LINE)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->cap = max_line + 1 + LINES_READ_CHUNK;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		free(r);
		return -ENOMEM;
	}
	r->fd = fd;
	r->max_line = max_line;
	*out = r;
	return 0;
}

void fl_lines_destroy(struct fl_lines *r)
{
	if (!r)
		return;
	free(r->buf);
	r->buf = NULL;
	free(r);
}

/* Moves the unread bytes to the front and reads more after them. Returns
 * the bytes read (0 at EOF) or -errno. */
static ssize_t fill(struct fl_lines *r)
{
	ssize_t got;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	do
		got = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	if (got == 0)
		r->at_eof = true;
	r->end += (size_t)got;
	return got;
}

static int deliver(struct fl_lines *r, struct fl_line *line, size_t len, size_t consumed,
		   bool is_cut)
{
	line->p = r->buf + r->start;
	line->len = len;
	line->is_cut = is_cut;
	line->number = ++r->number;
	r->start += consumed;
	r->stats.lines++;
	if (is_cut)
		r->stats.cut++;
	return 1;
}

int fl_lines_next(struct fl_lines *r, struct fl_line *line)
{
	for (;;) {
		size_t avail = r->end - r->start;
		const char *lf = memchr(r->buf + r->start, '\n', avail);
		ssize_t got;

		if (r->skipping) {
			size_t drop = lf ? (size_t)(lf - (r->buf + r->start)) + 1 : avail;

			r->stats.bytes_skipped += lf ? drop - 1 : drop;
			r->start += drop;
			if (lf) {
				r->skipping = false;
				continue;
			}
		} else if (lf) {
			size_t len = (size_t)(lf - (r->buf + r->start));

			if (len > r->max_line) { /* a whole over-long line in the buffer */
				r->stats.bytes_skipped += len - r->max_line;
				return deliver(r, line, r->max_line, len + 1, true);
			}
			return deliver(r, line, len > 0 && lf[-1] == '\r' ? len - 1 : len,
				       len + 1, false);
		} else if (avail > r->max_line) {
			r->skipping = true;
			r->stats.bytes_skipped += avail - r->max_line;
			/* Deliver now; the skipped tail is dropped on the next call. The
			 * line stays in the buffer until then: no fill() runs before. */
			deliver(r, line, r->max_line, avail, true);
			return 1;
		} else if (r->at_eof) {
			if (avail == 0)
				return 0;
			return deliver(r, line, avail, avail, false);
		}
		if (r->skipping && r->start == r->end && r->at_eof)
			return 0;
		got = fill(r);
		if (got < 0)
			return (int)got;
	}
}

void fl_lines_stats(const struct fl_lines *r, struct fl_lines_stats *out)
{
	*out = r->stats;
}
