#!/bin/sh
# faultline serve: the duty room's HTTP API with curl, on a store seeded
# with two fibre cuts and a directive. Every verb, as the right user and
# the wrong one (401 without or with bad credentials, 403 for a viewer's
# change), bad input, a body over the cap, clients that send their
# request a byte at a time while others are answered, and the history
# that says who did each change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"

seed_store
write_users
# a mistyped store fails the start, not every request
set +e
"$FAULTLINE" serve --db "$T/mistyped.db" --http 127.0.0.1:0 2>"$T/mistyped.err"
rc=$?
set -e
[ $rc = 1 ] && grep -q "no such file" "$T/mistyped.err" ||
	fail "serve on a missing store: exit $rc, $(cat "$T/mistyped.err")"
start_serve --users "$T/users"

# --- who is asking ------------------------------------------------------------
call 200 GET /api/status
[ "$(field 'd["role"], d["zone"], d["levels"][0]')" = "none Asia/Shanghai urgent" ] ||
	fail "status without login: $(cat "$T/body")"
call 401 GET /api/tickets
curl -s -D "$T/headers" -o /dev/null "$API/api/tickets"
grep -qi '^WWW-Authenticate: Basic' "$T/headers" || fail "401 without a Basic challenge"
curl -s -D "$T/headers" -o /dev/null -H 'X-Requested-With: board' "$API/api/tickets"
! grep -qi '^WWW-Authenticate' "$T/headers" || fail "the board's request got a browser prompt"
code=$(curl -s -o /dev/null -w '%{http_code}' -u view1:wrong "$API/api/tickets")
[ "$code" = 401 ] || fail "a wrong password: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -u nobody:"$PASS" "$API/api/tickets")
[ "$code" = 401 ] || fail "an unknown user: $code"
call 200 GET /api/status view1
[ "$(field 'd["user"], d["role"]')" = "view1 viewer" ] || fail "status: $(cat "$T/body")"

# --- reading -------------------------------------------------------------------
call 200 GET /api/tickets view1
[ "$(field '" ".join(t["id"] for t in d["tickets"])')" = "INC-2 INC-1" ] ||
	fail "the list: $(cat "$T/body")"
[ "$(field 'd["tickets"][0]["places"][0]["id"]')" = SPAN-HC-02 ] || fail "no places in the list"
call 200 GET '/api/tickets?city=%E6%B2%B3%E6%B1%A0' view1
[ "$(field '[t["id"] for t in d["tickets"]]')" = "['INC-2']" ] || fail "city filter: $(cat "$T/body")"
call 200 GET '/api/tickets?level=severe' view1
[ "$(field 'd["count"]')" = 0 ] || fail "level filter: $(cat "$T/body")"
call 400 GET '/api/tickets?state=sleeping' view1
call 400 GET '/api/tickets?since=yesterday' view1
call 200 GET /api/tickets/INC-2 view1
[ "$(field 'd["clocks"]["respond"]["state"], d["history"][0]["what"]')" = "running opened" ] ||
	fail "show: $(cat "$T/body")"
call 404 GET /api/tickets/INC-9 view1
call 409 GET /api/tickets/INC view1 # two tickets start so
call 200 GET /api/outbox view1
[ "$(field 'sorted(r["ticket"] for r in d), d[0]["state"], d[0]["person"]')" = \
	"['INC-1', 'INC-2'] sent 王工" ] || fail "outbox: $(cat "$T/body")"
call 200 GET '/api/outbox?ticket=INC-1&state=sent' view1
[ "$(field 'len(d)')" = 1 ] || fail "outbox filter: $(cat "$T/body")"
call 400 GET '/api/outbox?state=lost' view1
call 200 GET /api/directives view1
[ "$(field 'd[0]["id"], d[0]["branches"], d[0]["acknowledged"]')" = "DIR-1 2 0" ] ||
	fail "directives: $(cat "$T/body")"
call 200 GET '/api/report?from=2020-01-01&to=2100-01-01' view1
call 404 GET /api/nothing view1
call 405 PUT /api/tickets view1

