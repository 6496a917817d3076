/* fuzz_ac.c - builds an Aho-Corasick prefilter from fuzzer-chosen literals,
 * scans fuzzer-chosen text, and checks the result against a naive search.
 *
 * Input: byte 0 = number of literals (mod 17); per literal one header byte
 * (bits 0-3: length - 1, bit 4: nocase, bits 5-7: id), then its bytes; the
 * rest is the text. A disagreement with the naive search aborts, so the
 * fuzzer hunts wrong answers as well as memory errors. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/ac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fold(uint8_t b)
{
	return (b >= 'A' && b <= 'Z') ? (uint8_t)(b + 32) : b;
}

static bool naive_has(const uint8_t *text, size_t n, const struct fl_ac_literal *l)
{
	const uint8_t *p = l->bytes;

	for (size_t i = 0; i + l->len <= n; i++) {
		size_t k = 0;

		while (k < l->len &&
		       (l->is_nocase ? fold(text[i + k]) == fold(p[k]) : text[i + k] == p[k]))
			k++;
		if (k == l->len)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_ac_literal lits[16];
	size_t n = 0, pos = 1, want = 0, got;
	uint64_t seen = 0, expect = 0;
	struct fl_ac *ac;

	if (size == 0)
		return 0;
	for (size_t want_n = data[0] % 17; n < want_n && pos < size; n++) {
		uint8_t hdr = data[pos++];
		size_t len = (size_t)(hdr & 15) + 1;

		if (len > size - pos)
			break;
		lits[n] = (struct fl_ac_literal){data + pos, len, (uint32_t)(hdr >> 5),
						 (hdr & 16) != 0};
		pos += len;
	}
	if (fl_ac_create(&ac, lits, n, 1u << 20) != 0)
		abort(); /* 16 literals of <= 16 bytes always fit in 1 MiB */
	if (fl_ac_bitset_words(ac) != 1)
		abort();
	got = fl_ac_scan(ac, data + pos, size - pos, &seen, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		if (naive_has(data + pos, size - pos, &lits[i]))
			expect |= UINT64_C(1) << lits[i].id;
	want = (size_t)__builtin_popcountll(expect);
	if (seen != expect || got != want)
		abort();
	fl_ac_destroy(ac);
	return 0;
}
