/* The field prefilter: rule sides without atoms keyed on a host, app or msgid
 * value. Each line is matched twice, through the candidates fl_match_begin()
 * gives and against every rule of the plan, and both must agree: the index
 * may skip a rule only when the rule cannot match. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/correlate/match.h"
#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

static const char plan_text[] =
    "plan f;\n"
    "level general { respond 30m; }\n"
    /* keyed: == and in, on each field, on either side */
    "rule alarmd { match syslog; where app == \"alarmd\"; key host; }\n"
    "rule two_apps { match syslog; where app in [\"ospfd\", \"bgpd\"]; key host; }\n"
    "rule ne1 { match syslog; where host == \"NE1\" and severity <= 3; key host; }\n"
    "rule linkdown { match syslog; where msgid == \"LINKDOWN\"; key host; }\n"
    "rule pair { match syslog; where app == \"alarmd\" and msg ~ /LOS/;\n"
    "  clear where app == \"clearer\"; key host; }\n"
    "rule mixed { match syslog; where app == \"alarmd\";\n"
    "  clear where msg ~ /LOS cleared/; key host; }\n"
    /* the whole message, exactly: power supply failure, fan failure */
    "rule exact { match syslog; where msg == \"power supply failure\"; key host; }\n"
    "rule exact_set { match syslog; where msg in [\"fan failure\", \"fan ok\"]; key host; }\n"
    /* the fields by the names `faultline parse` prints them by */
    "rule parsed_names { match syslog; where app_name == \"syslogd\" and hostname == \"NE8\";\n"
    "  key host; }\n"
    /* keyed by the atom of its regex on app, not by the field index */
    "rule caseless { match syslog; where app ~ /ALARMD/i; key host; }\n"
    /* never keyed: these must stay candidates of every message */
    "rule not_ospf { match syslog; where app != \"ospfd\"; key host; }\n"
    "rule no_msgid { match syslog; where msgid != \"LINKDOWN\"; key host; }\n"
    "rule sev_only { match syslog; where severity <= 2; key host; }\n"
    /* severities and facilities by their names */
    "rule sev_named { match syslog; where severity <= \"err\" and facility == local7;\n"
    "  key host; }\n"
    "rule sev_set { match syslog; where severity in [crit, Alert, emerg]; key host; }\n"
    "rule open_clear { match syslog; where app == \"alarmd\"; clear where severity == 6;\n"
    "  key host; }\n"
    /* text as written (SEC's SubStr), regex characters and all; SQL's sets */
    "rule substr { match syslog; where msg contains \"(1/2) speed 3.5\"\n"
    "  and msg not contains \"test\"; key host; }\n"
    "rule substr_set { match syslog; where app contains (\"ospf\", \"bgp\"); key host; }\n"
    "rule substr_addr { match syslog; where msg contains 10.1.2.3 and msg contains 404;\n"
    "  key host; }\n"
    "rule paren_set { match syslog; where host in (\"NE5\", \"NE6\") and msg ~ /fan/i;\n"
    "  key host; }\n";

static const char *const lines[] = {
    "<131>Nov 20 00:00:00 NE1 alarmd: LOS raised",
    "<131>Nov 20 00:00:00 NE2 ALARMD: LOS raised",
    "<131>Nov 20 00:00:00 ne1 alarmd: LOS raised",
    "<134>Nov 20 00:00:00 NE2 clearer: done",
    "<134>Nov 20 00:00:00 NE2 ne: LOS cleared",
    "<131>Nov 20 00:00:00 NE3 ospfd: neighbour down",
    "<131>Nov 20 00:00:00 NE3 bgpd: peer down",
    "<131>Nov 20 00:00:00 NE3 bgpd2: peer down",
    "<130>Nov 20 00:00:00 NE1 sshd: login",
    "<134>Nov 20 00:00:00 NE1: no app at all",
    "<131>1 2026-11-20T00:00:00Z NE4 ifmgr 77 LINKDOWN - port 1-1-1 down",
    "<131>1 2026-11-20T00:00:00Z NE4 ifmgr 77 linkdown - port 1-1-1 down",
    "<131>1 2026-11-20T00:00:00Z NE4 ifmgr 77 - - no msgid",
    "<131>Nov 20 00:00:00 NE5 envmon: power supply failure",
    "<131>Nov 20 00:00:00 NE5 envmon: power supply failure!",
    "<131>Nov 20 00:00:00 NE5 envmon: fan ok",
    "<131>Nov 20 00:00:00 NE5 envmon: Fan ok",
    "<131>Nov 20 00:00:00 NE8 syslogd: restart",
    "<131>Nov 20 00:00:00 NE6 envmon: fan (1/2) speed 3.5",
    "<131>Nov 20 00:00:00 NE6 envmon: fan (1/2) speed 3.5 test",
    "<131>Nov 20 00:00:00 NE6 envmon: fan 1/2 speed 345",
};

