#!/usr/bin/python3
"""gen.py - input and equivalent rule sets for the side-by-side benchmark.

Writes, for each rule count N, into OUTDIR/nN/:
  input.log        the full input: syslog lines (RFC 3164) in message time
  input-sec.log    the first episodes of the same stream, sized for SEC
  faultline.plan   3 rules per alarm pattern
  sec.conf         3 rules per alarm pattern (SEC)
  patterndb.xml    4 patterndb rules per alarm pattern (syslog-ng)
  syslog-ng.conf   db-parser() over a pipe, outcomes to a file
  meta.json        the parameters the reference and the harness read

"N rules" is N distinct alarm patterns (ALM0000 .. ALM{N-1}); each has the
three behaviours, keyed by host + port + alarm:
  "ALMxxxx notice port=P"   suppress-in-window: first passes, repeats within
                            WINDOW are suppressed
  "ALMxxxx burst port=P"    threshold: THRESH events within WINDOW is one hit
  "ALMxxxx raised port=P"   fault, paired with "ALMxxxx cleared port=P" within
                            WINDOW (matched) or never cleared (expired)

The stream is a sequence of episodes; every episode has a key of its own
(no key is reused), lasts well inside WINDOW, and unpaired faults are never
cleared later. That makes every count independent of how a tool's clock
runs, as long as a tool on the wall clock finishes within WINDOW: see
docs/bench-peers.md. Standard library only, fixed seed.
"""
import argparse
import calendar
import json
import os
import random
import time

WINDOW = 600  # seconds, all three behaviours
THRESH = 5  # events within WINDOW for a threshold hit
SUPP_SPAN = 240  # an episode's repeats fall within this of its first event
BURST_SPAN = 120
PAIR_DELAY = (5, 300)  # a clear follows its fault by this many seconds
T0 = calendar.timegm((2026, 11, 20, 0, 0, 0))  # message time of the first event
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
HOSTS = 4000
PROGRAM = "bench"


def stamp(t):
    g = time.gmtime(t)
    return "%s %2d %02d:%02d:%02d" % (MONTHS[g.tm_mon - 1], g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec)


def line(t, pri, host, msg):
    return "<%d>%s %s %s: %s" % (pri, stamp(t), host, PROGRAM, msg)


def alarm_name(i):
    return "ALM%04d" % i


# Lines of the "written" style's noise that look like alarms and are not:
# each differs from a real alarm line inside the text every tool and the
# reference must see, so none of them matches a rule of any tool.
NEAR_MISSES = ("%s notic port=%s", "ALX%s notice port=%s", "%s raisd port=%s",
               "%s cleared prt=%s", "%s burs port=%s")


def noise_line(rng, n_rules, style):
    if style == "written" and rng.random() < 0.5:
        a = alarm_name(rng.randrange(n_rules))
        port = "%d-%d-%d" % (rng.randint(1, 16), rng.randint(1, 8), rng.randint(1, 4))
        shape = rng.choice(NEAR_MISSES)
        return shape % (a[3:] if shape.startswith("ALX") else a, port)
    return "LOGIN user=ops%d from 10.%d.%d.%d" % (
        rng.randrange(50), rng.randrange(256), rng.randrange(256), rng.randrange(256))


def episodes(n_rules, rng, rate, style="bench"):
    """Yields (start, [(t, pri, host, msg), ...]) forever, keys never reused.
    The "written" style is 80% noise, half of it near misses."""
    used = set()
    t = 0.0
    weights = (1, 1, 1, 12) if style == "written" else (3, 3, 3, 1)
    while True:
        kind = rng.choices(("supp", "thr", "pair", "noise"), weights=weights)[0]
        host = "NE%04d" % rng.randrange(HOSTS)
        if kind == "noise":
            evs = [(0, 134, host, noise_line(rng, n_rules, style))]
        else:
            while True:
                port = "%d-%d-%d" % (rng.randint(1, 16), rng.randint(1, 8), rng.randint(1, 4))
                alarm = alarm_name(rng.randrange(n_rules))
                if (host, port, alarm) not in used:
                    used.add((host, port, alarm))
                    break
            if kind == "supp":
                k = rng.randint(1, 8)
                offs = [0] + sorted(rng.randint(1, SUPP_SPAN) for _ in range(k - 1))
                evs = [(o, 133, host, "%s notice port=%s" % (alarm, port)) for o in offs]
            elif kind == "thr":
                k = rng.randint(1, 9)
                offs = [0] + sorted(rng.randint(0, BURST_SPAN) for _ in range(k - 1))
                evs = [(o, 132, host, "%s burst port=%s" % (alarm, port)) for o in offs]
            else:
                evs = [(0, 130, host, "%s raised port=%s" % (alarm, port))]
                if rng.random() < 0.7:
                    evs.append((rng.randint(*PAIR_DELAY), 133, host, "%s cleared port=%s" % (alarm, port)))
        start = int(t)
        yield start, [(start + o, pri, h, m) for o, pri, h, m in evs]
        t += rng.expovariate(rate / (3.7 if style == "bench" else 1.5))  # events per episode


