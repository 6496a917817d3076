/* fuzz_timerwheel.c - drives a timer wheel with fuzzer-chosen operations and
 * checks every advance against a plain list sorted on (deadline, sequence).
 *
 * Input: a sequence of 4-byte operations {op, timer, d0, d1}. op % 4: 0 arm
 * or re-arm timer at now + delay, 1 cancel, 2 advance by delay, 3 advance by
 * delay << 20 (hours to years). delay = d0 | d1 << 8, scaled by op >> 2 bits
 * so deadlines land on block boundaries, far levels and the past. A wrong
 * order, a missed or an extra fire aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/lib/timerwheel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 16

struct model {
	struct fl_timer timers[N];
	bool armed[N];
	int64_t expires[N];
	uint64_t seq[N], next_seq;
	int fired[N];
	size_t nfired;
};

static void on_fire(struct fl_timer *t, void *ctx)
{
	struct model *m = ctx;

	if (m->nfired >= N)
		abort();
	m->fired[m->nfired++] = (int)(t - m->timers);
}

static bool before(const struct model *m, int a, int b)
{
	return m->expires[a] < m->expires[b] ||
	       (m->expires[a] == m->expires[b] && m->seq[a] < m->seq[b]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m = {0};
	struct fl_timerwheel *tw;
	int64_t now = (int64_t)(size % 4096) * 977; /* varies the start's alignment */

	if (fl_timerwheel_create(&tw, now, N) != 0)
		abort();
	for (int i = 0; i < N; i++)
		fl_timer_init(&m.timers[i]);
	for (size_t pos = 0; pos + 4 <= size; pos += 4) {
		unsigned op = data[pos] % 4, scale = (data[pos] >> 2) % 40;
		int i = data[pos + 1] % N;
		int64_t delay = (int64_t)(data[pos + 2] | data[pos + 3] << 8) << (scale % 24);

		if (op == 0) {
			int64_t at = now + delay - (scale >= 24 ? 3 : 0); /* some in the past */

			if (at < 0)
				at = 0;
			if (at > FL_TIMERWHEEL_MAX_MS)
				continue;
			if (fl_timerwheel_rearm(tw, &m.timers[i], at) != 0)
				abort();
			m.armed[i] = true;
			m.expires[i] = at;
			m.seq[i] = m.next_seq++;
		} else if (op == 1) {
			if (fl_timerwheel_cancel(tw, &m.timers[i]) != m.armed[i])
				abort();
			m.armed[i] = false;
		} else {
			int due[N], n = 0;

			now += op == 3 ? delay << 20 : delay;
			if (now > FL_TIMERWHEEL_MAX_MS)
				break;
			for (int k = 0; k < N; k++)
				if (m.armed[k] && m.expires[k] <= now)
					due[n++] = k;
			for (int a = 1; a < n; a++) /* insertion sort: n <= 16 */
				for (int b = a; b > 0 && before(&m, due[b], due[b - 1]); b--) {
					int t = due[b];

					due[b] = due[b - 1];
					due[b - 1] = t;
				}
			m.nfired = 0;
			if (fl_timerwheel_advance(tw, now, on_fire, &m) != (size_t)n ||
			    m.nfired != (size_t)n)
				abort();
			for (int k = 0; k < n; k++) {
				if (m.fired[k] != due[k])
					abort();
				m.armed[due[k]] = false;
			}
		}
	}
	fl_timerwheel_destroy(tw);
	return 0;
}
