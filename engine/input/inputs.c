/* inputs.c - lifecycle of the inputs, the loop thread and the queue to the
 * consumer (see inputs.h). */
#define _GNU_SOURCE /* pthread_sigmask with eventfd/epoll flags */
#include "engine/input/inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/input/inputs_int.h"
#include "engine/input/tls.h"

#define EPOLL_EVENTS_PER_WAIT 64
#define TCP_PAUSE_POLL_MS 10

static const char *const input_names[FL_INPUT__COUNT] = {"udp", "tcp", "relp", "trap", "tls"};

/* --- queue ------------------------------------------------------------------ */

struct queue_rec {
	uint32_t len;	   /* payload bytes: the trap (when trap_len), then the message */
	uint32_t trap_len; /* bytes of the decoded trap before the message, 8-aligned */
	uint8_t input, transport, is_kept;
	socklen_t peer_len;
	int64_t received_ns;
	struct sockaddr_storage peer;
};

static size_t rec_size(size_t payload)
{
	return (sizeof(struct queue_rec) + payload + 7u) & ~(size_t)7u;
}

static int queue_init(struct fl_queue *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->mem = malloc(cap);
	if (!q->mem)
		return -ENOMEM;
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->has_data, NULL);
	pthread_cond_init(&q->has_room, NULL);
	return 0;
}

static void queue_free(struct fl_queue *q)
{
	if (!q->mem)
		return;
	pthread_cond_destroy(&q->has_room);
	pthread_cond_destroy(&q->has_data);
	pthread_mutex_destroy(&q->mu);
	free(q->mem);
	q->mem = NULL;
}

/* Finds room for need bytes; caller holds mu. Returns the offset or -1. */
static long queue_reserve(struct fl_queue *q, size_t need)
{
	size_t at;

	if (q->used == 0)
		q->rd = q->wr = 0, q->is_wrapped = false;
	if (!q->is_wrapped) {
		if (q->cap - q->wr >= need) {
			at = q->wr;
		} else if (need < q->rd) { /* strict: wr == rd means empty */
			q->end_mark = q->wr;
			q->is_wrapped = true;
			at = 0;
		} else {
			return -1;
		}
	} else if (q->rd - q->wr > need) {
		at = q->wr;
	} else {
		return -1;
	}
	q->wr = at + need;
	q->used += need;
	if (q->used > q->high_water)
		q->high_water = q->used;
	return (long)at;
}

size_t fl_inputs_queue_room(struct fl_inputs *in)
{
	struct fl_queue *q = &in->queue;
	size_t room;

	pthread_mutex_lock(&q->mu);
	if (q->used == 0)
		room = q->cap;
	else if (!q->is_wrapped)
		room = (q->cap - q->wr) + q->rd; /* the end, then the front */
	else
		room = q->rd - q->wr;
	pthread_mutex_unlock(&q->mu);
	return room;
}

/* Queues the message p[0..len), after the decoded trap when there is one. */
static int push(struct fl_inputs *in, enum fl_input_kind kind, enum fl_transport transport,
		const struct sockaddr *peer, socklen_t peer_len, int64_t received_ns,
		const char *p, size_t len, const struct fl_trap *trap, unsigned flags)
{
	struct fl_queue *q = &in->queue;
	size_t trap_len = trap ? fl_message_trap_size(trap) : 0;
	size_t need = rec_size(trap_len + len);
	struct queue_rec rec;
	char *payload;
	long at;

	if (len > UINT32_MAX - trap_len || need > q->cap / 2)
		return -EMSGSIZE;
	memset(&rec, 0, sizeof(rec));
	rec.len = (uint32_t)(trap_len + len);
	rec.trap_len = (uint32_t)trap_len;
	rec.input = (uint8_t)kind;
	rec.transport = (uint8_t)transport;
	rec.is_kept = (flags & FL_PUSH_KEPT) != 0;
	rec.received_ns = received_ns;
	if (peer && peer_len <= sizeof(rec.peer)) {
		memcpy(&rec.peer, peer, peer_len);
		rec.peer_len = peer_len;
		fl_net_unmap(&rec.peer, &rec.peer_len); /* "[::]" takes IPv4 senders too */
	}
	pthread_mutex_lock(&q->mu);
	while ((at = queue_reserve(q, need)) < 0 && (flags & FL_PUSH_WAIT) && !q->is_closing)
		pthread_cond_wait(&q->has_room, &q->mu);
	if (at < 0) {
		pthread_mutex_unlock(&q->mu);
		FL_STAT_ADD(in, kind, queue_full, 1);
		return -ENOBUFS;
	}
	memcpy(q->mem + at, &rec, sizeof(rec));
	payload = q->mem + at + sizeof(rec);
	memcpy(payload + trap_len, p, len);
	if (trap) /* its slices follow the datagram into the queue */
		fl_message_trap_copy(payload, trap, p, len, payload + trap_len);
	pthread_cond_signal(&q->has_data);
	pthread_mutex_unlock(&q->mu);
	FL_STAT_ADD(in, kind, received, 1);
	return 0;
}

