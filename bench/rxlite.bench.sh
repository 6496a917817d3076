#!/bin/sh
# A rule regex's run on rxlite (engine/lib/rxlite.h) against PCRE2's
# interpreter and its JIT, on the shapes rules are written in, matching and
# near misses; and what each costs to compile. The bench exits 1 if any
# engine's result or captures differ from the others'.
# Usage: FL_BUILD=build sh bench/rxlite.bench.sh [ROUNDS]
set -eu
: "${FL_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
bin="$FL_BUILD/bench/bench_rxlite"
[ -x "$bin" ] || { echo "rxlite.bench.sh: build $bin first (make bench)" >&2; exit 1; }
echo "machine: $(nproc) CPU(s), $(lscpu | sed -n 's/^Model name: *//p')"
echo "pcre2: $(pcre2-config --version 2>/dev/null || echo unknown)"
taskset -c "${BENCH_CPU:-1}" "$bin" "${1:-20000}" 2>&1 || "$bin" "${1:-20000}"
