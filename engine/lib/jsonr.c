/* jsonr.c - the bounded JSON reader of jsonr.h: recursive descent whose depth
 * is capped, so the stack a peer can make us use is bounded too. */
#include "engine/lib/jsonr.h"

#include <errno.h>
#include <string.h>

#include "engine/lib/digits.h"
#include "engine/lib/utf8.h"

struct cursor {
	struct fl_jsonr *r;
	size_t at;
};

static void skip_space(struct cursor *c)
{
	while (c->at < c->r->len) {
		char ch = c->r->src[c->at];

		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			return;
		c->at++;
	}
}

static int hex4(const char *p, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n < 4)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		int d = fl_hex_value(p[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* One escape after the backslash at p[0] (RFC 8259 §7): the code point in
 * *cp and the bytes taken, or 0 when it is not a valid escape. A \u escape
 * of a high surrogate must be followed by one of a low surrogate. */
static size_t unescape_one(const char *p, size_t n, uint32_t *cp)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	uint32_t hi, lo;

	if (n < 2)
		return 0;
	if (p[1] != 'u') {
		hit = p[1] ? strchr(from, p[1]) : NULL;
		if (!hit)
			return 0;
		*cp = (unsigned char)to[hit - from];
		return 2;
	}
	if (hex4(p + 2, n - 2, &hi) < 0)
		return 0;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return 0;
	if (hi < 0xD800 || hi > 0xDBFF) {
		*cp = hi;
		return 6;
	}
	if (n < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, n - 8, &lo) < 0 || lo < 0xDC00 ||
	    lo > 0xDFFF)
		return 0;
	*cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	return 12;
}

/* Walks the string body p[n] (between its quotes). With out, writes the
 * unescaped bytes there (the caller sized it: never longer than n). Returns
 * the unescaped length, -EINVAL (bad escape, raw control character) or
 * -EILSEQ (not UTF-8, or U+0000). */
static long string_walk(const char *p, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char ch = (unsigned char)p[i];
		char enc[4];
		size_t k;
		uint32_t cp;

		if (ch < 0x20)
			return -EINVAL;
		if (ch != '\\') {
			k = ch < 0x80 ? 1 : fl_utf8_seq_len(p + i, n - i);
			if (k == 0)
				return -EILSEQ;
			if (out)
				memcpy(out + o, p + i, k);
			i += k;
			o += k;
			continue;
		}
		k = unescape_one(p + i, n - i, &cp);
		if (k == 0)
			return -EINVAL;
		if (cp == 0)
			return -EILSEQ;
		i += k;
		size_t w = fl_utf8_encode(cp, enc); /* never 0: no lone surrogate */
		if (out)
			memcpy(out + o, enc, w);
		o += w;
	}
	return (long)o;
}

static int new_tok(struct cursor *c, enum fl_jsonr_type type, size_t *idx)
{
	struct fl_jsonr *r = c->r;

	if (r->n >= r->cap)
		return -E2BIG;
	*idx = r->n++;
	r->toks[*idx] = (struct fl_jsonr_tok){.type = type, .start = (uint32_t)c->at};
	return 0;
}

static void end_tok(struct cursor *c, size_t idx)
{
	c->r->toks[idx].end = (uint32_t)c->at;
	c->r->toks[idx].next = (uint32_t)c->r->n;
}

static int parse_value(struct cursor *c, int depth);

static int parse_string(struct cursor *c)
{
	const char *s = c->r->src;
	size_t idx, begin;
	long rc;
	int err;

	c->at++; /* the opening quote */
	begin = c->at;
	while (c->at < c->r->len && s[c->at] != '"')
		c->at += s[c->at] == '\\' && c->at + 1 < c->r->len ? 2 : 1;
	if (c->at >= c->r->len)
		return -EINVAL;
	rc = string_walk(s + begin, c->at - begin, NULL);
	if (rc < 0)
		return (int)rc;
	err = new_tok(c, FL_JSONR_STRING, &idx);
	if (err < 0)
		return err;
	c->r->toks[idx].start = (uint32_t)begin;
	end_tok(c, idx);
	c->at++; /* the closing quote */
	return 0;
}

/* RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int parse_number(struct cursor *c)
{
	const char *s = c->r->src;
	size_t n = c->r->len, i = c->at, idx, digits;
	int err;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else {
		for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (!digits)
			return -EINVAL;
	}
	if (i < n && s[i] == '.') {
		for (i++, digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (!digits)
			return -EINVAL;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (!digits)
			return -EINVAL;
	}
	err = new_tok(c, FL_JSONR_NUMBER, &idx);
	if (err < 0)
		return err;
	c->at = i;
	end_tok(c, idx);
	return 0;
}

static int parse_word(struct cursor *c, const char *word, enum fl_jsonr_type type)
{
	size_t wl = strlen(word), idx;
	int err;

	if (c->r->len - c->at < wl || memcmp(c->r->src + c->at, word, wl) != 0)
		return -EINVAL;
	err = new_tok(c, type, &idx);
	if (err < 0)
		return err;
	c->at += wl;
	end_tok(c, idx);
	return 0;
}

/* An object or an array, the cursor on its opening bracket. */
static int parse_container(struct cursor *c, int depth, bool is_object)
{
	char close = is_object ? '}' : ']';
	size_t idx;
	int err;

	if (depth >= FL_JSONR_MAX_DEPTH)
		return -ELOOP;
	err = new_tok(c, is_object ? FL_JSONR_OBJECT : FL_JSONR_ARRAY, &idx);
	if (err < 0)
		return err;
	c->at++;
	skip_space(c);
	if (c->at < c->r->len && c->r->src[c->at] == close)
		goto out_close;
	for (;;) {
		skip_space(c);
		if (is_object) {
			if (c->at >= c->r->len || c->r->src[c->at] != '"')
				return -EINVAL;
			if ((err = parse_string(c)) < 0)
				return err;
			skip_space(c);
			if (c->at >= c->r->len || c->r->src[c->at] != ':')
				return -EINVAL;
			c->at++;
		}
		if ((err = parse_value(c, depth + 1)) < 0)
			return err;
		c->r->toks[idx].n_children++;
		skip_space(c);
		if (c->at >= c->r->len)
			return -EINVAL;
		if (c->r->src[c->at] == close)
			break;
		if (c->r->src[c->at] != ',')
			return -EINVAL;
		c->at++;
	}
out_close:
	c->at++;
	end_tok(c, idx);
	return 0;
}

static int parse_value(struct cursor *c, int depth)
{
	skip_space(c);
	if (c->at >= c->r->len)
		return -EINVAL;
	switch (c->r->src[c->at]) {
	case '{':
		return parse_container(c, depth, true);
	case '[':
		return parse_container(c, depth, false);
	case '"':
		return parse_string(c);
	case 't':
		return parse_word(c, "true", FL_JSONR_TRUE);
	case 'f':
		return parse_word(c, "false", FL_JSONR_FALSE);
	case 'n':
		return parse_word(c, "null", FL_JSONR_NULL);
	default:
		return parse_number(c);
	}
}

int fl_jsonr_parse(struct fl_jsonr *r, const char *src, size_t len, struct fl_jsonr_tok *toks,
		   size_t cap)
{
	struct fl_jsonr tmp = {.src = src, .len = len, .toks = toks, .cap = cap};
	struct cursor c = {.r = &tmp};
	int err;

	if (len > UINT32_MAX)
		return -E2BIG;
	err = parse_value(&c, 0);
	if (err < 0)
		return err;
	skip_space(&c);
	if (c.at != len)
		return -EINVAL;
	*r = tmp;
	return 0;
}

long fl_jsonr_member(const struct fl_jsonr *r, size_t obj, const char *key)
{
	size_t klen = strlen(key), i;
	long found = -1;

	if (obj >= r->n || r->toks[obj].type != FL_JSONR_OBJECT)
		return -1;
	i = obj + 1;
	for (uint32_t m = 0; m < r->toks[obj].n_children && i + 1 < r->n; m++) {
		char name[128];
		long nl = fl_jsonr_string(r, i, name, sizeof(name));

		if (nl >= 0 && (size_t)nl == klen && memcmp(name, key, klen) == 0)
			found = (long)(i + 1);
		i = r->toks[i + 1].next;
	}
	return found;
}

long fl_jsonr_string(const struct fl_jsonr *r, size_t i, char *out, size_t cap)
{
	const struct fl_jsonr_tok *t;
	long n;

	if (i >= r->n || r->toks[i].type != FL_JSONR_STRING || cap == 0)
		return -EINVAL;
	t = &r->toks[i];
	n = string_walk(r->src + t->start, t->end - t->start, NULL);
	if (n < 0)
		return n; /* cannot happen: the parse checked it */
	if ((size_t)n >= cap)
		return -ENOSPC;
	(void)string_walk(r->src + t->start, t->end - t->start, out);
	out[n] = '\0';
	return n;
}

int fl_jsonr_int(const struct fl_jsonr *r, size_t i, int64_t *out)
{
	const struct fl_jsonr_tok *t;
	bool is_neg;
	uint64_t v = 0;
	size_t p;

	if (i >= r->n || r->toks[i].type != FL_JSONR_NUMBER)
		return -EINVAL;
	t = &r->toks[i];
	p = t->start;
	is_neg = r->src[p] == '-';
	p += is_neg;
	for (; p < t->end; p++) {
		unsigned d = (unsigned)(r->src[p] - '0');

		if (d > 9 || v > (UINT64_C(9223372036854775807) - d) / 10)
			return -EINVAL; /* a fraction, an exponent, or out of range */
		v = v * 10 + d;
	}
	*out = is_neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
