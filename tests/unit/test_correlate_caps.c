/* The engine's caps from limits.h, reached and counted: a ladder longer than
 * FL_LADDER_STEPS_MAX (refused by the compiler), a resumed ticket with more
 * steps taken than that, and a span cut whose ring has more sites than
 * FL_SCOPE_SITES_MAX. Each hit shows in struct fl_engine_stats. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "plan_fixture.h"

/* A plan whose level pages through a ladder of n steps, one a minute from
 * 0m, and a rule raising at that level. */
static void ladder_plan(struct fl_buf *b, size_t n)
{
	fl_buf_adds(b, "plan t;\n"
		       "timezone \"UTC\";\n"
		       "roles duty_room;\n"
		       "level urgent { respond 0s; ladder long; }\n"
		       "ladder long {\n");
	for (size_t i = 0; i < n; i++)
		fl_buf_printf(b, "    step after %zum notify duty_room at own via sms;\n", i);
	fl_buf_adds(b, "}\n"
		       "rule pair {\n"
		       "    match syslog;\n"
		       "    where msg ~ /PAIR_FAULT (?<p>\\S+)/;\n"
		       "    clear where msg ~ /PAIR_CLEAR (?<p>\\S+)/;\n"
		       "    key host, p;\n"
		       "    raise level urgent title \"pair ${host} ${p}\";\n"
		       "}\n");
}

/* Compiles plan text; 0 or the compiler's error. */
static int compiles(const struct fl_buf *b)
{
	struct fl_plan_options opt = {0};
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	int rc;

	cr_assert(!b->overflowed, "the plan fits its buffer");
	cr_assert_eq(fl_diags_create(&d), 0);
	rc = fl_plan_compile_text(&plan, "ladder.plan", b->p, b->len, &opt, d);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return rc;
}

/* The ladder cap is enforced where the rule author sees it: the compiler
 * refuses a ladder with more timed steps than an incident schedules, so no
 * plan reaches the engine's cap, and a full ladder fires every step. */
Test(correlate_caps, refuses_a_ladder_past_the_cap_and_fires_every_step_of_a_full_one)
{
	struct fl_buf b;
	struct fl_engine_stats st;
	struct ax *x;

	fl_buf_init(&b, 1 << 16);
	ladder_plan(&b, FL_LADDER_STEPS_MAX + 1);
	cr_expect_neq(compiles(&b), 0, "a ladder past FL_LADDER_STEPS_MAX is a compile error");
	fl_buf_reset(&b);
	ladder_plan(&b, FL_LADDER_STEPS_MAX);
	cr_assert_eq(compiles(&b), 0, "a ladder of FL_LADDER_STEPS_MAX steps compiles");
	x = ax_open_plan("ladder.plan", b.p, b.len);
	ax_at(x, 0, "HC-YZ-LX-OSN01", "PAIR_FAULT 1-8-1");
	fl_engine_advance(x->e, AX_BASE_NS + (FL_LADDER_STEPS_MAX + 5) * 60 * FL_NS_PER_SEC);
	cr_expect_eq(ax_count(x, FL_ACTION_NOTIFY, "pair"), FL_LADDER_STEPS_MAX,
		     "every step of a full ladder pages");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.ladder_steps_dropped, 0);
	ax_close(x);
	fl_buf_free(&b);
}

Test(correlate_caps, counts_the_steps_taken_a_resumed_ticket_cannot_keep)
{
	uint32_t taken[FL_LADDER_STEPS_MAX + 8];
	struct fl_resumed_incident ri = {
	    .ticket = "INC-1", .source = "pair", .level = "urgent", .first_ns = AX_BASE_NS,
	    .steps_taken = taken, .n_steps_taken = sizeof(taken) / sizeof(taken[0])};
	struct fl_engine_stats st;
	struct fl_buf b;
	struct ax *x;

	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		taken[i] = (uint32_t)i;
	fl_buf_init(&b, 1 << 16);
	ladder_plan(&b, 2);
	x = ax_open_plan("ladder.plan", b.p, b.len);
	cr_assert_eq(fl_engine_resume(x->e, &ri), 0);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.resume_steps_dropped, 8, "the steps taken past the cap are counted");
	cr_expect_eq(st.ladder_steps_dropped, 0);
	cr_expect_eq(ax_count(x, FL_ACTION_NOTIFY, "pair"), 0, "the steps kept never fire again");
	ax_close(x);
	fl_buf_free(&b);
}

/* A county ring of n devices, each at a site of its own, joined by n spans:
 * written as the four CSV tables the plan below names, into dir. */
#define CAP_RING_NODES (FL_SCOPE_SITES_MAX + 44)

static void write_table(const char *dir, const char *name, const struct fl_buf *b)
{
	char path[256];
	FILE *fp;

	cr_assert(!b->overflowed, "%s fits its buffer", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp, "create %s", path);
	cr_assert_eq(fwrite(b->p, 1, b->len, fp), b->len);
	cr_assert_eq(fclose(fp), 0);
}

