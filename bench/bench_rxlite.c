/* bench_rxlite.c - a rule regex's run on rxlite against PCRE2's interpreter
 * and its JIT, and what each costs to compile.
 *
 * The regexes are the shapes rules are written in: the side-by-side
 * benchmark's written style (bench/peers/gen.py) and the shipped plans'
 * vendor rules. Each runs on a line it matches and on a near miss, as a
 * message reaches it after the prefilter let it through. For each engine it
 * prints ns per run (best of REPEATS) and checks that all three gave the
 * same result and captures on every run: a mismatch exits 1. A line above
 * ASCII is not run on the JIT, as faultline does not run it there (PCRE2
 * 10.42's JIT misses multi-byte characters for \S; engine/correlate/match.c),
 * and its shape is left out of the totals, which stay comparable.
 *
 * Usage: bench_rxlite [ROUNDS] (runs of each regex on each line, 20000) */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/rxlite.h"
#include "engine/lib/utf8.h"

#define REPEATS 3
#define OPTS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

struct shape {
	const char *pattern;
	uint32_t opts;
	const char *hit, *miss;
};

static const struct shape shapes[] = {
    {"(?<alarm>(?:ALM|Alm)-?0925)\\s+(?:notice|NOTICE)\\s+(?:port|PORT)=(?<port>\\d+-\\d+-\\d+)", 0,
     "ALM0925 notice port=7-4-3", "ALM0925 noticed port 7-4-3"},
    {"(?i)(?<alarm>alm-?0925) burst port=(?<port>\\d+-\\d+-\\d+)$", 0,
     "alm-0925 burst port=7-4-3", "ALM0925 burs port=7-4-3"},
    {"(?<alarm>ALM0925)\\s(?:raised|set)\\s+port=(?<port>[0-9]+-[0-9]+-[0-9]+)", 0,
     "ALM0925 raised port=1-2-3", "ALM0925 rise port=1-2-3"},
    {"(?<alarm>ALM0925)\\s(?:cleared|clear)\\s+port=(?<port>[0-9-]+)", 0,
     "ALM0925 cleared port=1-2-3", "ALM0925 clearing port="},
    {"\\b(?<alarm>R_LOS|R_LOF|OTU_LOF|OCH_LOS_P) raised port=(?<port>\\d+-\\d+-\\d+)", 0,
     "OSN8800 NE12 R_LOS raised port=1-8-1 severity=critical",
     "OSN8800 NE12 R_LOS cleared port=1-8-1 severity=critical"},
    {"LOC=(?<port>\\d+-\\d+-\\d+) ALMCODE=(?<alarm>R_LOS|R_LOF|OTU_LOF) SEVERITY=\\w+ STATE=RAISE",
     0, "ZXMP LOC=1-3-2 ALMCODE=R_LOF SEVERITY=MJ STATE=RAISE",
     "ZXMP LOC=1-3-2 ALMCODE=R_LOF SEVERITY=MJ STATE=CLEAR"},
    {"%LINK-3-UPDOWN: Interface (?<ifname>[^,]+), changed state to (?:up|down)", 0,
     "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
     "%LINK-5-CHANGED: Interface GigabitEthernet0/1, changed state to administratively down"},
    {"r_los raised", PCRE2_CASELESS, "NE7 R_LOS Raised at 1-1-1", "NE7 R_LOF raised at 1-1-1"},
    /* a message above ASCII: a fibre cut named in Chinese (光缆中断 span site-site) */
    {"^(?<what>\\S+) (?<ring>\\S+) (?<from>[^-\\s]+)-(?<to>\\S+)$", 0,
     "\xe5\x85\x89\xe7\xbc\x86\xe4\xb8\xad\xe6\x96\xad \xe5\xae\x9c\xe5\xb7\x9e\xe5\x8e\xbf"
     "\xe5\x9f\x9f\xe5\x8c\x97\xe7\x8e\xaf \xe6\xb4\x9b\xe8\xa5\xbf\xe9\x95\x87-\xe4\xb8\x89"
     "\xe5\xb2\x94\xe9\x95\x87",
     "\xe5\x85\x89\xe7\xbc\x86\xe4\xb8\xad\xe6\x96\xad \xe5\xae\x9c\xe5\xb7\x9e\xe5\x8e\xbf"
     "\xe5\x9f\x9f\xe5\x8c\x97\xe7\x8e\xaf \xe6\xb4\x9b\xe8\xa5\xbf\xe9\x95\x87"},
};
#define N_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

enum engine { INTERP, JIT, LITE, N_ENGINES };
static const char *const engine_name[N_ENGINES] = {"pcre2", "pcre2-jit", "rxlite"};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct compiled {
	pcre2_code *code, *jit;
	struct fl_rxlite *lite;
};

