# Functions shared by the `faultline listen` end-to-end tests. Source after lib.sh.

# A sanitizer build reports a leak inside librelp itself (see lsan.supp).
LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

# start_listen NAME ARGS...: runs `faultline listen ARGS` with stdout in
# $T/NAME.jsonl and stderr in $T/NAME.err, waits until every input asked for
# is announced, and records its PID for stop_listen NAME.
start_listen() {
	name=$1
	shift
	want=0
	for a in "$@"; do
		case $a in --udp | --tcp | --relp | --trap | --tls) want=$((want + 1)) ;; esac
	done
	spawn "$FAULTLINE" listen "$@" >"$T/$name.jsonl" 2>"$T/$name.err"
	eval "PID_$name=\$LAST_PID"
	wait_for 20 listening_count "$name" "$want" ||
		fail "$name: faultline did not announce $want inputs: $(cat "$T/$name.err")"
}

listening_count() {
	[ "$(grep -c '^listening ' "$T/$1.err")" -ge "$2" ]
}

# port_of NAME INPUT: the port faultline announced for INPUT.
port_of() {
	sed -n "s/^listening $2 .*:\([0-9]*\)\$/\1/p" "$T/$1.err" | head -n 1
}

# stop_listen NAME: SIGTERM, wait for the exit, check status 0 and a stats line.
stop_listen() {
	eval "pid=\$PID_$1"
	stop_clean "$pid" "$T/$1.err" "$1: faultline"
	grep -q '^{"stats":' "$T/$1.err" || fail "$1: no stats line at exit"
}

# stat NAME INPUT COUNTER: the counter from the last stats line of NAME.
stat() {
	python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.startswith("{\"stats\":")]
print(json.loads(lines[-1])["stats"][sys.argv[2]][sys.argv[3]])
' "$T/$1.err" "$2" "$3"
}

# expect_stat NAME INPUT COUNTER VALUE
expect_stat() {
	got=$(stat "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "$1: $2.$3 is $got, expected $4"
}

# lines_matching NAME TEXT: how many JSON lines contain TEXT.
lines_matching() {
	grep -c -F -- "$2" "$T/$1.jsonl" || true
}

# has_lines NAME TEXT N: at least N JSON lines contain TEXT.
has_lines() {
	[ "$(lines_matching "$1" "$2")" -ge "$3" ]
}

# each_id_once NAME PREFIX N: ids PREFIX1..PREFIXN each appear in exactly one line.
each_id_once() {
	python3 -c '
import json, re, sys
name, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = {}
for line in open(name, encoding="utf-8"):
    ev = json.loads(line)
    text = json.dumps(ev, ensure_ascii=False)
    for i in {int(m.group(1)) for m in re.finditer(re.escape(prefix) + r"(\d+)\b", text)}:
        seen[i] = seen.get(i, 0) + 1
missing = [i for i in range(1, n + 1) if i not in seen]
twice = [i for i, c in seen.items() if c > 1]
if missing or twice or len(seen) != n:
    sys.exit("missing %s, duplicated %s, %d distinct" % (missing[:10], twice[:10], len(seen)))
' "$T/$1.jsonl" "$2" "$3"
}
