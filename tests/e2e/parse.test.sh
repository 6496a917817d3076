#!/bin/sh
# faultline parse over the shared syslog samples, stdin, a missing file, a
# cut line, and lines sent by the real logger(1) over UDP.
. "$(dirname "$0")/lib.sh"
: "${FL_SHARED:=/work/shared}"
D="$FL_SHARED/data/syslog"
for f in vendors.log rfc5424.log malformed.log; do
	[ -r "$D/$f" ] || fail "sample $D/$f missing"
done

# 1. The samples: one JSON object per LF-terminated line, exact fields on
#    chosen lines, `error` on exactly the lines that cannot decode.
"$FAULTLINE" parse --tz Asia/Shanghai --year 2026 "$D/vendors.log" "$D/rfc5424.log" \
	"$D/malformed.log" >"$T/samples.jsonl" 2>"$T/samples.err" || fail "parse exited $?"
python3 - "$T/samples.jsonl" "$D" <<'PY' || fail "sample output wrong"
import json, sys
out, d = sys.argv[1], sys.argv[2]
files = ["vendors.log", "rfc5424.log", "malformed.log"]
counts = [open(f"{d}/{f}", "rb").read().count(b"\n") for f in files]
rows = [json.loads(l) for l in open(out, "rb").read().split(b"\n") if l]
assert len(rows) == sum(counts), (len(rows), counts)
keys = {"line", "pri", "facility", "severity", "version", "timestamp", "hostname",
        "app_name", "procid", "msgid", "structured_data", "msg"}
by = {}
i = 0
for f, n in zip(files, counts):
    for k in range(n):
        r = rows[i]; i += 1
        assert isinstance(r, dict) and keys <= r.keys(), r
        assert r["line"] == k + 1, (f, k, r["line"])
        by[(f, k + 1)] = r
bad = {f: sorted(l for (g, l), r in by.items() if g == f and "error" in r) for f in files}
assert bad["vendors.log"] == [], bad["vendors.log"]
assert bad["rfc5424.log"] == [19, 32, 34, 35, 36], bad["rfc5424.log"]
# 17 (bad month), 39 (BOM before the PRI), 40 (doubled PRI) have no timestamp
# rsyslog or syslog-ng would read: text with the received time (docs/syslog.md)
assert bad["malformed.log"] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 20, 21,
                                22, 23, 32], bad["malformed.log"]

def expect(f, line, **want):
    r = by[(f, line)]
    for k, v in want.items():
        assert r.get(k) == v, (f, line, k, r.get(k), v)

expect("rfc5424.log", 1, pri=165, facility=20, severity=5, version=1,
       timestamp="2026-11-25T10:00:00+08:00", hostname="HC-JCJ-RT01", app_name="faultd",
       procid="2231", msgid="ID47", msg="An application event log entry",
       structured_data={"exampleSDID@32473": {"iut": "3", "eventSource": "Application",
                                              "eventID": "1011"}})
expect("rfc5424.log", 3, has_bom=True, msg="'su root' failed for noc01 on /dev/pts/8",
       timestamp="2026-11-25T10:01:14.255615+08:00")
expect("rfc5424.log", 5, msg=None, app_name=None, structured_data=None)
expect("rfc5424.log", 13, structured_data={"mix@32473": {
    "a": 'x"y]z\\w', "b": "unescaped ] and [ inside quotes", "c": ""}})
expect("rfc5424.log", 14, structured_data={"odd@32473": {
    "a": "backslash before other \\n char stays \\x"}})
expect("rfc5424.log", 15, structured_data={"origin@0": {
    "ip": ["10.22.2.11", "10.22.2.12"], "software": "VRP", "swVersion": "V800R021C10"}})
expect("rfc5424.log", 31, timestamp=None, hostname="HC-JCJ-RT01")
expect("rfc5424.log", 33, timestamp="2026-11-25T02:30:00.5Z")
expect("rfc5424.log", 34, error="leap second 60 (RFC 5424 section 6.2.3)", version=None)
expect("rfc5424.log", 37, version=2, pri=165, msg="VERSION 2 (unknown version)")
expect("malformed.log", 17, timestamp=None, no_timestamp=True, hostname=None,
       msg="Foo 25 10:00:00 HC-JCJ-RT01 app: bad month")
assert len(by[("rfc5424.log", 23)]["hostname"]) == 255

expect("malformed.log", 3, pri=None, hostname="HC-JCJ-RT01", app_name="OSN",
       timestamp="2026-11-25T10:00:00+08:00", msg="R_LOS raised port=1-7-1")
expect("malformed.log", 8, error="priority written with a leading zero", pri=None)
expect("malformed.log", 18, timestamp="2026-11-05T10:00:00+08:00", msg="single-space day")
expect("malformed.log", 33, app_name="IFNET", msgid="LINK_STATE")
expect("malformed.log", 35, msg="ends with two CRs\r")
expect("malformed.log", 37, raw_truncated=True)
expect("malformed.log", 42, pri=187, hostname="HC-JCJ-RT01", app_name="IFNET",
       msgid="LINK_STATE", timestamp="2026-11-25T10:00:00+08:00")
