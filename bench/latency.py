"""End-to-end notification latency of `faultline run`: from the first alarm of
a fibre cut leaving the sender to the SMS request reaching the gateway.

Usage: latency.py FAULTLINE PLAN DATA PLUGINS HOLD_MS [CUTS] [GAP_MS]

Each cut is the two LOS lines of one span's end devices (RFC 3164 over UDP,
in each vendor's wording), sent back to back; the plan's fibre_cut
correlation then opens the incident HOLD_MS (its `hold`) after the second
line, and the ladder's first step sends SMS through the sms plugin to the
HTTP receiver here, which stands in for Kannel's sendsms and notes the
CLOCK_MONOTONIC time of each request's arrival. The sender notes the same
clock before each sendto(), so the two are comparable.

Cuts must not meet: two cuts on one ring are a ring outage, two spans of one
duct are one incident. So the spans (every ring span of the data) are dealt
into rounds holding at most one span per ring and per duct; each round runs
against a fresh `faultline run --db` (new engine, new store), its cuts
GAP_MS apart. For every cut it reports:
  total  = first SMS arrival - first alarm sent
  plan   = second alarm sent + HOLD_MS - first alarm sent (the plan's own wait)
  engine = total - plan: decode, correlate, timers, store, outbox, plugin
and prints p50/p95/p99/max of each over all cuts.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from latency_lib import los_line, read_csv, start_run

FL, PLAN, DATA, PLUGINS = sys.argv[1:5]
HOLD_MS = float(sys.argv[5])
CUTS = int(sys.argv[6]) if len(sys.argv) > 6 else 200
GAP_S = (float(sys.argv[7]) if len(sys.argv) > 7 else 150) / 1000

ARRIVALS = {}  # span -> monotonic time of its first SMS
LOCK = threading.Lock()
SPAN_RE = re.compile(r"光缆中断 (\S+)")


class Gateway(BaseHTTPRequestHandler):
    """Kannel's sendsms as far as the sms plugin can tell: 202 Accepted."""

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        at = time.monotonic()
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        m = SPAN_RE.search(q.get("text", [""])[0])
        if m:
            with LOCK:
                ARRIVALS.setdefault(m.group(1), at)
        body = b"0: Accepted for delivery"
        self.send_response(202)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def rounds(spans):
    """Deals the spans into rounds with one span per ring and per duct."""
    left, out = list(spans), []
    while left:
        rings, ducts, this, rest = set(), set(), [], []
        for s in left:
            if s["ring"] in rings or (s["srlg"] and s["srlg"] in ducts):
                rest.append(s)
                continue
            rings.add(s["ring"])
            if s["srlg"]:
                ducts.add(s["srlg"])
            this.append(s)
        out.append(this)
        left = rest
    return out


def run_round(cuts, devices, workdir, n):
    db = os.path.join(workdir, f"round{n}.db")
    err = open(os.path.join(workdir, f"round{n}.err"), "w+")
    fl, port = start_run(
        [FL, "run", "-c", PLAN, "--data", DATA, "--udp", "127.0.0.1:0", "--db", db,
         "--plugin-dir", PLUGINS, "--route", "sms=sms",
         "--set", f"sms.url=http://127.0.0.1:{GW_PORT}/sendsms?to={{to}}&text={{text}}",
         "--route", "email=file", "--set", f"email.path={workdir}/mail.jsonl",
         "--timeout-ms", "10000"], err)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = []
    for s in cuts:
        a, b = devices[s["a_device"]], devices[s["b_device"]]
        la, lb = los_line(a, s["a_port"]), los_line(b, s["b_port"])
        t_first = time.monotonic()
        sock.sendto(la, ("127.0.0.1", port))
        t_second = time.monotonic()
        sock.sendto(lb, ("127.0.0.1", port))
        sent.append((s["span"], t_first, t_second))
        time.sleep(GAP_S)
    deadline = time.monotonic() + HOLD_MS / 1000 + 20
    while time.monotonic() < deadline:
        with LOCK:
            if all(span in ARRIVALS for span, _, _ in sent):
                break
        time.sleep(0.05)
    fl.terminate()
    fl.wait(timeout=30)
    err.seek(0)
    tail = [l for l in err.read().splitlines() if l.startswith("run:")]
    return sent, tail


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def show(name, xs):
    print(f"  {name:<7} p50 {pct(xs, 50):8.1f} ms  p95 {pct(xs, 95):8.1f} ms  "
          f"p99 {pct(xs, 99):8.1f} ms  max {max(xs):8.1f} ms")


def main():
    global GW_PORT
    devices = {d["device"]: d for d in read_csv(DATA, "devices.csv")}
    spans = [s for s in read_csv(DATA, "spans.csv") if s["kind"] == "ring"]
    gw = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    GW_PORT = gw.server_address[1]
    threading.Thread(target=gw.serve_forever, daemon=True).start()
    workdir = tempfile.mkdtemp(prefix="fl-latency.")
    plan_ms, total_ms, engine_ms, missing = [], [], [], []
    done = 0
    for n, cuts in enumerate(rounds(spans)):
        cuts = cuts[:max(0, CUTS - done)]
        if not cuts:
            break
        sent, tail = run_round(cuts, devices, workdir, n)
        for span, t1, t2 in sent:
            at = ARRIVALS.get(span)
            if at is None:
                missing.append(span)
                continue
            total = (at - t1) * 1000
            plan = (t2 - t1) * 1000 + HOLD_MS
            total_ms.append(total)
            plan_ms.append(plan)
            engine_ms.append(total - plan)
        done += len(cuts)
        print(f"round {n}: {len(cuts)} cuts; {tail[-1] if tail else 'no store line'}")
    print(f"latency over {len(total_ms)} cuts (plan hold {HOLD_MS:.0f} ms), "
          f"{len(missing)} without an SMS{': ' + ' '.join(missing[:5]) if missing else ''}")
    if total_ms:
        show("total", total_ms)
        show("plan", plan_ms)
        show("engine", engine_ms)
    gw.shutdown()
    subprocess.run(["rm", "-rf", workdir], check=False)
    return 1 if missing or len(total_ms) < CUTS else 0


if __name__ == "__main__":
    sys.exit(main())
