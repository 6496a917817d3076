#!/bin/sh
# Keyed state table: 1,000,000 distinct live keys. Needs `make bench` (or
# make build/bench/bench_keytab) first; FL_BUILD points at the build dir.
build=${FL_BUILD:-../build}
exec "$build/bench/bench_keytab" "${KEYTAB_KEYS:-1000000}"
