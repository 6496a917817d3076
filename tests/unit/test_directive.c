/* Directives relayed by a plan's relay block over the example network: who
 * a branch's notices reach (with the contact table's fallback), a scope the
 * plan cannot relay, and late steps taken once each, own then above. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/pipeline/directive.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define MIN_NS (60LL * 1000000000)
#define T0 1796432400000000000LL /* 2026-12-05T01:00:00Z */

static const char relay_plan[] =
	"plan t;\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data contacts \"contacts.csv\";\n"
	"roles duty_room, fault_lead, leader_in_charge;\n"
	"level urgent { respond 2m; ladder l; }\n"
	"ladder l { step after 0s notify duty_room at own via sms; }\n";

struct fx {
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_store *s;
	char dir[64], path[96];
};

static void fx_open(struct fx *f, const char *relay)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char data[4096], text[2048], err[256] = "";
	struct fl_plan_options opt = {.data_dir = data};
	int n;

	snprintf(data, sizeof(data), "%s/examples/network", root);
	n = snprintf(text, sizeof(text), "%s%s", relay_plan, relay);
	cr_assert_eq(fl_diags_create(&f->d), 0);
	cr_assert_eq(fl_plan_compile_text(&f->plan, "t.plan", text, (size_t)n, &opt, f->d), 0,
		     "the plan compiles");
	strcpy(f->dir, "/tmp/fl-dirp-XXXXXX");
	cr_assert(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	cr_assert_eq(fl_store_open(&f->s, f->path, err, sizeof(err)), 0, "%s", err);
}

static void fx_close(struct fx *f)
{
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};
	char p[160];

	fl_store_close(f->s);
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, files[i]);
		unlink(p);
	}
	rmdir(f->dir);
}

