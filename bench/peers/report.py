#!/usr/bin/python3
"""report.py - the side-by-side table of one benchmark run.

Usage: report.py RESULTS.jsonl

Each line of RESULTS is one (rule count, tool) measurement written by
peers.bench.sh: {"rules", "tool", "events", "seconds", "counts", "reference",
"note"}; "seconds" is null when the tool was not run. Prints per rule count
each tool's events/s, the ratio of faultline's events/s to it, and its
outcome counts against the reference of the input it read.
"""
import json
import sys

KEYS = ("suppress_pass", "suppressed", "threshold_hits", "pairs_matched", "pairs_expired")
SHORT = {"suppress_pass": "pass", "suppressed": "supp", "threshold_hits": "thr",
         "pairs_matched": "match", "pairs_expired": "exp"}


def verdict(counts, ref):
    if counts is None:
        return "-"
    diff = ["%s %d (ref %d)" % (SHORT[k], counts.get(k, 0), ref[k])
            for k in KEYS if counts.get(k, 0) != ref[k]]
    return "match" if not diff else "DIFF: " + ", ".join(diff)


def main():
    rows = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
    by_n = {}
    for r in rows:
        by_n.setdefault(r["rules"], []).append(r)
    print("%5s  %-9s %8s %8s %11s %10s  %s" % ("rules", "tool", "events", "seconds", "events/s",
                                               "fl/tool", "counts (pass supp thr match exp) vs reference"))
    bad = 0
    for n in sorted(by_n):
        fl = [r for r in by_n[n] if r["tool"] == "faultline" and r.get("seconds")]
        fl_rate = fl[0]["events"] / fl[0]["seconds"] if fl else None
        for r in by_n[n]:
            if not r.get("seconds"):
                print("%5d  %-9s %8s %8s %11s %10s  not run: %s" % (n, r["tool"], "-", "-", "-", "-",
                                                                  r.get("note", "")))
                continue
            rate = r["events"] / r["seconds"]
            ratio = ("%.1fx" if fl_rate >= rate else "%.3fx") % (fl_rate / rate) if fl_rate else "-"
            c = r.get("counts")
            got = " ".join(str(c.get(k, 0)) for k in KEYS) if c else "-"
            v = verdict(c, r["reference"])
            if v.startswith("DIFF"):
                bad += 1
            print("%5d  %-9s %8d %8.3f %11.0f %10s  %s  %s%s" % (
                n, r["tool"], r["events"], r["seconds"], rate, ratio, got, v,
                ("  [" + r["note"] + "]") if r.get("note") else ""))
        refs = {}
        for r in by_n[n]:
            refs[r["events"]] = r["reference"]
        for ev, ref in sorted(refs.items()):
            print("%5d  %-9s %8d %8s %11s %10s  %s  clock-independent: %s" % (
                n, "reference", ev, "", "", "", " ".join(str(ref[k]) for k in KEYS),
                "yes" if ref.get("clock_independent") else "NO"))
    # The project's targets at the largest rule count: >= 1,000x SEC, >= 10x syslog-ng.
    top = max(by_n) if by_n else None
    rates = {r["tool"]: r["events"] / r["seconds"] for r in by_n.get(top, []) if r.get("seconds")}
    if "faultline" in rates and top >= 1000:
        for tool, want in (("sec", 1000), ("syslog-ng", 10)):
            if tool in rates:
                got = rates["faultline"] / rates[tool]
                print("target at %d rules: faultline >= %dx %s: %s (%.3gx)" % (
                    top, want, tool, "met" if got >= want else "NOT met", got))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
