/* The TLS syslog input (RFC 5425): the permitted-peer list and fingerprints,
 * the checks made at start, and real handshakes on loopback against a GnuTLS
 * client: a client certificate required, a permitted peer by fingerprint,
 * a plain-text client, and a handshake that never comes while another
 * client is served. The certificates are fixed (tests/unit/data/tls, valid
 * 2000 to 9999); every wait is bounded and generous. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/input/inputs.h"
#include "engine/input/tls.h"

/* --- the pure parts ------------------------------------------------------------ */

Test(tls, splits_and_trims_the_permitted_peers)
{
	char peers[4][FL_TLS_PEER_MAX], err[200];
	int n = fl_tls_peers_parse(" relay1.test ,SHA1:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:"
				   "ee:ff:00:11:22:33,*.noc.example",
				   peers, 4, err, sizeof(err));

	cr_assert_eq(n, 3, "%s", err);
	cr_expect_str_eq(peers[0], "relay1.test");
	cr_expect_str_eq(peers[1], "SHA1:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33");
	cr_expect_str_eq(peers[2], "*.noc.example");
}

Test(tls, refuses_a_bad_fingerprint_an_empty_entry_and_too_many)
{
	char peers[2][FL_TLS_PEER_MAX], err[200];

	cr_expect_eq(fl_tls_peers_parse("a.test,SHA256:abcd", peers, 2, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "SHA256:abcd") != NULL, "the entry is not named: %s", err);
	cr_expect_eq(fl_tls_peers_parse("a.test,,b.test", peers, 2, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "empty") != NULL, "%s", err);
	cr_expect_eq(fl_tls_peers_parse("a,b,c", peers, 2, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "too many") != NULL, "%s", err);
}

Test(tls, a_fingerprint_matches_in_any_case_with_or_without_colons)
{
	unsigned char d[20];

	for (int i = 0; i < 20; i++)
		d[i] = (unsigned char)(0xa0 + i);
	cr_expect(fl_tls_fingerprint_matches(
		"SHA1:A0:A1:A2:A3:A4:A5:A6:A7:A8:A9:AA:AB:AC:AD:AE:AF:B0:B1:B2:B3", d, 20));
	cr_expect(fl_tls_fingerprint_matches("sha1:a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3", d, 20));
	cr_expect(!fl_tls_fingerprint_matches("SHA1:a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b4", d, 20),
		  "one byte differs");
	cr_expect(!fl_tls_fingerprint_matches("SHA256:a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3", d,
					      20),
		  "the digest named is another");
	cr_expect(!fl_tls_fingerprint_matches("relay1.test", d, 20), "a name is no fingerprint");
}

Test(tls, reads_the_auth_modes)
{
	enum fl_tls_auth a = FL_TLS_AUTH_ANON;

	cr_expect_eq(fl_tls_auth_parse(NULL, &a), 0);
	cr_expect_eq(a, FL_TLS_AUTH_X509, "x509 is the default");
	cr_expect_eq(fl_tls_auth_parse("anon", &a), 0);
	cr_expect_eq(a, FL_TLS_AUTH_ANON);
	cr_expect_eq(fl_tls_auth_parse("x509/name", &a), 0);
	cr_expect_eq(a, FL_TLS_AUTH_X509);
	cr_expect_eq(fl_tls_auth_parse("none", &a), -EINVAL);
}

/* --- fixtures ------------------------------------------------------------------ */

static char paths[8][512];

static const char *data(int slot, const char *name)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";

	snprintf(paths[slot], sizeof(paths[slot]), "%s/tests/unit/data/tls/%s", root, name);
	return paths[slot];
}

static void tls_config(struct fl_inputs_config *cfg, const char *auth, const char *peers,
		       uint32_t handshake_ms)
{
	memset(cfg, 0, sizeof(*cfg));
	fl_inputs_config_defaults(cfg);
	cfg->addr[FL_INPUT_TLS] = "127.0.0.1:0";
	cfg->max_msg = 1024;
	cfg->tls.cert = data(0, "server.pem");
	cfg->tls.key = data(1, "server.key");
	cfg->tls.ca = data(2, "ca.pem");
	cfg->tls.auth = auth;
	cfg->tls.peers = peers;
	if (handshake_ms)
		cfg->tls.handshake_ms = handshake_ms;
}

static struct fl_inputs *start(const struct fl_inputs_config *cfg, struct fl_net_addr *local)
{
	struct fl_inputs *in = NULL;
	char err[256];

	cr_assert_eq(fl_inputs_create(&in, cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_inputs_local(in, FL_INPUT_TLS, local), 0);
	cr_assert_eq(fl_inputs_start(in), 0);
	return in;
}

static int connect_to(const struct fl_net_addr *to)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (const struct sockaddr *)&to->ss, to->len), 0);
	return fd;
}

struct client {
	int fd;
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	int handshake_rc;
};

