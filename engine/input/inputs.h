/* inputs.h - the network inputs: UDP, TCP and TLS syslog, RELP, SNMP traps.
 *
 * struct fl_inputs owns every listening socket, every TCP connection, the
 * RELP engine and the queue that carries received messages to one consumer.
 * Two threads produce: the loop thread (epoll over the UDP, TCP and trap
 * sockets) and the RELP thread (librelp runs its own loop). The consumer is
 * whoever calls fl_inputs_drain(), usually the main thread.
 *
 * Messages cross threads as copies in a bounded byte queue (FL_QUEUE_BYTES).
 * When it is full, UDP and trap messages are dropped and counted
 * (<input>.queue_full); RELP waits for room instead, so rsyslog keeps each
 * message until faultline really holds it; TCP connections stop being read
 * while the queue is nearly full (tcp.paused), so TCP flow control slows
 * the senders. Messages from outside an input's
 * allowlist are dropped and counted (<input>.dropped_allowlist).
 *
 * TLS (RFC 5425, tls.h) is TCP with a session on each connection: the same
 * framing, caps and counters, plus a handshake that never blocks the loop
 * and is closed after handshake_ms (tls.handshake_timeout). Its connections
 * are counted apart from TCP's, against the same caps.
 *
 * Connections hold descriptors, so silence is bounded: a TCP or RELP
 * connection that completes no frame for idle_ms is closed (idle, or
 * stalled inside a frame), one address holds at most max_conns_per_source,
 * and at max_conns the TCP connection silent longest makes room for a new
 * one. fl_inputs_fit_fd_limit() fits max_conns to RLIMIT_NOFILE before
 * anything is bound. Every refusal and close is counted.
 *
 * RELP acknowledges a message, so what it acknowledges must outlive the
 * process: with a keep function (fl_inputs_set_keep(), the run's journal) the
 * RELP thread hands every message to it before queueing it, and a message it
 * cannot keep is refused (relp.refused_unkept): librelp answers "200 OK"
 * whenever its callback returns, so the refusal closes the sender's sessions
 * before that answer can go out, and the sender resends what it never saw
 * acknowledged. Without a keep function a RELP message is acknowledged once
 * queued. The other inputs acknowledge nothing; the consumer keeps their
 * messages itself (fl_msg.is_kept tells it which are kept already).
 *
 * Framing and transport checks happen on the producer threads; syslog
 * decoding happens on the consumer, so a slow decoder never delays a socket.
 * Traps are decoded on the loop thread, because the community check and
 * the Response to an InformRequest must happen there; the decoded trap rides
 * the queue with its datagram (message.h), so it is decoded only once. */
#ifndef FL_INPUTS_H
#define FL_INPUTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/lib/cidr.h"
#include "engine/lib/compiler.h"
#include "engine/decode/event.h"
#include "engine/decode/message.h"
#include "engine/lib/net.h"

struct fl_inputs;
struct fl_usm;

enum fl_input_kind {
	FL_INPUT_UDP,
	FL_INPUT_TCP,
	FL_INPUT_RELP,
	FL_INPUT_TRAP,
	FL_INPUT_TLS,
	FL_INPUT__COUNT
};

/* The TLS input's files and checks (tls.h). Strings are borrowed. */
struct fl_tls_config {
	const char *cert, *key; /* PEM: the server's certificate (chain) and key */
	const char *ca;		/* PEM: the CA client certificates must chain to */
	const char *auth;	/* "anon" (server-only) or "x509" (client cert); NULL: x509 */
	const char *peers;	/* "name, SHA256:hex, ..."; NULL: any client the CA signed */
	uint32_t handshake_ms;	/* close a connection still in its handshake this long */
};

struct fl_inputs_config {
	const char *addr[FL_INPUT__COUNT]; /* "ADDR:PORT"; NULL: input off */
	struct fl_cidr_list allow[FL_INPUT__COUNT];
	const char *communities[FL_SNMP_MAX_COMMUNITIES]; /* none given: "public" */
	size_t n_communities;
	/* SNMPv3 users (usm.h), borrowed: the command creates it and destroys it
	 * after fl_inputs_destroy(); only the loop thread uses it meanwhile, since
	 * it learns engine times. NULL: v3 traps are refused (v3_refused). */
	struct fl_usm *usm;
	size_t max_msg;	    /* TCP and RELP frame cap, > 0 */
	size_t max_conns;   /* concurrent TCP connections, > 0 (RELP: the same cap) */
	size_t max_conns_per_source; /* TCP or RELP connections from one address, > 0 */
	uint32_t idle_ms;   /* close a TCP/RELP connection that completes no frame this long */
	struct fl_tls_config tls;
};

/* The defaults of the caps above. */
void fl_inputs_config_defaults(struct fl_inputs_config *cfg);

/* Counters of one input. Written by its producer thread, read by anyone
 * (relaxed atomics: a stats line may be a moment old, never torn). */
