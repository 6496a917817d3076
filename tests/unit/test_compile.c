#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

struct compiled {
	struct fl_plan *plan;
	struct fl_diags *d;
	struct fl_buf msgs;
	int rc;
};

static const struct fl_plan_options memory_only = {.no_files = true};

/* Compiles text; msgs holds every diagnostic as printed. */
static void compile(struct compiled *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	cr_assert_eq(fl_diags_create(&c->d), 0);
	c->rc = fl_plan_compile_text(&c->plan, "t.plan", text, strlen(text), &memory_only, c->d);
	fl_buf_init(&c->msgs, 1 << 20);
	cr_assert_eq(fl_diag_render(c->d, &c->msgs), 0);
	if (!c->msgs.p)
		fl_buf_adds(&c->msgs, "");
}

static void done(struct compiled *c)
{
	fl_plan_destroy(c->plan);
	fl_diags_destroy(c->d);
	fl_buf_free(&c->msgs);
}

#define HEAD "plan t;\nroles duty_room;\nlevel urgent { respond 2m; ladder std; }\n" \
	     "ladder std { step after 0s notify duty_room via sms; }\n"

/* Expects the compile to fail with exactly one error whose first line is want. */
static void expect_error(const char *text, const char *want)
{
	struct compiled c;

	compile(&c, text);
	cr_expect_eq(c.rc, -EINVAL, "for %s", want);
	cr_expect(strncmp(c.msgs.p, want, strlen(want)) == 0, "expected\n%s\ngot\n%s", want,
		  c.msgs.p);
	cr_expect_eq(fl_diag_errors(c.d), 1, "%s", c.msgs.p);
	done(&c);
}

/* Expects the compile to succeed with exactly one warning, which says want. */
static void expect_one_warning(const char *text, const char *want)
{
	struct compiled c;

	compile(&c, text);
	cr_expect_eq(c.rc, 0, "warnings do not fail the compile");
	cr_expect_eq(fl_diag_warnings(c.d), 1, "%s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, want) != NULL, "expected %s\ngot\n%s", want, c.msgs.p);
	done(&c);
}

Test(compile, compiles_two_plans_in_one_process)
{
	struct compiled a, b;
	const struct fl_program *pa, *pb;

	compile(&a, HEAD "rule los { match syslog; where msg ~ /(?<port>\\d+)/; key port; "
			 "raise level urgent; }\n");
	compile(&b, HEAD "rule x { match trap; raise level urgent; }\n"
			 "rule y { match syslog; where host == \"h\"; raise level urgent; }\n");
	cr_assert_eq(a.rc, 0, "%s", a.msgs.p);
	cr_assert_eq(b.rc, 0, "%s", b.msgs.p);
	pa = fl_plan_program(a.plan);
	pb = fl_plan_program(b.plan);
	cr_expect_eq(pa->n_rules, 1);
	cr_expect_eq(pb->n_rules, 2);
	cr_expect_str_eq(pb->rules[1].name.p, "y");
	fl_plan_destroy(a.plan); /* the first one goes, the second still works */
	a.plan = NULL;
	cr_expect_eq(pb->conds[0].op, FL_OP_EQ);
	cr_expect_str_eq(pb->conds[0].str.p, "h");
	done(&a);
	done(&b);
}

Test(compile, resolves_names_declared_later)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, "plan t;\nrule r { match syslog; raise level sev ladder late; }\n"
		    "level sev { respond 5m; onsite county 1h; repair 2h; }\n"
		    "ladder late { step repair 10m unrestored notify lead at region via email; }\n"
		    "roles lead;\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_expect_eq(p->actions[0].level, 0);
	cr_expect_eq(p->actions[0].ladder, 0);
	cr_expect_eq(p->levels[0].respond_ms, 300000);
	cr_expect_eq(p->levels[0].onsite_ms[FL_CLASS_COUNTY], 3600000);
	cr_expect_eq(p->levels[0].onsite_ms[FL_CLASS_CITY], -1);
	cr_expect_eq(p->steps[0].when, FL_WHEN_REPAIR);
	cr_expect_eq(p->steps[0].delay_ms, 600000);
	cr_expect_eq(p->steps[0].cond, FL_COND_UNRESTORED);
	cr_expect_eq(p->steps[0].scope, FL_SCOPE_REGION);
	cr_expect_str_eq(p->channels[p->step_channels[p->steps[0].first_channel]].p, "email");
	done(&c);
}

Test(compile, suggests_the_level_meant)
{
	expect_error(HEAD "rule r {\n  match syslog;\n  raise level urgnet;\n}\n",
		     "t.plan:7:15: error: unknown level 'urgnet'; did you mean 'urgent'?\n"
		     "    7 |   raise level urgnet;\n"
		     "      |               ^~~~~~\n");
}

Test(compile, reports_a_duplicate_with_a_note_at_the_first)
{
	struct compiled c;

	compile(&c, HEAD "rule r { match syslog; raise level urgent; }\n"
			 "rule r { match trap; raise level urgent; }\n");
	cr_expect_eq(c.rc, -EINVAL);
	cr_expect(strstr(c.msgs.p, "t.plan:6:6: error: duplicate rule 'r'\n") != NULL, "%s",
		  c.msgs.p);
	cr_expect(strstr(c.msgs.p, "t.plan:5:6: note: 'r' is first declared here\n") != NULL,
		  "%s", c.msgs.p);
	done(&c);
}

