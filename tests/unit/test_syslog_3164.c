/* RFC 3164 rows: the shapes this network's devices send (vendors.log and
 * malformed.log in the shared data), generalised, and the year and zone rules. */
#include <stdio.h>
#include <stdlib.h>

#include "engine/lib/tz.h"
#include "syslog_rows.h"

#define T0 1795572000 /* 2026-11-25T10:00:00+08:00 */
#define CST (8 * 3600)
#define NS(s) ((int64_t)(s) * 1000000000)
#define T32 "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT"
#define T129 T32 T32 T32 T32 "T"

static const struct row rows[] = {
	{"plain", "<13>Nov 25 10:00:00 host app[12]: text", FL_SYSLOG_OK, 13, "host", "app", "12",
	 ABSENT, "text", T0, CST},
	{"day_padded_with_space", "<13>Nov  5 10:00:00 h t: x", FL_SYSLOG_OK, 13, "h", "t", ABSENT,
	 ABSENT, "x", 1793844000, CST},
	{"day_single_space", "<13>Nov 5 10:00:00 h t: x", FL_SYSLOG_OK, 13, "h", "t", ABSENT, ABSENT,
	 "x", 1793844000, CST},
	{"no_pri", "Nov 25 10:00:00 HC-JCJ-RT01 OSN: R_LOS raised port=1-7-1", FL_SYSLOG_OK, -1,
	 "HC-JCJ-RT01", "OSN", ABSENT, ABSENT, "R_LOS raised port=1-7-1", T0, CST},
	{"huawei_vrp_year_offset",
	 "<187>Nov 25 2026 10:00:00+08:00 HC-JCJ-RT01 %%01IFNET/4/LINK_STATE(l)[12]:The line "
	 "protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.",
	 FL_SYSLOG_OK, 187, "HC-JCJ-RT01", "IFNET", ABSENT, "LINK_STATE",
	 "The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.", T0,
	 CST},
	{"huawei_vrp_year_no_offset", "<188>Nov 25 2026 10:00:00 NN-OLT01 %%01DEVM/2/hwBoardFail_active"
				      "(t)[4704]:The board partially failed.",
	 FL_SYSLOG_OK, 188, "NN-OLT01", "DEVM", ABSENT, "hwBoardFail_active",
	 "The board partially failed.", T0, CST},
	{"huawei_without_level_letter", "<188>Nov 25 2026 10:00:00 h %%01CFM/4/SAVE:saved", FL_SYSLOG_OK,
	 188, "h", "CFM", ABSENT, "SAVE", "saved", T0, CST},
	{"year_and_west_offset", "<13>Nov 24 2026 21:00:00-05:00 h t: x", FL_SYSLOG_OK, 13, "h", "t",
	 ABSENT, ABSENT, "x", T0, -5 * 3600},
	{"written_year_wins", "<13>Nov 25 2020 10:00:00 h t: x", FL_SYSLOG_OK, 13, "h", "t", ABSENT,
	 ABSENT, "x", 1606269600, CST},
	{"cisco_seq_host", "<189>123: RT1: Nov 25 10:00:12.345 CST: %LINK-3-UPDOWN: Interface Gi0/1",
	 FL_SYSLOG_OK, 189, "RT1", ABSENT, ABSENT, ABSENT, "%LINK-3-UPDOWN: Interface Gi0/1", T0 + 12,
	 CST},
	{"cisco_seq_no_host", "<189>1719: Nov 25 10:00:53.886 CST: %LINEPROTO-5-UPDOWN: Line protocol",
	 FL_SYSLOG_OK, 189, ABSENT, ABSENT, ABSENT, ABSENT, "%LINEPROTO-5-UPDOWN: Line protocol",
	 T0 + 53, CST},
	{"cisco_utc", "<189>125: Nov 25 02:00:00.000 UTC: %SYS-5-X: y", FL_SYSLOG_OK, 189, ABSENT,
	 ABSENT, ABSENT, ABSENT, "%SYS-5-X: y", T0, 0},
	{"cisco_no_seq_host_first", "<189>RT1: Nov 25 10:00:00 CST: %SYS-5-X: y", FL_SYSLOG_OK, 189,
	 "RT1", ABSENT, ABSENT, ABSENT, "%SYS-5-X: y", T0, CST},
	{"cisco_unsynced_star", "<185>5740: *Mar  1 00:58:42.659: %PLATFORM_ENV-1-FAN: Faulty fan1",
	 FL_SYSLOG_OK, 185, ABSENT, ABSENT, ABSENT, ABSENT, "%PLATFORM_ENV-1-FAN: Faulty fan1", NO_TIME,
	 0},
	{"cisco_unsynced_dot", "<189>127: .Mar  1 00:01:02.123: %SYS-5-X: y", FL_SYSLOG_OK, 189, ABSENT,
	 ABSENT, ABSENT, ABSENT, "%SYS-5-X: y", NO_TIME, 0},
	{"ios_xr_node_prefix", "<189>4397: GX-NOC-RT02 RP/0/RSP0/CPU0:Nov 25 10:00:49.050 CST: "
			       "ifmgr[343]: %PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol",
	 FL_SYSLOG_OK, 189, "GX-NOC-RT02", "ifmgr", "343", ABSENT,
	 "%PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol", T0 + 49, CST},
	{"nx_os_empty_tag", "<189>Nov 25 10:00:00 GL-YS-FL-SW01 : 2026 Nov 25 10:00:00 CST: "
			    "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/23 is down",
	 FL_SYSLOG_OK, 189, "GL-YS-FL-SW01", ABSENT, ABSENT, ABSENT,
	 "2026 Nov 25 10:00:00 CST: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/23 is down",
	 T0, CST},
	{"empty_tag_no_space", "<187>Nov 25 10:00:00 HC-JCJ-RT01 :message with an empty tag",
	 FL_SYSLOG_OK, 187, "HC-JCJ-RT01", ABSENT, ABSENT, ABSENT, "message with an empty tag", T0,
	 CST},
	{"zte_no_tag", "<186>Nov 25 10:00:00 LZ-RS-OLT01 An alarm 45601 ID 6412 level 2 occurred",
	 FL_SYSLOG_OK, 186, "LZ-RS-OLT01", ABSENT, ABSENT, ABSENT,
	 "An alarm 45601 ID 6412 level 2 occurred", T0, CST},
	{"fiberhome_model_in_brackets", "<132>Nov 25 10:00:00 GG-PN-OLT01 OLT[AN5516-04]: RAISE LINK_DOWN",
	 FL_SYSLOG_OK, 132, "GG-PN-OLT01", "OLT", "AN5516-04", ABSENT, "RAISE LINK_DOWN", T0, CST},
	{"fiberhome_otnm", "<131>Nov 25 10:00:00 BS-TD-SDH01 OTNM2000: [ALARM] NE=BS-TD-SDH01",
	 FL_SYSLOG_OK, 131, "BS-TD-SDH01", "OTNM2000", ABSENT, ABSENT, "[ALARM] NE=BS-TD-SDH01", T0,
	 CST},
	{"linux_kernel", "<4>Nov 25 10:00:00 noc-log01 kernel: [66584.440339] eno1: NIC Link is Down",
	 FL_SYSLOG_OK, 4, "noc-log01", "kernel", ABSENT, ABSENT,
	 "[66584.440339] eno1: NIC Link is Down", T0, CST},
	{"ipv4_host", "<13>Nov 25 10:00:00 10.22.2.11 t: x", FL_SYSLOG_OK, 13, "10.22.2.11", "t",
	 ABSENT, ABSENT, "x", T0, CST},
	{"ipv6_host", "<13>Nov 25 10:00:00 fd00:22:2::11 t: x", FL_SYSLOG_OK, 13, "fd00:22:2::11", "t",
	 ABSENT, ABSENT, "x", T0, CST},
	{"fqdn_host", "<13>Nov 25 10:00:00 hc-yz-rt01.noc.example.net t: x", FL_SYSLOG_OK, 13,
	 "hc-yz-rt01.noc.example.net", "t", ABSENT, ABSENT, "x", T0, CST},
	{"tag_of_32", "<13>Nov 25 10:00:00 h TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT: x", FL_SYSLOG_OK, 13, "h",
	 "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT", ABSENT, ABSENT, "x", T0, CST},
	/* RFC 3164 caps a TAG at 32; rsyslog and syslog-ng take longer ones */
	{"tag_of_33_is_a_tag", "<13>Nov 25 10:00:00 h TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT: x",
	 FL_SYSLOG_OK, 13, "h", "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT", ABSENT, ABSENT, "x", T0, CST},
	{"tag_of_129_stays_in_msg", "<13>Nov 25 10:00:00 h " T129 ": x", FL_SYSLOG_OK, 13, "h",
	 ABSENT, ABSENT, ABSENT, T129 ": x", T0, CST},
	{"colon_inside_a_word_is_no_tag", "<13>Nov 25 10:00:00 h see:http://x", FL_SYSLOG_OK, 13, "h",
	 ABSENT, ABSENT, ABSENT, "see:http://x", T0, CST},
	{"no_tag_no_colon", "<187>Nov 25 10:00:00 HC-JCJ-RT01 no tag and no colon", FL_SYSLOG_OK, 187,
	 "HC-JCJ-RT01", ABSENT, ABSENT, ABSENT, "no tag and no colon", T0, CST},
	{"nested_header_stays_in_msg", "<187>Nov 25 10:00:00 H1 <187>Nov 25 10:00:00 H2 app: x",
	 FL_SYSLOG_OK, 187, "H1", ABSENT, ABSENT, ABSENT, "<187>Nov 25 10:00:00 H2 app: x", T0, CST},
	{"host_then_end", "<187>Nov 25 10:00:00 HC-JCJ-RT01", FL_SYSLOG_OK, 187, "HC-JCJ-RT01", ABSENT,
	 ABSENT, ABSENT, "", T0, CST},
	{"time_then_space", "<186>Nov 25 10:00:00 ", FL_SYSLOG_OK, 186, ABSENT, ABSENT, ABSENT, ABSENT,
	 "", T0, CST},
	{"time_then_end", "<187>Nov 25 10:00:00", FL_SYSLOG_OK, 187, ABSENT, ABSENT, ABSENT, ABSENT, "",
	 T0, CST},
	{"rfc3339_time_without_version", "<187>2026-11-25T10:00:00+08:00 HC-JCJ-RT01 app: ISO",
	 FL_SYSLOG_OK, 187, "HC-JCJ-RT01", "app", ABSENT, ABSENT, "ISO", T0, CST},
	{"nine_fraction_digits", "<13>Nov 25 10:00:00.123456789 h t: x", FL_SYSLOG_OK, 13, "h", "t",
	 ABSENT, ABSENT, "x", T0, CST},
	{"tag_with_pid_then_end", "<13>Nov 25 10:00:00 h sshd[1]:", FL_SYSLOG_OK, 13, "h", "sshd", "1",
	 ABSENT, "", T0, CST},
	/* verdicts */
	/* no timestamp (RFC 3164 §4.3.3): received time, no HOSTNAME, the rest is text */
	{"bad_month", "<187>Foo 25 10:00:00 HC-JCJ-RT01 app: bad month", FL_SYSLOG_OK, 187, ABSENT,
	 ABSENT, ABSENT, ABSENT, "Foo 25 10:00:00 HC-JCJ-RT01 app: bad month", NO_TIME, 0},
	{"impossible_date", "<187>Nov 32 25:61:00 HC-JCJ-RT01 app: x", FL_SYSLOG_BAD_DATE, 187,
	 BAD_FIELDS},
	{"hour_24", "<187>Nov 25 24:00:00 h app: x", FL_SYSLOG_BAD_DATE, 187, BAD_FIELDS},
	{"february_30", "<13>Feb 30 10:00:00 h t: x", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"february_29_in_written_non_leap_year", "<13>Feb 29 2026 10:00:00 h t: x", FL_SYSLOG_BAD_DATE,
	 13, BAD_FIELDS},
	{"offset_out_of_range", "<13>Nov 25 2026 10:00:00+24:00 h t: x", FL_SYSLOG_BAD_DATE, 13,
	 BAD_FIELDS},
	{"year_1800", "<13>Nov 25 1800 10:00:00 h t: x", FL_SYSLOG_BAD_DATE, 13, BAD_FIELDS},
	{"ends_after_day", "<187>Nov 25", FL_SYSLOG_TRUNCATED, 187, BAD_FIELDS},
	{"ends_inside_time", "<187>Nov 25 10:0", FL_SYSLOG_TRUNCATED, 187, BAD_FIELDS},
	{"ends_after_pri", "<187>", FL_SYSLOG_TRUNCATED, 187, BAD_FIELDS},
	{"garbage_after_time", "<13>Nov 25 10:00:00x h t: x", FL_SYSLOG_NO_TIMESTAMP, 13, BAD_FIELDS},
	{"doubled_pri", "<187><187>Nov 25 10:00:00 h app: x", FL_SYSLOG_OK, 187, ABSENT, ABSENT,
	 ABSENT, ABSENT, "<187>Nov 25 10:00:00 h app: x", NO_TIME, 0},
	{"bom_before_pri", "\xEF\xBB\xBF<187>Nov 25 10:00:00 h app: x", FL_SYSLOG_OK, -1, ABSENT,
	 ABSENT, ABSENT, ABSENT, "\xEF\xBB\xBF<187>Nov 25 10:00:00 h app: x", NO_TIME, 0},
	{"binary_without_time", "<13>\x01\x02 noise", FL_SYSLOG_NO_TIMESTAMP, 13, BAD_FIELDS},
	{"rfc3339_ten_fraction_digits", "<13>2026-11-25T10:00:00.1234567891+08:00 h t: x",
	 FL_SYSLOG_BAD_FRACTION, 13, BAD_FIELDS},
};

