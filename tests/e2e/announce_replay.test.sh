#!/bin/sh
# Maintenance announcements in event time: `faultline replay --db` over the
# recorded fibre cut of 25 Nov 2026 queues the announcements of
# MW-2026-1128-01 (maintenance.csv, span HC-JCJ-R01-S01, 28 Nov 00:30 +08:00,
# 72 h ahead) to the contacts of 河池市电子政务外网 and 河池市医保数据专网; a
# second replay and `faultline maintenance announce` queue none again. With
# the sample file as shipped, whose customers_notified says both were told,
# nothing is queued.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data
LOG="$DATA/scenarios/fibre-cut-hechi.log"
PLAN="$ROOT/rules/faultline.plan"

replay() { # DATA_DIR DB
	"$FAULTLINE" replay -c "$PLAN" --data "$1" --db "$2" --year 2026 --quiet "$LOG" 2>"$T/replay.err" ||
		fail "replay: $(cat "$T/replay.err")"
	sed -n 's/^replay: announce: \([0-9]*\) maintenance announcements queued$/\1/p' "$T/replay.err"
}

# as shipped: told by hand, nobody is told again
n=$(replay "$DATA" "$T/shipped.db")
[ "$n" = 0 ] || fail "queued $n for customers the data says were told"
"$FAULTLINE" maintenance --db "$T/shipped.db" announce -c "$PLAN" --data "$DATA" \
	--at 2026-11-26T00:00+08:00 --dry-run >/dev/null 2>"$T/dry.err" || fail "dry run"
grep -q ' 2 customers told by hand' "$T/dry.err" || fail "dry run: $(cat "$T/dry.err")"

# the same window not yet announced
mkdir -p "$T/data"
cp "$DATA"/*.csv "$T/data/"
sed -i 's/^\(MW-2026-1128-01,.*,冯金凤,\).*$/\1/' "$T/data/maintenance.csv"
grep -q '^MW-2026-1128-01,.*,冯金凤,$' "$T/data/maintenance.csv" || fail "cannot edit the copy"
n=$(replay "$T/data" "$T/r.db")
[ "$n" = 6 ] || fail "want 6 queued (3 contacts x sms, email), got '$n': $(cat "$T/replay.err")"
keys=$(sqlite3 "$T/r.db" "SELECT count(*) FROM outbox WHERE key LIKE 'mw:MW-2026-1128-01:20261127T1630Z:%'")
[ "$keys" = 6 ] || fail "keys: $(sqlite3 "$T/r.db" 'SELECT key FROM outbox')"
for who in 138-0000-2315 tingting.nong@example.net 138-0000-1619 lihua.he@example.net \
	138-0000-9534 minghui.chen@example.net; do
	[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM outbox WHERE address = '$who' AND key LIKE 'mw:%'")" = 1 ] ||
		fail "not told once: $who"
done
sqlite3 "$T/r.db" "SELECT body FROM outbox WHERE address = 'minghui.chen@example.net'" |
	grep -q 'HC-MED-001' || fail "the body does not name the circuits"
# queued in event time, at the recording's first line (25 Nov, 09:55 +08:00)
[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM outbox WHERE key LIKE 'mw:%' AND created_ns
	BETWEEN 1795568400000000000 AND 1795579200000000000")" = 6 ] ||
	fail "not in event time: $(sqlite3 "$T/r.db" "SELECT created_ns FROM outbox WHERE key LIKE 'mw:%'")"

n=$(replay "$T/data" "$T/r.db")
[ "$n" = 0 ] || fail "a second replay queued $n again"
"$FAULTLINE" maintenance --db "$T/r.db" announce -c "$PLAN" --data "$T/data" \
	--at 2026-11-26T00:00+08:00 >"$T/cli.out" 2>"$T/cli.err" || fail "cli: $(cat "$T/cli.err")"
grep -q ' 6 due, 0 queued, 6 queued before' "$T/cli.err" || fail "cli: $(cat "$T/cli.err")"
[ "$(grep -c '^queued-before MW-2026-1128-01 2026-11-27T16:30:00Z' "$T/cli.out")" = 6 ] ||
	fail "cli listing: $(cat "$T/cli.out")"
# started: never announced
"$FAULTLINE" maintenance --db "$T/r.db" announce -c "$PLAN" --data "$T/data" \
	--at 2026-11-28T00:31+08:00 >/dev/null 2>"$T/late.err" || fail "late: $(cat "$T/late.err")"
grep -q ' 0 due,' "$T/late.err" || fail "announced a window that has started: $(cat "$T/late.err")"
echo "ok: MW-2026-1128-01 announced to 3 customer contacts in event time, once"
