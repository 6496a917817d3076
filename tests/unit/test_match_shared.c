/* Rules copied with one thing changed, as operators write them at scale:
 * a regex written again shares one compiled code and runs once per text of
 * an event; number fields compare as numbers; many candidates come back in
 * plan order; a device is looked up once per field an event. Every answer
 * is checked against what each rule alone must give. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/correlate/match.h"
#include "engine/lib/buf.h"
#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

struct sfx {
	struct fl_diags *d;
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_match *m;
	struct fl_event ev;
};

static void sfx_open(struct sfx *f, const char *text, const char *data_dir)
{
	struct fl_plan_options opt = {.no_files = data_dir == NULL, .data_dir = data_dir};

	memset(f, 0, sizeof(*f));
	cr_assert_eq(fl_diags_create(&f->d), 0);
	cr_assert_eq(fl_plan_compile_text(&f->plan, "s.plan", text, strlen(text), &opt, f->d), 0,
		     "the plan compiles");
	f->prog = fl_plan_program(f->plan);
	cr_assert_eq(fl_match_create(&f->m, f->prog), 0);
}

static void sfx_close(struct sfx *f)
{
	fl_match_destroy(f->m);
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
}

static uint32_t rule_index(const struct sfx *f, const char *name)
{
	for (uint32_t r = 0; r < f->prog->n_rules; r++)
		if (strcmp(f->prog->rules[r].name.p, name) == 0)
			return r;
	cr_assert_fail("no rule %s", name);
	return 0;
}

/* The compiled code of the first regex of rule `name`: rxlite's when it
 * took the pattern, else PCRE2's. */
static const void *first_code(const struct sfx *f, const char *name)
{
	const struct fl_prog_regex *rx =
	    &f->prog->regexes[f->prog->rules[rule_index(f, name)].first_regex];

	return rx->lite ? (const void *)rx->lite : (const void *)rx->code;
}

static size_t feed(struct sfx *f, const char *line, const uint32_t **cands)
{
	struct fl_syslog_opts so = {.year = 2026};

	cr_assert_eq(fl_syslog_decode(&f->ev, line, strlen(line), &so), FL_SYSLOG_OK, "%s", line);
	return fl_match_begin(f->m, &f->ev, cands);
}

/* The value of capture `name` of rule r after it matched. */
static struct fl_str capture(struct sfx *f, uint32_t r, const char *name)
{
	for (uint32_t c = 0; c < f->prog->n_captures; c++) {
		const struct fl_prog_capture *cap = &f->prog->captures[c];
		const struct fl_prog_regex *rx = &f->prog->regexes[cap->regex];
		const struct fl_prog_rule *rule = &f->prog->rules[r];

		if (cap->regex >= rule->first_regex && cap->regex < rule->first_regex + rule->n_regexes &&
		    strcmp(cap->name.p, name) == 0 && rx->n_captures)
			return fl_match_field(f->m, r,
					      (struct fl_prog_field){FL_FIELD_CAPTURE, c});
	}
	cr_assert_fail("rule %u has no capture %s", r, name);
	return FL_STR_NONE;
}

static const char shared_plan[] =
    "plan s;\n"
    "level general { respond 30m; }\n"
    "rule s3 { match syslog; where severity == 3; where msg ~ /LOGIN user=(?<user>\\S+)/;\n"
    "  key host, user; }\n"
    "rule s5 { match syslog; where severity == 5; where msg ~ /LOGIN user=(?<user>\\S+)/;\n"
    "  key host, user; }\n"
    "rule any { match syslog; where msg ~ /LOGIN user=(?<user>\\S+)/; key host, user; }\n"
    /* the same pattern caseless: another code */
    "rule caseless { match syslog; where msg ~ /LOGIN user=(?<user>\\S+)/i; key host, user; }\n"
    /* the same pattern on another text of the event */
    "rule on_host { match syslog; where host ~ /NE(?<n>\\d+)/; key n; }\n"
    "rule on_msg { match syslog; where msg ~ /NE(?<n>\\d+)/; key n; }\n"
    /* the same pattern on two numbers: both are written in one buffer */
    "rule sev_rx { match syslog; where severity ~ /^3$/; where msg ~ /LOGIN/; key host; }\n"
    "rule fac_rx { match syslog; where facility ~ /^3$/; where msg ~ /LOGIN/; key host; }\n";