Test(compile, points_into_the_regex_where_pcre2_fails)
{
	expect_error(HEAD "rule r { match syslog; where msg ~ /ab(c/; raise level urgent; }\n",
		     "t.plan:5:41: error: regex does not compile: missing closing parenthesis\n");
	expect_error(HEAD "rule r { match syslog; where msg ~ /a\\/b[/; raise level urgent; }\n",
		     "t.plan:5:42: error: regex does not compile: missing terminating ] for "
		     "character class\n");
}

/* The plan text compiled (it must compile) and dumped into out (freed by
 * the caller with fl_buf_free(), c with done()). */
static void dump_plan(struct compiled *c, const char *text, struct fl_buf *out)
{
	compile(c, text);
	cr_assert_eq(c->rc, 0, "%s", c->msgs.p);
	fl_buf_init(out, 1 << 20);
	cr_assert_eq(fl_plan_dump(c->plan, out), 0);
}

/* dump says how many distinct regexes run on rxlite and how many on PCRE2
 * alone: a rule author copying a rule a thousand times wants to know. */
Test(compile, dump_counts_the_regexes_rxlite_runs_and_those_pcre2_runs)
{
	struct compiled c;
	struct fl_buf out;

	dump_plan(&c, HEAD "rule a { match syslog; where msg ~ /LOS port=(?<p>\\S+)/; key p; }\n"
			   "rule b { match syslog; where msg ~ /LOS port=(?<p>\\S+)/; key p; }\n"
			   "rule c { match syslog; where msg ~ /(?<x>LOF)-\\1/; key host; }\n"
			   "rule d { match syslog; where msg ~ /(?x) AIS \\d+ /; key host; }\n"
			   "rule e { match syslog; where app ~ /^alarm[= ]d$/; key host; }\n",
		  &out);
	cr_expect(strstr(out.p, "\nregexes 5 distinct 4 rxlite 2 pcre2 2\n") != NULL, "%s", out.p);
	fl_buf_free(&out);
	done(&c);
}

/* dump says under each regex the prefilter scans for what it cannot match
 * without: the literals `explain` means when a message holds none. */
Test(compile, dump_shows_what_each_scanned_regex_requires)
{
	struct compiled c;
	struct fl_buf out;

	dump_plan(&c, HEAD "rule a { match syslog; where msg ~ /(?i)R_LOF-\\d0 up/; key host; }\n"
			   "rule b { match syslog; where msg ~ /^(\\S+) (\\S+)$/; key host; }\n"
			   "rule c { match syslog; where app ~ /^alarm(?:d|_agent)$/;"
			   " where msg !~ /test ping/; key host; }\n", &out);
	cr_expect(strstr(out.p, "/(?i)R_LOF-\\d0 up/\n      requires OR(\"r_lof-00 up\"i, "
				"\"r_lof-10 up\"i") != NULL,
		  "%s", out.p);
	cr_expect(strstr(out.p, "/^(\\S+) (\\S+)$/\n      requires no literal\n") != NULL, "%s",
		  out.p);
	cr_expect(strstr(out.p, "      requires OR(\"alarmd\", \"alarm_agent\")\n") != NULL, "%s",
		  out.p);
	cr_expect(strstr(out.p, "/test ping/\n      requires") == NULL, "a !~ is no key: %s",
		  out.p);
	fl_buf_free(&out);
	done(&c);
}

/* A peer's networks show as networks in dump, whichever way they were
 * written: bare, quoted, an address alone. */
Test(compile, dump_shows_a_peers_networks_as_networks)
{
	struct compiled c;
	struct fl_buf out;

	dump_plan(&c, HEAD "rule a { match syslog; where peer in [10.12.0.0/16, \"2001:db8::/32\"];"
			   " key host; }\n"
			   "rule b { match syslog; where peer not in (\"10.0.0.0/8\", 172.16.0.1); key host; }\n"
			   "rule d { match syslog; where peer != \"10.1.2.3\"; key host; }\n", &out);
	cr_expect(strstr(out.p, "event:peer in [10.12.0.0/16, 2001:db8::/32]\n") != NULL, "%s", out.p);
	cr_expect(strstr(out.p, "event:peer not in [10.0.0.0/8, 172.16.0.1/32]\n") != NULL, "%s",
		  out.p);
	cr_expect(strstr(out.p, "event:peer != 10.1.2.3/32\n") != NULL, "%s", out.p);
	fl_buf_free(&out);
	done(&c);
}

/* rxlite reads plain patterns at plan load and PCRE2 compiles them only
 * when a matcher needs it: rxlite must leave what PCRE2 refuses to PCRE2,
 * which says why, or the plan would load and the rule never run. */
