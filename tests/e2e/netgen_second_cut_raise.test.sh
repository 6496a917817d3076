#!/bin/sh
# A second cut on a ring raises the fibre-cut incident to the plan's most
# severe level (a ring outage). Under a plan whose fibre cut opens at
# `general` (its routine ladder: the duty room only), the raise starts the
# emergency ladder at the second cut: the crew, the fault lead and the
# customers are paged then, once, the leader 5 min later if nobody answers,
# and the routine ladder's duty-room page is not sent again. Before, the
# incident kept the routine ladder: nobody was dispatched to the outage.
# A fixed netgen seed (../shared/netgen): the same ring, cuts and times.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
PY="${FL_PYTHON:-/usr/bin/python3}"
NETGEN="$SHARED/netgen"

[ -f "$NETGEN/netgen.py" ] || fail "no netgen at $NETGEN: the tests need ../shared beside the repository"
"$PY" "$NETGEN/netgen.py" batch --seed 99 --count 1 --kinds second-cut --out "$T/cases" \
	>"$T/gen.out" 2>&1 || fail "netgen: $(tail -3 "$T/gen.out")"
case_dir=$(ls -d "$T"/cases/case-* | head -1)
log=$(ls "$case_dir"/*.log | head -1)

cp -r "$ROOT/rules" "$T/rules"
cp -r "$ROOT/examples" "$T/examples" # the plan's tests read its network
# the fibre cut at general with the level's own ladder; no circuit raises it
sed -i -e 's/raise level urgent title "光缆中断 \(.*\)" ladder emergency;/raise level general title "光缆中断 \1";/' \
	-e '/^    circuits \(urgent\|severe\);/d' "$T/rules/faultline.plan"
grep -q 'raise level general title "光缆中断' "$T/rules/faultline.plan" || fail "the plan was not rewritten"
"$FAULTLINE" replay -c "$T/rules/faultline.plan" --data "$case_dir/net" --year 2026 "$log" \
	>"$T/actions.jsonl" 2>"$T/replay.err" || fail "replay: $(tail -3 "$T/replay.err")"

"$PY" - "$T/actions.jsonl" <<'PY' || fail "the ladders at the second cut"
import json, sys
from datetime import datetime, timedelta
acts = [json.loads(l) for l in open(sys.argv[1])]
opens = [a for a in acts if a["action"] == "open"]
raises = [a for a in acts if a["action"] == "escalate" and a.get("reason") is None]
bad = []
if len(opens) != 1 or opens[0]["level"] != "general":
    bad.append("one incident opened at general: %r" % [(a["time"], a["level"]) for a in opens])
if len(raises) != 1 or raises[0]["level"] != "urgent":
    bad.append("one raise to urgent: %r" % [(a["time"], a["level"]) for a in raises])
if not bad:
    at = raises[0]["time"]
    pages = [(a["time"], a["role"], a["channel"], a.get("reason")) for a in acts
             if a["action"] == "notify"]
    before = [p for p in pages if p[0] < at]
    if [(r, c) for t, r, c, why in before] != [("duty_room", "sms")]:
        bad.append("before the raise only the routine ladder's page: %r" % before)
    now = [(r, c) for t, r, c, why in pages if t == at]
    for want in (("duty_room", "sms"), ("fault_lead", "sms"), ("repair_team", "sms")):
        if now.count(want) != 1:
            bad.append("%s paged %d times at the raise: %r" % (want, now.count(want), now))
    if any(why for t, r, c, why in pages if t == at):
        bad.append("worsened or joined pages beside the new ladder: %r"
                   % [p for p in pages if p[0] == at])
    t0 = datetime.fromisoformat(at.replace("Z", "+00:00"))
    later = (t0 + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if ("leader_in_charge", "sms") not in [(r, c) for t, r, c, why in pages if t == later]:
        bad.append("the leader not paged 5 min after the raise (%s): %r" % (later, pages))
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
echo "ok: a second cut raises a general fibre cut to urgent and starts the emergency ladder then"
