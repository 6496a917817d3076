/* lines.h - a line reader for files and stdin with a hard line length.
 *
 * It owns a buffer of about max_line + 64 KiB and reads the descriptor it is
 * given (it does not close it). Each line is handed out as a slice of that
 * buffer, valid until the next fl_lines_next() call. A line ends at LF; one CR
 * before the LF is dropped (CRLF files), any other CR stays in the line. A
 * line longer than max_line is delivered cut to its first max_line bytes with
 * is_cut set; the rest, up to the LF, is skipped and counted. Nothing is lost
 * silently: lines.cut and lines.bytes_skipped say how much was cut. A last line
 * without LF is still a line.
 *
 * One thread uses a reader at a time. */
#ifndef FL_LINES_H
#define FL_LINES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_lines;

struct fl_line {
	const char *p; /* not NUL-terminated; valid until the next call */
	size_t len;
	uint64_t number; /* 1-based line number in the input */
	bool is_cut; /* longer than max_line: p holds its first max_line bytes */
};

struct fl_lines_stats {
	uint64_t lines; /* lines delivered */
	uint64_t cut; /* counter lines.cut: lines longer than max_line */
	uint64_t bytes_skipped; /* counter lines.bytes_skipped: bytes dropped from cut lines */
};

/* Lifecycle. fd: borrowed, read until EOF. max_line: 1..1 GiB. Returns 0,
 * -EINVAL or -ENOMEM; *out is set only on success. fl_lines_destroy(NULL)
 * does nothing. */
int fl_lines_create(struct fl_lines **out, int fd, size_t max_line) FL_MUST_CHECK;
void fl_lines_destroy(struct fl_lines *r);

/* Operations. Returns 1 and fills *line, 0 at the end of input, or -errno
 * from read() (EINTR is retried). */
int fl_lines_next(struct fl_lines *r, struct fl_line *line) FL_MUST_CHECK;

/* Queries. */
void fl_lines_stats(const struct fl_lines *r, struct fl_lines_stats *out);

#endif /* FL_LINES_H */
