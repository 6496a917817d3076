/* api_cli.c - `faultline serve` (the duty room's API and board over a store,
 * no inputs, no engine), `faultline passwd`, and the start of the API that
 * `run --http` shares with serve. */
#include "engine/cli/api_cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api.h"
#include "engine/api/api_auth.h"
#include "engine/cli/opts.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

/* Copies prog's levels into c (names back to back in c->names). */
static int levels_copy(struct fl_cli_api *c, const struct fl_program *prog, size_t *n)
{
	size_t len = 0, at = 0;

	*n = prog ? prog->n_levels : 0;
	for (size_t i = 0; i < *n; i++)
		len += prog->levels[i].name.len + 1;
	c->levels = calloc(*n ? *n : 1, sizeof(*c->levels));
	c->names = malloc(len ? len : 1);
	if (!c->levels || !c->names)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		const struct fl_prog_level *pl = &prog->levels[i];
		struct fl_api_level *l = &c->levels[i];

		memcpy(c->names + at, pl->name.p, pl->name.len);
		c->names[at + pl->name.len] = '\0';
		l->name = c->names + at;
		at += pl->name.len + 1;
		l->respond_ms = pl->respond_ms;
		for (size_t k = 0; k < 3 && k < FL_CLASS__COUNT; k++)
			l->onsite_ms[k] = pl->onsite_ms[k];
		l->repair_ms = pl->repair_ms;
	}
	return 0;
}

