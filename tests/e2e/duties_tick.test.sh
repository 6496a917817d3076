#!/bin/sh
# faultline duties tick: the plan's duties made into tickets and reminders at
# fixed instants on a small network (tests/networks/hilltown): one ticket per
# county with a reminder to each county's fault lead (Shiling has none: its
# city's), nothing more on a second tick of the same instant, one catch-up
# per branch after a long gap with the occurrences passed over counted, a
# duty ticket resolved from open, and the report's counts per duty.
. "$(dirname "$0")/lib.sh"
NET=$(cd "$(dirname "$0")/../networks/hilltown" && pwd)
DB="$T/duties.db"

cat >"$T/duties.plan" <<PLAN
plan duties;
timezone "Asia/Shanghai";
data sites "$NET/sites.csv";
data devices "$NET/devices.csv";
data rings "$NET/rings.csv";
data spans "$NET/spans.csv";
data chains "$NET/chains.csv";
data circuits "$NET/circuits.csv";
data contacts "$NET/contacts.csv";
roles duty_room, fault_lead, ops_head;
level urgent { respond at once within 2m; ladder std; }
ladder std { step after 0s notify duty_room via sms; }
template visit_sms for fault_lead via sms when due "【例行工作】\${title}，\${county}，\${since}到期。工单\${ticket}。";
duty visit "technician visit" every 1 month from "2027-01-05" notify fault_lead per county via sms, email;
duty survey "service-quality survey" every 1 month from "2027-01-10" notify ops_head within 3d via email;
duty far "yearly fibre audit" every 12 months from "2098-01-01" notify ops_head via email;
PLAN

tick() {
	"$FAULTLINE" duties tick -c "$T/duties.plan" --db "$DB" --create --at "$1" \
		>"$T/tick.out" 2>"$T/tick.err" || fail "tick at $1: $(cat "$T/tick.err")"
}
sql() { sqlite3 "$DB" "$1"; }

# 2027-01-05 10:00 local: the visit is due (09:00), the survey not yet
tick 2027-01-05T02:00:00Z
grep -q "^4 tickets made, 8 reminders queued, 0 occurrences passed over$" "$T/tick.out" ||
	fail "first tick: $(cat "$T/tick.out")"
[ "$(sql "SELECT count(*) FROM tickets WHERE id LIKE 'DUTY-2027-%' AND rule = 'duty'")" = 4 ] ||
	fail "want 4 duty tickets"
[ "$(sql "SELECT group_concat(branch, ',') FROM (SELECT branch FROM duty_runs ORDER BY branch)")" = \
	"Gaoling,Longtan,Shiling,Yun'ao" ] || fail "branches: $(sql 'SELECT branch FROM duty_runs')"
# Shiling has no fault lead: the city's is reminded, by SMS and e-mail
shiling=$(sql "SELECT ticket FROM duty_runs WHERE branch = 'Shiling'")
[ "$(sql "SELECT group_concat(address, ' ') FROM (SELECT address FROM outbox WHERE ticket = '$shiling' ORDER BY address)")" = \
	"138-0000-6203 zhigang.lu@example.net" ] || fail "Shiling's reminders: $(sql "SELECT * FROM outbox WHERE ticket = '$shiling'")"
gaoling=$(sql "SELECT ticket FROM duty_runs WHERE branch = 'Gaoling'")
# the plan's `when due` template for the SMS; the built-in text for e-mail
[ "$(sql "SELECT body FROM outbox WHERE ticket = '$gaoling' AND channel = 'sms'")" = \
	"【例行工作】technician visit，Gaoling，01-05 09:00到期。工单$gaoling。" ] ||
	fail "templated SMS: $(sql "SELECT body FROM outbox WHERE ticket = '$gaoling' AND channel = 'sms'")"
sql "SELECT body FROM outbox WHERE ticket = '$gaoling' AND channel = 'email'" |
	grep -qx "done by: 2027-02-05T01:00:00Z" || fail "built-in e-mail body"
[ "$(sql "SELECT count(*) FROM outbox WHERE ticket = '$gaoling' AND person = '黄秋萍' AND role = 'fault_lead' AND state = 'pending'")" = 2 ] ||
	fail "Gaoling's reminders"
sql "SELECT what || ':' || note FROM history WHERE ticket = '$gaoling'" | grep -qx "due:technician visit" ||
	fail "no due history: $(sql "SELECT * FROM history WHERE ticket = '$gaoling'")"
[ "$(sql "SELECT title FROM tickets WHERE id = '$gaoling'")" = "technician visit" ] || fail "title"

# the same instant again: nothing
tick 2027-01-05T02:00:00Z
grep -q "^0 tickets made, 0 reminders queued" "$T/tick.out" || fail "second tick: $(cat "$T/tick.out")"
[ "$(sql "SELECT count(*) FROM tickets")" = 4 ] || fail "a second tick made tickets"
[ "$(sql "SELECT count(*) FROM outbox")" = 8 ] || fail "a second tick queued reminders"

