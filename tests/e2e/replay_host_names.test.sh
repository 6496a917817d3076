#!/bin/sh
# The recorded storms of $FL_SHARED/data/scenarios with every device's
# HOSTNAME written as a relay or a DNS lookup may write it: in lower case and
# as an FQDN (hc-yz-lx-osn01.noc.example.net; RFC 5424 prefers the FQDN).
# Through the bundled plan, each storm must give the same incidents at the
# same places as the storm as recorded: the device is the same device.
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
	python3 - "$SHARED/data/devices.csv" "$log" "$T/$name.fqdn.log" <<'PY' || fail "$name: rewrite"
import csv, sys
devices = {row["device"] for row in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
out, changed = open(sys.argv[3], "w", encoding="utf-8"), 0
for line in open(sys.argv[2], encoding="utf-8"):
    words = line.split(" ")
    for i in range(1, min(8, len(words))):  # the header: PRI and time, then HOSTNAME
        if words[i] in devices:
            words[i] = words[i].lower() + ".noc.example.net"
            changed += 1
            break
    out.write(" ".join(words))
if changed == 0:
    sys.exit("no HOSTNAME of a known device in " + sys.argv[2])
PY
	replay "$log" "$T/$name.as-recorded.jsonl"
	replay "$T/$name.fqdn.log" "$T/$name.fqdn.jsonl"
	python3 - "$T/$name.as-recorded.jsonl" "$T/$name.fqdn.jsonl" "$name" >"$T/$name.located" <<'PY' || fail "$name: the FQDN storm differs"
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
            sys.exit("%s: first difference:\n  recorded %s\n  FQDN     %s" % (sys.argv[3], w, g))
    sys.exit("%s: %d actions as recorded, %d with FQDNs" % (sys.argv[3], len(want), len(got)))
PY
	n=$((n + 1))
	located=$((${located:-0} + $(cat "$T/$name.located")))
done
[ "$n" -ge 5 ] || fail "only $n recorded storms in $S"
# located incidents to compare, not only silence
[ "$located" -ge 3 ] || fail "only $located located incidents in the recorded storms"
echo "replay_host_names: $n storms, $located located incidents, the same with FQDN host names"
