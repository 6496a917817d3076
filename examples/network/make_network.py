#!/usr/bin/env python3
"""Writes the example network's CSV files (the formats of docs/data.md).

Mingyang and Qingcheng, two fictional cities of one regional operator, small
enough to read in full and with every shape the bundled plan correlates on:
a Huawei OTN backbone ring over the region NOC and both city cores; a Huawei
OSN city ring; a Huawei county ring with a two-hop branch chain; a FiberHome
county ring; a ZTE city ring; a duct that two spans of different rings share;
routers, switches and OLTs of Huawei, ZTE, FiberHome and Cisco; customer
circuits, protected (sncp) and not; contacts at region, city and county with
gaps that fall back one level up; one planned-maintenance window.

Every name, address and person is invented. Deterministic: run it from any
directory and it rewrites the CSVs beside itself byte for byte.
"""
import csv
import io
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# site, name, county, city, class, lat, lon, power
SITES = [
    ("MY-NOC", "明阳区域网管中心", "Dongpo", "Mingyang", "city", "24.3120", "109.4210", "mains+battery+generator"),
    ("MY-DP", "明阳东坡中心机房", "Dongpo", "Mingyang", "city", "24.3260", "109.4080", "mains+battery+generator"),
    ("MY-ZWZX", "明阳市政务服务中心", "Dongpo", "Mingyang", "city", "24.3330", "109.4190", "mains+battery+generator"),
    ("MY-SK", "明阳水口机房", "Shuikou", "Mingyang", "county", "24.4710", "109.5530", "mains+battery"),
    ("MY-SK-HT", "水口河塘镇机房", "Shuikou", "Mingyang", "township", "24.5420", "109.6010", "mains+battery"),
    ("MY-SK-SP", "水口石坪乡机房", "Shuikou", "Mingyang", "township", "24.5130", "109.4890", "mains"),
    ("MY-SK-LJ", "水口龙井乡机房", "Shuikou", "Mingyang", "township", "24.5660", "109.4520", "mains"),
    ("MY-SK-YS", "水口岩上乡机房", "Shuikou", "Mingyang", "township", "24.6020", "109.4270", "mains"),
    ("MY-LH", "明阳莲花机房", "Lianhua", "Mingyang", "county", "24.2010", "109.6120", "mains+battery"),
    ("MY-LH-DT", "莲花大塘镇机房", "Lianhua", "Mingyang", "township", "24.1430", "109.6880", "mains+battery"),
    ("MY-LH-ST", "莲花山田乡机房", "Lianhua", "Mingyang", "township", "24.2380", "109.7050", "mains"),
    ("QC-CG", "清城城关中心机房", "Chengguan", "Qingcheng", "city", "23.8810", "110.1520", "mains+battery+generator"),
    ("QC-BS", "清城白沙机房", "Bai'sha", "Qingcheng", "county", "23.7640", "110.2730", "mains+battery"),
    ("QC-BS-XT", "白沙新塘镇机房", "Bai'sha", "Qingcheng", "township", "23.7020", "110.3310", "mains+battery"),
]

