/* inputs_cli.h - what the commands that run the network inputs (`run`,
 * `listen`) share: their signal handling, the options that bound the
 * connections, the descriptor budget, the privilege drop after binding, and
 * the line per input that says where it listens. Main thread only. */
#ifndef FL_INPUTS_CLI_H
#define FL_INPUTS_CLI_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/cli/opts.h"

struct fl_inputs;
struct fl_inputs_config;
struct fl_usm;

/* The option rows on connections, for a command's table; cfg a struct
 * fl_inputs_config *. */
#define FL_CLI_CONN_ROWS(cfg)                                                                      \
	FL_OPT_UINT_ROW("--max-conns", &(cfg)->max_conns, 1, 1000000, FL_OPT_COUNT, "N",             \
			"cap on TCP (and TLS) connections, and on RELP sessions"),                             \
	FL_OPT_UINT_ROW("--max-conns-per-source", &(cfg)->max_conns_per_source, 1, 1000000,       \
			FL_OPT_COUNT, "N", "TCP (or RELP) connections from one address"),            \
	FL_OPT_UINT_ROW("--idle-timeout-ms", &(cfg)->idle_ms, 100, 86400000, FL_OPT_MS, "MS",     \
			"close a TCP/RELP connection that completes no frame this long")

/* The TLS input's option rows (RFC 5425); cfg a struct fl_inputs_config *.
 * The files are read, and the values checked, when the input is bound. */
#define FL_CLI_TLS_ROWS(cfg)                                                                       \
	FL_OPT_LISTEN_ROW("--tls", &(cfg)->addr[FL_INPUT_TLS], "syslog over TLS"),                  \
	FL_OPT_STRING_ROW("--tls-cert", &(cfg)->tls.cert, "FILE",                                  \
			  "TLS: the server's certificate (PEM)"),                                    \
	FL_OPT_STRING_ROW("--tls-key", &(cfg)->tls.key, "FILE", "TLS: its private key (PEM)"),     \
	FL_OPT_STRING_ROW("--tls-ca", &(cfg)->tls.ca, "FILE",                                      \
			  "TLS: the CA client certificates chain to (PEM)"),                         \
	FL_OPT_STRING_ROW("--tls-auth", &(cfg)->tls.auth, "MODE",                                  \
			  "TLS: x509 (client certificate required; default) or anon"),               \
	FL_OPT_STRING_ROW("--tls-peers", &(cfg)->tls.peers, "LIST",                                \
			  "TLS: permitted client names or SHA256:/SHA1: fingerprints"),              \
	FL_OPT_UINT_ROW("--tls-handshake-timeout-ms", &(cfg)->tls.handshake_ms, 100, 600000,       \
			FL_OPT_MS, "MS", "close a TLS connection still in its handshake this long")

/* --snmp-user "[-e ENGINEID] NAME [AUTH PASS [PRIV [PASS]]]" (is_file false)
 * or --snmp-users FILE of createUser lines (true): adds to *usm, creating
 * it on first use (free with fl_usm_destroy()). Returns 0, or a negative
 * errno with a sentence naming the option in err. */
int fl_cli_snmp_user(struct fl_usm **usm, const char *val, bool is_file, char *err,
		     size_t err_len);

/* Lowers cfg->max_conns to what the descriptor limit leaves after headroom
 * (see fl_inputs_fit_fd_limit()), saying so on stderr as "faultline CMD:
 * ...". Returns 0, or -1 when not one connection fits (said too). */
int fl_cli_fit_conns(struct fl_inputs_config *cfg, size_t headroom, const char *cmd);

/* Drops to user (a name or a number) and group (default: the user's own
 * group) for good: supplementary groups to just that group, then the group,
 * then the user, each checked, and a check that root cannot be taken back.
 * user NULL: nothing is done. Returns 0, or -1 with a sentence in err. */
int fl_cli_drop_privileges(const char *user, const char *group, char *err, size_t err_cap);

/* SIGINT and SIGTERM (and SIGUSR1 when with_usr1) call on_signal; SIGPIPE is
 * ignored, so a reader that goes away is an error value, not a death. */
void fl_cli_install_signals(void (*on_signal)(int), bool with_usr1);

/* "listening udp 127.0.0.1:40123" on stderr per input, flushed: the tests
 * and operators read the ports chosen for port 0 from it. */
void fl_cli_announce_inputs(const struct fl_inputs *in);

#endif /* FL_INPUTS_CLI_H */
