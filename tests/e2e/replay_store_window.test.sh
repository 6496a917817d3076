#!/bin/sh
# `faultline replay --db` plans an incident inside a window of the store
# (`faultline maintenance add`), as `run` does: the post-incident review of a
# storm during announced work shows it as planned work that paged nobody.
# The same replay into a store without the window pages (the control).
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
LOG="$SHARED/data/scenarios/fibre-cut-hechi.log"

replay() { # DB
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--db "$1" "$LOG" >"$1.jsonl" 2>"$1.err" || fail "replay: $(tail -n 3 "$1.err")"
}
ns() { date -d "$1" +%s000000000; }

# The cut is on 25 Nov between 10:00 and 11:31 +08:00; `maintenance add`
# takes no window already over, so the test moves one added for next year
# back to that morning through the documented schema.
"$FAULTLINE" maintenance --db "$T/w.db" --create add --scope span --target HC-YZ-R01-S02 \
	--from 2030-01-01T00:00Z --to 2030-01-01T06:00Z --reason "光缆割接" --by e2e \
	>/dev/null || fail "maintenance add"
sqlite3 "$T/w.db" "UPDATE maintenance SET from_ns = $(ns 2026-11-25T09:00+08:00),
	to_ns = $(ns 2026-11-25T13:00+08:00)" || fail "sqlite3"
replay "$T/w.db"
[ "$(sqlite3 "$T/w.db" "SELECT count(*) FROM tickets WHERE span = 'HC-YZ-R01-S02'")" = 1 ] ||
	fail "tickets: $(sqlite3 "$T/w.db" 'SELECT id, span, planned FROM tickets')"
[ "$(sqlite3 "$T/w.db" "SELECT planned FROM tickets WHERE span = 'HC-YZ-R01-S02'")" = 1 ] ||
	fail "the cut inside the store's window is not planned"
grep -q '"action":"open".*"planned":true,"window":"MW-1"' "$T/w.db.jsonl" ||
	fail "no planned open naming MW-1: $(grep '"open"' "$T/w.db.jsonl" | head -n 2)"
[ "$(sqlite3 "$T/w.db" "SELECT count(*) FROM outbox")" = 0 ] ||
	fail "planned work paged: $(sqlite3 "$T/w.db" 'SELECT key FROM outbox LIMIT 3')"

replay "$T/control.db"
[ "$(sqlite3 "$T/control.db" "SELECT planned FROM tickets WHERE span = 'HC-YZ-R01-S02'")" = 0 ] ||
	fail "control: planned without a window"
[ "$(sqlite3 "$T/control.db" "SELECT count(*) FROM outbox")" -gt 0 ] ||
	fail "control: nobody paged"
exit 0
