/* Replay: the same lines through the same plan give the same bytes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/pipeline/replay.h"
#include "engine/lib/tz.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

/* Replays every line of path through the bundled plan into out. */
static void replay_file(const char *path, struct fl_buf *out, uint64_t *lines)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	struct fl_replay_opts ro = {.year = 2026};
	struct fl_plan_options opt = {0};
	struct fl_replay_stats st;
	struct fl_replay *r;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_tz *tz;
	char data[4096], plan_path[4096], line[65536];
	FILE *in;

	snprintf(data, sizeof(data), "%s/data", shared);
	snprintf(plan_path, sizeof(plan_path), "%s/rules/faultline.plan", root);
	opt.data_dir = data;
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile(&plan, plan_path, &opt, d), 0, "%s compiles", plan_path);
	cr_assert_eq(fl_tz_load(&tz, "Asia/Shanghai"), 0);
	ro.tz = tz;
	cr_assert_eq(fl_replay_create(&r, fl_plan_program(plan), &ro, out), 0);
	in = fopen(path, "r");
	cr_assert_not_null(in, "%s", path);
	while (fgets(line, sizeof(line), in)) {
		size_t n = strcspn(line, "\r\n");

		cr_assert_eq(fl_replay_line(r, line, n), 0);
	}
	fclose(in);
	cr_assert_eq(fl_replay_finish(r), 0);
	fl_replay_stats(r, &st);
	*lines = st.lines;
	fl_replay_destroy(r);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}

Test(replay, gives_the_same_bytes_for_the_same_input_twice, .timeout = 60)
{
	static const char *const names[] = {"fibre-cut-hechi", "site-power-hechi", "two-faults"};
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct fl_buf a, b;
		uint64_t la, lb;
		char path[4096];

		snprintf(path, sizeof(path), "%s/data/scenarios/%s.log", shared, names[i]);
		fl_buf_init(&a, 64u << 20);
		fl_buf_init(&b, 64u << 20);
		replay_file(path, &a, &la);
		replay_file(path, &b, &lb);
		cr_expect_gt(la, 100, "%s: lines read", names[i]);
		cr_expect_gt(a.len, 0, "%s: actions written", names[i]);
		cr_expect_eq(a.len, b.len, "%s: same length", names[i]);
		cr_expect(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "%s: same bytes",
			  names[i]);
		fl_buf_free(&a);
		fl_buf_free(&b);
	}
}
