"""latency_lib.py - what the latency benchmarks share: the sample data, the
LOS line each vendor writes, and a `faultline run` started on a free UDP
port."""
import csv
import os
import re
import subprocess
import sys
import time


def read_csv(data, name):
    with open(os.path.join(data, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def syslog_line(host, tag, msg):
    """An RFC 3164 line stamped now, as a device sends it."""
    stamp = time.strftime("%b %d %H:%M:%S")
    stamp = stamp[:4] + stamp[4:6].replace("0", " ", 1) + stamp[6:]
    return f"<130>{stamp} {host} {tag}: {msg}".encode()


def los_line(device, port):
    """The LOS line as the device's vendor writes it (rules/*.plan los_*)."""
    vendor = device["vendor"]
    if vendor == "ZTE":
        msg = f"alarm R_LOS raised level=critical port {port} rack=1"
        tag = "ZXMP"
    elif vendor == "FiberHome":
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        msg = (f"[ALARM] NE={device['device']} LOC={port} ALMCODE=R_LOS SEVERITY=CR "
               f"STATE=RAISE TIME={now}")
        tag = "OTNM2000"
    else:
        msg = f"R_LOS raised port={port} board=N1SL16 level=critical"
        tag = "OSN"
    return syslog_line(device["device"], tag, msg)


def start_run(argv, err):
    """Starts `faultline run` with argv (its UDP input on 127.0.0.1:0) and
    stderr to the file err (opened w+); returns the process and the port it
    announced, or exits when it announces none within 30 s."""
    fl = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        err.seek(0)
        m = re.search(r"^listening udp .*:(\d+)$", err.read(), re.M)
        if m:
            return fl, int(m.group(1))
        time.sleep(0.05)
    fl.kill()
    sys.exit("faultline run did not announce its port")
