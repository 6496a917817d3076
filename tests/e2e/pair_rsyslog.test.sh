#!/bin/sh
# An active/standby pair fed by real rsyslog relays, as a NOC deploys it:
# two engines `run --pair` on one PostgreSQL store, each with a RELP input
# and the webhook plugin posting to a real HTTP receiver; two rsyslogd
# relays, each forwarding over omrelp to BOTH engines (an action queue per
# engine, disk-assisted, retried without end). A fibre cut goes to the
# relays, one end's alarms to each; in the middle of it the active engine is
# killed with kill -9. Checked: exactly one ticket for the cut; every
# notification queued for it delivered, none more than twice (exactly-once
# and twice counted); the takeover time from the kill to the standby's
# announcement that it leads, and to its engine running (plan, resumed
# tickets, journal fed); the role on /metrics and `faultline status`
# of both engines, before and after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
PG=$(mktemp -d /tmp/fl-pg-XXXXXX)
trap 'sh "$ROOT/tests/pg/pg_stop.sh" "$PG"; cleanup' EXIT
trap 'exit 130' INT TERM
URL=$(sh "$ROOT/tests/pg/pg_start.sh" "$PG") || fail "no PostgreSQL to test against"
command -v rsyslogd >/dev/null || fail "rsyslogd missing (apt-get install rsyslog rsyslog-relp)"

mkdir -p "$T/http"
spawn python3 "$(cd "$(dirname "$0")" && pwd)/http_sink.py" "$T/http" "$T/http.port"
wait_for 10 test -s "$T/http.port" || fail "the HTTP receiver did not start"
HOOK="http://127.0.0.1:$(cat "$T/http.port")/ok"

