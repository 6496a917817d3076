#!/bin/sh
# tickets show: the times in the zone asked for (--tz, the plan's zone:
# Asia/Shanghai) with their offset, whatever the machine's zone; when the
# alarm cleared; the circuits and customers it took down and the alarms it
# absorbed; and a list row that counts who was told by delivery state.
# A fixed ticket, so no line depends on the day the test runs
# (the ages do, and are not compared).
. "$(dirname "$0")/lib.sh"
DB="$T/faultline.db"
"$FAULTLINE" tickets --db "$DB" --create list >/dev/null
o=1795572000000000000 # 2026-11-25T02:00:00Z, 10:00 in Shanghai
c=1795575600000000000 # an hour later
sqlite3 "$DB" <<SQL
INSERT INTO tickets(id, rule, key, level, title, state, span, city, county, circuits, customers,
  alarms, opened_ns, updated_ns, cleared_ns)
  VALUES('INC-7', 'fibre_cut', 'S-1', 'urgent', 'S-1 光缆中断', 'open', 'S-1', '河池', '宜州区',
  'CIR-HC-01;CIR-HC-02', '河池电子政务外网', 37, $o, $c, $c);
INSERT INTO history(ticket, at_ns, what, by) VALUES('INC-7', $o, 'opened', 'faultline');
SQL

TZ=UTC "$FAULTLINE" tickets --db "$DB" --tz Asia/Shanghai show INC-7 >"$T/out"
for want in \
	'^opened:    2026-11-25T10:00:00+08:00 (' \
	'^cleared:   2026-11-25T11:00:00+08:00$' \
	'^circuits:  CIR-HC-01, CIR-HC-02$' \
	'^customers: 河池电子政务外网$' \
	'^alarms:    37$' \
	'^  2026-11-25T10:00:00+08:00  opened  *faultline$'; do
	grep -q "$want" "$T/out" || fail "no line '$want' in: $(cat "$T/out")"
done
TZ=Asia/Tokyo "$FAULTLINE" tickets --db "$DB" show INC-7 >"$T/out"
grep -q '^opened:    2026-11-25T02:00:00Z (' "$T/out" || fail "without --tz, not UTC: $(cat "$T/out")"
set +e
"$FAULTLINE" tickets --db "$DB" --tz Mars/Olympus show INC-7 2>"$T/err"
rc=$?
set -e
[ $rc = 2 ] && grep -q 'no such zone' "$T/err" || fail "a bad zone: exit $rc, $(cat "$T/err")"

# a list row stays one short line however many were told
for n in 1 2 3; do
	state=sent
	[ $n = 3 ] && state=failed
	sqlite3 "$DB" "INSERT INTO outbox(ticket, key, channel, role, person, address, incident_json,
		state, created_ns, due_ns, expires_ns) VALUES('INC-7', 'k$n', 'sms', 'lead', '王工$n',
		'1380000000$n', '{}', '$state', $o, $o, $o + 1)"
done
"$FAULTLINE" tickets --db "$DB" list >"$T/out"
grep -q '^INC-7 .*  2 sent, 1 failed$' "$T/out" || fail "the TOLD cell is not counted: $(cat "$T/out")"
echo "tickets show: ok"
