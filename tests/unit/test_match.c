/* The matcher: required literals, the prefilter, conditions and captures. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/input/inputs.h" /* beside grammar/program.h: their names must not clash */
#include "engine/lib/limits.h"
#include "engine/correlate/match.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

/* The tree each regex of a compiled plan gives the prefilter: its flags, /i
 * and /x, are read from the compiled code, not the pattern's text. */
Test(match, takes_each_regex_requirement_with_its_flags)
{
	static const char text[] =
	    "plan m;\nlevel general { respond 30m; }\n"
	    "rule a { match syslog; where msg ~ /(?<alarm>(?:LINK_DOWN|LINK_UP)-\\d\\d3)/; key host; }\n"
	    "rule b { match syslog; where msg ~ /r_los raised/i; key host; }\n"
	    "rule c { match syslog; where msg ~ /LINK \\s down (?#state)/x; key host; }\n"
	    "rule d { match syslog; where msg ~ /MAINS_FAIL|POWER_FAIL/; key host; }\n"
	    "rule e { match syslog; where msg ~ /a.b/; key host; }\n";
	static const char *const want[] = {
	    "OR(\"LINK_DOWN-\", \"LINK_UP-\")",
	    "OR(\"r_los raised\"i, \"r_los rai\xc5\xbf" "ed\"i, \"r_lo\xc5\xbf raised\"i, "
	    "\"r_lo\xc5\xbf rai\xc5\xbf" "ed\"i)",
	    "AND(\"LINK\", \"down\")", "OR(\"MAINS_FAIL\", \"POWER_FAIL\")", "NONE"};
	struct fl_plan_options opt = {.no_files = true};
	const struct fl_program *prog;
	struct fl_diags *d;
	struct fl_plan *plan;

	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "m.plan", text, strlen(text), &opt, d), 0);
	prog = fl_plan_program(plan);
	cr_assert_eq(prog->n_regexes, 5);
	for (size_t i = 0; i < prog->n_regexes; i++) {
		char got[256];

		fl_match_regex_requirement(&prog->regexes[i], got, sizeof(got));
		cr_expect_str_eq(got, want[i], "regex %zu: %s", i, got);
	}
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

static const char plan_text[] =
    "plan m;\n"
    "level general { respond 30m; }\n"
    "rule los { match syslog; where msg ~ /R_LOS raised port=(?<port>\\S+)/;\n"
    "  clear where msg ~ /R_LOS cleared port=(?<port>\\S+)/; key host, port; }\n"
    "rule sev { match syslog; where severity <= 2; key host; }\n"
    "rule any { match syslog; where host exists and app == \"sshd\"; key host; }\n"
    "rule alt { match syslog; where msg ~ /(?<a>MS_AIS|TU_AIS) on/ and host in [\"A\", \"B\"];\n"
    "  key host, a; }\n"
    "rule neg { match syslog; where msg !~ /heartbeat/ and app == \"ne\"; key host; }\n";

struct mfx {
	struct fl_diags *d;
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_match *m;
	struct fl_event ev;
};

/* A matcher over the plan text[0..len). */
static struct mfx *mfx_open_text(const char *text, size_t len)
{
	static struct mfx f;
	struct fl_plan_options opt = {.no_files = true};

	memset(&f, 0, sizeof(f));
	cr_assert_eq(fl_diags_create(&f.d), 0);
	cr_assert_eq(fl_plan_compile_text(&f.plan, "m.plan", text, len, &opt, f.d), 0);
	f.prog = fl_plan_program(f.plan);
	cr_assert_eq(fl_match_create(&f.m, f.prog), 0);
	return &f;
}

static struct mfx *mfx_open(void)
{
	return mfx_open_text(plan_text, sizeof(plan_text) - 1);
}

static void mfx_close(struct mfx *f)
{
	fl_match_destroy(f->m);
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
}

static uint32_t rule_index(const struct mfx *f, const char *name)
{
	for (uint32_t r = 0; r < f->prog->n_rules; r++)
		if (strcmp(f->prog->rules[r].name.p, name) == 0)
			return r;
	cr_assert_fail("no rule %s", name);
	return 0;
}

