#include "engine/notify/mime.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "engine/notify/ucs2.h"

/* Header text is cleaned into a bounded scratch buffer first. */
#define CLEAN_MAX (64 * 1024)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 of p[0..n) without line breaks. */
static int put_base64(struct fl_buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		int rc = fl_buf_add(out, q, 4);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Copies text into out as clean UTF-8 for a header: every control (C0, DEL,
 * C1, including CR, LF and TAB) becomes one space, invalid bytes U+FFFD. */
static int clean_header_text(struct fl_buf *out, const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int rc;

		i += fl_utf8_next(text + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
			cp = ' ';
		rc = fl_utf8_put(out, cp);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Can the clean text go into a header as is? Printable ASCII only, no "=?"
 * (it would read as an encoded-word), and short enough not to need folding. */
static bool plain_ok(const char *clean, size_t len, size_t room)
{
	if (len > room)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)clean[i];

		if (c < 0x20 || c > 0x7E)
			return false;
		if (c == '=' && i + 1 < len && clean[i + 1] == '?')
			return false;
	}
	return true;
}

/* Raw bytes an encoded-word of at most max characters can carry:
 * "=?UTF-8?B?" + base64 + "?=" is 12 + 4 * ceil(n / 3). */
static size_t word_capacity(size_t max)
{
	return (max - 12) / 4 * 3;
}

/* Appends encoded-words for already clean UTF-8. */
static int encode_clean(struct fl_buf *out, const char *clean, size_t len, size_t first_max)
{
	size_t cap = word_capacity(first_max < 20 ? 20 : first_max);
	size_t i = 0;
	int rc = 0;

	if (len == 0)
		return fl_buf_adds(out, "=?UTF-8?B?"
		                        "?=");
	while (i < len && rc == 0) {
		size_t start = i;

		/* Take whole characters while they fit (RFC 2047 §5: an
		 * encoded-word never splits a multi-octet character). */
		while (i < len) {
			uint32_t cp;
			size_t n = fl_utf8_next(clean + i, len - i, &cp);

			if (i - start + n > cap)
				break;
			i += n;
		}
		if (start > 0)
			rc = fl_buf_adds(out, "\r\n ");
		if (rc == 0)
			rc = fl_buf_adds(out, "=?UTF-8?B?");
		if (rc == 0)
			rc = put_base64(out, (const unsigned char *)clean + start, i - start);
		if (rc == 0)
			rc = fl_buf_adds(out, "?=");
		cap = word_capacity(FL_MIME_WORD_MAX);
	}
	return rc;
}

int fl_mime_encode_words(struct fl_buf *out, const char *text, size_t first_max)
{
	struct fl_buf clean;
	int rc;

	fl_buf_init(&clean, CLEAN_MAX);
	rc = clean_header_text(&clean, text);
	if (rc == 0)
		rc = encode_clean(out, clean.p ? clean.p : "", clean.len, first_max);
	fl_buf_free(&clean);
	return rc;
}

int fl_mime_header(struct fl_buf *out, const char *name, const char *value)
{
	size_t prefix = strlen(name) + 2;
	size_t room = prefix < FL_MIME_LINE_SOFT ? FL_MIME_LINE_SOFT - prefix : 0;
	struct fl_buf clean;
	int rc;

	fl_buf_init(&clean, CLEAN_MAX);
	rc = clean_header_text(&clean, value);
	if (rc == 0)
		rc = fl_buf_printf(out, "%s: ", name);
	if (rc == 0 && plain_ok(clean.p ? clean.p : "", clean.len, room))
		rc = fl_buf_add(out, clean.p ? clean.p : "", clean.len);
	else if (rc == 0)
		rc = encode_clean(out, clean.p ? clean.p : "", clean.len,
		                  room < FL_MIME_WORD_MAX ? room : FL_MIME_WORD_MAX);
	if (rc == 0)
		rc = fl_buf_adds(out, "\r\n");
	fl_buf_free(&clean);
	return rc;
}

bool fl_mime_addr_valid(const char *addr)
{
	size_t n = strlen(addr), at = 0, n_at = 0;

	if (n == 0 || n > FL_MIME_ADDR_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c <= 0x20 || c >= 0x7F || strchr("<>()[],;:\\\"", c))
			return false;
		if (c == '@') {
			n_at++;
			at = i;
		}
	}
	return n_at == 1 && at > 0 && at + 1 < n;
}

/* A display name of printable ASCII goes in a quoted-string (RFC 5322 §3.2.4)
 * with " and \ escaped; anything else becomes encoded-words, which RFC 2047
 * §5(3) allows in a phrase. */
