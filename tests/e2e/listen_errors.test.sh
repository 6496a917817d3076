#!/bin/sh
# Plain errors: a port in use, bad addresses, bad options, each one line and
# a non-zero exit; and allowlists dropping (and counting) other sources.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

# expect_error STATUS TEXT ARGS...: listen ARGS exits with STATUS and says TEXT.
expect_error() {
	want=$1
	text=$2
	shift 2
	rc=0
	timeout 10 "$FAULTLINE" listen "$@" >"$T/e.out" 2>"$T/e.err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "listen $*: exit $rc, expected $want: $(cat "$T/e.err")"
	grep -q -F -- "$text" "$T/e.err" || fail "listen $*: no '$text' in: $(cat "$T/e.err")"
	[ ! -s "$T/e.out" ] || fail "listen $*: wrote to stdout"
}

start_listen busy --udp 127.0.0.1:0 --tcp 127.0.0.1:0 --relp 127.0.0.1:0
UP=$(port_of busy udp)
TP=$(port_of busy tcp)
RP=$(port_of busy relp)
expect_error 1 "udp 127.0.0.1:$UP: cannot listen: Address already in use" --udp "127.0.0.1:$UP"
expect_error 1 "tcp 127.0.0.1:$TP: cannot listen: Address already in use" --tcp "127.0.0.1:$TP"
expect_error 1 "relp 127.0.0.1:$RP: cannot listen: Address already in use" --relp "127.0.0.1:$RP"
stop_listen busy

expect_error 1 "udp address '300.1.1.1:514': not an IPv4 address" --udp 300.1.1.1:514
expect_error 1 "tcp address 'localhost:514': not an IPv4 address" --tcp localhost:514
expect_error 1 "trap address '::1:162': expected ADDR:PORT" --trap ::1:162
expect_error 1 "relp address '[::1]': an IPv6 address is written [ADDR]:PORT" --relp '[::1]'
expect_error 1 "the port is not a number 0..65535" --udp 127.0.0.1:70000
expect_error 1 "cannot listen: Cannot assign requested address" --udp 192.0.2.1:0
expect_error 2 "no input given" --allow 10.0.0.0/8
expect_error 2 "unknown option '--bogus'" --udp 127.0.0.1:0 --bogus 1
expect_error 2 "--allow web=10.0.0.0/8: no input named 'web'" --udp 127.0.0.1:0 --allow web=10.0.0.0/8
expect_error 2 "--allow udp=10.0.0.0/33: not a network" --udp 127.0.0.1:0 --allow udp=10.0.0.0/33
expect_error 2 "--max-msg-size 0: not a size" --tcp 127.0.0.1:0 --max-msg-size 0
expect_error 2 "--tz Mars/Olympus: " --udp 127.0.0.1:0 --tz Mars/Olympus
[ "$(wc -l <"$T/e.err")" -eq 1 ] || fail "an error takes more than one line: $(cat "$T/e.err")"

# Allowlists: UDP and TCP admit only 10.0.0.0/8 -> loopback senders dropped;
# the IPv6 UDP listener admits ::1 only -> received.
start_listen deny --udp 127.0.0.1:0 --tcp 127.0.0.1:0 --allow udp=10.0.0.0/8 --allow tcp=10.0.0.0/8
start_listen admit6 --udp '[::1]:0' --allow 2001:db8::/32 --allow ::1
DU=$(port_of deny udp)
DT=$(port_of deny tcp)
A6=$(port_of admit6 udp)
i=1
while [ $i -le 5 ]; do
	logger -d -n 127.0.0.1 -P "$DU" -- "denied id=dn-$i"
	logger -T -n 127.0.0.1 -P "$DT" -- "denied tcp id=dt-$i" 2>/dev/null || true
	logger -d -n ::1 -P "$A6" -- "admitted id=ad-$i"
	i=$((i + 1))
done
wait_for 20 has_lines admit6 'id=ad-' 5 || fail "the allowed IPv6 source was dropped"
kill -USR1 "$PID_deny"
wait_for 10 grep -q '"dropped_allowlist":5' "$T/deny.err" || fail "drops not counted by SIGUSR1 time"
stop_listen deny
stop_listen admit6
[ ! -s "$T/deny.jsonl" ] || fail "a denied source got through: $(head -n 2 "$T/deny.jsonl")"
expect_stat deny udp dropped_allowlist 5
expect_stat deny udp received 0
expect_stat deny tcp dropped_allowlist 5
expect_stat deny tcp connections 0
expect_stat admit6 udp received 5
expect_stat admit6 udp dropped_allowlist 0
echo "errors: busy ports, bad addresses and options, allowlists"
