#!/bin/sh
# SNMP trap decode rate per core over the captured traps (see bench_snmp.c).
# The 08 capture is included: the community check is the input's, not the
# decoder's. Set BENCH_SECONDS to change the run length of each figure.
set -eu
: "${FL_BUILD:?FL_BUILD must name the build directory}"
TRAPS="${FL_SHARED:-/work/shared}/data/traps/raw"
"$FL_BUILD/bench/bench_snmp" -s "${BENCH_SECONDS:-2}" "$TRAPS"/*.bin