def write_input(path, eps):
    evs = []
    seq = 0
    for _, e in eps:
        for ev in e:
            evs.append((ev[0], seq, ev))
            seq += 1
    evs.sort()
    last = evs[-1][0] if evs else 0
    with open(path, "w") as f:
        f.write(line(T0, 134, "BENCH", "BENCH-START") + "\n")
        for t, _, (_, pri, host, msg) in evs:
            f.write(line(T0 + t, pri, host, msg) + "\n")
        # Past every window: tools on message time close all of them here.
        f.write(line(T0 + last + 3 * WINDOW, 134, "BENCH", "BENCH-END") + "\n")
    return len(evs)


def gen_inputs(d, n_rules, events, sec_events, seed, style="bench"):
    rng = random.Random(seed * 100003 + n_rules)
    # Message time runs at about 40 events/s: windows hold thousands of open keys.
    gen = episodes(n_rules, rng, 40.0, style)
    eps = []
    count = 0
    sec_eps = None
    while count < events:
        ep = next(gen)
        eps.append(ep)
        count += len(ep[1])
        if sec_eps is None and count >= sec_events:
            sec_eps = len(eps)
    if sec_eps is None:
        sec_eps = len(eps)
    n_full = write_input(os.path.join(d, "input.log"), eps)
    n_sec = write_input(os.path.join(d, "input-sec.log"), eps[:sec_eps])
    return n_full, n_sec


# The "written" style: each alarm's regexes as an operator writes or copies
# them: captures around literals, alternatives nested in them, digit classes
# for the port, a caseless rule, \s+ between words, no anchors. {a} is the
# alarm's number, as in ALM{a}.
WRITTEN = {
    "supp": r"(?<alarm>(?:ALM|Alm)-?{a})\s+(?:notice|NOTICE)\s+(?:port|PORT)=(?<port>\d+-\d+-\d+)",
    "thr": r"(?i)(?<alarm>alm-?{a}) burst port=(?<port>\d+-\d+-\d+)$",
    "raised": r"(?<alarm>ALM{a})\s(?:raised|set)\s+port=(?<port>[0-9]+-[0-9]+-[0-9]+)",
    "cleared": r"(?<alarm>ALM{a})\s(?:cleared|clear)\s+port=(?<port>[0-9-]+)",
}


def regex(style, kind, a):
    """The faultline regex of alarm a (ALMnnnn) for kind, in style."""
    if style == "written":
        return WRITTEN[kind].replace("{a}", a[3:])
    word = {"supp": "notice", "thr": "burst"}.get(kind, kind)
    return r"^(?<alarm>%s) %s port=(?<port>\S+)$" % (a, word)


def gen_plan(path, n_rules, style="bench"):
    with open(path, "w") as f:
        f.write("# Generated by bench/peers/gen.py: %d alarm patterns x 3 behaviours.\n" % n_rules)
        # No ladder: SEC and syslog-ng page nobody, so faultline's outcomes are
        # its incidents (open, clear, tally) and nothing more.
        f.write('plan bench_peers;\ntimezone "UTC";\n')
        f.write("level notice { respond 4h; }\n")
        for i in range(n_rules):
            a = alarm_name(i)
            f.write("rule supp_%s {\n    match syslog;\n" % a)
            f.write("    where msg ~ /%s/;\n" % regex(style, "supp", a))
            f.write("    key host, port, alarm;\n    dedup %ds;\n" % WINDOW)
            f.write('    raise level notice title "${alarm} ${host} ${port}";\n}\n')
            f.write("rule thr_%s {\n    match syslog;\n" % a)
            f.write("    where msg ~ /%s/;\n" % regex(style, "thr", a))
            f.write("    key host, port, alarm;\n    threshold %d within %ds;\n" % (THRESH, WINDOW))
            f.write('    raise level notice title "burst ${alarm} ${host} ${port}";\n}\n')
            f.write("rule pair_%s {\n    match syslog;\n" % a)
            f.write("    where msg ~ /%s/;\n" % regex(style, "raised", a))
            f.write("    clear where msg ~ /%s/;\n" % regex(style, "cleared", a))
            f.write("    key host, port, alarm;\n")
            f.write('    raise level notice title "fault ${alarm} ${host} ${port}";\n}\n')


