#!/bin/sh
# The board in a real browser beside a running engine: Chromium, driven by
# Selenium (tests/e2e/board_selenium.py), watches a fibre cut sent with
# logger appear without a reload, its clock count down, acknowledges it as
# an operator with a note, adds a maintenance window from the form as an
# admin, and finds the cut span drawn as cut on the map. The screenshots
# stay in $FL_BOARD_SHOTS when set (docs/img/ holds a pair).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"

for prog in chromium chromedriver; do
	command -v "$prog" >/dev/null || fail "no $prog (scripts/deps.sh test installs it)"
done
# Debian's python3-selenium belongs to Debian's python3, whatever else is on PATH
PY=${FL_BOARD_PYTHON:-/usr/bin/python3}
"$PY" -c 'import selenium' 2>/dev/null || fail "no python3-selenium (scripts/deps.sh test installs it)"
PASS=secret-e2e
hash=$(printf '%s\n' "$PASS" | "$FAULTLINE" passwd) || fail "passwd failed"
printf 'op1:operator:%s\nadm1:admin:%s\n' "$hash" "$hash" >"$T/users"

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--db "$DB" --http 127.0.0.1:0 --users "$T/users" >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 60 listening_count run 2 || fail "input and http not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
API="http://127.0.0.1:$(port_of run http)"
[ "$API" != "http://127.0.0.1:" ] || fail "no http port: $(cat "$T/run.err")"

# what the browser runs once the board is open: the cut of HC-YZ-R01-S02
{
	echo "set -e"
	echo "logger_as() { unshare -r -u sh -c 'hostname \"\$1\" && logger -n 127.0.0.1 -P \"\$2\" -d --rfc3164 -p local0.crit -t OSN -- \"\$3\"' sh \"\$1\" \"\$2\" \"\$3\"; }"
	echo "logger_as HC-YZ-LX-OSN01 $udp 'R_LOS raised port=1-8-1 board=N1SL16 level=critical'"
	echo "logger_as HC-YZ-SC-OSN01 $udp 'R_LOS raised port=1-7-1 board=N1SL16 level=critical'"
} >"$T/cut.sh"

shots=${FL_BOARD_SHOTS:-$T/shots}
# the browser in UTC: the board must show times in the plan's zone itself
TZ=UTC timeout 600 "$PY" "$(dirname "$0")/board_selenium.py" "$API/" "$PASS" "$T/cut.sh" "$T/chrome" \
	"$shots" >"$T/selenium.out" 2>&1 &
SEL_PID=$!
FL_PIDS="$FL_PIDS $SEL_PID"
wait "$SEL_PID" || fail "the browser test: $(grep -v "^#[0-9]" "$T/selenium.out" | tail -25)"
for f in board.png map.png phone.png; do
	[ -s "$shots/$f" ] || fail "no screenshot $f"
done

# what the browser did is in the store, with who did it
python3 - "$DB" <<'PY' || fail "the store does not have the board's changes"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT by, note FROM history WHERE what = 'open -> acknowledged'").fetchall()
assert rows == [("op1", "王工 on the way")], rows
wins = db.execute("SELECT scope, target, by FROM maintenance").fetchall()
assert wins == [("span", "HC-YZ-R01-S02", "adm1")], wins
PY
kill "$RUN_PID"
wait "$RUN_PID" || fail "run did not stop cleanly: $(tail -5 "$T/run.err")"
echo "board: ok"
