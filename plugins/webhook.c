/* webhook.c - notification as an HTTP POST of the incident JSON (libcurl).
 *
 * Settings:
 *   url         http:// or https:// endpoint; required
 *   header      "Name: value", may repeat (e.g. an Authorization token); names
 *               are tokens and values hold no control characters, else init
 *               refuses the settings
 *   timeout_ms  whole request (default 10000)
 *   cacert      CA bundle (PEM) for https; default: the system's
 *
 * The body is the message's incident JSON as the host gave it, with
 * Content-Type: application/json and Idempotency-Key: <key>, so a receiver can
 * drop the duplicate a retry after a lost reply produces. Redirects are not
 * followed (a moved endpoint is a configuration error to fix, not to chase).
 *
 * Outcome: 2xx OK; 408, 425, 429 and 5xx RETRY; other statuses PERMANENT;
 * connection errors and timeouts RETRY. */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/notify/notify_util.h"
#include "plugins/fl_plugin.h"

struct webhook {
	char *url, *cacert;
	struct curl_slist *headers; /* the configured ones; per-send ones are added to a copy */
	uint32_t timeout_ms;
};

static void webhook_free(struct webhook *w)
{
	if (!w)
		return;
	free(w->url);
	free(w->cacert);
	curl_slist_free_all(w->headers);
	free(w);
}

/* RFC 9110 §5.1 field-name token, then ':' and a value without controls. */
static bool header_valid(const char *h)
{
	const char *colon = strchr(h, ':');

	if (!colon || colon == h)
		return false;
	for (const char *p = h; p < colon; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", *p))
			return false;
	for (const unsigned char *p = (const unsigned char *)colon + 1; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

static int webhook_init(void **state, const struct fl_kv *settings, size_t n,
                        const struct fl_host_api *host, char *err, size_t err_len)
{
	const char *url = fl_kv_get(settings, n, "url");
	const char *cacert = fl_kv_get(settings, n, "cacert");
	struct webhook *w;

	(void)host;
	if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
		snprintf(err, err_len, "webhook: 'url' must be an http:// or https:// URL");
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (fl_kv_get_u32(settings, n, "timeout_ms", 10000, 100, 600000, &w->timeout_ms) < 0) {
		snprintf(err, err_len, "webhook: timeout_ms must be 100..600000");
		webhook_free(w);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		struct curl_slist *l;

		if (strcmp(settings[i].key, "header") != 0)
			continue;
		if (!header_valid(settings[i].value)) {
			snprintf(err, err_len, "webhook: bad header setting '%.60s'",
			         settings[i].value);
			webhook_free(w);
			return -EINVAL;
		}
		l = curl_slist_append(w->headers, settings[i].value);
		if (!l) {
			webhook_free(w);
			return -ENOMEM;
		}
		w->headers = l;
	}
	w->url = strdup(url);
	w->cacert = cacert ? strdup(cacert) : NULL;
	if (!w->url || (cacert && !w->cacert) ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		webhook_free(w);
		return -ENOMEM;
	}
	*state = w;
	return 0;
}

/* The receiver's answer is not needed; read and drop it. */
static size_t discard(char *p, size_t size, size_t nmemb, void *userp)
{
	(void)p;
	(void)userp;
	return size * nmemb;
}

/* curl_slist_append() that frees the list when it fails. */
static struct curl_slist *append_or_free(struct curl_slist *list, const char *s)
{
	struct curl_slist *l = curl_slist_append(list, s);

	if (!l)
		curl_slist_free_all(list);
	return l;
}

static enum fl_send_result webhook_send(void *state, const struct fl_message *m, char *err,
                                        size_t err_len)
{
	struct webhook *w = state;
	char detail[CURL_ERROR_SIZE] = "", key_header[160];
	struct curl_slist *headers = NULL, *l;
	enum fl_send_result r;
	long status = 0;
	CURLcode rc;
	CURL *c;

	/* The key's alphabet is checked by the host: safe in a header. */
	snprintf(key_header, sizeof(key_header), "Idempotency-Key: %s", m->idempotency_key);
	headers = append_or_free(NULL, "Content-Type: application/json");
	for (l = w->headers; l && headers; l = l->next)
		headers = append_or_free(headers, l->data);
	if (headers)
		headers = append_or_free(headers, key_header);
	c = headers ? curl_easy_init() : NULL;
	if (!c) {
		curl_slist_free_all(headers);
		snprintf(err, err_len, "webhook: out of memory");
		return FL_SEND_RETRY;
	}
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, m->incident_json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->incident_json_len);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "faultline-webhook/1");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	if (w->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, w->cacert);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		r = fl_notify_http_result(status);
		if (r != FL_SEND_OK)
			snprintf(err, err_len, "webhook: %s: HTTP %ld", w->url, status);
	} else {
		r = fl_notify_curl_result((int)rc);
		snprintf(err, err_len, "webhook: %s: %s%s%s", w->url, curl_easy_strerror(rc),
		         detail[0] ? ": " : "", detail);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	return r;
}

static void webhook_shutdown(void *state)
{
	webhook_free(state);
	curl_global_cleanup();
}

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = sizeof(struct fl_plugin_api),
    .name = "webhook",
    .version = "1",
    .init = webhook_init,
    .send = webhook_send,
    .shutdown = webhook_shutdown,
};
