#!/bin/sh
# SNMP traps from net-snmp: v1 and v2c traps over IPv4 and IPv6 arrive as
# events; a datagram that is no trap is dropped, counted, and logged once
# per source per minute.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

export MIBS="" SNMP_PERSISTENT_DIR="$T/snmp"
mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes"
IF=1.3.6.1.2.1.2.2.1
EX=1.3.6.1.4.1.32473

start_listen trap --trap 127.0.0.1:0
start_listen trap6 --trap '[::1]:0'
P=$(port_of trap trap)
P6=$(port_of trap6 trap)

snmptrap -v 1 -c public "127.0.0.1:$P" $EX.3.1 10.22.2.11 2 0 123456 \
	$IF.1.7 i 7 $IF.2.7 s "GigabitEthernet0/2/1"
snmptrap -v 2c -c public "127.0.0.1:$P" 360000 1.3.6.1.6.3.1.1.5.3 \
	$IF.1.7 i 7 $IF.7.7 i 1 $IF.8.7 i 2
snmptrap -v 2c -c public "udp6:[::1]:$P6" 361234 1.3.6.1.6.3.1.1.5.4 $IF.1.7 i 7
wait_for 20 has_lines trap '"transport":"snmp"' 2 || fail "v1/v2c traps: $(wc -l <"$T/trap.jsonl") events"
wait_for 20 has_lines trap6 '"transport":"snmp"' 1 || fail "IPv6 trap did not arrive"

# Three empty datagrams from one source: one log line, two suppressed.
python3 - "$P" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"", ("127.0.0.1", int(sys.argv[1])))
PY
wait_for 10 grep -q 'trap: dropped' "$T/trap.err" || fail "undecodable datagram not logged"

stop_listen trap
stop_listen trap6
[ "$(grep -c 'trap: dropped' "$T/trap.err")" -eq 1 ] || fail "the drop log is not rate-limited"
expect_stat trap trap received 2
expect_stat trap trap undecodable 3
expect_stat trap trap log_suppressed 2
expect_stat trap6 trap received 1
grep -q '"peer":{"addr":"::1"' "$T/trap6.jsonl" || fail "IPv6 trap peer"
echo "trap: v1 and v2c over IPv4 and IPv6, undecodable datagrams counted"
