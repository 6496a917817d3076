# `faultline parse --snmp` on the captured traps: every field of every capture
# matches traps/expected.jsonl (name and note are comments; the v2c request-id
# is random, so it is checked against the datagram's own bytes instead).
# A corrupted capture prints {"error", "verdict"} and exits 1; an unreadable
# file is named on stderr and exits 1; no file at all is a usage error (2).
. "$(dirname "$0")/lib.sh"

TRAPS="${FL_SHARED:-/work/shared}/data/traps"
[ -f "$TRAPS/expected.jsonl" ] || fail "no sample traps under $TRAPS"

"$FAULTLINE" parse --snmp "$TRAPS"/raw/*.bin >"$T/out.jsonl" || fail "parse --snmp exited $?"

python3 - "$TRAPS" "$T/out.jsonl" <<'PY' || fail "decoded traps differ from expected.jsonl"
import json, os, sys

traps, out = sys.argv[1], sys.argv[2]
want = [json.loads(l) for l in open(os.path.join(traps, "expected.jsonl"), encoding="utf-8") if l.strip()]
got = [json.loads(l) for l in open(out, encoding="utf-8")]
names = {}
assert len(got) == len(want), "%d objects for %d captures" % (len(got), len(want))
bad = 0
for w, g in zip(want, got):
    name = w["name"]
    w = {k: v for k, v in w.items() if k not in ("name", "note")}
    rid = g.pop("request_id", None)
    names[name] = (g.pop("trap", None), g.pop("text", None))
    if w["version"] == "2c":
        raw = open(os.path.join(traps, "raw", name + ".bin"), "rb").read()
        # request-id: the first INTEGER inside the PDU, 4 octets for net-snmp
        i = raw.index(bytes([0x02, 0x04]), raw.index(w["community"].encode()) + len(w["community"]))
        if rid != int.from_bytes(raw[i + 2:i + 6], "big", signed=True):
            print("%s: request_id %r does not match the datagram" % (name, rid)); bad += 1
    elif rid is not None:
        print("%s: a v1 trap has no request_id" % name); bad += 1
    for k in sorted(set(w) | set(g)):
        if w.get(k) != g.get(k):
            print("%s: %s: want %r got %r" % (name, k, w.get(k), g.get(k))); bad += 1
# the bundled MIB table names the standard traps and objects; the raw OIDs stay above
for name, trap, text in (
        ("01-v1-linkdown", "linkDown", 'linkDown ifIndex.7=7 ifDescr.7="GigabitEthernet0/2/1"'),
        ("03-v1-enterprise", "1.3.6.1.4.1.32473.2.1.0.1001", None),
        ("04-v2c-linkdown", "linkDown", "linkDown ifIndex.7=7 ifAdminStatus.7=1 ifOperStatus.7=2"),
        ("09-v2c-inform", "coldStart", None)):
    g = names.get(name)
    if not g or g[0] != trap or (text is not None and g[1] != text):
        print("%s: trap/text %r, want %r %r" % (name, g, trap, text)); bad += 1
sys.exit(1 if bad else 0)
PY

# A capture cut short is decoded to an error object, not a crash, and exits 1.
head -c 40 "$TRAPS/raw/06-v2c-vendor-alarm.bin" >"$T/cut.bin"
status=0
"$FAULTLINE" parse --snmp "$T/cut.bin" >"$T/cut.json" 2>"$T/cut.err" || status=$?
[ "$status" -eq 1 ] || fail "a truncated datagram exited $status, not 1"
python3 - "$T/cut.json" <<'PY' || fail "a truncated datagram did not give an error object"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["verdict"] == "TRUNCATED" and o["error"] and o["file"].endswith("cut.bin"), o
PY

# A corrupted byte (the version INTEGER says 3: SNMPv3) has its own verdict;
# good files around it are still decoded, and the status still says 1.
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[4] = 3; open(sys.argv[2], "wb").write(b)' \
	"$TRAPS/raw/04-v2c-linkdown.bin" "$T/v3.bin"
status=0
"$FAULTLINE" parse --snmp "$TRAPS/raw/01-v1-linkdown.bin" "$T/v3.bin" "$TRAPS/raw/09-v2c-inform.bin" \
	>"$T/mixed.jsonl" || status=$?
[ "$status" -eq 1 ] || fail "a bad file among good ones exited $status, not 1"
python3 - "$T/mixed.jsonl" <<'PY' || fail "mixed good and bad files gave the wrong objects"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert len(o) == 3, o
assert o[0]["pdu"] == "Trap-v1" and o[2]["pdu"] == "InformRequest", o
assert o[1]["verdict"] == "SNMPV3" and "error" in o[1], o[1]
PY

# An unreadable file: one line on stderr naming it, nothing on stdout, status 1.
status=0
"$FAULTLINE" parse --snmp "$T/no-such-file.bin" >"$T/none.out" 2>"$T/none.err" || status=$?
[ "$status" -eq 1 ] || fail "a missing file exited $status, not 1"
[ "$(wc -l <"$T/none.err")" -eq 1 ] || fail "a missing file gave not exactly one stderr line"
grep -q 'no-such-file.bin' "$T/none.err" || fail "the error does not name the file"
[ ! -s "$T/none.out" ] || fail "a missing file printed something on stdout"

# --snmp may come after the files; no file at all is a usage error.
"$FAULTLINE" parse "$TRAPS/raw/02-v1-linkup.bin" --snmp | grep -q '"generic_trap":3' ||
	fail "--snmp after the file name was not honoured"
status=0
"$FAULTLINE" parse --snmp 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "no file exited $status, not 2"
echo "parse_snmp: ok"
