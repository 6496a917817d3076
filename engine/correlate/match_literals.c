/* match_literals.c - literal extraction: the plain strings (or sets of
 * alternatives) any text a regex matches must contain. Conservative by
 * construction: it may miss a literal, never invent one. See match.h. */
#include "engine/correlate/match.h"

#include <stdint.h>
#include <string.h>

#include "engine/correlate/match_int.h"

/* ---- literal extraction ---------------------------------------------------- */

static bool is_meta(char c)
{
	return strchr("\\^$.|?*+()[]{}", c) != NULL;
}

static bool is_quant(char c)
{
	return c == '?' || c == '*' || c == '{';
}

/* Index just past the ']' closing the class that opens at p[i] == '['. */
static size_t skip_class(const char *p, size_t i, size_t n)
{
	i++;
	if (i < n && p[i] == '^')
		i++;
	if (i < n && p[i] == ']')
		i++;
	while (i < n && p[i] != ']')
		i += (p[i] == '\\') ? 2 : 1;
	return i < n ? i + 1 : n;
}

/* Index of the ')' closing the group that opens at p[i] == '(' (n if none). */
static size_t group_end(const char *p, size_t i, size_t n)
{
	int depth = 0;

	while (i < n) {
		if (p[i] == '\\') {
			i += 2;
			continue;
		}
		if (p[i] == '[') {
			i = skip_class(p, i, n);
			continue;
		}
		if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i;
		i++;
	}
	return n;
}

/* Splits [b, e) on top-level '|' into pure literals; false if an
 * alternative holds a metacharacter, is empty, or there are too many. */
static bool pure_alternatives(const char *p, size_t b, size_t e, struct fl_str *out,
			      size_t cap, size_t *n_out)
{
	size_t n = 0, start = b;

	for (size_t i = b; i <= e; i++) {
		if (i < e && p[i] != '|') {
			if (is_meta(p[i]))
				return false;
			continue;
		}
		if (i == start || n == cap)
			return false;
		out[n++] = fl_str_make(p + start, i - start);
		start = i + 1;
	}
	*n_out = n;
	return true;
}

static size_t set_score(const struct fl_str *set, size_t n)
{
	size_t min = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		if (set[i].len < min)
			min = set[i].len;
	return n ? min : 0;
}

/* Keeps sets of score >= 2 (shorter literals would make every byte a hit);
 * when full, a better set replaces the worst one kept. */
static void offer(struct lit_cands *b, const struct fl_str *set, size_t n)
{
	size_t score = set_score(set, n), worst = 0;

	if (score < 2)
		return;
	if (b->n < FL_MATCH_LIT_CANDS_MAX) {
		worst = b->n++;
	} else {
		for (size_t i = 1; i < b->n; i++)
			if (b->c[i].score < b->c[worst].score)
				worst = i;
		if (b->c[worst].score >= score)
			return;
	}
	memcpy(b->c[worst].set, set, n * sizeof(*set));
	b->c[worst].n = n;
	b->c[worst].score = score;
}

static void offer_run(struct lit_cands *b, const char *p, size_t start, size_t end)
{
	struct fl_str one = fl_str_make(p + start, end - start);

	if (end > start)
		offer(b, &one, 1);
}

/* A required literal is one every match must contain: a run of plain
 * characters in the top-level sequence, or a group of pure alternatives
 * (R_LOS|R_LOF) that is not optional. Anything unclear ends the run; a
 * top-level '|' or extended mode gives up. Conservative by construction: it
 * may miss a literal, never invent one. */
size_t fl_match_lit_candidates(struct fl_str pattern, struct lit_cands *cands, bool *is_nocase)
{
	const char *p = pattern.p;
	size_t n = pattern.len, i = 0, run = 0;
	struct lit_cands *best = cands;

	best->n = 0;

	*is_nocase = false;
	if (!p)
		return 0;
	if (n >= 4 && memcmp(p, "(?i)", 4) == 0) {
		*is_nocase = true;
		i = run = 4;
	}
	/* (?x) and (?x: make spaces insignificant: no run can be trusted. The
	 * pattern is a slice, not a string: every scan is bounded by n. */
	for (size_t k = 0; k + 2 < n; k++) {
		if (p[k] != '(' || p[k + 1] != '?' || p[k + 2] == '<' || p[k + 2] == ':')
			continue;
		for (size_t j = k + 2; j < n && p[j] != ':' && p[j] != ')'; j++) {
			if (p[j] == 'x')
				return 0;
			if (p[j] == 'i') /* caseless from here on: all of it, to be safe */
				*is_nocase = true;
		}
	}
	while (i < n) {
		char c = p[i];

		if (c == '|')
			return 0;
		if (!is_meta(c)) {
			if (i + 1 < n && is_quant(p[i + 1])) {
				offer_run(best, p, run, i);
				run = i + 1;
			} else if (i + 1 < n && p[i + 1] == '+') {
				offer_run(best, p, run, i + 1);
				run = i + 2;
				i++;
			}
			i++;
			continue;
		}
		offer_run(best, p, run, i);
		if (c == '\\') {
			i += 2;
		} else if (c == '[') {
			i = skip_class(p, i, n);
		} else if (c == '(') {
			size_t e = group_end(p, i, n), b = i + 1, k;
			struct fl_str set[FL_MATCH_LIT_SET_MAX];

			if (e == n)
				return 0;
			if (b < e && p[b] == '?') {
				if (b + 1 < e && p[b + 1] == ':') {
					b += 2;
				} else if (b + 1 < e && (p[b + 1] == '<' || p[b + 1] == 'P') &&
					   b + 2 < e && p[b + 2] != '=' && p[b + 2] != '!') {
					const char *gt = memchr(p + b, '>', e - b);

					b = gt ? (size_t)(gt - p) + 1 : e;
				} else {
					b = e; /* lookaround, flags, ...: nothing required */
				}
			}
			i = e + 1;
			if (!(i < n && (is_quant(p[i]))) && b < e &&
			    pure_alternatives(p, b, e, set, FL_MATCH_LIT_SET_MAX, &k))
				offer(best, set, k);
		} else {
			i++;
		}
		while (i < n && (p[i] == '?' || p[i] == '*' || p[i] == '+'))
			i++;
		if (i < n && p[i] == '{') {
			const char *close = memchr(p + i, '}', n - i);

			i = close ? (size_t)(close - p) + 1 : n;
		}
		run = i;
	}
	offer_run(best, p, run, i);
	return best->n;
}

size_t fl_match_required_literals(struct fl_str pattern, struct fl_str *out, size_t cap,
				  bool *is_nocase)
{
	struct lit_cands cands;
	size_t best = 0;

	if (fl_match_lit_candidates(pattern, &cands, is_nocase) == 0)
		return 0;
	for (size_t i = 1; i < cands.n; i++)
		if (cands.c[i].score > cands.c[best].score)
			best = i;
	if (cands.c[best].n > cap)
		return 0;
	memcpy(out, cands.c[best].set, cands.c[best].n * sizeof(*out));
	return cands.c[best].n;
}
