#!/bin/sh
# faultline run --http: the engine serves the API beside its inputs. A fibre
# cut sent with logger becomes a ticket the API lists, with the plan's zone
# and levels; an operator acknowledges it through the API while the engine
# runs, and the engine's own store sees the acknowledgement.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"
. "$(dirname "$0")/product_lib.sh"
PASS=secret-e2e
hash=$(printf '%s\n' "$PASS" | "$FAULTLINE" passwd) || fail "passwd failed"
echo "op1:operator:$hash" >"$T/users"

spawn "$FAULTLINE" run -c "$ROOT/rules/test-product.plan" --data "$DATA" --udp 127.0.0.1:0 \
	--db "$DB" --http 127.0.0.1:0 --users "$T/users" >"$T/run.jsonl" 2>"$T/run.err"
RUN_PID=$LAST_PID
wait_for 60 listening_count run 2 || fail "input and http not announced: $(cat "$T/run.err")"
udp=$(port_of run udp)
API="http://127.0.0.1:$(port_of run http)"
[ "$API" != "http://127.0.0.1:" ] || fail "no http port: $(cat "$T/run.err")"

curl -s -m 10 "$API/api/status" >"$T/status.json" || fail "no answer from /api/status"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["zone"] == "Asia/Shanghai" and "urgent" in d["levels"], d' \
	"$T/status.json" || fail "status: $(cat "$T/status.json")"

logger_as HC-YZ-LX-OSN01 "$udp" "R_LOS raised port=1-8-1 board=N1SL16 level=critical"
logger_as HC-YZ-SC-OSN01 "$udp" "R_LOS raised port=1-7-1 board=N1SL16 level=critical"
listed() {
	curl -s -m 10 -u "op1:$PASS" "$API/api/tickets" >"$T/list.json" &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"] == 1' "$T/list.json"
}
wait_for 60 listed || fail "the cut never reached the API: $(cat "$T/list.json")"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tickets"][0]["id"])' "$T/list.json")
code=$(curl -s -m 10 -o "$T/ack.json" -w '%{http_code}' -u "op1:$PASS" -H 'Content-Type: application/json' \
	-d '{"note":"crew called"}' "$API/api/tickets/$id/ack")
[ "$code" = 200 ] || fail "ack through the API: $code $(cat "$T/ack.json")"
"$FAULTLINE" tickets --db "$DB" --json show "$id" >"$T/show.json"
# the ack is in the history; a clock may have run out after it, at the same second
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["state"] == "acknowledged" and any(h["what"] == "open -> acknowledged" and h["by"] == "op1" and h["note"] == "crew called" for h in d["history"]), d' \
	"$T/show.json" || fail "the store does not have the ack: $(cat "$T/show.json")"
# A reload replaces the plan the API reads its map and window customers
# from: the old one is freed only after the API lets go of it (under ASan a
# use after free here ends the run), and the map still shows the cut.
map_cut() {
	curl -s -m 10 -u "op1:$PASS" "$API/api/map" >"$T/map.json" &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["inventory"] and [s for s in d["spans"] if s["state"] == "cut"], d' "$T/map.json"
}
map_cut || fail "the map before the reload: $(head -c 300 "$T/map.json")"
for n in 1 2 3; do
	kill -HUP "$RUN_PID"
	reloaded() { [ "$(grep -c 'reload: plan .* swapped in' "$T/run.err")" -ge "$n" ]; }
	wait_for 60 reloaded || fail "reload $n not reported: $(tail -5 "$T/run.err")"
	map_cut || fail "the map after reload $n: $(head -c 300 "$T/map.json")"
done
kill "$RUN_PID"
wait "$RUN_PID" || fail "run did not stop cleanly: $(tail -5 "$T/run.err")"
echo "run --http: ok"
