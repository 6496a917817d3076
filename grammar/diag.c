#include "grammar/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "engine/lib/utf8.h"

struct diag {
	enum fl_diag_kind kind;
	bool has_loc;
	struct fl_loc loc;
	char *file; /* fl_diag_at() only */
	size_t line, col;
	char *msg;
	size_t parent; /* notes: index of their error/warning; others: own index */
	size_t seq;
};

struct fl_diags {
	struct fl_src **srcs;
	size_t nsrcs;
	struct diag *v;
	size_t n, alloc;
	size_t errors, warnings, dropped;
	bool last_dropped; /* the note's parent did not fit: drop the note too */
};

int fl_diags_create(struct fl_diags **out)
{
	struct fl_diags *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	*out = d;
	return 0;
}

void fl_diags_destroy(struct fl_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].msg);
		free(d->v[i].file);
	}
	free(d->v);
	for (size_t i = 0; i < d->nsrcs; i++) {
		free((char *)d->srcs[i]->name);
		free((char *)d->srcs[i]->text);
		free(d->srcs[i]);
	}
	free(d->srcs);
	free(d);
}

const struct fl_src *fl_diag_source(struct fl_diags *d, const char *name, const char *text,
				    size_t len)
{
	char *t = len < SIZE_MAX ? malloc(len + 1) : NULL;

	if (!t) {
		fl_diag_error(d, NULL, "out of memory reading %s", name);
		return NULL;
	}
	if (len)
		memcpy(t, text, len);
	return fl_diag_source_take(d, name, t, len);
}

const struct fl_src *fl_diag_source_take(struct fl_diags *d, const char *name, char *text,
					 size_t len)
{
	struct fl_src *s = calloc(1, sizeof(*s)), **v;
	char *n = strdup(name);

	v = realloc(d->srcs, (d->nsrcs + 1) * sizeof(*v));
	if (v)
		d->srcs = v;
	if (!s || !n || !text || !v) {
		free(s);
		free(n);
		free(text);
		fl_diag_error(d, NULL, "out of memory reading %s", name);
		return NULL;
	}
	text[len] = '\0';
	s->name = n;
	s->text = text;
	s->len = len;
	s->index = d->nsrcs;
	d->srcs[d->nsrcs++] = s;
	return s;
}

static struct diag *diag_push(struct fl_diags *d, enum fl_diag_kind kind, const char *fmt,
			      va_list ap) FL_PRINTF(3, 0);

static struct diag *diag_push(struct fl_diags *d, enum fl_diag_kind kind, const char *fmt,
			      va_list ap)
{
	struct diag *g;
	size_t kept = d->n;
	va_list ap2;
	int len;
	char *msg;

	if (kind == FL_DIAG_ERROR)
		d->errors++;
	else if (kind == FL_DIAG_WARNING)
		d->warnings++;
	if (kind == FL_DIAG_NOTE) {
		if (d->last_dropped || d->n == 0)
			return NULL;
	} else {
		/* Count the errors and warnings kept; notes ride with them. */
		size_t main = 0;

		for (size_t i = 0; i < d->n; i++)
			main += d->v[i].kind != FL_DIAG_NOTE;
		d->last_dropped = main >= FL_MAX_DIAGS;
		if (d->last_dropped) {
			d->dropped++;
			return NULL;
		}
	}
	if (kept == d->alloc) {
		size_t na = d->alloc ? d->alloc * 2 : 16;
		struct diag *nv = realloc(d->v, na * sizeof(*nv));

		if (!nv)
			return NULL;
		d->v = nv;
		d->alloc = na;
	}
	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return NULL;
	msg = malloc((size_t)len + 1);
	if (!msg)
		return NULL;
	vsnprintf(msg, (size_t)len + 1, fmt, ap);
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->kind = kind;
	g->msg = msg;
	g->seq = d->n;
	g->parent = d->n;
	if (kind == FL_DIAG_NOTE) {
		size_t p = d->n - 1;

		while (d->v[p].kind == FL_DIAG_NOTE)
			p = d->v[p].parent;
		g->parent = p;
	}
	d->n++;
	return g;
}

#define DIAG_FN(fn, kind)                                                                    \
	void fn(struct fl_diags *d, const struct fl_loc *loc, const char *fmt, ...)          \
	{                                                                                    \
		struct diag *g;                                                              \
		va_list ap;                                                                  \
		va_start(ap, fmt);                                                           \
		g = diag_push(d, kind, fmt, ap);                                             \
		va_end(ap);                                                                  \
		if (g && loc && loc->src) {                                                  \
			g->has_loc = true;                                                   \
			g->loc = *loc;                                                       \
		}                                                                            \
	}

