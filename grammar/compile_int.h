/* compile_int.h - what the plan compiler's passes share (private to grammar/).
 *
 * fl_plan_compile() (compile.c) runs the passes, each over the whole
 * statement list so that forward references work and every problem is
 * reported in one run:
 *   1. read and parse the plan and its includes, cycles and depth checked
 *      (compile_read.c);
 *   2. declare: every named thing (level, ladder, role, plugin, rule,
 *      correlation, window, test) goes into its symbol table, duplicates are
 *      errors with a note at the first declaration (compile_declare.c);
 *   3. compile each declaration's body, resolving names, compiling regexes and
 *      templates, checking types, a duration where a number is needed ...
 *      (compile_blocks.c, compile_expr.c for conditions, templates and
 *      regexes, compile_tests.c for test blocks);
 *   4. warn about what is legal but probably wrong: unused ladder, role or
 *      capture, a rule shadowed by an earlier one, a rule the prefilter
 *      cannot key on a literal, a regex that may backtrack without end
 *      (compile_warn.c; the last as each regex compiles);
 *   5. load the data files and check the plan against them (compile_data.c).
 * compile_items.c holds what every pass reads statements with: symbol tables,
 * item accessors and the "expected ..."/"unknown ..." diagnostics.
 *
 * All program arrays grow with realloc (PUSH) and are handed to the plan's
 * cleanup list once complete: the program never points into the AST, which is
 * freed at the end. A struct fl_compile belongs to one compile call. */
#ifndef FL_COMPILE_INT_H
#define FL_COMPILE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "grammar/ast.h"
#include "grammar/diag.h"

struct fl_mib_object;
#include "grammar/plan.h"
#include "grammar/arena.h"
#include "grammar/plan_data.h"

struct fl_plan {
	struct fl_arena *arena;
	struct fl_program prog;
};

/* --- symbol tables ---------------------------------------------------------- */

struct sym {
	const char *name; /* NULL: empty slot */
	uint32_t index;
	const struct fl_loc *loc; /* the declaration (AST: valid while compiling) */
	bool used;
};

struct symtab {
	struct sym *v;
	size_t cap, n;
	const char **names; /* in declaration order, for did-you-mean */
};

/* --- compile state ------------------------------------------------------------ */

struct fl_compile {
	struct fl_diags *d;
	const struct fl_plan_options *opt;
	struct fl_parse parse;
	struct fl_plan *plan;
	struct fl_program *prog;
	bool oom;
	char **file_paths; /* by file index, as opened */
	char **file_real;  /* realpath of each */
	size_t n_files;
	struct symtab levels, ladders, roles, channels, rules, correlations, windows, tests;
	const struct fl_ast_stmt **rule_stmts, **corr_stmts;
	bool *capture_used;
	size_t capture_used_alloc;
	const struct fl_loc **capture_locs;
	bool *regex_keyed; /* by regex index: its walk gave the prefilter an atom */
	size_t regex_keyed_alloc;
	/* regexes by pattern and options, each index + 1 (0: empty slot): a
	 * regex written again shares the first one's PCRE2 code and tree */
	uint32_t *regex_slots;
	size_t regex_slots_cap;
	const struct fl_loc **template_locs; /* by template index: the string item */
	size_t template_locs_alloc;
	/* sizes of the growable program arrays */
	size_t a_levels, a_ladders, a_steps, a_roles, a_channels, a_step_channels, a_windows,
		a_plugin_paths, a_rules, a_conds, a_set_values, a_regexes, a_captures, a_key_fields, a_actions,
		a_templates, a_tparts, a_correlations, a_rule_refs, a_tests, a_test_events, a_test_varbinds,
		a_expects, a_announces, a_relays, a_relay_roles, a_messages, a_message_roles,
		a_message_channels, a_duties;
	const struct fl_ast_stmt *relay_stmt; /* the plan's relay block, once */
	const struct fl_ast_stmt *data_stmts[FL_DATA__COUNT];
	const char *require_24h[16]; /* roles whose contacts must answer 24 h */
	size_t n_require_24h;
	size_t rule_count;
	/* the rule or correlation being compiled: what its templates may name */
	struct {
		bool in_rule, in_corr, has_lookup;
		bool names_groups; /* the rule names a group by number: ${1}, key 1 */
		uint32_t max_groups; /* the most groups of one of its regexes so far */
		/* the varbind the condition being compiled reads, when the
		 * bundled MIB table knows it (its named values), else NULL */
		const struct fl_mib_object *varbind_obj;
		enum fl_rule_input input;
		const char *wrong_input; /* last field refused for the rule's input */
		uint32_t first_capture, n_captures;
		const struct fl_ast_stmt *stmt;
		const char *set_fields[32];
		size_t n_set_fields;
		uint32_t input_rules_first, n_input_rules;
	} scope;
};

