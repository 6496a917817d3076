#!/bin/sh
# `faultline replay --db` through a maintenance window (maintenance.csv:
# MW-2026-1128-01, span HC-JCJ-R01-S01, 00:30-04:30 +08:00), in event time.
# A cut inside the window that outlives it: the ticket opens planned with
# its clocks paused ("maintenance"), nobody is paged until 04:30; then the
# history says the window ended, the clocks resume with their deadlines moved
# by the pause, and the ladder pages from 04:30. A cut cleared inside the
# window never pages, and its clocks stop: the report counts none missed.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
PY="${FL_PYTHON:-/usr/bin/python3}"

replay() { # DB LOG
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--db "$1" "$2" >"$2.jsonl" 2>"$T/replay.err" || fail "replay: $(cat "$T/replay.err")"
}

cat >"$T/outlives.log" <<'EOF'
<130>Nov 28 01:05:12 HC-JCJ-OSN04 OSN: R_LOS raised port=1-8-1 board=N1SL16 level=critical seq=1373
<130>Nov 28 01:05:13 HC-JCJ-ZWZX-OSN01 OSN: R_LOS raised port=1-7-1 board=N1SL16 level=critical seq=5049
<134>Nov 28 03:00:00 HC-JCJ-OSN04 OSN: R_LOS raised port=1-8-1 board=N1SL16 level=critical seq=1390
<134>Nov 28 05:10:00 HC-YZ-LX-OSN01 OSN: NTP synchronised seq=8001
EOF
replay "$T/outlives.db" "$T/outlives.log"
"$FAULTLINE" tickets --db "$T/outlives.db" --json list >"$T/list.json" || fail "tickets list"
ID=$(sqlite3 "$T/outlives.db" 'SELECT id FROM tickets')
sqlite3 -separator '|' "$T/outlives.db" \
	"SELECT at_ns, what, coalesce(note, '') FROM history WHERE ticket = '$ID' ORDER BY id" \
	>"$T/history.txt"
sqlite3 "$T/outlives.db" "SELECT created_ns FROM outbox WHERE ticket = '$ID'" >"$T/outbox.txt"
grep -q '"action":"update".*"reason":"window ended"' "$T/outlives.log.jsonl" ||
	fail "no window-ended action: $(cat "$T/outlives.log.jsonl")"

"$PY" - "$T/list.json" "$T/history.txt" "$T/outbox.txt" <<'PYEOF' || fail "store: $(cat "$T/history.txt")"
import json, sys, datetime
tickets = json.load(open(sys.argv[1]))
history = [l.rstrip("\n").split("|", 2) for l in open(sys.argv[2])]
created = [int(l) for l in open(sys.argv[3]) if l.strip()]
ns = lambda s: int(datetime.datetime.fromisoformat(s).timestamp()) * 10**9
end = ns("2026-11-28T04:30:00+08:00")
assert len(tickets) == 1, tickets
t = tickets[0]
assert t["location"]["span"] == "HC-JCJ-R01-S01", t["location"]
assert t["planned"] is False, "still planned after its window"
opened = ns(t["opened"].replace("Z", "+00:00")) if t["opened"].endswith("Z") else ns(t["opened"])
whats = [w for _, w, _ in history]
paused = [h for h in history if h[1].endswith("clock paused")]
assert paused and all(h[2] == "maintenance" for h in paused), history
assert "window MW-2026-1128-01 ended" in whats, whats
ended_at = int(next(h[0] for h in history if h[1] == "window MW-2026-1128-01 ended"))
assert ended_at == end, (ended_at, end)
resumed = [h for h in history if h[1].endswith("clock resumed")]
assert len(resumed) == len(paused), (paused, resumed)
# nobody paged before the window's end, the ladder from then
assert created, "nothing paged after the window"
assert min(created) >= end, (min(created), end)
# respond (at once within 5m) came due 5 min after the window's end, 04:35,
# and was missed by 05:00, the store's last record (the engine's "on-site
# clock missed" step); on site (30 min: both ends are city sites) comes due
# at that very instant, not past it yet; repair (2 h: 06:30) runs. Respond was paused from the
# ticket's raising (31 s after the first alarm: the hold), the others from
# the fault.
want = {"respond": "missed", "onsite": "running", "repair": "running"}
for name, c in t["clocks"].items():
    if c is None:
        continue
    assert c["state"] == want[name] and c["pauses"] == 1, (name, c)
    start = opened + (31 * 10**9 if name == "respond" else 0)
    assert c["paused_ms"] == (end - start) // 10**6, (name, c["paused_ms"], end - start)
