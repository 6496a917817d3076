#!/bin/sh
# The outbox worker killed with -9 in the middle of delivering, then started
# again: every message reaches its receiver, none more than twice.
#
# Receivers are real: the file plugin appending JSON Lines, and the webhook
# plugin POSTing to a python3 http.server. The outbox rows are written with
# the sqlite3 shell through the documented schema (docs/store.md), as the
# engine would write them; the test then reads the idempotency key of every
# message each receiver got.
. "$(dirname "$0")/lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PY="${FL_PYTHON:-/usr/bin/python3}"
SINK="$(cd "$(dirname "$0")" && pwd)/http_sink.py"
DB="$T/faultline.db"
N=150 # messages per channel

mkdir -p "$T/http"
spawn "$PY" "$SINK" "$T/http" "$T/http.port"
wait_for 10 test -s "$T/http.port" || fail "http sink did not start"
URL="http://127.0.0.1:$(cat "$T/http.port")"

"$FAULTLINE" outbox --db "$DB" status >/dev/null || fail "cannot create the store"
now=$(date +%s)
sqlite3 "$DB" <<SQL || fail "cannot seed the store"
INSERT INTO tickets(id, level, title, state, opened_ns, updated_ns)
  VALUES('INC-9', 'urgent', '南宁-柳州 光缆中断', 'open', $now * 1000000000, $now * 1000000000);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO outbox(ticket, key, channel, role, person, address, subject, body, incident_json,
  state, created_ns, due_ns, expires_ns)
  SELECT 'INC-9', 'INC-9:' || ch || ':' || i, ch, 'duty operator', '王工', addr, '光缆中断 ' || i,
    '南宁-柳州 光缆中断', '{"id":"INC-9"}', 'pending', $now * 1000000000, $now * 1000000000,
    ($now + 3600) * 1000000000
  FROM n, (SELECT 'archive' AS ch, 'archive' AS addr UNION ALL SELECT 'hook', 'ops');
SQL

# The worker's arguments; spawned directly (not through a function, whose
# subshell would be what kill -9 hits).
set -- outbox --db "$DB" --plugin-dir "$PLUGINS" \
	--route archive=file --set archive.path="$T/archive.jsonl" \
	--route hook=webhook --set hook.url="$URL/ok" --backoff-ms 100

received() {
	a=0
	[ -f "$T/archive.jsonl" ] && a=$(wc -l <"$T/archive.jsonl")
	h=$(find "$T/http" -name '*.json' | wc -l)
	echo $((a + h))
}

spawn "$FAULTLINE" "$@" run
WORKER=$LAST_PID
both_started() {
	[ "$(find "$T/http" -name '*.json' | wc -l)" -ge 5 ] && [ -f "$T/archive.jsonl" ] &&
		[ "$(wc -l <"$T/archive.jsonl")" -ge 5 ]
}
wait_for 60 both_started || fail "the worker did not deliver to both receivers"
kill -9 "$WORKER"
wait_for 10 sh -c "! kill -0 $WORKER" || fail "worker survived kill -9"
got=$(received)
[ "$got" -lt $((2 * N)) ] || fail "everything was delivered before the kill: the test proves nothing"
echo "killed after $got of $((2 * N)) deliveries"

# Restart: interrupted deliveries are put back, the rest delivered, and exit.
"$FAULTLINE" "$@" run --once 2>"$T/restart.err" || fail "restart failed: $(cat "$T/restart.err")"
cat "$T/restart.err"
"$FAULTLINE" outbox --db "$DB" status >"$T/status" || fail "status failed"
grep -q "\"pending\":0,\"sending\":0,\"sent\":$((2 * N)),\"failed\":0,\"expired\":0" "$T/status" ||
	fail "not everything is sent: $(cat "$T/status")"

"$PY" - "$T/archive.jsonl" "$T/http" "$N" <<'PY' || fail "a message was lost or sent more than twice"
import collections, glob, json, os, sys
archive, http_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = collections.Counter()
for line in open(archive, encoding="utf-8"):
    seen[json.loads(line)["key"]] += 1
for f in glob.glob(os.path.join(http_dir, "*.json")):
    r = json.load(open(f, encoding="utf-8"))
    h = {k.lower(): v for k, v in r["headers"].items()}
    seen[h["idempotency-key"]] += 1
want = {f"INC-9:{ch}:{i}" for ch in ("archive", "hook") for i in range(1, n + 1)}
missing = want - set(seen)
assert not missing, f"lost: {sorted(missing)[:5]}"
assert set(seen) == want, f"unexpected keys: {sorted(set(seen) - want)[:5]}"
twice = [k for k, c in seen.items() if c > 1]
assert all(c <= 2 for c in seen.values()), [k for k, c in seen.items() if c > 2]
print(f"all {len(want)} delivered; {len(twice)} twice (interrupted at the kill)")
PY
echo ok
