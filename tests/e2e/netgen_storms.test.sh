#!/bin/sh
# The bundled plan against random networks and storms it has never seen:
# netgen (beside the repository, ../shared/netgen) builds networks of 1-3
# cities with mixed vendors and port conventions, and storms of every kind
# (span cut, chain cut seen from one end, duct cut, second cut on a ring,
# site power failure, flap, two unrelated cuts, pure noise with near-miss
# lines), each with its one correct outcome; score.py replays each and
# checks the number of incidents, the places they name and when they clear;
# check_paged.py checks the branches and customers paged.
# A fixed seed: the same cases every run. Every case must pass.
. "$(dirname "$0")/lib.sh"
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
SHARED="${FL_SHARED:-/work/shared}"
PY="${FL_PYTHON:-/usr/bin/python3}"
NETGEN="$SHARED/netgen"
COUNT="${FL_NETGEN_COUNT:-48}"

[ -f "$NETGEN/netgen.py" ] && [ -f "$NETGEN/score.py" ] ||
	fail "no netgen at $NETGEN: the tests need ../shared beside the repository"
"$PY" "$NETGEN/netgen.py" batch --seed 20261205 --count "$COUNT" --out "$T/cases" \
	>"$T/gen.out" 2>&1 || fail "netgen: $(tail -3 "$T/gen.out")"
if ! "$PY" "$NETGEN/score.py" "$FAULTLINE replay -c $ROOT/rules/faultline.plan" "$T/cases" \
	--timeout=240 >"$T/score.out" 2>&1; then
	grep -v '^pass' "$T/score.out" >&2
	fail "netgen storms: $(tail -1 "$T/score.out")"
fi
grep -q "^$COUNT passed, 0 failed" "$T/score.out" || fail "score: $(tail -1 "$T/score.out")"
# and who is paged: every owning branch's duty room, the customers of down
# circuits and not those whose circuits run on protection
"$PY" "$ROOT/tests/netgen/check_paged.py" "$FAULTLINE" "$ROOT/rules/faultline.plan" "$T/cases" \
	>"$T/paged.out" 2>&1 || fail "paged: $(cat "$T/paged.out")"
echo "ok: netgen storms: $(tail -2 "$T/score.out" | head -1); $(head -1 "$T/paged.out")"
