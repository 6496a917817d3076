/* tls.h - the server side of syslog over TLS (RFC 5425), on GnuTLS.
 *
 * struct fl_tls holds what every connection shares: the server's certificate
 * and key, the CA that client certificates must chain to, the priority
 * string, the client-auth mode and the permitted peers. It is read-only once
 * made, so the loop thread may use it for every connection.
 *
 * struct fl_tls_conn is one session over a non-blocking socket, owned by the
 * loop thread. Nothing here blocks: a handshake or a read that needs the
 * socket again returns AGAIN with the direction to wait for, so a client that
 * stalls its handshake costs the others nothing (the caller times it out).
 *
 * Client authentication (RFC 5425 §5): in FL_TLS_AUTH_ANON the server shows
 * its certificate and asks for none (server-only authentication); in
 * FL_TLS_AUTH_X509 the client must send a certificate that chains to the CA
 * and is valid now, and, when permitted peers are given, whose subject names
 * (dNSName, or the CN without one) match a permitted name or whose SHA-256 or
 * SHA-1 fingerprint is permitted. A refusal ends the handshake with an alert,
 * so the client sees why, and the reason is kept for the log. */
#ifndef FL_TLS_H
#define FL_TLS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/lib/compiler.h"

/* Permitted peers (--tls-peers) and the bytes of one. */
#define FL_TLS_MAX_PEERS 64
#define FL_TLS_PEER_MAX 128
/* Bytes of the reason a handshake failed, for the log. */
#define FL_TLS_WHY_MAX 160

struct fl_tls_config;
struct fl_tls;
struct fl_tls_conn;

enum fl_tls_auth {
	FL_TLS_AUTH_ANON, /* server-only: no client certificate asked for */
	FL_TLS_AUTH_X509, /* a client certificate from the CA, maybe a permitted peer */
};

/* How a handshake step ended. */
enum fl_tls_step {
	FL_TLS_DONE,	   /* the session is up */
	FL_TLS_WANT_READ,  /* call again when the socket is readable */
	FL_TLS_WANT_WRITE, /* call again when the socket is writable */
	FL_TLS_FAILED,	   /* not TLS, or the TLS failed (why says how) */
	FL_TLS_REJECTED,   /* the client's certificate was missing or refused */
};

/* Lifecycle. Reads the files named in cfg and checks the permitted peers.
 * Returns 0, -ENOMEM, or -EINVAL with one sentence in err naming the file or
 * value and why. fl_tls_destroy() accepts NULL. */
int fl_tls_create(struct fl_tls **out, const struct fl_tls_config *cfg, char *err,
		  size_t err_cap) FL_MUST_CHECK;
void fl_tls_destroy(struct fl_tls *t);

/* A session for the accepted socket fd (non-blocking; still the caller's to
 * close). Returns 0 or -ENOMEM. fl_tls_conn_close() sends a close_notify if
 * the socket takes it at once, and frees the session. */
int fl_tls_conn_open(struct fl_tls *t, int fd, struct fl_tls_conn **out) FL_MUST_CHECK;
void fl_tls_conn_close(struct fl_tls_conn *c);

/* Operations. One step of the handshake; on FAILED or REJECTED why holds
 * the reason ("client sent no certificate", "not TLS: ..."). */
enum fl_tls_step fl_tls_conn_handshake(struct fl_tls_conn *c, char *why, size_t why_cap);

/* Reads decrypted bytes into buf. Returns how many (> 0), 0 when the peer
 * closed (with or without a close_notify), -EAGAIN, or -EPROTO with why set. */
ssize_t fl_tls_conn_recv(struct fl_tls_conn *c, char *buf, size_t cap, char *why,
			 size_t why_cap);

/* Queries. Decrypted bytes held in the session (not visible to epoll). */
bool fl_tls_conn_pending(const struct fl_tls_conn *c);
/* The client certificate's identity once the session is up: its first
 * subject name, or "" under anonymous auth. */
const char *fl_tls_conn_peer_name(const struct fl_tls_conn *c);

/* The pure parts, for the config check and the tests. Splits a list of
 * permitted peers ("host.example, SHA256:AB:CD:...") into entries; returns
 * how many, or -EINVAL with err naming the entry at fault. */
int fl_tls_peers_parse(const char *list, char out[][FL_TLS_PEER_MAX], size_t max, char *err,
		       size_t err_cap) FL_MUST_CHECK;
/* Does the fingerprint entry ("SHA256:ab:cd..." or "SHA1:...", any case,
 * colons optional) name the digest d[0..n)? false for a name entry. */
bool fl_tls_fingerprint_matches(const char *entry, const unsigned char *d, size_t n);
/* "anon" or "x509"; -EINVAL otherwise. */
int fl_tls_auth_parse(const char *text, enum fl_tls_auth *out) FL_MUST_CHECK;

#endif /* FL_TLS_H */