# device, last octet, vendor, model, role, site, ring, ring_pos, level
DEVICES = [
    ("MY-NOC-OTN01", 7, "Huawei", "OptiX OSN 9800", "backbone-otn", "MY-NOC", "BB-R01", 1, "region"),
    ("MY-NOC-RT01", 11, "Cisco", "ASR-9006", "router", "MY-NOC", "", "", "region"),
    ("MY-DP-OTN01", 7, "Huawei", "OptiX OSN 9800", "backbone-otn", "MY-DP", "BB-R01", 2, "region"),
    ("QC-CG-OTN01", 7, "Huawei", "OptiX OSN 9800", "backbone-otn", "QC-CG", "BB-R01", 3, "region"),
    ("MY-DP-OSN01", 2, "Huawei", "OptiX OSN 3500", "metro-sdh", "MY-DP", "MY-CR01", 1, "city"),
    ("MY-DP-RT01", 11, "Huawei", "NE40E-X8A", "router", "MY-DP", "", "", "city"),
    ("MY-DP-RT02", 12, "Cisco", "ASR-9006", "router", "MY-DP", "", "", "city"),
    ("MY-DP-SW01", 21, "Cisco", "C9300-24T", "switch", "MY-DP", "", "", "city"),
    ("MY-DP-SW02", 22, "Cisco", "Nexus 93180YC-FX", "switch", "MY-DP", "", "", "city"),
    ("MY-DP-EDFA01", 41, "Cisco", "Prisma II", "edfa", "MY-DP", "", "", "city"),
    ("MY-SK-OSN01", 2, "Huawei", "OptiX OSN 3500", "metro-sdh", "MY-SK", "MY-CR01", 2, "city"),
    ("MY-LH-OSN01", 2, "Huawei", "OptiX OSN 3500", "metro-sdh", "MY-LH", "MY-CR01", 3, "city"),
    ("MY-ZWZX-OSN01", 2, "Huawei", "OptiX OSN 1500", "metro-sdh", "MY-ZWZX", "MY-CR01", 4, "city"),
    ("MY-ZWZX-SW01", 21, "Huawei", "S5735-L24T4X", "switch", "MY-ZWZX", "", "", "city"),
    ("MY-SK-OSN02", 3, "Huawei", "OptiX OSN 3500", "metro-sdh", "MY-SK", "MY-SK-R01", 1, "county"),
    ("MY-SK-RT01", 11, "ZTE", "ZXR10 M6000-8S", "router", "MY-SK", "", "", "county"),
    ("MY-SK-OLT01", 31, "Huawei", "MA5800-X7", "olt", "MY-SK", "", "", "county"),
    ("MY-SK-HT-OSN01", 2, "Huawei", "OptiX OSN 1500", "metro-sdh", "MY-SK-HT", "MY-SK-R01", 2, "township"),
    ("MY-SK-HT-OLT01", 31, "Huawei", "MA5800-X2", "olt", "MY-SK-HT", "", "", "township"),
    ("MY-SK-SP-OSN01", 2, "Huawei", "OptiX OSN 1500", "metro-sdh", "MY-SK-SP", "MY-SK-R01", 3, "township"),
    ("MY-SK-LJ-OSN01", 2, "Huawei", "OptiX OSN 500", "metro-sdh", "MY-SK-LJ", "", "", "township"),
    ("MY-SK-YS-OSN01", 2, "Huawei", "OptiX OSN 500", "metro-sdh", "MY-SK-YS", "", "", "township"),
    ("MY-LH-SDH01", 3, "FiberHome", "CiTRANS 640", "metro-sdh", "MY-LH", "MY-LH-R01", 1, "county"),
    ("MY-LH-OLT01", 31, "FiberHome", "AN5516-04", "olt", "MY-LH", "", "", "county"),
    ("MY-LH-DT-SDH01", 2, "FiberHome", "CiTRANS 620", "metro-sdh", "MY-LH-DT", "MY-LH-R01", 2, "township"),
    ("MY-LH-ST-SDH01", 2, "FiberHome", "CiTRANS 620", "metro-sdh", "MY-LH-ST", "MY-LH-R01", 3, "township"),
    ("QC-CG-SDH01", 2, "ZTE", "ZXMP S385", "metro-sdh", "QC-CG", "QC-CR01", 1, "city"),
    ("QC-CG-RT01", 11, "ZTE", "ZXR10 M6000-8S", "router", "QC-CG", "", "", "city"),
    ("QC-CG-SW01", 21, "Cisco", "C9300-24T", "switch", "QC-CG", "", "", "city"),
    ("QC-BS-SDH01", 2, "ZTE", "ZXMP S325", "metro-sdh", "QC-BS", "QC-CR01", 2, "county"),
    ("QC-BS-OLT01", 31, "ZTE", "ZXA10 C600", "olt", "QC-BS", "", "", "county"),
    ("QC-BS-XT-SDH01", 2, "ZTE", "ZXMP S325", "metro-sdh", "QC-BS-XT", "QC-CR01", 3, "township"),
]

