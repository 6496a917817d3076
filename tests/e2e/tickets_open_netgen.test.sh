#!/bin/sh
# The join on networks other than the sample: netgen makes random networks
# with two simultaneous fibre cuts and says where each is. A call naming the
# first cut span is opened first; the replayed storm then joins that ticket
# with the first cut and opens one ticket of its own for the second, on
# every seed.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
NETGEN="$SHARED/netgen/netgen.py"
PLAN="$ROOT/rules/faultline.plan"
[ -f "$NETGEN" ] || fail "no netgen at $NETGEN (set FL_SHARED)"

for seed in 3 7 11; do
	C="$T/case-$seed"
	DB="$C/faultline.db"
	python3 "$NETGEN" network --seed "$seed" --out "$C/net" >/dev/null ||
		fail "netgen network $seed"
	python3 "$NETGEN" storm --seed "$seed" --net "$C/net" --kind two-cuts --out "$C" >/dev/null ||
		fail "netgen storm $seed"
	json=$(ls "$C"/*.json)
	set -- $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["located"][0][0], d["located"][1][0], d["year"])' "$json")
	first=$1 second=$2 year=$3
	"$FAULTLINE" tickets --db "$DB" --create list >/dev/null
	"$FAULTLINE" tickets --db "$DB" open -c "$PLAN" --data "$C/net" --level urgent \
		--span "$first" --text "线路中断" --by duty >"$C/open.out" 2>&1 ||
		fail "seed $seed: tickets open: $(cat "$C/open.out")"
	hand=$(sed -n 's/^\(TEL-[^ ]*\) opened:.*/\1/p' "$C/open.out")
	"$FAULTLINE" replay -c "$PLAN" --data "$C/net" --year "$year" --quiet --db "$DB" \
		"${json%.json}.log" 2>"$C/replay.err" || fail "seed $seed: replay: $(cat "$C/replay.err")"
	got=$(sqlite3 "$DB" "SELECT group_concat(span, ' ') FROM (SELECT span FROM tickets ORDER BY id)")
	[ "$got" = "$second $first" ] ||
		fail "seed $seed: want INC on $second and $hand on $first, got: $(sqlite3 "$DB" 'SELECT id, rule, span FROM tickets')"
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM history WHERE ticket = '$hand' AND what = 'joined by alarm'")" = 1 ] ||
		fail "seed $seed: $hand was not joined"
done
echo "ok: on three random networks the call's ticket takes its cut and the other cut opens its own"