struct ffx {
	struct fl_diags *d;
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_match *m;
	struct fl_event ev;
};

static struct ffx *ffx_open_text(const char *text)
{
	static struct ffx f;
	struct fl_plan_options opt = {.no_files = true};

	memset(&f, 0, sizeof(f));
	cr_assert_eq(fl_diags_create(&f.d), 0);
	cr_assert_eq(fl_plan_compile_text(&f.plan, "f.plan", text, strlen(text), &opt, f.d), 0);
	f.prog = fl_plan_program(f.plan);
	cr_assert_eq(fl_match_create(&f.m, f.prog), 0);
	return &f;
}

static struct ffx *ffx_open(void)
{
	return ffx_open_text(plan_text);
}

static void ffx_close(struct ffx *f)
{
	fl_match_destroy(f->m);
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
}

static uint32_t rule_index(const struct ffx *f, const char *name)
{
	for (uint32_t r = 0; r < f->prog->n_rules; r++)
		if (strcmp(f->prog->rules[r].name.p, name) == 0)
			return r;
	cr_assert_fail("no rule %s", name);
	return 0;
}

/* Decodes line and returns its candidates as a bitmap over rules (at most 64). */
static uint64_t candidates(struct ffx *f, const char *line)
{
	struct fl_syslog_opts so = {.year = 2026};
	const uint32_t *cands;
	uint64_t bits = 0;
	size_t n;

	cr_assert_eq(fl_syslog_decode(&f->ev, line, strlen(line), &so), FL_SYSLOG_OK, "%s", line);
	n = fl_match_begin(f->m, &f->ev, &cands);
	for (size_t i = 0; i < n; i++)
		bits |= UINT64_C(1) << cands[i];
	return bits;
}

Test(match_fields, never_skips_a_rule_that_matches)
{
	struct ffx *f = ffx_open();
	size_t matched = 0;

	cr_assert_leq(f->prog->n_rules, 64);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		uint64_t cands = candidates(f, lines[i]);

		/* every rule, candidate or not: the matcher's answer without the index */
		for (uint32_t r = 0; r < f->prog->n_rules; r++) {
			enum fl_match_result got = fl_match_rule(f->m, r);

			if (got == FL_MATCH_NONE)
				continue;
			matched++;
			cr_expect(cands & (UINT64_C(1) << r), "\"%s\": rule %s matches (%s) but was skipped",
				  lines[i], f->prog->rules[r].name.p,
				  got == FL_MATCH_FAULT ? "fault" : "clear");
		}
	}
	cr_expect_gt(matched, 15, "the lines must match rules: %zu", matched);
	ffx_close(f);
}