Test(compile, refuses_what_pcre2_refuses_in_patterns_rxlite_could_read)
{
	expect_error(HEAD "rule r { match syslog; where msg ~ /(?<a>x) (?<a>y)/; key host; }\n",
		     "t.plan:5:50: error: regex does not compile: two named subpatterns have the "
		     "same name (PCRE2_DUPNAMES not set)\n");
	expect_error(HEAD "rule r { match syslog; where msg ~ /port=[\\d-z]+/; key host; }\n",
		     "t.plan:5:45: error: regex does not compile: invalid range in character class\n");
	expect_error(HEAD "rule r { match syslog; where msg ~ /(?<abcdefghijabcdefghijabcdefghij123>x)/;"
			  " key host; }\n",
		     "t.plan:5:73: error: regex does not compile: subpattern name is too long "
		     "(maximum 32 code units)\n");
	expect_error(HEAD "rule r { match syslog; where msg ~ /[:alpha:]/; key host; }\n",
		     "t.plan:5:37: error: regex does not compile: POSIX named classes are supported "
		     "only within a class\n");
	expect_error(HEAD "rule r { match syslog; where msg ~ /(?:abcdefghijklmnopqrstuvwxyz0123456789)"
			  "{1500}/; key host; }\n",
		     "t.plan:5:83: error: regex does not compile: regular expression is too large\n");
}

