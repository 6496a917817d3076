#!/bin/sh
# TCP syslog: logger with LF and octet-counting framing, rsyslog omfwd with
# octet counting, many concurrent connections, an over-long frame in each
# framing, a half frame at disconnect, a bad octet count, a stalled client
# that must not hold up the others, and the connection cap.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

start_listen tcp --tcp 127.0.0.1:0 --max-msg-size 1024
P=$(port_of tcp tcp)

# A stalled client: opens a connection, sends half a frame and waits.
python3 - "$P" "$T/stalled.ready" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"60 <13>stalled frame id=st-1")
open(sys.argv[2], "w").close()
time.sleep(60)
PY
STALL_PID=$!
FL_PIDS="$FL_PIDS $STALL_PID"
wait_for 10 test -e "$T/stalled.ready" || fail "stalled client did not connect"

i=1
while [ $i -le 20 ]; do
	logger -T -n 127.0.0.1 -P "$P" -t e2e -- "lf id=lf-$i"
	logger -T --octet-count -n 127.0.0.1 -P "$P" -t e2e -- "octet id=oc-$i"
	i=$((i + 1))
done
wait_for 20 has_lines tcp 'id=lf-' 20 || fail "LF framing: $(lines_matching tcp 'id=lf-') of 20"
wait_for 20 has_lines tcp 'id=oc-' 20 || fail "octet counting: $(lines_matching tcp 'id=oc-') of 20"
each_id_once tcp lf- 20 || fail "LF ids"
each_id_once tcp oc- 20 || fail "octet ids"

# rsyslog reading a file and forwarding with omfwd, octet-counted framing.
mkdir "$T/rs"
cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imfile")
input(type="imfile" File="$T/rs/in.log" Tag="e2e:" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="$P" protocol="tcp"
         TCP_Framing="octet-counted" action.resumeRetryCount="-1")
}
CONF
: >"$T/rs/in.log"
spawn rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslog.pid" 2>"$T/rs/rsyslog.err"
i=1
while [ $i -le 30 ]; do echo "rsyslog line id=rs-$i" >>"$T/rs/in.log"; i=$((i + 1)); done
wait_for 30 has_lines tcp 'id=rs-' 30 || fail "omfwd: $(lines_matching tcp 'id=rs-') of 30"
each_id_once tcp rs- 30 || fail "omfwd ids"

# 25 concurrent connections, frames interleaved across them.
python3 - "$P" <<'PY' || fail "concurrent clients"
import socket, sys
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(25)]
for k in range(8):
    for c, s in enumerate(conns):
        msg = b"<13>conc id=cc-%d" % (c * 8 + k + 1)
        s.sendall(b"%d %s" % (len(msg), msg))
for s in conns:
    s.close()
PY
wait_for 20 has_lines tcp 'id=cc-' 200 || fail "concurrent: $(lines_matching tcp 'id=cc-') of 200"
each_id_once tcp cc- 200 || fail "concurrent ids"

# Over-long frames (cap 1024) are dropped, the connection carries on.
python3 - "$P" <<'PY' || fail "over-long client"
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
big = b"<13>too long " + b"y" * 3000
after = b"<13>after long id=al-1"
s.sendall(b"%d %s%d %s" % (len(big), big, len(after), after))
s.close()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"<13>" + b"z" * 3000 + b"\n<13>after long line id=al-2\n")
s.close()
PY
wait_for 20 has_lines tcp 'id=al-' 2 || fail "frames after an over-long one were lost"

# A half frame at disconnect, and a bad octet count.
python3 - "$P" <<'PY' || fail "hostile clients"
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"100 <13>half a frame")
s.close()
s = socket.create_connection(("127.0.0.1", port))
ok = b"<13>ok id=bf-1"
s.sendall(b"%d %sx5 <13>nope" % (len(ok), ok))
s.close()
PY
wait_for 20 has_lines tcp 'id=bf-1' 1 || fail "frame before a bad octet count lost"
wait_for 20 grep -q 'left a half frame (20 bytes) at disconnect' "$T/tcp.err" ||
	fail "half frame not logged: $(cat "$T/tcp.err")"
grep -q 'closing 127.0.0.1:[0-9]*: octet count not digits then space' "$T/tcp.err" ||
	fail "bad framing not logged"

# The stalled client held up nobody; now let it go.
kill "$STALL_PID"
wait_for 10 grep -q 'left a half frame (28 bytes)' "$T/tcp.err" || fail "stalled half frame"
[ "$(lines_matching tcp 'id=st-1')" = 0 ] || fail "a half frame was emitted as an event"

stop_listen tcp
expect_stat tcp tcp too_long 2
expect_stat tcp tcp half_frames 2
expect_stat tcp tcp bad_framing 1
expect_stat tcp tcp received $((20 + 20 + 30 + 200 + 2 + 1))
expect_stat tcp tcp refused 0
python3 - "$T/tcp.jsonl" <<'PY' || fail "TCP events not decoded"
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    ev = json.loads(line)
    assert ev["transport"] == "tcp" and ev["peer"]["addr"] == "127.0.0.1", ev
    if "id=lf-" in ev["msg"] or "id=oc-" in ev["msg"] or "id=rs-" in ev["msg"]:
        assert ev["app_name"] == "e2e" and "error" not in ev, ev
PY

# The connection cap: the third connection is refused and counted.
start_listen cap --tcp 127.0.0.1:0 --max-conns 2
PC=$(port_of cap tcp)
python3 - "$PC" <<'PY' || fail "cap clients"
import socket, sys, time
port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port))
b = socket.create_connection(("127.0.0.1", port))
time.sleep(0.3)  # let the server register both before the third arrives
c = socket.create_connection(("127.0.0.1", port))
c.settimeout(5)
assert c.recv(10) == b"", "the third connection was not closed"
a.sendall(b"<13>kept id=cap-1\n")
a.close(); b.close()
PY
wait_for 10 has_lines cap 'id=cap-1' 1 || fail "an accepted connection lost its frame"
stop_listen cap
expect_stat cap tcp refused 1
expect_stat cap tcp connections 2
# Out of descriptors (ulimit -n 32): extra connections are refused and
# counted, the loop does not spin, and service resumes once peers leave.
FAULTLINE_REAL=$FAULTLINE
FAULTLINE=$T/faultline-32fds
printf '#!/bin/sh\nulimit -n 32\nexec "%s" "$@"\n' "$FAULTLINE_REAL" >"$FAULTLINE"
chmod +x "$FAULTLINE"
start_listen fds --tcp 127.0.0.1:0
FAULTLINE=$FAULTLINE_REAL
PF=$(port_of fds tcp)
python3 - "$PF" <<'PY' || fail "fd limit clients"
import socket, sys, time
port = int(sys.argv[1])
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
time.sleep(0.5)
for i, s in enumerate(conns):
    try:
        s.sendall(b"<13>fd id=fd-%d\n" % (i + 1))
    except OSError:
        pass
time.sleep(0.5)
for s in conns:
    s.close()
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"<13>after the crowd id=fdafter-1\n")
s.close()
PY
wait_for 10 has_lines fds 'id=fdafter-1' 1 || fail "no service after running out of descriptors"
stop_listen fds
[ "$(stat fds tcp refused)" -gt 0 ] || fail "no connection refused at the descriptor limit"
[ "$(stat fds tcp connections)" -gt 0 ] || fail "no connection accepted under the descriptor limit"
echo "tcp: both framings, omfwd, 25 concurrent clients, caps and hostile peers"
