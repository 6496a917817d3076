/* input_tcp.c - TCP and TLS syslog connections on the loop thread.
 *
 * Non-blocking sockets, level-triggered epoll, one read of at most
 * FL_TCP_READ_CHUNK bytes per connection per wake-up: a client that floods
 * or stalls costs the others one short turn at most. Each connection keeps a
 * framer (framing.h) whose buffer is capped at one frame.
 *
 * A connection holds a descriptor and a slot, so silence is not free: one
 * that completes no frame for idle_ms (idle, or stalled inside a frame) is
 * closed, one address may hold max_conns_per_source connections, and at
 * max_conns the connection silent longest makes room for a new one. The
 * list is kept most recently active first, so both look at its tail only.
 *
 * A TLS connection (tls.h) first waits in its set's handshake list, oldest
 * last, stepping its handshake whenever the socket is ready; one still there
 * after handshake_ms is closed, so a client that never finishes cannot hold
 * a slot. Once up it is read like TCP, but through its session, which may
 * hold decrypted bytes epoll cannot see: a turn reads until the session is
 * empty, at most one TLS record past FL_TCP_READ_CHUNK. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/input/inputs_int.h"
#include "engine/input/tls.h"

/* Connections accepted per wake-up of the listening socket. */
#define TCP_ACCEPTS_PER_WAKE 64
/* Bytes read from a TLS session at once: one whole record. */
#define TLS_RECORD_MAX (16 * 1024 + 256)

/* Why a connection is closed: what conn_close() counts and says. */
enum close_why { CLOSE_PEER, CLOSE_SHUTDOWN, CLOSE_EVICTED, CLOSE_IDLE };

static const char *set_name(const struct fl_conn_set *set)
{
	return fl_input_name(set->kind);
}

static void unlink_conn(struct fl_conn_set *set, struct fl_tcp_conn *c)
{
	struct fl_tcp_conn **head = c->is_handshaking ? &set->hs : &set->conns;
	struct fl_tcp_conn **tail = c->is_handshaking ? &set->hs_tail : &set->tail;

	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		*tail = c->prev;
	c->prev = c->next = NULL;
}

static void push_front(struct fl_conn_set *set, struct fl_tcp_conn *c)
{
	struct fl_tcp_conn **head = c->is_handshaking ? &set->hs : &set->conns;
	struct fl_tcp_conn **tail = c->is_handshaking ? &set->hs_tail : &set->tail;

	c->next = *head;
	if (*head)
		(*head)->prev = c;
	else
		*tail = c;
	*head = c;
}

/* The connection made progress: to the front of the list. */
static void touch(struct fl_tcp_conn *c, int64_t now_ns)
{
	c->active_ns = now_ns;
	if (c->set->conns == c)
		return;
	unlink_conn(c->set, c);
	push_front(c->set, c);
}

static void conn_close(struct fl_inputs *in, struct fl_tcp_conn *c, enum close_why why)
{
	struct fl_conn_set *set = c->set;
	size_t pending = fl_framer_pending(&c->framer);

	if (why == CLOSE_IDLE || why == CLOSE_EVICTED) {
		/* counted by the caller; a stalled frame is not a half frame */
	} else if (pending > 0) {
		FL_STAT_ADD(in, set->kind, half_frames, 1);
		fprintf(stderr, "faultline: %s: %s left a half frame (%zu bytes) at %s\n",
			set_name(set), c->peer_text, pending,
			why == CLOSE_SHUTDOWN ? "shutdown" : "disconnect");
	}
	if (c->is_paused)
		in->n_paused--;
	(void)epoll_ctl(in->epfd, EPOLL_CTL_DEL, c->w.fd, NULL);
	fl_tls_conn_close(c->tls);
	c->tls = NULL;
	close(c->w.fd);
	fl_framer_free(&c->framer);
	unlink_conn(set, c);
	fl_sources_remove(&set->sources, (const struct sockaddr *)&c->peer.ss, c->peer.len);
	set->n_conns--;
	free(c);
}

/* At the cap: closes the connection silent longest if it has been silent
 * long enough, so a flood of idle sockets cannot keep real senders out. A
 * handshake that has taken that long goes first: a sender that is up is worth
 * more than one that may never be. Returns whether a slot was freed. */
