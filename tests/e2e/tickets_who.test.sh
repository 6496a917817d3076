#!/bin/sh
# Who acknowledged: `tickets ack` without --by takes $USER, else $LOGNAME,
# else the login name of the user it runs as; with none of them, or as
# root, it refuses and says why, instead of recording nobody.
. "$(dirname "$0")/lib.sh"
DB="$T/faultline.db"
"$FAULTLINE" tickets --db "$DB" --create list >/dev/null
now=$(date +%s)000000000
for id in INC-1 INC-2 INC-3; do
	sqlite3 "$DB" "INSERT INTO tickets(id, level, title, state, opened_ns, updated_ns)
		VALUES('$id', 'urgent', 'cut', 'open', $now, $now)"
done

set +e
env -u USER -u LOGNAME "$FAULTLINE" tickets --db "$DB" ack INC-1 2>"$T/err"
rc=$?
set -e
if [ "$(id -u)" = 0 ]; then
	[ $rc = 2 ] || fail "root without USER or LOGNAME: exit $rc, want 2"
	grep -q 'ack needs --by NAME: who did it? (\$USER and \$LOGNAME are empty and root names no person)' "$T/err" ||
		fail "the refusal does not say why: $(cat "$T/err")"
fi
[ "$(sqlite3 "$DB" "SELECT state FROM tickets WHERE id = 'INC-1'")" = open ] || [ "$(id -u)" != 0 ] ||
	fail "a refused ack changed the ticket"

USER= LOGNAME=duty-wang "$FAULTLINE" tickets --db "$DB" ack INC-2 >/dev/null
[ "$(sqlite3 "$DB" "SELECT by FROM history WHERE ticket = 'INC-2' ORDER BY rowid DESC LIMIT 1")" = duty-wang ] ||
	fail "LOGNAME was not recorded"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 777 "$T"
	chown nobody "$DB"*
	env -u USER -u LOGNAME setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$FAULTLINE" tickets --db "$DB" ack INC-3 >/dev/null 2>"$T/err" ||
		fail "the login name was not taken: $(cat "$T/err")"
	[ "$(sqlite3 "$DB" "SELECT by FROM history WHERE ticket = 'INC-3' ORDER BY rowid DESC LIMIT 1")" = nobody ] ||
		fail "the login name was not recorded"
fi
echo "tickets who: ok"