# ring, name, level, city, county, vendor, (west port, east port)
RINGS = [
    ("BB-R01", "明阳清城干线环", "backbone", "", "", "Huawei", ("1-11-1", "1-12-1")),
    ("MY-CR01", "明阳城域环", "city", "Mingyang", "", "Huawei", ("1-7-1", "1-8-1")),
    ("MY-SK-R01", "水口县域环", "county", "Mingyang", "Shuikou", "Huawei", ("1-7-1", "1-8-1")),
    ("MY-LH-R01", "莲花县域环", "county", "Mingyang", "Lianhua", "FiberHome", ("1-9-1", "1-10-1")),
    ("QC-CR01", "清城城域环", "city", "Qingcheng", "", "ZTE", ("1-5-1", "1-6-1")),
]

# span lengths (km) and ducts, by ring, in ring order
LENGTHS = {
    "BB-R01": [(5.8, "yes"), (96.4, "no"), (101.2, "no")],
    "MY-CR01": [(31.6, "no"), (27.3, "no"), (29.9, "no"), (3.1, "yes")],
    "MY-SK-R01": [(14.2, "no"), (11.7, "no"), (12.9, "no")],
    "MY-LH-R01": [(13.4, "no"), (9.8, "no"), (10.6, "no")],
    "QC-CR01": [(24.5, "no"), (12.2, "no"), (26.8, "no")],
}
# Shared-risk groups: the Shuikou site's city-ring span east to Lianhua and
# its county-ring span to Hetang leave in one duct.
SRLG = {"MY-CR01-S02": "DUCT-MY-SK-E", "MY-SK-R01-S01": "DUCT-MY-SK-E"}

CHAIN = ("MY-SK-C01", "MY-SK-R01", "MY-SK-SP-OSN01", ["MY-SK-LJ-OSN01", "MY-SK-YS-OSN01"],
         "石坪岩上支链", "Shuikou", "Mingyang")
CHAIN_PORTS = [("1-11-1", "1-7-1", 8.6), ("1-8-1", "1-7-1", 6.3)]

CIRCUITS = [
    ("MY-EGOV-001", "明阳市电子政务外网", "MY-ZWZX", "MY-DP", "MY-CR01-S04", "urgent", "GE", "sncp"),
    ("MY-EGOV-002", "明阳市电子政务外网", "MY-DP", "MY-SK-YS",
     "MY-CR01-S01;MY-SK-R01-S01;MY-SK-R01-S02;MY-SK-C01-S01;MY-SK-C01-S02", "urgent", "100M", "none"),
    ("MY-EDU-001", "明阳市教育城域网", "MY-DP", "MY-LH", "MY-CR01-S01;MY-CR01-S02", "general", "GE", "sncp"),
    ("MY-EDU-002", "明阳市教育城域网", "MY-LH", "MY-LH-ST", "MY-LH-R01-S03", "general", "100M", "none"),
    ("QC-EGOV-001", "清城市电子政务外网", "QC-CG", "QC-BS", "QC-CR01-S01", "urgent", "GE", "sncp"),
    ("MY-TV-001", "明阳广电节目传输(自营)", "MY-NOC", "QC-CG", "BB-R01-S01;BB-R01-S02", "general", "10GE", "sncp"),
]

CITY_CODE = {"Mingyang": 61, "Qingcheng": 62}
AREA = {"Mingyang": "0778", "Qingcheng": "0779", "": "0771"}
BRANCH_NAME = {
    "region": "区公司", "Mingyang": "明阳分公司", "Qingcheng": "清城分公司",
    "Dongpo": "明阳东坡区分公司", "Shuikou": "明阳水口县分公司", "Lianhua": "明阳莲花县分公司",
    "Chengguan": "清城城关区分公司", "Bai'sha": "清城白沙县分公司",
}