static bool evict_silent(struct fl_inputs *in, struct fl_conn_set *set, int64_t now_ns)
{
	int64_t silent_ns = FL_TCP_EVICT_SILENT_MS * 1000000LL;
	struct fl_tcp_conn *c = set->hs_tail;

	if (!c || now_ns - c->active_ns < silent_ns)
		c = set->tail;
	if (!c || c->is_paused || now_ns - c->active_ns < silent_ns)
		return false;
	FL_STAT_ADD(in, set->kind, evicted, 1);
	conn_close(in, c, CLOSE_EVICTED);
	return true;
}

/* The caps and the allowlist, before anything is allocated: true when the
 * connection may be taken (refusals counted). */
static bool admit(struct fl_inputs *in, struct fl_conn_set *set, const struct fl_net_addr *peer,
		  int64_t now_ns)
{
	const struct sockaddr *sa = (const struct sockaddr *)&peer->ss;

	if (!fl_cidr_list_allows(&in->cfg.allow[set->kind], sa, peer->len)) {
		FL_STAT_ADD(in, set->kind, dropped_allowlist, 1);
		return false;
	}
	if (fl_sources_count(&set->sources, sa, peer->len) >= in->cfg.max_conns_per_source) {
		FL_STAT_ADD(in, set->kind, refused_per_source, 1);
		return false;
	}
	if (set->n_conns >= in->cfg.max_conns && !evict_silent(in, set, now_ns)) {
		FL_STAT_ADD(in, set->kind, refused, 1);
		return false;
	}
	return true;
}

