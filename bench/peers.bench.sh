#!/bin/sh
# Side by side: faultline, SEC (Debian sec) and syslog-ng patterndb (db-parser()
# with contexts) on the same generated input with equivalent rule sets
# (suppress-in-window, N-in-T threshold, fault/clear pair with a window, keyed
# by host + port + alarm) at 10, 100 and 1,000 alarm patterns. Prints events/s,
# the ratio faultline/tool, and each tool's outcome counts against the exact
# event-time reference. Method and figures: docs/bench-peers.md.
#
# Usage: FL_BUILD=build sh bench/peers.bench.sh
# Environment: PEERS_STYLE (bench: rules shaped for faultline's prefilter;
# written: as an operator writes them, captures around literals, nested
# alternatives, a caseless rule, on an input of 80% noise half of which are
# near misses), PEERS_RULES ("10 100 1000"), PEERS_EVENTS (400000: the input of
# faultline and syslog-ng), PEERS_SEC_EVENTS ("40000,20000,5000": SEC's input,
# the first episodes of the same stream), PEERS_REPEAT (3: runs of each peer,
# the best kept, as for faultline), PEERS_KEEP=1 keeps the work dir.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${FL_BUILD:=$ROOT/build}"
: "${FAULTLINE:=$FL_BUILD/faultline}"
: "${PEERS_RULES:=10 100 1000}"
: "${PEERS_EVENTS:=400000}"
: "${PEERS_SEC_EVENTS:=40000,20000,5000}"
: "${PEERS_REPEAT:=3}"
: "${PEERS_STYLE:=bench}"
P="$ROOT/bench/peers"
SNG_ROOT="$FL_BUILD/peers/syslog-ng"
WINDOW=600

W=$(mktemp -d "${TMPDIR:-/tmp}/fl-peers.XXXXXX")
PIDS=""
cleanup() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
	for pid in $PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ "${PEERS_KEEP:-0}" = 1 ]; then echo "peers: work dir kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT INT TERM

