/* csv.c - RFC 4180 reader; see csv.h for what is accepted and why. */
#include "engine/lib/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/limits.h"

static const char *const verdict_texts[] = {
#define X(name, text) text,
    FL_CSV_VERDICTS(X)
#undef X
};

static const char *const verdict_names[] = {
#define X(name, text) #name,
    FL_CSV_VERDICTS(X)
#undef X
};

/* Column of c->p[off] on the current line, in code points, 1-based. The
 * cache (col_off, col) only moves forward, so a row costs O(its length). */
static size_t col_at(struct fl_csv *c, size_t off)
{
	size_t i;

	if (off < c->off) /* never: offsets asked for only grow */
		return c->col;
	for (i = c->off; i < off; i++)
		if (((unsigned char)c->p[i] & 0xC0) != 0x80)
			c->col++;
	c->off = off;
	return c->col;
}

/* Marks the start of a new physical line at off. */
static void new_line(struct fl_csv *c, size_t off)
{
	c->line++;
	c->off = off;
	c->col = 1;
}

/* Consumes a line end at *off (CRLF, LF or CR) if there is one. */
static bool eat_eol(struct fl_csv *c, size_t *off)
{
	size_t i = *off;

	if (i >= c->len)
		return false;
	if (c->p[i] == '\r') {
		i++;
		if (i < c->len && c->p[i] == '\n')
			i++;
	} else if (c->p[i] == '\n') {
		i++;
	} else {
		return false;
	}
	*off = i;
	new_line(c, i);
	return true;
}

/* Error recovery: skip to just after the end of the current physical line. */
static void skip_line(struct fl_csv *c, size_t off)
{
	while (off < c->len && c->p[off] != '\r' && c->p[off] != '\n')
		off++;
	if (!eat_eol(c, &off))
		c->off = off;
}

static enum fl_csv_verdict fail(struct fl_csv *c, enum fl_csv_verdict v, size_t line, size_t col)
{
	c->err_line = line;
	c->err_col = col;
	c->stats.verdicts[v]++;
	return v;
}

int fl_csv_init(struct fl_csv *c, const char *p, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->fields = calloc(FL_CSV_MAX_FIELDS, sizeof(*c->fields));
	if (!c->fields)
		return -ENOMEM;
	c->p = p ? p : "";
	c->len = p ? len : 0;
	c->line = 1;
	c->col = 1;
	if (c->len >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0) {
		c->had_bom = true;
		c->off = 3; /* the BOM takes no column */
	}
	return 0;
}

void fl_csv_free(struct fl_csv *c)
{
	free(c->fields);
	c->fields = NULL;
	free(c->scratch);
	c->scratch = NULL;
	c->scratch_len = c->scratch_cap = 0;
}

/* Appends n bytes to the scratch buffer; the field cap bounds it. */
static int scratch_add(struct fl_csv *c, const char *p, size_t n)
{
	if (c->scratch_len + n > c->scratch_cap) {
		size_t cap = c->scratch_cap ? c->scratch_cap : 1024;
		char *np;

		while (cap < c->scratch_len + n)
			cap *= 2;
		np = realloc(c->scratch, cap);
		if (!np)
			return -ENOMEM;
		c->scratch = np;
		c->scratch_cap = cap;
	}
	memcpy(c->scratch + c->scratch_len, p, n);
	c->scratch_len += n;
	return 0;
}

/* Reads a quoted field starting at the opening quote *off. On success *off is
 * just past the closing quote. Escaped fields go to scratch; their slice is
 * recorded as an offset and fixed up once the row is complete (scratch may
 * move while it grows). */
static enum fl_csv_verdict read_quoted(struct fl_csv *c, size_t *off, struct fl_csv_field *f,
                                       size_t *scratch_start)
{
	size_t i = *off + 1, start = i, run = i, unescaped_len = 0;
	bool escaped = false;

	for (;;) {
		if (i >= c->len) {
			c->off = c->len;
			return fail(c, FL_CSV_UNTERMINATED_QUOTE, f->line, f->col);
		}
		if (c->p[i] == '"') {
			if (i + 1 < c->len && c->p[i + 1] == '"') {
				if (!escaped) {
					escaped = true;
					*scratch_start = c->scratch_len;
				}
				unescaped_len += i + 1 - run;
				/* Past the cap, keep scanning to the closing quote
				 * but copy nothing: memory stays bounded. */
				if (unescaped_len <= FL_CSV_MAX_FIELD_BYTES &&
				    scratch_add(c, c->p + run, i + 1 - run) < 0) {
					c->off = c->len;
					return fail(c, FL_CSV_NO_MEMORY, f->line, f->col);
				}
				i += 2;
				run = i;
				continue;
			}
			break;
		}
		if (c->p[i] == '\n' ||
		    (c->p[i] == '\r' && (i + 1 >= c->len || c->p[i + 1] != '\n')))
			new_line(c, i + 1);
		i++;
	}
	*off = i + 1;
	if (!escaped) {
		f->s = fl_str_make(c->p + start, i - start);
	} else {
		unescaped_len += i - run;
		if (unescaped_len <= FL_CSV_MAX_FIELD_BYTES &&
		    scratch_add(c, c->p + run, i - run) < 0) {
			c->off = c->len;
			return fail(c, FL_CSV_NO_MEMORY, f->line, f->col);
		}
		f->s = fl_str_make(NULL, unescaped_len);
	}
	if (f->s.len > FL_CSV_MAX_FIELD_BYTES)
		return fail(c, FL_CSV_FIELD_TOO_LONG, f->line, f->col);
	return FL_CSV_OK;
}

