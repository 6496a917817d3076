/* The prefilter keys each rule on its most selective literal, not its longest
 * (a literal that every rule shares would make every rule a candidate for
 * every event), confirms candidates on their other required literals, and
 * reads a regex's flags from its compiled code. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/correlate/match.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

#define N_RULES 50

Test(match_prefilter, keys_each_rule_on_the_literal_fewest_rules_share)
{
	static char text[N_RULES * 160 + 64];
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	const char *line = "<131>Nov 25 10:00:00 HOST-1 NE: ALM0007 notice port=1-2-3";
	struct fl_match_stats st;
	static struct fl_event ev;
	const uint32_t *cands;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	size_t len, n;

	/* Every rule's longest literal is the shared " notice port="; only the
	 * alarm name, inside the capture group, tells the rules apart. */
	len = (size_t)snprintf(text, sizeof(text), "plan p;\nlevel general { respond 30m; }\n");
	for (int r = 0; r < N_RULES; r++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"rule r%d { match syslog; where msg ~ "
					"/^(?<alarm>ALM%04d) notice port=(?<port>\\S+)/; "
					"key host, port, alarm; }\n",
					r, r);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, len, &opt, d), 0);
	cr_assert_eq(fl_match_create(&m, fl_plan_program(plan)), 0);

	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK);
	n = fl_match_begin(m, &ev, &cands);
	cr_expect_eq(n, 1, "candidates: %zu of %d rules", n, N_RULES);
	cr_expect_eq(n > 0 ? fl_match_rule(m, cands[0]) : FL_MATCH_NONE, FL_MATCH_FAULT);
	fl_match_stats(m, &st);
	cr_expect_eq(st.rules_prefiltered, N_RULES);

	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

/* Compiles text, decodes line, and returns the rules it matches as "name:F"
 * or "name:C" words, and the matcher's stats. */
static void match_line(const char *text, const char *line, char *out, size_t size,
		       struct fl_match_stats *st)
{
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	static struct fl_event ev;
	const struct fl_program *prog;
	const uint32_t *cands;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	size_t n, len = 0;

	out[0] = '\0';
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, strlen(text), &opt, d), 0);
	prog = fl_plan_program(plan);
	cr_assert_eq(fl_match_create(&m, prog), 0);
	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK);
	n = fl_match_begin(m, &ev, &cands);
	for (size_t i = 0; i < n; i++) {
		enum fl_match_result r = fl_match_rule(m, cands[i]);

		if (r != FL_MATCH_NONE)
			len += (size_t)snprintf(out + len, size - len, "%s%s:%c", len ? " " : "",
						prog->rules[cands[i]].name.p,
						r == FL_MATCH_FAULT ? 'F' : 'C');
	}
	fl_match_stats(m, st);
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

Test(match_prefilter, honours_the_caseless_and_extended_flags_of_a_regex)
{
	static const char text[] =
	    "plan p;\nlevel general { respond 30m; }\n"
	    "rule ci { match syslog; where msg ~ /r_los raised/i; key host; }\n"
	    "rule inl { match syslog; where msg ~ /board (?i)fan fail/; key host; }\n"
	    "rule ext { match syslog; where msg ~ /LINK \\s down/x; key host; }\n";
	struct fl_match_stats st;
	char got[256];

	match_line(text, "<131>Nov 25 10:00:00 H1 NE: R_LOS raised port=1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "ci:F", "the /i flag is not in the pattern's text");
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: board FAN FAIL", got, sizeof(got), &st);
	cr_expect_str_eq(got, "inl:F", "an inline (?i) makes what follows caseless");
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: LINK down", got, sizeof(got), &st);
	cr_expect_str_eq(got, "ext:F", "under /x the spaces of the text are not literals");
}

Test(match_prefilter, skips_the_regexes_of_a_candidate_missing_another_required_literal)
{
	static const char text[] =
	    "plan p;\nlevel general { respond 30m; }\n"
	    "rule supp { match syslog; where msg ~ /^(?<a>ALM7)\\s+notice\\s+port=(?<p>\\S+)$/; key host; }\n"
	    "rule pair { match syslog; where msg ~ /^(?<a>ALM7)\\s+raised\\s+port=(?<p>\\S+)$/;\n"
	    "  clear where msg ~ /^(?<a>ALM7)\\s+cleared\\s+port=(?<p>\\S+)$/; key host; }\n"
	    "rule other { match syslog; where msg ~ /^(?<a>ALM8)\\s+raised\\s+port=(?<p>\\S+)$/; key host; }\n";
	struct fl_match_stats st;
	char got[256];

	/* supp is keyed on "notice" and other on "ALM8" (the atoms fewest
	 * rules share): both are woken here, and each lacks an atom its tree
	 * needs ("ALM7", "raised"), which its gate holds: neither becomes a
	 * candidate */
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM8 notice port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "");
	cr_expect_eq(st.candidates, 0);
	cr_expect_eq(st.wakes_gated, 2);
	cr_expect_eq(st.regex_runs + st.regex_lite, 0);
	cr_expect_gt(st.confirm_literals, 0);
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM7 raised port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "pair:F");
	cr_expect_eq(st.regex_runs + st.regex_lite, 1);
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM7 cleared port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "pair:C");
	cr_expect_eq(st.regex_runs + st.regex_lite, 1, "pair's where was skipped, its clear ran");
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM7 notice port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "supp:F");
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM8 raised port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "other:F");
}

