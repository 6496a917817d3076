#!/bin/sh
# faultline notify --plugin file: JSON Lines appended, one record per message,
# readable by a real JSON parser; a bad path is a permanent failure (exit 1).
. "$(dirname "$0")/lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
OUT="$T/archive.jsonl"

"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin file --set path="$OUT" \
	--to 138-0000-2112 --name 区公司网管中心值班室 --subject '南宁-柳州 光缆中断' \
	--body "$(printf 'line one\nline two "quoted"')" --field site=南宁 --key inc-7:sms-1 ||
	fail "first delivery did not succeed"
"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin file --set path="$OUT" --set fsync=never \
	--to noc-duty@example.net --body second --key inc-7:mail-1 ||
	fail "second delivery did not succeed"

python3 - "$OUT" <<'PY' || fail "archive content is wrong"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "" and len(lines) == 3, lines
a, b = json.loads(lines[0]), json.loads(lines[1])
assert a["key"] == "inc-7:sms-1", a
assert a["subject"] == "南宁-柳州 光缆中断", a
assert a["body"] == 'line one\nline two "quoted"', a
assert a["fields"] == {"site": "南宁"}, a
assert a["incident"]["to"]["name"] == "区公司网管中心值班室", a
assert b["key"] == "inc-7:mail-1" and b["to"]["address"] == "noc-duty@example.net", b
PY

set +e
"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin file --set path="$T/no/such/dir/x" \
	--to x --body y 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "missing directory: exit $rc, want 1"
grep -q 'permanent' "$T/err" || fail "no reason on stderr: $(cat "$T/err")"

set +e
"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin file --set fsync=sometimes \
	--set path="$OUT" --to x --body y 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "bad fsync setting: exit $rc, want 1"

# --check runs only init: settings accepted or refused, nothing written.
"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin file --set path="$T/checked" --check ||
	fail "--check refused good settings"
[ ! -e "$T/checked" ] || fail "--check wrote a record"
set +e
"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin file --set path=relative --check 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "--check with a relative path: exit $rc, want 1"
grep -q 'absolute path' "$T/err" || fail "--check gave no reason: $(cat "$T/err")"
echo "ok"