SEC_HEAD = r"^<\d+>\w{3} [ \d]\d \d\d:\d\d:\d\d "


def sec_body(style, kind, a):
    """SEC's pattern after the host: groups $2 alarm and $3 port, as faultline's."""
    if style != "written":
        word = {"supp": "notice", "thr": "burst", "raised": "raised"}[kind]
        return "(%s) %s port=(\\S+)$" % (a, word)
    body = WRITTEN[kind].replace("{a}", a[3:]).replace("(?<alarm>", "(").replace("(?<port>", "(")
    if body.startswith("(?i)"):  # SEC's (Perl's) inline flag must lead the whole pattern
        body = "(?i:" + body[4:] + ")"
    return body


def gen_sec(path, n_rules, style="bench"):
    r = []
    r.append("# Generated by bench/peers/gen.py: %d alarm patterns x 3 rules, and markers.\n" % n_rules)
    r.append("type=Single\nptype=RegExp\npattern=%sBENCH %s: BENCH-START$\n" % (SEC_HEAD, PROGRAM)
             + "desc=start\naction=write outcomes.txt start\n")
    r.append("type=Single\nptype=RegExp\npattern=%sBENCH %s: BENCH-END$\n" % (SEC_HEAD, PROGRAM)
             + "desc=end\naction=write outcomes.txt end\n")
    for i in range(n_rules):
        a = alarm_name(i)
        pre = "%s(\\S+) %s: " % (SEC_HEAD, PROGRAM)
        r.append("type=SingleWithSuppress\nptype=RegExp\npattern=%s%s\n" % (pre, sec_body(style, "supp", a))
                 + "desc=supp $1 $3 $2\naction=write outcomes.txt pass $1 $3 $2\nwindow=%d\n" % WINDOW)
        r.append("type=SingleWithThreshold\nptype=RegExp\npattern=%s%s\n" % (pre, sec_body(style, "thr", a))
                 + "desc=thr $1 $3 $2\naction=write outcomes.txt threshold $1 $3 $2\n"
                 + "window=%d\nthresh=%d\n" % (WINDOW, THRESH))
        r.append("type=PairWithWindow\nptype=RegExp\npattern=%s%s\n" % (pre, sec_body(style, "raised", a))
                 + "desc=pair $1 $3 $2\naction=write outcomes.txt expired $1 $3 $2\n"
                 + "ptype2=RegExp\npattern2=%s$1 %s: $2 cleared port=$3$\n" % (SEC_HEAD, PROGRAM)
                 + "desc2=pair $1 $3 $2\naction2=write outcomes.txt matched %1 %3 %2\n"
                 + "window=%d\n" % WINDOW)
    with open(path, "w") as f:
        f.write("\n".join(r))


def xml_rule(rid, pattern, ctx, actions):
    s = ["    <rule provider='faultline-bench' id='%s' class='bench'" % rid]
    if ctx:
        s[0] += " context-scope='global' context-id='%s' context-timeout='%d'" % (ctx, WINDOW)
    s[0] += ">"
    s.append("     <patterns><pattern>%s</pattern></patterns>" % pattern)
    s.append("     <actions>")
    for trigger, cond, msg in actions:
        c = " condition='%s'" % cond if cond else ""
        s.append("      <action trigger='%s'%s><message><values>" % (trigger, c))
        s.append("       <value name='PROGRAM'>bench-out</value>")
        s.append("       <value name='MESSAGE'>%s</value>" % msg)
        s.append("      </values></message></action>")
    s.append("     </actions>")
    s.append("    </rule>")
    return "\n".join(s)


