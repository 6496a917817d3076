#!/bin/sh
# Timer wheel: 1,000,000 embedded timers. Needs `make bench` (or
# make build/bench/bench_timerwheel) first; FL_BUILD points at the build dir.
build=${FL_BUILD:-../build}
exec "$build/bench/bench_timerwheel" "${TIMERWHEEL_TIMERS:-1000000}"
