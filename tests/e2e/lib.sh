# Shared helpers for end-to-end tests. Source it; it sets:
#   T        a private temp dir, removed on exit
#   FAULTLINE the binary under test (from the environment)
# and kills every PID registered with `spawn` on exit.
set -eu
: "${FAULTLINE:?FAULTLINE must name the faultline binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/fl-e2e.XXXXXX")
FL_PIDS=""
cleanup() {
	for pid in $FL_PIDS; do kill "$pid" 2>/dev/null || true; done
	for pid in $FL_PIDS; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# spawn CMD...: start CMD in the background, remember its PID in $LAST_PID.
spawn() {
	"$@" &
	LAST_PID=$!
	FL_PIDS="$FL_PIDS $LAST_PID"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time is up.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

not_running() {
	! kill -0 "$1" 2>/dev/null
}

# stop_clean PID STDERR WHAT [SECONDS]: SIGTERM to PID, which must stop within
# SECONDS (20) and exit 0; its STDERR file's tail is quoted when it does not.
stop_clean() {
	kill -TERM "$1"
	wait_for "${4:-20}" not_running "$1" || fail "$3 did not stop on SIGTERM"
	rc=0
	wait "$1" || rc=$?
	[ "$rc" -eq 0 ] || fail "$3 exited with $rc: $(tail -n 5 "$2")"
}
