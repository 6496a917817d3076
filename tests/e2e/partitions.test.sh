#!/bin/sh
# Two partitioned engines on one PostgreSQL behind one real rsyslog relay.
# riverport (tests/networks/riverport) has two cities, Riverport and
# Ferrybridge, each with its city ring, and the backbone ring BB-R01 between
# them; with no partitions.csv each city is a partition. BB-R01-S02 joins
# RV-JK-OTN01 (Riverport, its a end) to FB-QT-OTN01 (Ferrybridge): Riverport
# owns it. `faultline rsyslog-config` writes the relay's routing; rsyslogd
# checks it (-N1) and runs it, sending each device's lines over omrelp to
# its engine and FB-QT-OTN01's to both.
#  - The backbone cut, its alarms written by devices of both cities, is ONE
#    ticket, Riverport's, located by both ends; Ferrybridge sees its own end
#    and writes nothing; the pages are sent once.
#  - A cut of FB-CR01-S02, inside Ferrybridge, is a ticket by Ferrybridge
#    only.
#  - A Ferrybridge line sent straight to the Riverport engine (past the relay)
#    is counted and dropped there.
# Printed: how long a far end's line takes from the relay to the owner's
# engine, and the backbone cut from the relay to its ticket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
NET="$ROOT/tests/networks/riverport"
PG=$(mktemp -d /tmp/fl-pg-XXXXXX)
RS_PID=""
stop_all() {
	[ -n "$RS_PID" ] && kill "$RS_PID" 2>/dev/null
	cleanup
	sh "$ROOT/tests/pg/pg_stop.sh" "$PG"
}
trap stop_all EXIT
trap 'exit 130' INT TERM
URL=$(sh "$ROOT/tests/pg/pg_start.sh" "$PG") || fail "no PostgreSQL to test against"

free_udp_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# engine NAME PARTITION: run --partition, RELP and UDP on port 0; its
# output in T/NAME.*
engine() {
	spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$NET" \
		--partition "$2" --relp 127.0.0.1:0 --udp 127.0.0.1:0 --db "$URL" \
		--no-journal --control "$T/$1.ctl" --plugin-dir "$PLUGINS" --route sms=file --set sms.path="$T/$1.sent" \
		--route email=file --set email.path="$T/$1.sent" >"$T/$1.jsonl" 2>"$T/$1.err"
}

# The partition names are checked before anything listens.
if "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$NET" --partition Rivreport \
	--udp 127.0.0.1:0 --no-journal >/dev/null 2>"$T/unknown.err"; then
	fail "run started with an unknown partition"
fi
grep -q "unknown partition 'Rivreport'; the data has: Riverport, Ferrybridge" "$T/unknown.err" ||
	fail "unknown partition: $(cat "$T/unknown.err")"