assert t["clocks"]["respond"]["deadline_ns"] == end + 300 * 10**9, t["clocks"]["respond"]
assert t["clocks"]["onsite"]["deadline_ns"] == end + 1800 * 10**9, t["clocks"]["onsite"]
assert t["location"]["class"] == "city", t["location"]
PYEOF
# The report judges by the store's own time (its last record, the on-site
# step at 05:00), not by the day it runs: respond (due 04:35) was missed, as
# the engine's own escalation says; on site was due that instant and repair
# (06:30) later, and the time paused in the window counted against none.
"$FAULTLINE" report --db "$T/outlives.db" --json --from 2026-11-01 --to 2026-12-01 \
	>"$T/report.json" 2>"$T/report.err" || fail "report: $(cat "$T/report.err")"
"$FAULTLINE" report --db "$T/outlives.db" --json --from 2026-11-01 --to 2026-12-01 \
	--at 2026-11-28T07:00+08:00 >"$T/report_at.json" 2>"$T/report.err" ||
	fail "report --at: $(cat "$T/report.err")"
grep -q '|escalated|respond clock missed$' "$T/history.txt" ||
	fail "the engine did not escalate the missed respond clock: $(cat "$T/history.txt")"
"$PY" - "$T/report.json" "$T/report_at.json" <<'PYEOF' || fail "report: $(cat "$T/report.json")"
import json, sys
report = json.load(open(sys.argv[1]))
area = report["areas"][0]
assert area["county"] == "Jinchengjiang", area
assert report["as_of"] == "2026-11-27T21:00:00Z", report["as_of"]
assert area["clocks"]["paused"] >= 1 and area["clocks"]["paused_ms"] > 0, area
assert area["clocks"]["missed"] == 1, "respond was past its deadline at 05:00"
later = json.load(open(sys.argv[2]))
assert later["as_of"] == "2026-11-27T23:00:00Z", later["as_of"]
assert later["areas"][0]["clocks"]["missed"] == 3, "by 07:00 every clock was missed"
PYEOF

# cleared inside its window: planned, cleared, nobody paged
cat >"$T/inside.log" <<'EOF'
<130>Nov 28 01:05:12 HC-JCJ-OSN04 OSN: R_LOS raised port=1-8-1 board=N1SL16 level=critical seq=1373
<130>Nov 28 01:05:13 HC-JCJ-ZWZX-OSN01 OSN: R_LOS raised port=1-7-1 board=N1SL16 level=critical seq=5049
<133>Nov 28 03:41:07 HC-JCJ-OSN04 OSN: R_LOS cleared port=1-8-1 board=N1SL16 level=critical seq=1396
<133>Nov 28 03:41:08 HC-JCJ-ZWZX-OSN01 OSN: R_LOS cleared port=1-7-1 board=N1SL16 level=critical seq=5072
<134>Nov 28 05:10:00 HC-YZ-LX-OSN01 OSN: NTP synchronised seq=8001
EOF
replay "$T/inside.db" "$T/inside.log"
[ "$(sqlite3 "$T/inside.db" 'SELECT count(*) FROM tickets WHERE planned = 1 AND cleared_ns IS NOT NULL')" = 1 ] ||
	fail "the cut inside the window: $(sqlite3 "$T/inside.db" 'SELECT id, planned, cleared_ns FROM tickets')"
[ "$(sqlite3 "$T/inside.db" 'SELECT count(*) FROM outbox')" = 0 ] ||
	fail "a fault cleared inside its window paged: $(sqlite3 "$T/inside.db" 'SELECT key FROM outbox')"
! grep -q '"reason":"window ended"' "$T/inside.log.jsonl" || fail "window ended on a cleared fault"
[ "$(sqlite3 "$T/inside.db" "SELECT count(*) FROM clocks WHERE state = 'stopped'")" -ge 1 ] &&
	[ "$(sqlite3 "$T/inside.db" "SELECT count(*) FROM clocks WHERE state IN ('paused', 'running')")" = 0 ] ||
	fail "clocks of the fault cleared inside: $(sqlite3 "$T/inside.db" 'SELECT clock, state FROM clocks')"
"$FAULTLINE" report --db "$T/inside.db" --json --from 2026-11-01 --to 2026-12-01 >"$T/inside.json" ||
	fail "report of the fault cleared inside"
"$PY" -c 'import json, sys; a = json.load(open(sys.argv[1]))["areas"][0]["clocks"]
assert a["missed"] == 0 and a["paused"] >= 1, a' "$T/inside.json" ||
	fail "report: $(cat "$T/inside.json")"
echo "ok: window end: $ID paged from 04:30 with its clocks resumed; a fault cleared inside paged nobody"