# after a stop until 20 May: one catch-up per branch, 3 visits passed over
# each (Feb, Mar, Apr); the survey's first, 4 passed over (Jan to Apr)
tick 2027-05-20T02:00:00Z
grep -q "^5 tickets made, 9 reminders queued, 16 occurrences passed over$" "$T/tick.out" ||
	fail "catch-up tick: $(cat "$T/tick.out")"
[ "$(grep -c "	visit	.*due 2027-05-05T09:00:00+08:00	2 reminders	3 passed over$" "$T/tick.out")" = 4 ] ||
	fail "catch-up per county: $(cat "$T/tick.out")"
grep -q "	survey	region	due 2027-05-10T09:00:00+08:00	1 reminder	4 passed over$" "$T/tick.out" ||
	fail "survey catch-up: $(cat "$T/tick.out")"

# duties list --db: each branch's latest
"$FAULTLINE" duties list -c "$T/duties.plan" --db "$DB" --at 2027-05-20T02:00:00Z >"$T/list" 2>/dev/null ||
	fail "duties list --db"
grep -q "^  Shiling	DUTY-2027-[0-9]*	open	due 2027-05-05T09:00:00+08:00	by 2027-06-05T09:00:00+08:00	3 passed over$" "$T/list" ||
	fail "list --db: $(cat "$T/list")"
grep -q "^  region	DUTY-2027-[0-9]*	open	due 2027-05-10T09:00:00+08:00	by 2027-05-13T09:00:00+08:00	4 passed over$" "$T/list" ||
	fail "survey within 3d: $(cat "$T/list")"

# a duty ticket is resolved from open; an incident's would need restore
may=$(sql "SELECT ticket FROM duty_runs WHERE branch = 'Gaoling' AND due_k = 4")
"$FAULTLINE" tickets --db "$DB" resolve "$may" --by "黄秋萍" >/dev/null 2>"$T/resolve.err" ||
	fail "resolve $may: $(cat "$T/resolve.err")"
[ "$(sql "SELECT state FROM tickets WHERE id = '$may'")" = resolved ] || fail "not resolved"
# far in the future: made and resolved before its deadline, whatever today is
tick 2098-01-01T02:00:00Z
far=$(sql "SELECT ticket FROM duty_runs WHERE duty = 'far'")
[ -n "$far" ] || fail "no far ticket: $(cat "$T/tick.out")"
"$FAULTLINE" tickets --db "$DB" resolve "$far" --by ops >/dev/null 2>&1 || fail "resolve $far"

# the report counts per duty, judged at 2027-05-20
"$FAULTLINE" report --db "$DB" --from 2027-01-01 --to 2027-06-01 --at 2027-05-20 --json >"$T/report.json" ||
	fail "report"
python3 - "$T/report.json" <<'PY' || fail "report: $(cat "$T/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
d = {x["duty"]: x for x in r["duties"]}
v, s = d["visit"], d["survey"]
# May's Gaoling resolved by the wall clock: done or late by today's date
assert (v["due"], v["open"], v["passed_over"]) == (8, 7, 12), v
assert v["done"] + v["done_late"] == 1, v
assert v["overdue"] == 4, v  # January's four, open past 5 February
# within 3d: due 10 May, to be done by 13 May, overdue on the 20th
assert (s["due"], s["open"], s["overdue"], s["passed_over"]) == (1, 1, 1, 4), s
assert "far" not in d and r["areas"] == [], r
PY
"$FAULTLINE" report --db "$DB" --from 2098-01-01 --to 2098-02-01 --json >"$T/far.json" || fail "far report"
python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['duties']; assert d==[{'duty':'far','due':1,'done':1,'done_late':0,'open':0,'overdue':0,'passed_over':0}], d" \
	"$T/far.json" || fail "far report: $(cat "$T/far.json")"

# far in the past: resolved after its deadline, whatever today is
sed 's/from "2098-01-01"/from "2001-01-01"/' "$T/duties.plan" | grep -v '^duty \(visit\|survey\) ' >"$T/old.plan"
"$FAULTLINE" duties tick -c "$T/old.plan" --db "$T/old.db" --create --at 2001-01-01T02:00:00Z >/dev/null 2>&1 ||
	fail "old tick"
old=$(sqlite3 "$T/old.db" "SELECT ticket FROM duty_runs")
"$FAULTLINE" tickets --db "$T/old.db" resolve "$old" --by ops >/dev/null 2>&1 || fail "resolve $old"
"$FAULTLINE" report --db "$T/old.db" --from 2001-01-01 --to 2001-02-01 --json >"$T/old.json" || fail "old report"
python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['duties']; assert d==[{'duty':'far','due':1,'done':0,'done_late':1,'open':0,'overdue':0,'passed_over':0}], d" \
	"$T/old.json" || fail "old report: $(cat "$T/old.json")"
echo "duties_tick: ok"
