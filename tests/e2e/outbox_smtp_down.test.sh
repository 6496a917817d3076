#!/bin/sh
# The mail server is down for a while, then comes back: every e-mail is
# delivered, each exactly once, and the store shows the failures first.
#
# faultline run with its store routes the e-mail channel to the email plugin
# at a loopback port where nothing listens yet (SMS go to the file plugin).
# Two independent fibre cuts (Hechi, Huawei; Liuzhou, ZTE) sent with logger
# make several e-mails due; they fail and are retried with a short backoff
# (--backoff-ms, --backoff-max-ms), each attempt recorded. Then a real SMTP
# server (aiosmtpd) starts on that port: the Message-IDs it receives are the
# outbox's idempotency keys, one each, and every row ends sent with its
# retries before its success in the attempts table (docs/store.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PY="${FL_PYTHON:-/usr/bin/python3}"

# A port the kernel hands out, then closes again: nothing listens there.
SMTPPORT=$("$PY" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
port_open "$SMTPPORT" && fail "something already listens on $SMTPPORT"

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" \
	--udp 127.0.0.1:0 --db "$DB" --plugin-dir "$PLUGINS" \
	--route email=email --set email.url="smtp://127.0.0.1:$SMTPPORT" \
	--set email.from=faultline@noc.example.net \
	--route sms=file --set sms.path="$T/sms.jsonl" \
	--timeout-ms 10000 --backoff-ms 300 --backoff-max-ms 1000 \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 1 || fail "input not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)

fibre_cut "$udp"
logger_as LZ-RA-SD-SDH01 "$udp" "alarm R_LOS raised level=critical port 1-6-1 rack=1"
logger_as LZ-RA-BL-SDH01 "$udp" "alarm R_LOS raised level=critical port 1-5-1 rack=1"

q() { sqlite3 "$DB" "$1" 2>/dev/null; }
two_cuts() { [ "$(q "SELECT count(*) FROM tickets WHERE rule = 'fibre_cut'")" = 2 ]; }
wait_for 30 two_cuts || fail "not two fibre-cut tickets: $(q 'SELECT id, span FROM tickets')"
q "SELECT span FROM tickets WHERE rule = 'fibre_cut' ORDER BY span" | tr '\n' ' ' >"$T/spans"
[ "$(cat "$T/spans")" = "HC-YZ-R01-S02 LZ-RA-R01-S03 " ] || fail "wrong spans: $(cat "$T/spans")"

# While the server is down: every e-mail of both tickets is pending, has
# failed at least twice, and each failure is an attempt recorded as retry.
# The on-site clock (3 s) escalates both with one more e-mail each; an ack
# then stops the 15 s "nobody answered" step, so no row comes after these.
escalated() { [ "$(q "SELECT count(DISTINCT ticket) FROM outbox WHERE channel = 'email' AND key LIKE '%:s7:%'")" = 2 ]; }
wait_for 30 escalated || fail "no escalation e-mails for both tickets: $(q 'SELECT key FROM outbox')"
for id in $(q "SELECT id FROM tickets WHERE rule = 'fibre_cut'"); do
	"$FAULTLINE" tickets --db "$DB" ack "$id" --by e2e >/dev/null || fail "ack $id"
done
failing() {
	[ "$(q "SELECT count(*) FROM outbox WHERE channel = 'email' AND (state <> 'pending' OR attempts < 2 OR last_result <> 'retry')")" = 0 ]
}
wait_for 30 failing || fail "e-mails not retrying: $(q "SELECT key, state, attempts, last_result FROM outbox WHERE channel = 'email'")"
n_mail=$(q "SELECT count(*) FROM outbox WHERE channel = 'email'")
[ "$n_mail" -ge 4 ] || fail "only $n_mail e-mails due: the test proves little"
[ "$(q "SELECT count(*) FROM attempts a JOIN outbox o ON o.id = a.outbox WHERE o.channel = 'email' AND a.result <> 'retry'")" = 0 ] ||
	fail "an e-mail attempt succeeded with no server"
"$FAULTLINE" outbox --db "$DB" status >"$T/status.down" || fail "outbox status failed"
"$PY" - "$T/status.down" <<'PY' || fail "status while down is wrong: $(cat "$T/status.down")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["pending"] + s["sending"] >= 4 and s["failed"] == 0 and s["expired"] == 0, s
PY
echo "server down: $n_mail e-mails pending, $(q "SELECT sum(attempts) FROM outbox WHERE channel = 'email'") failed attempts"

# The server comes back on the same port.
start_smtp mail --port "$SMTPPORT"
mail_sent() { [ "$(q "SELECT count(*) FROM outbox WHERE channel = 'email' AND state <> 'sent'")" = 0 ]; }
wait_for 60 mail_sent || fail "e-mails not delivered: $(q "SELECT key, state, attempts, last_error FROM outbox WHERE channel = 'email' AND state <> 'sent'")"

all_sent() { [ "$(q "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ]; }
wait_for 30 all_sent || true # checked, with the reasons, after the stop
stop_clean "$RUN_PID" "$T/run.err" "faultline run"
grep -q '^run: udp: 10 received, 0 queue full, 0 kernel drops' "$T/run.err" ||
	fail "not the 10 alarms sent: $(grep '^run: udp' "$T/run.err")"

# Every row ends sent (SMS through the file plugin as well), and nothing is
# left for a later run.
[ "$(q "SELECT count(*) FROM outbox WHERE state <> 'sent'")" = 0 ] ||
	fail "undelivered: $(q "SELECT key, state, last_error FROM outbox WHERE state <> 'sent'")"
q "SELECT key FROM outbox WHERE channel = 'email'" >"$T/keys"
q "SELECT o.key, a.result FROM attempts a JOIN outbox o ON o.id = a.outbox WHERE o.channel = 'email' ORDER BY o.key, a.id" >"$T/attempts"
q "SELECT key, attempts FROM outbox WHERE channel = 'email'" >"$T/counts"
"$PY" - "$T/mail" "$T/keys" "$T/attempts" "$T/counts" <<'PY' || fail "what the mail server got does not match the outbox"
import collections, email, email.policy, glob, re, sys
maildir, keys_file, attempts_file, counts_file = sys.argv[1:]
want = {k.strip() for k in open(keys_file, encoding="utf-8") if k.strip()}
got = collections.Counter()
for f in glob.glob(maildir + "/*.eml"):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    local = m["message-id"].strip().lstrip("<").rsplit("@", 1)[0]
    got[re.sub(r"=([0-9A-F]{2})", lambda x: chr(int(x.group(1), 16)), local)] += 1
assert set(got) == want, (sorted(want - set(got))[:3], sorted(set(got) - want)[:3])
twice = [k for k, c in got.items() if c != 1]
assert not twice, f"received more than once: {twice}"
results = collections.defaultdict(list)
for line in open(attempts_file, encoding="utf-8"):
    key, result = line.rstrip("\n").rsplit("|", 1)
    results[key].append(result)
counts = dict(l.rstrip("\n").rsplit("|", 1) for l in open(counts_file, encoding="utf-8"))
for key in want:
    r = results[key]
    assert len(r) >= 3 and r[-1] == "ok" and all(x == "retry" for x in r[:-1]), (key, r)
    assert int(counts[key]) == len(r), (key, counts[key], r)
print(f"{len(want)} e-mails, each received once, after {sum(len(r) - 1 for r in results.values())} failed attempts")
PY
echo "ok"
