#!/bin/sh
# The peers benchmark's yardstick: reference.py gets the window edges right on a
# hand-written input, and the real SEC, run on a small generated input with the
# generated rules, produces exactly the reference's counts (bench/peers/).
. "$(dirname "$0")/lib.sh"
P="$(cd "$(dirname "$0")/../.." && pwd)/bench/peers"
command -v sec >/dev/null 2>&1 || fail "sec is not installed (scripts/deps.sh)"

# 1. Window edges, W = 600 s, threshold 5. One key per behaviour:
#    notice at 0, 599 (suppressed), 600 (passes: a new window), 700 (suppressed);
#    bursts at 0, 60, 120, 180, 601 and 710 (never 5 within 600 s: no hit),
#    at 715 (5 within 600 s: a hit) and 718 (inside that hit's window: nothing);
#    a fault cleared at +600 (expired at 600, the clear pairs with nothing),
#    a fault cleared at +599 (matched), a fault never cleared (expired).
cat >"$T/edges.log" <<'EOF'
<134>Nov 20 00:00:00 BENCH bench: BENCH-START
<133>Nov 20 00:00:00 H1 bench: ALM0001 notice port=1-1-1
<132>Nov 20 00:00:00 H2 bench: ALM0002 burst port=1-1-1
<130>Nov 20 00:00:00 H3 bench: ALM0003 raised port=1-1-1
<130>Nov 20 00:00:00 H4 bench: ALM0003 raised port=1-1-1
<132>Nov 20 00:01:00 H2 bench: ALM0002 burst port=1-1-1
<132>Nov 20 00:02:00 H2 bench: ALM0002 burst port=1-1-1
<132>Nov 20 00:03:00 H2 bench: ALM0002 burst port=1-1-1
<133>Nov 20 00:09:59 H1 bench: ALM0001 notice port=1-1-1
<133>Nov 20 00:09:59 H4 bench: ALM0003 cleared port=1-1-1
<133>Nov 20 00:10:00 H1 bench: ALM0001 notice port=1-1-1
<133>Nov 20 00:10:00 H3 bench: ALM0003 cleared port=1-1-1
<132>Nov 20 00:10:01 H2 bench: ALM0002 burst port=1-1-1
<133>Nov 20 00:11:40 H1 bench: ALM0001 notice port=1-1-1
<132>Nov 20 00:11:50 H2 bench: ALM0002 burst port=1-1-1
<132>Nov 20 00:11:55 H2 bench: ALM0002 burst port=1-1-1
<132>Nov 20 00:11:58 H2 bench: ALM0002 burst port=1-1-1
<130>Nov 20 00:20:00 H5 bench: ALM0004 raised port=1-1-1
<134>Nov 20 01:00:00 BENCH bench: BENCH-END
EOF
python3 "$P/reference.py" "$T/edges.log" >"$T/edges.json" || fail "reference.py exited $?"
python3 - "$T/edges.json" <<'PY' || fail "window edges counted wrong: $(cat "$T/edges.json")"
import json, sys
c = json.load(open(sys.argv[1]))
want = dict(events=17, suppress_pass=2, suppressed=2, threshold_hits=1,
            pairs_matched=1, pairs_expired=2, pairs_pending=0)
assert all(c[k] == v for k, v in want.items()), c
# Squeezed to one instant the edges count differently: not clock-independent.
assert c["clock_independent"] is False, c
PY

# 2. A generated input is clock-independent, and SEC agrees with it exactly.
python3 "$P/gen.py" "$T/g" --rules 10 --events 3000 --sec-events 1500 >/dev/null ||
	fail "gen.py exited $?"
d="$T/g/n10"
python3 "$P/reference.py" "$d/input-sec.log" >"$d/ref.json" || fail "reference.py exited $?"
grep -q '"clock_independent": true' "$d/ref.json" || fail "generated input depends on the clock"
mkfifo "$d/sec.fifo"
(cd "$d" && exec sec --conf=sec.conf --input=sec.fifo --notail --dump=sec.dump) &
LAST_PID=$!
FL_PIDS="$FL_PIDS $LAST_PID"
exec 3<>"$d/sec.fifo"
cat "$d/input-sec.log" >&3
wait_for 60 grep -q '^end' "$d/outcomes.txt" || fail "SEC did not reach BENCH-END"
kill -USR1 "$LAST_PID"
wait_for 30 sh -c "sed -n '/^Action list variables:/,\$p' '$d/sec.dump' | grep -q '^Total: '" ||
	fail "SEC wrote no dump"
exec 3>&-
python3 "$P/outcomes.py" sec "$d/outcomes.txt" "$d/sec.dump" >"$d/sec.json" || fail "outcomes.py exited $?"
python3 - "$d/ref.json" "$d/sec.json" <<'PY' || fail "SEC's counts differ: $(cat "$d/sec.json") vs $(cat "$d/ref.json")"
import json, sys
ref, got = (json.load(open(p)) for p in sys.argv[1:3])
keys = ("suppress_pass", "suppressed", "threshold_hits", "pairs_matched", "pairs_expired")
assert all(ref[k] == got[k] for k in keys), (ref, got)
assert ref["suppressed"] > 0 and ref["threshold_hits"] > 0 and ref["pairs_expired"] > 0, ref
PY
echo "peers reference: window edges and SEC agree"
