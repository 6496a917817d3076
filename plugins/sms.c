/* sms.c - notification by SMS through an HTTP gateway (Kannel's sendsms by default).
 *
 * Settings:
 *   gateway     base URL of Kannel's smsbox (default http://127.0.0.1:13013)
 *   username, password   the sendsms-user
 *   from        sender number or name (optional)
 *   max_parts   concatenated parts allowed per message, 1..16 (default 4)
 *   timeout_ms  whole request (default 10000)
 * For another gateway, replace Kannel's request with a template:
 *   url         full URL template, e.g. https://gw.example/send?u={username}&to={to}&msg={text}
 *   method      GET (default) or POST
 *   body        POST body template (form-encoded); content_type (default
 *               application/x-www-form-urlencoded)
 *   text_format how {text} is written: utf8 (default for templates), utf16be,
 *               or ucs2hex (hex of UTF-16BE, as several Chinese gateways want)
 * Placeholders: {to} {from} {username} {password} {text} {coding} {charset}
 * {parts} {key}; each value is percent-encoded where it is inserted, so no
 * message text can add a parameter.
 *
 * Text: subject and body joined by a space (subject alone when the body is
 * empty), segmented per engine/notify/ucs2.h: GSM-7 for plain ASCII, otherwise
 * UCS-2 sent as UTF-16BE with coding=2, one request per message and the
 * gateway concatenating with a UDH (max-messages), cut with an ellipsis beyond
 * max_parts. The recipient must be a phone number: digits with optional
 * leading '+', separators " -().'" removed (contacts hold "138-0000-2112").
 *
 * Outcome by HTTP status: 2xx OK (Kannel 202 "Accepted" or "Queued"); 408,
 * 425, 429, 5xx RETRY (Kannel 503: queue full, no SMSC); other 4xx PERMANENT
 * (403: bad credentials, 400: bad parameters); network errors RETRY. */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/notify/notify_util.h"
#include "engine/notify/ucs2.h"
#include "plugins/fl_plugin.h"

#define SMS_TEXT_MAX (16 * 1024)
#define SMS_URL_MAX (64 * 1024)
#define KANNEL_TEMPLATE                                                                            \
	"{gateway}/cgi-bin/sendsms?username={username}&password={password}&from={from}&to={to}"    \
	"&text={text}&coding={coding}&charset={charset}&max-messages={parts}"

enum text_format { TEXT_UTF8, TEXT_UTF16BE, TEXT_UCS2HEX };

struct sms {
	char *gateway, *username, *password, *from;
	char *url, *body, *content_type; /* templates */
	bool is_post;
	enum text_format text_format;
	uint32_t max_parts, timeout_ms;
};

/* The values a template may name, for one message. */
struct vars {
	const char *to, *text_utf8;
	const struct fl_buf *text_utf16; /* UTF-16BE bytes */
	bool is_ucs2;
	char parts[8];
	const char *key;
};

static void sms_free(struct sms *s)
{
	if (!s)
		return;
	free(s->gateway);
	free(s->username);
	free(s->password);
	free(s->from);
	free(s->url);
	free(s->body);
	free(s->content_type);
	free(s);
}

static bool dup_opt(char **dst, const struct fl_kv *kv, size_t n, const char *key, const char *def)
{
	const char *v = fl_kv_get(kv, n, key);

	if (!v)
		v = def;
	if (!v)
		return true;
	*dst = strdup(v);
	return *dst != NULL;
}

