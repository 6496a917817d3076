/* cmd_status.c - `faultline status`: what a store says about the engines
 * that write it: the backend, the schema version, and for a pair on
 * PostgreSQL (`run --pair`) which engine leads, since when, with which
 * fencing number, and whether its session still holds the lead (an engine
 * that leads is active; any other engine of the pair is the standby).
 * Exit status: 0, 1 the store cannot be read, 2 usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/store_cli.h"
#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/lib/json.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"

static void status_usage(FILE *out)
{
	fprintf(out, "usage: faultline status [--db PATH] [--json]\n"
	             "The store's backend and schema version, and which engine of a\n"
	             "`run --pair` pair leads (active) and whether it still holds the lead.\n");
}

static void print_json(struct fl_store *s, const struct fl_store_lead *l)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 4096);
	fl_json_init(&j, &b);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "backend");
	fl_json_cstr(&j, fl_store_backend(s));
	fl_json_key(&j, "schema");
	fl_json_int(&j, FL_STORE_SCHEMA_VERSION);
	fl_json_key(&j, "lead");
	fl_json_obj_begin(&j);
	fl_json_key(&j, "holder");
	fl_json_cstr(&j, l->epoch ? l->holder : NULL);
	fl_json_key(&j, "fencing");
	fl_json_int(&j, l->epoch);
	fl_json_key(&j, "since_ns");
	fl_json_int(&j, l->since_ns);
	fl_json_key(&j, "writes");
	fl_json_int(&j, l->writes);
	fl_json_key(&j, "held");
	fl_json_bool(&j, l->is_held);
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	printf("%s\n", fl_json_failed(&j) ? "{}" : b.p);
	fl_buf_free(&b);
}

int fl_cmd_store_status(int argc, char **argv)
{
	const char *db = NULL;
	struct fl_store_lead l;
	char since[FL_TIME_ISO_LEN];
	struct fl_store *s;
	bool json = false;
	int rc;

	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &db, "PATH", "the ticket store"),
		FL_OPT_FLAG_ROW("--json", &json, "print one JSON document"),
	};
	const struct fl_opts_cmd cmd = {"status", opts, FL_ARRAY_LEN(opts), 0, false,
					status_usage};
	struct fl_opts_result res;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, &status))
		return status;
	s = fl_cli_store_open_existing("status", db, false);
	if (!s)
		return 1;
	rc = fl_store_lead_get(s, &l);
	if (rc < 0) {
		fprintf(stderr, "faultline status: %s (%s)\n", strerror(-rc), fl_store_errmsg(s));
		fl_store_close(s);
		return 1;
	}
	fl_time_format(l.since_ns, since);
	if (json)
		print_json(s, &l);
	else if (!l.epoch)
		printf("store: %s, schema %d; no engine has led it (one engine, no pair)\n",
		       fl_store_backend(s), FL_STORE_SCHEMA_VERSION);
	else
		printf("store: %s, schema %d; %s: %s (fencing number %lld, since %s, %lld writes)\n",
		       fl_store_backend(s), FL_STORE_SCHEMA_VERSION,
		       l.is_held ? "active" : "last active, the lead is free", l.holder,
		       (long long)l.epoch, since, (long long)l.writes);
	fl_store_close(s);
	return 0;
}
