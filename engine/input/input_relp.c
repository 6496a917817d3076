/* input_relp.c - the RELP server (librelp) on its own thread.
 *
 * librelp runs its own loop in relpEngineRun() and calls on_syslog() for
 * each message; the message is acknowledged to the sender when the callback
 * returns, so the callback returns only once the message is durable and in
 * the queue: with a keep function (the run's journal, fl_inputs_set_keep())
 * it is written there first, on this thread, then queued (waiting for
 * room). Without one it is acknowledged once queued, and a crash loses what
 * the consumer had not taken yet. A message dropped by the allowlist or as
 * too long, or too long for the journal, is acknowledged too: resending it
 * would be refused again forever.
 *
 * librelp sends "200 OK" whatever the callback returns (1.11 ignores its
 * return value), so a message the keep function fails to write (a full
 * disk) is refused by shutting down the sender's sessions before that
 * answer is written: the answer cannot leave, the sender sees the session
 * break and resends, on a new session, every message it has no answer for.
 * Every refusal is counted (relp.refused_unkept) and said once on stderr
 * until a message is kept again. Should /proc not show the session, the
 * callback retries the write instead and holds the sender back until it
 * succeeds or the input stops.
 *
 * librelp has no way to report the port it bound, so it is given the port
 * a probe bound first (the kernel's pick for port 0), and its listening
 * socket is looked for among the descriptors it opened. On [::] it opens
 * two, one per family, on that port (is_any6()).
 *
 * librelp has no idle timeout and no cap on sessions either. Once a second
 * the loop thread looks over the descriptors for sockets accepted on the RELP
 * port, asks the kernel how long each has received nothing (TCP_INFO), and
 * shuts down (never closes: the descriptor stays librelp's) those idle past
 * idle_ms, past max_conns_per_source from one address or past max_conns;
 * librelp then sees the end of the stream and closes the session itself.
 * The most recently active sessions are the ones kept. A descriptor closed
 * and reused between the look and the shutdown could only be another RELP
 * session just accepted, which its sender then reopens. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <librelp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/input/inputs_int.h"

/* Descriptors scanned for the socket librelp opened. */
#define RELP_FD_SCAN_MAX 4096
/* How long stop waits for librelp's loop to notice, in 10 ms steps. */
#define RELP_STOP_STEPS 500
/* How often a message whose session cannot be closed is offered again to a
 * failing keep function. */
#define RELP_KEEP_RETRY_NS (100 * 1000000L)

struct relp_session;
static size_t list_sessions(struct fl_inputs *in, bool established_only,
			    struct relp_session **out);
static bool refuse(struct fl_inputs *in, const struct fl_net_addr *peer);

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

static bool is_stopping(struct fl_inputs *in)
{
	bool closing;

	if (__atomic_load_n(&in->relp_shutdown_now, __ATOMIC_RELAXED))
		return true;
	pthread_mutex_lock(&in->queue.mu);
	closing = in->queue.is_closing;
	pthread_mutex_unlock(&in->queue.mu);
	return closing;
}

/* Hands the message to the keep function before it may be acknowledged.
 * Returns 0 (kept), -EMSGSIZE (never keepable: acknowledged unkept), another
 * error when the input stops while the write still fails (acknowledged
 * unkept, the consumer tries the journal again), or -EAGAIN: refused, the
 * sender's sessions are shut and the message must not be queued. */
