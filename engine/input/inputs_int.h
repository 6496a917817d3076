/* inputs_int.h - what the input files (inputs.c, input_*.c) share, and
 * nobody else may use. See inputs.h for the design. */
#ifndef FL_INPUTS_INT_H
#define FL_INPUTS_INT_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/input/framing.h"
#include "engine/input/inputs.h"
#include "engine/lib/limits.h"

/* What an epoll registration points to. */
enum watch_kind {
	WATCH_WAKE,
	WATCH_UDP,
	WATCH_TCP_LISTEN,
	WATCH_TCP_CONN, /* a TCP or TLS connection */
	WATCH_TRAP,
	WATCH_TLS_LISTEN,
};

struct fl_watch {
	enum watch_kind kind;
	int fd;
};

struct fl_tls;
struct fl_tls_conn;
struct fl_conn_set;

/* A TCP or TLS syslog connection; owned by the loop thread. The connections
 * are kept most recently active first: the idle timeout and the eviction at
 * the cap look at the tail only. A TLS connection sits in its set's
 * handshake list, oldest last, until its session is up. */
struct fl_tcp_conn {
	struct fl_watch w; /* first: the epoll pointer is the connection */
	struct fl_net_addr peer;
	char peer_text[FL_NET_ADDR_TEXT_MAX];
	struct fl_framer framer;
	bool is_paused; /* not read until the queue has FL_TCP_PAUSE_ROOM again */
	bool is_handshaking; /* TLS: in set->hs, not yet read for frames */
	uint32_t events;     /* what epoll waits for (EPOLLOUT while a handshake must write) */
	int64_t active_ns; /* monotonic: accepted, a frame begun or completed */
	struct fl_inputs *in;
	struct fl_conn_set *set;
	struct fl_tls_conn *tls; /* NULL for TCP */
	struct fl_tcp_conn *prev, *next;
};

/* Connections per source address (input_sources.c); one thread only. */
struct fl_sources {
	struct source_slot *slots;
	size_t cap, used; /* cap: a power of two, at least twice used */
	uint64_t seed;
};

int fl_sources_init(struct fl_sources *t) FL_MUST_CHECK;
void fl_sources_free(struct fl_sources *t);
/* Counts one more connection from sa's address: 0, -EDQUOT when limit are
 * already counted (nothing changes), -ENOMEM. Peers that are not IP: 0. */
int fl_sources_add(struct fl_sources *t, const struct sockaddr *sa, socklen_t len,
		   size_t limit) FL_MUST_CHECK;
void fl_sources_remove(struct fl_sources *t, const struct sockaddr *sa, socklen_t len);
size_t fl_sources_count(const struct fl_sources *t, const struct sockaddr *sa, socklen_t len);

/* The connections of one stream input, TCP or TLS; loop thread only. Both
 * count against max_conns and max_conns_per_source, each on its own. */
struct fl_conn_set {
	enum fl_input_kind kind;		/* FL_INPUT_TCP or FL_INPUT_TLS */
	struct fl_tcp_conn *conns, *tail;	/* most recently active first */
	struct fl_tcp_conn *hs, *hs_tail;	/* TLS handshakes, newest first */
	size_t n_conns;				/* on both lists */
	struct fl_sources sources;
	int64_t log_second_ns; /* monotonic: the second the handshake log lines count in */
	unsigned log_lines;    /* lines logged in it, at most FL_TLS_LOG_PER_SEC */
};

/* Bounded byte queue of records (struct queue_rec + payload, 8-aligned),
 * written at wr, read at rd; a record that does not fit before the end of
 * the buffer starts at 0 and end_mark remembers where the data stops. */
struct fl_queue {
	pthread_mutex_t mu;
	pthread_cond_t has_data, has_room;
	char *mem;
	size_t cap, rd, wr, end_mark, used, high_water;
	bool is_wrapped, is_closing;
};

/* Rate limit of the "undecodable trap" log: one line per source a minute. */
struct trap_log_slot {
	struct fl_net_addr src;
	int64_t last_ns;
};

struct fl_inputs {
	struct fl_inputs_config cfg;
	bool enabled[FL_INPUT__COUNT];
	struct fl_net_addr local[FL_INPUT__COUNT];
	struct fl_watch watch[FL_INPUT__COUNT]; /* fd -1 for RELP (librelp owns it) */
	struct fl_input_stats stats[FL_INPUT__COUNT];
	struct fl_queue queue;

