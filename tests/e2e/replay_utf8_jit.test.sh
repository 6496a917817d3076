#!/bin/sh
# A rule's regex that runs often gets a JIT copy; a line above ASCII after
# that must still match. PCRE2 10.42's JIT misses multi-byte characters for
# \S and \D under MATCH_INVALID_UTF, so the engine runs a JIT copy on ASCII
# lines only (engine/correlate/match.c): 300 ASCII lines make the copy, and
# a site named in Chinese then opens its own incident with its name.
. "$(dirname "$0")/lib.sh"

cat >"$T/u.plan" <<'PLAN'
plan utf8_jit;
timezone "UTC";
level notice { respond 4h; }
rule site_down {
    match syslog;
    where msg ~ /^(?<site>\S+) (?<what>\D+)$/;
    key site;
    raise level notice title "${site} ${what}";
    clear after quiet 1h;
}
PLAN
i=0
while [ $i -lt 300 ]; do
	printf '<134>Nov 20 00:%02d:%02d NE1 ne: NE-%d down\n' $((i / 60)) $((i % 60)) $((i % 3))
	i=$((i + 1))
done >"$T/lines.log"
# 洛西镇-三 (Luoxi town - San), in UTF-8
printf '<134>Nov 20 00:06:00 NE2 ne: \346\264\233\350\245\277\351\225\207-\344\270\211 down\n' >>"$T/lines.log"

"$FAULTLINE" replay -c "$T/u.plan" --year 2026 "$T/lines.log" >"$T/out.jsonl" 2>"$T/err" ||
	fail "replay failed: $(cat "$T/err")"
opens=$(grep -c '"action":"open"' "$T/out.jsonl") || true
[ "$opens" -eq 4 ] || fail "want 4 incidents (NE-0, NE-1, NE-2 and the Chinese site), got $opens"
site=$(printf '\346\264\233\350\245\277\351\225\207-\344\270\211 down')
grep '"action":"open"' "$T/out.jsonl" | grep -q "\"title\":\"$site\"" ||
	fail "no incident titled with the Chinese site: $(tail -n 2 "$T/out.jsonl")"
echo "replay_utf8_jit: 4 incidents, the last for a site named in Chinese after the JIT copy"
