#!/bin/sh
# Ticket store write rates under a storm and the worst wait of one write
# (engine/store/store.c). The database lives in BENCH_STORE_DIR (default: a
# temporary directory on /tmp's file system), as var/ would.
: "${FL_BUILD:?FL_BUILD must name the build directory}"
dir=${BENCH_STORE_DIR:-$(mktemp -d)}
df -T "$dir" | awk 'NR == 2 { print "file system: " $2 }'
"$FL_BUILD/bench/bench_store" "$dir" "${BENCH_STORE_N:-20000}" "${BENCH_STORE_BATCH:-500}"
status=$?
[ -z "${BENCH_STORE_DIR:-}" ] && rm -rf "$dir"
exit $status
