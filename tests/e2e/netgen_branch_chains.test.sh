#!/bin/sh
# The bundled plan on netgen networks whose chains branch off chain devices
# as rows of their own (netgen network --branch-chains: a spur off a spur,
# parent_device a chain device): single-ended chain cuts, ring span cuts and
# site power failures on them, each with its one correct outcome, scored by
# score.py (incidents, the places they name, when they clear). At least one
# of the chain cuts must be of a branch, so that the case is really met.
# Fixed seeds: the same cases every run. Every case must pass.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
PY="${FL_PYTHON:-/usr/bin/python3}"
NETGEN="$SHARED/netgen"

[ -f "$NETGEN/netgen.py" ] && [ -f "$NETGEN/score.py" ] ||
	fail "no netgen at $NETGEN: the tests need ../shared beside the repository"
n=0
for seed in 8104 8108 8109 8111 8112 8120 8101 8102; do
	for kind in single-end-cut span-cut site-power; do
		case "$kind" in single-end-cut) ;; *) [ "$seed" -ge 8111 ] && continue ;; esac
		c="$T/cases/$seed-$kind"
		"$PY" "$NETGEN/netgen.py" network --seed "$seed" --out "$c/net" --branch-chains \
			>"$T/gen.out" 2>&1 || fail "netgen network $seed: $(tail -3 "$T/gen.out")"
		"$PY" "$NETGEN/netgen.py" storm --seed "$seed" --net "$c/net" --kind "$kind" \
			--out "$c" >"$T/gen.out" 2>&1 || fail "netgen storm $seed $kind: $(tail -3 "$T/gen.out")"
		n=$((n + 1))
	done
done
# a cut span whose chain's parent_device is itself a chain device
"$PY" - "$T/cases" <<'PY' || fail "no case cuts a chain that hangs off a chain"
import csv, glob, json, os, sys
branch_cuts = 0
for case in glob.glob(os.path.join(sys.argv[1], "*single-end-cut")):
    net = os.path.join(case, "net")
    on_ring = {r["device"] for r in csv.DictReader(open(os.path.join(net, "devices.csv"), encoding="utf-8")) if r["ring"]}
    parent = {r["chain"]: r["parent_device"] for r in csv.DictReader(open(os.path.join(net, "chains.csv"), encoding="utf-8"))}
    out = json.load(open(glob.glob(os.path.join(case, "*.json"))[0], encoding="utf-8"))
    for span in out["spans"]:
        chain = span.rsplit("-S", 1)[0]
        branch_cuts += chain in parent and parent[chain] not in on_ring
sys.exit(0 if branch_cuts >= 2 else 1)
PY
if ! "$PY" "$NETGEN/score.py" "$FAULTLINE replay -c $ROOT/rules/faultline.plan" "$T/cases" \
	--timeout=240 >"$T/score.out" 2>&1; then
	grep -v '^pass' "$T/score.out" >&2
	fail "branch-chain storms: $(tail -1 "$T/score.out")"
fi
grep -q "^$n passed, 0 failed" "$T/score.out" || fail "score: $(tail -1 "$T/score.out")"
echo "ok: branch-chain storms: $(tail -1 "$T/score.out")"
