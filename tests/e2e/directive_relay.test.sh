#!/bin/sh
# Dispatch directives on the example network (two cities, five counties):
# an order to all branches is relayed through the outbox to each branch's
# duty room and liaison, delivered by the file plugin; some branches
# acknowledge in time, one late, three never; ticks past the deadlines
# escalate the silent ones to their own liaison and then to the level above
# (a county's city, a city's region), once; reports go up; `directive show`
# reads the tree and `directive report --year` the yearly record. Every step
# runs at a fixed --at time.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PLAN="-c $ROOT/rules/faultline.plan --data $ROOT/examples/network"
DB="$T/d.db"

dir() { "$FAULTLINE" directive --db "$DB" "$@"; }
rows() { sqlite3 "$DB" "$1"; }
deliver() { # AT
	"$FAULTLINE" outbox --db "$DB" --plugin-dir "$PLUGINS" \
		--route sms=file --set sms.path="$T/sms.jsonl" \
		--route email=file --set email.path="$T/email.jsonl" \
		--at "$1" run --once 2>"$T/outbox.err" || fail "outbox: $(cat "$T/outbox.err")"
}

# shellcheck disable=SC2086 # PLAN is words by design
id=$(dir issue $PLAN --from "customer dispatch centre" --level urgent \
	--text "元旦保障：全网重要通信保障，各分公司立即部署" --scope all \
	--at 2026-12-05T01:00Z 2>"$T/issue.err") || fail "issue: $(cat "$T/issue.err")"
[ "$id" = DIR-20261205-1 ] || fail "id '$id'"
grep -q 'relayed to 7 branches, 28 notices queued' "$T/issue.err" || fail "$(cat "$T/issue.err")"
# every branch's duty room and liaison, by sms and e-mail, at once
[ "$(rows "SELECT count(*) FROM outbox WHERE key LIKE 'dir:$id:r:%' AND created_ns = 1796432400000000000")" = 28 ] ||
	fail "relay rows: $(rows 'SELECT key, created_ns FROM outbox')"
[ "$(rows "SELECT count(*) FROM directive_branches WHERE directive = '$id' AND level = 'county' AND parent = 'Mingyang'")" = 3 ] ||
	fail "Mingyang's counties: $(rows 'SELECT * FROM directive_branches')"

deliver 2026-12-05T01:01Z
python3 - "$T/sms.jsonl" "$T/email.jsonl" <<'PY' || fail "delivered relay is wrong"
import json, sys
sms = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
mail = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(sms) == 14 and len(mail) == 14, (len(sms), len(mail))
to = {r["to"]["address"]: r for r in sms}
sk = to["138-0000-6121"]          # 水口县值班室
assert sk["key"] == "dir:DIR-20261205-1:r:Shuikou:duty_room:sms:138-0000-6121", sk["key"]
assert "元旦保障" in sk["body"] and "2026-12-05T01:30:00Z" in sk["body"], sk["body"]
assert sk["incident"]["branch"] == "Shuikou" and sk["incident"]["deadline"] == "2026-12-05T01:30:00Z"
assert "2026-12-05T01:15:00Z" in to["138-0000-6112"]["body"]   # 甘志强, Mingyang's liaison
PY

dir ack "$id" --branch Mingyang --by 甘志强 --at 2026-12-05T01:05Z >/dev/null || fail "ack Mingyang"
dir ack "$id" --branch Shuikou --by 吴春兰 --note 已部署 --at 2026-12-05T01:10Z >/dev/null || fail "ack Shuikou"
dir ack "$id" --branch Chengguan --by 黄建平 --at 2026-12-05T01:29Z >/dev/null || fail "ack Chengguan"
set +e
dir ack "$id" --branch Shuikou --by 吴春兰 --at 2026-12-05T01:11Z 2>"$T/twice.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "a second acknowledgement: exit $rc"

# 01:20: Qingcheng (city, due 01:15) is late: its own liaison first
# shellcheck disable=SC2086
dir tick $PLAN --at 2026-12-05T01:20Z >"$T/tick1" || fail "tick 1"
grep -q '^tick: 1 late steps taken, 1 notices queued$' "$T/tick1" || fail "tick 1: $(cat "$T/tick1")"
dir ack "$id" --branch Dongpo --by 罗丽萍 --at 2026-12-05T01:35Z >/dev/null || fail "ack Dongpo late"
# 01:50: Qingcheng's second step (its region), Lianhua and Bai'sha both steps
# shellcheck disable=SC2086
dir tick $PLAN --at 2026-12-05T01:50Z >"$T/tick2" || fail "tick 2"
grep -q '^tick: 5 late steps taken, 14 notices queued$' "$T/tick2" || fail "tick 2: $(cat "$T/tick2")"
# shellcheck disable=SC2086
dir tick $PLAN --at 2026-12-05T01:55Z >"$T/tick3" || fail "tick 3"
grep -q '^tick: 0 late steps taken, 0 notices queued$' "$T/tick3" || fail "a step fired twice: $(cat "$T/tick3")"
[ "$(rows "SELECT group_concat(branch || ':' || late_steps, ' ') FROM (SELECT * FROM directive_branches WHERE late_steps > 0 ORDER BY branch)")" = "Bai'sha:2 Lianhua:2 Qingcheng:2" ] ||
	fail "late steps: $(rows 'SELECT branch, late_steps FROM directive_branches')"
