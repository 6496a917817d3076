/* cmd_listen.c - `faultline listen`: run the network inputs with no rules and
 * print every message as one JSON line on stdout.
 *
 * The lines are also the capture format: each carries "raw", the message as
 * received, so `faultline replay` runs a capture as the live run saw it
 * (engine/decode/record.h).
 *
 * The main thread is the consumer: it drains the inputs' queue, writes JSON
 * Lines and flushes after each batch, so a reader sees events promptly.
 * SIGINT/SIGTERM stop the inputs, the queue is drained (a RELP message that
 * was acknowledged is never lost), and one JSON stats line goes to stderr.
 * SIGUSR1 prints the stats line without stopping. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/cli/cli.h"
#include "engine/cli/config.h"
#include "engine/cli/inputs_cli.h"
#include "engine/cli/opts.h"
#include "engine/input/inputs.h"
#include "engine/lib/json.h"
#include "engine/lib/net.h"
#include "engine/decode/message.h"
#include "engine/decode/record.h"
#include "engine/decode/snmp.h"
#include "engine/decode/syslog.h"
#include "engine/decode/usm.h"
#include "engine/lib/tz.h"
#include "engine/lib/utf8.h"

/* The one piece of file-scope state: what the signal handlers saw. */
static volatile sig_atomic_t got_signal;

#define SIG_STOP 1
#define SIG_STATS 2

/* Room kept free in the output buffer before each event: a message byte may
 * become a 6-byte escape and appear in more than one field. */
#define LINE_BYTES_PER_MSG_BYTE 16
#define LINE_BYTES_FIXED (64 * 1024)
#define DRAIN_WAIT_MS 100

static const char *const syslog_verdict_names[FL_SYSLOG__COUNT] = {
#define X(name, text) #name,
	FL_SYSLOG_VERDICTS(X)
#undef X
};

/* Owned by the main thread (the consumer). */
struct listen_state {
	struct fl_inputs *in;
	struct fl_buf line;
	struct fl_event *ev; /* scratch: one decoded message at a time */
	struct fl_tz *tz;
	size_t line_max_bytes; /* the longest line one event can need */
	uint64_t written, json_failed;
	/* syslog decoder verdicts per input (OK counts the decoded ones) */
	uint64_t verdicts[FL_INPUT__COUNT][FL_SYSLOG__COUNT];
	uint64_t trap_decoded;
	const char *tz_spec;
};

static void on_signal(int sig)
{
	got_signal |= (sig == SIGUSR1) ? SIG_STATS : SIG_STOP;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: faultline listen [-C FILE | --no-config]\n"
		"                        [--udp ADDR] [--tcp ADDR] [--relp ADDR] [--trap ADDR]\n"
		"                        [--tls ADDR --tls-cert FILE --tls-key FILE\n"
		"                         [--tls-ca FILE] [--tls-auth x509|anon]\n"
		"                         [--tls-peers LIST] [--tls-handshake-timeout-ms MS]]\n"
		"                        [--allow [INPUT=]CIDR ...] [--community NAME ...]\n"
		"                        [--snmp-user SPEC ...] [--snmp-users FILE ...]\n"
		"                        [--tz ZONE] [--max-msg-size N] [--max-conns N]\n"
		"                        [--max-conns-per-source N] [--idle-timeout-ms MS]\n"
		"                        [--user NAME [--group NAME]]\n"
		"\n"
		"ADDR is IPv4:PORT or [IPv6]:PORT; port 0 picks a free port; [::] takes\n"
		"IPv4 senders too. Each input listens on one address and\n"
		"is announced on stderr as 'listening udp 127.0.0.1:40123'.\n"
		"--allow udp=10.0.0.0/8 admits that network to one input (udp, tcp, relp,\n"
		"trap, tls); --allow 10.0.0.0/8 to all. Without --allow every source is\n"
		"admitted. --tls takes syslog over TLS (RFC 5425) with the caps of TCP; under\n"
		"--tls-auth x509 (the default) a client must show a certificate from\n"
		"--tls-ca, and one of --tls-peers when given (docs/syslog.md).\n"
		"--community NAME (repeatable) admits SNMP communities; default 'public'.\n"
		"--snmp-user SPEC (repeatable) admits SNMPv3 traps of a user, SPEC as\n"
		"  snmptrapd.conf's createUser: [-e ENGINEID] NAME [MD5|SHA|SHA-224|SHA-256|\n"
		"  SHA-384|SHA-512 AUTHPASS [DES|AES [PRIVPASS]]]; --snmp-users FILE reads\n"
		"  createUser lines. Without users, v3 traps are refused (v3_refused).\n"
		"--max-msg-size N caps TCP, TLS and RELP frames (default %d); longer ones are\n"
		"counted and discarded. --max-conns N caps TCP connections (default %d,\n"
		"lowered to what the descriptor limit allows), --max-conns-per-source those\n"
		"of one address (default %d); a connection that completes no frame for\n"
		"--idle-timeout-ms (default %d) is closed. --user binds, then drops to\n"
		"that user and its group (or --group) for good.\n"
		"Events go to stdout as JSON Lines; a stats line goes to stderr at exit and\n"
		"on SIGUSR1. The options may come from the [inputs] of a config file (-C\n"
		"FILE, by default " FL_CONFIG_DEFAULT_PATH " when it exists); those\n"
		"given on the command line override it.\n",
		FL_SYSLOG_MAX_MSG_DEFAULT, FL_TCP_MAX_CONNS_DEFAULT, FL_CONNS_PER_SOURCE_DEFAULT,
		FL_CONN_IDLE_MS_DEFAULT);
}

