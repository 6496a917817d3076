/* input_tcp.c - TCP syslog connections on the loop thread.
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
 * list is kept most recently active first, so both look at its tail only. */
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

/* Connections accepted per wake-up of the listening socket. */
#define TCP_ACCEPTS_PER_WAKE 64

/* Why a connection is closed: what conn_close() counts and says. */
enum close_why { CLOSE_PEER, CLOSE_SHUTDOWN, CLOSE_EVICTED, CLOSE_IDLE };

static void unlink_conn(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		in->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		in->conns_tail = c->prev;
	c->prev = c->next = NULL;
}

static void push_front(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	c->next = in->conns;
	if (in->conns)
		in->conns->prev = c;
	else
		in->conns_tail = c;
	in->conns = c;
}

/* The connection made progress: to the front of the list. */
static void touch(struct fl_inputs *in, struct fl_tcp_conn *c, int64_t now_ns)
{
	c->active_ns = now_ns;
	if (in->conns == c)
		return;
	unlink_conn(in, c);
	push_front(in, c);
}

static void conn_close(struct fl_inputs *in, struct fl_tcp_conn *c, enum close_why why)
{
	size_t pending = fl_framer_pending(&c->framer);

	if (why == CLOSE_IDLE || why == CLOSE_EVICTED) {
		/* counted by the caller; a stalled frame is not a half frame */
	} else if (pending > 0) {
		FL_STAT_ADD(in, FL_INPUT_TCP, half_frames, 1);
		fprintf(stderr, "faultline: tcp: %s left a half frame (%zu bytes) at %s\n",
			c->peer_text, pending, why == CLOSE_SHUTDOWN ? "shutdown" : "disconnect");
	}
	if (c->is_paused)
		in->n_paused--;
	(void)epoll_ctl(in->epfd, EPOLL_CTL_DEL, c->w.fd, NULL);
	close(c->w.fd);
	fl_framer_free(&c->framer);
	unlink_conn(in, c);
	fl_sources_remove(&in->tcp_sources, (const struct sockaddr *)&c->peer.ss, c->peer.len);
	in->n_conns--;
	free(c);
}

/* At the cap: closes the connection silent longest if it has been silent
 * long enough, so a flood of idle sockets cannot keep real senders out.
 * Returns whether a slot was freed. */
static bool evict_silent(struct fl_inputs *in, int64_t now_ns)
{
	struct fl_tcp_conn *c = in->conns_tail;

	if (!c || c->is_paused || now_ns - c->active_ns < FL_TCP_EVICT_SILENT_MS * 1000000LL)
		return false;
	FL_STAT_ADD(in, FL_INPUT_TCP, evicted, 1);
	conn_close(in, c, CLOSE_EVICTED);
	return true;
}

