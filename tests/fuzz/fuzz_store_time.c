/* fuzz_store_time.c - the ISO 8601 times the store's commands read
 * (`maintenance add --from`, `report --to`) on arbitrary bytes.
 *
 * Checks what fl_time_parse() promises: it never reads past the NUL, and a
 * time it accepts prints back (fl_time_format) as a time that parses to the
 * same instant, whatever offset the input carried. Adding months never moves
 * a time backwards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/store/store_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64], iso[FL_TIME_ISO_LEN];
	int64_t ns, back;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (fl_time_parse(in, &ns) < 0)
		return 0;
	fl_time_format(ns, iso);
	if (ns >= 0 && (fl_time_parse(iso, &back) < 0 || back != ns))
		abort(); /* a year 0..9999 time prints and parses back exactly */
	for (int64_t m = 0; m < 30; m += 7)
		if (fl_time_add_months(ns, m) < ns)
			abort();
	return 0;
}
