#!/bin/sh
# A mail server that accepts the connection and never answers does not hold
# up SMS: every channel is delivered on a lane of its own.
#
# The outbox holds 8 e-mails, due first, and 10 urgent SMS behind them. The
# e-mails go to a python3 socket server on loopback that accepts and never
# says a word; the SMS go through the sms plugin to a real HTTP gateway
# (http_sink.py, a template URL as in notify_sms). With one delivery thread
# the SMS would wait for 8 attempts of 3 s (--timeout-ms), 24 s; each lane
# must deliver all 10 within 8 s of the worker's start, while the e-mails
# time out, are recorded as retries with the reason, and stay pending.
. "$(dirname "$0")/lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PY="${FL_PYTHON:-/usr/bin/python3}"
SINK="$(cd "$(dirname "$0")" && pwd)/http_sink.py"
DB="$T/faultline.db"
N_MAIL=8
N_SMS=10

# The hung SMTP server: accepts, keeps every connection, answers nothing.
cat >"$T/hung_smtp.py" <<'PYEOF'
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    conn, _ = s.accept()
    held.append(conn)
    with open(sys.argv[2], "a") as f:
        f.write("accepted\n")
PYEOF
spawn "$PY" "$T/hung_smtp.py" "$T/smtp.port" "$T/smtp.log"
mkdir -p "$T/http"
spawn "$PY" "$SINK" "$T/http" "$T/http.port"
wait_for 10 test -s "$T/smtp.port" || fail "hung smtp server did not start"
wait_for 10 test -s "$T/http.port" || fail "http sink did not start"
GW="http://127.0.0.1:$(cat "$T/http.port")"

"$FAULTLINE" outbox --db "$DB" status >/dev/null || fail "cannot create the store"
now=$(date +%s)
sqlite3 "$DB" <<SQL || fail "cannot seed the store"
INSERT INTO tickets(id, level, title, state, opened_ns, updated_ns)
  VALUES('INC-7', 'urgent', '南宁-柳州 光缆中断', 'open', $now * 1000000000, $now * 1000000000);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N_MAIL)
INSERT INTO outbox(ticket, key, channel, role, person, address, subject, body, incident_json,
  state, created_ns, due_ns, expires_ns)
  SELECT 'INC-7', 'INC-7:mail:' || i, 'mail', 'duty', '王工', 'noc@example.net', '光缆中断',
    '南宁-柳州', '{"id":"INC-7"}', 'pending', $now * 1000000000, ($now - 60) * 1000000000 + i,
    ($now + 3600) * 1000000000 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N_SMS)
INSERT INTO outbox(ticket, key, channel, role, person, address, subject, body, incident_json,
  state, created_ns, due_ns, expires_ns)
  SELECT 'INC-7', 'INC-7:sms:' || i, 'sms', 'duty', '王工', '1380000' || (2100 + i), '光缆中断',
    '南宁-柳州 光缆中断 ' || i, '{"id":"INC-7"}', 'pending', $now * 1000000000,
    ($now - 30) * 1000000000 + i, ($now + 3600) * 1000000000 FROM n;
SQL

spawn "$FAULTLINE" outbox --db "$DB" --plugin-dir "$PLUGINS" \
	--route mail=email --set mail.url="smtp://127.0.0.1:$(cat "$T/smtp.port")" \
	--set mail.from=faultline@noc.example.net \
	--route sms=sms --set sms.url="$GW/ok?to={to}&text={text}&id={key}" \
	--timeout-ms 3000 --backoff-ms 500 --backoff-max-ms 1000 run 2>"$T/worker.err"
WORKER=$LAST_PID

sms_received() { [ "$(find "$T/http" -name '*.json' | wc -l)" -ge "$N_SMS" ]; }
wait_for 8 sms_received ||
	fail "only $(find "$T/http" -name '*.json' | wc -l) of $N_SMS SMS within 8 s beside a hung mail server"
wait_for 10 test -s "$T/smtp.log" || fail "the e-mail lane never reached the mail server"

q() { sqlite3 "$DB" "$1" 2>/dev/null; }
# At least one e-mail attempt has timed out by now and says so.
mail_timed_out() {
	[ "$(q "SELECT count(*) FROM attempts a JOIN outbox o ON o.id = a.outbox WHERE o.channel = 'mail' AND a.result = 'retry' AND a.reason LIKE '%timed out after 3000 ms%'")" -ge 1 ]
}
wait_for 20 mail_timed_out ||
	fail "no e-mail attempt timed out with a reason: $(q "SELECT a.result, a.reason FROM attempts a JOIN outbox o ON o.id = a.outbox WHERE o.channel = 'mail'")"
[ "$(q "SELECT count(*) FROM outbox WHERE channel = 'mail' AND state IN ('sent', 'failed', 'expired')")" = 0 ] ||
	fail "an e-mail ended without a mail server: $(q "SELECT key, state FROM outbox WHERE channel = 'mail'")"
[ "$(q "SELECT count(*) FROM outbox WHERE channel = 'sms' AND state = 'sent'")" = "$N_SMS" ] ||
	fail "not every SMS is recorded sent: $(q "SELECT key, state FROM outbox WHERE channel = 'sms'")"
kill "$WORKER"
wait_for 20 sh -c "! kill -0 $WORKER" || fail "the worker did not stop"

"$PY" - "$T/http" "$N_SMS" <<'PY' || fail "the gateway did not get each SMS exactly once"
import collections, glob, json, os, sys, urllib.parse
seen = collections.Counter()
for f in glob.glob(os.path.join(sys.argv[1], "*.json")):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(json.load(open(f, encoding="utf-8"))["path"]).query)
    seen[q["id"][0]] += 1
want = {f"INC-7:sms:{i}" for i in range(1, int(sys.argv[2]) + 1)}
assert set(seen) == want, sorted(set(seen) ^ want)
assert all(c == 1 for c in seen.values()), seen
PY
echo "ok: $N_SMS SMS delivered beside $(q "SELECT count(*) FROM attempts a JOIN outbox o ON o.id = a.outbox WHERE o.channel = 'mail'") timed-out e-mail attempts"