/* One field at *off, unquoted: up to the next comma or line end. */
static enum fl_csv_verdict read_plain(struct fl_csv *c, size_t *off, struct fl_csv_field *f)
{
	size_t i = *off;

	while (i < c->len && c->p[i] != ',' && c->p[i] != '\r' && c->p[i] != '\n') {
		if (c->p[i] == '"')
			return fail(c, FL_CSV_STRAY_QUOTE, c->line, col_at(c, i));
		i++;
	}
	if (i - *off > FL_CSV_MAX_FIELD_BYTES)
		return fail(c, FL_CSV_FIELD_TOO_LONG, f->line, f->col);
	f->s = fl_str_make(c->p + *off, i - *off);
	*off = i;
	return FL_CSV_OK;
}

/* Does the field at *off open with a quote, after spaces or tabs (`a, "b, c"`
 * as a table written by hand has it)? If so *off and f->col move to it. */
static bool quoted_after_blanks(struct fl_csv *c, size_t *off, struct fl_csv_field *f)
{
	size_t i = *off;

	while (i < c->len && (c->p[i] == ' ' || c->p[i] == '\t'))
		i++;
	if (i >= c->len || c->p[i] != '"')
		return false;
	f->col = col_at(c, i);
	*off = i;
	return true;
}

enum fl_csv_verdict fl_csv_next(struct fl_csv *c, struct fl_csv_row *row)
{
	size_t scratch_at[FL_CSV_MAX_FIELDS];
	size_t off = c->off, n = 0;
	enum fl_csv_verdict v;

	/* Completely empty lines are not rows. */
	while (eat_eol(c, &off))
		;
	if (off >= c->len)
		return FL_CSV_END;
	if (c->stats.rows >= FL_CSV_MAX_ROWS) {
		v = fail(c, FL_CSV_TOO_MANY_ROWS, c->line, col_at(c, off));
		c->off = c->len;
		c->col = 1;
		return v;
	}
	c->scratch_len = 0;
	for (;;) {
		struct fl_csv_field f = {.line = c->line, .col = col_at(c, off)};
		size_t sidx = SIZE_MAX;

		if (n == FL_CSV_MAX_FIELDS) {
			v = fail(c, FL_CSV_TOO_MANY_FIELDS, f.line, f.col);
			skip_line(c, off);
			return v;
		}
		if (quoted_after_blanks(c, &off, &f)) {
			f.was_quoted = true;
			v = read_quoted(c, &off, &f, &sidx);
			if (v == FL_CSV_UNTERMINATED_QUOTE || v == FL_CSV_NO_MEMORY)
				return v;
			while (off < c->len && (c->p[off] == ' ' || c->p[off] == '\t'))
				off++;
			if (v == FL_CSV_OK && off < c->len && c->p[off] != ',' &&
			    c->p[off] != '\r' && c->p[off] != '\n')
				v = fail(c, FL_CSV_BAD_AFTER_QUOTE, c->line, col_at(c, off));
		} else {
			v = read_plain(c, &off, &f);
		}
		if (v != FL_CSV_OK) {
			skip_line(c, off);
			return v;
		}
		scratch_at[n] = sidx;
		c->fields[n++] = f;
		if (off < c->len && c->p[off] == ',') {
			off++;
			continue;
		}
		break;
	}
	/* Escaped fields point into scratch, which may have moved while growing. */
	for (size_t i = 0; i < n; i++)
		if (scratch_at[i] != SIZE_MAX)
			c->fields[i].s.p = c->scratch + scratch_at[i];
	row->fields = c->fields;
	row->nfields = n;
	row->line = c->fields[0].line;
	c->stats.rows++;
	if (c->expect_fields == 0)
		c->expect_fields = n;
	v = FL_CSV_OK;
	if (n != c->expect_fields) {
		size_t at_line = c->line, at_col = col_at(c, off);

		if (n > c->expect_fields) {
			at_line = c->fields[c->expect_fields].line;
			at_col = c->fields[c->expect_fields].col;
		}
		v = fail(c, FL_CSV_FIELD_COUNT, at_line, at_col);
	}
	if (!eat_eol(c, &off))
		c->off = off;
	if (v == FL_CSV_OK)
		c->stats.verdicts[FL_CSV_OK]++;
	return v;
}

const char *fl_csv_verdict_text(enum fl_csv_verdict v)
{
	return (size_t)v < FL_ARRAY_LEN(verdict_texts) ? verdict_texts[v] : "?";
}

const char *fl_csv_verdict_name(enum fl_csv_verdict v)
{
	return (size_t)v < FL_ARRAY_LEN(verdict_names) ? verdict_names[v] : "?";
}
