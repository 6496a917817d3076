#!/bin/sh
# Durable acceptance: a fibre cut whose alarms `faultline run` took (and
# acknowledged to the sender) is not lost when the engine dies inside the
# fibre_cut correlation's 30 s hold. Run A takes both ends' R_LOS and is
# killed -9 three seconds later: no ticket yet. Run B feeds the journal
# (beside the store) to the engine again before it listens, and is stopped
# with SIGTERM five seconds later, still inside the hold. Run C feeds it
# again; the cut becomes its one ticket, paged once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"

start_run() { # NAME
	spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" \
		--udp 127.0.0.1:0 --db "$DB" >"$T/$1.jsonl" 2>"$T/$1.err"
	RUN_PID=$LAST_PID
	cp "$T/$1.err" "$T/run.err" 2>/dev/null || true
	wait_for 20 grep -q 'listening udp' "$T/$1.err" ||
		fail "$1: input not announced: $(cat "$T/$1.err")"
}

start_run a
udp=$(sed -n 's/^listening udp 127.0.0.1:\([0-9]*\)$/\1/p' "$T/a.err" | head -1)
[ -n "$udp" ] || fail "no udp port: $(cat "$T/a.err")"
fibre_cut "$udp"
kept() { [ "$(grep -c R_LOS "$DB.accepted.0" "$DB.accepted.1" 2>/dev/null |
	awk -F: '{n += $NF} END {print n + 0}')" -ge 2 ]; }
wait_for 10 kept || fail "the journal does not hold the two R_LOS"
sleep 1
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
[ "$(ticket_count "$DB")" = 0 ] || fail "a ticket before the hold ended: the test proves nothing"

start_run b
grep -q 'run: journal: [1-9][0-9]* messages taken before this start fed again' "$T/b.err" ||
	fail "run b fed nothing again: $(cat "$T/b.err")"
sleep 5
kill -TERM "$RUN_PID"
wait_for 20 not_running "$RUN_PID" || fail "run b did not stop"
wait "$RUN_PID" 2>/dev/null || true
[ "$(ticket_count "$DB")" = 0 ] || fail "run b opened the ticket inside the hold"

start_run c
one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 90 one_ticket || fail "the cut was lost: $(tail -n 5 "$T/c.err")"
[ "$(sqlite3 "$DB" 'SELECT span FROM tickets')" = HC-YZ-R01-S02 ] ||
	fail "ticket not on the cut span: $(sqlite3 "$DB" 'SELECT id, span FROM tickets')"
paged() { [ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE role = 'duty_room'")" -ge 1 ]; }
wait_for 20 paged || fail "nobody paged: $(sqlite3 "$DB" 'SELECT key FROM outbox')"
stop_clean "$RUN_PID" "$T/c.err" "run c"
dup=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT address FROM outbox GROUP BY key HAVING count(*) > 1)")
[ "$dup" = 0 ] || fail "paged twice"
[ -n "$(find "$DB.accepted.0" -perm 600)" ] || fail "the journal is not 0600: $(ls -l "$DB.accepted.0")"
echo "ok: run journal: a cut taken by a run killed -9 and one stopped inside the hold became ticket $(sqlite3 "$DB" 'SELECT id FROM tickets')"
