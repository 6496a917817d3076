#!/bin/sh
# Plan compile time and peak memory for generated plans of 1,000, 10,000 and
# 50,000 rules.
# Target: 10,000 rules under 0.2 s of CPU. Run with `make bench`, or
# directly: taskset -c 1 build/bench/bench_compile 10000 3
# 2026-12-06, 2-core machine at load average about 2, gcc -O2, PCRE2 10.42,
#   rules that begin alike and a correlation for every ten:
#   best 0.007 s / 0.095 s / 0.52 s, CPU a round 0.009 / 0.137 / 0.68 s at
#   1,000 / 10,000 / 50,000 rules, peak RSS 15 / 67 / 304 MiB (mostly the
#   syntax tree and PCRE2 code: one regex per rule). The same plan took
#   0.033 s / 1.63 s / 50.8 s before the shadow check and the capture lookup
#   were made linear.
: "${FL_BUILD:=$(dirname "$0")/../build}"
for n in 1000 10000 50000; do "$FL_BUILD/bench/bench_compile" "$n" 3; done