for line in (27, 28, 29, 30):
    assert "\ufffd" in by[("malformed.log", line)]["msg"], line

cisco = [r for (f, l), r in by.items() if f == "vendors.log" and "CST:" in
         open(f"{d}/vendors.log", "rb").read().split(b"\n")[l - 1].decode()]
assert cisco and all(r["timestamp"].endswith("+08:00") for r in cisco)
unsynced = [r for (f, l), r in by.items() if r.get("clock_unsynced")]
assert unsynced and all(r["timestamp"] is None for r in unsynced)
print("samples ok:", len(rows), "lines")
PY
[ -s "$T/samples.err" ] && fail "unexpected stderr: $(cat "$T/samples.err")"

"$FAULTLINE" parse --stats "$D/malformed.log" >/dev/null 2>"$T/stats.err" || fail "--stats"
grep -qx 'lines 42' "$T/stats.err" || fail "--stats: $(cat "$T/stats.err")"
grep -qx 'syslog.BAD_PRI 7' "$T/stats.err" || fail "--stats: BAD_PRI count"
grep -qx 'syslog.OK 24' "$T/stats.err" || fail "--stats: OK count"  # 21 before lines without a timestamp decoded

# 2. stdin, and --help.
printf '<13>1 2026-11-25T02:00:00Z h a - - - from stdin\r\n' |
	"$FAULTLINE" parse >"$T/stdin.jsonl" || fail "parse from stdin failed"
python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1 and r[0]["msg"] == "from stdin", r' "$T/stdin.jsonl" || fail "stdin output"
"$FAULTLINE" parse --help | grep -q -- '--tz' || fail "--help does not describe --tz"

# 3. An unreadable file: one line on stderr, exit 1, the other file still parsed.
status=0
"$FAULTLINE" parse "$T/no-such-file" "$D/rfc5424.log" >"$T/missing.jsonl" 2>"$T/missing.err" ||
	status=$?
[ "$status" -eq 1 ] || fail "missing file: exit $status, want 1"
[ "$(wc -l <"$T/missing.err")" -eq 1 ] || fail "missing file: stderr not one line"
grep -q "no-such-file" "$T/missing.err" || fail "missing file: stderr does not name it"
[ "$(wc -l <"$T/missing.jsonl")" -eq 50 ] || fail "missing file: other file not parsed"
status=0
"$FAULTLINE" parse --tz Nowhere/Zone "$D/rfc5424.log" >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "bad --tz: exit $status, want 2"

# 4. A cut line is flagged and reported, not dropped.
"$FAULTLINE" parse --max-line 1024 "$D/malformed.log" >"$T/cut.jsonl" 2>"$T/cut.err" ||
	fail "parse --max-line failed"
[ "$(wc -l <"$T/cut.jsonl")" -eq 42 ] || fail "cut: line count"
grep -q '"line":37,"line_cut":true' "$T/cut.jsonl" || fail "cut: line 37 not flagged"
grep -q "2 line(s) longer than 1024 bytes were cut" "$T/cut.err" || fail "cut: $(cat "$T/cut.err")"

# 5. Lines from the real logger(1), captured off UDP by a small receiver.
cat >"$T/recv.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(20)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
with open(sys.argv[2], "wb") as out:
    for _ in range(int(sys.argv[3])):
        out.write(s.recvfrom(65535)[0].rstrip(b"\n") + b"\n")
        out.flush()
PY
spawn python3 "$T/recv.py" "$T/port" "$T/logger.log" 3
wait_for 10 test -s "$T/port" || fail "receiver did not start"
port=$(cat "$T/port")
logger --udp --server 127.0.0.1 --port "$port" --rfc5424 -t faultd -p local7.err \
	--sd-id 'alarm@32473' --sd-param 'port="1-8-1"' 'R_LOS raised' || fail "logger 5424"
logger --udp --server 127.0.0.1 --port "$port" --rfc3164 -t osn -p local4.crit \
	'R_LOS cleared' || fail "logger 3164"
logger --udp --server 127.0.0.1 --port "$port" --rfc5424=notq,notime -t x -p user.info \
	'no time' || fail "logger 5424 notime"
wait_for 10 sh -c "[ \$(wc -l <'$T/logger.log') -ge 3 ]" || fail "logger lines not received"
"$FAULTLINE" parse "$T/logger.log" >"$T/logger.jsonl" || fail "parse logger lines"
python3 - "$T/logger.jsonl" <<'PY' || fail "logger output wrong: $(cat "$T/logger.log")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 3, r
a, b, c = r
assert "error" not in a and a["version"] == 1 and a["pri"] == 187, a
assert a["app_name"] == "faultd" and a["msg"] == "R_LOS raised", a
assert a["structured_data"]["alarm@32473"] == {"port": "1-8-1"}, a
assert a["timestamp"] and a["hostname"], a
assert "error" not in b and b["version"] is None and b["pri"] == 162, b
assert b["app_name"] == "osn" and b["msg"] == "R_LOS cleared" and b["timestamp"], b
assert "error" not in c and c["timestamp"] is None and c["msg"] == "no time", c
print("logger ok")
PY
echo "parse.test.sh: ok"
