#!/bin/sh
# SNMPv3 traps from net-snmp's snmptrap, as devices send them: authPriv with
# SHA and AES (a user from a createUser file named in the config file, its
# line a secret), authPriv with MD5 and DES (--snmp-user). Both decode, with
# their varbinds and source. A wrong auth password, a wrong priv password,
# an unknown user and a noAuthNoPriv trap for a user who has keys are each
# refused, counted under their reason, and logged once for the source.
# The capture replays to an incident on a rule of the v3 user, `run` opens
# it live, and `faultline parse --snmp` decodes the users' traps from files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

export MIBS="" SNMP_PERSISTENT_DIR="$T/snmp" SNMPCONFPATH="$T/snmp"
mkdir -p "$SNMP_PERSISTENT_DIR"
IF=1.3.6.1.2.1.2.2.1
ENGINE=0x8000000001020304
LEGACY_ENGINE=0x800000000102aabb

printf 'createUser -e %s noc SHA "maple syrup 1" AES "maple syrup 2"\n' "$ENGINE" >"$T/noc.user"
printf '[inputs]\nsnmp_users_file = %s/users.secret\n' "$T" >"$T/faultline.conf"
printf '%s/noc.user\n' "$T" >"$T/users.secret"
chmod 600 "$T/noc.user" "$T/users.secret"

start_listen v3 -C "$T/faultline.conf" --trap 127.0.0.1:0 \
	--snmp-user "-e $LEGACY_ENGINE legacy MD5 legacypass1 DES legacypass2"
P=$(port_of v3 trap)

# send ENGINE USER ARGS...: one linkDown, ifIndex 3, ifDescr ge-0/0/3.
send() {
	engine=$1 user=$2
	shift 2
	snmptrap -v 3 -e "$engine" -u "$user" "$@" "127.0.0.1:$P" 4242 1.3.6.1.6.3.1.1.5.3 \
		$IF.1.3 i 3 $IF.2.3 s ge-0/0/3
}
send $ENGINE noc -l authPriv -a SHA -A "maple syrup 1" -x AES -X "maple syrup 2"
send $LEGACY_ENGINE legacy -l authPriv -a MD5 -A legacypass1 -x DES -X legacypass2
wait_for 20 has_lines v3 '"version":"3"' 2 || fail "v3 traps not decoded: $(cat "$T/v3.err")"

send $ENGINE noc -l authPriv -a SHA -A "wrong password" -x AES -X "maple syrup 2"
send $ENGINE noc -l authPriv -a SHA -A "maple syrup 1" -x AES -X "wrong password"
send $ENGINE intruder -l authPriv -a SHA -A "maple syrup 1" -x AES -X "maple syrup 2"
send $ENGINE noc -l noAuthNoPriv
refusals_counted() {
	kill -USR1 "$PID_v3"
	sleep 0.2
	[ "$(stat v3 trap usm_wrong_digest)" = 1 ] &&
		[ "$(stat v3 trap usm_decryption_error)" = 1 ] &&
		[ "$(stat v3 trap usm_unknown_user)" = 1 ] &&
		[ "$(stat v3 trap usm_unsupported_level)" = 1 ]
}
wait_for 20 refusals_counted || fail "refusals not counted: $(grep stats "$T/v3.err" | tail -n 1)"

stop_listen v3
python3 - "$T/v3.jsonl" <<'PY' || fail "decoded v3 traps are not what snmptrap sent"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(got) == 2, "%d events, expected 2" % len(got)
for ev, user, engine in ((got[0], "noc", "8000000001020304"),
                         (got[1], "legacy", "800000000102aabb")):
    assert ev["transport"] == "snmp" and ev["peer"]["addr"] == "127.0.0.1", ev
    assert ev["version"] == "3" and ev["security_level"] == "authPriv", ev
    assert ev["user"] == user and ev["engine_id"] == {"hex": engine}, ev
    assert ev["snmpTrapOID"] == "1.3.6.1.6.3.1.1.5.3" and ev["uptime"] == 4242, ev
    vbs = {v["oid"]: v["value"] for v in ev["varbinds"]}
    assert vbs["1.3.6.1.2.1.2.2.1.1.3"] == 3, vbs
    assert vbs["1.3.6.1.2.1.2.2.1.2.3"] == "ge-0/0/3", vbs
    assert ev["trap"] == "linkDown", ev