static int put_hex(struct fl_buf *out, const struct fl_buf *bytes)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < bytes->len; i++) {
		unsigned char c = (unsigned char)bytes->p[i];
		char h[2] = {hex[c >> 4], hex[c & 15]};
		int rc = fl_buf_add(out, h, 2);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Writes the value of placeholder name[0..len) into out, encoded. Returns 0,
 * -ENOENT for an unknown name, or a buffer error. */
static int put_var(struct fl_buf *out, const struct sms *s, const struct vars *v, const char *name,
                   size_t len)
{
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
	const char *value = NULL;

	if (IS("gateway"))
		return fl_buf_adds(out, s->gateway); /* from the plan, a URL prefix: as is */
	if (IS("text")) {
		if (v->is_ucs2 && s->text_format == TEXT_UCS2HEX)
			return put_hex(out, v->text_utf16);
		if (v->is_ucs2 && s->text_format == TEXT_UTF16BE)
			return fl_url_encode(out, v->text_utf16->p ? v->text_utf16->p : "",
			                     v->text_utf16->len);
		value = v->text_utf8;
	} else if (IS("to")) {
		value = v->to;
	} else if (IS("from")) {
		value = s->from ? s->from : "";
	} else if (IS("username")) {
		value = s->username ? s->username : "";
	} else if (IS("password")) {
		value = s->password ? s->password : "";
	} else if (IS("coding")) {
		value = v->is_ucs2 ? "2" : "0";
	} else if (IS("charset")) {
		value = v->is_ucs2 && s->text_format == TEXT_UTF16BE ? "UTF-16BE" : "UTF-8";
	} else if (IS("parts")) {
		value = v->parts;
	} else if (IS("key")) {
		value = v->key;
	} else {
		return -ENOENT;
	}
	return fl_url_encode(out, value, strlen(value));
#undef IS
}

/* Expands {name} placeholders; "{{" writes a literal brace. */
static int render(struct fl_buf *out, const char *tmpl, const struct sms *s, const struct vars *v)
{
	for (const char *p = tmpl; *p;) {
		const char *close;
		int rc;

		if (p[0] == '{' && p[1] == '{') {
			rc = fl_buf_addc(out, '{');
			p += 2;
		} else if (*p == '{' && (close = strchr(p, '}')) != NULL) {
			rc = put_var(out, s, v, p + 1, (size_t)(close - p - 1));
			p = close + 1;
		} else {
			rc = fl_buf_addc(out, *p++);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int sms_init(void **state, const struct fl_kv *settings, size_t n,
                    const struct fl_host_api *host, char *err, size_t err_len)
{
	const char *method = fl_kv_get(settings, n, "method");
	const char *format = fl_kv_get(settings, n, "text_format");
	const char *url = fl_kv_get(settings, n, "url");
	struct fl_buf probe, utf16;
	struct vars v = {.to = "1", .text_utf8 = "x", .is_ucs2 = true, .parts = "1", .key = "k"};
	struct sms *s;
	int rc;

	(void)host;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->is_post = method && strcmp(method, "POST") == 0;
	s->text_format = !format                          ? (url ? TEXT_UTF8 : TEXT_UTF16BE)
	                 : strcmp(format, "utf16be") == 0 ? TEXT_UTF16BE
	                 : strcmp(format, "ucs2hex") == 0 ? TEXT_UCS2HEX
	                                                  : TEXT_UTF8;
	if ((method && !s->is_post && strcmp(method, "GET") != 0) ||
	    (format && strcmp(format, "utf8") != 0 && s->text_format == TEXT_UTF8)) {
		snprintf(err, err_len,
		         "sms: method must be GET or POST; text_format utf8, utf16be "
		         "or ucs2hex");
		sms_free(s);
		return -EINVAL;
	}
	if (fl_kv_get_u32(settings, n, "max_parts", 4, 1, FL_SMS_MAX_PARTS, &s->max_parts) < 0 ||
	    fl_kv_get_u32(settings, n, "timeout_ms", 10000, 100, 600000, &s->timeout_ms) < 0) {
		snprintf(err, err_len, "sms: max_parts must be 1..%d, timeout_ms 100..600000",
		         FL_SMS_MAX_PARTS);
		sms_free(s);
		return -EINVAL;
	}
	if (!dup_opt(&s->gateway, settings, n, "gateway", "http://127.0.0.1:13013") ||
	    !dup_opt(&s->username, settings, n, "username", NULL) ||
	    !dup_opt(&s->password, settings, n, "password", NULL) ||
	    !dup_opt(&s->from, settings, n, "from", NULL) ||
	    !dup_opt(&s->url, settings, n, "url", KANNEL_TEMPLATE) ||
	    !dup_opt(&s->body, settings, n, "body", NULL) ||
	    !dup_opt(&s->content_type, settings, n, "content_type",
	             "application/x-www-form-urlencoded")) {
		sms_free(s);
		return -ENOMEM;
	}
	/* Render once with dummy values: an unknown placeholder is a plan error,
	 * better found now than at 3 a.m. */
	fl_buf_init(&probe, SMS_URL_MAX);
	fl_buf_init(&utf16, 16);
	v.text_utf16 = &utf16;
	rc = render(&probe, s->url, s, &v);
	if (rc == 0 && s->body)
		rc = render(&probe, s->body, s, &v);
	fl_buf_free(&probe);
	if (rc < 0 || (strncmp(s->url, "{gateway}", 9) != 0 && strncmp(s->url, "http://", 7) != 0 &&
	               strncmp(s->url, "https://", 8) != 0)) {
		snprintf(err, err_len, "sms: url/body template: %s",
		         rc == -ENOENT ? "unknown {placeholder}" : "must be an http(s) URL");
		sms_free(s);
		return -EINVAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sms_free(s);
		return -ENOMEM;
	}
	*state = s;
	return 0;
}

static size_t discard(char *p, size_t size, size_t nmemb, void *userp)
{
	(void)p;
	(void)userp;
	return size * nmemb;
}

static enum fl_send_result request(struct sms *s, const char *url, const struct fl_buf *body,
                                   char *err, size_t err_len)
{
	char detail[CURL_ERROR_SIZE] = "", ctype[256];
	struct curl_slist *headers = NULL;
	enum fl_send_result r;
	long status = 0;
	CURLcode rc;
	CURL *c = curl_easy_init();

	if (!c) {
		snprintf(err, err_len, "sms: cannot create a libcurl handle");
		return FL_SEND_RETRY;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "faultline-sms/1");
	if (s->is_post) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", s->content_type);
		headers = curl_slist_append(NULL, ctype);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->p ? body->p : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		r = fl_notify_http_result(status);
		if (r != FL_SEND_OK)
			snprintf(err, err_len, "sms: gateway answered HTTP %ld", status);
	} else {
		r = fl_notify_curl_result((int)rc);
		snprintf(err, err_len, "sms: gateway: %s%s%s", curl_easy_strerror(rc),
		         detail[0] ? ": " : "", detail);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	return r;
}

static enum fl_send_result sms_send(void *state, const struct fl_message *m, char *err,
                                    size_t err_len)
{
	struct sms *s = state;
	struct fl_buf joined, text, utf16, url, body;
	enum fl_send_result r = FL_SEND_PERMANENT;
	struct fl_sms_plan plan;
	char phone[FL_PHONE_MAX + 1];
	struct vars v = {.to = phone, .key = m->idempotency_key};
	bool cut;
	int rc;

	if (!fl_phone_normalise(phone, m->to.address)) {
		snprintf(err, err_len, "sms: '%.40s' is not a phone number", m->to.address);
		return FL_SEND_PERMANENT;
	}
	fl_buf_init(&joined, SMS_TEXT_MAX);
	fl_buf_init(&text, SMS_TEXT_MAX);
	fl_buf_init(&utf16, SMS_TEXT_MAX * 2);
	fl_buf_init(&url, SMS_URL_MAX);
	fl_buf_init(&body, SMS_URL_MAX);
	rc = fl_buf_adds(&joined, m->subject);
	if (rc == 0 && m->subject[0] && m->body[0])
		rc = fl_buf_addc(&joined, ' ');
	if (rc == 0)
		rc = fl_buf_adds(&joined, m->body);
	if (rc == 0)
		rc =
		    fl_sms_prepare(&text, joined.p ? joined.p : "", joined.len, s->max_parts, &cut);
	if (rc == 0) {
		fl_sms_plan(text.p ? text.p : "", text.len, &plan);
		v.is_ucs2 = plan.coding == FL_SMS_UCS2;
		v.text_utf8 = text.p ? text.p : "";
		snprintf(v.parts, sizeof(v.parts), "%zu", plan.parts);
		rc = fl_ucs2_encode(&utf16, text.p ? text.p : "", text.len);
	}
	v.text_utf16 = &utf16;
	if (rc == 0)
		rc = render(&url, s->url, s, &v);
	if (rc == 0 && s->is_post && s->body)
		rc = render(&body, s->body, s, &v);
	if (rc < 0)
		snprintf(err, err_len, "sms: text too long to send");
	else
		r = request(s, url.p, &body, err, err_len);
	fl_buf_free(&joined);
	fl_buf_free(&text);
	fl_buf_free(&utf16);
	fl_buf_free(&url);
	fl_buf_free(&body);
	return r;
}

static void sms_shutdown(void *state)
{
	sms_free(state);
	curl_global_cleanup();
}

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = sizeof(struct fl_plugin_api),
    .name = "sms",
    .version = "1",
    .init = sms_init,
    .send = sms_send,
    .shutdown = sms_shutdown,
};
