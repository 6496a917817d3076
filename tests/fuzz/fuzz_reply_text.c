/* fuzz_reply_text.c - the text an SMS gateway hands over for a directive
 * reply (URL-encoded, in a coding it names): whatever comes in, the result
 * fits its buffer and is valid UTF-8.
 *
 * Input: byte 0 = the coding (mod 4: 3 must be refused); byte 1 = the
 * output buffer's size; the rest the text (a NUL ends it early). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/utf8.h"
#include "engine/pipeline/directive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, out[256];
	size_t cap;
	int coding;
	long n;

	if (size < 2)
		return 0;
	coding = data[0] % 4;
	cap = (size_t)data[1] % sizeof(out) + 1;
	if (!(in = malloc(size - 1)))
		return 0;
	memcpy(in, data + 2, size - 2);
	in[size - 2] = '\0';
	n = fl_directive_reply_text(in, coding, out, cap);
	if (coding == 3 && n != -22)
		abort();
	if (n >= 0 && ((size_t)n >= cap || strlen(out) != (size_t)n || !fl_utf8_valid(out, (size_t)n)))
		abort();
	free(in);
	return 0;
}
