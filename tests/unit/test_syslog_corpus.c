/* syslog_corpus: every line of tests/unit/data/syslog/corpus.tsv (lines from
 * RFC examples, rsyslog's and other parsers' test suites and vendor guides,
 * each with its source) decodes to the fields written beside it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/decode/syslog.h"

#define RECEIVED_S 1780272000LL /* 2026-06-01T00:00:00Z */
#define FIELDS 6

/* "\n" in the file stands for a newline inside a message. */
static void unescape_newlines(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			*o++ = '\n';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

static bool same(struct fl_str got, const char *want)
{
	if (strcmp(want, "-") == 0)
		return !fl_str_present(got);
	return fl_str_present(got) && got.len == strlen(want) && memcmp(got.p, want, got.len) == 0;
}

/* "2026-10-11T22:14:15Z" to seconds, or -1 for "received". */
static long long utc_of(const char *text)
{
	int y, mo, d, h, mi, s;
	long long days;

	if (strcmp(text, "received") == 0)
		return -1;
	cr_assert_eq(sscanf(text, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s), 6, "time %s", text);
	y -= mo <= 2;
	days = (long long)(y / 400) * 146097 +
	       ((y % 400) * 365 + (y % 400) / 4 - (y % 400) / 100) +
	       (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1 - 719468;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

/* One row: field[0] source .. field[5] time. Returns true when it agrees. */
static bool check_line(char **field, int row)
{
	static struct fl_event ev;
	struct fl_syslog_opts opts = {.received_ns = RECEIVED_S * 1000000000LL, .year = 2026};
	long long want_s = utc_of(field[5]);
	enum fl_syslog_verdict v = fl_syslog_decode(&ev, field[1], strlen(field[1]), &opts);
	bool ok = v == FL_SYSLOG_OK && same(ev.syslog.hostname, field[2]) &&
		  same(ev.syslog.app_name, field[3]) && same(ev.syslog.msg, field[4]) &&
		  (want_s < 0 ? !ev.has_time && ev.time_ns == opts.received_ns
			      : ev.has_time && ev.time_ns / 1000000000LL == want_s);

	cr_expect(ok, "row %d (%s): verdict %s, host '%.*s', app '%.*s', msg '%.*s', time %lld",
		  row, field[0], fl_syslog_verdict_name(v), (int)ev.syslog.hostname.len,
		  ev.syslog.hostname.p ? ev.syslog.hostname.p : "", (int)ev.syslog.app_name.len,
		  ev.syslog.app_name.p ? ev.syslog.app_name.p : "", (int)ev.syslog.msg.len,
		  ev.syslog.msg.p ? ev.syslog.msg.p : "",
		  ev.has_time ? (long long)(ev.time_ns / 1000000000LL) : -1LL);
	return ok;
}

Test(syslog_corpus, every_line_reads_as_the_reference_parsers_read_it)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char path[4096], line[4096];
	int rows = 0, agree = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/unit/data/syslog/corpus.tsv", root);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *field[FIELDS], *save = NULL, *tok;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (tok = strtok_r(line, "\t", &save); tok && n < FIELDS; tok = strtok_r(NULL, "\t", &save))
			field[n++] = tok;
		cr_assert_eq(n, FIELDS, "row %d has %d fields", rows + 1, n);
		unescape_newlines(field[1]);
		unescape_newlines(field[4]);
		rows++;
		agree += check_line(field, rows);
	}
	fclose(f);
	cr_expect_geq(rows, 30, "the corpus has %d lines", rows);
	cr_expect_eq(agree, rows, "%d of %d lines read as the reference parsers do", agree, rows);
}
