#!/usr/bin/env python3
"""Writes the storm logs of tests/networks/NET/storms/*.log (RFC 3164 lines in the
vendors' formats, arrival order, year 2026, local time +08:00).

Each storm below is written out by hand: what fails, when, which ends still talk, which
sites fall silent and until when.  The one correct outcome of each storm is NOT derived
here: it is written by hand in NET/storms/NAME.json from the emergency plan.  The same
script always writes the same bytes (fixed seeds).

    python3 tests/networks/make_storms.py            # rewrite every storm
    python3 tests/networks/make_storms.py hilltown   # one network
"""
import csv
import datetime as dt
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
USERS = ["op01", "op02", "op07", "nmsadm", "zhouw", "lij"]
NMS_IPS = ["10.9.0.14", "10.9.0.15", "10.9.0.33"]
LVL = {"critical": ("CR", 130), "major": ("MJ", 131), "minor": ("MN", 132), "warning": ("WR", 132)}
TRIB = {"Huawei": "1-11-%d", "ZTE": "1-12-%d", "FiberHome": "1-13-%d"}
TU = {"Huawei": "1-2-%d", "ZTE": "1-3-%d", "FiberHome": "1-4-%d"}
ETH = {"Huawei": "1-4-%d", "ZTE": "1-8-%d", "FiberHome": "1-6-%d"}


def sec(x):
    return dt.timedelta(seconds=x)


def ms(n):
    return dt.timedelta(milliseconds=n)


def ts3164(t):
    return "%s %2d %02d:%02d:%02d" % (MON[t.month - 1], t.day, t.hour, t.minute, t.second)


def ts_vrp(t):
    return "%s %2d %d %02d:%02d:%02d" % (MON[t.month - 1], t.day, t.year, t.hour, t.minute, t.second)


class Net:
    def __init__(self, name):
        self.dir = os.path.join(HERE, name)

        def load(f):
            with open(os.path.join(self.dir, f + ".csv"), encoding="utf-8", newline="") as fh:
                return list(csv.DictReader(fh))
        self.dev = {d["device"]: d for d in load("devices")}
        self.span = {s["span"]: s for s in load("spans")}
        self.at = {}
        for h, d in sorted(self.dev.items()):
            self.at.setdefault(d["site"], []).append(h)

    def sof(self, h):
        return self.dev[h]["site"]

    def line_ports(self, h):
        ps = [s["a_port"] for s in self.span.values() if s["a_device"] == h] + \
             [s["b_port"] for s in self.span.values() if s["b_device"] == h]
        return sorted(set(ps))


