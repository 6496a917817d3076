#!/bin/sh
# The yearly record of each branch (`faultline report --year`) on a store
# that holds both tickets and dispatch directives: the fibre cut of the
# example network (a ticket in Shuikou, Mingyang), and an order to Mingyang
# and its counties that Mingyang and Dongpo acknowledged in time, Shuikou
# late and Lianhua never. Lianhua alone fails the directive item (一票否决);
# Shuikou's ticket counts for it and for its city. Fixed times throughout.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLAN="-c $ROOT/rules/faultline.plan --data $ROOT/examples/network"
DB="$T/y.db"

# shellcheck disable=SC2086 # PLAN is words by design
"$FAULTLINE" replay $PLAN --year 2026 --db "$DB" --quiet "$ROOT/examples/storms/fibre-cut.log" \
	>/dev/null 2>"$T/replay.err" || fail "replay: $(tail -n 3 "$T/replay.err")"
# shellcheck disable=SC2086
id=$("$FAULTLINE" directive --db "$DB" issue $PLAN --from "区公司" --level urgent --text "保障" \
	--scope "city Mingyang" --at 2026-12-05T01:00Z 2>"$T/issue.err") || fail "issue: $(cat "$T/issue.err")"
ack() { "$FAULTLINE" directive --db "$DB" ack "$id" --branch "$1" --by duty --at "$2" >/dev/null || fail "ack $1"; }
ack Mingyang 2026-12-05T01:05Z
ack Dongpo 2026-12-05T01:10Z
ack Shuikou 2026-12-05T01:45Z

"$FAULTLINE" report --db "$DB" --year 2026 --at 2026-12-31T00:00Z >"$T/year.txt" || fail "report --year"
grep -q '^  Lianhua  *county .* FAIL (否决)$' "$T/year.txt" || fail "Lianhua: $(cat "$T/year.txt")"
[ "$(grep -c ' pass$' "$T/year.txt")" = 3 ] || fail "passes: $(cat "$T/year.txt")"
"$FAULTLINE" report --db "$DB" --year 2026 --json --at 2026-12-31T00:00Z >"$T/year.json" || fail "report --year --json"
python3 - "$T/year.json" <<'PY' || fail "json: $(cat "$T/year.json")"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["year"] == 2026 and d["as_of"] == "2026-12-31T00:00:00Z", d
b = {x["branch"]: x for x in d["branches"]}
assert [x["branch"] for x in d["branches"]] == ["Mingyang", "Dongpo", "Lianhua", "Shuikou"], list(b)
assert b["Mingyang"]["level"] == "city" and b["Mingyang"]["tickets"] == 1, b["Mingyang"]
assert b["Shuikou"]["tickets"] == 1 and b["Shuikou"]["acknowledged_late"] == 1, b["Shuikou"]
assert b["Shuikou"]["directives_pass"] is True and b["Shuikou"]["city"] == "Mingyang"
assert b["Lianhua"]["never_acknowledged"] == 1 and b["Lianhua"]["directives_pass"] is False
assert b["Dongpo"]["tickets"] == 0 and b["Dongpo"]["acknowledged_in_time"] == 1
PY
# before its deadline the order is open, not failed
"$FAULTLINE" report --db "$DB" --year 2026 --at 2026-12-05T01:20Z --json >"$T/early.json" || fail "early"
python3 -c 'import json,sys; b={x["branch"]: x for x in json.load(open(sys.argv[1]))["branches"]}; assert b["Lianhua"]["open"] == 1 and b["Lianhua"]["directives_pass"], b["Lianhua"]' \
	"$T/early.json" || fail "early: $(cat "$T/early.json")"
"$FAULTLINE" report --db "$DB" --year 2025 >"$T/none.txt" || fail "2025"
grep -q '^no tickets and no directives in 2025$' "$T/none.txt" || fail "2025: $(cat "$T/none.txt")"
set +e
"$FAULTLINE" report --db "$DB" --year 2026 --from 2026-01-01 --to 2026-02-01 2>"$T/both.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--year with --from: exit $rc"
echo "ok: report --year: four branches, tickets beside directives, Lianhua fails the directive item"