# --- a viewer may not change anything --------------------------------------------
call 403 POST /api/tickets/INC-1/ack view1 '{}'
call 403 POST /api/maintenance view1 '{}'
call 401 POST /api/tickets/INC-1/ack "" '{}'
code=$(curl -s -o /dev/null -w '%{http_code}' -u "op1:$PASS" -d 'note=x' "$API/api/tickets/INC-1/ack")
[ "$code" = 415 ] || fail "a form post must be refused, got $code"

# --- the lifecycle, by an operator -----------------------------------------------------
call 200 POST /api/tickets/INC-1/ack op1 '{"note":"王工 on the way"}'
[ "$(field 'd["state"], d["history"][-1]["by"], d["history"][-1]["note"]')" = \
	"acknowledged op1 王工 on the way" ] || fail "ack: $(cat "$T/body")"
call 409 POST /api/tickets/INC-1/ack op1 '{}'
grep -q 'cannot ack' "$T/body" || fail "a second ack's reason: $(cat "$T/body")"
call 409 POST /api/tickets/INC-2/resolve op1 '{}'
for verb in dispatch onsite restore resolve close; do
	call 200 POST "/api/tickets/INC-1/$verb" op1 '{}'
done
[ "$(field 'd["state"]')" = archived ] || fail "close: $(cat "$T/body")"
call 200 POST /api/tickets/INC-2/note op1 '{"note":"客户来电询问"}'
[ "$(field 'd["history"][-1]["what"], d["history"][-1]["by"]')" = "note op1" ] ||
	fail "note: $(cat "$T/body")"
call 400 POST /api/tickets/INC-2/note op1 '{}'
call 200 POST /api/tickets/INC-2/pause op1 '{"clock":"onsite","note":"no access to the site"}'
[ "$(field 'd["clocks"]["onsite"]["state"]')" = paused ] || fail "pause: $(cat "$T/body")"
call 200 POST /api/tickets/INC-2/resume op1 '{"clock":"onsite"}'
call 400 POST /api/tickets/INC-2/pause op1 '{"clock":"lunch","note":"x"}'
call 404 POST /api/tickets/INC-2/fly op1 '{}'
call 200 GET '/api/tickets?state=archived' view1
[ "$(field '[t["id"] for t in d["tickets"]]')" = "['INC-1']" ] || fail "archived filter"

# --- a ticket opened by hand: a customer phoned the hotline ------------------------------
call 201 POST /api/tickets op1 \
	'{"level":"severe","text":"电子政务外网不通","customer":"河池电子政务外网","city":"河池","county":"宜州区","caller":"张先生 0778-2123456"}'
id=$(field 'd["id"]')
case $id in TEL-*) ;; *) fail "a ticket by hand: $(cat "$T/body")" ;; esac
[ "$(field 'd["level"], d["location"]["class"], d["clocks"]["respond"]["state"], d["history"][-1]["by"]')" = \
	"severe county running op1" ] || fail "the hand ticket: $(cat "$T/body")"
grep -q '张先生' "$T/body" || fail "the caller is not in the history"
call 400 POST /api/tickets op1 '{"level":"severe","text":"x"}'
call 400 POST /api/tickets op1 '{"level":"apocalyptic","text":"x","customer":"c"}'
call 400 POST /api/tickets op1 '{"level":"severe","text":"x","customer":"c"' # cut short
call 400 POST /api/tickets op1 '["level"]'
call 400 POST /api/tickets op1 '{"level":"severe","text":"\ud800","customer":"c"}'

# --- maintenance windows: an admin's ----------------------------------------------------------
from=$(date -u -d '+1 day' +%Y-%m-%dT02:00Z)
to=$(date -u -d '+1 day' +%Y-%m-%dT04:00Z)
call 403 POST /api/maintenance op1 "{\"scope\":\"span\",\"target\":\"SPAN-LZ-01\",\"from\":\"$from\",\"to\":\"$to\"}"
call 201 POST /api/maintenance adm1 "{\"scope\":\"span\",\"target\":\"SPAN-LZ-01\",\"from\":\"$from\",\"to\":\"$to\",\"reason\":\"splice\"}"
wid=$(field 'd["id"]')
call 200 GET /api/maintenance view1
[ "$(field 'd[0]["target"], d[0]["by"], d[0]["reason"]')" = "SPAN-LZ-01 adm1 splice" ] ||
	fail "the window: $(cat "$T/body")"