static struct fl_tz *load(const char *spec)
{
	struct fl_tz *tz = NULL;

	cr_assert_eq(fl_tz_load(&tz, spec), 0, "zone %s", spec);
	return tz;
}

Test(syslog_3164, decodes_every_row_of_the_table)
{
	struct fl_tz *tz = load("+08:00");
	struct fl_syslog_opts opts = {.received_ns = NS(1795579200), .tz = tz};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i], &opts);
	fl_tz_free(tz);
}

Test(syslog_3164, decodes_a_line_with_nul_bytes_by_its_length)
{
	static struct fl_event ev;
	static const char line[] = "<187>Nov 25 10:00:00 h app: NUL\0inside";
	struct fl_syslog_opts opts = {.received_ns = NS(1795579200)};

	cr_assert_eq(fl_syslog_decode(&ev, line, sizeof(line) - 1, &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.syslog.msg.len, 10);
	cr_expect_eq(fl_syslog_decode(&ev, "\0\0\0\0", 4, &opts), FL_SYSLOG_NO_TIMESTAMP);
}

struct year_case {
	const char *name, *line;
	int64_t received_s;
	int force_year;
	int64_t want_utc_s;
};

Test(syslog_3164, picks_the_year_nearest_the_received_time)
{
	static const struct year_case cases[] = {
		/* received 2027-01-01T00:00:05+08:00: a December line is last year's */
		{"december_read_in_january", "<13>Dec 31 23:59:59 h t: x", 1798732805, 0, 1798732799},
		/* received 2026-12-31T23:59:59+08:00 by a receiver whose clock is behind */
		{"january_read_in_december", "<13>Jan  1 00:00:05 h t: x", 1798732799, 0, 1798732805},
		/* Feb 29 fits only the leap year */
		{"february_29", "<13>Feb 29 00:00:00 h t: x", 1835481600, 0, 1835366400},
		{"forced_year", "<13>Nov 25 10:00:00 h t: x", 1795579200, 2020, 1606269600},
		{"same_day", "<13>Nov 25 10:00:00 h t: x", 1795579200, 0, T0},
	};
	struct fl_tz *tz = load("+08:00");
	static struct fl_event ev;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct year_case *c = &cases[i];
		struct fl_syslog_opts opts = {
			.received_ns = NS(c->received_s), .tz = tz, .year = c->force_year};

		cr_expect_eq(fl_syslog_decode(&ev, c->line, strlen(c->line), &opts), FL_SYSLOG_OK,
			     "case %s", c->name);
		cr_expect_eq(ev.time_ns / 1000000000, c->want_utc_s, "case %s: got %lld", c->name,
			     (long long)(ev.time_ns / 1000000000));
	}
	fl_tz_free(tz);
}

