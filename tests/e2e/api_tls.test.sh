#!/bin/sh
# faultline serve over HTTPS: certificates made here (valid 2000 to 9999),
# curl trusting the CA reads and acknowledges a ticket; plain HTTP to the
# TLS port, and a client that trusts another CA, get nothing. Mistakes in
# the TLS options are named at the start, and plain HTTP is refused on an
# address that is not loopback unless --http-insecure says a proxy does TLS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"
. "$(dirname "$0")/tls_lib.sh"

seed_store
write_users

# expect_refusal TEXT OPTIONS...: serve must exit 1 and say TEXT.
expect_refusal() {
	want=$1
	shift
	set +e
	"$FAULTLINE" serve --db "$DB" --users "$T/users" "$@" 2>"$T/refused.err"
	rc=$?
	set -e
	[ $rc = 1 ] && grep -q "$want" "$T/refused.err" ||
		fail "serve $*: exit $rc, want 1 and '$want': $(cat "$T/refused.err")"
}
expect_refusal "not a loopback address" --http 0.0.0.0:0
expect_refusal "go together" --http 127.0.0.1:0 --http-tls-cert "$P/server.pem"
expect_refusal "key '$T/none.key'" --http 127.0.0.1:0 --http-tls-cert "$P/server.pem" \
	--http-tls-key "$T/none.key"
# a key that is not the certificate's
expect_refusal "with key" --http 127.0.0.1:0 --http-tls-cert "$P/server.pem" \
	--http-tls-key "$P/relay1.key"

# --http-insecure: the operator's word that TLS is done in front
spawn "$FAULTLINE" serve --db "$DB" --http 0.0.0.0:0 --http-insecure 2>"$T/insecure.err"
wait_for 60 grep -q '^listening http 0\.0\.0\.0:' "$T/insecure.err" ||
	fail "--http-insecure did not listen: $(cat "$T/insecure.err")"
kill "$LAST_PID"

# --- HTTPS ---------------------------------------------------------------------
spawn "$FAULTLINE" serve --db "$DB" --http 127.0.0.1:0 -c "$ROOT/rules/faultline.plan" \
	--data "$ROOT/examples/network" --users "$T/users" --http-tls-cert "$P/server.pem" \
	--http-tls-key "$P/server.key" 2>"$T/serve.err"
wait_for 60 grep -q '^listening https ' "$T/serve.err" ||
	fail "serve never listened on https: $(cat "$T/serve.err")"
PORT=$(sed -n 's/^listening https 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/serve.err")
[ -n "$PORT" ] || fail "no port in: $(cat "$T/serve.err")"
API="https://127.0.0.1:$PORT"
# call (api_lib.sh) with the CA trusted
curl() { command curl --cacert "$P/ca.pem" "$@"; }

call 200 GET /api/status view1
[ "$(field 'd["user"], d["role"]')" = "view1 viewer" ] || fail "status: $(cat "$T/body")"
call 200 GET /api/tickets view1
[ "$(field 'd["count"]')" = 2 ] || fail "tickets over TLS: $(cat "$T/body")"
call 403 POST /api/tickets/INC-1/ack view1 '{}'
call 200 POST /api/tickets/INC-1/ack op1 '{"note":"ack over TLS"}'
[ "$(field 'd["state"], d["history"][-1]["by"], d["history"][-1]["note"]')" = \
	"acknowledged op1 ack over TLS" ] || fail "ack over TLS: $(cat "$T/body")"
[ "$(sqlite3 "$DB" "SELECT state FROM tickets WHERE id = 'INC-1'")" = acknowledged ] ||
	fail "the ack did not reach the store"

# plain HTTP to the TLS port: no answer
set +e
got=$(command curl -s -m 20 -o "$T/plain.body" -w '%{http_code}' -u "view1:$PASS" \
	"http://127.0.0.1:$PORT/api/status")
rc=$?
set -e
[ $rc != 0 ] && [ "$got" = 000 ] || fail "plain HTTP to the TLS port: exit $rc, status $got"
[ ! -s "$T/plain.body" ] || fail "plain HTTP got a body: $(cat "$T/plain.body")"

# a client that trusts another CA refuses the server
set +e
command curl -s -m 20 -o /dev/null --cacert "$P/rogue_ca.pem" -u "view1:$PASS" \
	"$API/api/status"
rc=$?
set -e
[ $rc = 60 ] || fail "a client of another CA: curl exit $rc, want 60 (peer not verified)"

# the server still answers after the failed handshakes
call 200 GET /api/status view1
echo "api_tls: ok"
