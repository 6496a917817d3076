# Each recorded storm of $FL_SHARED/data/scenarios through the bundled plan:
# the one correct outcome its .md describes, asserted on the action stream.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${FL_SHARED:-/work/shared}
S=$SHARED/data/scenarios

replay() { # NAME [FILE]: actions in $T/NAME.jsonl, summary in $T/NAME.err
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		"${2:-$S/$1.log}" >"$T/$1.jsonl" 2>"$T/$1.err" || fail "$1: replay exited $?"
	grep -q '^replay: ' "$T/$1.err" || fail "$1: no summary on stderr"
}

# check NAME PYTHON: runs the assertions with `acts` (the actions) in scope.
check() {
	python3 - "$T/$1.jsonl" "$1" <<PY || fail "$1: outcome"
import json, sys
acts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
name = sys.argv[2]
def of(kind, rule=None):
    return [a for a in acts if a["action"] == kind and (rule is None or a["rule"] == rule)]
def last(inc):
    return [a for a in acts if a["incident"] == inc][-1]
def need(cond, what):
    if not cond:
        print(name + ": " + what, file=sys.stderr)
        sys.exit(1)
$2
PY
}

replay fibre-cut-hechi
check fibre-cut-hechi '
o = of("open")
need(len(o) == 1, "exactly one incident, got %d" % len(o))
o = o[0]
need(o["rule"] == "fibre_cut" and o["level"] == "urgent", "an urgent fibre cut")
loc = o["location"]
need(loc["span"] == "HC-YZ-R01-S02" and loc["ring"] == "HC-YZ-R01", "on span HC-YZ-R01-S02")
need(loc["county"] == "Yizhou" and loc["city"] == "Hechi" and loc["class"] == "township", "in Yizhou, between two towns")
need(o["time"].startswith("2026-11-25T02:02:"), "opened from the two R_LOS: " + o["time"])
need(last(o["incident"])["absorbed"] > 300, "the storm absorbed")
c = of("clear", "fibre_cut")
need(len(c) == 1 and c[0]["time"].startswith("2026-11-25T03:33:43"), "cleared when both R_LOS clear")
roles = {(a["role"], a["scope"]) for a in of("notify")}
need(("customer_contact", "customer") in roles, "the customer is told")
need(not any(r == "chief_engineer" for r, s in roles), "the 2 h repair clock is not missed")
need(all(a["to"] for a in of("notify")), "every notification reaches someone")
need(c[0]["fields"] == {"located": "HC-YZ-R01 Hechi Yizhou"}, "set located: %r" % c[0].get("fields"))
h = c[0]["history"]
need(h[0]["action"] == "open" and h[-1]["action"] == "clear", "history from open to clear")
need(any(x["action"] == "absorb" for x in h), "absorptions in the history")
'

replay flapping-link
check flapping-link '
o = of("open")
need(len(o) == 1 and o[0]["rule"] == "link_flap" and o[0]["level"] == "general", "one flap incident")
need("HC-JCJ-RT02 GigabitEthernet0/3/1" in o[0]["title"], "on the port")
need(last(o[0]["incident"])["count"] == 32, "all 16 flaps (32 changes) counted")
need(len(of("clear", "link_flap")) == 1, "cleared once the link is stable")
'

replay maintenance
check maintenance '
o = of("open")
need(len(o) == 1 and o[0]["rule"] == "fibre_cut", "one fibre cut")
need(o[0]["location"]["span"] == "HC-JCJ-R01-S01", "on HC-JCJ-R01-S01")
need(o[0]["planned"] is True and o[0]["window"] == "MW-2026-1128-01", "planned")
need(not of("notify") and not of("escalate"), "nobody paged, no clock escalates")
need(len(of("clear", "fibre_cut")) == 1, "closed when R_LOS clears")
'
# the same alarms a day later are outside the window: they page
sed 's/Nov 28/Nov 29/; s/2026-11-28T/2026-11-29T/' "$S/maintenance.log" >"$T/shifted.log"
replay maintenance-shifted "$T/shifted.log"
check maintenance-shifted '
o = of("open")
need(len(o) == 1 and o[0]["planned"] is False, "unplanned")
need(len(of("notify")) > 0, "pages")
'

replay self-clearing
check self-clearing '
need(not of("open"), "no incident")
need(not of("notify"), "nobody paged")
s = of("suppress", "fibre_cut")
need(len(s) == 1 and s[0]["location"]["span"] == "HC-HJ-R01-S04", "the transient recorded once")
'

replay site-power-hechi
check site-power-hechi '
o = of("open")
need(len(o) == 1, "exactly one incident, got %d" % len(o))
inc = o[0]["incident"]
need(o[0]["rule"] == "site_down" and o[0]["level"] == "severe" and
     o[0]["time"].startswith("2026-11-25T18:1"),
     "the site incident opened at the mains failure, severe while on battery")
up = [a for a in of("escalate", "site_down") if a["incident"] == inc and a["level"] == "urgent"]
need(up and not up[0].get("reason"), "that becomes an urgent site outage")
fin = last(inc)
loc = fin["location"]
need(fin["rule"] == "site_down" and loc["site"] == "HC-FS", "on HC-FS")
need(loc["county"] == "Fengshan" and loc["class"] == "county", "in Fengshan, class county")
need(not of("open", "fibre_cut") and not of("escalate", "fibre_cut"), "no fibre cut")
fl = [a for a in of("notify") if a["role"] == "fault_lead" and a["rule"] == "site_down"]
need(fl and all(a["fell_back"] for a in fl), "fault_lead falls back above Fengshan")
need([a for a in of("clear") if a["incident"] == inc], "clears when the site talks again")
need(fin["absorbed"] > 50, "alarms absorbed")
'

replay storm-one-device
check storm-one-device '
o = of("open")
need(len(o) == 1 and o[0]["rule"] == "mac_flap", "one incident")
need(o[0]["location"]["device"] == "GL-XF-SW01", "on GL-XF-SW01")
need(last(o[0]["incident"])["count"] == 2251, "tally of 2251")
need("last_mac" in last(o[0]["incident"]).get("fields", {}), "set last_mac")
need(len(of("notify")) <= 3, "told once, not per line")
'

replay two-faults
check two-faults '
o = of("open")
need(len(o) == 2 and all(a["rule"] == "fibre_cut" for a in o), "two fibre cuts")
need(sorted(a["location"]["span"] for a in o) == ["BS-TD-R01-S02", "LZ-RA-R01-S03"], "the two spans")
need(len(of("clear", "fibre_cut")) == 2, "each clears")
for a in o:
    need(last(a["incident"])["absorbed"] > 0, "each absorbs its own ring")
duty = {a["incident"]: a["to"][0] for a in of("notify") if a["role"] == "duty_room"}
need(len(set(duty.values())) == 2, "two different duty rooms")
'
echo "ok"
