#!/bin/sh
# Customers' consent before maintenance: a window added with its plan
# records the customers whose circuits ride its target; `maintenance
# consent` and POST /api/maintenance/ID/consent record each one's word, `show`
# lists them, `list` and GET /api/maintenance count them and warn for a window
# that starts within the plan's notice (72 h: its announce lead) without every
# customer's consent, and not for one further ahead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
SHARED="${FL_SHARED:-/work/shared}"
PLAN="$ROOT/rules/faultline.plan"
DATA="$SHARED/data"
SPAN=HC-CR03-S04 # HC-EGOV-001 (河池市电子政务外网) and an education circuit ride it
EGOV=河池市电子政务外网
EDU=河池市教育城域网

maint() { "$FAULTLINE" maintenance --db "$DB" "$@"; }
expect() {
	want=$1
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "$*: exit $got, want $want: $(cat "$T/err")"
}

expect 0 "$FAULTLINE" tickets --db "$DB" --create list
soon_from=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%MZ)
soon_to=$(date -u -d '+4 hours' +%Y-%m-%dT%H:%MZ)
far_from=$(date -u -d '+30 days' +%Y-%m-%dT02:00Z)
far_to=$(date -u -d '+30 days' +%Y-%m-%dT04:00Z)

# --- the CLI -----------------------------------------------------------------------
expect 0 maint add -c "$PLAN" --data "$DATA" --scope span --target "$SPAN" \
	--from "$soon_from" --to "$soon_to" --reason "熔接" --by adm1
soon=$(sed -n 's/^window \([0-9]*\): span .*/\1/p' "$T/out")
grep -q "^window $soon: 2 customers to ask for consent$" "$T/out" || fail "add: $(cat "$T/out")"
expect 0 maint add -c "$PLAN" --data "$DATA" --scope span --target "$SPAN" \
	--from "$far_from" --to "$far_to" --by adm1
far=$(sed -n 's/^window \([0-9]*\): span .*/\1/p' "$T/out")
expect 0 maint show "$soon"
grep -q "consent:  2 customers: 0 given, 0 asked, 0 refused, 2 not asked" "$T/out" ||
	fail "show: $(cat "$T/out")"
grep -q "^warning:  starts within the notice period" "$T/out" || fail "no warning: $(cat "$T/out")"
grep -q "^  missing  .*$EGOV" "$T/out" || fail "show lists no $EGOV: $(cat "$T/out")"

expect 1 maint consent "$soon" --customer 河池市电子政务外 --given --by op1
grep -q "refused: '河池市电子政务外' is not a customer window $soon affects; did you mean '$EGOV'?" \
	"$T/err" || fail "unknown customer: $(cat "$T/err")"
expect 2 maint consent "$soon" --customer "$EGOV" --given --refused --by op1
expect 1 maint consent 999 --customer "$EGOV" --given --by op1
expect 0 maint consent "$soon" --customer "$EGOV" --given --by op1 --note "张先生电话同意"
grep -q "^window $soon: $EGOV given (by op1)$" "$T/out" || fail "consent: $(cat "$T/out")"
expect 0 maint consent "$soon" --customer "$EDU" --asked --by op2
expect 0 maint show "$soon"
grep -q "^  given  .*$EGOV  *op1: 张先生电话同意$" "$T/out" || fail "given: $(cat "$T/out")"
grep -q "^  asked  .*$EDU  *op2$" "$T/out" || fail "asked: $(cat "$T/out")"
expect 0 maint list
grep -q "^$soon  *span  *$SPAN .* ahead  *1/2!  *熔接$" "$T/out" || fail "list soon: $(cat "$T/out")"
grep -q "^$far  *span  *$SPAN .* ahead  *0/2  " "$T/out" || fail "list far: $(cat "$T/out")"

# --- the API -----------------------------------------------------------------------
write_users
start_serve --users "$T/users"
call 200 GET /api/maintenance view1
[ "$(field "[(w['id'], w['consent']['customers'], w['consent']['given'], w['consent']['asked'], w['consent']['missing'], w['consent_warning']) for w in d]")" = \
	"[($soon, 2, 1, 1, 0, True), ($far, 2, 0, 0, 2, False)]" ] || fail "GET: $(cat "$T/body")"
call 403 POST "/api/maintenance/$soon/consent" view1 "{\"customer\":\"$EDU\",\"state\":\"given\"}"
call 400 POST "/api/maintenance/$soon/consent" op1 "{\"customer\":\"$EDU\",\"state\":\"maybe\"}"
call 400 POST "/api/maintenance/$soon/consent" op1 '{"state":"given"}'
call 404 POST "/api/maintenance/$soon/consent" op1 '{"customer":"火星","state":"given"}'
call 404 POST /api/maintenance/999/consent op1 "{\"customer\":\"$EDU\",\"state\":\"given\"}"
call 200 POST "/api/maintenance/$soon/consent" op1 \
	"{\"customer\":\"$EDU\",\"state\":\"given\",\"note\":\"同意\"}"
[ "$(field "d['by'], d['state'], d['consent']['given']")" = "op1 given 2" ] ||
	fail "POST: $(cat "$T/body")"
call 200 GET /api/maintenance view1
[ "$(field "[w['consent_warning'] for w in d]")" = "[False, False]" ] ||
	fail "every customer agreed, still a warning: $(cat "$T/body")"
expect 0 maint show "$soon"
grep -q "^  given  .*$EDU  *op1: 同意$" "$T/out" || fail "the API's consent: $(cat "$T/out")"
echo "ok: maintenance consent by CLI and API, counted and warned"
