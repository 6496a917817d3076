/* net.h - socket addresses and listening sockets for the inputs.
 *
 * Addresses are written "ADDR:PORT": "127.0.0.1:5514", "[::1]:5514",
 * "0.0.0.0:0" (port 0: the kernel picks one; fl_net_local() tells which).
 * Names are not resolved: an input binds to an address the operator wrote.
 * Sockets are created non-blocking and close-on-exec; the caller owns them.
 * Stateless, any thread. */
#ifndef FL_NET_H
#define FL_NET_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/lib/compiler.h"

/* "[ffff:...]:65535" plus NUL */
#define FL_NET_ADDR_TEXT_MAX 64

struct fl_net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parses ADDR:PORT. Returns 0 or -EINVAL and then points *why at a static
 * sentence naming the problem ("port is not a number 0..65535", ...). */
int fl_net_parse(struct fl_net_addr *out, const char *text, const char **why) FL_MUST_CHECK;

/* Creates a socket of type SOCK_DGRAM or SOCK_STREAM bound to addr (stream
 * sockets also listen). "[::]:N" takes IPv4 senders as well, as most daemons
 * do (their addresses arrive as ::ffff:a.b.c.d: see fl_net_unmap()), so one
 * input serves a network of both; "0.0.0.0:N" then cannot be bound beside
 * it. Any other IPv6 address is IPv6-only. Returns the fd or a negative
 * errno (-EADDRINUSE, -EACCES, -EADDRNOTAVAIL, ...). */
int fl_net_listen(const struct fl_net_addr *addr, int type) FL_MUST_CHECK;

/* An IPv4 sender's address as a dual-stack socket gives it
 * (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) rewritten in place as the IPv4
 * address it is, port kept; any other address is left alone. */
void fl_net_unmap(struct sockaddr_storage *ss, socklen_t *len);

/* The address a socket is bound to. Returns 0 or a negative errno. */
int fl_net_local(int fd, struct fl_net_addr *out) FL_MUST_CHECK;

/* Writes "127.0.0.1:5514" or "[::1]:5514" (always NUL-terminated, "?" for an
 * unknown family). */
void fl_net_format(const struct sockaddr *sa, socklen_t len, char *out, size_t cap);

/* Writes the bare address ("::1") into out and returns the port, or -1 for an
 * unknown family (out is then "?"). */
int fl_net_host_port(const struct sockaddr *sa, socklen_t len, char *out, size_t cap);

#endif /* FL_NET_H */
