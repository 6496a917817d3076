#!/bin/sh
# RELP ingest: rsyslog (imfile -> omrelp) forwards N lines to faultline
# listen --relp; the rate is N over the time between the first and the last
# event's "received" stamp. N defaults to 200000. With JOURNAL=1 the lines go
# to `faultline run --journal` instead, where each is written to the journal
# before it is acknowledged, and the stamps are read from the journal.
set -eu
: "${FAULTLINE:?}"
N=${N:-200000}
T=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench.XXXXXX")
FL="" RS=""
trap 'for p in $FL $RS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1, int(sys.argv[2]) + 1):
        f.write("bench relp line seq=%d %s\n" % (i, "p" * 60))
' "$T/in.log" "$N"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${JOURNAL:-0}" = 1 ]; then
	"$FAULTLINE" run --no-config -c "$ROOT/tests/soak/soak.plan" --relp 127.0.0.1:0 \
		--journal "$T/journal" >/dev/null 2>"$T/err" &
else
	"$FAULTLINE" listen --relp 127.0.0.1:0 >"$T/out.jsonl" 2>"$T/err" &
fi
FL=$!
i=0
while ! grep -q '^listening relp' "$T/err" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "faultline did not start"; exit 1; }; sleep 0.1
done
port=$(sed -n 's/^listening relp .*:\([0-9]*\)$/\1/p' "$T/err")
mkdir "$T/rs"
cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imfile")
module(load="omrelp")
input(type="imfile" File="$T/in.log" Tag="bench" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="$port" windowSize="1024"
         queue.type="LinkedList" queue.size="500000")
}
CONF
rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/pid" 2>"$T/rs/err" &
RS=$!
arrived() {
	if [ "${JOURNAL:-0}" = 1 ]; then
		cat "$T/journal.0" "$T/journal.1" 2>/dev/null >"$T/out.jsonl" || true
	fi
	wc -l <"$T/out.jsonl"
}
i=0
while [ "$(arrived)" -lt "$N" ]; do
	i=$((i + 1)); [ $i -gt 1200 ] && { echo "only $(arrived) of $N arrived"; exit 1; }
	sleep 0.1
done
python3 -c '
import datetime, json, sys
first = last = None
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        t = json.loads(line)["received"]
        first = first or t
        last = t
p = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
secs = (p(last) - p(first)).total_seconds()
n = int(sys.argv[2])
print("relp ingest from rsyslog omrelp (windowSize 1024)%s: %d msgs in %.2f s = %.0f msg/s"
      % (sys.argv[3], n, secs, n / secs))
' "$T/out.jsonl" "$N" "$([ "${JOURNAL:-0}" = 1 ] && echo ', journalled before the ack')"
