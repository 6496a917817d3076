#!/bin/sh
# replay --timing: one line on stderr with the start (plan compiled, engine
# built) and the events, wall clock and CPU, each a number of seconds; the
# benchmark of peers reads the events' wall time from it. The action stream
# is the same with and without it, and without it no such line is written.
. "$(dirname "$0")/lib.sh"

cd "$(dirname "$0")/explain"
"$FAULTLINE" replay -c explain.plan --timing lines.log >"$T/with.jsonl" 2>"$T/with.err" ||
	fail "replay --timing failed: $(cat "$T/with.err")"
line=$(grep '^replay: timing: ' "$T/with.err") || fail "no timing line: $(cat "$T/with.err")"
echo "$line" | grep -Eq '^replay: timing: start [0-9]+\.[0-9]{6} s wall, [0-9]+\.[0-9]{6} s cpu; events [0-9]+\.[0-9]{6} s wall, [0-9]+\.[0-9]{6} s cpu$' ||
	fail "the timing line is not as the benchmark reads it: $line"
"$FAULTLINE" replay -c explain.plan lines.log >"$T/without.jsonl" 2>"$T/without.err" ||
	fail "replay failed: $(cat "$T/without.err")"
grep -q '^replay: timing' "$T/without.err" && fail "a timing line without --timing"
cmp -s "$T/with.jsonl" "$T/without.jsonl" || fail "--timing changed the action stream"
[ -s "$T/with.jsonl" ] || fail "no actions"
echo "replay_timing: $line"
