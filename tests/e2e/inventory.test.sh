#!/bin/sh
# `faultline inventory` on the sample network: counts on success, every
# error at FILE:LINE:COL on a broken copy, and contact fallback.
. "$(dirname "$0")/lib.sh"
data=${FL_SHARED:-/work/shared}/data

out=$("$FAULTLINE" inventory --data "$data") || fail "the sample data does not load"
case $out in
*'"sites":209,"devices":713,"rings":45,"spans":252,"ring_spans":239,"chain_spans":13,"chains":9,"circuits":58,"contacts":428,"windows":3'*) ;;
*) fail "unexpected counts: $out" ;;
esac

# A broken copy: a site class misspelt and a device on a site that does not exist.
mkdir "$T/data"
cp "$data"/*.csv "$T/data/"
chmod u+w "$T/data"/*.csv
sed -i '3s/,county,/,countyy,/' "$T/data/sites.csv"
sed -i '2s/^GX-NOC-RT01,10.1.0.11,Cisco,ASR-9006,router,GX-NOC,/GX-NOC-RT01,10.1.0.11,Cisco,ASR-9006,router,GX-NOX,/' \
	"$T/data/devices.csv"
if "$FAULTLINE" inventory --data "$T/data" >"$T/out" 2>"$T/err"; then
	fail "a broken copy loaded"
fi
[ ! -s "$T/out" ] || fail "counts printed for a broken copy"
# Line 3 is "BH-HP,北海合浦机房,Hepu,Beihai,county,...": columns count code
# points, so the class starts at column 26 (6 + 7 + 5 + 7 + 1), not at byte 38.
grep -q '^BH-HP,北海合浦机房,Hepu,Beihai,countyy,' "$T/data/sites.csv" || fail "sample sites.csv changed"
grep -qx "$T/data/sites.csv:3:26: error: unknown class 'countyy'; did you mean 'county'? (expected one of: city, county, township)" "$T/err" ||
	fail "class error not reported at sites.csv:3:26: $(cat "$T/err")"
# The bad line is quoted with a caret under the cell; the six Chinese
# characters before it are two columns wide each: 6 + 13 + 5 + 7 = 31 cells.
caret=$(printf '      | %31s^~~~~~~' '')
grep -qxF -- "$caret" "$T/err" || fail "no caret under the class cell: $(cat "$T/err")"
grep -qx "$T/data/devices.csv:2:45: error: unknown site 'GX-NOX': not in $T/data/sites.csv; did you mean 'GX-NOC'?" "$T/err" ||
	fail "unknown site not reported: $(cat "$T/err")"
grep -qx "faultline inventory: 2 errors; nothing loaded" "$T/err" || fail "wrong error count: $(cat "$T/err")"

# Fengshan has no fault lead: the Hechi city one answers, and says so.
out=$("$FAULTLINE" inventory --data "$data" --contacts fault_lead --level county --at HC-FS-OSN01)
case $out in
*'"branch":"Hechi","level":"city","fell_back":true'*) ;;
*) fail "no fallback to Hechi: $out" ;;
esac
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "more than one fault lead: $out"

# Bama's fault lead is also its leader in charge: one line, both roles.
out=$("$FAULTLINE" inventory --data "$data" --contacts fault_lead,leader_in_charge --at Bama)
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "Bama's lead listed twice: $out"
case $out in
*'"role":"fault_lead","also_roles":["leader_in_charge"]'*) ;;
*) fail "roles not merged: $out" ;;
esac
echo "inventory: ok"
