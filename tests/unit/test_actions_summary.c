/* fl_actions_summary(): every engine counter reaches the summary line of
 * replay and run, each next to its own name. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/correlate/actions.h"
#include "engine/correlate/correlate.h"

Test(actions_summary, names_every_engine_counter_with_its_own_value)
{
	struct fl_engine_stats st = {
	    .matched = 101, .absorbed = 102, .opened = 103, .cleared = 104,
	    .updated = 105, .suppressed = 106, .notified = 107, .runs = 108,
	    .runs_without_incident = 109, .emitted = 110, .emit_too_deep = 111,
	    .emit_dropped = 112, .late = 113, .evicted = 114, .keys_refused = 115,
	    .key_too_long = 116, .incidents_refused = 117, .timers_refused = 118,
	    .regex_limit = 119, .live_keys = 120, .open_incidents = 121,
	};
	static const char *const want[] = {
	    "101 matched", "102 absorbed", "103 incidents opened", "104 cleared",
	    "105 updated", "106 suppressed", "107 notifications", "108 runs,",
	    "109 runs without incident", "110 emitted,", "111 emitted too deep",
	    "112 emits dropped", "113 late", "114 evicted", "115 keys refused",
	    "116 keys too long", "117 incidents refused", "118 timers refused",
	    "119 regex limits", "120 keys live", "121 incidents open",
	};
	char out[1024];

	fl_actions_summary(out, sizeof(out), &st);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(strstr(out, want[i]) != NULL, "'%s' missing from: %s", want[i], out);
}

Test(actions_summary, cuts_a_short_buffer_and_terminates_it)
{
	struct fl_engine_stats st = {.matched = 12345};
	char out[8];

	memset(out, 'x', sizeof(out));
	fl_actions_summary(out, sizeof(out), &st);
	cr_expect_str_eq(out, "12345 m");
}

Test(actions_summary, names_the_cap_counters_once_they_are_hit)
{
	struct fl_engine_stats st = {
	    .ladder_steps_dropped = 122, .resume_steps_dropped = 123, .scope_sites_dropped = 124,
	};
	static const char *const want[] = {
	    "122 ladder steps dropped", "123 resumed steps dropped", "124 scope sites dropped",
	};
	char out[1024];

	fl_actions_summary(out, sizeof(out), &st);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(strstr(out, want[i]) != NULL, "'%s' missing from: %s", want[i], out);
}

Test(actions_summary, leaves_cap_counters_out_while_they_are_zero)
{
	struct fl_engine_stats st = {.matched = 1};
	char out[1024];

	fl_actions_summary(out, sizeof(out), &st);
	cr_expect(strstr(out, "steps dropped") == NULL && strstr(out, "sites dropped") == NULL,
		  "a zero cap counter printed: %s", out);
	cr_expect(strlen(out) > 15 && strcmp(out + strlen(out) - 15, " incidents open") == 0,
		  "the line no longer ends as before: %s", out);
}

Test(actions_summary, cuts_a_cap_counter_that_does_not_fit)
{
	struct fl_engine_stats st = {.scope_sites_dropped = 7};
	struct fl_engine_stats none = {0};
	char base[1024], full[1024], out[1024];
	size_t size;

	fl_actions_summary(base, sizeof(base), &none);
	fl_actions_summary(full, sizeof(full), &st);
	size = strlen(base) + 6; /* room for ", 7 s" and the NUL */
	memset(out, 'x', sizeof(out));
	fl_actions_summary(out, size, &st);
	cr_expect_eq(strlen(out), size - 1);
	cr_expect(strncmp(out, full, size - 1) == 0, "%s", out);
}