Test(compile, compiles_regexes_with_jit_captures_and_limits)
{
	struct compiled c;
	const struct fl_program *p;
	pcre2_match_data *md;
	pcre2_code *code;
	const char *subject = "R_LOS port=1-8-1";
	PCRE2_SIZE off;
	int rc, err;

	compile(&c, HEAD "rule r { match syslog; "
			 "where msg ~ /(?<alarm>R_LOS) port=(?<port>\\S+)/; key host, port; "
			 "raise level urgent title \"${alarm} ${port}\"; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_regexes, 1);
	cr_assert_eq(p->n_captures, 2);
	cr_expect_str_eq(p->captures[1].name.p, "port");
	cr_expect_eq(p->captures[1].group, 2);
	cr_expect_eq(p->key_fields[1].kind, FL_FIELD_CAPTURE);
	cr_assert_not_null(p->match_ctx);
	/* in rxlite's subset: the plan holds rxlite's program, and the
	 * pattern and options a matcher compiles for PCRE2 when it needs to */
	cr_assert_not_null(p->regexes[0].lite);
	cr_expect_null(p->regexes[0].code);
	cr_expect_eq(p->regexes[0].groups, 2);
	code = pcre2_compile((PCRE2_SPTR)p->regexes[0].pattern.p, p->regexes[0].pattern.len,
			     p->regexes[0].opts, &err, &off, NULL);
	cr_assert_not_null(code);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	rc = pcre2_match(code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, p->match_ctx);
	cr_expect_eq(rc, 3);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	done(&c);
	/* outside it (a backreference): PCRE2's code, compiled with the plan */
	compile(&c, HEAD "rule r { match syslog; where msg ~ /(?<a>x)(?<b>y)\\1/; key host; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_expect_null(p->regexes[0].lite);
	cr_assert_not_null(p->regexes[0].code);
	cr_expect_eq(p->regexes[0].groups, 2);
	cr_assert_eq(p->n_captures, 2);
	cr_expect_str_eq(p->captures[1].name.p, "b");
	cr_expect_eq(p->captures[1].group, 2);
	done(&c);
}

Test(compile, rejects_a_template_field_the_rule_cannot_have)
{
	expect_error(HEAD "rule r { match syslog; where msg ~ /(?<port>\\d+)/;\n"
			  "  raise level urgent title \"${prot} ${host}\"; }\n",
		     "t.plan:6:29: error: template names 'prot', which this rule cannot have; "
		     "did you mean 'port'?\n");
	expect_error(HEAD "rule r { match syslog;\n  raise level urgent title \"${city}\"; }\n",
		     "t.plan:6:29: error: template names 'city', which this rule cannot have");
}

Test(compile, allows_looked_up_and_set_fields_in_templates)
{
	struct compiled c;

	compile(&c, HEAD "rule r { match syslog; lookup device host; set where \"${county}\";\n"
			 "  raise level urgent title \"${city}/${where}\"; }\n");
	cr_expect_eq(c.rc, 0, "%s", c.msgs.p);
	done(&c);
}

Test(compile, tells_durations_from_numbers)
{
	expect_error(HEAD "rule r { match syslog; dedup 30; raise level urgent; }\n",
		     "t.plan:5:30: error: expected a duration (30s, 5m, 2h), got the number 30: "
		     "add a unit");
	expect_error(HEAD "rule r { match syslog; flap 4m within 10m; raise level urgent; }\n",
		     "t.plan:5:29: error: expected a number, got the duration 4m: drop the unit");
}

Test(compile, encodes_oids_and_cidrs_as_events_carry_them)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "rule r { match trap; where trap_oid under 1.3.6.1.4.1.32473 and "
			 "peer in 10.1.0.0/16 and varbind 1.3.6.1.2.1.2.2.1.1 > 2; "
			 "raise level urgent; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_conds, 3);
	cr_expect_eq(p->conds[0].op, FL_OP_UNDER);
	cr_assert_eq(p->conds[0].oid.len, 8);
	cr_expect_eq(memcmp(p->conds[0].oid.p, "\x2b\x06\x01\x04\x01\x81\xfd\x59", 8), 0);
	cr_expect_eq(p->conds[1].op, FL_OP_CIDR);
	cr_expect_eq(p->conds[1].addr.prefix, 16);
	cr_expect_eq(p->conds[1].addr.bytes[1], 1);
	cr_expect_eq(p->conds[2].field.index, FL_EF_VARBIND);
	cr_expect_eq(p->conds[2].num, 2);
	done(&c);
}

Test(compile, checks_operators_against_field_types)
{
	expect_error(HEAD "rule r { match syslog; where severity == \"high\"; raise level urgent; }\n",
		     "t.plan:5:42: error: 'severity' is compared as a number; 'high' is a string");
	expect_error(HEAD "rule r { match syslog; where host under 1.3.6; raise level urgent; }\n",
		     "t.plan:5:35: error: 'under' applies to OIDs; 'host' is not one");
	expect_error(HEAD "rule r { match syslog; where hots == \"a\"; raise level urgent; }\n",
		     "t.plan:5:30: error: unknown field 'hots'; did you mean 'host'?");
	/* the names of rsyslog, syslog-ng and RFC 5424, which no spelling
	 * hint reaches */
	expect_error(HEAD "rule r { match syslog; where APP_NAME == \"a\"; raise level urgent; }\n",
		     "t.plan:5:30: error: unknown field 'APP_NAME'; faultline calls it 'app'");
	expect_error(HEAD "rule r { match syslog; where PROGRAMNAME == \"a\"; raise level urgent; }\n",
		     "t.plan:5:30: error: unknown field 'PROGRAMNAME'; faultline calls it 'app'");
	expect_error(HEAD "rule r { match syslog; where msg ~ /x/; "
			  "raise level urgent title \"${fromhost}\"; }\n",
		     "t.plan:5:67: error: template names 'fromhost', which this rule cannot have; "
		     "did you mean 'host'?");
}

Test(compile, warns_about_a_shadowed_raise_and_an_unused_capture)
{
	struct compiled c;

	compile(&c, HEAD "rule a { match syslog; where msg ~ /LOS/; raise level urgent; }\n"
			 "rule b { match syslog; where msg ~ /LOS/ and host == \"x\"; "
			 "raise level urgent; }\n"
			 "rule c { match syslog; where msg ~ /(?<unused>AIS)/; raise level urgent; }\n"
			 "rule d { match syslog; where msg ~ /LOS/ and host == \"y\"; key host; "
			 "absent 5m; }\n"
			 "correlate k { locate group; group host; from d; within 1m; "
			 "raise level urgent; }\n");
	cr_expect_eq(c.rc, 0, "warnings do not fail the compile");
	cr_expect_eq(fl_diag_warnings(c.d), 2, "%s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, "t.plan:6:6: warning: rule 'b' never raises: rule 'a' above") !=
		  NULL, "%s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, "warning: capture 'unused' is never used") != NULL, "%s",
		  c.msgs.p);
	done(&c);
}

/* The shadowing rule is found through its rarest condition, whichever of
 * its conditions comes first: here every rule begins `host == "x"`. Rules
 * that cannot shadow (a window, a clear) are passed over. */
Test(compile, finds_a_shadowing_rule_by_its_rarest_condition)
{
	expect_one_warning(HEAD "rule w { match syslog; where host == \"x\"; where msg ~ /LOS/; "
				"key host; threshold 3 within 1m; clear after quiet 1m; "
				"raise level urgent; }\n"
				"rule a { match syslog; where host == \"x\"; where msg ~ /LOS/; "
				"raise level urgent; }\n"
				"rule m { match syslog; where host == \"x\"; where msg ~ /AIS/; "
				"raise level urgent; }\n"
				"rule b { match syslog; where host == \"x\"; where severity <= 3; "
				"where msg ~ /LOS/; raise level urgent; }\n"
				"rule n { match syslog; where host == \"x\"; where msg ~ /LOF/; "
				"raise level urgent; }\n",
			   "t.plan:8:6: warning: rule 'b' never raises: rule 'a' above");
}

/* A set condition is its values: the same set shadows, another does not
 * (nor does the same value on another field). */
Test(compile, finds_a_shadowing_rule_through_a_set_of_the_same_values)
{
	expect_one_warning(HEAD "rule a { match syslog; where app in [\"x\", \"y\"]; "
				"where msg ~ /LOS/; raise level urgent; }\n"
				"rule other_set { match syslog; where app in [\"x\", \"z\"]; "
				"where msg ~ /LOS/; where severity <= 3; raise level urgent; }\n"
				"rule other_field { match syslog; where host in [\"x\", \"y\"]; "
				"where msg ~ /LOS/; where severity <= 3; raise level urgent; }\n"
				"rule b { match syslog; where severity <= 3; where msg ~ /LOS/; "
				"where app in [\"x\", \"y\"]; raise level urgent; }\n",
			   "t.plan:8:6: warning: rule 'b' never raises: rule 'a' above");
}

Test(compile, warns_about_unused_ladders_and_roles)
{
	struct compiled c;

	compile(&c, HEAD "roles spare_role;\nladder unused { step after 1m notify duty_room via sms; }\n"
			 "rule a { match syslog; raise level urgent; }\n");
	cr_expect_eq(c.rc, 0);
	cr_expect(strstr(c.msgs.p, "t.plan:5:7: warning: role 'spare_role' is never notified") !=
		  NULL, "%s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, "t.plan:6:8: warning: ladder 'unused' is never used") != NULL,
		  "%s", c.msgs.p);
	done(&c);
}

Test(compile, compiles_correlations_over_rules)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "rule los { match syslog; lookup device host; "
			 "where msg ~ /R_LOS port=(?<port>\\S+)/; key host, port; }\n"
			 "rule ais { match syslog; where msg ~ /AIS/; }\n"
			 "correlate cut { locate span; from los; within 60s; absorb los, ais for 10m;\n"
			 "  raise level urgent title \"cut ${span} ${a_port} ${port}\"; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_correlations, 1);
	cr_expect_eq(p->correlations[0].locate, FL_LOCATE_SPAN);
	cr_expect_eq(p->correlations[0].within_ms, 60000);
	cr_expect_eq(p->correlations[0].n_absorbs, 2);
	cr_expect_eq(p->correlations[0].absorb_ms, 600000);
	cr_expect_eq(p->rule_refs[p->correlations[0].first_absorb + 1], 1);
	done(&c);
}

