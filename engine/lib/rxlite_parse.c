/* rxlite_parse.c - reads a pattern into rxlite's tree (rxlite_tree.h),
 * declining all that is outside the subset and all that PCRE2 might refuse:
 * a pattern read here compiles in PCRE2 to the same groups and names. */
#include <errno.h>

#include "engine/lib/rxlite_tree.h"

/* Moves v to a heap array with room for n more elements; -1: no memory. */
FL_COLD int rxl_vec_grow(struct vec *v, size_t n)
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

/* \d \D \s \S \w \W as PCRE2 reads them without PCRE2_UCP. */
static bool class_escape(char e, struct rxl_set *out)
{
	static const struct rxl_set digit = {{0x03ff000000000000ull, 0}, false};
	static const struct rxl_set space = {{0x0000000100003e00ull, 0}, false};
	static const struct rxl_set word = {{0x03ff000000000000ull, 0x07fffffe87fffffeull}, false};
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
		ps->folds_beyond_ascii |= ps->caseless && folds_wide_char(c);
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

/* Whether a class opening at p (past its '[') reads to PCRE2 as a POSIX
 * class, "[:name:]", "[.x.]" or "[=x=]", which it refuses outside a class:
 * PCRE2's own test (check_posix_syntax()), so [=: ] and [.,] stay classes. */
static bool posix_outside(const char *p, const char *end)
{
	char term;

	if (end - p < 2 || (*p != ':' && *p != '.' && *p != '='))
		return false;
	term = *p++;
	for (; end - p >= 2; p++) {
		if (*p == '\\' && (p[1] == ']' || p[1] == '\\'))
			p++;
		else if ((*p == '[' && p[1] == term) || *p == ']')
			return false;
		else if (*p == term && p[1] == ']')
			return true;
	}
	return false;
}

static int32_t parse_class(struct parse *ps)
{
	struct rxl_set s = {{0, 0}, false};
	bool negate = false, first = true;

	if (posix_outside(ps->p, ps->end))
		return decline(ps); /* [:alpha:] outside a class: PCRE2 refuses it */
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
		if (lo == -2) {
			if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] != ']')
				return decline(ps); /* [\d-z]: PCRE2 refuses the range */
			continue;
		}
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
	if (ps->caseless) {
		set_fold(&s);
		ps->folds_beyond_ascii |= folds_wide(&s);
	}
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

/* After "(?" or "(?P": a group name and its closing byte, kept for group
 * (the next group's number). A name PCRE2 refuses -- too long, or one an
 * earlier group has -- is declined with the rest. */
static bool parse_name(struct parse *ps, char close, uint32_t group)
{
	const char *name = ps->p;
	uint32_t len;

	while (ps->p < ps->end && rxl_is_word((unsigned char)*ps->p))
		ps->p++;
	if (ps->p == name || ps->p >= ps->end || *ps->p != close || (*name >= '0' && *name <= '9'))
		return false; /* a lookbehind, or not a name */
	len = (uint32_t)(ps->p - name);
	if (len > MAX_NAME || ps->n_names == FL_RXLITE_MAX_GROUPS)
		return false;
	for (uint32_t i = 0; i < ps->n_names; i++)
		if (ps->names[i].len == len && memcmp(ps->begin + ps->names[i].off, name, len) == 0)
			return false;
	ps->names[ps->n_names++] = (struct name_at){(uint32_t)(name - ps->begin), len, group};
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

			if (!parse_name(ps, close, ps->groups + 1))
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
	if (!group) {
		NODE(ps, body).is_bracketed = true;
		return body; /* a non-capturing group is its body: one node less to build */
	}
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
	struct rxl_set s = {{~0ull, ~0ull}, true};

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
	for (const char *k = ps->p; ps->caseless && k < q; k++)
		ps->folds_beyond_ascii |= folds_wide_char((unsigned char)*k);
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

/* At most MAX_PCRE2_UNITS + 1: v, or past the bound. */
static uint64_t units_cap(uint64_t v)
{
	return v > MAX_PCRE2_UNITS ? MAX_PCRE2_UNITS + 1 : v;
}

/* The code units PCRE2 compiles node i to, from above: a character is an
 * opcode and its byte, a class an opcode and a 32-byte map (more under UTF
 * when negated), a group its brackets; a repeated group is copied as often
 * as PCRE2 copies it (the minimum, then each optional copy). */
static uint64_t pcre2_units(const struct parse *ps, int32_t i)
{
	const struct node *n = &NODE(ps, i);
	const struct node *kid;
	uint64_t sum = 8, copies;

	switch (n->kind) {
	case N_CHAR:
	case N_ASSERT: return 2;
	case N_STR: return units_cap(2 * (uint64_t)n->max);
	case N_SET: return 48;
	case N_CAT:
	case N_ALT:
		for (int32_t k = n->kid; k >= 0 && sum <= MAX_PCRE2_UNITS; k = NODE(ps, k).next)
			sum += pcre2_units(ps, k) + 4;
		return units_cap(sum);
	case N_GROUP: return units_cap(pcre2_units(ps, n->kid) + 10);
	case N_REPEAT:
		kid = &NODE(ps, n->kid);
		if ((kid->kind == N_CHAR || kid->kind == N_SET) && !kid->is_bracketed)
			return 2 * pcre2_units(ps, n->kid) + 8; /* one opcode and a count */
		copies = (n->min ? n->min : 1) + (n->max == RXL_INF ? 1 : n->max - n->min);
		return units_cap(copies * (pcre2_units(ps, n->kid) + 10) + 10);
	default: return MAX_PCRE2_UNITS + 1;
	}
}

int32_t rxl_parse(struct parse *ps)
{
	int32_t root = parse_alt(ps);

	if (root >= 0 && ps->p != ps->end)
		decline(ps); /* an unmatched ')' */
	if (!ps->err && ps->groups > FL_RXLITE_MAX_GROUPS)
		decline(ps);
	if (!ps->err && pcre2_units(ps, root) > MAX_PCRE2_UNITS)
		decline(ps); /* PCRE2 might find it too large */
	return ps->err ? -1 : root;
}
