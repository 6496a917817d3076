#!/usr/bin/python3
"""outcomes.py - one tool's outcome counts, in the shape reference.py prints.

Usage:
  outcomes.py faultline ACTIONS.jsonl
  outcomes.py sec OUTCOMES.txt DUMP.txt
  outcomes.py syslog-ng OUTCOMES.txt

faultline: the action stream of `faultline replay` (JSON Lines). Per rule of
  gen.py's plan: supp_* opens are the events that passed, and the tally of
  each supp_* incident (its largest "count", less the one that opened it) the
  suppressed ones; thr_* opens are threshold hits; pair_* clears are matched
  pairs, and pair_* incidents never cleared are the expired ones (a plan's
  `clear where` has no window of its own: the input never clears late).
sec: the lines its `write` actions wrote, and the dump taken with SIGUSR1 at
  the end of input. Suppressed = events its SingleWithSuppress rules matched
  (rule usage statistics) less those that passed; expired = PairWithWindow
  operations that timed out (written "expired") or were still waiting at the
  end of input (listed in the dump: the run was shorter than the window).
syslog-ng: the messages its patterndb actions emitted, one per outcome.
"""
import json
import re
import sys

KEYS = ("suppress_pass", "suppressed", "threshold_hits", "pairs_matched", "pairs_expired")


def faultline(path):
    c = dict.fromkeys(KEYS, 0)
    supp_count = {}
    pair_open = set()
    with open(path) as f:
        for raw in f:
            d = json.loads(raw)
            act, rule, inc = d.get("action"), d.get("rule", ""), d.get("incident")
            if rule.startswith("supp_"):
                if act == "open":
                    c["suppress_pass"] += 1
                supp_count[inc] = max(supp_count.get(inc, 0), int(d.get("count", 1)))
            elif rule.startswith("thr_") and act == "open":
                c["threshold_hits"] += 1
            elif rule.startswith("pair_"):
                if act == "open":
                    pair_open.add(inc)
                elif act == "clear" and inc in pair_open:
                    c["pairs_matched"] += 1
                    pair_open.discard(inc)
    c["suppressed"] = sum(n - 1 for n in supp_count.values())
    c["pairs_expired"] = len(pair_open)
    return c


def lines_by_word(path):
    n = {}
    with open(path) as f:
        for raw in f:
            w = raw.split(" ", 1)[0].strip()
            n[w] = n.get(w, 0) + 1
    return n


def sec(outcomes, dump):
    n = lines_by_word(outcomes)
    text = open(dump, encoding="utf-8", errors="replace").read().replace("\0", "")
    supp_matched = sum(int(m.group(1)) for m in
                       re.finditer(r"^Rule +\d+ line +\d+ matched +(\d+) events \(supp ", text, re.M))
    ops = text.split("List of event correlation operations:", 1)
    pending = len(re.findall(r"^Type: PairWithWindow$", ops[1], re.M)) if len(ops) == 2 else 0
    return {"suppress_pass": n.get("pass", 0),
            "suppressed": supp_matched - n.get("pass", 0),
            "threshold_hits": n.get("threshold", 0),
            "pairs_matched": n.get("matched", 0),
            "pairs_expired": n.get("expired", 0) + pending,
            "sec_pending_at_end": pending, "sec_expired_in_run": n.get("expired", 0)}


def syslog_ng(outcomes):
    n = lines_by_word(outcomes)
    return {"suppress_pass": n.get("pass", 0), "suppressed": n.get("suppressed", 0),
            "threshold_hits": n.get("threshold", 0), "pairs_matched": n.get("matched", 0),
            "pairs_expired": n.get("expired", 0)}


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "faultline":
        c = faultline(a[1])
    elif len(a) == 3 and a[0] == "sec":
        c = sec(a[1], a[2])
    elif len(a) == 2 and a[0] == "syslog-ng":
        c = syslog_ng(a[1])
    else:
        sys.stderr.write(__doc__)
        return 2
    json.dump(c, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
