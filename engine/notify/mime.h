/* mime.h - Internet Message Format for notification e-mail (RFC 5322, 2045, 2047).
 *
 * Builds the header lines and body of one text/plain UTF-8 message from event
 * text nobody has vetted. Header values never carry a raw control character:
 * CR, LF, TAB, other C0/C1 controls and DEL become spaces, bytes that are not
 * UTF-8 become U+FFFD, and any value that is not plain short ASCII is written
 * as RFC 2047 "B" encoded-words (UTF-8, each at most 75 characters, split only
 * between characters, folded onto continuation lines). An event cannot
 * therefore add a header (Bcc:), end the header block, or smuggle an
 * encoded-word that decodes into one.
 *
 * The body is base64 (RFC 2045 §6.8) in 76-character lines: notification text
 * is mostly Chinese, where quoted-printable triples the size and base64 adds a
 * third; base64 also leaves no line starting with "." or "From " and no bare
 * CR or LF for a relay to mangle.
 *
 * Everything appends to a caller's struct fl_buf; functions return 0, -EINVAL
 * (an unusable address), -ENOMEM or -EMSGSIZE (the buffer's cap). Pure, any
 * thread. */
#ifndef FL_MIME_H
#define FL_MIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"

/* RFC 2047 §2: an encoded-word is at most 75 characters. */
#define FL_MIME_WORD_MAX 75
/* RFC 5322 §2.1.1: lines SHOULD stay within 78 characters. */
#define FL_MIME_LINE_SOFT 78
/* Longest address accepted (RFC 5321 §4.5.3.1.3 path limit). */
#define FL_MIME_ADDR_MAX 254

struct fl_mime_msg {
	const char *from_name, *from_addr;
	const char *to_name, *to_addr;
	const char *subject;
	const char *body;
	const char *idempotency_key; /* becomes the Message-ID */
	int64_t date_s;              /* seconds since the epoch, for Date: (UTC) */
};

/* Is addr a bare addr-spec we can put in a header and an SMTP envelope:
 * printable ASCII, one '@', non-empty local part and domain, no space,
 * quotes, brackets, commas or controls, at most FL_MIME_ADDR_MAX bytes? */
bool fl_mime_addr_valid(const char *addr);

/* Writes "Name: value\r\n", value cleaned and encoded as described above. */
FL_MUST_CHECK int fl_mime_header(struct fl_buf *out, const char *name, const char *value);

/* Writes "Name: display <addr>\r\n"; display is a quoted-string when it is
 * plain ASCII, else encoded-words; an empty display writes the bare address.
 * -EINVAL when !fl_mime_addr_valid(addr). */
FL_MUST_CHECK int fl_mime_address(struct fl_buf *out, const char *name, const char *display,
                                  const char *addr);

/* Appends the RFC 2047 encoded-words for text (cleaned first), separated by
 * "\r\n ", the first at most first_max characters long (>= 16), the others at
 * most FL_MIME_WORD_MAX. */
FL_MUST_CHECK int fl_mime_encode_words(struct fl_buf *out, const char *text, size_t first_max);

/* "<k@domain>" where k is the idempotency key with every byte outside
 * [A-Za-z0-9_-] written as =XX: the same key always gives the same ID, two
 * keys never share one. domain comes from from_addr, else faultline.invalid. */
FL_MUST_CHECK int fl_mime_message_id(struct fl_buf *out, const char *key, const char *from_addr);

/* Base64 in lines of 76 characters, each ending CRLF. The text is made
 * what the headers promise first: LF, CR and CRLF become CRLF (RFC 2046
 * §4.1.1), invalid UTF-8 becomes U+FFFD, controls other than TAB (ESC
 * sequences from device logs) become spaces. */
FL_MUST_CHECK int fl_mime_body_base64(struct fl_buf *out, const char *text, size_t len);

/* The whole message: Date, From, To, Subject, Message-ID, MIME headers, a blank
 * line and the base64 body. -EINVAL when either address is unusable. */
FL_MUST_CHECK int fl_mime_build(struct fl_buf *out, const struct fl_mime_msg *m);

#endif /* FL_MIME_H */
