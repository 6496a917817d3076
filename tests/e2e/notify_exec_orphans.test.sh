#!/bin/sh
# faultline notify --plugin exec: a program that starts a background job and
# exits at once (a pager script doing `sleep 300 &`) leaves nothing running
# after the attempt, whether it delivered, failed or ran out of time. Each
# job carries a marker in its argv, unique to this run, and writes its pid:
# after each attempt no process with that marker or pid may be alive.
. "$(dirname "$0")/lib.sh"
PLUGINS="${FL_BUILD:?FL_BUILD must name the build directory}/plugins"
MARK="fl-orphan-$$-$(basename "$T")"

# The marker rides in the job's argv as sh -c's $0, so pgrep -f finds the
# job and nothing else on the machine matches.
cat >"$T/pager" <<EOF
#!/bin/sh
sh -c 'sleep 300; : "\$0"' "$MARK-\$FL_FIELD_N" &
echo \$! >>"$T/jobs.pid"
[ "\${FL_FIELD_MODE:-}" = hang ] && sleep 60
exit "\${FL_FIELD_EXIT:-0}"
EOF
chmod +x "$T/pager"

notify() {
	want=$1
	shift
	set +e
	"$FAULTLINE" notify --plugin-dir "$PLUGINS" --plugin exec --timeout-ms 20000 \
		--set program="$T/pager" --to 138-0000-2112 --subject 光缆中断 --body b "$@" \
		2>"$T/stderr"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "notify $*: exit $got, want $want: $(cat "$T/stderr")"
}
none_alive() { ! pgrep -f "$MARK-$1" >/dev/null 2>&1; }
pids_gone() {
	for pid in $(cat "$T/jobs.pid"); do
		! kill -0 "$pid" 2>/dev/null || return 1
	done
}
# The kill comes with the attempt's end; the bound only absorbs a loaded machine.
check_gone() {
	wait_for 5 none_alive "$1" ||
		fail "$2: the background job '$MARK-$1' still runs: $(pgrep -af "$MARK")"
	wait_for 5 pids_gone || fail "$2: a job's pid is still alive"
}

notify 0 --field n=ok
check_gone ok "after a delivered attempt"
notify 1 --field n=perm --field exit=3
check_gone perm "after a permanent failure"
notify 75 --field n=retry --field exit=75
check_gone retry "after a retryable failure"
notify 75 --field n=hang --field mode=hang --set timeout_ms=500
grep -q 'killed after 500 ms' "$T/stderr" || fail "no time limit in the reason: $(cat "$T/stderr")"
check_gone hang "after a timeout"
[ "$(wc -l <"$T/jobs.pid")" -eq 4 ] || fail "the pager did not start its four jobs"
echo ok
