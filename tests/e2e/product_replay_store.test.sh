#!/bin/sh
# `faultline replay --db`: the Hechi fibre cut recording fills a ticket store
# in event time. One located ticket on the cut span, its absorbed alarms
# summed, the urgent level's clocks for a county fault, the ladder's steps
# recorded and its notifications in the outbox, nothing delivered. Replaying
# the same recording again into the same store pages nobody twice. With
# --deliver the outbox is then delivered once (file plugin) and replay exits.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
DB="$T/faultline.db"
PY="${FL_PYTHON:-/usr/bin/python3}"
LOG="$SHARED/data/scenarios/fibre-cut-hechi.log"

replay() {
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--quiet --db "$DB" "$LOG" 2>"$T/replay.err" || fail "replay: $(cat "$T/replay.err")"
}

replay
absorbed=$(sed -n 's/.* \([0-9][0-9]*\) absorbed,.*/\1/p' "$T/replay.err" | head -n 1)
[ -n "$absorbed" ] && [ "$absorbed" -gt 100 ] || fail "no storm absorbed: $(cat "$T/replay.err")"
"$FAULTLINE" tickets --db "$DB" --json list >"$T/list.json" || fail "tickets list"
"$FAULTLINE" outbox --db "$DB" status >"$T/outbox.json" || fail "outbox status"

"$PY" - "$T/list.json" "$T/outbox.json" "$absorbed" <<'PYEOF' || fail "store content: $(cat "$T/list.json")"
import datetime, json, sys
tickets = json.load(open(sys.argv[1]))
outbox = json.load(open(sys.argv[2]))
absorbed = int(sys.argv[3])
assert len(tickets) == 1, f"{len(tickets)} tickets"
t = tickets[0]
loc = t["location"]
assert loc["span"] == "HC-YZ-R01-S02", loc
# the crew goes to both ends of the span: the more remote (two towns) sets its class
assert loc["ring"] == "HC-YZ-R01" and loc["county"] == "Yizhou" and loc["class"] == "township", loc
assert [p["id"] for p in t["places"]] == ["HC-YZ-R01-S02"], t["places"]
assert t["level"] == "urgent" and t["state"] == "open", t
# the raising alarms plus every one absorbed, summed into one counter
assert t["alarms"] >= absorbed + 1, (t["alarms"], absorbed)
assert t["cleared"] is not None, "the clear was not recorded"
assert "HC-EGOV-012" in t["circuits"], t["circuits"]
c = t["clocks"]
# urgent: respond at once within 5m of the raising (31 s after the first
# alarm: the correlation's hold); on site and repair from the first alarm
opened = int(datetime.datetime.fromisoformat(t["opened"].replace("Z", "+00:00")).timestamp()) * 10**9
assert c["respond"]["deadline_ns"] - opened == (31 + 300) * 10**9, c["respond"]
assert c["onsite"]["deadline_ns"] - opened == 3600 * 10**9, c["onsite"]  # county 1h
assert c["repair"]["deadline_ns"] - opened == 7200 * 10**9, c["repair"]  # 2h
# in event time nobody acknowledged (within 5 min) nor arrived within the
# county's hour before the recording ends: both missed, marked by the store
# at their deadlines; the 2 h repair clock still runs
assert c["respond"]["state"] == "missed" and c["onsite"]["state"] == "missed", c
assert c["repair"]["state"] == "running", c
assert outbox["pending"] >= 5 and outbox["sent"] == 0, outbox
PYEOF

pending=$(sqlite3 "$DB" "SELECT count(*) FROM outbox")
steps=$(sqlite3 "$DB" "SELECT count(*) FROM steps")
[ "$steps" -ge 2 ] || fail "steps taken: $steps"
sqlite3 "$DB" "SELECT key FROM outbox" | grep -q '^INC-2026-[0-9]*:s[0-9]*:sms:' ||
	fail "idempotency keys: $(sqlite3 "$DB" 'SELECT key FROM outbox')"

# the same recording again: the ticket continues, no step is taken twice,
# no notification is queued twice
replay
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM tickets')" = 1 ] || fail "second ticket on replay"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM outbox')" = "$pending" ] || fail "paged twice"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM steps')" = "$steps" ] || fail "steps taken twice"
grep -q "0 steps taken, [1-9][0-9]* steps already taken" "$T/replay.err" ||
	fail "second replay: $(cat "$T/replay.err")"
# --deliver: a fresh store, filled and then delivered through the file plugin
PLUGINS=${FL_PLUGINS:-$(dirname "$FAULTLINE")/plugins}
DB2="$T/delivered.db"
OUT="$T/notifications.jsonl"
"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 --quiet \
	--db "$DB2" --deliver --plugin-dir "$PLUGINS" --route sms=file --set sms.path="$OUT" \
	--route email=file --set email.path="$OUT" "$LOG" 2>"$T/deliver.err" ||
	fail "replay --deliver: $(cat "$T/deliver.err")"
[ "$(sqlite3 "$DB2" "SELECT count(*) FROM outbox WHERE state = 'sent'")" = "$pending" ] ||
	fail "not all delivered: $(sqlite3 "$DB2" 'SELECT state, count(*) FROM outbox GROUP BY state')"
[ "$(grep -c . "$OUT")" = "$pending" ] || fail "the file plugin wrote $(grep -c . "$OUT") lines"
echo "ok: replay --db: one ticket, $pending notifications, $steps steps, --deliver sent them"