	/* loop thread */
	int epfd, wake_fd;
	struct fl_watch wake_watch;
	pthread_t loop_thread;
	bool has_loop_thread;
	int stop_requested; /* atomic */
	char *dgram_mem;    /* FL_UDP_BATCH datagrams of FL_UDP_MAX_DATAGRAM + 1 bytes */
	uint32_t rxq_ovfl[FL_INPUT__COUNT]; /* last SO_RXQ_OVFL seen per socket */
	struct fl_conn_set tcp, tls;
	size_t n_paused; /* of both sets */
	struct fl_tls *tls_ctx; /* certificates and checks shared by the TLS sessions */
	int64_t relp_scan_ns; /* monotonic: when the RELP sessions are looked over next */
	int spare_fd; /* held open so an accept at EMFILE can still refuse the peer */
	struct fl_event *trap_event;	/* scratch for decoding traps */
	uint8_t *trap_response;		/* FL_UDP_MAX_DATAGRAM bytes */
	uint8_t *trap_copy;		/* FL_UDP_MAX_DATAGRAM bytes: a v3 datagram, decrypted */
	char *communities;		/* "public\0ops\0\0" for fl_snmp_community_allowed() */
	struct trap_log_slot trap_log[FL_TRAP_LOG_SOURCES];

	/* RELP thread */
	fl_inputs_keep_fn *keep; /* NULL: a RELP message is acknowledged once queued */
	void *keep_ctx;
	bool relp_said_unkept;	/* the refusals were said on stderr; again after a success */
	void *relp_engine;	/* relpEngine_t */
	pthread_t relp_thread;
	bool has_relp_thread;
	int relp_is_done;	/* atomic: the thread left relpEngineRun() */
	int relp_shutdown_now;	/* handed to librelp: abandon a blocked callback */
	unsigned relp_shut_unlogged; /* atomic: sessions the scan shut down, not yet ended */
};

#define FL_STAT_ADD(in, kind, field, n)                                                            \
	__atomic_fetch_add(&(in)->stats[(kind)].field, (uint64_t)(n), __ATOMIC_RELAXED)

/* How fl_inputs_push() queues: FL_PUSH_WAIT blocks until there is room or
 * the queue closes (otherwise a full queue counts queue_full); FL_PUSH_KEPT
 * marks a message the keep function already holds (fl_msg.is_kept). */
#define FL_PUSH_WAIT 1u
#define FL_PUSH_KEPT 2u

/* Queue a copy of a message. Producer threads. Returns 0, -ENOBUFS
 * (dropped, counted) or -EMSGSIZE (larger than the queue). */
int fl_inputs_push(struct fl_inputs *in, enum fl_input_kind kind, enum fl_transport transport,
		   const struct sockaddr *peer, socklen_t peer_len, int64_t received_ns,
		   const char *p, size_t len, unsigned flags);

/* The same for a trap the loop thread decoded from p[0..len): the trap is
 * queued with it and handed to the consumer as fl_msg.msg.trap. */
int fl_inputs_push_trap(struct fl_inputs *in, const struct sockaddr *peer, socklen_t peer_len,
			int64_t received_ns, const char *p, size_t len, const struct fl_trap *trap);

int64_t fl_inputs_now_ns(void);
int64_t fl_inputs_mono_ns(void); /* CLOCK_MONOTONIC: timeouts, not stamps */

/* Bytes the queue could still take (either thread). */
size_t fl_inputs_queue_room(struct fl_inputs *in);

/* input_udp.c: reads what is waiting on a UDP or trap socket (bounded). */
void fl_input_udp_read(struct fl_inputs *in, enum fl_input_kind kind);
int fl_input_udp_setup(struct fl_inputs *in, enum fl_input_kind kind);

/* input_tcp.c: TCP and TLS connections. */
void fl_input_tcp_accept(struct fl_inputs *in, struct fl_conn_set *set);
void fl_input_tcp_read(struct fl_inputs *in, struct fl_tcp_conn *c);
void fl_input_tcp_close_all(struct fl_inputs *in);
void fl_input_tcp_resume(struct fl_inputs *in);
/* Closes connections past the idle timeout, and TLS connections past the
 * handshake timeout; returns the ms until the next one is due, or -1 when
 * there is no connection. */
int fl_input_tcp_sweep(struct fl_inputs *in, int64_t now_ns);

/* input_trap.c: one trap datagram, already past the allowlist. */
int fl_input_trap_init(struct fl_inputs *in);
void fl_input_trap_free(struct fl_inputs *in);
void fl_input_trap_handle(struct fl_inputs *in, int fd, const struct sockaddr *peer,
			  socklen_t peer_len, int64_t received_ns, const char *p, size_t len);

/* input_relp.c */
int fl_input_relp_create(struct fl_inputs *in, char *err, size_t err_cap);
int fl_input_relp_start(struct fl_inputs *in);
void fl_input_relp_stop(struct fl_inputs *in);
void fl_input_relp_destroy(struct fl_inputs *in);
/* Loop thread: closes RELP sessions idle too long or over the per-source
 * cap (librelp keeps no such limits). */
void fl_input_relp_scan(struct fl_inputs *in);

#endif /* FL_INPUTS_INT_H */
