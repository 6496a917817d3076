/* Message templates chosen and filled in by the store's writer: the most
 * specific template wins (scope, role, channel), a customer's contact reads
 * only that customer's circuits, times are the plan's zone, and a text too
 * long for its buffer is cut on a character. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/tz.h"
#include "engine/pipeline/sink_int.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define T0 1796432400000000000LL /* 2026-12-05T01:00:00Z */

static const char plan_head[] =
	"plan t;\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data spans \"spans.csv\";\n"
	"data rings \"rings.csv\";\n"
	"data chains \"chains.csv\";\n"
	"data circuits \"circuits.csv\";\n"
	"data contacts \"contacts.csv\";\n"
	"roles duty_room, customer_contact;\n"
	"level urgent { respond 2m; ladder l; }\n"
	"ladder l {\n"
	"  step after 0s notify duty_room via sms;\n"                     /* step 0 */
	"  step after 0s notify customer_contact at customer via sms;\n"  /* step 1 */
	"  step after 0s notify customer_contact at at_risk via sms;\n"   /* step 2 */
	"}\n";

struct fx {
	struct fl_diags *d;
	struct fl_plan *plan;
	const struct fl_program *prog;
};

static void fx_open(struct fx *f, const char *templates)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char data[4096], text[4096];
	struct fl_plan_options opt = {.data_dir = data};
	int n;

	snprintf(data, sizeof(data), "%s/examples/network", root);
	n = snprintf(text, sizeof(text), "%s%s", plan_head, templates);
	cr_assert_eq(fl_diags_create(&f->d), 0);
	cr_assert_eq(fl_plan_compile_text(&f->plan, "t.plan", text, (size_t)n, &opt, f->d), 0,
		     "the plan compiles");
	f->prog = fl_plan_program(f->plan);
}

static void fx_close(struct fx *f)
{
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
}

static const char *name_of(const struct fl_prog_message *m)
{
	return m ? m->name.p : "(built-in)";
}

Test(sink_message, the_most_specific_template_of_the_notices_kind_wins)
{
	struct fx f;

	fx_open(&f, "template any \"a\";\n"
		    "template by_channel via sms \"b\";\n"
		    "template by_role for customer_contact \"c\";\n"
		    "template at_risk for customer_contact at at_risk via sms \"d\";\n"
		    "template back for customer_contact when restored \"e\";\n");
	cr_expect_str_eq(name_of(sink_message_pick(f.prog, 0, "duty_room", "email", FL_MSG_PAGE)),
			 "any");
	cr_expect_str_eq(name_of(sink_message_pick(f.prog, 0, "duty_room", "sms", FL_MSG_PAGE)),
			 "by_channel");
	cr_expect_str_eq(
	    name_of(sink_message_pick(f.prog, 1, "customer_contact", "sms", FL_MSG_PAGE)),
	    "by_role", "role beats channel");
	cr_expect_str_eq(
	    name_of(sink_message_pick(f.prog, 2, "customer_contact", "sms", FL_MSG_PAGE)),
	    "at_risk", "a customer on protection reads the at-risk text");
	cr_expect_str_eq(
	    name_of(sink_message_pick(f.prog, 1, "customer_contact", "sms", FL_MSG_RESTORED)),
	    "back");
	cr_expect_str_eq(
	    name_of(sink_message_pick(f.prog, 0, "duty_room", "sms", FL_MSG_QUIET)), "(built-in)",
	    "no template of that kind: the built-in text");
	fx_close(&f);
}

Test(sink_message, a_customer_reads_only_its_own_circuits_in_the_plans_zone)
{
	struct fx f;
	struct fl_tz *tz;
	char out[512];
	struct fl_sink_rec r = {.first_ns = T0, .at_ns = T0 + 125LL * 60 * 1000000000,
				.title = "光缆中断", .span = "MY-CR01-S01", .count = 7,
				.circuits = "MY-EGOV-002;MY-EDU-001",
				.customers = "明阳市电子政务外网;明阳市教育城域网"};
	struct sink_message_ctx x = {.rec = &r, .ticket = "INC-2026-000042", .level = "紧急"};
	const char *text = "${circuits}|${customers}|${since}|${at}|${ticket}|${device}|${count}";

	fx_open(&f, "");
	cr_assert_eq(fl_tz_load(&tz, "+08:00"), 0);
	x.inv = f.prog->inventory;
	x.tz = tz;
	x.address = "138-0000-6136"; /* 明阳市电子政务外网's contact */
	sink_message_render(&x, text, out, sizeof(out));
	cr_expect_str_eq(out, "MY-EGOV-002|明阳市电子政务外网|12-05 09:00|12-05 11:05|INC-2026-000042|-|7");
	x.address = "my-edu-noc@example.net";
	sink_message_render(&x, text, out, sizeof(out));
	cr_expect_str_eq(out, "MY-EDU-001|明阳市教育城域网|12-05 09:00|12-05 11:05|INC-2026-000042|-|7");
	x.address = "138-0000-6121"; /* a duty room reads every circuit */
	sink_message_render(&x, "${circuits}", out, sizeof(out));
	cr_expect_str_eq(out, "MY-EGOV-002, MY-EDU-001");
	/* cut on a character: 光 is three bytes */
	cr_expect_eq(sink_message_render(&x, "光缆${ticket}", out, 5), 3);
	cr_expect_str_eq(out, "光");
	fl_tz_free(tz);
	fx_close(&f);
}
