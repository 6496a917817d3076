/* csv.h - a streaming RFC 4180 reader over a memory buffer.
 *
 * The reader walks a buffer the caller owns (a whole file read into memory)
 * one row at a time. Fields are slices: an unquoted field, or a quoted one with
 * no "" escape, points into the input; a quoted field with escapes is copied,
 * unescaped, into the reader's scratch buffer. A row and its slices stay valid
 * until the next fl_csv_next() or fl_csv_free(). One thread per reader.
 *
 * Accepted (RFC 4180 §2, with the usual leniency):
 *  - CRLF, LF or a lone CR ends a row; the last row may lack a line end;
 *  - quoted fields hold commas, quotes written "" and line ends (kept as is);
 *  - empty fields; completely empty lines are skipped, not rows;
 *  - any bytes other than the delimiters are kept (UTF-8 passes untouched);
 *  - a UTF-8 byte order mark at the very start is skipped and noted in
 *    `had_bom`: spreadsheets write one, and rejecting it would only turn into
 *    a confusing "missing column" for the first header name.
 * Errors, each reported with the 1-based line and column (columns count UTF-8
 * code points) where it starts, and counted in stats.verdicts[]: see
 * FL_CSV_VERDICTS. After an error inside a row the reader skips to the end of
 * that physical line, so the caller can go on and report every bad row.
 *
 * The first row returned fixes the field count (the header); every later row
 * must have as many fields. Caps (engine/lib/limits.h): FL_CSV_MAX_FIELD_BYTES,
 * FL_CSV_MAX_FIELDS, FL_CSV_MAX_ROWS. */
#ifndef FL_CSV_H
#define FL_CSV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/lib/str.h"

#define FL_CSV_VERDICTS(X)                                                                         \
	X(OK, "ok")                                                                                \
	X(END, "end of input")                                                                     \
	X(UNTERMINATED_QUOTE, "quoted field is not closed before the end of the file")             \
	X(STRAY_QUOTE, "quote inside an unquoted field")                                           \
	X(BAD_AFTER_QUOTE, "character after a closing quote")                                      \
	X(FIELD_COUNT, "row does not have as many fields as the header")                           \
	X(FIELD_TOO_LONG, "field longer than the cap")                                             \
	X(TOO_MANY_FIELDS, "row has more fields than the cap")                                     \
	X(TOO_MANY_ROWS, "file has more rows than the cap")                                        \
	X(NO_MEMORY, "out of memory while unescaping a quoted field")

enum fl_csv_verdict {
#define X(name, text) FL_CSV_##name,
	FL_CSV_VERDICTS(X)
#undef X
	FL_CSV__COUNT
};

struct fl_csv_field {
	struct fl_str s;  /* never absent (s.p != NULL), may be empty */
	size_t line, col; /* where the field starts (its opening quote if quoted) */
	bool was_quoted;
};

struct fl_csv_row {
	const struct fl_csv_field *fields; /* owned by the reader */
	size_t nfields;
	size_t line; /* line of the first field */
};

struct fl_csv_stats {
	uint64_t rows;                    /* rows returned, header included */
	uint64_t verdicts[FL_CSV__COUNT]; /* rows per verdict: csv.<verdict> */
};

/* Opaque in spirit: callers read err_line, err_col, had_bom and stats only. */
struct fl_csv {
	const char *p;
	size_t len, off;
	size_t line, col;            /* position of p[off] */
	size_t expect_fields;        /* 0 until the header row is read */
	struct fl_csv_field *fields; /* FL_CSV_MAX_FIELDS */
	char *scratch;               /* unescaped quoted fields of the current row */
	size_t scratch_len, scratch_cap;
	size_t err_line, err_col; /* where the last error was found */
	bool had_bom;
	struct fl_csv_stats stats;
};

/* Lifecycle. Borrows p[0..len) until fl_csv_free(). Returns 0 or -ENOMEM.
 * fl_csv_free() accepts a zeroed or already freed reader. */
FL_MUST_CHECK int fl_csv_init(struct fl_csv *c, const char *p, size_t len);
void fl_csv_free(struct fl_csv *c);

/* Reads the next row into *row. Returns FL_CSV_OK with the row; FL_CSV_END at
 * the end of input (row untouched); FL_CSV_FIELD_COUNT with the row (fields up
 * to the cap) so the caller may still look at it; any other verdict with no
 * row. err_line/err_col say where the error is: for FIELD_COUNT, the first
 * extra field or the end of a short row. TOO_MANY_ROWS, UNTERMINATED_QUOTE and
 * NO_MEMORY end the input: the next call returns FL_CSV_END. */
enum fl_csv_verdict fl_csv_next(struct fl_csv *c, struct fl_csv_row *row);

/* The verdict's text, "?" when out of range. */
const char *fl_csv_verdict_text(enum fl_csv_verdict v);
const char *fl_csv_verdict_name(enum fl_csv_verdict v); /* "FIELD_COUNT" */

#endif /* FL_CSV_H */