call 400 POST /api/maintenance adm1 "{\"scope\":\"galaxy\",\"target\":\"x\",\"from\":\"$from\",\"to\":\"$to\"}"
call 400 POST /api/maintenance adm1 '{"scope":"span","target":"x","from":"2020-01-01T00:00Z","to":"2020-01-01T01:00Z"}'
call 400 POST /api/maintenance adm1 '{"scope":"span"}'
call 200 DELETE "/api/maintenance/$wid" adm1 '{}'
call 404 DELETE "/api/maintenance/$wid" adm1 '{}'
call 200 GET /api/maintenance view1
[ "$(field 'len(d)')" = 0 ] || fail "the window is still there"

# --- directives ---------------------------------------------------------------------------------
call 200 POST /api/directives/DIR-1/ack op1 '{"branch":"柳江区","note":"收到"}'
[ "$(field '[(b["branch"], b["acknowledged_by"], b["ack_note"]) for b in d["branches"] if b["acknowledged"]]')" = \
	"[('柳江区', 'op1', '收到')]" ] || fail "directive ack: $(cat "$T/body")"
call 409 POST /api/directives/DIR-1/ack op1 '{"branch":"柳江区"}'
call 404 POST /api/directives/DIR-1/ack op1 '{"branch":"火星"}'
call 400 POST /api/directives/DIR-1/ack op1 '{}'
call 403 POST /api/directives/DIR-1/ack view1 '{"branch":"柳州"}'

# --- hostile clients ----------------------------------------------------------------------------
head -c 200000 /dev/zero | tr '\0' 'x' >"$T/huge"
code=$(curl -s -m 30 -o "$T/body" -w '%{http_code}' -u "op1:$PASS" -H 'Content-Type: application/json' \
	--data-binary @"$T/huge" "$API/api/tickets/INC-2/note")
[ "$code" = 413 ] || fail "a 200 kB body: $code"
# chunked, no declared length: the connection is closed, nothing is written
curl -s -m 30 -o /dev/null -u "op1:$PASS" -H 'Content-Type: application/json' \
	-H 'Transfer-Encoding: chunked' --data-binary @"$T/huge" "$API/api/tickets/INC-2/note" || true
call 200 GET /api/tickets/INC-2 view1
[ "$(field 'sum(1 for h in d["history"] if h["what"] == "note")')" = 1 ] ||
	fail "an oversized body was written"
deep=$(python3 -c 'print("[" * 40 + "]" * 40)')
call 400 POST /api/tickets/INC-2/note op1 "{\"note\":$deep}"

# eight clients send their headers a byte a second; others are answered meanwhile
python3 - "${API#http://}" >"$T/slow.out" 2>&1 <<'PY' &
import socket, sys, time
host, port = sys.argv[1].split(":")
conns = []
for _ in range(8):
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")
    conns.append(s)
print("open", flush=True)
for _ in range(30):
    for s in conns:
        try:
            s.sendall(b"X")
        except OSError:
            pass
    time.sleep(1)
PY
SLOW_PID=$!
FL_PIDS="$FL_PIDS $SLOW_PID"
wait_for 30 grep -q open "$T/slow.out" || fail "the slow clients did not connect: $(cat "$T/slow.out")"
i=0
while [ $i -lt 5 ]; do
	code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -u "view1:$PASS" "$API/api/tickets") || true
	[ "$code" = 200 ] || fail "a client was not answered while slow ones held connections: $code"
	i=$((i + 1))
done
kill "$SLOW_PID" 2>/dev/null || true

call 200 GET /api/status view1
[ "$(field 'd["counters"]["bodies_refused"] >= 2 and d["counters"]["forbidden"] >= 4')" = True ] ||
	fail "refusals not counted: $(cat "$T/body")"
grep -q '^http: op1 ack INC-1$' "$T/serve.err" || fail "the change is not logged: $(cat "$T/serve.err")"
kill "$SERVE_PID"
wait "$SERVE_PID" || fail "serve did not stop cleanly on SIGTERM: $(cat "$T/serve.err")"
echo "api: ok"
