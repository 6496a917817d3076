#!/bin/sh
# faultline run under a Type=notify service manager, played by a python3 unix
# datagram socket at $NOTIFY_SOCKET: READY=1 once the inputs listen,
# STOPPING=1 on SIGTERM, and WATCHDOG=1 over and over when WATCHDOG_USEC is
# set (at half of it), none when it is not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data
PY="${FL_PYTHON:-/usr/bin/python3}"

# manager NAME: a socket at $T/NAME.sock writing each datagram as a line of $T/NAME.got
manager() {
	spawn "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    out.write("bound\n"); out.flush()
    while True:
        out.write(s.recv(4096).decode() + "\n"); out.flush()
' "$T/$1.sock" "$T/$1.got"
	wait_for 10 grep -q bound "$T/$1.got" || fail "$1: the manager's socket did not come up"
}
said() { grep -c "^$2\$" "$T/$1.got" || true; }
said_at_least() { [ "$(said "$1" "$2")" -ge "$3" ]; }

# run NAME [WATCHDOG_USEC]: faultline run told about the manager NAME; stopped
# with SIGTERM once it is ready (and, with a watchdog, has pinged thrice).
run() {
	manager "$1"
	if [ -n "${2:-}" ]; then
		env NOTIFY_SOCKET="$T/$1.sock" WATCHDOG_USEC="$2" "$FAULTLINE" run --no-config \
			-c "$ROOT/rules/faultline.plan" --data "$DATA" --udp 127.0.0.1:0 \
			>"$T/$1.jsonl" 2>"$T/$1.err" &
	else
		env NOTIFY_SOCKET="$T/$1.sock" "$FAULTLINE" run --no-config \
			-c "$ROOT/rules/faultline.plan" --data "$DATA" --udp 127.0.0.1:0 \
			>"$T/$1.jsonl" 2>"$T/$1.err" &
	fi
	pid=$!
	FL_PIDS="$FL_PIDS $pid"
	wait_for 30 said_at_least "$1" READY=1 1 || fail "$1: no READY=1: $(cat "$T/$1.err")"
	grep -q '^listening udp ' "$T/$1.err" || fail "$1: READY=1 before the input listened"
	[ "$(said "$1" STOPPING=1)" = 0 ] || fail "$1: STOPPING=1 while running"
	if [ -n "${2:-}" ]; then
		wait_for 30 said_at_least "$1" WATCHDOG=1 3 || fail "$1: fewer than 3 WATCHDOG=1"
	else
		sleep 1
	fi
	kill -TERM "$pid"
	wait_for 20 not_running "$pid" || fail "$1: faultline run did not stop on SIGTERM"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "$1: exit $rc: $(tail -n 3 "$T/$1.err")"
	wait_for 10 said_at_least "$1" STOPPING=1 1 || fail "$1: no STOPPING=1 on SIGTERM"
	# the order the manager saw: bound, READY=1, (WATCHDOG=1 ...), STOPPING=1
	sed -n 2p "$T/$1.got" | grep -q '^READY=1$' || fail "$1: READY=1 not first: $(cat "$T/$1.got")"
	tail -n 1 "$T/$1.got" | grep -q '^STOPPING=1$' || fail "$1: STOPPING=1 not last: $(cat "$T/$1.got")"
}

run plain
[ "$(said plain WATCHDOG=1)" = 0 ] || fail "WATCHDOG=1 without WATCHDOG_USEC"
[ "$(said plain READY=1)" = 1 ] || fail "READY=1 more than once"

run watched 400000 # 0.4 s: a ping every 0.2 s
echo "ok: READY=1, STOPPING=1; $(said watched WATCHDOG=1) WATCHDOG=1 with WATCHDOG_USEC"
