/* test_compile_duty.c - `duty` statements compile to the program's duties:
 * the calendar, the role and channels, the text (the errors are in
 * tests/diag/duty.plan). */
#include <criterion/criterion.h>
#include <string.h>

#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

static const struct fl_plan_options memory_only = {.no_files = true};

static const char plan_text[] =
	"plan t;\nroles duty_room, repair_team;\n"
	"level urgent { respond at once within 2m; ladder std; }\n"
	"ladder std { step after 0s notify duty_room via sms; }\n"
	"duty visit \"technician visit\" every 1 month from \"2027-01-31\" notify repair_team "
	"via sms, email;\n"
	"duty call \"customer call\" every 2 weeks from \"2027-01-04\" at \"17:45\" notify "
	"duty_room per county within 3d via email;\n";

Test(compile_duty, a_duty_holds_its_calendar_role_channels_and_text)
{
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	const struct fl_program *p;
	const struct fl_prog_duty *v, *c;

	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "t.plan", plan_text, strlen(plan_text),
					  &memory_only, d),
		     0);
	p = fl_plan_program(plan);
	cr_assert_eq(p->n_duties, 2);
	v = &p->duties[0];
	c = &p->duties[1];
	cr_expect_eq(v->name.len, 5);
	cr_expect_eq(memcmp(v->name.p, "visit", 5), 0);
	cr_expect_eq(memcmp(v->text.p, "technician visit", v->text.len), 0);
	cr_expect_eq(v->cal.year, 2027);
	cr_expect_eq(v->cal.month, 1);
	cr_expect_eq(v->cal.day, 31);
	cr_expect_eq(v->cal.minute, 9 * 60, "09:00 when no 'at'");
	cr_expect_eq(v->cal.every, 1);
	cr_expect_eq(v->cal.unit, FL_DUECAL_MONTHS);
	cr_expect_eq(p->roles[v->role].len, strlen("repair_team"));
	cr_expect_eq(v->n_channels, 2);
	cr_expect_eq(c->cal.unit, FL_DUECAL_WEEKS);
	cr_expect_eq(v->per_level, 0, "per region when not given");
	cr_expect_eq(v->within_ms, 0, "until the next occurrence when not given");
	cr_expect_eq(c->per_level, 2, "per county");
	cr_expect_eq(c->within_ms, 3 * 86400 * 1000LL);
	cr_expect_eq(c->cal.every, 2);
	cr_expect_eq(c->cal.minute, 17 * 60 + 45);
	cr_expect_eq(c->n_channels, 1);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

/* `every 1 day` and `every 3 days` read as days, though the scanner takes
 * "1 day" for a duration as it does in `dedup 10 minutes`; `every 7d` too. */
Test(compile_duty, reads_every_n_days_written_as_a_duration)
{
	static const char text[] =
		"plan t;\nroles duty_room;\n"
		"duty a \"daily\" every 1 day from \"2027-03-20\" notify duty_room via sms;\n"
		"duty b \"third day\" every 3 days from \"2027-03-20\" notify duty_room via sms;\n"
		"duty c \"weekly\" every 7d from \"2027-03-20\" notify duty_room via sms;\n";
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	const struct fl_program *p;

	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "t.plan", text, strlen(text), &memory_only, d), 0);
	p = fl_plan_program(plan);
	cr_assert_eq(p->n_duties, 3);
	for (size_t k = 0; k < 3; k++)
		cr_expect_eq(p->duties[k].cal.unit, FL_DUECAL_DAYS, "duty %zu", k);
	cr_expect_eq(p->duties[0].cal.every, 1);
	cr_expect_eq(p->duties[1].cal.every, 3);
	cr_expect_eq(p->duties[2].cal.every, 7);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}