Test(match_shared, compiles_a_regex_written_again_once_and_runs_it_once_an_event)
{
	struct sfx f;
	struct fl_match_stats before, after;
	const uint32_t *cands;
	uint32_t s3, s5, any;

	sfx_open(&f, shared_plan, NULL);
	s3 = rule_index(&f, "s3");
	s5 = rule_index(&f, "s5");
	any = rule_index(&f, "any");
	cr_expect_eq(first_code(&f, "s3"), first_code(&f, "any"),
		     "the pattern written again shares the first one's code");
	cr_expect_neq(first_code(&f, "s3"), first_code(&f, "caseless"),
		      "the same pattern under /i is another regex");

	(void)feed(&f, "<27>Nov 20 00:00:00 NE7 sshd: LOGIN user=ops1 from 10.0.0.1", &cands);
	fl_match_stats(f.m, &before);
	cr_expect_eq(fl_match_rule(f.m, s3), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f.m, s5), FL_MATCH_NONE, "severity 3 is not 5");
	cr_expect_eq(fl_match_rule(f.m, any), FL_MATCH_FAULT);
	fl_match_stats(f.m, &after);
	cr_expect_eq(after.regex_runs + after.regex_lite - before.regex_runs - before.regex_lite, 1,
		     "one run of the shared regex for the line");
	cr_expect_eq(after.regex_shared - before.regex_shared, 1, "the other rule took its answer");
	/* each rule's own capture from the shared run */
	cr_expect(fl_str_eq(capture(&f, s3, "user"), fl_str_make("ops1", 4)));
	cr_expect(fl_str_eq(capture(&f, any, "user"), fl_str_make("ops1", 4)));

	/* the next line: a new answer, not the last one's */
	(void)feed(&f, "<29>Nov 20 00:00:01 NE7 sshd: LOGIN user=ops2 from 10.0.0.1", &cands);
	cr_expect_eq(fl_match_rule(f.m, s3), FL_MATCH_NONE);
	cr_expect_eq(fl_match_rule(f.m, s5), FL_MATCH_FAULT);
	cr_expect(fl_str_eq(capture(&f, s5, "user"), fl_str_make("ops2", 4)));
	cr_expect_eq(fl_match_rule(f.m, any), FL_MATCH_FAULT);
	cr_expect(fl_str_eq(capture(&f, any, "user"), fl_str_make("ops2", 4)));
	(void)feed(&f, "<29>Nov 20 00:00:02 NE7 sshd: logout user=ops2", &cands);
	cr_expect_eq(fl_match_rule(f.m, s5), FL_MATCH_NONE);
	cr_expect_eq(fl_match_rule(f.m, any), FL_MATCH_NONE, "no answer kept from a line before");
	sfx_close(&f);
}

Test(match_shared, keeps_the_answers_of_one_regex_on_two_texts_apart)
{
	struct sfx f;
	const uint32_t *cands;
	uint32_t on_host, on_msg, sev_rx, fac_rx;

	sfx_open(&f, shared_plan, NULL);
	on_host = rule_index(&f, "on_host");
	on_msg = rule_index(&f, "on_msg");
	sev_rx = rule_index(&f, "sev_rx");
	fac_rx = rule_index(&f, "fac_rx");
	cr_expect_eq(first_code(&f, "on_host"), first_code(&f, "on_msg"));
	(void)feed(&f, "<29>Nov 20 00:00:00 NE7 sshd: LOGIN user=ops1", &cands);
	cr_expect_eq(fl_match_rule(f.m, on_host), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f.m, on_msg), FL_MATCH_NONE, "msg holds no NE");
	(void)feed(&f, "<29>Nov 20 00:00:00 XX sshd: peer NE12 down", &cands);
	cr_expect_eq(fl_match_rule(f.m, on_host), FL_MATCH_NONE);
	cr_expect_eq(fl_match_rule(f.m, on_msg), FL_MATCH_FAULT);
	cr_expect(fl_str_eq(capture(&f, on_msg, "n"), fl_str_make("12", 2)));
	/* <29>: facility 3, severity 5; both numbers are one byte long */
	(void)feed(&f, "<29>Nov 20 00:00:00 NE7 sshd: LOGIN user=ops1", &cands);
	cr_expect_eq(fl_match_rule(f.m, sev_rx), FL_MATCH_NONE, "severity 5 is not /^3$/");
	cr_expect_eq(fl_match_rule(f.m, fac_rx), FL_MATCH_FAULT, "facility 3 is");
	(void)feed(&f, "<27>Nov 20 00:00:00 NE7 sshd: LOGIN user=ops1", &cands);
	cr_expect_eq(fl_match_rule(f.m, fac_rx), FL_MATCH_FAULT);
	cr_expect_eq(fl_match_rule(f.m, sev_rx), FL_MATCH_FAULT, "<27>: severity 3");
	sfx_close(&f);
}

