/* rxlite.c - the pattern is parsed into a small tree, checked against the
 * subset, and flattened into a program for a backtracking machine (the
 * shape of Pike's and Thompson's "backtracking VM"; rxlite_match.c), whose
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

#include "engine/lib/compiler.h"
#include "engine/lib/rxlite_int.h"

#define MAX_NEST 64	/* groups inside groups: deeper is declined */
#define MAX_COUNT 65534 /* PCRE2 takes 65535; rxlite keeps the last for RXL_INF */
#define MAX_BYTES 65535 /* literal bytes of a program, unrolled copies counted */
_Static_assert(FL_RXLITE_MAX_PROGRAM < UINT16_MAX, "jump targets and the no-jump mark fit an insn's 16 bits");
#define MAX_OPTIONAL 64 /* optional copies of a group, {n,m} with m - n above: declined */

/* ---- growable arrays that start on the stack ---------------------------------- */

struct vec {
	char *p;
	size_t n, alloc, size;
	bool is_heap;
};

#define VEC_ON(buf) {.p = (char *)(buf), .alloc = sizeof(buf) / sizeof((buf)[0]), \
		     .size = sizeof((buf)[0])}

/* Moves v to a heap array with room for n more elements; -1: no memory. */
FL_COLD static int vec_grow(struct vec *v, size_t n)
{
	size_t na = v->alloc * 2;
	char *np;

	while (na < v->n + n)
		na *= 2;
	np = v->is_heap ? realloc(v->p, na * v->size) : malloc(na * v->size);
	if (!np)
		return -1;
	if (!v->is_heap)
		memcpy(np, v->p, v->n * v->size);
	v->p = np;
	v->alloc = na;
	v->is_heap = true;
	return 0;
}

/* Room for n more elements: the index of the first, or -1 (out of memory). */
static inline long vec_take(struct vec *v, size_t n)
{
	if (v->n + n > v->alloc && vec_grow(v, n) < 0)
		return -1;
	v->n += n;
	return (long)(v->n - n);
}

static inline long vec_add(struct vec *v)
{
	return vec_take(v, 1);
}

static void vec_free(struct vec *v)
{
	if (v->is_heap)
		free(v->p);
}

/* ---- sets of ASCII bytes -------------------------------------------------------- */

static void set_add(struct rxl_set *s, unsigned c)
{
	s->w[c >> 6] |= 1ull << (c & 63);
}

static void set_range(struct rxl_set *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi && c < 128; c++)
		set_add(s, c);
}

static void set_union(struct rxl_set *s, const struct rxl_set *o)
{
	s->w[0] |= o->w[0];
	s->w[1] |= o->w[1];
}

static void set_negate(struct rxl_set *s)
{
	s->w[0] = ~s->w[0];
	s->w[1] = ~s->w[1];
}

/* Adds each ASCII letter's other case, as PCRE2's caseless matching does
 * for an ASCII subject. Letters are bits 1-26 of the second word, upper
 * case 'A' - 64 and lower case 'a' - 64 + 32 apart. */
static void set_fold(struct rxl_set *s)
{
	const uint64_t upper = 0x7fffffeull, lower = upper << 32;
	uint64_t w = s->w[1];

	s->w[1] |= ((w & upper) << 32) | ((w & lower) >> 32);
}

static bool is_letter(unsigned c)
{
	return rxl_lower(c) >= 'a' && rxl_lower(c) <= 'z';
}

static bool is_alnum(unsigned c)
{
	return rxl_is_word(c) && c != '_';
}

/* \d \D \s \S \w \W as PCRE2 reads them without PCRE2_UCP. */
static bool class_escape(char e, struct rxl_set *out)
{
	static const struct rxl_set digit = {{0x03ff000000000000ull, 0}};
	static const struct rxl_set space = {{0x0000000100003e00ull, 0}};
	static const struct rxl_set word = {{0x03ff000000000000ull, 0x07fffffe87fffffeull}};
	struct rxl_set s;

	switch (e | 0x20) {
	case 'd': s = digit; break;
	case 's': s = space; break;
	case 'w': s = word; break;
	default: return false;
	}
	if (e >= 'A' && e <= 'Z')
		set_negate(&s);
	*out = s;
	return true;
}

