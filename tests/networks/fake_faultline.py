#!/usr/bin/env python3
"""A stand-in for faultline that "replays" a storm by printing exactly the actions its
outcome (NAME.json) asks for, and keeps matching tickets.  It checks the checker:
check_storm.py must pass it, and must fail it when FAKE_BREAK names one thing to get
wrong:

    count    one spurious incident more         level    the incident is "general"
    names    the last id not named anywhere     places   the last id missing from places only
    clear    cleared 200 s late                 duty     the first owning branch not paged
    told     a customer that must not be told is told, a customer that must be is not
    tickets  no tickets in the store            paged    the also_paged contacts not told

FAKE_ALT=N answers with the outcome's N-th alternative (1-based) instead.
Only `replay ... --data NET --db DB FILE`, `tickets --db DB --json [--all] list` and
`tickets --db DB --json show ID` are understood.
"""
import csv
import datetime as dt
import json
import os
import sys


def utc(iso, shift=0):
    t = dt.datetime.fromisoformat(iso) + dt.timedelta(seconds=shift)
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def arg(args, name):
    return args[args.index(name) + 1] if name in args else None


def replay(args):
    net, db, log = arg(args, "--data"), arg(args, "--db"), args[-1]
    exp = json.load(open(os.path.splitext(log)[0] + ".json", encoding="utf-8"))
    brk = os.environ.get("FAKE_BREAK", "")
    alt = int(os.environ.get("FAKE_ALT", "0") or 0)
    opt = exp["alternatives"][alt - 1] if alt else exp
    rows = list(csv.DictReader(open(os.path.join(net, "contacts.csv"), encoding="utf-8", newline="")))
    contact = {}
    for r in rows:
        if r["role"] == "customer_contact":
            contact.setdefault(r["customer"], []).append("%s <%s>" % (r["name"], r["mobile"]))
    told = list(exp.get("customers_told", []))
    if brk == "told":
        told = told[1:] + exp.get("customers_not_told", [])[:1]
    rooms = sorted(exp.get("duty_rooms", {}).values())
    if brk == "duty":
        rooms = rooms[1:]
    located = [list(x) for x in opt["located"]]
    clears = list(opt["clears"])
    if brk == "count":
        located.append(["NOWHERE-S01"])
        clears.append(clears[0] if clears else "2026-01-01T00:00:00+08:00")
    acts, tickets = [], []
    for n, (ids, c) in enumerate(zip(located, clears), 1):
        named = ids[:-1] if brk == "names" and len(ids) > 1 else ids
        places = [{"kind": "site" if i in exp.get("sites", []) and i not in exp.get("spans", []) else "span", "id": i,
                   "joined": utc(c, -3600), "evidence": "test double"} for i in (ids[:-1] if brk in ("names", "places") else ids)]
        base = {"incident": n, "rule": "fibre_cut", "level": "general" if brk == "level" else exp.get("level", "urgent"),
                "title": "double " + " ".join(named), "location": {"span": named[0] if named else None}, "places": places}
        t0 = utc(c, -3600)
        acts.append(dict(base, time=t0, action="open"))
        for room in rooms:
            acts.append(dict(base, time=t0, action="notify", role="duty_room", scope="own", to=["%s <138-0000-0000>" % room]))
        if brk != "paged":
            for role, who in exp.get("also_paged", []):
                acts.append(dict(base, time=t0, action="notify", role=role, scope="own", to=["%s <138-0000-0001>" % who]))
        to = [x for cu in told for x in contact.get(cu, [])]
        if to:
            acts.append(dict(base, time=t0, action="notify", role="customer_contact", scope="customer", to=to))
        tc = utc(c, 200 if brk == "clear" else 0)
        acts.append(dict(base, time=tc, action="clear"))
        tickets.append({"id": "INC-TEST-%d" % n, "title": base["title"], "location": base["location"],
                        "cleared": tc, "places": places})
    for a in acts:
        print(json.dumps(a, ensure_ascii=False))
    with open(db, "w", encoding="utf-8") as f:
        json.dump([] if brk == "tickets" else tickets, f, ensure_ascii=False)
    print("replay: %d incidents opened (test double)" % len(located), file=sys.stderr)


def tickets(args):
    docs = json.load(open(arg(args, "--db"), encoding="utf-8"))
    if args[-1] == "list":
        print(json.dumps([{k: v for k, v in d.items() if k != "places"} for d in docs], ensure_ascii=False))
        return 0
    for d in docs:
        if d["id"] == args[-1]:
            print(json.dumps(d, ensure_ascii=False))
            return 0
    print("faultline tickets: no ticket %s" % args[-1], file=sys.stderr)
    return 1


def main(a):
    if a and a[0] == "replay":
        replay(a)
        return 0
    if a and a[0] == "tickets":
        return tickets(a)
    print("fake_faultline: only replay and tickets", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
