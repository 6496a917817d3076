#!/bin/sh
# Golden tests for `faultline dump`: each CASE.plan compiles cleanly and its
# dump must equal CASE.dump byte for byte. UPDATE=1 rewrites the .dump files
# (make golden); review the diff before committing.
cd "$(dirname "$0")" || exit 2
: "${FAULTLINE:?set FAULTLINE to the faultline binary}"
pass=0
failed=0
for plan in *.plan; do
	name=${plan%.plan}
	out=$(mktemp)
	if ! "$FAULTLINE" dump "$plan" >"$out"; then
		failed=$((failed + 1))
		echo "FAIL $name: dump failed"
		rm -f "$out"
		continue
	fi
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$out" "$name.dump"
	elif cmp -s "$out" "$name.dump"; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: dump differs"
		diff -u "$name.dump" "$out" | head -n 40
	fi
	rm -f "$out"
done
[ "${UPDATE:-0}" = 1 ] && { echo "golden: dump files rewritten"; exit 0; }
echo "golden: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