/* Each comparison of a number field against what the text of the number
 * gives: ==, !=, the orders and `in`, present and absent. */
Test(match_shared, compares_number_fields_as_the_numbers_they_are)
{
	static const char plan[] =
	    "plan n;\n"
	    "level general { respond 30m; }\n"
	    "rule eq { match syslog; where severity == 3; key host; }\n"
	    "rule ne { match syslog; where severity != 3; key host; }\n"
	    "rule lt { match syslog; where severity < 4; key host; }\n"
	    "rule le { match syslog; where severity <= 3; key host; }\n"
	    "rule gt { match syslog; where severity > 3; key host; }\n"
	    "rule ge { match syslog; where facility >= 20; key host; }\n"
	    "rule in { match syslog; where severity in [3, 5]; key host; }\n";
	static const struct {
		const char *line;
		const char *holds; /* the rules that match, in plan order */
	} rows[] = {
	    {"<27>Nov 20 00:00:00 NE1 a: x", "eq lt le in "},		   /* 3.3 */
	    {"<29>Nov 20 00:00:00 NE1 a: x", "ne gt in "},		   /* 3.5 */
	    {"<160>Nov 20 00:00:00 NE1 a: x", "ne lt le ge "},	   /* 20.0 */
	    {"<191>Nov 20 00:00:00 NE1 a: x", "ne gt ge "},		   /* 23.7 */
	};
	struct sfx f;

	sfx_open(&f, plan, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const uint32_t *cands;
		char got[128] = "";

		(void)feed(&f, rows[i].line, &cands);
		for (uint32_t r = 0; r < f.prog->n_rules; r++)
			if (fl_match_rule(f.m, r) == FL_MATCH_FAULT) {
				strcat(got, f.prog->rules[r].name.p);
				strcat(got, " ");
			}
		cr_expect_str_eq(got, rows[i].holds, "%s", rows[i].line);
	}
	sfx_close(&f);
}

/* 700 rules on one atom: every one a candidate of the line, once, in plan
 * order (the radix sort's two passes), and each that matches among them. */
Test(match_shared, gives_many_candidates_in_plan_order)
{
	enum { N = 700 };
	size_t cap = (size_t)N * 256 + 256, at = 0;
	char *text = malloc(cap);
	const uint32_t *cands;
	struct sfx f;
	size_t n;

	cr_assert_not_null(text);
	at += (size_t)snprintf(text + at, cap - at, "plan o;\nlevel general { respond 30m; }\n");
	/* interleaved: rules on the atom, and rules on none */
	for (int i = 0; i < N; i++)
		at += (size_t)snprintf(text + at, cap - at,
				       "rule r%d { match syslog; where severity == %d; "
				       "where msg ~ /LOGIN/; key host; }\n"
				       "rule q%d { match syslog; where msg ~ /QQQ%04d/; key host; }\n",
				       i, i % 8, i, i);
	cr_assert_lt(at, cap);
	sfx_open(&f, text, NULL);
	n = feed(&f, "<27>Nov 20 00:00:00 NE1 sshd: LOGIN user=x", &cands);
	cr_expect_eq(n, N, "each r rule once: %zu", n);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(cands[i], 2 * i, "candidate %zu is rule %u", i, cands[i]);
		if (i && cands[i] <= cands[i - 1])
			cr_assert_fail("not in plan order at %zu", i);
		cr_expect_eq(fl_match_rule(f.m, cands[i]),
			     (i % 8) == 3 ? FL_MATCH_FAULT : FL_MATCH_NONE, "r%zu", i);
	}
	sfx_close(&f);
	free(text);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp, "create %s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	cr_assert_eq(fclose(fp), 0);
}

