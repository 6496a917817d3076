#!/usr/bin/env python3
"""Replays one storm of tests/networks/NET/storms/ through faultline and checks the
result against the storm's hand-written outcome (NAME.json next to NAME.log).

    check_storm.py FAULTLINE PLAN TMPDIR STORM.log [STORM.log ...]

Prints one line per storm, "PASS NET/NAME" or "FAIL NET/NAME: what differs", then
(indented) what the engine gave, and exits 0 if all passed, else 1.  FAULTLINE may be
tests/networks/fake_faultline.py, the test double that checks this checker; it is run
in this process (python3 starts slowly on a loaded machine).

What is checked, from the replay's action stream (one JSON object per line) and from
`faultline tickets --json`:
- the number of incidents opened (or one of the outcome's alternatives);
- each expected incident is one opened incident whose title or location names every
  expected id (whole ids: HT-SL is not named by HT-SL-TA), and, when the engine
  reports `places` for it, whose places list every expected id too;
- its level; its clear time within -2 s .. +120 s of the expected one;
- the duty room of every owning branch is paged (notify role duty_room), and the
  outcome's `also_paged` (role, name) pairs are notified;
- customers told: some notify of scope `customer` reaches one of their contacts;
  customers not told: none does (whatever the incident);
- the ticket store holds as many tickets as incidents, each expected incident has a
  ticket naming its ids (and places when present) that cleared in the window.
Python 3 standard library only.
"""
import csv
import datetime as dt
import itertools
import json
import os
import re
import subprocess
import sys

EARLY, LATE = -2, 120


