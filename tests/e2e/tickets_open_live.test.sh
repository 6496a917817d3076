#!/bin/sh
# A fault phoned in while the engine runs, the engine restarted, then the
# fibre cut arrives live (UDP syslog from both ends of HC-YZ-R01-S02): the
# restarted engine finds the call's ticket in the store and the cut joins it,
# one ticket with both histories and the ladder's pages recorded on it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PLAN="$ROOT/rules/test-product.plan"
OUT="$T/notifications.jsonl"

start_run() { # NAME
	spawn "$FAULTLINE" run -c "$PLAN" --data "$DATA" --udp 127.0.0.1:0 --db "$DB" \
		--plugin-dir "$PLUGINS" --route sms=file --set sms.path="$OUT" \
		--route email=file --set email.path="$OUT" >"$T/$1.jsonl" 2>"$T/$1.err"
	RUN_PID=$LAST_PID
	wait_for 20 listening_count "$1" 1 || fail "$1: input not announced: $(cat "$T/$1.err")"
	udp=$(port_of "$1" udp)
}
q() { sqlite3 "$DB" "$1"; }

start_run first
"$FAULTLINE" tickets --db "$DB" open -c "$PLAN" --data "$DATA" --level urgent \
	--customer 河池市电子政务外网 --text "电子政务外网中断" --caller "李女士" --by duty \
	>"$T/open.out" 2>&1 || fail "tickets open: $(cat "$T/open.out")"
HAND=$(sed -n 's/^\(TEL-[^ ]*\) opened:.*/\1/p' "$T/open.out")
[ -n "$HAND" ] || fail "no ticket id: $(cat "$T/open.out")"
kill -TERM "$RUN_PID"
wait_for 20 not_running "$RUN_PID" || fail "the first engine did not stop"

start_run second
fibre_cut "$udp"
joined() { [ "$(q "SELECT count(*) FROM history WHERE ticket = '$HAND' AND what = 'joined by alarm'")" = 1 ]; }
wait_for 30 joined || fail "the cut did not join $HAND: $(q 'SELECT id, rule, span FROM tickets')"
paged() { [ "$(q "SELECT count(*) FROM steps WHERE ticket = '$HAND'")" -gt 0 ]; }
wait_for 30 paged || fail "no step of the ladder on $HAND"
kill -TERM "$RUN_PID"
wait_for 20 not_running "$RUN_PID" || fail "the second engine did not stop"

[ "$(ticket_count "$DB")" = 1 ] || fail "a second ticket: $(q 'SELECT id, rule, span FROM tickets')"
[ "$(q "SELECT span FROM tickets WHERE id = '$HAND'")" = HC-YZ-R01-S02 ] ||
	fail "the ticket did not gain the span"
[ "$(q "SELECT count(*) FROM history WHERE ticket = '$HAND' AND what = 'opened from a call'")" = 1 ] ||
	fail "the call's history is gone"
! grep -q "$HAND.*not resumed" "$T/second.err" ||
	fail "the restart tried to resume the call's ticket as an incident: $(cat "$T/second.err")"
grep -q "1 alarms joined tickets opened from a call" "$T/second.err" ||
	fail "no join counted: $(tail -n 8 "$T/second.err")"
echo "ok: a call's ticket taken before a restart joins the live cut"
