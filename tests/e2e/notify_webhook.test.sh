#!/bin/sh
# faultline notify --plugin webhook against a real HTTP server (python3
# http.server) on 127.0.0.1: the incident JSON is POSTed with the idempotency
# key; 200 delivers, 500 then 200 is one retry then delivery, 400 and 301 are
# permanent, a server slower than timeout_ms is a retry, a dead port a retry.
. "$(dirname "$0")/lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PY="${FL_PYTHON:-/usr/bin/python3}"
SINK="$(cd "$(dirname "$0")" && pwd)/http_sink.py"

mkdir -p "$T/http"
spawn "$PY" "$SINK" "$T/http" "$T/http.port"
SINK_PID=$LAST_PID
wait_for 10 test -s "$T/http.port" || fail "http sink did not start"
URL="http://127.0.0.1:$(cat "$T/http.port")"

notify() {
	want=$1
	shift
	set +e
	"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin webhook --timeout-ms 20000 \
		--to ops --body "光缆中断" "$@" 2>"$T/stderr"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "notify $*: exit $got, want $want: $(cat "$T/stderr")"
}

cat >"$T/incident.json" <<'JSON'
{ "incident": "INC-42", "title": "南宁-柳州 光缆中断",
  "devices": ["NN-ADM-01", "LZ-ADM-03"], "severity": "critical" }
JSON

notify 0 --set url="$URL/ok" --set header="Authorization: Bearer t0ken" \
	--json "$T/incident.json" --key inc-42:hook-1
wait_for 10 test -s "$T/http/1.json" || fail "no request reached the receiver"
"$PY" - "$T/http/1.json" <<'PY' || fail "request content is wrong"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["method"] == "POST" and r["path"] == "/ok", r
h = {k.lower(): v for k, v in r["headers"].items()}
assert h["content-type"] == "application/json", h
assert h["idempotency-key"] == "inc-42:hook-1", h
assert h["authorization"] == "Bearer t0ken", h
doc = json.loads(r["body"])
assert doc == {"incident": "INC-42", "title": "南宁-柳州 光缆中断",
               "devices": ["NN-ADM-01", "LZ-ADM-03"], "severity": "critical"}, doc
PY

# 500 then 200: the first attempt is retryable, the retry (same key) delivers.
notify 75 --set url="$URL/flaky" --key inc-42:hook-2
grep -q 'HTTP 500' "$T/stderr" || fail "no status in the reason: $(cat "$T/stderr")"
notify 0 --set url="$URL/flaky" --key inc-42:hook-2

notify 1 --set url="$URL/bad"
grep -q 'HTTP 400' "$T/stderr" || fail "no status in the reason: $(cat "$T/stderr")"
notify 1 --set url="$URL/gone"
# A header that would split the request is refused before any request.
notify 1 --set url="$URL/ok" --set header="$(printf 'X-A: b\r\nX-Evil: 1')"
# Slower than the plugin's timeout: retry, and well before the server answers.
notify 75 --set url="$URL/slow" --set timeout_ms=500
grep -q 'imeout' "$T/stderr" || fail "no timeout in the reason: $(cat "$T/stderr")"

kill "$SINK_PID"
wait_for 10 sh -c "! kill -0 $SINK_PID" || fail "sink did not stop"
notify 75 --set url="$URL/ok"
echo "ok"