PY
expect_stat v3 trap received 2
expect_stat v3 trap decoded 2
expect_stat v3 trap undecodable 0
[ "$(grep -c 'trap: dropped' "$T/v3.err")" -eq 1 ] ||
	fail "refusals from one source not logged exactly once: $(grep 'trap: dropped' "$T/v3.err")"
grep -q 'usmStatsWrongDigests' "$T/v3.err" || fail "the first refusal's reason not logged"
grep -q 'maple syrup' "$T/v3.err" && fail "a password reached the log"

# The capture replays: a v3 record is read back without keys (the input
# checked and decrypted it when it came), so a rule on its user matches.
cat >"$T/v3.plan" <<'PLAN'
plan v3;
timezone "UTC";
roles duty;
level minor { respond 30m; ladder page; }
ladder page { step after 0s notify duty at own via sms; }
rule v3_link_down {
    match trap;
    where trap_oid == 1.3.6.1.6.3.1.1.5.3 and snmp_user == "noc";
    key peer, snmp_user;
    raise level minor title "linkDown from ${snmp_user} at ${peer}";
}
PLAN
"$FAULTLINE" replay -c "$T/v3.plan" "$T/v3.jsonl" >"$T/replay.jsonl" 2>"$T/replay.err" ||
	fail "replay of the v3 capture failed: $(cat "$T/replay.err")"
grep -q '"action":"open".*"title":"linkDown from noc at 127.0.0.1"' "$T/replay.jsonl" ||
	fail "the replayed v3 trap opened no incident: $(cat "$T/replay.jsonl" "$T/replay.err")"
grep -q 'skipped:' "$T/replay.err" && fail "replay skipped a v3 record: $(cat "$T/replay.err")"

# run, live: the same rule on a trap sent now.
spawn "$FAULTLINE" run --no-config -c "$T/v3.plan" --trap 127.0.0.1:0 \
	--snmp-users "$T/noc.user" >"$T/run.jsonl" 2>"$T/run.err"
PID_run=$LAST_PID
wait_for 20 grep -q '^listening trap' "$T/run.err" || fail "run did not listen: $(cat "$T/run.err")"
P=$(sed -n 's/^listening trap .*:\([0-9]*\)$/\1/p' "$T/run.err" | head -n 1)
send $ENGINE noc -l authPriv -a SHA -A "maple syrup 1" -x AES -X "maple syrup 2"
wait_for 20 grep -q '"action":"open"' "$T/run.jsonl" ||
	fail "run opened no incident for a v3 trap: $(cat "$T/run.err")"
kill -TERM "$PID_run"
wait_for 20 not_running "$PID_run" || fail "run did not stop"

# parse --snmp: a captured datagram of each user, with and without the users.
python3 - "$T" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(20)
open(sys.argv[1] + "/cap.port", "w").write(str(s.getsockname()[1]))
for name in ("noc", "legacy"):
    d, _ = s.recvfrom(65536)
    open("%s/%s.bin" % (sys.argv[1], name), "wb").write(d)
PY
CAP=$!
wait_for 20 test -s "$T/cap.port" || fail "capture socket did not start"
P=$(cat "$T/cap.port")
send $ENGINE noc -l authPriv -a SHA -A "maple syrup 1" -x AES -X "maple syrup 2"
send $LEGACY_ENGINE legacy -l authPriv -a MD5 -A legacypass1 -x DES -X legacypass2
wait "$CAP" || fail "datagrams not captured"
"$FAULTLINE" parse --snmp --snmp-users "$T/noc.user" \
	--snmp-user "legacy MD5 legacypass1 DES legacypass2" "$T/noc.bin" "$T/legacy.bin" \
	>"$T/parse.jsonl" || fail "parse --snmp refused the v3 traps: $(cat "$T/parse.jsonl")"
[ "$(grep -c '"ge-0/0/3"' "$T/parse.jsonl")" -eq 2 ] || fail "parse: $(cat "$T/parse.jsonl")"
rc=0
"$FAULTLINE" parse --snmp "$T/noc.bin" >"$T/parse_nousers.jsonl" || rc=$?
[ "$rc" -eq 1 ] && grep -q '"verdict":"SNMPV3"' "$T/parse_nousers.jsonl" ||
	fail "parse without users: status $rc, $(cat "$T/parse_nousers.jsonl")"
echo "snmpv3: authPriv SHA/AES and MD5/DES traps decoded; wrong keys, unknown user, low level refused and counted"
