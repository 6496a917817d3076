# Several recordings are merged by event time: a storm cut in two at a
# moment and given late part first replays exactly as the whole file does;
# before, the earlier file was dropped as late with exit status 0.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${FL_SHARED:-/work/shared}
LOG=$SHARED/data/scenarios/flapping-link.log
[ -f "$LOG" ] || fail "no scenario $LOG"

replay() { # OUT FILE...
	out=$1
	shift
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		"$@" >"$T/$out.jsonl" 2>"$T/$out.err" || fail "$out: replay exited $?"
}

# Cut where the time changes, so no two lines of one second sit in two files.
python3 - "$LOG" "$T/early.log" "$T/late.log" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines(True)
stamp = lambda l: l.split(">", 1)[1][:15]
cut = len(lines) // 2
while cut < len(lines) - 1 and stamp(lines[cut]) == stamp(lines[cut - 1]):
    cut += 1
open(sys.argv[2], "w", encoding="utf-8").writelines(lines[:cut])
open(sys.argv[3], "w", encoding="utf-8").writelines(lines[cut:])
PY
[ -s "$T/early.log" ] && [ -s "$T/late.log" ] || fail "the cut left an empty half"

replay whole "$LOG"
replay merged "$T/late.log" "$T/early.log"
grep -q '"action":"open"' "$T/whole.jsonl" || fail "the whole storm opened nothing"
cmp -s "$T/whole.jsonl" "$T/merged.jsonl" || fail "late+early replays differently from the whole"
grep -q ', 0 late,' "$T/merged.err" || fail "events dropped as late: $(cat "$T/merged.err")"
echo "ok"
