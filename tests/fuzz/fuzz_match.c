/* fuzz_match.c - differential: the whole matcher (field index, literal
 * automaton, key windows, requirement trees, rxlite or PCRE2) on several
 * fuzzer-chosen rules at once, against PCRE2 alone on each rule's regex.
 *
 * Input: byte 0 = the number of rules (1 + b % 6); byte 1 = flags (bit r:
 * rule r has /i; bits 6 and 7: rules 0 and 1 have /x); then NUL-separated
 * segments: one pattern per rule, then up to 16 messages. A message PCRE2
 * matches that the matcher does not report for that rule, or one it reports
 * that PCRE2 does not match, aborts: the first is a dropped alarm, the second
 * a false one. Patterns the plan compiler refuses (or that hold a newline)
 * end the input quietly. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/match.h"
#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "engine/lib/limits.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RULES 6
#define MAX_MESSAGES 16
#define MAX_MESSAGE 512

struct segment {
	const uint8_t *p;
	size_t len;
};

/* Appends `rule rN { match syslog; where msg ~ /P/F; key host; }` with each
 * '/' of P written as \/ (the scanner turns it back). Returns false when P
 * cannot be written on one line or the plan would not fit. */
static bool write_rule(char *plan, size_t size, size_t *len, int r, struct segment pat,
		       const char *flags)
{
	size_t n = *len;
	int w = snprintf(plan + n, size - n, "rule r%d { match syslog; where msg ~ /", r);

	if (w < 0 || (size_t)w >= size - n)
		return false;
	n += (size_t)w;
	for (size_t i = 0; i < pat.len; i++) {
		uint8_t c = pat.p[i];

		if (c == '\n' || c == '\r' || n + 4 >= size)
			return false;
		if (c == '\\') {
			if (i + 1 == pat.len || pat.p[i + 1] == '\n' || pat.p[i + 1] == '\r')
				return false;
			plan[n++] = '\\';
			plan[n++] = (char)pat.p[++i];
			continue;
		}
		if (c == '/')
			plan[n++] = '\\';
		plan[n++] = (char)c;
	}
	w = snprintf(plan + n, size - n, "/%s; key host; }\n", flags);
	if (w < 0 || (size_t)w >= size - n)
		return false;
	*len = n + (size_t)w;
	return true;
}

static size_t split(const uint8_t *p, const uint8_t *end, struct segment *seg, size_t max)
{
	size_t n = 0;

	while (p <= end && n < max) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		const uint8_t *stop = nul ? nul : end;

		seg[n++] = (struct segment){p, (size_t)(stop - p)};
		if (!nul)
			break;
		p = nul + 1;
	}
	return n;
}

/* Every rule's verdict on the message against PCRE2's; traps on a
 * difference. refs: one code per program regex. */
static void check_message(struct fl_match *m, const struct fl_program *prog, pcre2_code **refs,
			  pcre2_match_data *md, pcre2_match_context *mctx, const struct fl_event *ev)
{
	bool hit[MAX_RULES] = {false};
	struct fl_match_stats before, after;
	const uint32_t *cands;
	size_t n;

	fl_match_stats(m, &before);
	n = fl_match_begin(m, ev, &cands);
	for (size_t k = 0; k < n; k++)
		if (cands[k] < MAX_RULES)
			hit[cands[k]] = fl_match_rule(m, cands[k]) == FL_MATCH_FAULT;
	fl_match_stats(m, &after);
	if (after.regex_limit != before.regex_limit)
		return; /* the engine's cap, counted: the JIT counts toward it otherwise */
	for (uint32_t r = 0; r < prog->n_rules && r < MAX_RULES; r++) {
		uint32_t ri = prog->conds[prog->rules[r].first_cond].regex;
		int rc = pcre2_match(refs[ri], (PCRE2_SPTR)ev->syslog.msg.p, ev->syslog.msg.len, 0, 0,
				     md, mctx);

		if (rc < PCRE2_ERROR_NOMATCH)
			continue; /* the match limit: no answer to compare */
		if (hit[r] != (rc >= 0))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	struct segment seg[MAX_RULES + MAX_MESSAGES];
	static struct fl_event ev;
	static char plan_text[8192];
	const struct fl_program *prog;
	pcre2_match_context *mctx = NULL;
	pcre2_match_data *md = NULL;
	pcre2_code **refs = NULL;
	struct fl_diags *d = NULL;
	struct fl_plan *plan = NULL;
	struct fl_match *m = NULL;
	size_t n_seg, len = 0;
	int n_rules;

	if (size < 3)
		return 0;
	n_rules = 1 + data[0] % MAX_RULES;
	n_seg = split(data + 2, data + size, seg, MAX_RULES + MAX_MESSAGES);
	if (n_seg <= (size_t)n_rules)
		return 0;
	for (int r = 0; r < n_rules; r++) {
		char flags[3] = {0};
		int f = 0;

		if (data[1] & (1u << r))
			flags[f++] = 'i';
		if (r < 2 && data[1] & (1u << (6 + r)))
			flags[f++] = 'x';
		if (!write_rule(plan_text, sizeof(plan_text), &len, r, seg[r], flags))
			return 0;
	}
	if (fl_diags_create(&d) < 0)
		return 0;
	if (fl_plan_compile_text(&plan, "f.plan", plan_text, len, &opt, d) < 0)
		goto out;
	prog = fl_plan_program(plan);
	if (prog->n_rules != (size_t)n_rules || fl_match_create(&m, prog) < 0)
		goto out;
	refs = calloc(prog->n_regexes + 1, sizeof(*refs));
	md = pcre2_match_data_create(1, NULL);
	mctx = pcre2_match_context_create(NULL);
	if (!refs || !md || !mctx)
		goto out;
	pcre2_set_match_limit(mctx, FL_REGEX_MATCH_LIMIT);
	for (size_t i = 0; i < prog->n_regexes; i++) {
		const struct fl_prog_regex *rx = &prog->regexes[i];
		PCRE2_SIZE off;
		int err;

		refs[i] = pcre2_compile((PCRE2_SPTR)rx->pattern.p, rx->pattern.len, rx->opts, &err,
					&off, NULL);
		if (!refs[i])
			__builtin_trap(); /* the plan took a pattern PCRE2 refuses */
	}
	for (size_t s = (size_t)n_rules; s < n_seg; s++) {
		char line[MAX_MESSAGE + 64];
		size_t msg = seg[s].len < MAX_MESSAGE ? seg[s].len : MAX_MESSAGE;
		int head = snprintf(line, sizeof(line), "<131>Nov 25 10:00:00 H1 NE: ");

		memcpy(line + head, seg[s].p, msg);
		if (fl_syslog_decode(&ev, line, (size_t)head + msg, &so) != FL_SYSLOG_OK)
			continue;
		check_message(m, prog, refs, md, mctx, &ev);
	}
out:
	if (refs)
		for (size_t i = 0; i < prog->n_regexes; i++)
			pcre2_code_free(refs[i]);
	free(refs);
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return 0;
}
