#include "engine/notify/notify_util.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/lib/utf8.h"

const char *fl_kv_get(const struct fl_kv *kv, size_t n, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < n; i++)
		if (kv[i].key && strcmp(kv[i].key, key) == 0)
			v = kv[i].value;
	return v;
}

int fl_kv_get_u32(const struct fl_kv *kv, size_t n, const char *key, uint32_t def, uint32_t min,
                  uint32_t max, uint32_t *out)
{
	const char *v = fl_kv_get(kv, n, key);
	uint64_t x = 0;

	if (!v) {
		*out = def;
		return 0;
	}
	if (!*v)
		return -EINVAL;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -EINVAL;
		x = x * 10 + (uint64_t)(*v - '0');
		if (x > max)
			return -EINVAL;
	}
	if (x < min)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

int fl_url_encode(struct fl_buf *out, const char *p, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		char esc[3];
		int rc;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			rc = fl_buf_addc(out, (char)c);
		} else {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			rc = fl_buf_add(out, esc, 3);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

bool fl_phone_normalise(char *dst, const char *addr)
{
	size_t n = 0, digits = 0;

	for (const char *p = addr; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '(' || *p == ')' || *p == '.')
			continue;
		if (n >= FL_PHONE_MAX || !((*p >= '0' && *p <= '9') || (*p == '+' && n == 0)))
			return false;
		digits += *p != '+';
		dst[n++] = *p;
	}
	dst[n] = '\0';
	return digits >= 3;
}

enum fl_send_result fl_notify_http_result(long status)
{
	if (status >= 200 && status <= 299)
		return FL_SEND_OK;
	if (status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599))
		return FL_SEND_RETRY;
	return FL_SEND_PERMANENT;
}

enum fl_send_result fl_notify_curl_result(int curl_code)
{
	switch ((CURLcode)curl_code) {
	case CURLE_OK:
		return FL_SEND_OK;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_LOGIN_DENIED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_NOT_BUILT_IN:
	case CURLE_FILESIZE_EXCEEDED:
		return FL_SEND_PERMANENT;
	default:
		/* DNS, connect, send/recv, timeouts, TLS handshakes cut short. */
		return FL_SEND_RETRY;
	}
}

/* --- JSON syntax check and compaction ----------------------------------------- */

struct jcur {
	const char *p, *end;
	struct fl_buf *out;
	int rc;
	int depth;
};

static void jskip_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool jput(struct jcur *c, const char *from, size_t n)
{
	int rc = fl_buf_add(c->out, from, n);

	if (rc < 0)
		c->rc = rc;
	return rc == 0;
}

static bool jfail(struct jcur *c)
{
	if (c->rc == 0)
		c->rc = -EINVAL;
	return false;
}

static bool jhex4(const char *p)
{
	for (int i = 0; i < 4; i++) {
		char h = p[i];

		if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
			return false;
	}
	return true;
}

static bool jstring(struct jcur *c)
{
	const char *start = c->p++;

	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;

		if (ch < 0x20)
			return jfail(c);
		if (ch == '\\') {
			if (c->end - c->p < 2)
				return jfail(c);
			if (c->p[1] == 'u') {
				if (c->end - c->p < 6 || !jhex4(c->p + 2))
					return jfail(c);
				c->p += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c->p[1]) || c->p[1] == '\0')
				return jfail(c);
			c->p += 2;
			continue;
		}
		c->p++;
	}
	if (c->p >= c->end)
		return jfail(c);
	c->p++;
	if (!fl_utf8_valid(start, (size_t)(c->p - start)))
		return jfail(c);
	return jput(c, start, (size_t)(c->p - start));
}

static bool jdigits(struct jcur *c)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

static bool jnumber(struct jcur *c)
{
	const char *start = c->p;

	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!jdigits(c))
		return jfail(c);
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!jdigits(c))
			return jfail(c);
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jdigits(c))
			return jfail(c);
	}
	return jput(c, start, (size_t)(c->p - start));
}

static bool jliteral(struct jcur *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return jfail(c);
	c->p += n;
	return jput(c, lit, n);
}

static bool jvalue(struct jcur *c);

/* An object or array: open, members separated by commas, close. */
static bool jcontainer(struct jcur *c, char open, char close)
{
	bool first = true;

	if (++c->depth > FL_JSON_MAX_DEPTH)
		return jfail(c);
	c->p++;
	if (!jput(c, &open, 1))
		return false;
	for (;;) {
		jskip_ws(c);
		if (c->p >= c->end)
			return jfail(c);
		if (*c->p == close && first)
			break;
		if (!first) {
			if (*c->p == close)
				break;
			if (*c->p != ',' || !jput(c, ",", 1))
				return jfail(c);
			c->p++;
			jskip_ws(c);
		}
		first = false;
		if (open == '{') {
			if (c->p >= c->end || *c->p != '"' || !jstring(c))
				return jfail(c);
			jskip_ws(c);
			if (c->p >= c->end || *c->p != ':' || !jput(c, ":", 1))
				return jfail(c);
			c->p++;
		}
		if (!jvalue(c))
			return false;
	}
	c->p++;
	c->depth--;
	return jput(c, &close, 1);
}

static bool jvalue(struct jcur *c)
{
	jskip_ws(c);
	if (c->p >= c->end)
		return jfail(c);
	switch (*c->p) {
	case '{':
		return jcontainer(c, '{', '}');
	case '[':
		return jcontainer(c, '[', ']');
	case '"':
		return jstring(c);
	case 't':
		return jliteral(c, "true");
	case 'f':
		return jliteral(c, "false");
	case 'n':
		return jliteral(c, "null");
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return jnumber(c);
		return jfail(c);
	}
}

int fl_json_compact(struct fl_buf *out, const char *p, size_t len)
{
	struct jcur c = {.p = p, .end = p + len, .out = out, .rc = 0, .depth = 0};

	if (!jvalue(&c))
		return c.rc ? c.rc : -EINVAL;
	jskip_ws(&c);
	if (c.p != c.end)
		return -EINVAL;
	return 0;
}