static void remove_files(const char *dir)
{
	char path[256];

	for (const char *const *t = (const char *const[]){"sites.csv", "devices.csv", NULL}; *t;
	     t++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *t);
		unlink(path);
	}
	rmdir(dir);
}

/* Two rules look up a device by different fields of one line: each gets
 * its own device, whichever ran first. */
Test(match_shared, looks_a_device_up_by_each_rules_own_field)
{
	static const char plan[] =
	    "plan d;\n"
	    "timezone \"UTC\";\n"
	    "data sites \"sites.csv\";\n"
	    "data devices \"devices.csv\";\n"
	    "level general { respond 30m; }\n"
	    "rule by_host { match syslog; lookup device host; where site == \"S1\"; key host; }\n"
	    "rule by_app { match syslog; lookup device app; where site == \"S2\";\n"
	    "  where msg ~ /LOGIN/; key app; }\n";
	char dir[] = "/tmp/fl-shared-XXXXXX";
	const uint32_t *cands;
	struct sfx f;

	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, "sites.csv",
		   "site,site_name,county,city,class,lat,lon,power\n"
		   "S1,one,Tian'e,Alpha,county,24.1,107.1,mains\n"
		   "S2,two,Tian'e,Alpha,county,24.1,107.1,mains\n");
	write_file(dir, "devices.csv",
		   "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,"
		   "level\n"
		   "NE1,10.0.0.1,Huawei,X,router,S1,one,Tian'e,Alpha,,,county\n"
		   "NE2,10.0.0.2,Huawei,X,router,S2,two,Tian'e,Alpha,,,county\n");
	sfx_open(&f, plan, dir);
	(void)feed(&f, "<27>Nov 20 00:00:00 NE1 NE2: LOGIN user=x", &cands);
	cr_expect_eq(fl_match_rule(f.m, rule_index(&f, "by_host")), FL_MATCH_FAULT, "NE1 is at S1");
	cr_expect_eq(fl_match_rule(f.m, rule_index(&f, "by_app")), FL_MATCH_FAULT,
		     "app NE2 is at S2, whatever host's lookup found");
	(void)feed(&f, "<27>Nov 20 00:00:00 NE2 NE1: LOGIN user=x", &cands);
	cr_expect_eq(fl_match_rule(f.m, rule_index(&f, "by_app")), FL_MATCH_NONE);
	cr_expect_eq(fl_match_rule(f.m, rule_index(&f, "by_host")), FL_MATCH_NONE);
	sfx_close(&f);
	remove_files(dir);
}

/* Rules by the device's site, county or city, as a plan per place writes
 * them beside one shared regex: keyed on the field of the device the
 * event's host (or a trap's peer) names. Every rule that matches a line
 * is among its candidates; a rule keyed so is a candidate of its places'
 * lines alone. */
static const char places_plan[] =
    "plan p;\n"
    "timezone \"UTC\";\n"
    "data sites \"sites.csv\";\n"
    "data devices \"devices.csv\";\n"
    "level general { respond 30m; }\n"
    "rule s1 { match syslog; lookup device host; where site == \"S1\";\n"
    "  where msg ~ /LOGIN user=(?<user>\\S+)/; key host, user; }\n"
    "rule s2 { match syslog; lookup device host; where site == \"S2\";\n"
    "  where msg ~ /LOGIN user=(?<user>\\S+)/; key host, user; }\n"
    "rule k { match syslog; lookup device host; where county in [\"K2\", \"K3\"];\n"
    "  where msg ~ /LOGIN user=(?<user>\\S+)/; key host; }\n"
    "rule beta { match syslog; lookup device host; where city == \"Beta\"; key host;\n"
    "  clear where msg ~ /LOGOUT/; }\n"
    /* not keyed on the device: != holds without it, and app names no device */
    "rule not_alpha { match syslog; lookup device host; where city != \"Alpha\"; key host; }\n"
    "rule by_app { match syslog; lookup device app; where site == \"S2\"; key app; }\n"
    "rule trap_s3 { match trap; lookup mgmt_ip peer; where site == \"S3\"; key peer; }\n";