def when(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def names(text, ident):
    return re.search(r"(?<![A-Za-z0-9_-])" + re.escape(ident) + r"(?![A-Za-z0-9_-])", text) is not None


def flat(v):
    if isinstance(v, dict):
        return " ".join(flat(x) for x in v.values())
    if isinstance(v, list):
        return " ".join(flat(x) for x in v)
    return "" if v is None else str(v)


def place_ids(places):
    if not isinstance(places, list):
        return None
    return {p.get("id") for p in places if isinstance(p, dict)}


class Inc:
    """One incident of the action stream, as the last of its actions shows it."""

    def __init__(self, num):
        self.num, self.acts, self.places, self.clear = num, [], None, None

    def add(self, a):
        self.acts.append(a)
        places = a.get("places", a.get("location", {}).get("places"))
        if places is not None:
            self.places = place_ids(places)
        if a["action"] == "clear" and self.clear is None:
            self.clear = when(a["time"])

    @property
    def last(self):
        return self.acts[-1]

    def text(self):
        return "%s %s" % (self.last.get("title", ""), flat(self.last.get("location", {})))

    def misses(self, ids):
        t = self.text()
        bad = [i for i in ids if not names(t, i)]
        if self.places is not None:
            bad += ["%s (places)" % i for i in ids if i not in self.places]
        return bad

    def short(self):
        a = self.last
        c = self.clear.astimezone(TZ).strftime("%H:%M:%S") if self.clear else "-"
        return "#%s %s/%s \"%s\" clear %s" % (self.num, a.get("rule"), a.get("level"), a.get("title", ""), c)


TZ = dt.timezone(dt.timedelta(hours=8))


def pair_errors(inc, ids, clear, level):
    """What is wrong with inc as the incident naming ids: (misses, other errors)."""
    miss, errs = inc.misses(ids), []
    if inc.last.get("level") != level:
        errs.append("%s: level %s, want %s" % ("+".join(ids), inc.last.get("level"), level))
    if inc.clear is None:
        errs.append("%s: never cleared, want %s" % ("+".join(ids), clear[11:19]))
    else:
        d = (inc.clear - when(clear)).total_seconds()
        if not EARLY <= d <= LATE:
            errs.append("%s: cleared %s, want %s (%+ds)" % ("+".join(ids), inc.clear.astimezone(TZ).strftime("%H:%M:%S"), clear[11:19], d))
    return miss, errs


def match(incs, located, clears, level):
    """The assignment of incidents to the expected located lists that names every id,
    with the fewest other errors: (incidents, errors), or (None, None)."""
    best = (None, None)
    for perm in itertools.permutations(incs, len(located)):
        errs = []
        for inc, ids, c in zip(perm, located, clears):
            miss, e = pair_errors(inc, ids, c, level)
            if miss:
                break
            errs += e
        else:
            if best[0] is None or len(errs) < len(best[1]):
                best = (list(perm), errs)
                if not errs:
                    break
    return best


class Done:
    def __init__(self, rc, out, err):
        self.returncode, self.stdout, self.stderr = rc, out, err


def run(cmd, timeout):
    """subprocess.run for faultline; the test double runs in-process."""
    if os.path.basename(cmd[0]) == "fake_faultline.py":
        import contextlib
        import importlib.util
        import io
        spec = importlib.util.spec_from_file_location("fake_faultline", cmd[0])
        fake = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(fake)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = fake.main(cmd[1:])
        return Done(rc, out.getvalue(), err.getvalue())
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def main():
    fl, plan, tmp = sys.argv[1:4]
    rc = 0
    for log in sys.argv[4:]:
        r = check(fl, plan, log, tmp)
        sys.stdout.flush()
        rc = rc or (1 if r else 0)
    return rc


def check(fl, plan, log, tmp):
    net_dir = os.path.dirname(os.path.dirname(os.path.abspath(log)))
    name = os.path.splitext(os.path.basename(log))[0]
    label = "%s/%s" % (os.path.basename(net_dir), name)
    with open(os.path.splitext(log)[0] + ".json", encoding="utf-8") as f:
        exp = json.load(f)
    db = os.path.join(tmp, "%s-%s.db" % (os.path.basename(net_dir), name))
    for x in (db, db + "-wal", db + "-shm"):
        if os.path.exists(x):
            os.remove(x)
    try:
        p = run([fl, "replay", "-c", plan, "--data", net_dir, "--year", str(exp.get("year", 2026)), "--db", db, log], 120)
    except subprocess.TimeoutExpired:
        print("FAIL %s: replay did not finish in 120 s" % label)
        return 2
    if p.returncode != 0:
        print("FAIL %s: replay exited %d: %s" % (label, p.returncode, p.stderr.strip()[-300:]))
        return 2
    acts = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    incs = {}
    for a in acts:
        n = a.get("incident")
        if n is None:
            continue
        incs.setdefault(n, Inc(n)).add(a)
    opened = [incs[n] for n in sorted(incs) if any(a["action"] == "open" for a in incs[n].acts)]

    # contacts of each customer, to recognise them in `to`
    with open(os.path.join(net_dir, "contacts.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cust = {}
    for r in rows:
        if r["role"] == "customer_contact":
            cust.setdefault(r["customer"], set()).update(x for x in (r["name"], r["mobile"], r["email"]) if x)

    def reaches(to, keys):
        return any(k in t for t in to for k in keys)

    notifies = [a for a in acts if a["action"] == "notify"]
    told = {}   # customer -> the incidents that told it
    for c, keys in cust.items():
        for a in notifies:
            if a.get("scope") == "customer" and reaches(a.get("to") or [], keys):
                told.setdefault(c, set()).add(a["incident"])

    # tickets
    tickets, tdocs = [], {}
    q = run([fl, "tickets", "--db", db, "--json", "--all", "list"], 60)
    if q.returncode == 0 and q.stdout.strip():
        tickets = json.loads(q.stdout)
        wanted = {i for o in [exp] + exp.get("alternatives", []) for ids in o["located"] for i in ids}
        for t in tickets:
            if not any(names("%s %s" % (t.get("title", ""), flat(t.get("location", {}))), i) for i in wanted):
                continue
            s = run([fl, "tickets", "--db", db, "--json", "show", t["id"]], 60)
            if s.returncode == 0 and s.stdout.strip().startswith("{"):
                tdocs[t["id"]] = json.loads(s.stdout)

    options = [exp] + exp.get("alternatives", [])
    problems, shown = None, None
    for opt in options:
        errs = []
        want = opt["incidents"]
        if len(opened) != want:
            errs.append("%d incident(s) opened, want %d" % (len(opened), want))
        m, merrs = match(opened, opt["located"], opt["clears"], exp.get("level", "urgent")) if opt["located"] else ([], [])
        if m is None:
            for ids in opt["located"]:
                best = min(opened, key=lambda i: len(i.misses(ids)), default=None)
                errs.append("no incident names %s%s" % (" + ".join(ids), " (closest %s misses %s)" % (best.short(), ", ".join(best.misses(ids))) if best else ""))
        else:
            errs += merrs
            mine = [a for i in m for a in i.acts if a["action"] == "notify"]
            for br, room in sorted(exp.get("duty_rooms", {}).items()):
                if not any(a.get("role") == "duty_room" and reaches(a.get("to") or [], [room]) for a in mine):
                    errs.append("duty room of %s (%s) not paged" % (br, room))
            for role, who in exp.get("also_paged", []):
                if not any(a.get("role") == role and reaches(a.get("to") or [], [who]) for a in mine):
                    errs.append("%s %s not notified" % (role, who))
        for c in exp.get("customers_told", []):
            if c not in told:
                errs.append("customer %s not told" % c)
        for c in exp.get("customers_not_told", []):
            if c in told:
                by = sorted(told[c])
                errs.append("customer %s told (by %s)" % (c, ", ".join("#%s %s" % (n, incs[n].acts[0].get("rule")) for n in by[:2]) + (" +%d more" % (len(by) - 2) if len(by) > 2 else "")))
        # the ticket store
        if len(tickets) != want:
            errs.append("%d ticket(s) in the store, want %d" % (len(tickets), want))
        for ids, c in zip(opt["located"], opt["clears"]):
            ok = False
            for t in tickets:
                doc = tdocs.get(t["id"], t)
                text = "%s %s" % (t.get("title", ""), flat(t.get("location", {})))
                pl = place_ids(doc.get("places")) if "places" in doc else None
                if any(not names(text, i) for i in ids) or (pl is not None and any(i not in pl for i in ids)):
                    continue
                cl = t.get("cleared")
                if cl and EARLY <= (when(cl) - when(c)).total_seconds() <= LATE:
                    ok = True
                    break
            if not ok:
                errs.append("no ticket names %s and cleared near %s" % (" + ".join(ids), c[11:19]))
        if not errs:
            problems, shown = [], m
            break
        if problems is None or len(opened) == want:
            problems, shown = errs, m
    rank = {"urgent": 0, "severe": 1, "general": 2}
    top = shown or sorted(opened, key=lambda i: (rank.get(i.last.get("level"), 3), i.num))[:3]
    got = ("matched: " if shown else "most severe: ") + "; ".join(i.short() for i in top)
    rules = {}
    for i in opened:
        rules[i.acts[0].get("rule")] = rules.get(i.acts[0].get("rule"), 0) + 1
    if not problems:
        print("PASS %s: %d incident(s)" % (label, len(opened)))
        return 0
    print("FAIL %s: %s" % (label, "; ".join(problems[:6]) + (" (+%d more)" % (len(problems) - 6) if len(problems) > 6 else "")))
    print("    got %d incident(s) opened by %s; told %s" % (len(opened), ", ".join("%s x%d" % kv for kv in sorted(rules.items())) or "-",
                                                        ", ".join(sorted(told)) or "nobody"))
    if opened:
        print("    " + got)
    return 1


if __name__ == "__main__":
    sys.exit(main())