static int keep(struct fl_inputs *in, const struct fl_net_addr *peer, int64_t received_ns,
		const char *p, size_t len)
{
	const struct fl_received m = {.transport = FL_TRANSPORT_RELP,
				      .peer = (const struct sockaddr *)&peer->ss,
				      .peer_len = peer->len,
				      .received_ns = received_ns,
				      .p = p,
				      .len = len};
	struct timespec pause = {0, RELP_KEEP_RETRY_NS};
	char host[FL_NET_ADDR_TEXT_MAX];
	bool is_counted = false;
	int rc;

	while ((rc = in->keep(in->keep_ctx, &m)) < 0 && rc != -EMSGSIZE) {
		if (!is_counted) /* once a message, however often it is offered again */
			FL_STAT_ADD(in, FL_INPUT_RELP, refused_unkept, 1);
		is_counted = true;
		if (!in->relp_said_unkept) {
			(void)fl_net_host_port((const struct sockaddr *)&peer->ss, peer->len, host,
					       sizeof(host));
			fprintf(stderr, "faultline: relp: a message from %s cannot be kept (%s): "
					"refusing messages until they can be; the senders resend "
					"them\n",
				host, strerror(-rc));
		}
		in->relp_said_unkept = true;
		if (refuse(in, peer))
			return -EAGAIN;
		if (is_stopping(in))
			return rc;
		nanosleep(&pause, NULL);
	}
	if (rc == 0)
		in->relp_said_unkept = false;
	return rc;
}

static relpRetVal on_syslog(void *usr, unsigned char *hostname, unsigned char *ip,
			    unsigned char *msg, size_t len)
{
	struct fl_inputs *in = usr;
	struct fl_net_addr peer;
	bool has_peer = parse_peer_ip((const char *)ip, &peer);
	unsigned flags = FL_PUSH_WAIT;
	int64_t received_ns;

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
	received_ns = fl_inputs_now_ns();
	if (in->keep) {
		int rc = keep(in, &peer, received_ns, (const char *)msg, len);

		if (rc == -EAGAIN)
			return RELP_RET_OK; /* refused: its answer cannot leave */
		if (rc == 0)
			flags |= FL_PUSH_KEPT;
	}
	(void)fl_inputs_push(in, FL_INPUT_RELP, FL_TRANSPORT_RELP, (const struct sockaddr *)&peer.ss,
			     peer.len, received_ns, (const char *)msg, len, flags);
	return RELP_RET_OK;
}

static void on_error(void *usr, char *objinfo, char *errmsg, relpRetVal code)
{
	struct fl_inputs *in = usr;

	/* A session the scan shut down ends as "broken": already counted and
	 * summed up in one line, it is not worth a line of its own each. */
	if (in && code == RELP_RET_SESSION_BROKEN &&
	    __atomic_load_n(&in->relp_shut_unlogged, __ATOMIC_RELAXED) > 0) {
		__atomic_fetch_sub(&in->relp_shut_unlogged, 1, __ATOMIC_RELAXED);
		return;
	}
	/* Nor the answers a refusal keeps from leaving, each "broken pipe"
	 * and "session broken": the refusal was said once (same thread). */
	if (in && in->relp_said_unkept &&
	    (code == RELP_RET_IO_ERR || code == RELP_RET_SESSION_BROKEN))
		return;
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

/* Whether librelp opened a listening socket: a descriptor closed before,
 * open now, that accepts connections. 0 or -ENOENT. */
static int find_relp_listener(const unsigned char *was_open)
{
	for (int fd = 0; fd < RELP_FD_SCAN_MAX; fd++) {
		int is_listening = 0;
		socklen_t optlen = sizeof(is_listening);

		if (was_open[fd] || !fd_is_open(fd))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &is_listening, &optlen) == 0 &&
		    is_listening)
			return 0;
	}
	return -ENOENT;
}

/* The IPv6 unspecified address: the other inputs' sockets take IPv4 senders
 * there too (net.h), and librelp's sockets are IPv6-only, so RELP listens on
 * both families, one socket each, as librelp does for no address at all. */
static bool is_any6(const struct fl_net_addr *a)
{
	return a->ss.ss_family == AF_INET6 &&
	       IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_addr);
}

/* A plain bind first: librelp reports every bind failure alike, and the
 * operator needs "address in use" or "permission denied". On [::] the
 * probe's socket takes both families, so a port either family has taken is
 * refused here. *bound: the address with the port it bound. */
static int probe_bind(const struct fl_net_addr *addr, struct fl_net_addr *bound)
{
	int fd = fl_net_listen(addr, SOCK_STREAM), rc;

	if (fd < 0)
		return fd;
	rc = fl_net_local(fd, bound);
	close(fd);
	return rc;
}

