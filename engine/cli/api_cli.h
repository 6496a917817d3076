/* api_cli.h - what `run --http` and `serve` share: the HTTP API started from
 * a compiled plan (its levels and zone copied, so the API never borrows the
 * plan) and announced as "listening http ADDR" (or "https" with TLS). */
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
	const char *tls_cert, *tls_key; /* --http-tls-cert, --http-tls-key: HTTPS */
	bool is_insecure;  /* --http-insecure: plain HTTP off loopback */
};

/* The option rows of the API's TLS, for serve and run. */
#define FL_CLI_API_TLS_ROWS(o)                                                                     \
	FL_OPT_STRING_ROW("--http-tls-cert", &(o)->tls_cert, "FILE",                               \
			  "HTTPS: the API's certificate chain (PEM)"),                             \
	FL_OPT_STRING_ROW("--http-tls-key", &(o)->tls_key, "FILE", "HTTPS: its private key (PEM)"), \
	FL_OPT_FLAG_ROW("--http-insecure", &(o)->is_insecure,                                      \
			"plain HTTP on an address not loopback (TLS done by a proxy)")

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
int fl_cmd_token(int argc, char **argv);  /* bearer tokens in the users file (cmd_token.c) */

#endif /* FL_API_CLI_H */
