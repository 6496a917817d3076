/* tls.c - see tls.h. The only file that speaks GnuTLS: the loop thread's
 * TCP code sees steps and byte counts, never a GnuTLS type. GnuTLS because
 * rsyslog's gtls driver, the sender most sites run, is built on it, so the
 * two agree on priorities and on how names are read from certificates. */
#define _GNU_SOURCE /* strncasecmp, MSG_DONTWAIT */
#include "engine/input/tls.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "engine/input/inputs.h"
#include "engine/lib/digits.h"

/* The first byte of a TLS record that opens a handshake (RFC 8446 §5.1). */
#define TLS_CONTENT_HANDSHAKE 0x16
/* Bytes of a non-TLS client's first words quoted in the log. */
#define NOT_TLS_QUOTE 24
#define PEER_NAME_MAX 256

struct fl_tls {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	enum fl_tls_auth auth;
	char peers[FL_TLS_MAX_PEERS][FL_TLS_PEER_MAX];
	size_t n_peers;
};

struct fl_tls_conn {
	gnutls_session_t s;
	const struct fl_tls *t;
	int fd;
	bool is_first_step, is_up;
	char refusal[FL_TLS_WHY_MAX]; /* set by verify_client() when it refuses */
	char peer_name[PEER_NAME_MAX];
};

/* --- permitted peers (pure) ------------------------------------------------- */

/* The digest length a fingerprint entry names, and where its hex starts;
 * 0 for an entry that is a name. */
static size_t fingerprint_kind(const char *entry, const char **hex)
{
	if (strncasecmp(entry, "SHA256:", 7) == 0) {
		*hex = entry + 7;
		return 32;
	}
	if (strncasecmp(entry, "SHA1:", 5) == 0) {
		*hex = entry + 5;
		return 20;
	}
	return 0;
}

/* Decodes the hex of a fingerprint (colons between bytes optional) into
 * d[0..want); false unless exactly want bytes are there. */
static bool fingerprint_decode(const char *hex, unsigned char *d, size_t want)
{
	size_t n = 0;

	for (const char *p = hex; *p;) {
		int hi, lo;

		if (*p == ':') {
			p++;
			continue;
		}
		hi = fl_hex_value(p[0]);
		lo = hi < 0 ? -1 : fl_hex_value(p[1]);
		if (lo < 0 || n == want)
			return false;
		d[n++] = (unsigned char)(hi << 4 | lo);
		p += 2;
	}
	return n == want;
}

bool fl_tls_fingerprint_matches(const char *entry, const unsigned char *d, size_t n)
{
	unsigned char want[32];
	const char *hex = NULL;
	size_t len = fingerprint_kind(entry, &hex);

	return len != 0 && len == n && fingerprint_decode(hex, want, len) &&
	       memcmp(want, d, n) == 0;
}

int fl_tls_peers_parse(const char *list, char out[][FL_TLS_PEER_MAX], size_t max, char *err,
		       size_t err_cap)
{
	size_t n = 0;

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		unsigned char d[32];
		const char *hex = NULL;
		size_t dlen;

		while (len > 0 && isspace((unsigned char)*p))
			p++, len--;
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0 || len >= FL_TLS_PEER_MAX || n == max) {
			snprintf(err, err_cap, "permitted peer '%.*s': %s", (int)(len < 40 ? len : 40),
				 p, len == 0 ? "empty" : n == max ? "too many peers" : "too long");
			return -EINVAL;
		}
		memcpy(out[n], p, len);
		out[n][len] = '\0';
		dlen = fingerprint_kind(out[n], &hex);
		if (dlen && !fingerprint_decode(hex, d, dlen)) {
			snprintf(err, err_cap,
				 "permitted peer '%s': a fingerprint is SHA256: or SHA1: and %zu hex "
				 "bytes",
				 out[n], dlen);
			return -EINVAL;
		}
		n++;
		p += len;
		while (*p && *p != ',')
			p++;
		if (*p == ',')
			p++;
	}
	return (int)n;
}

