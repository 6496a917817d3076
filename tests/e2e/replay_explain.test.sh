#!/bin/sh
# replay --explain on a tiny plan (explain/explain.plan) and eight lines
# (explain/lines.log): its account on stderr must equal explain/expected.txt
# line for line: a held alarm, a threshold filling, a severity that fails,
# a line no rule keys on, a correlation opening on its timer and absorbing,
# an absorbed repeat, and a clear with nothing to clear. The action stream on
# stdout must be the same with and without --explain.
. "$(dirname "$0")/lib.sh"

cd "$(dirname "$0")/explain"
"$FAULTLINE" replay -c explain.plan --explain lines.log >"$T/with.jsonl" 2>"$T/with.err" ||
	fail "replay --explain failed: $(cat "$T/with.err")"
grep '^explain' "$T/with.err" >"$T/explain.txt" || true
diff -u expected.txt "$T/explain.txt" || fail "the explanation differs from explain/expected.txt"
"$FAULTLINE" replay -c explain.plan lines.log >"$T/without.jsonl" 2>"$T/without.err" ||
	fail "replay failed: $(cat "$T/without.err")"
grep -q '^explain' "$T/without.err" && fail "explained without --explain"
cmp -s "$T/with.jsonl" "$T/without.jsonl" || fail "--explain changed the action stream"
[ "$(grep -c '"action":"open"' "$T/with.jsonl")" -eq 1 ] || fail "expected one incident opened"
echo "replay_explain: the account matches explain/expected.txt; actions unchanged"
