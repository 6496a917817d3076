/* RFC 5424 rows: the RFC's own examples (§6.5), each field at and past its
 * cap, and every verdict an RFC 5424 line can get. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "syslog_rows.h"

#define T0 1795572000 /* 2026-11-25T10:00:00+08:00 */
#define H "<165>1 2026-11-25T10:00:00+08:00 "

static const struct fl_syslog_opts opts = {.received_ns = (int64_t)T0 * 1000000000, .tz = NULL};

static const struct row rows[] = {
	{"rfc_example_1", "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
			  "\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
	 FL_SYSLOG_OK, 34, "mymachine.example.com", "su", ABSENT, "ID47",
	 "'su root' failed for lonvick on /dev/pts/8", 1065910455, 0},
	{"rfc_example_2", "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
			  "%% It's time to make the do-nuts.",
	 FL_SYSLOG_OK, 165, "192.0.2.1", "myproc", "8710", ABSENT,
	 "%% It's time to make the do-nuts.", 1061727255, -7 * 3600},
	{"rfc_example_3", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
			  "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
			  "eventID=\"1011\"] \xEF\xBB\xBF" "An application event log entry...",
	 FL_SYSLOG_OK, 165, "mymachine.example.com", "evntslog", ABSENT, "ID47",
	 "An application event log entry...", 1065910455, 0},
	{"rfc_example_4_no_msg", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
				 "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
				 "eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
	 FL_SYSLOG_OK, 165, "mymachine.example.com", "evntslog", ABSENT, "ID47", ABSENT,
	 1065910455, 0},
	{"nilvalue_everywhere", "<13>1 - - - - - -", FL_SYSLOG_OK, 13, ABSENT, ABSENT, ABSENT, ABSENT,
	 ABSENT, NO_TIME, 0},
	{"nil_fields_and_msg_dash", "<13>1 - - - - - - -", FL_SYSLOG_OK, 13, ABSENT, ABSENT, ABSENT,
	 ABSENT, "-", NO_TIME, 0},
	{"empty_msg_after_space", H "h a p m - ", FL_SYSLOG_OK, 165, "h", "a", "p", "m", "", T0, 28800},
	{"pri_0", "<0>1 2026-11-25T02:00:00Z h a - - - x", FL_SYSLOG_OK, 0, "h", "a", ABSENT, ABSENT,
	 "x", T0, 0},
	{"pri_191", "<191>1 2026-11-25T02:00:00Z h a - - - x", FL_SYSLOG_OK, 191, "h", "a", ABSENT,
	 ABSENT, "x", T0, 0},
	{"offset_minus_0530", "<14>1 2026-11-25T07:30:00.7-05:30 h - - - - x", FL_SYSLOG_OK, 14, "h",
	 ABSENT, ABSENT, ABSENT, "x", T0 + 11 * 3600, -19800},
	{"six_fraction_digits", "<14>1 2026-11-25T02:00:00.123456Z h - - - - x", FL_SYSLOG_OK, 14,
	 "h", ABSENT, ABSENT, ABSENT, "x", T0, 0},
	{"ipv6_hostname", "<14>1 2026-11-25T02:00:00Z fd00:22:2::11 - - - - x", FL_SYSLOG_OK, 14,
	 "fd00:22:2::11", ABSENT, ABSENT, ABSENT, "x", T0, 0},
	{"leap_day", "<14>1 2028-02-29T00:00:00Z h - - - - x", FL_SYSLOG_OK, 14, "h", ABSENT, ABSENT,
	 ABSENT, "x", 1835395200, 0},
	{"utf8_msg_without_bom", H "h a - - - \xE6\xB2\xB3\xE6\xB1\xA0", FL_SYSLOG_OK, 165, "h", "a",
	 ABSENT, ABSENT, "\xE6\xB2\xB3\xE6\xB1\xA0", T0, 28800},
	{"unescaped_bracket_in_value", H "h a - - [x@1 b=\"] and [\"] m", FL_SYSLOG_OK, 165, "h", "a",
	 ABSENT, ABSENT, "m", T0, 28800},
	{"escaped_quote_ends_later", H "h a - - [x@1 b=\"\\\"]\\\\\"] m", FL_SYSLOG_OK, 165, "h", "a",
	 ABSENT, ABSENT, "m", T0, 28800},
	/* verdicts */
	{"empty", "", FL_SYSLOG_EMPTY, -1, BAD_FIELDS},
	{"only_spaces", "   ", FL_SYSLOG_EMPTY, -1, BAD_FIELDS},
	{"pri_192", "<192>1 - - - - - -", FL_SYSLOG_BAD_PRI, -1, BAD_FIELDS},
	{"pri_four_digits", "<1000>1 - - - - - -", FL_SYSLOG_BAD_PRI, -1, BAD_FIELDS},
	{"pri_empty", "<>1 - - - - - -", FL_SYSLOG_BAD_PRI, -1, BAD_FIELDS},
	{"pri_negative", "<-1>1 - - - - - -", FL_SYSLOG_BAD_PRI, -1, BAD_FIELDS},
	{"pri_unclosed", "<13", FL_SYSLOG_BAD_PRI, -1, BAD_FIELDS},
	{"pri_leading_zero", "<01>1 - - - - - -", FL_SYSLOG_PRI_LEADING_ZERO, -1, BAD_FIELDS},
	{"pri_00", "<00>1 - - - - - -", FL_SYSLOG_PRI_LEADING_ZERO, -1, BAD_FIELDS},
	{"pri_only", "<13>", FL_SYSLOG_TRUNCATED, 13, BAD_FIELDS},
	/* another VERSION decodes as 1 does and is kept (rsyslog's reading) */
	{"version_2", "<13>2 - - - - - -", FL_SYSLOG_OK, 13, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT,
	 NO_TIME, 0},
	{"version_10", "<13>10 2026-11-25T02:00:00Z h a - - - x", FL_SYSLOG_OK, 13, "h", "a", ABSENT,
	 ABSENT, "x", 1795572000, 0},
	{"ends_after_hostname", "<13>1 2026-11-25T02:00:00Z h", FL_SYSLOG_TRUNCATED, 13, BAD_FIELDS},
	{"ends_after_msgid", "<13>1 2026-11-25T02:00:00Z h a p m", FL_SYSLOG_TRUNCATED, 13, BAD_FIELDS},
	{"ends_after_msgid_space", "<13>1 2026-11-25T02:00:00Z h a p m ", FL_SYSLOG_TRUNCATED, 13, BAD_FIELDS},
	{"ends_after_time", "<13>1 2026-11-25T02:00:00Z", FL_SYSLOG_TRUNCATED, 13, BAD_FIELDS},
	{"space_for_t", "<13>1 2026-11-25 02:00:00Z h - - - -", FL_SYSLOG_BAD_TIMESTAMP, 13, BAD_FIELDS},
	{"lowercase_t", "<13>1 2026-11-25t02:00:00Z h - - - -", FL_SYSLOG_BAD_TIMESTAMP, 13, BAD_FIELDS},
	{"short_date", "<13>1 2026-1-25T02:00:00Z h - - - -", FL_SYSLOG_BAD_TIMESTAMP, 13, BAD_FIELDS},
	{"dot_without_digits", "<13>1 2026-11-25T02:00:00.Z h - - - -", FL_SYSLOG_BAD_TIMESTAMP, 13, BAD_FIELDS},
	{"nil_then_garbage", "<13>1 -x h - - - -", FL_SYSLOG_BAD_TIMESTAMP, 13, BAD_FIELDS},
	{"seven_fraction_digits", "<13>1 2026-11-25T02:00:00.1234567Z h - - - -",
	 FL_SYSLOG_BAD_FRACTION, 13, BAD_FIELDS},
	{"offset_without_colon", "<13>1 2026-11-25T10:00:00+0800 h - - - -", FL_SYSLOG_BAD_OFFSET, 13, BAD_FIELDS},
	{"no_offset", "<13>1 2026-11-25T10:00:00 h - - - -", FL_SYSLOG_BAD_OFFSET, 13, BAD_FIELDS},
	{"lowercase_z", "<13>1 2026-11-25T10:00:00z h - - - -", FL_SYSLOG_BAD_OFFSET, 13, BAD_FIELDS},
	{"offset_hour_24", "<13>1 2026-11-25T10:00:00+24:00 h - - - -", FL_SYSLOG_BAD_OFFSET, 13, BAD_FIELDS},
	{"leap_second", "<13>1 2026-12-31T23:59:60Z h - - - -", FL_SYSLOG_LEAP_SECOND, 13, BAD_FIELDS},
	{"february_30", "<13>1 2026-02-30T00:00:00Z h - - - -", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"february_29_not_leap", "<13>1 2026-02-29T00:00:00Z h - - - -", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"month_13", "<13>1 2026-13-01T00:00:00Z h - - - -", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"hour_24", "<13>1 2026-11-25T24:00:00Z h - - - -", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"year_0001", "<13>1 0001-01-01T00:00:00Z h - - - -", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"double_space", "<13>1 2026-11-25T02:00:00Z  h - - - -", FL_SYSLOG_BAD_SEPARATOR, 13, BAD_FIELDS},
	{"no_space_before_msg", H "h a - - [x@1 k=\"v\"]msg", FL_SYSLOG_BAD_SEPARATOR, 165, BAD_FIELDS},
	{"non_ascii_hostname", H "\xE6\xB2\xB3 a - - - m", FL_SYSLOG_BAD_HOSTNAME, 165, BAD_FIELDS},
	{"control_in_app_name", H "h a\tb - - - m", FL_SYSLOG_BAD_APP_NAME, 165, BAD_FIELDS},
	{"sd_neither_nil_nor_bracket", H "h a - - x m", FL_SYSLOG_BAD_SD, 165, BAD_FIELDS},
	{"sd_empty_id", H "h a - - [] m", FL_SYSLOG_BAD_SD_ID, 165, BAD_FIELDS},
	{"sd_id_with_equals", H "h a - - [a=b] m", FL_SYSLOG_BAD_SD_ID, 165, BAD_FIELDS},
	{"sd_id_with_quote", H "h a - - [a\"b] m", FL_SYSLOG_BAD_SD_ID, 165, BAD_FIELDS},
	{"sd_value_unquoted", H "h a - - [x@1 k=v] m", FL_SYSLOG_BAD_SD_PARAM, 165, BAD_FIELDS},
	{"sd_param_without_value", H "h a - - [x@1 k] m", FL_SYSLOG_BAD_SD_PARAM, 165, BAD_FIELDS},
	{"sd_param_empty_name", H "h a - - [x@1 =\"v\"] m", FL_SYSLOG_BAD_SD_PARAM, 165, BAD_FIELDS},
	{"sd_param_non_ascii_name", H "h a - - [x@1 \xE5\x9F\x8E=\"v\"] m", FL_SYSLOG_BAD_SD_PARAM,
	 165, BAD_FIELDS},
	{"sd_two_spaces_between_params", H "h a - - [x@1 a=\"1\"  b=\"2\"] m",
	 FL_SYSLOG_BAD_SD_PARAM, 165, BAD_FIELDS},
	{"sd_junk_after_value", H "h a - - [x@1 a=\"1\"b=\"2\"] m", FL_SYSLOG_BAD_SD_PARAM, 165, BAD_FIELDS},
	{"sd_never_closed", H "h a - - [x@1 k=\"v\"", FL_SYSLOG_SD_UNTERMINATED, 165, BAD_FIELDS},
	{"sd_value_never_closed", H "h a - - [x@1 k=\"v]", FL_SYSLOG_SD_UNTERMINATED, 165, BAD_FIELDS},
	{"sd_value_ends_in_escaped_quote", H "h a - - [x@1 k=\"v\\\"]", FL_SYSLOG_SD_UNTERMINATED,
	 165, BAD_FIELDS},
	{"sd_id_then_end", H "h a - - [x@1", FL_SYSLOG_SD_UNTERMINATED, 165, BAD_FIELDS},
};