/* The rules of one alarm share its key; each side's gate holds the words
 * it needs beside it, so a line wakes only the rules whose words it has,
 * the words coming after the key or before it. A rule a gate shuts is
 * still a candidate by a field its other side is keyed on. */
Test(match_prefilter, a_gate_wakes_only_the_rules_of_an_alarm_whose_words_the_line_has)
{
	static const char text[] =
	    "plan p;\nlevel general { respond 30m; }\n"
	    "rule note { match syslog; where msg ~ /(?<a>ALM0925)\\s+(?:notice|NOTICE)\\s+port=(?<p>\\d+)/;\n"
	    "  key host; }\n"
	    "rule pair { match syslog; where msg ~ /(?<a>ALM0925)\\s(?:raised|set)\\s+port=(?<p>\\d+)/;\n"
	    "  clear where msg ~ /(?<a>ALM0925)\\s(?:cleared|clear)\\s+port=(?<p>\\d+)/; key host; }\n"
	    "rule late { match syslog; where msg ~ /port=(?<p>\\d+) (?:by|from) ALM0925/; key host; }\n"
	    "rule fld { match syslog; where app == \"zz\";\n"
	    "  clear where msg ~ /FLD77\\s(?:gone|away)/; key host; }\n";
	static const struct {
		const char *line, *want;
		uint64_t candidates, sides_skipped;
	} cases[] = {
	    {"<131>Nov 25 10:00:00 H1 NE: ALM0925 notice port=1", "note:F", 1, 0},
	    {"<131>Nov 25 10:00:00 H1 NE: ALM0925 NOTICE port=1", "note:F", 1, 0},
	    {"<131>Nov 25 10:00:00 H1 NE: ALM0925 raised port=1", "pair:F", 1, 0},
	    {"<131>Nov 25 10:00:00 H1 NE: ALM0925 set port=1", "pair:F", 1, 0},
	    /* woken for its clear side, pair's where side is left to its tree */
	    {"<131>Nov 25 10:00:00 H1 NE: ALM0925 cleared port=1", "pair:C", 1, 1},
	    {"<131>Nov 25 10:00:00 H1 NE: port=7 from ALM0925", "late:F", 1, 0},
	    {"<131>Nov 25 10:00:00 H1 NE: FLD77 gone", "fld:C", 1, 0},
	    {"<131>Nov 25 10:00:00 H1 NE: ALM0925 burst port=1", "", 0, 0},
	    /* FLD77 wakes fld, whose clear side's gate is shut: its where,
	     * keyed on the app, still makes it a candidate */
	    {"<131>Nov 25 10:00:00 H1 zz: ALM0925 notice port=1 FLD77", "note:F fld:F", 2, 0},
	};
	struct fl_match_stats st;
	char got[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		match_line(text, cases[i].line, got, sizeof(got), &st);
		cr_expect_str_eq(got, cases[i].want, "%s: %s", cases[i].line, got);
		cr_expect_eq(st.candidates, cases[i].candidates, "%s: %llu candidates", cases[i].line,
			     (unsigned long long)st.candidates);
		cr_expect_eq(st.sides_skipped, cases[i].sides_skipped, "%s: %llu sides skipped",
			     cases[i].line, (unsigned long long)st.sides_skipped);
	}
}

/* Rules written as long alternations of alarm names beside a word every
 * rule has (" port="): each is keyed on its names, not the word, and each
 * name on a window its rule alone wakes on ("L03DOWN_"), one key for all
 * thirty; a line of one name then confirms that name by a window few others
 * hold ("WN_00007") and searches for it alone. Keyed on " port=", every
 * rule woke on every line and searched for all its names: 5,000 events a
 * second for 40 such rules of 250 names. */
