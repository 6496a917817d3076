/* syslog_time_cache: a reader's struct fl_syslog_time_cache changes how fast
 * an RFC 3164 line decodes, never what it decodes to. Each line is decoded
 * with the cache the lines before it left and compared, field by field, with
 * the same line decoded without one; and the cache is shown to be used. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "engine/lib/tz.h"

#define NS(s) ((int64_t)(s) * 1000000000)
#define RECEIVED_S 1795579200 /* 2026-11-25T12:00:00+08:00 */
#define JAN_1_2027_S 1798732805 /* 2027-01-01T00:00:05+08:00 */

/* Lines that share a stamp, with everything that may follow one: a fraction,
 * a zone, an offset out of range, the end of the line, a host that looks like
 * a zone; and stamps that only start like the cached one. */
static const char *const lines[] = {
	"<13>Nov 25 10:00:00 h t: x",
	"<13>Nov 25 10:00:00 h t: x",
	"<13>Nov 25 10:00:00.250 h t: x",
	"<13>Nov 25 10:00:00.h t: x",
	"<189>Nov 25 10:00:00 CST: %SYS-5-X: y",
	"<189>Nov 25 10:00:00 CSTX h t: x",
	"<189>Nov 25 10:00:00 UTC",
	"<13>Nov 25 10:00:00+08:00 h t: x",
	"<13>Nov 25 10:00:00+0530 h t: x",
	"<13>Nov 25 10:00:00+25:00 h t: x",
	"<13>Nov 25 10:00:00-0",
	"<13>Nov 25 10:00:00",
	"<13>Nov 25 10:00:00 ",
	"<13>Nov 25 10:00:00:",
	"<13>Nov 25 10:00:00x h t: x",
	"<13>Nov 25 10:00:0",
	"<13>Nov 25 10:00:0x h t: x",
	"<13>Nov 25 2026 10:00:00 h t: x",
	"<13>*Nov 25 10:00:00 h t: x",
	"<13>.Nov 25 10:00:00 h t: x",
	"<13>nov 25 10:00:00 h t: x",
	"<13>NOV 25 10:00:00 h t: x",
	"<13>Nov  5 10:00:00 h t: x",
	"<13>Nov 5 10:00:00 h t: x",
	"<13>Nov 5 10:00:00.5 h t: x",
	"<13>Nov 5 10:00:00 CST: y",
	"<13>Nov 31 10:00:00 h t: x",
	"<13>Feb 29 10:00:00 h t: x",
	"<13>Nov 25 24:00:00 h t: x",
	"<13>Dec 31 23:59:59 h t: x",
	"<13>Jan  1 00:00:00 h t: x",
	"Nov 25 10:00:00 h t: x",
	"<189>12: Nov 25 10:00:00 h t: x",
	"<189>RT1: Nov 25 10:00:00 CST: %SYS-5-X: y",
	"<189>Nov 25 10:00:00 RT1: Nov 25 10:00:00 x",
	"<13>1 2026-11-25T10:00:00Z h a - - - x",
	"<13>Nov 25 10:00:00\th t: x",
};

struct fixture {
	struct fl_tz *cst, *ny;
};