static int input_by_name(const char *name, size_t len)
{
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		if (strlen(fl_input_name((enum fl_input_kind)k)) == len &&
		    strncmp(fl_input_name((enum fl_input_kind)k), name, len) == 0)
			return k;
	return -1;
}

/* --allow [INPUT=]CIDR: a fl_opt_each_fn, ctx the inputs' config. */
static int add_allow(void *ctx, const struct fl_opt *opt, const char *arg, char *err, size_t err_len)
{
	(void)opt;
	struct fl_inputs_config *cfg = ctx;
	const char *eq = strchr(arg, '=');
	const char *cidr = eq ? eq + 1 : arg;
	int only = -1, rc = 0;

	if (eq) {
		only = input_by_name(arg, (size_t)(eq - arg));
		if (only < 0) {
			snprintf(err, err_len, "--allow %s: no input named '%.*s' "
					       "(udp, tcp, relp, trap, tls)",
				 arg, (int)(eq - arg), arg);
			return -EINVAL;
		}
	}
	for (int k = 0; k < FL_INPUT__COUNT && rc == 0; k++)
		if (only < 0 || only == k)
			rc = fl_cidr_list_add(&cfg->allow[k], cidr);
	if (rc < 0)
		snprintf(err, err_len, "--allow %s: %s", arg,
			 rc == -ENOSPC ? "too many networks for one input"
				       : "not a network (10.0.0.0/8, 2001:db8::/32, 127.0.0.1)");
	return rc;
}

/* --community NAME, repeatable. */
static int add_community(void *ctx, const struct fl_opt *opt, const char *val, char *err, size_t err_len)
{
	(void)opt;
	struct fl_inputs_config *cfg = ctx;

	if (cfg->n_communities >= FL_SNMP_MAX_COMMUNITIES || val[0] == '\0') {
		snprintf(err, err_len, "--community %s: empty, or more than %d communities", val,
			 FL_SNMP_MAX_COMMUNITIES);
		return -EINVAL;
	}
	cfg->communities[cfg->n_communities++] = val;
	return 0;
}

/* --snmp-user SPEC and --snmp-users FILE, repeatable. */
static int add_snmp_user(void *ctx, const struct fl_opt *opt, const char *val, char *err,
			 size_t err_len)
{
	struct fl_inputs_config *cfg = ctx;

	return fl_cli_snmp_user(&cfg->usm, val, strcmp(opt->name, "--snmp-users") == 0, err,
				err_len);
}