/* The control escapes that stand for one byte, in and out of classes. */
static int char_escape(char e)
{
	switch (e) {
	case 't': return '\t';
	case 'n': return '\n';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'e': return 0x1b;
	case 'a': return 0x07;
	default: return -1;
	}
}

/* ---- the tree -------------------------------------------------------------------- */

enum kind { N_CHAR, N_STR, N_SET, N_CAT, N_ALT, N_GROUP, N_REPEAT, N_ASSERT };

struct node {
	uint8_t kind;
	bool is_caseless; /* N_CHAR, N_STR */
	bool is_lazy;	  /* N_REPEAT */
	uint8_t c;	  /* N_CHAR: the byte; N_ASSERT: its kind */
	uint32_t group;	  /* N_GROUP: capture number, 0 for none */
	uint32_t min, max; /* N_REPEAT; N_STR: its offset in the pattern and length */
	int32_t kid, next; /* first child, next sibling; -1: none */
	struct rxl_set set; /* N_SET */
};

struct parse {
	const char *begin, *p, *end;
	bool caseless, dotall; /* the flags in force */
	uint32_t groups;
	int nest;
	int err; /* -ENOTSUP, -ENOMEM */
	struct vec nodes;
};

#define NODE(ps, i) (((struct node *)(ps)->nodes.p)[i])

static int32_t node_new(struct parse *ps, enum kind k)
{
	long i = vec_add(&ps->nodes);

	if (i < 0) {
		ps->err = -ENOMEM;
		return -1;
	}
	NODE(ps, i) = (struct node){.kind = (uint8_t)k, .kid = -1, .next = -1};
	return (int32_t)i;
}

static int32_t decline(struct parse *ps)
{
	if (!ps->err)
		ps->err = -ENOTSUP;
	return -1;
}

static int32_t parse_alt(struct parse *ps);

static int32_t set_node(struct parse *ps, struct rxl_set s)
{
	int32_t n = node_new(ps, N_SET);

	if (n >= 0)
		NODE(ps, n).set = s;
	return n;
}

static int32_t char_node(struct parse *ps, unsigned c)
{
	int32_t n = node_new(ps, N_CHAR);

	if (n >= 0) {
		NODE(ps, n).c = (uint8_t)c;
		NODE(ps, n).is_caseless = ps->caseless && is_letter(c);
	}
	return n;
}

static int32_t assert_node(struct parse *ps, enum rxl_assertion a)
{
	int32_t n = node_new(ps, N_ASSERT);

	if (n >= 0)
		NODE(ps, n).c = (uint8_t)a;
	return n;
}

/* One member of a bracket class: a byte (>= 0), or -2 for a class escape
 * added to *s (s NULL: a range's end, where one is declined); -1 declines. */
static int class_member(struct parse *ps, struct rxl_set *s)
{
	unsigned char c = (unsigned char)*ps->p++;
	struct rxl_set escaped;
	int e;

	if (c >= 0x80)
		return -1;
	if (c == '[' && ps->p < ps->end && (*ps->p == ':' || *ps->p == '.' || *ps->p == '='))
		return -1; /* a POSIX class or collating element */
	if (c != '\\')
		return c;
	if (ps->p >= ps->end)
		return -1;
	c = (unsigned char)*ps->p++;
	if (c >= 0x80)
		return -1;
	if (class_escape((char)c, &escaped)) {
		if (!s)
			return -1;
		set_union(s, &escaped);
		return -2;
	}
	if (c == 'b')
		return '\b'; /* in a class, \b is the backspace */
	e = char_escape((char)c);
	if (e >= 0)
		return e;
	return is_alnum(c) ? -1 : c;
}

static int32_t parse_class(struct parse *ps)
{
	struct rxl_set s = {{0, 0}};
	bool negate = false, first = true;

	if (ps->p < ps->end && *ps->p == '^') {
		negate = true;
		ps->p++;
	}
	for (;;) {
		int lo, hi;

		if (ps->p >= ps->end)
			return decline(ps);
		if (*ps->p == ']' && !first) {
			ps->p++;
			break;
		}
		first = false;
		lo = class_member(ps, &s);
		if (lo == -1)
			return decline(ps);
		if (lo == -2)
			continue;
		if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] != ']') {
			ps->p++;
			hi = class_member(ps, NULL);
			if (hi < 0 || hi < lo)
				return decline(ps);
			set_range(&s, (unsigned)lo, (unsigned)hi);
		} else {
			set_add(&s, (unsigned)lo);
		}
	}
	if (ps->caseless)
		set_fold(&s);
	if (negate)
		set_negate(&s);
	return set_node(ps, s);
}