# A map with mistakes: each at its file:line:col, all in one run.
mkdir "$T/bad"
cp "$NET"/*.csv "$T/bad/"
printf 'partition,kind,target\nwest,city,Riverport\neast,city,Ferrybrige\n' >"$T/bad/partitions.csv"
if "$FAULTLINE" inventory --data "$T/bad" >/dev/null 2>"$T/bad.err"; then
	fail "inventory took a map with mistakes"
fi
for want in "partitions.csv:3:11: error: no city 'Ferrybrige' in sites.csv" \
	"sites.csv:10:1: error: site 'FB-QT' is in no partition" \
	"partitions.csv:3:1: error: partition 'east' has no site"; do
	grep -qF "$want" "$T/bad.err" || fail "inventory did not say '$want': $(cat "$T/bad.err")"
done

# a pair's lead is one lock for the whole store: not with partitions
if "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$NET" --partition Riverport \
	--pair a --db "$URL" --udp 127.0.0.1:0 --no-journal >/dev/null 2>"$T/pair.err"; then
	fail "run took --pair with --partition"
fi
grep -q -- '--pair and --partition do not go together' "$T/pair.err" ||
	fail "--pair with --partition: $(cat "$T/pair.err")"

# the config file's key is the option
printf '[plan]\nfile = %s\ndata = %s\npartition = Ferrybrige\n[inputs]\nudp = 127.0.0.1:0\n' \
	"$ROOT/rules/test-product.plan" "$NET" >"$T/part.conf"
if "$FAULTLINE" run -C "$T/part.conf" --no-journal >/dev/null 2>"$T/unknown.err"; then
	fail "run started with an unknown partition from its config file"
fi
grep -q "unknown partition 'Ferrybrige'" "$T/unknown.err" ||
	fail "unknown partition in the config: $(cat "$T/unknown.err")"

engine rv Riverport
RV_PID=$LAST_PID
engine fb Ferrybridge
FB_PID=$LAST_PID
wait_for 60 listening_count rv 2 || fail "rv announced no inputs: $(cat "$T/rv.err")"
wait_for 60 listening_count fb 2 || fail "fb announced no inputs: $(cat "$T/fb.err")"

"$FAULTLINE" rsyslog-config --data "$NET" --engine "Riverport=127.0.0.1:$(port_of rv relp)" \
	--engine "Ferrybridge=127.0.0.1:$(port_of fb relp)" -o "$T/faultline-relay.conf" ||
	fail "rsyslog-config failed"
RSP=$(free_udp_port)
mkdir "$T/rs"
cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imudp")
module(load="impstats" interval="1" format="json" log.syslog="off" log.file="$T/rs/stats")
input(type="imudp" address="127.0.0.1" port="$RSP" ruleset="faultline")
include(file="$T/faultline-relay.conf")
CONF
rsyslogd -N1 -f "$T/rs/rsyslog.conf" >"$T/rs/check.out" 2>&1 ||
	fail "rsyslogd -N1 refuses the generated config: $(cat "$T/rs/check.out")"
# the relay reads the devices' times in UTC, as they are written below
TZ=UTC rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslog.pid" 2>"$T/rs/rsyslog.err" &
RS_PID=$!
wait_for 30 grep -q '"name": *"faultline_1_Ferrybridge"' "$T/rs/stats" ||
	fail "rsyslog did not start: $(cat "$T/rs/rsyslog.err")"

# send PORT HOST TAG MESSAGE...: RFC 3164 lines as the devices write them,
# stamped now (UTC), one datagram each
send() {
	python3 - "$@" <<'PY'
import socket, sys, time
port, host, tag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for msg in sys.argv[4:]:
    now = time.strftime("%b %e %H:%M:%S", time.gmtime())
    s.sendto(("<130>%s %s %s: %s" % (now, host, tag, msg)).encode(), ("127.0.0.1", port))
PY
}
tickets_json() { "$FAULTLINE" tickets --db "$URL" --all --json list 2>/dev/null; }
# span_tickets SPAN: tickets located on SPAN
span_tickets() { tickets_json | grep -o "\"location\":{[^}]*\"span\":\"$1\"" | grep -c . || true; }
has_tickets() { [ "$(span_tickets "$1")" = "$2" ]; }

# How long a far end's observation takes to reach the owner: a PM report
# of FB-QT-OTN01 (no fault) into the relay, until Riverport's engine has
# taken it (its message count, polled over the control socket); five times.
python3 - "$RSP" "$FAULTLINE" "$T/rv.ctl" >"$T/forward.ms" <<'PY' || fail "far-end lines did not reach the owner"
import json, socket, subprocess, sys, time
port, faultline, ctl = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def taken():
    out = subprocess.run([faultline, "stats", "--control", ctl], capture_output=True, check=True)
    return json.loads(out.stdout)["stats"]["engine"]["messages"]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
took = []
for i in range(5):
    before = taken()
    now = time.strftime("%b %e %H:%M:%S", time.gmtime())
    line = "<134>%s FB-QT-OTN01 OSN: PM 15MIN port=1-11-1 IN_PWR=-11.8dBm OUT_PWR=2.6dBm B1_BBE=0 ES=0 SES=0 UAS=0 LOS_SEC=0 R_LOS_CNT=0" % now
    t0 = time.monotonic()
    s.sendto(line.encode(), ("127.0.0.1", port))
    while taken() == before:
        if time.monotonic() - t0 > 60:
            sys.exit("line %d not taken in 60 s" % i)
        time.sleep(0.005)
    took.append((time.monotonic() - t0) * 1000)
print("%.0f %.0f" % (sorted(took)[2], max(took)))
PY
read -r fwd_median_ms fwd_max_ms <"$T/forward.ms"

# The backbone cut: both ends lose signal, as the two cities' devices say.
sent_ns=$(date +%s%N)
send "$RSP" RV-JK-OTN01 OSN "R_LOS raised port=1-12-1 board=TN12LSX level=critical seq=4244"
send "$RSP" FB-QT-OTN01 OSN "R_LOS raised port=1-11-1 board=TN12LSX level=critical seq=5950"
send "$RSP" RV-JK-OTN01 OSN "OTU_LOF raised port=1-12-1 board=TN12LSX level=critical seq=4245"
send "$RSP" FB-QT-OTN01 OSN "OTU_LOF raised port=1-11-1 board=TN12LSX level=critical seq=5952"
wait_for 90 has_tickets BB-R01-S02 1 ||
	fail "no backbone ticket: $(tickets_json | cut -c1-400); $(tail -n 3 "$T/rv.err")"
took_ms=$((($(date +%s%N) - sent_ns) / 1000000))

# A cut inside Ferrybridge.
send "$RSP" FB-HA-SDH01 ZXMP "alarm R_LOS raised level=critical port 1-8-1 rack=1"
send "$RSP" FB-HP-SDH01 ZXMP "alarm R_LOS raised level=critical port 1-7-1 rack=1"
wait_for 90 has_tickets FB-CR01-S02 1 ||
	fail "no Ferrybridge ticket: $(tickets_json | cut -c1-400); $(tail -n 3 "$T/fb.err")"
# Past the relay: a Ferrybridge device's line straight into the Riverport engine.
send "$(port_of rv udp)" FB-HP-SDH01 ZXMP "alarm R_LOS raised level=critical port 1-8-1 rack=1"

# Who opened what: each engine's action stream.
opened() { grep '"action":"open"' "$T/$1.jsonl" | grep -c "\"$2\"" || true; }
paged() { grep -q '"action":"notify"' "$T/rv.jsonl" && [ -s "$T/rv.sent" ]; }
wait_for 90 paged || fail "the backbone cut paged nobody: $(tail -n 3 "$T/rv.err")"
sleep 3 # a second ticket, were one coming, would be opened by now (holds are 2 s)
[ "$(opened rv BB-R01-S02)" -ge 1 ] || fail "Riverport did not open the backbone cut"
[ "$(opened fb BB-R01-S02)" = 0 ] || fail "Ferrybridge opened the backbone cut too"
[ "$(opened fb FB-CR01-S02)" -ge 1 ] || fail "Ferrybridge did not open its ring's cut"
[ "$(opened rv FB-CR01-S02)" = 0 ] || fail "Riverport opened Ferrybridge's cut"
has_tickets BB-R01-S02 1 || fail "$(span_tickets BB-R01-S02) backbone tickets"
has_tickets FB-CR01-S02 1 || fail "$(span_tickets FB-CR01-S02) Ferrybridge tickets"
grep '"action":"open"' "$T/rv.jsonl" | grep '"BB-R01-S02"' | grep -q 'both ends' ||
	fail "the owner did not see both ends: $(grep '"action":"open"' "$T/rv.jsonl" | cut -c1-600)"

for e in rv fb; do
	eval "pid=\$$(echo "$e" | tr a-z A-Z)_PID"
	kill -TERM "$pid"
	wait_for 30 not_running "$pid" || fail "$e did not stop"
done
grep 'partition Riverport:' "$T/rv.err" | grep -q ' [1-9][0-9]* of the far ends of its backbone spans' ||
	fail "Riverport took no far-end line: $(grep partition "$T/rv.err")"
grep 'partition Riverport:' "$T/rv.err" | grep -q ' 1 of other partitions dropped' ||
	fail "Riverport did not drop the stray line: $(grep partition "$T/rv.err")"
# its own end of the backbone (5 PM reports, 2 alarms) and its ring's cut
# (2), nothing else
grep 'partition Ferrybridge:' "$T/fb.err" | grep -q ': 9 events of its devices, 0 of the far ends' ||
	fail "Ferrybridge took other lines: $(grep partition "$T/fb.err")"
cat "$T"/rv.sent "$T"/fb.sent >"$T/all.sent" 2>/dev/null || true
python3 - "$T/all.sent" <<'PY' || fail "a page was sent twice"
import collections, json, sys
keys = [json.loads(l)["key"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
twice = [k for k, n in collections.Counter(keys).items() if n > 1]
assert keys and not twice, "sent more than once: %s" % twice[:3]
PY
echo "ok: partitions: a far end's line reached the owner in ${fwd_median_ms} ms (median of 5, max ${fwd_max_ms} ms); the backbone cut one ticket by its owner, seen ${took_ms} ms after the relay got it (the plan holds a cut 2 s; tickets polled with the CLI); the Ferrybridge cut Ferrybridge's only"
