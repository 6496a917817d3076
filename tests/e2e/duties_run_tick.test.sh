#!/bin/sh
# A running engine makes the plan's duties that fell due, with no `duties
# tick` by hand: a weekly duty anchored long ago (always due, whatever
# today's date) per county of the hilltown network. `faultline run --db`
# makes one catch-up ticket per county from its store thread, with the
# county fault lead's reminder (Shiling's is the city's); a second run
# makes none again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
NET=$(cd "$(dirname "$0")/../networks/hilltown" && pwd)
DB="$T/d.db"

cat >"$T/d.plan" <<PLAN
plan duties_run;
timezone "Asia/Shanghai";
data sites "$NET/sites.csv";
data devices "$NET/devices.csv";
data rings "$NET/rings.csv";
data spans "$NET/spans.csv";
data chains "$NET/chains.csv";
data circuits "$NET/circuits.csv";
data contacts "$NET/contacts.csv";
roles duty_room, fault_lead;
level urgent { respond at once within 2m; ladder std; }
ladder std { step after 0s notify duty_room via sms; }
duty check "weekly line check" every 1 week from "2001-01-01" notify fault_lead per county via sms;
PLAN

start_run() { # NAME
	spawn "$FAULTLINE" run -c "$T/d.plan" --udp 127.0.0.1:0 --db "$DB" >"$T/$1.jsonl" 2>"$T/$1.err"
	RUN_PID=$LAST_PID
	wait_for 20 grep -q 'listening udp' "$T/$1.err" ||
		fail "$1: input not announced: $(cat "$T/$1.err")"
}
stop_run() { # NAME
	stop_clean "$RUN_PID" "$T/$1.err" "$1" 30
}
runs() { sqlite3 "$DB" "SELECT count(*) FROM duty_runs" 2>/dev/null || echo 0; }

start_run a
wait_for 60 sh -c "[ \"\$(sqlite3 '$DB' 'SELECT count(*) FROM duty_runs' 2>/dev/null)\" = 4 ]" ||
	fail "the run made no duty tickets: $(runs); $(tail -n 5 "$T/a.err")"
stop_run a
grep -q 'store: 4 duty tickets made, 4 reminders queued' "$T/a.err" ||
	fail "log: $(grep duty "$T/a.err")"
grep -q '^run: store duties: 4 tickets made, 4 reminders, 0 ticks failed$' "$T/a.err" ||
	fail "summary: $(grep 'store duties' "$T/a.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM duty_runs WHERE passed_over > 0")" = 4 ] ||
	fail "no catch-up counted"
[ "$(sqlite3 "$DB" "SELECT o.address FROM outbox o JOIN duty_runs r ON r.ticket = o.ticket WHERE r.branch = 'Shiling'")" = \
	138-0000-6203 ] || fail "Shiling's reminder is not the city's fault lead"

start_run b
sleep 3
stop_run b
# a duty's open ticket is no incident for the engine to take back
grep -q 'not resumed: ' "$T/b.err" && fail "duty tickets resumed: $(grep 'not resumed: ' "$T/b.err")"
grep -q 'resume: 0 tickets resumed, 0 not resumed' "$T/b.err" ||
	fail "resume: $(grep resume "$T/b.err")"
# the same occurrence is never made twice (a week's turn between the two
# runs would make the next one: four per due instant, whatever the date)
[ "$(sqlite3 "$DB" "SELECT count(*) = 4 * count(DISTINCT due_ns) FROM duty_runs")" = 1 ] ||
	fail "a second run made duty tickets again: $(runs)"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox")" = "$(runs)" ] || fail "reminders queued twice"
echo "ok: duties run tick: one catch-up per county by the running engine, once"
