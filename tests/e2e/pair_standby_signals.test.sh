#!/bin/sh
# The signals of an active/standby pair's standby, while it waits for the
# lead: engine a leads one PostgreSQL store, b stands by with a journal (its
# inputs read into it), c stands by without one (its inputs bound, unread).
# Checked: SIGUSR1 prints b's stats line and b goes on; SIGHUP is refused
# with a sentence and b goes on, still the standby; SIGTERM ends b with
# status 0, its summary line, and every message its UDP input took kept in
# its journal on disk; SIGINT ends c the same way; a leads throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PG=$(mktemp -d /tmp/fl-pg-XXXXXX)
trap 'sh "$ROOT/tests/pg/pg_stop.sh" "$PG"; cleanup' EXIT
trap 'exit 130' INT TERM
URL=$(sh "$ROOT/tests/pg/pg_start.sh" "$PG") || fail "no PostgreSQL to test against"

engine() { # engine NAME [OPTION...]: run --pair NAME, its output in T/NAME.*
	name=$1
	shift
	spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" \
		--udp 127.0.0.1:0 --db "$URL" --pair "$name" "$@" \
		>"$T/$name.jsonl" 2>"$T/$name.err"
}
leads() { grep -q "^faultline run: $1 leads" "$T/$1.err"; }
standby() { grep -q "^faultline run: $1 is the standby: a leads" "$T/$1.err"; }
has() { grep -q "$2" "$T/$1.err"; }
# stopped NAME PID: PID ended with status 0 (it is this shell's child)
stopped() {
	wait_for 30 not_running "$2" || fail "$1 did not stop: $(tail -n 5 "$T/$1.err")"
	rc=0
	wait "$2" || rc=$?
	[ "$rc" -eq 0 ] || fail "$1 exited with $rc: $(tail -n 5 "$T/$1.err")"
}

engine a --journal "$T/a.accepted"
A_PID=$LAST_PID
wait_for 60 leads a || fail "a did not lead: $(cat "$T/a.err")"
engine b --journal "$T/b.accepted"
B_PID=$LAST_PID
wait_for 60 standby b || fail "b is not the standby: $(cat "$T/b.err")"
wait_for 20 listening_count b 1 || fail "b announced no input: $(cat "$T/b.err")"
engine c --no-journal
C_PID=$LAST_PID
wait_for 60 standby c || fail "c is not the standby: $(cat "$T/c.err")"

# SIGUSR1: the stats line, and the standby goes on
kill -USR1 "$B_PID"
wait_for 20 has b '^{"stats":' || fail "b printed no stats line: $(tail -n 5 "$T/b.err")"
kill -0 "$B_PID" || fail "SIGUSR1 ended b"

# SIGHUP: refused with its reason; b still runs and stands by
kill -HUP "$B_PID"
wait_for 20 has b '^faultline run: reload refused: b is the standby' ||
	fail "b did not refuse the reload: $(tail -n 5 "$T/b.err")"
kill -0 "$B_PID" || fail "SIGHUP ended b"
"$FAULTLINE" status --db "$URL" >"$T/status" || fail "status"
grep -q 'active: a (fencing number 1,' "$T/status" || fail "status: $(cat "$T/status")"

# what b takes meanwhile goes to its journal, which SIGTERM closes
fibre_cut "$(port_of b udp)"
took() { sed -n 's/^run: udp: \([0-9]*\) received.*/\1/p' "$T/$1.err"; }
kill -TERM "$B_PID"
stopped b "$B_PID"
has b '^faultline run: b stopped as the standby after [0-9]* s, never leading; [0-9]* messages' ||
	fail "b's summary line: $(tail -n 5 "$T/b.err")"
kept=$(sed -n 's/.*never leading; \([0-9]*\) messages kept.*/\1/p' "$T/b.err")
[ "$(took b)" -ge 8 ] || fail "b's input took $(took b) of the cut's 8 messages"
[ "$kept" = "$(took b)" ] || fail "b kept $kept of the $(took b) messages it took"
on_disk=$(cat "$T"/b.accepted* | grep -c 'R_LOS raised' || true)
[ "$on_disk" = 2 ] || fail "b's journal holds $on_disk of the cut's 2 R_LOS lines"
! leads b || fail "b led"

# SIGINT ends the standby without a journal the same way
kill -INT "$C_PID"
stopped c "$C_PID"
has c '^faultline run: c stopped as the standby after [0-9]* s, never leading; 0 messages' ||
	fail "c's summary line: $(tail -n 5 "$T/c.err")"

kill -0 "$A_PID" || fail "a ended"
"$FAULTLINE" status --db "$URL" >"$T/status" || fail "status"
grep -q 'active: a (fencing number 1,' "$T/status" || fail "status after: $(cat "$T/status")"
echo "ok: a standby takes SIGUSR1 and SIGHUP and goes on; SIGTERM and SIGINT end it with status 0, $kept messages kept"
