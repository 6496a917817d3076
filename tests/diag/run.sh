#!/bin/sh
# Diagnostic tests: each CASE.plan is checked with `faultline check` from this
# directory (so file names print as written) and its stderr must equal
# CASE.expected byte for byte. The exit status must be 1 when the expected text
# holds an error (or a warning, under --warnings-as-errors), 0 otherwise.
# CASE.args, when present, holds extra arguments.
# UPDATE=1 rewrites the expected files instead (make golden); review the diff.
cd "$(dirname "$0")" || exit 2
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
pass=0
failed=0
for plan in *.plan; do
	name=${plan%.plan}
	args=$( [ -f "$name.args" ] && cat "$name.args" )
	out=$(mktemp)
	# shellcheck disable=SC2086 # args are words by design
	"$FAULTLINE" check "$plan" $args >/dev/null 2>"$out"
	status=$?
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$out" "$name.expected"
		rm -f "$out"
		continue
	fi
	want=0
	grep -q ': error: ' "$name.expected" 2>/dev/null && want=1
	case " $args " in *" --warnings-as-errors "*)
		grep -q ': warning: ' "$name.expected" 2>/dev/null && want=1 ;;
	esac
	if ! cmp -s "$out" "$name.expected"; then
		failed=$((failed + 1))
		echo "FAIL $name: stderr differs"
		diff -u "$name.expected" "$out" | head -n 40
	elif [ "$status" -ne "$want" ]; then
		failed=$((failed + 1))
		echo "FAIL $name: exit status $status, expected $want"
	else
		pass=$((pass + 1))
	fi
	rm -f "$out"
done
[ "${UPDATE:-0}" = 1 ] && { echo "diag: expected files rewritten"; exit 0; }
echo "diag: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
