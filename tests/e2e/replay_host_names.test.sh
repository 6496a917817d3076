#!/bin/sh
# The recorded storms of $FL_SHARED/data/scenarios with every device's
# HOSTNAME written as a relay or a DNS lookup may write it: in lower case and
# as an FQDN (hc-yz-lx-osn01.noc.example.net; RFC 5424 prefers the FQDN).
# Through the bundled plan, each storm must give the same incidents at the
# same places as the storm as recorded: the device is the same device. So
# must each storm with its lines' names mixed, line by line: as recorded, as
# an FQDN and as the device's management address, so that a fault and its
# clear name their device differently (one device behind two relays).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${FL_SHARED:-/work/shared}
S=$SHARED/data/scenarios

replay() { # INPUT OUTPUT
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" --year 2026 \
		"$1" >"$2" 2>"$2.err" || fail "replay of $1 exited $?: $(tail -n 3 "$2.err")"
}

n=0
for log in "$S"/*.log; do
	name=$(basename "$log" .log)
	for how in fqdn mixed; do
		python3 - "$SHARED/data/devices.csv" "$log" "$T/$name.$how.log" "$how" <<'PY' || fail "$name: rewrite"
import csv, sys
ip = {row["device"]: row["mgmt_ip"] for row in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
out, changed, forms = open(sys.argv[3], "w", encoding="utf-8"), 0, set()
for n, line in enumerate(open(sys.argv[2], encoding="utf-8")):
    words = line.split(" ")
    for i in range(1, min(8, len(words))):  # the header: PRI and time, then HOSTNAME
        if words[i] in ip:
            form = 1 if sys.argv[4] == "fqdn" else n % 3
            words[i] = [words[i], words[i].lower() + ".noc.example.net", ip[words[i]]][form]
            changed += form != 0
            forms.add(form)
            break
    out.write(" ".join(words))
if changed == 0 or (sys.argv[4] == "mixed" and len(forms) < 3):
    sys.exit("too few HOSTNAMEs of known devices rewritten in " + sys.argv[2])
PY
	done
	replay "$log" "$T/$name.as-recorded.jsonl"
	for how in fqdn mixed; do
		replay "$T/$name.$how.log" "$T/$name.$how.jsonl"
		python3 - "$T/$name.as-recorded.jsonl" "$T/$name.$how.jsonl" "$name ($how names)" >"$T/$name.located" <<'PY' || fail "$name: the storm with $how names differs"
import json, sys
def places(path):
    out = []
    for line in open(path, encoding="utf-8"):
        a = json.loads(line)
        if a["action"] in ("open", "clear", "escalate", "absorb"):
            out.append((a["action"], a["rule"], a["incident"], a.get("level"),
                        json.dumps(a.get("location"), sort_keys=True)))
    return out
want, got = places(sys.argv[1]), places(sys.argv[2])
print(sum(1 for w in want if w[0] == "open" and w[4] != "{}"))
if want != got:
    for w, g in zip(want, got):
        if w != g:
            sys.exit("%s: first difference:\n  recorded  %s\n  rewritten %s" % (sys.argv[3], w, g))
    sys.exit("%s: %d actions as recorded, %d rewritten" % (sys.argv[3], len(want), len(got)))
PY
	done
	n=$((n + 1))
	located=$((${located:-0} + $(cat "$T/$name.located")))
done
[ "$n" -ge 5 ] || fail "only $n recorded storms in $S"
# located incidents to compare, not only silence
[ "$located" -ge 3 ] || fail "only $located located incidents in the recorded storms"
echo "replay_host_names: $n storms, $located located incidents, the same with FQDN and with mixed host names"