# level, branch, city, [(role, name, email-local or "", on_24h)]
CONTACTS = [
    ("region", "region", "", [
        ("duty_room", "区域网管中心值班室", "noc-duty", "yes"),
        ("ops_head", "韦振东", "zhendong.wei", "yes"),
        ("fault_lead", "蓝海波", "haibo.lan", "yes"),
        ("fault_lead", "莫晓燕", "xiaoyan.mo", "no"),
        ("repair_team", "区公司干线抢修队", "bb-repair", "yes"),
        ("leader_in_charge", "覃国强", "guoqiang.qin", "yes"),
        ("chief_engineer", "黄立新", "lixin.huang", "yes"),
    ]),
    ("city", "Mingyang", "Mingyang", [
        ("duty_room", "明阳网管机房值班室", "my-duty", "yes"),
        ("ops_head", "梁美华", "meihua.liang", "yes"),
        ("fault_lead", "陆建明", "jianming.lu", "yes"),
        ("repair_team", "明阳分公司抢修队", "my-repair", "yes"),
        ("leader_in_charge", "甘志强", "zhiqiang.gan", "yes"),
    ]),
    # Qingcheng has no fault lead of its own: the region's is told.
    ("city", "Qingcheng", "Qingcheng", [
        ("duty_room", "清城网管机房值班室", "qc-duty", "yes"),
        ("ops_head", "卢秀英", "xiuying.lu", "yes"),
        ("repair_team", "清城分公司抢修队", "qc-repair", "yes"),
        ("leader_in_charge", "农家宝", "jiabao.nong", "yes"),
    ]),
    ("county", "Dongpo", "Mingyang", [
        ("duty_room", "东坡区值班室", "my-dp-duty", "yes"),
        ("fault_lead", "唐卫国", "weiguo.tang", "yes"),
        ("repair_team", "东坡区抢修队", "my-dp-repair", "yes"),
        ("leader_in_charge", "罗丽萍", "liping.luo", "yes"),
    ]),
    ("county", "Shuikou", "Mingyang", [
        ("duty_room", "水口县值班室", "my-sk-duty", "yes"),
        ("fault_lead", "潘德明", "deming.pan", "yes"),
        ("repair_team", "水口县抢修队", "", "yes"),  # SMS and phone only
        ("leader_in_charge", "吴春兰", "chunlan.wu", "yes"),
    ]),
    # Lianhua has no fault lead: Mingyang's is told.
    ("county", "Lianhua", "Mingyang", [
        ("duty_room", "莲花县值班室", "my-lh-duty", "yes"),
        ("repair_team", "莲花县抢修队", "my-lh-repair", "yes"),
        ("leader_in_charge", "何永福", "yongfu.he", "yes"),
    ]),
    ("county", "Chengguan", "Qingcheng", [
        ("duty_room", "城关区值班室", "qc-cg-duty", "yes"),
        ("fault_lead", "谢金龙", "jinlong.xie", "yes"),
        ("repair_team", "城关区抢修队", "qc-cg-repair", "yes"),
        ("leader_in_charge", "\"老黄\" 黄建平", "jianping.huang", "yes"),
    ]),
    # Bai'sha: one person is both fault lead and leader in charge.
    ("county", "Bai'sha", "Qingcheng", [
        ("duty_room", "白沙县值班室", "qc-bs-duty", "yes"),
        ("fault_lead", "骆志远", "zhiyuan.luo", "yes"),
        ("repair_team", "白沙县抢修队", "qc-bs-repair", "yes"),
        ("leader_in_charge", "骆志远", "zhiyuan.luo", "yes"),
    ]),
]
CUSTOMERS = [
    ("明阳市电子政务外网", "Mingyang", "明阳市大数据中心 值班", "my-egov-noc"),
    ("明阳市教育城域网", "Mingyang", "明阳市教育局信息中心", "my-edu-noc"),
    ("清城市电子政务外网", "Qingcheng", "清城市政务网运维组", "qc-egov-noc"),
]