Test(syslog_5424, decodes_every_row_of_the_table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i], &opts);
}

/* A header line with field `which` (0 host, 1 app, 2 procid, 3 msgid) n bytes long. */
static char *line_with_field(int which, size_t n)
{
	char *f = malloc(n + 1), *line = malloc(n + 128);
	const char *fields[4] = {"h", "a", "p", "m"};

	cr_assert(f && line);
	memset(f, 'x', n);
	f[n] = '\0';
	fields[which] = f;
	snprintf(line, n + 128, "<13>1 - %s %s %s %s - msg", fields[0], fields[1], fields[2],
		 fields[3]);
	free(f);
	return line;
}

Test(syslog_5424, accepts_each_header_field_at_its_cap_and_rejects_one_more)
{
	static const struct {
		size_t cap;
		enum fl_syslog_verdict over;
	} caps[4] = {{255, FL_SYSLOG_BAD_HOSTNAME},
		     {48, FL_SYSLOG_BAD_APP_NAME},
		     {128, FL_SYSLOG_BAD_PROCID},
		     {32, FL_SYSLOG_BAD_MSGID}};
	static struct fl_event ev;

	for (int f = 0; f < 4; f++) {
		char *at = line_with_field(f, caps[f].cap), *over = line_with_field(f, caps[f].cap + 1);

		cr_expect_eq(fl_syslog_decode(&ev, at, strlen(at), &opts), FL_SYSLOG_OK, "field %d", f);
		cr_expect_eq(fl_syslog_decode(&ev, over, strlen(over), &opts), caps[f].over,
			     "field %d", f);
		free(at);
		free(over);
	}
}

