#!/usr/bin/env python3
"""Writes the example network's storms (NAME.log) beside itself.

Each storm is an RFC 3164 recording in event-time order, +08:00, year 2026
(Huawei VRP lines carry the year, the others do not: replay them with
--year 2026), in the wordings the vendors' devices send. NAME.md says what
happens and the one correct outcome. Deterministic: no clock, no randomness.
"""
import datetime as dt
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class Storm:
    def __init__(self, start):
        self.t0 = dt.datetime.fromisoformat(start)
        self.lines = []
        self.seq = 7000

    def stamp(self, t, year=False):
        s = "%s %2d %s" % (MON[t.month - 1], t.day, t.strftime("%H:%M:%S"))
        return s.replace(" %s" % t.strftime("%H"), " %d %s" % (t.year, t.strftime("%H")), 1) \
            if year else s

    def add(self, secs, pri, host, text, year=False):
        t = self.t0 + dt.timedelta(seconds=secs)
        self.lines.append((secs, len(self.lines), "<%d>%s %s %s" % (pri, self.stamp(t, year), host, text)))

    def osn(self, secs, host, alarm, state, port, board="N1SL16", level="critical"):
        self.seq += 1
        pri = 133 if state == "cleared" else (130 if level == "critical" else 131)
        self.add(secs, pri, host, "OSN: %s %s port=%s board=%s level=%s seq=%d"
                 % (alarm, state, port, board, level, self.seq))

    def fh(self, secs, host, alarm, state, loc, sev="CR"):
        t = self.t0 + dt.timedelta(seconds=secs)
        pri = 133 if state == "CLEAR" else 130
        self.add(secs, pri, host, "OTNM2000: [ALARM] NE=%s LOC=%s ALMCODE=%s SEVERITY=%s STATE=%s TIME=%s"
                 % (host, loc, alarm, sev, state, t.strftime("%Y-%m-%d %H:%M:%S")))

    def vrp(self, secs, pri, host, tag, text):
        self.seq += 1
        self.add(secs, pri, host, "%%%%01%s[%d]:%s" % (tag, self.seq, text), year=True)

    def chatter(self, hosts, start, end, every=300):
        """What healthy devices say anyway: NTP, 15-min PM reports."""
        for k, host in enumerate(hosts):
            for secs in range(start + 17 * k % every, end, every):
                if host in ("MY-DP-RT01", "MY-SK-OLT01", "MY-SK-HT-OLT01"):  # Huawei VRP
                    self.vrp(secs, 190, host, "NTP/6/NTP_SYNC_STATE(l)", "NTP synchronization state changed. (State=synchronized, SyncSource=10.1.0.1)")
                elif host in ("MY-SK-RT01", "QC-CG-RT01", "QC-BS-OLT01"):  # ZTE ZXR10/ZXA10
                    t = self.t0 + dt.timedelta(seconds=secs)
                    self.add(secs, 190, host, "A notification 2211 ID %d level 6 occurred at %s sent by MPU-0/20/0 %%NTP%% NTP synchronized to 10.1.0.1" % (9000 + secs, t.strftime("%H:%M:%S %m/%d/%Y UTC+08:00")))
                elif host == "MY-LH-OLT01":  # FiberHome AN5516
                    self.add(secs, 134, host, "OLT[AN5516-04]: INFO ntp sync ok server 10.1.0.1")
                elif host.startswith("QC-") and host.endswith("SDH01"):  # ZTE ZXMP
                    self.add(secs, 134, host, "ZXMP: pm 15min port 1-6-1 in_pwr=-13.8dBm r_los_cnt=0")
                elif host.endswith("SDH01"):  # FiberHome OTNM2000
                    self.add(secs, 134, host, "OTNM2000: [PM] NE=%s LOC=1-10-1 PERIOD=15MIN IN_PWR=-15.2 R_LOS=0" % host)
                else:  # Huawei OptiX
                    self.seq += 1
                    self.add(secs, 134, host, "OSN: PM 15MIN port=1-8-1 IN_PWR=-14.%ddBm OUT_PWR=1.1dBm B1_BBE=0 ES=0 SES=0 UAS=0 LOS_SEC=0 R_LOS_CNT=0 seq=%d" % (k, self.seq))

    def write(self, name):
        self.lines.sort()
        with open(os.path.join(HERE, name + ".log"), "w", encoding="utf-8", newline="\n") as f:
            for _, _, line in self.lines:
                f.write(line + "\n")


