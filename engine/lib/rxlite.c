/* rxlite.c - the pattern's tree (rxlite_parse.c) is flattened into a
 * program for a backtracking machine (the shape of Pike's and Thompson's "backtracking VM"; rxlite_match.c), whose
 * choice points are tried in PCRE2's order: the first alternative first,
 * the greedy count first. A repeat of one character or class is one
 * instruction; a repeat of a group is unrolled as PCRE2 unrolls it: the
 * minimum, then nested optional copies, or a loop when unbounded.
 *
 * Compiling runs once per regex of a plan, thousands of times at start-up:
 * the tree and the program are built in stack buffers that move to the heap
 * only for large patterns, and the program ends in one allocation. */
#include "engine/lib/rxlite.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/rxlite_tree.h"

/* ---- the program ----------------------------------------------------------------- */

struct build {
	const struct parse *ps;
	struct vec prog, sets, bytes;
	int err;
};

#define INSN(b, i) (((struct rxl_insn *)(b)->prog.p)[i])

static uint16_t here(const struct build *b)
{
	return (uint16_t)b->prog.n; /* below FL_RXLITE_MAX_PROGRAM */
}

/* Appends an instruction; its index, or UINT32_MAX with b->err set. */
static uint32_t emit(struct build *b, enum rxl_op op, uint32_t a, uint32_t arg_b)
{
	long i;

	if (b->err)
		return UINT32_MAX;
	if (b->prog.n >= FL_RXLITE_MAX_PROGRAM) {
		b->err = -ENOTSUP;
		return UINT32_MAX;
	}
	i = vec_add(&b->prog);
	if (i < 0) {
		b->err = -ENOMEM;
		return UINT32_MAX;
	}
	INSN(b, i) = (struct rxl_insn){.op = (uint8_t)op, .a = (uint16_t)a, .b = (uint16_t)arg_b,
				       .hint = {RXL_NO_HINT, RXL_NO_HINT}};
	return (uint32_t)i;
}

/* The index of set s among the program's sets, added if new. */
static uint32_t add_set(struct build *b, const struct rxl_set *s)
{
	const struct rxl_set *sets = (const struct rxl_set *)(void *)b->sets.p;
	long i;

	for (size_t k = 0; k < b->sets.n; k++)
		if (sets[k].w[0] == s->w[0] && sets[k].w[1] == s->w[1] && sets[k].high == s->high)
			return (uint32_t)k;
	i = vec_add(&b->sets);

	if (i < 0) {
		b->err = -ENOMEM;
		return 0;
	}
	((struct rxl_set *)b->sets.p)[i] = *s;
	return (uint32_t)i;
}

/* The set of bytes one character item matches. */
static struct rxl_set item_set(const struct node *n)
{
	struct rxl_set s = {{0, 0}, false};

	if (n->kind == N_SET)
		return n->set;
	set_add(&s, n->c);
	if (n->is_caseless)
		set_fold(&s);
	return s;
}

static void gen(struct build *b, int32_t i);

/* A run of characters of one case mode from *k on: one STR or STRI (or
 * CHAR); *k moves past it. */
static void gen_string(struct build *b, int32_t *k)
{
	const struct parse *ps = b->ps;
	bool caseless = NODE(ps, *k).is_caseless;
	uint32_t off = (uint32_t)b->bytes.n, len = 0;
	int32_t first = *k;

	for (; *k >= 0 && NODE(ps, *k).kind == N_CHAR && NODE(ps, *k).is_caseless == caseless;
	     *k = NODE(ps, *k).next, len++) {
		long at = b->bytes.n < MAX_BYTES ? vec_add(&b->bytes) : -2;

		if (at < 0) {
			b->err = at == -2 ? -ENOTSUP : -ENOMEM;
			return;
		}
		b->bytes.p[at] = (char)(caseless ? rxl_lower(NODE(ps, *k).c) : NODE(ps, *k).c);
	}
	if (len == 1 && !caseless) {
		b->bytes.n--;
		emit(b, RXL_CHAR, NODE(ps, first).c, 0);
		return;
	}
	emit(b, caseless ? RXL_STRI : RXL_STR, off, len);
}

/* A run of plain bytes: one STR, or STRI with its letters lowered. */
static void gen_str(struct build *b, const struct node *n)
{
	const char *text = b->ps->begin + n->min;
	bool caseless = false;
	long at;

	if (b->bytes.n + n->max > MAX_BYTES) {
		b->err = -ENOTSUP;
		return;
	}
	at = vec_take(&b->bytes, n->max);
	if (at < 0) {
		b->err = -ENOMEM;
		return;
	}
	if (!n->is_caseless) {
		memcpy(b->bytes.p + at, text, n->max);
		emit(b, RXL_STR, (uint32_t)at, n->max);
		return;
	}
	for (uint32_t i = 0; i < n->max; i++) {
		unsigned c = (unsigned char)text[i];

		b->bytes.p[at + i] = (char)rxl_lower(c);
		caseless |= is_letter(c);
	}
	emit(b, caseless ? RXL_STRI : RXL_STR, (uint32_t)at, n->max);
}