Test(syslog_5424, caps_sd_id_and_param_name_at_32_octets)
{
	static struct fl_event ev;
	char line[256];
	const char *n32 = "abcdefghijklmnopqrstuvwxyz012345";

	snprintf(line, sizeof(line), "<13>1 - h a - - [%s %s=\"v\"] m", n32, n32);
	cr_expect_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.syslog.sd[0].id.len, 32);
	snprintf(line, sizeof(line), "<13>1 - h a - - [%s6 k=\"v\"] m", n32);
	cr_expect_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_BAD_SD_ID);
	snprintf(line, sizeof(line), "<13>1 - h a - - [x %s6=\"v\"] m", n32);
	cr_expect_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_BAD_SD_PARAM);
}

Test(syslog_5424, slices_structured_data_with_escapes_left_in_place)
{
	static struct fl_event ev;
	const char *line = "<13>1 - h a - - [a@1 x=\"1\" y=\"q\\\"\\]\"][b@2 x=\"2\"][c@3] m";

	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.syslog.n_sd, 3);
	cr_expect_eq(ev.syslog.n_params, 3);
	cr_expect(fl_str_eq_cstr(ev.syslog.sd[0].id, "a@1"));
	cr_expect_eq(ev.syslog.sd[0].n_params, 2);
	cr_expect(fl_str_eq_cstr(ev.syslog.params[1].name, "y"));
	cr_expect(fl_str_eq_cstr(ev.syslog.params[1].value, "q\\\"\\]"));
	cr_expect_eq(ev.syslog.sd[1].first_param, 2);
	cr_expect_eq(ev.syslog.sd[2].n_params, 0);
	cr_expect(fl_str_eq_cstr(ev.syslog.msg, "m"));
}

