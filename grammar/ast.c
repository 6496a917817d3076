#include "grammar/ast.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/lib/utf8.h"
#include "grammar/arena.h"
#include "parser.h"
#include "scanner.h"

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

/* The first byte of src that is not UTF-8, as a location; false when all
 * of it is. */
static bool first_non_utf8(const struct fl_src *src, struct fl_loc *at, unsigned char *byte)
{
	size_t i = 0;

	if (fl_utf8_valid(src->text, src->len))
		return false;
	while (i < src->len) {
		size_t n = fl_utf8_seq_len(src->text + i, src->len - i);

		if (n == 0) {
			*byte = (unsigned char)src->text[i];
			*at = (struct fl_loc){src, (uint32_t)i, (uint32_t)i + 1};
			return true;
		}
		i += n;
	}
	return false;
}

int fl_parse_source(struct fl_parse *p, const struct fl_src *src, size_t file)
{
	yyscan_t scanner;
	YY_BUFFER_STATE buf;
	size_t errors = fl_diag_errors(p->diags);
	char *copy;
	int rc;

	if (src->len > FL_PLAN_MAX_BYTES) {
		fl_diag_error(p->diags, NULL, "%s: plan file is %zu bytes; the limit is %u",
			      src->name, src->len, FL_PLAN_MAX_BYTES);
		return -EINVAL;
	}
	{
		struct fl_loc at;
		unsigned char byte;

		/* what people read (titles, messages, labels) must be UTF-8; a
		 * plan saved as GBK would page them in mojibake */
		if (first_non_utf8(src, &at, &byte)) {
			fl_diag_error(p->diags, &at,
				      "byte 0x%02X is not UTF-8: save the plan as UTF-8 (a file "
				      "saved as GBK converts with: iconv -f GBK -t UTF-8)",
				      byte);
			return -EINVAL;
		}
	}
	p->src = src;
	p->file = file;
	p->off = 0;
	p->depth = 0;
	p->depth_reported = false;
	/* The scanner writes into its buffer as it goes (a NUL after each
	 * token, put back after), so it reads a copy; yy_scan_bytes() made it a
	 * byte at a time, 6 instructions a byte of a 7.8 MB plan. The copy ends
	 * in the two NULs flex wants. */
	copy = malloc(src->len + 2);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, src->text, src->len);
	copy[src->len] = copy[src->len + 1] = '\0';
	if (yylex_init_extra(p, &scanner) != 0) {
		free(copy);
		return -ENOMEM;
	}
	buf = yy_scan_buffer(copy, src->len + 2, scanner);
	if (!buf) {
		yylex_destroy(scanner);
		free(copy);
		return -ENOMEM;
	}
	rc = yyparse(scanner, p);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	free(copy);
	if (p->oom || rc == 2)
		return -ENOMEM;
	return rc != 0 || fl_diag_errors(p->diags) > errors ? -EINVAL : 0;
}
