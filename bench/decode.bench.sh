#!/bin/sh
# Syslog decode throughput per core on an RFC 3164/5424 mix: the shared
# vendor lines (RFC 3164 as devices send them) and the RFC 5424 samples,
# together with the malformed ones' share of a real feed left out.
# Usage: FL_BUILD=build sh bench/decode.bench.sh [SECONDS]
set -eu
: "${FL_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
: "${FL_SHARED:=/work/shared}"
D="$FL_SHARED/data/syslog"
bin="$FL_BUILD/bench/bench_decode"
[ -x "$bin" ] || { echo "decode.bench.sh: build $bin first (make bench)" >&2; exit 1; }
mix=$(mktemp)
trap 'rm -f "$mix"' EXIT
cat "$D/vendors.log" "$D/rfc5424.log" >"$mix"
echo "machine: $(nproc) CPU(s), $(lscpu | sed -n 's/^Model name: *//p')"
echo "input: vendors.log + rfc5424.log ($(wc -l <"$mix") lines, $(wc -c <"$mix") bytes)"
"$bin" "$mix" "${1:-3}" --tz Asia/Shanghai
