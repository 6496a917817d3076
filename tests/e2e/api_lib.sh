# Functions shared by the API and board end-to-end tests. Source after
# lib.sh. start_serve starts `faultline serve` on a store seeded with two
# fibre-cut tickets and one directive, with three users, and sets API.
ROOT="${FL_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
DB="$T/faultline.db"
PASS=secret-e2e

# seed_store: the store, made by faultline, then two tickets (INC-1 5 min
# old, INC-2 30 min old, both urgent fibre cuts in 柳州/河池), a sent SMS
# each, and a directive DIR-1 to one city with one county.
seed_store() {
	"$FAULTLINE" tickets --db "$DB" --create list >/dev/null
	now=$(date +%s)
	S=1000000000
	for row in "INC-1 300 SPAN-LZ-01 柳州 柳江区" "INC-2 1800 SPAN-HC-02 河池 宜州区"; do
		# shellcheck disable=SC2086 # the row's words
		set -- $row
		o=$(((now - $2) * S))
		sqlite3 "$DB" <<SQL
INSERT INTO tickets(id, rule, key, level, title, state, span, ring, county, city, loc_class,
  circuits, customers, opened_ns, updated_ns)
  VALUES('$1', 'fibre_cut', '$3', 'urgent', '$3 光缆中断', 'open', '$3', 'RING-GX-1', '$5', '$4',
  'city', 'CIR-01', '电子政务外网', $o, $o);
INSERT INTO clocks(ticket, clock, state, budget_ms, deadline_ns) VALUES
  ('$1', 'respond', 'running', 900000, $o + 900 * $S),
  ('$1', 'onsite', 'running', 7200000, $o + 7200 * $S),
  ('$1', 'repair', 'running', 7200000, $o + 7200 * $S);
INSERT INTO places(ticket, kind, place, joined_ns, evidence) VALUES('$1', 'span', '$3', $o, 'LOS both ends');
INSERT INTO history(ticket, at_ns, what, by, note) VALUES('$1', $o, 'opened', 'faultline', NULL);
INSERT INTO outbox(ticket, key, channel, role, person, address, subject, body, incident_json,
  state, created_ns, due_ns, expires_ns)
  VALUES('$1', '$1:sms:duty', 'sms', 'duty operator', '王工', '13800002112', 'cut', 'cut', '{}',
  'sent', $o, $o, $o + 86400 * $S);
SQL
	done
	o=$(((now - 60) * S))
	sqlite3 "$DB" <<SQL
INSERT INTO tickets(id, rule, key, level, title, state, opened_ns, updated_ns)
  VALUES('DIR-1', 'directive', 'DIR-1', 'urgent', 'directive', 'archived', $o, $o);
INSERT INTO directives(id, issuer, text, scope, level, ask, issued_ns)
  VALUES('DIR-1', 'region company', '保障重要通信', 'city 柳州', 'urgent', 'ack', $o);
INSERT INTO directive_branches(directive, branch, level, parent, sent_ns, deadline_ns)
  VALUES('DIR-1', '柳州', 'city', NULL, $o, $o + 1800 * $S),
        ('DIR-1', '柳江区', 'county', '柳州', $o, $o + 3600 * $S);
SQL
}

# write_users: op1 (operator), view1 (viewer), adm1 (admin), one password.
write_users() {
	hash=$(printf '%s\n' "$PASS" | "$FAULTLINE" passwd) || fail "passwd failed"
	{
		echo "# the duty room"
		echo "op1:operator:$hash"
		echo "view1:viewer:$hash"
		echo "adm1:admin:$hash"
	} >"$T/users"
}

# start_serve [OPTIONS...]: serve the store; API=http://127.0.0.1:PORT.
start_serve() {
	spawn "$FAULTLINE" serve --db "$DB" --http 127.0.0.1:0 -c "$ROOT/rules/faultline.plan" \
		--data "$ROOT/examples/network" "$@" 2>"$T/serve.err"
	SERVE_PID=$LAST_PID
	wait_for 60 grep -q '^listening http ' "$T/serve.err" ||
		fail "serve never listened: $(cat "$T/serve.err")"
	API="http://127.0.0.1:$(sed -n 's/^listening http 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/serve.err")"
}

# call STATUS METHOD PATH [USER [BODY]]: the request must answer STATUS;
# the body is in $T/body.
call() {
	want=$1 method=$2 path=$3 user=${4:-} body=${5:-}
	set -- -s -m 30 -o "$T/body" -w '%{http_code}' -X "$method"
	[ -n "$user" ] && set -- "$@" -u "$user:$PASS"
	[ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
	got=$(curl "$@" "$API$path") || true
	[ "$got" = "$want" ] || fail "$method $path as ${user:-nobody}: $got, want $want: $(cat "$T/body")"
}

# field EXPR: a Python expression over the last answer, d, printed.
field() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/body"
}