DIAG_FN(fl_diag_error, FL_DIAG_ERROR)
DIAG_FN(fl_diag_warning, FL_DIAG_WARNING)
DIAG_FN(fl_diag_note, FL_DIAG_NOTE)

void fl_diag_at(struct fl_diags *d, enum fl_diag_kind kind, const char *file, size_t line,
		size_t col, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;

	va_start(ap, fmt);
	g = diag_push(d, kind, fmt, ap);
	va_end(ap);
	if (!g)
		return;
	g->file = file ? strdup(file) : NULL;
	g->line = line;
	g->col = col;
}

size_t fl_diag_errors(const struct fl_diags *d)
{
	return d->errors;
}

size_t fl_diag_warnings(const struct fl_diags *d)
{
	return d->warnings;
}

size_t fl_diag_dropped(const struct fl_diags *d)
{
	return d->dropped;
}

/* --- printing -------------------------------------------------------------- */

/* Widths and decoding come from engine/lib/utf8.h: one table for the CLI,
 * the inventory checker and these carets. */
int fl_diag_cp_width(unsigned cp)
{
	return fl_utf8_cp_width(cp);
}

static const char *kind_name(enum fl_diag_kind k)
{
	return k == FL_DIAG_ERROR ? "error" : k == FL_DIAG_WARNING ? "warning" : "note";
}

void fl_loc_place(const struct fl_loc *loc, struct fl_place *out)
{
	/* the diagnostic list made the source, writable: only the seek fields
	 * are written, by the one thread of its compilation */
	struct fl_src *s = (struct fl_src *)loc->src;
	const unsigned char *t = (const unsigned char *)s->text;
	size_t off = loc->off < s->len ? loc->off : s->len;
	size_t end = loc->end < off ? off : loc->end < s->len ? loc->end : s->len;
	size_t i = 0, line = 1, line_off = 0;
	const unsigned char *nl;
	int column = 1, at_line, at_column;

	if (s->seek_line && off >= s->seek_off) {
		i = s->seek_off;
		line = s->seek_line;
		line_off = s->seek_line_off;
	}
	for (; i < off && (nl = memchr(t + i, '\n', off - i)); i = line_off) {
		line++;
		line_off = (size_t)(nl - t) + 1;
	}
	s->seek_off = off;
	s->seek_line = line;
	s->seek_line_off = line_off;
	for (i = line_off; i < off; i++)
		column += (t[i] & 0xc0) != 0x80;
	out->first_line = out->last_line = (int)line;
	out->first_column = out->last_column = column;
	out->line_off = line_off;
	at_line = (int)line;
	at_column = column;
	for (i = off; i < end; i++) {
		if (t[i] == '\n') {
			at_line++;
			at_column = 1;
		} else if ((t[i] & 0xc0) != 0x80) {
			out->last_line = at_line;
			out->last_column = at_column++;
		}
	}
}

struct fl_loc fl_loc_columns(const struct fl_src *src, size_t line_off, size_t col, size_t n)
{
	const unsigned char *t = (const unsigned char *)src->text;
	size_t i = line_off < src->len ? line_off : src->len, c = 1, start;

	for (; i < src->len && t[i] != '\n'; i++) {
		if ((t[i] & 0xc0) == 0x80)
			continue;
		if (c == col)
			break;
		c++;
	}
	start = i;
	for (c = 0; i < src->len && t[i] != '\n'; i++) {
		if ((t[i] & 0xc0) == 0x80)
			continue;
		if (c == n)
			break;
		c++;
	}
	return (struct fl_loc){src, (uint32_t)start, (uint32_t)i};
}

/* The source line at pl, then the caret line: '^' at first_column, '~' up to
 * last_column (or the end of the line when the span goes on). */
