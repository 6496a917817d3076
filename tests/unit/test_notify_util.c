#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/notify/mime.h"
#include "engine/notify/notify_util.h"

Test(notify_util, maps_http_statuses_to_outcomes)
{
	static const struct {
		long status;
		enum fl_send_result want;
	} rows[] = {
	    {200, FL_SEND_OK},        {202, FL_SEND_OK},        {204, FL_SEND_OK},
	    {301, FL_SEND_PERMANENT}, {400, FL_SEND_PERMANENT}, {401, FL_SEND_PERMANENT},
	    {403, FL_SEND_PERMANENT}, {404, FL_SEND_PERMANENT}, {408, FL_SEND_RETRY},
	    {425, FL_SEND_RETRY},     {429, FL_SEND_RETRY},     {500, FL_SEND_RETRY},
	    {503, FL_SEND_RETRY},     {599, FL_SEND_RETRY},     {0, FL_SEND_PERMANENT},
	    {600, FL_SEND_PERMANENT},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(fl_notify_http_result(rows[i].status), rows[i].want, "HTTP %ld",
		             rows[i].status);
}

Test(notify_util, percent_encodes_everything_but_unreserved)
{
	struct fl_buf b;

	fl_buf_init(&b, 256);
	cr_assert_eq(fl_url_encode(&b, "a b&c=d/光~._-", strlen("a b&c=d/光~._-")), 0);
	cr_expect_str_eq(b.p, "a%20b%26c%3Dd%2F%E5%85%89~._-");
	fl_buf_free(&b);
}

Test(notify_util, compacts_valid_json_and_rejects_the_rest)
{
	static const struct {
		const char *name, *in, *out; /* out NULL: rejected */
	} rows[] = {
	    {"object", " { \"a\" : [ 1 , -2.5e+3 , true , null ] }\n",
	     "{\"a\":[1,-2.5e+3,true,null]}"},
	    {"string escapes", "\"x\\n\\u00e9\\\"\"", "\"x\\n\\u00e9\\\"\""},
	    {"empty containers", "[ {} , [] ]", "[{},[]]"},
	    {"utf8 kept", "\"光缆\"", "\"光缆\""},
	    {"trailing comma", "[1,]", NULL},
	    {"two documents", "{} {}", NULL},
	    {"raw newline in string", "\"a\nb\"", NULL},
	    {"leading zero", "01", NULL},
	    {"bare word", "nul", NULL},
	    {"invalid utf8", "\"\xff\"", NULL},
	    {"bad escape", "\"\\x\"", NULL},
	    {"short unicode escape", "\"\\u12\"", NULL},
	    {"unclosed", "{\"a\":1", NULL},
	    {"missing colon", "{\"a\" 1}", NULL},
	    {"empty", "", NULL},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fl_buf b;
		int rc;

		fl_buf_init(&b, 4096);
		rc = fl_json_compact(&b, rows[i].in, strlen(rows[i].in));
		if (rows[i].out) {
			cr_expect_eq(rc, 0, "row %s", rows[i].name);
			cr_expect_str_eq(b.p ? b.p : "", rows[i].out, "row %s", rows[i].name);
		} else {
			cr_expect_eq(rc, -EINVAL, "row %s: %d", rows[i].name, rc);
		}
		fl_buf_free(&b);
	}
}

Test(notify_util, refuses_json_nested_deeper_than_the_writer_allows)
{
	char deep[256];
	struct fl_buf b;

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	fl_buf_init(&b, 4096);
	cr_expect_eq(fl_json_compact(&b, deep, 200), -EINVAL);
	fl_buf_free(&b);
}

Test(notify_util, reads_bounded_numeric_settings)
{
	static const struct fl_kv kv[] = {
	    {"t", "250"}, {"bad", "12x"}, {"big", "99999999999"}, {"t", "300"}};
	uint32_t v = 0;

	cr_expect_eq(fl_kv_get_u32(kv, 4, "t", 1, 1, 1000, &v), 0);
	cr_expect_eq(v, 300, "the last setting wins");
	cr_expect_eq(fl_kv_get_u32(kv, 4, "absent", 7, 1, 1000, &v), 0);
	cr_expect_eq(v, 7);
	cr_expect_eq(fl_kv_get_u32(kv, 4, "bad", 1, 1, 1000, &v), -EINVAL);
	cr_expect_eq(fl_kv_get_u32(kv, 4, "big", 1, 1, 1000, &v), -EINVAL);
	cr_expect_eq(fl_kv_get_u32(kv, 4, "t", 1, 400, 1000, &v), -EINVAL);
}

Test(notify_util, normalises_phone_numbers_and_refuses_other_text)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} rows[] = {
	    {"138-0000-2112", "13800002112"},
	    {"+86 138 0000 2112", "+8613800002112"},
	    {"(0771) 555.1214", "07715551214"},
	    {"noc-duty@example.net", NULL},
	    {"138&to=110", NULL},
	    {"12", NULL},
	    {"+", NULL},
	    {"1+2345", NULL},
	    {"123456789012345678901", NULL},
	};
	char out[FL_PHONE_MAX + 1];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool ok = fl_phone_normalise(out, rows[i].in);

		cr_expect_eq(ok, rows[i].out != NULL, "'%s'", rows[i].in);
		if (ok && rows[i].out)
			cr_expect_str_eq(out, rows[i].out, "'%s'", rows[i].in);
	}
}

/* Every contact in the sample network must be reachable: a mobile the SMS
 * plugin accepts and, where an e-mail is given, an address and display name
 * the e-mail plugin can put in a header. */
Test(notify_util, accepts_every_contact_of_the_sample_network)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	char path[1024], line[2048];
	size_t rows = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/contacts.csv", shared);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		char *col[11] = {0}, *p = line;
		char phone[FL_PHONE_MAX + 1];
		size_t n = 0;

		line[strcspn(line, "\r\n")] = '\0';
		/* No field is quoted in this file; empty fields matter, so no strtok. */
		for (col[n++] = p; n < 11 && (p = strchr(p, ',')) != NULL; col[n++] = ++p)
			*p = '\0';
		cr_assert_eq(n, 11, "row %zu has %zu columns", rows + 1, n);
		cr_expect(fl_phone_normalise(phone, col[4]), "mobile '%s'", col[4]);
		cr_expect_eq(strlen(phone), 11, "mobile '%s'", col[4]);
		if (col[5][0]) {
			struct fl_buf b;

			cr_expect(fl_mime_addr_valid(col[5]), "e-mail '%s'", col[5]);
			fl_buf_init(&b, 4096);
			cr_expect_eq(fl_mime_address(&b, "To", col[3], col[5]), 0, "%s", col[3]);
			fl_buf_free(&b);
		}
		rows++;
	}
	fclose(f);
	cr_expect_gt(rows, 0);
}