static int32_t parse_escape(struct parse *ps)
{
	struct rxl_set s;
	unsigned char c;
	int e;

	if (ps->p >= ps->end)
		return decline(ps);
	c = (unsigned char)*ps->p++;
	if (c >= 0x80)
		return decline(ps);
	if (class_escape((char)c, &s))
		return set_node(ps, s);
	switch (c) {
	case 'b': return assert_node(ps, RXL_WORDB);
	case 'B': return assert_node(ps, RXL_NWORDB);
	case 'A': return assert_node(ps, RXL_BOS);
	case 'z': return assert_node(ps, RXL_EOS);
	case 'Z': return assert_node(ps, RXL_EOL);
	default: break;
	}
	e = char_escape((char)c);
	if (e >= 0)
		return char_node(ps, (unsigned)e);
	return is_alnum(c) ? decline(ps) : char_node(ps, c);
}

/* Reads a run of the flag letters i and s, a '-' turning the rest off,
 * into *caseless and *dotall. Returns false on any other letter. */
static bool parse_flags(struct parse *ps, bool *caseless, bool *dotall)
{
	bool on = true;

	while (ps->p < ps->end && *ps->p != ')' && *ps->p != ':') {
		switch (*ps->p++) {
		case '-':
			if (!on)
				return false;
			on = false;
			break;
		case 'i': *caseless = on; break;
		case 's': *dotall = on; break;
		default: return false;
		}
	}
	return ps->p < ps->end;
}

/* After "(?" or "(?P": a group name and its closing byte. */
static bool parse_name(struct parse *ps, char close)
{
	const char *name = ps->p;

	while (ps->p < ps->end && rxl_is_word((unsigned char)*ps->p))
		ps->p++;
	if (ps->p == name || ps->p >= ps->end || *ps->p != close || (*name >= '0' && *name <= '9'))
		return false; /* a lookbehind, or not a name */
	ps->p++;
	return true;
}

/* After '(': the group, or -1 with ps->err set, or -1 with no error for an
 * option setting such as (?i), which changes the flags of the enclosing
 * group from here on (PCRE2: across its later alternatives too). */
static int32_t parse_group(struct parse *ps)
{
	bool caseless = ps->caseless, dotall = ps->dotall, outer_caseless, outer_dotall;
	uint32_t group = 0;
	int32_t g, body;

	if (ps->p < ps->end && *ps->p == '?') {
		ps->p++;
		if (ps->end - ps->p > 1 && ps->p[0] == 'P' && ps->p[1] == '<')
			ps->p++;
		if (ps->p < ps->end && (*ps->p == '<' || *ps->p == '\'')) {
			char close = *ps->p++ == '<' ? '>' : '\'';

			if (!parse_name(ps, close))
				return decline(ps);
			group = ++ps->groups;
		} else if (ps->p < ps->end && *ps->p == ':') {
			ps->p++;
		} else {
			if (!parse_flags(ps, &caseless, &dotall))
				return decline(ps);
			if (*ps->p++ == ')') {
				ps->caseless = caseless;
				ps->dotall = dotall;
				return -1;
			}
		}
	} else if (ps->p < ps->end && *ps->p == '*') {
		return decline(ps); /* a verb */
	} else {
		group = ++ps->groups;
	}
	if (++ps->nest > MAX_NEST)
		return decline(ps);
	outer_caseless = ps->caseless;
	outer_dotall = ps->dotall;
	ps->caseless = caseless;
	ps->dotall = dotall;
	body = parse_alt(ps);
	ps->caseless = outer_caseless;
	ps->dotall = outer_dotall;
	ps->nest--;
	if (body < 0)
		return -1;
	if (ps->p >= ps->end || *ps->p != ')')
		return decline(ps);
	ps->p++;
	if (!group)
		return body; /* a non-capturing group is its body: one node less to build */
	g = node_new(ps, N_GROUP);
	if (g >= 0) {
		NODE(ps, g).kid = body;
		NODE(ps, g).group = group;
	}
	return g;
}

