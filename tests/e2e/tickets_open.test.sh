#!/bin/sh
# `faultline tickets open`: a fault phoned in to the 7x24 hotline becomes a
# ticket, checked against the plan's inventory (an unknown customer, span or
# level is refused with the closest known name). An alarm that later locates
# the same fault joins that ticket instead of opening a second one: replays
# of the shared recordings into the store, each a fresh engine that finds
# the hand ticket in the store. A cut elsewhere opens its own tickets; of two
# hand tickets the most specific one (the span named) takes the alarm.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
PLAN="$ROOT/rules/faultline.plan"
DATA="$SHARED/data"
DB="$T/faultline.db"
CUT="$DATA/scenarios/fibre-cut-hechi.log"       # cuts HC-YZ-R01-S02
ELSEWHERE="$DATA/scenarios/two-faults.log"      # cuts LZ-RA-R01-S03 and BS-TD-R01-S02
CUSTOMER=河池市电子政务外网                      # HC-EGOV-012 rides HC-YZ-R01-S02

tickets() { "$FAULTLINE" tickets --db "$DB" "$@"; }
open_call() { tickets open -c "$PLAN" --data "$DATA" --by op1 "$@"; }
sql() { sqlite3 "$DB" "$1"; }
replay() {
	"$FAULTLINE" replay -c "$PLAN" --data "$DATA" --year 2026 --quiet --db "$DB" "$1" \
		2>"$T/replay.err" || fail "replay $1: $(cat "$T/replay.err")"
}

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

expect 0 tickets --create list

# --- refusals: what the inventory does not know --------------------------------
expect 1 open_call --level severe --text x --customer 河池市电子政务外
grep -q "no customer '河池市电子政务外' in the inventory; did you mean '$CUSTOMER'?" "$T/err" ||
	fail "unknown customer: $(cat "$T/err")"
expect 1 open_call --level severe --text x --span HC-YZ-R01-S2
grep -q "no span 'HC-YZ-R01-S2' in the inventory; did you mean 'HC-YZ-R01-S02'?" "$T/err" ||
	fail "unknown span: $(cat "$T/err")"
expect 1 open_call --level apocalyptic --text x --customer "$CUSTOMER"
grep -q "the plan has no level 'apocalyptic'" "$T/err" || fail "unknown level: $(cat "$T/err")"
expect 2 open_call --level severe --text x
expect 2 tickets open --level severe --text x --customer "$CUSTOMER" --by op1
[ "$(sql 'SELECT count(*) FROM tickets')" = 0 ] || fail "a refused call opened a ticket"

# --- a customer phones in: the ticket has the level's clocks and the call ---------
expect 0 open_call --level urgent --text "电子政务外网不通" --customer "$CUSTOMER" \
	--caller "张先生 0778-2123456"
hand=$(sed -n 's/^\(TEL-[0-9]*-[0-9]*\) opened: 电子政务外网不通$/\1/p' "$T/out")
[ -n "$hand" ] || fail "tickets open: $(cat "$T/out")"
[ "$(sql "SELECT rule, level, customers FROM tickets WHERE id = '$hand'")" = \
	"hotline|urgent|$CUSTOMER" ] || fail "the hand ticket: $(sql "SELECT * FROM tickets")"
sql "SELECT circuits FROM tickets WHERE id = '$hand'" | tr ';' '\n' | grep -qx HC-EGOV-012 ||
	fail "the customer's circuits are not on the ticket"
[ "$(sql "SELECT count(*) FROM clocks WHERE ticket = '$hand' AND state = 'running'")" = 3 ] ||
	fail "the urgent level's three clocks do not run"
expect 0 tickets show "$hand"
grep -q "opened from a call  *op1: caller 张先生 0778-2123456: 电子政务外网不通" "$T/out" ||
	fail "the call in the history: $(cat "$T/out")"

# --- a cut elsewhere opens its own tickets ----------------------------------------
replay "$ELSEWHERE"
[ "$(sql "SELECT count(*) FROM tickets WHERE id LIKE 'INC-%'")" = 2 ] ||
	fail "two cuts elsewhere: $(sql 'SELECT id, span FROM tickets')"
[ "$(sql "SELECT count(*) FROM history WHERE ticket = '$hand' AND what = 'joined by alarm'")" = 0 ] ||
	fail "a cut elsewhere joined the customer's ticket"

# --- the cut on a span the customer's circuit crosses joins the call's ticket -------
replay "$CUT"
[ "$(sql 'SELECT count(*) FROM tickets')" = 3 ] ||
	fail "the cut opened a ticket of its own: $(sql 'SELECT id, rule, span FROM tickets')"
grep -q "1 alarms joined tickets opened from a call" "$T/replay.err" ||
	fail "no join counted: $(cat "$T/replay.err")"
[ "$(sql "SELECT span, ring FROM tickets WHERE id = '$hand'")" = "HC-YZ-R01-S02|HC-YZ-R01" ] ||
	fail "the ticket did not gain the located span"
expect 0 tickets show "$hand"
grep -q "opened from a call" "$T/out" || fail "the call's history is gone"
grep -q "joined by alarm  *faultline: .* at HC-YZ-R01-S02" "$T/out" ||
	fail "no 'joined by alarm' line: $(cat "$T/out")"
grep -q "place: span HC-YZ-R01-S02" "$T/out" || fail "the span is not a place of the ticket"
[ "$(sql "SELECT alarms > 100 FROM tickets WHERE id = '$hand'")" = 1 ] ||
	fail "the storm was not absorbed into the ticket"
[ "$(sql "SELECT count(*) FROM steps WHERE ticket = '$hand'")" -gt 0 ] ||
	fail "the alarm's ladder does not run on the joined ticket"

# --- two hand tickets: the one naming the span wins over the customer's --------------
rm -f "$DB" "$DB-wal" "$DB-shm"
expect 0 tickets --create list
expect 0 open_call --level urgent --text "专网不通" --customer "$CUSTOMER"
by_customer=$(sed -n 's/^\(TEL-[^ ]*\) opened:.*/\1/p' "$T/out")
expect 0 open_call --level urgent --text "光缆被挖断" --span HC-YZ-R01-S02 --caller 施工队
by_span=$(sed -n 's/^\(TEL-[^ ]*\) opened:.*/\1/p' "$T/out")
replay "$CUT"
[ "$(sql 'SELECT count(*) FROM tickets')" = 2 ] ||
	fail "two hand tickets and a cut: $(sql 'SELECT id, rule, span FROM tickets')"
[ "$(sql "SELECT ticket FROM history WHERE what = 'joined by alarm'")" = "$by_span" ] ||
	fail "the span's ticket did not take the alarm (customer's: $by_customer)"
echo "ok: tickets open refuses unknown names, a call's ticket takes the alarm on its span"
