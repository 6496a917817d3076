#include "grammar/ast.h"

#include <errno.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "grammar/arena.h"
#include "parser.h"
#include "scanner.h"

void fl_loc_step(struct fl_parse *p, struct fl_loc *loc, const char *text, size_t len)
{
	loc->src = p->src;
	loc->first_line = p->line;
	loc->first_column = p->column;
	loc->line_off = p->line_off;
	loc->off = p->off;
	loc->last_line = p->line;
	loc->last_column = p->column;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			p->line++;
			p->column = 1;
			p->line_off = p->off + i + 1;
			continue;
		}
		if ((c & 0xc0) == 0x80) /* continuation byte: same code point */
			continue;
		loc->last_line = p->line;
		loc->last_column = p->column;
		p->column++;
	}
	p->off += len;
	loc->end = p->off;
}

struct fl_ast_item *fl_ast_item_new(struct fl_parse *p, enum fl_item_kind kind,
				    const struct fl_loc *loc, const char *text, size_t len)
{
	struct fl_ast_item *it = fl_arena_alloc(p->ast, sizeof(*it));

	if (!it || !(it->text = fl_arena_strdup(p->ast, text, len))) {
		p->oom = true;
		return NULL;
	}
	it->kind = kind;
	it->loc = *loc;
	it->len = len;
	it->flags = "";
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
	s = fl_arena_alloc(p->ast, sizeof(*s));
	if (!s || !(s->items = fl_arena_alloc(p->ast, n * sizeof(*s->items)))) {
		p->oom = true;
		return NULL;
	}
	n = 0;
	for (struct fl_ast_item *it = items; it; it = it->next)
		s->items[n++] = it;
	s->nitems = n;
	s->loc = items->loc;
	s->has_block = block_loc != NULL;
	if (block_loc)
		s->block_loc = *block_loc;
	s->body = body;
	s->file = p->file;
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