def fibre_cut():
    # MY-SK-R01-S02: MY-SK-HT-OSN01 1-8-1 <-> MY-SK-SP-OSN01 1-7-1, 10:02:17, spliced 47 min later
    s = Storm("2026-11-25T09:55:00")
    s.chatter(["MY-SK-OSN02", "MY-SK-HT-OSN01", "MY-SK-SP-OSN01", "MY-SK-RT01", "MY-SK-OLT01"], 0, 3600)
    cut, splice = 437, 437 + 47 * 60 + 12
    s.osn(cut, "MY-SK-HT-OSN01", "R_LOS", "raised", "1-8-1")
    s.osn(cut + 1, "MY-SK-SP-OSN01", "R_LOS", "raised", "1-7-1")
    s.osn(cut + 2, "MY-SK-OSN02", "MS_RDI", "raised", "1-8-1", level="minor")
    for k, host in enumerate(["MY-SK-SP-OSN01", "MY-SK-LJ-OSN01", "MY-SK-YS-OSN01"]):
        s.osn(cut + 3 + k, host, "TU_AIS", "raised", "1-2-%d" % (k + 1), board="N1PQ1", level="major")
    s.add(cut + 5, 187, "MY-SK-RT01", "An alarm 14002 ID 5101 level 3 occurred at 10:02:22 11/25/2026 UTC+08:00 sent by MPU-0/20/0 %OSPF% OSPF neighbor 10.61.6.2 state change from FULL to DOWN")
    s.osn(splice, "MY-SK-HT-OSN01", "R_LOS", "cleared", "1-8-1")
    s.osn(splice, "MY-SK-SP-OSN01", "R_LOS", "cleared", "1-7-1")
    s.osn(splice + 1, "MY-SK-OSN02", "MS_RDI", "cleared", "1-8-1", level="minor")
    for k, host in enumerate(["MY-SK-SP-OSN01", "MY-SK-LJ-OSN01", "MY-SK-YS-OSN01"]):
        s.osn(splice + 2 + k, host, "TU_AIS", "cleared", "1-2-%d" % (k + 1), board="N1PQ1", level="major")
    s.add(splice + 9, 189, "MY-SK-RT01", "An alarm 14002 ID 5102 level 3 cleared at 10:49:38 11/25/2026 UTC+08:00 sent by MPU-0/20/0 %OSPF% OSPF neighbor 10.61.6.2 state change from LOADING to FULL")
    s.write("fibre-cut")


def site_power():
    # Lianhua county seat MY-LH: mains fail 03:08:21, battery for 52 min, then dark
    s = Storm("2026-11-26T02:55:00")
    fail = 801
    dark = fail + 52 * 60
    s.chatter(["MY-LH-SDH01", "MY-LH-OLT01", "MY-LH-OSN01"], 0, dark - 5)
    s.chatter(["MY-SK-OSN01", "MY-ZWZX-OSN01", "MY-LH-DT-SDH01", "MY-LH-ST-SDH01"], 0, dark + 1800)
    s.fh(fail, "MY-LH-SDH01", "MAINS_FAIL", "RAISE", "1-27-1")
    s.add(fail + 2, 130, "MY-LH-OLT01", "OLT[AN5516-04]: RAISE MAINS_FAIL port 0/0 level=CR desc=\"The mains supply failed.\"")
    s.osn(fail + 4, "MY-LH-OSN01", "MAINS_FAIL", "raised", "1-27-1", board="PIU")
    s.osn(fail + 6, "MY-LH-OSN01", "BATTERY_DISCHARGE", "raised", "1-27-1", board="PIU", level="major")
    s.fh(fail + 7, "MY-LH-SDH01", "BATTERY_DISCHARGE", "RAISE", "1-27-1", sev="MJ")
    s.osn(dark - 60, "MY-LH-OSN01", "BATTERY_UNDERVOLTAGE", "raised", "1-27-1", board="PIU", level="major")
    s.osn(dark - 5, "MY-LH-OSN01", "POWER_FAIL", "raised", "1-27-1", board="PIU", level="major")
    s.osn(dark + 1, "MY-SK-OSN01", "R_LOS", "raised", "1-8-1")
    s.osn(dark + 1, "MY-ZWZX-OSN01", "R_LOS", "raised", "1-7-1")
    s.fh(dark + 2, "MY-LH-DT-SDH01", "R_LOS", "RAISE", "1-9-1")
    s.fh(dark + 2, "MY-LH-ST-SDH01", "R_LOS", "RAISE", "1-10-1")
    s.write("site-power")


