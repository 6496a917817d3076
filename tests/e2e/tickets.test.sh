#!/bin/sh
# faultline tickets, maintenance and report on a temporary store.
#
# The store is created by faultline itself (`tickets --create` opens and
# migrates it; without --create a store that is not there is refused); the tickets the correlation engine would open are then written with
# the sqlite3 shell through the schema docs/store.md documents, as any other
# tool may. Everything after that goes through the commands a duty operator
# uses: the lifecycle edges, refusals with their reasons, clocks met and
# missed, a pause, the JSON fields, maintenance windows and the report.
. "$(dirname "$0")/lib.sh"
DB="$T/faultline.db"
PY="${FL_PYTHON:-/usr/bin/python3}"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"

tickets() { "$FAULTLINE" tickets --db "$DB" "$@"; }

# expect STATUS CMD...: run CMD, its exit status must be STATUS; output in $T/out, $T/err.
expect() {
	want=$1
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "$*: exit $got, want $want: $(cat "$T/err")"
}

# --- a store that is not there is refused, not made empty ------------------
for cmd in "tickets list" "tickets ack 1 --by e2e" "maintenance list" \
	"report --from 2020-01-01 --to 2040-01-01"; do
	# shellcheck disable=SC2086 # the words of the command
	expect 1 "$FAULTLINE" ${cmd%% *} --db "$T/mistyped/faultline.db" ${cmd#* }
	grep -q "^faultline ${cmd%% *}: no store at $T/mistyped/faultline.db (give --create" "$T/err" ||
		fail "$cmd: $(cat "$T/err")"
done
expect 1 tickets list
[ ! -e "$DB" ] || fail "a refused command made $DB"

# --- an empty store is created and migrated --------------------------------
expect 0 tickets --create list
grep -q '^ID  *STATE  *LEVEL  *LOCATION  *AGE  *NEXT DEADLINE  *TOLD' "$T/out" ||
	fail "no table header: $(cat "$T/out")"
want=$(sed -n 's/^#define FL_STORE_SCHEMA_VERSION \([0-9]*\)$/\1/p' "$(dirname "$0")/../../engine/store/store.h")
[ -n "$want" ] || fail "no FL_STORE_SCHEMA_VERSION in engine/store/store.h"
[ "$(sqlite3 "$DB" 'SELECT max(version) FROM schema_version')" = "$want" ] ||
	fail "schema not at version $want"
[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ] || fail "store not in WAL mode"

# --- seed: two urgent fibre cuts, opened 5 and 30 minutes ago ---------------
now=$(date +%s)
S=1000000000
seed_ticket() { # id opened_s span city county
	o=$(($2 * S))
	sqlite3 "$DB" <<SQL
INSERT INTO tickets(id, rule, key, level, title, state, span, ring, county, city, loc_class,
  circuits, customers, opened_ns, updated_ns)
  VALUES('$1', 'fibre_cut', '$3', 'urgent', '$3 光缆中断', 'open', '$3', 'RING-GX-1', '$5', '$4',
  'city', 'CIR-HC-01;CIR-HC-02', '河池电子政务外网', $o, $o);
INSERT INTO clocks(ticket, clock, state, budget_ms, deadline_ns) VALUES
  ('$1', 'respond', 'running', 900000, $o + 900 * $S),
  ('$1', 'onsite', 'running', 7200000, $o + 7200 * $S),
  ('$1', 'repair', 'running', 7200000, $o + 7200 * $S);
INSERT INTO history(ticket, at_ns, what, by, note) VALUES('$1', $o, 'opened', 'faultline', NULL);
INSERT INTO outbox(ticket, key, channel, role, person, address, subject, body, incident_json,
  state, created_ns, due_ns, expires_ns)
  VALUES('$1', '$1:sms:duty', 'sms', 'duty operator', '王工', '13800002112', 'cut', 'cut', '{}',
  'sent', $o, $o, $o + 86400 * $S);
SQL
}
seed_ticket INC-1 $((now - 300)) SPAN-NN-LZ-01 柳州 柳江区
seed_ticket INC-2 $((now - 1800)) SPAN-HC-YZ-02 河池 宜州区

expect 0 tickets list
grep -q '^INC-1  *open  *urgent  *SPAN-NN-LZ-01 (柳州 柳江区)  *5m  *respond in [0-9]*m  *duty operator 王工 (sms, sent)' "$T/out" ||
	fail "INC-1 row is wrong: $(cat "$T/out")"
grep -q '^INC-2 .*respond 15m overdue' "$T/out" || fail "INC-2 not overdue: $(cat "$T/out")"
# the columns line up although the locations hold Chinese text
"$PY" - "$T/out" <<'PY' || fail "table columns are not aligned: $(cat "$T/out")"
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
def age_col(l):
    for token in ("AGE", " 5m ", " 30m "):
        if token in l:
            return width(l[:l.index(token) + (token[0] == " ")])
cols = [age_col(l) for l in lines]
assert len(set(cols)) == 1, cols
PY

# --- watch: the list redrawn every --interval seconds ------------------------
# Not a terminal here: the frames follow one another, each with its time in
# the asked zone; on a terminal each frame clears the screen first.
expect 0 timeout 60 "$FAULTLINE" tickets --db "$DB" --tz Asia/Shanghai watch --interval 1 --frames 2
"$PY" - "$T/out" <<'PY' || fail "watch frames are wrong: $(cat "$T/out")"
import datetime, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
stamps = re.findall(r"^faultline tickets at (\S+), every 1 s$", text, re.M)
assert len(stamps) == 2, stamps
at = [datetime.datetime.fromisoformat(s) for s in stamps]
assert all(t.utcoffset() == datetime.timedelta(hours=8) for t in at), stamps
assert (at[1] - at[0]).total_seconds() >= 1, stamps
assert len(re.findall(r"^INC-1 ", text, re.M)) == 2 and len(re.findall(r"^INC-2 ", text, re.M)) == 2
assert len(re.findall(r"^2 tickets, 1 past a deadline$", text, re.M)) == 2, text
assert "\033" not in text
PY
expect 0 timeout 60 script -qec "$FAULTLINE tickets --db $DB watch --frames 1" /dev/null
grep -q "$(printf '\033\\[H\033\\[2J')" "$T/out" || fail "watch on a terminal does not redraw in place"
grep -q 'Ctrl-C ends' "$T/out" || fail "watch on a terminal does not say how it ends"
expect 2 tickets watch --interval 0
expect 2 tickets watch --frames x

# --- lifecycle: refusals, then every edge in order --------------------------
expect 1 tickets close INC-1 --by wang
grep -q 'cannot close INC-1: it is open; close needs resolved' "$T/err" || fail "$(cat "$T/err")"
expect 1 tickets restore INC-1 --by wang
grep -q 'restore needs acknowledged or dispatched or on site' "$T/err" || fail "$(cat "$T/err")"
expect 1 tickets ack INC-404 --by wang
grep -q 'no ticket INC-404' "$T/err" || fail "$(cat "$T/err")"
expect 2 tickets frobnicate INC-1
expect 2 tickets ack

expect 0 tickets ack INC-1 --by wang --note "seen, calling the county"
grep -q 'INC-1: acknowledged by wang' "$T/out" || fail "$(cat "$T/out")"
expect 1 tickets ack INC-1 --by wang
expect 0 tickets dispatch INC-1 --by wang --note "team 3 from 柳江"
expect 0 tickets pause INC-1 --clock onsite --note "no site access: road closed" --by li
expect 1 tickets pause INC-1 --clock onsite --note "again" --by li
grep -q 'it is not running' "$T/err" || fail "$(cat "$T/err")"
expect 0 tickets --json show INC-1
"$PY" - "$T/out" <<'PY' || fail "paused clock not shown: $(cat "$T/out")"
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
assert t["clocks"]["onsite"]["paused"] is True, t["clocks"]
assert t["state"] == "dispatched", t["state"]
PY
expect 0 tickets resume INC-1 --clock onsite --by li
expect 0 tickets onsite INC-1 --by zhao
expect 1 tickets resolve INC-1 --by zhao
expect 0 tickets restore INC-1 --by zhao --note "spliced"
expect 0 tickets resolve INC-1 --by zhao
expect 0 tickets close INC-1 --by wang --note "archived with the repair record"
grep -q 'INC-1: archived by wang' "$T/out" || fail "$(cat "$T/out")"
expect 1 tickets ack INC-1 --by wang

# INC-2 is acknowledged after its respond deadline: missed
expect 0 tickets ack INC-2 --by wang

expect 0 tickets list
grep -q '^INC-1' "$T/out" && fail "an archived ticket is listed"
grep -q '^INC-2  *acknowledged' "$T/out" || fail "$(cat "$T/out")"
expect 0 tickets --all list
grep -q '^INC-1  *archived' "$T/out" || fail "--all misses the archived ticket"

# --- the JSON documents ------------------------------------------------------
expect 0 tickets --all --json list
"$PY" - "$T/out" <<'PY' || fail "list --json is wrong: $(cat "$T/out")"
import json, sys
ts = {t["id"]: t for t in json.load(open(sys.argv[1], encoding="utf-8"))}
a, b = ts["INC-1"], ts["INC-2"]
assert a["state"] == "archived" and a["level"] == "urgent", a
assert a["title"] == "SPAN-NN-LZ-01 光缆中断", a
assert a["location"] == {"device": None, "site": None, "span": "SPAN-NN-LZ-01",
                         "ring": "RING-GX-1", "county": "柳江区", "city": "柳州",
                         "class": "city"}, a["location"]
assert a["circuits"] == ["CIR-HC-01", "CIR-HC-02"], a
assert a["customers"] == ["河池电子政务外网"], a
for c in ("respond", "onsite", "repair"):
    assert set(("deadline", "met", "paused")) <= set(a["clocks"][c]), a["clocks"]
assert a["clocks"]["respond"]["met"] is True, a["clocks"]
assert a["clocks"]["onsite"]["met"] is True and a["clocks"]["onsite"]["pauses"] == 1, a["clocks"]
assert a["clocks"]["repair"]["met"] is True, a["clocks"]
assert b["clocks"]["respond"]["met"] is False, b["clocks"]
assert b["clocks"]["repair"]["met"] is None, b["clocks"]
n = a["notifications"][0]
assert (n["role"], n["person"], n["channel"], n["delivery"]) == \
    ("duty operator", "王工", "sms", "sent"), n
assert n["time"].endswith("Z"), n
PY
expect 0 tickets --json show INC-1
"$PY" - "$T/out" <<'PY' || fail "show --json history is wrong: $(cat "$T/out")"
import json, sys
h = json.load(open(sys.argv[1], encoding="utf-8"))["history"]
whats = [(x["what"], x["by"]) for x in h]
assert whats[0] == ("opened", "faultline"), whats
assert ("open -> acknowledged", "wang") in whats, whats
assert ("onsite clock paused", "li") in whats, whats
assert ("resolved -> archived", "wang") in whats, whats
notes = [x["note"] for x in h]
assert "no site access: road closed" in notes and "team 3 from 柳江" in notes, notes
PY
expect 0 tickets show INC-2
grep -q '^  respond  missed' "$T/out" || fail "show text: $(cat "$T/out")"

# --- a ticket by its number or the start of its id ------------------------------
sqlite3 "$DB" "UPDATE tickets SET seq = 123 WHERE id = 'INC-2'"
expect 0 tickets show 123
head -n 1 "$T/out" | grep -q '^INC-2 ' || fail "show 123: $(cat "$T/out")"
expect 0 tickets show 000123
expect 1 tickets ack INC- --by e2e
grep -q "^faultline tickets: 'INC-' names 2 tickets: INC-1, INC-2; give more of the id" "$T/err" ||
	fail "ambiguous: $(cat "$T/err")"
expect 1 tickets ack 124 --by e2e
grep -q '^faultline tickets: no ticket 124$' "$T/err" || fail "unknown: $(cat "$T/err")"
expect 1 tickets show INC-3
grep -q '^faultline tickets: no ticket INC-3$' "$T/err" || fail "unknown: $(cat "$T/err")"

# --- maintenance windows -------------------------------------------------------
expect 0 "$FAULTLINE" maintenance --db "$DB" add --scope ring --target RING-GX-1 \
	--from 2030-01-06T01:00+08:00 --to 2030-01-06T05:00+08:00 --weekly --reason "splice work" --by li
grep -q '^window 1: ring RING-GX-1 from 2030-01-05T17:00:00Z to 2030-01-05T21:00:00Z, weekly' "$T/out" ||
	fail "$(cat "$T/out")"
expect 1 "$FAULTLINE" maintenance --db "$DB" add --scope county --target X \
	--from 2030-01-01 --to 2030-01-02
expect 1 "$FAULTLINE" maintenance --db "$DB" add --scope site --target S-1 \
	--from 2020-01-01 --to 2020-01-02
grep -q 'ends before now' "$T/err" || fail "$(cat "$T/err")"
expect 2 "$FAULTLINE" maintenance --db "$DB" add --scope site --target S-1 \
	--from 2030-13-01 --to 2030-01-02
expect 0 "$FAULTLINE" maintenance --db "$DB" list
grep -q '^1  *ring  *RING-GX-1  *2030-01-05T17:00:00Z  *2030-01-05T21:00:00Z  *weekly  *ahead  *-  *splice work' "$T/out" ||
	fail "$(cat "$T/out")"
expect 0 "$FAULTLINE" maintenance --db "$DB" --json list
"$PY" -c 'import json,sys; w=json.load(open(sys.argv[1])); assert w[0]["recur"]=="weekly" and w[0]["active"] is False, w' "$T/out" ||
	fail "$(cat "$T/out")"
expect 0 "$FAULTLINE" maintenance --db "$DB" delete 1
expect 1 "$FAULTLINE" maintenance --db "$DB" delete 1
# with the plan and its data, a target the inventory does not know is refused
inv() { "$FAULTLINE" maintenance --db "$DB" add -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" \
	--from 2030-01-01 --to 2030-01-02 "$@"; }
expect 1 inv --scope span --target HC-YZ-R01-S2
grep -q "^faultline maintenance: refused: no span 'HC-YZ-R01-S2' in the inventory; did you mean 'HC-YZ-R01-S02'?" \
	"$T/err" || fail "unknown span: $(cat "$T/err")"
expect 1 inv --scope device --target NO-SUCH-DEVICE
grep -q "^faultline maintenance: refused: no device 'NO-SUCH-DEVICE' in the inventory$" "$T/err" ||
	fail "unknown device: $(cat "$T/err")"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM maintenance')" = 0 ] || fail "a refused window was added"
expect 0 inv --scope span --target HC-YZ-R01-S02
expect 0 inv --scope city --target Hechi

# --- the report --------------------------------------------------------------------
expect 0 "$FAULTLINE" report --db "$DB" --from 2020-01-01 --to 2040-01-01 --json
"$PY" - "$T/out" <<'PY' || fail "report is wrong: $(cat "$T/out")"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
areas = {(a["city"], a["county"]): a for a in r["areas"]}
lz, hc = areas[("柳州", "柳江区")], areas[("河池", "宜州区")]
assert lz["tickets"] == 1 and lz["by_level"] == {"urgent": 1}, lz
assert lz["clocks"] == {"met": 3, "missed": 0, "paused": 1, "paused_ms": lz["clocks"]["paused_ms"]}, lz
assert 290 <= lz["mean_ack_s"] <= 400 and lz["mean_restore_s"] is not None, lz
assert hc["clocks"]["missed"] == 1 and hc["clocks"]["met"] == 0, hc
assert 1790 <= hc["mean_ack_s"] <= 1900 and hc["mean_restore_s"] is None, hc
PY
expect 0 "$FAULTLINE" report --db "$DB" --from 2020-01-01 --to 2040-01-01
grep -q '^柳州 / 柳江区  *1  *urgent:1 ' "$T/out" || fail "$(cat "$T/out")"
expect 2 "$FAULTLINE" report --db "$DB" --from 2040-01-01 --to 2020-01-01
echo ok