/* The outbox keys, ';'-joined in key order, for the test's assertions. */
static void keys(struct fx *f, const char *like, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t at = 0;

	out[0] = '\0';
	cr_assert_eq(sqlite3_open(f->path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT key FROM outbox WHERE key LIKE ?1 ORDER BY key",
					-1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && at < len)
		at += (size_t)snprintf(out + at, len - at, "%s%s", at ? ";" : "",
				       (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int issue_to(struct fx *f, enum fl_directive_scope scope, const char *name,
		    struct fl_directive_outcome *out, char *err, size_t len)
{
	const char *names[] = {name};
	const struct fl_directive_order o = {
	    .issuer = "region company", .text = "test order", .level = "urgent",
	    .ask = FL_DIRECTIVE_ASK_ACK, .scope = scope, .names = names, .n_names = 1,
	    .at_ns = T0};

	return fl_directive_issue(f->s, fl_plan_program(f->plan), &o, out, err, len);
}

Test(directive, relays_to_a_county_the_role_it_lacks_through_its_city)
{
	struct fx f = {0};
	struct fl_directive_outcome out;
	char err[256] = "", got[2048];

	fx_open(&f, "relay directives { county within 30m notify duty_room, fault_lead via sms; }\n");
	cr_assert_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Lianhua", &out, err, sizeof(err)), 0,
		     "%s", err);
	cr_expect_str_eq(out.id, "DIR-20261205-1");
	cr_expect_eq(out.branches, 1);
	cr_expect_eq(out.notices, 2);
	keys(&f, "dir:%", got, sizeof(got));
	/* Lianhua has no fault lead: Mingyang's (陆建明, 138-0000-6110) is told */
	cr_expect_str_eq(got, "dir:DIR-20261205-1:r:Lianhua:duty_room:sms:138-0000-6125;"
			      "dir:DIR-20261205-1:r:Lianhua:fault_lead:sms:138-0000-6110");
	fx_close(&f);
}

Test(directive, refuses_a_county_the_network_does_not_have_and_a_level_without_a_line)
{
	struct fx f = {0};
	struct fl_directive_outcome out;
	char err[256] = "", got[256];

	fx_open(&f, "relay directives { county within 30m notify duty_room via sms; }\n");
	cr_expect_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Lianhau", &out, err, sizeof(err)),
		     -ENOENT);
	cr_expect_str_eq(err, "no county 'Lianhau' in the network");
	cr_expect_eq(issue_to(&f, FL_DIRECTIVE_TO_CITY, "Mingyang", &out, err, sizeof(err)),
		     -EINVAL);
	cr_expect_str_eq(err, "the relay block has no 'city' line");
	keys(&f, "%", got, sizeof(got));
	cr_expect_str_eq(got, "", "a refused directive queues nothing");
	fx_close(&f);
}

Test(directive, takes_each_late_step_once_own_then_above)
{
	struct fx f = {0};
	struct fl_directive_outcome out, tick;
	const struct fl_program *prog;
	char err[256] = "", got[2048];

	fx_open(&f, "relay directives {\n"
		    "    county within 30m notify duty_room via sms;\n"
		    "    late after 0s notify leader_in_charge at own via sms;\n"
		    "    late after 15m notify leader_in_charge at above via sms;\n"
		    "}\n");
	prog = fl_plan_program(f.plan);
	cr_assert_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Shuikou", &out, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(fl_directive_tick(f.s, prog, T0 + 30 * MIN_NS - 1, &tick, err, sizeof(err)), 0);
	cr_expect_eq(tick.escalated, 0, "not late before the deadline");
	cr_assert_eq(fl_directive_tick(f.s, prog, T0 + 31 * MIN_NS, &tick, err, sizeof(err)), 0);
	cr_expect_eq(tick.escalated, 1);
	cr_assert_eq(fl_directive_tick(f.s, prog, T0 + 32 * MIN_NS, &tick, err, sizeof(err)), 0);
	cr_expect_eq(tick.escalated, 0, "a step is taken once");
	cr_assert_eq(fl_directive_tick(f.s, prog, T0 + 45 * MIN_NS, &tick, err, sizeof(err)), 0);
	cr_expect_eq(tick.escalated, 1);
	keys(&f, "dir:%:l%", got, sizeof(got));
	/* 吴春兰, Shuikou's liaison, then 甘志强, Mingyang's */
	cr_expect_str_eq(got, "dir:DIR-20261205-1:l1:Shuikou:leader_in_charge:sms:138-0000-6124;"
			      "dir:DIR-20261205-1:l2:Shuikou:leader_in_charge:sms:138-0000-6112");
	cr_assert_eq(fl_store_directive_ack(f.s, out.id, "Shuikou", "吴春兰", NULL, T0 + 50 * MIN_NS),
		     0);
	cr_assert_eq(fl_directive_tick(f.s, prog, T0 + 24 * 60 * MIN_NS, &tick, err, sizeof(err)),
		     0);
	cr_expect_eq(tick.escalated, 0);
	fx_close(&f);
}

/* ---- acknowledged by answering the SMS ------------------------------------ */

static const char county_relay[] = "relay directives { county within 30m notify duty_room via sms; }\n";

Test(directive_reply, acknowledges_the_senders_one_open_order_once)
{
	struct fx f = {0};
	struct fl_directive_outcome out;
	struct fl_directive_reply r;
	char err[256] = "";

	fx_open(&f, county_relay);
	cr_assert_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Lianhua", &out, err, sizeof(err)), 0);
	/* Lianhua's duty room, the number as a gateway writes it */
	cr_assert_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "+86 138 0000 6125",
					"收到，线路已查", T0 + MIN_NS, &r),
		     0, "%s", r.reply);
	cr_expect_str_eq(r.id, "DIR-20261205-1");
	cr_expect_eq(r.branches, 1);
	cr_expect_str_eq(r.reply, "faultline: DIR-20261205-1 acknowledged for Lianhua");
	/* every branch answered: the order is no longer open */
	cr_expect_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "13800006125", "ok",
					T0 + 2 * MIN_NS, &r),
		     -ESRCH, "%s", r.reply);
	cr_expect_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "13800006125",
					"ok DIR-20261205-1", T0 + 2 * MIN_NS, &r),
		     -EEXIST, "%s", r.reply);
	fx_close(&f);
}

