#!/bin/sh
# Planned maintenance announced to customers: a window added to the store with
# `faultline maintenance add` (span HC-JCJ-R01-S01, two hours ahead) touches
# the circuits of 河池市电子政务外网 and 河池市医保数据专网; `faultline run`
# queues the announcements at start and the delivery thread sends the e-mail
# to each customer contact through a real SMTP server (aiosmtpd). A restarted
# run and `faultline maintenance announce` queue none of them again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PY="${FL_PYTHON:-/usr/bin/python3}"

# the sample network, without the data file's windows: their lead times
# depend on today's date; the store's window is the one under test
mkdir -p "$T/data"
cp "$DATA"/*.csv "$T/data/"
head -n 1 "$DATA/maintenance.csv" >"$T/data/maintenance.csv"

FROM=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%MZ)
TO=$(date -u -d '+4 hours' +%Y-%m-%dT%H:%MZ)
"$FAULTLINE" maintenance --db "$DB" --create add --scope span --target HC-JCJ-R01-S01 \
	--from "$FROM" --to "$TO" --reason 光缆迁改割接 --by e2e >/dev/null ||
	fail "maintenance add"

start_smtp
start_run() {
	spawn "$FAULTLINE" run -c "$ROOT/rules/faultline.plan" --data "$T/data" \
		--udp 127.0.0.1:0 --db "$DB" --plugin-dir "$PLUGINS" \
		--route email=email --set email.url="smtp://127.0.0.1:$SMTPPORT" \
		--set email.from=faultline@noc.example.net --timeout-ms 20000 \
		--route sms=file --set sms.path="$T/sms.jsonl" \
		>"$T/run$1.jsonl" 2>"$T/run$1.err"
	RUN_PID=$LAST_PID
	wait_for 20 grep -q '^run: announce:' "$T/run$1.err" ||
		fail "no announcement check: $(cat "$T/run$1.err")"
}
stop_run() {
	stop_clean "$RUN_PID" "$T/run$1.err" "faultline run"
}

start_run 1
grep -q '^run: announce: 6 maintenance announcements queued' "$T/run1.err" ||
	fail "want 6 queued (3 contacts x sms, email): $(grep announce "$T/run1.err")"
three_mails() { [ "$(ls "$T/mail" | grep -c '\.eml$')" -ge 3 ]; }
wait_for 30 three_mails || fail "announcements not delivered: $(ls "$T/mail"; \
	sqlite3 "$DB" 'SELECT address, state, last_error FROM outbox')"
stop_run 1

# each customer contact got one e-mail: subject, window, local time, circuits
"$PY" - "$T/mail" "$FROM" <<'PY' || fail "announcement e-mail is wrong"
import datetime, email, email.policy, glob, sys
start = datetime.datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%MZ") + datetime.timedelta(hours=8)
local = start.strftime("%Y-%m-%d %H:%M")
got = {}
for path in glob.glob(sys.argv[1] + "/*.eml"):
    msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    to = msg["to"].addresses[0].addr_spec
    assert to not in got, "two e-mails to " + to
    got[to] = msg
want = {"tingting.nong@example.net": ("农婷婷", "河池市电子政务外网", "HC-EGOV-001"),
        "lihua.he@example.net": ("何丽华", "河池市电子政务外网", "HC-EGOV-017"),
        "minghui.chen@example.net": ("陈明辉", "河池市医保数据专网", "HC-MED-001")}
assert set(got) == set(want), sorted(got)
for to, (person, customer, circuit) in want.items():
    msg = got[to]
    subject, body = str(msg["subject"]), msg.get_content()
    assert subject.startswith("[计划维护通知] store-1 " + local), subject
    assert customer in body and person in body, body
    assert "光缆迁改割接" in body and "光缆段 HC-JCJ-R01-S01" in body, body
    assert circuit in body and "（UTC+08:00）" in body, body
    assert msg["to"].addresses[0].display_name == person, str(msg["to"])
PY
grep -q '138-0000-2315' "$T/sms.jsonl" || fail "no SMS to the e-government contact"

# a restart finds them queued: nobody is told twice
start_run 2
grep -q '^run: announce: 0 maintenance announcements queued, 6 queued before' "$T/run2.err" ||
	fail "the restart queued again: $(grep announce "$T/run2.err")"
stop_run 2
"$FAULTLINE" maintenance --db "$DB" announce -c "$ROOT/rules/faultline.plan" \
	--data "$T/data" >"$T/cli.out" 2>"$T/cli.err" || fail "announce: $(cat "$T/cli.err")"
grep -q ' 6 due, 0 queued, 6 queued before' "$T/cli.err" || fail "cli: $(cat "$T/cli.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE key LIKE 'mw:store-1:%'")" = 6 ] ||
	fail "outbox: $(sqlite3 "$DB" 'SELECT key FROM outbox')"
[ "$(ls "$T/mail" | grep -c '\.eml$')" = 3 ] || fail "an e-mail was sent twice"
[ "$(ticket_count "$DB")" = 1 ] && [ "$(sqlite3 "$DB" 'SELECT state FROM tickets')" = archived ] ||
	fail "the announcement record: $(sqlite3 "$DB" 'SELECT id, state FROM tickets')"
echo "ok: maintenance announced to 3 customer contacts by e-mail and SMS, once"