struct fl_input_stats {
	uint64_t received;	    /* messages taken from the wire and queued */
	uint64_t dropped_allowlist; /* datagrams/connections from outside --allow */
	uint64_t queue_full;	    /* messages dropped: consumer queue full */
	uint64_t kernel_drops;	    /* UDP: datagrams the kernel dropped (SO_RXQ_OVFL) */
	uint64_t too_long;	    /* TCP/TLS/RELP: frames over --max-msg-size, discarded */
	uint64_t bad_framing;	    /* TCP/TLS: connections closed for a bad octet count */
	uint64_t half_frames;	    /* TCP/TLS: unfinished frame at disconnect */
	uint64_t paused;	    /* TCP/TLS: connections paused while the queue was full */
	uint64_t connections;	    /* TCP: connections accepted; TLS: sessions set up */
	uint64_t refused;	    /* TCP/TLS/RELP: connections over --max-conns */
	uint64_t refused_per_source; /* TCP/TLS/RELP: over --max-conns-per-source */
	uint64_t evicted;	    /* TCP/TLS: silent connections closed at the cap for a new one */
	uint64_t idle_closed;	    /* TCP/TLS/RELP: closed after --idle-timeout-ms without a frame */
	uint64_t stalled_closed;    /* TCP/TLS: of idle_closed, those inside a frame */
	uint64_t bad_community;	    /* traps: community not allowed */
	uint64_t undecodable;	    /* traps: not a v1/v2c/v3 trap or inform */
	/* traps: SNMPv3 refused, by reason (RFC 3414 §3.2 and the usmStats of §5) */
	uint64_t v3_refused;	    /* v3 with no users configured, a v3 inform, bad msgFlags,
				     * a security model other than USM */
	uint64_t usm_unknown_user, usm_unknown_engine_id, usm_unsupported_level;
	uint64_t usm_wrong_digest, usm_not_in_time_window, usm_decryption_error;
	uint64_t informs_answered;  /* traps: Responses sent */
	uint64_t log_suppressed;    /* traps, TLS: log lines held back by the rate limit */
	uint64_t handshake_failed;  /* TLS: not TLS, or the handshake failed */
	uint64_t peer_rejected;	    /* TLS: client certificate missing, invalid, not permitted */
	uint64_t handshake_timeout; /* TLS: closed still in the handshake after handshake_ms */
	uint64_t refused_unkept;    /* RELP: messages refused, the keep function failed */
};

/* One received message, as the consumer sees it: which input took it, and
 * the message for fl_message_decode() (a trap comes with the trap the loop
 * thread decoded). Borrowed: valid only during the callback. */
struct fl_msg {
	enum fl_input_kind input;
	bool is_kept; /* the keep function already has it (RELP with one) */
	struct fl_received msg;
};

typedef void (*fl_msg_fn)(void *ctx, const struct fl_msg *msg);

/* Keeps m durably (the run's journal) before a RELP acknowledgement; called
 * on the RELP thread, so it must be safe beside the consumer's use of the
 * same store. Returns 0 (kept), -EMSGSIZE (can never be kept: acknowledged
 * anyway, or the sender would resend it forever) or another negative errno
 * (refused: the sender resends). m is borrowed for the call. */
typedef int fl_inputs_keep_fn(void *ctx, const struct fl_received *m);

/* Lifecycle. create binds every configured input (nothing runs yet).
 * Returns 0, -ENOMEM, -EINVAL (bad address, TLS settings without the TLS
 * input, or a TLS file or value refused) or the bind error (-EADDRINUSE,
 * -EACCES, ...); on failure err holds one sentence naming the input, the
 * address and why. destroy accepts NULL; call fl_inputs_stop() first if
 * started. */
int fl_inputs_create(struct fl_inputs **out, const struct fl_inputs_config *cfg, char *err,
		     size_t err_cap) FL_MUST_CHECK;
void fl_inputs_destroy(struct fl_inputs *in);

/* Fits cfg->max_conns to the descriptor limit: raises the soft
 * RLIMIT_NOFILE toward the hard one if the cap needs it, then lowers the cap
 * to what the limit leaves after headroom descriptors. Returns 0 (unchanged),
 * 1 (lowered: msg says from what to what and why) or -EMFILE (not even one
 * connection fits: msg says so). msg is always a sentence or empty. */
int fl_inputs_fit_fd_limit(struct fl_inputs_config *cfg, size_t headroom, char *msg,
			   size_t msg_cap) FL_MUST_CHECK;

/* Sets the keep function RELP messages pass before they are acknowledged
 * (NULL: acknowledged once queued). Before fl_inputs_start() only. */
void fl_inputs_set_keep(struct fl_inputs *in, fl_inputs_keep_fn *fn, void *ctx);

/* Starts the loop and RELP threads. Returns 0 or a negative errno. */
int fl_inputs_start(struct fl_inputs *in) FL_MUST_CHECK;

/* Stops and joins the producer threads. Messages already queued stay for
 * fl_inputs_drain(); a RELP message is acknowledged only once kept (with a
 * keep function) and queued, so draining after stop loses nothing that was
 * acknowledged, and a crash loses nothing that was kept. */
void fl_inputs_stop(struct fl_inputs *in);

/* Operations (consumer thread only). Waits up to timeout_ms for messages,
 * then hands every queued message to fn in arrival order. Returns how many. */
size_t fl_inputs_drain(struct fl_inputs *in, int timeout_ms, fl_msg_fn fn, void *ctx);

/* Queries. Is the input configured? The address it is bound to. */
bool fl_inputs_enabled(const struct fl_inputs *in, enum fl_input_kind kind);
int fl_inputs_local(const struct fl_inputs *in, enum fl_input_kind kind,
		    struct fl_net_addr *out) FL_MUST_CHECK;
void fl_inputs_stats(const struct fl_inputs *in, enum fl_input_kind kind,
		     struct fl_input_stats *out);
const char *fl_input_name(enum fl_input_kind kind); /* "udp", "tcp", "relp", "trap", "tls" */

#endif /* FL_INPUTS_H */