/* The decoded event's fields, compared as values and as slices of the line. */
static void expect_same_event(const struct fl_event *a, enum fl_syslog_verdict va,
			      const struct fl_event *b, enum fl_syslog_verdict vb, const char *what)
{
	const struct fl_syslog *x = &a->syslog, *y = &b->syslog;

	cr_expect_eq(va, vb, "%s: verdict %s, without the cache %s", what,
		     fl_syslog_verdict_name(va), fl_syslog_verdict_name(vb));
	cr_expect_eq(a->has_time, b->has_time, "%s: has_time", what);
	cr_expect_eq(a->time_ns, b->time_ns, "%s: time %lld, without the cache %lld", what,
		     (long long)a->time_ns, (long long)b->time_ns);
	cr_expect_eq(a->utc_offset_s, b->utc_offset_s, "%s: offset", what);
	cr_expect_eq(a->error, b->error, "%s: error", what);
	cr_expect_eq(x->pri, y->pri, "%s: pri", what);
	cr_expect_eq(x->no_timestamp, y->no_timestamp, "%s: no_timestamp", what);
#define SAME_SLICE(f) \
	cr_expect(x->f.p == y->f.p && x->f.len == y->f.len, "%s: " #f " differs", what)
	SAME_SLICE(timestamp);
	SAME_SLICE(hostname);
	SAME_SLICE(app_name);
	SAME_SLICE(procid);
	SAME_SLICE(msgid);
	SAME_SLICE(msg);
#undef SAME_SLICE
}

/* Decodes line with the cache and without it and expects the same event. */
static void expect_same(const char *line, struct fl_syslog_opts opts,
			struct fl_syslog_time_cache *cache, const char *what)
{
	static struct fl_event with, without; /* ~5 KiB each */
	enum fl_syslog_verdict vw, vo;

	opts.time_cache = NULL;
	vo = fl_syslog_decode(&without, line, strlen(line), &opts);
	opts.time_cache = cache;
	vw = fl_syslog_decode(&with, line, strlen(line), &opts);
	expect_same_event(&with, vw, &without, vo, what);
}

static struct fl_tz *load(const char *spec)
{
	struct fl_tz *tz = NULL;

	cr_assert_eq(fl_tz_load(&tz, spec), 0, "zone %s", spec);
	return tz;
}

Test(syslog_time_cache, every_line_after_every_line_decodes_as_without_a_cache)
{
	size_t n = sizeof(lines) / sizeof(lines[0]);
	struct fl_tz *tz = load("+08:00");
	const struct fl_syslog_opts variants[] = {
		{.received_ns = NS(RECEIVED_S), .tz = tz},
		{.received_ns = NS(RECEIVED_S), .tz = tz, .year = 2024},
		{.received_ns = NS(JAN_1_2027_S), .tz = NULL},
	};
	char what[256];

	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		for (size_t a = 0; a < n; a++) {
			for (size_t b = 0; b < n; b++) {
				struct fl_syslog_time_cache cache = {0};

				snprintf(what, sizeof(what), "options %zu, '%s' after '%s'", v,
					 lines[b], lines[a]);
				expect_same(lines[a], variants[v], &cache, what);
				expect_same(lines[b], variants[v], &cache, what);
			}
		}
	}
	fl_tz_free(tz);
}

