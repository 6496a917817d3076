/* rxlite_match.c - runs an rxlite program over a subject.
 *
 * A backtracking machine: straight-line instructions run in a loop, and a
 * choice point (a split, a count of a repeat) recurses into its preferred
 * way and goes on with the other when that fails. A capture is written in
 * place and its old value pushed on a trail; a failed way pops the trail
 * back to where it started, which gives Perl's rule for a group's value
 * (its last iteration on the path that matched). Choice points whose way
 * must start with a byte the subject does not have there are not entered:
 * the hints compiled beside them. */
#include "engine/lib/rxlite.h"

#include <string.h>

#include "engine/lib/rxlite_int.h"
#include "engine/lib/utf8.h"

#define UNSET ((size_t)-1)
#define TRAIL_MAX 256 /* captures written on one path; more is declined */

struct run {
	const struct fl_rxlite *rx;
	const unsigned char *s;
	size_t n;
	size_t *caps;
	int64_t budget;
	bool is_utf; /* the subject holds characters above ASCII (valid UTF-8) */
	bool is_declined;
	size_t end;
	uint32_t n_trail;
	struct {
		uint32_t slot;
		size_t old;
	} trail[TRAIL_MAX];
};

/* Gives up on the subject: true, so that every caller unwinds at once. */
static bool give_up(struct run *r)
{
	r->is_declined = true;
	return true;
}

static void undo(struct run *r, uint32_t mark)
{
	while (r->n_trail > mark) {
		r->n_trail--;
		r->caps[r->trail[r->n_trail].slot] = r->trail[r->n_trail].old;
	}
}

static bool holds(const struct run *r, enum rxl_assertion a, size_t sp)
{
	switch (a) {
	case RXL_BOS: return sp == 0;
	case RXL_EOS: return sp == r->n;
	case RXL_EOL: return sp == r->n || (sp + 1 == r->n && r->s[sp] == '\n');
	case RXL_WORDB:
	case RXL_NWORDB: {
		bool before = sp > 0 && rxl_is_word(r->s[sp - 1]);
		bool after = sp < r->n && rxl_is_word(r->s[sp]);

		return (before != after) == (a == RXL_WORDB);
	}
	}
	return false;
}

/* Whether the byte at sp can begin the way a hint describes. */
static bool fits(const struct run *r, const uint8_t hint[2], size_t sp)
{
	if (hint[0] == RXL_NO_HINT)
		return true;
	return sp < r->n && (r->s[sp] == hint[0] || r->s[sp] == hint[1]);
}

/* The bytes of the character whose lead byte is b (the subject is valid). */
static size_t char_bytes(unsigned char b)
{
	return b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

/* Whether set holds the character that begins with byte b. */
static bool set_takes(const struct rxl_set *set, unsigned char b)
{
	return b < 0x80 ? rxl_set_has(set, b) : set->high;
}

static bool same(const unsigned char *s, const char *text, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i] != (unsigned char)text[i])
			return false;
	return true;
}

static bool same_folded(const unsigned char *s, const char *lower_text, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (rxl_lower(s[i]) != (unsigned char)lower_text[i])
			return false;
	return true;
}

static bool step(struct run *r, uint32_t pc, size_t sp, unsigned depth);

enum rep_outcome { REP_DONE, REP_FAILED, REP_GO_ON };

/* A repeat of one set: counts the run it could take, then tries the rest
 * after each count in PCRE2's order. The last count is left to the
 * caller's loop (REP_GO_ON, *sp past it) rather than recursing once more.
 * REP_DONE: matched, or declined. */
static enum rep_outcome repeat(struct run *r, const struct rxl_insn *in, uint32_t pc, size_t *sp,
			       unsigned depth)
{
	const struct rxl_set *set = &r->rx->sets[in->a];
	size_t room = r->n - *sp, max = in->max == RXL_INF || in->max > room ? room : in->max;
	size_t k = 0;
	uint32_t mark = r->n_trail;

	if (!in->is_lazy) {
		while (k < max && rxl_set_has(set, r->s[*sp + k]))
			k++;
		r->budget -= (int64_t)k;
		if (k < in->min)
			return REP_FAILED;
		for (; k > in->min; k--) {
			if (!fits(r, in->hint, *sp + k))
				continue;
			if (step(r, pc + 1, *sp + k, depth))
				return REP_DONE;
			undo(r, mark);
		}
		*sp += k;
		return REP_GO_ON;
	}
	for (; k < in->min; k++)
		if (k >= room || !rxl_set_has(set, r->s[*sp + k]))
			return REP_FAILED;
	for (;; k++) {
		if (--r->budget < 0) {
			give_up(r);
			return REP_DONE;
		}
		if (k == max || !rxl_set_has(set, r->s[*sp + k])) {
			*sp += k;
			return REP_GO_ON;
		}
		if (fits(r, in->hint, *sp + k)) {
			if (step(r, pc + 1, *sp + k, depth))
				return REP_DONE;
			undo(r, mark);
		}
	}
}

/* repeat() for a set that takes characters above ASCII, on a subject that
 * has them: counts characters, not bytes, and backs off one character at a
 * time, as PCRE2 does under UTF. */
