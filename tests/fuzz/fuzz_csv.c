/* fuzz_csv.c - the RFC 4180 reader on arbitrary bytes.
 *
 * Reads every row to the end and checks what the reader promises: it always
 * ends, every slice lies inside the input or the scratch buffer, positions
 * are 1-based, and a returned row has at least one field. */
#include <stdint.h>
#include <stdlib.h>

#include "engine/lib/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_csv c;
	struct fl_csv_row row;
	enum fl_csv_verdict v;
	size_t calls = 0;

	if (fl_csv_init(&c, (const char *)data, size) < 0)
		return 0;
	while ((v = fl_csv_next(&c, &row)) != FL_CSV_END) {
		if (++calls > size + 1)
			abort(); /* every call consumes at least one byte */
		if (v != FL_CSV_OK && v != FL_CSV_FIELD_COUNT) {
			if (c.err_line == 0 || c.err_col == 0)
				abort();
			continue;
		}
		if (row.nfields == 0 || row.line == 0)
			abort();
		for (size_t i = 0; i < row.nfields; i++) {
			const struct fl_csv_field *f = &row.fields[i];
			const char *p = f->s.p;
			volatile char sink = 0;

			if (!p || f->line == 0 || f->col == 0)
				abort();
			for (size_t k = 0; k < f->s.len; k++)
				sink ^= p[k]; /* ASan checks every byte read */
			(void)sink;
		}
	}
	fl_csv_free(&c);
	return 0;
}
