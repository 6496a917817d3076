#!/usr/bin/python3
"""reference.py - the exact expected outcome counts of an input, in event time.

Usage: reference.py INPUT [--window S] [--threshold N]

Reads the lines gen.py writes and applies the three behaviours of every alarm
pattern, keyed by host + port + alarm, on message time (the line's
timestamp), and prints one JSON object:

  events            lines between the BENCH-START and BENCH-END markers
  suppress_pass     "notice" events that open a suppression window
  suppressed        "notice" events inside an open window (SEC SingleWithSuppress:
                    the window starts at the event that passed)
  threshold_hits    THRESHOLD "burst" events of a key within WINDOW: one hit,
                    then nothing until that window ends (SEC SingleWithThreshold)
  pairs_matched     "cleared" within WINDOW of the key's open "raised"
  pairs_expired     "raised" events whose window ended without a clear
  pairs_pending     windows still open at BENCH-END (0 by construction)
  clock_independent true when the same counts come out with every event at
                    one instant, i.e. for a tool whose wall-clock run is
                    shorter than WINDOW (SEC), counting windows still open
                    at the end of input as expired

Independent of gen.py: it knows the line format and the rule semantics, not
how the input was made. Standard library only.
"""
import argparse
import calendar
import json
import re
import sys

LINE = re.compile(r"^<(\d+)>(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\S+) bench: (.*)$")
ALARM = re.compile(r"^(ALM\d+) (notice|burst|raised|cleared) port=(\S+)$")
MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def parse(path, year):
    """Returns [(t, host, alarm, verb, port)] between the markers."""
    out = []
    started = ended = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                raise SystemExit("reference: not a bench line: %r" % raw[:80])
            t = calendar.timegm((year, MONTHS[m.group(2)], int(m.group(3)), int(m.group(4)),
                                 int(m.group(5)), int(m.group(6))))
            msg = m.group(8)
            if msg == "BENCH-START":
                started = True
                continue
            if msg == "BENCH-END":
                ended = True
                end_t = t
                break
            if not started:
                continue
            a = ALARM.match(msg)
            out.append((t, m.group(7), a.group(1) if a else None, a.group(2) if a else None,
                        a.group(3) if a else None))
    if not ended:
        raise SystemExit("reference: %s has no BENCH-END marker" % path)
    return out, end_t


def counts(events, end_t, window, thresh):
    c = dict(events=len(events), suppress_pass=0, suppressed=0, threshold_hits=0,
             pairs_matched=0, pairs_expired=0, pairs_pending=0)
    supp = {}  # key -> window start
    thr = {}  # key -> (times in window, fired window start or None)
    pair = {}  # key -> fault time

    def expire(now):
        for k, t0 in list(pair.items()):
            if now >= t0 + window:
                c["pairs_expired"] += 1
                del pair[k]

    for t, host, alarm, verb, port in events:
        if verb is None:
            continue
        key = (host, port, alarm)
        if verb == "notice":
            s = supp.get(key)
            if s is not None and t < s + window:
                c["suppressed"] += 1
            else:
                supp[key] = t
                c["suppress_pass"] += 1
        elif verb == "burst":
            times, fired = thr.get(key, ([], None))
            if fired is not None and t < fired + window:
                continue  # inside the window of a hit: absorbed
            times = [x for x in times if x > t - window] + [t]
            if len(times) >= thresh:
                c["threshold_hits"] += 1
                thr[key] = ([], times[0])
            else:
                thr[key] = (times, None)
        elif verb == "raised":
            expire(t)
            if key not in pair:
                pair[key] = t
        elif verb == "cleared":
            expire(t)
            if key in pair:
                c["pairs_matched"] += 1
                del pair[key]
    expire(end_t)
    c["pairs_pending"] = len(pair)
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("--window", type=int, default=600)
    ap.add_argument("--threshold", type=int, default=5)
    ap.add_argument("--year", type=int, default=2026, help="year of the RFC 3164 timestamps")
    a = ap.parse_args()
    events, end_t = parse(a.input, a.year)
    c = counts(events, end_t, a.window, a.threshold)
    # The same input with every event at one instant: what a tool on the wall
    # clock sees when it reads the whole input inside one window.
    flat = counts([(0,) + e[1:] for e in events], 0, a.window, a.threshold)
    flat["pairs_expired"], flat["pairs_pending"] = flat["pairs_pending"], 0
    c["clock_independent"] = all(flat[k] == c[k] for k in flat)
    json.dump(c, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
