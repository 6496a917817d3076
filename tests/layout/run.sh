#!/bin/sh
# The tree keeps the shape docs/architecture.md describes:
#  - every engine source lives in a wing, engine/WING/, none at engine/ itself;
#  - a wing includes only itself and the wings below it, in the pipeline's
#    order (lib, decode, input, inventory, correlate, store, notify, pipeline,
#    api, cli): imports point down, and a cycle can only stay inside one wing;
#  - no source file is longer than LAYOUT_MAX_LINES (1,200) lines, generated
#    parsers aside, and no function longer than LAYOUT_MAX_FUNCTION (100)
#    lines (a function is its signature's first line, at column 0, down to the
#    '}' at column 0 that closes the '{' alone on a line).
# Prints each breach and "layout: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
ORDER="lib decode input inventory correlate store notify pipeline api cli"
MAX=${LAYOUT_MAX_LINES:-1200}
MAX_FN=${LAYOUT_MAX_FUNCTION:-100}
rank() {
	i=0
	for w in $ORDER; do
		[ "$w" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}
passed=0
failed=0
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

stray=$(ls engine/*.c engine/*.h 2>/dev/null)
if [ -n "$stray" ]; then bad "outside any wing: $stray"; else passed=$((passed + 1)); fi

for f in engine/*/*.c engine/*/*.h; do
	w=$(echo "$f" | cut -d/ -f2)
	r=$(rank "$w")
	if [ "$r" -lt 0 ]; then
		bad "$f: engine/$w/ is not a wing of the pipeline"
		continue
	fi
	ok=1
	for d in $(sed -n 's|^#include "engine/\([a-z]*\)/.*|\1|p' "$f" | sort -u); do
		dr=$(rank "$d")
		if [ "$dr" -lt 0 ] || [ "$dr" -gt "$r" ]; then
			bad "$f ($w) includes engine/$d/: imports point down the pipeline"
			ok=0
		fi
	done
	[ $ok = 1 ] && passed=$((passed + 1))
done

for f in engine/*/*.c engine/*/*.h grammar/*.c grammar/*.h grammar/*.y grammar/*.l; do
	[ -e "$f" ] || continue
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX" ]; then bad "$f: $n lines (at most $MAX)"; else passed=$((passed + 1)); fi
done
for f in engine/*/*.c grammar/*.c plugins/*.c; do
	[ -e "$f" ] || continue
	long=$(awk -v max="$MAX_FN" '
		/^[A-Za-z_].*\(/ { sig = FNR; name = $0 }
		/^\{$/ { start = sig; open = 1 }
		/^\}$/ && open { if (FNR - start + 1 > max) print FNR - start + 1 " lines: " name; open = 0 }
	' "$f")
	if [ -n "$long" ]; then
		echo "$long" | while read -r l; do echo "FAIL $f: a function of $l"; done
		failed=$((failed + $(echo "$long" | wc -l)))
	else
		passed=$((passed + 1))
	fi
done
echo "layout: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