Test(syslog_5424, counts_elements_and_params_beyond_the_caps_in_sd_dropped)
{
	static struct fl_event ev;
	static char line[8192];
	size_t n = (size_t)snprintf(line, sizeof(line), "<13>1 - h a - - ");

	/* 17 elements of 5 params: 16 elements kept, 64 params kept */
	for (int e = 0; e < FL_EVENT_MAX_SD_ELEMENTS + 1; e++) {
		n += (size_t)snprintf(line + n, sizeof(line) - n, "[e%d", e);
		for (int k = 0; k < 5; k++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " k%d=\"%d\"", k, e);
		n += (size_t)snprintf(line + n, sizeof(line) - n, "]");
	}
	snprintf(line + n, sizeof(line) - n, " tail");
	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.syslog.n_sd, FL_EVENT_MAX_SD_ELEMENTS);
	cr_expect_eq(ev.syslog.n_params, FL_EVENT_MAX_SD_PARAMS);
	/* 16*5 = 80 params offered to kept elements: 16 over the cap; plus 1 element */
	cr_expect_eq(ev.syslog.sd_dropped, 16 + 1);
	cr_expect(fl_str_eq_cstr(ev.syslog.msg, "tail"));
}

Test(syslog_5424, sets_has_bom_and_leaves_the_bom_out_of_msg)
{
	static struct fl_event ev;
	const char *line = "<13>1 - h a - - - \xEF\xBB\xBFtext";

	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect(ev.syslog.has_bom);
	cr_expect(fl_str_eq_cstr(ev.syslog.msg, "text"));
	cr_expect_eq(ev.syslog.version, 1);
}

Test(syslog_5424, keeps_raw_to_its_cap_and_flags_the_truncation)
{
	static struct fl_event ev;
	size_t len = FL_EVENT_RAW_MAX + 100;
	char *line = malloc(len);

	cr_assert(line);
	memcpy(line, "<13>1 - h a - - - ", 18);
	memset(line + 18, 'x', len - 18);
	cr_assert_eq(fl_syslog_decode(&ev, line, len, &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.raw.len, FL_EVENT_RAW_MAX);
	cr_expect(ev.raw_truncated);
	cr_expect_eq(ev.syslog.msg.len, len - 18);
	free(line);
}

Test(syslog_5424, unescapes_only_quote_backslash_and_bracket)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"he said \\\"cut\\\"", "he said \"cut\""},
		{"a \\] b", "a ] b"},
		{"C:\\\\noc", "C:\\noc"},
		{"tail \\\\", "tail \\"},
		{"keep \\n and \\x", "keep \\n and \\x"},
		{"ends in \\", "ends in \\"},
		{"", ""},
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ssize_t n = fl_sd_unescape(fl_str_make(cases[i].in, strlen(cases[i].in)), out,
					   sizeof(out));

		cr_expect_eq(n, (ssize_t)strlen(cases[i].out), "case %zu", i);
		cr_expect(n >= 0 && memcmp(out, cases[i].out, (size_t)n) == 0, "case %zu", i);
	}
	cr_expect_eq(fl_sd_unescape(FL_STR_LIT("abc"), out, 2), -ENOBUFS);
}