Test(match_fields, finds_text_as_written_with_contains_and_sets_in_parentheses)
{
	struct ffx *f = ffx_open();
	uint32_t substr = rule_index(f, "substr"), substr_set = rule_index(f, "substr_set");
	uint32_t paren_set = rule_index(f, "paren_set");

	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE6 envmon: fan (1/2) speed 3.5") &
		  (UINT64_C(1) << substr), "keyed on its text, as a regex's literal");
	cr_expect_eq(fl_match_rule(f->m, substr), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, paren_set), FL_MATCH_FAULT);
	candidates(f, "<131>Nov 20 00:00:00 NE6 envmon: fan (1/2) speed 3x5");
	cr_expect_eq(fl_match_rule(f->m, substr), FL_MATCH_NONE, "'.' is a dot, not any byte");
	candidates(f, "<131>Nov 20 00:00:00 NE6 envmon: fan 1/2 speed 3.5");
	cr_expect_eq(fl_match_rule(f->m, substr), FL_MATCH_NONE, "'(' is a parenthesis");
	candidates(f, "<131>Nov 20 00:00:00 NE6 envmon: a test: fan (1/2) speed 3.5");
	cr_expect_eq(fl_match_rule(f->m, substr), FL_MATCH_NONE, "not contains \"test\"");
	candidates(f, "<131>Nov 20 00:00:00 NE6 envmon: FAN (1/2) SPEED 3.5");
	cr_expect_eq(fl_match_rule(f->m, substr), FL_MATCH_NONE, "contains keeps the case");
	candidates(f, "<131>Nov 20 00:00:00 NE3 ospfd: neighbour down");
	cr_expect_eq(fl_match_rule(f->m, substr_set), FL_MATCH_FAULT);
	candidates(f, "<131>Nov 20 00:00:00 NE3 bgpd2: peer down");
	cr_expect_eq(fl_match_rule(f->m, substr_set), FL_MATCH_FAULT, "bgp is in bgpd2");
	candidates(f, "<131>Nov 20 00:00:00 NE3 isisd: adjacency down");
	cr_expect_eq(fl_match_rule(f->m, substr_set), FL_MATCH_NONE);
	candidates(f, "<131>Nov 20 00:00:00 NE3 httpd: 10.1.2.3 GET / 404");
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "substr_addr")), FL_MATCH_FAULT,
		     "an address and a number unquoted, as written");
	candidates(f, "<131>Nov 20 00:00:00 NE3 httpd: 10.1.2.4 GET / 404");
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "substr_addr")), FL_MATCH_NONE);
	candidates(f, "<131>Nov 20 00:00:00 NE7 envmon: fan ok");
	cr_expect_eq(fl_match_rule(f->m, paren_set), FL_MATCH_NONE, "NE7 is not in the set");
	ffx_close(f);
}

Test(match_fields, keys_only_sides_an_equality_or_a_set_must_satisfy)
{
	struct ffx *f = ffx_open();
	struct fl_match_stats st;
	/* caseless is keyed on its regex's atom, alarmd in either case */
	static const char *const keyed[] = {"alarmd", "two_apps", "ne1",   "linkdown",  "pair",
					     "mixed",  "caseless", "exact", "exact_set",
					     "parsed_names"};
	static const char *const always[] = {"not_ospf", "no_msgid", "sev_only", "open_clear",
					     "sev_named", "sev_set"};
	uint64_t sshd = candidates(f, "<130>Nov 20 00:00:00 NE9 sshd: login");

	fl_match_stats(f->m, &st);
	cr_expect_eq(st.rules_field_indexed, 9, "each keyed rule has a side keyed on a field");
	for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
		cr_expect(!(sshd & (UINT64_C(1) << rule_index(f, keyed[i]))),
			  "%s is no candidate of an sshd line from NE9", keyed[i]);
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		cr_expect(sshd & (UINT64_C(1) << rule_index(f, always[i])),
			  "%s stays a candidate of every line", always[i]);
	/* check's warning and dump's count say what the matcher does */
	for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
		cr_expect(!fl_program_rule_every_event(f->prog, rule_index(f, keyed[i]), NULL),
			  "%s: the program says it runs on every event", keyed[i]);
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		cr_expect(fl_program_rule_every_event(f->prog, rule_index(f, always[i]), NULL),
			  "%s: the program says it is keyed", always[i]);
	ffx_close(f);
}

Test(match_fields, wakes_a_rule_on_each_value_of_its_set_and_on_its_clear_side)
{
	struct ffx *f = ffx_open();
	uint32_t two = rule_index(f, "two_apps"), pair = rule_index(f, "pair");

	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE3 ospfd: x") & (UINT64_C(1) << two));
	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE3 bgpd: x") & (UINT64_C(1) << two));
	cr_expect(!(candidates(f, "<131>Nov 20 00:00:00 NE3 bgp: x") & (UINT64_C(1) << two)));
	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE3 alarmd: LOS") & (UINT64_C(1) << pair),
		  "its where side is keyed on its atom LOS");
	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE3 clearer: x") & (UINT64_C(1) << pair),
		  "its clear side is keyed on app clearer");
	cr_expect_eq(fl_match_rule(f->m, pair), FL_MATCH_CLEAR);
	ffx_close(f);
}