static bool read_count(struct parse *ps, uint32_t *out)
{
	const char *start = ps->p;
	uint32_t v = 0;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		v = v * 10 + (uint32_t)(*ps->p++ - '0');
		if (v > MAX_COUNT)
			return false;
	}
	*out = v;
	return ps->p > start;
}

/* A quantifier after an item, if one follows: sets *min, *max and returns
 * true; false with no error when none follows. A '{' that is not a
 * quantifier is a literal to PCRE2 10.42, and {,n} is a quantifier to later
 * versions: both are declined. */
static bool parse_quant(struct parse *ps, uint32_t *min, uint32_t *max)
{
	if (ps->p >= ps->end)
		return false;
	switch (*ps->p) {
	case '?': *min = 0, *max = 1; break;
	case '*': *min = 0, *max = RXL_INF; break;
	case '+': *min = 1, *max = RXL_INF; break;
	case '{':
		ps->p++;
		if (!read_count(ps, min))
			goto bad;
		*max = *min;
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			*max = RXL_INF;
			if (ps->p < ps->end && *ps->p != '}' && !read_count(ps, max))
				goto bad;
		}
		if (ps->p >= ps->end || *ps->p != '}' || *max < *min)
			goto bad;
		break;
	default: return false;
	}
	ps->p++;
	return true;
bad:
	decline(ps);
	return false;
}

static int32_t parse_atom(struct parse *ps)
{
	unsigned char c = (unsigned char)*ps->p++;
	struct rxl_set s = {{~0ull, ~0ull}};

	if (c >= 0x80)
		return decline(ps);
	switch (c) {
	case '(': return parse_group(ps);
	case '[': return parse_class(ps);
	case '\\': return parse_escape(ps);
	case '^': return assert_node(ps, RXL_BOS);
	case '$': return assert_node(ps, RXL_EOL);
	case '.':
		if (!ps->dotall)
			s.w[0] &= ~(1ull << '\n');
		return set_node(ps, s);
	case '?': case '*': case '+': case '{': case ')': case '|': return decline(ps);
	default: return char_node(ps, c);
	}
}

static bool can_be_empty(const struct parse *ps, int32_t i)
{
	const struct node *n = &NODE(ps, i);

	switch (n->kind) {
	case N_CHAR:
	case N_STR:
	case N_SET: return false;
	case N_CAT:
		for (int32_t k = n->kid; k >= 0; k = NODE(ps, k).next)
			if (!can_be_empty(ps, k))
				return false;
		return true;
	case N_ALT:
		for (int32_t k = n->kid; k >= 0; k = NODE(ps, k).next)
			if (can_be_empty(ps, k))
				return true;
		return false;
	case N_GROUP: return can_be_empty(ps, n->kid);
	case N_REPEAT: return n->min == 0 || can_be_empty(ps, n->kid);
	default: return true;
	}
}

/* The quantifier after item, if any: the item itself, its repeat, or -1. */
static int32_t quantified(struct parse *ps, int32_t item)
{
	uint32_t min, max;
	int32_t rep;

	if (!parse_quant(ps, &min, &max))
		return ps->err ? -1 : item;
	if (NODE(ps, item).kind == N_ASSERT)
		return decline(ps);
	if (ps->p < ps->end && *ps->p == '+')
		return decline(ps); /* possessive */
	rep = node_new(ps, N_REPEAT);
	if (rep < 0)
		return -1;
	NODE(ps, rep).kid = item;
	NODE(ps, rep).min = min;
	NODE(ps, rep).max = max;
	if (ps->p < ps->end && *ps->p == '?') {
		NODE(ps, rep).is_lazy = true;
		ps->p++;
	}
	if (max > 1 && can_be_empty(ps, item))
		return decline(ps); /* PCRE2 ends a loop on an empty iteration: not followed */
	if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '*' || *ps->p == '+' || *ps->p == '{'))
		return decline(ps);
	return rep;
}

/* Bytes that stand for themselves outside a class: not \\ ^ $ . | ? * + ( ) [ ] {
 * nor NUL or a byte above 0x7f. */
