#!/bin/sh
# faultline run --db --route: a fibre cut sent with logger becomes one ticket
# in the store, its first ladder steps are delivered by the delivery thread
# (file plugin), the on-site clock (3 s in the test plan) escalates, and once
# `faultline tickets ack` has acknowledged the ticket the "nobody answered"
# step (15 s, unacked) comes due and is not sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
OUT="$T/notifications.jsonl"

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--db "$DB" --plugin-dir "$PLUGINS" \
	--route sms=file --set sms.path="$OUT" --route email=file --set email.path="$OUT" \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 1 || fail "input not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
fibre_cut "$udp"

one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 20 one_ticket || fail "no ticket: $(tail -n 5 "$T/run.err")"
ID=$(sqlite3 "$DB" 'SELECT id FROM tickets')
[ "$(sqlite3 "$DB" 'SELECT span FROM tickets')" = HC-YZ-R01-S02 ] ||
	fail "ticket not on the cut span: $(sqlite3 "$DB" 'SELECT * FROM tickets')"
delivered() { [ -s "$OUT" ] && grep -q "$ID" "$OUT"; }
wait_for 20 delivered || fail "nothing delivered: $(tail -n 5 "$T/run.err")"

# the on-site clock (3 s) runs out: the escalation is recorded as a step
escalated() { grep -q '"action":"escalate".*on-site clock missed' "$T/run.jsonl"; }
wait_for 20 escalated || fail "no escalation: $(cut -c1-90 "$T/run.jsonl"; cut -c 90-600 "$T/run.jsonl" | grep -o "\"reason.*")"
"$FAULTLINE" tickets --db "$DB" ack "$ID" --by e2e >/dev/null || fail "ack $ID"

# the unacked step (15 s after the open) comes due in the engine...
late_step() { grep -q '"action":"notify".*"role":"leader_in_charge","scope":"own"' "$T/run.jsonl"; }
wait_for 30 late_step || fail "the 15 s step never came due"
stop_clean "$RUN_PID" "$T/run.err" "faultline run"

# ...but the acknowledged ticket does not send it
grep -q 'steps no longer due' "$T/run.err" || fail "no store summary: $(cat "$T/run.err")"
grep -q ', [1-9][0-9]* steps no longer due' "$T/run.err" ||
	fail "the acknowledged step was not held back: $(grep store: "$T/run.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE person IS NOT NULL AND key LIKE '%:s5:%'")" = 0 ] ||
	fail "the unacked step was paged after the ack"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'sent'")" -ge 3 ] ||
	fail "outbox: $(sqlite3 "$DB" 'SELECT state, count(*) FROM outbox GROUP BY state')"
grep -q '^run: .* 0 errors, 0 queue full$' "$T/run.err" || fail "store errors: $(grep store: "$T/run.err")"
echo "ok: run --db: ticket $ID, $(grep -c . "$OUT") notifications delivered, ack held the next step"