Test(match_fields, compares_severities_and_facilities_named_as_their_numbers)
{
	struct ffx *f = ffx_open();
	uint32_t named = rule_index(f, "sev_named"), set = rule_index(f, "sev_set");

	candidates(f, "<187>Nov 20 00:00:00 NE1 a: local7.err"); /* 23 * 8 + 3 */
	cr_expect_eq(fl_match_rule(f->m, named), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, set), FL_MATCH_NONE, "err is not crit, alert or emerg");
	candidates(f, "<188>Nov 20 00:00:00 NE1 a: local7.warning");
	cr_expect_eq(fl_match_rule(f->m, named), FL_MATCH_NONE, "warning is above err");
	candidates(f, "<131>Nov 20 00:00:00 NE1 a: local0.err");
	cr_expect_eq(fl_match_rule(f->m, named), FL_MATCH_NONE, "local0 is not local7");
	candidates(f, "<185>Nov 20 00:00:00 NE1 a: local7.alert");
	cr_expect_eq(fl_match_rule(f->m, named), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, set), FL_MATCH_FAULT);
	ffx_close(f);
}

Test(match_fields, reads_app_name_and_hostname_as_app_and_host)
{
	struct ffx *f = ffx_open();
	uint32_t r = rule_index(f, "parsed_names");

	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE8 syslogd: restart") & (UINT64_C(1) << r));
	cr_expect_eq(fl_match_rule(f->m, r), FL_MATCH_FAULT);
	candidates(f, "<131>Nov 20 00:00:00 NE7 syslogd: restart");
	cr_expect_eq(fl_match_rule(f->m, r), FL_MATCH_NONE, "another host");
	candidates(f, "<131>Nov 20 00:00:00 NE8 sshd: restart");
	cr_expect_eq(fl_match_rule(f->m, r), FL_MATCH_NONE, "another app");
	ffx_close(f);
}

Test(match_fields, compares_values_byte_for_byte_as_the_condition_does)
{
	struct ffx *f = ffx_open();
	uint32_t ne1 = rule_index(f, "ne1"), alarmd = rule_index(f, "alarmd");
	uint32_t linkdown = rule_index(f, "linkdown");

	cr_expect(!(candidates(f, "<131>Nov 20 00:00:00 ne1 sshd: x") & (UINT64_C(1) << ne1)),
		  "host ne1 is not NE1");
	cr_expect(!(candidates(f, "<131>Nov 20 00:00:00 NE2 ALARMD: x") & (UINT64_C(1) << alarmd)));
	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE5 envmon: power supply failure") &
		  (UINT64_C(1) << rule_index(f, "exact")));
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "exact")), FL_MATCH_FAULT);
	cr_expect(!(candidates(f, "<131>Nov 20 00:00:00 NE5 envmon: power supply failure ") &
		    (UINT64_C(1) << rule_index(f, "exact"))),
		  "a message with one byte more is another message");
	cr_expect(candidates(f, "<131>Nov 20 00:00:00 NE5 envmon: fan failure") &
		  (UINT64_C(1) << rule_index(f, "exact_set")));
	cr_expect(!(candidates(f, "<131>1 2026-11-20T00:00:00Z NE4 ifmgr 77 - - no msgid") &
		    (UINT64_C(1) << linkdown)),
		  "an event without the field");
	ffx_close(f);
}

/* Rules as an operator writes one per device, all on the same alarm text:
 * keyed on that text, a LINK_DOWN line would wake all 30; keyed on their
 * host, one. Rules that all name app alarmd but each its own alarm stay
 * keyed on their alarm: 30 rules share the app, one the alarm. */