int fl_cli_api_start(struct fl_cli_api *c, const struct fl_cli_api_opts *o,
		     const struct fl_program *prog, const char *db, const char *cmd)
{
	struct fl_api_config cfg = {.addr = o->addr, .db = db, .users = o->users,
				    .anonymous_read = o->anonymous_read, .tls_cert = o->tls_cert,
				    .tls_key = o->tls_key, .is_plain_ok = o->is_insecure};
	char err[512] = "", where[128];
	size_t n_levels;

	memset(c, 0, sizeof(*c));
	if (levels_copy(c, prog, &n_levels) < 0)
		goto out_nomem;
	if (o->zone)
		c->zone = strdup(o->zone);
	else if (prog && prog->timezone.p)
		c->zone = strndup(prog->timezone.p, prog->timezone.len);
	else
		c->zone = strdup("UTC");
	if (!c->zone)
		goto out_nomem;
	cfg.zone = c->zone;
	cfg.program = prog;
	cfg.levels = c->levels;
	cfg.n_levels = n_levels;
	for (size_t i = 0; prog && i < prog->n_announces; i++) /* the consent warning's notice */
		if (prog->announces[i].before_ms > cfg.consent_notice_ms)
			cfg.consent_notice_ms = prog->announces[i].before_ms;
	if (fl_api_create(&c->api, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline %s: %s\n", cmd, err[0] ? err : "cannot start the API");
		goto out_free;
	}
	if (fl_api_start(c->api) < 0) {
		fprintf(stderr, "faultline %s: cannot start the HTTP thread\n", cmd);
		goto out_free;
	}
	fl_api_local(c->api, where, sizeof(where));
	fprintf(stderr, "listening %s %s\n", fl_api_is_tls(c->api) ? "https" : "http", where);
	fflush(stderr);
	return 0;

out_nomem:
	fprintf(stderr, "faultline %s: out of memory\n", cmd);
out_free:
	fl_cli_api_stop(c);
	return -1;
}

void fl_cli_api_stop(struct fl_cli_api *c)
{
	fl_api_destroy(c->api);
	c->api = NULL;
	free(c->levels);
	c->levels = NULL;
	free(c->names);
	c->names = NULL;
	free(c->zone);
	c->zone = NULL;
}

/* ---- serve ------------------------------------------------------------------ */

struct serve_args {
	const char *db, *plan, *data;
	struct fl_cli_api_opts api;
};

static void serve_usage(FILE *out)
{
	fprintf(out,
		"usage: faultline serve --db PATH --http ADDR [--users FILE]\n"
		"                       [--read-without-login] [-c PLAN [--data DIR]] [--tz ZONE]\n"
		"                       [--http-tls-cert FILE --http-tls-key FILE | --http-insecure]\n"
		"Serves the duty room's HTTP API and board (docs/api.md) over the store,\n"
		"as `run --http` does beside the engine. Without --users everyone may read and\n"
		"nobody may change anything; with it, each request logs in (HTTP basic) as a\n"
		"viewer, operator or admin of the file (lines name:role:hash, the hash from\n"
		"`faultline passwd`). The plan gives the levels of tickets opened by hand and\n"
		"the zone the board shows times in. With --http-tls-cert and --http-tls-key it\n"
		"speaks HTTPS; plain HTTP is served on a loopback address only, unless\n"
		"--http-insecure says a TLS proxy stands in front. SIGINT or SIGTERM stops it.\n");
}

static struct fl_plan *serve_plan(const struct serve_args *a)
{
	struct fl_plan_options popt = {.data_dir = a->data};
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	int rc;

	if (fl_diags_create(&d) < 0)
		return NULL;
	rc = fl_plan_compile(&plan, a->plan, &popt, d);
	fl_diag_print(d, stderr);
	fl_diags_destroy(d);
	return rc < 0 ? NULL : plan;
}

int fl_cmd_serve(int argc, char **argv)
{
	struct serve_args a = {0};
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &a.db, "PATH", "the ticket store (it must exist)"),
		FL_OPT_STRING_ROW("--http", &a.api.addr, "ADDR", "listen here (127.0.0.1:8080)"),
		FL_OPT_STRING_ROW("--users", &a.api.users, "FILE", "users, roles, password hashes"),
		FL_OPT_FLAG_ROW("--read-without-login", &a.api.anonymous_read,
				"with --users: reading needs no login"),
		FL_OPT_STRING_ROW("-c", &a.plan, "PLAN", "the plan: levels and zone"),
		FL_OPT_STRING_ROW("--plan", &a.plan, "PLAN", "the plan: levels and zone"),
		FL_OPT_STRING_ROW("--data", &a.data, "DIR", "the plan's data files"),
		FL_OPT_STRING_ROW("--tz", &a.api.zone, "ZONE", "the board's zone (default the plan's)"),
		FL_CLI_API_TLS_ROWS(&a.api),
	};
	const struct fl_opts_cmd cmd = {"serve", opts, FL_ARRAY_LEN(opts), 0, false, serve_usage};
	struct fl_opts_result res;
	struct fl_plan *plan = NULL;
	struct fl_cli_api c;
	sigset_t stop;
	int status, sig;

	if (!fl_opts_accept(&cmd, argc, argv, &a, &res, &status))
		return status;
	if (!a.db || !a.api.addr) {
		fprintf(stderr, "faultline serve: needs --db PATH and --http ADDR\n");
		return 2;
	}
	if (a.plan && !(plan = serve_plan(&a)))
		return 1;
	/* blocked before the HTTP thread starts, so it inherits the mask and
	 * the signals wait here for sigwait() */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	status = fl_cli_api_start(&c, &a.api, plan ? fl_plan_program(plan) : NULL, a.db, "serve");
	if (status == 0)
		(void)sigwait(&stop, &sig);
	fl_cli_api_stop(&c);
	fl_plan_destroy(plan);
	return status == 0 ? 0 : 1;
}

/* ---- passwd ----------------------------------------------------------------- */

static void passwd_usage(FILE *out)
{
	fprintf(out, "usage: faultline passwd < PASSWORD\n"
		     "Reads a password (its first line) on stdin and prints its SHA-512 crypt(3)\n"
		     "hash, for a users file line name:role:HASH (faultline serve --users).\n");
}

int fl_cmd_passwd(int argc, char **argv)
{
	const struct fl_opts_cmd cmd = {"passwd", NULL, 0, 0, false, passwd_usage};
	struct fl_opts_result res;
	char line[257], hash[256];
	int status;
	size_t n;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, &status))
		return status;
	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "faultline passwd: no password on stdin\n");
		return 1;
	}
	n = strcspn(line, "\r\n");
	if (n == 0 || (line[n] == '\0' && n == sizeof(line) - 1)) {
		fprintf(stderr, "faultline passwd: a password is 1 to 255 bytes\n");
		return 1;
	}
	line[n] = '\0';
	if (fl_api_hash_password(line, hash, sizeof(hash)) < 0) {
		fprintf(stderr, "faultline passwd: cannot hash (no randomness?)\n");
		return 1;
	}
	printf("%s\n", hash);
	return 0;
}
