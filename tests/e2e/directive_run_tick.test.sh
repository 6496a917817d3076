#!/bin/sh
# A running engine escalates dispatch directives nobody acknowledged, with
# no `directive tick` by hand: an order issued long ago (its deadlines all
# past, whatever today's date) reached seven branches of the example
# network; four acknowledged in time. `faultline run --db` takes every late
# step of the three silent ones from its store thread (their own liaison,
# then the level above), once, and rings the outbox; a second run takes
# none again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA="$ROOT/examples/network"
DB="$T/d.db"

id=$("$FAULTLINE" directive --db "$DB" issue -c "$ROOT/rules/faultline.plan" --data "$DATA" \
	--from "customer dispatch centre" --level urgent --text "全网重要通信保障" --scope all \
	--at 2020-01-01T01:00Z 2>"$T/issue.err") || fail "issue: $(cat "$T/issue.err")"
for b in Mingyang Shuikou Chengguan Dongpo; do
	"$FAULTLINE" directive --db "$DB" ack "$id" --branch "$b" --by duty \
		--at 2020-01-01T01:05Z >/dev/null || fail "ack $b"
done
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM directive_branches WHERE late_steps > 0')" = 0 ] ||
	fail "late before any tick"

start_run() { # NAME
	spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" \
		--udp 127.0.0.1:0 --db "$DB" >"$T/$1.jsonl" 2>"$T/$1.err"
	RUN_PID=$LAST_PID
	wait_for 20 grep -q 'listening udp' "$T/$1.err" ||
		fail "$1: input not announced: $(cat "$T/$1.err")"
}
stop_run() { # NAME
	stop_clean "$RUN_PID" "$T/$1.err" "$1" 30
}
late_steps() {
	sqlite3 "$DB" "SELECT group_concat(branch || ':' || late_steps, ' ') FROM
		(SELECT * FROM directive_branches WHERE late_steps > 0 ORDER BY branch)"
}
all_late() { [ "$(late_steps)" = "Bai'sha:2 Lianhua:2 Qingcheng:2" ]; }

start_run a
wait_for 60 all_late || fail "the run did not escalate: '$(late_steps)'; $(tail -n 5 "$T/a.err")"
stop_run a
grep -q '^run: store directives: 6 late steps taken, 15 notices, 0 ticks failed$' "$T/a.err" ||
	fail "summary: $(grep directives "$T/a.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE key LIKE 'dir:$id:l%'")" = 15 ] ||
	fail "escalation notices: $(sqlite3 "$DB" "SELECT key FROM outbox WHERE key LIKE 'dir:$id:l%'")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE key LIKE 'dir:$id:l%:Dongpo:%' OR key LIKE 'dir:$id:l%:Mingyang:%'")" = 0 ] ||
	fail "an acknowledged branch was escalated"

start_run b
sleep 3
stop_run b
grep -q 'store directives' "$T/b.err" && fail "a second run escalated again: $(grep directives "$T/b.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE key LIKE 'dir:$id:l%'")" = 15 ] || fail "notices queued twice"
echo "ok: directive run tick: $(late_steps) escalated by the running engine, once"
