#!/bin/sh
# Cost of running each notification in a forked worker (engine/notify/plugin.c).
: "${FL_BUILD:?FL_BUILD must name the build directory}"
"$FL_BUILD/bench/bench_plugin" "$FL_BUILD/plugins" "${BENCH_PLUGIN_N:-2000}"