now() { date +%s.%N; }
# poll SECONDS FILE PATTERN: wait until FILE has a line matching PATTERN.
poll() {
	deadline=$(($(date +%s) + $1))
	while ! grep -q "$3" "$2" 2>/dev/null; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.01
	done
}
# poll_mark SECONDS FILE PATTERN: the same for a start or end mark, the last
# line a tool has written: reads the file's tail, not all of it, so that
# polling costs the tool under test next to nothing.
poll_mark() {
	deadline=$(($(date +%s) + $1))
	while ! tail -c 4096 "$2" 2>/dev/null | grep -q "$3"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.01
	done
}
elapsed() { python3 -c "import sys; print('%.6f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
# result N TOOL EVENTS SECONDS COUNTS_JSON REFERENCE_JSON NOTE
result() {
	python3 - "$@" >>"$W/results.jsonl" <<-'EOF'
	import json, sys
	n, tool, ev, secs, counts, ref, note = sys.argv[1:8]
	print(json.dumps({"rules": int(n), "tool": tool, "events": int(ev),
	                  "seconds": float(secs) if secs else None,
	                  "counts": json.loads(counts) if counts else None,
	                  "reference": json.loads(ref), "note": note}))
	EOF
}

# --- the peers -----------------------------------------------------------------
# syslog-ng-core conflicts with rsyslog, which the tests need: unpack the Debian
# package privately (its libraries are ordinary ones, installed by deps.sh).
sng_why=""
if [ ! -x "$SNG_ROOT/usr/sbin/syslog-ng" ]; then
	mkdir -p "$FL_BUILD/peers"
	if (cd "$FL_BUILD/peers" && rm -f syslog-ng-core_*.deb &&
		apt-get download syslog-ng-core >/dev/null 2>&1 &&
		dpkg-deb -f syslog-ng-core_*.deb Version | grep -qv placeholder &&
		dpkg -x syslog-ng-core_*.deb syslog-ng); then :; else
		sng_why="could not fetch and unpack syslog-ng-core (apt-get download)"
	fi
fi
if [ -z "$sng_why" ]; then
	sng_lib="$SNG_ROOT/usr/lib/syslog-ng"
	sng_version=$(LD_LIBRARY_PATH="$sng_lib" "$SNG_ROOT/usr/sbin/syslog-ng" --version 2>&1 | sed -n 's/^Installer-Version: *//p' | head -1)
	[ -n "$sng_version" ] || sng_why="the unpacked syslog-ng does not run here"
fi
sec_why=""
command -v sec >/dev/null 2>&1 || sec_why="sec is not installed (scripts/deps.sh)"
fl_why=""
if [ ! -x "$FAULTLINE" ]; then
	fl_why="$FAULTLINE is not built (make)"
elif ! "$FAULTLINE" replay --help >/dev/null 2>&1; then
	fl_why="this faultline has no 'replay' command yet"
fi

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPU(s), $(lscpu | sed -n 's/^Model name: *//p')"
echo "faultline: ${fl_why:-$("$FAULTLINE" --version)}"
echo "sec: ${sec_why:-$(sec --version 2>&1 | head -1)}"
echo "syslog-ng: ${sng_why:-syslog-ng $sng_version (Debian syslog-ng-core, unpacked in ${SNG_ROOT#"$ROOT"/})}"

echo "style: $PEERS_STYLE"
python3 "$P/gen.py" "$W" --rules "$(echo $PEERS_RULES | tr ' ' ',')" \
	--events "$PEERS_EVENTS" --sec-events "$PEERS_SEC_EVENTS" --style "$PEERS_STYLE"

# --- the legs --------------------------------------------------------------------
# faultline reads the file itself: the time from its first event to its last
# action written, as `replay --timing` measures it inside the process (the
# plan's compile and the engine's build before the first event are left out,
# as syslog-ng's and SEC's clocks start at their START line). A replay under
# 10 s is repeated twice more and the best kept.
best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:] if x))" "$@"; }
# timing_field FILE N: field N ("start" or "events") of the timing line, wall s
timing_field() {
	sed -n "s/^replay: timing: start \([0-9.]*\) s wall, [0-9.]* s cpu; events \([0-9.]*\) s wall.*/\1 \2/p" "$1" |
		awk -v n="$2" '{print (n == "start") ? $1 : $2}'
}
run_faultline() {
	d=$1
	best_start=""
	best_run=""
	for i in 1 2 3; do
		if ! timeout 900 "$FAULTLINE" replay -c "$d/faultline.plan" --year 2026 --timing \
			"$d/input.log" >"$d/fl.jsonl" 2>"$d/fl.err"; then
			fl_secs=""
			fl_note="faultline replay failed or ran past 900 s: $(tail -c 300 "$d/fl.err")"
			return
		fi
		best_run=$(best "$(timing_field "$d/fl.err" events)" "$best_run")
		best_start=$(best "$(timing_field "$d/fl.err" start)" "$best_start")
		python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$best_run" || break
	done
	fl_secs=$(python3 -c "import sys; print('%.6f' % max(1e-6, float(sys.argv[1])))" "$best_run")
	fl_note="start-up $(printf '%.3f' "$best_start") s excluded (replay --timing), best of $i"
	if ! grep -q ' 0 evicted' "$d/fl.err"; then fl_note="$fl_note; keys evicted: $(cat "$d/fl.err")"; fi
}

# SEC reads a FIFO: the START line is written first and the clock starts when
# SEC has written "start" (its rules are compiled); it stops when SEC writes
# "end". Then SIGUSR1 dumps its rule statistics and open operations.
run_sec() {
	d=$1
	rm -f "$d/sec.fifo" "$d/outcomes.txt" "$d/sec.dump"
	mkfifo "$d/sec.fifo"
	(cd "$d" && exec sec --conf=sec.conf --input=sec.fifo --notail --dump=sec.dump \
		--nointevents --nointcontexts) &
	sec_pid=$!
	PIDS="$PIDS $sec_pid"
	exec 3<>"$d/sec.fifo"
	head -n 1 "$d/input-sec.log" >&3
	if ! poll_mark 300 "$d/outcomes.txt" '^start'; then
		sec_secs=""
		sec_note="SEC did not start within 300 s"
		exec 3>&-
		return
	fi
	t0=$(now)
	tail -n +2 "$d/input-sec.log" >&3
	if ! poll_mark 1800 "$d/outcomes.txt" '^end'; then
		sec_secs=""
		sec_note="SEC did not finish within 1800 s"
		exec 3>&-
		return
	fi
	t1=$(now)
	sec_secs=$(elapsed "$t0" "$t1")
	kill -USR1 "$sec_pid" 2>/dev/null || true
	poll 60 "$d/sec.dump" '^Action list variables:' || true
	# The dump ends with the action list variables' total.
	i=0
	while [ "$(sed -n '/^Action list variables:/,$p' "$d/sec.dump" | grep -c '^Total: ')" = 0 ] && [ $i -lt 500 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	exec 3>&-
	kill "$sec_pid" 2>/dev/null || true
	wait "$sec_pid" 2>/dev/null || true
	sec_note=""
	if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < $WINDOW else 1)" "$sec_secs"; then :; else
		sec_note="run longer than the $WINDOW s window: wall-clock expiries"
	fi
}