static char *per_device_plan(void)
{
	static char text[16384];
	size_t at = 0;

	at += (size_t)snprintf(text + at, sizeof(text) - at,
			       "plan f;\nlevel general { respond 30m; }\n");
	for (int i = 0; i < 30; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at,
				       "rule h%d { match syslog; where host == \"NE%d\";\n"
				       "  where msg ~ /LINK_DOWN port=(?<port>\\S+)/;\n"
				       "  clear where host == \"NE%d\" and msg ~ /LINK_UP port=(?<port>\\S+)/;\n"
				       "  key host, port; }\n"
				       "rule a%d { match syslog; where app == \"alarmd\";\n"
				       "  where msg ~ /(?<alarm>ALM%04d) raised/; key host, alarm; }\n",
				       i, i, i, i, i);
	cr_assert_lt(at, sizeof(text) - 1);
	return text;
}

Test(match_fields, keys_a_side_on_its_host_when_fewer_rules_share_it_than_its_atoms)
{
	struct ffx *f = ffx_open_text(per_device_plan());
	struct fl_match_stats st;
	uint32_t h7 = rule_index(f, "h7"), a7 = rule_index(f, "a7");
	uint64_t down = candidates(f, "<131>Nov 20 00:00:00 NE7 ifmgr: LINK_DOWN port=1-1-1");
	uint64_t up = candidates(f, "<131>Nov 20 00:00:00 NE7 ifmgr: LINK_UP port=1-1-1");
	uint64_t alarm = candidates(f, "<131>Nov 20 00:00:00 NE7 alarmd: ALM0007 raised");
	uint64_t other = candidates(f, "<131>Nov 20 00:00:00 NE99 ifmgr: LINK_DOWN port=1-1-1");

	fl_match_stats(f->m, &st);
	cr_expect_eq(st.rules_field_indexed, 30, "the h rules, not the a rules: %zu",
		     st.rules_field_indexed);
	cr_expect_eq(down, UINT64_C(1) << h7, "LINK_DOWN from NE7 wakes h7 alone: %#llx",
		     (unsigned long long)down);
	cr_expect_eq(up, UINT64_C(1) << h7, "and so does its LINK_UP (the clear side)");
	cr_expect_eq(alarm, (UINT64_C(1) << a7) | (UINT64_C(1) << h7),
		     "ALM0007 wakes a7 by its alarm, h7 by its host: %#llx",
		     (unsigned long long)alarm);
	cr_expect_eq(other, 0, "a host no rule names wakes none");
	ffx_close(f);
}

Test(match_fields, never_skips_a_rule_keyed_on_its_host_rather_than_its_atoms)
{
	static const char *const some[] = {
	    "<131>Nov 20 00:00:00 NE3 ifmgr: LINK_DOWN port=1-1-1",
	    "<131>Nov 20 00:00:00 NE3 ifmgr: LINK_UP port=1-1-1",
	    "<131>Nov 20 00:00:00 NE29 x: LINK_UP port=2 LINK_DOWN port=3",
	    "<131>Nov 20 00:00:00 NE0 alarmd: ALM0000 raised LINK_DOWN port=4",
	    "<131>Nov 20 00:00:00 ne3 ifmgr: LINK_DOWN port=1-1-1",
	    "<131>Nov 20 00:00:00 NE3: LINK_DOWN port=9", /* NE3 is its tag: no host */
	};
	struct ffx *f = ffx_open_text(per_device_plan());
	size_t matched = 0;

	cr_assert_leq(f->prog->n_rules, 64);
	for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		uint64_t cands = candidates(f, some[i]);

		for (uint32_t r = 0; r < f->prog->n_rules; r++) {
			if (fl_match_rule(f->m, r) == FL_MATCH_NONE)
				continue;
			matched++;
			cr_expect(cands & (UINT64_C(1) << r), "\"%s\": rule %s matches but was skipped",
				  some[i], f->prog->rules[r].name.p);
		}
	}
	cr_expect_eq(matched, 5, "h3 twice, h29, h0 and a0: %zu", matched);
	ffx_close(f);
}

/* Trap rules are candidates of traps only, and syslog rules that run on
 * every message of syslog only: a plan with a thousand trap rules made
 * every syslog line pass them all. A trap rule with `==`, `in` or `under`
 * an OID is keyed on it as a prefix of the trap's OID, arc by arc. */
