#!/bin/sh
# The regex paths of a live engine, fed by logger over TCP: a rule's regex is
# held for rxlite alone when the plan loads, gets its PCRE2 code (and a JIT
# copy) only once it has run often, and must give the same answers after
# that. 300 ASCII lines earn the JIT copy (counted as a late compile), then
# a site named in Chinese opens its own incident (rxlite answers it: PCRE2
# 10.42's JIT misses \S and \D on characters of several bytes), and a line
# that is not UTF-8 goes to PCRE2's interpreter and matches nothing. After a
# SIGHUP reload to a plan whose title differs, the new engine starts again
# without PCRE2 code and a second Chinese site opens under the new title.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

write_plan() { # TITLE_PREFIX
	cat >"$T/u.plan.new" <<PLAN
plan utf8_jit_live;
timezone "UTC";
level notice { respond 4h; }
rule site_down {
    match syslog;
    where msg ~ /^(?<site>\\S+) (?<what>\\D+)\$/;
    key site;
    raise level notice title "$1\${site} \${what}";
    clear after quiet 1h;
}
PLAN
	mv "$T/u.plan.new" "$T/u.plan"
}
write_plan ""
grep -q 'msg ~ /^(?<site>\\S+) (?<what>\\D+)\$/;' "$T/u.plan" || fail "plan text: $(cat "$T/u.plan")"

spawn "$FAULTLINE" run -c "$T/u.plan" --tcp 127.0.0.1:0 --metrics 127.0.0.1:0 \
	>"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 30 listening_count run 2 || fail "input and metrics not announced: $(cat "$T/run.err")"
tcp=$(port_of run tcp)

i=0
while [ $i -lt 300 ]; do
	echo "NE-$((i % 3)) down"
	i=$((i + 1))
done >"$T/ascii.txt"
# one connection, one message per line
logger -T -n 127.0.0.1 -P "$tcp" --octet-count --rfc3164 -t ne -f "$T/ascii.txt" ||
	fail "logger failed"

scraped() { # SAMPLE VALUE: the metrics page shows SAMPLE at VALUE
	scrape run /metrics "$T/m.txt" >/dev/null && [ "$(metric "$T/m.txt" "$1")" = "$2" ]
}
wait_for 30 scraped faultline_messages_total 300 ||
	fail "300 lines not taken: $(grep messages_total "$T/m.txt")"
late=$(metric "$T/m.txt" faultline_regex_late_compiles_total)
[ "$late" = 1 ] || fail "the regex's PCRE2 code (for its JIT copy) made $late times, want 1"

# 洛西镇-三 (Luoxi town - San) and NE\xff-9: one above ASCII, one not UTF-8
site=$(printf '\346\264\233\350\245\277\351\225\207-\344\270\211')
python3 - "$tcp" <<'PY' || fail "raw sender"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
for body in ("洛西镇-三 down".encode(), b"NE\xff-9 down"):
    msg = b"<134>Nov 20 00:06:00 NE2 ne: " + body
    s.sendall(str(len(msg)).encode() + b" " + msg)
s.close()
PY
wait_for 30 scraped faultline_messages_total 302 ||
	fail "the two lines above ASCII not taken: $(grep messages_total "$T/m.txt")"
wait_for 30 grep -q "\"title\":\"$site down\"" "$T/run.jsonl" ||
	fail "no incident for the Chinese site: $(tail -n 3 "$T/run.jsonl")"

# The reloaded engine holds no PCRE2 code: a new Chinese site still matches.
write_plan "v2 "
kill -HUP "$RUN_PID"
wait_for 30 scraped faultline_reloads_total 1 || fail "the plan not reloaded: $(tail -n 5 "$T/run.err")"
logger -T -n 127.0.0.1 -P "$tcp" --octet-count --rfc3164 -t ne -- "$site-二 down" ||
	fail "logger failed"
wait_for 30 grep -q "\"title\":\"v2 $site-二 down\"" "$T/run.jsonl" ||
	fail "no incident after the reload: $(tail -n 3 "$T/run.jsonl"; tail -n 5 "$T/run.err")"

stop_clean "$RUN_PID" "$T/run.err" "faultline run" 30

python3 - "$T/run.jsonl" "$site" <<'PY' || fail "outcome: $(grep '"open"' "$T/run.jsonl" | head -c 2000)"
import json, sys
site = sys.argv[2]
opens = [a["title"] for a in map(json.loads, open(sys.argv[1], encoding="utf-8"))
         if a["action"] == "open"]
want = ["NE-0 down", "NE-1 down", "NE-2 down", site + " down", "v2 " + site + "-二 down"]
assert sorted(opens) == sorted(want), opens
PY
echo "run_utf8_jit: 300 ASCII lines, a JIT copy made once, two Chinese sites across a reload"
