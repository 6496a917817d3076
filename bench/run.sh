#!/bin/sh
# Runs every bench/*.bench.sh in order. Figures go to stdout; see README.md.
cd "$(dirname "$0")" || exit 2
for b in *.bench.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b" || echo "bench $b failed" >&2
done
