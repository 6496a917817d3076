#!/bin/sh
# The board's resources with curl: GET /api/changes (a new version after a
# change, none without one, bad versions refused), GET /api/map (the cut of
# an open incident, its ring unprotected, a span the inventory does not
# know, the cap on cuts counted, no inventory without a plan) and
# GET /api/inventory/targets (bad and empty queries, the cap on names), and
# GET /api/contacts (filters by branch, role and 24 h phone; bad filters).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"

seed_store
write_users
start_serve --users "$T/users"

# --- changes ---------------------------------------------------------------------
call 401 GET /api/changes
call 200 GET /api/changes view1
[ "$(field 'd["version"], d["changed"]')" = "1 True" ] || fail "first version: $(cat "$T/body")"
call 200 GET '/api/changes?since=1' view1
[ "$(field 'd["changed"]')" = False ] || fail "nothing changed: $(cat "$T/body")"
for bad in abc -1 1x 99999999999999999999999; do
	call 400 GET "/api/changes?since=$bad" view1
done
call 200 POST /api/tickets/INC-1/ack op1 '{"note":"board api"}'
changed() {
	call 200 GET '/api/changes?since=1' view1 && [ "$(field 'd["version"], d["changed"]')" = "2 True" ]
}
wait_for 30 changed || fail "the ack made no new version: $(cat "$T/body")"
# a change the engine makes (another process writing the store) is noticed too
sqlite3 "$DB" "UPDATE tickets SET title = 'retitled' WHERE id = 'INC-2'"
changed3() {
	call 200 GET '/api/changes?since=2' view1 && [ "$(field 'd["version"]')" = 3 ]
}
wait_for 30 changed3 || fail "a write by another process made no new version: $(cat "$T/body")"
call 405 POST /api/changes op1 '{}'

# --- the map ---------------------------------------------------------------------
call 200 GET /api/map view1
python3 - "$T/body" <<'PY' || fail "map with unknown spans only: $(cat "$T/body")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["inventory"] is True and d["cuts_truncated"] is False, d
assert sorted(d["unknown_cuts"]) == ["SPAN-HC-02", "SPAN-LZ-01"], d["unknown_cuts"]
assert d["sites"] and all(s["state"] == "ok" for s in d["sites"]), d["sites"]
assert all(isinstance(s["lat_e6"], int) and isinstance(s["lon_e6"], int) for s in d["sites"])
assert d["spans"] and all(s["state"] == "ok" for s in d["spans"]), d["spans"]
ids = {s["id"] for s in d["sites"]}
assert all(s["a"] in ids and s["b"] in ids for s in d["spans"])
PY
# an open incident on a span of the inventory: cut, its ring unprotected;
# once restored it is no cut any more
now=$(date +%s)
sqlite3 "$DB" <<SQL
INSERT INTO tickets(id, rule, key, level, title, state, span, opened_ns, updated_ns)
  VALUES('INC-3', 'fibre_cut', 'BB-R01-S02', 'urgent', 'cut', 'open', 'BB-R01-S02', $now * 1000000000, $now * 1000000000);
SQL
call 200 GET /api/map view1
python3 - "$T/body" <<'PY' || fail "map with a cut: $(cat "$T/body")"
import json, sys
d = json.load(open(sys.argv[1]))
state = {s["id"]: s["state"] for s in d["spans"]}
assert state["BB-R01-S02"] == "cut", state
assert state["BB-R01-S01"] == state["BB-R01-S03"] == "unprotected", state
assert not any(v != "ok" for k, v in state.items() if not k.startswith("BB-R01-")), state
PY
sqlite3 "$DB" "UPDATE tickets SET state = 'restored' WHERE id = 'INC-3'"
call 200 GET /api/map view1
[ "$(field 'sorted({s["state"] for s in d["spans"]})')" = "['ok']" ] ||
	fail "a restored incident still cuts: $(cat "$T/body")"

# over FL_API_MAP_CUTS_MAX (256) cut places: the map says so and counts them
python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i in range(300):
    db.execute("INSERT INTO tickets(id, rule, key, level, title, state, span, opened_ns, updated_ns)"
               " VALUES(?, 'fibre_cut', ?, 'urgent', 'cut', 'open', ?, 1, 1)",
               ("CAP-%d" % i, "CAP-SPAN-%d" % i, "CAP-SPAN-%d" % i))
db.commit()
PY
call 200 GET /api/map view1
[ "$(field 'd["cuts_truncated"], len(d["unknown_cuts"])')" = "True 256" ] ||
	fail "map over the cap: $(field 'd["cuts_truncated"], len(d["unknown_cuts"])')"
