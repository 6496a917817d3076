/* api_tls.h - what the API needs to serve HTTPS: the server's certificate
 * and key read into memory (libmicrohttpd takes PEM text, not paths), checked
 * as a pair before the daemon starts so a mistake is named, and the rule that
 * keeps passwords and tokens off the wire in the clear.
 *
 * The key is read from a file named on the command line or in the config
 * file, never from argv itself (ps(1) would show it). Its copy in memory is
 * wiped when freed. Caller's thread only: create and destroy of the API. */
#ifndef FL_API_TLS_H
#define FL_API_TLS_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/lib/compiler.h"

struct fl_net_addr;

/* A PEM file is at most this big: a certificate chain, not a bundle. */
#define FL_API_TLS_FILE_MAX (256 * 1024)

/* The PEM texts, NUL-terminated; both NULL when the API speaks plain HTTP. */
struct api_tls {
	char *cert_pem, *key_pem;
	size_t key_len;
};

/* Reads cert and key (both or neither: NULL, NULL leaves t empty), checks
 * that this libmicrohttpd has TLS and that the key belongs to the
 * certificate. Returns 0, -ENOMEM, -ENOTSUP (no TLS in libmicrohttpd) or
 * -EINVAL; err says why, naming the file. t is written only on success. */
FL_MUST_CHECK int api_tls_load(struct api_tls *t, const char *cert, const char *key, char *err,
			       size_t err_len);
/* Wipes the key and frees both; an empty t does nothing. */
void api_tls_free(struct api_tls *t);

/* Is addr 127.0.0.0/8, ::1 or ::ffff:127.x? Only such an address may serve
 * logins without TLS unless the operator says otherwise. */
bool api_addr_is_loopback(const struct fl_net_addr *addr);

#endif /* FL_API_TLS_H */