# syslog-ng reads a FIFO with pipe(); same START/END clock as SEC. Its
# patterndb runs on message time: BENCH-END, 1,800 s after the last event,
# closes every context before "end" is written.
run_syslog_ng() {
	d=$1
	rm -f "$d/syslog-ng.fifo" "$d/outcomes.txt"
	mkfifo "$d/syslog-ng.fifo"
	LD_LIBRARY_PATH="$sng_lib" "$SNG_ROOT/usr/sbin/syslog-ng" -F -f "$d/syslog-ng.conf" \
		--module-path="$sng_lib/$(echo "$sng_version" | cut -d. -f1,2)" \
		--persist-file="$d/sng.persist" --pidfile="$d/sng.pid" --control="$d/sng.ctl" \
		>"$d/sng.log" 2>&1 &
	sng_pid=$!
	PIDS="$PIDS $sng_pid"
	exec 4<>"$d/syslog-ng.fifo"
	head -n 1 "$d/input.log" >&4
	if ! poll_mark 120 "$d/outcomes.txt" '^start'; then
		sng_secs=""
		sng_note="syslog-ng did not start: $(head -c 300 "$d/sng.log")"
		exec 4>&-
		return
	fi
	t0=$(now)
	tail -n +2 "$d/input.log" >&4
	if ! poll_mark 900 "$d/outcomes.txt" '^end'; then
		sng_secs=""
		sng_note="syslog-ng did not finish within 900 s"
		exec 4>&-
		return
	fi
	t1=$(now)
	sng_secs=$(elapsed "$t0" "$t1")
	sng_note=""
	exec 4>&-
	kill "$sng_pid" 2>/dev/null || true
	wait "$sng_pid" 2>/dev/null || true
}

for n in $PEERS_RULES; do
	d="$W/n$n"
	ev=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events'])" "$d/meta.json")
	sec_ev=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sec_events'])" "$d/meta.json")
	ref=$(python3 "$P/reference.py" "$d/input.log" --window $WINDOW)
	ref_sec=$(python3 "$P/reference.py" "$d/input-sec.log" --window $WINDOW)
	echo "== $n alarm patterns: $ev events (SEC: $sec_ev); reference $ref" >&2

	if [ -z "$fl_why" ]; then
		run_faultline "$d"
		if [ -n "$fl_secs" ]; then
			c=$(python3 "$P/outcomes.py" faultline "$d/fl.jsonl")
		else c=""; fi
		result "$n" faultline "$ev" "$fl_secs" "$c" "$ref" "$fl_note"
	else
		result "$n" faultline "$ev" "" "" "$ref" "$fl_why"
	fi
	if [ -z "$sec_why" ]; then
		# best of PEERS_REPEAT runs, as for faultline; every run's counts
		# must be the same, or the note says so
		best_secs="" c="" note=""
		for i in $(seq "$PEERS_REPEAT"); do
			run_sec "$d"
			[ -n "$sec_secs" ] || { best_secs="" note="$sec_note"; break; }
			ci=$(python3 "$P/outcomes.py" sec "$d/outcomes.txt" "$d/sec.dump")
			[ -z "$c" ] || [ "$ci" = "$c" ] || note="runs differ in counts: $c / $ci"
			c=$ci
			best_secs=$(best "$sec_secs" "$best_secs")
			note="${note:-$sec_note}"
		done
		[ -n "$best_secs" ] && note="${note:+$note; }best of $PEERS_REPEAT"
		result "$n" sec "$sec_ev" "$best_secs" "$c" "$ref_sec" "$note"
	else
		result "$n" sec "$sec_ev" "" "" "$ref_sec" "$sec_why"
	fi
	if [ -z "$sng_why" ]; then
		best_secs="" c="" note=""
		for i in $(seq "$PEERS_REPEAT"); do
			run_syslog_ng "$d"
			[ -n "$sng_secs" ] || { best_secs="" note="$sng_note"; break; }
			ci=$(python3 "$P/outcomes.py" syslog-ng "$d/outcomes.txt")
			[ -z "$c" ] || [ "$ci" = "$c" ] || note="runs differ in counts: $c / $ci"
			c=$ci
			best_secs=$(best "$sng_secs" "$best_secs")
		done
		[ -n "$best_secs" ] && note="${note:+$note; }best of $PEERS_REPEAT"
		result "$n" syslog-ng "$ev" "$best_secs" "$c" "$ref" "$note"
	else
		result "$n" syslog-ng "$ev" "" "" "$ref" "$sng_why"
	fi
done

echo
python3 "$P/report.py" "$W/results.jsonl"