Test(syslog_3164, reads_times_without_offset_in_the_given_zone)
{
	static struct fl_event ev;
	const char *line = "<13>Jul  1 12:00:00 h t: x";
	struct fl_tz *ny = load("America/New_York"), *sh = load("Asia/Shanghai");
	struct fl_syslog_opts opts = {.received_ns = NS(1782921600), .tz = ny};

	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.utc_offset_s, -4 * 3600); /* EDT in July */
	cr_expect_eq(ev.time_ns / 1000000000, 1782921600);
	opts.tz = sh;
	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.utc_offset_s, 8 * 3600);
	opts.tz = NULL;
	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.utc_offset_s, 0);
	cr_expect_eq(ev.time_ns / 1000000000, 1782907200);
	fl_tz_free(ny);
	fl_tz_free(sh);
}

Test(syslog_3164, writes_json_with_the_offset_and_precision_the_line_used)
{
	struct fl_buf b;
	struct fl_syslog_opts opts = {.received_ns = NS(1795579200)};

	cr_expect_str_eq(render_json(&b, "<189>123: RT1: Nov 25 10:00:12.345 CST: %LINK-3-UPDOWN: x",
				     &opts),
			 "{\"pri\":189,\"facility\":23,\"severity\":5,\"version\":null,"
			 "\"timestamp\":\"2026-11-25T10:00:12.345+08:00\",\"hostname\":\"RT1\","
			 "\"app_name\":null,\"procid\":null,\"msgid\":null,"
			 "\"structured_data\":null,\"msg\":\"%LINK-3-UPDOWN: x\"}");
	fl_buf_free(&b);
	cr_expect_str_eq(render_json(&b, "<189>5: *Mar  1 00:01:02.123: %SYS-5-X: y", &opts),
			 "{\"pri\":189,\"facility\":23,\"severity\":5,\"version\":null,"
			 "\"timestamp\":null,\"clock_unsynced\":true,\"hostname\":null,"
			 "\"app_name\":null,\"procid\":null,\"msgid\":null,"
			 "\"structured_data\":null,\"msg\":\"%SYS-5-X: y\"}");
	fl_buf_free(&b);
	cr_expect_str_eq(render_json(&b, "Nov 25 02:00:00 h t: x", &opts),
			 "{\"pri\":null,\"facility\":null,\"severity\":null,\"version\":null,"
			 "\"timestamp\":\"2026-11-25T02:00:00Z\",\"hostname\":\"h\","
			 "\"app_name\":\"t\",\"procid\":null,\"msgid\":null,"
			 "\"structured_data\":null,\"msg\":\"x\"}");
	fl_buf_free(&b);
}
