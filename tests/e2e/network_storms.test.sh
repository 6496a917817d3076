#!/bin/sh
# Storms on two hand-built networks faultline was not tuned to (tests/networks/):
# each storm replayed through the bundled plan and checked against its one
# correct outcome (storms/NAME.json: incidents, located ids, clear time, owning
# branches paged, customers told and not told), one line per storm.
# Run alone from the repository root:
#     FAULTLINE=build/faultline sh tests/e2e/network_storms.test.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $FAULTLINE in /*) ;; *) FAULTLINE=$(pwd)/$FAULTLINE ;; esac
CHECK="python3 $ROOT/tests/networks/check_storm.py"
PLAN=$ROOT/rules/faultline.plan

# The checker first, on a test double that prints exactly each outcome's actions:
# it must pass every storm (and the two-incident alternative of a second cut), and
# fail when the double gets any one checked thing wrong.
FAKE=$ROOT/tests/networks/fake_faultline.py
$CHECK "$FAKE" "$PLAN" "$T" "$ROOT"/tests/networks/*/storms/*.log >"$T/self.out" ||
	fail "checker rejects an exact outcome: $(grep -v '^PASS' "$T/self.out")"
FAKE_ALT=1 $CHECK "$FAKE" "$PLAN" "$T" "$ROOT/tests/networks/hilltown/storms/second-cut.log" >"$T/self.out" ||
	fail "checker rejects the two-incident alternative: $(cat "$T/self.out")"
for b in count names places clear duty told tickets paged level; do
	if FAKE_BREAK=$b $CHECK "$FAKE" "$PLAN" "$T" "$ROOT/tests/networks/hilltown/storms/site-power.log" >"$T/self.out"; then
		fail "checker accepts a wrong outcome ($b)"
	fi
done
echo "PASS checker self-test (test double: exact outcomes pass, 9 kinds of wrong one fail)"

n=0
for log in "$ROOT"/tests/networks/*/storms/*.log; do
	[ -e "${log%.log}.json" ] || fail "$log has no outcome (${log%.log}.json)"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no storms under tests/networks/*/storms/"
rc=0
$CHECK "$FAULTLINE" "$PLAN" "$T" "$ROOT"/tests/networks/*/storms/*.log >"$T/out" || rc=$?
cat "$T/out"
failed=$(grep -c '^FAIL' "$T/out" || true)
echo "network storms: $((n - failed)) passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