Test(syslog_5424, writes_json_with_unescaped_values_and_repeated_params_as_arrays)
{
	struct fl_buf b;
	const char *want =
		"{\"pri\":165,\"facility\":20,\"severity\":5,\"version\":1,"
		"\"timestamp\":\"2026-11-25T10:00:00.120+08:00\",\"hostname\":\"h\","
		"\"app_name\":\"a\",\"procid\":null,\"msgid\":\"ID1\","
		"\"structured_data\":{\"origin\":{\"ip\":[\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\"],"
		"\"q\":\"say \\\"x\\\" ]\"},\"meta@1\":{}},\"msg\":\"m\"}";

	cr_expect_str_eq(render_json(&b, "<165>1 2026-11-25T10:00:00.120+08:00 h a - ID1 "
				     "[origin ip=\"10.0.0.1\" q=\"say \\\"x\\\" \\]\" ip=\"10.0.0.2\"]"
				     "[meta@1][origin ip=\"10.0.0.3\"] m",
				     &opts),
			 want);
	fl_buf_free(&b);
}

Test(syslog_5424, writes_json_with_z_for_utc_and_error_for_a_bad_line)
{
	struct fl_buf b;

	cr_expect_str_eq(render_json(&b, "<13>1 2026-11-25T02:00:00.5+00:00 - - - - -", &opts),
			 "{\"pri\":13,\"facility\":1,\"severity\":5,\"version\":1,"
			 "\"timestamp\":\"2026-11-25T02:00:00.5Z\",\"hostname\":null,"
			 "\"app_name\":null,\"procid\":null,\"msgid\":null,"
			 "\"structured_data\":null,\"msg\":null}");
	fl_buf_free(&b);
	cr_expect_str_eq(render_json(&b, "<13>1 -", &opts),
			 "{\"pri\":13,\"facility\":1,\"severity\":5,\"version\":null,"
			 "\"timestamp\":null,\"hostname\":null,\"app_name\":null,\"procid\":null,"
			 "\"msgid\":null,\"structured_data\":null,\"msg\":\"<13>1 -\","
			 "\"error\":\"message ends inside the header\"}");
	fl_buf_free(&b);
	/* another VERSION is decoded and kept (rsyslog's reading) */
	cr_expect_str_eq(render_json(&b, "<13>2 - - - - - -", &opts),
			 "{\"pri\":13,\"facility\":1,\"severity\":5,\"version\":2,"
			 "\"timestamp\":null,\"hostname\":null,\"app_name\":null,\"procid\":null,"
			 "\"msgid\":null,\"structured_data\":null,\"msg\":null}");
	fl_buf_free(&b);
}

Test(syslog_5424, names_every_verdict)
{
	for (int v = 0; v < FL_SYSLOG__COUNT; v++) {
		const char *t = fl_syslog_verdict_text((enum fl_syslog_verdict)v);

		cr_expect(t && *t && strcmp(t, "unknown verdict") != 0, "verdict %d", v);
	}
	cr_expect_str_eq(fl_syslog_verdict_text(FL_SYSLOG__COUNT), "unknown verdict");
	cr_expect_str_eq(fl_syslog_verdict_name(FL_SYSLOG_BAD_PRI), "BAD_PRI");
	cr_expect_str_eq(fl_syslog_verdict_name(FL_SYSLOG_OK), "OK");
	cr_expect_str_eq(fl_syslog_verdict_name(FL_SYSLOG__COUNT), "UNKNOWN");
}

Test(syslog_5424, decodes_with_null_options_as_utc_received_at_zero)
{
	static struct fl_event ev;
	const char *line = "<13>1 2026-11-25T02:00:00Z h a - - - m";

	cr_expect_eq(fl_syslog_decode(&ev, line, strlen(line), NULL), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns / 1000000000, T0);
	cr_expect_eq(ev.received_ns, 0);
}
