/* framing.c - RFC 6587 octet counting and LF framing (see framing.h). */
#include "engine/input/framing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/limits.h"

static const char *const verdict_texts[] = {
#define X(name, text) text,
	FL_FRAME_VERDICTS(X)
#undef X
};

/* What one parse step found at the front of the bytes. */
struct step {
	enum fl_frame_verdict verdict;
	size_t consumed;	      /* bytes used from the front */
	const char *msg;	      /* OK: the frame */
	size_t msg_len;
};

static void deliver(struct fl_framer *f, const char *msg, size_t len, fl_frame_fn fn, void *ctx)
{
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\0'))
		len--;
	f->frames++;
	fn(ctx, msg, len);
}

static struct step step_lf(struct fl_framer *f, const char *p, size_t n)
{
	const char *lf = memchr(p, '\n', n);
	struct step s = {FL_FRAME_MORE, 0, NULL, 0};

	if (lf) {
		size_t len = (size_t)(lf - p);

		s.consumed = len + 1;
		s.verdict = len > f->max_msg ? FL_FRAME_TOO_LONG : FL_FRAME_OK;
		s.msg = p;
		s.msg_len = len;
	} else if (n > f->max_msg) {
		s.verdict = FL_FRAME_TOO_LONG;
		s.consumed = n;
		f->is_skipping_line = true;
	}
	return s;
}

/* Keeps the start of a header that ends the stream, to quote it in the log. */
static void keep_bad_header(struct fl_framer *f, const char *p, size_t n)
{
	size_t k = n < FL_FRAME_QUOTE_MAX ? n : FL_FRAME_QUOTE_MAX;

	memcpy(f->bad_header, p, k);
	f->bad_header[k] = '\0';
	f->bad_header_len = k;
	f->is_bad_header_cut = n > k;
}

static struct step step_octets(struct fl_framer *f, const char *p, size_t n)
{
	struct step s = {FL_FRAME_MORE, 0, NULL, 0};
	size_t msg_len, hdr_len, total;

	/* Tolerate line ends between frames: some senders end each frame with LF. */
	while (s.consumed < n && (p[s.consumed] == '\n' || p[s.consumed] == '\r'))
		s.consumed++;
	p += s.consumed;
	n -= s.consumed;
	s.verdict = fl_frame_octets(p, n, FL_TCP_SKIP_MAX, &msg_len, &hdr_len);
	if (s.verdict == FL_FRAME_TOO_LONG)
		s.verdict = FL_FRAME_COUNT_OVER_MAX; /* cannot skip it: no way to resync */
	if (s.verdict == FL_FRAME_MORE && n >= FL_FRAME_HDR_MAX)
		s.verdict = FL_FRAME_BAD_FRAMING;
	if (s.verdict == FL_FRAME_BAD_FRAMING || s.verdict == FL_FRAME_COUNT_OVER_MAX)
		keep_bad_header(f, p, n);
	if (s.verdict != FL_FRAME_OK)
		return s; /* MORE: only the line ends are used */
	total = hdr_len + msg_len;	/* no overflow: both bounded by FL_TCP_SKIP_MAX */
	if (msg_len > f->max_msg) {
		size_t have = total < n ? total : n;

		s.verdict = FL_FRAME_TOO_LONG;
		s.consumed += have;
		f->skip_left = total - have;
		return s;
	}
	if (total > n) {
		s.verdict = FL_FRAME_MORE;
		return s;
	}
	s.consumed += total;
	s.msg = p + hdr_len;
	s.msg_len = msg_len;
	return s;
}

/* Parses frames from the front of p[0..n) until one is incomplete. Returns the
 * bytes used through *used; BAD_FRAMING stops at the bad header. */
static enum fl_frame_verdict parse_run(struct fl_framer *f, const char *p, size_t n, size_t *used,
				       fl_frame_fn fn, void *ctx)
{
	size_t off = 0;

	while (off < n && f->skip_left == 0 && !f->is_skipping_line) {
		struct step s;

		if (f->mode == FL_FRAMING_UNKNOWN)
			f->mode = (p[off] >= '0' && p[off] <= '9') ? FL_FRAMING_OCTETS : FL_FRAMING_LF;
		s = f->mode == FL_FRAMING_OCTETS ? step_octets(f, p + off, n - off)
						 : step_lf(f, p + off, n - off);
		if (s.verdict == FL_FRAME_BAD_FRAMING || s.verdict == FL_FRAME_COUNT_OVER_MAX) {
			*used = off;
			return s.verdict;
		}
		off += s.consumed;
		if (s.verdict == FL_FRAME_MORE)
			break;
		if (s.verdict == FL_FRAME_TOO_LONG)
			f->too_long++;
		else
			deliver(f, s.msg, s.msg_len, fn, ctx);
	}
	*used = off;
	return FL_FRAME_OK;
}