class Storm:
    """Lines of one storm.  emit() drops what a silent (dead or cut-off) device would
    have sent; access gear stamps a little off true time; a few lines arrive twice."""

    def __init__(self, net, seed, start, end):
        self.net, self.r = net, random.Random(seed)
        self.start, self.end = start, end
        self.rows, self.n, self.silent, self.seq, self.skew = [], 0, {}, {}, {}

    def emit(self, t, host, fn):
        for a, b in self.silent.get(host, ()):
            if a <= t < b:
                return None
        d = self.net.dev.get(host)
        if host not in self.skew:   # transmission gear is synchronised by its NMS; access gear drifts
            drift = d is not None and d["role"] in ("router", "switch", "olt") and self.r.random() < 0.4
            self.skew[host] = round(self.r.uniform(-2.4, 2.4), 2) if drift else 0.0
        ts = t + sec(self.skew[host])
        line = fn(ts)
        arr = t + ms(self.r.randrange(5, 400))
        self.n += 1
        self.rows.append((arr, self.n, line))
        if self.r.random() < 0.04:   # heard through both relays
            self.n += 1
            self.rows.append((arr + ms(self.r.randrange(40, 2400)), self.n, line))
        return ts

    def hush(self, sites, a, b):
        for s in sites:
            for h in self.net.at.get(s, ()):
                self.silent.setdefault(h, []).append((a, b))

    def seqno(self, host, reset=False):
        return ("\x00R\x00%s\x00" if reset else "\x00S\x00%s\x00") % host

    def write(self, path):
        self.rows.sort()
        out = []
        for _, _, line in self.rows:
            while "\x00" in line:
                i = line.index("\x00")
                j = line.index("\x00", i + 3)
                kind, host = line[i + 1], line[i + 3:j]
                if kind == "R":
                    self.seq[host] = 0
                elif host not in self.seq:
                    self.seq[host] = self.r.randrange(200, 8000)
                self.seq[host] += 1
                line = line[:i] + str(self.seq[host]) + line[j + 1:]
            out.append(line)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(out) + "\n")
        return len(out)

    # ---- vendor formats ------------------------------------------------------------
    def tag(self, h):
        return {"Huawei": "OSN", "ZTE": "ZXMP", "FiberHome": "OTNM2000"}[self.net.dev[h]["vendor"]]

    def tx(self, t, h, alarm, up, port, level="critical", extra=""):
        v = self.net.dev[h]["vendor"]
        sv, pri = LVL[level]
        pri = pri if up else 133
        if v == "Huawei":
            slot = port.split("-")[1]
            board = {"2": "N1PQ1", "4": "N1EFS4", "27": "PIU", "11": "N1SLQ1"}.get(slot, "N1SL16")
            if self.net.dev[h]["role"] == "backbone-otn":
                board = "TN12LSX"
            f = lambda ts: "<%d>%s %s OSN: %s %s port=%s board=%s level=%s seq=%s%s" % (
                pri, ts3164(ts), h, alarm, "raised" if up else "cleared", port, board, level, self.seqno(h), extra)
        elif v == "ZTE":
            f = lambda ts: "<%d>%s %s ZXMP: alarm %s %s level=%s port %s rack=1%s" % (
                pri, ts3164(ts), h, alarm, "raised" if up else "cleared", level, port, extra)
        else:
            f = lambda ts: "<%d>%s %s OTNM2000: [ALARM] NE=%s LOC=%s ALMCODE=%s SEVERITY=%s STATE=%s TIME=%s%s" % (
                pri, ts3164(ts), h, h, port, alarm, sv, "RAISE" if up else "CLEAR", ts.strftime("%Y-%m-%d %H:%M:%S"), extra)
        return self.emit(t, h, f)

    def txinfo(self, t, h, text):
        return self.emit(t, h, lambda ts: "<134>%s %s %s: %s" % (ts3164(ts), h, self.tag(h), text))

    def vrp(self, t, h, mod, lvl, mnem, kind, text, reset=False):
        return self.emit(t, h, lambda ts: "<%d>%s %s %%%%01%s/%d/%s(%s)[%s]:%s" % (
            184 + lvl, ts_vrp(ts), h, mod, lvl, mnem, kind, self.seqno(h, reset), text))

    def cisco(self, t, h, fac, sev, mnem, text):
        return self.emit(t, h, lambda ts: "<%d>%s: %s: %s %2d %02d:%02d:%02d.%03d CST: %%%s-%d-%s: %s" % (
            184 + sev, self.seqno(h), h, MON[ts.month - 1], ts.day, ts.hour, ts.minute, ts.second,
            ts.microsecond // 1000, fac, sev, mnem, text))

    def zxr(self, t, h, code, lvl, mod, text, cleared=False, notif=False):
        return self.emit(t, h, lambda ts: "<%d>%s %s %s %d ID %s level %d %s at %02d:%02d:%02d %02d/%02d/%d UTC+08:00 sent by MPU-0/20/0 %%%s%% %s" % (
            184 + lvl, ts3164(ts), h, "A notification" if notif else "An alarm", code, self.seqno(h), lvl,
            "cleared" if cleared else "occurred", ts.hour, ts.minute, ts.second, ts.month, ts.day, ts.year, mod, text))

    def fholt(self, t, h, text, pri=134):
        return self.emit(t, h, lambda ts: "<%d>%s %s OLT[%s]: %s" % (pri, ts3164(ts), h, self.net.dev[h]["model"], text))

    def link(self, t, h, ifn, up):
        v = self.net.dev[h]["vendor"]
        if v == "Huawei":
            st = "UP" if up else "DOWN"
            self.vrp(t, h, "IFPDT", 4, "IF_STATE", "l", "Interface %s has turned into %s state." % (ifn, st))
            self.vrp(t + ms(30), h, "IFNET", 4, "LINK_STATE", "l", "The line protocol IP on the interface %s has entered the %s state." % (ifn, st))
        elif v == "Cisco":
            self.cisco(t, h, "LINK", 3, "UPDOWN", "Interface %s, changed state to %s" % (ifn, "up" if up else "down"))
            self.cisco(t + sec(1), h, "LINEPROTO", 5, "UPDOWN", "Line protocol on Interface %s, changed state to %s" % (ifn, "up" if up else "down"))
        elif v == "ZTE":
            self.zxr(t, h, 20501, 4, "PORT", "Port %s link %s" % (ifn, "up" if up else "down"), cleared=up)
        else:
            self.fholt(t, h, "%s LINK_DOWN port %s level=MJ" % ("CLEAR" if up else "RAISE", ifn), 133 if up else 132)

    def uplink(self, h):
        d = self.net.dev[h]
        return {"Huawei": "GigabitEthernet0/9/0" if d["role"] == "olt" else "GigabitEthernet0/0/24",
                "ZTE": "xgei-1/3/1" if d["role"] == "olt" else "gei-0/1/0/24",
                "Cisco": "GigabitEthernet1/0/24"}.get(d["vendor"], "1/19/1")

    def pon(self, t, olt, t_up, n):
        v, r = self.net.dev[olt]["vendor"], self.r
        for _ in range(n):
            slot, port = r.randint(1, 4), r.randint(1, 16)
            td, tu = t + ms(r.randrange(200, 4000)), t_up + sec(r.uniform(20, 80))
            for up, tt in ((False, td), (True, tu)):
                if v == "Huawei":
                    self.vrp(tt, olt, "GPON", 2, "hwGponPortLos_clear" if up else "hwGponPortLos_active", "t",
                             "The PON port %s. (FrameId=0, SlotId=%d, PortId=%d, OnlineOntNum=%d)" % (
                                 "recovered from loss of signal" if up else "has lost the signal from all ONTs", slot, port, r.randint(8, 60) if up else 0))
                elif v == "ZTE":
                    self.zxr(tt, olt, 33793, 2, "GPON", "PON port gpon-olt_1/%d/%d LOS, all ONUs offline" % (slot, port), cleared=up)
                else:
                    self.fholt(tt, olt, "%s PON_LOS port 1/%d/%d level=MJ" % ("CLEAR" if up else "RAISE", slot, port), 133 if up else 131)

    def peer_down(self, t, rt, peer_ip, npw, t_up, vc0):
        """Router rt loses BFD/OSPF to peer_ip and npw pseudowires, all back after t_up."""
        v, r = self.net.dev[rt]["vendor"], self.r
        for i in range(npw + 1):
            td = t + ms(r.randrange(0, 4000)) if i else t
            tu = t_up + ms(r.randrange(0, 15000)) if i else t_up
            vc = vc0 + i
            if v == "Huawei":
                if i == 0:
                    self.vrp(td, rt, "BFD", 4, "STACHG_TODWN", "l", "BFD session changed to Down. (SlotNumber=1, Discriminator=%d, Diagnostic=DetectDown, Applications=OSPF, ProcessPST=False, BindInterfaceName=GigabitEthernet0/2/1.%d, InterfacePhysicalState=Up, InterfaceProtocolState=Up)" % (7000 + vc0 % 1000, vc0))
                    self.vrp(td + ms(15), rt, "OSPF", 3, "NBR_CHG_DOWN", "l", "Neighbor event:neighbor state changed to Down. (ProcessId=1, NeighborAddress=%s, NeighborEvent=InactivityTimer, NeighborPreviousState=Full, NeighborCurrentState=Down)" % peer_ip)
                    self.vrp(tu, rt, "BFD", 4, "STACHG_TOUP", "l", "BFD session changed to Up. (SlotNumber=1, Discriminator=%d, FormerStatus=Down, Applications=OSPF, BindInterfaceName=GigabitEthernet0/2/1.%d, TunnelName=-)" % (7000 + vc0 % 1000, vc0))
                else:
                    for up, tt in ((False, td), (True, tu)):
                        self.vrp(tt, rt, "L2VPN", 3, "hwPWVcDown_clear" if up else "hwPWVcDown_active", "t", "The status of the PWE3 VC turned %s. (VcId=%d, VcType=VLAN, PeerAddress=%s, InterfaceIndex=%d, HWL2VpnStateChangeReason=LDP session was %s, InterfaceName=GigabitEthernet0/2/1.%d)" % (
                            "UP" if up else "DOWN", vc, peer_ip, 60 + vc % 90, "Up" if up else "Down", vc))
            elif v == "Cisco":
                if i == 0:
                    self.cisco(td, rt, "BFDFSM", 6, "BFD_SESS_DOWN", "BFD-SYSLOG: BFD session ld:%d handle:2,is going Down Reason: ECHO FAILURE" % (4000 + vc0 % 1000))
                    self.cisco(td + ms(20), rt, "OSPF", 5, "ADJCHG", "Process 1, Nbr %s on GigabitEthernet0/0/1.%d from FULL to DOWN, Neighbor Down: BFD node down" % (peer_ip, vc0))
                    self.cisco(tu, rt, "BFDFSM", 6, "BFD_SESS_UP", "BFD-SYSLOG: BFD session ld:%d handle:2 is going UP" % (4000 + vc0 % 1000))
                else:
                    for up, tt in ((False, td), (True, tu)):
                        self.cisco(tt, rt, "XCONNECT", 5, "PW_STATUS", "MPLS peer %s vcid %d, VC %s, VC state %s" % (peer_ip, vc, "UP" if up else "DOWN", "UP" if up else "DOWN"))
            else:
                if i == 0:
                    self.zxr(td, rt, 28952, 3, "OSPF", "OSPF neighbor %s state change from FULL to DOWN on interface xgei-0/2/0/1.%d" % (peer_ip, vc0))
                    self.zxr(tu, rt, 28952, 3, "OSPF", "OSPF neighbor %s state change from LOADING to FULL on interface xgei-0/2/0/1.%d" % (peer_ip, vc0), cleared=True)
                else:
                    for up, tt in ((False, td), (True, tu)):
                        self.zxr(tt, rt, 29701, 3, "L2VPN", "PW %d to peer %s state change to %s" % (vc, peer_ip, "UP" if up else "DOWN"), cleared=up)

    # ---- what every device says when nothing is wrong ----------------------------------
    def background(self, near_per_min):
        r, net = self.r, self.net
        start, end = self.start, self.end
        for h in sorted(net.dev):
            d = net.dev[h]
            if d["role"] == "edfa":
                continue
            if d["role"] in ("metro-sdh", "backbone-otn"):
                ports = net.line_ports(h) or ["1-9-1"]
                t = start.replace(minute=start.minute // 15 * 15, second=0, microsecond=0) + sec(r.uniform(2, 40))
                while t < end:
                    if t >= start:
                        for p in ports[:2]:
                            zero = r.random() < 0.4
                            self.txinfo(t + ms(r.randrange(0, 900)), h, "PM 15MIN port=%s IN_PWR=%.1fdBm OUT_PWR=%.1fdBm B1_BBE=%d%s" % (
                                p, r.uniform(-19, -9), r.uniform(-1, 3), r.choice([0, 0, 0, 2, 5]),
                                " ES=0 SES=0 UAS=0 LOS_SEC=0 R_LOS_CNT=0" if zero else ""))
                    t += sec(900)
            t = start + sec(r.uniform(0, 240))
            while t < end:
                self.chatter(t, h)
                t += sec(r.uniform(90, 450))
        t = start
        while True:
            t += sec(r.expovariate(max(near_per_min, 0.05) / 60.0))
            if t >= end:
                break
            self.near_miss(t)
        t = start.replace(second=0, microsecond=0)
        while t < end:
            t += sec(300)
            pid = r.randrange(1000, 60000)
            self.emit(t + ms(r.randrange(0, 900)), "nms-syslog01", lambda ts, pid=pid: "<78>%s nms-syslog01 CRON[%d]: (root) CMD (/usr/local/sbin/logrotate-archive -q)" % (ts3164(ts), pid))

    def chatter(self, t, h):
        r, d = self.r, self.net.dev[h]
        v, u, ip = d["vendor"], r.choice(USERS), r.choice(NMS_IPS)
        if d["role"] in ("metro-sdh", "backbone-otn"):
            k = r.randrange(3)
            if v == "Huawei":
                txt = ["USER_LOGIN user=%s ip=%s result=success seq=%s" % (u, ip, self.seqno(h)),
                       "NTP synchronised server=10.9.0.1 offset=%dms seq=%s" % (r.randrange(1, 40), self.seqno(h)),
                       "USER_OPER user=%s op=query-performance result=ok seq=%s" % (u, self.seqno(h))][k]
            elif v == "ZTE":
                txt = ["user %s login from %s" % (u, ip), "ntp sync ok server 10.9.0.1 offset %dms" % r.randrange(1, 40),
                       "user %s logout" % u][k]
            else:
                txt = ["[LOG] NE=%s USER=%s LOGIN FROM %s" % (h, u, ip), "[LOG] NE=%s NTP SYNC OK OFFSET=%dMS" % (h, r.randrange(1, 40)),
                       "[LOG] NE=%s USER=%s LOGOUT" % (h, u)][k]
            self.txinfo(t, h, txt)
        elif v == "Huawei":
            k = r.randrange(4)
            if k == 0:
                self.vrp(t, h, "SSH", 5, "SSH_USER_LOGIN", "l", "The SSH user succeeded in logging in. (UserName=%s, IpAddress=%s, VpnName=)" % (u, ip))
            elif k == 1:
                self.vrp(t, h, "SHELL", 5, "CMDRECORD", "s", 'Recorded command information. (Task=VT0, Ip=%s, VpnName=, User=%s, AuthenticationMethod="Local-user", Command="%s")' % (
                    ip, u, r.choice(["display interface brief", "display ospf peer brief", "display cpu-usage", "display version"])))
            elif k == 2:
                self.vrp(t, h, "SSH", 5, "SSH_USER_LOGOUT", "l", "The SSH user logged out. (ServiceType=stelnet, LogoutReason=User logout, UserName=%s, Tei=0, IpAddress=%s, VpnName=)" % (u, ip))
            else:
                self.vrp(t, h, "NTP", 6, "NTP_STEP_SET_TIME", "l", "Succeeded in setting the system time. (PreviousTime=%s)" % (t - ms(r.randrange(20, 900))).strftime("%Y-%m-%d %H:%M:%S"))
        elif v == "Cisco":
            if r.random() < 0.5:
                self.cisco(t, h, "SEC_LOGIN", 5, "LOGIN_SUCCESS", "Login Success [user: %s] [Source: %s] [localport: 22] at %02d:%02d:%02d CST %s %s %d %d" % (
                    u, ip, t.hour, t.minute, t.second, t.strftime("%a"), MON[t.month - 1], t.day, t.year))
            else:
                self.cisco(t, h, "SYS", 5, "CONFIG_I", "Configured from console by %s on vty0 (%s)" % (u, ip))
        elif v == "ZTE":
            self.zxr(t, h, 0x1301, 6, "SSH", "User %s login from %s" % (u, ip), notif=True)
        else:
            self.fholt(t, h, "INFO user %s login from %s via ssh" % (u, ip))

    def near_miss(self, t):
        """Lines that name alarms but report no fault."""
        r, net = self.r, self.net
        h = r.choice(sorted(net.dev))
        d = net.dev[h]
        v, role, u, ip = d["vendor"], d["role"], r.choice(USERS), r.choice(NMS_IPS)
        al = r.choice(["R_LOS", "R_LOS", "MAINS_FAIL", "ETH_LOS", "LINK_DOWN", "POWER_FAIL", "TU_AIS", "MS_AIS"])
        k = r.randrange(4)
        if role in ("metro-sdh", "backbone-otn"):
            port = (net.line_ports(h) or ["1-9-1"])[0]
            spare = TRIB[v] % r.randint(6, 8)
            if v == "Huawei":
                txt = ["ALARM_ACK alarm=%s port=%s state=history-cleared user=%s seq=%s" % (al, port, u, self.seqno(h)),
                       "R_LOS raised port=%s board=N1SLQ1 level=critical seq=%s mask=on (port not in service)" % (spare, self.seqno(h)),
                       "ALARM_DIGEST interval=15min active=0 R_LOS=0 R_LOF=0 MS_AIS=0 TU_AIS=0 raised=0 cleared=0 seq=%s" % self.seqno(h),
                       "USER_OPER user=%s op=query-history-alarm filter=%s from=%s result=0 seq=%s" % (u, al, (t - sec(86400)).strftime("%Y-%m-%dT%H:%M"), self.seqno(h))][k]
            elif v == "ZTE":
                txt = ["ack alarm %s port %s history user=%s" % (al, port, u),
                       "alarm R_LOS raised level=critical port %s rack=1 masked (unused port)" % spare,
                       "digest period=15min R_LOS=0 MS_AIS=0 TU_AIS=0 new=0",
                       "query history alarm %s by %s returned 0 records" % (al, u)][k]
            else:
                txt = ["[ACK] NE=%s LOC=%s ALMCODE=%s USER=%s HISTORY=YES" % (h, port, al, u),
                       "[ALARM] NE=%s LOC=%s ALMCODE=R_LOS SEVERITY=CR STATE=RAISE MASKED=YES" % (h, spare),
                       "[DIGEST] NE=%s PERIOD=15MIN R_LOS=0 R_LOF=0 MS_AIS=0 TU_AIS=0" % h,
                       "[QUERY] USER=%s HISTORY ALMCODE=%s NE=%s COUNT=0" % (u, al, h)][k]
            self.txinfo(t, h, txt)
        elif role == "edfa" or r.random() < 0.2:
            pid = r.randrange(1000, 60000)
            self.emit(t, "nms-syslog01", lambda ts: "<78>%s nms-syslog01 CRON[%d]: (nms) CMD (/usr/local/bin/alarm-digest --since 15m --match '%s|MAINS_FAIL' --mail noc@example.net)" % (ts3164(ts), pid, al))
        elif v == "Huawei":
            cmd = ["display alarm active | include %s" % al, "display alarm history | include %s" % al,
                   "display trapbuffer | include %s" % al, "display logbuffer | include MAINS_FAIL_active"][k]
            self.vrp(t, h, "SHELL", 5, "CMDRECORD", "s", 'Recorded command information. (Task=VT0, Ip=%s, VpnName=, User=%s, AuthenticationMethod="Local-user", Command="%s")' % (ip, u, cmd))
        elif v == "Cisco":
            self.cisco(t, h, "PARSER", 5, "CFGLOG_LOGGEDCMD", "User:%s  logged command:show logging | include %s" % (u, r.choice(["LINK-3-UPDOWN", al])))
        elif v == "ZTE":
            self.zxr(t, h, 0x1302, 6, "CLI", "User %s executed command: show alarm current | include %s" % (u, al), notif=True)
        else:
            self.fholt(t, h, "INFO user %s query alarm history %s count=0" % (u, al))

    # ---- faults ------------------------------------------------------------------------
    def cut(self, span, t0, t_splice, first="a", gap=2.0, ring=None, head=None, olts=(), router=None, peer=None,
            tus=6, precursor=False, lof=False):
        """Fibre of span cut at t0, spliced at t_splice.  The first end reports 0.3 s after
        t0, the other gap s later; on the splice the ends clear at +0 s and +1 s.  An end
        that is silent at the time (cut off from the NMS) says nothing."""
        net, r = self.net, self.r
        s = net.span[span]
        ends = [(s["a_device"], s["a_port"]), (s["b_device"], s["b_port"])]
        if first == "b":
            ends.reverse()
        if precursor:
            for k, (h, p) in enumerate(ends):
                self.tx(t0 - sec(5 - k), h, "IN_PWR_LOW", True, p, "major")
                self.tx(t0 - sec(2 - k), h, "B2_EXC", True, p, "major")
                self.tx(t0 + sec(3 + k), h, "IN_PWR_LOW", False, p, "major")
                self.tx(t0 + sec(3.2 + k), h, "B2_EXC", False, p, "major")
        for k, (h, p) in enumerate(ends):
            tr = t0 + ms(300) + sec(gap * k)
            self.tx(tr, h, "R_LOS", True, p)
            if lof:
                self.tx(tr + ms(700), h, "OTU_LOF", True, p)
            self.tx(tr + ms(900), h, "MS_RDI", True, p, "minor")
            self.tx(t_splice + sec(k), h, "R_LOS", False, p)
            if lof:
                self.tx(t_splice + sec(k) + ms(600), h, "OTU_LOF", False, p)
            self.tx(t_splice + sec(k) + ms(800), h, "MS_RDI", False, p, "minor")
        for k, h in enumerate(ring or ()):
            p = (net.line_ports(h) or ["1-9-1"])[0]
            self.tx(t0 + ms(1600 + 140 * k + r.randrange(0, 90)), h, "APS_INDI", True, p, "major")
            self.tx(t_splice + sec(9 + k), h, "APS_INDI", False, p, "major")
        far = [h for h, _ in ends if h != head]
        for h in ([head] if head else []) + far[:1]:
            v = net.dev[h]["vendor"]
            for q in range(1, tus + 1):
                port = TU[v] % q
                self.tx(t0 + sec(2.5) + ms(r.randrange(0, 2500)), h, "TU_AIS", True, port, "major")
                self.tx(t_splice + sec(4) + ms(r.randrange(0, 3000)), h, "TU_AIS", False, port, "major")
        for j, olt in enumerate(olts):
            adm = ([h for h, _ in ends if net.sof(h) == net.sof(olt)] + far)[0]
            ep = ETH[net.dev[adm]["vendor"]] % (j + 1)
            t = t0 + sec(3) + ms(r.randrange(0, 1500))
            self.tx(t, adm, "ETH_LOS", True, ep)
            self.link(t + ms(r.randrange(30, 400)), olt, self.uplink(olt), False)
            self.pon(t, olt, t_splice, r.randint(1, 3))
            tc = t_splice + sec(12) + ms(r.randrange(0, 1500))
            self.tx(tc, adm, "ETH_LOS", False, ep)
            self.link(tc + ms(r.randrange(30, 400)), olt, self.uplink(olt), True)
        if router and peer:
            self.peer_down(t0 + sec(4), router, net.dev[peer]["mgmt_ip"], r.randint(3, 12), t_splice + sec(40), r.randrange(2000, 3000))

    def env(self, t, h, what, up):
        text = {"MAINS_FAIL": ("The mains supply failed. (EmuId=0, FrameId=0, SlotId=0, AcInputVoltage=0V)", "The mains supply recovered. (EmuId=0, FrameId=0, SlotId=0, AcInputVoltage=227V)"),
                "BATTERY_DISCHARGE": ("The battery group is discharging. (EmuId=0, BatteryGroup=1, Voltage=52.7V, Current=-31.2A)", "The battery group stopped discharging. (EmuId=0, BatteryGroup=1, Voltage=53.6V, Current=40.8A)"),
                "BATTERY_UNDERVOLTAGE": ("The battery voltage is lower than the alarm threshold. (EmuId=0, BatteryGroup=1, Voltage=45.0V, Threshold=45.0V)", "The battery voltage recovered. (EmuId=0, BatteryGroup=1, Voltage=53.6V, Threshold=45.0V)")}[what][0 if up else 1]
        d = self.net.dev[h]
        if d["role"] in ("metro-sdh", "backbone-otn"):
            self.tx(t, h, what, up, "1-27-1", "critical" if what == "MAINS_FAIL" else "major", ' desc="%s"' % text.split(" (")[0])
        elif d["vendor"] == "Huawei":
            self.vrp(t, h, "EMU", 2, what + ("_active" if up else "_clear"), "t", text)
        elif d["vendor"] == "ZTE":
            self.zxr(t, h, {"MAINS_FAIL": 45610, "BATTERY_DISCHARGE": 45611, "BATTERY_UNDERVOLTAGE": 45612}[what], 2, "ENVMON", "%s: %s" % (what, text.split(" (")[0]), cleared=not up)
        elif d["vendor"] == "Cisco":
            self.cisco(t, h, "PLATFORM_ENV", 1 if up else 5, "PWR_AC_FAIL" if up else "PWR_AC_OK", text.split(" (")[0])
        else:
            self.fholt(t, h, "%s %s port 0/0 level=CR desc=\"%s\"" % ("RAISE" if up else "CLEAR", what, text.split(" (")[0]), 130 if up else 133)

    def boot(self, t, site):
        for h in self.net.at[site]:
            d = self.net.dev[h]
            tb = t + sec(self.r.uniform(0, 15))
            if d["role"] == "edfa":
                continue
            if d["role"] in ("metro-sdh", "backbone-otn"):
                self.tx(tb, h, "NE_COLD_START", True, "1-9-1", "minor", ' desc="NE powered on"')
                self.tx(tb + sec(60), h, "NE_COLD_START", False, "1-9-1", "minor")
            elif d["vendor"] == "Huawei":
                self.vrp(tb, h, "SYSTEM", 4, "SYS_RESTART", "l", "The system restarted. (Reason=Power on, Version=V800R021C10)", reset=True)
            elif d["vendor"] == "Cisco":
                self.cisco(tb, h, "SYS", 5, "RESTART", "System restarted --")
            elif d["vendor"] == "ZTE":
                self.zxr(tb, h, 0x1101, 5, "SYSTEM", "System restarted, reason: power on", notif=True)
            else:
                self.fholt(tb, h, "INFO system restarted reason=power-on")


def T(s):
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")


def write(st, net, name):
    d = os.path.join(net.dir, "storms")
    os.makedirs(d, exist_ok=True)
    n = st.write(os.path.join(d, name + ".log"))
    print("%s/storms/%s.log: %d lines" % (os.path.basename(net.dir), name, n))


# ======================================================================================
# hilltown
def hilltown():
    net = Net("hilltown")
    CR = ["HT-GL-SDH01", "HT-SL-SDH01", "HT-LT-SDH01", "HT-YA-SDH01"]
    SLR = ["HT-SL-SDH02", "HT-SL-TA-SDH01", "HT-SL-MB-SDH01", "HT-SL-XJ-SDH01", "HT-SL-HP-SDH01"]

    # a plain cut of HT-CR01-S04 (Yun'ao - Gaoling) at 10:14:07, spliced 11:52:30
    t0, ts = T("2026-03-17 10:14:07"), T("2026-03-17 11:52:30")
    st = Storm(net, "ht-span-cut", t0 - sec(720), ts + sec(900))
    st.background(0.4)
    st.cut("HT-CR01-S04", t0, ts, first="b", gap=3.4, ring=CR, head="HT-GL-SDH01", olts=["HT-YA-OLT01"],
           router="HT-GL-RT01", peer="HT-YA-OLT01", precursor=True)
    write(st, net, "span-cut")

    # one dig in DUCT-HT-SL-E at 15:40:21: HT-CR01-S02 and HT-SL-R01-S01, the city ring's
    # span first (duct-cut-a) or the county ring's (duct-cut-b); splices 16:58:10 and 17:13:44
    for name, order in (("duct-cut-a", ("HT-CR01-S02", "HT-SL-R01-S01")), ("duct-cut-b", ("HT-SL-R01-S01", "HT-CR01-S02"))):
        t0 = T("2026-04-08 15:40:21")
        st = Storm(net, "ht-" + name, t0 - sec(600), T("2026-04-08 17:13:44") + sec(1000))
        st.background(0.4)
        splice = {"HT-CR01-S02": T("2026-04-08 17:13:44") if name == "duct-cut-a" else T("2026-04-08 16:58:10"),
                  "HT-SL-R01-S01": T("2026-04-08 16:58:10") if name == "duct-cut-a" else T("2026-04-08 17:13:44")}
        for k, sp in enumerate(order):
            ring = CR if sp.startswith("HT-CR01") else SLR
            st.cut(sp, t0 + sec(1.6 * k), splice[sp], first="ab"[k], gap=1.2 + k, ring=ring,
                   head="HT-SL-SDH01" if ring is CR else "HT-SL-SDH02",
                   olts=["HT-LT-OLT01"] if ring is CR else ["HT-SL-TA-OLT01"],
                   router="HT-GL-RT01" if k == 0 else None, peer="HT-SL-OLT01")
        write(st, net, name)

    # a second cut on the county ring: HT-SL-R01-S02 (TA-MB) at 02:31:50, HT-SL-R01-S04 (XJ-HP)
    # at 02:36:55.  MB, XJ and the chain behind MB are cut off until S04 is spliced at 03:25:12;
    # S02 is spliced at 03:58:40.
    t1, t2 = T("2026-05-21 02:31:50"), T("2026-05-21 02:36:55")
    s4, s2 = T("2026-05-21 03:25:12"), T("2026-05-21 03:58:40")
    st = Storm(net, "ht-second-cut", t1 - sec(840), s2 + sec(900))
    st.hush(["HT-SL-MB", "HT-SL-XJ", "HT-SL-ZK", "HT-SL-WS"], t2 + ms(150), s4 + sec(20))
    st.background(0.4)
    st.cut("HT-SL-R01-S02", t1, s2, first="a", gap=2.1, ring=SLR, head="HT-SL-SDH02", olts=["HT-SL-MB-OLT01"])
    st.cut("HT-SL-R01-S04", t2, s4, first="b", gap=0.8, ring=SLR, head="HT-SL-SDH02")
    write(st, net, "second-cut")

    # the chain's first span HT-SL-C01-S01 (MB 1-13-1 - ZK) cut at 09:05:33, spliced 10:41:02.
    # ZK, WS (and WS's OLT) are cut off from the NMS for all of it: only MB speaks.
    t0, ts = T("2026-07-14 09:05:33"), T("2026-07-14 10:41:02")
    st = Storm(net, "ht-chain-cut", t0 - sec(700), ts + sec(900))
    st.hush(["HT-SL-ZK", "HT-SL-WS"], t0 + ms(100), ts + sec(25))
    st.background(0.4)
    st.cut("HT-SL-C01-S01", t0, ts, first="a", gap=1.0, head="HT-SL-MB-SDH01", tus=4)
    write(st, net, "chain-cut")

    # mains fail at the Shiling seat HT-SL at 01:12:40; battery 41 min; dead at 01:53:40;
    # power back 02:47:00, the room boots in ~95 s.  The whole county ring and its chain hang
    # off HT-SL: cut off from the NMS while it is dark.  Neighbours on the city ring (GL, LT)
    # lose signal facing it; their LOS clears at 02:49:30 and 02:49:43.
    tm, td, tb = T("2026-08-03 01:12:40"), T("2026-08-03 01:53:40"), T("2026-08-03 02:47:00")
    st = Storm(net, "ht-site-power", tm - sec(800), tb + sec(1200))
    st.hush(["HT-SL"], td + ms(300), tb + sec(95))
    st.hush(["HT-SL-TA", "HT-SL-MB", "HT-SL-XJ", "HT-SL-HP", "HT-SL-ZK", "HT-SL-WS"], td + ms(300), tb + sec(125))
    st.background(0.4)
    st.env(tm, "HT-SL-OLT01", "MAINS_FAIL", True)
    st.env(tm + sec(2), "HT-SL-SDH02", "MAINS_FAIL", True)
    st.env(tm + sec(3), "HT-SL-OLT01", "BATTERY_DISCHARGE", True)
    for i in range(1, 4):
        st.vrp(tm + sec(600 * i), "HT-SL-OLT01", "EMU", 4, "BATTERY_VOLTAGE", "l", "Battery voltage report. (EmuId=0, BatteryGroup=1, Voltage=%.1fV, RemainingCapacity=%d%%)" % (51.8 - 1.3 * i, 88 - 19 * i))
    st.env(td - sec(600), "HT-SL-OLT01", "BATTERY_UNDERVOLTAGE", True)
    st.tx(td - sec(24), "HT-SL-SDH01", "POWER_FAIL", True, "1-27-1", "major", ' desc="Input voltage below -40.0V"')
    st.tx(td - sec(21), "HT-SL-SDH02", "POWER_FAIL", True, "1-27-1", "major", ' desc="Input voltage below -40.0V"')
    st.tx(td + sec(0.6), "HT-GL-SDH01", "R_LOS", True, "1-6-1")
    st.tx(td + sec(2.9), "HT-LT-SDH01", "R_LOS", True, "1-5-1")
    st.tx(tb + sec(150), "HT-GL-SDH01", "R_LOS", False, "1-6-1")
    st.tx(tb + sec(163), "HT-LT-SDH01", "R_LOS", False, "1-5-1")
    # the county ring's ends facing HT-SL: raised while cut off (never heard), cleared later
    st.tx(td + sec(1.1), "HT-SL-TA-SDH01", "R_LOS", True, "1-9-1")
    st.tx(td + sec(1.4), "HT-SL-HP-SDH01", "R_LOS", True, "1-10-1")
    st.tx(tb + sec(158), "HT-SL-TA-SDH01", "R_LOS", False, "1-9-1")
    st.tx(tb + sec(161), "HT-SL-HP-SDH01", "R_LOS", False, "1-10-1")
    for k, h in enumerate(["HT-GL-SDH01", "HT-LT-SDH01", "HT-YA-SDH01"]):
        p = net.line_ports(h)[0]
        st.tx(td + ms(1800 + 130 * k), h, "APS_INDI", True, p, "major")
        st.tx(tb + sec(170 + k), h, "APS_INDI", False, p, "major")
        for q in range(1, 5):
            st.tx(td + sec(2) + ms(st.r.randrange(0, 2000)), h, "TU_AIS", True, TU["ZTE"] % q, "major")
            st.tx(tb + sec(175) + ms(st.r.randrange(0, 2000)), h, "TU_AIS", False, TU["ZTE"] % q, "major")
    st.peer_down(td + sec(1.5), "HT-GL-RT01", net.dev["HT-SL-RT01"]["mgmt_ip"], 9, tb + sec(160), 3300)
    st.boot(tb + sec(95), "HT-SL")
    st.env(tb + sec(97), "HT-SL-OLT01", "MAINS_FAIL", False)
    st.env(tb + sec(98), "HT-SL-SDH02", "MAINS_FAIL", False)
    st.env(tb + sec(99), "HT-SL-OLT01", "BATTERY_DISCHARGE", False)
    st.env(tb + sec(100), "HT-SL-OLT01", "BATTERY_UNDERVOLTAGE", False)
    write(st, net, "site-power")

    # protected: HT-SL-R01-S04 (XJ-HP) carries HT-TV-001 (sncp) and is cut at 14:22:09,
    # spliced 15:06:51.  The ring switches; XJ is still reachable through MB.
    t0, ts = T("2026-09-09 14:22:09"), T("2026-09-09 15:06:51")
    st = Storm(net, "ht-protected-cut", t0 - sec(660), ts + sec(900))
    st.background(0.4)
    st.cut("HT-SL-R01-S04", t0, ts, first="a", gap=5.2, ring=SLR, head="HT-SL-SDH02", tus=3)
    write(st, net, "protected-cut")

    # noise: 95 minutes of chatter and near-misses, nothing wrong
    t0 = T("2026-10-12 19:03:00")
    st = Storm(net, "ht-noise", t0, t0 + sec(95 * 60))
    st.background(2.0)
    write(st, net, "noise")


# ======================================================================================
# riverport
def riverport():
    net = Net("riverport")
    BB = ["RV-NOC-OTN01", "RV-JK-OTN01", "FB-QT-OTN01"]
    FBR = ["FB-QT-SDH01", "FB-HA-SDH01", "FB-HP-SDH01", "FB-HP-LK-SDH01"]
    SWR = ["RV-SW-SDH01", "RV-SW-GT-SDH01", "RV-SW-MZ-SDH01"]

    # the backbone span BB-R01-S02 (Riverport core - Ferrybridge core) cut at 11:47:26,
    # spliced 14:03:15 (over 2 h: the repair clock runs out)
    t0, ts = T("2026-02-24 11:47:26"), T("2026-02-24 14:03:15")
    st = Storm(net, "rv-backbone-cut", t0 - sec(780), ts + sec(900))
    st.background(0.4)
    st.cut("BB-R01-S02", t0, ts, first="b", gap=0.6, ring=BB, head="RV-JK-OTN01", tus=0, lof=True)
    write(st, net, "backbone-cut")

    # an unprotected cut: RV-SW-R01-S03 (MZ 13-1-1 - SW 12-1-1) carries RV-EDU-001 (none)
    t0, ts = T("2026-03-30 08:20:44"), T("2026-03-30 09:37:05")
    st = Storm(net, "rv-county-cut", t0 - sec(640), ts + sec(900))
    st.background(0.4)
    st.cut("RV-SW-R01-S03", t0, ts, first="a", gap=4.4, ring=SWR, head="RV-SW-SDH01",
           router="RV-JK-RT02", peer="RV-SW-YT-OLT01", precursor=True)
    write(st, net, "county-cut")

    # a second cut on Ferrybridge's city ring: FB-CR01-S01 (QT-HA) at 21:05:12, FB-CR01-S03
    # (HP-LK) at 21:10:30.  HA and HP are cut off until S03 is spliced at 21:55:48; S01 is
    # spliced at 22:20:05.
    t1, t2 = T("2026-06-18 21:05:12"), T("2026-06-18 21:10:30")
    s3, s1 = T("2026-06-18 21:55:48"), T("2026-06-18 22:20:05")
    st = Storm(net, "rv-second-cut", t1 - sec(700), s1 + sec(900))
    st.hush(["FB-HA", "FB-HP"], t2 + ms(150), s3 + sec(20))
    st.background(0.4)
    st.cut("FB-CR01-S01", t1, s1, first="b", gap=1.7, ring=FBR, head="FB-QT-SDH01", olts=["FB-HA-OLT01"],
           router="FB-QT-RT01", peer="FB-HA-OLT01")
    st.cut("FB-CR01-S03", t2, s3, first="a", gap=2.5, ring=FBR, head="FB-QT-SDH01")
    write(st, net, "second-cut")

    # mains fail at the Heping seat FB-HP at 04:02:18 (Huawei OLT, ZTE ADM and Cisco router
    # all see it); battery 33 min, dead at 04:35:18; power back 05:41:00, boots in ~80 s.
    # HA (1-8-1) and LK (1-7-1) lose signal facing it and stay reachable around the ring;
    # their LOS clears at 05:43:40 and 05:43:52.
    tm, td, tb = T("2026-10-27 04:02:18"), T("2026-10-27 04:35:18"), T("2026-10-27 05:41:00")
    st = Storm(net, "rv-site-power", tm - sec(720), tb + sec(1100))
    st.hush(["FB-HP"], td + ms(300), tb + sec(80))
    st.background(0.4)
    st.env(tm, "FB-HP-OLT01", "MAINS_FAIL", True)
    st.env(tm + sec(1), "FB-HP-SDH01", "MAINS_FAIL", True)
    st.env(tm + sec(2), "FB-HP-RT01", "MAINS_FAIL", True)
    st.env(tm + sec(3), "FB-HP-OLT01", "BATTERY_DISCHARGE", True)
    for i in range(1, 3):
        st.vrp(tm + sec(600 * i), "FB-HP-OLT01", "EMU", 4, "BATTERY_VOLTAGE", "l", "Battery voltage report. (EmuId=0, BatteryGroup=1, Voltage=%.1fV, RemainingCapacity=%d%%)" % (51.5 - 1.6 * i, 85 - 24 * i))
    st.env(td - sec(600), "FB-HP-OLT01", "BATTERY_UNDERVOLTAGE", True)
    st.tx(td - sec(19), "FB-HP-SDH01", "POWER_FAIL", True, "1-27-1", "major", ' desc="Input voltage below -40.0V"')
    st.tx(td + sec(0.4), "FB-HA-SDH01", "R_LOS", True, "1-8-1")
    st.tx(td + sec(3.7), "FB-HP-LK-SDH01", "R_LOS", True, "1-7-1")
    st.tx(tb + sec(160), "FB-HA-SDH01", "R_LOS", False, "1-8-1")
    st.tx(tb + sec(172), "FB-HP-LK-SDH01", "R_LOS", False, "1-7-1")
    for k, h in enumerate(["FB-QT-SDH01", "FB-HA-SDH01", "FB-HP-LK-SDH01"]):
        p = net.line_ports(h)[0]
        st.tx(td + ms(1900 + 120 * k), h, "APS_INDI", True, p, "major")
        st.tx(tb + sec(180 + k), h, "APS_INDI", False, p, "major")
        for q in range(1, 4):
            st.tx(td + sec(2) + ms(st.r.randrange(0, 2000)), h, "TU_AIS", True, TU["ZTE"] % q, "major")
            st.tx(tb + sec(185) + ms(st.r.randrange(0, 2000)), h, "TU_AIS", False, TU["ZTE"] % q, "major")
    st.peer_down(td + sec(1.2), "FB-QT-RT01", net.dev["FB-HP-RT01"]["mgmt_ip"], 6, tb + sec(150), 3600)
    st.boot(tb + sec(80), "FB-HP")
    st.env(tb + sec(82), "FB-HP-OLT01", "MAINS_FAIL", False)
    st.env(tb + sec(83), "FB-HP-SDH01", "MAINS_FAIL", False)
    st.env(tb + sec(84), "FB-HP-RT01", "MAINS_FAIL", False)
    st.env(tb + sec(85), "FB-HP-OLT01", "BATTERY_DISCHARGE", False)
    st.env(tb + sec(86), "FB-HP-OLT01", "BATTERY_UNDERVOLTAGE", False)
    write(st, net, "site-power")

    # noise
    t0 = T("2026-11-19 13:30:00")
    st = Storm(net, "rv-noise", t0, t0 + sec(80 * 60))
    st.background(2.0)
    write(st, net, "noise")


if __name__ == "__main__":
    which = sys.argv[1:] or ["hilltown", "riverport"]
    for w in which:
        {"hilltown": hilltown, "riverport": riverport}[w]()
