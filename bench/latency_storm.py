"""Does the ticket store stall ingest? An alarm storm at a fixed rate into
`faultline run --db` with its delivery thread, then the run's own counters.

Usage: latency_storm.py FAULTLINE PLAN DATA PLUGINS [LINES] [RATE]

LINES (default 200,000) RFC 3164 datagrams go to the run's UDP input at RATE
lines/s (default 20,000), paced in 1 ms steps: every ring span's two LOS
lines first (fibre cuts and ring outages: tickets, ladder steps, outbox
rows), then, once the plan's hold has opened them (HOLD_S, 3 s), round and
round, each device's consequential alarms (MS_AIS, B2_EXC, ...: alarms the
open incidents absorb, each a store write, or general faults). The outbox is delivered meanwhile by
the file plugin. After the storm the run is stopped with SIGTERM and its
stats lines are read: every datagram must be received (udp received =
sent, 0 kernel drops, 0 input queue full) and the store queue never full.
Exit status 1 when any of that fails.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

from latency_lib import los_line, read_csv, start_run, syslog_line

FL, PLAN, DATA, PLUGINS = sys.argv[1:5]
LINES = int(sys.argv[5]) if len(sys.argv) > 5 else 200000
RATE = float(sys.argv[6]) if len(sys.argv) > 6 else 20000
HOLD_S = 3
ALARMS = ["MS_AIS", "MS_RDI", "AU_AIS", "TU_AIS", "B2_EXC", "HP_UNEQ", "IN_PWR_LOW"]


def storm_lines():
    devices = {d["device"]: d for d in read_csv(DATA, "devices.csv")}
    out = []
    for s in read_csv(DATA, "spans.csv"):
        if s["kind"] == "ring":
            out.append(los_line(devices[s["a_device"]], s["a_port"]))
            out.append(los_line(devices[s["b_device"]], s["b_port"]))
    n_los = len(out)
    seq = 0
    names = sorted(devices)
    while len(out) < LINES:
        for name in names:
            if len(out) >= LINES:
                break
            alarm = ALARMS[seq % len(ALARMS)]
            out.append(syslog_line(name, "OSN", f"{alarm} raised port=1-{seq % 16 + 1}-1 "
                            f"board=N1SL16 level=major seq={seq}"))
            seq += 1
    return out, n_los


def main():
    work = tempfile.mkdtemp(prefix="fl-storm.")
    err_path = os.path.join(work, "run.err")
    err = open(err_path, "w+")
    fl, port = start_run(
        [FL, "run", "-c", PLAN, "--data", DATA, "--udp", "127.0.0.1:0",
         "--db", os.path.join(work, "storm.db"), "--plugin-dir", PLUGINS,
         "--route", "sms=file", "--set", f"sms.path={work}/sms.jsonl",
         "--route", "email=file", "--set", f"email.path={work}/mail.jsonl"], err)
    lines, n_los = storm_lines()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for datagram in lines[:n_los]:
        sock.sendto(datagram, ("127.0.0.1", port))
        time.sleep(0.0005)
    time.sleep(HOLD_S)
    start = time.monotonic()
    for i, datagram in enumerate(lines[n_los:]):
        if i % 20 == 0:  # pace: never ahead of RATE
            ahead = start + i / RATE - time.monotonic()
            if ahead > 0.001:
                time.sleep(ahead)
        sock.sendto(datagram, ("127.0.0.1", port))
    took = time.monotonic() - start
    print(f"{n_los} LOS lines, then after {HOLD_S} s:")
    print(f"sent {len(lines) - n_los} more in {took:.2f} s = {(len(lines) - n_los) / took:,.0f} lines/s "
          f"(asked {RATE:,.0f})")
    # the run drains what it has queued when stopped; give the kernel's
    # socket buffer a moment to reach that queue first
    time.sleep(2)
    fl.send_signal(signal.SIGTERM)
    fl.wait(timeout=120)
    err.seek(0)
    text = err.read()
    for l in text.splitlines():
        if l.startswith("run:"):
            print("  " + l)
    udp = re.search(r"^run: udp: (\d+) received, (\d+) queue full, (\d+) kernel drops", text, re.M)
    store = re.search(r"^run: store: .* (\d+) queue full$", text, re.M)
    msgs = re.search(r"^run: (\d+) messages", text, re.M)
    ok = bool(udp and store and msgs)
    if ok:
        received, qfull, kdrops = (int(x) for x in udp.groups())
        lost = len(lines) - received
        print(f"ingest: {received} of {len(lines)} received ({lost} lost; kernel drops "
              f"{kdrops}, input queue full {qfull}); engine took {msgs.group(1)}; "
              f"store queue full {store.group(1)}")
        ok = lost == 0 and qfull == 0 and kdrops == 0 and int(store.group(1)) == 0 \
            and int(msgs.group(1)) == len(lines)
    print("store never stalled ingest" if ok else "STALL OR LOSS: see the counters above")
    subprocess.run(["rm", "-rf", work], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
