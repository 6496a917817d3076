/* fuzz_jsonr.c - the API's JSON reader on fuzzer-chosen request bodies.
 *
 * Every document accepted must hold together: each token's range inside the
 * input, each subtree's end after its start and within the token count, and
 * every string readable back as UTF-8 without a NUL. A broken invariant
 * aborts, so the fuzzer hunts wrong answers as well as memory errors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/jsonr.h"
#include "engine/lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_jsonr_tok toks[128];
	static char out[1 << 16];
	struct fl_jsonr r;

	if (size > sizeof(out) - 1)
		return 0;
	if (fl_jsonr_parse(&r, (const char *)data, size, toks, 128) < 0)
		return 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct fl_jsonr_tok *t = &toks[i];
		long n;

		if (t->start > t->end || t->end > size || t->next <= i || t->next > r.n)
			abort();
		if (t->type == FL_JSONR_OBJECT)
			(void)fl_jsonr_member(&r, i, "note");
		if (t->type != FL_JSONR_STRING)
			continue;
		n = fl_jsonr_string(&r, i, out, sizeof(out));
		if (n < 0 || memchr(out, '\0', (size_t)n) || !fl_utf8_valid(out, (size_t)n))
			abort();
	}
	return 0;
}
