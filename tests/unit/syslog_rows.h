/* syslog_rows.h - the row type and checker the syslog decoder tables share. */
#ifndef FL_TEST_SYSLOG_ROWS_H
#define FL_TEST_SYSLOG_ROWS_H
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/decode/event.h"
#include "engine/lib/json.h"
#include "engine/decode/syslog.h"

#define ABSENT ((const char *)0)
#define NO_TIME INT64_MIN
/* The fields of a row whose line does not decode. */
#define BAD_FIELDS ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, NO_TIME, 0

/* One decoder row. Strings: ABSENT = the field must be absent. utc_s: the
 * event time's whole seconds in UTC, or NO_TIME for has_time == false. */
struct row {
	const char *name;
	const char *in;
	enum fl_syslog_verdict verdict;
	int pri;
	const char *host, *app, *procid, *msgid, *msg;
	int64_t utc_s;
	int32_t off_s;
};

static inline void expect_field(const char *row, const char *what, struct fl_str got,
				const char *want)
{
	if (!want) {
		cr_expect(!fl_str_present(got), "row %s: %s should be absent, is '%.*s'", row,
			  what, (int)got.len, got.p ? got.p : "");
		return;
	}
	cr_expect(fl_str_present(got) && got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
		  "row %s: %s is '%.*s', want '%s'", row, what, (int)got.len, got.p ? got.p : "(absent)",
		  want);
}

static inline void check_row(const struct row *r, const struct fl_syslog_opts *opts)
{
	static struct fl_event ev; /* tests run one at a time per process */
	size_t len = strlen(r->in);
	enum fl_syslog_verdict v = fl_syslog_decode(&ev, r->in, len, opts);

	cr_expect_eq(v, r->verdict, "row %s: verdict '%s', want '%s'", r->name,
		     fl_syslog_verdict_text(v), fl_syslog_verdict_text(r->verdict));
	cr_expect_eq(ev.syslog.pri, r->pri, "row %s: pri %d, want %d", r->name, ev.syslog.pri, r->pri);
	cr_expect(ev.raw.p == r->in && ev.raw.len == len, "row %s: raw", r->name);
	if (r->verdict != FL_SYSLOG_OK) {
		cr_expect_eq(ev.error, (int)r->verdict, "row %s: error code", r->name);
		cr_expect_str_eq(ev.error_reason, fl_syslog_verdict_text(r->verdict), "row %s", r->name);
		cr_expect(ev.syslog.msg.p == r->in && ev.syslog.msg.len == len,
			  "row %s: msg should be the whole line", r->name);
		cr_expect(!ev.has_time && ev.time_ns == opts->received_ns, "row %s: time", r->name);
		return;
	}
	cr_expect_eq(ev.error, 0, "row %s: error set on a decoded line", r->name);
	expect_field(r->name, "hostname", ev.syslog.hostname, r->host);
	expect_field(r->name, "app_name", ev.syslog.app_name, r->app);
	expect_field(r->name, "procid", ev.syslog.procid, r->procid);
	expect_field(r->name, "msgid", ev.syslog.msgid, r->msgid);
	expect_field(r->name, "msg", ev.syslog.msg, r->msg);
	if (r->utc_s == NO_TIME) {
		cr_expect(!ev.has_time, "row %s: has_time set", r->name);
		cr_expect_eq(ev.time_ns, opts->received_ns, "row %s: time_ns not received", r->name);
	} else {
		cr_expect(ev.has_time, "row %s: no time", r->name);
		cr_expect_eq(ev.time_ns / 1000000000, r->utc_s, "row %s: utc %lld, want %lld",
			     r->name, (long long)(ev.time_ns / 1000000000), (long long)r->utc_s);
		cr_expect_eq(ev.utc_offset_s, r->off_s, "row %s: offset %d, want %d", r->name,
			     ev.utc_offset_s, r->off_s);
	}
}

/* The JSON members fl_syslog_json_fields() writes for line, in an object. */
static inline char *render_json(struct fl_buf *b, const char *line,
				const struct fl_syslog_opts *opts)
{
	static struct fl_event ev;
	struct fl_json j;

	fl_syslog_decode(&ev, line, strlen(line), opts);
	fl_buf_init(b, 1 << 20);
	fl_json_init(&j, b);
	fl_json_obj_begin(&j);
	fl_syslog_json_fields(&j, &ev);
	fl_json_obj_end(&j);
	cr_assert(!fl_json_failed(&j));
	return b->p;
}

#endif /* FL_TEST_SYSLOG_ROWS_H */
