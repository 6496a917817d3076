#!/usr/bin/env python3
"""Compares fl_inventory_circuit_effect() with netgen's outcomes.

For each seed, makes a network and one storm of each kind that fails places
(span-cut, duct-cut, second-cut, site-power, two-cuts, single-end-cut), runs
tests/netgen/circuit_effect on the storm's failed spans (or dead site), and
checks its down / at-risk sets against the storm's circuits_down and
circuits_protected_not_down.

    python3 tests/netgen/check_circuits.py [--build DIR] [--seeds 1-5] [-v]

Prints one line per case and "N agree, N differ"; exits 1 when any differ.
Needs the build's objects (make BUILD=DIR all) and netgen at
$FL_SHARED/netgen (default ../shared)."""
import json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = ["span-cut", "single-end-cut", "duct-cut", "second-cut", "site-power", "two-cuts"]


def build_driver(build, out):
    objs = [os.path.join(build, "engine", w, f) for w in ("inventory", "lib")
            for f in sorted(os.listdir(os.path.join(build, "engine", w))) if f.endswith(".o")]
    subprocess.check_call(["gcc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-I" + ROOT, "-O1",
                           "-o", out, os.path.join(ROOT, "tests/netgen/circuit_effect.c")] + objs + ["-lm"])


def main(argv):
    build, seeds, verbose = os.path.join(ROOT, "build"), range(1, 6), "-v" in argv
    for i, a in enumerate(argv):
        if a == "--build":
            build = argv[i + 1]
        if a == "--seeds":
            lo, hi = argv[i + 1].split("-")
            seeds = range(int(lo), int(hi) + 1)
    shared = os.environ.get("FL_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
    netgen = os.path.join(shared, "netgen", "netgen.py")
    agree = differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        driver = os.path.join(tmp, "circuit_effect")
        build_driver(build, driver)
        for seed in seeds:
            net = os.path.join(tmp, "net-%d" % seed)
            subprocess.check_call([sys.executable, netgen, "network", "--seed", str(seed), "--out", net],
                                  stdout=subprocess.DEVNULL)
            for kind in KINDS:
                out = os.path.join(tmp, "storm-%d-%s" % (seed, kind))
                r = subprocess.run([sys.executable, netgen, "storm", "--seed", str(seed), "--net", net,
                                    "--kind", kind, "--out", out], capture_output=True, text=True)
                if r.returncode != 0:
                    print("skip  seed %d %-14s (netgen: %s)" % (seed, kind, r.stderr.strip()[-80:]))
                    continue
                case = json.load(open(os.path.join(out, "%s-s%d.json" % (kind, seed)), encoding="utf-8"))
                places = ["span:" + s for s in case["spans"]]
                if kind == "site-power":
                    places += ["site:" + s for s in case["sites"]]
                got = json.loads(subprocess.check_output([driver, net] + places))
                ok = (set(got["down"]) == set(case["circuits_down"]) and
                      set(got["at_risk"]) == set(case["circuits_protected_not_down"]))
                agree += ok
                differ += not ok
                if verbose or not ok:
                    print("%s seed %d %-14s %s: down %d at_risk %d" % ("ok   " if ok else "DIFF ", seed, kind,
                          " ".join(places), len(got["down"]), len(got["at_risk"])))
                if not ok:
                    print("      engine  down %s at_risk %s" % (sorted(got["down"]), sorted(got["at_risk"])))
                    print("      netgen  down %s at_risk %s" % (sorted(case["circuits_down"]),
                                                                  sorted(case["circuits_protected_not_down"])))
    print("%d agree, %d differ" % (agree, differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
