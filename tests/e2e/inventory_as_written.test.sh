#!/bin/sh
# The sample network's tables rewritten as people write them by hand or
# save them from a spreadsheet: a space after every comma and ';', headers
# in title case, the fixed words capitalised (City, Urgent, SNCP, Yes),
# unprotected circuits written `Unprotected`, half the priorities and the
# contact roles in the plan's Chinese (紧急, 机房值班), a quoted field after
# a blank. `faultline check` takes them without a word, and every recorded
# storm replays to exactly the actions of the tables as shipped.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"

cp -r "$SHARED/data" "$T/data"
python3 - "$T/data" <<'PY' || fail "rewriting the tables"
import csv, glob, io, os, sys
words = {"class", "priority", "protection", "level", "on_24h", "kind", "scope", "duct"}
prio_zh = {"urgent": "紧急", "severe": "严重", "general": "一般"}
role_zh = {"duty_room": "机房值班", "ops_head": "运维中心负责人", "fault_lead": "故障处理负责人",
           "repair_team": "抢修队", "leader_in_charge": "分管领导",
           "chief_engineer": "副总工程师", "customer_contact": "客户联系人"}
for path in glob.glob(os.path.join(sys.argv[1], "*.csv")):
    rows = list(csv.reader(open(path, encoding="utf-8")))
    head = rows[0]
    out = io.StringIO()
    for i, row in enumerate(rows):
        cells = []
        for j, c in enumerate(row):
            col = head[j]
            if i == 0:
                c = c.title()
            elif col == "priority" and i % 2:
                c = prio_zh[c]
            elif col == "protection":
                c = {"sncp": "SNCP", "none": "Unprotected"}[c]
            elif col == "role" and os.path.basename(path) == "contacts.csv":
                c = role_zh[c]
            elif col in words:
                c = c.capitalize()
            if i > 0:
                c = c.replace(";", "; ")
            if any(ch in c for ch in ',"\n') or (i and j == 1 and c):
                c = '"' + c.replace('"', '""') + '"'
            cells.append(c)
        out.write(", ".join(cells) + "\r\n")
    open(path, "w", encoding="utf-8").write(out.getvalue())
PY
grep -q '^Circuit, Customer' "$T/data/circuits.csv" || fail "circuits.csv was not rewritten"
grep -q ', 机房值班, ' "$T/data/contacts.csv" || fail "contacts.csv was not rewritten"

"$FAULTLINE" check "$ROOT/rules/faultline.plan" --data "$T/data" --warnings-as-errors \
	>"$T/check.out" 2>&1 || fail "check: $(head -20 "$T/check.out")"
n=0
for log in "$SHARED"/data/scenarios/*.log; do
	name=$(basename "$log" .log)
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		"$log" >"$T/$name.shipped" 2>/dev/null || fail "$name: replay on the shipped tables"
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$T/data" --year 2026 \
		"$log" >"$T/$name.written" 2>/dev/null || fail "$name: replay on the written tables"
	[ -s "$T/$name.shipped" ] || fail "$name: no actions"
	cmp -s "$T/$name.shipped" "$T/$name.written" ||
		fail "$name: the actions differ: $(diff "$T/$name.shipped" "$T/$name.written" | head -5)"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n recorded storms"
echo "ok: tables written by hand load as shipped; $n storms replay to the same actions"
