/* diag.h - the plan compiler's diagnostics: locations, messages, carets.
 *
 * A diagnostic list owns copies of the source texts it points into (a file
 * re-read later might have changed, and would print the wrong line), and up to
 * FL_MAX_DIAGS errors and warnings, each with its note: lines. Past the cap it
 * counts what it drops and says so when printed. Printing sorts by position
 * (file in order of registration, then line, then column) so the output does
 * not depend on the order of the compiler's passes, and writes gcc's shape:
 *
 *   rules/core.plan:14:42: error: unknown level 'urgnet'; did you mean 'urgent'?
 *      14 |     raise level urgnet;
 *         |                 ^~~~~~
 *
 * Columns are 1-based and count UTF-8 code points. In the caret line a tab stays
 * a tab and a wide (CJK) character takes two columns, from a built-in table, so
 * the output does not depend on the process locale. One list belongs to one
 * compilation; nothing here is shared between threads. */
#ifndef FL_DIAG_H
#define FL_DIAG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/compiler.h"

struct fl_buf;

/* A source text held by a diagnostic list: name as given, whole text. The
 * rest is diag.c's: where the last line looked up starts, so that lines are
 * counted once over a run of diagnostics in order of position. */
struct fl_src {
	const char *name;
	const char *text;
	size_t len;
	size_t index; /* registration order: the first sort key */
	size_t seek_off, seek_line, seek_line_off; /* fl_loc_place()'s last line */
};

/* A span in a source: bytes [off, end) of src->text (off == end: a point).
 * Lines and columns are not stored but found from the text when asked
 * (fl_loc_place(), for a diagnostic as it is printed): each AST item holds
 * a location, and 16 bytes rather than 40 is 21 MB less memory to fault in
 * for a plan of 10,000 patterns, and a scanner that counts no lines. The
 * offsets are 32-bit: every source has a cap far below 4 GiB (a plan file
 * FL_PLAN_MAX_BYTES, a data file FL_INVENTORY_MAX_FILE_BYTES). */
struct fl_loc {
	const struct fl_src *src;
	uint32_t off, end;
};

/* Where a span is as people read it. Lines and columns are 1-based; columns
 * count code points (a byte that is not UTF-8 is one); last is the span's
 * last code point other than a newline (first when it has none); line_off is
 * the byte offset where first_line starts. */
struct fl_place {
	int first_line, first_column, last_line, last_column;
	size_t line_off;
};

/* *out for loc, which must have a source. Counts lines from the source's
 * previous lookup when loc is not before it, else from the start: a run in
 * order of position reads the text once. */
void fl_loc_place(const struct fl_loc *loc, struct fl_place *out);

/* The span of n code points (at least one byte, unless at the end of the
 * line) from column col (1-based, code points) of the line that starts at
 * byte line_off of src: for places known by line and column (a CSV cell). */
struct fl_loc fl_loc_columns(const struct fl_src *src, size_t line_off, size_t col, size_t n);

enum fl_diag_kind {
	FL_DIAG_ERROR,
	FL_DIAG_WARNING,
	FL_DIAG_NOTE,
};

struct fl_diags;

/* Lifecycle. create: 0 or -ENOMEM. destroy: accepts NULL; frees every source
 * and message (locations pointing into them become invalid). */
int fl_diags_create(struct fl_diags **out) FL_MUST_CHECK;
void fl_diags_destroy(struct fl_diags *d);

/* Registers a copy of text under name; returns the source, or NULL when out of
 * memory (an error is then recorded without location). */
const struct fl_src *fl_diag_source(struct fl_diags *d, const char *name, const char *text,
				    size_t len);
/* The same without the copy: takes text, len bytes from malloc with room for
 * one more (the NUL it writes), whether it succeeds or not. A plan's text is
 * then held once, not twice, while it compiles. */
const struct fl_src *fl_diag_source_take(struct fl_diags *d, const char *name, char *text,
					 size_t len);

/* Operations. loc may be NULL (a message about the run, not a place). A note
 * attaches to the error or warning recorded just before it and is dropped with
 * it. fl_diag_at() reports a place known only by file, line and column (a CSV
 * cell): it prints without a source line. col/line 0 = unknown. */
void fl_diag_error(struct fl_diags *d, const struct fl_loc *loc, const char *fmt, ...)
	FL_PRINTF(3, 4);
void fl_diag_warning(struct fl_diags *d, const struct fl_loc *loc, const char *fmt, ...)
	FL_PRINTF(3, 4);
void fl_diag_note(struct fl_diags *d, const struct fl_loc *loc, const char *fmt, ...)
	FL_PRINTF(3, 4);
void fl_diag_at(struct fl_diags *d, enum fl_diag_kind kind, const char *file, size_t line,
		size_t col, const char *fmt, ...) FL_PRINTF(6, 7);

/* Writes every diagnostic, sorted, to out (stdio) or buf (tests). */
void fl_diag_print(const struct fl_diags *d, FILE *out);
int fl_diag_render(const struct fl_diags *d, struct fl_buf *buf) FL_MUST_CHECK;

/* Queries. errors/warnings count every one reported, also those past the cap. */
size_t fl_diag_errors(const struct fl_diags *d);
size_t fl_diag_warnings(const struct fl_diags *d);
size_t fl_diag_dropped(const struct fl_diags *d);

/* The candidate closest to name within edit distance 2 (and less than name's
 * length), or NULL. Ties go to the earliest candidate. */
const char *fl_diag_suggest(const char *name, const char *const *cands, size_t n);

/* Display width of the code point cp in a caret line: 2 for wide East Asian
 * characters, otherwise 1. */
int fl_diag_cp_width(unsigned cp);

#endif /* FL_DIAG_H */