/* The rules a line matches, as "name:F" or "name:C", space-separated. */
static void matches(struct mfx *f, const char *line, char *out, size_t size)
{
	struct fl_syslog_opts so = {.year = 2026};
	const uint32_t *cands;
	size_t n, len = 0;

	out[0] = '\0';
	cr_assert_eq(fl_syslog_decode(&f->ev, line, strlen(line), &so), FL_SYSLOG_OK);
	n = fl_match_begin(f->m, &f->ev, &cands);
	for (size_t i = 0; i < n; i++) {
		enum fl_match_result r = fl_match_rule(f->m, cands[i]);

		if (r != FL_MATCH_NONE)
			len += (size_t)snprintf(out + len, size - len, "%s%s:%c", len ? " " : "",
						f->prog->rules[cands[i]].name.p,
						r == FL_MATCH_FAULT ? 'F' : 'C');
	}
}

Test(match, matches_faults_clears_and_field_conditions)
{
	struct mfx *f = mfx_open();
	char got[256];

	matches(f, "<131>Nov 20 00:00:00 A ne: R_LOS raised port=1-8-1", got, sizeof(got));
	cr_expect_str_eq(got, "los:F neg:F");
	matches(f, "<131>Nov 20 00:00:00 A ne: R_LOS cleared port=1-8-1", got, sizeof(got));
	cr_expect_str_eq(got, "los:C neg:F");
	matches(f, "<130>Nov 20 00:00:00 B sshd: TU_AIS on 1-1-1", got, sizeof(got));
	cr_expect_str_eq(got, "sev:F any:F alt:F");
	matches(f, "<134>Nov 20 00:00:00 C ne: heartbeat TU_AIS on x", got, sizeof(got));
	cr_expect_str_eq(got, "", "C is not in the set; heartbeat excluded");
	mfx_close(f);
}

/* A matcher serves a copy of its program with another inventory (a plan
 * test's data), and refuses a program with other rules. */
Test(match, takes_a_copy_of_its_program_and_refuses_another)
{
	struct fl_plan_options opt = {.no_files = true};
	struct mfx *f = mfx_open();
	struct fl_program copy = *f->prog;
	struct fl_plan *other;
	char got[128];

	copy.inventory = NULL;
	cr_expect_eq(fl_match_use_program(f->m, &copy), 0);
	matches(f, "<131>Nov 25 10:00:00 A NE: MS_AIS on 1", got, sizeof(got));
	cr_expect_str_eq(got, "alt:F", "the copy's rules match as the original's");
	cr_assert_eq(fl_plan_compile_text(&other, "m.plan", plan_text, sizeof(plan_text) - 1, &opt,
					  f->d),
		     0);
	cr_expect_eq(fl_match_use_program(f->m, fl_plan_program(other)), -EINVAL,
		     "the same text compiled again is another program");
	cr_expect_eq(fl_match_use_program(f->m, f->prog), 0);
	fl_plan_destroy(other);
	mfx_close(f);
}

Test(match, reads_captures_and_fills_a_clear_capture_in_for_the_key)
{
	struct mfx *f = mfx_open();
	uint32_t los = rule_index(f, "los");
	const struct fl_prog_rule *r = &f->prog->rules[los];
	struct fl_str port;
	char got[256];

	matches(f, "<131>Nov 20 00:00:00 A ne: R_LOS cleared port=1-7-1", got, sizeof(got));
	/* the key names the where regex's capture; the clear's stands for it */
	port = fl_match_field(f->m, los, f->prog->key_fields[r->first_key + 1]);
	cr_expect(fl_str_eq_cstr(port, "1-7-1"), "port %.*s", (int)port.len, port.p);
	mfx_close(f);
}

