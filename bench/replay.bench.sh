#!/bin/sh
# Engine throughput on one core: the bundled plan over a generated storm on
# the sample network, rule scaling from 10 to 10,000 generated rules over one
# input, and peak RSS with 1,000,000 distinct live keys.
# Usage: FL_BUILD=build sh bench/replay.bench.sh [STORM_EVENTS] [RULES_EVENTS]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${FL_BUILD:=$ROOT/build}"
: "${FL_SHARED:=/work/shared}"
bin="$FL_BUILD/bench/bench_replay"
[ -x "$bin" ] || { echo "replay.bench.sh: build $bin first (make bench)" >&2; exit 1; }
echo "machine: $(nproc) CPU(s), $(lscpu | sed -n 's/^Model name: *//p')"
"$bin" storm "$ROOT/rules/faultline.plan" "$FL_SHARED/data" "${1:-2000000}"
"$bin" rules "${2:-1000000}"
"$bin" keys 1000000
