/* fuzz_replay.c - the engine on arbitrary syslog lines.
 *
 * A fixed plan (dedup, threshold, flap, absent, a fault/clear pair, a group;
 * no inventory, no files) runs over the input's lines in event time: odd
 * times, repeats, clears without faults and keys at the cap must neither
 * crash nor leak. The same input replayed twice must give the same bytes.
 * The first line, when it is a regex, is also fed to the literal extractor. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/buf.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/lib/rxreq.h"
#include "engine/pipeline/replay.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char plan_text[] =
    "plan fuzz;\n"
    "level general { respond 30m; }\n"
    "rule pair { match syslog; where msg ~ /FAULT (?<p>\\S+)/;\n"
    "  clear where msg ~ /CLEAR (?<p>\\S+)/; key host, p; dedup 1m;\n"
    "  raise level general title \"pair ${host} ${p}\"; }\n"
    "rule burst { match syslog; where msg ~ /BURST (?<p>\\w+)/; key p;\n"
    "  threshold 3 within 10s; raise level general title \"burst ${p}\"; }\n"
    "rule flap { match syslog; where msg ~ /port (?<p>\\S+) (?:up|down)/; key host, p;\n"
    "  flap 3 within 1m; raise level general title \"flap ${p}\"; }\n"
    "rule seen { match syslog; where host exists; key host; absent 1m; }\n"
    "correlate storm { locate group; from pair; group host; within 30s;\n"
    "  raise level general title \"storm ${group} ${count}\"; }\n";

static void run(const struct fl_program *prog, const uint8_t *data, size_t size,
		struct fl_buf *out)
{
	struct fl_replay_opts ro = {.year = 2026, .max_keys_per_rule = 8};
	struct fl_replay *r;
	size_t start = 0;

	if (fl_replay_create(&r, prog, &ro, out) < 0)
		return;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		(void)fl_replay_line(r, (const char *)data + start, i - start);
		start = i + 1;
	}
	(void)fl_replay_finish(r);
	fl_replay_destroy(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fl_plan_options opt = {.no_files = true};
	const uint8_t *nl = memchr(data, '\n', size);
	struct fl_rxreq *req;
	struct fl_plan *plan = NULL;
	struct fl_diags *d;
	struct fl_buf a, b;

	if (fl_rxreq_build(&req, (const char *)data, nl ? (size_t)(nl - data) : size, PCRE2_UTF) == 0)
		fl_rxreq_destroy(req);
	if (fl_diags_create(&d) < 0)
		return 0;
	if (fl_plan_compile_text(&plan, "fuzz.plan", plan_text, sizeof(plan_text) - 1, &opt, d) < 0)
		__builtin_trap(); /* the fixed plan always compiles */
	fl_buf_init(&a, 1u << 24);
	fl_buf_init(&b, 1u << 24);
	run(fl_plan_program(plan), data, size, &a);
	run(fl_plan_program(plan), data, size, &b);
	if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0))
		__builtin_trap(); /* replay must be deterministic */
	fl_buf_free(&a);
	fl_buf_free(&b);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	return 0;
}
