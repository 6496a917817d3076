#!/bin/sh
# A writer that cannot keep up must not cost TCP messages: while stdout is
# not read, the queue fills, faultline stops reading the connection, the
# sender blocks in TCP flow control; once stdout is read again everything
# arrives, nothing is counted as queue_full.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

N=250000
mkfifo "$T/out.fifo"
# The reader opens the fifo at once but copies only after $T/go appears.
python3 - "$T/out.fifo" "$T/go" "$T/bp.jsonl" <<'PY' &
import os, shutil, sys, time
src = open(sys.argv[1], "rb", buffering=0)  # raw reads return what is there
while not os.path.exists(sys.argv[2]):
    time.sleep(0.1)
with open(sys.argv[3], "wb", buffering=0) as dst:  # unbuffered: lines show at once
    shutil.copyfileobj(src, dst)
PY
FL_PIDS="$FL_PIDS $!"
spawn "$FAULTLINE" listen --tcp 127.0.0.1:0 >"$T/out.fifo" 2>"$T/bp.err"
PID_bp=$LAST_PID
wait_for 20 listening_count bp 1 || fail "faultline did not start"
P=$(port_of bp tcp)

python3 - "$P" "$N" "$T/blocked" "$T/sent" <<'PY' &
import socket, sys, threading, time
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
pad = b"q" * 150
sent = [0]

def watch():
    # No progress for 3 s: faultline stopped reading, flow control holds us.
    last, since = -1, time.monotonic()
    while sent[0] < n:
        if sent[0] != last:
            last, since = sent[0], time.monotonic()
        elif time.monotonic() - since > 3:
            open(sys.argv[3], "w").close()
            return
        time.sleep(0.1)

threading.Thread(target=watch, daemon=True).start()
for i in range(1, n + 1, 1000):
    s.sendall(b"".join(b"<13>bp id=bp-%d %s\n" % (k, pad) for k in range(i, min(i + 1000, n + 1))))
    sent[0] = min(i + 999, n)
s.close()
open(sys.argv[4], "w").close()
PY
SENDER=$!
FL_PIDS="$FL_PIDS $SENDER"
wait_for 120 test -e "$T/blocked" || fail "the sender never blocked: was the queue read?"
touch "$T/go"
wait_for 120 test -e "$T/sent" || fail "the sender did not finish after the writer resumed"
wait_for 120 has_lines bp 'id=bp-' "$N" || fail "$(lines_matching bp 'id=bp-') of $N arrived"
stop_listen bp
python3 - "$T/bp.jsonl" "$N" <<'PY' || fail "ids lost under backpressure"
import re, sys
ids = set()
for line in open(sys.argv[1], encoding="utf-8"):
    ids |= {int(m) for m in re.findall(r"id=bp-(\d+)\b", line)}
missing = set(range(1, int(sys.argv[2]) + 1)) - ids
assert not missing, "missing %d ids, e.g. %s" % (len(missing), sorted(missing)[:5])
PY
expect_stat bp tcp queue_full 0
[ "$(stat bp tcp paused)" -gt 0 ] || fail "the connection was never paused"
echo "tcp backpressure: $N messages through a stalled writer, none dropped"