static void write_places(const char *dir)
{
	write_file(dir, "sites.csv",
		   "site,site_name,county,city,class,lat,lon,power\n"
		   "S1,one,K1,Alpha,county,24.1,107.1,mains\n"
		   "S2,two,K2,Alpha,county,24.1,107.1,mains\n"
		   "S3,three,K3,Beta,county,24.1,107.1,mains\n"
		   "S4,four,K4,Beta,county,24.1,107.1,mains\n");
	write_file(dir, "devices.csv",
		   "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,"
		   "level\n"
		   "NE1,10.0.0.1,Huawei,X,router,S1,one,K1,Alpha,,,county\n"
		   "NE2,10.0.0.2,Huawei,X,router,S2,two,K2,Alpha,,,county\n"
		   "NE3,10.0.0.3,Huawei,X,router,S3,three,K3,Beta,,,county\n"
		   "NE4,10.0.0.4,Huawei,X,router,S4,four,K4,Beta,,,county\n");
}

static uint64_t bits_of(const uint32_t *cands, size_t n)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < n; i++)
		bits |= UINT64_C(1) << cands[i];
	return bits;
}

#define BIT(f, name) (UINT64_C(1) << rule_index(f, name))

Test(match_shared, keys_rules_on_the_place_of_the_device_their_host_names)
{
	static const char *const hosts[] = {"NE1", "NE2", "NE3", "NE4", "NE9"};
	static const char *const texts[] = {"LOGIN user=ops", "LOGOUT", "other"};
	char dir[] = "/tmp/fl-places-XXXXXX";
	struct fl_match_stats st;
	const uint32_t *cands;
	struct sfx f;
	size_t matched = 0;

	cr_assert_not_null(mkdtemp(dir));
	write_places(dir);
	sfx_open(&f, places_plan, dir);
	fl_match_stats(f.m, &st);
	cr_expect_eq(st.rules_field_indexed, 5, "s1, s2, k, beta and trap_s3: %zu",
		     st.rules_field_indexed);
	for (const char *const *r = (const char *const[]){"s1", "s2", "k", "beta", NULL}; *r; r++)
		cr_expect(!fl_program_rule_every_event(f.prog, rule_index(&f, *r), NULL), "%s", *r);
	for (const char *const *r = (const char *const[]){"not_alpha", "by_app", NULL}; *r; r++)
		cr_expect(fl_program_rule_every_event(f.prog, rule_index(&f, *r), NULL), "%s", *r);

	for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++)
		for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
			for (size_t a = 0; a < sizeof(hosts) / sizeof(hosts[0]); a++) {
				char line[128];
				uint64_t got;

				snprintf(line, sizeof(line), "<27>Nov 20 00:00:00 %s %s: %s",
					 hosts[h], hosts[a], texts[t]);
				got = bits_of(cands, feed(&f, line, &cands));
				for (uint32_t r = 0; r < f.prog->n_rules; r++) {
					if (fl_match_rule(f.m, r) == FL_MATCH_NONE)
						continue;
					matched++;
					cr_expect(got & (UINT64_C(1) << r), "\"%s\": %s matches, skipped",
						  line, f.prog->rules[r].name.p);
				}
			}
	cr_expect_gt(matched, 40, "the lines match rules: %zu", matched);

	/* the keys: a line from NE1 wakes s1 alone of the place rules */
	cr_expect_eq(bits_of(cands, feed(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN user=a", &cands)) &
			 (BIT(&f, "s1") | BIT(&f, "s2") | BIT(&f, "k") | BIT(&f, "beta")),
		     BIT(&f, "s1"));
	cr_expect_eq(bits_of(cands, feed(&f, "<27>Nov 20 00:00:00 NE3 x: LOGIN user=a", &cands)) &
			 (BIT(&f, "s1") | BIT(&f, "s2") | BIT(&f, "k") | BIT(&f, "beta")),
		     BIT(&f, "k") | BIT(&f, "beta"), "NE3: county K3, city Beta");
	cr_expect_eq(bits_of(cands, feed(&f, "<27>Nov 20 00:00:00 NE9 x: LOGIN user=a", &cands)) &
			 (BIT(&f, "s1") | BIT(&f, "s2") | BIT(&f, "k") | BIT(&f, "beta")),
		     0, "a host the inventory lacks");
	sfx_close(&f);
	remove_files(dir);
}

Test(match_shared, keys_trap_rules_on_the_place_of_the_device_their_peer_names)
{
	char dir[] = "/tmp/fl-places-XXXXXX";
	const uint32_t *cands;
	struct sfx f;
	static const char *const peers[] = {"10.0.0.1", "10.0.0.3", "10.0.0.9"};

	cr_assert_not_null(mkdtemp(dir));
	write_places(dir);
	sfx_open(&f, places_plan, dir);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&f.ev.peer;
		uint64_t got;
		bool want = i == 1; /* 10.0.0.3 is NE3, at S3 */

		memset(&f.ev, 0, sizeof(f.ev));
		f.ev.kind = FL_EVENT_TRAP;
		f.ev.trap.version = 1;
		f.ev.has_peer = true;
		sin->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, peers[i], &sin->sin_addr), 1);
		got = bits_of(cands, fl_match_begin(f.m, &f.ev, &cands));
		cr_expect_eq((got & BIT(&f, "trap_s3")) != 0, want, "%s", peers[i]);
		cr_expect_eq(fl_match_rule(f.m, rule_index(&f, "trap_s3")),
			     want ? FL_MATCH_FAULT : FL_MATCH_NONE, "%s", peers[i]);
	}
	sfx_close(&f);
	remove_files(dir);
}