static enum rep_outcome repeat_chars(struct run *r, const struct rxl_insn *in, uint32_t pc,
				     size_t *sp, unsigned depth)
{
	const struct rxl_set *set = &r->rx->sets[in->a];
	size_t max = in->max == RXL_INF ? SIZE_MAX : in->max, k = 0, at = *sp;
	uint32_t mark = r->n_trail;

	if (!in->is_lazy) {
		for (; k < max && at < r->n && set_takes(set, r->s[at]); k++)
			at += char_bytes(r->s[at]);
		r->budget -= (int64_t)k;
		if (k < in->min)
			return REP_FAILED;
		for (; k > in->min; k--) {
			if (fits(r, in->hint, at)) {
				if (step(r, pc + 1, at, depth))
					return REP_DONE;
				undo(r, mark);
			}
			do
				at--;
			while ((r->s[at] & 0xc0) == 0x80);
		}
		*sp = at;
		return REP_GO_ON;
	}
	for (; k < in->min; k++) {
		if (at >= r->n || !set_takes(set, r->s[at]))
			return REP_FAILED;
		at += char_bytes(r->s[at]);
	}
	for (;; k++) {
		if (--r->budget < 0) {
			give_up(r);
			return REP_DONE;
		}
		if (k == max || at >= r->n || !set_takes(set, r->s[at])) {
			*sp = at;
			return REP_GO_ON;
		}
		if (fits(r, in->hint, at)) {
			if (step(r, pc + 1, at, depth))
				return REP_DONE;
			undo(r, mark);
		}
		at += char_bytes(r->s[at]);
	}
}

/* Runs the program from pc at sp: true on a match, or when declined (the
 * caller checks r->is_declined). On false, captures written on the way are
 * still on the trail: the caller undoes them. */
static bool step(struct run *r, uint32_t pc, size_t sp, unsigned depth)
{
	const struct rxl_insn *prog = r->rx->prog;

	if (++depth > FL_RXLITE_DEPTH_MAX)
		return give_up(r);
	for (;;) {
		const struct rxl_insn *in = &prog[pc];

		if (--r->budget < 0)
			return give_up(r);
		switch ((enum rxl_op)in->op) {
		case RXL_CHAR:
			if (sp >= r->n || r->s[sp] != in->a)
				return false;
			sp++, pc++;
			break;
		case RXL_STR:
			if (r->n - sp < in->b || !same(r->s + sp, r->rx->bytes + in->a, in->b))
				return false;
			sp += in->b, pc++;
			break;
		case RXL_STRI:
			if (r->n - sp < in->b || !same_folded(r->s + sp, r->rx->bytes + in->a, in->b))
				return false;
			sp += in->b, pc++;
			break;
		case RXL_SET:
			if (sp >= r->n || !set_takes(&r->rx->sets[in->a], r->s[sp]))
				return false;
			sp += char_bytes(r->s[sp]), pc++;
			break;
		case RXL_REP:
			switch (r->is_utf && r->rx->sets[in->a].high
					? repeat_chars(r, in, pc, &sp, depth)
					: repeat(r, in, pc, &sp, depth)) {
			case REP_DONE: return true;
			case REP_FAILED: return false;
			case REP_GO_ON: pc++; break;
			}
			break;
		case RXL_SPLIT:
			if (fits(r, in->hint, sp)) {
				uint32_t mark = r->n_trail;

				if (step(r, in->a, sp, depth))
					return true;
				undo(r, mark);
			}
			pc = in->b;
			break;
		case RXL_JMP: pc = in->a; break;
		case RXL_SAVE:
			if (r->n_trail == TRAIL_MAX)
				return give_up(r);
			r->trail[r->n_trail].slot = in->a;
			r->trail[r->n_trail++].old = r->caps[in->a];
			r->caps[in->a] = sp;
			pc++;
			break;
		case RXL_ASSERT:
			if (!holds(r, (enum rxl_assertion)in->a, sp))
				return false;
			pc++;
			break;
		case RXL_MATCH: r->end = sp; return true;
		}
	}
}

/* The next offset from start where a match can begin, or len + 1: never
 * inside a character. */
static size_t next_start(const struct fl_rxlite *rx, const unsigned char *s, size_t len,
			 size_t start)
{
	const unsigned char *at;

	if (!rx->has_first) {
		while (start < len && (s[start] & 0xc0) == 0x80)
			start++;
		return start;
	}
	if (rx->first_byte >= 0) {
		at = start < len ? memchr(s + start, rx->first_byte, len - start) : NULL;
		return at ? (size_t)(at - s) : len + 1;
	}
	while (start < len && !(s[start] < 0x80 ? rxl_set_has(&rx->first, s[start])
					      : rx->first.high && (s[start] & 0xc0) == 0xc0))
		start++;
	return start < len ? start : len + 1;
}

int fl_rxlite_match(const struct fl_rxlite *rx, const char *subject, size_t len, size_t *ov)
{
	const unsigned char *s = (const unsigned char *)subject;
	size_t slots = 2 * ((size_t)rx->groups + 1), start;
	struct run r;
	int rc = 1;

	r.is_utf = !fl_utf8_is_ascii(subject, len);
	if (r.is_utf && (rx->folds_beyond_ascii || !fl_utf8_valid(subject, len)))
		return FL_RXLITE_DECLINED;
	r.rx = rx;
	r.s = s;
	r.n = len;
	r.caps = ov;
	r.budget = FL_RXLITE_STEP_BUDGET;
	r.is_declined = false;
	r.n_trail = 0;
	for (size_t i = 0; i < slots; i++)
		ov[i] = UNSET;
	for (start = next_start(rx, s, len, 0);; start = next_start(rx, s, len, start + 1)) {
		if (start > len)
			return FL_RXLITE_NOMATCH;
		if (step(&r, 0, start, 0))
			break;
		undo(&r, 0);
		if (rx->is_anchored)
			return FL_RXLITE_NOMATCH;
	}
	if (r.is_declined)
		return FL_RXLITE_DECLINED;
	ov[0] = start;
	ov[1] = r.end;
	for (uint32_t g = 1; g <= rx->groups; g++)
		if (ov[2 * g + 1] != UNSET)
			rc = (int)g + 1;
	return rc;
}
