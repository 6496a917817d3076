#!/bin/sh
# An order down one city's chain and the reports back up, through a REAL
# Kannel (bearerbox, smsbox, fakesmsc as the SMS centre) and a REAL SMTP
# server (aiosmtpd): the region relays a directive to Mingyang and its three
# counties; each branch's duty room and liaison get it by SMS and e-mail.
# Mingyang acknowledges by hand, Shuikou by answering its SMS (Kannel's MO
# path runs `directive reply`), Dongpo by hand; Lianhua stays silent past
# its 30 minutes and is escalated to its own liaison, then to Mingyang. The
# counties report up, Mingyang sums them up to the region, and `directive
# --json show` reads the tree. Every step runs at a fixed --at time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/product_lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PLAN="-c $ROOT/rules/faultline.plan --data $ROOT/examples/network"
DB="$T/d.db"
dir() { "$FAULTLINE" directive --db "$DB" "$@"; }
rows() { sqlite3 "$DB" "$1"; }

# Shuikou's duty room answers through smsbox, which runs this with the
# sender (%p), the URL-encoded text (%a) and its coding (%c)
cat >"$T/reply.sh" <<REOF
#!/bin/sh
# shellcheck disable=SC2086
exec "$FAULTLINE" directive --db "$DB" reply $PLAN --phone "\$1" --text "\$2" --coding "\$3" \
	--at 2026-12-05T01:10Z 2>>"$T/reply.err"
REOF
chmod +x "$T/reply.sh"
K_SMS_SERVICE="group = sms-service
keyword-regex = .*
catch-all = true
max-messages = 1
exec = \"$T/reply.sh %p %a %c\""
start_kannel 4
start_smtp mail
phone_got() { [ "$(grep -c 'Got message [0-9]*: <[^>]' "$T/phone.out")" -ge "$1" ]; }
mails() { find "$T/mail" -name '*.eml' | wc -l; }
mails_got() { [ "$(mails)" -ge "$1" ]; }
deliver() { # AT
	"$FAULTLINE" outbox --db "$DB" --plugin-dir "$PLUGINS" \
		--route sms=sms --set sms.gateway="http://127.0.0.1:$SENDPORT" \
		--set sms.username=faultline --set sms.password=s3cret --set sms.from=10086 \
		--route email=email --set email.url="smtp://127.0.0.1:$SMTPPORT" \
		--set email.from=noc@example.net \
		--at "$1" run --once 2>"$T/outbox.err" || fail "outbox at $1: $(tail -n 3 "$T/outbox.err")"
	[ "$(rows "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ] ||
		fail "not all sent at $1: $(rows "SELECT key, state, last_error FROM outbox WHERE state <> 'sent'")"
}
sent() { rows "SELECT count(*) FROM outbox WHERE channel = '$1'"; }

# shellcheck disable=SC2086 # PLAN is words by design
id=$(dir issue $PLAN --from "区公司调度中心" --level urgent --text "重要保障：明阳全网巡检线路" \
	--scope "city Mingyang" --at 2026-12-05T01:00Z 2>"$T/issue.err") || fail "issue: $(cat "$T/issue.err")"
[ "$(rows "SELECT count(*) FROM directive_branches WHERE directive = '$id'")" = 4 ] ||
	fail "branches: $(rows 'SELECT branch FROM directive_branches')"