engine() { # engine NAME: run --pair NAME, its output in T/NAME.*
	spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" \
		--relp 127.0.0.1:0 --db "$URL" --pair "$1" --journal "$T/$1.accepted" \
		--metrics 127.0.0.1:0 --control "$T/$1.sock" --plugin-dir "$PLUGINS" \
		--route sms=webhook --set sms.url="$HOOK" \
		--route email=webhook --set email.url="$HOOK" >"$T/$1.jsonl" 2>"$T/$1.err"
}
leads() { grep -q "^faultline run: $1 leads" "$T/$1.err"; }
role() { # role NAME WANT: engine NAME's /metrics says leader WANT (1 or 0)
	scrape "$1" /metrics "$T/$1.metrics" >/dev/null &&
		[ "$(metric "$T/$1.metrics" "faultline_pair_leader{pair=\"$1\"}")" = "$2" ]
}
cut_tickets() { psql -X -At "$URL" -c "SELECT count(*) FROM tickets WHERE span = 'HC-YZ-R01-S02'"; }

engine a
A_PID=$LAST_PID
wait_for 60 leads a || fail "a did not lead: $(cat "$T/a.err")"
wait_for 20 listening_count a 2 || fail "a announced no input: $(cat "$T/a.err")"
engine b
B_PID=$LAST_PID
standby() { grep -q '^faultline run: b is the standby: a leads' "$T/b.err"; }
wait_for 60 standby || fail "b is not the standby: $(cat "$T/b.err")"
wait_for 20 listening_count b 2 || fail "b announced no input: $(cat "$T/b.err")"
wait_for 20 role a 1 || fail "a's /metrics: $(grep pair "$T/a.metrics")"
wait_for 20 role b 0 || fail "b's /metrics while the standby: $(grep pair "$T/b.metrics")"
check_exposition "$T/b.metrics" || fail "the standby's page is not the text format"
"$FAULTLINE" status --control "$T/b.sock" >"$T/b.status" || fail "b's status"
grep -q '^pair b: standby for' "$T/b.status" || fail "b's status: $(cat "$T/b.status")"
"$FAULTLINE" stats --control "$T/b.sock" >"$T/b.stats" || fail "b's stats"
grep -q '"pair":{"name":"b","leader":false,"fencing_number":0,"takeovers":0}' "$T/b.stats" ||
	fail "b's stats line: $(cat "$T/b.stats")"
"$FAULTLINE" status --control "$T/a.sock" >"$T/a.status" || fail "a's status"
grep -q '^pair a: leader (fencing number 1)' "$T/a.status" || fail "a's status: $(cat "$T/a.status")"

relay() { # relay NAME: rsyslogd forwarding imudp to both engines over RELP
	mkdir "$T/$1"
	port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	echo "$port" >"$T/$1/port"
	{
		echo "global(workDirectory=\"$T/$1\")"
		echo 'module(load="imudp")'
		echo 'module(load="omrelp")'
		echo "module(load=\"impstats\" interval=\"1\" format=\"json\" log.syslog=\"off\" log.file=\"$T/$1/stats\")"
		echo "input(type=\"imudp\" address=\"127.0.0.1\" port=\"$port\" ruleset=\"fwd\")"
		echo 'ruleset(name="fwd") {'
		for e in a b; do
			echo "  action(type=\"omrelp\" name=\"to_$e\" target=\"127.0.0.1\""
			echo "         port=\"$(port_of "$e" relp)\" queue.type=\"LinkedList\""
			echo "         queue.filename=\"to_$e\" queue.saveOnShutdown=\"on\""
			echo '         action.resumeRetryCount="-1" action.resumeInterval="1")'
		done
		echo '}'
	} >"$T/$1/rsyslog.conf"
	spawn rsyslogd -n -f "$T/$1/rsyslog.conf" -i "$T/$1/rsyslog.pid" 2>"$T/$1/rsyslog.err"
	wait_for 20 grep -q '"name": *"to_b"' "$T/$1/stats" ||
		fail "relay $1 did not start: $(cat "$T/$1/rsyslog.err")"
}
relay r1
relay r2
R1=$(cat "$T/r1/port")
R2=$(cat "$T/r2/port")

# the cut: the Liuxu end's alarms through r1, the Sancha end's through r2;
# the active dies after the loss of signal and the first storm
logger_as HC-YZ-LX-OSN01 "$R1" "R_LOS raised port=1-8-1 board=N1SL16 level=critical"
logger_as HC-YZ-SC-OSN01 "$R2" "R_LOS raised port=1-7-1 board=N1SL16 level=critical"
logger_as HC-YZ-LX-OSN01 "$R1" "R_LOF raised port=1-8-1 board=N1SL16 level=major"
logger_as HC-YZ-SC-OSN01 "$R2" "R_LOF raised port=1-7-1 board=N1SL16 level=major"
kill -9 "$A_PID"
killed_ns=$(date +%s%N)
for x in B2_EXC OTU_LOF; do
	logger_as HC-YZ-LX-OSN01 "$R1" "$x raised port=1-8-1 board=N1SL16 level=major"
	logger_as HC-YZ-SC-OSN01 "$R2" "$x raised port=1-7-1 board=N1SL16 level=major"
done
wait_for 30 leads b || fail "b did not take over: $(cat "$T/b.err")"
took_ms=$((($(date +%s%N) - killed_ns) / 1000000))
[ "$took_ms" -lt 10000 ] || fail "takeover took $took_ms ms"
correlates() { grep -q '^faultline run: b correlates [0-9]* ms after taking the lead' "$T/b.err"; }
wait_for 60 correlates || fail "b's engine did not start: $(tail -n 5 "$T/b.err")"
ready_ms=$((($(date +%s%N) - killed_ns) / 1000000))

wait_for 20 role b 1 || fail "b's /metrics after the takeover: $(grep pair "$T/b.metrics")"
[ "$(metric "$T/b.metrics" 'faultline_pair_fencing_number{pair="b"}')" = 2 ] ||
	fail "b's fencing number: $(grep pair "$T/b.metrics")"
[ "$(metric "$T/b.metrics" 'faultline_pair_takeovers_total{pair="b"}')" = 1 ] ||
	fail "b's takeovers: $(grep pair "$T/b.metrics")"
"$FAULTLINE" status --control "$T/b.sock" >"$T/b.status" || fail "b's status"
grep -q '^pair b: leader (fencing number 2) for [0-9]* s; 1 takeovers' "$T/b.status" ||
	fail "b's status after: $(cat "$T/b.status")"
"$FAULTLINE" stats --control "$T/b.sock" >"$T/b.stats" || fail "b's stats"
grep -q '"pair":{"name":"b","leader":true,"fencing_number":2,"takeovers":1}' "$T/b.stats" ||
	fail "b's stats line after: $(cat "$T/b.stats")"
"$FAULTLINE" status --db "$URL" >"$T/status" || fail "status --db"
grep -q 'active: b (fencing number 2,' "$T/status" || fail "status --db after: $(cat "$T/status")"

# every line reached b through both relays; the cut is one ticket, and its
# ladder runs on under the new leader to its last step inside the test, the
# 15 s one (nobody answered: step 5); the next is 2 h away
forwarded() { # forwarded RELAY: its queue to b took its 4 lines
	tail -n 80 "$T/$1/stats" | grep '"name": *"to_b"' | tail -n 1 | grep -q '"processed": *4[,}]'
}
wait_for 60 forwarded r1 || fail "r1 did not forward to b: $(grep to_b "$T/r1/stats" | tail -n 1)"
wait_for 60 forwarded r2 || fail "r2 did not forward to b: $(grep to_b "$T/r2/stats" | tail -n 1)"
one_cut() { [ "$(cut_tickets)" = 1 ]; }
wait_for 60 one_cut || fail "$(cut_tickets) cut tickets: $(tail -n 5 "$T/b.err")"
OUTBOX="FROM outbox o JOIN tickets t ON t.id = o.ticket WHERE t.span = 'HC-YZ-R01-S02'"
laddered() { [ "$(psql -X -At "$URL" -c "SELECT count(*) $OUTBOX AND o.key LIKE '%:s5:%'")" -ge 1 ]; }
wait_for 90 laddered || fail "the ladder stopped at the takeover"
all_sent() { [ "$(psql -X -At "$URL" -c "SELECT count(*) $OUTBOX AND o.state <> 'sent'")" = 0 ]; }
wait_for 60 all_sent || fail "not delivered: $(psql -X -At "$URL" -c "SELECT o.key, o.state $OUTBOX")"
psql -X -At "$URL" -c "SELECT o.key $OUTBOX" >"$T/queued" || fail "outbox unreadable"
one_cut || fail "$(cut_tickets) cut tickets after the ladder"

python3 - "$T/http" "$T/queued" <<'PY' || fail "the deliveries are wrong"
import collections, glob, json, sys
got = collections.Counter()
for path in glob.glob(sys.argv[1] + "/*.json"):
    headers = {k.lower(): v for k, v in json.load(open(path, encoding="utf-8"))["headers"].items()}
    got[headers["idempotency-key"]] += 1
queued = [l.strip() for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
assert queued, "nothing queued for the cut"
missing = [k for k in queued if got[k] == 0]
assert not missing, "queued, never delivered: %s" % missing[:5]
stray = [k for k in got if k not in queued]
assert not stray, "delivered, never queued for the cut: %s" % stray[:5]
worst = max(got.values())
assert worst <= 2, got.most_common(3)
once = sum(1 for k in queued if got[k] == 1)
print("notifications: %d queued for the cut, %d delivered exactly once, %d twice"
      % (len(queued), once, len(queued) - once))
PY
kill -TERM "$B_PID"
wait_for 30 not_running "$B_PID" || fail "b did not stop"
grep -q '^run: store: .* 0 errors' "$T/b.err" || fail "b's store errors: $(grep store: "$T/b.err")"
start_ms=$(sed -n 's/^faultline run: b correlates \([0-9]*\) ms after taking the lead$/\1/p' "$T/b.err")
echo "ok: pair behind two rsyslog relays: b led $took_ms ms after kill -9 of the active and correlated after $ready_ms ms (its start: $start_ms ms; the test polls every 0.1 s); 1 ticket"
