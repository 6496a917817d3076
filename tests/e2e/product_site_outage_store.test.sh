#!/bin/sh
# `faultline replay --db` of the Fengshan site power failure
# (../shared/data/scenarios/site-power-hechi.log): a mains failure that
# becomes a site outage when the site falls silent. The incident's level is
# raised and its ladder fires again; pages it already queued are the same
# pages (same idempotency keys) and are skipped, and the rest of the batch,
# the ticket's open with it, is kept. Before, the duplicate key rolled the
# whole batch back: no ticket, "FOREIGN KEY constraint failed", exit 1.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
DB="$T/site.db"
LOG="$SHARED/data/scenarios/site-power-hechi.log"

replay() {
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--quiet --db "$DB" "$LOG" 2>"$T/replay.err" || fail "replay: $(cat "$T/replay.err")"
}
q() { sqlite3 "$DB" "$1"; }

replay
grep -q ', 0 errors' "$T/replay.err" || fail "store errors: $(cat "$T/replay.err")"
[ "$(q 'SELECT count(*) FROM tickets')" = 1 ] || fail "tickets: $(q 'SELECT id, rule, site FROM tickets')"
[ "$(q 'SELECT site FROM tickets')" = HC-FS ] || fail "not on site HC-FS: $(q 'SELECT site FROM tickets')"
[ "$(q 'SELECT level FROM tickets')" = urgent ] || fail "level: $(q 'SELECT level FROM tickets')"
[ "$(q 'SELECT alarms FROM tickets')" -gt 50 ] || fail "alarms absorbed: $(q 'SELECT alarms FROM tickets')"
[ "$(q 'SELECT cleared_ns IS NOT NULL FROM tickets')" = 1 ] || fail "the clear was not recorded"
pages=$(q 'SELECT count(*) FROM outbox')
[ "$pages" -ge 5 ] || fail "pages queued: $pages"
# one row per key, and the history's "notified" lines match the rows
[ "$(q 'SELECT count(DISTINCT key) FROM outbox')" = "$pages" ] || fail "a key twice"
[ "$(q "SELECT count(*) FROM history WHERE what LIKE 'notified %'")" = "$pages" ] ||
	fail "history and outbox disagree"
[ "$(q "SELECT count(*) FROM history WHERE what = 'updated: level urgent' AND note = 'level raised'")" = 1 ] ||
	fail "the level raise is not in the history: $(q 'SELECT what, note FROM history')"

# the same recording again: nothing new, nobody paged twice
replay
[ "$(q 'SELECT count(*) FROM tickets')" = 1 ] || fail "a second ticket on replay"
[ "$(q 'SELECT count(*) FROM outbox')" = "$pages" ] || fail "paged twice"
echo "ok: site outage stored: one urgent ticket on HC-FS, $pages pages, none twice"
