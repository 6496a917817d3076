#!/bin/sh
# Pair windows across crashes of `faultline run --db`: a window opened before
# a SIGKILL runs on in the restarted engine from the fault's own time. A
# clear sent after the restart, inside a 120 s window, clears its ticket; an
# 8 s window with no clear times out once (the ticket takes the timeout's
# level and title, and its history says so), and a third engine started
# after that neither times it out again nor takes its late clear as its
# clear. The journal each start feeds again (the faults and the clear)
# makes no second ticket of the cleared fault. The build before opened
# both windows only on a new fault (the clear was unpaired, the timeout
# never came), and the journal's clear fault became a ticket of its own at
# every restart. All of it on SQLite, then on a throwaway PostgreSQL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PG=$(mktemp -d /tmp/fl-pg-XXXXXX)
trap 'sh "$ROOT/tests/pg/pg_stop.sh" "$PG"; cleanup' EXIT
trap 'exit 130' INT TERM

cat >"$T/pair.plan" <<'PLAN'
plan pair_restart;
timezone "UTC";
level notice { respond 4h; }
level severe { respond 1h; }
rule long_window {
    match syslog;
    where msg ~ /^LONG_FAULT (?<p>\S+)/;
    clear where msg ~ /^LONG_CLEAR (?<p>\S+)/ within 120s;
    key host, p;
    raise level notice title "long ${p}";
}
rule short_window {
    match syslog;
    where msg ~ /^SHORT_FAULT (?<p>\S+)/;
    clear where msg ~ /^SHORT_CLEAR (?<p>\S+)/ within 8s;
    key host, p;
    raise level notice title "short ${p}";
    on timeout raise level severe title "short ${p} on ${host} not cleared in 8 s";
}
PLAN

start_run() { # NAME
	spawn "$FAULTLINE" run -c "$T/pair.plan" --tcp 127.0.0.1:0 --db "$STORE" \
		--journal "$T/$KIND.accepted" >"$T/$1.jsonl" 2>"$T/$1.err"
	RUN_PID=$LAST_PID
	wait_for 30 listening_count "$1" 1 || fail "$KIND: $1: input not announced: $(cat "$T/$1.err")"
	tcp=$(port_of "$1" tcp)
}
send() { # MESSAGE...
	for m in "$@"; do
		logger -T -n 127.0.0.1 -P "$tcp" --octet-count --rfc3164 -t ne -- "$m" ||
			fail "$KIND: logger failed"
	done
}
q() {
	if [ "$KIND" = sqlite ]; then
		sqlite3 "$STORE" "$1" 2>/dev/null
	else
		psql -X -At "$STORE" -c "$1" 2>/dev/null
	fi
}
tickets_are() { [ "$(q 'SELECT count(*) FROM tickets')" = "$1" ]; }

scenario() {
	start_run first
	send "LONG_FAULT 1-8-1" "SHORT_FAULT 2-1-1"
	wait_for 30 tickets_are 2 || fail "$KIND: two tickets not written: $(tail -n 5 "$T/first.err")"
	kill -9 "$RUN_PID"
	wait_for 30 not_running "$RUN_PID" || fail "$KIND: the first engine survived SIGKILL"

	start_run second
	send "LONG_CLEAR 1-8-1"
	cleared() { [ "$(q "SELECT count(*) FROM tickets WHERE title = 'long 1-8-1' AND cleared_ns IS NOT NULL")" = 1 ]; }
	wait_for 30 cleared ||
		fail "$KIND: the clear inside the window did not clear its ticket: $(q 'SELECT id, title, cleared_ns FROM tickets')"
	timed_out() { [ "$(q "SELECT count(*) FROM tickets WHERE level = 'severe' AND title LIKE 'short 2-1-1 on % not cleared in 8 s'")" = 1 ]; }
	wait_for 60 timed_out ||
		fail "$KIND: the 8 s window never timed out: $(q 'SELECT id, level, title FROM tickets')"
	kill -9 "$RUN_PID"
	wait_for 30 not_running "$RUN_PID" || fail "$KIND: the second engine survived SIGKILL"

	start_run third
	# the late clear, then a fault of a new key: once its ticket is written,
	# the engine has read the clear before it
	send "SHORT_CLEAR 2-1-1" "LONG_FAULT 9-9-9"
	wait_for 30 tickets_are 3 || fail "$KIND: the marker's ticket not written: $(tail -n 5 "$T/third.err")"
	kill -TERM "$RUN_PID"
	wait_for 30 not_running "$RUN_PID" || fail "$KIND: the third engine did not stop on SIGTERM"

	[ "$(q "SELECT count(*) FROM tickets WHERE title = 'long 1-8-1'")" = 1 ] ||
		fail "$KIND: the journal fed again made a second ticket of the cleared fault: $(q 'SELECT id, title FROM tickets')"
	[ "$(q "SELECT count(*) FROM tickets WHERE title LIKE 'short 2-1-1 %' AND cleared_ns IS NULL")" = 1 ] ||
		fail "$KIND: the late clear cleared the timed-out ticket: $(q 'SELECT id, title, cleared_ns FROM tickets')"
	[ "$(q "SELECT count(*) FROM history WHERE what = 'pair window timed out'")" = 1 ] ||
		fail "$KIND: timed out other than once: $(q "SELECT ticket, what FROM history")"
	n=$(cat "$T/first.jsonl" "$T/second.jsonl" "$T/third.jsonl" | grep -c '"reason":"timeout"') || true
	[ "$n" = 1 ] || fail "$KIND: $n timeout updates in the action streams, want 1"
	if grep -q '"reason":"timeout"' "$T/third.jsonl"; then
		fail "$KIND: the third engine timed the fault out again"
	fi
}

KIND=sqlite STORE="$DB"
scenario
KIND=pg STORE=$(sh "$ROOT/tests/pg/pg_start.sh" "$PG") || fail "no PostgreSQL to test against"
scenario
echo "run_pair_restart: a clear paired and a timeout given once across two SIGKILLs, on SQLite and on PostgreSQL"