/* The branches in order, each but the last behind a split; their jumps to
 * the end are chained through their targets until the end is known. */
static void gen_alt(struct build *b, int32_t i)
{
	uint32_t chain = UINT16_MAX; /* no jump yet: not an index */

	for (int32_t k = NODE(b->ps, i).kid; k >= 0 && !b->err; k = NODE(b->ps, k).next) {
		uint32_t split = UINT32_MAX, jump;

		if (NODE(b->ps, k).next >= 0) {
			split = emit(b, RXL_SPLIT, 0, 0);
			if (b->err)
				return;
			INSN(b, split).a = here(b);
		}
		gen(b, k);
		if (split == UINT32_MAX || b->err)
			break;
		jump = emit(b, RXL_JMP, chain, 0);
		if (b->err)
			return;
		chain = jump;
		INSN(b, split).b = here(b);
	}
	while (!b->err && chain != UINT16_MAX) {
		uint32_t next = INSN(b, chain).a;

		INSN(b, chain).a = here(b);
		chain = next;
	}
}

/* A split that prefers the next instruction when greedy, the exit when
 * lazy; the exit is set by choice_exit(). */
static uint32_t emit_choice(struct build *b, bool lazy)
{
	uint32_t at = emit(b, RXL_SPLIT, 0, 0);

	if (!b->err) {
		if (lazy)
			INSN(b, at).b = (uint16_t)(at + 1);
		else
			INSN(b, at).a = (uint16_t)(at + 1);
	}
	return at;
}

static void choice_exit(struct build *b, uint32_t at, bool lazy)
{
	if (lazy)
		INSN(b, at).a = here(b);
	else
		INSN(b, at).b = here(b);
}

static void gen_repeat(struct build *b, const struct node *n)
{
	const struct node *body = &NODE(b->ps, n->kid);
	uint32_t exits[MAX_OPTIONAL], n_exits = 0, at;

	if (body->kind == N_CHAR || body->kind == N_SET) {
		struct rxl_set s = item_set(body);
		uint32_t set = add_set(b, &s);

		at = emit(b, RXL_REP, set, 0);
		if (b->err)
			return;
		INSN(b, at).min = (uint16_t)n->min;
		INSN(b, at).max = n->max == RXL_INF ? RXL_INF : (uint16_t)n->max;
		INSN(b, at).is_lazy = n->is_lazy;
		return;
	}
	for (uint32_t i = 0; i < n->min && !b->err; i++)
		gen(b, n->kid);
	if (n->max == RXL_INF) {
		uint32_t loop = emit_choice(b, n->is_lazy);

		gen(b, n->kid);
		emit(b, RXL_JMP, loop, 0);
		if (!b->err)
			choice_exit(b, loop, n->is_lazy);
		return;
	}
	if (n->max - n->min > MAX_OPTIONAL) {
		b->err = -ENOTSUP;
		return;
	}
	for (uint32_t i = n->min; i < n->max && !b->err; i++) {
		exits[n_exits++] = emit_choice(b, n->is_lazy);
		gen(b, n->kid);
	}
	for (uint32_t i = 0; i < n_exits && !b->err; i++)
		choice_exit(b, exits[i], n->is_lazy);
}

static void gen(struct build *b, int32_t i)
{
	const struct node *n = &NODE(b->ps, i);
	struct rxl_set one;

	if (b->err)
		return;
	switch (n->kind) {
	case N_CHAR:
		if (!n->is_caseless) {
			emit(b, RXL_CHAR, n->c, 0);
			return;
		}
		one = item_set(n);
		emit(b, RXL_SET, add_set(b, &one), 0);
		return;
	case N_SET: emit(b, RXL_SET, add_set(b, &n->set), 0); return;
	case N_STR: gen_str(b, n); return;
	case N_CAT:
		for (int32_t k = n->kid; k >= 0 && !b->err;) {
			if (NODE(b->ps, k).kind == N_CHAR) {
				gen_string(b, &k);
			} else {
				gen(b, k);
				k = NODE(b->ps, k).next;
			}
		}
		return;
	case N_ALT: gen_alt(b, i); return;
	case N_GROUP:
		if (n->group)
			emit(b, RXL_SAVE, 2 * n->group, 0);
		gen(b, n->kid);
		if (n->group)
			emit(b, RXL_SAVE, 2 * n->group + 1, 0);
		return;
	case N_REPEAT: gen_repeat(b, n); return;
	case N_ASSERT: emit(b, RXL_ASSERT, n->c, 0); return;
	default: b->err = -ENOTSUP; return;
	}
}

