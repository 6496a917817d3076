/* fuzz_rxlite.c - differential: rxlite's answer on a fuzzer-chosen regex
 * and fuzzer-chosen subjects against PCRE2's own.
 *
 * Input: byte 0 = options (bit 0: caseless, bit 1: dotall, bit 2:
 * multiline, bit 3: extended); then the pattern up to the first NUL; then
 * subjects separated by NUL. Aborts when rxlite takes a pattern PCRE2
 * refuses or one under an option it must decline, counts other groups or
 * names than PCRE2, answers a subject of invalid UTF-8, or answers any
 * subject (rc or ovector pair) otherwise than pcre2_match(). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/rxlite.h"
#include "engine/lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One subject through both engines; aborts on a disagreement. */
static void check_subject(const pcre2_code *code, pcre2_match_data *md, pcre2_match_context *mctx,
			  const struct fl_rxlite *rx, const uint8_t *s, size_t len)
{
	size_t ov[2 * (FL_RXLITE_MAX_GROUPS + 1)];
	const PCRE2_SIZE *want_ov = pcre2_get_ovector_pointer(md);
	uint32_t pairs = fl_rxlite_groups(rx) + 1;
	int got = fl_rxlite_match(rx, (const char *)s, len, ov);
	int want;

	if (!fl_utf8_valid((const char *)s, len)) {
		if (got != FL_RXLITE_DECLINED)
			abort(); /* invalid UTF-8 is PCRE2's alone: its barriers */
		return;
	}
	if (got == FL_RXLITE_DECLINED)
		return; /* a budget spent: PCRE2 answers */
	want = pcre2_match(code, s, len, 0, 0, md, mctx);
	if (want < 0 && want != PCRE2_ERROR_NOMATCH)
		return; /* PCRE2's own limit: no answer to compare with */
	if (want == PCRE2_ERROR_NOMATCH) {
		if (got != FL_RXLITE_NOMATCH)
			abort();
		return;
	}
	if (got != want)
		abort();
	for (uint32_t i = 0; i < 2 * pairs; i++)
		if (ov[i] != want_ov[i])
			abort();
}

/* Aborts unless rx names the groups PCRE2's name table of code names, in
 * its order. */
static void check_names(const pcre2_code *code, const struct fl_rxlite *rx)
{
	uint32_t count = 0, entry = 0;
	PCRE2_SPTR table = NULL;

	if (pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table) != 0 || count != fl_rxlite_names(rx))
		abort();
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = table + (size_t)i * entry;
		uint32_t group;
		const char *name = fl_rxlite_name(rx, i, &group);

		if (group != (uint32_t)(e[0] << 8 | e[1]) || strcmp(name, (const char *)e + 2) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, want_groups;
	const uint8_t *pat, *end, *nul;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	pcre2_code *code;
	struct fl_rxlite *rx;
	size_t plen;
	PCRE2_SIZE off;
	int err, rc;

	if (size < 1)
		return 0;
	opts |= (data[0] & 1 ? PCRE2_CASELESS : 0) | (data[0] & 2 ? PCRE2_DOTALL : 0) |
		(data[0] & 4 ? PCRE2_MULTILINE : 0) | (data[0] & 8 ? PCRE2_EXTENDED : 0);
	pat = data + 1;
	end = data + size;
	nul = memchr(pat, '\0', (size_t)(end - pat));
	plen = (size_t)((nul ? nul : end) - pat);
	code = pcre2_compile(pat, plen, opts, &err, &off, NULL);
	rc = fl_rxlite_compile((const char *)pat, plen, opts, &rx);
	if (rc != 0 && rc != -ENOTSUP && rc != -ENOMEM)
		abort();
	if (!code) {
		if (rc == 0)
			abort(); /* a caller compiles for PCRE2 on rxlite's word */
		return 0;
	}
	if (rc == 0 && (opts & (PCRE2_MULTILINE | PCRE2_EXTENDED)))
		abort(); /* options outside the subset must be declined */
	if (rc != 0) {
		pcre2_code_free(code);
		return 0;
	}
	if (pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &want_groups) != 0 ||
	    fl_rxlite_groups(rx) != want_groups)
		abort();
	check_names(code, rx);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	mctx = pcre2_match_context_create(NULL);
	if (md && mctx) {
		pcre2_set_match_limit(mctx, 1000000); /* well past rxlite's budget */
		for (const uint8_t *s = nul ? nul + 1 : end; s <= end && nul;) {
			const uint8_t *e = memchr(s, '\0', (size_t)(end - s));

			check_subject(code, md, mctx, rx, s, (size_t)((e ? e : end) - s));
			if (!e)
				break;
			s = e + 1;
		}
	}
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	fl_rxlite_free(rx);
	pcre2_code_free(code);
	return 0;
}