Test(compile, requires_what_a_correlation_cannot_do_without)
{
	struct compiled c;

	compile(&c, HEAD "correlate k { locate group; within 1m; raise level urgent; }\n");
	cr_expect_eq(c.rc, -EINVAL);
	cr_expect(strstr(c.msgs.p, "correlation 'k' has no 'from RULE, ...'") != NULL, "%s",
		  c.msgs.p);
	cr_expect(strstr(c.msgs.p, "'locate group' needs 'group FIELD, ...'") != NULL, "%s",
		  c.msgs.p);
	done(&c);
}

Test(compile, parses_maintenance_windows_in_utc)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "maintenance mw { scope span HC-JCJ-R01-S01; "
			 "from \"2026-11-28T00:30:00+08:00\"; until \"2026-11-27T20:30:00Z\"; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_expect_eq(p->windows[0].start_ns, 1795797000LL * 1000000000);
	cr_expect_eq(p->windows[0].end_ns, (1795797000LL + 4 * 3600) * 1000000000);
	cr_expect_eq(p->windows[0].scope, FL_WSCOPE_SPAN);
	done(&c);
}

Test(compile, compiles_test_blocks)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "rule los { match syslog; where msg ~ /LOS/; raise level urgent; }\n"
			 "test \"one\" { at 0s syslog \"<131>x LOS\"; at 2s trap 1.3.6.1.6.3.1.1.5.3 "
			 "from 10.1.2.3;\n expect incident los level urgent title \"LOS\"; "
			 "expect absorbed 3 into los; expect notify duty_room at own via sms; "
			 "expect cleared los at 91m; expect no incident; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_tests, 1);
	cr_expect_eq(p->tests[0].n_events, 2);
	cr_expect_eq(p->test_events[1].at_ms, 2000);
	cr_expect_eq(p->test_events[1].input, FL_RULE_INPUT_TRAP);
	cr_expect_eq(p->tests[0].n_expects, 5);
	cr_expect_eq(p->expects[3].at_ms, 91 * 60000);
	cr_expect_eq(p->expects[2].channel, 0);
	done(&c);
}

Test(compile, gives_a_test_trap_its_community_and_a_test_its_year)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "maintenance mw { scope device HC-JCJ-RT02; "
			 "from \"2025-03-01T00:00:00Z\"; until \"2025-03-02T00:00:00Z\"; }\n"
			 "maintenance mx { scope device HC-JCJ-RT02; "
			 "from \"2024-12-31T23:00:00Z\"; until \"2025-01-01T01:00:00Z\"; }\n"
			 "rule t { match trap; where community == \"private\"; raise level urgent; }\n"
			 "test \"own\" { year 2023; at 0s trap 1.3.6.1.6.3.1.1.5.3 from 10.1.2.3 "
			 "community \"private\"; expect incident t; }\n"
			 "test \"plan\" { at 0s trap 1.3.6.1.6.3.1.1.5.3; expect incident t; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_tests, 2);
	cr_expect_eq(p->tests[0].year, 2023, "its own year");
	cr_expect_eq(p->tests[1].year, 2024, "the earliest maintenance window's year");
	cr_assert_not_null(p->test_events[0].community.p);
	cr_expect_str_eq(p->test_events[0].community.p, "private");
	cr_expect_str_eq(p->test_events[0].peer.p, "10.1.2.3");
	cr_expect_null(p->test_events[1].community.p, "none given: the runner's default");
	done(&c);
}

Test(compile, refuses_a_test_year_out_of_range)
{
	expect_error(HEAD "rule t { match syslog; where msg ~ /X/; raise level urgent; }\n"
		     "test \"y\" { year 12; at 0s syslog \"<131>x X\"; expect incident t; }\n",
		     "t.plan:6:17: error: expected a year from 1970 to 9999, got 12");
}

Test(compile, refuses_includes_and_data_without_file_access)
{
	struct compiled c;

	compile(&c, "plan t;\ninclude \"other.plan\";\ndata devices \"d.csv\";\n");
	cr_expect_eq(c.rc, -EINVAL);
	cr_expect_eq(fl_diag_errors(c.d), 2, "%s", c.msgs.p);
	done(&c);
}

Test(compile, refuses_a_statement_longer_than_the_item_cap)
{
	struct fl_buf b;
	struct compiled c;

	fl_buf_init(&b, 1 << 20);
	fl_buf_adds(&b, "plan t;\nroles");
	for (int i = 0; i <= FL_PLAN_MAX_ITEMS; i++)
		fl_buf_printf(&b, " r%d", i);
	fl_buf_adds(&b, ";\n");
	compile(&c, b.p);
	cr_expect_eq(c.rc, -EINVAL);
	cr_expect(strstr(c.msgs.p, "the limit is 256") != NULL, "%s", c.msgs.p);
	done(&c);
	fl_buf_free(&b);
}

