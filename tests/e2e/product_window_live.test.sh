#!/bin/sh
# A maintenance window entered in the store (`faultline maintenance add`)
# ending a few seconds from now, and a fibre cut on its span while it lasts,
# under `faultline run --db` (live clock). The ticket opens planned with its
# clocks paused and nobody is paged; when the window ends with the cut still
# there, the live timer ends the planning: the history says the window
# ended, the clocks run again and the ladder pages from then.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
q() { sqlite3 "$DB" "$1"; }

# the window: from a minute ago until 12 s from now, on the cut span
from=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
end_s=$(($(date +%s) + 12))
to=$(date -u -d "@$end_s" +%Y-%m-%dT%H:%M:%SZ)
"$FAULTLINE" maintenance --db "$DB" --create add --scope span --target HC-YZ-R01-S02 \
	--from "$from" --to "$to" --reason "splice works" --by test >"$T/add.out" 2>&1 ||
	fail "maintenance add: $(cat "$T/add.out")"
WID=$(q 'SELECT id FROM maintenance')

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" \
	--udp 127.0.0.1:0 --db "$DB" >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 1 || fail "input not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
fibre_cut "$udp"
one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 20 one_ticket || fail "no ticket: $(tail -n 5 "$T/run.err")"
ID=$(q 'SELECT id FROM tickets')
planned_paused() { [ "$(q "SELECT count(*) FROM clocks WHERE ticket = '$ID' AND state = 'paused'")" -ge 1 ]; }
wait_for 10 planned_paused || fail "clocks not paused: $(q "SELECT clock, state FROM clocks")"
[ "$(q "SELECT planned FROM tickets WHERE id = '$ID'")" = 1 ] || fail "the ticket is not planned"
[ "$(date +%s)" -lt "$end_s" ] || fail "the cut came after the window: the test ran too slowly"
[ "$(q 'SELECT count(*) FROM outbox')" = 0 ] || fail "paged inside the window"

ended() { [ "$(q "SELECT count(*) FROM history WHERE ticket = '$ID' AND what = 'window MW-$WID ended'")" = 1 ]; }
wait_for 30 ended || fail "the window did not end: $(q "SELECT what FROM history WHERE ticket = '$ID'")"
paged() { [ "$(q 'SELECT count(*) FROM outbox')" -gt 0 ]; }
wait_for 10 paged || fail "nobody paged after the window"
first_ns=$(q 'SELECT min(created_ns) FROM outbox')
[ "$first_ns" -ge $((end_s * 1000000000)) ] || fail "paged before the window's end"
[ "$(q "SELECT planned FROM tickets WHERE id = '$ID'")" = 0 ] || fail "still planned"
[ "$(q "SELECT count(*) FROM clocks WHERE ticket = '$ID' AND state = 'paused'")" = 0 ] ||
	fail "clocks still paused"
[ "$(q "SELECT count(*) FROM history WHERE ticket = '$ID' AND what LIKE '% clock paused' AND note = 'maintenance'")" -ge 1 ] ||
	fail "no maintenance pause in the history"
kill -TERM "$RUN_PID"
wait_for 20 not_running "$RUN_PID" || fail "faultline run did not stop"
grep -q '"action":"update".*"reason":"window ended"' "$T/run.jsonl" || fail "no window-ended action"
grep -q '1 maintenance windows ended, 0 store window lookups failed' "$T/run.err" ||
	fail "summary: $(grep resume: "$T/run.err")"
echo "ok: window live: $ID planned under store window $WID, paged from its end"