/* ---- what a match can start with ------------------------------------------------ */

/* Adds to *s the bytes a match of node i can start with; returns whether it
 * can match without consuming one (then what follows adds its own). */
static bool first_of(const struct parse *ps, int32_t i, struct rxl_set *s)
{
	const struct node *n = &NODE(ps, i);
	struct rxl_set one;

	switch (n->kind) {
	case N_STR:
		set_add(s, (unsigned char)ps->begin[n->min]);
		if (n->is_caseless)
			set_fold(s);
		return false;
	case N_CHAR:
	case N_SET:
		one = item_set(n);
		set_union(s, &one);
		return false;
	case N_CAT:
		for (int32_t k = n->kid; k >= 0; k = NODE(ps, k).next)
			if (!first_of(ps, k, s))
				return false;
		return true;
	case N_ALT: {
		bool empty = false;

		for (int32_t k = n->kid; k >= 0; k = NODE(ps, k).next)
			empty |= first_of(ps, k, s);
		return empty;
	}
	case N_GROUP: return first_of(ps, n->kid, s);
	case N_REPEAT: return first_of(ps, n->kid, s) || n->min == 0;
	default: return true;
	}
}

static bool starts_anchored(const struct parse *ps, int32_t i)
{
	const struct node *n = &NODE(ps, i);

	switch (n->kind) {
	case N_ASSERT: return n->c == RXL_BOS;
	case N_CAT: return n->kid >= 0 && starts_anchored(ps, n->kid);
	case N_ALT:
		for (int32_t k = n->kid; k >= 0; k = NODE(ps, k).next)
			if (!starts_anchored(ps, k))
				return false;
		return true;
	case N_GROUP: return starts_anchored(ps, n->kid);
	default: return false;
	}
}

/* The bytes the program from pc must consume first, past captures and
 * jumps, when they are one or two (a caseless letter): RXL_NO_HINT else. */
static void first_bytes(const struct build *b, uint32_t pc, uint8_t hint[2])
{
	hint[0] = hint[1] = RXL_NO_HINT;
	for (int hops = 0; hops < 8 && pc < b->prog.n; hops++) {
		const struct rxl_insn *in = &INSN(b, pc);
		unsigned c;

		switch (in->op) {
		case RXL_SAVE: pc++; continue;
		case RXL_JMP: pc = in->a; continue;
		case RXL_CHAR: hint[0] = hint[1] = (uint8_t)in->a; return;
		case RXL_STR: hint[0] = hint[1] = (uint8_t)b->bytes.p[in->a]; return;
		case RXL_STRI:
			c = (unsigned char)b->bytes.p[in->a];
			hint[0] = hint[1] = (uint8_t)c;
			if (is_letter(c))
				hint[1] = (uint8_t)(c - 32);
			return;
		default: return;
		}
	}
}

static void set_hints(struct build *b)
{
	for (uint32_t pc = 0; pc < b->prog.n; pc++) {
		struct rxl_insn *in = &INSN(b, pc);

		if (in->op == RXL_REP)
			first_bytes(b, pc + 1, in->hint);
		else if (in->op == RXL_SPLIT)
			first_bytes(b, in->a, in->hint);
	}
}

static int16_t single_byte(const struct rxl_set *s)
{
	if (s->high || __builtin_popcountll(s->w[0]) + __builtin_popcountll(s->w[1]) != 1)
		return -1;
	return (int16_t)(s->w[0] ? __builtin_ctzll(s->w[0]) : 64 + __builtin_ctzll(s->w[1]));
}

/* Whether name a sorts before name b in PCRE2's name table: by bytes, a
 * name before the longer names it begins. */
static bool name_before(const struct parse *ps, const struct name_at *a, const struct name_at *b)
{
	int c = memcmp(ps->begin + a->off, ps->begin + b->off, a->len < b->len ? a->len : b->len);

	return c < 0 || (c == 0 && a->len < b->len);
}

/* The names into rx's table at table, their texts at text, in PCRE2's
 * order. */