def gen_patterndb(path, n_rules):
    rules = [
        xml_rule("start", "BENCH-START", None, [("match", None, "start")]),
        xml_rule("end", "BENCH-END", None, [("match", None, "end")]),
    ]
    key = "${HOST}.${port}"
    for i in range(n_rules):
        a = alarm_name(i)
        rules.append(xml_rule("supp-%s" % a, "%s notice port=@ANYSTRING:port@" % a,
                              "s.%s.%s" % (key, a),
                              [("match", '"$(context-length)" == "1"', "pass ${HOST}@1 ${port}@1 %s" % a),
                               ("match", '"$(context-length)" > "1"', "suppressed ${HOST}@1 ${port}@1 %s" % a)]))
        rules.append(xml_rule("thr-%s" % a, "%s burst port=@ANYSTRING:port@" % a,
                              "t.%s.%s" % (key, a),
                              [("match", '"$(context-length)" == "%d"' % THRESH,
                                "threshold ${HOST}@1 ${port}@1 %s" % a)]))
        rules.append(xml_rule("fault-%s" % a, "%s raised port=@ANYSTRING:port@" % a,
                              "p.%s.%s" % (key, a),
                              [("timeout", '"$(context-length)" == "1"', "expired ${HOST}@1 ${port}@1 %s" % a)]))
        rules.append(xml_rule("clear-%s" % a, "%s cleared port=@ANYSTRING:port@" % a,
                              "p.%s.%s" % (key, a),
                              [("match", '"$(context-length)" == "2"', "matched ${HOST}@1 ${port}@1 %s" % a)]))
    with open(path, "w") as f:
        f.write("<?xml version='1.0' encoding='UTF-8'?>\n")
        f.write("<!-- Generated by bench/peers/gen.py: %d alarm patterns x 4 rules. -->\n" % n_rules)
        f.write("<patterndb version='4' pub_date='2026-11-20'>\n")
        f.write("  <ruleset name='bench' id='faultline-bench'>\n")
        f.write("   <pattern>%s</pattern>\n   <rules>\n" % PROGRAM)
        f.write("\n".join(rules))
        f.write("\n   </rules>\n  </ruleset>\n</patterndb>\n")


def gen_syslog_ng_conf(path, d):
    with open(path, "w") as f:
        f.write("""@version: 3.38
# Generated by bench/peers/gen.py. Paths are those of the run directory.
options {
    keep-hostname(yes); chain-hostnames(no); use-dns(no); use-fqdn(no);
    stats-freq(0); recv-time-zone("+00:00"); log-fifo-size(100000);
    flush-lines(100);
};
source s_in { pipe("%(d)s/syslog-ng.fifo" flags(no-multi-line, expect-hostname)); };
parser p_db { db-parser(file("%(d)s/patterndb.xml") inject-mode(pass-through)); };
destination d_out { file("%(d)s/outcomes.txt" template("${MESSAGE}\\n")); };
log { source(s_in); parser(p_db); filter { program("bench-out"); }; destination(d_out); };
""" % {"d": d})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--rules", default="10,100,1000")
    ap.add_argument("--events", type=int, default=400000, help="events of input.log")
    ap.add_argument("--sec-events", default="40000,20000,5000",
                    help="events of input-sec.log, one per rule count (or one for all)")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--style", choices=("bench", "written"), default="bench",
                    help="rules shaped for the prefilter (bench) or as operators write them")
    a = ap.parse_args()
    counts = [int(x) for x in a.rules.split(",")]
    sec = [int(x) for x in a.sec_events.split(",")]
    if len(sec) == 1:
        sec = sec * len(counts)
    if len(sec) != len(counts):
        ap.error("--sec-events needs one value or one per rule count")
    for n, s in zip(counts, sec):
        d = os.path.abspath(os.path.join(a.outdir, "n%d" % n))
        os.makedirs(d, exist_ok=True)
        n_full, n_sec = gen_inputs(d, n, a.events, min(s, a.events), a.seed, a.style)
        gen_plan(os.path.join(d, "faultline.plan"), n, a.style)
        gen_sec(os.path.join(d, "sec.conf"), n, a.style)
        gen_patterndb(os.path.join(d, "patterndb.xml"), n)
        gen_syslog_ng_conf(os.path.join(d, "syslog-ng.conf"), d)
        meta = {"rules": n, "window_s": WINDOW, "threshold": THRESH, "seed": a.seed, "style": a.style,
                "events": n_full, "sec_events": n_sec,
                "rule_objects": {"faultline": 3 * n, "sec": 3 * n + 2, "syslog-ng": 4 * n + 2}}
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        print("gen: n=%d: %d events (SEC: %d) in %s" % (n, n_full, n_sec, d))


if __name__ == "__main__":
    main()
