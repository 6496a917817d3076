#!/bin/sh
# The ticket store at its caps (engine/store/store_query.c): for each N in
# BENCH_SCALE_N (default "20000 100000") a new store with N open tickets of
# the bundled plan, then the time of
#   - the store's walk over them and the steps each took (bench_store_scale),
#   - `faultline tickets list` (the table, to /dev/null),
#   - `faultline run` from its start until its input listens: the open
#     tickets are handed back to the engine (fl_sink_resume) before that.
# FAULTLINE, FL_BUILD as bench/run.sh sets them; FL_SHARED: ../shared.
: "${FL_BUILD:?FL_BUILD must name the build directory}"
: "${FAULTLINE:=$FL_BUILD/faultline}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${FL_SHARED:-$ROOT/../shared}/data
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

now_ms() { date +%s%3N; }

for n in ${BENCH_SCALE_N:-20000 100000}; do
	db="$dir/scale-$n.db"
	echo "-- $n open tickets"
	"$FL_BUILD/bench/bench_store_scale" "$db" "$n" "$DATA/spans.csv" || exit 1
	t0=$(now_ms)
	"$FAULTLINE" tickets --db "$db" list >/dev/null || exit 1
	printf '%-48s %8.2f s\n' "faultline tickets list" "$(echo "($(now_ms) - $t0) / 1000" | bc -l)"
	t0=$(now_ms)
	"$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$DATA" --db "$db" \
		--udp 127.0.0.1:0 >/dev/null 2>"$dir/run.err" &
	pid=$!
	while ! grep -q '^listening ' "$dir/run.err"; do
		kill -0 "$pid" 2>/dev/null || { cat "$dir/run.err" >&2; exit 1; }
		sleep 0.05
	done
	printf '%-48s %8.2f s\n' "faultline run: start until its input listens" \
		"$(echo "($(now_ms) - $t0) / 1000" | bc -l)"
	kill -TERM "$pid"
	wait "$pid"
	grep -E '^run: (resume|store):' "$dir/run.err"
	rm -f "$db" "$db-wal" "$db-shm"
done