/* One run: rc as pcre2_match() gives it (0: no match), ovector in ov. */
static int run(const struct compiled *c, enum engine e, const char *s, pcre2_match_data *md,
	       size_t *ov)
{
	int rc;

	if (e == LITE)
		return fl_rxlite_match(c->lite, s, strlen(s), ov);
	rc = pcre2_match(e == JIT ? c->jit : c->code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	if (rc > 0)
		memcpy(ov, pcre2_get_ovector_pointer(md), 2 * (size_t)rc * sizeof(*ov));
	return rc < 0 ? 0 : rc;
}

static bool same_result(int rc_a, const size_t *a, int rc_b, const size_t *b)
{
	if (rc_a != rc_b)
		return false;
	for (int i = 0; i < 2 * rc_a; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static double time_compiles(const struct shape *sh, int engine_kind)
{
	double best = 1e18;

	for (int r = 0; r < REPEATS; r++) {
		double t0 = now_ns();

		for (int k = 0; k < 1000; k++) {
			int err;
			PCRE2_SIZE off;
			pcre2_code *code = NULL;
			struct fl_rxlite *lite = NULL;

			if (engine_kind == LITE) {
				if (fl_rxlite_compile(sh->pattern, strlen(sh->pattern), OPTS | sh->opts,
						      &lite) < 0)
					return -1;
				fl_rxlite_free(lite);
				continue;
			}
			code = pcre2_compile((PCRE2_SPTR)sh->pattern, PCRE2_ZERO_TERMINATED,
					     OPTS | sh->opts, &err, &off, NULL);
			if (engine_kind == JIT)
				pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
			pcre2_code_free(code);
		}
		best = (now_ns() - t0) / 1000 < best ? (now_ns() - t0) / 1000 : best;
	}
	return best;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 20000;
	pcre2_match_data *md = pcre2_match_data_create(FL_RXLITE_MAX_GROUPS + 1, NULL);
	double total[N_ENGINES] = {0};
	int status = 0;

	if (!md || rounds <= 0)
		return 2;
	printf("%-4s %-10s %10s %10s %10s   %s\n", "", "line", "pcre2", "pcre2-jit", "rxlite",
	       "ns a run, best of 3");
	for (size_t i = 0; i < N_SHAPES; i++) {
		const struct shape *sh = &shapes[i];
		struct compiled c = {0};
		int err;
		PCRE2_SIZE off;

		c.code = pcre2_compile((PCRE2_SPTR)sh->pattern, PCRE2_ZERO_TERMINATED, OPTS | sh->opts,
				       &err, &off, NULL);
		c.jit = pcre2_compile((PCRE2_SPTR)sh->pattern, PCRE2_ZERO_TERMINATED, OPTS | sh->opts,
				      &err, &off, NULL);
		if (!c.code || !c.jit || pcre2_jit_compile(c.jit, PCRE2_JIT_COMPLETE) != 0 ||
		    fl_rxlite_compile(sh->pattern, strlen(sh->pattern), OPTS | sh->opts, &c.lite) != 0) {
			fprintf(stderr, "bench_rxlite: shape %zu does not compile on every engine\n", i);
			return 1;
		}
		for (int which = 0; which < 2; which++) {
			const char *line = which ? sh->miss : sh->hit;
			double ns[N_ENGINES];
			size_t want[2 * (FL_RXLITE_MAX_GROUPS + 1)];
			int want_rc = run(&c, INTERP, line, md, want);

			bool ascii = fl_utf8_is_ascii(line, strlen(line));

			for (int e = 0; e < N_ENGINES; e++) {
				size_t ov[2 * (FL_RXLITE_MAX_GROUPS + 1)];
				double best = 1e18;

				if (e == JIT && !ascii) {
					ns[e] = 0;
					continue;
				}

				for (int r = 0; r < REPEATS; r++) {
					double t0 = now_ns(), t;
					int rc = 0;

					for (long k = 0; k < rounds; k++)
						rc = run(&c, (enum engine)e, line, md, ov);
					t = (now_ns() - t0) / (double)rounds;
					best = t < best ? t : best;
					if (!same_result(rc, ov, want_rc, want)) {
						fprintf(stderr, "bench_rxlite: %s differs on /%s/ \"%s\"\n",
							engine_name[e], sh->pattern, line);
						status = 1;
					}
				}
				ns[e] = best;
				total[e] += ascii ? best : 0;
			}
			printf("%-4zu %-10s %10.0f %10.0f %10.0f   %s%s\n", i, which ? "near miss" : "match",
			       ns[INTERP], ns[JIT], ns[LITE], which ? "" : sh->pattern,
			       ascii ? "" : " (above ASCII: no JIT, not in the totals)");
		}
		if (i == 0)
			printf("compile, us a regex: pcre2 %.1f, pcre2 + jit %.1f, rxlite %.1f (shape 0)\n",
			       time_compiles(sh, INTERP) / 1e3, time_compiles(sh, JIT) / 1e3,
			       time_compiles(sh, LITE) / 1e3);
		pcre2_code_free(c.code);
		pcre2_code_free(c.jit);
		fl_rxlite_free(c.lite);
	}
	printf("all ASCII runs, ns: pcre2 %.0f, pcre2-jit %.0f, rxlite %.0f; pcre2 / rxlite %.2fx, "
	       "rxlite / pcre2-jit %.2fx\n",
	       total[INTERP], total[JIT], total[LITE], total[INTERP] / total[LITE],
	       total[LITE] / total[JIT]);
	pcre2_match_data_free(md);
	return status;
}