static void accept_one(struct fl_inputs *in, struct fl_conn_set *set, int fd,
		       const struct fl_net_addr *peer)
{
	const struct sockaddr *sa = (const struct sockaddr *)&peer->ss;
	int64_t now_ns = fl_inputs_mono_ns();
	struct epoll_event ev = {.events = EPOLLIN};
	struct fl_tcp_conn *c;
	int rc;

	if (!admit(in, set, peer, now_ns)) {
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	rc = c ? fl_sources_add(&set->sources, sa, peer->len, in->cfg.max_conns_per_source)
	       : -ENOMEM;
	if (rc == 0 && set->kind == FL_INPUT_TLS) {
		rc = fl_tls_conn_open(in->tls_ctx, fd, &c->tls);
		if (rc < 0)
			fl_sources_remove(&set->sources, sa, peer->len);
	}
	if (rc < 0) {
		FL_STAT_ADD(in, set->kind, refused, 1);
		free(c);
		close(fd);
		return;
	}
	c->w.kind = WATCH_TCP_CONN;
	c->w.fd = fd;
	c->peer = *peer;
	c->in = in;
	c->set = set;
	c->active_ns = now_ns;
	c->is_handshaking = c->tls != NULL;
	c->events = EPOLLIN;
	fl_net_format(sa, peer->len, c->peer_text, sizeof(c->peer_text));
	fl_framer_init(&c->framer, in->cfg.max_msg);
	ev.data.ptr = &c->w;
	if (epoll_ctl(in->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		FL_STAT_ADD(in, set->kind, refused, 1);
		fl_sources_remove(&set->sources, sa, peer->len);
		fl_tls_conn_close(c->tls);
		fl_framer_free(&c->framer);
		free(c);
		close(fd);
		return;
	}
	push_front(set, c);
	set->n_conns++;
	if (!c->tls)
		FL_STAT_ADD(in, set->kind, connections, 1);
}

/* Out of descriptors, the pending connection would keep the listening socket
 * readable and the loop spinning: give up the spare descriptor, accept the
 * peer, close it at once (counted as refused), and take the spare back.
 * Returns whether a connection was refused this way. */
static bool refuse_at_fd_limit(struct fl_inputs *in, struct fl_conn_set *set)
{
	int fd;

	if (in->spare_fd < 0)
		return false;
	close(in->spare_fd);
	fd = accept4(in->watch[set->kind].fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		FL_STAT_ADD(in, set->kind, refused, 1);
	}
	in->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0;
}

void fl_input_tcp_accept(struct fl_inputs *in, struct fl_conn_set *set)
{
	for (int i = 0; i < TCP_ACCEPTS_PER_WAKE; i++) {
		struct fl_net_addr peer;
		int fd;

		memset(&peer, 0, sizeof(peer));
		peer.len = sizeof(peer.ss);
		fd = accept4(in->watch[set->kind].fd, (struct sockaddr *)&peer.ss, &peer.len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if ((errno == EMFILE || errno == ENFILE) && refuse_at_fd_limit(in, set))
				continue;
			return;
		}
		fl_net_unmap(&peer.ss, &peer.len); /* one source, however it connected */
		accept_one(in, set, fd, &peer);
	}
}

/* --- TLS handshakes ----------------------------------------------------------- */

/* Waits for the direction the handshake needs next. */
static bool watch_for(struct fl_inputs *in, struct fl_tcp_conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = &c->w};

	if (c->events == events)
		return true;
	c->events = events;
	return epoll_ctl(in->epfd, EPOLL_CTL_MOD, c->w.fd, &ev) == 0;
}

/* May a line about a handshake be logged? FL_TLS_LOG_PER_SEC a second; the
 * rest are counted, the counters say what happened to each connection. */
static bool may_log(struct fl_inputs *in, struct fl_conn_set *set)
{
	int64_t now_ns = fl_inputs_mono_ns();

	if (now_ns - set->log_second_ns >= 1000000000LL) {
		set->log_second_ns = now_ns;
		set->log_lines = 0;
	}
	if (set->log_lines < FL_TLS_LOG_PER_SEC) {
		set->log_lines++;
		return true;
	}
	FL_STAT_ADD(in, set->kind, log_suppressed, 1);
	return false;
}

/* One step of a TLS handshake. Up: to the connections list (counted as a
 * connection), read at once, since the client's first records may already
 * be in the session. Failed: counted and logged with the reason, closed. */
static void handshake_step(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	char why[FL_TLS_WHY_MAX];
	enum fl_tls_step step = fl_tls_conn_handshake(c->tls, why, sizeof(why));
	const char *name;

	switch (step) {
	case FL_TLS_WANT_READ:
	case FL_TLS_WANT_WRITE:
		if (watch_for(in, c, step == FL_TLS_WANT_WRITE ? EPOLLOUT : EPOLLIN))
			return;
		snprintf(why, sizeof(why), "cannot watch it: %s", strerror(errno));
		break;
	case FL_TLS_DONE:
		if (!watch_for(in, c, EPOLLIN)) {
			snprintf(why, sizeof(why), "cannot watch it: %s", strerror(errno));
			break;
		}
		unlink_conn(c->set, c);
		c->is_handshaking = false;
		push_front(c->set, c);
		c->active_ns = fl_inputs_mono_ns(); /* the idle clock starts now */
		FL_STAT_ADD(in, c->set->kind, connections, 1);
		name = fl_tls_conn_peer_name(c->tls);
		if (name[0] && may_log(in, c->set))
			fprintf(stderr, "faultline: tls: %s is '%s'\n", c->peer_text, name);
		fl_input_tcp_read(in, c);
		return;
	case FL_TLS_REJECTED:
		FL_STAT_ADD(in, c->set->kind, peer_rejected, 1);
		if (may_log(in, c->set))
			fprintf(stderr, "faultline: tls: refused %s: %s\n", c->peer_text, why);
		conn_close(in, c, CLOSE_PEER);
		return;
	case FL_TLS_FAILED:
		break;
	}
	FL_STAT_ADD(in, c->set->kind, handshake_failed, 1);
	if (may_log(in, c->set))
		fprintf(stderr, "faultline: tls: handshake with %s failed: %s\n", c->peer_text,
			why);
	conn_close(in, c, CLOSE_PEER);
}

/* --- reading frames ----------------------------------------------------------- */

struct frame_ctx {
	struct fl_inputs *in;
	struct fl_tcp_conn *c;
	int64_t now_ns;
};

static void on_frame(void *ctx, const char *msg, size_t len)
{
	struct frame_ctx *f = ctx;

	(void)fl_inputs_push(f->in, f->c->set->kind,
			     f->c->tls ? FL_TRANSPORT_TLS : FL_TRANSPORT_TCP,
			     (const struct sockaddr *)&f->c->peer.ss, f->c->peer.len, f->now_ns, msg,
			     len, 0);
}

/* TCP is reliable, so a full queue is not a reason to drop: stop reading the
 * connection and let flow control push back on the peer. A paused connection
 * leaves the epoll set altogether, or a hang-up would wake the loop again and
 * again while the writer catches up. */
static bool pause_if_queue_full(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	if (c->is_paused)
		return true;
	if (fl_inputs_queue_room(in) >= FL_TCP_PAUSE_ROOM)
		return false;
	(void)epoll_ctl(in->epfd, EPOLL_CTL_DEL, c->w.fd, NULL);
	c->is_paused = true;
	in->n_paused++;
	FL_STAT_ADD(in, c->set->kind, paused, 1);
	return true;
}

static void resume_set(struct fl_inputs *in, struct fl_conn_set *set)
{
	for (struct fl_tcp_conn *c = set->conns; c && in->n_paused > 0; c = c->next) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->w};

		if (!c->is_paused)
			continue;
		c->is_paused = false;
		in->n_paused--;
		c->active_ns = fl_inputs_mono_ns(); /* the wait was the engine's, not the peer's */
		if (epoll_ctl(in->epfd, EPOLL_CTL_ADD, c->w.fd, &ev) < 0) {
			fprintf(stderr, "faultline: %s: closing %s: cannot watch it again: %s\n",
				set_name(set), c->peer_text, strerror(errno));
			conn_close(in, c, CLOSE_PEER);
			return; /* the list changed under us; the rest resume next turn */
		}
	}
}

