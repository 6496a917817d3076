/* api_tls.c - see api_tls.h. */
#include "engine/api/api_tls.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/net.h"

/* Zeroes n bytes in a way the compiler keeps (wipe() is not
 * POSIX): the key must not linger in freed memory. */
static void wipe(char *p, size_t n)
{
	volatile char *v = p;

	while (n--)
		*v++ = 0;
}

/* The whole of path into a new NUL-terminated buffer. Returns 0, -ENOMEM or
 * -EINVAL with err naming the file (what: "cert" or "key"). */
static int read_pem(const char *what, const char *path, char **out, size_t *len, char *err,
		    size_t err_len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t n;

	if (!f) {
		snprintf(err, err_len, "http tls %s '%s': %s", what, path, strerror(errno));
		return -EINVAL;
	}
	text = malloc(FL_API_TLS_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, FL_API_TLS_FILE_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > FL_API_TLS_FILE_MAX) {
		wipe(text, n);
		free(text);
		snprintf(err, err_len, "http tls %s '%s': %s", what, path,
			 n == 0 ? "empty or unreadable" : "larger than 256 KiB");
		return -EINVAL;
	}
	text[n] = '\0';
	*out = text;
	*len = n;
	return 0;
}

/* Does the key belong to the certificate? GnuTLS says so when it loads the
 * pair, with a reason libmicrohttpd would not pass on. */
static int check_pair(const struct api_tls *t, size_t cert_len, const char *cert,
		      const char *key, char *err, size_t err_len)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t c = {(unsigned char *)t->cert_pem, (unsigned)cert_len};
	gnutls_datum_t k = {(unsigned char *)t->key_pem, (unsigned)t->key_len};
	int rc;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -ENOMEM;
	rc = gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc >= 0)
		return 0;
	snprintf(err, err_len, "http tls cert '%s' with key '%s': %s", cert, key,
		 gnutls_strerror(rc));
	return -EINVAL;
}

int api_tls_load(struct api_tls *t, const char *cert, const char *key, char *err, size_t err_len)
{
	struct api_tls got = {0};
	size_t cert_len = 0;
	int rc;

	if (!cert && !key)
		return 0;
	if (!cert || !key) {
		snprintf(err, err_len, "http tls: --http-tls-cert and --http-tls-key go together");
		return -EINVAL;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, err_len, "http tls: this libmicrohttpd was built without TLS");
		return -ENOTSUP;
	}
	rc = read_pem("cert", cert, &got.cert_pem, &cert_len, err, err_len);
	if (rc == 0)
		rc = read_pem("key", key, &got.key_pem, &got.key_len, err, err_len);
	if (rc == 0)
		rc = check_pair(&got, cert_len, cert, key, err, err_len);
	if (rc < 0) {
		api_tls_free(&got);
		return rc;
	}
	*t = got;
	return 0;
}

void api_tls_free(struct api_tls *t)
{
	if (t->key_pem)
		wipe(t->key_pem, t->key_len);
	free(t->key_pem);
	t->key_pem = NULL;
	t->key_len = 0;
	free(t->cert_pem);
	t->cert_pem = NULL;
}

bool api_addr_is_loopback(const struct fl_net_addr *addr)
{
	if (addr->ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&addr->ss;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (addr->ss.ss_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)&addr->ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a6) ||
		       (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
	}
	return false;
}
