/* framing.h - splits a TCP syslog byte stream into messages (RFC 6587).
 *
 * One struct fl_framer per connection, owned by the thread that reads the
 * socket. The framing is chosen from the connection's first byte, as rsyslog
 * does: a digit means octet counting (RFC 6587 §3.4.1, "MSG-LEN SP MSG"),
 * anything else LF-terminated lines (§3.4.2). The framer buffers at most one
 * unfinished frame, max_msg bytes plus its header, so a connection costs at
 * most that much memory.
 *
 * A frame longer than max_msg is counted (too_long) and discarded, and the
 * stream carries on: an octet-counted frame is skipped by its declared length
 * (up to FL_TCP_SKIP_MAX), a line is skipped to its LF. A header that is not
 * digits then a space (BAD_FRAMING), or a declared length past
 * FL_TCP_SKIP_MAX (COUNT_OVER_MAX), leaves no way to find the next frame:
 * fl_framer_feed() returns the verdict, fl_framer_explain() says what the
 * peer sent, and the caller closes the connection. */
#ifndef FL_FRAMING_H
#define FL_FRAMING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"

/* MSG-LEN digits accepted before the space: enough for FL_TCP_SKIP_MAX. */
#define FL_FRAME_HDR_MAX 11
/* Bytes of a bad header kept to quote it in fl_framer_explain(). */
#define FL_FRAME_QUOTE_MAX 24

#define FL_FRAME_VERDICTS(X)                                                                       \
	X(OK, "ok")                                                                                \
	X(MORE, "need more bytes")                                                                 \
	X(BAD_FRAMING, "octet count not digits then space")                                        \
	X(TOO_LONG, "frame longer than max_msg_size")                                              \
	X(COUNT_OVER_MAX, "octet count exceeds the maximum")                                       \
	X(NO_MEMORY, "out of memory buffering a frame")

enum fl_frame_verdict {
#define X(name, text) FL_FRAME_##name,
	FL_FRAME_VERDICTS(X)
#undef X
	FL_FRAME__COUNT
};

enum fl_framing {
	FL_FRAMING_UNKNOWN, /* no byte seen yet */
	FL_FRAMING_OCTETS,
	FL_FRAMING_LF,
};

struct fl_framer {
	enum fl_framing mode;
	size_t max_msg;
	size_t skip_left;	/* bytes of an over-long octet-counted frame still to drop */
	bool is_skipping_line;	/* LF framing: dropping an over-long line up to its LF */
	struct fl_buf pending;	/* bytes of the frame not yet complete */
	uint64_t frames, too_long;
	/* After BAD_FRAMING or COUNT_OVER_MAX: the header's first bytes, as sent */
	char bad_header[FL_FRAME_QUOTE_MAX + 1];
	size_t bad_header_len;
	bool is_bad_header_cut; /* more bytes followed than bad_header holds */
};

/* Called once per complete frame, trailing LF and NUL bytes trimmed. msg is
 * borrowed: valid only during the call. */
typedef void (*fl_frame_fn)(void *ctx, const char *msg, size_t len);

/* Lifecycle. max_msg > 0. No allocation until bytes must be kept across
 * reads. fl_framer_free() releases the buffer. */
void fl_framer_init(struct fl_framer *f, size_t max_msg);
void fl_framer_free(struct fl_framer *f);

/* Operations. Feeds n bytes, calling fn for each frame they complete.
 * Returns FL_FRAME_OK (all bytes used, maybe some kept for later), or
 * FL_FRAME_BAD_FRAMING / FL_FRAME_COUNT_OVER_MAX / FL_FRAME_NO_MEMORY: close
 * the connection (frames before the failure were delivered). Over-long frames are counted in
 * too_long and do not change the result. */
enum fl_frame_verdict fl_framer_feed(struct fl_framer *f, const char *p, size_t n, fl_frame_fn fn,
				     void *ctx) FL_MUST_CHECK;

/* Queries. Bytes of an unfinished frame (kept or being skipped): non-zero at
 * disconnect means the peer left a half frame. */
size_t fl_framer_pending(const struct fl_framer *f);
const char *fl_frame_verdict_text(enum fl_frame_verdict v);

/* One sentence on what a failed fl_framer_feed() saw, for the log:
 * "octet count 5000000000 exceeds the maximum 1073741824", "octet count not
 * digits then space: '5x <13>...'". Other verdicts: their text. Always
 * NUL-terminated; non-printable bytes are written as '?'. */
void fl_framer_explain(const struct fl_framer *f, enum fl_frame_verdict v, char *out, size_t cap);

/* RFC 6587 §3.4.1 header "MSG-LEN SP" at p[0..n). OK: *msg_len and *hdr_len
 * set; MORE: digits so far, no space yet; TOO_LONG: MSG-LEN above max;
 * BAD_FRAMING: not NONZERO-DIGIT *DIGIT SP. */
enum fl_frame_verdict fl_frame_octets(const char *p, size_t n, size_t max, size_t *msg_len,
				      size_t *hdr_len);

#endif /* FL_FRAMING_H */
