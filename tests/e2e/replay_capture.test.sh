# A storm caught by `faultline listen` (syslog from logger, traps from
# net-snmp's snmptrap, on loopback) replays from the capture to the
# incidents the storm must give: the syslog link-down, the v2c linkDown
# trap (cleared by its linkUp) and the v1 linkDown trap, nothing lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
command -v snmptrap >/dev/null || fail "snmptrap (package snmp) not installed"
command -v logger >/dev/null || fail "logger (package bsdutils) not installed"

cat >"$T/storm.plan" <<'PLAN'
plan capture;
timezone "UTC";
roles duty_room;
level general { respond 30m; ladder log; }
ladder log { step after 0s notify duty_room at own via sms; }
rule port_down {
    match syslog;
    where msg ~ /LINK_DOWN port (?<port>\S+)/;
    clear where msg ~ /LINK_UP port (?<port>\S+)/;
    key host, port;
    raise level general title "port down ${host} ${port}";
}
rule trap_link_down {
    match trap;
    where trap_oid == 1.3.6.1.6.3.1.1.5.3;
    clear where trap_oid == 1.3.6.1.6.3.1.1.5.4;
    key peer;
    raise level general title "linkDown ${peer}";
}
rule trap_link_down_v1 {
    match trap;
    where generic_trap == 2;
    key peer;
    raise level general title "linkDown v1 ${peer}";
}
PLAN
"$FAULTLINE" check "$T/storm.plan" >/dev/null 2>"$T/check.err" || fail "plan: $(cat "$T/check.err")"

start_listen cap --udp 127.0.0.1:0 --trap 127.0.0.1:0 --tz UTC
UDP=$(port_of cap udp)
TRAP=$(port_of cap trap)
snmp() { MIBS="" SNMP_PERSISTENT_DIR="$T/snmp" "$@" 2>>"$T/snmp.err"; }

TZ=UTC logger --rfc3164 -n 127.0.0.1 -P "$UDP" -d -t ne40 -p local7.err "LINK_DOWN port GE0/0/1" ||
	fail "logger failed"
snmp snmptrap -v 2c -c public "127.0.0.1:$TRAP" 100 1.3.6.1.6.3.1.1.5.3 \
	1.3.6.1.2.1.2.2.1.1.3 i 3 1.3.6.1.2.1.2.2.1.2.3 s "GigabitEthernet0/0/3" || fail "snmptrap v2c"
snmp snmptrap -v 1 -c public "127.0.0.1:$TRAP" 1.3.6.1.4.1.32473 127.0.0.1 2 0 100 \
	1.3.6.1.2.1.2.2.1.1.4 i 4 || fail "snmptrap v1"
sleep 0.3
snmp snmptrap -v 2c -c public "127.0.0.1:$TRAP" 200 1.3.6.1.6.3.1.1.5.4 \
	1.3.6.1.2.1.2.2.1.1.3 i 3 || fail "snmptrap linkUp"
TZ=UTC logger --rfc3164 -n 127.0.0.1 -P "$UDP" -d -t ne40 -p local7.err "LINK_DOWN port GE0/0/2" ||
	fail "logger failed"
four() { [ "$(wc -l <"$T/cap.jsonl")" -ge 5 ]; }
wait_for 20 four || fail "listen wrote $(wc -l <"$T/cap.jsonl") of 5 events"
stop_listen cap

"$FAULTLINE" replay -c "$T/storm.plan" --tz UTC "$T/cap.jsonl" >"$T/acts.jsonl" 2>"$T/replay.err" ||
	fail "replay exited $?: $(cat "$T/replay.err")"
grep -q '^replay: 5 events read, 0 undecoded' "$T/replay.err" || fail "summary: $(cat "$T/replay.err")"
grep -q '^replay: 5 listen records, 0 skipped' "$T/replay.err" || fail "records: $(cat "$T/replay.err")"

python3 - "$T/acts.jsonl" <<'PY' || fail "the capture replays to other incidents"
import json, sys
acts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
opens = sorted(a["title"] for a in acts if a["action"] == "open")
host = [t for t in opens if t.startswith("port down ")]
want = ["linkDown 127.0.0.1", "linkDown v1 127.0.0.1"]
assert [t for t in opens if t.startswith("linkDown")] == want, opens
assert len(host) == 2 and host[0].endswith(" GE0/0/1") and host[1].endswith(" GE0/0/2"), opens
clears = [a["rule"] for a in acts if a["action"] == "clear"]
assert clears == ["trap_link_down"], clears
PY

# The same capture read twice is the same bytes out (nothing reads the clock).
"$FAULTLINE" replay -c "$T/storm.plan" --tz UTC "$T/cap.jsonl" >"$T/acts2.jsonl" 2>/dev/null
cmp -s "$T/acts.jsonl" "$T/acts2.jsonl" || fail "two replays of one capture differ"

# A record that is cut or mangled is skipped with its line named, not fed.
head -c 60 "$T/cap.jsonl" >"$T/bad.jsonl"
echo >>"$T/bad.jsonl"
"$FAULTLINE" replay -c "$T/storm.plan" "$T/bad.jsonl" >/dev/null 2>"$T/bad.err" || true
grep -q 'bad.jsonl:1: skipped' "$T/bad.err" || fail "mangled record: $(cat "$T/bad.err")"
echo "ok"
