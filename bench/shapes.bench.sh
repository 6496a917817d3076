#!/bin/sh
# The matcher's cost for rules in the shapes operators write at scale: each
# plan has N rules selected by one thing (their alarm in msg, their host by
# ==, in or a regex beside a msg regex all share, their app, their whole
# message, their device's site, caseless classes) or the alarm rules with N
# trap rules beside them. Each runs on the
# side-by-side benchmark's written input (600,000 lines, 80% noise, hosts
# NE0000..NE4999); a shape's figure is its events per second, start-up
# (a replay of the first and last line) taken off, and its ratio to the
# alarm-in-msg baseline of the same N. A shape well under 1 is a cliff.
# Environment: SHAPES_RULES ("1000 10000"), SHAPES_EVENTS (600000),
# SHAPES_REPEAT (3, best kept). Pin it to a core: taskset -c 1 sh ...
#
# 2026-12-06 07:15 UTC, 2-core machine, gcc -O2, load average under 1:
#   events/s at 1,000 / 10,000 rules, best of 3 (docs/bench-peers.md, "Rules
#   in other shapes"): alarm_in_msg 2.63 M / 2.33 M, host_eq 3.01 M / 0.60 M,
#   host_regex 1.54 M / 0.59 M, app_eq 4.60 M / 7.85 M, traps_beside
#   1.85 M / 2.50 M. The build before the field keys (36cc03b): host_eq
#   76,700 / 6,680, host_regex 50,000 / 4,340, traps_beside 36,100 / 3,330.
#   10:20 UTC: msg_eq 5.79 M / 4.14 M, site_eq 0.60 M / 0.32 M; the build
#   before their keys (f31fe57): 17,851 / 2,050 and 20,036 / 2,503.
#   Wall times move by a third between runs; the cliffs were 30-1,000 times.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${FL_BUILD:=$ROOT/build}"
: "${SHAPES_RULES:=1000 10000}"
: "${SHAPES_EVENTS:=600000}"
: "${SHAPES_REPEAT:=3}"
FL=$FL_BUILD/faultline
W=$(mktemp -d "${TMPDIR:-/tmp}/fl-shapes.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

python3 "$ROOT/bench/peers/gen.py" "$W/in" --rules 1000 --events "$SHAPES_EVENTS" \
	--sec-events 10 --style written >/dev/null
IN=$W/in/n1000/input.log
{ head -n 1 "$IN"; tail -n 1 "$IN"; } >"$W/markers.log"

# best user+sys seconds of SHAPES_REPEAT replays of plan $1 over file $2
# (rusage in microseconds: time(1) counts in hundredths)
best() {
	python3 - "$SHAPES_REPEAT" "$W/out" "$FL" replay -c "$1" --year 2026 "$2" <<'PY'
import os, sys
n, out, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = None
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.execv(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    if status != 0:
        sys.exit("replay failed: %d" % status)
    t = ru.ru_utime + ru.ru_stime
    best = t if best is None else min(best, t)
print("%.6f" % best)
PY
}

printf '%-16s %7s %14s %9s %8s\n' shape rules events/s x_base actions
for n in $SHAPES_RULES; do
	python3 "$ROOT/bench/shapes/gen.py" "$W/p$n" "$n"
	base=""
	for shape in alarm_in_msg caseless_class host_eq host_in host_regex app_eq msg_eq site_eq \
		traps_beside; do
		plan=$W/p$n/$shape.plan
		t=$(best "$plan" "$IN")
		actions=$(wc -l <"$W/out")
		s=$(best "$plan" "$W/markers.log")
		rate=$(echo "$t $s $SHAPES_EVENTS" | awk '{d = $1 - $2; if (d < 0.001) d = 0.001; printf "%.0f", $3 / d}')
		base=${base:-$rate}
		printf '%-16s %7s %14s %9s %8s\n' "$shape" "$n" "$rate" \
			"$(echo "$rate $base" | awk '{printf "%.2f", $1 / $2}')" "$actions"
	done
done
