/* fuzz_framing.c - the RFC 6587 framer on arbitrary streams.
 *
 * The first byte picks max_msg (16..1036), the second the size of the reads
 * the stream is cut into (1..256), the rest is the stream. Checks what
 * framing.h promises: no frame is longer than max_msg, the buffer never grows
 * past one frame and its header, and the same stream cut another way (in one
 * piece) gives the same frames, too_long count and verdict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/input/framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
	size_t max_msg;
	uint64_t frames, bytes, hash;
};

static void on_frame(void *ctx, const char *msg, size_t len)
{
	struct digest *d = ctx;

	if (len > d->max_msg)
		abort();
	d->frames++;
	d->bytes += len;
	for (size_t i = 0; i < len; i++)
		d->hash = (d->hash ^ (uint8_t)msg[i]) * 1099511628211u;
	d->hash = (d->hash ^ 0xff) * 1099511628211u; /* frame boundary */
}

static enum fl_frame_verdict run(const char *p, size_t n, size_t max_msg, size_t chunk,
				 struct digest *d, uint64_t *too_long)
{
	struct fl_framer f;
	enum fl_frame_verdict v = FL_FRAME_OK;

	fl_framer_init(&f, max_msg);
	for (size_t off = 0; off < n && v == FL_FRAME_OK; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;

		v = fl_framer_feed(&f, p + off, k, on_frame, d);
		/* fl_buf allocates at least 64 bytes, at most its cap + NUL. */
		if (f.pending.max != max_msg + FL_FRAME_HDR_MAX + 1 ||
		    (f.pending.alloc > 64 && f.pending.alloc > f.pending.max + 1))
			abort();
	}
	*too_long = f.too_long;
	fl_framer_free(&f);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a = {0}, b = {0};
	uint64_t too_long_a, too_long_b;
	size_t max_msg, chunk;
	enum fl_frame_verdict va, vb;

	if (size < 2)
		return 0;
	max_msg = 16 + (size_t)data[0] * 4;
	chunk = 1 + (size_t)data[1];
	a.max_msg = b.max_msg = max_msg;
	va = run((const char *)data + 2, size - 2, max_msg, chunk, &a, &too_long_a);
	vb = run((const char *)data + 2, size - 2, max_msg, size, &b, &too_long_b);
	if (va != vb || a.frames != b.frames || a.bytes != b.bytes || a.hash != b.hash ||
	    too_long_a != too_long_b)
		abort();
	return 0;
}
