#!/bin/sh
# Plan compile time and peak memory for a generated 10,000-rule plan.
# Target: under 1 s. Run with `make bench`, or directly:
#   build/bench/bench_compile 10000 5
: "${FL_BUILD:=$(dirname "$0")/../build}"
"$FL_BUILD/bench/bench_compile" 10000 5
