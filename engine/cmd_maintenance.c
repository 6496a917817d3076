/* cmd_maintenance.c - `faultline maintenance`: windows announced ahead.
 *
 * Inside a window the engine records incidents as planned and pages nobody.
 * A window ends by itself at --to (and a recurring one at the end of each
 * occurrence): nobody has to remember to delete it for faults to page again.
 * Exit status: 0 done, 1 refused or not found, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/cli.h"
#include "engine/store.h"
#include "engine/store_cli.h"
#include "engine/store_time.h"

struct maint_args {
	const char *db, *verb, *id, *scope, *target, *from, *to, *reason, *by;
	enum fl_maint_recur recur;
	bool json;
};

static void maint_usage(FILE *out)
{
	fprintf(out,
	        "usage: faultline maintenance [--db PATH] add --scope device|site|ring|span|city\n"
	        "           --target ID --from TIME --to TIME [--weekly|--monthly]\n"
	        "           [--reason TEXT] [--by NAME]\n"
	        "       faultline maintenance [--db PATH] [--json] list\n"
	        "       faultline maintenance [--db PATH] delete ID\n"
	        "TIME: YYYY-MM-DD[THH:MM[:SS]] with Z or +HH:MM (no suffix: UTC).\n"
	        "A recurring window repeats its first occurrence every week or month.\n");
}

static int parse_args(struct maint_args *a, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char **slot = NULL;

		if (strcmp(opt, "--help") == 0) {
			maint_usage(stdout);
			exit(0);
		} else if (strcmp(opt, "--json") == 0) {
			a->json = true;
			continue;
		} else if (strcmp(opt, "--weekly") == 0 || strcmp(opt, "--monthly") == 0) {
			if (a->recur != FL_MAINT_NONE) {
				fprintf(stderr, "faultline maintenance: --weekly or --monthly, not both\n");
				return -EINVAL;
			}
			a->recur = opt[2] == 'w' ? FL_MAINT_WEEKLY : FL_MAINT_MONTHLY;
			continue;
		} else if (strcmp(opt, "--db") == 0) {
			slot = &a->db;
		} else if (strcmp(opt, "--scope") == 0) {
			slot = &a->scope;
		} else if (strcmp(opt, "--target") == 0) {
			slot = &a->target;
		} else if (strcmp(opt, "--from") == 0) {
			slot = &a->from;
		} else if (strcmp(opt, "--to") == 0) {
			slot = &a->to;
		} else if (strcmp(opt, "--reason") == 0) {
			slot = &a->reason;
		} else if (strcmp(opt, "--by") == 0) {
			slot = &a->by;
		} else if (opt[0] == '-' && opt[1] == '-') {
			fprintf(stderr, "faultline maintenance: unknown option %s\n", opt);
			return -EINVAL;
		} else if (!a->verb) {
			a->verb = opt;
			continue;
		} else if (!a->id) {
			a->id = opt;
			continue;
		} else {
			fprintf(stderr, "faultline maintenance: unexpected argument '%s'\n", opt);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "faultline maintenance: %s needs a value\n", opt);
			return -EINVAL;
		}
		*slot = argv[++i];
	}
	if (!a->verb) {
		fprintf(stderr, "faultline maintenance: which command? (add, list, delete)\n");
		return -EINVAL;
	}
	return 0;
}

static int do_add(struct fl_store *s, struct maint_args *a, int64_t now_ns)
{
	struct fl_maint_window w = {.scope = a->scope, .target = a->target, .recur = a->recur,
	                            .reason = a->reason, .by = a->by ? a->by : getenv("USER")};
	char from[FL_TIME_ISO_LEN], to[FL_TIME_ISO_LEN];
	int rc;

	if (!a->scope || !a->target || !a->from || !a->to) {
		fprintf(stderr, "faultline maintenance: add needs --scope, --target, --from, --to\n");
		return 2;
	}
	if (fl_time_parse(a->from, &w.from_ns) < 0 || fl_time_parse(a->to, &w.to_ns) < 0) {
		fprintf(stderr, "faultline maintenance: bad time '%s' (want 2026-11-25T02:00+08:00)\n",
		        fl_time_parse(a->from, &w.from_ns) < 0 ? a->from : a->to);
		return 2;
	}
	if (w.to_ns <= now_ns) {
		fprintf(stderr, "faultline maintenance: the window ends before now: nothing to add\n");
		return 1;
	}
	rc = fl_store_maint_add(s, &w, now_ns);
	if (rc == -EINVAL) {
		fprintf(stderr,
		        "faultline maintenance: refused: the scope must be device, site, ring, span"
		        " or city, --from before --to, and a recurring window shorter than its"
		        " period\n");
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "faultline maintenance: add: %s (%s)\n", strerror(-rc),
		        fl_store_errmsg(s));
		return 1;
	}
	fl_time_format(w.from_ns, from);
	fl_time_format(w.to_ns, to);
	printf("window %lld: %s %s from %s to %s%s%s\n", (long long)w.id, w.scope, w.target, from,
	       to, w.recur == FL_MAINT_WEEKLY ? ", weekly" : "",
	       w.recur == FL_MAINT_MONTHLY ? ", monthly" : "");
	return 0;
}

static int print_window(void *ctx, const struct fl_maint_view *v)
{
	static const char *const recur[] = {"once", "weekly", "monthly"};
	char from[FL_TIME_ISO_LEN], to[FL_TIME_ISO_LEN];

	(void)ctx;
	fl_time_format(v->next_from_ns, from);
	fl_time_format(v->next_to_ns, to);
	printf("%-5lld ", (long long)v->w.id);
	fl_cli_cell(stdout, v->w.scope, 7);
	fl_cli_cell(stdout, v->w.target, 20);
	printf("%s  %s  %-7s  %-6s  ", from, to, recur[v->w.recur], v->is_active ? "now" : "ahead");
	fl_cli_cell(stdout, v->w.reason, 0);
	fputc('\n', stdout);
	return 0;
}

static int do_list(struct fl_store *s, const struct maint_args *a, int64_t now_ns)
{
	int rc;

	if (a->json) {
		struct fl_buf b;

		fl_buf_init(&b, 16u << 20);
		rc = fl_store_maint_json(s, now_ns, &b);
		if (rc == 0)
			printf("%s\n", b.p);
		fl_buf_free(&b);
	} else {
		printf("%-5s %-7s%-20s%-20s  %-20s  %-7s  %-6s  %s\n", "ID", "SCOPE", "TARGET",
		       "FROM", "TO", "REPEATS", "STATE", "REASON");
		rc = fl_store_maint_each(s, now_ns, print_window, NULL);
	}
	if (rc < 0)
		fprintf(stderr, "faultline maintenance: list: %s\n", strerror(-rc));
	return rc < 0 ? 1 : 0;
}

static int do_delete(struct fl_store *s, const struct maint_args *a)
{
	char *end;
	long long id;
	int rc;

	if (!a->id) {
		fprintf(stderr, "faultline maintenance: delete needs a window id\n");
		return 2;
	}
	id = strtoll(a->id, &end, 10);
	if (*end || end == a->id || id <= 0) {
		fprintf(stderr, "faultline maintenance: bad window id '%s'\n", a->id);
		return 2;
	}
	rc = fl_store_maint_delete(s, id);
	if (rc == -ENOENT)
		fprintf(stderr, "faultline maintenance: no window %lld\n", id);
	else if (rc < 0)
		fprintf(stderr, "faultline maintenance: delete: %s\n", strerror(-rc));
	else
		printf("window %lld deleted\n", id);
	return rc < 0 ? 1 : 0;
}

int fl_cmd_maintenance(int argc, char **argv)
{
	struct maint_args a = {0};
	int64_t now_ns = fl_cli_now_ns();
	struct fl_store *s;
	int status;

	if (parse_args(&a, argc, argv) < 0) {
		maint_usage(stderr);
		return 2;
	}
	if (strcmp(a.verb, "add") != 0 && strcmp(a.verb, "list") != 0 &&
	    strcmp(a.verb, "delete") != 0) {
		fprintf(stderr, "faultline maintenance: unknown command '%s'\n", a.verb);
		maint_usage(stderr);
		return 2;
	}
	s = fl_cli_store_open("maintenance", a.db);
	if (!s)
		return 1;
	if (strcmp(a.verb, "add") == 0)
		status = do_add(s, &a, now_ns);
	else if (strcmp(a.verb, "list") == 0)
		status = do_list(s, &a, now_ns);
	else
		status = do_delete(s, &a);
	fl_store_close(s);
	return status;
}