Test(match, lets_through_only_rules_whose_literals_occur)
{
	struct mfx *f = mfx_open();
	struct fl_match_stats st;
	struct fl_syslog_opts so = {.year = 2026};
	const char *line = "<134>Nov 20 00:00:00 A ne: nothing of interest";
	const uint32_t *cands;
	size_t n;

	cr_assert_eq(fl_syslog_decode(&f->ev, line, strlen(line), &so), FL_SYSLOG_OK);
	n = fl_match_begin(f->m, &f->ev, &cands);
	fl_match_stats(f->m, &st);
	cr_expect_eq(st.rules_prefiltered, 4, "los and alt have literals, any and neg an app");
	cr_expect_eq(st.rules_field_indexed, 2, "any and neg are keyed on their app");
	cr_expect_eq(n, 2, "sev runs on every message; neg is for app ne");
	for (size_t i = 0; i < n; i++)
		cr_expect(cands[i] == rule_index(f, "sev") || cands[i] == rule_index(f, "neg"));
	mfx_close(f);
}

static bool have_jit(void)
{
	uint32_t jit = 0;

	return pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit;
}

/* A regex that runs often gets a JIT copy, and matches exactly as before;
 * one that never runs stays interpreted. */
Test(match, jit_compiles_the_regexes_that_run_often_and_matches_alike)
{
	struct mfx *f;
	struct fl_match_stats st;
	uint32_t los;
	char got[256];

	if (!have_jit())
		cr_skip_test("this PCRE2 has no JIT: every regex stays interpreted");
	f = mfx_open();
	los = rule_index(f, "los");
	for (uint32_t i = 0; i < FL_MATCH_JIT_AFTER + 10; i++) {
		const struct fl_prog_rule *r = &f->prog->rules[los];
		struct fl_str port;

		matches(f, "<131>Nov 20 00:00:00 A ne: R_LOS raised port=1-8-1", got, sizeof(got));
		cr_assert_str_eq(got, "los:F neg:F", "run %u", i);
		port = fl_match_field(f->m, los, f->prog->key_fields[r->first_key + 1]);
		cr_assert(fl_str_eq_cstr(port, "1-8-1"), "run %u: port %.*s", i, (int)port.len,
			  port.p);
		fl_match_stats(f->m, &st);
		cr_assert_eq(st.regex_jit, i + 1 < FL_MATCH_JIT_AFTER ? 0 : 2,
			     "run %u: los's and neg's regexes, once they ran often", i);
	}
	matches(f, "<134>Nov 20 00:00:00 C ne: heartbeat TU_AIS on x", got, sizeof(got));
	cr_expect_str_eq(got, "", "the JIT copy of neg's regex still excludes heartbeats");
	mfx_close(f);
}

/* A hot regex's JIT copy answers ASCII lines only: PCRE2 10.42's JIT misses
 * multi-byte characters for \S, \D and \W under MATCH_INVALID_UTF, and a
 * site named in Chinese must still match. rxlite answers such a line for a
 * regex in its subset, PCRE2's interpreter for one outside it. */
Test(match, answers_lines_above_ascii_alike_once_a_regex_has_its_jit_copy)
{
	static const char text[] =
	    "plan jit_utf8;\n"
	    "rule lite { match syslog; where msg ~ /^(?<site>\\S+) (?<what>\\D+)$/; key site; }\n"
	    "rule back { match syslog; where msg ~ /^(?<site>\\S+) (\\w+) \\2$/; key site; }\n";
	/* 洛西镇-三 (a site), then a word twice */
	static const char chinese[] = "<131>Nov 20 00:00:00 A ne: \xe6\xb4\x9b\xe8\xa5\xbf\xe9\x95\x87-"
				      "\xe4\xb8\x89 down down";
	struct fl_syslog_opts so = {.year = 2026};
	const struct fl_program *prog;
	struct fl_match_stats st;
	struct fl_event ev;
	struct fl_match *m;
	struct mfx *f;

	if (!have_jit())
		cr_skip_test("this PCRE2 has no JIT: every regex stays interpreted");
	f = mfx_open_text(text, sizeof(text) - 1);
	prog = f->prog;
	m = f->m;
	for (uint32_t i = 0; i <= FL_MATCH_JIT_AFTER; i++) {
		const char *line = "<131>Nov 20 00:00:00 A ne: NE-1 down down";
		const uint32_t *cands;
		size_t n;

		cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK);
		n = fl_match_begin(m, &ev, &cands);
		for (size_t c = 0; c < n; c++)
			cr_assert_eq(fl_match_rule(m, cands[c]), FL_MATCH_FAULT, "run %u", i);
	}
	fl_match_stats(m, &st);
	cr_assert_eq(st.regex_jit, 2, "both regexes ran often enough for their JIT copies");
	cr_assert_eq(fl_syslog_decode(&ev, chinese, strlen(chinese), &so), FL_SYSLOG_OK);
	{
		const uint32_t *cands;
		size_t n = fl_match_begin(m, &ev, &cands);
		size_t hits = 0;

		for (size_t c = 0; c < n; c++) {
			const struct fl_prog_rule *r = &prog->rules[cands[c]];
			struct fl_str site;

			cr_assert_eq(fl_match_rule(m, cands[c]), FL_MATCH_FAULT, "%s on the Chinese line",
				     r->name.p);
			site = fl_match_field(m, cands[c], prog->key_fields[r->first_key]);
			cr_expect(fl_str_eq_cstr(site, "\xe6\xb4\x9b\xe8\xa5\xbf\xe9\x95\x87-\xe4\xb8\x89"),
				  "%s: site %.*s", r->name.p, (int)site.len, site.p);
			hits++;
		}
		cr_expect_eq(hits, 2);
	}
	mfx_close(f);
}