void fl_input_tcp_resume(struct fl_inputs *in)
{
	if (fl_inputs_queue_room(in) < FL_TCP_PAUSE_ROOM)
		return;
	resume_set(in, &in->tcp);
	resume_set(in, &in->tls);
}

/* Frames n bytes of c. Returns false when the stream cannot be framed and c
 * was closed. */
static bool feed(struct fl_inputs *in, struct fl_tcp_conn *c, const char *p, size_t n)
{
	struct frame_ctx ctx = {in, c, fl_inputs_now_ns()};
	uint64_t too_long_before = c->framer.too_long, frames_before = c->framer.frames;
	bool was_between_frames = fl_framer_pending(&c->framer) == 0;
	enum fl_frame_verdict v = fl_framer_feed(&c->framer, p, n, on_frame, &ctx);
	enum fl_input_kind kind = c->set->kind;

	if (c->framer.too_long != too_long_before) {
		FL_STAT_ADD(in, kind, too_long, c->framer.too_long - too_long_before);
		fprintf(stderr, "faultline: %s: %s sent a frame over %zu bytes, discarded\n",
			fl_input_name(kind), c->peer_text, in->cfg.max_msg);
	}
	if (v != FL_FRAME_OK) {
		char why[160];

		if (v == FL_FRAME_BAD_FRAMING || v == FL_FRAME_COUNT_OVER_MAX)
			FL_STAT_ADD(in, kind, bad_framing, 1);
		fl_framer_explain(&c->framer, v, why, sizeof(why));
		fprintf(stderr, "faultline: %s: closing %s: %s\n", fl_input_name(kind),
			c->peer_text, why);
		/* The rest of the stream cannot be framed: nothing of it is half a frame. */
		fl_buf_reset(&c->framer.pending);
		c->framer.skip_left = 0;
		c->framer.is_skipping_line = false;
		conn_close(in, c, CLOSE_PEER);
		return false;
	}
	/* A frame begun or completed restarts the clock; more bytes of a frame
	 * already begun do not, so a trickle cannot hold a slot for ever. */
	if (was_between_frames || c->framer.frames != frames_before ||
	    c->framer.too_long != too_long_before)
		touch(c, fl_inputs_mono_ns());
	return true;
}

/* Reads what a TLS session has, record by record, until it holds nothing
 * more (epoll would not wake for it) once FL_TCP_READ_CHUNK is taken. */