int fl_inputs_push(struct fl_inputs *in, enum fl_input_kind kind, enum fl_transport transport,
		   const struct sockaddr *peer, socklen_t peer_len, int64_t received_ns,
		   const char *p, size_t len, unsigned flags)
{
	return push(in, kind, transport, peer, peer_len, received_ns, p, len, NULL, flags);
}

int fl_inputs_push_trap(struct fl_inputs *in, const struct sockaddr *peer, socklen_t peer_len,
			int64_t received_ns, const char *p, size_t len, const struct fl_trap *trap)
{
	return push(in, FL_INPUT_TRAP, FL_TRANSPORT_SNMP, peer, peer_len, received_ns, p, len,
		    trap, 0);
}

size_t fl_inputs_drain(struct fl_inputs *in, int timeout_ms, fl_msg_fn fn, void *ctx)
{
	struct fl_queue *q = &in->queue;
	size_t count = 0, from, limit, off;

	pthread_mutex_lock(&q->mu);
	if (q->used == 0 && timeout_ms > 0) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		until.tv_sec += timeout_ms / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&q->has_data, &q->mu, &until);
	}
	while (q->used > 0) {
		if (q->is_wrapped && q->rd == q->end_mark) {
			q->rd = 0;
			q->is_wrapped = false;
		}
		from = q->rd;
		limit = q->is_wrapped ? q->end_mark : q->wr;
		pthread_mutex_unlock(&q->mu);
		/* [from, limit) belongs to the consumer until rd moves past it. */
		for (off = from; off < limit;) {
			struct queue_rec rec;
			struct fl_msg m;
			const char *payload = q->mem + off + sizeof(rec);

			memcpy(&rec, q->mem + off, sizeof(rec));
			m.input = (enum fl_input_kind)rec.input;
			m.is_kept = rec.is_kept != 0;
			m.msg.transport = (enum fl_transport)rec.transport;
			m.msg.peer = rec.peer_len ? (const struct sockaddr *)&rec.peer : NULL;
			m.msg.peer_len = rec.peer_len;
			m.msg.received_ns = rec.received_ns;
			/* 8-aligned: the queue's memory, the record and trap_len are */
			m.msg.trap = rec.trap_len ? (const void *)payload : NULL;
			m.msg.p = payload + rec.trap_len;
			m.msg.len = rec.len - rec.trap_len;
			fn(ctx, &m);
			count++;
			off += rec_size(rec.len);
		}
		pthread_mutex_lock(&q->mu);
		q->rd = limit;
		q->used -= limit - from;
		pthread_cond_broadcast(&q->has_room);
	}
	pthread_mutex_unlock(&q->mu);
	return count;
}

/* --- loop thread ------------------------------------------------------------ */