static void render_caret(struct fl_buf *b, const struct fl_src *s, const struct fl_place *pl)
{
	const unsigned char *line = (const unsigned char *)s->text + pl->line_off;
	size_t n = 0, i = 0;
	int col = 1, last;

	if (pl->line_off > s->len)
		return;
	while (pl->line_off + n < s->len && line[n] != '\n')
		n++;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	fl_buf_printf(b, " %4d | ", pl->first_line);
	fl_buf_add(b, line, n);
	fl_buf_adds(b, "\n      | ");
	last = pl->last_line == pl->first_line ? pl->last_column : 1 << 30;
	if (last < pl->first_column)
		last = pl->first_column;
	while (i < n && col <= last) {
		size_t used;
		uint32_t cp;
		int w;

		if ((line[i] & 0xc0) == 0x80) { /* stray continuation byte: no column */
			i++;
			continue;
		}
		used = fl_utf8_next((const char *)line + i, n - i, &cp);
		w = fl_utf8_cp_width(cp);
		i += used;
		/* a combining mark (width 0) still takes a column of the scanner's:
		 * it gets no spaces, and the caret is never lost under it */
		if (col < pl->first_column)
			fl_buf_adds(b, cp == '\t' ? "\t" : w == 2 ? "  " : w == 1 ? " " : "");
		else if (col == pl->first_column)
			fl_buf_adds(b, w == 2 ? "^~" : "^");
		else
			fl_buf_adds(b, w == 2 ? "~~" : w == 1 ? "~" : "");
		col++;
	}
	if (col <= pl->first_column) /* the point is the end of the line */
		fl_buf_adds(b, "^");
	fl_buf_addc(b, '\n');
}

static void render_one(struct fl_buf *b, const struct diag *g)
{
	struct fl_place pl;

	if (g->has_loc) {
		fl_loc_place(&g->loc, &pl);
		fl_buf_printf(b, "%s:%d:%d: ", g->loc.src->name, pl.first_line, pl.first_column);
	} else if (g->file && g->line && g->col)
		fl_buf_printf(b, "%s:%zu:%zu: ", g->file, g->line, g->col);
	else if (g->file && g->line)
		fl_buf_printf(b, "%s:%zu: ", g->file, g->line);
	else if (g->file)
		fl_buf_printf(b, "%s: ", g->file);
	else
		fl_buf_adds(b, "faultline: ");
	fl_buf_printf(b, "%s: %s\n", kind_name(g->kind), g->msg);
	if (g->has_loc)
		render_caret(b, g->loc.src, &pl);
}

/* Sort key of a main diagnostic: located ones by source and position, then
 * CSV places by file name and position, then the rest in order of report. */
static int cmp_pos(const struct diag *a, const struct diag *b)
{
	int ga = a->has_loc ? 0 : a->file ? 1 : 2, gb = b->has_loc ? 0 : b->file ? 1 : 2;
	int c;

	if (ga != gb)
		return ga < gb ? -1 : 1;
	if (ga == 0) {
		if (a->loc.src->index != b->loc.src->index)
			return a->loc.src->index < b->loc.src->index ? -1 : 1;
		if (a->loc.off != b->loc.off) /* offsets sort as lines and columns do */
			return a->loc.off < b->loc.off ? -1 : 1;
	} else if (ga == 1) {
		c = strcmp(a->file, b->file);
		if (c)
			return c;
		if (a->line != b->line)
			return a->line < b->line ? -1 : 1;
		if (a->col != b->col)
			return a->col < b->col ? -1 : 1;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int fl_diag_render(const struct fl_diags *d, struct fl_buf *b)
{
	const struct diag **order;
	size_t n = 0;

	order = malloc((d->n + 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].kind != FL_DIAG_NOTE)
			order[n++] = &d->v[i];
	/* insertion sort: stable, and lists are at most FL_MAX_DIAGS long */
	for (size_t i = 1; i < n; i++) {
		const struct diag *x = order[i];
		size_t j = i;

		while (j > 0 && cmp_pos(order[j - 1], x) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		render_one(b, order[i]);
		for (size_t k = 0; k < d->n; k++)
			if (d->v[k].kind == FL_DIAG_NOTE && d->v[k].parent == order[i]->seq)
				render_one(b, &d->v[k]);
	}
	if (d->dropped)
		fl_buf_printf(b, "faultline: %zu more diagnostics not shown (limit %d)\n",
			      d->dropped, FL_MAX_DIAGS);
	free(order);
	return b->overflowed ? -EMSGSIZE : 0;
}

void fl_diag_print(const struct fl_diags *d, FILE *out)
{
	struct fl_buf b;

	fl_buf_init(&b, 16u * 1024 * 1024);
	if (fl_diag_render(d, &b) < 0)
		fprintf(out, "faultline: diagnostics truncated\n");
	if (b.len)
		fwrite(b.p, 1, b.len, out);
	fl_buf_free(&b);
}

/* --- did you mean ---------------------------------------------------------- */

const char *fl_diag_suggest(const char *name, const char *const *cands, size_t n)
{
	return fl_utf8_suggest(name, cands, n);
}
