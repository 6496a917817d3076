#!/bin/sh
# Reload under a steady stream: `faultline run` reloads its plan ten times
# (faultline reload, through --control) while a sender streams numbered lines
# over one TCP connection, with fibre cuts among them: one that stays open
# through every reload, one opened and cleared across them, and one sent
# just before a reload, still inside its hold when the engine is swapped.
# Every line sent is received, each cut is one ticket paged once and one
# open in the action stream, and no action line is written twice. Then a
# plan with an error is refused with file:line:col, counted, and the old
# plan runs on: a cut after it still becomes a ticket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"

NET="$ROOT/examples/network"
PLAN="$T/reload.plan"
CTL="$T/control"
# version 1 and 2 differ in how long the cut absorbs its alarms
write_plan() { # ABSORB
	sed -e "s|\"../../examples/network/|\"$NET/|" -e "s|absorb los for 1m|absorb los for $1|" \
		"$ROOT/tests/soak/soak.plan" >"$PLAN.new"
	mv "$PLAN.new" "$PLAN"
}
write_plan 1m
spawn "$FAULTLINE" run -c "$PLAN" --tcp 127.0.0.1:0 --db "$DB" --control "$CTL" \
	>"$T/actions.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 60 grep -q 'listening tcp' "$T/run.err" || fail "no input: $(cat "$T/run.err")"
wait_for 20 test -S "$CTL" || fail "no control socket: $(cat "$T/run.err")"
[ -n "$(find "$CTL" -perm 600)" ] || fail "control socket not 0600: $(ls -l "$CTL")"
port=$(sed -n 's/^listening tcp 127.0.0.1:\([0-9]*\)$/\1/p' "$T/run.err" | head -1)

# a span of each of the first four rings (a second cut on a ring joins
# the first one's incident): both ends of each
awk -F, '$9 == "ring" && !seen[$2]++ {print $1, $3, $4, $5, $6}' "$NET/spans.csv" | head -4 >"$T/spans"
[ "$(wc -l <"$T/spans")" = 4 ] || fail "examples/network has fewer than four rings"

cat >"$T/stream.py" <<'PYEOF'
import socket, sqlite3, subprocess, sys, threading, time
port, fl, ctl, spans_file, plan_tool, db = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                            sys.argv[4], sys.argv[5], sys.argv[6])
spans = [l.split() for l in open(spans_file)]
c = socket.create_connection(("127.0.0.1", port))
sent = 0
def send(line):
    global sent
    d = line.encode()
    c.sendall(b"%d " % len(d) + d)
    sent += 1
def cut(sp, what):
    pri = 130 if what == "raised" else 133
    send("<%d>Nov 25 10:00:00 %s OSN: R_LOS %s port=%s" % (pri, sp[1], what, sp[2]))
    send("<%d>Nov 25 10:00:00 %s OSN: R_LOS %s port=%s" % (pri, sp[3], what, sp[4]))
reloads = []
def reload(n):
    # versions alternate: the plan file changes under the running engine
    subprocess.run(["sh", plan_tool, "2m" if n % 2 == 0 else "1m"], check=True)
    r = subprocess.run([fl, "reload", "--control", ctl], capture_output=True, text=True,
                       timeout=300)
    reloads.append((r.returncode, r.stderr))
def ticket_of(span):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        n = con.execute("SELECT count(*) FROM tickets WHERE span = ?", (span,)).fetchone()[0]
        con.close()
        return n > 0
    except sqlite3.Error:
        return False
seq = 0
def stream(seconds):
    global seq
    until = time.time() + seconds
    while time.time() < until:
        for _ in range(20):
            seq += 1
            send("<134>Nov 25 10:00:00 MY-NOC-RT01 APP: SEQ %d" % seq)
        time.sleep(0.05)
cut(spans[0], "raised")          # open through every reload
stream(3)                        # its 2 s hold ends: a ticket
cut(spans[1], "raised")          # opened, then cleared across reloads
for n in range(10):
    if n == 7:  # once it is a ticket (past its hold): a cut, not a blip
        until = time.time() + 120
        while time.time() < until and not ticket_of(spans[1][0]):
            stream(0.2)
        cut(spans[1], "cleared")
    if n == 5:
        cut(spans[2], "raised")  # inside its hold when the engine is swapped
    t = threading.Thread(target=reload, args=(n,))
    t.start()
    stream(0.6)
    t.join()
stream(3)
c.close()
bad = [r for r in reloads if r[0] != 0]
print("sent %d reloads %d failed %d" % (sent, len(reloads), len(bad)))
for r in bad:
    print(r[1], file=sys.stderr)
PYEOF
printf 'set -e\nsed -i "s|absorb los for [0-9]*m|absorb los for $1|" "%s"\n' "$PLAN" >"$T/plan_tool.sh"
python3 "$T/stream.py" "$port" "$FAULTLINE" "$CTL" "$T/spans" "$T/plan_tool.sh" "$DB" \
	>"$T/stream.out" 2>"$T/stream.err" || fail "sender: $(cat "$T/stream.err")"
