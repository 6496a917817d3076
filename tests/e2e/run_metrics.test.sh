#!/bin/sh
# faultline run --metrics: a fibre cut sent with logger is scraped from
# /metrics while it arrives and after; the page is the Prometheus text
# format, its counters never go back, and after the storm they equal the
# summary the run prints at SIGTERM (lines received, messages, matched,
# incidents and tickets opened). /healthz answers 200 with the store
# writing and the outbox's rows just queued.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--db "$DB" --metrics 127.0.0.1:0 >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 20 listening_count run 2 || fail "input and metrics not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
[ -n "$(port_of run metrics)" ] || fail "no metrics port: $(cat "$T/run.err")"

# during the storm: both ends lose signal, the endpoint is scraped, the rest follows
logger_as HC-YZ-LX-OSN01 "$udp" "R_LOS raised port=1-8-1 board=N1SL16 level=critical"
logger_as HC-YZ-SC-OSN01 "$udp" "R_LOS raised port=1-7-1 board=N1SL16 level=critical"
received_two() {
	scrape run /metrics "$T/during.txt" >/dev/null &&
		[ "$(metric "$T/during.txt" 'faultline_input_received_total{input="udp"}')" = 2 ]
}
wait_for 20 received_two || fail "the first two lines not counted: $(head -c 3000 "$T/during.txt")"
check_exposition "$T/during.txt" || fail "the page during the storm is not the text format"
for a in R_LOF B2_EXC OTU_LOF; do
	logger_as HC-YZ-LX-OSN01 "$udp" "$a raised port=1-8-1 board=N1SL16 level=major"
	logger_as HC-YZ-SC-OSN01 "$udp" "$a raised port=1-7-1 board=N1SL16 level=major"
done

# after it: all eight lines taken, the cut located (after its 2 s hold) and
# its ticket written by the store thread
settled() {
	scrape run /metrics "$T/after.txt" >/dev/null &&
		[ "$(metric "$T/after.txt" 'faultline_input_received_total{input="udp"}')" = 8 ] &&
		[ "$(metric "$T/after.txt" faultline_messages_total)" = 8 ] &&
		[ "$(metric "$T/after.txt" 'faultline_rule_incidents_opened_total{rule="fibre_cut",kind="correlation"}')" = 1 ] &&
		[ "$(metric "$T/after.txt" faultline_store_tickets_opened_total)" = 1 ]
}
wait_for 30 settled || fail "the storm never showed in full: $(grep -v '^#' "$T/after.txt" | head -c 3000)"
check_exposition "$T/after.txt" || fail "the page after the storm is not the text format"
python3 - "$T/during.txt" "$T/after.txt" <<'PY' || fail "a counter went back"
import sys
def samples(path):
    kinds, out = {}, {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            kinds[name] = kind
        elif not line.startswith("#"):
            key, _, value = line.rstrip("\n").rpartition(" ")
            if kinds.get(key.split("{")[0]) == "counter":
                out[key] = float(value)
    return out
during, after = samples(sys.argv[1]), samples(sys.argv[2])
back = [k for k in during if k in after and after[k] < during[k]]
assert not back, "went back: %s" % back
assert during, "no counters"
PY
# the outbox is counted on its own connection at most once a second: the
# pages the ticket queued show on a later scrape
paged() {
	scrape run /metrics "$T/paged.txt" >/dev/null &&
		[ "$(metric "$T/paged.txt" 'faultline_outbox_notifications{state="pending"}')" -ge 1 ]
}
wait_for 10 paged ||
	fail "the fibre cut's pages are not in the outbox count: $(grep outbox "$T/paged.txt")"
[ "$(scrape run /healthz "$T/health.txt")" = 200 ] || fail "/healthz: $(cat "$T/health.txt")"
[ "$(cat "$T/health.txt")" = ok ] || fail "/healthz body: $(cat "$T/health.txt")"

stop_clean "$RUN_PID" "$T/run.err" "faultline run"

# the scrape after the storm says what the summary says
same() { # WORDS SAMPLE: "N WORDS" in the summary is the sample's value
	want=$(metric "$T/after.txt" "$2")
	grep -q "^run: .*[ :]$want $1[,;]" "$T/run.err" ||
		fail "summary has no '$want $1' ($2): $(grep '^run: ' "$T/run.err")"
}
grep -q "^run: udp: $(metric "$T/after.txt" 'faultline_input_received_total{input="udp"}') received," \
	"$T/run.err" || fail "udp received: $(grep '^run: udp' "$T/run.err")"
grep -q "^run: $(metric "$T/after.txt" faultline_messages_total) messages, $(metric "$T/after.txt" faultline_messages_undecoded_total) undecoded, $(metric "$T/after.txt" faultline_events_matched_total) matched," \
	"$T/run.err" || fail "messages, undecoded, matched: $(grep '^run: [0-9]' "$T/run.err")"
same "incidents opened" faultline_incidents_opened_total
same "tickets opened" faultline_store_tickets_opened_total
echo "ok: run --metrics: $(metric "$T/after.txt" faultline_messages_total) messages," \
	"$(metric "$T/after.txt" faultline_incidents_opened_total) incidents, as the summary says"
