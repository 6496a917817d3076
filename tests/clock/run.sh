#!/bin/sh
# The suite on a moved clock: nothing in faultline or its tests may depend on
# today's date, the year or the machine's time zone. Runs the release build's
# unit tests, plan diagnostics, golden dumps and end-to-end tests under
# libfaketime (package faketime), twice:
#   ahead:    a year ahead of today, the machine's zone UTC-10;
#   newyear:  from 31 December, 23:59:30 UTC of next year, crossing into the
#             new year within the run's first minute, the machine's zone
#             UTC+14 (where it is already the new year's afternoon).
# Each pass moves the clock by an offset from the real one, so every process
# of a test (faultline, sqlite3, python3, rsyslog, date) sees the same time
# and it runs at the real pace. Environment: FAULTLINE (the binary), FL_BUILD
# (its build directory, for the unit tests and plugins); CLOCK_PASSES to run
# a subset ("ahead newyear").
set -u
cd "$(dirname "$0")/../.." || exit 2
FAULTLINE=${FAULTLINE:?set FAULTLINE}
FL_BUILD=${FL_BUILD:?set FL_BUILD}
export FAULTLINE FL_BUILD
LIB=$(for d in /usr/lib/*/faketime /usr/lib/faketime; do
	[ -f "$d/libfaketimeMT.so.1" ] && echo "$d/libfaketimeMT.so.1" && break; done)
[ -n "$LIB" ] || { echo "clock: libfaketime not installed (package faketime)" >&2; exit 1; }

now=$(date -u +%s)
year=$(date -u +%Y)
newyear=$(date -u -d "$((year + 1))-12-31T23:59:30Z" +%s)
failed=0
passed=0
# libfaketime 0.9.10 names its semaphore and shared memory after the pid of
# the process that made them, owner-only, and a process killed with -9
# leaves them behind. A later process of the postgres user that gets such a
# pid cannot make its own and exits ("sem_open failed and recreation
# attempts failed"): a test's PostgreSQL then never starts. Before each part,
# the names whose process is gone are removed.
sweep_faketime_shm() {
	for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
		[ -e "$f" ] || continue
		pid=${f##*_}
		case $pid in *[!0-9]* | '') continue ;; esac
		kill -0 "$pid" 2>/dev/null || rm -f "$f" 2>/dev/null || true
	done
}
for pass in ${CLOCK_PASSES:-ahead newyear}; do
	case $pass in
	ahead) offset=$((366 * 86400)) tz=Pacific/Honolulu ;;
	newyear) offset=$((newyear - now)) tz=Pacific/Kiritimati ;;
	*) echo "clock: unknown pass $pass" >&2; exit 2 ;;
	esac
	echo "== clock pass $pass: +${offset}s, TZ=$tz, starts $(date -u -d "@$((now + offset))" +%FT%TZ)"
	run() { # NAME COMMAND...: one part of the suite on the moved clock
		name=$1
		shift
		sweep_faketime_shm
		# CLOCK_MONOTONIC is moved too: libfaketime converts the absolute
		# timeouts of condition waits and clock_nanosleep() by the offset,
		# and with a real monotonic clock they would end at once (EINVAL in
		# Python's sleep, a bell wait that never waits).
		if env TZ=$tz LD_PRELOAD="$LIB" FAKETIME="+${offset}" FL_ROOT="$PWD" "$@" >"$FL_BUILD/clock-$pass-$name.log" 2>&1; then
			passed=$((passed + 1))
			echo "PASS $pass $name"
		else
			failed=$((failed + 1))
			echo "FAIL $pass $name"
			tail -n 60 "$FL_BUILD/clock-$pass-$name.log" | sed 's/^/    /'
		fi
	}
	run faked-date sh -c '[ "$(date -u +%s)" -ge '"$((now + offset))"' ]'
	run unit timeout -k 10 1200 "$FL_BUILD/tests/unit/unit_tests" --jobs 2 --timeout 60
	run diag sh tests/diag/run.sh
	run golden sh tests/golden/run.sh
	run e2e sh tests/e2e/run.sh
done
echo "clock: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