static const char trap_plan[] =
    "plan f;\nlevel general { respond 30m; }\n"
    "rule sev { match syslog; where severity <= 7; key host; }\n"
    "rule down { match trap; where trap_oid == linkDown; key peer; }\n"
    "rule any_trap { match trap; key peer; }\n"
    "rule ent { match trap; where enterprise under 1.3.6.1.4.1.32473; key peer; }\n"
    "rule two { match trap; where trap_oid in [linkDown, linkUp]; key peer; }\n"
    "rule not_down { match trap; where trap_oid != linkDown; key peer; }\n";

/* The candidates of a trap of trap_oid (v2c) or enterprise (v1), BER
 * content octets, as a bitmap. */
static uint64_t trap_candidates(struct ffx *f, const uint8_t *oid, size_t len, bool v1)
{
	const uint32_t *cands;
	uint64_t bits = 0;
	size_t n;

	memset(&f->ev, 0, sizeof(f->ev));
	f->ev.kind = FL_EVENT_TRAP;
	f->ev.trap.version = v1 ? 0 : 1;
	if (v1)
		f->ev.trap.enterprise = fl_str_make((const char *)oid, len);
	else
		f->ev.trap.trap_oid = fl_str_make((const char *)oid, len);
	n = fl_match_begin(f->m, &f->ev, &cands);
	for (size_t i = 0; i < n; i++)
		bits |= UINT64_C(1) << cands[i];
	return bits;
}

#define BIT(f, name) (UINT64_C(1) << rule_index(f, name))

Test(match_fields, gives_a_rule_for_every_event_only_the_events_of_its_input)
{
	static const uint8_t link_down[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 3}; /* 1.3.6.1.6.3.1.1.5.3 */
	struct ffx *f = ffx_open_text(trap_plan);
	uint64_t line = candidates(f, "<131>Nov 20 00:00:00 NE1 sshd: login");
	uint64_t trap;

	cr_expect_eq(line, BIT(f, "sev"), "a syslog line: sev alone, %#llx",
		     (unsigned long long)line);
	trap = trap_candidates(f, link_down, sizeof(link_down), false);
	cr_expect_eq(trap, BIT(f, "down") | BIT(f, "any_trap") | BIT(f, "two") | BIT(f, "not_down"),
		     "a linkDown trap: %#llx", (unsigned long long)trap);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "down")), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "any_trap")), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "not_down")), FL_MATCH_NONE);
	ffx_close(f);
}

Test(match_fields, keys_a_trap_rule_on_its_oid_as_a_prefix_arc_by_arc)
{
	static const uint8_t link_up[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 4};
	/* 1.3.6.1.4.1.32473.1.2, under the rule's 1.3.6.1.4.1.32473 */
	static const uint8_t ours[] = {0x2b, 6, 1, 4, 1, 0x81, 0xfd, 0x59, 1, 2};
	/* 1.3.6.1.4.1.3247: not under it, though its first arcs agree */
	static const uint8_t other[] = {0x2b, 6, 1, 4, 1, 0x99, 0x2f};
	/* 1.3.6.1.4.1: above it */
	static const uint8_t above[] = {0x2b, 6, 1, 4, 1};
	struct ffx *f = ffx_open_text(trap_plan);
	uint64_t always = BIT(f, "any_trap") | BIT(f, "not_down");
	struct fl_match_stats st;

	fl_match_stats(f->m, &st);
	cr_expect_eq(st.rules_field_indexed, 3, "down, ent and two: %zu", st.rules_field_indexed);
	cr_expect_eq(trap_candidates(f, link_up, sizeof(link_up), false), always | BIT(f, "two"));
	cr_expect_eq(trap_candidates(f, ours, sizeof(ours), true), always | BIT(f, "ent"));
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "ent")), FL_MATCH_FAULT);
	cr_expect_eq(trap_candidates(f, other, sizeof(other), true), always);
	cr_expect_eq(trap_candidates(f, above, sizeof(above), true), always);
	cr_expect_eq(trap_candidates(f, ours, 0, false), always, "a trap without the OID");
	ffx_close(f);
}