MAINTENANCE = [
    ("MW-2026-1128-01", "2026-11-28T00:30:00+08:00", "2026-11-28T04:30:00+08:00", "span",
     "MY-CR01-S04", "政务中心管道迁改割接", "2026-11-21T09:00:00+08:00", "甘志强", "明阳市电子政务外网"),
]


def write(name, header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def main():
    site = {s[0]: s for s in SITES}
    site_no = {}
    for s in SITES:
        city = s[3]
        site_no.setdefault(city, {})
        site_no[city].setdefault(s[0], len(site_no[city]) + 1)
    write("sites.csv", ["site", "site_name", "county", "city", "class", "lat", "lon", "power"], SITES)

    dev = {}
    rows = []
    for d, n, vendor, model, role, st, ring, pos, level in DEVICES:
        s = site[st]
        ip = "10.1.0.%d" % n if level == "region" and st == "MY-NOC" else \
            "10.%d.%d.%d" % (CITY_CODE[s[3]], site_no[s[3]][st], n)
        dev[d] = (st, ring, pos)
        rows.append([d, ip, vendor, model, role, st, s[1], s[2], s[3], ring, pos, level])
    write("devices.csv", ["device", "mgmt_ip", "vendor", "model", "role", "site", "site_name",
                          "county", "city", "ring", "ring_pos", "level"], rows)

    rows, spans = [], []
    for ring, name, level, city, county, vendor, (west, east) in RINGS:
        nodes = sorted((p, d) for d, (st, r, p) in dev.items() if r == ring)
        rows.append([ring, name, level, city, county, vendor, len(nodes)])
        for k, (pos, a) in enumerate(nodes):
            b = nodes[(k + 1) % len(nodes)][1]
            sid = "%s-S%02d" % (ring, k + 1)
            km, duct = LENGTHS[ring][k]
            spans.append([sid, ring, a, east, b, west, km, duct, "ring", SRLG.get(sid, "")])
    write("rings.csv", ["ring", "name", "level", "city", "county", "vendor", "nodes"], rows)
    chain, parent_ring, parent, members, cname, county, city = CHAIN
    hops = [parent] + members
    for k, (a_port, b_port, km) in enumerate(CHAIN_PORTS):
        spans.append(["%s-S%02d" % (chain, k + 1), chain, hops[k], a_port, hops[k + 1], b_port,
                      km, "no", "chain", ""])
    write("spans.csv", ["span", "ring", "a_device", "a_port", "b_device", "b_port", "length_km",
                        "duct", "kind", "srlg"], spans)
    write("chains.csv", ["chain", "parent_ring", "parent_device", "devices", "name", "county", "city"],
          [[chain, parent_ring, parent, ";".join(members), cname, county, city]])
    write("circuits.csv", ["circuit", "customer", "a_site", "b_site", "path", "priority",
                           "bandwidth", "protection"], CIRCUITS)

    rows, phone = [], 100
    for level, branch, city, people in CONTACTS:
        for role, name, mail, on24 in people:
            phone += 1
            same = [r for r in rows if r[1] == branch and r[3] == name]
            mobile = same[0][4] if same else "138-0000-%04d" % (6000 + phone)
            rows.append([level, branch, role, name, mobile,
                         mail + "@example.net" if mail else "",
                         "%s-555%04d" % (AREA[city], 6000 + phone), on24, city,
                         BRANCH_NAME[branch], ""])
    for customer, city, name, mail in CUSTOMERS:
        phone += 1
        rows.append(["city", city, "customer_contact", name, "138-0000-%04d" % (6000 + phone),
                     mail + "@example.net", "%s-555%04d" % (AREA[city], 6000 + phone), "yes",
                     city, BRANCH_NAME[city], customer])
    write("contacts.csv", ["level", "branch", "role", "name", "mobile", "email", "office_phone",
                           "on_24h", "city", "branch_name", "customer"], rows)
    write("maintenance.csv", ["window", "start", "end", "scope", "target", "reason", "announced",
                              "approved_by", "customers_notified"], MAINTENANCE)


if __name__ == "__main__":
    main()