static char *write_temp(const char *dir, const char *name, const char *text)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	FILE *f;

	sprintf(path, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(compile, reads_includes_and_reports_a_cycle)
{
	char dir[] = "/tmp/fl-compile-XXXXXX";
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	struct fl_buf b;
	char *main_path, *a, *bp;

	cr_assert_not_null(mkdtemp(dir));
	main_path = write_temp(dir, "main.plan", "plan m;\ninclude \"levels.plan\";\n"
						 "rule r { match syslog; raise level urgent; }\n");
	a = write_temp(dir, "levels.plan", "level urgent { respond 0s; }\ninclude \"main.plan\";\n");
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_expect_eq(fl_plan_compile(&plan, main_path, NULL, d), -EINVAL);
	fl_buf_init(&b, 1 << 16);
	cr_assert_eq(fl_diag_render(d, &b), 0);
	cr_expect(strstr(b.p, "levels.plan:2:9: error: include cycle") != NULL, "%s", b.p);
	cr_expect_eq(fl_diag_errors(d), 1, "%s", b.p);
	fl_buf_free(&b);
	fl_diags_destroy(d);
	/* without the cycle the included level resolves */
	bp = write_temp(dir, "levels.plan", "level urgent { respond 0s; }\n");
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_expect_eq(fl_plan_compile(&plan, main_path, NULL, d), 0);
	cr_expect_eq(fl_plan_program(plan)->n_levels, 1);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	unlink(main_path);
	unlink(a);
	rmdir(dir);
	free(main_path);
	free(a);
	free(bp);
}

Test(compile, swaps_the_data_directory_with_the_data_option)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	char dir[] = "/tmp/fl-data-XXXXXX", data[4096];
	struct fl_plan_options opt = {.data_dir = data};
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	char *path;

	snprintf(data, sizeof(data), "%s/data", shared);
	cr_assert_not_null(mkdtemp(dir));
	path = write_temp(dir, "p.plan", "plan p;\ndata sites \"data/sites.csv\";\n"
					 "data devices \"data/devices.csv\";\n"
					 "data spans \"elsewhere/spans.csv\";\n");
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_expect_eq(fl_plan_compile(&plan, path, NULL, d), -EINVAL, "no data beside the plan");
	cr_expect_eq(fl_diag_errors(d), 3);
	fl_diags_destroy(d);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile(&plan, path, &opt, d), 0);
	cr_expect(strstr(fl_plan_program(plan)->data_paths[FL_DATA_SPANS].p, "/data/spans.csv") !=
		  NULL);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	unlink(path);
	rmdir(dir);
	free(path);
}

Test(compile, refuses_more_rules_than_the_cap)
{
	struct fl_buf b;
	struct compiled c;

	fl_buf_init(&b, 1 << 23);
	fl_buf_adds(&b, "plan t;\n");
	for (int i = 0; i <= FL_PLAN_MAX_RULES; i++)
		fl_buf_printf(&b, "rule r%d { match syslog; }\n", i);
	cr_assert(!b.overflowed);
	compile(&c, b.p);
	cr_expect_eq(c.rc, -EINVAL);
	cr_expect(strstr(c.msgs.p, "error: more than 100000 rules and correlations") != NULL,
		  "%.300s", c.msgs.p);
	cr_expect_eq(fl_diag_errors(c.d), 1);
	done(&c);
	fl_buf_free(&b);
}

Test(compile, refuses_a_plan_file_past_the_size_cap)
{
	size_t len = FL_PLAN_MAX_BYTES + 1;
	char *text = malloc(len);
	struct fl_diags *d;
	struct fl_plan *plan = NULL;

	cr_assert_not_null(text);
	memset(text, '#', len);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_expect_eq(fl_plan_compile_text(&plan, "big.plan", text, len, &memory_only, d), -EINVAL);
	cr_expect_eq(fl_diag_errors(d), 1);
	cr_expect_null(plan);
	fl_diags_destroy(d);
	free(text);
}

Test(compile, refuses_a_rule_with_more_clauses_than_the_cap)
{
	struct fl_buf b;
	struct compiled c;

	fl_buf_init(&b, 1 << 20);
	fl_buf_adds(&b, HEAD "rule big {\n match syslog;\n");
	for (int i = 0; i < FL_PLAN_MAX_ITEMS; i++)
		fl_buf_printf(&b, " where severity <= %d;\n", i % 8);
	fl_buf_adds(&b, " raise level urgent;\n}\n");
	compile(&c, b.p);
	cr_expect_eq(c.rc, -EINVAL);
	cr_expect(strstr(c.msgs.p, "t.plan:5:6: error: rule 'big' has 258 clauses; the limit is 256") !=
		  NULL, "%.400s", c.msgs.p);
	done(&c);
	fl_buf_free(&b);
}

Test(compile, compiles_a_step_that_fires_when_the_incident_clears)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, "plan t;\nroles duty_room, customer_contact;\n"
		    "level urgent { respond 0s; ladder std; }\n"
		    "ladder std {\n  step after 0s notify duty_room via sms;\n"
		    "  step cleared notify customer_contact at customer via sms, email;\n}\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_steps, 2);
	cr_expect_eq(p->steps[1].when, FL_WHEN_CLEARED);
	cr_expect_eq(p->steps[1].delay_ms, 0);
	cr_expect_eq(p->steps[1].cond, FL_COND_ALWAYS);
	cr_expect_eq(p->steps[1].scope, FL_SCOPE_CUSTOMER);
	cr_expect_eq(p->steps[1].n_channels, 2);
	done(&c);
}

