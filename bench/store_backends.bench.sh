#!/bin/sh
# The ticket store on SQLite and on PostgreSQL in one run
# (bench/bench_store_backends.c): tickets/s as the store sink writes a storm
# (open, update, absorbed alarm, one notification; batches of
# BENCH_BACKENDS_BATCH), and outbox deliveries/s (claim + mark sent) with 1
# and 4 workers. SQLite's file is on /tmp's file system; PostgreSQL is a
# throwaway cluster (tests/pg/pg_start.sh) on a unix socket of the same
# machine, with fsync on, so each commit waits for the disk (PG_FSYNC=off
# shows the server without it). SQLite runs as the store opens it: WAL,
# synchronous=NORMAL, which syncs at checkpoints, not at each commit.
# Prints both and PostgreSQL's rate over SQLite's.
: "${FL_BUILD:?FL_BUILD must name the build directory}"
here=$(cd "$(dirname "$0")" && pwd)
n=${BENCH_BACKENDS_N:-2000}
batch=${BENCH_BACKENDS_BATCH:-100}
dir=$(mktemp -d /tmp/fl-bench-XXXXXX)
pg=$(mktemp -d /tmp/fl-pg-XXXXXX)
trap 'sh "$here/../tests/pg/pg_stop.sh" "$pg"; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
url=$(PG_FSYNC=${PG_FSYNC:-on} sh "$here/../tests/pg/pg_start.sh" "$pg") || exit 1

"$FL_BUILD/bench/bench_store_backends" "$dir/faultline.db" "$n" "$batch" >"$dir/sqlite" || exit 1
"$FL_BUILD/bench/bench_store_backends" "$url" "$n" "$batch" >"$dir/pg" || exit 1
echo "store backends: $n tickets, batches of $batch; $n deliveries per worker count"
awk 'NR == FNR { lite[$1] = $2; next }
	{ printf "%-22s sqlite %8.0f /s   postgresql %8.0f /s   postgresql/sqlite %.2f\n",
		$1, lite[$1], $2, $2 / lite[$1] }' "$dir/sqlite" "$dir/pg"