#define PUSH(c, field) \
	((__typeof__(c->prog->field))grow(c, &c->prog->field, &c->prog->n_##field, \
					    &c->a_##field, sizeof(*c->prog->field)))

/* Top-level statements, in the order of top_words (compile_declare.c). */
enum { T_PLAN, T_TIMEZONE, T_INCLUDE, T_DATA, T_ROLES, T_PLUGIN, T_REQUIRE, T_LEVEL,
       T_LADDER, T_MAINTENANCE, T_RULE, T_CORRELATE, T_TEST, T_ANNOUNCE, T_RELAY,
       T_TEMPLATE, T_DUTY, T__COUNT };

/* --- item accessors ------------------------------------------------------------ */

static inline const char *item_kind_name(const struct fl_ast_item *it)
{
	static const char *const names[] = {"a name", "a string", "a number", "a duration",
					    "a regex", "an address or OID", "an operator", "a set"};

	return names[it->kind];
}

static inline bool is_word(const struct fl_ast_item *it, const char *w)
{
	return it && it->kind == FL_ITEM_WORD && strcmp(it->text, w) == 0;
}

static inline bool is_op(const struct fl_ast_item *it, const char *op)
{
	return it && it->kind == FL_ITEM_OP && strcmp(it->text, op) == 0;
}

/* The values v stands for, one at a time: a set's elements without its
 * commas, or v itself. next_value(v, NULL) is the first; NULL after the last. */
static inline const struct fl_ast_item *next_value(const struct fl_ast_item *v,
						   const struct fl_ast_item *prev)
{
	const struct fl_ast_item *e;

	if (v->kind != FL_ITEM_SET)
		return prev ? NULL : v;
	for (e = prev ? prev->next : v->elems; e && is_op(e, ","); e = e->next)
		;
	return e;
}

/* The statement's item i, or NULL past the end. */
static inline const struct fl_ast_item *at(const struct fl_ast_stmt *s, size_t i)
{
	return i < s->nitems ? s->items[i] : NULL;
}

/* Where "something is missing after item i": the end of item i-1. */
static inline struct fl_loc after_loc(const struct fl_ast_stmt *s, size_t i)
{
	struct fl_loc l = s->items[i ? i - 1 : 0]->loc;

	if (memchr(l.src->text + l.off, '\n', l.end - l.off))
		return l; /* an item over lines: point at it */
	l.off = l.end;
	return l;
}

/* --- compile_items.c: symbol tables, growth, diagnostics ------------------------ */

struct sym *sym_find(const struct symtab *t, const char *name);
struct sym *sym_add(struct symtab *t, const char *name, const struct fl_loc *loc,
		    bool *dup);
void symtab_free(struct symtab *t);
void *grow(struct fl_compile *c, void *vp, size_t *n, size_t *alloc, size_t esz);
/* Frees an array grow() made, whose capacity is bytes long. */
#define FL_ARRAY_MAPPED (1u << 20)
void array_free(void *v, size_t bytes);
struct fl_str arena_str(struct fl_compile *c, const char *p, size_t n);
void expected(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	      const char *what);
void no_more(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i);
bool want_kind(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	       enum fl_item_kind kind, const char *what);
bool want_word(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	       const char *what);
bool want_name(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	       const char *what);
bool want_duration(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		   int64_t *ms);
bool want_count(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i, int64_t *n);
void unknown(struct fl_compile *c, const struct fl_loc *loc, const char *what,
	     const char *name, const char *const *cands, size_t n);
uint32_t resolve(struct fl_compile *c, struct symtab *t, const struct fl_ast_item *it,
		 const char *what);
int keyword(struct fl_compile *c, const struct fl_ast_item *it, const char *what,
	    const char *const *words, size_t n);
struct sym *declare(struct fl_compile *c, struct symtab *t, const struct fl_ast_item *it,
		    const char *what);
int clause(struct fl_compile *c, const struct fl_ast_stmt *s, const char *block,
	   const char *const *words, size_t n);
bool once(struct fl_compile *c, const struct fl_ast_stmt *s,
	  const struct fl_ast_stmt **seen);

/* --- compile_read.c: files and includes ----------------------------------------- */

/* read_whole: *text (the caller's to free) has room for a NUL after len.
 * parse_file takes text, such a buffer, on every path: the diagnostics keep
 * it as the source they quote. */
int read_whole(const char *path, char **text, size_t *len);
char *path_join(const char *base_file, const char *rel);
int parse_file(struct fl_compile *c, const char *path, char *text, size_t len, int depth,
	       const struct fl_loc *from);

/* --- compile_expr.c: templates, regexes, conditions ----------------------------- */

bool resolve_field(struct fl_compile *c, const char *name, struct fl_prog_field *f);
/* Is name a group's number ("1".."99"), the name a numbered capture has? */
static inline bool is_group_number(const char *name)
{
	return name[0] >= '1' && name[0] <= '9' &&
	       (!name[1] || (name[1] >= '0' && name[1] <= '9' && !name[2]));
}
void field_error(struct fl_compile *c, const struct fl_loc *loc, const char *name);
/* The location of byte off of a regex item's pattern. */
struct fl_loc loc_in_regex(const struct fl_ast_item *it, size_t off);
/* The location of the nth "${" of a string item, name_len wide. */
struct fl_loc loc_in_string(const struct fl_ast_item *it, size_t nth, size_t name_len);
const char *field_hint(struct fl_compile *c, const char *name);
uint32_t compile_template(struct fl_compile *c, const struct fl_ast_item *it);
bool oid_encode(const char *text, uint8_t *out, size_t *len);
bool oid_item(struct fl_compile *c, const struct fl_ast_item *v, uint8_t *out, size_t *len);
/* ADDRESS or NETWORK text (10.12.0.0/16, 2001:db8::/32) into cond->addr. */
bool parse_cidr(const char *text, struct fl_prog_cond *cond);
/* The peer `in` / `not in` networks and addresses, a set of them or one,
 * into an address set (FL_PROG_NET_*). false after reporting. */
bool compile_addr_set(struct fl_compile *c, const struct fl_ast_item *v,
		      struct fl_prog_cond *cond);
/* v as a named value of the varbind being compared (c->scope.varbind_obj):
 * 1 and *out; 0 when it names none; -1 after reporting a wrong name. */
int varbind_enum(struct fl_compile *c, const struct fl_ast_item *v, int64_t *out);
bool compile_where(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		   uint32_t *first, uint32_t *n);

/* --- compile_blocks.c: levels, ladders, windows, rules, correlations ------------ */

void compile_level(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index);
extern const char *const scope_words[FL_SCOPE__COUNT];
void compile_ladder(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index);
void compile_announce(struct fl_compile *c, const struct fl_ast_stmt *st);
void compile_via(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i, uint32_t *first,
		 uint32_t *n);

/* --- compile_relay.c: the relay block of dispatch directives -------------------- */

void compile_relay(struct fl_compile *c, const struct fl_ast_stmt *st);

/* --- compile_message.c: message templates ---------------------------------------- */

void compile_message(struct fl_compile *c, const struct fl_ast_stmt *st);

/* --- compile_duty.c: periodic duties -------------------------------------------- */

void compile_duty(struct fl_compile *c, const struct fl_ast_stmt *st);
void compile_window(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index);
void compile_rule(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index);
void compile_correlation(struct fl_compile *c, const struct fl_ast_stmt *st,
			 uint32_t index);

/* --- compile_tests.c, compile_declare.c, compile_warn.c, compile_data.c --------- */

void compile_test(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index);
void declare_all(struct fl_compile *c, int *kinds);
void compile_all(struct fl_compile *c, const int *kinds);
void warn_shadowed(struct fl_compile *c);
/* The regex item's requirement tree (known: the one of the same pattern
 * written before, else built here and returned in *built, the caller's),
 * and its warnings at the item. NULL: out of memory (c->oom set). */
const struct fl_rxreq *warn_regex(struct fl_compile *c, const struct fl_ast_item *it,
				  uint32_t pcre2_options, const struct fl_rxreq *known,
				  struct fl_rxreq **built);
void warn_every_event(struct fl_compile *c);
void warn_unused(struct fl_compile *c);
void load_data(struct fl_compile *c, struct fl_plan_data_counts *counts);
void check_against_data(struct fl_compile *c);

#endif /* FL_COMPILE_INT_H */