/* OIDs as scripts and net-snmp write them: quoted, with their MIB module,
 * a number quoted. Each names the OID the bare name does (a quoted name
 * was compared as text with the trap's OID, and never held). */
static const char trap_written_plan[] =
    "plan f;\nlevel general { respond 30m; }\n"
    "rule quoted { match trap; where trap_oid == \"linkDown\"; key peer; }\n"
    "rule module { match trap; where trap_oid == IF-MIB::linkDown; key peer; }\n"
    "rule set { match trap; where trap_oid in (\"IF-MIB::linkUp\", \"1.3.6.1.6.3.1.1.5.3\");\n"
    "  key peer; }\n"
    "rule not_quoted { match trap; where trap_oid != \"linkDown\"; key peer; }\n"
    "rule ent_quoted { match trap; where enterprise under \"1.3.6.1.4.1.32473\"; key peer; }\n";

Test(match_fields, reads_an_oid_quoted_or_with_its_mib_module_as_the_bare_name)
{
	static const uint8_t link_down[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 3};
	static const uint8_t link_up[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 4};
	static const uint8_t cold[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 1}; /* coldStart */
	static const uint8_t ours[] = {0x2b, 6, 1, 4, 1, 0x81, 0xfd, 0x59, 1, 2};
	struct ffx *f = ffx_open_text(trap_written_plan);

	trap_candidates(f, link_down, sizeof(link_down), false);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "quoted")), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "module")), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "set")), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "not_quoted")), FL_MATCH_NONE);
	trap_candidates(f, link_up, sizeof(link_up), false);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "set")), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "quoted")), FL_MATCH_NONE);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "not_quoted")), FL_MATCH_FAULT);
	trap_candidates(f, cold, sizeof(cold), false);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "set")), FL_MATCH_NONE);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "module")), FL_MATCH_NONE);
	trap_candidates(f, ours, sizeof(ours), true);
	cr_expect_eq(fl_match_rule(f->m, rule_index(f, "ent_quoted")), FL_MATCH_FAULT);
	ffx_close(f);
}

/* A varbind's named values as its MIB names them and net-snmp prints them
 * (down, "lowerLayerDown", down(2)): compared as the numbers they name. */
static const char trap_enum_plan[] =
    "plan f;\nlevel general { respond 30m; }\n"
    "rule down { match trap; where varbind ifOperStatus == down; key peer; }\n"
    "rule gone { match trap; where varbind ifOperStatus in [lowerLayerDown, \"down(2)\"];\n"
    "  key peer; }\n"
    "rule not_up { match trap; where varbind ifOperStatus != Up; key peer; }\n"
    "rule bgp { match trap; where varbind bgpPeerState != established; key peer; }\n";

/* A linkDown trap whose ifOperStatus.3 is status and bgpPeerState.10.0.0.1
 * is peer_state. */
static void enum_trap(struct ffx *f, int64_t status, int64_t peer_state)
{
	static const uint8_t link_down[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 3};
	static const uint8_t oper[] = {0x2b, 6, 1, 2, 1, 2, 2, 1, 8, 3};
	static const uint8_t bgp[] = {0x2b, 6, 1, 2, 1, 15, 3, 1, 2, 10, 0, 0, 1};
	const uint32_t *cands;

	memset(&f->ev, 0, sizeof(f->ev));
	f->ev.kind = FL_EVENT_TRAP;
	f->ev.trap.version = 1;
	f->ev.trap.trap_oid = fl_str_make((const char *)link_down, sizeof(link_down));
	f->ev.trap.n_varbinds = 2;
	f->ev.trap.varbinds[0] = (struct fl_varbind){
	    .oid = fl_str_make((const char *)oper, sizeof(oper)), .type = FL_VB_INTEGER,
	    .integer = status};
	f->ev.trap.varbinds[1] = (struct fl_varbind){
	    .oid = fl_str_make((const char *)bgp, sizeof(bgp)), .type = FL_VB_INTEGER,
	    .integer = peer_state};
	(void)fl_match_begin(f->m, &f->ev, &cands);
}

