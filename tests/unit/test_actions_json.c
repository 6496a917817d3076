/* fl_actions_json(): a whole line byte for byte against one written out by
 * hand from fl_actions_time(), with the line's many times (reused within a
 * line, same second, same day, other days, both ends of the range) and
 * hostile text next to the literal keys; and the buffer's cap. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/actions.h"
#include "engine/correlate/correlate.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/buf.h"
#include "grammar/program.h"

#define MS INT64_C(1000000)
#define DAY (INT64_C(86400000) * MS)
#define T0 INT64_C(1795572137343000000) /* 2026-11-25T02:02:17.343Z */

struct line_case {
	struct fl_program prog;
	struct fl_inv_span span;
	struct fl_incident *inc;
	struct fl_incident_place place[1];
	struct fl_incident_history hist[7];
	struct fl_action a;
};

static void make_clear(struct line_case *c)
{
	static const int64_t at[7] = {
	    T0 - 1500 * MS,	     /* first: another second of the same day */
	    T0 - 100 * MS,	     /* same second as the action, other ms */
	    T0 - DAY,		     /* the day before */
	    T0,			     /* the action's own time */
	    -1500 * MS,		     /* before 1970 */
	    INT64_MAX,		     /* the last instant there is, in 2262 */
	    T0 - 1500 * MS + 1 * MS, /* after the slots were reused */
	};

	memset(c, 0, sizeof(*c));
	c->inc = calloc(1, sizeof(*c->inc));
	cr_assert_not_null(c->inc);
	c->span.id = "S\"1";
	c->inc->id = 9;
	c->inc->source_name = "rule \\ \"one\"";
	strcpy(c->inc->title, "LOS\n\xff ring");
	c->inc->span_name = "S\"1";
	c->inc->loc_class = -1;
	c->inc->places = c->place;
	c->inc->places[0].kind = FL_PLACE_SPAN;
	c->inc->places[0].span = &c->span;
	c->inc->places[0].joined_ns = T0 - DAY + 5 * MS;
	c->inc->n_places = 1;
	c->inc->first_ns = at[0];
	c->inc->last_ns = at[1];
	c->inc->cleared_ns = T0;
	c->inc->count = 3;
	c->inc->state = FL_INCIDENT_CLEARED;
	for (size_t i = 0; i < 7; i++) {
		c->hist[i].at_ns = at[i];
		c->hist[i].what = i % 2 ? FL_ACTION_UPDATE : FL_ACTION_OPEN;
		c->hist[i].rule = 5; /* not a rule of the empty program: no "by" */
	}
	c->inc->history = c->hist;
	c->inc->n_history = 7;
	c->a.type = FL_ACTION_CLEAR;
	c->a.at_ns = T0;
	c->a.incident = c->inc;
	c->a.reason = "quiet";
}

static const char *when(char out[32], int64_t ns)
{
	fl_actions_time(out, 32, ns);
	return out;
}

static void expected_line(struct fl_buf *want, const struct line_case *c)
{
	char t1[32], t2[32], t3[32], t4[32];

	fl_buf_init(want, 8192);
	fl_buf_printf(want,
		      "{\"time\":\"%s\",\"action\":\"clear\",\"incident\":9,"
		      "\"rule\":\"rule \\\\ \\\"one\\\"\",\"title\":\"LOS\\n\xef\xbf\xbd ring\","
		      "\"location\":{\"span\":\"S\\\"1\",\"places\":[{\"kind\":\"span\","
		      "\"id\":\"S\\\"1\",\"joined\":\"%s\"}]},\"count\":3,\"absorbed\":0,"
		      "\"first\":\"%s\",\"last\":\"%s\",\"state\":\"cleared\","
		      "\"duration_ms\":1500,\"history\":[",
		      when(t1, T0), when(t2, c->inc->places[0].joined_ns), when(t3, c->inc->first_ns),
		      when(t4, c->inc->last_ns));
	for (size_t i = 0; i < 7; i++)
		fl_buf_printf(want, "%s{\"time\":\"%s\",\"action\":\"%s\"}", i ? "," : "",
			      when(t1, c->hist[i].at_ns), i % 2 ? "update" : "open");
	fl_buf_adds(want, "],\"reason\":\"quiet\"}\n");
}

Test(actions_json, writes_every_time_of_a_line_as_the_formatter_does)
{
	struct line_case c;
	struct fl_buf got, want;

	make_clear(&c);
	expected_line(&want, &c);
	cr_assert(strstr(want.p, "2262-04-11T23:47:16.854Z"), "%s", want.p);
	cr_assert(strstr(want.p, "1969-12-31T23:59:58.500Z"), "%s", want.p);
	fl_buf_init(&got, 8192);
	cr_assert_eq(fl_actions_json(&got, &c.prog, &c.a), 0);
	cr_expect_str_eq(got.p, want.p);
	/* a second line into the same buffer: nothing carried over */
	cr_assert_eq(fl_actions_json(&got, &c.prog, &c.a), 0);
	cr_expect_eq(got.len, 2 * want.len);
	cr_expect_eq(memcmp(got.p + want.len, want.p, want.len), 0);
	fl_buf_free(&got);
	fl_buf_free(&want);
	free(c.inc);
}

Test(actions_json, refuses_a_line_past_the_cap_without_writing_past_it)
{
	struct line_case c;
	struct fl_buf want;

	make_clear(&c);
	expected_line(&want, &c);
	for (size_t max = 1; max <= want.len; max++) {
		struct fl_buf b;
		int rc;

		fl_buf_init(&b, max);
		rc = fl_actions_json(&b, &c.prog, &c.a);
		cr_assert_eq(rc, max < want.len ? -EMSGSIZE : 0, "cap %zu of %zu", max, want.len);
		cr_assert_leq(b.len, max, "cap %zu", max);
		cr_assert(b.len == 0 || memcmp(b.p, want.p, b.len) == 0, "cap %zu", max);
		fl_buf_free(&b);
	}
	fl_buf_free(&want);
	free(c.inc);
}
