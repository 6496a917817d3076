#!/bin/sh
# faultline notify --plugin sms through a REAL Kannel on loopback: bearerbox
# and smsbox (Debian kannel) with fakesmsc (kannel-extras) as the SMS centre.
# What fakesmsc prints is what the phone would get: Chinese arrives as UCS-2,
# a long text as UDH-concatenated parts with a pair outside the BMP intact,
# ASCII as GSM text; bad credentials are permanent, a dead gateway retryable.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/product_lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"

# max-messages 4: the long text below needs two parts, well inside the cap
start_kannel 4
port_closed() { ! port_open "$1"; }

notify() {
	want=$1
	shift
	set +e
	"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin sms --timeout-ms 20000 \
		--set gateway="http://127.0.0.1:$SENDPORT" --set username=faultline \
		--set from=10086 "$@" 2>"$T/stderr"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "notify $*: exit $got, want $want: $(cat "$T/stderr")"
}
got_messages() { [ "$(grep -c 'Got message' "$T/phone.out")" -ge "$1" ]; }

# 1. A short Chinese alarm: one UCS-2 message.
notify 0 --set password=s3cret --to 138-0000-2112 --subject 光缆中断 \
	--body '南宁-柳州 NN-ADM-01 至 LZ-ADM-03' --key inc-42:sms-1
wait_for 20 got_messages 1 || fail "no SMS reached the SMSC: $(tail -5 "$T/bearerbox.log")"

# 2. A long one with a character outside the BMP where the 67-unit cut falls.
LONG=$(python3 -c 'print("告" * 66 + "\U00020BB7" + "警" * 40)')
notify 0 --set password=s3cret --to 13800007734 --body "$LONG"
wait_for 20 got_messages 3 || fail "the long SMS did not arrive in two parts"

# 3. Plain ASCII goes as GSM text.
notify 0 --set password=s3cret --to +8613800009539 --body 'LOS on NN-ADM-01 port 1-1'
wait_for 20 got_messages 4 || fail "the ASCII SMS did not arrive"

python3 - "$T/phone.out" "$LONG" <<'PY' || fail "the phone got the wrong text: $(grep 'Got message' "$T/phone.out")"
import re, sys, urllib.parse
long_text = sys.argv[2]
msgs = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$", line.rstrip("\n"))
    if m:
        msgs.append(m.groups())
assert len(msgs) == 4, msgs
def ucs2(data):   # fakesmsc writes the byte 0x20 as '+', like a form
    return urllib.parse.unquote_to_bytes(data.replace("+", "%20"))
frm, to, kind, data = msgs[0]
assert (frm, to, kind) == ("10086", "13800002112", "ucs-2"), msgs[0]
assert ucs2(data).decode("utf-16-be") == "光缆中断 南宁-柳州 NN-ADM-01 至 LZ-ADM-03", ucs2(data)
parts = []
for frm, to, kind, data in msgs[1:3]:
    assert to == "13800007734" and kind == "udh", (to, kind)
    udh, word, payload = data.split(" ", 2)
    assert word == "data", data
    raw = ucs2(payload)
    assert len(raw) <= 134, len(raw)
    parts.append(raw.decode("utf-16-be"))   # raises if a part holds half a pair
text = "".join(parts).replace("\u200b", "")
assert text == long_text, text
assert parts[1].lstrip("\u200b").startswith("\U00020BB7"), parts[1][:3]
frm, to, kind, data = msgs[3]
assert to == "+8613800009539" and kind == "text", msgs[3]
assert urllib.parse.unquote_plus(data) == "LOS on NN-ADM-01 port 1-1", data
PY

# Wrong password: Kannel answers 403, permanent. Not a phone number: permanent.
notify 1 --set password=wrong --to 13800002112 --body x
grep -q 'HTTP 403' "$T/stderr" || fail "no status in the reason: $(cat "$T/stderr")"
notify 1 --set password=s3cret --to noc-duty@example.net --body x

# The gateway goes away: retryable.
kill "$SMSBOX_PID"
wait_for 20 port_closed "$SENDPORT" || fail "smsbox did not stop"
notify 75 --set password=s3cret --to 13800002112 --body x

# Another gateway through templates, against a python3 http.server receiver.
mkdir -p "$T/http"
spawn "${FL_PYTHON:-/usr/bin/python3}" "$(cd "$(dirname "$0")" && pwd)/http_sink.py" \
	"$T/http" "$T/http.port"
wait_for 10 test -s "$T/http.port" || fail "http sink did not start"
GW="http://127.0.0.1:$(cat "$T/http.port")"
notify 0 --set password=pw --set url="$GW/ok" --set method=POST \
	--set body='user={username}&pass={password}&to={to}&msg={text}&dcs={coding}' \
	--set text_format=ucs2hex --to 138-0000-2112 --body '光缆中断&to=110'
notify 0 --set url="$GW/ok?to={to}&text={text}&id={key}" --to 13800002112 \
	--body '光缆中断 at NN&x=1' --key inc-42:sms-9
wait_for 10 test -s "$T/http/2.json" || fail "the template gateway got no request"
python3 - "$T/http" <<'PY' || fail "template requests are wrong"
import json, sys, urllib.parse
post = json.load(open(sys.argv[1] + "/1.json", encoding="utf-8"))
form = urllib.parse.parse_qs(post["body"])
assert post["method"] == "POST", post
assert form == {"user": ["faultline"], "pass": ["pw"], "to": ["13800002112"],
                "msg": ["光缆中断&to=110".encode("utf-16-be").hex().upper()], "dcs": ["2"]}, form
get = json.load(open(sys.argv[1] + "/2.json", encoding="utf-8"))
q = urllib.parse.parse_qs(urllib.parse.urlsplit(get["path"]).query)
assert q == {"to": ["13800002112"], "text": ["光缆中断 at NN&x=1"], "id": ["inc-42:sms-9"]}, q
PY
notify 75 --set url="$GW/flaky?to={to}&text={text}" --to 13800002112 --body x
notify 0 --set url="$GW/flaky?to={to}&text={text}" --to 13800002112 --body x
notify 1 --set url="$GW/bad?to={to}&text={text}" --to 13800002112 --body x
notify 1 --set url="$GW/ok?to={to}&text={txet}" --to 13800002112 --body x
grep -q 'placeholder' "$T/stderr" || fail "no reason for the bad template: $(cat "$T/stderr")"
echo "ok"