/* Returns 0 to go on, or the exit status: 0 after --help, 2 a usage error
 * (already reported). */
static int parse_args(int argc, char **argv, struct fl_inputs_config *cfg, const char **tz,
		      const char **user, const char **group, struct fl_config **config)
{
	const char *config_path = NULL;
	bool is_config_off = false;
	const struct fl_opt opts[] = {
		FL_OPT_LISTEN_ROW("--udp", &cfg->addr[FL_INPUT_UDP], "syslog over UDP"),
		FL_OPT_LISTEN_ROW("--tcp", &cfg->addr[FL_INPUT_TCP], "syslog over TCP"),
		FL_OPT_LISTEN_ROW("--relp", &cfg->addr[FL_INPUT_RELP], "syslog over RELP"),
		FL_OPT_LISTEN_ROW("--trap", &cfg->addr[FL_INPUT_TRAP], "SNMP traps"),
		FL_OPT_LIST_ROW("--allow", add_allow, "[INPUT=]CIDR", "admit a network"),
		FL_OPT_LIST_ROW("--community", add_community, "NAME", "admit an SNMP community"),
		FL_OPT_LIST_ROW("--snmp-user", add_snmp_user, "SPEC", "an SNMPv3 user (createUser)"),
		FL_OPT_LIST_ROW("--snmp-users", add_snmp_user, "FILE", "SNMPv3 users, createUser lines"),
		FL_OPT_STRING_ROW("--tz", tz, "ZONE", "zone of times without one"),
		FL_OPT_UINT_ROW("--max-msg-size", &cfg->max_msg, 16, 16u * 1024 * 1024,
				FL_OPT_BYTES, "N", "cap on TCP and RELP frames"),
		FL_CLI_CONN_ROWS(cfg),
		FL_CLI_TLS_ROWS(cfg),
		FL_OPT_STRING_ROW("--user", user, "NAME", "after binding, run as this user"),
		FL_OPT_STRING_ROW("--group", group, "NAME", "and this group"),
		FL_CONFIG_ROWS(&config_path, &is_config_off),
	};
	const struct fl_opts_cmd cmd = {"listen", opts, FL_ARRAY_LEN(opts), 0, false, usage};
	struct fl_opts_result res;
	int status;

	if (!fl_config_prepare(config, &cmd, argc, argv, cfg, &status))
		return status;
	if (!fl_opts_accept(&cmd, argc, argv, cfg, &res, &status))
		return status == 0 ? -1 : status;
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		if (cfg->addr[k])
			return 0;
	fprintf(stderr, "faultline listen: no input given (--udp, --tcp, --relp, --trap or --tls)\n");
	return 2;
}

static void stat_member(struct fl_json *j, const char *key, uint64_t v)
{
	fl_json_key(j, key);
	fl_json_uint(j, v);
}

/* Decodes the message into st->ev and counts its verdict. */
static void decode(struct listen_state *st, const struct fl_msg *m)
{
	struct fl_message_opts opts = {.tz = st->tz};
	int v = fl_message_decode(st->ev, &m->msg, &opts);

	if (m->msg.transport == FL_TRANSPORT_SNMP) {
		if (v == 0)
			st->trap_decoded++;
		return;
	}
	if ((unsigned)v < FL_SYSLOG__COUNT)
		st->verdicts[m->input][v]++;
}

static void write_event(void *ctx, const struct fl_msg *m)
{
	struct listen_state *st = ctx;
	struct fl_json j;
	size_t start = st->line.len;

	decode(st, m);
	fl_json_init(&j, &st->line);
	fl_json_obj_begin(&j);
	fl_record_write_envelope(&j, &m->msg);
	if (m->msg.transport == FL_TRANSPORT_SNMP)
		fl_snmp_json_fields(&j, st->ev);
	else
		fl_syslog_json_fields(&j, st->ev);
	fl_json_obj_end(&j);
	if (fl_json_failed(&j) || fl_buf_addc(&st->line, '\n') < 0) {
		st->line.len = start; /* drop the partial line, keep the stream valid */
		st->line.overflowed = false;
		st->json_failed++;
		return;
	}
	st->written++;
}

