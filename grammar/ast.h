/* ast.h - the syntax tree of a plan, and the parser's state.
 *
 * The grammar is deliberately regular: a plan is a list of statements, and a
 * statement is a list of items ended by ';' or followed by a { } block of more
 * statements. Items are words, strings, numbers, durations, regexes, dotted
 * values (addresses, CIDRs, OIDs), operators and [ ] sets. What a statement
 * means is decided by the compiler (compile.c) from a table per block, so an
 * unknown keyword is one diagnostic with a "did you mean" rather than a
 * syntax error several tokens later.
 *
 * Every node lives in the parse's arena and is freed with it once the program
 * is compiled; nodes keep the struct fl_loc of their text. A struct fl_parse
 * belongs to one compilation (one thread); nothing here is global, so two plans
 * compile in one process. */
#ifndef FL_AST_H
#define FL_AST_H
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "grammar/diag.h"

struct fl_arena;

enum fl_item_kind {
	FL_ITEM_WORD,	  /* name, keyword, dotted name (span.ring), dashed id */
	FL_ITEM_STRING,	  /* "..." unescaped; may hold ${field} */
	FL_ITEM_NUMBER,	  /* decimal integer */
	FL_ITEM_DURATION, /* 30s, 5m, 2h, 1d, 250ms: num in milliseconds */
	FL_ITEM_REGEX,	  /* /pattern/flags */
	FL_ITEM_DOTTED,	  /* 10.0.0.0/8, 1.3.6.1.4.1, ::1 */
	FL_ITEM_OP,	  /* == != < <= > >= ~ !~ , */
	FL_ITEM_SET,	  /* [ item, item ... ] */
};

/* A plan of 10,000 patterns has 890,000 items and 170,000 statements, all
 * written once by the parser and read back by the compiler: the fields are
 * ordered so no padding is wasted, what only one kind of item uses shares a
 * union, a location is two offsets (56 bytes an item), and a statement's
 * item array is allocated with it. */
struct fl_ast_item {
	struct fl_loc loc;
	const char *text; /* NUL-terminated: word, string value, pattern, op */
	size_t len;
	union { /* by kind: read only the member of the item's kind */
		int64_t num;		   /* NUMBER, DURATION (ms); 0 for the rest */
		const char *flags;	   /* REGEX flags, "" when none */
		struct fl_ast_item *elems; /* SET: first element */
	};
	struct fl_ast_item *next;
	uint32_t nelems; /* SET: elements (a plan's bytes bound them) */
	enum fl_item_kind kind;
};

/* A statement's place is its first item's (items[0]->loc: there is always
 * one); only the '{' of a block, which diagnostics rarely name, is kept
 * apart, after the item array: 48 bytes a statement, not 120. */
struct fl_ast_stmt {
	const struct fl_loc *block_loc; /* the '{'; NULL without a block */
	struct fl_ast_item **items; /* array of nitems, just after the statement */
	size_t nitems;
	struct fl_ast_stmt *body; /* first statement of the block */
	struct fl_ast_stmt *next;
	uint32_t file; /* index of the plan file it came from, < FL_PLAN_MAX_FILES */
};

/* One parse of one or more sources into one statement list. */
struct fl_parse {
	struct fl_arena *ast;	 /* owns every node */
	struct fl_diags *diags; /* borrowed */
	const struct fl_src *src;
	size_t file;
	size_t off; /* scanner position: the next byte to read */
	int depth; /* open blocks, against FL_PLAN_MAX_DEPTH */
	struct fl_loc open_brace[FL_PLAN_MAX_DEPTH]; /* where each open block began */
	bool depth_reported;
	size_t nerrs;
	bool oom;
	struct fl_ast_stmt *first, *last; /* top-level statements so far */
};

/* Parses src (registered in p->diags) and appends its top-level statements to
 * p. Returns 0 when it parsed cleanly, -EINVAL after reporting syntax errors
 * (the statements that did parse are kept), -ENOMEM. */
int fl_parse_source(struct fl_parse *p, const struct fl_src *src, size_t file) FL_MUST_CHECK;

/* Scanner helper: sets *loc to the token of len bytes at the current
 * position and advances the position over it. Lines and columns are found
 * from the offsets when a diagnostic is printed (fl_loc_place()). */
static inline void fl_loc_step(struct fl_parse *p, struct fl_loc *loc, size_t len)
{
	loc->src = p->src;
	loc->off = (uint32_t)p->off; /* fl_parse_source() caps the text */
	p->off += len;
	loc->end = (uint32_t)p->off;
}

/* Narrows *loc to its last code point (no change to a point, or without a
 * source): where a parser rule that matched nothing sits. */
static inline void fl_loc_to_last(struct fl_loc *loc)
{
	uint32_t o = loc->end;

	if (!loc->src || loc->end <= loc->off)
		return;
	do
		o--;
	while (o > loc->off && ((unsigned char)loc->src->text[o] & 0xc0) == 0x80);
	loc->off = o;
}

/* Node builders used by the parser's actions; NULL (and p->oom) when out of memory. */
struct fl_ast_item *fl_ast_item_new(struct fl_parse *p, enum fl_item_kind kind,
				    const struct fl_loc *loc, const char *text, size_t len);
/* An item whose text the caller writes: room for cap bytes and a NUL, text
 * "" and len 0 until the caller fills it (len <= cap, NUL after). For the
 * scanner's unescaping, which knows only a bound until it has copied. */
struct fl_ast_item *fl_ast_item_room(struct fl_parse *p, enum fl_item_kind kind,
				     const struct fl_loc *loc, size_t cap);
struct fl_ast_stmt *fl_ast_stmt_new(struct fl_parse *p, struct fl_ast_item *items,
				    struct fl_ast_stmt *body, const struct fl_loc *block_loc);

/* What to write for `||` or `or` between a rule's conditions. */
#define FL_PLAN_OR_HINT                                                                     \
	"a rule's conditions all hold (joined by 'and'); for one of several values write a " \
	"set (app in [\"a\", \"b\"]) or one regex (/LOS|LOF/), for either of two "          \
	"conditions two rules"

#endif /* FL_AST_H */
