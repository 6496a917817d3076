#!/bin/sh
# RELP acknowledges only what is durable. Devices send a fibre cut to a real
# rsyslog relay (imudp), which forwards it to `faultline run` over RELP
# (omrelp). The run's consumer is held up first, deterministically: its
# stdout is a pipe the test has filled and never reads, and a mains failure
# (an incident at once, so an action to print) makes the main thread block
# writing it. From then on messages are taken and acknowledged by the RELP
# thread but not consumed. rsyslog forwards the cut, is told every message
# arrived (its impstats count them processed, and its graceful stop waits for
# the answer to its RELP close, which comes after every earlier answer), and
# is gone; the engine is then killed -9. Nothing can resend the cut: only
# what the journal kept before each acknowledgement can bring it back. The
# restarted run feeds the journal again and the cut becomes its ticket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"

free_udp_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cut_tickets() {
	sqlite3 "$DB" "SELECT count(*) FROM tickets WHERE span = 'HC-YZ-R01-S02'" 2>/dev/null
}

# A pipe nobody reads, filled to the brim: the run's first action blocks.
mkfifo "$T/actions"
exec 3<>"$T/actions"
python3 - "$T/actions" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
try:
    while True:
        os.write(fd, b"x" * 4096)
except BlockingIOError:
    pass
os.close(fd)
PY

spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--relp 127.0.0.1:0 --db "$DB" >"$T/actions" 2>"$T/a.err"
RUN_PID=$LAST_PID
wait_for 20 grep -q 'listening relp' "$T/a.err" || fail "run a: inputs not announced: $(cat "$T/a.err")"
udp=$(sed -n 's/^listening udp 127.0.0.1:\([0-9]*\)$/\1/p' "$T/a.err" | head -1)
relp=$(sed -n 's/^listening relp 127.0.0.1:\([0-9]*\)$/\1/p' "$T/a.err" | head -1)

logger_as GX-BS-OTN01 "$udp" "MAINS_FAIL raised port=1-27-1 board=PIU level=critical"
# the main thread (its task id is the pid) inside write(2) on descriptor 1
main_blocked() {
	read -r nr fd _ <"/proc/$RUN_PID/task/$RUN_PID/syscall" && [ "$nr" = 1 ] && [ "$fd" = 0x1 ]
}
wait_for 30 main_blocked || fail "run a's main thread never blocked on stdout: the test proves nothing"

RSP=$(free_udp_port)
mkdir "$T/rs"
cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imudp")
module(load="omrelp")
module(load="impstats" interval="1" format="json" log.syslog="off" log.file="$T/rs/stats")
input(type="imudp" address="127.0.0.1" port="$RSP" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omrelp" name="to_faultline" target="127.0.0.1" port="$relp"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
CONF
spawn rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslog.pid" 2>"$T/rs/rsyslog.err"
RS_PID=$LAST_PID
wait_for 20 grep -q '"name": *"to_faultline"' "$T/rs/stats" || fail "rsyslog did not start: $(cat "$T/rs/rsyslog.err")"
fibre_cut "$RSP" # 8 lines
forwarded() {
	tail -n 50 "$T/rs/stats" | grep '"name": *"to_faultline"' | tail -n 1 |
		grep -q '"processed": *8[,}]'
}
wait_for 60 forwarded || fail "rsyslog did not forward the cut: $(grep to_faultline "$T/rs/stats" | tail -n 1)"
kill -TERM "$RS_PID"
wait_for 30 not_running "$RS_PID" || fail "rsyslog did not stop: its acknowledgements never came"
grep -qi 'relp.*\(error\|broken\|suspended\)' "$T/rs/rsyslog.err" &&
	fail "rsyslog's RELP session failed, so its acknowledgements are in doubt: $(cat "$T/rs/rsyslog.err")"

main_blocked || fail "run a's main thread took the cut: the test proves nothing"
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
exec 3>&-
[ "$(cut_tickets)" = 0 ] || fail "a cut ticket before the restart: the test proves nothing"

spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--db "$DB" >"$T/b.jsonl" 2>"$T/b.err"
RUN_PID=$LAST_PID
wait_for 20 grep -q 'listening udp' "$T/b.err" || fail "run b: input not announced: $(cat "$T/b.err")"
fed=$(sed -n 's/^run: journal: \([0-9]*\) messages taken before this start fed again.*/\1/p' "$T/b.err")
[ "${fed:-0}" -ge 3 ] || fail "run b fed ${fed:-0} messages again, not the mains failure and both R_LOS"
one_cut() { [ "$(cut_tickets)" = 1 ]; }
wait_for 90 one_cut || fail "the acknowledged cut was lost by the kill: $(tail -n 5 "$T/b.err")"
stop_clean "$RUN_PID" "$T/b.err" "run b" 30
echo "ok: run journal relp: a cut rsyslog saw acknowledged, then a kill -9 before the engine consumed it: fed again ($fed messages), ticket $(sqlite3 "$DB" "SELECT id FROM tickets WHERE span = 'HC-YZ-R01-S02'")"