/* A blocking GnuTLS client with the certificate NAME (NULL: none). */
static void client_open(struct client *c, const struct fl_net_addr *to, const char *name)
{
	char cert[64], key[64];

	memset(c, 0, sizeof(*c));
	cr_assert_eq(gnutls_certificate_allocate_credentials(&c->cred), 0);
	cr_assert_geq(gnutls_certificate_set_x509_trust_file(c->cred, data(3, "ca.pem"),
							     GNUTLS_X509_FMT_PEM),
		      1);
	if (name) {
		snprintf(cert, sizeof(cert), "%s.pem", name);
		snprintf(key, sizeof(key), "%s.key", name);
		cr_assert_eq(gnutls_certificate_set_x509_key_file(c->cred, data(4, cert),
								  data(5, key), GNUTLS_X509_FMT_PEM),
			     0);
	}
	cr_assert_eq(gnutls_init(&c->s, GNUTLS_CLIENT), 0);
	cr_assert_eq(gnutls_set_default_priority(c->s), 0);
	cr_assert_eq(gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, c->cred), 0);
	gnutls_session_set_verify_cert(c->s, "faultline.test", 0);
	c->fd = connect_to(to);
	gnutls_transport_set_int(c->s, c->fd);
	gnutls_handshake_set_timeout(c->s, 20000);
	c->handshake_rc = gnutls_handshake(c->s);
}

static void client_send(struct client *c, const char *text)
{
	cr_assert_eq(c->handshake_rc, 0, "handshake: %s", gnutls_strerror(c->handshake_rc));
	cr_assert_eq(gnutls_record_send(c->s, text, strlen(text)), (ssize_t)strlen(text));
}

static void client_close(struct client *c)
{
	gnutls_deinit(c->s);
	gnutls_certificate_free_credentials(c->cred);
	close(c->fd);
}

struct got {
	size_t n;
	char last[128];
	enum fl_transport transport;
};

static void on_msg(void *ctx, const struct fl_msg *m)
{
	struct got *g = ctx;

	g->n++;
	g->transport = m->msg.transport;
	snprintf(g->last, sizeof(g->last), "%.*s", (int)m->msg.len, m->msg.p);
}

/* Drains until the counter at offset reaches want and at least n messages
 * came, or 10 s pass; returns the stats. */
static struct fl_input_stats wait_for(struct fl_inputs *in, struct got *g, size_t offset,
				      uint64_t want, size_t n)
{
	struct fl_input_stats s;

	for (int i = 0; i < 200; i++) {
		fl_inputs_drain(in, 50, on_msg, g);
		fl_inputs_stats(in, FL_INPUT_TLS, &s);
		if (*(const uint64_t *)(const void *)((const char *)&s + offset) >= want &&
		    g->n >= n)
			break;
	}
	return s;
}

#define AT(field) offsetof(struct fl_input_stats, field)

/* --- start-up checks --------------------------------------------------------- */

Test(tls, names_a_missing_key_and_refuses_peers_under_anon)
{
	struct fl_inputs_config cfg;
	struct fl_inputs *in = NULL;
	char err[256];

	tls_config(&cfg, NULL, NULL, 0);
	cfg.tls.key = data(1, "missing.key");
	cr_expect_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "missing.key") && strstr(err, "No such file"), "%s", err);
	tls_config(&cfg, "anon", "relay1.test", 0);
	cr_expect_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "x509") != NULL, "%s", err);
	tls_config(&cfg, "sometimes", NULL, 0);
	cr_expect_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "sometimes") != NULL, "%s", err);
	tls_config(&cfg, NULL, NULL, 0);
	cfg.addr[FL_INPUT_TLS] = NULL;
	cfg.addr[FL_INPUT_TCP] = "127.0.0.1:0";
	cr_expect_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "without a tls address") != NULL, "%s", err);
	tls_config(&cfg, NULL, NULL, 0);
	cfg.tls.ca = NULL;
	cr_expect_eq(fl_inputs_create(&in, &cfg, err, sizeof(err)), -EINVAL,
		     "x509 without a CA cannot check anyone");
}

/* --- sessions ------------------------------------------------------------------ */

Test(tls, a_client_with_a_certificate_delivers_octet_counted_frames, .timeout = 60)
{
	struct fl_inputs_config cfg;
	struct fl_net_addr local;
	struct fl_inputs *in;
	struct client c;
	struct got g = {0};
	struct fl_input_stats s;

	tls_config(&cfg, NULL, NULL, 0);
	in = start(&cfg, &local);
	client_open(&c, &local, "client");
	client_send(&c, "12 <13>h t: one12 <13>h t: two");
	s = wait_for(in, &g, AT(received), 2, 2);
	cr_expect_eq(s.received, 2);
	cr_expect_str_eq(g.last, "<13>h t: two");
	cr_expect_eq(g.transport, FL_TRANSPORT_TLS);
	cr_expect_eq(s.connections, 1);
	cr_expect_eq(s.peer_rejected + s.handshake_failed + s.handshake_timeout, 0);
	client_close(&c);
	fl_inputs_stop(in);
	fl_inputs_destroy(in);
}