static void write_verdicts(struct fl_json *j, const uint64_t *counts)
{
	stat_member(j, "decoded", counts[FL_SYSLOG_OK]);
	fl_json_key(j, "errors");
	fl_json_obj_begin(j);
	for (int v = 1; v < FL_SYSLOG__COUNT; v++)
		if (counts[v] > 0)
			stat_member(j, syslog_verdict_names[v], counts[v]);
	fl_json_obj_end(j);
}

static void print_stats(const struct listen_state *st)
{
	struct fl_buf b;
	struct fl_json j;

	fl_buf_init(&b, 64 * 1024);
	fl_json_init(&j, &b);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "stats");
	fl_json_obj_begin(&j);
	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		struct fl_input_stats s;

		if (!fl_inputs_enabled(st->in, (enum fl_input_kind)k))
			continue;
		fl_inputs_stats(st->in, (enum fl_input_kind)k, &s);
		fl_json_key(&j, fl_input_name((enum fl_input_kind)k));
		fl_json_obj_begin(&j);
		stat_member(&j, "received", s.received);
		stat_member(&j, "dropped_allowlist", s.dropped_allowlist);
		stat_member(&j, "queue_full", s.queue_full);
		if (k != FL_INPUT_TRAP)
			write_verdicts(&j, st->verdicts[k]);
		if (k == FL_INPUT_UDP || k == FL_INPUT_TRAP)
			stat_member(&j, "kernel_drops", s.kernel_drops);
		if (k == FL_INPUT_TCP || k == FL_INPUT_RELP || k == FL_INPUT_TLS)
			stat_member(&j, "too_long", s.too_long);
		if (k == FL_INPUT_TCP || k == FL_INPUT_TLS) {
			stat_member(&j, "bad_framing", s.bad_framing);
			stat_member(&j, "half_frames", s.half_frames);
			stat_member(&j, "paused", s.paused);
			stat_member(&j, "connections", s.connections);
			stat_member(&j, "evicted", s.evicted);
			stat_member(&j, "stalled_closed", s.stalled_closed);
		}
		if (k == FL_INPUT_TLS) {
			stat_member(&j, "handshake_failed", s.handshake_failed);
			stat_member(&j, "peer_rejected", s.peer_rejected);
			stat_member(&j, "handshake_timeout", s.handshake_timeout);
			stat_member(&j, "log_suppressed", s.log_suppressed);
		}
		if (k == FL_INPUT_TCP || k == FL_INPUT_RELP || k == FL_INPUT_TLS) {
			stat_member(&j, "refused", s.refused);
			stat_member(&j, "refused_per_source", s.refused_per_source);
			stat_member(&j, "idle_closed", s.idle_closed);
		}
		if (k == FL_INPUT_TRAP) {
			stat_member(&j, "bad_community", s.bad_community);
			stat_member(&j, "undecodable", s.undecodable);
			stat_member(&j, "v3_refused", s.v3_refused);
			stat_member(&j, "usm_unknown_user", s.usm_unknown_user);
			stat_member(&j, "usm_unknown_engine_id", s.usm_unknown_engine_id);
			stat_member(&j, "usm_unsupported_level", s.usm_unsupported_level);
			stat_member(&j, "usm_wrong_digest", s.usm_wrong_digest);
			stat_member(&j, "usm_not_in_time_window", s.usm_not_in_time_window);
			stat_member(&j, "usm_decryption_error", s.usm_decryption_error);
			stat_member(&j, "informs_answered", s.informs_answered);
			stat_member(&j, "decoded", st->trap_decoded);
			stat_member(&j, "log_suppressed", s.log_suppressed);
		}
		fl_json_obj_end(&j);
	}
	fl_json_key(&j, "output");
	fl_json_obj_begin(&j);
	stat_member(&j, "written", st->written);
	stat_member(&j, "json_failed", st->json_failed);
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	if (!fl_json_failed(&j))
		fprintf(stderr, "%s\n", b.p);
	fl_buf_free(&b);
}

