#!/bin/sh
# RELP from rsyslog omrelp, across a restart of faultline: rsyslog keeps what
# was not acknowledged and resends it, so every message id arrives, in one
# run or the other. Then the RELP allowlist and frame cap, and a listener on
# [::] taking IPv4 and IPv6 senders.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

# relay DIR <<ACTIONS: an rsyslogd that forwards each line appended to
# DIR/in.log with the omrelp actions read from standard input.
relay() {
	actions=$(cat)
	mkdir "$1"
	cat >"$1/rsyslog.conf" <<CONF
global(workDirectory="$1")
module(load="imfile")
module(load="omrelp")
input(type="imfile" File="$1/in.log" Tag="e2e:" ruleset="fwd")
ruleset(name="fwd") {
$actions
}
CONF
	: >"$1/in.log"
	spawn rsyslogd -n -f "$1/rsyslog.conf" -i "$1/rsyslog.pid" 2>"$1/rsyslog.err"
}

start_listen first --relp 127.0.0.1:0
RP=$(port_of first relp)

relay "$T/rs" <<ACT
  action(type="omrelp" target="127.0.0.1" port="$RP"
         queue.type="LinkedList" queue.size="10000"
         action.resumeRetryCount="-1" action.resumeInterval="1")
ACT

# append FROM TO: one line per id.
append() {
	i=$1
	while [ "$i" -le "$2" ]; do echo "relp line id=rl-$i" >>"$T/rs/in.log"; i=$((i + 1)); done
}

append 1 100
wait_for 30 has_lines first 'id=rl-' 100 || fail "first run: $(lines_matching first 'id=rl-') of 100"
stop_listen first

# While faultline is down rsyslog must queue, then resend to the new run.
append 101 200
start_listen second --relp "127.0.0.1:$RP"
append 201 300
cat "$T/first.jsonl" "$T/second.jsonl" >"$T/both.jsonl"
all_ids_arrived() {
	cat "$T/first.jsonl" "$T/second.jsonl" >"$T/both.jsonl"
	python3 -c '
import re, sys
ids = set()
for line in open(sys.argv[1], encoding="utf-8"):
    ids |= {int(m) for m in re.findall(r"id=rl-(\d+)\b", line)}
sys.exit(0 if ids == set(range(1, 301)) else 1)
' "$T/both.jsonl"
}
wait_for 90 all_ids_arrived || fail "ids lost across the restart: $(lines_matching second 'id=rl-') in the second run"
stop_listen second

python3 - "$T/both.jsonl" <<'PY' || fail "RELP event fields"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
for ev in evs:
    assert ev["transport"] == "relp", ev
    assert ev["peer"]["addr"] == "127.0.0.1" and ev["peer"]["port"] is None, ev
    assert ev["app_name"] == "e2e" and ev["msg"].startswith("relp line id=rl-"), ev
    assert "error" not in ev, ev
print("relp: 300 ids across a restart, %d events (%d resent twice)" % (len(evs), len(evs) - 300))
PY
expect_stat first relp queue_full 0
expect_stat second relp queue_full 0

# A second rsyslog to two more listeners: one admits only 10.0.0.0/8 (so
# loopback is dropped and counted), one caps frames at 200 bytes.
start_listen denied --relp 127.0.0.1:0 --allow relp=10.0.0.0/8
start_listen small --relp 127.0.0.1:0 --max-msg-size 200
relay "$T/rs2" <<ACT
  action(type="omrelp" target="127.0.0.1" port="$(port_of denied relp)")
  action(type="omrelp" target="127.0.0.1" port="$(port_of small relp)")
ACT
for i in 1 2 3; do echo "short id=sh-$i" >>"$T/rs2/in.log"; done
echo "long id=lg-1 $(printf '%0400d' 0)" >>"$T/rs2/in.log"
echo "short id=sh-4" >>"$T/rs2/in.log"
wait_for 30 has_lines small 'id=sh-' 4 || fail "capped listener: $(lines_matching small 'id=sh-') of 4"
denied_counted() {
	kill -USR1 "$PID_denied"
	sleep 0.2
	grep -q '"dropped_allowlist":5' "$T/denied.err"
}
wait_for 30 denied_counted || fail "RELP allowlist drops not counted: $(tail -n 1 "$T/denied.err")"
stop_listen denied
stop_listen small
[ ! -s "$T/denied.jsonl" ] || fail "a RELP source outside the allowlist got through"
[ "$(lines_matching small 'id=lg-1')" = 0 ] || fail "an over-long RELP frame got through"
expect_stat small relp too_long 1
expect_stat small relp received 4
echo "relp: allowlist drops and the frame cap counted"

# On [::] RELP takes both families, as the other inputs do there: a third
# rsyslog sends each line over IPv4 and over IPv6 to one listener, with a
# cap of one session per source (one from 127.0.0.1, one from ::1: both kept).
start_listen dual --relp '[::]:0' --max-conns-per-source 1
grep -q '^listening relp \[::\]:[0-9]*$' "$T/dual.err" || fail "dual: $(grep listening "$T/dual.err")"
DP=$(port_of dual relp)
relay "$T/rs3" <<ACT
  action(type="omrelp" target="127.0.0.1" port="$DP")
  action(type="omrelp" target="::1" port="$DP")
ACT
for i in 1 2 3; do echo "dual id=du-$i" >>"$T/rs3/in.log"; done
wait_for 30 has_lines dual 'id=du-' 6 || fail "dual: $(lines_matching dual 'id=du-') of 6: $(cat "$T/rs3/rsyslog.err")"
stop_listen dual
python3 - "$T/dual.jsonl" <<'PY' || fail "dual-stack RELP peers: $(cat "$T/dual.jsonl")"
import collections, json, sys
got = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    ev = json.loads(line)
    assert ev["transport"] == "relp", ev
    got[(ev["peer"]["addr"], ev["msg"])] += 1
want = {(a, "dual id=du-%d" % i) for a in ("127.0.0.1", "::1") for i in (1, 2, 3)}
assert set(got) == want, sorted(got)
PY
expect_stat dual relp received 6
echo "relp: [::] takes IPv4 and IPv6 senders"