Test(tls, a_client_without_a_certificate_is_refused_and_counted, .timeout = 60)
{
	struct fl_inputs_config cfg;
	struct fl_net_addr local;
	struct fl_inputs *in;
	struct client c;
	struct got g = {0};
	struct fl_input_stats s;

	tls_config(&cfg, "x509", NULL, 0);
	in = start(&cfg, &local);
	client_open(&c, &local, NULL);
	if (c.handshake_rc == 0) /* TLS 1.3: the client may finish before the server refuses */
		(void)gnutls_record_send(c.s, "14 <13>h t: sneak", 17);
	s = wait_for(in, &g, AT(peer_rejected), 1, 0);
	cr_expect_eq(s.peer_rejected, 1);
	cr_expect_eq(s.connections, 0);
	fl_inputs_drain(in, 200, on_msg, &g);
	cr_expect_eq(g.n, 0, "a refused client's frame got through");
	client_close(&c);
	fl_inputs_stop(in);
	fl_inputs_destroy(in);
}

/* The client certificate's SHA-256 fingerprint, as --tls-peers writes it. */
static void fingerprint_of(const char *pem_path, char *out, size_t cap)
{
	gnutls_datum_t pem = {NULL, 0}, der = {NULL, 0};
	gnutls_x509_crt_t crt;
	unsigned char d[32];
	size_t n = sizeof(d), at;

	cr_assert_eq(gnutls_load_file(pem_path, &pem), 0);
	cr_assert_eq(gnutls_x509_crt_init(&crt), 0);
	cr_assert_eq(gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM), 0);
	cr_assert_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
	cr_assert_eq(gnutls_fingerprint(GNUTLS_DIG_SHA256, &der, d, &n), 0);
	at = (size_t)snprintf(out, cap, "SHA256:");
	for (size_t i = 0; i < n && at + 3 < cap; i++)
		at += (size_t)snprintf(out + at, cap - at, i ? ":%02X" : "%02X", d[i]);
	gnutls_free(der.data);
	gnutls_free(pem.data);
	gnutls_x509_crt_deinit(crt);
}

Test(tls, only_a_permitted_peer_gets_in, .timeout = 60)
{
	struct fl_inputs_config cfg;
	struct fl_net_addr local;
	struct fl_inputs *in;
	struct client ok, other;
	struct got g = {0};
	struct fl_input_stats s;
	char peers[200];

	fingerprint_of(data(6, "client.pem"), peers, sizeof(peers));
	tls_config(&cfg, "x509", peers, 0);
	in = start(&cfg, &local);
	client_open(&other, &local, "other"); /* from the CA, but not on the list */
	s = wait_for(in, &g, AT(peer_rejected), 1, 0);
	cr_expect_eq(s.peer_rejected, 1, "relay2.test was let in");
	client_open(&ok, &local, "client");
	client_send(&ok, "<13>h t: permitted\n");
	s = wait_for(in, &g, AT(received), 1, 1);
	cr_expect_eq(s.received, 1);
	cr_expect_str_eq(g.last, "<13>h t: permitted");
	client_close(&ok);
	client_close(&other);
	fl_inputs_stop(in);
	fl_inputs_destroy(in);
}

Test(tls, plain_text_is_no_handshake_and_is_counted, .timeout = 60)
{
	struct fl_inputs_config cfg;
	struct fl_net_addr local;
	struct fl_inputs *in;
	struct got g = {0};
	struct fl_input_stats s;
	int fd;

	tls_config(&cfg, "anon", NULL, 0);
	in = start(&cfg, &local);
	fd = connect_to(&local);
	cr_assert_eq(send(fd, "<13>h t: clear\n", 15, MSG_NOSIGNAL), 15);
	s = wait_for(in, &g, AT(handshake_failed), 1, 0);
	cr_expect_eq(s.handshake_failed, 1);
	cr_expect_eq(g.n, 0);
	close(fd);
	fl_inputs_stop(in);
	fl_inputs_destroy(in);
}

Test(tls, a_handshake_that_never_comes_times_out_and_blocks_no_one, .timeout = 60)
{
	struct fl_inputs_config cfg;
	struct fl_net_addr local;
	struct fl_inputs *in;
	struct client c;
	struct got g = {0};
	struct fl_input_stats s;
	int silent;

	tls_config(&cfg, "anon", NULL, 3000);
	in = start(&cfg, &local);
	silent = connect_to(&local);
	client_open(&c, &local, NULL); /* served while the silent one waits */
	client_send(&c, "<13>h t: beside a stall\n");
	s = wait_for(in, &g, AT(received), 1, 1);
	cr_expect_eq(s.received, 1);
	cr_expect_eq(s.handshake_timeout, 0, "timed out before handshake_ms");
	s = wait_for(in, &g, AT(handshake_timeout), 1, 0);
	cr_expect_eq(s.handshake_timeout, 1);
	cr_expect_eq(s.connections, 1, "only the client that finished is a session");
	client_close(&c);
	close(silent);
	fl_inputs_stop(in);
	fl_inputs_destroy(in);
}