/* A regex in rxlite's subset runs there from its first run, with the same
 * captures, UTF-8 above ASCII included, and the plan holds no PCRE2 code
 * for it: the matcher compiles its own when a subject rxlite declines
 * (bytes that are not UTF-8) comes. A regex outside the subset (a
 * backreference) has the plan's code and runs on PCRE2. */
Test(match, runs_plain_regexes_on_rxlite_and_the_rest_on_pcre2)
{
	static const char text[] =
	    "plan lite;\n"
	    "rule plain { match syslog; where msg ~ /(?<alarm>(?:LOS|Los)-?\\d+)\\s+port=(?<port>[\\d-]+)/;"
	    " key host, alarm, port; }\n"
	    "rule twice { match syslog; where msg ~ /(?<w>LOF)-(?<n>\\d)\\2/; key host, w; }\n";
	static const char *const lines[] = {
	    "<131>Nov 20 00:00:00 A ne: LOS-12  port=1-8-1 \xff\xfe",
	    "<131>Nov 20 00:00:00 A ne: Los3 port=2-2-2",
	    "<131>Nov 20 00:00:00 A ne: LOS-44 port=7-1-1",
	    "<131>Nov 20 00:00:00 A ne: LOF-33",
	    "<131>Nov 20 00:00:00 A ne: LOF-34",
	    "<131>Nov 20 00:00:00 A ne: LOS-5 port=3-3-3 \xc3\xa9t\xc3\xa9"};
	static const char *const want_alarm[] = {"LOS-12", "Los3", "LOS-44", NULL, NULL, "LOS-5"};
	static const char *const want_port[] = {"1-8-1", "2-2-2", "7-1-1", NULL, NULL, "3-3-3"};
	static const bool want_twice[] = {false, false, false, true, false, false};
	struct fl_syslog_opts so = {.year = 2026};
	struct mfx *f = mfx_open_text(text, sizeof(text) - 1);
	const struct fl_program *prog = f->prog;
	struct fl_match *m = f->m;
	struct fl_match_stats st;
	struct fl_event ev;

	cr_assert_eq(prog->n_regexes, 2);
	cr_expect(prog->regexes[0].lite && !prog->regexes[0].code, "plain: rxlite's, no PCRE2 code");
	cr_expect(!prog->regexes[1].lite && prog->regexes[1].code, "twice: PCRE2's");
	cr_expect_eq(prog->regexes[0].groups, 2);
	cr_expect_eq(prog->regexes[1].groups, 2);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			const uint32_t *cands;
			bool plain = false, twice = false;
			size_t n;

			cr_assert_eq(fl_syslog_decode(&ev, lines[i], strlen(lines[i]), &so),
				     FL_SYSLOG_OK);
			n = fl_match_begin(m, &ev, &cands);
			for (size_t c = 0; c < n; c++) {
				bool hit = fl_match_rule(m, cands[c]) == FL_MATCH_FAULT;

				if (cands[c] == 0 && hit) {
					const struct fl_prog_rule *r = &prog->rules[0];
					struct fl_str a = fl_match_field(m, 0, prog->key_fields[r->first_key + 1]);
					struct fl_str p = fl_match_field(m, 0, prog->key_fields[r->first_key + 2]);

					plain = true;
					cr_expect(fl_str_eq_cstr(a, want_alarm[i]), "line %zu: alarm %.*s",
						  i, (int)a.len, a.p);
					cr_expect(fl_str_eq_cstr(p, want_port[i]), "line %zu: port %.*s", i,
						  (int)p.len, p.p);
				}
				twice |= cands[c] == 1 && hit;
			}
			cr_expect_eq(plain, want_alarm[i] != NULL, "round %d line %zu", round, i);
			cr_expect_eq(twice, want_twice[i], "round %d line %zu", round, i);
		}
	fl_match_stats(m, &st);
	/* plain: 8 runs, the two on the line that is not UTF-8 on PCRE2, the 6
	 * others (the one with "été" too) on rxlite; twice: its 4 runs, all
	 * on PCRE2 */
	cr_expect_eq(st.regex_lite, 6);
	cr_expect_eq(st.regex_runs, 2 + 4);
	cr_expect_eq(st.regex_compiled, 1, "plain compiled for PCRE2 once, at the first bad line");
	cr_expect_eq(st.regex_uncompiled, 0);
	mfx_close(f);
}

