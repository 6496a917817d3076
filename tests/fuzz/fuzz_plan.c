/* fuzz_plan.c - the plan compiler on arbitrary source text.
 *
 * Scanner, parser, checker, regex and template compilation, dump: none may
 * crash, leak or hang on any input. The compile reads nothing but the input
 * (no includes, no data files), so runs are deterministic. */
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fl_plan_options opt = {.no_files = true};
	struct fl_diags *d;
	struct fl_plan *plan = NULL;
	struct fl_buf out;

	if (fl_diags_create(&d) < 0)
		return 0;
	if (fl_plan_compile_text(&plan, "fuzz.plan", (const char *)data, size, &opt, d) == 0) {
		fl_buf_init(&out, 1u << 24);
		if (fl_plan_dump(plan, &out) < 0 && !out.overflowed)
			__builtin_trap(); /* dump fails only when its buffer is full */
		fl_buf_free(&out);
	}
	fl_buf_init(&out, 1u << 24);
	if (fl_diag_render(d, &out) < 0 && !out.overflowed)
		__builtin_trap(); /* carets over arbitrary bytes must render */
	fl_buf_free(&out);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return 0;
}