Test(directive_reply, asks_which_when_two_orders_are_open_and_takes_the_one_named)
{
	struct fx f = {0};
	struct fl_directive_outcome out;
	struct fl_directive_reply r;
	char err[256] = "";

	fx_open(&f, county_relay);
	cr_assert_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Lianhua", &out, err, sizeof(err)), 0);
	cr_assert_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Lianhua", &out, err, sizeof(err)), 0);
	cr_expect_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "13800006125", "ACK",
					T0 + MIN_NS, &r),
		     -EAGAIN);
	cr_expect(strstr(r.reply, "DIR-20261205-1, DIR-20261205-2"), "%s", r.reply);
	cr_expect_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "13800006125",
					"ack dir-20261205-2 done", T0 + MIN_NS, &r),
		     0, "%s", r.reply);
	cr_expect_str_eq(r.id, "DIR-20261205-2");
	/* now only the first is open for Lianhua: no id needed */
	cr_expect_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "13800006125", "1",
					T0 + MIN_NS, &r),
		     0, "%s", r.reply);
	cr_expect_str_eq(r.id, "DIR-20261205-1");
	cr_expect_eq(fl_directive_reply(f.s, fl_plan_program(f.plan), "13800006125",
					"DIR-20261205-9 收到", T0 + MIN_NS, &r),
		     -ESRCH, "%s", r.reply);
	fx_close(&f);
}

Test(directive_reply, refuses_an_unknown_number_and_a_text_that_is_no_acknowledgement)
{
	struct fx f = {0};
	struct fl_directive_outcome out;
	struct fl_directive_reply r;
	const struct fl_program *prog;
	char err[256] = "";

	fx_open(&f, county_relay);
	prog = fl_plan_program(f.plan);
	cr_assert_eq(issue_to(&f, FL_DIRECTIVE_TO_COUNTIES, "Lianhua", &out, err, sizeof(err)), 0);
	cr_expect_eq(fl_directive_reply(f.s, prog, "13900000000", "ACK", T0, &r), -ENOENT);
	cr_expect_eq(fl_directive_reply(f.s, prog, "", "ACK", T0, &r), -ENOENT);
	cr_expect_eq(fl_directive_reply(f.s, prog, "13800006125", "OKAY then", T0, &r), -EINVAL);
	cr_expect_eq(fl_directive_reply(f.s, prog, "13800006125", "where is the cut?", T0, &r),
		     -EINVAL);
	cr_expect_eq(fl_directive_reply(f.s, prog, "13800006125", "", T0, &r), -EINVAL);
	cr_expect(strstr(r.reply, "reply ACK"), "%s", r.reply);
	/* Shuikou's duty room has nothing for Lianhua's order */
	cr_expect_eq(fl_directive_reply(f.s, prog, "13800006121", "ACK", T0, &r), -ESRCH);
	fx_close(&f);
}

Test(directive_reply, decodes_the_gateways_url_encoded_text_in_each_coding)
{
	char out[64];

	cr_expect_eq(fl_directive_reply_text("ACK+done%21", 0, out, sizeof(out)), 9);
	cr_expect_str_eq(out, "ACK done!");
	cr_expect_eq(fl_directive_reply_text("caf%E9", 0, out, sizeof(out)), 5);
	cr_expect_str_eq(out, "caf\xc3\xa9", "Latin-1 becomes UTF-8");
	cr_expect_gt(fl_directive_reply_text("e6R0%00+", 2, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "收到 ");
	cr_expect_gt(fl_directive_reply_text("%D8%42%DF%B7", 2, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "\xf0\xa0\xae\xb7", "a surrogate pair is one character");
	cr_expect_eq(fl_directive_reply_text("%D8%42", 2, out, sizeof(out)), 3);
	cr_expect_str_eq(out, "\xef\xbf\xbd", "half a pair is U+FFFD");
	cr_expect_gt(fl_directive_reply_text("%E6%94%B6%E5%88%B0", 1, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "收到", "8-bit UTF-8 kept");
	cr_expect_eq(fl_directive_reply_text("%E6%94%B6", 1, out, 3), 0, "cut before a character");
	cr_expect_eq(fl_directive_reply_text("e6R", 2, out, sizeof(out)), -EINVAL, "odd UCS-2");
	cr_expect_eq(fl_directive_reply_text("%G1", 0, out, sizeof(out)), -EINVAL);
	cr_expect_eq(fl_directive_reply_text("%4", 0, out, sizeof(out)), -EINVAL);
	cr_expect_eq(fl_directive_reply_text("x", 3, out, sizeof(out)), -EINVAL);
	cr_expect_eq(fl_directive_reply_text("A%00CK", 0, out, sizeof(out)), 3, "a NUL is left out");
	cr_expect_str_eq(out, "ACK");
	cr_expect_eq(fl_directive_reply_text("%00A%00%00", 2, out, sizeof(out)), 1);
	cr_expect_eq(fl_directive_reply_text("%E6%00", 1, out, sizeof(out)), 2,
		     "8-bit with a NUL is read byte by byte");
}