/* The machine code of every regex of a large plan would not stay in the
 * instruction cache: only FL_MATCH_JIT_MAX regexes get it. */
Test(match, jit_compiles_no_more_than_its_cap)
{
	enum { RULES = FL_MATCH_JIT_MAX + 8 };
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	struct fl_match_stats st;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	struct fl_event ev;
	char *text = malloc(RULES * 128), line[128];
	size_t len;

	if (!have_jit())
		cr_skip_test("this PCRE2 has no JIT: every regex stays interpreted");
	cr_assert_not_null(text);
	len = (size_t)sprintf(text, "plan cap;\n");
	for (int r = 0; r < RULES; r++)
		len += (size_t)sprintf(text + len,
				       "rule r%d { match syslog; where msg ~ /ALM%04d (?<x>\\S+)/; key x; }\n",
				       r, r);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "cap.plan", text, len, &opt, d), 0);
	cr_assert_eq(fl_match_create(&m, fl_plan_program(plan)), 0);
	for (int r = 0; r < RULES; r++)
		for (uint32_t i = 0; i < FL_MATCH_JIT_AFTER; i++) {
			const uint32_t *cands;
			size_t n;

			snprintf(line, sizeof(line), "<131>Nov 20 00:00:00 A ne: ALM%04d up", r);
			cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK);
			n = fl_match_begin(m, &ev, &cands);
			cr_assert_eq(n, 1);
			cr_assert_eq(fl_match_rule(m, cands[0]), FL_MATCH_FAULT, "rule %d run %u", r, i);
		}
	fl_match_stats(m, &st);
	cr_expect_eq(st.regex_jit, FL_MATCH_JIT_MAX);
	/* each rule's runs are rxlite's until the run that makes the JIT copy,
	 * which runs on it: that last one is PCRE2's for the JIT_MAX rules that
	 * got one, each compiled for PCRE2 then */
	cr_expect_eq(st.regex_runs + st.regex_lite, (uint64_t)RULES * FL_MATCH_JIT_AFTER);
	cr_expect_eq(st.regex_runs, FL_MATCH_JIT_MAX);
	cr_expect_eq(st.regex_compiled, FL_MATCH_JIT_MAX);
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	free(text);
}

Test(match, names_rule_inputs_apart_from_the_listeners_inputs)
{
	/* both headers in one file: a clash of FL_INPUT_TRAP would not compile */
	cr_expect_neq(FL_RULE_INPUT_SYSLOG, FL_RULE_INPUT_TRAP);
	cr_expect_lt((int)FL_INPUT_TRAP, (int)FL_INPUT__COUNT);
}
