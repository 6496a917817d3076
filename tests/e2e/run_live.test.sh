# faultline run: the bundled plan live on UDP, TCP and trap inputs, fed by
# logger and snmptrap. A MAC flap storm over two transports is one incident
# with the full tally; a linkDown trap from a sender the inventory does not
# know (127.0.0.1) is its own incident, titled so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data
MSG='%SW_MATM-4-MACFLAP_NOTIF: Host 0050.56a3.153b in vlan 120 is flapping between port Te1/1/1 and port Gi1/0/11'

spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" \
	--udp 127.0.0.1:0 --tcp 127.0.0.1:0 --trap 127.0.0.1:0 >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 3 || fail "inputs not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
tcp=$(port_of run tcp)
trap_port=$(port_of run trap)

for i in 1 2 3; do
	logger -n 127.0.0.1 -P "$udp" -d --rfc3164 -t SW "$MSG"
done
logger -n 127.0.0.1 -P "$tcp" -T --octet-count --rfc3164 -t SW "$MSG"
snmptrap -v 2c -c public "127.0.0.1:$trap_port" '' 1.3.6.1.6.3.1.1.5.3 >/dev/null 2>&1 ||
	fail "snmptrap failed"

opened() { # RULE: an open action of RULE is on stdout
	grep -q "\"action\":\"open\",\"incident\":[0-9]*,\"rule\":\"$1\"" "$T/run.jsonl"
}
wait_for 20 opened mac_flap || fail "no mac_flap incident: $(head -c 2000 "$T/run.jsonl")"
wait_for 20 opened trap_link_down_unknown_device || fail "no linkDown incident: $(head -c 2000 "$T/run.jsonl")"

stop_clean "$RUN_PID" "$T/run.err" "faultline run"

python3 - "$T/run.jsonl" <<'PY' || fail "outcome"
import json, sys
acts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
opens = [a for a in acts if a["action"] == "open"]
flap = [a for a in opens if a["rule"] == "mac_flap"]
assert len(flap) == 1, "one MAC flap incident, got %d" % len(flap)
last = [a for a in acts if a["incident"] == flap[0]["incident"]][-1]
assert last["count"] == 4, "all four lines tallied, got %d" % last["count"]
assert "vlan 120" in flap[0]["title"], flap[0]["title"]
downs = [a for a in opens if a["rule"] == "trap_link_down_unknown_device"]
assert len(downs) == 1, "one linkDown incident"
assert downs[0]["title"] == "linkDown from 127.0.0.1: a device not in the inventory", downs[0]["title"]
assert any(a["action"] == "notify" and a["incident"] == flap[0]["incident"] for a in acts), "told"
PY
grep -q '^run: 5 messages, 0 undecoded, 5 matched' "$T/run.err" || fail "summary: $(tail -n 1 "$T/run.err")"
echo "ok"
