#!/bin/sh
# The restoration notice: `faultline replay --db` over the recorded fibre cut
# of 25 Nov 2026 (HC-YZ-R01-S02, cleared at 11:33:43 +08:00) queues, at the
# clear, an SMS and an e-mail to each contact of the customers the cut
# touched, saying the service is restored; the fault's own notices do not say
# so. The bundled plan's customer templates write them: the SMS short, the
# e-mail with its own subject, each naming the customer's circuits. A second
# replay of the same recording queues nothing again.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data
DB="$T/r.db"
CLEARED_NS=1795577623000000000 # 2026-11-25T03:33:43Z

replay() {
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$DATA" --db "$DB" --year 2026 --quiet \
		"$DATA/scenarios/fibre-cut-hechi.log" 2>"$T/replay.err" ||
		fail "replay: $(cat "$T/replay.err")"
}
rows() { sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE $1"; }

replay
restored="role = 'customer_contact' AND created_ns >= $CLEARED_NS"
[ "$(rows "$restored")" = 4 ] ||
	fail "want 4 restoration notices (2 contacts x sms, email): $(sqlite3 "$DB" 'SELECT key, subject FROM outbox')"
[ "$(rows "$restored AND channel = 'sms' AND body LIKE '【业务恢复】您的专线%已于11-25 11:33恢复。工单INC-2026-000001%'")" = 2 ] ||
	fail "sms body: $(sqlite3 "$DB" "SELECT body FROM outbox WHERE $restored")"
[ "$(rows "$restored AND channel = 'email' AND subject = '专线恢复通知 INC-2026-000001' AND body LIKE '%已于 11-25 11:33 恢复%'")" = 2 ] ||
	fail "e-mail: $(sqlite3 "$DB" "SELECT subject, body FROM outbox WHERE $restored")"
[ "$(rows "$restored AND created_ns = $CLEARED_NS")" = 4 ] ||
	fail "not queued at the clear: $(sqlite3 "$DB" "SELECT created_ns FROM outbox WHERE $restored")"
for who in 138-0000-2315 tingting.nong@example.net 138-0000-1619 lihua.he@example.net; do
	[ "$(rows "$restored AND address = '$who'")" = 1 ] || fail "not told once: $who"
done
# the fault's notices to the same customers do not claim a restoration
fault="role = 'customer_contact' AND created_ns < $CLEARED_NS"
[ "$(rows "$fault")" = 4 ] || fail "fault notices: $(sqlite3 "$DB" "SELECT key FROM outbox WHERE $fault")"
[ "$(rows "$fault AND (subject LIKE '%restored%' OR body LIKE '%已恢复%')")" = 0 ] ||
	fail "a fault notice reads as a restoration"

total=$(rows 1)
replay
[ "$(rows 1)" = "$total" ] || fail "the second replay queued $(($(rows 1) - total)) more"
echo "ok: 4 restoration notices at the clear, once"