# the escalation rows: own liaison, then the level above's duty room and liaison
for row in "l1:Lianhua:leader_in_charge:sms:138-0000-6127" \
	"l2:Lianhua:duty_room:sms:138-0000-6108" "l2:Lianhua:leader_in_charge:email:zhiqiang.gan@example.net" \
	"l1:Qingcheng:leader_in_charge:sms:138-0000-6116" "l2:Qingcheng:duty_room:sms:138-0000-6101" \
	"l2:Qingcheng:leader_in_charge:sms:138-0000-6106" "l2:Bai_sha:duty_room:sms:138-0000-6113"; do
	[ "$(rows "SELECT count(*) FROM outbox WHERE key = 'dir:$id:$row'")" = 1 ] || fail "no escalation $row"
done
[ "$(rows "SELECT count(*) FROM outbox WHERE key LIKE 'dir:$id:l%:Dongpo:%' OR key LIKE 'dir:$id:l%:Shuikou:%'")" = 0 ] ||
	fail "an acknowledged branch was escalated"
rows "SELECT what FROM history WHERE ticket = '$id'" | grep -q "^Lianhua late: not acknowledged$" ||
	fail "no escalation in the history"

deliver 2026-12-05T01:56Z
grep -c '"key":"dir:DIR-20261205-1:l' "$T/sms.jsonl" | grep -qx 9 || fail "late sms delivered: $(grep -c ':l' "$T/sms.jsonl")"

# reports go up: a county's to its city, the city's sum to the region
# shellcheck disable=SC2086
dir report "$id" --branch Shuikou --by 吴春兰 --text "水口县无异常" $PLAN --at 2026-12-05T02:00Z >/dev/null ||
	fail "report Shuikou"
# shellcheck disable=SC2086
dir report "$id" --branch Mingyang --by 甘志强 --text "明阳汇总：已部署" $PLAN --at 2026-12-05T02:10Z >/dev/null ||
	fail "report Mingyang"
rows "SELECT body FROM outbox WHERE key = 'dir:$id:p:Mingyang:duty_room:email:noc-duty@example.net'" >"$T/sum"
grep -q '已确认 (acknowledged) 2, 已报告 (reported) 1' "$T/sum" && grep -q 'Shuikou: 水口县无异常' "$T/sum" ||
	fail "the city's sum: $(cat "$T/sum")"
[ "$(rows "SELECT count(*) FROM outbox WHERE key = 'dir:$id:p:Shuikou:duty_room:email:my-duty@example.net'")" = 1 ] ||
	fail "Shuikou's report did not go to Mingyang"

dir --json show "$id" --at 2026-12-05T02:10Z >"$T/show.json" || fail "show"
python3 - "$T/show.json" <<'PY' || fail "show: $(cat "$T/show.json")"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["id"] == "DIR-20261205-1" and d["branches"] == 7 and d["acknowledged"] == 4, d
tree = {b["branch"]: b for b in d["tree"]}
assert sorted(tree) == ["Mingyang", "Qingcheng"], sorted(tree)
below = {b["branch"]: b for b in tree["Mingyang"]["below"]}
assert sorted(below) == ["Dongpo", "Lianhua", "Shuikou"], sorted(below)
assert below["Lianhua"]["state"] == "late" and below["Lianhua"]["late_steps"] == 2
assert below["Dongpo"]["state"] == "acknowledged late"
assert below["Shuikou"]["report"] == "水口县无异常" and below["Shuikou"]["acknowledged_by"] == "吴春兰"
assert tree["Qingcheng"]["state"] == "late"
assert tree["Mingyang"]["reported"] == "2026-12-05T02:10:00Z"
PY
dir list >"$T/list" || fail "list"
grep -q "^$id " "$T/list" || fail "open directives: $(cat "$T/list")"

dir --json report --year 2026 >"$T/year.json" || fail "yearly record"
python3 - "$T/year.json" <<'PY' || fail "yearly record: $(cat "$T/year.json")"
import json, sys
rows = {r["branch"]: r for r in json.load(open(sys.argv[1], encoding="utf-8"))}
def counts(b):
    r = rows[b]
    return (r["received"], r["acknowledged_in_time"], r["acknowledged_late"],
            r["never_acknowledged"], r["reports"])
assert len(rows) == 7, rows
assert counts("Mingyang") == (1, 1, 0, 0, 1), counts("Mingyang")
assert counts("Shuikou") == (1, 1, 0, 0, 1), counts("Shuikou")
assert counts("Chengguan") == (1, 1, 0, 0, 0)
assert counts("Dongpo") == (1, 0, 1, 0, 0), counts("Dongpo")
assert counts("Lianhua") == (1, 0, 0, 1, 0)
assert counts("Qingcheng") == (1, 0, 0, 1, 0)
PY
[ "$(dir --json report --year 2025)" = "[]" ] || fail "a year without directives"
# the directive is not a ticket of the monthly report
"$FAULTLINE" report --db "$DB" --from 2026-12-01 --to 2027-01-01 | grep -q 'no tickets in this period' ||
	fail "the monthly report counts the directive"
echo "ok: $id relayed to 7 branches, 3 escalated twice each, reports up, yearly record"
