#!/bin/sh
# The Fengshan site power failure (../shared/data/scenarios/site-power-hechi.log)
# under the bundled plan with its mains-failure rules raised at `general`, as
# the scenario allows ("general level at first is fine"): the routine ladder
# pages the duty room at the mains failure; when the site goes dark the
# incident becomes the urgent site outage, and the emergency ladder starts
# then (the crew dispatched, the leader told, the customers told), and the
# ticket's clocks follow the raise: an on-site clock from the outage, the
# repair clock still from the fault. Before, the incident kept the routine
# ladder and the general clocks: nobody was dispatched.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
DB="$T/site.db"
LOG="$SHARED/data/scenarios/site-power-hechi.log"

cp -r "$ROOT/rules" "$T/rules"
cp -r "$ROOT/examples" "$T/examples" # the plan's tests read its network
sed -i 's/raise level severe title "市电中断/raise level general title "市电中断/' "$T"/rules/vendors/*.plan
grep -q 'raise level general title "市电中断' "$T/rules/vendors/huawei.plan" ||
	fail "the plan was not rewritten"
"$FAULTLINE" replay -c "$T/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
	--db "$DB" "$LOG" >"$T/actions.jsonl" 2>"$T/replay.err" || fail "replay: $(cat "$T/replay.err")"
grep -q ', 0 errors' "$T/replay.err" || fail "store errors: $(cat "$T/replay.err")"
q() { sqlite3 "$DB" "$1"; }

[ "$(q 'SELECT count(*) FROM tickets')" = 1 ] || fail "tickets: $(q 'SELECT id, rule, site FROM tickets')"
[ "$(q 'SELECT level FROM tickets')" = urgent ] || fail "level: $(q 'SELECT level FROM tickets')"
opened=$(q 'SELECT opened_ns FROM tickets')
raised=$(q "SELECT at_ns FROM history WHERE what = 'updated: level urgent'")
[ -n "$raised" ] && [ "$raised" -gt "$opened" ] || fail "no raise after the opening: $(q 'SELECT at_ns, what FROM history')"

# the emergency ladder from the raise: each of its first pages once, at the raise
python3 - "$T/actions.jsonl" <<'PY' || fail "the ladders: see above"
import json, sys
acts = [json.loads(l) for l in open(sys.argv[1])]
raise_at = next(a["time"] for a in acts if a["action"] == "escalate" and a["level"] == "urgent")
pages = [(a["time"], a.get("role"), a.get("channel")) for a in acts if a["action"] == "notify"]
def at(role):
    return [t for t, r, c in pages if r == role]
bad = []
# routine: the duty room at once, the fault lead when 30 min pass unacknowledged
before = [(r, c) for t, r, c in pages if t < raise_at]
if before != [("duty_room", "sms"), ("fault_lead", "sms")]:
    bad.append("before the raise only the routine ladder's pages: %r" % before)
for role in ("repair_team", "fault_lead", "ops_head", "customer_contact"):
    if raise_at not in at(role):
        bad.append("%s not paged at the raise %s: %r" % (role, raise_at, at(role)))
if len(at("repair_team")) != 1:
    bad.append("the crew paged %d times" % len(at("repair_team")))
if any(r is None for t, r, c in pages):
    bad.append("a page without a role")
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# the ticket's clocks: on site 1 h (a county) from the raise, repair 2 h
# from the fault (urgent's from the raise would be later)
[ "$(q "SELECT deadline_ns FROM clocks WHERE clock = 'onsite'")" = $((raised + 3600000000000)) ] ||
	fail "on-site clock: $(q "SELECT * FROM clocks") (raised $raised)"
[ "$(q "SELECT deadline_ns FROM clocks WHERE clock = 'repair'")" = $((opened + 7200000000000)) ] ||
	fail "repair clock: $(q "SELECT * FROM clocks") (opened $opened)"
[ "$(q "SELECT at_ns FROM history WHERE what = 'ladder started'")" = "$raised" ] ||
	fail "the new ladder's start is not noted at the raise: $(q 'SELECT at_ns, what FROM history')"
[ "$(q "SELECT count(*) FROM outbox WHERE role = 'repair_team'")" -ge 1 ] ||
	fail "no page to the crew queued: $(q 'SELECT role, channel FROM outbox')"
echo "ok: a general power alarm raised to an urgent site outage runs the emergency ladder from the raise"
