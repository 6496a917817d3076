#!/bin/sh
# Inventory load time (sample data and a generated network 100 times larger)
# and lookup rates. Prints figures; never fails on speed.
set -eu
build=${FL_BUILD:-../build}
data=${FL_SHARED:-/work/shared}/data
"$build/bench/bench_inventory" "$data" 100