int64_t fl_inputs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t fl_inputs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int min_wait(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* The timers of the loop: idle connections, the RELP scan, paused
 * connections. Returns how long epoll may sleep (-1: until a socket wakes it). */
static int loop_timers(struct fl_inputs *in)
{
	int64_t now_ns = fl_inputs_mono_ns();
	int wait_ms = fl_input_tcp_sweep(in, now_ns);

	if (in->relp_engine) {
		if (now_ns >= in->relp_scan_ns) {
			fl_input_relp_scan(in);
			in->relp_scan_ns = now_ns + FL_RELP_SCAN_MS * 1000000LL;
		}
		wait_ms = min_wait(wait_ms, (int)((in->relp_scan_ns - now_ns) / 1000000) + 1);
	}
	/* Paused TCP connections are looked at again every few ms. */
	if (in->n_paused > 0)
		wait_ms = min_wait(wait_ms, TCP_PAUSE_POLL_MS);
	return wait_ms;
}

static void *loop_main(void *arg)
{
	struct fl_inputs *in = arg;
	struct epoll_event evs[EPOLL_EVENTS_PER_WAIT];

	in->relp_scan_ns = fl_inputs_mono_ns() + FL_RELP_SCAN_MS * 1000000LL;
	while (!__atomic_load_n(&in->stop_requested, __ATOMIC_ACQUIRE)) {
		int n = epoll_wait(in->epfd, evs, EPOLL_EVENTS_PER_WAIT, loop_timers(in));
		bool has_accept[FL_INPUT__COUNT] = {false};

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "faultline: inputs: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct fl_watch *w = evs[i].data.ptr;

			switch (w->kind) {
			case WATCH_WAKE:
				break;
			case WATCH_UDP:
				fl_input_udp_read(in, FL_INPUT_UDP);
				break;
			case WATCH_TRAP:
				fl_input_udp_read(in, FL_INPUT_TRAP);
				break;
			case WATCH_TCP_LISTEN:
				has_accept[FL_INPUT_TCP] = true;
				break;
			case WATCH_TLS_LISTEN:
				has_accept[FL_INPUT_TLS] = true;
				break;
			case WATCH_TCP_CONN:
				fl_input_tcp_read(in, (struct fl_tcp_conn *)(void *)w);
				break;
			}
		}
		/* After the batch: an accept at the cap may close another connection,
		 * whose event later in evs would then point at freed memory. */
		if (has_accept[FL_INPUT_TCP])
			fl_input_tcp_accept(in, &in->tcp);
		if (has_accept[FL_INPUT_TLS])
			fl_input_tcp_accept(in, &in->tls);
		if (in->n_paused > 0)
			fl_input_tcp_resume(in);
	}
	return NULL;
}

static int watch_add(struct fl_inputs *in, struct fl_watch *w)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};

	return epoll_ctl(in->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0 ? -errno : 0;
}

/* --- lifecycle -------------------------------------------------------------- */

void fl_inputs_config_defaults(struct fl_inputs_config *cfg)
{
	cfg->max_msg = FL_SYSLOG_MAX_MSG_DEFAULT;
	cfg->max_conns = FL_TCP_MAX_CONNS_DEFAULT;
	cfg->max_conns_per_source = FL_CONNS_PER_SOURCE_DEFAULT;
	cfg->idle_ms = FL_CONN_IDLE_MS_DEFAULT;
	cfg->tls.handshake_ms = FL_TLS_HANDSHAKE_MS_DEFAULT;
}

int fl_inputs_fit_fd_limit(struct fl_inputs_config *cfg, size_t headroom, char *msg,
			   size_t msg_cap)
{
	/* TCP, TLS and RELP each take up to max_conns descriptors. */
	size_t inputs = (size_t)(cfg->addr[FL_INPUT_TCP] != NULL) +
			(size_t)(cfg->addr[FL_INPUT_TLS] != NULL) +
			(size_t)(cfg->addr[FL_INPUT_RELP] != NULL);
	struct rlimit lim;
	rlim_t want, fit;

	msg[0] = '\0';
	if (inputs == 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		return 0; /* nothing to go by; accept() at EMFILE still refuses */
	want = (rlim_t)headroom + (rlim_t)cfg->max_conns * inputs;
	if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
		struct rlimit raised = lim;

		raised.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > want
					  ? want
					  : lim.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			lim = raised;
	}
	if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= want)
		return 0;
	fit = lim.rlim_cur > headroom ? (lim.rlim_cur - headroom) / inputs : 0;
	if (fit == 0) {
		snprintf(msg, msg_cap,
			 "the descriptor limit (ulimit -n) is %llu, and %zu are kept for the "
			 "store, its WAL, plugin workers and the other sockets: no room for a "
			 "single connection",
			 (unsigned long long)lim.rlim_cur, headroom);
		return -EMFILE;
	}
	snprintf(msg, msg_cap,
		 "--max-conns %zu lowered to %llu: the descriptor limit (ulimit -n) is %llu, and "
		 "%zu are kept for the store, its WAL, plugin workers and the other sockets%s",
		 cfg->max_conns, (unsigned long long)fit, (unsigned long long)lim.rlim_cur,
		 headroom, inputs > 1 ? " (the rest shared by the stream inputs)" : "");
	cfg->max_conns = (size_t)fit;
	return 1;
}