Test(match_prefilter, keys_a_long_alternation_on_its_names_and_searches_for_one)
{
	char text[16384], re[1024], line[128], got[256];
	size_t n = 0;
	struct fl_match_stats st;
	static const struct {
		const char *name, *want;
		uint64_t candidates, searched;
	} cases[] = {
	    {"L03DOWN_00007", "r03:F", 1, 1},
	    {"L11DOWN_00029", "r11:F", 1, 1},
	    {"L03DOWN_00099", "", 1, 0}, /* not one of r03's names: no search */
	    {"L12DOWN_00007", "", 0, 0}, /* no rule's */
	};

	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "plan p;\nlevel general { respond 30m; }\n");
	for (int r = 0; r < 12; r++) {
		size_t k = 0;

		for (int i = 0; i < 30; i++)
			k += (size_t)snprintf(re + k, sizeof(re) - k, "%sL%02dDOWN_%05d", i ? "|" : "",
					      r, i);
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "rule r%02d { match syslog; where msg ~ /(?<a>%s) port=(?<p>\\S+)/; "
				      "key host; }\n",
				      r, re);
		cr_assert_lt(n, sizeof(text));
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "<131>Nov 25 10:00:00 H1 NE: %s port=1-1", cases[i].name);
		match_line(text, line, got, sizeof(got), &st);
		cr_expect_str_eq(got, cases[i].want, "%s: %s", line, got);
		cr_expect_eq(st.candidates, cases[i].candidates, "%s: %llu candidates", line,
			     (unsigned long long)st.candidates);
		cr_expect_eq(st.atoms_searched, cases[i].searched, "%s: %llu atoms searched", line,
			     (unsigned long long)st.atoms_searched);
	}
}

/* A long atom is keyed on one of its windows: of those that wake equally few
 * rules, not one that begins or ends with another rule's atom. The windows
 * of "alm0015 burst port=" that no other alarm's atoms hold are
 * "alm0015 ", "lm0015 b" and "m0015 bu" ("0015 bur" is in "alm-0015 burst
 * port=" as well, "015 burs" in ALM1015's); keyed on the first, which
 * holds "ALM0015", the burst rule would wake on every notice of ALM0015. */
Test(match_prefilter, keys_a_long_atom_on_a_window_that_holds_no_other_atom)
{
	static const char text[] =
	    "plan p;\nlevel general { respond 30m; }\n"
	    "rule burst { match syslog; where msg ~ /(?i)(?<a>alm-?0015) burst port=(?<p>\\S+)/; key host; }\n"
	    "rule burst2 { match syslog; where msg ~ /(?i)(?<a>alm-?1015) burst port=(?<p>\\S+)/; key host; }\n"
	    "rule notice { match syslog; where msg ~ /(?<a>ALM0015)\\s+notice\\s+port=(?<p>\\S+)/; key host; }\n";
	struct fl_match_stats st;
	char got[256];

	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM0015 notice port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "notice:F");
	cr_expect_eq(st.candidates, 1, "the burst rule woke on a notice: %zu candidates",
		     (size_t)st.candidates);
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: ALM0015 BURST port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "burst:F");
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: alm-0015 burst port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "burst:F");
	match_line(text, "<131>Nov 25 10:00:00 H1 NE: Alm1015 burst port=1-1", got, sizeof(got), &st);
	cr_expect_str_eq(got, "burst2:F");
}

/* PCRE2's own code for each regex of prog, compiled here from its pattern
 * and options: the plan holds none for a regex rxlite took. */
static pcre2_code **pcre2_refs(const struct fl_program *prog)
{
	pcre2_code **refs = calloc(prog->n_regexes + 1, sizeof(*refs));

	cr_assert_not_null(refs);
	for (size_t i = 0; i < prog->n_regexes; i++) {
		const struct fl_prog_regex *rx = &prog->regexes[i];
		PCRE2_SIZE off;
		int err;

		refs[i] = pcre2_compile((PCRE2_SPTR)rx->pattern.p, rx->pattern.len, rx->opts, &err, &off,
					NULL);
		cr_assert_not_null(refs[i], "/%s/", rx->pattern.p);
	}
	return refs;
}

static void pcre2_refs_free(pcre2_code **refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pcre2_code_free(refs[i]);
	free(refs);
}

/* Runs lines[0..n) through one matcher, as an engine does: what each
 * matched into got[i], and the regex runs each cost into runs[i]. */
static void match_lines(const char *text, const char *const *lines, size_t n, char got[][64],
			size_t *runs)
{
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	static struct fl_event ev;
	const struct fl_program *prog;
	struct fl_match_stats st;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	size_t before = 0;

	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, strlen(text), &opt, d), 0);
	prog = fl_plan_program(plan);
	cr_assert_eq(fl_match_create(&m, prog), 0);
	for (size_t i = 0; i < n; i++) {
		const uint32_t *cands;
		size_t nc, len = 0;

		got[i][0] = '\0';
		cr_assert_eq(fl_syslog_decode(&ev, lines[i], strlen(lines[i]), &so), FL_SYSLOG_OK);
		nc = fl_match_begin(m, &ev, &cands);
		for (size_t c = 0; c < nc; c++) {
			enum fl_match_result r = fl_match_rule(m, cands[c]);

			if (r != FL_MATCH_NONE)
				len += (size_t)snprintf(got[i] + len, 64 - len, "%s%s:%c",
							len ? " " : "", prog->rules[cands[c]].name.p,
							r == FL_MATCH_FAULT ? 'F' : 'C');
		}
		fl_match_stats(m, &st);
		runs[i] = st.regex_runs + st.regex_lite - before;
		before = st.regex_runs + st.regex_lite;
	}
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

/* A candidate's short atoms are answered by the scan (their bits), its long
 * ones by a search: both keep their case, and neither carries over from
 * one message to the next. */
