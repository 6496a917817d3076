/* fuzz_match.c - differential: the whole matcher (field index, literal
 * automaton, key windows, requirement trees, rxlite or PCRE2) on several
 * fuzzer-chosen rules at once, against PCRE2 alone on each rule's regex and
 * a plain comparison of its field condition.
 *
 * Input: byte 0 = the number of rules (1 + b % 6); byte 1 = flags (bit r:
 * rule r has /i; bits 6 and 7: rules 0 and 1 have /x); byte 2 = a field
 * condition for rules 0-3, two bits each (none, host == "H1", app in
 * ["NE", "alarmd"], host != "H2": the first two key the rule on the value,
 * the third does not); then NUL-separated segments: one pattern per rule,
 * then up to 16 messages, each a byte that picks its host (H1, H2, h1, H3)
 * and app (NE, sshd) and then the message text. A message a rule should
 * take (its condition holds and PCRE2 matches) that the matcher does not
 * report for it, or one it reports that the rule should not take, aborts:
 * the first is a dropped alarm, the second a false one. Patterns the plan
 * compiler refuses (or that hold a newline) end the input quietly. */
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
#include "engine/lib/str.h"
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

enum field_cond { COND_NONE, COND_HOST_H1, COND_APP_IN, COND_HOST_NOT_H2 };

static const char *const cond_text[] = {
    [COND_NONE] = "",
    [COND_HOST_H1] = "host == \"H1\" and ",
    [COND_APP_IN] = "app in [\"NE\", \"alarmd\"] and ",
    [COND_HOST_NOT_H2] = "host != \"H2\" and ",
};

static const char *const hosts[] = {"H1", "H2", "h1", "H3"};
static const char *const apps[] = {"NE", "sshd"};

/* The condition on the event as decoded, compared byte for byte. */
static bool cond_holds(enum field_cond c, const struct fl_event *ev)
{
	struct fl_str host = ev->syslog.hostname, app = ev->syslog.app_name;

	switch (c) {
	case COND_HOST_H1: return fl_str_eq_cstr(host, "H1");
	case COND_APP_IN: return fl_str_eq_cstr(app, "NE") || fl_str_eq_cstr(app, "alarmd");
	case COND_HOST_NOT_H2: return !fl_str_eq_cstr(host, "H2");
	case COND_NONE: break;
	}
	return true;
}

/* Appends `rule rN { match syslog; where [COND and] msg ~ /P/F; key host; }`
 * with each '/' of P written as \/ (the scanner turns it back). Returns false
 * when P cannot be written on one line or the plan would not fit. */
static bool write_rule(char *plan, size_t size, size_t *len, int r, enum field_cond cond,
		       struct segment pat, const char *flags)
{
	size_t n = *len;
	int w = snprintf(plan + n, size - n, "rule r%d { match syslog; where %smsg ~ /", r,
			 cond_text[cond]);

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

/* The regex of rule r's where (its one regex condition). */
static uint32_t rule_regex(const struct fl_program *prog, uint32_t r)
{
	const struct fl_prog_rule *rule = &prog->rules[r];

	for (uint32_t k = 0; k < rule->n_conds; k++)
		if (prog->conds[rule->first_cond + k].op == FL_OP_MATCH)
			return prog->conds[rule->first_cond + k].regex;
	__builtin_trap(); /* every rule written above has one */
}

/* Every rule's verdict on the message against its condition and PCRE2's;
 * traps on a difference. refs: one code per program regex. */
static void check_message(struct fl_match *m, const struct fl_program *prog, pcre2_code **refs,
			  pcre2_match_data *md, pcre2_match_context *mctx, const struct fl_event *ev,
			  const enum field_cond *conds)
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
		uint32_t ri = rule_regex(prog, r);
		int rc = pcre2_match(refs[ri], (PCRE2_SPTR)ev->syslog.msg.p, ev->syslog.msg.len, 0, 0,
				     md, mctx);

		if (rc < PCRE2_ERROR_NOMATCH)
			continue; /* the match limit: no answer to compare */
		if (hit[r] != (rc >= 0 && cond_holds(conds[r], ev)))
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
	enum field_cond conds[MAX_RULES] = {COND_NONE};
	size_t n_seg, len = 0;
	int n_rules;

	if (size < 4)
		return 0;
	n_rules = 1 + data[0] % MAX_RULES;
	for (int r = 0; r < 4; r++)
		conds[r] = (enum field_cond)((data[2] >> (2 * r)) & 3);
	n_seg = split(data + 3, data + size, seg, MAX_RULES + MAX_MESSAGES);
	if (n_seg <= (size_t)n_rules)
		return 0;
	len = (size_t)snprintf(plan_text, sizeof(plan_text), "plan f;\n");
	for (int r = 0; r < n_rules; r++) {
		char flags[3] = {0};
		int f = 0;

		if (data[1] & (1u << r))
			flags[f++] = 'i';
		if (r < 2 && data[1] & (1u << (6 + r)))
			flags[f++] = 'x';
		if (!write_rule(plan_text, sizeof(plan_text), &len, r, conds[r], seg[r], flags))
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
		size_t msg;
		int head;

		if (!seg[s].len)
			continue;
		msg = seg[s].len - 1;
		head = snprintf(line, sizeof(line), "<131>Nov 25 10:00:00 %s %s: ",
				hosts[seg[s].p[0] & 3], apps[(seg[s].p[0] >> 2) & 1]);
		if (msg > MAX_MESSAGE)
			msg = MAX_MESSAGE;
		memcpy(line + head, seg[s].p + 1, msg);
		if (fl_syslog_decode(&ev, line, (size_t)head + msg, &so) != FL_SYSLOG_OK)
			continue;
		check_message(m, prog, refs, md, mctx, &ev, conds);
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