static int put_display(struct fl_buf *out, const char *clean, size_t len, size_t room)
{
	int rc;

	if (!plain_ok(clean, len, room))
		return encode_clean(out, clean, len,
		                    room < FL_MIME_WORD_MAX ? room : FL_MIME_WORD_MAX);
	rc = fl_buf_addc(out, '"');
	for (size_t i = 0; i < len && rc == 0; i++) {
		if (clean[i] == '"' || clean[i] == '\\')
			rc = fl_buf_addc(out, '\\');
		if (rc == 0)
			rc = fl_buf_addc(out, clean[i]);
	}
	if (rc == 0)
		rc = fl_buf_addc(out, '"');
	return rc;
}

int fl_mime_address(struct fl_buf *out, const char *name, const char *display, const char *addr)
{
	size_t prefix = strlen(name) + 2;
	size_t room = prefix < FL_MIME_LINE_SOFT - 20 ? FL_MIME_LINE_SOFT - prefix : 20;
	struct fl_buf clean;
	int rc;

	if (!fl_mime_addr_valid(addr))
		return -EINVAL;
	fl_buf_init(&clean, CLEAN_MAX);
	rc = clean_header_text(&clean, display ? display : "");
	if (rc == 0)
		rc = fl_buf_printf(out, "%s: ", name);
	if (rc == 0 && clean.len > 0) {
		rc = put_display(out, clean.p, clean.len, room);
		if (rc == 0)
			rc = fl_buf_adds(out, "\r\n ");
	}
	if (rc == 0)
		rc = fl_buf_printf(out, "<%s>\r\n", addr);
	fl_buf_free(&clean);
	return rc;
}

int fl_mime_message_id(struct fl_buf *out, const char *key, const char *from_addr)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *domain = from_addr ? strrchr(from_addr, '@') : NULL;
	int rc;

	if (!domain || !fl_mime_addr_valid(from_addr))
		domain = "faultline.invalid";
	else
		domain++;
	rc = fl_buf_addc(out, '<');
	for (const char *k = key; *k && rc == 0; k++) {
		unsigned char c = (unsigned char)*k;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			rc = fl_buf_addc(out, (char)c);
		} else {
			char esc[3] = {'=', hex[c >> 4], hex[c & 15]};

			rc = fl_buf_add(out, esc, 3);
		}
	}
	if (rc == 0)
		rc = fl_buf_printf(out, "@%s>", domain);
	return rc;
}

int fl_mime_body_base64(struct fl_buf *out, const char *text, size_t len)
{
	struct fl_buf clean;
	size_t line = 57; /* 57 bytes -> 76 base64 characters (RFC 2045 §6.8) */
	int rc = 0;

	/* Each input byte becomes at most 3 (U+FFFD) or 2 (CRLF) bytes. */
	fl_buf_init(&clean, len > (SIZE_MAX - 16) / 3 ? SIZE_MAX - 1 : len * 3 + 16);
	for (size_t i = 0; i < len && rc == 0;) {
		uint32_t cp;

		i += fl_utf8_next(text + i, len - i, &cp);
		if (cp == '\r' && i < len && text[i] == '\n')
			continue; /* the LF that follows writes the CRLF */
		if (cp == '\n' || cp == '\r')
			rc = fl_buf_adds(&clean, "\r\n");
		else if ((cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
			rc = fl_buf_addc(&clean, ' '); /* no terminal escapes in a mail reader */
		else
			rc = fl_utf8_put(&clean, cp);
	}
	for (size_t i = 0; i < clean.len && rc == 0; i += line) {
		size_t n = clean.len - i < line ? clean.len - i : line;

		rc = put_base64(out, (const unsigned char *)clean.p + i, n);
		if (rc == 0)
			rc = fl_buf_adds(out, "\r\n");
	}
	fl_buf_free(&clean);
	return rc;
}

int fl_mime_build(struct fl_buf *out, const struct fl_mime_msg *m)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)m->date_s;
	struct tm tm;
	int rc;

	if (!fl_mime_addr_valid(m->from_addr) || !fl_mime_addr_valid(m->to_addr))
		return -EINVAL;
	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	/* RFC 5322 §3.3 date-time, written in English whatever the locale. */
	rc = fl_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	                   tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	                   tm.tm_sec);
	if (rc == 0)
		rc = fl_mime_address(out, "From", m->from_name, m->from_addr);
	if (rc == 0)
		rc = fl_mime_address(out, "To", m->to_name, m->to_addr);
	if (rc == 0)
		rc = fl_mime_header(out, "Subject", m->subject ? m->subject : "");
	if (rc == 0)
		rc = fl_buf_adds(out, "Message-ID: ");
	if (rc == 0)
		rc = fl_mime_message_id(out, m->idempotency_key, m->from_addr);
	if (rc == 0)
		rc = fl_buf_adds(out, "\r\nMIME-Version: 1.0\r\n"
		                      "Content-Type: text/plain; charset=UTF-8\r\n"
		                      "Content-Transfer-Encoding: base64\r\n"
		                      "Auto-Submitted: auto-generated\r\n\r\n");
	if (rc == 0)
		rc =
		    fl_mime_body_base64(out, m->body ? m->body : "", m->body ? strlen(m->body) : 0);
	return rc;
}
