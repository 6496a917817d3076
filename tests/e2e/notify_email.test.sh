#!/bin/sh
# faultline notify --plugin email against a real SMTP server (aiosmtpd) on
# 127.0.0.1: a Chinese subject and body arrive decoded, a CR/LF in the subject
# adds no header, SMTP 4xx is retryable (75), 5xx permanent (1), a dead server
# retryable; STARTTLS with a self-signed certificate and AUTH.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/product_lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PY="${FL_PYTHON:-/usr/bin/python3}" # Debian's python3, where python3-aiosmtpd lives
"$PY" -c 'import aiosmtpd' || fail "aiosmtpd missing for $PY (apt-get install python3-aiosmtpd)"

# start_sink NAME ARGS...: start_smtp (product_lib.sh) writing to $T/NAME;
# sets PORT and SINK_PID.
start_sink() {
	start_smtp "$@"
	PORT=$SMTPPORT
	SINK_PID=$SMTP_PID
}

# notify EXPECTED_STATUS ARGS...: runs faultline notify --plugin email.
notify() {
	want=$1
	shift
	set +e
	"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin email --timeout-ms 20000 \
		--set from=faultline@noc.example.net "$@" 2>"$T/stderr"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "notify $*: exit $got, want $want: $(cat "$T/stderr")"
}

SUBJECT='南宁-柳州 光缆中断：NN-ADM-01 至 LZ-ADM-03 三个站点同时告警，请立即处理'
BODY="$(printf '区公司网管中心值班室：\n南宁-柳州 一干光缆中断，影响 12 条电路。\n工单 INC-42')"

start_sink plain
notify 0 --set url="smtp://127.0.0.1:$PORT" --to noc-duty@example.net \
	--name 区公司网管中心值班室 --subject "$SUBJECT" --body "$BODY" --key inc-42:mail-1
wait_for 10 test -s "$T/plain/1.eml" || fail "no message reached the SMTP server"
"$PY" - "$T/plain/1.eml" "$SUBJECT" "$BODY" <<'PY' || fail "received message is wrong"
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
assert str(msg["subject"]) == sys.argv[2], repr(str(msg["subject"]))
assert msg.get_content().replace("\r\n", "\n").rstrip("\n") == sys.argv[3], msg.get_content()
assert msg["message-id"] == "<inc-42=3Amail-1@noc.example.net>", msg["message-id"]
assert msg["to"].addresses[0].display_name == "区公司网管中心值班室", str(msg["to"])
assert msg["to"].addresses[0].addr_spec == "noc-duty@example.net"
for line in raw.split(b"\r\n"):
    assert len(line) <= 78, line      # RFC 5322 §2.1.1 soft limit, held everywhere
assert all(b < 0x80 for b in raw), "raw 8-bit bytes in the message"
PY
grep -qx 'noc-duty@example.net' "$T/plain/1.env" || fail "envelope recipient wrong"
[ "$(sed -n 3p "$T/plain/1.env")" = 0 ] || fail "the sink reports TLS it did not offer"

# Header injection through the subject and the display name.
notify 0 --set url="smtp://127.0.0.1:$PORT" --to noc-duty@example.net \
	--name "$(printf 'x\r\nBcc: victim@example.org')" \
	--subject "$(printf 'LOS\r\nBcc: victim@example.org\r\n\r\nforged body')" --body b
wait_for 10 test -s "$T/plain/2.eml" || fail "second message did not arrive"
"$PY" - "$T/plain/2.eml" <<'PY' || fail "injection reached the message"
import email, email.policy, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
assert msg["bcc"] is None, msg["bcc"]
assert "Bcc: victim@example.org" in str(msg["subject"]), str(msg["subject"])
assert msg.get_content().strip() == "b", msg.get_content()
PY
grep -qx 'noc-duty@example.net' "$T/plain/2.env" || fail "injection changed the envelope"

# SMTP replies: 450 retry, 550 permanent; a recipient that is no address: permanent.
notify 75 --set url="smtp://127.0.0.1:$PORT" --to busy@example.net --body b
notify 1 --set url="smtp://127.0.0.1:$PORT" --to nobody@example.net --body b
notify 1 --set url="smtp://127.0.0.1:$PORT" --to 'a@b>, <c@d' --body b
# TLS demanded from a server without STARTTLS: permanent.
notify 1 --set url="smtp://127.0.0.1:$PORT" --set use_ssl=all --to noc-duty@example.net --body b

# The server goes away: retryable.
kill "$SINK_PID"
wait_for 10 sh -c "! kill -0 $SINK_PID" || fail "sink did not stop"
notify 75 --set url="smtp://127.0.0.1:$PORT" --to noc-duty@example.net --body b
grep -q 'retry' "$T/stderr" || fail "no reason for the retry: $(cat "$T/stderr")"

# STARTTLS with a self-signed certificate for 127.0.0.1, and AUTH.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" \
	>/dev/null 2>&1 || fail "openssl could not make a certificate"
start_sink tls --tls "$T/cert.pem" "$T/key.pem" --require-tls --auth fl:s3cret
notify 0 --set url="smtp://127.0.0.1:$PORT" --set use_ssl=all --set cacert="$T/cert.pem" \
	--set username=fl --set password=s3cret --to noc-duty@example.net \
	--subject "$SUBJECT" --body "$BODY" --key inc-42:mail-2
wait_for 10 test -s "$T/tls/1.eml" || fail "no message over STARTTLS"
[ "$(sed -n 3p "$T/tls/1.env")" = 1 ] || fail "session was not TLS"
notify 1 --set url="smtp://127.0.0.1:$PORT" --set use_ssl=all --set cacert="$T/cert.pem" \
	--set username=fl --set password=wrong --to noc-duty@example.net --body b

# Opportunistic STARTTLS (the default, use_ssl=try) upgrades when offered.
start_sink opportunistic --tls "$T/cert.pem" "$T/key.pem"
notify 0 --set url="smtp://127.0.0.1:$PORT" --set cacert="$T/cert.pem" \
	--to noc-duty@example.net --body b
wait_for 10 test -s "$T/opportunistic/1.eml" || fail "no message with use_ssl=try"
[ "$(sed -n 3p "$T/opportunistic/1.env")" = 1 ] || fail "use_ssl=try did not upgrade"

# smtps://: TLS from the first byte.
start_sink implicit --tls "$T/cert.pem" "$T/key.pem" --implicit-tls
notify 0 --set url="smtps://127.0.0.1:$PORT" --set cacert="$T/cert.pem" \
	--to noc-duty@example.net --subject "$SUBJECT" --body "$BODY"
wait_for 10 test -s "$T/implicit/1.eml" || fail "no message over smtps"
[ "$(sed -n 3p "$T/implicit/1.env")" = 1 ] || fail "smtps session was not TLS"
# A certificate nobody vouches for: permanent (a retry would not fix it).
notify 1 --set url="smtps://127.0.0.1:$PORT" --to noc-duty@example.net --body b
echo "ok"
