/* The program's arrays at scale: past FL_ARRAY_MAPPED bytes they move to a
 * mapping of their own and grow with mremap(); what they hold must come
 * through every move, and the plan must release them whole. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

/* 20,000 rules: the conditions array doubles from below 1 MB to a mapping
 * and then once more, so it is copied into a mapping and then remapped. */
#define RULES 20000

Test(compile_arrays, hold_every_entry_through_their_moves)
{
	static const struct fl_plan_options memory_only = {.no_files = true};
	struct fl_buf text;
	struct fl_diags *d = NULL;
	struct fl_plan *plan = NULL;
	const struct fl_program *p;

	fl_buf_init(&text, 4u << 20);
	fl_buf_adds(&text, "plan t;\nroles duty_room;\nlevel urgent { respond 2m; ladder std; }\n"
			   "ladder std { step after 0s notify duty_room via sms; }\n");
	for (int i = 0; i < RULES; i++)
		fl_buf_printf(&text, "rule r%d { match syslog; where host == \"h%d\"; "
				     "raise level urgent title \"t%d\"; }\n", i, i, i);
	cr_assert_not_null(text.p);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "t.plan", text.p, text.len, &memory_only, d), 0);
	p = fl_plan_program(plan);
	cr_assert_eq(p->n_rules, RULES);
	cr_assert_eq(p->n_conds, RULES);
	cr_assert_geq(p->n_conds * sizeof(*p->conds), (size_t)2 << 20, "the test must cross 2 MB");
	for (int i = 0; i < RULES; i++) {
		char name[16], host[16];
		const struct fl_prog_rule *r = &p->rules[i];
		const struct fl_prog_cond *c = &p->conds[r->first_cond];

		snprintf(name, sizeof(name), "r%d", i);
		snprintf(host, sizeof(host), "h%d", i);
		cr_assert_str_eq(r->name.p, name);
		cr_assert_eq(r->n_conds, 1);
		cr_assert_eq(c->op, FL_OP_EQ);
		cr_assert_str_eq(c->str.p, host, "rule %d", i);
	}
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	fl_buf_free(&text);
}
