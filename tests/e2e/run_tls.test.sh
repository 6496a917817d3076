#!/bin/sh
# faultline run --tls: the TLS input's counters in /metrics while it runs and
# in the summary at SIGTERM. One client with a certificate from the CA is
# taken, one without is refused; both show, under input="tls".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
. "$(dirname "$0")/tls_lib.sh"

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --tls 127.0.0.1:0 \
	--tls-cert "$P/server.pem" --tls-key "$P/server.key" --tls-ca "$P/ca.pem" \
	--metrics 127.0.0.1:0 >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 2 || fail "input and metrics not announced: $(cat "$T/run.err")"
port=$(port_of run tls)
[ -n "$port" ] || fail "no 'listening tls' line: $(cat "$T/run.err")"

send_tls "$port" relay1 --x509certfile "$P/relay1.pem" --x509keyfile "$P/relay1.key"
send_tls "$port" nocert

counted() {
	scrape run /metrics "$T/page.txt" >/dev/null &&
		[ "$(metric "$T/page.txt" 'faultline_input_received_total{input="tls"}')" = 1 ] &&
		[ "$(metric "$T/page.txt" 'faultline_tls_peers_rejected_total{input="tls"}')" = 1 ] &&
		[ "$(metric "$T/page.txt" 'faultline_tcp_connections_total{input="tls"}')" = 1 ] &&
		[ "$(metric "$T/page.txt" 'faultline_tls_handshakes_failed_total{input="tls"}')" = 0 ] &&
		[ "$(metric "$T/page.txt" 'faultline_syslog_decoded_total{input="tls"}')" = 1 ]
}
wait_for 30 counted || fail "TLS counters: $(grep -E 'tls' "$T/page.txt" | head -c 3000)"
check_exposition "$T/page.txt" || fail "the page is not the text format"
[ "$(metric "$T/page.txt" 'faultline_tcp_connections_total{input="tcp"}')" = absent ] ||
	fail "a TCP family without --tcp"

stop_clean "$RUN_PID" "$T/run.err" "run" 30
grep -q '^run: tls: 1 received, 0 queue full' "$T/run.err" ||
	fail "no tls line in the summary: $(grep '^run:' "$T/run.err")"
grep -q '^run: tls: 1 sessions, 0 handshakes failed, 1 clients refused, 0 handshakes timed out$' \
	"$T/run.err" || fail "TLS handshakes not in the summary: $(grep '^run: tls' "$T/run.err")"
grep -q 'refused 127.0.0.1:[0-9]*: client sent no certificate' "$T/run.err" ||
	fail "the refusal's reason not logged"
echo "run --tls: counters in /metrics and the summary"