Test(syslog_time_cache, takes_the_time_from_the_cache_only_when_the_bytes_match)
{
	static struct fl_event ev;
	struct fl_syslog_time_cache cache = {0};
	struct fl_syslog_opts opts = {.received_ns = NS(RECEIVED_S), .time_cache = &cache};
	const char *first = "<13>Nov 25 10:00:00 h t: x", *again = "<14>Nov 25 10:00:00 g u: y";
	const char *next = "<13>Nov 25 10:00:01 h t: x";

	cr_assert_eq(fl_syslog_decode(&ev, first, strlen(first), &opts), FL_SYSLOG_OK);
	cr_assert_eq(cache.len, 15);
	cr_expect(memcmp(cache.text, "Nov 25 10:00:00", 15) == 0);
	cr_expect_eq(cache.time_ns, ev.time_ns);
	/* a time no parse of the text gives: the next line can only have it
	 * from the cache */
	cache.time_ns = NS(42);
	cr_assert_eq(fl_syslog_decode(&ev, again, strlen(again), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, NS(42), "the same stamp was parsed again");
	cr_expect(ev.syslog.timestamp.p == again + 4 && ev.syslog.timestamp.len == 15);
	cr_expect_eq(ev.syslog.hostname.len, 1);
	cr_expect_eq(ev.syslog.hostname.p[0], 'g');
	/* the next second is parsed, and replaces the cached stamp */
	cr_assert_eq(fl_syslog_decode(&ev, next, strlen(next), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, NS(1795600801));
	cr_expect(memcmp(cache.text, "Nov 25 10:00:01", 15) == 0);
	cr_expect_eq(cache.time_ns, NS(1795600801));
}

Test(syslog_time_cache, keys_on_the_zone_the_year_and_the_received_time)
{
	static struct fl_event ev;
	struct fl_syslog_time_cache cache = {0};
	struct fl_tz *cst = load("+08:00"), *ny = load("America/New_York");
	struct fl_syslog_opts opts = {.received_ns = NS(JAN_1_2027_S), .tz = cst, .time_cache = &cache};
	const char *dec = "<13>Dec 31 23:59:59 h t: x";

	/* received on 1 January 2027: last year's December */
	cr_assert_eq(fl_syslog_decode(&ev, dec, strlen(dec), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, NS(1798732799));
	/* received in June 2026: the nearest December 31 is 2025's */
	opts.received_ns = NS(1780272000);
	cr_assert_eq(fl_syslog_decode(&ev, dec, strlen(dec), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, NS(1798732799 - 365 * 86400));
	/* a year given */
	opts.year = 2030;
	cr_assert_eq(fl_syslog_decode(&ev, dec, strlen(dec), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, NS(1924963199));
	/* another zone: New York is 13 hours behind Shanghai in December */
	opts.tz = ny;
	cr_assert_eq(fl_syslog_decode(&ev, dec, strlen(dec), &opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, NS(1924963199 + 13 * 3600));
	cr_expect_eq(ev.utc_offset_s, -5 * 3600);
	fl_tz_free(cst);
	fl_tz_free(ny);
}

Test(syslog_time_cache, crosses_a_month_and_a_year_in_a_row)
{
	static struct fl_event ev;
	struct fl_syslog_time_cache cache = {0};
	struct fl_tz *cst = load("+08:00");
	struct fl_syslog_opts opts = {.received_ns = NS(JAN_1_2027_S), .tz = cst, .time_cache = &cache};
	static const struct {
		const char *line;
		int64_t utc_s;
	} run[] = {
		{"<13>Dec 31 23:59:59 h t: x", 1798732799},
		{"<13>Dec 31 23:59:59 h t: x", 1798732799},
		{"<13>Jan  1 00:00:00 h t: x", 1798732800},
		{"<13>Jan  1 00:00:00 h t: x", 1798732800},
		{"<13>Jan 1 00:00:01 h t: x", 1798732801},
		{"<13>Jan 1 00:00:01 h t: x", 1798732801},
		{"<13>Jan  5 00:00:00 h t: x", 1799078400},
		{"<13>Jan 5 00:00:00 h t: x", 1799078400},
		{"<13>Jan  5 00:00:00 h t: x", 1799078400},
	};

	for (size_t i = 0; i < sizeof(run) / sizeof(run[0]); i++) {
		cr_assert_eq(fl_syslog_decode(&ev, run[i].line, strlen(run[i].line), &opts),
			     FL_SYSLOG_OK, "line %zu", i);
		cr_expect_eq(ev.time_ns, NS(run[i].utc_s), "line %zu: %lld", i,
			     (long long)(ev.time_ns / 1000000000));
		cr_expect_eq(ev.syslog.timestamp.len, strchr(run[i].line + 4, 'h') - run[i].line - 5,
			     "line %zu: timestamp text", i);
	}
	fl_tz_free(cst);
}

Test(syslog_time_cache, a_bad_stamp_after_a_good_one_is_still_refused)
{
	static struct fl_event ev;
	struct fl_syslog_time_cache cache = {0};
	struct fl_syslog_opts opts = {.received_ns = NS(RECEIVED_S), .time_cache = &cache};
	const char *good = "<13>Nov 25 10:00:00 h t: x";
	static const struct {
		const char *line;
		enum fl_syslog_verdict verdict;
	} bad[] = {
		{"<13>Nov 25 10:00:00+25:00 h t: x", FL_SYSLOG_BAD_DATE},
		{"<13>Nov 25 10:00:0x h t: x", FL_SYSLOG_OK}, /* no timestamp: all text */
		{"<13>Nov 25 10:00:0", FL_SYSLOG_TRUNCATED},
		{"<13>Nov 25 10:00:00x h t: x", FL_SYSLOG_NO_TIMESTAMP},
		{"<13>Nov 31 10:00:00 h t: x", FL_SYSLOG_BAD_DATE},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(fl_syslog_decode(&ev, good, strlen(good), &opts), FL_SYSLOG_OK);
		cr_assert_eq(cache.len, 15, "the good stamp is cached");
		cr_expect_eq(fl_syslog_decode(&ev, bad[i].line, strlen(bad[i].line), &opts),
			     bad[i].verdict, "'%s'", bad[i].line);
		cr_expect_eq(ev.has_time, false, "'%s' has a time", bad[i].line);
	}
	/* a stamp that did not decode is not cached */
	cr_expect(memcmp(cache.text, "Nov 25 10:00:00", 15) == 0);
}
