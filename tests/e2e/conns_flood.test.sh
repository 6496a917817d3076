#!/bin/sh
# faultline run under a descriptor limit of 256, flooded with 1,100 silent TCP
# connections from eleven addresses and a client that announces a 1 GiB frame
# and stalls: --max-conns is lowered to what the limit leaves (said at start),
# a fibre cut sent with `logger --tcp` meanwhile is still taken (silent
# sockets make room), becomes a ticket and is delivered by a plugin worker
# (which finds a descriptor). Beside it, `faultline listen` times out a client
# that announces a 1 GiB frame and stalls.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
OUT="$T/notifications.jsonl"
IDLE_MS=15000

# logger_tcp_as HOST PORT MESSAGE: as logger_as, over TCP (a connection each).
logger_tcp_as() {
	unshare -r -u sh -c 'hostname "$1" && logger -T -n 127.0.0.1 -P "$2" --rfc3164 \
		-p local0.crit -t OSN -- "$3"' sh "$1" "$2" "$3" || fail "logger --tcp as $1 failed"
}

spawn sh -c 'ulimit -n 256 && exec "$@"' sh "$FAULTLINE" run \
	-c "$ROOT/rules/test-product.plan" --data "$DATA" --tcp 127.0.0.1:0 \
	--idle-timeout-ms "$IDLE_MS" --db "$DB" --plugin-dir "$PLUGINS" \
	--route sms=file --set sms.path="$OUT" --route email=file --set email.path="$OUT" \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 1 || fail "input not announced: $(cat "$T/run.err")"
tcp=$(port_of run tcp)
grep -q '^faultline run: --max-conns 1024 lowered to 168: the descriptor limit (ulimit -n) is 256, and 88 are kept for the store, its WAL, plugin workers' "$T/run.err" ||
	fail "no word on the descriptor budget: $(cat "$T/run.err")"

# 1,100 connections, 100 from each of 127.0.0.2 .. 127.0.0.12, held silent.
python3 - "$tcp" "$T/flood.ready" <<'PY' &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < 1300:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
held = []
for src in range(2, 13):
    for _ in range(100):
        s = socket.socket()
        s.bind(("127.0.0.%d" % src, 0))
        s.connect(("127.0.0.1", int(sys.argv[1])))
        held.append(s)
open(sys.argv[2], "w").write("%d\n" % len(held))
time.sleep(120)
PY
FL_PIDS="$FL_PIDS $!"
# Beside it: a client announces a 1 GiB frame, sends 20 bytes of it and stalls.
start_listen stall --tcp 127.0.0.1:0 --idle-timeout-ms 3000
python3 - "$(port_of stall tcp)" "$T/stalled.closed" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"1073741824 <13>stalled frame")
t0 = time.monotonic()
s.settimeout(60)
try:
    s.recv(1)
except OSError:
    pass
open(sys.argv[2], "w").write("%.1f\n" % (time.monotonic() - t0))
PY
FL_PIDS="$FL_PIDS $!"
wait_for 30 test -s "$T/flood.ready" || fail "the flood did not connect"
[ "$(cat "$T/flood.ready")" = 1100 ] || fail "flood: $(cat "$T/flood.ready") connections"
sleep 1.5 # the flood's sockets are now silent for longer than a second

# The fibre cut, over TCP, in the middle of the flood.
logger_tcp_as HC-YZ-LX-OSN01 "$tcp" "R_LOS raised port=1-8-1 board=N1SL16 level=critical"
logger_tcp_as HC-YZ-SC-OSN01 "$tcp" "R_LOS raised port=1-7-1 board=N1SL16 level=critical"
for a in R_LOF B2_EXC OTU_LOF; do
	logger_tcp_as HC-YZ-LX-OSN01 "$tcp" "$a raised port=1-8-1 board=N1SL16 level=major"
	logger_tcp_as HC-YZ-SC-OSN01 "$tcp" "$a raised port=1-7-1 board=N1SL16 level=major"
done

# Before any idle timeout could have freed a slot: the ticket and its pages.
one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 10 one_ticket || fail "no ticket during the flood: $(tail -n 5 "$T/run.err")"
ID=$(sqlite3 "$DB" 'SELECT id FROM tickets')
[ "$(sqlite3 "$DB" 'SELECT span FROM tickets')" = HC-YZ-R01-S02 ] ||
	fail "ticket not on the cut span: $(sqlite3 "$DB" 'SELECT * FROM tickets')"
delivered() { [ -s "$OUT" ] && grep -q "$ID" "$OUT"; }
wait_for 10 delivered || fail "no plugin delivery during the flood: $(tail -n 5 "$T/run.err")"

# The stalled frame is cut off at the idle timeout, not held for good.
wait_for 20 test -s "$T/stalled.closed" || fail "the stalled client kept its slot"
python3 -c 'import sys; t = float(open(sys.argv[1]).read()); sys.exit(not 2.5 <= t <= 10)' \
	"$T/stalled.closed" || fail "stalled client closed after $(cat "$T/stalled.closed") s"
stop_listen stall
expect_stat stall tcp stalled_closed 1
expect_stat stall tcp half_frames 0

stop_clean "$RUN_PID" "$T/run.err" "faultline run"
! grep -q 'Too many open files' "$T/run.err" || fail "out of descriptors: $(grep -m3 'Too many' "$T/run.err")"
line=$(grep '^run: tcp: connections:' "$T/run.err") || fail "no connection counters at exit"
python3 - "$line" <<'PY' || fail "counters: $line"
import re, sys
n = [int(x) for x in re.findall(r"(\d+)", sys.argv[1])]
refused, per_source, evicted, idle, stalled = n
assert evicted >= 1, "no silent socket made room for a sender"
assert refused + per_source > 0, "the flood was refused nowhere"
PY
grep -q '^run: tcp: 8 received' "$T/run.err" || fail "$(grep '^run: tcp:' "$T/run.err")"
echo "ok: 1,100 silent connections at ulimit -n 256; ticket $ID delivered; $line"