/* Rules per network of the sender (peer in CIDR, peer == address) beside a
 * shared regex: keyed on the peer's address masked to each prefix length
 * the plan has, byte-aligned or not, IPv4 and IPv6 apart. */
static const char nets_plan[] =
    "plan n;\n"
    "level general { respond 30m; }\n"
    "rule net12 { match syslog; where peer in 10.12.0.0/16; where msg ~ /LOGIN/; key host; }\n"
    "rule net13 { match syslog; where peer in 10.13.0.0/16; where msg ~ /LOGIN/; key host; }\n"
    "rule upper { match syslog; where peer in 10.12.128.0/17; where msg ~ /LOGIN/; key host; }\n"
    "rule one { match syslog; where peer == 10.12.0.7; where msg ~ /LOGIN/; key host; }\n"
    "rule v6 { match syslog; where peer in 2001:db8::/32; where msg ~ /LOGIN/; key host; }\n"
    "rule all4 { match syslog; where peer in 0.0.0.0/0; where msg ~ /LOGIN/; key host; }\n"
    "rule not_one { match syslog; where peer != 10.12.0.7; where msg ~ /LOGIN/; key host; }\n"
    "rule trap12 { match trap; where peer in 10.12.0.0/16; key peer; }\n";

static uint64_t candidates_from(struct sfx *f, const char *line, const char *peer)
{
	struct fl_syslog_opts so = {.year = 2026};
	const uint32_t *cands;

	cr_assert_eq(fl_syslog_decode(&f->ev, line, strlen(line), &so), FL_SYSLOG_OK, "%s", line);
	memset(&f->ev.peer, 0, sizeof(f->ev.peer));
	f->ev.has_peer = peer != NULL;
	if (peer && strchr(peer, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&f->ev.peer;

		s6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, peer, &s6->sin6_addr), 1, "%s", peer);
	} else if (peer) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&f->ev.peer;

		s4->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, peer, &s4->sin_addr), 1, "%s", peer);
	}
	return bits_of(cands, fl_match_begin(f->m, &f->ev, &cands));
}

