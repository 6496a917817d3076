#!/bin/sh
# Proves a change left behaviour alone: the action streams of two builds of
# faultline, byte for byte, on every recorded scenario of the sample network
# (../shared/data/scenarios, with and without a ticket store) and on the side-
# by-side benchmark's generated input at 10 and 1,000 patterns.
#
#   sh scripts/same-actions.sh REV          # REV (a commit) against the work tree
#   BEFORE=path/to/faultline sh scripts/same-actions.sh
#
# REV is built in a temporary worktree (release flags). Exit 0 when every
# stream is identical, 1 when one differs (the first lines that differ are
# printed), 2 on a usage or build error. SAME_EVENTS (100000) sizes the
# benchmark input. SAME_IGNORE=REGEX leaves out the lines it matches on both
# sides, for a change meant to alter only those (say so in its commit).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${FL_SHARED:-$ROOT/../shared}
AFTER=${AFTER:-$ROOT/build/faultline}
W=$(mktemp -d "${TMPDIR:-/tmp}/fl-same.XXXXXX")
cleanup() {
	if [ -n "${WT:-}" ]; then git -C "$ROOT" worktree remove --force "$WT" 2>/dev/null || true; fi
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

if [ -z "${BEFORE:-}" ]; then
	[ $# -eq 1 ] || { echo "usage: sh scripts/same-actions.sh REV (or BEFORE=binary)" >&2; exit 2; }
	WT="$W/before"
	git -C "$ROOT" worktree add --detach -q "$WT" "$1" || exit 2
	make -C "$WT" -j2 -s all >"$W/build.log" 2>&1 || { tail -n 20 "$W/build.log" >&2; exit 2; }
	BEFORE="$WT/build/faultline"
fi
[ -x "$AFTER" ] || make -C "$ROOT" -j2 -s all >/dev/null || exit 2

differ=0
same=0
compare() { # NAME: W/NAME.before and W/NAME.after
	if [ -n "${SAME_IGNORE:-}" ]; then
		for side in before after; do
			grep -v -E -- "$SAME_IGNORE" "$W/$1.$side" >"$W/$1.$side.kept" || true
			mv "$W/$1.$side.kept" "$W/$1.$side"
		done
	fi
	if cmp -s "$W/$1.before" "$W/$1.after"; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		echo "DIFFERS $1"
		diff "$W/$1.before" "$W/$1.after" | head -n 10 | sed 's/^/    /'
	fi
}
# replay NAME BINARY ARGS...: stdout and the summary (stderr) of one replay
replay() {
	name=$1 bin=$2
	shift 2
	"$bin" replay "$@" >"$W/$name" 2>"$W/$name.err" || echo "exit $?" >>"$W/$name"
	cat "$W/$name.err" >>"$W/$name"
}
for log in "$SHARED"/data/scenarios/*.log; do
	n=$(basename "$log" .log)
	for side in before after; do
		bin=$BEFORE
		[ $side = after ] && bin=$AFTER
		replay "$n.$side" "$bin" -c "$ROOT/rules/faultline.plan" --data "$SHARED/data" \
			--year 2026 "$log"
		# the same relative store path on both sides: messages name it
		mkdir -p "$W/$side"
		(cd "$W/$side" && replay "$n-db.$side" "$bin" -c "$ROOT/rules/faultline.plan" \
			--data "$SHARED/data" --year 2026 --db "$n.db" "$log")
		# the ticket documents less their age, which is read from the wall clock
		"$bin" tickets --db "$W/$side/$n.db" --json list 2>&1 |
			sed 's/"age_s":[0-9]*,//g' >>"$W/$n-db.$side" || true
	done
	compare "$n"
	compare "$n-db"
done
python3 "$ROOT/bench/peers/gen.py" "$W/peers" --rules 10,1000 --events "${SAME_EVENTS:-100000}" \
	--sec-events 1000 >/dev/null
for d in "$W"/peers/*/; do
	[ -f "$d/faultline.plan" ] || continue
	n=peers-$(basename "$d")
	replay "$n.before" "$BEFORE" -c "$d/faultline.plan" --year 2026 "$d/input.log"
	replay "$n.after" "$AFTER" -c "$d/faultline.plan" --year 2026 "$d/input.log"
	compare "$n"
done
echo "same-actions: $same identical, $differ differ"
[ "$differ" -eq 0 ]
