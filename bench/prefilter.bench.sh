#!/bin/sh
# Rule prefilter: faultline's Aho-Corasick against vectorscan (literal mode).
# Builds its own binary with -lhs (vectorscan is a bench-only dependency, not
# linked into faultline) and runs it from bench/. --no-as-needed: the bench
# references vectorscan weakly, which --as-needed would take as "not needed".
set -e
cd "$(dirname "$0")"
build=${FL_BUILD:-../build}
mkdir -p "$build/bench"
bin="$build/bench/bench_prefilter_hs"
gcc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -I.. -o "$bin" \
	bench_prefilter.c ../engine/lib/ac.c -Wl,--no-as-needed -lhs
"$bin"
cat <<'NOTE'
Reading (2 shared cores, gcc 12 -O2, Nov 2026; figures vary with load): both
find the same ids in every message. vectorscan scans about 1.5-3.5x faster
(SIMD literal matching; our DFA is bound by one dependent table load per byte,
about 1.5 ns/byte) and its database is smaller at 10,000 literals; faultline's
ac builds 50-100x faster (3 ms against 230 ms at 10,000 literals) and checks a
hard memory cap before it allocates.
Choice: faultline's ac as the prefilter for now. It keeps the engine inside
its fixed dependencies (vectorscan is not one of them), builds a plan's
prefilter in milliseconds on every reload and `plan check`, and at 2.5 M
messages/s per core with 10,000 literals it is not the stage that limits a
shard (decode and the PCRE2 confirmation cost more per event). The prefilter
sits behind ac.h, so vectorscan can be added as a second backend if profiles
of real plans show the prefilter dominating; this bench is the yardstick.
NOTE
