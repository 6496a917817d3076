# faultline test: the bundled plan's tests pass; a wrong expectation fails
# at its file:line with what was expected.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data

"$FAULTLINE" test "$ROOT/rules/faultline.plan" --data "$DATA" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "the bundled plan's tests fail"; }
grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$T/out" || fail "summary: $(cat "$T/out")"
# the tests carry their network (data "DIR";): they pass on any --data,
# and without one
for data in "$ROOT/tests/networks/hilltown" "$ROOT/tests/networks/riverport"; do
	"$FAULTLINE" test "$ROOT/rules/faultline.plan" --data "$data" >"$T/out" 2>"$T/err" ||
		{ cat "$T/err" >&2; fail "the bundled plan's tests fail with --data $data"; }
done
"$FAULTLINE" test "$ROOT/rules/faultline.plan" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "the bundled plan's tests fail on its own data"; }
# a test's data wins over --data, relative to the plan file; a test
# without one runs on the plan's (here --data)
mkdir -p "$T/net"
cp "$ROOT"/tests/networks/hilltown/*.csv "$T/net/"
cat >"$T/travel.plan" <<'EOF'
plan travel;
timezone "UTC";
data sites "x/sites.csv";
data devices "x/devices.csv";
level general { respond 30m; }
rule down {
    match syslog;
    lookup device host;
    where device exists;
    where msg ~ /LINKDOWN/;
    key host;
    raise level general title "down ${host} ${site_name}";
}
test "on its own network" {
    data "net";
    year 2026;
    at 0s syslog "<131>Mar  1 10:00:00 HT-GL-SDH01 app: LINKDOWN";
    expect incident down title "down HT-GL-SDH01 山城高岭中心机房";
}
test "on the plan's network" {
    year 2026;
    at 0s syslog "<131>Mar  1 10:00:00 HT-GL-SDH01 app: LINKDOWN";
    expect no incident;
}
EOF
"$FAULTLINE" test "$T/travel.plan" --data "$ROOT/examples/network" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "a test's own data does not win over --data"; }
grep -q '^2 passed, 0 failed$' "$T/out" || fail "travel: $(cat "$T/out")"
# without its data line the first test runs on --data and fails
sed 's/^    data "net";$//' "$T/travel.plan" >"$T/stay.plan"
set +e
"$FAULTLINE" test "$T/stay.plan" --data "$ROOT/examples/network" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "without its data: exit $rc, want 1"
grep -q '^1 passed, 1 failed$' "$T/out" || fail "stay: $(cat "$T/out")"

# the end-to-end tests' plan (clocks cut to seconds) keeps true tests too
"$FAULTLINE" test "$ROOT/rules/test-product.plan" --data "$DATA" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "test-product.plan's tests fail"; }

# break one expectation: the flap is general, expect urgent
line=$(grep -n 'expect incident link_flap level general' "$ROOT/rules/faultline.plan" | cut -d: -f1)
[ -n "$line" ] || fail "no flap expectation in the plan"
# beside examples/ and the vendor library, where its includes and data resolve
mkdir -p "$T/rules"
ln -s "$ROOT/examples" "$T/examples"
ln -s "$ROOT/rules/vendors" "$T/rules/vendors"
sed "${line}s/level general/level urgent/" "$ROOT/rules/faultline.plan" >"$T/rules/wrong.plan"
set +e
"$FAULTLINE" test "$T/rules/wrong.plan" --data "$DATA" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "exit $rc, want 1"
grep -q "wrong.plan:$line:5: test \"a flapping router port is one incident\" failed: expected incident link_flap level urgent" "$T/err" ||
	fail "no failure at wrong.plan:$line: $(cat "$T/err")"
grep -q 'got: .*open .*link_flap level general' "$T/err" || fail "does not say what happened"
grep -Eq '^[0-9]+ passed, 1 failed$' "$T/out" || fail "summary: $(cat "$T/out")"
# a test's year comes from the plan (its earliest maintenance window here),
# not from today's date; a trap carries the community the test gives
cat >"$T/years.plan" <<'EOF'
plan years;
timezone "UTC";
data sites "sites.csv";
data devices "devices.csv";
data rings "rings.csv";
data spans "spans.csv";
data contacts "contacts.csv";
roles duty_room;
level urgent { respond 0s; ladder page; }
ladder page { step after 0s notify duty_room at own via sms; }
maintenance works {
    scope device HC-JCJ-RT02;
    from "2024-03-01T00:00:00Z";
    until "2024-03-02T00:00:00Z";
}
rule down {
    match syslog;
    lookup device host;
    where msg ~ /LINKDOWN/;
    key host;
    raise level urgent title "down ${host}";
}
rule priv {
    match trap;
    where community == "private";
    key peer;
    raise level urgent title "private trap";
}
test "a line without a year is read in the plan's year" {
    at 0s syslog "<131>Mar  1 10:00:00 HC-JCJ-RT02 app: LINKDOWN";
    expect planned down;
}
test "a trap carries the community the test gives" {
    at 0s trap 1.3.6.1.6.3.1.1.5.3 from 10.9.8.7 community "private";
    expect incident priv;
}
test "a trap without one is public" {
    at 0s trap 1.3.6.1.6.3.1.1.5.3 from 10.9.8.7;
    expect no incident priv;
}
EOF
"$FAULTLINE" test "$T/years.plan" --data "$DATA" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "the year and community tests fail"; }
grep -q '^3 passed, 0 failed$' "$T/out" || fail "summary: $(cat "$T/out")"

# a `year` of the test's own wins: read in 2023 the line misses the window
sed 's/^test "a line without a year is read in the plan.s year" {$/&\n    year 2023;/' \
	"$T/years.plan" >"$T/y2023.plan"
grep -q '^    year 2023;$' "$T/y2023.plan" || fail "could not write the year"
set +e
"$FAULTLINE" test "$T/y2023.plan" --data "$DATA" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "year 2023: exit $rc, want 1"
grep -q 'failed: expected planned down' "$T/err" || fail "year 2023: $(cat "$T/err")"

echo "ok"
