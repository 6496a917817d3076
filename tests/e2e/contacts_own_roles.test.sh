#!/bin/sh
# A contact table with a role of its own (a NOC manager the region and one
# city name), a plan that declares it and pages it from a ladder: the plan
# checks, `faultline inventory --contacts` finds its holders, and a replay
# into a store queues the page to the branch's holder (the county has none:
# its city's). A near miss of one of the plan's roles is refused at its
# cell; a plan role that is neither the plan's nor the table's is refused.
. "$(dirname "$0")/lib.sh"
SHARED="${FL_SHARED:-/work/shared}"

mkdir -p "$T/data"
cp "$SHARED"/data/*.csv "$T/data/"
printf '%s\n' \
	'region,region,noc_manager,区经理,138-0000-9900,noc@example.net,,yes,,区公司,' \
	'city,Hechi,NOC_Manager,河池经理,138-0000-9901,hc-noc@example.net,,yes,Hechi,河池分公司,' \
	>>"$T/data/contacts.csv"
cat >"$T/own.plan" <<PLAN
plan own;
timezone "Asia/Shanghai";
data sites "$T/data/sites.csv";
data devices "$T/data/devices.csv";
data rings "$T/data/rings.csv";
data spans "$T/data/spans.csv";
data chains "$T/data/chains.csv";
data circuits "$T/data/circuits.csv";
data contacts "$T/data/contacts.csv";
roles duty_room, noc_manager;
level urgent { respond at once within 5m; ladder page; }
ladder page {
    step after 0s notify duty_room at own via sms;
    step after 0s notify noc_manager at own via sms;
}
rule los {
    match syslog;
    lookup device host;
    where device exists;
    where msg ~ /R_LOS raised port=(?<port>\S+)/;
    key host, port;
    raise level urgent title "R_LOS \${host} \${port}";
}
PLAN
"$FAULTLINE" check "$T/own.plan" >"$T/check.out" 2>&1 || fail "check: $(cat "$T/check.out")"
grep -q "'noc_manager'" "$T/check.out" && fail "a warning on the role: $(cat "$T/check.out")"

"$FAULTLINE" inventory --data "$T/data" --contacts noc_manager --at HC-FS >"$T/inv.out" 2>&1 ||
	fail "inventory: $(cat "$T/inv.out")"
grep -q '"name":"河池经理".*"branch":"Hechi"' "$T/inv.out" || fail "holder: $(cat "$T/inv.out")"

host=HC-FS-OSN01
grep -q "^$host," "$T/data/devices.csv" || fail "no $host in the sample"
printf '<131>Nov 26 02:13:40 %s ALM: R_LOS raised port=1-7-1\n' "$host" >"$T/in.log"
"$FAULTLINE" replay -c "$T/own.plan" --year 2026 --db "$T/s.db" "$T/in.log" \
	>"$T/actions.jsonl" 2>"$T/replay.err" || fail "replay: $(cat "$T/replay.err")"
grep -q '"role":"noc_manager".*138-0000-9901' "$T/actions.jsonl" ||
	fail "the NOC manager not paged: $(cat "$T/actions.jsonl")"
[ "$(sqlite3 "$T/s.db" "SELECT count(*) FROM outbox WHERE role = 'noc_manager' AND address LIKE '%9901%'")" = 1 ] ||
	fail "outbox: $(sqlite3 "$T/s.db" 'SELECT role, address FROM outbox')"

# a typo of one of the plan's roles in the table: refused where it stands
cp "$T/data/contacts.csv" "$T/good.csv"
printf '%s\n' 'city,Hechi,fault_laed,李,138-0000-9902,,,yes,Hechi,河池分公司,' >>"$T/data/contacts.csv"
"$FAULTLINE" check "$T/own.plan" >"$T/typo.out" 2>&1 && fail "a typo of fault_lead was taken"
grep -q "contacts.csv:[0-9]*:[0-9]*: error: unknown role 'fault_laed'; did you mean 'fault_lead'" "$T/typo.out" ||
	fail "typo: $(head -3 "$T/typo.out")"
cp "$T/good.csv" "$T/data/contacts.csv"
# a plan role nobody in the table holds
sed -i 's/^roles duty_room, noc_manager;/roles duty_room, noc_manager, noc_director;/' "$T/own.plan"
"$FAULTLINE" check "$T/own.plan" >"$T/unknown.out" 2>&1 && fail "an unknown plan role was taken"
grep -q "error: unknown contact role 'noc_director'" "$T/unknown.out" ||
	fail "unknown role: $(head -3 "$T/unknown.out")"
echo "ok: a contact table's own role is declared, found up the branches and paged"