/* Listens on bound (probe_bind()'s): on both families when it is [::] (both
 * sockets on its port: port 0 would give each its own). */
static int configure(struct fl_inputs *in, relpEngine_t *eng, const struct fl_net_addr *bound,
		     relpSrv_t **srv_out)
{
	bool both = is_any6(bound);
	char host[FL_NET_ADDR_TEXT_MAX], port[8];
	int port_num = fl_net_host_port((const struct sockaddr *)&bound->ss, bound->len, host,
					sizeof(host));
	relpSrv_t *srv = NULL;

	snprintf(port, sizeof(port), "%d", port_num);
	if (relpEngineSetDbgprint(eng, relp_debug_quiet) != RELP_RET_OK ||
	    relpEngineSetDnsLookupMode(eng, 0) != RELP_RET_OK ||
	    relpEngineSetFamily(eng, both ? AF_UNSPEC : bound->ss.ss_family) != RELP_RET_OK ||
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
	    relpSrvSetLstnAddr(srv, both ? NULL : (unsigned char *)host) != RELP_RET_OK ||
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
	struct fl_net_addr bound;
	int rc;

	rc = probe_bind(&in->local[FL_INPUT_RELP], &bound);
	if (rc < 0) {
		snprintf(err, err_cap, "relp %s: cannot listen: %s", spec, strerror(-rc));
		return rc;
	}
	if (relpEngineConstruct(&eng) != RELP_RET_OK) {
		snprintf(err, err_cap, "relp %s: cannot start librelp", spec);
		return -ENOMEM;
	}
	in->relp_engine = eng;
	rc = configure(in, eng, &bound, &srv);
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
	/* the input is what was probed ([::] for both families), on its port */
	rc = find_relp_listener(was_open);
	if (rc < 0)
		snprintf(err, err_cap, "relp %s: cannot find the socket librelp bound", spec);
	else
		in->local[FL_INPUT_RELP] = bound;
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

/* One RELP session seen by the scan. */
struct relp_session {
	int fd;
	uint32_t idle_ms; /* since the kernel last received data on it */
	struct fl_net_addr peer;
};

static bool same_endpoint(const struct fl_net_addr *a, const struct fl_net_addr *b)
{
	char ha[FL_NET_ADDR_TEXT_MAX], hb[FL_NET_ADDR_TEXT_MAX];
	int pa = fl_net_host_port((const struct sockaddr *)&a->ss, a->len, ha, sizeof(ha));
	int pb = fl_net_host_port((const struct sockaddr *)&b->ss, b->len, hb, sizeof(hb));

	/* "::" is the input on both families (is_any6()) */
	return pa >= 0 && pa == pb &&
	       (strcmp(hb, "::") == 0 ||
		(a->ss.ss_family == b->ss.ss_family &&
		 (strcmp(ha, hb) == 0 || strcmp(hb, "0.0.0.0") == 0)));
}

/* Is fd a connection accepted on the RELP listener (and established, with
 * established_only)? Fills s if so. */
static bool relp_session_of(struct fl_inputs *in, int fd, bool established_only,
			    struct relp_session *s)
{
	int type = 0, is_listening = 0;
	socklen_t len = sizeof(type);
	struct fl_net_addr local;
	struct tcp_info ti;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
		return false;
	len = sizeof(is_listening);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &is_listening, &len) < 0 || is_listening)
		return false;
	if (fl_net_local(fd, &local) < 0 || !same_endpoint(&local, &in->local[FL_INPUT_RELP]))
		return false;
	memset(s, 0, sizeof(*s));
	s->peer.len = sizeof(s->peer.ss);
	if (getpeername(fd, (struct sockaddr *)&s->peer.ss, &s->peer.len) < 0)
		return false;
	len = sizeof(ti);
	/* Only established: one shut down last time and not yet closed by
	 * librelp is in FIN_WAIT, and must not be counted twice. */
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    (established_only && ti.tcpi_state != TCP_ESTABLISHED))
		return false;
	s->fd = fd;
	s->idle_ms = ti.tcpi_last_data_recv;
	return true;
}

