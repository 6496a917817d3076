#!/bin/sh
# faultline run and its signals: SIGUSR1 prints a JSON stats line (its
# inputs shaped as `faultline listen` prints them) and the run goes on;
# SIGHUP reloads the plan (without --db or a journal nothing is carried, and
# it says so) and the run goes on; the run still takes lines after both, and
# SIGTERM ends it with status 0 and its summary.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data
MSG='%SW_MATM-4-MACFLAP_NOTIF: Host 0050.56a3.153b in vlan 120 is flapping between port Te1/1/1 and port Gi1/0/11'

spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" --udp 127.0.0.1:0 \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 1 || fail "input not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)

stats_lines() { grep -c '^{"stats":' "$T/run.err" || true; }
has_stats_lines() { [ "$(stats_lines)" -ge "$1" ]; }

logger -n 127.0.0.1 -P "$udp" -d --rfc3164 -t SW "$MSG"
python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"<999>not syslog", ("127.0.0.1", int(sys.argv[1])))
' "$udp"
# taken SECONDS N: asked with SIGUSR1 until then, a stats line says N lines
# were received over UDP. Counted before the signal, so a line printed at
# once is not missed; its own loop, as wait_for may not nest.
taken() {
	end=$(($(date +%s) + $1))
	while :; do
		n=$(stats_lines)
		kill -USR1 "$RUN_PID"
		wait_for 10 has_stats_lines $((n + 1)) || return 1
		[ "$(stat run udp received)" = "$2" ] && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
taken 20 2 || fail "SIGUSR1: no stats line with 2 received: $(tail -n 3 "$T/run.err")"
kill -0 "$RUN_PID" 2>/dev/null || fail "faultline run died of SIGUSR1"
python3 - "$T/run.err" <<'PY' || fail "the stats line: $(grep '^{"stats":' "$T/run.err" | tail -n 1)"
import json, sys
line = [l for l in open(sys.argv[1], encoding="utf-8") if l.startswith('{"stats":')][-1]
s = json.loads(line)["stats"]
udp = s["udp"]
for k in ("received", "dropped_allowlist", "queue_full", "kernel_drops", "decoded", "errors"):
    assert k in udp, "udp has no %s: %s" % (k, udp)
assert udp["decoded"] == 1 and udp["errors"] == {"BAD_PRI": 1}, udp
assert s["engine"]["messages"] == 2 and s["engine"]["undecoded"] == 1, s["engine"]
assert s["engine"]["matched"] >= 1, s["engine"]
assert "store" not in s, "no --db, no store"
PY

kill -HUP "$RUN_PID"
reload_said() { grep -q 'reload: plan .* swapped in between two events.*no store and no journal: none of them is carried' "$T/run.err"; }
wait_for 10 reload_said || fail "SIGHUP: nothing said: $(tail -n 3 "$T/run.err")"
kill -0 "$RUN_PID" 2>/dev/null || fail "faultline run died of SIGHUP"

# still running: a third line is taken and counted
logger -n 127.0.0.1 -P "$udp" -d --rfc3164 -t SW "$MSG"
taken 20 3 || fail "no line taken after SIGHUP: $(tail -n 3 "$T/run.err")"

stop_clean "$RUN_PID" "$T/run.err" "faultline run"
grep -q '^run: 3 messages, 1 undecoded, ' "$T/run.err" || fail "summary: $(grep '^run: ' "$T/run.err")"
grep -q '^run: reloads: 1 ok, 0 failed$' "$T/run.err" || fail "no reloads line: $(grep '^run: ' "$T/run.err")"
echo "ok: run answers SIGUSR1 with $(stats_lines) stats lines and SIGHUP with a reload, and runs on"