Test(compile, refuses_a_delay_or_a_state_on_a_cleared_step)
{
	expect_error(HEAD "ladder x { step cleared 5m notify duty_room via sms; }\n"
			  "level l2 { respond 2m; ladder x; }\n",
		     "t.plan:5:25: error: 'cleared' takes no delay: the step fires when the "
		     "incident clears\n");
	expect_error(HEAD "ladder x { step cleared unacked notify duty_room via sms; }\n"
			  "level l2 { respond 2m; ladder x; }\n",
		     "t.plan:5:25: error: 'cleared' takes no incident state");
}

Test(compile, suggests_cleared_for_a_misspelt_step_timing)
{
	expect_error(HEAD "ladder x { step clered notify duty_room via sms; }\n"
			  "level l2 { respond 2m; ladder x; }\n",
		     "t.plan:5:17: error: unknown step timing 'clered'; did you mean 'cleared'?\n");
}

Test(compile, compiles_a_maintenance_announcement)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "roles customer_contact;\n"
			 "announce maintenance {\n"
			 "  before 72h notify customer_contact at customer via sms, email;\n"
			 "  before 1h notify customer_contact via sms;\n}\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_announces, 2);
	cr_expect_eq(p->announces[0].before_ms, 72LL * 3600 * 1000);
	cr_expect_str_eq(p->roles[p->announces[0].role].p, "customer_contact");
	cr_assert_eq(p->announces[0].n_channels, 2);
	cr_expect_str_eq(p->channels[p->step_channels[p->announces[0].first_channel]].p, "sms");
	cr_expect_str_eq(p->channels[p->step_channels[p->announces[0].first_channel + 1]].p,
			 "email");
	cr_expect_eq(p->announces[1].before_ms, 3600LL * 1000);
	cr_expect_eq(fl_diag_warnings(c.d), 0, "an announced role counts as notified: %s",
		     c.msgs.p);
	done(&c);
}

Test(compile, refuses_an_announcement_to_a_branch_instead_of_customers)
{
	expect_error(HEAD "announce maintenance { before 1d notify duty_room at own via sms; }\n",
		     "t.plan:5:54: error: maintenance is announced to customers: the scope is "
		     "'customer', not 'own'\n");
	expect_error(HEAD "announce maintenance { before 1d notify duty_room via pagr; }\n",
		     "t.plan:5:55: error: unknown channel 'pagr'");
	expect_error(HEAD "announce maintnance { before 1d notify duty_room via sms; }\n",
		     "t.plan:5:10: error: unknown announcement 'maintnance'; did you mean "
		     "'maintenance'?\n");
	expect_error(HEAD "announce maintenance { before 400d notify duty_room via sms; }\n",
		     "t.plan:5:31: error: announcements are made at most 366d ahead\n");
	expect_error(HEAD "announce maintenance { befor 1d notify duty_room via sms; }\n",
		     "t.plan:5:24: error: unknown announce clause 'befor'; did you mean 'before'?\n");
}

Test(compile, keeps_the_reason_of_a_plan_window)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "maintenance w { scope span S1; from \"2026-11-28T00:30:00+08:00\";\n"
			 "  until \"2026-11-28T04:30:00+08:00\"; reason \"光缆迁改\"; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_assert_eq(p->n_windows, 1);
	cr_expect_str_eq(p->windows[0].reason.p, "光缆迁改");
	done(&c);
}

Test(compile, compiles_respond_at_once_with_its_grace)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, "plan t;\nroles duty_room;\n"
		    "level urgent { respond at once within 5m; ladder std; }\n"
		    "ladder std { step onsite unarrived notify duty_room via sms; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_expect(p->levels[0].respond_at_once);
	cr_expect_eq(p->levels[0].respond_ms, 5 * 60 * 1000);
	cr_expect_eq(p->steps[0].cond, FL_COND_UNARRIVED);
	cr_expect_eq(fl_diag_warnings(c.d), 0, "%s", c.msgs.p);
	done(&c);
}

/* A key written as one set, in brackets or parentheses, is the key of its
 * fields, a regex group by number among them. */
Test(compile, reads_a_key_written_as_a_set)
{
	struct compiled c;
	const struct fl_program *p;
	const struct fl_prog_rule *a, *b;

	compile(&c, HEAD "rule a { match syslog; where msg ~ /LOS port=(?<port>\\S+)/;"
			 " key [host, port]; }\n"
			 "rule b { match syslog; where msg ~ /LOF port=(\\S+)/; key (host, 1); }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	a = &p->rules[0];
	b = &p->rules[1];
	cr_assert_eq(a->n_keys, 2);
	cr_expect_eq(p->key_fields[a->first_key].kind, FL_FIELD_EVENT);
	cr_expect_eq(p->key_fields[a->first_key + 1].kind, FL_FIELD_CAPTURE);
	cr_expect_str_eq(p->captures[p->key_fields[a->first_key + 1].index].name.p, "port");
	cr_assert_eq(b->n_keys, 2);
	cr_expect_str_eq(p->captures[p->key_fields[b->first_key + 1].index].name.p, "1");
	done(&c);
}

/* The clocks as the emergency plan words them: "respond within 30
 * minutes", "on site within 1 hour", "repair within 2 hours". */
Test(compile, reads_a_levels_clocks_written_with_within)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, "plan t;\nroles duty_room;\n"
		    "level severe { respond within 30 minutes; onsite city within 1 hour;\n"
		    "  onsite county 2h; repair within 2 hours; ladder std; }\n"
		    "ladder std { step after 0s notify duty_room via sms; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_expect_eq(p->levels[0].respond_ms, 30 * 60 * 1000);
	cr_expect(!p->levels[0].respond_at_once);
	cr_expect_eq(p->levels[0].onsite_ms[FL_CLASS_CITY], 60 * 60 * 1000);
	cr_expect_eq(p->levels[0].onsite_ms[FL_CLASS_COUNTY], 2 * 60 * 60 * 1000);
	cr_expect_eq(p->levels[0].repair_ms, 2 * 60 * 60 * 1000);
	cr_expect_eq(fl_diag_warnings(c.d), 0, "%s", c.msgs.p);
	done(&c);
}

