/* email.c - notification by e-mail over SMTP (libcurl).
 *
 * Settings:
 *   url         smtp://host[:port] (STARTTLS per use_ssl) or smtps://host[:port]
 *               (TLS from the first byte); required
 *   from        envelope sender and From: address; required
 *   from_name   display name for From: (default "faultline")
 *   use_ssl     none | try (default: STARTTLS when the server offers it) |
 *               all (refuse to send without TLS)
 *   username, password   SMTP AUTH when both are set (libcurl picks the mechanism)
 *   cacert      CA bundle (PEM) to verify the server with; default: the system's
 *   timeout_ms  whole transaction (default 20000)
 *
 * The message itself comes from engine/notify/mime.c: UTF-8 subjects as RFC 2047
 * encoded-words, base64 text/plain body, Message-ID from the idempotency key
 * (a retry after a lost 250 carries the same ID, so mail systems and readers
 * can fold duplicates), and no control character from event text in any
 * header. The recipient must be a bare addr-spec: anything else is refused
 * before the SMTP session starts.
 *
 * Outcome: 250 after DATA is OK. An SMTP 4xx reply is RETRY and 5xx PERMANENT
 * (RFC 5321 §4.2.1); without a reply, libcurl's error decides (connect,
 * timeout: RETRY; TLS required but refused, login denied: PERMANENT). */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/notify/mime.h"
#include "engine/notify/notify_util.h"
#include "plugins/fl_plugin.h"

#define EMAIL_MESSAGE_MAX (2 * 1024 * 1024)

struct email {
	const struct fl_host_api *host;
	char *url, *from, *from_name, *username, *password, *cacert;
	long use_ssl; /* curl_usessl */
	uint32_t timeout_ms;
};

/* The upload cursor libcurl reads the message from. */
struct upload {
	const char *p;
	size_t left;
};

static size_t read_message(char *dst, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static void email_free(struct email *e)
{
	if (!e)
		return;
	free(e->url);
	free(e->from);
	free(e->from_name);
	free(e->username);
	free(e->password);
	free(e->cacert);
	free(e);
}

/* strdup() of an optional setting; false only when out of memory. */
static bool dup_setting(char **dst, const struct fl_kv *kv, size_t n, const char *key,
                        const char *def)
{
	const char *v = fl_kv_get(kv, n, key);

	if (!v)
		v = def;
	if (!v)
		return true;
	*dst = strdup(v);
	return *dst != NULL;
}

static int email_init(void **state, const struct fl_kv *settings, size_t n,
                      const struct fl_host_api *host, char *err, size_t err_len)
{
	const char *url = fl_kv_get(settings, n, "url");
	const char *from = fl_kv_get(settings, n, "from");
	const char *ssl = fl_kv_get(settings, n, "use_ssl");
	struct email *e;

	if (!url || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0)) {
		snprintf(err, err_len, "email: 'url' must be smtp://host[:port] or smtps://...");
		return -EINVAL;
	}
	if (!from || !fl_mime_addr_valid(from)) {
		snprintf(err, err_len, "email: 'from' must be an e-mail address");
		return -EINVAL;
	}
	if (ssl && strcmp(ssl, "none") != 0 && strcmp(ssl, "try") != 0 && strcmp(ssl, "all") != 0) {
		snprintf(err, err_len, "email: use_ssl must be none, try or all, not '%s'", ssl);
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->host = host;
	e->use_ssl = !ssl || strcmp(ssl, "try") == 0 ? CURLUSESSL_TRY
	             : strcmp(ssl, "all") == 0       ? CURLUSESSL_ALL
	                                             : CURLUSESSL_NONE;
	if (fl_kv_get_u32(settings, n, "timeout_ms", 20000, 100, 600000, &e->timeout_ms) < 0) {
		snprintf(err, err_len, "email: timeout_ms must be 100..600000");
		email_free(e);
		return -EINVAL;
	}
	if (!dup_setting(&e->url, settings, n, "url", NULL) ||
	    !dup_setting(&e->from, settings, n, "from", NULL) ||
	    !dup_setting(&e->from_name, settings, n, "from_name", "faultline") ||
	    !dup_setting(&e->username, settings, n, "username", NULL) ||
	    !dup_setting(&e->password, settings, n, "password", NULL) ||
	    !dup_setting(&e->cacert, settings, n, "cacert", NULL)) {
		email_free(e);
		return -ENOMEM;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, err_len, "email: libcurl initialisation failed");
		email_free(e);
		return -ENOMEM;
	}
	*state = e;
	return 0;
}