static bool is_plain(char c)
{
	static const bool special[128] = {
	    [0] = true,	  ['\\'] = true, ['^'] = true, ['$'] = true, ['.'] = true,
	    ['|'] = true, ['?'] = true,	 ['*'] = true, ['+'] = true, ['('] = true,
	    [')'] = true, ['['] = true,	 [']'] = true, ['{'] = true};
	unsigned char b = (unsigned char)c;

	return b < 128 && !special[b];
}

/* A run of two or more plain bytes, none of them quantified, as one N_STR
 * node; -2 when there is none here (the caller reads one atom). Most of a
 * rule's pattern is such runs: one node for each, not one a byte, keeps the
 * compile of thousands of regexes cheap. */
static int32_t parse_run(struct parse *ps)
{
	const char *q = ps->p;
	int32_t n;

	while (q < ps->end && is_plain(*q))
		q++;
	if (q < ps->end && (*q == '?' || *q == '*' || *q == '+' || *q == '{'))
		q--; /* the last byte is quantified: an atom of its own */
	if (q - ps->p < 2)
		return -2;
	n = node_new(ps, N_STR);
	if (n < 0)
		return -1;
	NODE(ps, n).is_caseless = ps->caseless;
	NODE(ps, n).min = (uint32_t)(ps->p - ps->begin);
	NODE(ps, n).max = (uint32_t)(q - ps->p);
	ps->p = q;
	return n;
}

/* Links item after *last in a list whose head is *first. */
static void append(struct parse *ps, int32_t *first, int32_t *last, int32_t item)
{
	if (*first < 0)
		*first = item;
	else
		NODE(ps, *last).next = item;
	*last = item;
}

/* A sequence up to '|' or ')' or the end: its one item alone, or an N_CAT
 * of its items (none: the empty sequence). */
static int32_t parse_cat(struct parse *ps)
{
	int32_t first = -1, last = -1, cat;

	while (ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
		int32_t item = parse_run(ps);
		uint32_t min, max;

		if (item == -2)
			item = parse_atom(ps);
		if (item < 0) {
			if (ps->err)
				return -1;
			if (parse_quant(ps, &min, &max) || ps->err)
				return decline(ps); /* (?i)* and the like */
			continue;		    /* an option setting */
		}
		item = quantified(ps, item);
		if (item < 0)
			return -1;
		append(ps, &first, &last, item);
	}
	if (first >= 0 && first == last)
		return first;
	cat = node_new(ps, N_CAT);
	if (cat >= 0)
		NODE(ps, cat).kid = first;
	return cat;
}

/* Alternatives: the one branch alone, or an N_ALT of them. */
static int32_t parse_alt(struct parse *ps)
{
	int32_t first = -1, last = -1, alt;

	for (;;) {
		int32_t branch = parse_cat(ps);

		if (branch < 0)
			return -1;
		append(ps, &first, &last, branch);
		if (ps->p >= ps->end || *ps->p != '|')
			break;
		ps->p++;
	}
	if (first == last)
		return first;
	alt = node_new(ps, N_ALT);
	if (alt >= 0)
		NODE(ps, alt).kid = first;
	return alt;
}

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
		if (sets[k].w[0] == s->w[0] && sets[k].w[1] == s->w[1])
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
	struct rxl_set s = {{0, 0}};

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
	if (__builtin_popcountll(s->w[0]) + __builtin_popcountll(s->w[1]) != 1)
		return -1;
	return (int16_t)(s->w[0] ? __builtin_ctzll(s->w[0]) : 64 + __builtin_ctzll(s->w[1]));
}

/* The program in one allocation: header, sets, instructions, bytes. */
static struct fl_rxlite *pack(const struct build *b, const struct parse *ps, int32_t root)
{
	size_t sets = b->sets.n * sizeof(struct rxl_set), prog = b->prog.n * sizeof(struct rxl_insn);
	size_t head = (sizeof(struct fl_rxlite) + 15) & ~(size_t)15;
	struct fl_rxlite *rx = malloc(head + sets + prog + b->bytes.n);
	char *at;

	if (!rx)
		return NULL;
	at = (char *)rx + head;
	memset(rx, 0, sizeof(*rx));
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
	root = parse_alt(&ps);
	if (root >= 0 && ps.p != ps.end)
		decline(&ps); /* an unmatched ')' */
	if (!ps.err && ps.groups > FL_RXLITE_MAX_GROUPS)
		decline(&ps);
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