static void pack_names(struct fl_rxlite *rx, const struct parse *ps, char *table, char *text)
{
	struct rxl_name *out = (struct rxl_name *)(void *)table;
	struct name_at sorted[FL_RXLITE_MAX_GROUPS];

	for (uint32_t i = 0; i < ps->n_names; i++) {
		uint32_t k = i;

		for (; k > 0 && name_before(ps, &ps->names[i], &sorted[k - 1]); k--)
			sorted[k] = sorted[k - 1];
		sorted[k] = ps->names[i];
	}
	for (uint32_t i = 0; i < ps->n_names; i++) {
		memcpy(text, ps->begin + sorted[i].off, sorted[i].len);
		text[sorted[i].len] = '\0';
		out[i] = (struct rxl_name){text, sorted[i].group};
		text += sorted[i].len + 1;
	}
	rx->names = out;
	rx->n_names = ps->n_names;
}

/* The program in one allocation: header, names (16 bytes each, as the
 * sets), sets, instructions, bytes, the names' texts. */
static struct fl_rxlite *pack(const struct build *b, const struct parse *ps, int32_t root)
{
	size_t sets = b->sets.n * sizeof(struct rxl_set), prog = b->prog.n * sizeof(struct rxl_insn);
	size_t head = (sizeof(struct fl_rxlite) + 15) & ~(size_t)15;
	size_t names = ps->n_names * sizeof(struct rxl_name), texts = 0;
	struct fl_rxlite *rx;
	char *at;

	_Static_assert(sizeof(struct rxl_name) % _Alignof(struct rxl_set) == 0, "sets stay aligned");
	for (uint32_t i = 0; i < ps->n_names; i++)
		texts += ps->names[i].len + 1;
	rx = malloc(head + names + sets + prog + b->bytes.n + texts);
	if (!rx)
		return NULL;
	at = (char *)rx + head;
	memset(rx, 0, sizeof(*rx));
	if (names)
		pack_names(rx, ps, at, at + names + sets + prog + b->bytes.n);
	at += names;
	if (sets)
		memcpy(at, b->sets.p, sets);
	rx->sets = (const struct rxl_set *)(void *)at;
	at += sets;
	memcpy(at, b->prog.p, prog);
	rx->prog = (const struct rxl_insn *)(void *)at;
	at += prog;
	if (b->bytes.n)
		memcpy(at, b->bytes.p, b->bytes.n);
	rx->bytes = at;
	rx->n_prog = (uint32_t)b->prog.n;
	rx->groups = ps->groups;
	rx->has_first = !first_of(ps, root, &rx->first);
	rx->first_byte = rx->has_first ? single_byte(&rx->first) : -1;
	rx->is_anchored = starts_anchored(ps, root);
	rx->folds_beyond_ascii = ps->folds_beyond_ascii;
	return rx;
}

static bool newline_is_lf(void)
{
	uint32_t nl = 0;

	return pcre2_config(PCRE2_CONFIG_NEWLINE, &nl) >= 0 && nl == PCRE2_NEWLINE_LF;
}

int fl_rxlite_compile(const char *pattern, size_t len, uint32_t opts, struct fl_rxlite **out)
{
	const uint32_t known = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_CASELESS | PCRE2_DOTALL;
	struct node node_buf[64];
	struct rxl_insn prog_buf[128];
	struct rxl_set set_buf[16];
	char byte_buf[256];
	struct parse ps = {.begin = pattern, .p = pattern, .end = pattern + len, .nodes = VEC_ON(node_buf),
			   .caseless = opts & PCRE2_CASELESS, .dotall = opts & PCRE2_DOTALL};
	struct build b = {.ps = &ps, .prog = VEC_ON(prog_buf), .sets = VEC_ON(set_buf),
			  .bytes = VEC_ON(byte_buf)};
	int32_t root;
	int rc;

	*out = NULL;
	if ((opts & ~known) || !(opts & PCRE2_UTF) || !newline_is_lf())
		return -ENOTSUP;
	root = rxl_parse(&ps);
	rc = ps.err;
	if (rc == 0) {
		gen(&b, root);
		emit(&b, RXL_MATCH, 0, 0);
		rc = b.err;
	}
	if (rc == 0) {
		set_hints(&b);
		*out = pack(&b, &ps, root);
		rc = *out ? 0 : -ENOMEM;
	}
	vec_free(&b.prog);
	vec_free(&b.sets);
	vec_free(&b.bytes);
	vec_free(&ps.nodes);
	return rc;
}

void fl_rxlite_free(struct fl_rxlite *rx)
{
	free(rx);
}

uint32_t fl_rxlite_groups(const struct fl_rxlite *rx)
{
	return rx->groups;
}

uint32_t fl_rxlite_names(const struct fl_rxlite *rx)
{
	return rx->n_names;
}

const char *fl_rxlite_name(const struct fl_rxlite *rx, uint32_t i, uint32_t *group)
{
	*group = rx->names[i].group;
	return rx->names[i].text;
}
