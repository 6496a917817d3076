/* report_year.c - `faultline report --year YEAR`: each branch's yearly
 * record, the tickets of its area beside the dispatch directives it
 * received (report_year.h).
 *
 * The plan makes the directive system a yes/no item of every branch's
 * yearly evaluation (一票否决): a branch passes when every directive it
 * received was acknowledged, late or not; one never acknowledged (its time
 * past, nothing heard) fails it. One still within its time is open. The tickets and clocks stand beside it
 * for the review, without a verdict. */
#include "engine/cli/report_year.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/store_cli.h"
#include "engine/lib/buf.h"
#include "engine/lib/json.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"

#define BRANCHES_MAX 1024

struct branch {
	char name[96], city[96];
	bool is_city;
	int64_t tickets, met, missed;
	int64_t received, in_time, late, never, open, reports;
};

struct year {
	struct branch v[BRANCHES_MAX];
	size_t n, dropped;
};

static struct branch *branch_at(struct year *y, const char *name, const char *city, bool is_city)
{
	for (size_t i = 0; i < y->n; i++)
		if (y->v[i].is_city == is_city && strcmp(y->v[i].name, name) == 0)
			return &y->v[i];
	if (y->n == BRANCHES_MAX) {
		y->dropped++;
		return NULL;
	}
	struct branch *b = &y->v[y->n++];

	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(b->city, sizeof(b->city), "%s", is_city ? name : city ? city : "");
	b->is_city = is_city;
	return b;
}

/* A ticket row counts for its county and for the county's city. */
static int take_tickets(void *ctx, const struct fl_report_row *r)
{
	struct year *y = ctx;
	struct branch *at[2] = {
	    r->city ? branch_at(y, r->city, NULL, true) : NULL,
	    r->county ? branch_at(y, r->county, r->city, false) : NULL};

	for (size_t i = 0; i < 2; i++)
		if (at[i]) {
			at[i]->tickets += r->tickets;
			at[i]->met += r->clocks_met;
			at[i]->missed += r->clocks_missed;
		}
	return 0;
}

static int take_directives(void *ctx, const struct fl_directive_year_row *r)
{
	struct year *y = ctx;
	bool is_city = r->level && strcmp(r->level, "city") == 0;
	struct branch *b = branch_at(y, r->branch, is_city ? NULL : r->parent, is_city);

	if (b) {
		if (!b->city[0] && r->parent)
			snprintf(b->city, sizeof(b->city), "%s", r->parent);
		b->received += r->received;
		b->in_time += r->acked_in_time;
		b->late += r->acked_late;
		b->never += r->never;
		b->open += r->open;
		b->reports += r->reports;
	}
	return 0;
}

/* Cities by name, each followed by its counties by name; counties whose
 * city is not known last. */
static int by_place(const void *pa, const void *pb)
{
	const struct branch *a = pa, *b = pb;
	int c = strcmp(a->city, b->city);

	if (c && (!a->city[0]) != (!b->city[0]))
		return a->city[0] ? -1 : 1;
	if (c)
		return c;
	if (a->is_city != b->is_city)
		return a->is_city ? -1 : 1;
	return strcmp(a->name, b->name);
}

static bool passes(const struct branch *b)
{
	return b->never == 0;
}

static void print_text(const struct year *y, uint32_t year)
{
	printf("%u: each branch's year\n", year);
	fl_cli_cell(stdout, "BRANCH", 20);
	printf("%-7s %7s %5s %6s  %8s %7s %4s %5s %4s %7s  %s\n", "LEVEL", "TICKETS", "MET",
	       "MISSED", "ORDERS", "IN TIME", "LATE", "NEVER", "OPEN", "REPORTS", "DIRECTIVES");
	for (size_t i = 0; i < y->n; i++) {
		const struct branch *b = &y->v[i];
		char name[128];

		snprintf(name, sizeof(name), "%s%s", b->is_city ? "" : "  ", b->name);
		fl_cli_cell(stdout, name, 20);
		printf("%-7s %7lld %5lld %6lld  %8lld %7lld %4lld %5lld %4lld %7lld  %s\n",
		       b->is_city ? "city" : "county", (long long)b->tickets, (long long)b->met,
		       (long long)b->missed, (long long)b->received, (long long)b->in_time,
		       (long long)b->late, (long long)b->never, (long long)b->open,
		       (long long)b->reports, passes(b) ? "pass" : "FAIL (否决)");
	}
	if (!y->n)
		printf("no tickets and no directives in %u\n", year);
	if (y->dropped)
		printf("(%zu more branches than the %d shown)\n", y->dropped, BRANCHES_MAX);
}

static int print_json(const struct year *y, uint32_t year, int64_t as_of_ns)
{
	static const char *const counts[] = {"tickets", "clocks_met", "clocks_missed",
					     "directives", "acknowledged_in_time",
					     "acknowledged_late", "never_acknowledged", "open",
					     "reports"};
	char as_of[FL_TIME_ISO_LEN];
	struct fl_buf out;
	struct fl_json j;
	int rc;

	fl_buf_init(&out, 16u << 20);
	fl_json_init(&j, &out);
	fl_time_format(as_of_ns, as_of);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "year");
	fl_json_int(&j, year);
	fl_json_key(&j, "as_of");
	fl_json_cstr(&j, as_of);
	fl_json_key(&j, "branches");
	fl_json_arr_begin(&j);
	for (size_t i = 0; i < y->n; i++) {
		const struct branch *b = &y->v[i];
		const int64_t v[] = {b->tickets, b->met,   b->missed, b->received, b->in_time,
				     b->late,    b->never, b->open,   b->reports};

		fl_json_obj_begin(&j);
		fl_json_key(&j, "branch");
		fl_json_cstr(&j, b->name);
		fl_json_key(&j, "level");
		fl_json_cstr(&j, b->is_city ? "city" : "county");
		fl_json_key(&j, "city");
		fl_json_cstr(&j, b->city[0] ? b->city : NULL);
		for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
			fl_json_key(&j, counts[k]);
			fl_json_int(&j, v[k]);
		}
		fl_json_key(&j, "directives_pass");
		fl_json_bool(&j, passes(b));
		fl_json_obj_end(&j);
	}
	fl_json_arr_end(&j);
	fl_json_obj_end(&j);
	rc = fl_json_failed(&j) ? -EMSGSIZE : 0;
	if (rc == 0)
		printf("%s\n", out.p);
	fl_buf_free(&out);
	return rc;
}

int fl_report_year(struct fl_store *s, uint32_t year, int64_t as_of_ns, bool json)
{
	char from[16], to[16];
	int64_t from_ns, to_ns;
	struct year *y = calloc(1, sizeof(*y));
	int rc;

	if (!y)
		return -ENOMEM;
	snprintf(from, sizeof(from), "%04u-01-01", year);
	snprintf(to, sizeof(to), "%04u-01-01", year + 1);
	if (fl_time_parse(from, &from_ns) < 0 || fl_time_parse(to, &to_ns) < 0) {
		free(y);
		return -EINVAL;
	}
	rc = fl_store_report_each(s, from_ns, to_ns, as_of_ns, take_tickets, y);
	if (rc == 0)
		rc = fl_store_directive_year_each(s, from_ns, to_ns, as_of_ns, take_directives, y);
	if (rc == 0) {
		qsort(y->v, y->n, sizeof(y->v[0]), by_place);
		if (json)
			rc = print_json(y, year, as_of_ns);
		else
			print_text(y, year);
	}
	free(y);
	return rc;
}
