#!/bin/sh
# UDP ingest on loopback: faultline listen --udp with its JSON counted by wc,
# fed by bench_udp_send. Prints, per run: sent, received, counted losses
# (kernel drops + queue full) and whether every datagram is accounted for.
#   RATE (default 300000 msg/s) for SECONDS (default 10), then an overload
#   run with no rate limit for 3 s.
set -eu
: "${FAULTLINE:?}" "${FL_BUILD:?}"
RATE=${RATE:-300000}
SECONDS_RUN=${SECONDS_RUN:-10}
SIZE=${SIZE:-120}
SEND="$FL_BUILD/bench/bench_udp_send"
T=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench.XXXXXX")
FL=""
trap '[ -n "$FL" ] && kill "$FL" 2>/dev/null; rm -rf "$T"' EXIT

stat() {
	python3 -c '
import json, sys
l = [x for x in open(sys.argv[1]) if x.startswith("{\"stats\":")][-1]
s = json.loads(l)["stats"]
print(s["udp"][sys.argv[2]] if sys.argv[2] != "written" else s["output"]["written"])
' "$T/err" "$1"
}

run() {
	rate=$1 secs=$2
	rm -f "$T/out" "$T/err" "$T/count"
	mkfifo "$T/out"
	wc -l <"$T/out" >"$T/count" &
	WC=$!
	"$FAULTLINE" listen --udp 127.0.0.1:0 >"$T/out" 2>"$T/err" &
	FL=$!
	i=0
	while ! grep -q '^listening udp' "$T/err" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "faultline did not start"; exit 1; }; sleep 0.1
	done
	port=$(sed -n 's/^listening udp .*:\([0-9]*\)$/\1/p' "$T/err")
	sent_line=$("$SEND" "127.0.0.1:$port" "$rate" "$secs" "$SIZE")
	sent=$(echo "$sent_line" | awk '{print $2}')
	# Let the queue drain: stop once the received count stops moving.
	last=-1
	while :; do
		kill -USR1 "$FL"; sleep 0.5
		now=$(stat received 2>/dev/null || echo 0)
		[ "$now" = "$last" ] && break
		last=$now
	done
	kill -TERM "$FL"; wait "$FL" || true; FL=""
	wait "$WC" || true
	received=$(stat received) kdrops=$(stat kernel_drops) qfull=$(stat queue_full)
	lines=$(cat "$T/count")
	lost=$((sent - received))
	counted=$((kdrops + qfull))
	echo "rate=${rate:-max} size=$SIZE: $sent_line"
	echo "  received $received, JSON lines $lines, lost $lost (counted: kernel_drops $kdrops + queue_full $qfull = $counted)"
	[ "$lost" -eq "$counted" ] && echo "  every datagram accounted for" || echo "  MISMATCH: $((lost - counted)) lost uncounted"
}

echo "udp ingest, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load$(uptime | sed "s/.*load average//")"
run "$RATE" "$SECONDS_RUN"
run 0 3