def flapping_link():
    # MY-DP-RT01 GigabitEthernet0/3/1 goes down and up 8 times in 4 minutes
    s = Storm("2026-11-27T14:00:00")
    s.chatter(["MY-DP-RT01"], 0, 1800)
    t = 125
    for k in range(8):
        for state, dt_s in (("DOWN", 0), ("UP", 9)):
            s.vrp(t + dt_s, 188, "MY-DP-RT01", "IFNET/4/LINK_STATE(l)",
                  "The line protocol IP on the interface GigabitEthernet0/3/1 has entered the %s state." % state)
            s.vrp(t + dt_s, 188, "MY-DP-RT01", "IFPDT/4/IF_STATE(l)",
                  "Interface GigabitEthernet0/3/1 has turned into %s state." % state)
        t += 31
    s.write("flapping-link")


def maintenance():
    # MW-2026-1128-01: MY-CR01-S04 (MY-ZWZX-OSN01 1-8-1 <-> MY-DP-OSN01 1-7-1) moved, 01:05-03:41
    s = Storm("2026-11-28T00:55:00")
    s.chatter(["MY-ZWZX-OSN01", "MY-DP-OSN01", "MY-DP-RT01"], 0, 3 * 3600)
    cut, splice = 612, 612 + 2 * 3600 + 35 * 60 + 55
    s.osn(cut, "MY-ZWZX-OSN01", "R_LOS", "raised", "1-8-1")
    s.osn(cut + 1, "MY-DP-OSN01", "R_LOS", "raised", "1-7-1")
    s.osn(cut + 2, "MY-ZWZX-OSN01", "APS_INDI", "raised", "1-8-1", level="minor")
    s.osn(splice, "MY-ZWZX-OSN01", "R_LOS", "cleared", "1-8-1")
    s.osn(splice + 1, "MY-DP-OSN01", "R_LOS", "cleared", "1-7-1")
    s.osn(splice + 2, "MY-ZWZX-OSN01", "APS_INDI", "cleared", "1-8-1", level="minor")
    s.write("maintenance")


def quiet_hours():
    # an hour of ordinary traffic with lines that name alarms and report none
    s = Storm("2026-12-02T09:00:00")
    s.chatter(["MY-DP-OSN01", "MY-DP-RT01", "QC-CG-SDH01", "MY-LH-SDH01", "QC-CG-RT01"], 0, 3600)
    near = [
        (60, 189, "MY-DP-RT01", None, "%%01SHELL/5/CMDRECORD(s)[4101]:Recorded command information. (Task=VT0, Ip=10.1.0.25, VpnName=, User=noc01, AuthenticationMethod=\"Local-user\", Command=\"display alarm active | include R_LOS\")"),
        (300, 134, "MY-DP-OSN01", None, "OSN: ALARM_ACK alarm=R_LOS port=1-8-1 state=history-cleared user=noc01 seq=6001"),
        (600, 134, "QC-CG-SDH01", None, "ZXMP: digest period=15min R_LOS=0 MS_AIS=0 TU_AIS=0 new=0"),
        (900, 134, "MY-LH-SDH01", None, "OTNM2000: [QUERY] USER=noc02 HISTORY ALMCODE=POWER_FAIL NE=MY-LH-SDH01 COUNT=0"),
        (1200, 130, "MY-DP-OSN01", None, "OSN: R_LOS raised port=1-11-7 board=N1SLQ1 level=critical seq=6002 mask=on (port not in service)"),
        (1500, 190, "QC-CG-RT01", None, "A notification 4866 ID 7301 level 6 occurred at 09:25:00 12/02/2026 UTC+08:00 sent by MPU-0/20/0 %CLI% User noc03 executed command: show alarm current | include MAINS_FAIL"),
        (1800, 78, "nms-log01", None, "CRON[4242]: (noc) CMD (/usr/local/bin/alarm-digest --since 15m --match 'R_LOS|MAINS_FAIL' --mail noc@example.net)"),
        (2100, 133, "MY-DP-OSN01", None, "OSN: TU_AIS cleared port=1-2-3 board=N1PQ1 level=major seq=6003"),
    ]
    for secs, pri, host, _, text in near:
        if text.startswith("%%"):
            t = s.t0 + dt.timedelta(seconds=secs)
            s.add(secs, pri, host, text, year=True)
        else:
            s.add(secs, pri, host, text)
    s.write("quiet-hours")


if __name__ == "__main__":
    fibre_cut()
    site_power()
    flapping_link()
    maintenance()
    quiet_hours()
