/* Who among the customers an incident tells, and the level its circuits call
 * for: an engine over the hand-built network of circuit_net.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/correlate/correlate.h"
#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "engine/lib/buf.h"
#include "engine/lib/clock.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "tests/unit/circuit_net.h"

/* 2026-11-20T00:00:00Z */
#define CU_BASE_NS (INT64_C(1795132800) * FL_NS_PER_SEC)
#define CU_MAX_NOTES 64

static const char cu_plan[] =
    "plan t;\n"
    "timezone \"UTC\";\n"
    "data sites \"sites.csv\";\n"
    "data devices \"devices.csv\";\n"
    "data rings \"rings.csv\";\n"
    "data spans \"spans.csv\";\n"
    "data chains \"chains.csv\";\n"
    "data circuits \"circuits.csv\";\n"
    "data contacts \"contacts.csv\";\n"
    "roles customer_contact;\n"
    "level urgent { respond 5m; ladder page; circuits urgent; }\n"
    "level severe { respond 5m; ladder page; circuits severe; }\n"
    "level general { respond 30m; ladder page; }\n"
    "ladder page {\n"
    "    step after 0s notify customer_contact at customer via sms;\n"
    "    step after 0s notify customer_contact at at_risk via sms;\n"
    "}\n"
    "rule los {\n"
    "    match syslog;\n"
    "    lookup device host;\n"
    "    where msg ~ /R_LOS raised port=(?<port>\\S+)/;\n"
    "    clear where msg ~ /R_LOS cleared port=(?<port>\\S+)/;\n"
    "    key host, port;\n"
    "}\n"
    "correlate cut {\n"
    "    locate span;\n"
    "    from los;\n"
    "    within 60s;\n"
    "    absorb los for 15m;\n"
    "    raise level general title \"cut ${span}\";\n"
    "}\n"
    "correlate site_down {\n"
    "    locate site;\n"
    "    from los;\n"
    "    within 5m;\n"
    "    absorb los for 15m;\n"
    "    raise level general title \"site ${site}\";\n"
    "}\n";

/* What the engine said: the level of the last open, and each notify's
 * scope and contacts ("scope: a, b"). */
struct cu {
	char dir[64];
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_clock *clock;
	struct fl_engine *e;
	const struct fl_program *prog;
	char notes[CU_MAX_NOTES][256];
	size_t nnotes;
	uint32_t open_level;
	char open_title[256];
};

static void on_action(const struct fl_action *a, void *ctx)
{
	struct cu *c = ctx;
	char *note;

	if (a->type == FL_ACTION_OPEN) {
		c->open_level = a->incident->level;
		snprintf(c->open_title, sizeof(c->open_title), "%s", a->incident->title);
	}
	if (a->type != FL_ACTION_NOTIFY || c->nnotes == CU_MAX_NOTES)
		return;
	note = c->notes[c->nnotes++];
	snprintf(note, 256, "%s:", a->scope);
	for (size_t i = 0; i < a->n_to; i++)
		snprintf(note + strlen(note), 256 - strlen(note), "%s %s", i ? "," : "", a->to[i]);
}

static void write_table(const char *dir, const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.csv", dir, name);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp, "%s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	cr_assert_eq(fclose(fp), 0);
}

static const char *const cu_tables[][2] = {
    {"sites", CN_SITES},   {"rings", CN_RINGS},       {"devices", CN_DEVICES},
    {"chains", CN_CHAINS}, {"spans", CN_SPANS},       {"circuits", CN_CIRCUITS},
    {"contacts", CN_CONTACTS},
};

static struct cu *cu_open(void)
{
	struct cu *c = calloc(1, sizeof(*c));
	struct fl_plan_options opt = {0};
	struct fl_engine_config cfg = {.on_action = on_action};

