#!/bin/sh
# The disk under the store fills up while `faultline replay --db` writes the
# Hechi fibre cut: the failure is told at once with its ticket and SQLite's
# message while replay waits, and once space is back the ticket, its steps
# and its outbox rows are written, as in a store with room. The store lives
# on a small tmpfs of its own, mounted in a private mount namespace: that
# needs root, and the test says so and passes without it.
if [ "$(id -u)" != 0 ]; then
	echo "skip: mounting a small tmpfs for the store needs root"
	exit 0
fi
if [ -z "${FL_STORE_FULL_NS:-}" ]; then # a mount nobody else sees, gone with us
	FL_STORE_FULL_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
LOG="$SHARED/data/scenarios/fibre-cut-hechi.log"

replay() { # DB ERR
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		--quiet --db "$1" "$LOG" 2>"$2"
}
counts() { # DB: tickets, steps, outbox rows, their keys
	sqlite3 "$1" "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM steps),
		(SELECT count(*) FROM outbox), (SELECT group_concat(key) FROM
		(SELECT key FROM outbox ORDER BY key))"
}

replay "$T/room.db" "$T/room.err" || fail "replay into a store with room: $(cat "$T/room.err")"
want=$(counts "$T/room.db")
case "$want" in 1\|*) ;; *) fail "the store with room has no ticket: $want" ;; esac

SMALL="$T/small"
mkdir "$SMALL"
mount -t tmpfs -o size=2m tmpfs "$SMALL" || fail "cannot mount a tmpfs"
unmount_then_cleanup() {
	umount "$SMALL" 2>/dev/null || true
	cleanup
}
trap unmount_then_cleanup EXIT INT TERM
DB="$SMALL/faultline.db"
"$FAULTLINE" tickets --db "$DB" --create list >/dev/null || fail "cannot create the store"
# fill the file system, then give back room for the SHM (32 KiB) and the
# WAL's header only: the first commit of the storm cannot be written
dd if=/dev/zero of="$SMALL/filler" bs=4096 2>/dev/null || true
avail=$(df --output=avail -B4096 "$SMALL" | tail -n 1)
[ "$avail" -le 1 ] || fail "the tmpfs did not fill: $avail blocks left"
truncate -s -40K "$SMALL/filler"

spawn "$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
	--quiet --db "$DB" "$LOG" 2>"$T/full.err"
REPLAY=$LAST_PID
told() { # the action, or the batch whose commit failed, with its ticket
	grep -Eq '^faultline: store: cannot (write the [a-z]+ of (a new ticket|ticket INC-2026-[0-9]+)|commit [0-9]+ actions of tickets? (INC-2026-[0-9]+|new)).*: database or disk is full' "$T/full.err"
}
wait_for 30 told || fail "the full disk was not told: $(cat "$T/full.err")"
kill -0 "$REPLAY" 2>/dev/null || fail "replay did not wait for room: $(cat "$T/full.err")"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM tickets' 2>/dev/null || echo 0)" = 0 ] ||
	fail "a ticket was written on a full disk"
rm -f "$SMALL/filler" # room again
wait "$REPLAY" || fail "replay exited $?: $(cat "$T/full.err")"
grep -q '^faultline: store: writes again after' "$T/full.err" ||
	fail "the recovery was not told: $(cat "$T/full.err")"
grep -q '^store retries: 0 actions held, [1-9][0-9]* retries, 0 given up' "$T/full.err" ||
	fail "summary: $(grep '^store' "$T/full.err")"
got=$(counts "$DB")
[ "$got" = "$want" ] || fail "the store that was full has $got, one with room $want"
echo "ok: disk full: told at once, held, every ticket and row written once there was room"
