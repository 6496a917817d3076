#!/bin/sh
# faultline notify --plugin exec: the program runs without a shell, gets the
# incident JSON on stdin and the fields in FL_FIELD_*; exit 0 delivers, 75 is
# retryable, anything else permanent; a program over its time limit is killed
# with everything it started, and the attempt is retryable.
. "$(dirname "$0")/lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"

# The "pager gateway": records what it got, exits with the status in $FL_FIELD_EXIT.
cat >"$T/pager" <<EOF
#!/bin/sh
cat >"$T/stdin.json"
env >"$T/env.txt"
printf '%s\n' "\$@" >"$T/argv.txt"
if [ "\${FL_FIELD_MODE:-}" = hang ]; then
	echo \$\$ >"$T/pager.pid"
	sleep 60 &
	echo \$! >"$T/sleep.pid"
	wait
fi
echo "gateway said no" >&2
exit "\${FL_FIELD_EXIT:-0}"
EOF
chmod +x "$T/pager"

notify() {
	want=$1
	shift
	set +e
	"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin exec --timeout-ms 20000 \
		--set program="$T/pager" --to 138-0000-2112 --name 值班室 --subject 光缆中断 "$@" \
		2>"$T/stderr"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "notify $*: exit $got, want $want: $(cat "$T/stderr")"
}

printf '{"incident":"INC-42","title":"南宁-柳州 光缆中断"}\n' >"$T/incident.json"
cd "$T"
notify 0 --set arg='a; touch pwned' --set arg='$(id)' --json "$T/incident.json" \
	--field site-name=南宁 --field 'x=1;y' --body 'line 1' --key inc-42:exec-1
python3 - "$T" <<'PY' || fail "program saw the wrong input"
import json, sys
t = sys.argv[1]
assert json.load(open(t + "/stdin.json", encoding="utf-8")) == \
    {"incident": "INC-42", "title": "南宁-柳州 光缆中断"}
env = dict(l.split("=", 1) for l in open(t + "/env.txt", encoding="utf-8").read().splitlines() if "=" in l)
assert env["FL_FIELD_SITE_NAME"] == "南宁", env
assert env["FL_FIELD_X"] == "1;y", env
assert env["FL_KEY"] == "inc-42:exec-1" and env["FL_TO"] == "138-0000-2112", env
assert env["FL_SUBJECT"] == "光缆中断" and env["FL_BODY"] == "line 1", env
assert "FAULTLINE" not in env, "the daemon's environment leaked"
assert open(t + "/argv.txt").read() == "a; touch pwned\n$(id)\n"
PY
[ ! -e "$T/pwned" ] || fail "an argument reached a shell"

notify 75 --field exit=75 --body b
grep -q 'gateway said no' "$T/stderr" || fail "stderr not in the reason: $(cat "$T/stderr")"
notify 1 --field exit=3 --body b
grep -q 'exit 3' "$T/stderr" || fail "no exit status in the reason: $(cat "$T/stderr")"
notify 1 --set program="$T/no-such-program" --body b

# Over the time limit: retry, and the program and its child are gone.
notify 75 --set timeout_ms=500 --field mode=hang --body b
grep -q 'killed after 500 ms' "$T/stderr" || fail "no timeout reason: $(cat "$T/stderr")"
test -s "$T/sleep.pid" || fail "the hanging program never started"
wait_for 5 sh -c "! kill -0 $(cat "$T/pager.pid") 2>/dev/null" || fail "program still running"
wait_for 5 sh -c "! kill -0 $(cat "$T/sleep.pid") 2>/dev/null" || fail "its child still running"
cd /
echo "ok"