static int by_idle(const void *a, const void *b)
{
	const struct relp_session *x = a, *y = b;

	return (x->idle_ms > y->idle_ms) - (x->idle_ms < y->idle_ms);
}

/* The RELP sessions open now (established_only: not shut down), most
 * recently active first. Returns how many (0 when /proc cannot be read: the
 * scan then does nothing). */
static size_t list_sessions(struct fl_inputs *in, bool established_only,
			    struct relp_session **out)
{
	struct relp_session *all = NULL;
	size_t n = 0, cap = 0;
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;

	*out = NULL;
	if (!dir)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		struct relp_session s;
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end != '\0' || end == de->d_name || fd == dirfd(dir) ||
		    !relp_session_of(in, (int)fd, established_only, &s))
			continue;
		if (n == cap) {
			size_t grown = cap ? cap * 2 : 64;
			struct relp_session *p = realloc(all, grown * sizeof(*all));

			if (!p)
				break; /* the sessions seen so far are still looked at */
			all = p;
			cap = grown;
		}
		all[n++] = s;
	}
	closedir(dir);
	if (n > 1)
		qsort(all, n, sizeof(*all), by_idle);
	*out = all;
	return n;
}

void fl_input_relp_scan(struct fl_inputs *in)
{
	struct relp_session *all;
	struct fl_sources sources;
	size_t n = list_sessions(in, true, &all), kept = 0, idle = 0;

	if (n == 0 || fl_sources_init(&sources) < 0) {
		free(all);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&all[i].peer.ss;

		if (all[i].idle_ms >= in->cfg.idle_ms) {
			FL_STAT_ADD(in, FL_INPUT_RELP, idle_closed, 1); /* before the peer can see it */
			idle++;
		} else if (fl_sources_add(&sources, sa, all[i].peer.len,
					  in->cfg.max_conns_per_source) == -EDQUOT) {
			FL_STAT_ADD(in, FL_INPUT_RELP, refused_per_source, 1);
		} else if (kept >= in->cfg.max_conns) {
			FL_STAT_ADD(in, FL_INPUT_RELP, refused, 1);
		} else {
			kept++;
			continue;
		}
		if (shutdown(all[i].fd, SHUT_RDWR) == 0)
			__atomic_fetch_add(&in->relp_shut_unlogged, 1, __ATOMIC_RELAXED);
	}
	if (idle > 0)
		fprintf(stderr, "faultline: relp: closed %zu sessions idle for %u ms\n", idle,
			in->cfg.idle_ms);
	fl_sources_free(&sources);
	free(all);
}

/* Refuses the message being handled: shuts down every session from peer's
 * address, so its answer cannot be written and the sender resends it. The
 * callback is not told its session, so the address's other sessions go too;
 * while the journal fails their messages would be refused alike. A session
 * already shut down (by an earlier refusal: librelp may still be handing on
 * frames it had read) counts: nothing more leaves it either. Returns whether
 * the refusal holds, false when no session was found. */
static bool refuse(struct fl_inputs *in, const struct fl_net_addr *peer)
{
	struct relp_session *all;
	size_t n = list_sessions(in, false, &all), found = 0;
	char want[FL_NET_ADDR_TEXT_MAX], host[FL_NET_ADDR_TEXT_MAX];

	(void)fl_net_host_port((const struct sockaddr *)&peer->ss, peer->len, want, sizeof(want));
	for (size_t i = 0; i < n; i++) {
		if (fl_net_host_port((const struct sockaddr *)&all[i].peer.ss, all[i].peer.len, host,
				     sizeof(host)) < 0 ||
		    strcmp(host, want) != 0)
			continue;
		found++;
		(void)shutdown(all[i].fd, SHUT_RDWR); /* ENOTCONN: nothing leaves it either */
	}
	free(all);
	return found > 0;
}
