#!/bin/sh
# The board in headless Chromium: the page served at / lists the store's
# open tickets with their level, place and area, counts their clocks
# (a respond clock past its deadline marked late), shows when each opened
# in the plan's zone (Asia/Shanghai, whatever the machine's), and shows an
# acknowledgement made through the API on its next load: the state, the
# respond clock met and the next verb offered; and an operator logs in on
# the board and acknowledges a ticket with a note from the browser, and
# the ticket's page shows its history as a timeline with who and the note.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/api_lib.sh"

CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null || fail "no $CHROMIUM (scripts/deps.sh test installs it)"
seed_store
write_users
start_serve --users "$T/users" --read-without-login

# dump OUT [FRAGMENT]: the page's DOM after its script ran (virtual time:
# the polls and timers run without waiting for the wall clock)
dump() {
	TZ=UTC timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/chrome" --virtual-time-budget=10000 --dump-dom "$API/${2:-}" \
		>"$1" 2>"$T/chromium.err" || fail "chromium failed: $(tail -5 "$T/chromium.err")"
	grep -q 'data-loaded="yes"' "$1" || fail "the board never loaded its tickets: $(grep -o '<div id="error"[^<]*<' "$1")"
}

# check OUT SCRIPT: a Python check over the dumped DOM (html.parser: the
# standard library only); rows maps a ticket id to its row's attributes,
# classes of clocks, text of cells and buttons.
check() {
	python3 - "$1" "$DB" <<PY || fail "$2"
import html.parser, sqlite3, sys, datetime, zoneinfo
class Board(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cls, self.status = {}, None, None, ""
        self.in_status = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and a.get("id", "").startswith("t-"):
            self.row = self.rows.setdefault(a["id"][2:], {"attrs": a, "clocks": {}, "text": "", "verbs": [], "opened": ""})
        if self.row is None:
            self.in_status = a.get("id") == "status"
            return
        self.cls = a.get("class", "")
        if tag == "span" and "data-clock" in a:
            self.row["clocks"][a["data-clock"]] = a["class"]
        if tag == "button":
            self.row["verbs"].append(a.get("data-verb"))
    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = None
    def handle_data(self, data):
        if self.in_status:
            self.status += data
        if self.row is not None:
            self.row["text"] += data + " "
            if self.cls == "opened":
                self.row["opened"] = data
b = Board()
b.feed(open(sys.argv[1], encoding="utf-8").read())
rows = b.rows
def shanghai(tid):
    ns = sqlite3.connect(sys.argv[2]).execute("SELECT opened_ns FROM tickets WHERE id = ?", (tid,)).fetchone()[0]
    t = datetime.datetime.fromtimestamp(ns // 10**9, zoneinfo.ZoneInfo("Asia/Shanghai"))
    return t.strftime("%m/%d %H:%M:%S")
$(cat)
PY
}

dump "$T/before.html"
check "$T/before.html" "the board before the acknowledgement: $(grep -o '<tbody.*</tbody>' "$T/before.html")" <<'PY'
assert sorted(rows) == ["INC-1", "INC-2"], rows.keys()
for tid, place, area in (("INC-1", "SPAN-LZ-01", "柳州 柳江区"), ("INC-2", "SPAN-HC-02", "河池 宜州区")):
    r = rows[tid]
    assert r["attrs"]["data-state"] == "open" and "lvl-urgent" in r["attrs"]["class"], r
    assert place in r["text"] and area in r["text"] and "光缆中断" in r["text"], r["text"]
    assert r["opened"] == shanghai(tid), (tid, r["opened"], shanghai(tid))
    assert r["verbs"] == ["ack"], r["verbs"]
assert rows["INC-2"]["clocks"]["respond"] == "clock late", rows["INC-2"]["clocks"]
assert rows["INC-1"]["clocks"]["respond"] == "clock running", rows["INC-1"]["clocks"]
assert "Asia/Shanghai" in b.status, b.status
PY

call 200 POST /api/tickets/INC-1/ack op1 '{"note":"board e2e"}'
dump "$T/after.html"
check "$T/after.html" "the acknowledgement does not show: $(grep -o '<tbody.*</tbody>' "$T/after.html")" <<'PY'
r = rows["INC-1"]
assert r["attrs"]["data-state"] == "acknowledged", r["attrs"]
assert r["clocks"]["respond"] == "clock met", r["clocks"]
assert r["verbs"] == ["dispatch", "restore"], r["verbs"]
assert rows["INC-2"]["attrs"]["data-state"] == "open"
PY

# acknowledged from the browser: log in through the board's form, type a
# note, click the row's button (tests/e2e/board_cdp.py drives Chromium over
# the DevTools protocol); the history says who, with the note
timeout 240 python3 "$(dirname "$0")/board_cdp.py" "$CHROMIUM" "$API/" op1 "$PASS" INC-2 \
	"王工 from the board" "$T/chrome-cdp" || fail "acknowledging from the browser failed"
call 200 GET /api/tickets/INC-2 op1
[ "$(field 'd["state"], d["history"][-1]["by"], d["history"][-1]["note"]')" = \
	"acknowledged op1 王工 from the board" ] || fail "the browser's ack: $(cat "$T/body")"

# the ticket's page: its history as a timeline, in the plan's zone
dump "$T/detail.html" '#INC-2'
python3 - "$T/detail.html" <<'PY' || fail "the ticket's timeline: $(grep -o '<ol id="history">.*</ol>' "$T/detail.html")"
import html, re, sys
page = html.unescape(open(sys.argv[1], encoding="utf-8").read())
assert 'data-detail="INC-2"' in page, "no detail shown"
items = re.findall(r'<li data-what="([^"]*)">(.*?)</li>', page)
whats = [w for w, _ in items]
assert whats[0] == "opened" and "open -> acknowledged" in whats, whats
ack = next(text for w, text in items if w == "open -> acknowledged")
assert "op1" in ack and "王工 from the board" in ack, ack
PY
echo "board: ok"
