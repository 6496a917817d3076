/* fuzz_rxreq.c - differential: the literal requirements rxreq.h takes from
 * a fuzzer-chosen regex against PCRE2's own answer on fuzzer-chosen text.
 *
 * Input: byte 0 = flags (bit 0: caseless, bit 1: extended, bit 2: extended
 * more); then the pattern up to the first NUL; then subjects separated by
 * NUL. A subject PCRE2 matches whose atoms fail the tree aborts: the
 * prefilter would have dropped a true match. Patterns PCRE2 refuses are
 * still walked, for memory errors. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/rxreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct subject {
	const struct fl_rxreq *r;
	const uint8_t *text;
	size_t len;
};

static uint8_t fold(uint8_t b)
{
	return (b >= 'A' && b <= 'Z') ? (uint8_t)(b + 32) : b;
}

static bool has_atom(uint32_t node, void *ctx)
{
	const struct subject *s = ctx;
	const struct fl_rxreq_node *x = &s->r->nodes[node];
	const uint8_t *atom = (const uint8_t *)s->r->bytes + x->first;

	for (size_t at = 0; at + x->n <= s->len; at++) {
		size_t k = 0;

		while (k < x->n && (x->is_nocase ? fold(s->text[at + k]) == fold(atom[k])
						 : s->text[at + k] == atom[k]))
			k++;
		if (k == x->n)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	const uint8_t *pat, *end, *nul;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	pcre2_code *code;
	struct fl_rxreq *r;
	size_t plen;
	PCRE2_SIZE off;
	int err;

	if (size < 1)
		return 0;
	opts |= (data[0] & 1 ? PCRE2_CASELESS : 0) | (data[0] & 2 ? PCRE2_EXTENDED : 0) |
		(data[0] & 4 ? PCRE2_EXTENDED_MORE : 0);
	pat = data + 1;
	end = data + size;
	nul = memchr(pat, '\0', (size_t)(end - pat));
	plen = (size_t)((nul ? nul : end) - pat);
	if (fl_rxreq_build(&r, (const char *)pat, plen, opts) < 0)
		return 0;
	code = pcre2_compile(pat, plen, opts, &err, &off, NULL);
	if (!code) {
		fl_rxreq_destroy(r);
		return 0;
	}
	md = pcre2_match_data_create(1, NULL);
	mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mctx, 100000); /* the engine's own cap: a slow regex is no finding */
	for (const uint8_t *s = nul ? nul + 1 : end; md && mctx && s <= end && nul;) {
		const uint8_t *e = memchr(s, '\0', (size_t)(end - s));
		struct subject sub = {r, s, (size_t)((e ? e : end) - s)};

		if (pcre2_match(code, s, sub.len, 0, 0, md, mctx) >= 0 &&
		    !fl_rxreq_eval(r, r->root, has_atom, &sub))
			__builtin_trap(); /* a true match the prefilter would drop */
		if (!e)
			break;
		s = e + 1;
	}
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	fl_rxreq_destroy(r);
	return 0;
}