Test(match_prefilter, confirms_atoms_from_the_scan_with_their_case_message_by_message)
{
	static const char text[] =
	    "plan p;\nlevel general { respond 30m; }\n"
	    "rule cs { match syslog; where msg ~ /^ALM9\\s+Notice\\s+port=(?<p>\\S+)$/; key host; }\n"
	    "rule ci { match syslog; where msg ~ /(?i)^ALM9\\s+FAN\\s+fail(?:ed|ure)\\s+on board (\\d+)/; key host; }\n"
	    "rule lng { match syslog; where msg ~ /ALM9 (?:raised|set) on the backplane of shelf/; key host; }\n";
	static const char *const lines[] = {
	    "<131>Nov 25 10:00:00 H1 NE: ALM9 Notice port=1-1",
	    "<131>Nov 25 10:00:01 H1 NE: ALM9 notice port=1-1",
	    "<131>Nov 25 10:00:02 H1 NE: alm9 fan FAILED on board 3",
	    "<131>Nov 25 10:00:03 H1 NE: ALM9 fan stuck on board 3",
	    "<131>Nov 25 10:00:04 H1 NE: ALM9 set on the backplane of shelf 2",
	    "<131>Nov 25 10:00:05 H1 NE: ALM9 set on the backplane of SHELF 2",
	    "<131>Nov 25 10:00:06 H1 NE: ALM9 Notice port=2-2",
	};
	size_t n = sizeof(lines) / sizeof(lines[0]), runs[sizeof(lines) / sizeof(lines[0])];
	char got[sizeof(lines) / sizeof(lines[0])][64];

	match_lines(text, lines, n, got, runs);
	cr_expect_str_eq(got[0], "cs:F");
	cr_expect_str_eq(got[1], "", "\"Notice\" keeps its case");
	cr_expect_eq(runs[1], 0, "and its absence is known before any regex runs");
	cr_expect_str_eq(got[2], "ci:F", "a caseless atom matches either case");
	cr_expect_str_eq(got[3], "");
	cr_expect_eq(runs[3], 0, "\"fail\" is missing: the previous message's bit is gone");
	cr_expect_str_eq(got[4], "lng:F", "a long atom is searched for");
	cr_expect_str_eq(got[5], "");
	cr_expect_eq(runs[5], 0, "and keeps its case too");
	cr_expect_str_eq(got[6], "cs:F");
}

/* The atoms the scan confirms are numbered after the keys: with more than
 * 64 keys their bits live in words of their own, which must be cleared for
 * the next message as the keys' are. */
Test(match_prefilter, forgets_a_confirmed_atom_past_the_first_word_of_bits)
{
	char text[16384], got[3][64];
	size_t len, runs[3];
	static const char *const lines[] = {
	    "<131>Nov 25 10:00:00 H1 NE: K5X shared end",
	    "<131>Nov 25 10:00:01 H1 NE: K5X other end",
	    "<131>Nov 25 10:00:02 H1 NE: K5X shared end",
	};

	len = (size_t)snprintf(text, sizeof(text), "plan p;\nlevel general { respond 30m; }\n");
	for (int i = 0; i < 80; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"rule r%d { match syslog; where msg ~ /K%dX\\s+shared\\s+end/; "
					"key host; }\n",
					i, i);
	cr_assert_lt(len, sizeof(text));
	match_lines(text, lines, 3, got, runs);
	cr_expect_str_eq(got[0], "r5:F");
	cr_expect_str_eq(got[1], "");
	cr_expect_eq(runs[1], 0, "\"shared\" was in the last message, not in this one");
	cr_expect_str_eq(got[2], "r5:F");
}

/* ---- differential: the prefilter never drops a rule PCRE2 matches ----------- */