call 200 GET /api/status view1
[ "$(field 'd["counters"]["map_cuts_dropped"] >= 44')" = True ] || fail "drops not counted: $(cat "$T/body")"
call 405 DELETE /api/map adm1

# --- maintenance targets ------------------------------------------------------------
call 200 GET '/api/inventory/targets?q=BB-R01' view1
[ "$(field '[(t["scope"], t["target"]) for t in d["targets"]][:2], d["truncated"]')" = \
	"[('ring', 'BB-R01'), ('span', 'BB-R01-S01')] False" ] || fail "targets BB-R01: $(cat "$T/body")"
call 200 GET '/api/inventory/targets?q=%E6%98%8E%E9%98%B3' view1 # 明阳: a site's Chinese name
[ "$(field 'all(t["scope"] in ("site", "device", "ring") for t in d["targets"]) and len(d["targets"]) > 0')" = True ] ||
	fail "targets by Chinese name: $(cat "$T/body")"
call 200 GET '/api/inventory/targets?q=no-such-thing' view1
[ "$(field 'd["targets"], d["truncated"]')" = "[] False" ] || fail "no targets: $(cat "$T/body")"
call 200 GET /api/inventory/targets view1
[ "$(field 'len(d["targets"]), d["truncated"]')" = "50 True" ] || fail "targets cap: $(cat "$T/body")"
long=$(python3 -c 'print("x" * 65)')
call 400 GET "/api/inventory/targets?q=$long" view1

# --- contacts: the plan's contact table, filtered -----------------------------------
# The expected rows come from the network's contacts.csv itself, in its order.
contacts_expect() { # FILTER-EXPRESSION over a csv row r
	python3 - "$ROOT/examples/network/contacts.csv" "$1" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if eval(sys.argv[2])]
print([(r["branch"], r["role"], r["name"], r["on_24h"] == "yes") for r in rows])
PY
}
contacts_got() {
	field '[(c["branch"], c["role"], c["name"], c["on_24h"]) for c in d["contacts"]]'
}
call 401 GET /api/contacts
call 200 GET /api/contacts view1
[ "$(contacts_got)" = "$(contacts_expect True)" ] || fail "all contacts: $(head -c 400 "$T/body")"
[ "$(field 'd["inventory"], d["truncated"]')" = "True False" ] || fail "contacts flags: $(head -c 200 "$T/body")"
branch=$(python3 -c 'import csv,sys; print([r["branch"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["level"] == "county"][0])' \
	"$ROOT/examples/network/contacts.csv")
call 200 GET "/api/contacts?branch=$branch&role=fault_lead" view1
[ "$(contacts_got)" = "$(contacts_expect "r['branch'] == '$branch' and r['role'] == 'fault_lead'")" ] ||
	fail "contacts of $branch: $(cat "$T/body")"
call 200 GET '/api/contacts?on_24h=true&role=duty_room' view1
[ "$(contacts_got)" = "$(contacts_expect "r['on_24h'] == 'yes' and r['role'] == 'duty_room'")" ] ||
	fail "24 h duty rooms: $(head -c 400 "$T/body")"
[ "$(field 'all(c["email"] is None or "@" in c["email"] for c in d["contacts"])')" = True ] ||
	fail "an empty e-mail is not null: $(head -c 400 "$T/body")"
call 400 GET '/api/contacts?role=janitor' view1
grep -q "no role 'janitor'" "$T/body" || fail "unknown role: $(cat "$T/body")"
call 400 GET '/api/contacts?on_24h=maybe' view1
call 200 GET '/api/contacts?branch=no-such-branch' view1
[ "$(field 'd["contacts"]')" = "[]" ] || fail "unknown branch: $(cat "$T/body")"

# --- no plan, no inventory: an empty map, no targets ----------------------------------
kill "$SERVE_PID"
wait "$SERVE_PID" || true
spawn "$FAULTLINE" serve --db "$DB" --http 127.0.0.1:0 --read-without-login --users "$T/users" \
	2>"$T/serve2.err"
wait_for 60 grep -q '^listening http ' "$T/serve2.err" || fail "serve without a plan: $(cat "$T/serve2.err")"
API="http://127.0.0.1:$(sed -n 's/^listening http 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/serve2.err")"
call 200 GET /api/map
[ "$(field 'd["inventory"], d["sites"], d["spans"], d["unplaced"]')" = "False [] [] []" ] ||
	fail "map without inventory: $(cat "$T/body")"
call 200 GET /api/inventory/targets
[ "$(field 'd["targets"]')" = "[]" ] || fail "targets without inventory: $(cat "$T/body")"
call 200 GET /api/contacts
[ "$(field 'd["inventory"], d["contacts"]')" = "False []" ] || fail "contacts without inventory: $(cat "$T/body")"
echo "board api: ok"
