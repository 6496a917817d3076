# faultline test: the bundled plan's tests pass; a wrong expectation fails
# at its file:line with what was expected.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data

"$FAULTLINE" test "$ROOT/rules/faultline.plan" --data "$DATA" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "the bundled plan's tests fail"; }
grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$T/out" || fail "summary: $(cat "$T/out")"

# break one expectation: the flap is general, expect urgent
line=$(grep -n 'expect incident link_flap level general' "$ROOT/rules/faultline.plan" | cut -d: -f1)
[ -n "$line" ] || fail "no flap expectation in the plan"
sed "${line}s/level general/level urgent/" "$ROOT/rules/faultline.plan" >"$T/wrong.plan"
set +e
"$FAULTLINE" test "$T/wrong.plan" --data "$DATA" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "exit $rc, want 1"
grep -q "wrong.plan:$line:5: test \"a flapping router port is one incident\" failed: expected incident link_flap level urgent" "$T/err" ||
	fail "no failure at wrong.plan:$line: $(cat "$T/err")"
grep -q 'got: .*open .*link_flap level general' "$T/err" || fail "does not say what happened"
grep -Eq '^[0-9]+ passed, 1 failed$' "$T/out" || fail "summary: $(cat "$T/out")"
echo "ok"
