# Devices found by the address they send from, over IPv6 and IPv4: net-snmp's
# snmptrap sends a linkDown, and logger a syslog line that names no host
# (--rfc5424=nohost, as a device with no hostname configured sends), to
# `faultline listen` on [::1] and on 127.0.0.1. The captures replay to
# incidents that name the devices whose mgmt_ip is that sender, found
# however devices.csv spells the address (0:0:0:0:0:0:0:1 is ::1); the
# nameless line's host is its sender's address, as rsyslog names it. Two
# traps a forwarder at 127.0.0.1 passes on name the device they are about
# (a v1 agent-addr, a v2c snmpTrapAddress.0): that device, not the sender.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
command -v snmptrap >/dev/null || fail "snmptrap (package snmp) not installed"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

cp -r "$ROOT/tests/networks/riverport" "$T/net"
# RV-NOC-RT01 managed at ::1 (written long and in capitals), RV-NOC-OTN01 at 127.0.0.1
python3 - "$T/net/devices.csv" <<'PY' || fail "could not edit devices.csv"
import sys
p = sys.argv[1]
rows = open(p, encoding="utf-8", newline="").read().split("\r\n")
rows = [r.replace(",10.70.0.11,", ",0:0:0:0:0:0:0:1,").replace(",10.70.0.7,", ",127.0.0.1,") for r in rows]
open(p, "w", encoding="utf-8", newline="").write("\r\n".join(rows))
PY
grep -q '^RV-NOC-RT01,0:0:0:0:0:0:0:1,' "$T/net/devices.csv" || fail "devices.csv not edited"

cat >"$T/v6.plan" <<'PLAN'
plan v6;
timezone "UTC";
roles duty_room;
level general { respond 30m; ladder log; }
ladder log { step after 0s notify duty_room at own via sms; }
data sites       "net/sites.csv";
data devices     "net/devices.csv";
data rings       "net/rings.csv";
data spans       "net/spans.csv";
data chains      "net/chains.csv";
data circuits    "net/circuits.csv";
data contacts    "net/contacts.csv";
data maintenance "net/maintenance.csv";
rule trap_link_down {
    match trap;
    lookup mgmt_ip peer;
    where trap_oid == 1.3.6.1.6.3.1.1.5.3;
    key peer;
    raise level general title "linkDown ${device} at ${site} from ${peer}";
}
rule trap_link_down_v1 {
    match trap;
    lookup mgmt_ip peer;
    where generic_trap == 2;
    key peer;
    raise level general title "v1 linkDown ${device} at ${site} from ${peer}";
}
rule port_down {
    match syslog;
    lookup device host;
    where device exists;
    where msg ~ /LINK_DOWN port (?<port>\S+)/;
    key host, port;
    raise level general title "port down ${device} ${port} from ${host}";
}
PLAN
"$FAULTLINE" check "$T/v6.plan" >/dev/null 2>"$T/check.err" || fail "plan: $(cat "$T/check.err")"

start_listen cap --trap '[::1]:0' --udp '[::1]:0' --tz UTC
start_listen cap4 --trap 127.0.0.1:0 --udp 127.0.0.1:0 --tz UTC
P6=$(port_of cap trap)
P4=$(port_of cap4 trap)
U6=$(port_of cap udp)
U4=$(port_of cap4 udp)
snmp() { MIBS="" SNMP_PERSISTENT_DIR="$T/snmp" "$@" 2>>"$T/snmp.err"; }
snmp snmptrap -v 2c -c public "udp6:[::1]:$P6" 100 1.3.6.1.6.3.1.1.5.3 \
	1.3.6.1.2.1.2.2.1.1.3 i 3 || fail "snmptrap over IPv6: $(cat "$T/snmp.err")"
snmp snmptrap -v 2c -c public "127.0.0.1:$P4" 100 1.3.6.1.6.3.1.1.5.3 \
	1.3.6.1.2.1.2.2.1.1.4 i 4 || fail "snmptrap over IPv4: $(cat "$T/snmp.err")"
# through a forwarder at 127.0.0.1: RV-SW-OSN01's v2c trap, RV-JK-OSN01's v1 trap
snmp snmptrap -v 2c -c public "127.0.0.1:$P4" 100 1.3.6.1.6.3.1.1.5.3 \
	1.3.6.1.2.1.2.2.1.1.5 i 5 1.3.6.1.6.3.18.1.3.0 a 10.71.2.2 || fail "forwarded v2c trap"
snmp snmptrap -v 1 -c public "127.0.0.1:$P4" 1.3.6.1.4.1.32473 10.71.1.2 2 0 100 \
	1.3.6.1.2.1.2.2.1.1.6 i 6 || fail "forwarded v1 trap"
logger --rfc5424=nohost -n ::1 -P "$U6" -d -t ne40 -p local7.err "LINK_DOWN port ge-0/0/1" ||
	fail "logger over IPv6"
logger --rfc5424=nohost -n 127.0.0.1 -P "$U4" -d -t ne40 -p local7.err "LINK_DOWN port ge-0/0/2" ||
	fail "logger over IPv4"
got6() { [ "$(wc -l <"$T/cap.jsonl")" -ge 2 ]; }
got4() { [ "$(wc -l <"$T/cap4.jsonl")" -ge 4 ]; }
wait_for 20 got6 || fail "the IPv6 trap and line were not captured: $(cat "$T/cap.jsonl")"
wait_for 20 got4 || fail "the IPv4 trap and line were not captured: $(cat "$T/cap4.jsonl")"
grep -q '"hostname":null' "$T/cap.jsonl" || fail "logger wrote a HOSTNAME: $(cat "$T/cap.jsonl")"
stop_listen cap
stop_listen cap4

"$FAULTLINE" replay -c "$T/v6.plan" --tz UTC "$T/cap.jsonl" "$T/cap4.jsonl" >"$T/acts.jsonl" \
	2>"$T/replay.err" || fail "replay exited $?: $(cat "$T/replay.err")"
python3 - "$T/acts.jsonl" <<'PY' || fail "the traps were not placed on their devices: $(cat "$T/acts.jsonl")"
import json, sys
acts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
opens = sorted(a["title"] for a in acts if a["action"] == "open")
assert opens == ["linkDown RV-NOC-OTN01 at RV-NOC from 127.0.0.1",
                 "linkDown RV-NOC-RT01 at RV-NOC from ::1",
                 "linkDown RV-SW-OSN01 at RV-SW from 127.0.0.1",
                 "port down RV-NOC-OTN01 ge-0/0/2 from 127.0.0.1",
                 "port down RV-NOC-RT01 ge-0/0/1 from ::1",
                 "v1 linkDown RV-JK-OSN01 at RV-JK from 127.0.0.1"], opens
PY
echo "ok"
