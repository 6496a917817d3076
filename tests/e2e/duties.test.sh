#!/bin/sh
# faultline duties list: the plan's duties on its zone's calendar at fixed
# instants: a monthly duty from the 31st on each month's end, a daily one at
# the same local time across a daylight-saving change, one not begun yet,
# and a plan with a mistake in a duty refused with the line named.
. "$(dirname "$0")/lib.sh"

cat >"$T/duties.plan" <<'PLAN'
plan duties;
timezone "Europe/Berlin";
roles duty_room, ops_head, repair_team, leader_in_charge;
level urgent { respond at once within 2m; ladder std; }
ladder std { step after 0s notify duty_room via sms; }
duty survey "service-quality survey" every 1 month from "2027-01-31" notify ops_head via email;
duty check "morning check" every 1 day from "2027-03-20" at "07:30" notify duty_room via sms, email;
duty inspection "manager's inspection" every 3 months from "2027-06-01" notify leader_in_charge via email;
PLAN

# row NAME AT: the duty's row at AT, tab-separated
row() {
	"$FAULTLINE" duties list -c "$T/duties.plan" --at "$2" >"$T/list" 2>"$T/list.err" ||
		fail "duties list at $2: $(cat "$T/list.err")"
	grep "^$1	" "$T/list"
}
expect() {
	got=$(row "$1" "$2" | cut -f "$3")
	[ "$got" = "$4" ] || fail "$1 at $2, field $3: '$got', want '$4'"
}

# month ends: 31 Jan, 28 Feb (2027 is not leap), 31 Mar, 30 Apr
expect survey 2027-02-10T00:00:00Z 5 2027-01-31T09:00:00+01:00
expect survey 2027-02-10T00:00:00Z 6 2027-02-28T09:00:00+01:00
expect survey 2027-03-01T00:00:00Z 6 2027-03-31T09:00:00+02:00
expect survey 2027-04-01T00:00:00Z 6 2027-04-30T09:00:00+02:00
# 07:30 local on either side of 28 March 2027, when Berlin goes to +02:00
expect check 2027-03-27T12:00:00Z 5 2027-03-27T07:30:00+01:00
expect check 2027-03-27T12:00:00Z 6 2027-03-28T07:30:00+02:00
# not begun: no last occurrence, the first is next
expect inspection 2027-03-01T00:00:00Z 5 -
expect inspection 2027-03-01T00:00:00Z 6 2027-06-01T09:00:00+02:00
[ "$(row inspection 2027-03-01T00:00:00Z | cut -f 2-4)" = "every 3 months	leader_in_charge	email" ] ||
	fail "inspection row: $(cat "$T/list")"
[ "$(row check 2027-03-01T00:00:00Z | cut -f 4)" = "sms,email" ] || fail "check channels"

# a mistake in a duty: the plan is refused, the line named
sed 's/every 3 months/every 3 fortnights/' "$T/duties.plan" >"$T/bad.plan"
set +e
"$FAULTLINE" duties list -c "$T/bad.plan" >/dev/null 2>"$T/bad.err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "bad.plan:8:.*error: unknown unit of a duty's period 'fortnights'" "$T/bad.err" ||
	fail "a bad duty: exit $rc, $(cat "$T/bad.err")"
echo "duties: ok"
