#!/bin/sh
# Syslog over TLS (RFC 5425) from rsyslog's omfwd with the gtls driver: every
# line arrives decoded, with client certificates required (x509, a permitted
# peer) and without (anon). Clients that may not in are refused and counted
# while rsyslog keeps sending: no certificate, one from another CA, one from
# the CA but not permitted, syslog in the clear, and a client that connects
# and never starts its handshake (gnutls-cli --starttls) until the handshake
# timeout closes it. The certificates are made here, valid from 2000 to 9999.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/tls_lib.sh"

# --- x509: a client certificate from the CA, relay1 permitted -----------------
start_listen strict --tls 127.0.0.1:0 --tls-cert "$P/server.pem" --tls-key "$P/server.key" \
	--tls-ca "$P/ca.pem" --tls-auth x509 --tls-peers "relay1.test, other.test" \
	--tls-handshake-timeout-ms 2000
SP=$(port_of strict tls)
[ -n "$SP" ] || fail "no 'listening tls' line: $(cat "$T/strict.err")"

# A client that connects and never starts its handshake, held open for the
# whole rsyslog run: it must neither block rsyslog nor outlive the timeout.
sleep 60 | gnutls-cli --starttls --x509cafile "$P/ca.pem" -p "$SP" 127.0.0.1 \
	>"$T/stall.out" 2>&1 &
STALL=$!
FL_PIDS="$FL_PIDS $STALL"

# rsyslog_conf DIR PORT AUTHMODE FRAMING [CERT]: an rsyslog forwarding DIR/in.log
# over gtls; CERT names the client certificate (none for anon).
rsyslog_conf() {
	d=$1
	mkdir -p "$d"
	{
		printf 'global(workDirectory="%s" DefaultNetstreamDriverCAFile="%s"' "$d" "$P/ca.pem"
		[ -n "${5:-}" ] && printf ' DefaultNetstreamDriverCertFile="%s" DefaultNetstreamDriverKeyFile="%s"' \
			"$P/$5.pem" "$P/$5.key"
		printf ')\n'
		# rsyslog refuses a permitted-peer list under anon
		peers=""
		[ "$3" = anon ] || peers='StreamDriverPermittedPeers="faultline.test"'
		cat <<CONF
module(load="imfile")
input(type="imfile" File="$d/in.log" Tag="e2e:" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="$2" protocol="tcp"
         StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="$3"
         $peers TCP_Framing="$4"
         queue.type="LinkedList" queue.size="10000"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
CONF
	} >"$d/rsyslog.conf"
	: >"$d/in.log"
}
# append FILE PREFIX FROM TO: one line per id.
append() {
	i=$3
	while [ "$i" -le "$4" ]; do echo "tls line id=$2-$i" >>"$1"; i=$((i + 1)); done
}

rsyslog_conf "$T/rs1" "$SP" x509/name octet-counted relay1
spawn rsyslogd -n -f "$T/rs1/rsyslog.conf" -i "$T/rs1/rsyslog.pid" 2>"$T/rs1/rsyslog.err"
append "$T/rs1/in.log" x 1 100

# Refused clients, while rsyslog sends.
send_tls "$SP" nocert
send_tls "$SP" rogue --x509certfile "$P/rogue.pem" --x509keyfile "$P/rogue.key"
send_tls "$SP" relay2 --x509certfile "$P/relay2.pem" --x509keyfile "$P/relay2.key"
python3 - "$SP" <<'PY' || fail "plain TCP client"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(b"<13>Nov 25 10:00:00 plain e2e: sent id=plain\n")
time.sleep(0.5)
try:
    data = s.recv(100)
except ConnectionResetError:
    data = b""
sys.exit(0 if data == b"" else "the TLS port answered a plain client: %r" % data)
PY
append "$T/rs1/in.log" x 101 200

wait_for 60 has_lines strict 'id=x-' 200 || fail "x509: $(lines_matching strict 'id=x-') of 200 lines"
each_id_once strict x- 200 || fail "x509: ids"
wait_for 30 grep -q 'still in the handshake' "$T/strict.err" ||
	fail "the stalled handshake was not closed: $(tail -n 5 "$T/strict.err")"
kill "$STALL" 2>/dev/null || true
stop_listen strict

python3 - "$T/strict.jsonl" <<'PY' || fail "TLS event fields"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert evs, "no events"
for ev in evs:
    assert ev["transport"] == "tls", ev
    assert ev["peer"]["addr"] == "127.0.0.1" and isinstance(ev["peer"]["port"], int), ev
    assert ev["app_name"] == "e2e" and ev["msg"].startswith("tls line id=x-"), ev
    assert "error" not in ev, ev
print("tls x509: %d events from rsyslog gtls, all decoded" % len(evs))
PY
[ "$(lines_matching strict 'sent id=')" = 0 ] || fail "a refused client's line got through"
expect_stat strict tls peer_rejected 3
expect_stat strict tls handshake_failed 1
expect_stat strict tls handshake_timeout 1
expect_stat strict tls received 200
grep -q "refused 127.0.0.1:[0-9]*: client sent no certificate" "$T/strict.err" ||
	fail "no reason logged for the client without a certificate"
grep -q "is not a permitted peer" "$T/strict.err" || fail "no reason logged for relay2"
grep -q "not TLS: the client began with '<13>Nov 25" "$T/strict.err" ||
	fail "the plain client was not named: $(grep tls: "$T/strict.err" | head)"
grep -q "is 'relay1.test'" "$T/strict.err" || fail "rsyslog's certificate name not logged"
echo "tls x509: 3 clients refused, 1 plain client and 1 stalled handshake counted"

# --- anon: server-only authentication, LF framing, set in a config file -------
cat >"$T/anon.conf" <<CONF
[inputs]
tls = 127.0.0.1:0
tls_cert = "$P/server.pem"
tls_key = "$P/server.key"
tls_auth = anon
tls_handshake_timeout_ms = 5000
CONF
start_listen anon -C "$T/anon.conf"
wait_for 20 listening_count anon 1 || fail "anon: the config file's input not announced: $(cat "$T/anon.err")"
AP=$(port_of anon tls)
rsyslog_conf "$T/rs2" "$AP" anon traditional
spawn rsyslogd -n -f "$T/rs2/rsyslog.conf" -i "$T/rs2/rsyslog.pid" 2>"$T/rs2/rsyslog.err"
append "$T/rs2/in.log" a 1 50
wait_for 60 has_lines anon 'id=a-' 50 || fail "anon: $(lines_matching anon 'id=a-') of 50 lines"
each_id_once anon a- 50 || fail "anon: ids"
stop_listen anon
expect_stat anon tls received 50
expect_stat anon tls peer_rejected 0
expect_stat anon tls connections 1
echo "tls anon: 50 lines, LF framing, from the config file"

# A bad file is said before anything listens, with the file's name.
rc=0
"$FAULTLINE" listen --no-config --tls 127.0.0.1:0 --tls-cert "$P/server.pem" \
	--tls-key "$P/missing.key" --tls-ca "$P/ca.pem" 2>"$T/bad.err" || rc=$?
[ "$rc" -ne 0 ] || fail "a missing key was accepted"
grep -q "missing.key" "$T/bad.err" || fail "the missing key not named: $(cat "$T/bad.err")"
echo "tls: a missing key is refused at start"