static unsigned long long rng_next(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* A regex as an operator writes one, for alarm a of family f, and a line
 * that it matches (*line) or nearly matches. */
static void operator_rule(unsigned long long *s, int a, char *re, size_t re_size, char *line,
			  size_t line_size)
{
	static const char *const names[] = {"LINK_DOWN", "LINK_UP", "R_LOS", "ETH_LOS", "MAINS_FAIL"};
	const char *name = names[rng_next(s) % 5];
	unsigned shape = (unsigned)(rng_next(s) % 7), d = (unsigned)(a % 10);
	char cased[16];

	switch (shape) {
	case 0: /* a capture around a literal with digit classes */
		snprintf(re, re_size, "(?<alarm>%s-\\d\\d%u) port=(?<port>\\S+)", name, d);
		break;
	case 1: /* nested alternatives */
		snprintf(re, re_size, "(?<alarm>(?:%s|%s_%d)-\\d\\d%u)\\b", name, name, a, d);
		break;
	case 2: /* caseless, inline */
		snprintf(re, re_size, "(?i)%s (?:raised|set) .*alm=%d\\b", name, a);
		break;
	case 3: /* an optional group and a small class */
		snprintf(re, re_size, "^(?:ne-)?%s[01] (?<n>\\d+)x%d$", name, a);
		break;
	case 5: /* case written by hand: [Ll][Ii]NK_DOWN */
		snprintf(re, re_size, "[%c%c][%c%c]%s code=%d", name[0], name[0] + 32, name[1],
			 name[1] == '_' ? '_' : name[1] + 32, name + 2, a);
		break;
	case 6: /* a case-sensitive word, then a caseless one */
		snprintf(re, re_size, "%s(?i)_x%d (?:raised|set)", name, a);
		break;
	default: /* words apart */
		snprintf(re, re_size, "%s\\s+code\\s*=\\s*%d;", name, a);
		break;
	}
	snprintf(cased, sizeof(cased), "%s", name);
	if (rng_next(s) % 2)
		cased[0] = (char)(cased[0] + 32);
	if (rng_next(s) % 2 && cased[1] != '_')
		cased[1] = (char)(cased[1] + 32);
	switch (shape) {
	case 0:
		snprintf(line, line_size, "%s-%02llu%u port=1-1-%d", name, rng_next(s) % 100,
			 rng_next(s) % 3 ? d : (d + 1) % 10, a);
		break;
	case 1:
		snprintf(line, line_size, "x %s_%d-12%u y", name, a, rng_next(s) % 3 ? d : 9 - d);
		break;
	case 2:
		snprintf(line, line_size, "%s SET by ops alm=%d", rng_next(s) % 2 ? "link_down" : name,
			 a + (int)(rng_next(s) % 2));
		break;
	case 3:
		snprintf(line, line_size, "ne-%s1 42x%d", name, a);
		break;
	case 5:
		snprintf(line, line_size, "%s code=%d", cased, rng_next(s) % 4 ? a : a + 1);
		break;
	case 6:
		snprintf(line, line_size, "%s_%c%d %s", rng_next(s) % 4 ? name : cased,
			 rng_next(s) % 2 ? 'X' : 'x', a, rng_next(s) % 2 ? "SET" : "raised");
		break;
	default:
		snprintf(line, line_size, "%s  code = %d;", name, rng_next(s) % 4 ? a : a + 1);
		break;
	}
}

/* A generator of a rule's regex and of a line for it (rule r of a plan). */
typedef void rule_gen(unsigned long long *s, int r, char *re, size_t re_size, char *line,
		      size_t line_size);

/* The text of a plan of n rules r0.. from gen, each `where msg ~ /RE/`, and
 * each rule's line into lines (n strings of line_size bytes); its length. */
static size_t plan_of_rules(char *text, size_t size, rule_gen *gen, unsigned long long *s,
			    char *lines, size_t line_size, int n)
{
	size_t len = (size_t)snprintf(text, size, "plan p;\nlevel general { respond 30m; }\n");

	for (int r = 0; r < n; r++) {
		char re[160];

		gen(s, r, re, sizeof(re), lines + (size_t)r * line_size, line_size);
		len += (size_t)snprintf(text + len, size - len,
					"rule r%d { match syslog; where msg ~ /%s/; key host; }\n", r, re);
	}
	cr_assert_lt(len, size);
	return len;
}

/* What a run of the matcher against PCRE2 saw. */
struct verdicts {
	size_t matched, missed; /* (rule, line) pairs PCRE2 matched, and did not */
	struct fl_match_stats st;
};

/* Compiles the plan text (its rules r0.. each one `where msg ~ /RE/`), then
 * feeds one matcher n_lines lines, each a rule's line picked at random
 * (lines: n_rules strings of line_size bytes), and asserts that every
 * rule's verdict on every line is PCRE2's own. */
static void against_pcre2(const char *text, size_t len, const char *lines, size_t line_size,
			  uint32_t n_rules, int n_lines, unsigned long long *s, struct verdicts *out)
{
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	static struct fl_event ev;
	const struct fl_program *prog;
	pcre2_match_data *md;
	pcre2_code **refs;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	bool *hit = calloc(n_rules, sizeof(*hit));

	*out = (struct verdicts){0};
	cr_assert_not_null(hit);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, len, &opt, d), 0);
	prog = fl_plan_program(plan);
	cr_assert_eq(prog->n_rules, n_rules);
	cr_assert_eq(fl_match_create(&m, prog), 0);
	md = pcre2_match_data_create(16, NULL);
	refs = pcre2_refs(prog);
	for (int i = 0; i < n_lines; i++) {
		char line[256];
		const uint32_t *cands;
		size_t n;

		snprintf(line, sizeof(line), "<131>Nov 25 10:00:00 H1 NE: %s",
			 lines + (size_t)(rng_next(s) % n_rules) * line_size);
		cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK);
		memset(hit, 0, n_rules * sizeof(*hit));
		n = fl_match_begin(m, &ev, &cands);
		for (size_t k = 0; k < n; k++)
			hit[cands[k]] = fl_match_rule(m, cands[k]) == FL_MATCH_FAULT;
		for (uint32_t r = 0; r < n_rules; r++) {
			uint32_t ri = prog->conds[prog->rules[r].first_cond].regex;
			const struct fl_prog_regex *rx = &prog->regexes[ri];
			bool want = pcre2_match(refs[ri], (PCRE2_SPTR)ev.syslog.msg.p, ev.syslog.msg.len, 0,
						0, md, NULL) >= 0;

			cr_assert_eq(hit[r], want, "rule r%u /%s/ on \"%s\": matcher %d, PCRE2 %d", r,
				     rx->pattern.p, line, hit[r], want);
			out->matched += want;
			out->missed += !want;
		}
	}
	fl_match_stats(m, &out->st);
	free(hit);
	pcre2_refs_free(refs, prog->n_regexes);
	pcre2_match_data_free(md);
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