/* Drops bytes of an over-long frame; returns how many of p[0..n) it used. */
static size_t skip_bytes(struct fl_framer *f, const char *p, size_t n)
{
	if (f->skip_left > 0) {
		size_t k = f->skip_left < n ? f->skip_left : n;

		f->skip_left -= k;
		return k;
	}
	if (f->is_skipping_line) {
		const char *lf = memchr(p, '\n', n);

		if (!lf)
			return n;
		f->is_skipping_line = false;
		return (size_t)(lf - p) + 1;
	}
	return 0;
}

void fl_framer_init(struct fl_framer *f, size_t max_msg)
{
	memset(f, 0, sizeof(*f));
	f->max_msg = max_msg;
	/* LF framing needs max_msg + LF; octet counting max_msg + its header. */
	fl_buf_init(&f->pending, max_msg + FL_FRAME_HDR_MAX + 1);
}

void fl_framer_free(struct fl_framer *f)
{
	fl_buf_free(&f->pending);
}

enum fl_frame_verdict fl_framer_feed(struct fl_framer *f, const char *p, size_t n, fl_frame_fn fn,
				     void *ctx)
{
	while (n > 0) {
		size_t used = skip_bytes(f, p, n);
		enum fl_frame_verdict v;

		p += used;
		n -= used;
		if (n == 0)
			break;
		if (f->pending.len == 0) {
			/* Fast path: frames straight from the caller's bytes, no copy. */
			v = parse_run(f, p, n, &used, fn, ctx);
			if (v != FL_FRAME_OK)
				return v;
			p += used;
			n -= used;
			if (n > 0 && f->skip_left == 0 && !f->is_skipping_line) {
				/* An incomplete frame: always fits, by the buffer's cap. */
				if (fl_buf_add(&f->pending, p, n) < 0)
					return FL_FRAME_NO_MEMORY;
				n = 0;
			}
			continue;
		}
		/* Complete the kept frame with as many new bytes as the cap allows. */
		size_t room = f->pending.max - f->pending.len, take = n < room ? n : room;

		if (fl_buf_add(&f->pending, p, take) < 0)
			return FL_FRAME_NO_MEMORY;
		p += take;
		n -= take;
		v = parse_run(f, f->pending.p, f->pending.len, &used, fn, ctx);
		if (v != FL_FRAME_OK)
			return v;
		if (FL_NEVER(take == 0 && used == 0))
			return FL_FRAME_BAD_FRAMING; /* the cap guarantees progress */
		memmove(f->pending.p, f->pending.p + used, f->pending.len - used);
		f->pending.len -= used;
	}
	return FL_FRAME_OK;
}

size_t fl_framer_pending(const struct fl_framer *f)
{
	return f->pending.len + f->skip_left + (f->is_skipping_line ? 1 : 0);
}

const char *fl_frame_verdict_text(enum fl_frame_verdict v)
{
	if ((unsigned)v >= FL_FRAME__COUNT)
		return "unknown verdict";
	return verdict_texts[v];
}

void fl_framer_explain(const struct fl_framer *f, enum fl_frame_verdict v, char *out, size_t cap)
{
	char quote[FL_FRAME_QUOTE_MAX + 1];
	size_t digits = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < f->bad_header_len; i++) {
		unsigned char ch = (unsigned char)f->bad_header[i];

		quote[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	quote[f->bad_header_len] = '\0';
	while (digits < f->bad_header_len && quote[digits] >= '0' && quote[digits] <= '9')
		digits++;
	if (v == FL_FRAME_COUNT_OVER_MAX && digits > 0) {
		/* The digits may run on past what was kept: say so, do not guess. */
		bool is_cut = digits == f->bad_header_len && f->is_bad_header_cut;

		snprintf(out, cap, "octet count %.*s%s exceeds the maximum %u", (int)digits, quote,
			 is_cut ? "..." : "", (unsigned)FL_TCP_SKIP_MAX);
	} else if (v == FL_FRAME_BAD_FRAMING && f->bad_header_len > 0) {
		snprintf(out, cap, "%s: '%s%s'", fl_frame_verdict_text(v), quote,
			 f->is_bad_header_cut ? "..." : "");
	} else {
		snprintf(out, cap, "%s", fl_frame_verdict_text(v));
	}
}

/* RFC 6587 §3.4.1 octet counting: "MSG-LEN SP SYSLOG-MSG". */
enum fl_frame_verdict fl_frame_octets(const char *p, size_t n, size_t max, size_t *msg_len,
				      size_t *hdr_len)
{
	size_t i = 0, len = 0;

	if (n > 0 && p[0] == '0')
		return FL_FRAME_BAD_FRAMING; /* MSG-LEN starts with NONZERO-DIGIT */
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		size_t d = (size_t)(p[i] - '0');

		if (len > (max - d) / 10) /* checked against the cap, not SIZE_MAX */
			return FL_FRAME_TOO_LONG;
		len = len * 10 + d;
	}
	if (i == n)
		return FL_FRAME_MORE;
	if (i == 0 || p[i] != ' ')
		return FL_FRAME_BAD_FRAMING;
	*msg_len = len;
	*hdr_len = i + 1;
	return FL_FRAME_OK;
}