	cr_assert_not_null(c);
	snprintf(c->dir, sizeof(c->dir), "/tmp/fl-cust-XXXXXX");
	cr_assert_not_null(mkdtemp(c->dir));
	for (size_t i = 0; i < sizeof(cu_tables) / sizeof(cu_tables[0]); i++)
		write_table(c->dir, cu_tables[i][0], cu_tables[i][1]);
	opt.data_dir = c->dir;
	cr_assert_eq(fl_diags_create(&c->d), 0);
	cr_assert_eq(fl_plan_compile_text(&c->plan, "cu.plan", cu_plan, sizeof(cu_plan) - 1, &opt,
	                                  c->d),
	             0, "the plan compiles");
	c->prog = fl_plan_program(c->plan);
	cfg.ctx = c;
	c->open_level = FL_PROG_NONE;
	cr_assert_eq(fl_clock_create_event(&c->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&c->e, c->prog, c->clock, &cfg), 0);
	return c;
}

static void cu_close(struct cu *c)
{
	char path[128];

	fl_engine_destroy(c->e);
	fl_clock_destroy(c->clock);
	fl_plan_destroy(c->plan);
	fl_diags_destroy(c->d);
	for (size_t i = 0; i < sizeof(cu_tables) / sizeof(cu_tables[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.csv", c->dir, cu_tables[i][0]);
		unlink(path);
	}
	rmdir(c->dir);
	free(c);
}

static void los(struct cu *c, int64_t at_s, const char *host, const char *port)
{
	struct fl_syslog_opts so = {.year = 2026, .received_ns = CU_BASE_NS};
	struct fl_event ev;
	char line[256];
	int n = snprintf(line, sizeof(line), "<130>Nov 20 00:00:00 %s OSN: R_LOS raised port=%s",
	                 host, port);

	cr_assert_eq(fl_syslog_decode(&ev, line, (size_t)n, &so), FL_SYSLOG_OK, "%s", line);
	ev.time_ns = CU_BASE_NS + at_s * FL_NS_PER_SEC;
	fl_engine_feed(c->e, &ev);
}

static void run_to(struct cu *c, int64_t at_s)
{
	fl_engine_advance(c->e, CU_BASE_NS + at_s * FL_NS_PER_SEC);
}

static uint32_t level_of(const struct cu *c, const char *name)
{
	for (uint32_t i = 0; i < c->prog->n_levels; i++)
		if (strcmp(c->prog->levels[i].name.p, name) == 0)
			return i;
	return FL_PROG_NONE;
}

Test(customers, a_cut_tells_the_customers_of_down_circuits_and_warns_those_on_protection)
{
	struct cu *c = cu_open();

	/* N-R1-S01: K-001 (none) down; K-002, K-003 of 政务网 on protection */
	los(c, 0, "C-OSN01", "1-8-1");
	los(c, 2, "P-OSN01", "1-7-1");
	run_to(c, 600);
	cr_expect_str_eq(c->open_title, "cut N-R1-S01");
	cr_assert_eq(c->nnotes, 2);
	cr_expect_str_eq(c->notes[0], "customer: 链 <138-0000-0001>");
	cr_expect_str_eq(c->notes[1], "at_risk: 政 <138-0000-0002>");
	cr_expect_eq(c->open_level, level_of(c, "general"), "only a general circuit is down");
	cu_close(c);
}

Test(customers, a_dead_site_tells_the_customers_of_circuits_passing_through_it)
{
	struct cu *c = cu_open();

	/* Q's neighbours facing it lose signal: P (R1-S02) and R (R1-S03). Q is
	 * the end of no circuit; K-001 and K-002 pass through it and are down
	 * (T's ring hangs off Q), K-005 goes round by C. */
	los(c, 0, "P-OSN01", "1-8-1");
	los(c, 1, "R-OSN01", "1-7-1");
	run_to(c, 900);
	cr_expect_str_eq(c->open_title, "site Q");
	cr_assert_eq(c->nnotes, 2);
	cr_expect_str_eq(c->notes[0], "customer: 链 <138-0000-0001>, 政 <138-0000-0002>");
	cr_expect_str_eq(c->notes[1], "at_risk: 公 <138-0000-0005>");
	cr_expect_eq(c->open_level, level_of(c, "urgent"), "K-002 is urgent and down");
	cu_close(c);
}

Test(customers, a_down_circuit_raises_the_incident_to_the_level_naming_its_priority)
{
	struct cu *c = cu_open();

	/* N-R1-S04 drops K-004 (severe, unprotected): general becomes severe */
	los(c, 0, "R-OSN01", "1-8-1");
	los(c, 1, "C-OSN01", "1-7-1");
	run_to(c, 600);
	cr_expect_str_eq(c->open_title, "cut N-R1-S04");
	cr_expect_eq(c->open_level, level_of(c, "severe"));
	cr_assert_eq(c->nnotes, 1, "nobody is at risk: no at_risk notice");
	cr_expect_str_eq(c->notes[0], "customer: 医 <138-0000-0004>");
	cu_close(c);
}

Test(customers, a_router_link_named_by_interfaces_is_located_and_its_customer_warned)
{
	struct cu *c = cu_open();

	los(c, 0, "M1-RT01", "GigabitEthernet0/0/1");
	los(c, 1, "M2-RT01", "xgei-1/2/4");
	run_to(c, 600);
	cr_expect_str_eq(c->open_title, "cut N-IP1-S01");
	cr_assert_eq(c->nnotes, 1, "no customer is down: no customer notice");
	cr_expect_str_eq(c->notes[0], "at_risk: IP <138-0000-0006>");
	cu_close(c);
}

Test(customers, the_plan_says_which_priorities_raise_a_level)
{
	struct cu *c = cu_open();

	cr_expect_eq(c->prog->levels[level_of(c, "urgent")].circuit_priorities,
	             1u << FL_CPRIO_URGENT);
	cr_expect_eq(c->prog->levels[level_of(c, "severe")].circuit_priorities,
	             1u << FL_CPRIO_SEVERE);
	cr_expect_eq(c->prog->levels[level_of(c, "general")].circuit_priorities, 0);
	cu_close(c);
}

/* The first diagnostic of compiling text (no data files), or "" when none. */
static void first_diag(const char *text, char *out, size_t size)
{
	static const struct fl_plan_options memory_only = {.no_files = true};
	struct fl_plan *plan = NULL;
	struct fl_diags *d;
	struct fl_buf msgs;
	int rc;

	cr_assert_eq(fl_diags_create(&d), 0);
	rc = fl_plan_compile_text(&plan, "t.plan", text, strlen(text), &memory_only, d);
	cr_expect_eq(rc == 0, fl_diag_errors(d) == 0, "fails exactly when it reports an error");
	fl_buf_init(&msgs, 1 << 16);
	cr_assert_eq(fl_diag_render(d, &msgs), 0);
	snprintf(out, size, "%.*s", msgs.p ? (int)strcspn(msgs.p, "\n") : 0, msgs.p ? msgs.p : "");
	fl_buf_free(&msgs);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

#define CU_HEAD "plan t;\nroles customer_contact;\n"
#define CU_LADDER "ladder l { step after 0s notify customer_contact at at_risk via sms; }\n"

Test(customers, names_a_misspelt_priority_and_takes_several)
{
	char got[256];

	first_diag(CU_HEAD "level u { respond 5m; ladder l; circuits urgnet; }\n" CU_LADDER, got,
	           sizeof(got));
	cr_expect_str_eq(got, "t.plan:3:42: error: unknown circuit priority 'urgnet'; did you "
	                      "mean 'urgent'?");
	first_diag(CU_HEAD "level u { respond 5m; ladder l; circuits; }\n" CU_LADDER, got,
	           sizeof(got));
	cr_expect(strstr(got, "error: expected a circuit priority") != NULL, "%s", got);
	first_diag(CU_HEAD "level u { respond 5m; ladder l; circuits urgent, severe; }\n" CU_LADDER,
	           got, sizeof(got));
	cr_expect_str_eq(got, "");
	first_diag(CU_HEAD "level u { respond 5m; ladder l; }\n"
	                   "ladder l { step after 0s notify customer_contact at at_rsk via sms; }\n",
	           got, sizeof(got));
	cr_expect_str_eq(got, "t.plan:4:53: error: unknown scope 'at_rsk'; did you mean 'at_risk'?");
}