static void tls_read(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	char record[TLS_RECORD_MAX], why[FL_TLS_WHY_MAX];
	size_t taken = 0;

	for (;;) {
		ssize_t n = fl_tls_conn_recv(c->tls, record, sizeof(record), why, sizeof(why));

		if (n == -EAGAIN)
			return;
		if (n < 0)
			fprintf(stderr, "faultline: tls: closing %s: %s\n", c->peer_text, why);
		if (n <= 0) {
			conn_close(in, c, CLOSE_PEER);
			return;
		}
		if (!feed(in, c, record, (size_t)n))
			return;
		taken += (size_t)n;
		if (taken >= FL_TCP_READ_CHUNK && !fl_tls_conn_pending(c->tls))
			return;
	}
}

void fl_input_tcp_read(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	char chunk[FL_TCP_READ_CHUNK];
	ssize_t n;

	if (c->is_handshaking) {
		handshake_step(in, c);
		return;
	}
	if (pause_if_queue_full(in, c))
		return;
	if (c->tls) {
		tls_read(in, c);
		return;
	}
	n = read(c->w.fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(in, c, CLOSE_PEER);
		return;
	}
	(void)feed(in, c, chunk, (size_t)n);
}

/* --- timeouts ----------------------------------------------------------------- */

static int64_t sweep_idle(struct fl_inputs *in, struct fl_conn_set *set, int64_t now_ns)
{
	int64_t idle_ns = (int64_t)in->cfg.idle_ms * 1000000LL;
	size_t idle = 0, stalled = 0;
	struct fl_tcp_conn *c;

	while ((c = set->tail) && now_ns - c->active_ns >= idle_ns) {
		if (c->is_paused) { /* waiting on the engine: not the peer's silence */
			touch(c, now_ns);
			continue;
		}
		if (fl_framer_pending(&c->framer) > 0)
			stalled++;
		idle++;
		conn_close(in, c, CLOSE_IDLE);
	}
	if (idle > 0) {
		FL_STAT_ADD(in, set->kind, idle_closed, idle);
		FL_STAT_ADD(in, set->kind, stalled_closed, stalled);
		/* One line per sweep, not per socket: a flood must not flood the log. */
		fprintf(stderr,
			"faultline: %s: closed %zu connections without a frame for %u ms (%zu "
			"inside a frame)\n",
			set_name(set), idle, in->cfg.idle_ms, stalled);
	}
	return c ? c->active_ns + idle_ns - now_ns : -1;
}

static int64_t sweep_handshakes(struct fl_inputs *in, struct fl_conn_set *set, int64_t now_ns)
{
	int64_t limit_ns = (int64_t)in->cfg.tls.handshake_ms * 1000000LL;
	size_t late = 0;
	struct fl_tcp_conn *c;

	while ((c = set->hs_tail) && now_ns - c->active_ns >= limit_ns) {
		late++;
		conn_close(in, c, CLOSE_IDLE);
	}
	if (late > 0) {
		FL_STAT_ADD(in, set->kind, handshake_timeout, late);
		fprintf(stderr, "faultline: %s: closed %zu connections still in the handshake "
				"after %u ms\n",
			set_name(set), late, in->cfg.tls.handshake_ms);
	}
	return c ? c->active_ns + limit_ns - now_ns : -1;
}

static int64_t min_left(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int fl_input_tcp_sweep(struct fl_inputs *in, int64_t now_ns)
{
	int64_t left_ns = sweep_idle(in, &in->tcp, now_ns);

	left_ns = min_left(left_ns, sweep_idle(in, &in->tls, now_ns));
	left_ns = min_left(left_ns, sweep_handshakes(in, &in->tls, now_ns));
	if (left_ns < 0)
		return -1;
	return (int)((left_ns + 999999) / 1000000);
}

void fl_input_tcp_close_all(struct fl_inputs *in)
{
	struct fl_conn_set *sets[] = {&in->tcp, &in->tls};

	for (size_t i = 0; i < FL_ARRAY_LEN(sets); i++) {
		while (sets[i]->conns)
			conn_close(in, sets[i]->conns, CLOSE_SHUTDOWN);
		while (sets[i]->hs)
			conn_close(in, sets[i]->hs, CLOSE_SHUTDOWN);
	}
}
