#!/bin/sh
# A branch acknowledges a dispatch directive by answering its SMS, through
# a REAL Kannel: fakesmsc (the SMS centre) delivers what a phone sends,
# smsbox's sms-service runs `faultline directive reply` with the sender's
# number and the text, and what faultline answers goes back to the phone.
# A duty room's ACK in GSM text, a liaison's 收到 in UCS-2 with a note, an
# unknown number, a text that is no acknowledgement and an ACK sent twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/product_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLAN="-c $ROOT/rules/faultline.plan --data $ROOT/examples/network"
DB="$T/d.db"

# shellcheck disable=SC2086 # PLAN is words by design
id=$("$FAULTLINE" directive --db "$DB" issue $PLAN --from "customer dispatch centre" \
	--level urgent --text "全网重要通信保障" --scope all --at 2026-12-05T01:00Z 2>"$T/issue.err") ||
	fail "issue: $(cat "$T/issue.err")"

# smsbox runs the command through /bin/sh with the sender (%p) and the text
# (%a, URL-encoded by Kannel, so the shell sees no quote) and its coding (%c)
cat >"$T/reply.sh" <<REOF
#!/bin/sh
exec "$FAULTLINE" directive --db "$DB" reply $PLAN --phone "\$1" --text "\$2" --coding "\$3" 2>>"$T/reply.err"
REOF
chmod +x "$T/reply.sh"
K_SMS_SERVICE="group = sms-service
keyword-regex = .*
catch-all = true
max-messages = 1
exec = \"$T/reply.sh %p %a %c\""
start_kannel 4
kill "$FAKESMSC_PID"
wait "$FAKESMSC_PID" 2>/dev/null || true

answers() { grep -c 'Got message [0-9]*: <[^>]' "$T/phone.out" 2>/dev/null || true; }
got() { [ "$(answers)" -ge "$1" ]; }
phone_sends() { # MESSAGE (fakesmsc's "from to type text"): waits for the answer
	want=$(($(answers) + 1))
	spawn "$FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -m 1 "$1" >>"$T/phone.out" 2>&1
	pid=$LAST_PID
	wait_for 30 got "$want" || fail "no answer to '$1': $(tail -5 "$T/smsbox.log")"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}
last_answer() { grep 'Got message [0-9]*: <[^>]' "$T/phone.out" | tail -n 1 | sed 's/.*Got message [0-9]*: <//; s/>$//'; }
acked_by() { sqlite3 "$DB" "SELECT coalesce(acked_by, '-') || '|' || coalesce(ack_note, '-') FROM directive_branches WHERE directive = '$id' AND branch = '$1'"; }

# Shuikou's duty room: plain ACK, the number as the network gives it
phone_sends "8613800006121 10086 text ACK"
[ "$(last_answer)" = "10086 8613800006121 text faultline: $id acknowledged for Shuikou" ] ||
	fail "answer: $(last_answer)"
[ "$(acked_by Shuikou)" = "水口县值班室|SMS reply from 8613800006121" ] || fail "Shuikou: $(acked_by Shuikou)"

# Mingyang's liaison (甘志强): 收到 已部署 in UCS-2
phone_sends "13800006112 10086 ucs2 %65%36%52%30%00%20%5d%f2%90%e8%7f%72"
last_answer | grep -q "faultline: $id acknowledged for Mingyang" || fail "answer: $(last_answer)"
[ "$(acked_by Mingyang)" = "甘志强|SMS reply from 13800006112: 已部署" ] || fail "Mingyang: $(acked_by Mingyang)"

# a number in no branch's contacts, a text that is no acknowledgement, twice
phone_sends "13900000000 10086 text ACK"
last_answer | grep -q "is no branch's contact" || fail "unknown number answered: $(last_answer)"
phone_sends "13800006121 10086 text where is the cut"
last_answer | grep -q "reply ACK" || fail "no hint for a stray text: $(last_answer)"
phone_sends "13800006121 10086 text ok"
last_answer | grep -q "Shuikou acknowledged every open order already" || fail "twice: $(last_answer)"

[ "$(sqlite3 "$DB" "SELECT count(*) FROM directive_branches WHERE directive = '$id' AND acked_ns > 0")" = 2 ] ||
	fail "acknowledged: $(sqlite3 "$DB" 'SELECT branch, acked_by FROM directive_branches')"
[ "$(grep -c 'refused' "$T/reply.err")" = 3 ] || fail "refusals logged: $(cat "$T/reply.err")"
echo "ok: directive sms reply: two branches acknowledged by answering through Kannel, three refusals answered"
