/* Customers' consent before a maintenance window (engine/store/consent.h),
 * on both backends: the customers recorded once each, a word recorded only
 * for a customer the window affects, the counts in the window's JSON, the
 * warning rule, and the rows gone with their window. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/store/consent.h"
#include "engine/store/store.h"
#include "tests/unit/store_tmp.h"

#define MS 1000000LL
#define HOUR (3600 * 1000 * MS)
#define T0 1795572000000000000LL /* 2026-11-25T02:00:00Z */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-consent-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

STORE_SUITES(store_consent, setup, teardown);

/* A window on span S1 from `from` for two hours, with customers A, B, C. */
static int64_t window_with_customers(struct fl_store *s, int64_t from)
{
	const char *const customers[] = {"河池市电子政务外网", "B", "C"};
	struct fl_maint_window w = {.scope = "span", .target = "S1", .from_ns = from,
	                            .to_ns = from + 2 * HOUR, .by = "adm"};

	cr_assert_eq(fl_store_maint_add(s, &w, T0), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_consent_customers_add(s, w.id, customers, 3), 0, "%s", fl_store_errmsg(s));
	return w.id;
}

struct rows {
	char text[512];
};

static int row_text(void *ctx, const struct fl_consent_row *r)
{
	struct rows *x = ctx;
	size_t len = strlen(x->text);

	snprintf(x->text + len, sizeof(x->text) - len, "%s=%s/%s/%s;", r->customer,
	         fl_consent_state_name(r->state), r->by ? r->by : "-", r->note ? r->note : "-");
	return 0;
}

STORE_TEST(store_consent, records_each_customers_word_with_who_and_a_note)
{
	struct fl_store *s = open_store();
	int64_t id = window_with_customers(s, T0 + 24 * HOUR);
	const char *const again[] = {"B", "D"};
	struct fl_consent_counts c;
	struct rows x = {""};

	cr_assert_eq(fl_consent_record(s, id, "B", FL_CONSENT_ASKED, "op1", NULL, T0), 0);
	cr_assert_eq(fl_consent_record(s, id, "C", FL_CONSENT_REFUSED, "op2", "业务高峰", T0), 0);
	cr_assert_eq(fl_consent_record(s, id, "B", FL_CONSENT_GIVEN, "op1", "同意", T0 + MS), 0);
	/* a customer recorded again keeps its word; a new one comes in missing */
	cr_assert_eq(fl_consent_customers_add(s, id, again, 2), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_consent_each(s, id, row_text, &x), 0);
	cr_expect_str_eq(x.text, "B=given/op1/同意;C=refused/op2/业务高峰;D=missing/-/-;"
	                         "河池市电子政务外网=missing/-/-;");
	cr_assert_eq(fl_consent_counts(s, id, &c), 0);
	cr_expect_eq(c.customers, 4);
	cr_expect_eq(c.given, 1);
	cr_expect_eq(c.refused, 1);
	cr_expect_eq(c.asked, 0);
	cr_expect_eq(c.missing, 2);
	fl_store_close(s);
}

STORE_TEST(store_consent, refuses_a_customer_the_window_does_not_affect_and_bad_input)
{
	struct fl_store *s = open_store();
	int64_t id = window_with_customers(s, T0 + 24 * HOUR);
	const char *const one[] = {"A"};

	cr_expect_eq(fl_consent_record(s, id, "Z", FL_CONSENT_GIVEN, "op1", NULL, T0), -ENOENT);
	cr_expect_eq(fl_consent_record(s, id + 1, "B", FL_CONSENT_GIVEN, "op1", NULL, T0),
	             -ENOENT, "no such window");
	cr_expect_eq(fl_consent_customers_add(s, id + 1, one, 1), -ENOENT);
	cr_expect_eq(fl_consent_record(s, id, "B", FL_CONSENT_MISSING, "op1", NULL, T0), -EINVAL);
	cr_expect_eq(fl_consent_record(s, id, "B", FL_CONSENT_GIVEN, "", NULL, T0), -EINVAL);
	fl_store_close(s);
}

STORE_TEST(store_consent, the_windows_json_counts_and_warns_within_the_notice)
{
	struct fl_store *s = open_store();
	int64_t soon = window_with_customers(s, T0 + 10 * HOUR);
	struct fl_buf b;

	(void)soon;
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_store_maint_json(s, T0, -1, &b), 0, "%s", fl_store_errmsg(s));
	cr_expect(strstr(b.p, "\"consent\":{\"customers\":3,\"asked\":0,\"given\":0,\"refused\":0,"
	                      "\"missing\":3},\"consent_warning\":true"), "%s", b.p);
	fl_buf_reset(&b);
	cr_assert_eq(fl_store_maint_json(s, T0, 5 * 3600 * 1000, &b), 0);
	cr_expect(strstr(b.p, "\"consent_warning\":false"), "a 5 h notice: 10 h ahead is fine: %s",
	          b.p);
	fl_buf_free(&b);
	fl_store_close(s);
}

STORE_TEST(store_consent, goes_with_its_window)
{
	struct fl_store *s = open_store();
	int64_t id = window_with_customers(s, T0 + 24 * HOUR);
	struct fl_consent_counts c;

	cr_assert_eq(fl_store_maint_delete(s, id), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_consent_counts(s, id, &c), 0);
	cr_expect_eq(c.customers, 0);
	fl_store_close(s);
}

Test(consent, warns_when_started_or_within_notice_without_every_consent)
{
	struct fl_consent_counts none = {0}, all = {.customers = 2, .given = 2},
	                         some = {.customers = 2, .given = 1, .refused = 1};

	cr_expect_not(fl_consent_warning(&none, true, T0, T0, -1), "no customers: nothing to ask");
	cr_expect_not(fl_consent_warning(&all, true, T0, T0, -1), "everyone agreed");
	cr_expect(fl_consent_warning(&some, true, T0 - HOUR, T0, -1), "running without it");
	cr_expect(fl_consent_warning(&some, false, T0 + 72 * HOUR, T0, -1), "72 h default notice");
	cr_expect_not(fl_consent_warning(&some, false, T0 + 73 * HOUR, T0, -1));
	cr_expect(fl_consent_warning(&some, false, T0 + 100 * HOUR, T0, 120 * 3600 * 1000LL),
	          "the plan's longer notice");
}

Test(consent, names_and_parses_every_state)
{
	enum fl_consent_state st;

	for (unsigned i = 0; i < FL_CONSENT__COUNT; i++) {
		cr_assert_eq(fl_consent_state_parse(fl_consent_state_name(i), &st), 0);
		cr_expect_eq(st, i);
	}
	cr_expect_eq(fl_consent_state_parse("maybe", &st), -EINVAL);
	cr_expect_null(fl_consent_state_name(FL_CONSENT__COUNT));
}