int fl_tls_auth_parse(const char *text, enum fl_tls_auth *out)
{
	if (!text || strcmp(text, "x509") == 0 || strcmp(text, "x509/name") == 0) {
		*out = FL_TLS_AUTH_X509;
		return 0;
	}
	if (strcmp(text, "anon") == 0) {
		*out = FL_TLS_AUTH_ANON;
		return 0;
	}
	return -EINVAL;
}

/* --- client certificates ---------------------------------------------------- */

/* The certificate's first dNSName, or its CN when it has none. */
static void subject_name(gnutls_x509_crt_t crt, char *out, size_t cap)
{
	size_t size = cap - 1;
	int type = gnutls_x509_crt_get_subject_alt_name(crt, 0, out, &size, NULL);

	if (type == GNUTLS_SAN_DNSNAME) {
		out[size] = '\0';
		return;
	}
	size = cap;
	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, out, &size) < 0)
		snprintf(out, cap, "(no name)");
}

/* Is the certificate a permitted peer, by a name it holds or its digest? */
static bool is_permitted(const struct fl_tls *t, gnutls_x509_crt_t crt, const gnutls_datum_t *der)
{
	unsigned char sha256[32], sha1[20];
	size_t n256 = sizeof(sha256), n1 = sizeof(sha1);
	bool has256 = gnutls_fingerprint(GNUTLS_DIG_SHA256, der, sha256, &n256) == 0;
	bool has1 = gnutls_fingerprint(GNUTLS_DIG_SHA1, der, sha1, &n1) == 0;

	for (size_t i = 0; i < t->n_peers; i++) {
		const char *hex = NULL;

		if (fingerprint_kind(t->peers[i], &hex) == 0) {
			if (gnutls_x509_crt_check_hostname2(crt, t->peers[i], 0))
				return true;
		} else if ((has256 && fl_tls_fingerprint_matches(t->peers[i], sha256, n256)) ||
			   (has1 && fl_tls_fingerprint_matches(t->peers[i], sha1, n1))) {
			return true;
		}
	}
	return false;
}

/* Runs inside the handshake, after the client's Certificate: a non-zero
 * return ends the handshake with an alert. The reason goes to c->refusal. */
static int verify_client(gnutls_session_t s)
{
	struct fl_tls_conn *c = gnutls_session_get_ptr(s);
	unsigned n = 0, status = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
	gnutls_x509_crt_t crt = NULL;
	int rc;

	if (!chain || n == 0) {
		snprintf(c->refusal, sizeof(c->refusal), "client sent no certificate");
		return -1;
	}
	rc = gnutls_certificate_verify_peers2(s, &status);
	if (rc < 0 || status != 0) {
		gnutls_datum_t text = {NULL, 0};

		if (rc == 0 && gnutls_certificate_verification_status_print(
				       status, GNUTLS_CRT_X509, &text, 0) == 0) {
			snprintf(c->refusal, sizeof(c->refusal), "client certificate refused: %s",
				 (const char *)text.data);
			gnutls_free(text.data);
		} else {
			snprintf(c->refusal, sizeof(c->refusal), "client certificate refused: %s",
				 rc < 0 ? gnutls_strerror(rc) : "not valid");
		}
		return -1;
	}
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) < 0) {
		snprintf(c->refusal, sizeof(c->refusal), "client certificate cannot be read");
		gnutls_x509_crt_deinit(crt);
		return -1;
	}
	subject_name(crt, c->peer_name, sizeof(c->peer_name));
	rc = c->t->n_peers == 0 || is_permitted(c->t, crt, &chain[0]) ? 0 : -1;
	if (rc < 0)
		snprintf(c->refusal, sizeof(c->refusal),
			 "client certificate of '%.80s' is not a permitted peer", c->peer_name);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* --- lifecycle -------------------------------------------------------------- */

