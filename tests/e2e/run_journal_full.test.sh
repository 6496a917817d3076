#!/bin/sh
# The disk under the run's journal is full: RELP refuses what it cannot keep
# rather than acknowledge it. rsyslog (imfile -> omrelp) forwards lines while
# the journal's tmpfs is full: none is acknowledged or queued, every refusal
# is counted (the stats line and /metrics) and the failure is said once.
# Once there is room again rsyslog resends what it never saw acknowledged,
# and every line is in the journal. The journal lives on a small tmpfs of its
# own, mounted in a private mount namespace: that needs root, and the test
# says so and passes without it.
if [ "$(id -u)" != 0 ]; then
	echo "skip: mounting a small tmpfs for the journal needs root"
	exit 0
fi
if [ -z "${FL_JOURNAL_FULL_NS:-}" ]; then # a mount nobody else sees, gone with us
	FL_JOURNAL_FULL_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"

SMALL="$T/small"
mkdir "$SMALL"
mount -t tmpfs -o size=1m tmpfs "$SMALL" || fail "cannot mount a tmpfs"
unmount_then_cleanup() { # the run holds the journal open: stop it first
	for pid in $FL_PIDS; do kill -9 "$pid" 2>/dev/null || true; done
	for pid in $FL_PIDS; do wait_for 10 not_running "$pid" || true; done
	umount "$SMALL" 2>/dev/null || true
	cleanup
}
trap unmount_then_cleanup EXIT INT TERM
J="$SMALL/journal"

spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" --relp 127.0.0.1:0 \
	--db "$DB" --journal "$J" --metrics 127.0.0.1:0 >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 grep -q 'listening metrics' "$T/run.err" || fail "run: not started: $(cat "$T/run.err")"
relp=$(sed -n 's/^listening relp 127.0.0.1:\([0-9]*\)$/\1/p' "$T/run.err" | head -1)
mport=$(sed -n 's/^listening metrics 127.0.0.1:\([0-9]*\)$/\1/p' "$T/run.err" | head -1)
[ -e "$J.0" ] && [ -e "$J.1" ] || fail "the journal's segments were not created"
dd if=/dev/zero of="$SMALL/filler" bs=4096 2>/dev/null || true
avail=$(df --output=avail -B4096 "$SMALL" | tail -n 1)
[ "$avail" -le 1 ] || fail "the tmpfs did not fill: $avail blocks left"

mkdir "$T/rs"
cat >"$T/rs/rsyslog.conf" <<CONF
global(workDirectory="$T/rs")
module(load="imfile")
module(load="omrelp")
input(type="imfile" File="$T/rs/in.log" Tag="e2e:" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="$relp"
         queue.type="LinkedList" queue.size="10000"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
CONF
: >"$T/rs/in.log"
spawn rsyslogd -n -f "$T/rs/rsyslog.conf" -i "$T/rs/rsyslog.pid" 2>"$T/rs/rsyslog.err"
append() { # FROM TO: one line per id
	i=$1
	while [ "$i" -le "$2" ]; do echo "journal full line id=jf-$i" >>"$T/rs/in.log"; i=$((i + 1)); done
}
append 1 5

refused() {
	kill -USR1 "$RUN_PID"
	sleep 0.2
	tail -n 1 "$T/run.err" | python3 -c '
import json, sys
relp = json.loads(sys.stdin.readline())["stats"]["relp"]
sys.exit(0 if relp["refused_unkept"] >= 1 and relp["received"] == 0 else 1)' 2>/dev/null
}
# a deadline, not a count of tries: each try asks for a stats line and
# parses it, which takes long on a loaded machine
deadline=$(($(date +%s) + 60))
until refused; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "no refusal counted: $(tail -n 3 "$T/run.err")"
done
said=$(grep -c 'relp: a message from 127.0.0.1 cannot be kept' "$T/run.err" || true)
[ "$said" = 1 ] || fail "the refusal was said $said times: $(grep relp "$T/run.err")"
! grep -q 'faultline: relp: lstn' "$T/run.err" ||
	fail "librelp's errors of the refused sessions were printed: $(grep 'relp: lstn' "$T/run.err" | head -n 3)"
curl -s "http://127.0.0.1:$mport/metrics" | grep -q '^faultline_relp_refused_unkept_total{input="relp"} [1-9]' ||
	fail "/metrics has no refusal: $(curl -s "http://127.0.0.1:$mport/metrics" | grep relp)"
! grep -q 'id=jf-' "$J.0" "$J.1" || fail "a line written on a full disk"

rm "$SMALL/filler"
sleep 2
append 6 8 # rsyslog finds its session broken when it next sends
all_kept() {
	python3 -c '
import re, sys
ids = set()
for path in sys.argv[1:]:
    ids |= {int(m) for m in re.findall(r"id=jf-(\d+)\b", open(path, encoding="utf-8").read())}
sys.exit(0 if ids == set(range(1, 9)) else 1)' "$J.0" "$J.1"
}
wait_for 90 all_kept || fail "lines lost: $(cat "$J.0" "$J.1" | grep -o 'id=jf-[0-9]*' | tr '\n' ' ')"
stop_clean "$RUN_PID" "$T/run.err" "run" 30
grep -q '^run: relp: [1-9][0-9]* refused unkept' "$T/run.err" ||
	fail "the summary does not count the refusals: $(grep 'run: relp' "$T/run.err")"
echo "ok: run journal full: $(sed -n 's/^run: relp: \([0-9]*\) refused unkept.*/\1/p' "$T/run.err") RELP messages refused on a full disk, all 8 kept once there was room"
