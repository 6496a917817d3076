# The example network's storms (examples/storms) replay to the outcome each
# NAME.md states, with the bundled plan reading its own data (no --data): the
# clone alone is enough.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-python3}

# summary STORM: one line per incident action, "action rule level planned title"
summary() {
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --year 2026 \
		"$ROOT/examples/storms/$1.log" 2>"$T/$1.err" >"$T/$1.jsonl" ||
		fail "$1: replay failed: $(cat "$T/$1.err")"
	"$PY" - "$T/$1.jsonl" >"$T/$1.sum" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    a = json.loads(line)
    if a["action"] in ("open", "clear", "escalate", "suppress"):
        print(a["action"], a["rule"], a["level"], "planned" if a.get("planned") else "-", a["title"])
    elif a["action"] == "notify":
        print("notify", a["role"], a["channel"], ",".join(a.get("to") or []))
PY
}
has() { grep -q -- "$2" "$T/$1.sum" || fail "$1: no '$2' in: $(cat "$T/$1.sum")"; }
count() { n=$(grep -c -- "$2" "$T/$1.sum" || true); [ "$n" -eq "$3" ] || fail "$1: '$2' $n times, want $3"; }

summary fibre-cut
count fibre-cut '^open ' 1
has fibre-cut '^open fibre_cut urgent - 光缆中断 MY-SK-R01-S02 MY-SK-HT-OSN01 1-8-1 - MY-SK-SP-OSN01 1-7-1$'
has fibre-cut '^clear fibre_cut '
has fibre-cut '^notify repair_team sms 水口县抢修队'
has fibre-cut '^notify customer_contact sms 明阳市大数据中心'

summary site-power
count site-power '^open ' 1
has site-power '^open site_down severe - 市电中断 明阳莲花机房 (MY-LH, Lianhua)$'
has site-power '^escalate site_down urgent - 站点故障 明阳莲花机房 (MY-LH, Lianhua)$'
has site-power '^notify fault_lead sms 陆建明'	# Lianhua has none: Mingyang's
has site-power '^notify customer_contact sms 明阳市教育局信息中心'

summary flapping-link
count flapping-link '^open ' 1
has flapping-link '^open link_flap general - 端口振荡 MY-DP-RT01 GigabitEthernet0/3/1 (明阳东坡中心机房)$'

summary maintenance
count maintenance '^open ' 1
has maintenance '^open fibre_cut urgent planned 光缆中断 MY-CR01-S04 '
count maintenance '^notify ' 0

summary quiet-hours
count quiet-hours '^open ' 0

# the site plan of docs/vendors.md: the vendor library with levels, ladders
# and correlations of its own compiles clean, and the library's tests pass in it
"$FAULTLINE" check "$ROOT/examples/site.plan" --warnings-as-errors 2>"$T/site.err" ||
	fail "examples/site.plan: $(cat "$T/site.err")"
"$FAULTLINE" test "$ROOT/examples/site.plan" --data "$ROOT/tests/networks/hilltown" >"$T/site.out" 2>"$T/site.err" ||
	fail "examples/site.plan tests: $(cat "$T/site.err")"
grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$T/site.out" || fail "site.plan: $(cat "$T/site.out")"
echo "ok"