Test(compile, warns_that_respond_0s_is_missed_when_raised_and_says_what_to_write)
{
	struct compiled c;

	compile(&c, "plan t;\nroles duty_room;\n"
		    "level urgent { respond 0s; ladder std; }\n"
		    "ladder std { step after 0s notify duty_room via sms; }\n");
	cr_assert_eq(c.rc, 0, "a warning, not an error: %s", c.msgs.p);
	cr_expect_eq(fl_diag_warnings(c.d), 1, "%s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, "t.plan:3:24: warning: 'respond 0s' is missed the moment the "
				   "ticket is raised") != NULL, "%s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, "write 'respond at once within 2m;'") != NULL, "%s", c.msgs.p);
	done(&c);
}

Test(compile, refuses_respond_at_once_without_a_grace)
{
	expect_error(HEAD "level l2 { respond at once; }\n",
		     "t.plan:5:27: error: expected 'within DURATION' (the time the duty operator "
		     "has to acknowledge) after 'once'\n");
	expect_error(HEAD "level l2 { respond at once within 0s; }\n",
		     "t.plan:5:35: error: 'respond at once' needs a grace longer than 0s");
}

Test(compile, compiles_clear_after_quiet_and_a_quiet_step)
{
	struct compiled c;
	const struct fl_program *p;

	compile(&c, HEAD "ladder q { step quiet notify duty_room via sms; }\n"
			 "rule a { match syslog; where msg ~ /LOS/; dedup 5m; clear after quiet 15m; "
			 "raise level urgent ladder q; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	p = fl_plan_program(c.plan);
	cr_expect_eq(p->rules[0].clear_quiet_ms, 15 * 60 * 1000);
	cr_expect_eq(p->rules[0].n_clear_conds, 0);
	cr_expect_eq(p->steps[1].when, FL_WHEN_QUIET);
	cr_expect_eq(fl_diag_warnings(c.d), 0, "%s", c.msgs.p);
	done(&c);
}

/* A plan written when dedup cleared by itself keeps compiling, and is told
 * what to write to keep that behaviour, at the window that used to do it. */
Test(compile, warns_a_raising_rule_that_relied_on_its_dedup_to_clear)
{
	struct compiled c;

	compile(&c, HEAD "rule a { match syslog; where msg ~ /LOS/;\n"
			 "  dedup 5m;\n  raise level urgent; }\n"
			 "rule b { match syslog; where msg ~ /AIS/; flap 3 within 2m; "
			 "clear after quiet 2m; raise level urgent; }\n"
			 "rule c { match syslog; where msg ~ /LOF (?<p>\\d+)/; key p; dedup 5m; "
			 "clear where msg ~ /LOF_CLEAR (?<p>\\d+)/; raise level urgent; }\n");
	cr_assert_eq(c.rc, 0, "%s", c.msgs.p);
	cr_expect_eq(fl_diag_warnings(c.d), 1, "only a: %s", c.msgs.p);
	cr_expect(strstr(c.msgs.p, "t.plan:6:3: warning: rule 'a' has no 'clear where' and no "
				   "'clear after quiet': its incident stays open until a person "
				   "resolves it ('dedup' does not clear it); write 'clear after "
				   "quiet 5m;'") != NULL,
		  "%s", c.msgs.p);
	done(&c);
}

Test(compile, refuses_a_quiet_clear_that_cannot_mean_anything)
{
	expect_error(HEAD "rule a { match syslog; where msg ~ /LOS/; clear after quiet 0s; "
			  "raise level urgent; }\n",
		     "t.plan:5:61: error: 'clear after quiet 0s' would clear the incident as it "
		     "opens");
	expect_error(HEAD "rule a { match syslog; where host exists; key host; absent 5m; "
			  "clear after quiet 10m; raise level urgent; }\n",
		     "t.plan:5:64: error: an absent rule's incident clears when the device is heard "
		     "again");
	expect_error(HEAD "rule a { match syslog; where msg ~ /LOS/; clear after 5m; "
			  "raise level urgent; }\n",
		     "t.plan:5:55: error: expected 'quiet DURATION', got a duration '5m'");
	expect_error(HEAD "ladder x { step quiet 5m notify duty_room via sms; }\n"
			  "level l2 { respond 2m; ladder x; }\n",
		     "t.plan:5:23: error: 'quiet' takes no delay");
}