static void write_ring(const char *dir, size_t n)
{
	struct fl_buf b;

	fl_buf_init(&b, 1 << 20);
	fl_buf_adds(&b, "site,site_name,county,city,class,lat,lon,power\r\n");
	for (size_t i = 1; i <= n; i++)
		fl_buf_printf(&b, "S%03zu,site %zu,Tian'e,Alpha,county,24.1,107.1,mains\r\n", i, i);
	write_table(dir, "sites.csv", &b);
	fl_buf_reset(&b);
	fl_buf_printf(&b, "ring,name,level,city,county,vendor,nodes\r\n"
			  "R1,big ring,county,Alpha,Tian'e,Huawei,%zu\r\n", n);
	write_table(dir, "rings.csv", &b);
	fl_buf_reset(&b);
	fl_buf_adds(&b, "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,"
			"ring_pos,level\r\n");
	for (size_t i = 1; i <= n; i++)
		fl_buf_printf(&b, "D%03zu,10.9.%zu.%zu,Huawei,OptiX OSN 1500,metro-sdh,S%03zu,"
				  "site %zu,Tian'e,Alpha,R1,%zu,county\r\n", i, i / 200, i % 200 + 1,
			      i, i, i);
	write_table(dir, "devices.csv", &b);
	fl_buf_reset(&b);
	fl_buf_adds(&b, "span,ring,a_device,a_port,b_device,b_port,length_km,duct,kind,srlg\r\n");
	for (size_t i = 1; i <= n; i++)
		fl_buf_printf(&b, "R1-S%03zu,R1,D%03zu,1-8-1,D%03zu,1-7-1,1.0,no,ring,\r\n", i, i,
			      i % n + 1);
	write_table(dir, "spans.csv", &b);
	fl_buf_free(&b);
}

static const char scope_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data rings \"rings.csv\";\n"
	"data spans \"spans.csv\";\n"
	"level severe { respond 0s; }\n"
	"rule los {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /R_LOS raised port=(?<port>\\S+)/;\n"
	"    clear where msg ~ /R_LOS cleared port=(?<port>\\S+)/;\n"
	"    key host, port;\n"
	"    dedup 5m;\n"
	"}\n"
	"correlate cut {\n"
	"    locate span;\n"
	"    from los;\n"
	"    within 60s;\n"
	"    absorb los for 15m;\n"
	"    raise level severe title \"cut ${span}\";\n"
	"}\n";

Test(correlate_caps, counts_the_sites_left_out_of_a_cut_scope)
{
	struct fl_engine_config c = {.on_action = ax_on_action};
	struct fl_plan_options opt = {0};
	struct fl_engine_stats st;
	char dir[] = "/tmp/fl-caps-XXXXXX";
	struct ax *x = calloc(1, sizeof(*x));

	cr_assert_not_null(x);
	cr_assert_not_null(mkdtemp(dir));
	write_ring(dir, CAP_RING_NODES);
	opt.data_dir = dir;
	c.ctx = x;
	cr_assert_eq(fl_diags_create(&x->d), 0);
	cr_assert_eq(fl_plan_compile_text(&x->plan, "scope.plan", scope_plan,
					  sizeof(scope_plan) - 1, &opt, x->d),
		     0, "the plan compiles against the generated ring");
	x->prog = fl_plan_program(x->plan);
	cr_assert_eq(fl_clock_create_event(&x->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&x->e, x->prog, x->clock, &c), 0);

	/* both ends of R1-S001 (D001 east, D002 west) lose light */
	ax_at(x, 0, "D001", "R_LOS raised port=1-8-1");
	ax_at(x, 1, "D002", "R_LOS raised port=1-7-1");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "cut"), 1, "the cut opens");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.scope_sites_dropped, CAP_RING_NODES - FL_SCOPE_SITES_MAX,
		     "each ring site past the cap is counted once");
	ax_close(x);
	for (const char *const *t = (const char *const[]){"sites.csv", "rings.csv", "devices.csv",
							   "spans.csv", NULL};
	     *t; t++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", dir, *t);
		unlink(path);
	}
	rmdir(dir);
}

/* Keys a sender makes up (a host per line) against a rule that keeps the
 * times of 1,000 events per key: its table holds what fits the per-rule
 * byte budget, not a million keys of 8 KB each; a rule with small slots
 * keeps every key under the same budget. */
static const char bytes_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"level notice { respond 4h; }\n"
	"rule wide {\n"
	"    match syslog;\n"
	"    where msg ~ /^WIDE (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    threshold 1000 within 10m;\n"
	"    raise level notice title \"wide ${host}\";\n"
	"}\n"
	"rule narrow {\n"
	"    match syslog;\n"
	"    where msg ~ /^NARROW (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    threshold 2 within 10m;\n"
	"    raise level notice title \"narrow ${host}\";\n"
	"}\n";

Test(correlate_caps, keeps_a_rules_keys_within_its_byte_budget)
{
	struct fl_engine_config c = {.on_action = ax_on_action, .max_key_bytes_per_rule = 1u << 20};
	struct fl_plan_options opt = {0};
	struct fl_engine_stats st;
	struct ax *x = calloc(1, sizeof(*x));
	char host[32];
	uint64_t wide_evicted;

	cr_assert_not_null(x);
	c.ctx = x;
	cr_assert_eq(fl_diags_create(&x->d), 0);
	cr_assert_eq(fl_plan_compile_text(&x->plan, "bytes.plan", bytes_plan,
					  sizeof(bytes_plan) - 1, &opt, x->d),
		     0);
	x->prog = fl_plan_program(x->plan);
	cr_assert_eq(fl_clock_create_event(&x->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&x->e, x->prog, x->clock, &c), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(host, sizeof(host), "H%04d", i);
		ax_at(x, 0, host, "WIDE 1-1-1");
	}
	fl_engine_stats(x->e, &st);
	/* 1 MiB over slots of 8,000 bytes of times and more: some 120 keys */
	cr_expect_gt(st.evicted, 800, "%llu evicted", (unsigned long long)st.evicted);
	cr_expect_lt(st.live_keys, 200, "%zu live", (size_t)st.live_keys);
	cr_expect_gt(st.live_keys, 50, "%zu live", (size_t)st.live_keys);
	wide_evicted = st.evicted;
	for (int i = 0; i < 1000; i++) {
		snprintf(host, sizeof(host), "H%04d", i);
		ax_at(x, 0, host, "NARROW 1-1-1");
	}
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.evicted, wide_evicted, "1,000 narrow keys fit the same budget");
	ax_close(x);
}
