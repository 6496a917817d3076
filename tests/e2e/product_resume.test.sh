#!/bin/sh
# A clock that runs out while faultline is down fires once when it starts
# again, not never and not twice. A fibre cut opens a ticket and the steps
# due at once page people; faultline run is killed with SIGKILL before the
# ladder's "nobody answered" step (15 s after the open, test-product.plan)
# comes due. Past that time it starts again on the same store: it hands the
# open ticket back to the engine, which fires that step at once: its
# notifications are queued exactly once. The cut seen again joins the same
# ticket, and a second restart pages nobody.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
OUT="$T/notifications.jsonl"
STEP=5 # emergency ladder: "step after 15s unacked notify leader_in_charge"

start_run() { # NAME
	spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" \
		--udp 127.0.0.1:0 --db "$DB" --plugin-dir "$PLUGINS" \
		--route sms=file --set sms.path="$OUT" --route email=file --set email.path="$OUT" \
		>"$T/$1.jsonl" 2>"$T/$1.err"
	RUN_PID=$LAST_PID
	wait_for 20 listening_count "$1" 1 || fail "$1: input not announced: $(cat "$T/$1.err")"
	udp=$(port_of "$1" udp)
}
stop_run() { # NAME
	kill -TERM "$RUN_PID"
	wait_for 20 not_running "$RUN_PID" || fail "$1: faultline run did not stop"
}
q() { sqlite3 "$DB" "$1"; }
step_rows() { q "SELECT count(*) FROM outbox WHERE key LIKE '%:s$STEP:%'"; }

start_run first
fibre_cut "$udp"
one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 20 one_ticket || fail "no ticket: $(tail -n 5 "$T/first.err")"
ID=$(q 'SELECT id FROM tickets')
paged() { [ "$(q "SELECT count(*) FROM steps WHERE ticket = '$ID' AND step = 0")" = 1 ]; }
wait_for 20 paged || fail "the first step was not taken"
kill -9 "$RUN_PID"
wait_for 10 not_running "$RUN_PID" || fail "SIGKILL did not stop it"
[ "$(q "SELECT count(*) FROM steps WHERE step = $STEP")" = 0 ] ||
	fail "step $STEP taken before the kill: the test ran too slowly"

# down until the step has come due (16 s after the open)
opened_s=$(q "SELECT opened_ns / 1000000000 FROM tickets WHERE id = '$ID'")
step_due() { [ "$(date +%s)" -ge $((opened_s + 16)) ]; }
wait_for 30 step_due || fail "the clock did not run out"
[ "$(step_rows)" = 0 ] || fail "notifications of step $STEP while nobody ran"

start_run second
fired() { [ "$(q "SELECT count(*) FROM steps WHERE ticket = '$ID' AND step = $STEP")" = 1 ]; }
wait_for 20 fired || fail "step $STEP did not fire after the restart: $(cat "$T/second.err")"
wait_for 10 test "$(step_rows)" -gt 0 || fail "step $STEP queued no notification"
rows=$(step_rows)
shown() { grep -q "$1" "$T/second.jsonl"; }
wait_for 10 shown '"action":"update".*"reason":"resumed"' ||
	fail "the stream does not show the incident resumed"
wait_for 10 shown '"action":"notify".*"role":"leader_in_charge"' ||
	fail "no notify action of step $STEP in the stream"
# the same cut seen again joins the resumed incident: no second ticket, no open
fibre_cut "$udp"
drained() { [ "$(q "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")" = 0 ]; }
wait_for 30 drained || fail "outbox not drained: $(q 'SELECT state, count(*) FROM outbox GROUP BY state')"
stop_run second
[ "$(ticket_count "$DB")" = 1 ] || fail "a second ticket: $(q 'SELECT id FROM tickets')"
! grep -q '"action":"open"' "$T/second.jsonl" || fail "the cut seen again opened an incident"
grep -q 'resume: 1 tickets resumed, 0 not resumed' "$T/second.err" ||
	fail "summary: $(grep resume: "$T/second.err")"
[ "$(step_rows)" = "$rows" ] || fail "step $STEP queued twice"
total=$(q 'SELECT count(*) FROM outbox')

# a second restart: resumed again, every step already taken, nobody paged
start_run third
stop_run third
grep -q 'resume: 1 tickets resumed, 0 not resumed' "$T/third.err" ||
	fail "third summary: $(grep resume: "$T/third.err")"
[ "$(q 'SELECT count(*) FROM outbox')" = "$total" ] ||
	fail "the second restart paged: $total -> $(q 'SELECT count(*) FROM outbox')"
[ "$(q "SELECT count(*) FROM steps WHERE ticket = '$ID' AND step = $STEP")" = 1 ] ||
	fail "step $STEP recorded twice"
echo "ok: resume: ticket $ID, step $STEP fired once after the restart ($rows notifications), none on the next"
