#!/bin/sh
# Bearer tokens: `faultline token add` prints a token once and keeps its
# hash; the API lets it in as its user with the user's role (a viewer's
# token may read, not acknowledge: 403), records that user in the history,
# and refuses a wrong token, an expired one and one revoked while the server
# runs (401, counted). Expiries are far from today: 9999 valid, 2000 past.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"

seed_store
write_users
chmod 600 "$T/users"

OP=$("$FAULTLINE" token add op1 --users "$T/users" --expires 9999-12-31 2>"$T/add.err") ||
	fail "token add: $(cat "$T/add.err")"
VIEW=$("$FAULTLINE" token add view1 --users "$T/users" 2>>"$T/add.err") || fail "token add view1"
OLD=$("$FAULTLINE" token add op1 --users "$T/users" 2>>"$T/add.err") || fail "token add old"
case $OP in flt_????????_*) ;; *) fail "not a token: $OP" ;; esac
! grep -q "${OP#flt_????????_}" "$T/users" || fail "the token's secret is in the users file"
[ "$(stat -c %a "$T/users")" = 600 ] || fail "token add changed the file's mode"
set +e
"$FAULTLINE" token add ghost --users "$T/users" 2>"$T/ghost.err"
rc=$?
"$FAULTLINE" token add op1 --users "$T/users" --expires 2000-01-01 2>"$T/past.err"
rc2=$?
set -e
[ $rc = 1 ] && grep -q "ghost is not a user" "$T/ghost.err" || fail "a token of nobody: $rc"
[ $rc2 = 2 ] || fail "a token expired already was made: $rc2"

# OLD expired: its line as token add would write it, with an expiry in 2000
old_id=$(printf %s "$OLD" | cut -c5-12)
sed -i "s/^@token:$old_id:op1:never:/@token:$old_id:op1:20000101T000000Z:/" "$T/users"
"$FAULTLINE" token list --users "$T/users" >"$T/list"
[ "$(grep -c valid "$T/list")" = 2 ] && grep -q "^$old_id  op1 .*20000101T000000Z  expired" "$T/list" ||
	fail "token list: $(cat "$T/list")"

start_serve --users "$T/users"
# bearer STATUS METHOD PATH TOKEN [BODY]
bearer() {
	want=$1 method=$2 path=$3 token=$4 body=${5:-}
	set -- -s -m 30 -o "$T/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token"
	[ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
	got=$(curl "$@" "$API$path") || true
	[ "$got" = "$want" ] || fail "$method $path with ${token%_*}: $got, want $want: $(cat "$T/body")"
}

bearer 200 GET /api/status "$OP"
[ "$(field 'd["user"], d["role"]')" = "op1 operator" ] || fail "status: $(cat "$T/body")"
bearer 200 GET /api/tickets "$VIEW"
bearer 403 POST /api/tickets/INC-1/ack "$VIEW" '{}'
bearer 200 POST /api/tickets/INC-1/ack "$OP" '{"note":"by token"}'
[ "$(field 'd["history"][-1]["by"], d["history"][-1]["note"]')" = "op1 by token" ] ||
	fail "the history does not name the token's user: $(cat "$T/body")"
[ "$(sqlite3 "$DB" "SELECT by FROM history WHERE ticket = 'INC-1' AND note = 'by token'")" = op1 ] ||
	fail "the store's history does not name op1"

# wrong: the right id, another secret; then expired; then revoked while running
WRONG="$(printf %s "$OP" | cut -c1-13)AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
bearer 401 GET /api/tickets "$WRONG"
grep -q "wrong or revoked token" "$T/body" || fail "wrong token: $(cat "$T/body")"
bearer 401 GET /api/tickets "$OLD"
grep -q "expired" "$T/body" || fail "expired token: $(cat "$T/body")"
"$FAULTLINE" token revoke "$(printf %s "$VIEW" | cut -c5-12)" --users "$T/users" 2>"$T/revoke.err" ||
	fail "revoke: $(cat "$T/revoke.err")"
bearer 401 GET /api/tickets "$VIEW"
bearer 200 GET /api/tickets "$OP"
# basic logins are untouched by the tokens beside them
call 200 GET /api/tickets view1
call 200 GET /api/status
[ "$(field 'd["counters"]["tokens_refused"], d["counters"]["unauthorized"] >= 3')" = "3 True" ] ||
	fail "refusals not counted: $(cat "$T/body")"
echo "api_token: ok"
