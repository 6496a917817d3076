/* api_cli.h - what `run --http` and `serve` share: the HTTP API started from
 * a compiled plan (its levels and zone copied, so the API never borrows the
 * plan) and announced as "listening http ADDR". */
#ifndef FL_API_CLI_H
#define FL_API_CLI_H
#include <stdbool.h>

struct fl_api;
struct fl_program;

struct fl_cli_api_opts {
	const char *addr;  /* --http; NULL: no API */
	const char *users; /* --users */
	bool anonymous_read; /* --read-without-login */
	const char *zone;  /* --tz; NULL: the plan's, else UTC */
};

/* The API and what it borrows; fl_cli_api_stop() frees both. */
struct fl_cli_api {
	struct fl_api *api;
	struct fl_api_level *levels;
	char *names;
	char *zone;
};

/* Starts the API on o->addr over the store db with prog's levels (prog may
 * be NULL: no tickets by hand); prints why on stderr as cmd and returns -1
 * when it cannot. */
int fl_cli_api_start(struct fl_cli_api *c, const struct fl_cli_api_opts *o,
		     const struct fl_program *prog, const char *db, const char *cmd);
void fl_cli_api_stop(struct fl_cli_api *c);

int fl_cmd_serve(int argc, char **argv);  /* the API and board alone, over a store */
int fl_cmd_passwd(int argc, char **argv); /* a users-file line's hash from stdin */

#endif /* FL_API_CLI_H */
