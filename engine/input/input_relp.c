/* input_relp.c - the RELP server (librelp) on its own thread.
 *
 * librelp runs its own loop in relpEngineRun() and calls on_syslog() for
 * each message; the message is acknowledged to the sender when the callback
 * returns, so the callback returns only once the message is in the queue
 * (it waits for room). A message dropped by the allowlist or as too long is
 * acknowledged too: resending it would be refused again forever.
 *
 * librelp has no way to report the port it bound, so for port 0 the
 * listening socket is found among the descriptors it opened. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <librelp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/input/inputs_int.h"

/* Descriptors scanned for the socket librelp opened. */
#define RELP_FD_SCAN_MAX 4096
/* How long stop waits for librelp's loop to notice, in 10 ms steps. */
#define RELP_STOP_STEPS 500

static bool parse_peer_ip(const char *ip, struct fl_net_addr *out)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&out->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&out->ss;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		out->len = sizeof(*in4);
		return true;
	}
	if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		out->len = sizeof(*in6);
		return true;
	}
	return false;
}

static relpRetVal on_syslog(void *usr, unsigned char *hostname, unsigned char *ip,
			    unsigned char *msg, size_t len)
{
	struct fl_inputs *in = usr;
	struct fl_net_addr peer;
	bool has_peer = parse_peer_ip((const char *)ip, &peer);

	(void)hostname;
	if (!has_peer || !fl_cidr_list_allows(&in->cfg.allow[FL_INPUT_RELP],
					      (const struct sockaddr *)&peer.ss, peer.len)) {
		FL_STAT_ADD(in, FL_INPUT_RELP, dropped_allowlist, 1);
		return RELP_RET_OK;
	}
	if (len > in->cfg.max_msg) {
		FL_STAT_ADD(in, FL_INPUT_RELP, too_long, 1);
		return RELP_RET_OK;
	}
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\0'))
		len--;
	(void)fl_inputs_push(in, FL_INPUT_RELP, FL_TRANSPORT_RELP, (const struct sockaddr *)&peer.ss,
			     peer.len, fl_inputs_now_ns(), (const char *)msg, len, true);
	return RELP_RET_OK;
}

static void on_error(void *usr, char *objinfo, char *errmsg, relpRetVal code)
{
	(void)usr;
	fprintf(stderr, "faultline: relp: %s: %s (librelp error %d)\n", objinfo ? objinfo : "?",
		errmsg ? errmsg : "?", code);
}

static void on_generic_error(char *objinfo, char *errmsg, relpRetVal code)
{
	on_error(NULL, objinfo, errmsg, code);
}

/* librelp calls its debug hook unconditionally in places; it must be set. */
static void relp_debug_quiet(char *fmt, ...)
{
	(void)fmt;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Finds the listening socket librelp opened: a descriptor closed before,
 * open now, that accepts connections. */
static int find_relp_listener(const unsigned char *was_open, struct fl_net_addr *out)
{
	for (int fd = 0; fd < RELP_FD_SCAN_MAX; fd++) {
		int is_listening = 0;
		socklen_t optlen = sizeof(is_listening);

		if (was_open[fd] || !fd_is_open(fd))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &is_listening, &optlen) == 0 &&
		    is_listening && fl_net_local(fd, out) == 0)
			return 0;
	}
	return -ENOENT;
}

/* A plain bind first: librelp reports every bind failure alike, and the
 * operator needs "address in use" or "permission denied". */
