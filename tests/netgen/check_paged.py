#!/usr/bin/env python3
"""check_paged.py FAULTLINE PLAN CASES: who a netgen storm pages, against its outcome.

For each case of `netgen.py batch` (CASES/case-NNN/{net/,NAME.log,NAME.json}) with a
fault, replays NAME.log and checks, from the notify actions: the duty room of every
owning branch is paged (scope own), every customer of a down circuit is told (scope
customer), and no customer whose circuits only run on protection is told it is down.
Prints a summary; exits 1 on any miss. Standard library only.
"""
import sys, os, json, csv, subprocess, collections
fl, plan, root = sys.argv[1:4]
bad = collections.Counter(); n = 0; ex = []
for d in sorted(os.listdir(root)):
    case = os.path.join(root, d)
    js = [f for f in os.listdir(case) if f.endswith(".json")]
    exp = json.load(open(os.path.join(case, js[0])))
    if exp["kind"] in ("noise", "flap"): continue
    n += 1
    contacts = list(csv.DictReader(open(os.path.join(case, "net", "contacts.csv"), encoding="utf-8")))
    def who(to):  # "name <addr>" -> contact rows
        name = to.rsplit(" <", 1)[0]
        return [c for c in contacts if c["name"] == name]
    p = subprocess.run([fl, "replay", "-c", plan, "--data", case + "/net", "--year", "2026", os.path.join(case, exp["scenario"] + ".log")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    branches = set(); told = set()
    for line in p.stdout.decode().splitlines():
        a = json.loads(line)
        if a["action"] != "notify": continue
        if a.get("role") == "duty_room" and a.get("scope") == "own":
            for t in a["to"]:
                for c in who(t): branches.add(c["branch"])
        if a.get("scope") == "customer" and a.get("reason") not in ("restored", "quiet"):
            for t in a["to"]:
                for c in who(t):
                    if c["customer"]: told.add(c["customer"])
    want_b = set(exp["owning_branches"])
    if not want_b <= branches: bad["branch missing"] += 1; ex.append((d, exp["kind"], "branches", sorted(want_b - branches), sorted(branches)))
    if set(exp["customers_told"]) - told: bad["customer not told"] += 1; ex.append((d, exp["kind"], "not told", sorted(set(exp["customers_told"]) - told)))
    if set(exp["customers_not_told"]) & told: bad["customer wrongly told"] += 1; ex.append((d, exp["kind"], "wrongly told", sorted(set(exp["customers_not_told"]) & told)))
print(n, "cases;", dict(bad) or "all paged as the outcome says")
for e in ex[:12]:
    print(e)
sys.exit(1 if bad else 0)