/* SMTP reply first (RFC 5321 §4.2.1: 4yz transient, 5yz permanent), then the
 * transport error. */
static enum fl_send_result smtp_outcome(CURLcode rc, long reply)
{
	if (rc == CURLE_OK)
		return FL_SEND_OK;
	if (reply >= 400 && reply <= 499)
		return FL_SEND_RETRY;
	if (reply >= 500 && reply <= 599)
		return FL_SEND_PERMANENT;
	return fl_notify_curl_result((int)rc);
}

static enum fl_send_result transfer(struct email *e, const char *to, const struct fl_buf *msg,
                                    char *err, size_t err_len)
{
	char detail[CURL_ERROR_SIZE] = "", from_path[300], to_path[300];
	struct upload up = {msg->p, msg->len};
	struct curl_slist *rcpt = NULL;
	enum fl_send_result r;
	long reply = 0;
	CURLcode rc;
	CURL *c;

	c = curl_easy_init();
	if (!c) {
		snprintf(err, err_len, "email: cannot create a libcurl handle");
		return FL_SEND_RETRY;
	}
	snprintf(from_path, sizeof(from_path), "<%s>", e->from);
	snprintf(to_path, sizeof(to_path), "<%s>", to);
	rcpt = curl_slist_append(NULL, to_path);
	if (!rcpt) {
		curl_easy_cleanup(c);
		snprintf(err, err_len, "email: out of memory");
		return FL_SEND_RETRY;
	}
	curl_easy_setopt(c, CURLOPT_URL, e->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_path);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	curl_easy_setopt(c, CURLOPT_USE_SSL, e->use_ssl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	if (e->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, e->cacert);
	if (e->username && e->password) {
		curl_easy_setopt(c, CURLOPT_USERNAME, e->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, e->password);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	r = smtp_outcome(rc, reply);
	if (r != FL_SEND_OK)
		snprintf(err, err_len, "email: %s: %s%s%s (SMTP reply %ld)", e->url,
		         curl_easy_strerror(rc), detail[0] ? ": " : "", detail, reply);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return r;
}

static enum fl_send_result email_send(void *state, const struct fl_message *m, char *err,
                                      size_t err_len)
{
	struct email *e = state;
	struct fl_mime_msg mm = {
	    .from_name = e->from_name,
	    .from_addr = e->from,
	    .to_name = m->to.name,
	    .to_addr = m->to.address,
	    .subject = m->subject,
	    .body = m->body,
	    .idempotency_key = m->idempotency_key,
	    .date_s = e->host->now_ns(e->host->ctx) / 1000000000,
	};
	enum fl_send_result r;
	struct fl_buf msg;
	int rc;

	if (!fl_mime_addr_valid(m->to.address)) {
		snprintf(err, err_len, "email: '%s' is not an e-mail address", m->to.address);
		return FL_SEND_PERMANENT;
	}
	fl_buf_init(&msg, EMAIL_MESSAGE_MAX);
	rc = fl_mime_build(&msg, &mm);
	if (rc < 0) {
		snprintf(err, err_len, "email: cannot build the message: %s",
		         rc == -EMSGSIZE ? "longer than 2 MiB" : strerror(-rc));
		fl_buf_free(&msg);
		return rc == -ENOMEM ? FL_SEND_RETRY : FL_SEND_PERMANENT;
	}
	r = transfer(e, m->to.address, &msg, err, err_len);
	fl_buf_free(&msg);
	return r;
}

static void email_shutdown(void *state)
{
	email_free(state);
	curl_global_cleanup();
}

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = sizeof(struct fl_plugin_api),
    .name = "email",
    .version = "1",
    .init = email_init,
    .send = email_send,
    .shutdown = email_shutdown,
};
