#include "grammar/ast.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "grammar/arena.h"
#include "parser.h"
#include "scanner.h"

/* Whether text holds only ASCII bytes other than a newline, eight at a time:
 * then every byte is one column, which is what almost every token is. */
static bool plain_ascii(const char *text, size_t len)
{
	const uint64_t high = 0x8080808080808080u, ones = 0x0101010101010101u;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w, nl;

		memcpy(&w, text + i, sizeof(w));
		nl = w ^ (ones * '\n'); /* a zero byte where text has '\n' */
		if ((w | ((nl - ones) & ~nl)) & high)
			return false;
	}
	for (; i < len; i++)
		if ((unsigned char)text[i] >= 0x80 || text[i] == '\n')
			return false;
	return true;
}

void fl_loc_step(struct fl_parse *p, struct fl_loc *loc, const char *text, size_t len)
{
	int line = p->line, column = p->column;
	int last_line = line, last_column = column;
	size_t line_off = p->line_off;
	size_t slow = len; /* bytes left to the per-byte count below */

	loc->src = p->src;
	loc->first_line = line;
	loc->first_column = column;
	loc->line_off = (uint32_t)line_off; /* fl_parse_source() caps the text */
	loc->off = (uint32_t)p->off;
	if (len > 0 && len < (size_t)INT_MAX / 2 && plain_ascii(text, len)) {
		last_column = column + (int)len - 1;
		column += (int)len;
		slow = 0;
	}
	for (size_t i = 0; i < slow; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			line++;
			column = 1;
			line_off = p->off + i + 1;
			continue;
		}
		if ((c & 0xc0) == 0x80) /* continuation byte: same code point */
			continue;
		last_line = line;
		last_column = column;
		column++;
	}
	loc->last_line = last_line;
	loc->last_column = last_column;
	p->line = line;
	p->column = column;
	p->line_off = line_off;
	p->off += len;
	loc->end = (uint32_t)p->off;
}

_Static_assert(alignof(struct fl_ast_item) <= FL_ARENA_PACKED_ALIGN &&
		       alignof(struct fl_ast_stmt) <= FL_ARENA_PACKED_ALIGN,
	       "AST nodes are allocated packed");

struct fl_ast_item *fl_ast_item_room(struct fl_parse *p, enum fl_item_kind kind,
				     const struct fl_loc *loc, size_t cap)
{
	/* The item and its text in one allocation: one per token of the plan. */
	struct fl_ast_item *it = NULL;
	char *text;

	if (cap < SIZE_MAX - sizeof(*it) - 1)
		it = fl_arena_alloc_packed(p->ast, sizeof(*it) + cap + 1);
	if (!it) {
		p->oom = true;
		return NULL;
	}
	text = (char *)(it + 1);
	text[0] = '\0';
	*it = (struct fl_ast_item){.kind = kind, .loc = *loc, .text = text};
	if (kind == FL_ITEM_REGEX)
		it->flags = "";
	return it;
}

struct fl_ast_item *fl_ast_item_new(struct fl_parse *p, enum fl_item_kind kind,
				    const struct fl_loc *loc, const char *text, size_t len)
{
	struct fl_ast_item *it = fl_ast_item_room(p, kind, loc, len);
	char *copy;

	if (!it)
		return NULL;
	copy = (char *)(it + 1);
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	it->len = len;
	return it;
}

struct fl_ast_stmt *fl_ast_stmt_new(struct fl_parse *p, struct fl_ast_item *items,
				    struct fl_ast_stmt *body, const struct fl_loc *block_loc)
{
	struct fl_ast_stmt *s;
	size_t n = 0;

	for (struct fl_ast_item *it = items; it; it = it->next)
		n++;
	if (n == 0)
		return NULL;
	if (n > FL_PLAN_MAX_ITEMS) {
		fl_diag_error(p->diags, &items->loc, "statement has %zu words; the limit is %d", n,
			      FL_PLAN_MAX_ITEMS);
		return NULL;
	}
	/* the statement, its item array and its '{' in one allocation; n is
	 * capped above, and the array of pointers keeps the fl_loc aligned */
	s = fl_arena_alloc_packed(p->ast, sizeof(*s) + n * sizeof(*s->items) +
						(block_loc ? sizeof(*block_loc) : 0));
	if (!s) {
		p->oom = true;
		return NULL;
	}
	*s = (struct fl_ast_stmt){.items = (struct fl_ast_item **)(s + 1),
				  .nitems = n,
				  .body = body,
				  .file = (uint32_t)p->file};
	if (block_loc) {
		struct fl_loc *at = (struct fl_loc *)(s->items + n);

		*at = *block_loc;
		s->block_loc = at;
	}
	n = 0;
	for (struct fl_ast_item *it = items; it; it = it->next)
		s->items[n++] = it;
	return s;
}

int fl_parse_source(struct fl_parse *p, const struct fl_src *src, size_t file)
{
	yyscan_t scanner;
	YY_BUFFER_STATE buf;
	size_t errors = fl_diag_errors(p->diags);
	int rc;

	if (src->len > FL_PLAN_MAX_BYTES) {
		fl_diag_error(p->diags, NULL, "%s: plan file is %zu bytes; the limit is %u",
			      src->name, src->len, FL_PLAN_MAX_BYTES);
		return -EINVAL;
	}
	p->src = src;
	p->file = file;
	p->line = 1;
	p->column = 1;
	p->line_off = 0;
	p->off = 0;
	p->depth = 0;
	p->depth_reported = false;
	if (yylex_init_extra(p, &scanner) != 0)
		return -ENOMEM;
	buf = yy_scan_bytes(src->text, (int)src->len, scanner);
	if (!buf) {
		yylex_destroy(scanner);
		return -ENOMEM;
	}
	rc = yyparse(scanner, p);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	if (p->oom || rc == 2)
		return -ENOMEM;
	return rc != 0 || fl_diag_errors(p->diags) > errors ? -EINVAL : 0;
}
