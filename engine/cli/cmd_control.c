/* cmd_control.c - `faultline reload`, `faultline stats`, `faultline status`:
 * one request to a running `faultline run --control PATH` (pipeline/control.h).
 *
 * The answer's body goes to stdout (stats: the JSON line SIGUSR1 prints) or,
 * for a reload, to stderr with the plan's diagnostics. Exit status: 0 when
 * the daemon answered ok, 1 when it answered with an error (a refused plan),
 * 2 for a usage error, 3 when no daemon answered: a script that reloads
 * after deploying a plan can tell a bad plan from a stopped service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/pipeline/control.h"

/* systemd's RuntimeDirectory=faultline; dist/faultline.conf.in names it */
#define CONTROL_DEFAULT_PATH "/run/faultline/control"
/* a reload compiles the plan and feeds the journal again: give it time */
#define CLIENT_TIMEOUT_MS (FL_CONTROL_ANSWER_MS + 5000)

static void control_usage(FILE *out)
{
	fprintf(out,
		"usage: faultline reload|stats|status [--control PATH]\n"
		"\n"
		"Asks a running `faultline run --control PATH` (default " CONTROL_DEFAULT_PATH
		")\n"
		"to reload its plan and data, for its counters as one JSON line, or for a\n"
		"status line. Exit 0: done; 1: the daemon refused (a reload's plan has\n"
		"errors, shown on stderr; the old plan runs on); 3: no daemon answered.\n");
}

static int control_cmd(const char *name, int argc, char **argv)
{
	const char *path = CONTROL_DEFAULT_PATH;
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--control", &path, "PATH", "the daemon's control socket"),
	};
	const struct fl_opts_cmd cmd = {name, opts, FL_ARRAY_LEN(opts), 0, false, control_usage};
	struct fl_opts_result res;
	struct fl_buf reply;
	char err[512];
	const char *body;
	int status, rc;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, &status))
		return status;
	fl_buf_init(&reply, FL_CONTROL_REPLY_MAX + 64);
	rc = fl_control_request(path, name, CLIENT_TIMEOUT_MS, &reply, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "faultline %s: %s\n", name, err);
		fl_buf_free(&reply);
		return 3;
	}
	body = memchr(reply.p, '\n', reply.len);
	body = body ? body + 1 : reply.p + reply.len;
	fwrite(body, 1, reply.len - (size_t)(body - reply.p),
	       strcmp(name, "reload") == 0 || rc == 0 ? stderr : stdout);
	if (rc == 0 && body == reply.p + reply.len)
		fprintf(stderr, "faultline %s: %.*s\n", name, (int)reply.len, reply.p);
	fl_buf_free(&reply);
	return rc == 1 ? 0 : 1;
}

int fl_cmd_reload(int argc, char **argv)
{
	return control_cmd("reload", argc, argv);
}

int fl_cmd_stats(int argc, char **argv)
{
	return control_cmd("stats", argc, argv);
}

/* `status --db STORE` asks the store (which engine of a pair leads);
 * otherwise the running engine, through its control socket. */
int fl_cmd_status(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--db") == 0 || strncmp(argv[i], "--db=", 5) == 0)
			return fl_cmd_store_status(argc, argv);
	return control_cmd("status", argc, argv);
}
