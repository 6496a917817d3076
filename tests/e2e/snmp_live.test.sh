# Real net-snmp senders: traps and informs from snmptrap/snmpinform (the
# sample data's send-traps.sh), caught on loopback by a small UDP receiver,
# must decode with `faultline parse --snmp` to exactly what an independent
# decoder (traps/check_traps.py) reads from the same bytes, request-id
# included, and match traps/expected.jsonl. The receiver answers each inform
# with the Response faultline encodes (--write-response): snmpinform exits 0
# only when it accepts that Response.
. "$(dirname "$0")/lib.sh"

TRAPS="${FL_SHARED:-/work/shared}/data/traps"
[ -f "$TRAPS/check_traps.py" ] || fail "no sample traps under $TRAPS"
command -v snmptrap >/dev/null || fail "snmptrap (package snmp) not installed"
mkdir "$T/cap"

# The receiver: binds port 0, writes it to port.txt, saves datagram N as
# cap/NN.bin and, when faultline wrote cap/NN.bin.response, sends that back.
cat >"$T/recv.py" <<'PY'
import os, socket, subprocess, sys
faultline, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(60)
with open(os.path.join(out, "..", "port.tmp"), "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(os.path.join(out, "..", "port.tmp"), os.path.join(out, "..", "port.txt"))
n = 0
while True:
    data, peer = s.recvfrom(65535)
    n += 1
    path = os.path.join(out, "%02d.bin" % n)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    subprocess.run([faultline, "parse", "--snmp", "--write-response", path + ".tmp"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.exists(path + ".tmp.response"):
        with open(path + ".tmp.response", "rb") as f:
            s.sendto(f.read(), peer)
        os.rename(path + ".tmp.response", path + ".response")
    os.rename(path + ".tmp", path)
PY
spawn python3 "$T/recv.py" "$FAULTLINE" "$T/cap"
wait_for 10 test -s "$T/port.txt" || fail "the receiver did not start"
PORT=$(cat "$T/port.txt")

GAP=0.05 sh "$TRAPS/send-traps.sh" "127.0.0.1:$PORT" 2>"$T/send.err" || fail "send-traps.sh failed"
have_nine() { [ "$(ls "$T"/cap/*.bin 2>/dev/null | wc -l)" -ge 9 ]; }
wait_for 60 have_nine || fail "the receiver got $(ls "$T"/cap/*.bin | wc -l) of 9 datagrams"
# The sample script's inform waits 1 s without a retry, and each Response
# here comes from a new `faultline parse` process: on a loaded machine (ASan,
# both cores busy) that can take longer, so the script's verdict is not read.
[ -s "$T/cap/09.bin.response" ] || fail "no Response was written for the inform"

# Once more with the inform alone, on the exit status of snmpinform itself,
# with a timeout and retries generous enough for a loaded machine (a retry
# is the same request again: the receiver answers each).
MIBS="" SNMP_PERSISTENT_DIR="$T/snmp" snmpinform -v 2c -c public -r 2 -t 10 "127.0.0.1:$PORT" 42 \
	1.3.6.1.6.3.1.1.5.1 1.3.6.1.4.1.32473.1.1.2 s "HC-FS-RT01" 2>"$T/inform.err" ||
	fail "snmpinform rejected the Response: $(cat "$T/inform.err")"

"$FAULTLINE" parse --snmp "$T"/cap/0?.bin >"$T/out.jsonl" || fail "parse --snmp exited $?"

python3 - "$TRAPS" "$T/cap" "$T/out.jsonl" <<'PY' || fail "live traps decode differently"
import json, os, sys
traps, cap, out = sys.argv[1:4]
sys.path.insert(0, traps)
import check_traps
want = check_traps.expected()
got = [json.loads(l) for l in open(out, encoding="utf-8")]
assert len(got) == len(want), "%d objects for %d traps" % (len(got), len(want))
bad = 0
for i, (w, g) in enumerate(zip(want, got)):
    ref = check_traps.decode(open(os.path.join(cap, "%02d.bin" % (i + 1)), "rb").read())
    # names from the bundled MIB table: for people, beside the raw OIDs the reference has
    if not g.pop("trap", None) or not g.pop("text", None):
        print("%s: no trap name or text" % w["name"]); bad += 1
    if g != ref:
        print("%s: faultline %r\n   reference %r" % (w["name"], g, ref)); bad += 1
    w = {k: v for k, v in w.items() if k not in ("name", "note")}
    g = {k: v for k, v in g.items() if k != "request_id"}
    if g != w:
        print("%s: differs from expected.jsonl" % w.get("pdu")); bad += 1
sys.exit(1 if bad else 0)
PY
echo "snmp_live: ok"
