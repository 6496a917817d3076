#!/bin/sh
# RELP from rsyslog omrelp, across a restart of faultline: rsyslog keeps what
# was not acknowledged and resends it, so every message id arrives, in one
# run or the other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

start_listen first --relp 127.0.0.1:0
RP=$(port_of first relp)

mkdir "$T/rs"
cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imfile")
module(load="omrelp")
input(type="imfile" File="$T/rs/in.log" Tag="e2e:" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="$RP"
         queue.type="LinkedList" queue.size="10000"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
CONF
: >"$T/rs/in.log"
spawn rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslog.pid" 2>"$T/rs/rsyslog.err"

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