read -r _ sent _ nreload _ nfailed <"$T/stream.out"
[ "$nreload" = 10 ] && [ "$nfailed" = 0 ] ||
	fail "reloads: $(cat "$T/stream.out") $(cat "$T/stream.err")"

stat_of() { # KEY: from `faultline stats`
	"$FAULTLINE" stats --control "$CTL" | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print({"received": s["tcp"]["received"], "reloads_ok": s["engine"]["reloads_ok"],
       "reloads_failed": s["engine"]["reloads_failed"], "messages": s["engine"]["messages"]}[sys.argv[1]])' "$1"
}
all_in() { [ "$(stat_of received)" = "$sent" ] && [ "$(stat_of messages)" = "$sent" ]; }
wait_for 60 all_in || fail "sent $sent, received $(stat_of received), taken $(stat_of messages)"
[ "$(stat_of reloads_ok)" = 10 ] || fail "reloads_ok $(stat_of reloads_ok), not 10"

# A plan with an error: refused at its place, counted, the old plan runs on.
cp "$PLAN" "$T/good.plan"
sed -i 's/^    hold 2s;$/    hold 2;/' "$PLAN"
rc=0
"$FAULTLINE" reload --control "$CTL" 2>"$T/bad.err" || rc=$?
[ "$rc" = 1 ] || fail "a bad plan's reload exited $rc: $(cat "$T/bad.err")"
grep -q "^$PLAN:[0-9]*:[0-9]*: error" "$T/bad.err" || fail "no file:line:col: $(cat "$T/bad.err")"
grep -q 'the old plan runs on' "$T/bad.err" || fail "not said: $(cat "$T/bad.err")"
grep -q "^$PLAN:[0-9]*:[0-9]*: error" "$T/run.err" || fail "the run did not log it"
[ "$(stat_of reloads_failed)" = 1 ] || fail "reloads_failed $(stat_of reloads_failed), not 1"
set -- $(sed -n 4p "$T/spans")
python3 - "$port" "$2" "$3" "$4" "$5" <<'PYEOF'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for dev, p in ((sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])):
    d = ("<130>Nov 25 10:00:00 %s OSN: R_LOS raised port=%s" % (dev, p)).encode()
    c.sendall(b"%d " % len(d) + d)
c.close()
PYEOF
four() { [ "$(ticket_count "$DB")" -ge 4 ]; }
wait_for 60 four || fail "the cut after the refused reload made no ticket: $(sqlite3 "$DB" 'SELECT id, span FROM tickets')"
"$FAULTLINE" status --control "$CTL" >"$T/status" || fail "status did not answer"
grep -q 'reloads: 10 ok, 1 failed' "$T/status" || fail "status: $(cat "$T/status")"
stop_clean "$RUN_PID" "$T/run.err" "faultline run" 60
[ ! -e "$CTL" ] || fail "the control socket outlived the run"

# every cut one ticket, paged once; one open each in the action stream
while read -r span _; do
	n=$(sqlite3 "$DB" "SELECT count(*) FROM tickets WHERE span = '$span'")
	[ "$n" = 1 ] || fail "span $span: $n tickets: $(sqlite3 "$DB" 'SELECT id, span FROM tickets')"
	n=$(sqlite3 "$DB" "SELECT count(*) FROM outbox o JOIN tickets t ON o.ticket = t.id WHERE t.span = '$span'")
	[ "$n" = 1 ] || fail "span $span paged $n times"
	n=$(grep '"action":"open"' "$T/actions.jsonl" | grep -c "\"span\":\"$span\"" || true)
	[ "$n" = 1 ] || fail "span $span: $n opens in the action stream"
done <"$T/spans"
dups=$(sort "$T/actions.jsonl" | uniq -d | wc -l)
[ "$dups" = 0 ] || fail "$dups action lines written twice"
span1=$(sed -n 1p "$T/spans" | cut -d' ' -f1)
span2=$(sed -n 2p "$T/spans" | cut -d' ' -f1)
grep '"action":"clear"' "$T/actions.jsonl" | grep -q "\"span\":\"$span2\"" ||
	fail "the cut cleared across reloads has no clear"
if grep '"action":"clear"' "$T/actions.jsonl" | grep -q "\"span\":\"$span1\""; then
	fail "the cut that stayed open was cleared"
fi
grep -q 'run: reloads: 10 ok, 1 failed' "$T/run.err" || fail "no reloads line at exit"
# each reload said what the plan it retired did: the tickets those plans
# opened and the running one's at exit add up to every ticket in the store
opened=$(sed -n 's/^\(faultline run: reload: the old plan.s \|run: \)store: \([0-9]*\) tickets opened.*/\2/p' "$T/run.err" |
	awk '{ n += $1 } END { print n + 0 }')
[ "$opened" = "$(sqlite3 "$DB" 'SELECT count(*) FROM tickets')" ] ||
	fail "tickets opened by the plans, $opened, are not the store's: $(grep 'store: ' "$T/run.err")"
echo "ok: run reload: $sent lines sent and taken through 10 reloads and 1 refused, 4 cuts 4 tickets paged once each"