static void flush_lines(struct listen_state *st)
{
	if (st->line.len == 0)
		return;
	fwrite(st->line.p, 1, st->line.len, stdout);
	fflush(stdout);
	fl_buf_reset(&st->line);
}

/* Writes the JSON of one drained message, flushing when the line buffer is
 * close to full so a huge batch never overflows it. */
static void on_message(void *ctx, const struct fl_msg *m)
{
	struct listen_state *st = ctx;

	if (st->line.max - st->line.len < st->line_max_bytes)
		flush_lines(st);
	write_event(st, m);
}

int fl_cmd_listen(int argc, char **argv)
{
	struct fl_inputs_config cfg;
	struct fl_config *config = NULL; /* the strings cfg borrows from the file */
	struct listen_state st;
	const char *user = NULL, *group = NULL;
	char err[256];
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&st, 0, sizeof(st));
	fl_inputs_config_defaults(&cfg);
	rc = parse_args(argc, argv, &cfg, &st.tz_spec, &user, &group, &config);
	if (rc != 0) {
		fl_usm_destroy(cfg.usm);
		fl_config_destroy(config);
		return rc < 0 ? 0 : rc; /* -1: --help was answered */
	}
	if (cfg.n_communities == 0)
		cfg.communities[cfg.n_communities++] = "public";
	rc = fl_tz_load(&st.tz, st.tz_spec);
	if (rc < 0 && st.tz_spec) {
		fprintf(stderr, "faultline listen: --tz %s: %s\n", st.tz_spec, strerror(-rc));
		fl_usm_destroy(cfg.usm);
		fl_config_destroy(config);
		return 2;
	}
	if (rc < 0) /* no machine zone (/etc/localtime): RFC 3164 times read as UTC */
		st.tz = NULL;
	rc = 0;
	st.ev = calloc(1, sizeof(*st.ev));
	if (!st.ev) {
		fl_tz_free(st.tz);
		fprintf(stderr, "faultline listen: out of memory\n");
		fl_usm_destroy(cfg.usm);
		fl_config_destroy(config);
		return 1;
	}
	if (fl_cli_fit_conns(&cfg, FL_FD_HEADROOM_BASE, "listen") < 0) {
		rc = 1;
		goto out_free;
	}
	if (fl_inputs_create(&st.in, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline listen: %s\n", err);
		rc = 1;
		goto out_free;
	}
	if (fl_cli_drop_privileges(user, group, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline listen: %s; refusing to go on\n", err);
		rc = 1;
		goto out_destroy;
	}
	fl_cli_install_signals(on_signal, true);
	fl_cli_announce_inputs(st.in);
	/* The largest message: a UDP datagram, or a TCP/RELP frame. */
	st.line_max_bytes = LINE_BYTES_FIXED +
			    LINE_BYTES_PER_MSG_BYTE * (cfg.max_msg > FL_UDP_MAX_DATAGRAM
							       ? cfg.max_msg
							       : FL_UDP_MAX_DATAGRAM);
	fl_buf_init(&st.line, 4 * st.line_max_bytes);
	if (fl_inputs_start(st.in) < 0) {
		fprintf(stderr, "faultline listen: cannot start the input threads\n");
		rc = 1;
		goto out_destroy;
	}
	while (!(got_signal & SIG_STOP)) {
		fl_inputs_drain(st.in, DRAIN_WAIT_MS, on_message, &st);
		flush_lines(&st);
		if (got_signal & SIG_STATS) {
			got_signal &= ~SIG_STATS;
			print_stats(&st);
		}
	}
	fl_inputs_stop(st.in);
	fl_inputs_drain(st.in, 0, on_message, &st);
	flush_lines(&st);
	print_stats(&st);
out_destroy:
	fl_inputs_destroy(st.in);
	fl_buf_free(&st.line);
out_free:
	free(st.ev);
	st.ev = NULL;
	fl_tz_free(st.tz);
	fl_usm_destroy(cfg.usm); /* after the inputs that used it */
	fl_config_destroy(config);
	return rc;
}
