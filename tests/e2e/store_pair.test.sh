#!/bin/sh
# An active/standby pair on one PostgreSQL store: engine a leads, engine b
# waits as the standby, listening and keeping what it takes in its journal
# (as rsyslog would send to both, the fibre cut goes to both); a is killed
# with kill -9 inside the cut's hold, before it became a ticket; b takes the
# lead (the server frees a's lock with its connection), feeds its journal
# to its engine, opens the ticket and pages. Checked: the takeover time
# (printed, under 10 s), exactly one ticket, no message sent more than
# twice across both engines, `faultline status` naming the active engine
# before and after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PG=$(mktemp -d /tmp/fl-pg-XXXXXX)
trap 'sh "$ROOT/tests/pg/pg_stop.sh" "$PG"; cleanup' EXIT
trap 'exit 130' INT TERM
URL=$(sh "$ROOT/tests/pg/pg_start.sh" "$PG") || fail "no PostgreSQL to test against"

engine() { # engine NAME: run --pair NAME, its output in T/NAME.*
	spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" \
		--udp 127.0.0.1:0 --db "$URL" --pair "$1" --journal "$T/$1.accepted" \
		--plugin-dir "$PLUGINS" --route sms=file --set sms.path="$T/$1.sent" \
		--route email=file --set email.path="$T/$1.sent" >"$T/$1.jsonl" 2>"$T/$1.err"
}
leads() { grep -q "^faultline run: $1 leads" "$T/$1.err"; }
tickets() { "$FAULTLINE" tickets --db "$URL" --json list 2>/dev/null | grep -c '"id"'; }
one_ticket() { [ "$(tickets)" = 1 ]; }

engine a
A_PID=$LAST_PID
wait_for 60 leads a || fail "a did not lead: $(cat "$T/a.err")"
wait_for 20 listening_count a 1 || fail "a announced no input: $(cat "$T/a.err")"
engine b
B_PID=$LAST_PID
standby() { grep -q '^faultline run: b is the standby: a leads' "$T/b.err"; }
wait_for 60 standby || fail "b is not the standby: $(cat "$T/b.err")"

"$FAULTLINE" status --db "$URL" >"$T/status" || fail "status"
grep -q 'active: a (fencing number 1,' "$T/status" || fail "status before: $(cat "$T/status")"

wait_for 20 listening_count b 1 || fail "b announced no input: $(cat "$T/b.err")"
fibre_cut "$(port_of a udp)"
fibre_cut "$(port_of b udp)"
kill -9 "$A_PID"
killed_ns=$(date +%s%N)
wait_for 30 leads b || fail "b did not take over: $(cat "$T/b.err")"
took_ms=$((($(date +%s%N) - killed_ns) / 1000000))
[ "$took_ms" -lt 10000 ] || fail "takeover took $took_ms ms"
"$FAULTLINE" status --db "$URL" >"$T/status" || fail "status"
grep -q 'active: b (fencing number 2,' "$T/status" || fail "status after: $(cat "$T/status")"

# b correlates the cut from its own copy and pages
wait_for 60 one_ticket || fail "$(tickets) tickets after the takeover: $(tail -n 5 "$T/b.err")"
ticket_ms=$((($(date +%s%N) - killed_ns) / 1000000)) # b's first write seen (polled every 0.1 s)
carried_on() { grep -q '"action":"notify"' "$T/b.jsonl"; }
wait_for 90 carried_on || fail "b paged nobody: $(tail -n 5 "$T/b.err"; cut -c1-120 "$T/b.jsonl")"
one_ticket || fail "$(tickets) tickets after the takeover"
kill -TERM "$B_PID"
wait_for 30 not_running "$B_PID" || fail "b did not stop"
grep -q 'journal: [1-9][0-9]* messages taken before this start fed again' "$T/b.err" ||
	fail "b fed nothing of what it kept as the standby: $(grep journal "$T/b.err")"
grep -q '^run: store: .* 0 errors' "$T/b.err" || fail "b's store errors: $(grep store: "$T/b.err")"
cat "$T"/a.sent "$T"/b.sent >"$T/all.sent" 2>/dev/null || true # a may have sent nothing
python3 - "$T/all.sent" <<'PY' || fail "a message was sent more than twice"
import collections, json, sys
keys = [json.loads(l)["key"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
worst = max(collections.Counter(keys).values())
assert worst <= 2, collections.Counter(keys).most_common(3)
print("sent %d messages, %d distinct, at most %d times each" % (len(keys), len(set(keys)), worst))
PY
start_ms=$(sed -n 's/^faultline run: b correlates \([0-9]*\) ms after taking the lead$/\1/p' "$T/b.err")
fed=$(sed -n 's/^run: journal: \([0-9]*\) messages taken before this start fed again.*/\1/p' "$T/b.err")
echo "ok: takeover $took_ms ms after kill -9 of the active inside the hold (b correlates $start_ms ms after taking the lead, $fed journal lines fed again; its ticket seen $ticket_ms ms after the kill); 1 ticket, by the standby"