static int probe_bind(const struct fl_net_addr *addr)
{
	int fd = fl_net_listen(addr, SOCK_STREAM);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int configure(struct fl_inputs *in, relpEngine_t *eng, relpSrv_t **srv_out)
{
	const struct fl_net_addr *a = &in->local[FL_INPUT_RELP];
	char host[FL_NET_ADDR_TEXT_MAX], port[8];
	int port_num = fl_net_host_port((const struct sockaddr *)&a->ss, a->len, host, sizeof(host));
	relpSrv_t *srv = NULL;

	snprintf(port, sizeof(port), "%d", port_num);
	if (relpEngineSetDbgprint(eng, relp_debug_quiet) != RELP_RET_OK ||
	    relpEngineSetDnsLookupMode(eng, 0) != RELP_RET_OK ||
	    relpEngineSetFamily(eng, a->ss.ss_family) != RELP_RET_OK ||
	    relpEngineSetEnableCmd(eng, (unsigned char *)"syslog", eRelpCmdState_Required) !=
		    RELP_RET_OK ||
	    relpEngineSetSyslogRcv2(eng, on_syslog) != RELP_RET_OK ||
	    relpEngineSetOnErr(eng, on_error) != RELP_RET_OK ||
	    relpEngineSetOnGenericErr(eng, on_generic_error) != RELP_RET_OK)
		return -EINVAL;
	relpEngineSetShutdownImmdtPtr(eng, &in->relp_shutdown_now);
	if (relpEngineListnerConstruct(eng, &srv) != RELP_RET_OK)
		return -ENOMEM;
	/* One byte over the cap: a longer frame arrives truncated to it and is
	 * counted as too long, the connection stays up. */
	if (relpSrvSetLstnPort(srv, (unsigned char *)port) != RELP_RET_OK ||
	    relpSrvSetLstnAddr(srv, (unsigned char *)host) != RELP_RET_OK ||
	    relpSrvSetUsrPtr(srv, in) != RELP_RET_OK ||
	    relpSrvSetMaxDataSize(srv, in->cfg.max_msg + 1) != RELP_RET_OK ||
	    relpSrvSetOversizeMode(srv, RELP_OVERSIZE_TRUNCATE) != RELP_RET_OK)
		return -EINVAL;
	*srv_out = srv;
	return 0;
}

int fl_input_relp_create(struct fl_inputs *in, char *err, size_t err_cap)
{
	const char *spec = in->cfg.addr[FL_INPUT_RELP];
	unsigned char *was_open = NULL;
	relpEngine_t *eng = NULL;
	relpSrv_t *srv = NULL;
	int rc;

	rc = probe_bind(&in->local[FL_INPUT_RELP]);
	if (rc < 0) {
		snprintf(err, err_cap, "relp %s: cannot listen: %s", spec, strerror(-rc));
		return rc;
	}
	if (relpEngineConstruct(&eng) != RELP_RET_OK) {
		snprintf(err, err_cap, "relp %s: cannot start librelp", spec);
		return -ENOMEM;
	}
	in->relp_engine = eng;
	rc = configure(in, eng, &srv);
	if (rc < 0) {
		snprintf(err, err_cap, "relp %s: cannot configure librelp", spec);
		return rc;
	}
	was_open = calloc(RELP_FD_SCAN_MAX, 1);
	if (!was_open)
		return -ENOMEM;
	for (int fd = 0; fd < RELP_FD_SCAN_MAX; fd++)
		was_open[fd] = fd_is_open(fd);
	if (relpEngineListnerConstructFinalize(eng, srv) != RELP_RET_OK) {
		snprintf(err, err_cap, "relp %s: cannot listen (librelp refused the address)",
			 spec);
		rc = -EADDRNOTAVAIL;
		goto out_free;
	}
	rc = find_relp_listener(was_open, &in->local[FL_INPUT_RELP]);
	if (rc < 0)
		snprintf(err, err_cap, "relp %s: cannot find the socket librelp bound", spec);
out_free:
	free(was_open);
	return rc;
}

static void *relp_main(void *arg)
{
	struct fl_inputs *in = arg;

	relpEngineRun(in->relp_engine);
	__atomic_store_n(&in->relp_is_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* librelp's loop sleeps in epoll_wait() without a timeout: a signal with an
 * empty handler (no SA_RESTART) is what makes it look at the stop flag. */
static void wake_handler(int sig)
{
	(void)sig;
}

int fl_input_relp_start(struct fl_inputs *in)
{
	struct sigaction sa;
	sigset_t only_wake;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		return -errno;
	/* The thread inherits the caller's mask (all blocked) but must take SIGUSR2. */
	sigfillset(&only_wake);
	sigdelset(&only_wake, SIGUSR2);
	pthread_sigmask(SIG_SETMASK, &only_wake, NULL);
	rc = -pthread_create(&in->relp_thread, NULL, relp_main, in);
	sigfillset(&only_wake);
	pthread_sigmask(SIG_SETMASK, &only_wake, NULL);
	in->has_relp_thread = rc == 0;
	return rc;
}

void fl_input_relp_stop(struct fl_inputs *in)
{
	struct timespec step = {0, 10 * 1000000L};

	if (!in->has_relp_thread)
		return;
	relpEngineSetStop(in->relp_engine);
	for (int i = 0; i < RELP_STOP_STEPS && !__atomic_load_n(&in->relp_is_done, __ATOMIC_ACQUIRE);
	     i++) {
		pthread_kill(in->relp_thread, SIGUSR2);
		nanosleep(&step, NULL);
	}
	if (!__atomic_load_n(&in->relp_is_done, __ATOMIC_ACQUIRE)) {
		/* A callback waiting for queue room: let it give up. */
		in->relp_shutdown_now = 1;
		pthread_mutex_lock(&in->queue.mu);
		in->queue.is_closing = true;
		pthread_cond_broadcast(&in->queue.has_room);
		pthread_mutex_unlock(&in->queue.mu);
	}
	pthread_join(in->relp_thread, NULL);
	in->has_relp_thread = false;
}

void fl_input_relp_destroy(struct fl_inputs *in)
{
	relpEngine_t *eng = in->relp_engine;

	if (!eng)
		return;
	relpEngineDestruct(&eng);
	in->relp_engine = NULL;
}
