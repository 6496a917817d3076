#!/bin/sh
# UDP syslog: logger over 127.0.0.1 and ::1, one decoded event per datagram
# with the peer and receive time, trailing LF/NUL trimmed, a 60 KiB datagram
# intact, an undecodable one kept with its error and counted by reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/listen_lib.sh"

N=40
start_listen v4 --udp 127.0.0.1:0
P4=$(port_of v4 udp)
start_listen v6 --udp '[::1]:0' --tz +08:00
P6=$(port_of v6 udp)
[ -n "$P4" ] && [ "$P4" != 0 ] || fail "no real port announced for udp"

i=1
while [ $i -le $N ]; do
	logger -d -n 127.0.0.1 -P "$P4" -t e2e -- "udp4 id=u4-$i"
	logger --rfc3164 -d -n ::1 -P "$P6" -t e2e -- "udp6 id=u6-$i"
	i=$((i + 1))
done
# A datagram ending in LF and NUL, and one of 60 KiB.
python3 - "$P4" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
h = b"<13>1 2026-11-25T10:00:00Z host e2e - - - "
s.sendto(h + b"trailing id=tr-1\n\0", ("127.0.0.1", int(sys.argv[1])))
s.sendto(h + b"big id=big-1 " + b"x" * 60000, ("127.0.0.1", int(sys.argv[1])))
s.sendto(b"<999>not syslog id=bad-1", ("127.0.0.1", int(sys.argv[1])))
PY

wait_for 20 has_lines v4 'id=u4-' $N || fail "v4: $(lines_matching v4 'id=u4-') of $N events"
wait_for 20 has_lines v6 'id=u6-' $N || fail "v6: $(lines_matching v6 'id=u6-') of $N events"
wait_for 20 has_lines v4 'id=bad-1' 1 || fail "the undecodable datagram did not arrive"
each_id_once v4 u4- $N || fail "v4 ids"
each_id_once v6 u6- $N || fail "v6 ids"

python3 - "$T/v4.jsonl" "$T/v6.jsonl" <<'PY' || fail "event fields"
import json, re, sys
v4 = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
v6 = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
for ev in v4 + v6:
    assert ev["transport"] == "udp", ev
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", ev["received"]), ev
    assert ev["peer"]["port"] > 0, ev
assert all(ev["peer"]["addr"] == "127.0.0.1" for ev in v4)
assert all(ev["peer"]["addr"] == "::1" for ev in v6)
# RFC 3164 times carry no zone: --tz +08:00 says which.
assert all(ev["timestamp"].endswith("+08:00") for ev in v6), v6[0]
text = lambda ev: ev.get("msg") or ""
for ev in v4 + v6:
    if "id=u4-" in text(ev) or "id=u6-" in text(ev):
        assert ev["app_name"] == "e2e" and ev["pri"] == 13 and "error" not in ev, ev
bad = [ev for ev in v4 if "id=bad-1" in text(ev)]
assert len(bad) == 1 and bad[0]["error"] == "priority not <0..191>", bad
tr = [ev for ev in v4 if "id=tr-1" in json.dumps(ev)]
assert len(tr) == 1 and text(tr[0]).endswith("id=tr-1"), tr
big = [ev for ev in v4 if "id=big-1" in json.dumps(ev)]
assert len(big) == 1 and text(big[0]).endswith("x" * 60000), "big datagram cut"
PY

stop_listen v4
expect_stat v4 udp received $((N + 3))
expect_stat v4 udp decoded $((N + 2))
expect_stat v4 udp queue_full 0
stop_listen v6
expect_stat v6 udp received $N
python3 -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"stats\":")][-1]
assert s["stats"]["udp"]["errors"] == {"BAD_PRI": 1}, s
' "$T/v4.err" || fail "the undecodable datagram is not counted under BAD_PRI"
echo "udp: $N datagrams over IPv4 and IPv6 each, trimmed and 60 KiB ones intact"
