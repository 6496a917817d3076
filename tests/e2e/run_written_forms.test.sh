# faultline run: a plan written as operators write it (SEC's `contains`,
# SQL's sets in parentheses, networks in a set, `peer !=`, trap names
# quoted or with their MIB module, an INTEGER varbind by its named values,
# `10 minutes`, `respond within`, keys as a set), live, fed by logger and
# net-snmp's snmptrap. The inputs listen on "[::]", which takes IPv4 senders
# too: a line from 127.0.0.1 and one from ::1 reach the one UDP input, and
# the IPv4 sender is 127.0.0.1 to the rules and in the titles, not
# ::ffff:127.0.0.1 (over TCP as well). Each rule opens exactly the incidents its conditions
# hold for, and no other. A second --udp is refused, not silently taken.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
PLAN="$(dirname "$0")/written/live.plan"
command -v snmptrap >/dev/null || fail "snmptrap (package snmp) not installed"

"$FAULTLINE" check --warnings-as-errors "$PLAN" >"$T/check.out" 2>&1 ||
	fail "the plan does not compile cleanly: $(cat "$T/check.out")"

rc=0
"$FAULTLINE" run --no-config -c "$PLAN" --udp 127.0.0.1:0 --udp '[::]:0' 2>"$T/twice.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--udp given twice ('127.0.0.1:0', then '\[::\]:0')" "$T/twice.err" ||
	fail "a second --udp: exit $rc, $(head -n 1 "$T/twice.err")"

spawn "$FAULTLINE" run --no-config -c "$PLAN" --udp '[::]:0' --tcp '[::]:0' --trap '[::]:0' \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 3 || fail "inputs not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
tcp=$(port_of run tcp)
trap_port=$(port_of run trap)
[ -n "$udp" ] && [ -n "$tcp" ] && [ -n "$trap_port" ] || fail "ports: $(cat "$T/run.err")"

# An event raises at most one incident, the first raising rule's in plan
# order (docs/language.md): each line is written for the rules it tests.
send_line() { # ADDR TEXT
	logger -n "$1" -P "$udp" -d --rfc3164 -t NE "$2" || fail "logger to $1 failed"
}
send_line 127.0.0.1 'LINK_DOWN (port 1/0/3) fibre'
send_line ::1 'LINK_DOWN (port 2/0/1) fibre'
send_line 127.0.0.1 'link_down (port 5/5/5) lower case'
send_line 127.0.0.1 'PORT_DOWN (port 3/0/1) fibre'
send_line 127.0.0.1 'IF_DOWN (port 4/0/1) drill'
send_line ::1 'IF_DOWN (port 6/0/1) fibre'
logger -n 127.0.0.1 -P "$tcp" -T --octet-count --rfc3164 -t NE 'TCP_CHECK from IPv4' ||
	fail "logger over TCP failed"

# IF-MIB: ifIndex .1, ifAdminStatus .7, ifOperStatus .8 (instance 7 and 8)
IF=1.3.6.1.2.1.2.2.1
send_trap() { # IFINDEX ADMIN OPER: a v2c linkDown with those values
	MIBS="" SNMP_PERSISTENT_DIR="$T/snmp" snmptrap -v 2c -c public "udp:127.0.0.1:$trap_port" '' \
		1.3.6.1.6.3.1.1.5.3 "$IF.1.$1" i "$1" "$IF.7.$1" i "$2" "$IF.8.$1" i "$3" \
		>/dev/null 2>"$T/trap.err" || fail "snmptrap failed: $(cat "$T/trap.err")"
}
send_trap 7 1 2 # admin up, oper down
send_trap 8 1 1 # admin up, oper up
send_trap 9 2 7 # admin down, oper lowerLayerDown

have_all() { [ "$(grep -c '"action":"open"' "$T/run.jsonl")" -ge 8 ]; }
wait_for 30 have_all || fail "not every incident opened: $(cat "$T/run.jsonl")"
# A rule that must not hold would have opened by now as well: the lines and
# traps above were all read (the summary below counts them).
stop_clean "$RUN_PID" "$T/run.err" "faultline run"
grep -q '^run: 10 messages, 0 undecoded' "$T/run.err" || fail "summary: $(tail -n 1 "$T/run.err")"

python3 - "$T/run.jsonl" <<'PY' || fail "outcome: $(cat "$T/run.jsonl")"
import collections, json, sys
opens = [a for a in map(json.loads, open(sys.argv[1], encoding="utf-8")) if a["action"] == "open"]
by_rule = collections.defaultdict(list)
for a in opens:
    by_rule[a["rule"]].append(a["title"])
got = {r: sorted(t) for r, t in by_rule.items()}
want_rules = {"link_down", "not_from_me", "not_drill", "over_tcp", "trap_oper_down",
              "trap_oper_up", "trap_admin_down"}
assert set(got) == want_rules, "rules that opened: %s" % sorted(got)
# contains: the text as written, case and all; the peer, over IPv4 and IPv6
# to one "[::]" input, is in the set of networks
assert [t.split()[-1] for t in got["link_down"]] == ["1/0/3", "2/0/1"], got["link_down"]
# peer != 127.0.0.1: ::1 only; the IPv4 sender is 127.0.0.1, not ::ffff:127.0.0.1
assert got["not_from_me"] == ["not me ::1"], got["not_from_me"]
# not contains "drill"; a set of texts
assert got["not_drill"] == ["real 3/0/1"], got["not_drill"]
assert got["over_tcp"] == ["tcp 127.0.0.1"], got["over_tcp"]
assert got["trap_oper_down"] == ["oper down 127.0.0.1 if 7"], got["trap_oper_down"]
assert got["trap_oper_up"] == ["oper up 127.0.0.1 if 8"], got["trap_oper_up"]
assert got["trap_admin_down"] == ["admin down 127.0.0.1"], got["trap_admin_down"]
PY
echo "ok"
