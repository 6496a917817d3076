#!/bin/sh
# Plan compile time and peak memory for generated plans of 1,000, 10,000 and
# 50,000 rules.
# Target: 10,000 rules under 0.2 s of CPU. Run with `make bench`, or
# directly: taskset -c 1 build/bench/bench_compile 10000 3
# 2026-12-05, 2-core machine at load average 10-15, gcc -O2, PCRE2 10.42:
#   CPU a round 0.014-0.020 s / 0.155-0.23 s / 1.15-1.28 s at 1,000 / 10,000 /
#   50,000 rules, peak RSS 14 / 80 / 339 MiB (mostly the syntax tree and
#   PCRE2 code: one regex per rule).
: "${FL_BUILD:=$(dirname "$0")/../build}"
for n in 1000 10000 50000; do "$FL_BUILD/bench/bench_compile" "$n" 3; done
