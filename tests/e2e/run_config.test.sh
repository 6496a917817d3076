#!/bin/sh
# faultline run -C FILE: the inputs listen where the file says (a flag on the
# command line overrides one of them), the plan, store and routes come from
# the file, and a secret read from a password_file-style KEY_file reaches the
# plugin without ever being in the process's argv or environment: the sms
# plugin's password from password_file, and a webhook's header from
# header_file, both seen by a real HTTP receiver. A mistake in the file is refused at file:line:col.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PY="${FL_PYTHON:-/usr/bin/python3}"
SINK="$ROOT/tests/e2e/http_sink.py"

mkdir -p "$T/http"
spawn "$PY" "$SINK" "$T/http" "$T/http.port"
wait_for 10 test -s "$T/http.port" || fail "http sink did not start"
URL="http://127.0.0.1:$(cat "$T/http.port")"

# two ports free a moment ago: the file's udp, and a tcp the command line overrides
set -- $("$PY" -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0))
print(u.getsockname()[1], t.getsockname()[1])')
UDP_PORT=$1 TCP_PORT=$2
SECRET="s3cret-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf '%s\n' "$SECRET" >"$T/password"
printf 'Authorization: Bearer %s\n' "$SECRET" >"$T/token"
chmod 600 "$T/password" "$T/token"

cat >"$T/faultline.conf" <<CONF
# faultline run for the end-to-end test
[inputs]
udp = 127.0.0.1:$UDP_PORT
tcp = 127.0.0.1:$TCP_PORT   # overridden by --tcp below

[plan]
file = $ROOT/rules/test-product.plan
data = "$DATA"

[store]
path = $DB

[notify]
plugin_dir = $PLUGINS

[route sms]
plugin = sms
gateway = $URL
username = faultline
password_file = $T/password

[route email]
plugin = webhook
url = $URL/ok
header_file = $T/token
CONF

spawn "$FAULTLINE" run -C "$T/faultline.conf" --tcp 127.0.0.1:0 >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 2 || fail "inputs not announced: $(cat "$T/run.err")"
[ "$(port_of run udp)" = "$UDP_PORT" ] || fail "udp not where the file says: $(grep listening "$T/run.err")"
tcp=$(port_of run tcp)
[ -n "$tcp" ] && [ "$tcp" != "$TCP_PORT" ] || fail "--tcp did not override the file: $(grep listening "$T/run.err")"

tr '\0' '\n' <"/proc/$RUN_PID/cmdline" >"$T/cmdline"
grep -q -- '-C' "$T/cmdline" || fail "cmdline unreadable: $(cat "$T/cmdline")"
! grep -q "$SECRET" "$T/cmdline" || fail "the secret is in argv"
! tr '\0' '\n' <"/proc/$RUN_PID/environ" | grep -q "$SECRET" || fail "the secret is in the environment"

fibre_cut "$UDP_PORT"
one_ticket() { [ "$(ticket_count "$DB")" = 1 ]; }
wait_for 20 one_ticket || fail "no ticket in the file's store: $(tail -n 5 "$T/run.err")"
# both plugins' requests: the sms password in Kannel's query, the webhook's header
both_seen() {
	"$PY" - "$T/http" "$SECRET" <<'PY'
import glob, json, sys
reqs = [json.load(open(f, encoding="utf-8")) for f in glob.glob(sys.argv[1] + "/*.json")]
sms = [r for r in reqs if r["path"].startswith("/cgi-bin/sendsms?")]
hook = [r for r in reqs if r["path"] == "/ok"]
assert sms and hook, (len(sms), len(hook))
assert all("&password=" + sys.argv[2] + "&" in r["path"] for r in sms), sms[0]["path"]
for r in hook:
    h = {k.lower(): v for k, v in r["headers"].items()}
    assert h.get("authorization") == "Bearer " + sys.argv[2], h
PY
}
wait_for 30 both_seen || fail "the secrets did not reach the plugins: $(both_seen 2>&1 | tail -n 3; tail -n 5 "$T/run.err")"
! grep -q "$SECRET" "$T/run.err" "$T/run.jsonl" || fail "the secret was printed"

stop_clean "$RUN_PID" "$T/run.err" "faultline run"

# a mistake in the file: refused before anything starts, at its place
cat >"$T/bad.conf" <<'CONF'
[inputs]
udp = 127.0.0.1:0
[route sms]
plugin = webhook
passwrd_file = /nonexistent/secret
CONF
rc=0
"$FAULTLINE" run -C "$T/bad.conf" -c "$ROOT/rules/test-product.plan" 2>"$T/bad.err" || rc=$?
[ "$rc" -eq 2 ] || fail "a bad config file: exit $rc, want 2"
cat >"$T/bad.want" <<WANT
$T/bad.conf:5:16: error: cannot read passwrd_file '/nonexistent/secret': No such file or directory
    5 | passwrd_file = /nonexistent/secret
      |                ^~~~~~~~~~~~~~~~~~~
faultline run: $T/bad.conf: 1 error
WANT
diff "$T/bad.want" "$T/bad.err" >&2 || fail "the diagnostic differs"
rc=0
"$FAULTLINE" run -C "$T/missing.conf" 2>"$T/missing.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "^$T/missing.conf: error: cannot read the config file: No such file" "$T/missing.err" ||
	fail "a missing -C file: exit $rc: $(cat "$T/missing.err")"
echo "ok: run -C: udp $UDP_PORT from the file, tcp $tcp from the flag, the secret delivered, not in argv"