/* A file the server must read: its own sentence when it cannot. */
static int check_readable(const char *what, const char *path, char *err, size_t err_cap)
{
	if (!path || !path[0]) {
		snprintf(err, err_cap, "tls: no %s given (--tls-%s FILE)", what, what);
		return -EINVAL;
	}
	if (access(path, R_OK) < 0) {
		snprintf(err, err_cap, "tls %s '%s': %s", what, path, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

static int load_files(struct fl_tls *t, const struct fl_tls_config *cfg, char *err, size_t err_cap)
{
	int rc = check_readable("cert", cfg->cert, err, err_cap);

	if (rc == 0)
		rc = check_readable("key", cfg->key, err, err_cap);
	if (rc == 0 && (cfg->ca || t->auth == FL_TLS_AUTH_X509))
		rc = check_readable("ca", cfg->ca, err, err_cap);
	if (rc < 0)
		return rc;
	rc = gnutls_certificate_set_x509_key_file(t->cred, cfg->cert, cfg->key,
						  GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		snprintf(err, err_cap, "tls cert '%s' with key '%s': %s", cfg->cert, cfg->key,
			 gnutls_strerror(rc));
		return -EINVAL;
	}
	if (!cfg->ca)
		return 0;
	rc = gnutls_certificate_set_x509_trust_file(t->cred, cfg->ca, GNUTLS_X509_FMT_PEM);
	if (rc <= 0) {
		snprintf(err, err_cap, "tls ca '%s': %s", cfg->ca,
			 rc == 0 ? "no certificate in it" : gnutls_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

int fl_tls_create(struct fl_tls **out, const struct fl_tls_config *cfg, char *err,
		  size_t err_cap)
{
	struct fl_tls *t = calloc(1, sizeof(*t));
	int rc;

	if (!t) {
		snprintf(err, err_cap, "out of memory");
		return -ENOMEM;
	}
	if (fl_tls_auth_parse(cfg->auth, &t->auth) < 0) {
		snprintf(err, err_cap, "tls auth '%s': anon or x509", cfg->auth);
		rc = -EINVAL;
		goto fail;
	}
	rc = cfg->peers ? fl_tls_peers_parse(cfg->peers, t->peers, FL_TLS_MAX_PEERS, err, err_cap)
			: 0;
	if (rc < 0)
		goto fail;
	t->n_peers = (size_t)rc;
	if (t->n_peers > 0 && t->auth == FL_TLS_AUTH_ANON) {
		snprintf(err, err_cap, "tls: permitted peers need --tls-auth x509, under anon no "
				       "client shows a certificate");
		rc = -EINVAL;
		goto fail;
	}
	if (gnutls_certificate_allocate_credentials(&t->cred) < 0 ||
	    gnutls_priority_init(&t->prio, "NORMAL", NULL) < 0) {
		snprintf(err, err_cap, "tls: cannot set up GnuTLS");
		rc = -ENOMEM;
		goto fail;
	}
	rc = load_files(t, cfg, err, err_cap);
	if (rc < 0)
		goto fail;
	if (t->auth == FL_TLS_AUTH_X509)
		gnutls_certificate_set_verify_function(t->cred, verify_client);
	*out = t;
	return 0;

fail:
	fl_tls_destroy(t);
	return rc;
}

void fl_tls_destroy(struct fl_tls *t)
{
	if (!t)
		return;
	if (t->prio)
		gnutls_priority_deinit(t->prio);
	if (t->cred)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
}

int fl_tls_conn_open(struct fl_tls *t, int fd, struct fl_tls_conn **out)
{
	struct fl_tls_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	/* NO_SIGNAL: a client gone mid-alert is an error value, not SIGPIPE. */
	if (gnutls_init(&c->s, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0) {
		free(c);
		return -ENOMEM;
	}
	if (gnutls_priority_set(c->s, t->prio) < 0 ||
	    gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, t->cred) < 0) {
		gnutls_deinit(c->s);
		free(c);
		return -ENOMEM;
	}
	gnutls_certificate_server_set_request(
		c->s, t->auth == FL_TLS_AUTH_X509 ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_IGNORE);
	gnutls_session_set_ptr(c->s, c);
	gnutls_transport_set_int(c->s, fd);
	c->t = t;
	c->fd = fd;
	c->is_first_step = true;
	*out = c;
	return 0;
}

void fl_tls_conn_close(struct fl_tls_conn *c)
{
	if (!c)
		return;
	if (c->is_up)
		(void)gnutls_bye(c->s, GNUTLS_SHUT_WR); /* once: the socket is non-blocking */
	gnutls_deinit(c->s);
	free(c);
}

/* --- operations ------------------------------------------------------------- */

/* Before GnuTLS reads anything: a client whose first byte cannot open a TLS
 * handshake is most often syslog sent in the clear to the TLS port; say so,
 * with its first bytes, rather than GnuTLS's record-layer error. */
static enum fl_tls_step check_first_bytes(struct fl_tls_conn *c, char *why, size_t why_cap)
{
	char head[NOT_TLS_QUOTE];
	ssize_t n = recv(c->fd, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return FL_TLS_WANT_READ;
	if (n <= 0) {
		snprintf(why, why_cap, "closed before the handshake");
		return FL_TLS_FAILED;
	}
	if ((unsigned char)head[0] == TLS_CONTENT_HANDSHAKE) {
		c->is_first_step = false;
		return FL_TLS_DONE;
	}
	for (ssize_t i = 0; i < n; i++)
		if (!isprint((unsigned char)head[i]))
			head[i] = '?';
	snprintf(why, why_cap, "not TLS: the client began with '%.*s' (syslog in the clear?)",
		 (int)n, head);
	return FL_TLS_FAILED;
}

static bool is_refusal(int rc)
{
	return rc == GNUTLS_E_NO_CERTIFICATE_FOUND || rc == GNUTLS_E_CERTIFICATE_REQUIRED ||
	       rc == GNUTLS_E_CERTIFICATE_ERROR || rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
}

enum fl_tls_step fl_tls_conn_handshake(struct fl_tls_conn *c, char *why, size_t why_cap)
{
	int rc;

	why[0] = '\0';
	if (c->is_first_step) {
		enum fl_tls_step first = check_first_bytes(c, why, why_cap);

		if (first != FL_TLS_DONE)
			return first;
	}
	rc = gnutls_handshake(c->s);
	if (rc == GNUTLS_E_SUCCESS) {
		c->is_up = true;
		return FL_TLS_DONE;
	}
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(rc))
		return gnutls_record_get_direction(c->s) ? FL_TLS_WANT_WRITE : FL_TLS_WANT_READ;
	if (c->refusal[0]) {
		snprintf(why, why_cap, "%s", c->refusal);
		return FL_TLS_REJECTED;
	}
	if (is_refusal(rc)) {
		snprintf(why, why_cap, "%s",
			 rc == GNUTLS_E_NO_CERTIFICATE_FOUND || rc == GNUTLS_E_CERTIFICATE_REQUIRED
				 ? "client sent no certificate"
				 : gnutls_strerror(rc));
		return FL_TLS_REJECTED;
	}
	snprintf(why, why_cap, "%s", gnutls_strerror(rc));
	return FL_TLS_FAILED;
}

ssize_t fl_tls_conn_recv(struct fl_tls_conn *c, char *buf, size_t cap, char *why, size_t why_cap)
{
	ssize_t n = gnutls_record_recv(c->s, buf, cap);

	if (n >= 0)
		return n;
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0; /* closed without close_notify: syslog framing tells what was whole */
	if (n == GNUTLS_E_REHANDSHAKE) {
		/* A renegotiation would let a client change its identity mid-stream. */
		(void)gnutls_alert_send(c->s, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
		return -EAGAIN;
	}
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal((int)n))
		return -EAGAIN;
	snprintf(why, why_cap, "%s", gnutls_strerror((int)n));
	return -EPROTO;
}

/* --- queries ---------------------------------------------------------------- */

bool fl_tls_conn_pending(const struct fl_tls_conn *c)
{
	return gnutls_record_check_pending(c->s) > 0;
}

const char *fl_tls_conn_peer_name(const struct fl_tls_conn *c)
{
	return c->peer_name;
}
