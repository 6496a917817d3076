#!/bin/sh
# SNMP traps from net-snmp: the shared sample traps (v1, v2c, an inform that
# must get its Response, one with a wrong community that must be dropped)
# decode to what traps/expected.jsonl says; IPv6 works; a datagram that is
# no trap is dropped, counted, and logged once per source per minute.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

export MIBS="" SNMP_PERSISTENT_DIR="$T/snmp"
mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes"
IF=1.3.6.1.2.1.2.2.1

start_listen trap --trap 127.0.0.1:0
start_listen trap6 --trap '[::1]:0'
P=$(port_of trap trap)
P6=$(port_of trap6 trap)

TRAPS="${FL_SHARED:-/work/shared}/data/traps"
# The sample script's inform waits 1 s for its Response without a retry: on
# a loaded machine that can pass before the Response comes, so its verdict
# is not read here; the listener's informs_answered counts the Response, and
# the inform below, with a generous timeout, proves snmpinform accepts it.
GAP=0.05 sh "$TRAPS/send-traps.sh" "127.0.0.1:$P" 2>"$T/send.err"
snmptrap -v 2c -c public "udp6:[::1]:$P6" 361234 1.3.6.1.6.3.1.1.5.4 $IF.1.7 i 7
snmpinform -v 2c -c public -t 5 -r 2 "udp6:[::1]:$P6" 500 1.3.6.1.6.3.1.1.5.1 \
	1.3.6.1.4.1.32473.1.1.2 s "HC-FS-RT01" 2>"$T/inform.err" ||
	fail "snmpinform did not accept the Response: $(cat "$T/inform.err")"
wait_for 20 has_lines trap '"transport":"snmp"' 8 || fail "sample traps: $(wc -l <"$T/trap.jsonl") of 8 events"
wait_for 20 has_lines trap6 '"transport":"snmp"' 2 || fail "IPv6 trap and inform did not arrive"
python3 - "$TRAPS/expected.jsonl" "$T/trap.jsonl" <<'PY' || fail "decoded traps differ from expected.jsonl"
import json, sys
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
want = [w for w in want if w["community"] == "public"]  # 08 must be dropped
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(got) == len(want), "%d events for %d traps" % (len(got), len(want))
for w, g in zip(want, got):
    assert g["transport"] == "snmp" and g["peer"]["addr"] == "127.0.0.1", g
    for k, v in w.items():
        if k in ("name", "note"):
            continue
        assert g.get(k) == v, "%s: %s is %r, expected %r" % (w["name"], k, g.get(k), v)
PY

# Three empty datagrams from the same address as the wrong community: the
# source was logged already this minute, so they are only counted.
python3 - "$P" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"", ("127.0.0.1", int(sys.argv[1])))
PY
undecodable_counted() {
	kill -USR1 "$PID_trap"
	sleep 0.2
	grep -q '"undecodable":3' "$T/trap.err"
}
wait_for 10 undecodable_counted || fail "undecodable datagrams not counted"

stop_listen trap
stop_listen trap6
[ "$(grep -c 'trap: dropped' "$T/trap.err")" -eq 1 ] ||
	fail "the drop log is not rate-limited: $(grep 'trap: dropped' "$T/trap.err")"
grep -q 'community not allowed' "$T/trap.err" || fail "wrong community not logged"
expect_stat trap trap received 8
expect_stat trap trap decoded 8
expect_stat trap trap bad_community 1
expect_stat trap trap informs_answered 1
expect_stat trap trap undecodable 3
expect_stat trap trap log_suppressed 3
[ "$(stat trap6 trap received)" -ge 2 ] || fail "trap6: $(stat trap6 trap received) received"
[ "$(stat trap6 trap informs_answered)" -ge 1 ] || fail "trap6: the inform was not answered"
grep -q '"peer":{"addr":"::1"' "$T/trap6.jsonl" || fail "IPv6 trap peer"
echo "trap: sample traps decoded as expected, inform answered, bad community and junk counted"
