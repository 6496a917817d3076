#!/bin/sh
# Runs every tests/e2e/*.test.sh with a time limit and prints one line per test,
# then "N passed, N failed". Exits 1 if any failed.
cd "$(dirname "$0")" || exit 2
pass=0
failed=0
for t in *.test.sh; do
	[ -e "$t" ] || continue
	log=$(mktemp)
	if timeout 300 sh "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS $t"
	else
		failed=$((failed + 1))
		echo "FAIL $t"
		sed 's/^/    /' "$log" | tail -n 40
	fi
	rm -f "$log"
done
echo "e2e: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
