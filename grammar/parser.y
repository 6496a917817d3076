/* parser.y - the plan language's grammar (pure, reentrant, with locations).
 *
 * plan  : stmt*
 * stmt  : item+ ';' | item+ '{' stmt* '}'
 * item  : word | string | number | duration | regex | dotted | op | '[' item, ... ']'
 *         (or '(' item, ... ')')
 *
 * Actions only build nodes in the parse's arena (so error recovery cannot leak);
 * meaning is given by the compiler, which resolves names after the whole plan
 * is read, so forward references work. */
%code requires {
#include "grammar/ast.h"
typedef void *yyscan_t;

struct fl_item_list {
	struct fl_ast_item *first, *last;
	size_t n;
};
struct fl_stmt_list {
	struct fl_ast_stmt *first, *last;
};

/* Spans: from the first symbol's start to the last symbol's end; an empty
 * rule sits on the last code point of the previous symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                 \
	do {                                                                        \
		if (N) {                                                            \
			(Cur) = YYRHSLOC(Rhs, 1);                                   \
			(Cur).end = YYRHSLOC(Rhs, N).end;                           \
		} else {                                                            \
			(Cur) = YYRHSLOC(Rhs, 0);                                   \
			fl_loc_to_last(&(Cur));                                     \
		}                                                                   \
	} while (0)
}

%code provides {
int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
}

%code {
#include <string.h>

#include "engine/lib/limits.h"

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct fl_parse *p, const char *msg)
{
	const char *hint = "";

	(void)scanner;
	/* bison names what it saw; say what the author most likely forgot */
	if (strstr(msg, "unexpected '}'"))
		hint = " (is a ';' missing before it?)";
	else if (strstr(msg, "unexpected end of file"))
		hint = " (is a '}' or ';' missing?)";
	else if (strstr(msg, "unexpected '{'"))
		hint = " (a block needs a keyword and a name before it)";
	fl_diag_error(p->diags, loc, "%s%s", msg, hint);
	/* at the end of the file, show where the block left open began */
	if (strstr(msg, "unexpected end of file") && p->depth > 0 &&
	    p->depth <= FL_PLAN_MAX_DEPTH)
		fl_diag_note(p->diags, &p->open_brace[p->depth - 1], "this '{' is never closed");
}

static void list_add(struct fl_item_list *l, struct fl_ast_item *it)
{
	if (!it)
		return;
	if (l->last)
		l->last->next = it;
	else
		l->first = it;
	l->last = it;
	l->n++;
}

/* The set that opened at open, its elements elems, closed at close. */
static struct fl_ast_item *set_close(struct fl_ast_item *open, const struct fl_item_list *elems,
				     const struct fl_loc *close)
{
	if (open) {
		open->elems = elems->first;
		open->nelems = (uint32_t)elems->n;
		open->loc.end = close->end;
	}
	return open;
}

static void stmts_add(struct fl_stmt_list *l, struct fl_ast_stmt *s)
{
	if (!s)
		return;
	if (l->last)
		l->last->next = s;
	else
		l->first = s;
	l->last = s;
}

static void plan_add(struct fl_parse *p, struct fl_ast_stmt *s)
{
	if (!s)
		return;
	if (p->last)
		p->last->next = s;
	else
		p->first = s;
	p->last = s;
}

/* Error recovery: count, and give up once the diagnostics cap is reached. */
#define RECOVERED()                                                                 \
	do {                                                                        \
		if (++p->nerrs >= FL_MAX_DIAGS)                                     \
			YYABORT;                                                    \
		yyerrok;                                                            \
	} while (0)
}

%define api.pure full
%define api.location.type {struct fl_loc}
%define parse.error detailed
%locations
%param {yyscan_t scanner}
%parse-param {struct fl_parse *p}

%union {
	struct fl_ast_item *item;
	struct fl_item_list items;
	struct fl_ast_stmt *stmt;
	struct fl_stmt_list stmts;
}

%token <item> WORD "name" STRING "string" NUMBER "number" DURATION "duration"
%token <item> REGEX "regex" DOTTED "address or OID" OP "operator"
%token <item> '[' "'['" '(' "'('"
%token ']' "']'" ')' "')'" ';' "';'" '{' "'{'" '}' "'}'"

%type <item> item set
%type <items> items elems
%type <stmt> stmt
%type <stmts> body

%%

plan	: %empty
	| plan stmt		{ plan_add(p, $2); }
	| plan error '}'	{ RECOVERED(); }
	;

/* Recovery: a bad statement ends at its ';'; a bad block at its own '}', so
 * the statements after it are read in the right block. */
stmt	: items ';'		{ $$ = fl_ast_stmt_new(p, $1.first, NULL, NULL); }
	| items '{' body '}'	{ $$ = fl_ast_stmt_new(p, $1.first, $3.first, &@2); }
	| items '{' body error '}'	{ $$ = NULL; RECOVERED(); }
	| error ';'		{ $$ = NULL; RECOVERED(); }
	;

body	: %empty		{ $$.first = $$.last = NULL; }
	| body stmt		{ $$ = $1; stmts_add(&$$, $2); }
	;

/* The item kinds are spelled out rather than reduced through an "item"
 * rule: that saves the parser one reduction per token, a million of them in
 * a large plan, and accepts the same language. */
items	: item			{ $$.first = $$.last = NULL; $$.n = 0; list_add(&$$, $1); }
	| items WORD		{ $$ = $1; list_add(&$$, $2); }
	| items STRING		{ $$ = $1; list_add(&$$, $2); }
	| items NUMBER		{ $$ = $1; list_add(&$$, $2); }
	| items DURATION	{ $$ = $1; list_add(&$$, $2); }
	| items REGEX		{ $$ = $1; list_add(&$$, $2); }
	| items DOTTED		{ $$ = $1; list_add(&$$, $2); }
	| items OP		{ $$ = $1; list_add(&$$, $2); }
	| items set		{ $$ = $1; list_add(&$$, $2); }
	;

item	: WORD | STRING | NUMBER | DURATION | REGEX | DOTTED | OP | set ;

set	: '[' elems ']'		{ $$ = set_close($1, &$2, &@3); }
	| '(' elems ')'		{ $$ = set_close($1, &$2, &@3); } /* as SQL writes one */
	;

elems	: %empty		{ $$.first = $$.last = NULL; $$.n = 0; }
	| elems WORD		{ $$ = $1; list_add(&$$, $2); }
	| elems STRING		{ $$ = $1; list_add(&$$, $2); }
	| elems NUMBER		{ $$ = $1; list_add(&$$, $2); }
	| elems DURATION	{ $$ = $1; list_add(&$$, $2); }
	| elems DOTTED		{ $$ = $1; list_add(&$$, $2); }
	| elems REGEX		{ $$ = $1; list_add(&$$, $2); } /* refused by the compiler, */
	| elems OP		{ $$ = $1; list_add(&$$, $2); } /* which says why */
	;

%%
