#!/bin/sh
# Least privilege. Any user: what `faultline run` creates (the store, its
# -wal and -shm files, the notification file) is 0600 whatever the umask it
# was started with. As root: `run --user nobody` binds a privileged port
# first, then runs as nobody:nogroup with no other group (checked in
# /proc/PID/status), still takes a fibre cut on that port and writes the
# store as nobody; an unknown user is refused before anything runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
OUT="$T/notifications.jsonl"

mode_of() { command stat -c %a "$1"; } # listen_lib.sh has a stat() of its own

# --- modes, as whoever runs the test --------------------------------------------
umask 022
spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--db "$DB" --plugin-dir "$PLUGINS" \
	--route sms=file --set sms.path="$OUT" --route email=file --set email.path="$OUT" \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 1 || fail "input not announced: $(cat "$T/run.err")"
fibre_cut "$(port_of run udp)"
one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 20 one_ticket || fail "no ticket: $(tail -n 5 "$T/run.err")"
wait_for 20 test -s "$OUT" || fail "nothing delivered: $(tail -n 5 "$T/run.err")"
# While the store is open in WAL mode its -wal and -shm files exist.
for f in "$DB" "$DB-wal" "$DB-shm" "$OUT"; do
	[ -e "$f" ] || fail "$f does not exist while faultline runs"
	[ "$(mode_of "$f")" = 600 ] || fail "$f is $(mode_of "$f"), not 600"
done
kill -TERM "$RUN_PID"
wait_for 20 not_running "$RUN_PID" || fail "faultline run did not stop"
[ "$(mode_of "$DB")" = 600 ] || fail "$DB is $(mode_of "$DB") after exit"

# --- the privilege drop, as root ---------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "ok: modes 600; skip: the --user part needs root to switch users (running as uid $(id -u))"
	exit 0
fi
NOBODY_UID=$(id -u nobody) || fail "no user nobody"
NOBODY_GID=$(id -g nobody)

set +e
"$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--user no-such-user-e2e >/dev/null 2>"$T/nouser.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "an unknown user was accepted"
grep -q 'no-such-user-e2e: no such user; refusing to go on' "$T/nouser.err" ||
	fail "unknown user: $(cat "$T/nouser.err")"

# A free privileged port (only root may bind it) for the TCP input.
PRIV=$(python3 -c '
import socket
for p in range(700, 1000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError:
        s.close()
') || fail "no free port under 1024"
chmod 755 "$T" # nobody must reach its store directory
mkdir "$T/nobody"
chown nobody "$T/nobody"
NDB="$T/nobody/faultline.db"
spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--tcp "127.0.0.1:$PRIV" --db "$NDB" --user nobody >"$T/nobody.jsonl" 2>"$T/nobody.err"
NPID=$LAST_PID
wait_for 20 listening_count nobody 2 || fail "inputs not announced: $(cat "$T/nobody.err")"
grep -q "^listening tcp 127.0.0.1:$PRIV\$" "$T/nobody.err" || fail "$(cat "$T/nobody.err")"
status_ids() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$NPID/status" | tr -s ' \t' ' ' | sed 's/ $//'; }
[ "$(status_ids Uid)" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ] ||
	fail "Uid: $(status_ids Uid)"
[ "$(status_ids Gid)" = "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" ] ||
	fail "Gid: $(status_ids Gid)"
[ "$(status_ids Groups)" = "$NOBODY_GID" ] || fail "Groups: '$(status_ids Groups)'"
[ "$(status_ids CapEff)" = 0000000000000000 ] || fail "CapEff: $(status_ids CapEff)"
[ "$(status_ids CapPrm)" = 0000000000000000 ] || fail "CapPrm: $(status_ids CapPrm)"

fibre_cut "$(port_of nobody udp)"
ntickets() { [ "$(ticket_count "$NDB")" = 1 ]; }
wait_for 20 ntickets || fail "no ticket as nobody: $(tail -n 5 "$T/nobody.err")"
[ "$(command stat -c '%U %a' "$NDB")" = "nobody 600" ] || fail "store: $(command stat -c '%U %a' "$NDB")"
printf '<13>over the privileged port\n' | python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(sys.stdin.buffer.read()); s.close()' "$PRIV" || fail "the privileged port took nothing"
stop_clean "$NPID" "$T/nobody.err" "faultline run as nobody"
grep -q '^run: tcp: 1 received' "$T/nobody.err" || fail "$(grep '^run: tcp' "$T/nobody.err")"
echo "ok: modes 600; run --user nobody on port $PRIV: uid/gid $NOBODY_UID/$NOBODY_GID, no capabilities, store nobody 600"