Test(match_shared, keys_rules_on_the_networks_their_peer_is_in)
{
	static const char *const peers[] = {"10.12.0.7",   "10.12.200.1", "10.12.127.255",
					    "10.13.1.1",   "10.99.0.1",   "2001:db8::5",
					    "2001:db9::5", "::ffff:10.12.0.7", NULL};
	struct fl_match_stats st;
	struct sfx f;
	size_t matched = 0;

	sfx_open(&f, nets_plan, NULL);
	fl_match_stats(f.m, &st);
	cr_expect_eq(st.rules_field_indexed, 7, "all but not_one: %zu", st.rules_field_indexed);
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		uint64_t got = candidates_from(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN user=a", peers[i]);

		for (uint32_t r = 0; r < f.prog->n_rules; r++) {
			if (fl_match_rule(f.m, r) == FL_MATCH_NONE)
				continue;
			matched++;
			cr_expect(got & (UINT64_C(1) << r), "peer %s: %s matches, skipped",
				  peers[i] ? peers[i] : "none", f.prog->rules[r].name.p);
		}
	}
	cr_expect_geq(matched, 14, "%zu", matched);
	cr_expect_eq(candidates_from(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN", "10.12.200.1") &
			 ~BIT(&f, "not_one"),
		     BIT(&f, "net12") | BIT(&f, "upper") | BIT(&f, "all4"));
	cr_expect_eq(candidates_from(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN", "10.12.0.7") &
			 ~BIT(&f, "not_one"),
		     BIT(&f, "net12") | BIT(&f, "one") | BIT(&f, "all4"));
	cr_expect_eq(candidates_from(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN", "::ffff:10.12.0.7") &
			 ~BIT(&f, "not_one"),
		     0, "an IPv6 peer is in no IPv4 network, as the condition says");
	cr_expect_eq(candidates_from(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN", NULL) &
			 ~BIT(&f, "not_one"),
		     0, "no peer (a replayed line)");
	sfx_close(&f);
}

/* A peer compared with an address, a network or a list of either, quoted
 * or not, by its address: `peer != 10.12.0.7` holds for every other peer
 * (it held for that one too), and a set of networks holds for a peer in
 * any (its members were compared with the peer's text, and never held). */
static const char peer_sets_plan[] =
    "plan n;\n"
    "level general { respond 30m; }\n"
    "rule not_one { match syslog; where peer != 10.12.0.7; key host; }\n"
    "rule nets { match syslog; where peer in [10.12.0.0/16, 192.168.0.0/24, 2001:db8::/32];\n"
    "  key host; }\n"
    "rule not_nets { match syslog; where peer not in (\"10.12.0.0/16\", \"10.13.0.1\");\n"
    "  key host; }\n"
    "rule quoted { match syslog; where peer == \"10.12.0.7\"; key host; }\n"
    "rule quoted_net { match syslog; where peer in \"10.13.0.0/16\"; key host; }\n";

Test(match_shared, compares_a_peer_with_addresses_and_networks_by_its_address)
{
	static const struct {
		const char *peer;
		bool not_one, nets, not_nets, quoted, quoted_net;
	} cases[] = {
	    {"10.12.0.7", false, true, false, true, false},
	    {"10.12.0.8", true, true, false, false, false},
	    {"10.13.0.1", true, false, false, false, true},
	    {"10.13.0.2", true, false, true, false, true},
	    {"192.168.0.9", true, true, true, false, false},
	    {"192.168.1.9", true, false, true, false, false},
	    {"2001:db8::7", true, true, true, false, false},
	};
	struct sfx f;

	sfx_open(&f, peer_sets_plan, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = candidates_from(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN", cases[i].peer);
		const char *names[] = {"not_one", "nets", "not_nets", "quoted", "quoted_net"};
		bool want[] = {cases[i].not_one, cases[i].nets, cases[i].not_nets, cases[i].quoted,
			       cases[i].quoted_net};

		for (size_t k = 0; k < 5; k++) {
			uint32_t r = rule_index(&f, names[k]);
			bool holds = (got & (UINT64_C(1) << r)) &&
				     fl_match_rule(f.m, r) == FL_MATCH_FAULT;

			cr_expect_eq(holds, want[k], "peer %s: %s %s", cases[i].peer, names[k],
				     want[k] ? "must hold" : "must not hold");
		}
	}
	sfx_close(&f);
}

/* replay --explain names the texts the prefilter looked in: the message
 * alone, or the short fields too when a regex on them gives the atoms. */
Test(match_shared, explains_which_texts_held_none_of_a_rules_literals)
{
	static const char plan[] = "plan x;\n"
				   "level general { respond 30m; }\n"
				   "rule on_host { match syslog; where host ~ /^CORE\\d+$/; key host; }\n"
				   "rule on_msg { match syslog; where msg ~ /LINK_DOWN/; key host; }\n";
	const uint32_t *cands;
	struct fl_buf why;
	struct sfx f;

	sfx_open(&f, plan, NULL);
	fl_buf_init(&why, 1024);
	(void)feed(&f, "<27>Nov 20 00:00:00 NE1 x: LOGIN", &cands);
	(void)fl_match_explain(f.m, rule_index(&f, "on_host"), &why);
	cr_expect(strstr(why.p, "msg, host, app and msgid hold none") != NULL, "%s",
		  why.p);
	fl_buf_reset(&why);
	(void)fl_match_explain(f.m, rule_index(&f, "on_msg"), &why);
	cr_expect(strstr(why.p, "the message holds none") != NULL, "%s",
		  why.p);
	fl_buf_free(&why);
	sfx_close(&f);
}