Test(match_fields, compares_a_varbinds_named_values_as_their_numbers)
{
	static const struct {
		int64_t status, peer_state;
		bool down, gone, not_up, bgp;
	} cases[] = {
	    {2, 6, true, true, true, false},  /* down; established */
	    {7, 1, false, true, true, true},  /* lowerLayerDown; idle */
	    {1, 6, false, false, false, false}, /* up */
	    {5, 3, false, false, true, true}, /* dormant; active */
	};
	struct ffx *f = ffx_open_text(trap_enum_plan);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *names[] = {"down", "gone", "not_up", "bgp"};
		bool want[] = {cases[i].down, cases[i].gone, cases[i].not_up, cases[i].bgp};

		enum_trap(f, cases[i].status, cases[i].peer_state);
		for (size_t k = 0; k < 4; k++)
			cr_expect_eq(fl_match_rule(f->m, rule_index(f, names[k])) == FL_MATCH_FAULT,
				     want[k], "ifOperStatus %lld, bgpPeerState %lld: %s",
				     (long long)cases[i].status, (long long)cases[i].peer_state,
				     names[k]);
	}
	ffx_close(f);
}

/* Random OIDs under a few roots, random rules on them: every rule that
 * matches a trap must be among its candidates. */
Test(match_fields, never_skips_a_trap_rule_that_matches)
{
	static char text[16384];
	static const char *const ops[] = {"==", "under"};
	static const char *const fields[] = {"trap_oid", "enterprise"};
	unsigned long long s = 11;
	size_t at = 0, matched = 0;
	struct ffx *f;

	at += (size_t)snprintf(text + at, sizeof(text) - at, "plan f;\nlevel general { respond 30m; }\n");
	for (int r = 0; r < 60; r++) {
		unsigned a = (unsigned)((s = s * 6364136223846793005ULL + 1) >> 33) % 3;
		unsigned b = (unsigned)((s = s * 6364136223846793005ULL + 1) >> 33) % 200;
		unsigned k = (unsigned)((s = s * 6364136223846793005ULL + 1) >> 33);

		if (k % 5 == 0)
			at += (size_t)snprintf(text + at, sizeof(text) - at,
					       "rule r%d { match trap; where %s in [1.3.6.1.4.1.%u.%u, "
					       "1.3.6.1.4.1.%u]; key peer; }\n",
					       r, fields[k % 2], a, b, a + 1);
		else
			at += (size_t)snprintf(text + at, sizeof(text) - at,
					       "rule r%d { match trap; where %s %s 1.3.6.1.4.1.%u%s; "
					       "key peer; }\n",
					       r, fields[k % 2], ops[(k >> 3) % 2], a,
					       (k >> 4) % 2 ? "" : (b < 100 ? ".1" : ".200"));
	}
	cr_assert_lt(at, sizeof(text) - 1);
	f = ffx_open_text(text);
	for (int i = 0; i < 2000; i++) {
		uint8_t oid[16] = {0x2b, 6, 1, 4, 1};
		size_t len = 5;
		unsigned x = (unsigned)((s = s * 6364136223846793005ULL + 1) >> 33);
		uint64_t cands;

		oid[len++] = (uint8_t)(x % 4); /* the enterprise arc: 0..3 */
		if (x & 4 && x & 8) { /* a second arc: 1, or 200 in two bytes */
			oid[len++] = 1;
		} else if (x & 4) {
			oid[len++] = 0x81;
			oid[len++] = 0x48;
		}
		if (x & 16)
			oid[len++] = (uint8_t)((x >> 5) % 3);
		cands = trap_candidates(f, oid, len, (x >> 8) & 1);
		for (uint32_t r = 0; r < f->prog->n_rules; r++) {
			if (fl_match_rule(f->m, r) == FL_MATCH_NONE)
				continue;
			matched++;
			cr_expect(cands & (UINT64_C(1) << r), "trap %d: rule %s matches but was skipped", i,
				  f->prog->rules[r].name.p);
		}
	}
	cr_expect_gt(matched, 500, "the traps must match rules: %zu", matched);
	ffx_close(f);
}
