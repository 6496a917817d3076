#!/bin/sh
# The store on PostgreSQL: every recorded storm replayed into a throwaway
# PostgreSQL (tests/pg/pg_start.sh: initdb in a temporary directory, a unix
# socket there only) gives the same tickets, documents, report and outbox
# as into SQLite; then two delivery workers run at once on the one
# PostgreSQL outbox and every message is sent exactly once.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
PG=$(mktemp -d /tmp/fl-pg-XXXXXX)
trap 'sh "$ROOT/tests/pg/pg_stop.sh" "$PG"; cleanup' EXIT
trap 'exit 130' INT TERM
URL=$(sh "$ROOT/tests/pg/pg_start.sh" "$PG") || fail "no PostgreSQL to test against"
LITE="$T/lite.db"

for db in "$LITE" "$URL"; do
	"$FAULTLINE" replay -c "$ROOT/examples/site.plan" --data "$ROOT/examples/network" \
		--year 2026 --db "$db" --quiet "$ROOT"/examples/storms/*.log 2>"$T/replay.err" ||
		fail "replay into $db: $(cat "$T/replay.err")"
	grep -q ' 0 errors' "$T/replay.err" || fail "store errors: $(cat "$T/replay.err")"
done

# what each side says, into T/NAME.lite and T/NAME.pg. A ticket's age is
# read from the wall clock: the documents' age_s is left out, and the
# table (AGE in hours) is taken again once if an hour turned between them.
both() {
	name=$1
	shift
	"$FAULTLINE" "$@" --db "$LITE" >"$T/raw" 2>&1 || fail "$name on SQLite: $(cat "$T/raw")"
	sed -E 's/"age_s":[0-9]+,//g' "$T/raw" >"$T/$name.lite"
	"$FAULTLINE" "$@" --db "$URL" >"$T/raw" 2>&1 || fail "$name on PostgreSQL: $(cat "$T/raw")"
	sed -E 's/"age_s":[0-9]+,//g' "$T/raw" >"$T/$name.pg"
}
same() {
	cmp -s "$T/$1.lite" "$T/$1.pg"
}
compare() {
	name=$1
	shift
	both "$name" "$@"
	same "$name" || both "$name" "$@"
	same "$name" || { diff "$T/$name.lite" "$T/$name.pg" >&2; fail "$name differs"; }
}

compare list tickets --all list
compare json tickets --all --json list
compare report report --from 2026-11-01 --to 2026-12-31 --json
compare outbox outbox status
n=$(($(wc -l <"$T/list.lite") - 1))
[ "$n" -ge 3 ] || fail "only $n tickets from the storms"
for id in $(awk 'NR > 1 { print $1 }' "$T/list.lite"); do
	compare "show-$id" tickets --json show "$id"
done
rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pending"])' "$T/outbox.pg")
[ "$rows" -ge 10 ] || fail "only $rows notifications queued"

# Two workers at once on the PostgreSQL outbox, each writing what it sends
# to files of its own, in the storms' time: every row due (the last at
# 21:08Z), none expired (the first at 00:42Z the next day).
for w in 1 2; do
	spawn "$FAULTLINE" outbox --db "$URL" --plugin-dir "$PLUGINS" \
		--route sms=file --route email=file \
		--set sms.path="$T/w$w-sms.jsonl" --set email.path="$T/w$w-email.jsonl" \
		--at 2026-11-25T22:00Z run --once
	eval "pid$w=\$LAST_PID"
done
# shellcheck disable=SC2154
wait "$pid1" || fail "worker 1 failed"
wait "$pid2" || fail "worker 2 failed"
cat "$T"/w*-*.jsonl 2>/dev/null >"$T/sent.jsonl"
python3 - "$T/sent.jsonl" "$rows" <<'PY' || fail "messages sent twice or not at all"
import collections, json, sys
keys = [json.loads(l)["key"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
twice = [k for k, n in collections.Counter(keys).items() if n > 1]
assert not twice, "sent more than once: %s" % twice
assert len(keys) == int(sys.argv[2]), "%d sent of %s" % (len(keys), sys.argv[2])
PY
"$FAULTLINE" outbox --db "$URL" status >"$T/status" || fail "outbox status"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["sent"]==int(sys.argv[2]) and s["pending"]==0 and s["sending"]==0, s' \
	"$T/status" "$rows" || fail "outbox after the workers: $(cat "$T/status")"
echo "ok: $n tickets the same on both stores; $rows messages sent once by two workers" \
	"($(cat "$T"/w1-*.jsonl 2>/dev/null | wc -l) and $(cat "$T"/w2-*.jsonl 2>/dev/null | wc -l))"
