#!/usr/bin/env python3
"""Plans of N rules in one shape each, as operators write rules at scale,
for bench/shapes.bench.sh. Every plan runs on the side-by-side benchmark's
input (bench/peers/gen.py --style written: hosts NE0000.., app bench,
alarms ALM0000.. among noise and LOGIN lines).

    gen.py DIR N        writes DIR/SHAPE.plan for each shape

The shapes differ in what selects a rule: its own alarm in msg (the
baseline), its own host beside a shared msg regex (==, in, a regex), its
own app, caseless classes, trap rules beside syslog rules, its own whole
message (msg ==), or its device's site beside a shared msg regex (that
plan comes with sites.csv and devices.csv: NE0000 .. NE4999, at sites
S0000 ..)."""
import os
import sys

HEAD = 'plan shapes;\ntimezone "UTC";\nlevel notice { respond 4h; }\n'
RULE = ('rule r%d {\n    match syslog;\n%s    key host%s;\n'
        '    clear after quiet 10m;\n    raise level notice title "x";\n}\n')


def where(*conds):
    return "".join("    where %s;\n" % c for c in conds)


def shapes(n):
    """(name, rule text of rule i) for each shape."""
    login = r"msg ~ /LOGIN user=(?<user>\S+)/"
    return [
        ("alarm_in_msg", lambda i: RULE % (i, where(r"msg ~ /(?<alarm>ALM%04d)\s+notice/" % i), ", alarm")),
        ("caseless_class", lambda i: RULE % (i, where(r"msg ~ /(?<alarm>[Aa][Ll][Mm]-?%04d)\s+notice/" % i), ", alarm")),
        ("host_eq", lambda i: RULE % (i, where('host == "NE%04d"' % (i % 5000), login), ", user")),
        ("host_in", lambda i: RULE % (i, where('host in ["NE%04d", "XX%04d"]' % (i % 5000, i), login), ", user")),
        ("host_regex", lambda i: RULE % (i, where("host ~ /^NE%04d$/" % (i % 5000), login), ", user")),
        ("app_eq", lambda i: RULE % (i, where('app == "app%04d"' % i, login), ", user")),
        ("msg_eq", lambda i: RULE % (i, where('msg == "ALM%04d notice port=1-1-1"' % i), "")),
        ("site_eq", lambda i: RULE % (i, "    lookup device host;\n" +
                                      where('site == "S%04d"' % i, login), ", user")),
    ]


def inventory(d, n):
    """Sites S0000 .. for n rules, and devices NE0000 .. NE4999 spread over
    them (a county belongs to one city)."""
    sites = max(n, 1)
    with open(os.path.join(d, "sites.csv"), "w") as f:
        f.write("site,site_name,county,city,class,lat,lon,power\n")
        for i in range(sites):
            c = i % 75
            f.write("S%04d,site %d,C%02d,City%d,township,24.0,109.0,mains\n" % (i, i, c, c % 14))
    with open(os.path.join(d, "devices.csv"), "w") as f:
        f.write("device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,level\n")
        for i in range(5000):
            s, c = i % sites, (i % sites) % 75
            f.write("NE%04d,10.%d.%d.%d,Huawei,X,router,S%04d,site %d,C%02d,City%d,,,township\n"
                    % (i, i >> 16, (i >> 8) & 255, i & 255, s, s, c, c % 14))


def trap_rules(n):
    return "".join(
        'rule t%d {\n    match trap;\n    where enterprise under 1.3.6.1.4.1.%d;\n'
        '    where varbind ifDescr ~ /^(?<ifname>\\S+)$/;\n    key peer, ifname;\n'
        '    clear after quiet 10m;\n    raise level notice title "trap ${ifname}";\n}\n'
        % (i, 30000 + i) for i in range(n))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen.py DIR N")
    d, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(d, exist_ok=True)
    inventory(d, n)
    for name, rule in shapes(n):
        with open(os.path.join(d, name + ".plan"), "w") as f:
            f.write(HEAD)
            if name == "site_eq":
                f.write('data sites "sites.csv";\ndata devices "devices.csv";\n')
            for i in range(n):
                f.write(rule(i))
    # the baseline's rules with as many trap rules beside them
    with open(os.path.join(d, "alarm_in_msg.plan")) as f:
        base = f.read()
    with open(os.path.join(d, "traps_beside.plan"), "w") as f:
        f.write(base + trap_rules(n))


if __name__ == "__main__":
    main()