static int bind_input(struct fl_inputs *in, enum fl_input_kind kind, char *err, size_t err_cap)
{
	static const enum watch_kind watch_kinds[FL_INPUT__COUNT] = {
		WATCH_UDP, WATCH_TCP_LISTEN, WATCH_WAKE, WATCH_TRAP, WATCH_TLS_LISTEN};
	bool is_stream = kind == FL_INPUT_TCP || kind == FL_INPUT_TLS;
	const char *why = NULL;
	int fd, rc;

	if (fl_net_parse(&in->local[kind], in->cfg.addr[kind], &why) < 0) {
		snprintf(err, err_cap, "%s address '%s': %s", input_names[kind], in->cfg.addr[kind],
			 why);
		return -EINVAL;
	}
	if (kind == FL_INPUT_RELP)
		return fl_input_relp_create(in, err, err_cap);
	/* Certificates first: a bad file is said before a port is taken. */
	if (kind == FL_INPUT_TLS) {
		rc = fl_tls_create(&in->tls_ctx, &in->cfg.tls, err, err_cap);
		if (rc < 0)
			return rc;
	}
	fd = fl_net_listen(&in->local[kind], is_stream ? SOCK_STREAM : SOCK_DGRAM);
	if (fd < 0) {
		snprintf(err, err_cap, "%s %s: cannot listen: %s", input_names[kind],
			 in->cfg.addr[kind], strerror(-fd));
		return fd;
	}
	in->watch[kind].kind = watch_kinds[kind];
	in->watch[kind].fd = fd;
	rc = fl_net_local(fd, &in->local[kind]);
	if (rc == 0 && !is_stream)
		rc = fl_input_udp_setup(in, kind);
	if (rc == 0)
		rc = watch_add(in, &in->watch[kind]);
	if (rc < 0)
		snprintf(err, err_cap, "%s %s: %s", input_names[kind], in->cfg.addr[kind],
			 strerror(-rc));
	return rc;
}

int fl_inputs_create(struct fl_inputs **out, const struct fl_inputs_config *cfg, char *err,
		     size_t err_cap)
{
	struct fl_inputs *in;
	int rc = -ENOMEM;

	snprintf(err, err_cap, "out of memory");
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->cfg = *cfg;
	in->epfd = in->wake_fd = -1;
	in->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		in->watch[k].fd = -1;
	if (!in->cfg.max_conns_per_source)
		in->cfg.max_conns_per_source = FL_CONNS_PER_SOURCE_DEFAULT;
	if (!in->cfg.idle_ms)
		in->cfg.idle_ms = FL_CONN_IDLE_MS_DEFAULT;
	if (!in->cfg.tls.handshake_ms)
		in->cfg.tls.handshake_ms = FL_TLS_HANDSHAKE_MS_DEFAULT;
	/* A certificate with no input to use it is a mistake, never quietly unused. */
	if (!cfg->addr[FL_INPUT_TLS] && (cfg->tls.cert || cfg->tls.key || cfg->tls.ca ||
					 cfg->tls.auth || cfg->tls.peers)) {
		snprintf(err, err_cap, "tls settings given without a tls address (--tls ADDR)");
		rc = -EINVAL;
		goto out_destroy;
	}
	in->tcp.kind = FL_INPUT_TCP;
	in->tls.kind = FL_INPUT_TLS;
	if (fl_sources_init(&in->tcp.sources) < 0 || fl_sources_init(&in->tls.sources) < 0 ||
	    queue_init(&in->queue, FL_QUEUE_BYTES) < 0)
		goto out_destroy;
	in->dgram_mem = malloc((size_t)FL_UDP_BATCH * (FL_UDP_MAX_DATAGRAM + 1));
	if (!in->dgram_mem || fl_input_trap_init(in) < 0)
		goto out_destroy;
	in->epfd = epoll_create1(EPOLL_CLOEXEC);
	in->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (in->epfd < 0 || in->wake_fd < 0) {
		rc = -errno;
		snprintf(err, err_cap, "cannot create the event loop: %s", strerror(errno));
		goto out_destroy;
	}
	in->wake_watch.kind = WATCH_WAKE;
	in->wake_watch.fd = in->wake_fd;
	rc = watch_add(in, &in->wake_watch);
	if (rc < 0) {
		snprintf(err, err_cap, "cannot create the event loop: %s", strerror(-rc));
		goto out_destroy;
	}
	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		if (!cfg->addr[k])
			continue;
		in->enabled[k] = true;
		rc = bind_input(in, (enum fl_input_kind)k, err, err_cap);
		if (rc < 0)
			goto out_destroy;
	}
	*out = in;
	return 0;

