/* cmd_report.c - `faultline report`: the monthly service review.
 *
 * Per city and county, over tickets opened in [--from, --to): tickets by
 * level, mean time to acknowledge and to restore, clocks met, missed and
 * paused, and met/missed per clock (respond: acknowledged in time; on-site:
 * the crew arrived in time; repair: restored in time). A clock nobody acted
 * on counts as missed once its deadline passed. A date alone means its
 * 00:00 UTC; --to is exclusive.
 * A clock still running is judged by the times the store recorded, not by
 * when the report runs: it counts as missed if its deadline passed before
 * the period's end and before the latest time the store recorded (--at TIME
 * judges by TIME instead). A report on a store filled by a replay says what
 * happened in the recording, on any day.
 * Exit status: 0, 1 store failure, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/report_year.h"
#include "engine/store/store.h"
#include "engine/store/store_duty.h"
#include "engine/cli/store_cli.h"
#include "engine/store/store_time.h"

static void report_usage(FILE *out)
{
	fprintf(out, "usage: faultline report [--db PATH [--create]] --from DATE --to DATE\n"
	             "                        [--at DATE] [--json]\n"
	             "       faultline report [--db PATH] --year YEAR [--at DATE] [--json]\n"
	             "--year: each branch's year: the tickets of its area and the dispatch\n"
	             "directives it received; a branch that never acknowledged one fails\n"
	             "(一票否决).\n"
	             "DATE: YYYY-MM-DD[THH:MM[:SS]] with Z or +HH:MM (no suffix: UTC);\n"
	             "tickets opened from --from up to, not including, --to.\n"
	             "A clock still running counts as missed when its deadline passed before\n"
	             "--to and before --at (default: the latest time the store recorded).\n"
	             "RESPOND, ONSITE, REPAIR: clocks met/missed (acknowledged, on site,\n"
	             "restored in time).\n");
}

static void mean_text(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else
		fl_cli_duration(buf, len, s * 1000000000);
}

static int print_row(void *ctx, const struct fl_report_row *r)
{
	char ack[32], restore[32], place[256];
	int *rows = ctx;

	snprintf(place, sizeof(place), "%s / %s", r->city ? r->city : "?",
	         r->county ? r->county : "?");
	mean_text(ack, sizeof(ack), r->mean_ack_s);
	mean_text(restore, sizeof(restore), r->mean_restore_s);
	fl_cli_cell(stdout, place, 24);
	printf("%7lld  ", (long long)r->tickets);
	fl_cli_cell(stdout, r->levels, 24);
	printf("%-8s %-8s %5lld %6lld %6lld", ack, restore, (long long)r->clocks_met,
	       (long long)r->clocks_missed, (long long)r->pauses);
	for (int c = 0; c < FL_TICKET_CLOCK__COUNT; c++) {
		char mm[48];

		snprintf(mm, sizeof(mm), "%lld/%lld", (long long)r->met_by_clock[c],
		         (long long)r->missed_by_clock[c]);
		printf(" %9s", mm);
	}
	printf("\n");
	(*rows)++;
	return 0;
}

/* A duty's line: the occurrences due in the period and what became of them. */
static int print_duty(void *ctx, const struct fl_duty_report_row *r)
{
	size_t *n = ctx;

	if (!(*n)++)
		printf("\n%-24s %5s %5s %5s %5s %8s %12s\n", "DUTY", "DUE", "DONE", "LATE", "OPEN",
		       "OVERDUE", "PASSED OVER");
	fl_cli_cell(stdout, r->duty, 24);
	printf(" %5lld %5lld %5lld %5lld %8lld %12lld\n", (long long)r->due, (long long)r->done,
	       (long long)r->late, (long long)r->open, (long long)r->overdue,
	       (long long)r->passed_over);
	return 0;
}

static int print_duties(struct fl_store *s, int64_t from_ns, int64_t to_ns, int64_t as_of_ns)
{
	size_t n = 0;

	return fl_store_duty_report_each(s, from_ns, to_ns, as_of_ns, print_duty, &n);
}

int fl_cmd_report(int argc, char **argv)
{
	const char *db = NULL, *from = NULL, *to = NULL, *at = NULL;
	int64_t from_ns, to_ns, as_of_ns = 0;
	struct fl_store *s;
	bool json = false, create = false;
	uint32_t year = 0;
	int rc, rows = 0;

	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &db, "PATH", "the ticket store"),
		FL_OPT_FLAG_ROW("--create", &create, "make the store when it is not there"),
		FL_OPT_STRING_ROW("--from", &from, "DATE", "tickets opened from DATE on"),
		FL_OPT_STRING_ROW("--to", &to, "DATE", "up to, not including, DATE"),
		FL_OPT_STRING_ROW("--at", &at, "DATE", "judge running clocks at DATE"),
		FL_OPT_FLAG_ROW("--json", &json, "print one JSON document"),
		FL_OPT_UINT_ROW("--year", &year, 1970, 2199, FL_OPT_YEAR, "YEAR",
				"each branch's year: tickets and directives"),
	};
	const struct fl_opts_cmd cmd = {"report", opts, FL_ARRAY_LEN(opts), 0, false,
					report_usage};
	struct fl_opts_result res;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, &status))
		return status;
	if (year && (from || to)) {
		fprintf(stderr, "faultline report: --year or --from/--to, not both\n");
		return 2;
	}
	if (!year && (!from || !to || fl_time_parse(from, &from_ns) < 0 || fl_time_parse(to, &to_ns) < 0 ||
	    from_ns >= to_ns)) {
		fprintf(stderr, "faultline report: --from and --to must be dates, from before to\n");
		report_usage(stderr);
		return 2;
	}
	if (at && fl_time_parse(at, &as_of_ns) < 0) {
		fprintf(stderr, "faultline report: --at must be a date: '%s'\n", at);
		report_usage(stderr);
		return 2;
	}
	s = fl_cli_store_open_existing("report", db, create);
	if (!s)
		return 1;
	rc = at ? 0 : fl_store_recorded_until(s, &as_of_ns);
	if (rc < 0) {
		fprintf(stderr, "faultline report: %s (%s)\n", strerror(-rc), fl_store_errmsg(s));
		fl_store_close(s);
		return 1;
	}
	if (rc == 0 && year) {
		rc = fl_report_year(s, year, as_of_ns, json);
	} else if (json) {
		struct fl_buf b;

		fl_buf_init(&b, 16u << 20);
		rc = fl_store_report_json(s, from_ns, to_ns, as_of_ns, &b);
		if (rc == 0)
			printf("%s\n", b.p);
		fl_buf_free(&b);
	} else {
		printf("%s to %s\n", from, to);
		fl_cli_cell(stdout, "CITY / COUNTY", 24);
		printf("%7s  ", "TICKETS");
		fl_cli_cell(stdout, "BY LEVEL", 24);
		printf("%-8s %-8s %5s %6s %6s %9s %9s %9s\n", "ACK", "RESTORE", "MET", "MISSED",
		       "PAUSED", "RESPOND", "ONSITE", "REPAIR");
		rc = fl_store_report_each(s, from_ns, to_ns, as_of_ns, print_row, &rows);
		if (rc == 0 && rows == 0)
			printf("no tickets in this period\n");
		if (rc == 0)
			rc = print_duties(s, from_ns, to_ns, as_of_ns);
	}
	if (rc < 0)
		fprintf(stderr, "faultline report: %s (%s)\n", strerror(-rc), fl_store_errmsg(s));
	fl_store_close(s);
	return rc < 0 ? 1 : 0;
}