static void accept_one(struct fl_inputs *in, int fd, const struct fl_net_addr *peer)
{
	struct epoll_event ev = {.events = EPOLLIN};
	const struct sockaddr *sa = (const struct sockaddr *)&peer->ss;
	int64_t now_ns = fl_inputs_mono_ns();
	struct fl_tcp_conn *c;
	int rc;

	if (!fl_cidr_list_allows(&in->cfg.allow[FL_INPUT_TCP], sa, peer->len)) {
		FL_STAT_ADD(in, FL_INPUT_TCP, dropped_allowlist, 1);
		close(fd);
		return;
	}
	if (fl_sources_count(&in->tcp_sources, sa, peer->len) >= in->cfg.max_conns_per_source) {
		FL_STAT_ADD(in, FL_INPUT_TCP, refused_per_source, 1);
		close(fd);
		return;
	}
	if (in->n_conns >= in->cfg.max_conns && !evict_silent(in, now_ns)) {
		FL_STAT_ADD(in, FL_INPUT_TCP, refused, 1);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	rc = c ? fl_sources_add(&in->tcp_sources, sa, peer->len, in->cfg.max_conns_per_source)
	       : -ENOMEM;
	if (rc < 0) {
		FL_STAT_ADD(in, FL_INPUT_TCP, refused, 1);
		free(c);
		close(fd);
		return;
	}
	c->w.kind = WATCH_TCP_CONN;
	c->w.fd = fd;
	c->peer = *peer;
	c->in = in;
	c->active_ns = now_ns;
	fl_net_format(sa, peer->len, c->peer_text, sizeof(c->peer_text));
	fl_framer_init(&c->framer, in->cfg.max_msg);
	ev.data.ptr = &c->w;
	if (epoll_ctl(in->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		FL_STAT_ADD(in, FL_INPUT_TCP, refused, 1);
		fl_sources_remove(&in->tcp_sources, sa, peer->len);
		fl_framer_free(&c->framer);
		free(c);
		close(fd);
		return;
	}
	push_front(in, c);
	in->n_conns++;
	FL_STAT_ADD(in, FL_INPUT_TCP, connections, 1);
}

/* Out of descriptors, the pending connection would keep the listening socket
 * readable and the loop spinning: give up the spare descriptor, accept the
 * peer, close it at once (counted as refused), and take the spare back.
 * Returns whether a connection was refused this way. */
static bool refuse_at_fd_limit(struct fl_inputs *in)
{
	int fd;

	if (in->spare_fd < 0)
		return false;
	close(in->spare_fd);
	fd = accept4(in->watch[FL_INPUT_TCP].fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		FL_STAT_ADD(in, FL_INPUT_TCP, refused, 1);
	}
	in->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0;
}

void fl_input_tcp_accept(struct fl_inputs *in)
{
	for (int i = 0; i < TCP_ACCEPTS_PER_WAKE; i++) {
		struct fl_net_addr peer;
		int fd;

		memset(&peer, 0, sizeof(peer));
		peer.len = sizeof(peer.ss);
		fd = accept4(in->watch[FL_INPUT_TCP].fd, (struct sockaddr *)&peer.ss, &peer.len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if ((errno == EMFILE || errno == ENFILE) && refuse_at_fd_limit(in))
				continue;
			return;
		}
		accept_one(in, fd, &peer);
	}
}

struct frame_ctx {
	struct fl_inputs *in;
	struct fl_tcp_conn *c;
	int64_t now_ns;
};

static void on_frame(void *ctx, const char *msg, size_t len)
{
	struct frame_ctx *f = ctx;

	(void)fl_inputs_push(f->in, FL_INPUT_TCP, FL_TRANSPORT_TCP,
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
	FL_STAT_ADD(in, FL_INPUT_TCP, paused, 1);
	return true;
}

void fl_input_tcp_resume(struct fl_inputs *in)
{
	if (fl_inputs_queue_room(in) < FL_TCP_PAUSE_ROOM)
		return;
	for (struct fl_tcp_conn *c = in->conns; c && in->n_paused > 0; c = c->next) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->w};

		if (!c->is_paused)
			continue;
		c->is_paused = false;
		in->n_paused--;
		c->active_ns = fl_inputs_mono_ns(); /* the wait was the engine's, not the peer's */
		if (epoll_ctl(in->epfd, EPOLL_CTL_ADD, c->w.fd, &ev) < 0) {
			fprintf(stderr, "faultline: tcp: closing %s: cannot watch it again: %s\n",
				c->peer_text, strerror(errno));
			conn_close(in, c, CLOSE_PEER);
			return; /* the list changed under us; the rest resume next turn */
		}
	}
}

void fl_input_tcp_read(struct fl_inputs *in, struct fl_tcp_conn *c)
{
	char chunk[FL_TCP_READ_CHUNK];
	struct frame_ctx ctx = {in, c, 0};
	enum fl_frame_verdict v;
	uint64_t too_long_before = c->framer.too_long, frames_before = c->framer.frames;
	bool was_between_frames = fl_framer_pending(&c->framer) == 0;
	ssize_t n;

	if (pause_if_queue_full(in, c))
		return;
	n = read(c->w.fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(in, c, CLOSE_PEER);
		return;
	}
	ctx.now_ns = fl_inputs_now_ns();
	v = fl_framer_feed(&c->framer, chunk, (size_t)n, on_frame, &ctx);
	if (c->framer.too_long != too_long_before) {
		FL_STAT_ADD(in, FL_INPUT_TCP, too_long, c->framer.too_long - too_long_before);
		fprintf(stderr, "faultline: tcp: %s sent a frame over %zu bytes, discarded\n",
			c->peer_text, in->cfg.max_msg);
	}
	if (v != FL_FRAME_OK) {
		char why[160];

		if (v == FL_FRAME_BAD_FRAMING || v == FL_FRAME_COUNT_OVER_MAX)
			FL_STAT_ADD(in, FL_INPUT_TCP, bad_framing, 1);
		fl_framer_explain(&c->framer, v, why, sizeof(why));
		fprintf(stderr, "faultline: tcp: closing %s: %s\n", c->peer_text, why);
		/* The rest of the stream cannot be framed: nothing of it is half a frame. */
		fl_buf_reset(&c->framer.pending);
		c->framer.skip_left = 0;
		c->framer.is_skipping_line = false;
		conn_close(in, c, CLOSE_PEER);
		return;
	}
	/* A frame begun or completed restarts the clock; more bytes of a frame
	 * already begun do not, so a trickle cannot hold a slot for ever. */
	if (was_between_frames || c->framer.frames != frames_before ||
	    c->framer.too_long != too_long_before)
		touch(in, c, fl_inputs_mono_ns());
}

int fl_input_tcp_sweep(struct fl_inputs *in, int64_t now_ns)
{
	int64_t idle_ns = (int64_t)in->cfg.idle_ms * 1000000LL, left_ns;
	size_t idle = 0, stalled = 0;
	struct fl_tcp_conn *c;

	while ((c = in->conns_tail) && now_ns - c->active_ns >= idle_ns) {
		if (c->is_paused) { /* waiting on the engine: not the peer's silence */
			touch(in, c, now_ns);
			continue;
		}
		if (fl_framer_pending(&c->framer) > 0)
			stalled++;
		idle++;
		conn_close(in, c, CLOSE_IDLE);
	}
	if (idle > 0) {
		FL_STAT_ADD(in, FL_INPUT_TCP, idle_closed, idle);
		FL_STAT_ADD(in, FL_INPUT_TCP, stalled_closed, stalled);
		/* One line per sweep, not per socket: a flood must not flood the log. */
		fprintf(stderr,
			"faultline: tcp: closed %zu connections without a frame for %u ms (%zu "
			"inside a frame)\n",
			idle, in->cfg.idle_ms, stalled);
	}
	if (!c)
		return -1;
	left_ns = c->active_ns + idle_ns - now_ns;
	return (int)((left_ns + 999999) / 1000000);
}

void fl_input_tcp_close_all(struct fl_inputs *in)
{
	while (in->conns)
		conn_close(in, in->conns, CLOSE_SHUTDOWN);
}