deliver 2026-12-05T01:01Z
wait_for 60 phone_got "$(sent sms)" || fail "the phones got $(grep -c 'Got message' "$T/phone.out") of $(sent sms) SMS"
wait_for 30 mails_got "$(sent email)" || fail "the mailboxes got $(mails) of $(sent email) e-mails"
grep -q '<10086 13800006125 ' "$T/phone.out" || fail "Lianhua's duty room got no SMS"
grep -lq 'my-lh-duty@example.net' "$T"/mail/*.env || fail "Lianhua's duty room got no e-mail"

dir ack "$id" --branch Mingyang --by 甘志强 --at 2026-12-05T01:05Z >/dev/null || fail "ack Mingyang"
before=$(grep -c 'Got message [0-9]*: <[^>]' "$T/phone.out")
kill "$FAKESMSC_PID"
wait "$FAKESMSC_PID" 2>/dev/null || true
spawn "$FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -m 1 "13800006121 10086 text ACK" >>"$T/phone.out" 2>&1
FAKESMSC_PID=$LAST_PID
wait_for 60 phone_got $((before + 1)) || fail "no answer to Shuikou's ACK: $(tail -n 5 "$T/smsbox.log")"
grep -q "10086 13800006121 text faultline: $id acknowledged for Shuikou" "$T/phone.out" ||
	fail "Shuikou's answer: $(grep 'Got message' "$T/phone.out" | tail -n 1)"
dir ack "$id" --branch Dongpo --by 罗丽萍 --at 2026-12-05T01:12Z >/dev/null || fail "ack Dongpo"

# shellcheck disable=SC2086
dir tick $PLAN --at 2026-12-05T01:31Z >"$T/tick1" || fail "tick 1"
grep -q '^tick: 1 late steps taken' "$T/tick1" || fail "tick 1: $(cat "$T/tick1")"
# shellcheck disable=SC2086
dir tick $PLAN --at 2026-12-05T01:46Z >"$T/tick2" || fail "tick 2"
grep -q '^tick: 1 late steps taken' "$T/tick2" || fail "tick 2: $(cat "$T/tick2")"
before=$(mails)
texts=$(grep -c 'Got message [0-9]*: <[^>]' "$T/phone.out")
deliver 2026-12-05T01:47Z
# Lianhua's own liaison first, then Mingyang's duty room and liaison
escalated_to() { grep 'Got message [0-9]*: <[^>]' "$T/phone.out" | tail -n +$((texts + 1)) | grep -q "<10086 $1 "; }
for phone in 13800006127 13800006108 13800006112; do
	wait_for 60 escalated_to "$phone" || fail "no escalation SMS to $phone"
done
[ "$(rows "SELECT group_concat(key, ' ') FROM (SELECT key FROM outbox WHERE key LIKE 'dir:$id:l%' AND channel = 'sms' ORDER BY key)")" = \
	"dir:$id:l1:Lianhua:leader_in_charge:sms:138-0000-6127 dir:$id:l2:Lianhua:duty_room:sms:138-0000-6108 dir:$id:l2:Lianhua:leader_in_charge:sms:138-0000-6112" ] ||
	fail "escalation: $(rows "SELECT key FROM outbox WHERE key LIKE 'dir:$id:l%'")"
wait_for 30 mails_got $((before + 2)) || fail "the escalation e-mails did not arrive"
[ "$(rows "SELECT count(*) FROM outbox WHERE key LIKE 'dir:$id:l%:Dongpo:%' OR key LIKE 'dir:$id:l%:Shuikou:%'")" = 0 ] ||
	fail "an acknowledged county was escalated"

# shellcheck disable=SC2086
dir report "$id" --branch Shuikou --by 吴春兰 --text "水口县线路正常" $PLAN --at 2026-12-05T02:00Z >/dev/null ||
	fail "report Shuikou"
# shellcheck disable=SC2086
dir report "$id" --branch Dongpo --by 罗丽萍 --text "东坡区已巡检" $PLAN --at 2026-12-05T02:05Z >/dev/null ||
	fail "report Dongpo"
# shellcheck disable=SC2086
dir report "$id" --branch Mingyang --by 甘志强 --text "明阳汇总" $PLAN --at 2026-12-05T02:10Z >/dev/null ||
	fail "report Mingyang"
before=$(mails)
deliver 2026-12-05T02:11Z
wait_for 30 mails_got $((before + 1)) || fail "the reports did not arrive by e-mail"
grep -l 'my-duty@example.net' "$T"/mail/*.env >/dev/null || fail "Mingyang got no report"
grep -l 'noc-duty@example.net' "$T"/mail/*.env >/dev/null || fail "the region got no sum"

dir --json show "$id" --at 2026-12-05T02:10Z >"$T/show.json" || fail "show"
python3 - "$T/show.json" <<'PY' || fail "tree: $(cat "$T/show.json")"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["branches"] == 4 and d["acknowledged"] == 3 and d["reported"] == 3, d
(city,) = d["tree"]
assert city["branch"] == "Mingyang" and city["state"] == "acknowledged", city
below = {b["branch"]: b for b in city["below"]}
assert sorted(below) == ["Dongpo", "Lianhua", "Shuikou"], sorted(below)
assert below["Shuikou"]["acknowledged_by"] == "水口县值班室", below["Shuikou"]
assert below["Shuikou"]["note"].startswith("SMS reply from 13800006121"), below["Shuikou"]
assert below["Lianhua"]["state"] == "late" and below["Lianhua"]["late_steps"] == 2, below["Lianhua"]
assert below["Dongpo"]["report"] == "东坡区已巡检", below["Dongpo"]
PY
echo "ok: directive chain: 4 branches by Kannel and SMTP, one SMS acknowledgement, Lianhua escalated twice, reports up"
