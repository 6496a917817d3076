#!/bin/sh
# Notification latency of `faultline run` and whether the ticket store ever
# stalls ingest (method and figures: docs/bench-latency.md).
#   1. CUTS (default 200) independent fibre cuts of the sample network: from
#      the first LOS line sent to the first SMS request at a loopback
#      sendsms receiver, with the test plan's 2 s hold and without it; the
#      plan's own wait and the engine's part reported apart.
#   2. STORM_LINES (default 200,000) alarm lines at STORM_RATE (default
#      20,000/s) into `run --db` delivering its outbox: nothing lost, the
#      store queue never full.
set -eu
: "${FAULTLINE:?FAULTLINE must name the faultline binary}" "${FL_BUILD:?}"
: "${FL_SHARED:=/work/shared}"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=${FL_PYTHON:-/usr/bin/python3}
CUTS=${CUTS:-200}
T=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
status=0

echo "notification latency, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load$(uptime | sed 's/.*load average//')"
echo "-- $CUTS cuts, rules/test-product.plan (fibre_cut: within 60s, hold 2s)"
"$PY" "$HERE/latency.py" "$FAULTLINE" "$ROOT/rules/test-product.plan" "$FL_SHARED/data" \
	"$FL_BUILD/plugins" 2000 "$CUTS" || status=1
echo "-- $CUTS cuts, the same plan without its hold: the incident opens on the second LOS"
grep -q '^    hold 2s;$' "$ROOT/rules/test-product.plan" || { echo "the plan's hold moved"; exit 1; }
sed '/^    hold 2s;$/d' "$ROOT/rules/test-product.plan" >"$T/nohold.plan"
"$PY" "$HERE/latency.py" "$FAULTLINE" "$T/nohold.plan" "$FL_SHARED/data" \
	"$FL_BUILD/plugins" 0 "$CUTS" || status=1
echo "-- storm into run --db"
"$PY" "$HERE/latency_storm.py" "$FAULTLINE" "$ROOT/rules/test-product.plan" "$FL_SHARED/data" \
	"$FL_BUILD/plugins" "${STORM_LINES:-200000}" "${STORM_RATE:-20000}" || status=1
exit $status