/* Words of a few lengths: short ones become atoms the automaton confirms,
 * long ones are searched for behind their key window; several rules share
 * each word, in either case. */
static const char *const words[] = {
    "LOS",	"los",	    "Notice", "NOTICE", "port=",  "PORT=",   "raised",
    "set",	"clear",    "cleared", "ALM12",  "Alm12",  "backplane", "Backplane-7",
    "shelf-03", "fan-tray", "FAN-TRAY", "power supply", "LINK_DOWN", "link_up",
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

/* A rule of two to four words, apart or in a group of two alternatives,
 * caseless or not; a line holding its words with some letters flipped in
 * case, one word dropped or one swapped for another. */
static void word_rule(unsigned long long *s, int r, char *re, size_t re_size, char *line,
		      size_t line_size)
{
	(void)r; /* the words, not the rule's number, make its text */
	size_t nw = 2 + (size_t)(rng_next(s) % 3), rl = 0, ll = 0;
	bool nocase = rng_next(s) % 3 == 0;
	size_t drop = rng_next(s) % 4 == 0 ? (size_t)(rng_next(s) % nw) : nw;

	rl += (size_t)snprintf(re + rl, re_size - rl, "%s", nocase ? "(?i)" : "");
	for (size_t k = 0; k < nw; k++) {
		const char *w = words[rng_next(s) % N_WORDS], *alt = words[rng_next(s) % N_WORDS];
		bool group = rng_next(s) % 3 == 0;

		if (group)
			rl += (size_t)snprintf(re + rl, re_size - rl, "%s(?:%s|%s)", k ? "\\s+" : "",
					       w, alt);
		else
			rl += (size_t)snprintf(re + rl, re_size - rl, "%s%s", k ? "\\s+" : "", w);
		if (k == drop)
			continue;
		if (group && rng_next(s) % 2)
			w = alt;
		if (rng_next(s) % 5 == 0)
			w = words[rng_next(s) % N_WORDS];
		ll += (size_t)snprintf(line + ll, line_size - ll, "%s", k ? " " : "");
		for (const char *c = w; *c && ll + 1 < line_size; c++) {
			char ch = *c;

			if (((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) &&
			    rng_next(s) % 6 == 0)
				ch = (char)(ch ^ 0x20);
			line[ll++] = ch;
		}
		line[ll] = '\0';
	}
}

/* One matcher over many lines, against PCRE2 on every rule for every line:
 * the atoms' bits from the scan, their case, the long atoms' searches and
 * the bits' clearing between messages never lose a match. */
Test(match_prefilter, never_drops_a_match_of_rules_sharing_words_in_either_case)
{
	enum { N = 200, LINES = 4000 };
	static char text[N * 200 + 128], lines[N][160];
	unsigned long long s = 77;
	struct verdicts v;
	size_t len;

	len = plan_of_rules(text, sizeof(text), word_rule, &s, lines[0], sizeof(lines[0]), N);
	against_pcre2(text, len, lines[0], sizeof(lines[0]), N, LINES, &s, &v);
	cr_expect_gt(v.matched, LINES / 2, "the lines must match rules: %zu", v.matched);
	cr_expect_gt(v.st.sides_skipped, 0, "and candidates must miss a word: the test is of both");
	cr_expect_gt(v.missed, 0);
}

Test(match_prefilter, never_drops_a_rule_pcre2_matches_in_a_plan_of_operator_rules)
{
	enum { N = 300, LINES = 3000 };
	static char text[N * 200 + 128], lines[N][96];
	unsigned long long s = 16;
	struct verdicts v;
	size_t len;

	len = plan_of_rules(text, sizeof(text), operator_rule, &s, lines[0], sizeof(lines[0]), N);
	against_pcre2(text, len, lines[0], sizeof(lines[0]), N, LINES, &s, &v);
	cr_expect_gt(v.matched, LINES / 2, "the lines must match rules: %zu", v.matched);
	cr_expect_eq(v.st.rules_prefiltered, N, "every operator rule has atoms");
	cr_expect_lt(v.st.candidates, (uint64_t)LINES * 20, "candidates %llu", (unsigned long long)v.st.candidates);
}

/* A caseless atom reaches the matcher in lower case whatever the pattern
 * wrote: case variants written by hand ([Ll]ink) merge into one caseless
 * atom, and a case-sensitive word joined to a caseless one makes the
 * whole atom caseless. Kept as written, "Link down"i never equalled the
 * message folded and such rules never matched. */
Test(match_prefilter, matches_rules_that_write_case_by_hand_or_switch_it_midway)
{
	static const char text[] =
	    "plan p;\nlevel general { respond 30m; }\n"
	    "rule byhand { match syslog; where msg ~ /[Ll]ink [Dd]own at ALM123/; key host; }\n"
	    "rule midway { match syslog; where msg ~ /LINKX(?i)down/; key host; }\n"
	    "rule tray { match syslog; where msg ~ /[Ff]an[- ]tray\\+s(?:failed|%AIL)/; key host; }\n"
	    "rule host { match syslog; where host ~ /^[Nn][Ee]-?0042$/ and msg ~ /fan/; key host; }\n";
	static const struct {
		const char *line, *want;
	} cases[] = {
	    {"<131>Nov 25 10:00:00 H1 NE: link Down at ALM123", "byhand:F"},
	    {"<131>Nov 25 10:00:00 H1 NE: Link down at ALM123", "byhand:F"},
	    {"<131>Nov 25 10:00:00 H1 NE: link down at alm123", ""},
	    {"<131>Nov 25 10:00:00 H1 NE: LINKXDOWN", "midway:F"},
	    {"<131>Nov 25 10:00:00 H1 NE: LINKXdOwN now", "midway:F"},
	    {"<131>Nov 25 10:00:00 H1 NE: linkxdown", ""},
	    {"<131>Nov 25 10:00:00 H1 NE: fan tray+s%AIL", "tray:F"},
	    {"<131>Nov 25 10:00:00 H1 NE: \xb3\xb9?Fan-tray+sfailed\xff", "tray:F"},
	    {"<131>Nov 25 10:00:00 ne0042 NE: fan", "host:F"},
	    {"<131>Nov 25 10:00:00 Ne-0042 NE: fan", "host:F"},
	};
	struct fl_match_stats st;
	char got[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		match_line(text, cases[i].line, got, sizeof(got), &st);
		cr_expect_str_eq(got, cases[i].want, "%s: %s", cases[i].line, got);
	}
}

/* A key shared by more rules than a posting holds inline wakes all of them,
 * as one shared by fewer does: 2 rules on "LOSALARM", 6 on "LOFALARM". */
Test(match_prefilter, a_key_wakes_every_rule_keyed_on_it_few_or_many)
{
	static char text[4096];
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	const char *lines[] = {"<131>Nov 25 10:00:00 HOST-1 NE: LOSALARM on 1-2-3",
			       "<131>Nov 25 10:00:00 HOST-1 NE: LOFALARM on 1-2-3"};
	const size_t want[] = {2, 6};
	static struct fl_event ev;
	const uint32_t *cands;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	size_t len;

	len = (size_t)snprintf(text, sizeof(text), "plan p;\nlevel general { respond 30m; }\n");
	for (int r = 0; r < 8; r++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"rule r%d { match syslog; where msg ~ /%s on (?<port>\\S+)/; "
					"key host, port; }\n",
					r, r < 2 ? "LOSALARM" : "LOFALARM");
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, len, &opt, d), 0);
	cr_assert_eq(fl_match_create(&m, fl_plan_program(plan)), 0);
	for (size_t i = 0; i < 2; i++) {
		size_t n, faults = 0;

		cr_assert_eq(fl_syslog_decode(&ev, lines[i], strlen(lines[i]), &so), FL_SYSLOG_OK);
		n = fl_match_begin(m, &ev, &cands);
		cr_expect_eq(n, want[i], "line %zu: %zu candidates", i, n);
		for (size_t k = 0; k < n; k++)
			faults += fl_match_rule(m, cands[k]) == FL_MATCH_FAULT;
		cr_expect_eq(faults, want[i], "line %zu: %zu rules match", i, faults);
	}
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

/* Rules that select on a regex of their host or app, alone or with one on
 * msg: the regexes' atoms are found by scanning each text into the same
 * bits, so a host may hold a word a msg regex needs and the reverse. */
/* Each a text before and after a number. */
struct around {
	const char *pre, *post;
};
static const struct around host_res[] = {
    {"^NE0", "$"}, {"(?i)^ne-", "\\b"}, {"^(?:NE|GX)-", "-RT"}, {"LINK_DOWN-", ""},
    {"^GX-\\w+-", "$"},
};
static const char *const app_res[] = {"^(?:alarmd|ifmgr)$", "(?i)ALARMD", "^los\\w*", ""};

static void host_rule(unsigned long long *s, int r, char *text, size_t size)
{
	char host_re[64];
	const char *app_re = app_res[rng_next(s) % 4];
	unsigned msg = (unsigned)(rng_next(s) % 3);

	const struct around *h = &host_res[rng_next(s) % 5];

	snprintf(host_re, sizeof(host_re), "%s%d%s", h->pre, (int)(rng_next(s) % 20), h->post);
	snprintf(text, size, "rule r%d { match syslog; where host ~ /%s/;%s%s%s%s%s key host; }\n", r,
		 host_re, *app_re ? " where app ~ /" : "", app_re, *app_re ? "/;" : "",
		 msg ? " where msg ~ /" : "", msg == 1 ? "LINK_DOWN port=\\S+/;" : msg == 2 ? "(?i)ne-1\\d/;" : "");
}

static void host_line(unsigned long long *s, char *line, size_t size)
{
	static const struct around hosts[] = {{"NE0", ""},	   {"ne-", ""},    {"NE-", "-RT01"},
					      {"GX-", "-RT"},	   {"LINK_DOWN-", ""}, {"GX-nn-", ""},
					      {"Ne0", ""},	   {"host", ""}};
	const struct around *h = &hosts[rng_next(s) % 8];
	static const char *const apps[] = {"alarmd", "ifmgr", "ALARMD", "los", "losd", "sshd"};
	static const char *const msgs[] = {"LINK_DOWN port=1-1-1", "NE-12 up", "link_down port=2",
					   "GX-3-RT LINK_DOWN-3", "nothing", "ne-15 ok"};
	char host[32];

	snprintf(host, sizeof(host), "%s%d%s", h->pre, (int)(rng_next(s) % 20), h->post);
	if (rng_next(s) % 8 == 0) /* no app: the tag is missing */
		snprintf(line, size, "<131>Nov 25 10:00:00 %s %s", host, msgs[rng_next(s) % 6]);
	else
		snprintf(line, size, "<131>Nov 25 10:00:00 %s %s: %s", host, apps[rng_next(s) % 6],
			 msgs[rng_next(s) % 6]);
}

/* PCRE2's verdict on each of rule r's conditions, every one a regex on an
 * event field. */
static bool pcre2_rule(const struct fl_program *prog, pcre2_code *const *refs, uint32_t r,
		       const struct fl_event *ev, pcre2_match_data *md)
{
	const struct fl_prog_rule *rule = &prog->rules[r];

	for (uint32_t c = rule->first_cond; c < rule->first_cond + rule->n_conds; c++) {
		const struct fl_prog_cond *cond = &prog->conds[c];
		struct fl_str v = cond->field.index == FL_EF_HOST  ? ev->syslog.hostname
				  : cond->field.index == FL_EF_APP ? ev->syslog.app_name
								   : ev->syslog.msg;

		if (!v.p || pcre2_match(refs[cond->regex], (PCRE2_SPTR)v.p, v.len, 0, 0, md, NULL) < 0)
			return false;
	}
	return true;
}

Test(match_prefilter, never_drops_a_rule_keyed_on_a_regex_of_its_host_or_app)
{
	enum { N = 120, LINES = 3000 };
	static char text[N * 200 + 128];
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	static struct fl_event ev;
	unsigned long long s = 5;
	const struct fl_program *prog;
	pcre2_match_data *md = pcre2_match_data_create(16, NULL);
	pcre2_code **refs;
	struct fl_match_stats st;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	size_t len, matched = 0, cands_total = 0;

	len = (size_t)snprintf(text, sizeof(text), "plan p;\nlevel general { respond 30m; }\n");
	for (int r = 0; r < N; r++)
		host_rule(&s, r, text + len, sizeof(text) - len), len += strlen(text + len);
	cr_assert_lt(len, sizeof(text) - 1);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, len, &opt, d), 0);
	prog = fl_plan_program(plan);
	cr_assert_eq(fl_match_create(&m, prog), 0);
	refs = pcre2_refs(prog);
	for (int i = 0; i < LINES; i++) {
		char line[160];
		bool hit[N] = {false};
		const uint32_t *cands;
		size_t n;

		host_line(&s, line, sizeof(line));
		cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK, "%s", line);
		n = fl_match_begin(m, &ev, &cands);
		cands_total += n;
		for (size_t k = 0; k < n; k++)
			hit[cands[k]] = fl_match_rule(m, cands[k]) == FL_MATCH_FAULT;
		for (uint32_t r = 0; r < N; r++) {
			bool want = pcre2_rule(prog, refs, r, &ev, md);

			cr_assert_eq(hit[r], want, "rule r%u on \"%s\": matcher %d, PCRE2 %d", r, line,
				     hit[r], want);
			matched += want;
		}
	}
	fl_match_stats(m, &st);
	cr_expect_eq(st.rules_prefiltered, N, "every rule is keyed by its host regex's atoms");
	cr_expect_gt(matched, LINES / 10, "the lines must match rules: %zu", matched);
	cr_expect_lt(cands_total, (size_t)LINES * N / 4, "candidates %zu", cands_total);
	pcre2_refs_free(refs, prog->n_regexes);
	pcre2_match_data_free(md);
	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}