out_destroy:
	fl_inputs_destroy(in);
	return rc;
}

void fl_inputs_destroy(struct fl_inputs *in)
{
	if (!in)
		return;
	fl_input_tcp_close_all(in);
	fl_input_relp_destroy(in);
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		if (in->watch[k].fd >= 0)
			close(in->watch[k].fd);
	if (in->wake_fd >= 0)
		close(in->wake_fd);
	if (in->spare_fd >= 0)
		close(in->spare_fd);
	if (in->epfd >= 0)
		close(in->epfd);
	fl_input_trap_free(in);
	free(in->dgram_mem);
	in->dgram_mem = NULL;
	fl_tls_destroy(in->tls_ctx);
	in->tls_ctx = NULL;
	fl_sources_free(&in->tcp.sources);
	fl_sources_free(&in->tls.sources);
	queue_free(&in->queue);
	free(in);
}

void fl_inputs_set_keep(struct fl_inputs *in, fl_inputs_keep_fn *fn, void *ctx)
{
	in->keep = fn;
	in->keep_ctx = ctx;
}

int fl_inputs_start(struct fl_inputs *in)
{
	sigset_t all, old;
	int rc;

	/* The producer threads take no signals: the main thread handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&in->loop_thread, NULL, loop_main, in);
	in->has_loop_thread = rc == 0;
	if (rc == 0 && in->enabled[FL_INPUT_RELP])
		rc = fl_input_relp_start(in);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void fl_inputs_stop(struct fl_inputs *in)
{
	uint64_t one = 1;

	/* RELP first: once its thread is gone nothing more is acknowledged. */
	fl_input_relp_stop(in);
	pthread_mutex_lock(&in->queue.mu);
	in->queue.is_closing = true;
	pthread_cond_broadcast(&in->queue.has_room);
	pthread_mutex_unlock(&in->queue.mu);
	if (in->has_loop_thread) {
		__atomic_store_n(&in->stop_requested, 1, __ATOMIC_RELEASE);
		if (write(in->wake_fd, &one, sizeof(one)) < 0)
			fprintf(stderr, "faultline: inputs: cannot wake the loop: %s\n",
				strerror(errno));
		pthread_join(in->loop_thread, NULL);
		in->has_loop_thread = false;
	}
	fl_input_tcp_close_all(in);
}

/* --- queries ---------------------------------------------------------------- */

bool fl_inputs_enabled(const struct fl_inputs *in, enum fl_input_kind kind)
{
	return (unsigned)kind < FL_INPUT__COUNT && in->enabled[kind];
}

int fl_inputs_local(const struct fl_inputs *in, enum fl_input_kind kind, struct fl_net_addr *out)
{
	if (!fl_inputs_enabled(in, kind))
		return -ENOENT;
	*out = in->local[kind];
	return 0;
}

void fl_inputs_stats(const struct fl_inputs *in, enum fl_input_kind kind,
		     struct fl_input_stats *out)
{
	const uint64_t *src = (const uint64_t *)(const void *)&in->stats[kind];
	uint64_t *dst = (uint64_t *)(void *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

const char *fl_input_name(enum fl_input_kind kind)
{
	return (unsigned)kind < FL_INPUT__COUNT ? input_names[kind] : "?";
}
