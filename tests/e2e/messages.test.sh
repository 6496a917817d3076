#!/bin/sh
# What people read: the bundled plan's templates on the example network's
# fibre cut and site outage. A customer's SMS fits two parts, names no
# device or site, carries the ticket and the hotline, and lists only that
# customer's circuits; the restoration says so; the crew's names the span;
# the duty room keeps the full built-in text.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA="$ROOT/examples/network"

for storm in fibre-cut site-power; do
	"$FAULTLINE" replay -c "$ROOT/rules/faultline.plan" --data "$DATA" --year 2026 \
		--db "$T/$storm.db" --quiet "$ROOT/examples/storms/$storm.log" >/dev/null 2>"$T/$storm.err" ||
		fail "replay $storm: $(tail -3 "$T/$storm.err")"
	sqlite3 -json "$T/$storm.db" "SELECT o.role, o.channel, o.address, o.subject, o.body, t.id AS ticket
		FROM outbox o JOIN tickets t ON t.id = o.ticket" >"$T/$storm.json"
done
python3 - "$DATA" "$T/fibre-cut.json" "$T/site-power.json" <<'PY' || fail "messages are wrong"
import csv, json, math, sys
data = sys.argv[1]
devices = [r["device"] for r in csv.DictReader(open(f"{data}/devices.csv", encoding="utf-8"))]
sites = [r["site"] for r in csv.DictReader(open(f"{data}/sites.csv", encoding="utf-8"))]
owner = {r["circuit"]: r["customer"] for r in csv.DictReader(open(f"{data}/circuits.csv", encoding="utf-8"))}
whose = {}
for r in csv.DictReader(open(f"{data}/contacts.csv", encoding="utf-8")):
    if r["role"] == "customer_contact":
        whose[r["mobile"]] = whose[r["email"]] = r["customer"]

def sms_parts(text):
    units = len(text.encode("utf-16-be")) // 2
    if all(ord(ch) < 128 for ch in text):
        return 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    return 1 if units <= 70 else math.ceil(units / 67)

seen = {"customer sms": 0, "restored": 0, "crew": 0, "duty": 0}
for path in sys.argv[2:]:
    for row in json.load(open(path, encoding="utf-8")):
        body, role = row["body"], row["role"]
        if role == "customer_contact":
            assert row["ticket"] in body and "96335" in body, body
            for name in devices + sites:
                assert name not in body, (name, body)
            customer = whose[row["address"]]
            listed = [c for c in owner if c in body]
            assert listed and all(owner[c] == customer for c in listed), (customer, listed, body)
            if row["channel"] == "sms":
                assert sms_parts(body) <= 2, (sms_parts(body), body)
                seen["customer sms"] += 1
                seen["restored"] += "恢复" in body
        elif role in ("fault_lead", "repair_team"):
            assert "段" in body and row["ticket"] in body, body
            seen["crew"] += 1
        elif role == "duty_room":
            assert "ticket " + row["ticket"] + "," in body, body
            seen["duty"] += 1
assert seen["customer sms"] >= 3 and seen["restored"] >= 1 and seen["crew"] >= 2 and seen["duty"] >= 2, seen
print(seen)
PY
echo "ok: messages: customer texts fit, name no equipment, carry only their own circuits"
