#!/bin/sh
# Another process holds the store's write lock longer than the busy timeout
# (a backup, an operator's sqlite3 shell) while `faultline replay --db`
# writes the Hechi fibre cut: the failure is told at once with its ticket
# and SQLite's message, the actions are held and retried, and once the lock
# is gone every ticket, step and outbox row is there, as in a store nobody
# locked. Nothing is given up and replay exits 0.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
PY="${FL_PYTHON:-/usr/bin/python3}"
LOG="$SHARED/data/scenarios/fibre-cut-hechi.log"
HOLD_S=8 # past the 5 s busy timeout (FL_STORE_BUSY_TIMEOUT_MS)

replay() { # DB ERR
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--quiet --db "$1" "$LOG" 2>"$2"
}
counts() { # DB: tickets, steps, outbox rows, their keys
	sqlite3 "$1" "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM steps),
		(SELECT count(*) FROM outbox), (SELECT group_concat(key) FROM
		(SELECT key FROM outbox ORDER BY key))"
}

replay "$T/free.db" "$T/free.err" || fail "replay into a free store: $(cat "$T/free.err")"
want=$(counts "$T/free.db")
case "$want" in 1\|*) ;; *) fail "the free store has no ticket: $want" ;; esac

DB="$T/locked.db"
"$FAULTLINE" tickets --db "$DB" --create list >/dev/null || fail "cannot create the store"
cat >"$T/hold.py" <<'PYEOF'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
db.execute("ROLLBACK")
PYEOF
spawn "$PY" "$T/hold.py" "$DB" "$T/locked" "$HOLD_S"
HOLDER=$LAST_PID
wait_for 20 test -e "$T/locked" || fail "the lock was not taken"

replay "$DB" "$T/locked.err" || fail "replay exited $?: $(cat "$T/locked.err")"
kill -0 "$HOLDER" 2>/dev/null && fail "replay ended while the lock was still held"
grep -q '^faultline: store: cannot write the open of a new ticket (incident [0-9]*): database is locked' \
	"$T/locked.err" || fail "the failure was not told with its ticket: $(cat "$T/locked.err")"
grep -q '^faultline: store: writes again after [1-9][0-9]* retries' "$T/locked.err" ||
	fail "the recovery was not told: $(cat "$T/locked.err")"
grep -q '^store retries: 0 actions held, [1-9][0-9]* retries, 0 given up' "$T/locked.err" ||
	fail "summary: $(grep '^store' "$T/locked.err")"
got=$(counts "$DB")
[ "$got" = "$want" ] || fail "the locked store has $got, a free one $want"
echo "ok: write lock held ${HOLD_S}s: told at once, retried, every ticket and row written"
