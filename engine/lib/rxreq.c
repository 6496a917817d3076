/* rxreq.c - the literal requirements of a PCRE2 pattern; see rxreq.h.
 *
 * A recursive descent over the pattern's syntax. Each part yields a struct
 * info: exact (a small set of strings, one of which is what the part matches)
 * or inexact (a tree of requirements, NULL when there are none). The work
 * tree lives in a pool freed at the end; the result is copied out flat. */
#include "engine/lib/rxreq.h"
#include "engine/lib/rxreq_int.h"

#include <errno.h>
#include <stdalign.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/digits.h"
#include "engine/lib/utf8.h"

#define MAX_GROUP_DEPTH 250 /* PCRE2's own default parenthesis nesting limit */

/* ---- lexing ------------------------------------------------------------------ */

static bool at(const struct walk *w, size_t k, char c)
{
	return w->i + k < w->n && w->p[w->i + k] == c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes of the UTF-8 character starting with lead (1 outside UTF mode). */
static size_t char_len(const struct walk *w, unsigned char lead)
{
	if (!w->utf || lead < 0xc0)
		return 1;
	return lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/* Pattern white space PCRE2 skips in extended mode: ASCII, and in UTF mode
 * U+0085, U+200E, U+200F, U+2028, U+2029. Returns its length, or 0. */
static size_t ext_space(const struct walk *w)
{
	const unsigned char *s = (const unsigned char *)w->p + w->i;
	size_t left = w->n - w->i;

	if (left && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
		return 1;
	if (!w->utf || left < 2)
		return 0;
	if (s[0] == 0xc2 && s[1] == 0x85)
		return 2;
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0x8e || s[2] == 0x8f || s[2] == 0xa8 || s[2] == 0xa9))
		return 3;
	return 0;
}

/* Skips to just past the first c from i on; unsure when there is none. */
static void skip_past(struct walk *w, char c)
{
	const char *e = memchr(w->p + w->i, c, w->n - w->i);

	if (!e) {
		w->unsure = true;
		w->i = w->n;
		return;
	}
	w->i = (size_t)(e - w->p) + 1;
}

/* Skips what does not count as an item: \E and \Q (entering a quote),
 * (?#...) comments, and in extended mode white space and # comments. A
 * quoted stretch is all literal, \E aside. */
static void skip_ignorable_slow(struct walk *w, const struct flags *f)
{
	while (w->i < w->n && !w->unsure) {
		size_t sp;

		if (at(w, 0, '\\') && at(w, 1, 'E')) {
			w->in_quote = false;
			w->i += 2;
		} else if (w->in_quote) {
			return;
		} else if (at(w, 0, '\\') && at(w, 1, 'Q')) {
			w->in_quote = true;
			w->i += 2;
		} else if (at(w, 0, '(') && at(w, 1, '?') && at(w, 2, '#')) {
			skip_past(w, ')');
		} else if (f->extended && (sp = ext_space(w)) > 0) {
			w->i += sp;
		} else if (f->extended && at(w, 0, '#')) {
			/* to the newline, LF in PCRE2's default build; a CR on the
			 * way could end it under another convention, and a pattern
			 * that sets one ends it elsewhere: unsure */
			const char *nl = memchr(w->p + w->i, '\n', w->n - w->i);
			size_t end = nl ? (size_t)(nl - w->p) + 1 : w->n;

			if (w->odd_newline || memchr(w->p + w->i, '\r', end - w->i))
				w->unsure = true;
			w->i = end;
		} else {
			return;
		}
	}
}

/* The walk asks before every item; outside extended mode only a backslash or
 * a parenthesis can start something to skip, so most asks end here, without
 * a call. */
static inline void skip_ignorable(struct walk *w, const struct flags *f)
{
	if (w->i < w->n && !f->extended && w->p[w->i] != '\\' && w->p[w->i] != '(')
		return;
	skip_ignorable_slow(w, f);
}

/* ---- items ------------------------------------------------------------------ */

/* One literal character (len bytes at s) under flags f. Under a caseless
 * flag a letter becomes a caseless atom in lower case, except k and s, and
 * any non-ASCII character, whose Unicode case partners are other bytes. */
static struct info literal(struct walk *w, const struct flags *f, const char *s, size_t len)
{
	char c = s[0];
	bool is_letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

	if (f->caseless && (len > 1 || (unsigned char)c >= 0x80))
		return rxreq_info_any();
	if (f->caseless && (rxreq_fold(c) == 'k' || rxreq_fold(c) == 's')) {
		/* their UTF-8 partners: KELVIN SIGN and LATIN SMALL LETTER LONG S */
		struct xset *x = rxreq_set_new(w);

		if (!x)
			return rxreq_info_any();
		x->s[0] = (struct xstr){rxreq_fold(c) == 'k' ? "k" : "s", 1, true};
		x->s[1] = (struct xstr){rxreq_fold(c) == 'k' ? "\xe2\x84\xaa" : "\xc5\xbf",
					rxreq_fold(c) == 'k' ? 3u : 2u, false};
		x->n = 2;
		return rxreq_info_set(x);
	}
	if (f->caseless && is_letter) {
		char *p = rxreq_pool_alloc(w, 2);

		if (!p)
			return rxreq_info_any();
		p[0] = rxreq_fold(c);
		return rxreq_info_set(rxreq_set_one(w, p, 1, true));
	}
	return rxreq_info_set(rxreq_set_one(w, s, (uint32_t)len, false));
}

static struct info digit_class(struct walk *w)
{
	static const char digits[] = "0123456789";
	struct xset *s = rxreq_set_new(w);

	if (!s)
		return rxreq_info_any();
	for (uint32_t d = 0; d < 10; d++)
		s->s[s->n++] = (struct xstr){digits + d, 1, false};
	return rxreq_info_set(s);
}

/* \xhh (up to two hex digits) or \x{h...}, just past the 'x': the
 * character it names, a literal like any other (R\x5fLOS is R_LOS, and
 * \x{4e2d} a Chinese character). Spaces in the braces, or no closing one,
 * are left to PCRE2: any one character. Outside UTF mode only bytes. */
static struct info hex_char(struct walk *w, const struct flags *f)
{
	uint32_t cp = 0;
	size_t digits = 0, len;
	char *bytes;

	if (at(w, 0, '{')) {
		size_t k = w->i + 1;

		for (; k < w->n && fl_hex_value(w->p[k]) >= 0 && digits < 9; k++, digits++)
			cp = cp * 16 + (uint32_t)fl_hex_value(w->p[k]);
		if (!digits || k >= w->n || w->p[k] != '}') {
			skip_past(w, '}');
			return rxreq_info_any();
		}
		w->i = k + 1;
	} else {
		for (; digits < 2 && w->i < w->n && fl_hex_value(w->p[w->i]) >= 0; digits++, w->i++)
			cp = cp * 16 + (uint32_t)fl_hex_value(w->p[w->i]);
	}
	if (!digits || cp == 0 || (!w->utf && cp > 0x7f))
		return rxreq_info_any(); /* \x alone is NUL */
	bytes = rxreq_pool_alloc(w, 4);
	if (!bytes || !(len = fl_utf8_encode(cp, bytes)))
		return rxreq_info_any();
	return literal(w, f, bytes, len);
}

/* An escape outside a class, at p[i] == '\\'. */
static struct info escape(struct walk *w, const struct flags *f)
{
	static const char ctl_from[] = "aefnrt", ctl_to[] = "\a\033\f\n\r\t";
	const char *ctl;
	char c;

	if (w->i + 1 >= w->n) {
		w->unsure = true;
		return rxreq_info_any();
	}
	c = w->p[w->i + 1];
	w->i += 2;
	if ((ctl = strchr(ctl_from, c)) && c)
		return rxreq_info_set(rxreq_set_one(w, &ctl_to[ctl - ctl_from], 1, false));
	if (c == 'd')
		return w->ucp ? rxreq_info_any() : digit_class(w);
	if (strchr("DsSwWhHvVRXC", c))
		return rxreq_info_any();
	if (strchr("bBAZzGK", c))
		return rxreq_info_empty(w);
	if (is_digit(c)) { /* octal or a backreference: digits only, nothing structural */
		while (w->i < w->n && is_digit(w->p[w->i]))
			w->i++;
		return rxreq_info_any();
	}
	if (c == 'x')
		return hex_char(w, f);
	switch (c) {
	case 'o':
	case 'N':
	case 'p':
	case 'P':
		if (at(w, 0, '{'))
			skip_past(w, '}');
		else if (c == 'p' || c == 'P')
			w->i++;
		return rxreq_info_any();
	case 'c':
		w->i++;
		return rxreq_info_any();
	case 'g':
		if (at(w, 0, '<') || at(w, 0, '\'')) { /* a subroutine call */
			w->unsure = true;
			return rxreq_info_any();
		}
		if (at(w, 0, '{'))
			skip_past(w, '}');
		else
			while (w->i < w->n && (is_digit(w->p[w->i]) || w->p[w->i] == '-' ||
					       w->p[w->i] == '+'))
				w->i++;
		return rxreq_info_any();
	case 'k':
		if (at(w, 0, '<') || at(w, 0, '\'') || at(w, 0, '{'))
			skip_past(w, w->p[w->i] == '<' ? '>' : w->p[w->i] == '{' ? '}' : '\'');
		return rxreq_info_any();
	default:
		break;
	}
	if (is_alnum(c)) { /* an escape PCRE2 10.42 refuses, or one added since */
		w->unsure = true;
		return rxreq_info_any();
	}
	w->i--;
	{
		size_t len = char_len(w, (unsigned char)c);
		struct info r;

		if (w->i + len > w->n)
			len = w->n - w->i;
		r = literal(w, f, w->p + w->i, len);
		w->i += len;
		return r;
	}
}

/* PCRE2's check_posix_syntax(): at p[k] == '[' and p[k+1] one of ":.=", is
 * this a POSIX class such as [:alpha:]? Sets *end just past its ":]". */
static bool posix_class(const struct walk *w, size_t k, size_t *end)
{
	char term = w->p[k + 1];

	for (k += 2; k + 1 < w->n; k++) {
		if (w->p[k] == '\\' && (w->p[k + 1] == ']' || w->p[k + 1] == '\\'))
			k++;
		else if ((w->p[k] == '[' && w->p[k + 1] == term) || w->p[k] == ']')
			return false;
		else if (w->p[k] == term && w->p[k + 1] == ']') {
			*end = k + 2;
			return true;
		}
	}
	return false;
}

/* members[lo..hi] holds every member; the set lists them in byte order. */
static struct info class_set(struct walk *w, const struct flags *f, const bool *members,
			     unsigned lo, unsigned hi)
{
	struct xset *s = rxreq_set_new(w);
	char *bytes = rxreq_pool_alloc(w, 128);

	if (!s || !bytes)
		return rxreq_info_any();
	for (unsigned c = lo; c <= hi; c++) {
		bool is_letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

		if (!members[c])
			continue;
		bytes[c] = (char)c;
		s->s[s->n++] = (struct xstr){bytes + c, 1, f->caseless && is_letter};
	}
	return rxreq_info_set(s);
}

/* A class at p[i] == '['. Exact when it lists at most FL_RXREQ_CLASS_MAX
 * plain ASCII characters (ranges allowed), not negated; anything else in it
 * (escapes, POSIX names, non-ASCII) makes it any one character. */
static struct info char_class(struct walk *w, const struct flags *f)
{
	bool members[128] = {false}, is_plain = !f->extended_more;
	unsigned count = 0, least = 127, most = 0;
	size_t k = w->i + 1;

	if (k < w->n && w->p[k] == '^') {
		is_plain = false;
		k++;
	}
	for (bool first = true; k < w->n && (first || w->p[k] != ']'); first = false) {
		unsigned char lo = (unsigned char)w->p[k], hi;
		size_t end;

		if (lo == '\\') {
			if (k + 1 < w->n && w->p[k + 1] == 'Q') { /* quoting inside a class */
				w->unsure = true;
				return rxreq_info_any();
			}
			is_plain = false;
			k += (k + 1 < w->n && w->p[k + 1] == 'c') ? 3 : 2; /* \c] is a control char */
			continue;
		}
		if (lo == '[' && k + 1 < w->n && strchr(":.=", w->p[k + 1]) && w->p[k + 1] &&
		    posix_class(w, k, &end)) {
			is_plain = false;
			k = end;
			continue;
		}
		hi = lo;
		/* a range; one ending in an escape or a '[' is left to the next
		 * turns (they find where the class ends), and is opaque */
		if (k + 2 < w->n && w->p[k + 1] == '-' && w->p[k + 2] != ']') {
			if (w->p[k + 2] == '\\' || w->p[k + 2] == '[') {
				is_plain = false;
				k += 2;
				continue;
			}
			hi = (unsigned char)w->p[k + 2];
			k += 2;
		}
		k++;
		if (lo >= 0x80 || hi >= 0x80 || hi < lo) {
			is_plain = false;
			continue;
		}
		for (unsigned c = lo; c <= hi; c++) {
			unsigned m = f->caseless ? (unsigned char)rxreq_fold((char)c) : c;

			if (f->caseless && (m == 'k' || m == 's'))
				is_plain = false;
			count += !members[m];
			members[m] = true;
			least = m < least ? m : least;
			most = m > most ? m : most;
		}
	}
	if (k >= w->n) {
		w->unsure = true;
		return rxreq_info_any();
	}
	w->i = k + 1;
	if (!is_plain || count == 0 || count > FL_RXREQ_CLASS_MAX)
		return rxreq_info_any();
	return class_set(w, f, members, least, most);
}

static struct info alternatives(struct walk *w, struct flags f);

/* Inline flags at p[i], just past "(?": letters of "imnsxJU", '-' to unset
 * and '^' to reset, then ')' or ':'. Sets *g to the flags they make and
 * returns the character that ended them, or 0 (unsure) for anything else:
 * recursion, conditionals, callouts, which the walker does not follow. */
static char inline_flags(struct walk *w, const struct flags *f, struct flags *g)
{
	bool on = true;

	*g = *f;
	for (; w->i < w->n; w->i++) {
		char c = w->p[w->i];

		if (c == ')' || c == ':') {
			w->i++;
			return c;
		}
		if (c == '-' && !(w->i + 1 < w->n && is_digit(w->p[w->i + 1]))) {
			on = false;
		} else if (c == '^' && on) {
			g->caseless = g->extended = g->extended_more = false;
		} else if (c == 'i') {
			g->caseless = on;
		} else if (c == 'x') {
			/* (?xx) also ignores spaces in classes; keeping extended_more
			 * on longer than PCRE2 does only makes classes opaque */
			g->extended = on;
			if (on && at(w, 1, 'x')) {
				g->extended_more = true;
				w->i++;
			}
		} else if (!strchr("mnsJU", c) || !c) {
			break;
		}
	}
	w->unsure = true;
	return 0;
}

/* What follows "(?" when it is a group that matches text (its content is
 * then walked by the caller); *is_lookaround for assertions, which require
 * nothing of the text around them. False when the group is of a kind the
 * walker does not follow, or is not a group (flags, comments). */
static bool group_kind(struct walk *w, bool *is_lookaround)
{
	char c = w->i < w->n ? w->p[w->i] : '\0';
	char d = w->i + 1 < w->n ? w->p[w->i + 1] : '\0';

	*is_lookaround = false;
	if (c == ':' || c == '|' || c == '>') {
		w->i++;
		return true;
	}
	if (c == '=' || c == '!' || (c == '<' && (d == '=' || d == '!'))) {
		*is_lookaround = true;
		w->i += c == '<' ? 2 : 1;
		return true;
	}
	if ((c == '<' || c == '\'') && (d == '_' || (is_alnum(d) && !is_digit(d)))) {
		skip_past(w, c == '\'' ? '\'' : '>');
		if (c == '\'') /* the opening quote was at i: skip to the closing one */
			skip_past(w, '\'');
		return true;
	}
	if (c == 'P' && d == '<') {
		skip_past(w, '>');
		return true;
	}
	return false;
}

/* A group at p[i] == '('. Inline flags without a group of their own,
 * (?i), change *f: they hold to the end of the enclosing group. */
static struct info group(struct walk *w, struct flags *f)
{
	struct flags g = *f;
	struct info r;
	bool is_lookaround = false;

	if (++w->depth > MAX_GROUP_DEPTH || at(w, 1, '*')) { /* (*VERB) */
		w->unsure = true;
		return rxreq_info_any();
	}
	w->i++;
	if (at(w, 0, '?')) {
		w->i++;
		if (at(w, 0, 'P') && at(w, 1, '=')) { /* (?P=name): a backreference */
			skip_past(w, ')');
			w->depth--;
			return rxreq_info_any();
		}
		if (!group_kind(w, &is_lookaround)) {
			char end = inline_flags(w, f, &g);

			if (end != ':') {
				w->depth--;
				if (end == ')')
					*f = g;
				return end == ')' ? rxreq_info_empty(w) : rxreq_info_any();
			}
		}
	}
	r = alternatives(w, g);
	if (!at(w, 0, ')')) {
		w->unsure = true;
		return rxreq_info_any();
	}
	w->i++;
	w->depth--;
	if (is_lookaround) {
		bool unb = r.has_unbounded;

		r = rxreq_info_any();
		r.has_unbounded = unb;
	}
	r.is_group = true;
	return r;
}

/* Bytes from i that are plain ASCII text, one string to the walk: no
 * metacharacter, no white space or '#' in extended mode, and not the last
 * character before a quantifier, which repeats that character alone. */
static size_t plain_run(const struct walk *w, const struct flags *f)
{
	/* what ends a run: control bytes, metacharacters, DEL and non-ASCII
	 * (bit 0), and in extended mode also '#' and ' ' (bit 1); a table,
	 * since the walk asks for every character of every pattern */
	static const unsigned char stop[256] = {
		[0 ... 0x1f] = 1, ['\\'] = 1, ['^'] = 1, ['$'] = 1, ['.'] = 1, ['|'] = 1,
		['?'] = 1, ['*'] = 1, ['+'] = 1, ['('] = 1, [')'] = 1, ['['] = 1, [']'] = 1,
		['{'] = 1, ['}'] = 1, ['#'] = 2, [' '] = 2, [0x7f ... 0xff] = 1,
	};
	const unsigned char mask = f->extended ? 3 : 1;
	size_t k = w->i, end = w->i + FL_RXREQ_MAX_ATOM < w->n ? w->i + FL_RXREQ_MAX_ATOM : w->n;
	char c;

	while (k < end && !(stop[(unsigned char)w->p[k]] & mask))
		k++;
	/* a quantifier repeats the last character alone (a NUL byte counted
	 * as one here before: kept so) */
	c = k < w->n ? w->p[k] : 'x';
	if ((c == '?' || c == '*' || c == '+' || c == '{' || c == '\0') && k > w->i)
		k--;
	return k - w->i;
}

/* A caseless run of plain_run()'s len characters from i, as one string:
 * letters folded, and the string caseless when it holds one. It stops
 * before k and s, whose Unicode partners literal() spells out. Returns its
 * length, below 2 when it is no run (the caller walks a character). Under
 * (?i) a run went character by character, each folded copy a product, and
 * the walk was quadratic in the run. */
static size_t caseless_run(struct walk *w, size_t len, struct info *r)
{
	const char *s = w->p + w->i;
	bool has_letter = false;
	size_t n = 0;
	char *p;

	for (; n < len && rxreq_fold(s[n]) != 'k' && rxreq_fold(s[n]) != 's'; n++)
		has_letter = has_letter || (rxreq_fold(s[n]) >= 'a' && rxreq_fold(s[n]) <= 'z');
	if (n < 2)
		return n;
	if (!has_letter) {
		*r = rxreq_info_set(rxreq_set_one(w, s, (uint32_t)n, false));
		return n;
	}
	p = rxreq_pool_alloc(w, n);
	if (!p) {
		*r = rxreq_info_any();
		return n;
	}
	for (size_t k = 0; k < n; k++)
		p[k] = rxreq_fold(s[k]);
	*r = rxreq_info_set(rxreq_set_one(w, p, (uint32_t)n, true));
	return n;
}

/* One item at i (never a quantifier). */
static struct info item(struct walk *w, struct flags *f)
{
	size_t len;
	struct info r;

	if (w->in_quote) {
		len = char_len(w, (unsigned char)w->p[w->i]);
	} else {
		switch (w->p[w->i]) {
		case '(':
			return group(w, f);
		case '[':
			return char_class(w, f);
		case '\\':
			return escape(w, f);
		case '.':
			w->i++;
			return rxreq_info_any();
		case '^':
		case '$':
			w->i++;
			return rxreq_info_empty(w);
		case '?':
		case '*':
		case '+': /* PCRE2 refuses a quantifier with nothing before it */
			w->unsure = true;
			return rxreq_info_any();
		default:
			if ((len = plain_run(w, f)) > 1 && f->caseless)
				len = caseless_run(w, len, &r);
			else if (len > 1)
				r = rxreq_info_set(rxreq_set_one(w, w->p + w->i, (uint32_t)len, false));
			if (len > 1) {
				w->i += len;
				return r;
			}
			len = char_len(w, (unsigned char)w->p[w->i]);
			break;
		}
	}
	if (w->i + len > w->n)
		len = w->n - w->i;
	r = literal(w, f, w->p + w->i, len);
	w->i += len;
	return r;
}

static unsigned long read_count(const struct walk *w, size_t *k)
{
	unsigned long v = 0;

	while (*k < w->n && is_digit(w->p[*k])) {
		if (v < 1000000)
			v = v * 10 + (unsigned long)(w->p[*k] - '0');
		(*k)++;
	}
	return v;
}

/* A brace at i: 1 for a quantifier {n}, {n,} or {n,m} (which every PCRE2
 * takes as one), with its counts; -1 for a brace that later versions may
 * take as one ({,m}, spaces) and 10.42 as literal text; 0 for literal text. */
static int brace_quantifier(const struct walk *w, size_t *end, unsigned long *min,
			    unsigned long *max, bool *unbounded)
{
	size_t k = w->i + 1, j;
	bool has_digit = false;

	for (j = k; j < w->n && (is_digit(w->p[j]) || w->p[j] == ',' || w->p[j] == ' '); j++)
		has_digit = has_digit || is_digit(w->p[j]);
	if (j >= w->n || w->p[j] != '}' || !has_digit)
		return 0;
	*end = j + 1;
	if (!is_digit(w->p[k]))
		return -1;
	*min = read_count(w, &k);
	*max = *min;
	*unbounded = false;
	if (k < w->n && w->p[k] == ',') {
		k++;
		*unbounded = !is_digit(w->p[k]);
		if (!*unbounded)
			*max = read_count(w, &k);
	}
	return k == j ? 1 : -1;
}

/* The quantifiers after an item, with their lazy or possessive suffixes. */
static struct info quantifiers(struct walk *w, const struct flags *f, struct info x)
{
	for (;;) {
		unsigned long min = 0, max = 1;
		bool unbounded = false, is_possessive = false;
		size_t start, end = 0;
		int brace;

		skip_ignorable(w, f);
		if (w->unsure || w->in_quote || w->i >= w->n)
			return x;
		start = w->i;
		switch (w->p[w->i]) {
		case '?':
			end = w->i + 1;
			break;
		case '*':
			unbounded = true;
			end = w->i + 1;
			break;
		case '+':
			min = 1;
			unbounded = true;
			end = w->i + 1;
			break;
		case '{':
			brace = brace_quantifier(w, &end, &min, &max, &unbounded);
			if (brace == 0)
				return x;
			if (brace < 0) { /* quantifier or text: the item may be absent */
				min = 0;
				unbounded = true;
			}
			break;
		default:
			return x;
		}
		w->i = end;
		if (at(w, 0, '+')) {
			is_possessive = true;
			w->i++;
		} else if (at(w, 0, '?')) {
			w->i++;
		}
		x = rxreq_quantify(w, x, min, max, unbounded, is_possessive, start);
	}
}

/* A sequence up to '|', ')' or the end: exact parts multiply while the
 * product stays small; a run that would grow too big is closed as an OR of
 * its strings and a new one starts. */
static struct info sequence(struct walk *w, struct flags *f)
{
	struct conj c = {0};
	const struct xset *run = NULL;
	struct info r;
	bool unbounded = false, fence = false;

	for (;;) {
		struct info x;
		size_t at_item;
		bool is_plain;

		skip_ignorable(w, f);
		if (w->unsure || w->oom || w->i >= w->n ||
		    (!w->in_quote && (w->p[w->i] == '|' || w->p[w->i] == ')')))
			break;
		x = item(w, f);
		is_plain = x.is_exact && x.exact && !x.is_group && rxreq_set_min_len(x.exact) > 0;
		at_item = w->i;
		x = quantifiers(w, f, x);
		unbounded = unbounded || x.has_unbounded;
		fence = fence || x.has_fence || (is_plain && w->i == at_item);
		if (x.is_exact && x.exact && run && rxreq_fits_product(run, x.exact)) {
			run = rxreq_set_product(w, run, x.exact);
		} else if (x.is_exact && x.exact) {
			if (run) {
				rxreq_conj_add(w, &c, rxreq_set_to_match(w, run));
				c.is_inexact = true;
			}
			run = x.exact;
		} else {
			rxreq_conj_add(w, &c, rxreq_set_to_match(w, run));
			rxreq_conj_add(w, &c, x.match);
			run = NULL;
			c.is_inexact = true;
		}
	}
	if (!c.is_inexact) {
		r = run ? rxreq_info_set(run) : rxreq_info_empty(w);
	} else {
		rxreq_conj_add(w, &c, rxreq_set_to_match(w, run));
		r = rxreq_info_any();
		r.match = rxreq_conj_node(w, &c);
	}
	r.has_unbounded = unbounded;
	r.has_fence = fence;
	return r;
}

/* Alternatives up to ')' or the end. Inline flags set in one alternative
 * hold in the next ones too, as in PCRE2. */
static struct info alternatives(struct walk *w, struct flags f)
{
	struct info r = sequence(w, &f);

	while (!w->unsure && !w->oom && at(w, 0, '|')) {
		w->i++;
		r = rxreq_alternate(w, r, sequence(w, &f));
	}
	return r;
}

/* Are the len bytes at name the word w? */
static bool is_word(const char *name, size_t len, const char *w)
{
	return strlen(w) == len && memcmp(w, name, len) == 0;
}

/* The settings PCRE2 reads at the very start of a pattern, (*UTF) or
 * (*LIMIT_MATCH=1000): those that change no literal's meaning are passed,
 * (*UCP) and the newline conventions noted; any other, or a verb later in
 * the pattern (*ACCEPT), makes the walk unsure (group()). */
static void leading_settings(struct walk *w)
{
	static const char *const plain[] = {
	    "UTF", "NOTEMPTY", "NOTEMPTY_ATSTART", "NO_AUTO_POSSESS", "NO_DOTSTAR_ANCHOR",
	    "NO_JIT", "NO_START_OPT", "BSR_ANYCRLF", "BSR_UNICODE",
	};
	/* the last one set holds; LF is the build's own */
	static const char *const newlines[] = {"LF", "CR", "CRLF", "ANYCRLF", "ANY", "NUL"};
	static const char *const limits[] = {"LIMIT_HEAP=", "LIMIT_MATCH=", "LIMIT_DEPTH=",
					     "LIMIT_RECURSION="};

	while (at(w, 0, '(') && at(w, 1, '*')) {
		const char *name = w->p + w->i + 2;
		const char *end = memchr(name, ')', w->n - w->i - 2);
		size_t len, k;
		bool known = false;

		if (!end)
			return;
		len = (size_t)(end - name);
		for (k = 0; k < sizeof(plain) / sizeof(plain[0]) && !known; k++)
			known = is_word(name, len, plain[k]);
		for (k = 0; k < sizeof(newlines) / sizeof(newlines[0]) && !known; k++)
			if (is_word(name, len, newlines[k]))
				known = true, w->odd_newline = k > 0;
		if (!known && is_word(name, len, "UCP"))
			known = w->ucp = true;
		for (k = 0; k < sizeof(limits) / sizeof(limits[0]) && !known; k++) {
			size_t l = strlen(limits[k]), d = l;

			if (len <= l || memcmp(limits[k], name, l) != 0)
				continue;
			while (d < len && is_digit(name[d]))
				d++;
			known = d == len;
		}
		if (!known)
			return;
		w->i += len + 3;
	}
}

/* The pool's first chunk: enough for the work tree of a typical rule's
 * regex, so most walks take no memory from the heap but their result. */
#define FIRST_CHUNK 16384

int fl_rxreq_build(struct fl_rxreq **out, const char *pattern, size_t len, uint32_t options)
{
	alignas(max_align_t) unsigned char first[FIRST_CHUNK];
	struct pool_chunk *chunk = (struct pool_chunk *)first;
	struct walk w = {.p = pattern, .n = pattern ? len : 0, .utf = options & PCRE2_UTF,
			 .pool = chunk, .first = chunk};
	struct flags f = {.caseless = options & PCRE2_CASELESS,
			  .extended = options & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE),
			  .extended_more = options & PCRE2_EXTENDED_MORE};
	struct fl_rxreq *r = NULL;
	struct wnode *tree = NULL;
	struct info top;

	*chunk = (struct pool_chunk){.cap = FIRST_CHUNK - sizeof(*chunk)};
	if (options & PCRE2_UCP)
		w.ucp = true;
	if (options & PCRE2_LITERAL) { /* faultline never sets it: no need to follow */
		w.unsure = true;
	} else {
		leading_settings(&w);
		top = alternatives(&w, f);
		if (w.i < w.n) /* a ')' with no '(' */
			w.unsure = true;
		if (!w.unsure)
			tree = rxreq_to_match(&w, top);
	}
	if (!w.oom && !(r = rxreq_emit(tree)))
		w.oom = true;
	rxreq_pool_free(&w);
	if (w.oom) {
		fl_rxreq_destroy(r);
		return -ENOMEM;
	}
	r->is_unsure = w.unsure;
	r->has_nested_unbounded = w.nested;
	r->nested_at = w.nested_at;
	*out = r;
	return 0;
}
