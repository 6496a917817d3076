#!/bin/sh
# Two engines on one store at once: `faultline replay --db` of the Liuzhou
# cut and of the Baise cut of two-faults.log, started together on the same
# file. Each engine numbers its incidents from 1 and both faults are on one
# day, so ids made by the engine were the same and the second cut joined
# the first one's ticket, paging nobody. The store numbers them: two
# tickets, two ids, both paged, and `tickets` finds each by its number.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
DB="$T/faultline.db"

grep 'LZ-RA-' "$SHARED/data/scenarios/two-faults.log" >"$T/liuzhou.log"
grep 'BS-TD-' "$SHARED/data/scenarios/two-faults.log" >"$T/baise.log"

replay() { # NAME
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--quiet --db "$DB" "$T/$1.log" >/dev/null 2>"$T/$1.err"
}
replay liuzhou &
p1=$!
replay baise &
p2=$!
wait "$p1" || fail "liuzhou: $(cat "$T/liuzhou.err")"
wait "$p2" || fail "baise: $(cat "$T/baise.err")"

[ "$(sqlite3 "$DB" 'SELECT count(*) FROM tickets')" = 2 ] ||
	fail "tickets: $(sqlite3 "$DB" 'SELECT id, span FROM tickets')"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM tickets WHERE id IN ('INC-2026-000001', 'INC-2026-000002')")" = 2 ] ||
	fail "ids: $(sqlite3 "$DB" 'SELECT id FROM tickets')"
[ "$(sqlite3 "$DB" 'SELECT group_concat(span) FROM (SELECT span FROM tickets ORDER BY span)')" = \
	"BS-TD-R01-S02,LZ-RA-R01-S03" ] || fail "spans: $(sqlite3 "$DB" 'SELECT id, span FROM tickets')"
# both paged: outbox rows of each ticket
[ "$(sqlite3 "$DB" 'SELECT count(DISTINCT ticket) FROM outbox')" = 2 ] ||
	fail "paged: $(sqlite3 "$DB" 'SELECT ticket, count(*) FROM outbox GROUP BY ticket')"

# each engine says it opened its ticket
for n in liuzhou baise; do
	grep -q '^store: 1 tickets opened, 0 continued' "$T/$n.err" || fail "$n: $(cat "$T/$n.err")"
	grep -q ', 0 ticket ids found taken$' "$T/$n.err" || fail "$n: $(cat "$T/$n.err")"
done

# the number alone, and a unique start of an id
baise=$(sqlite3 "$DB" "SELECT seq FROM tickets WHERE span = 'BS-TD-R01-S02'")
"$FAULTLINE" tickets --db "$DB" show "$baise" >"$T/show.out" || fail "show $baise"
head -n 1 "$T/show.out" | grep -q "^INC-2026-00000$baise " || fail "show: $(cat "$T/show.out")"
"$FAULTLINE" tickets --db "$DB" ack "INC-2026-00000$baise" --by e2e >"$T/ack.out" ||
	fail "ack: $(cat "$T/ack.out")"
grep -q "^INC-2026-00000$baise: acknowledged by e2e" "$T/ack.out" || fail "ack: $(cat "$T/ack.out")"
echo "ok: two engines on one store: two tickets, INC-2026-000001 and INC-2026-000002, both paged"
