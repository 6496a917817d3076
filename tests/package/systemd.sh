#!/bin/sh
# make package-test: the .deb of `make package` installed on a Debian bookworm
# whose PID 1 is systemd, started as a service, sent a fibre cut, reloaded,
# restarted and purged. The system is a debootstrapped root under
# $FL_BUILD/package/systemd/root, kept between runs (its stamp lists the
# packages it was made with) and booted with `systemd-nspawn --boot`; each run
# boots it with --volatile=overlay, so what the test installs lands in a tmpfs
# and the cached root stays as debootstrap left it.
#
# The container has a network of its own (--private-network: loopback only):
# the packaged config binds 0.0.0.0:514 and :162, which on the host's network
# would collide with whatever listens there and would expose the test to the
# machine's traffic. The package's dependencies therefore come from the mirror
# when the root is made (debootstrap --include of the .deb's Depends), so the
# install itself needs no network.
#
# Every step is bounded; the log is $FL_BUILD/package/systemd/test.log.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKG=${FL_BUILD:?FL_BUILD must name the build directory}/package
DIR=$PKG/systemd
CT=$DIR/root
LOG=$DIR/test.log
MIRROR=${FL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# the span of the example network whose two ends the storm darkens
SPAN=MY-SK-R01-S02
START=$(date +%s)
NSPAWN_PID=""

mkdir -p "$DIR"
: >"$LOG"
say() {
	echo "== $* ($(($(date +%s) - START)) s)" | tee -a "$LOG"
}
fail() {
	echo "FAIL: $*" | tee -a "$LOG" >&2
	exit 1
}

VERSION=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB_NAME=faultline_${VERSION}_$ARCH.deb
[ "$(id -u)" = 0 ] || fail "debootstrap and systemd-nspawn need root"
[ -f "$PKG/$DEB_NAME" ] || fail "no $PKG/$DEB_NAME: run make package first"
for tool in systemd-nspawn debootstrap nsenter timeout; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (scripts/deps.sh package)"
done

# --- the cached root -------------------------------------------------------

# The packages of the root: systemd as init, and the .deb's dependencies
# (alternatives: the first; versions dropped) so that apt installs it offline.
wanted_packages() {
	{
		dpkg-deb -f "$PKG/$DEB_NAME" Depends | tr ',' '\n' |
			sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/[[:space:]]//g'
		printf '%s\n' systemd systemd-sysv dbus
	} | grep -v '^$' | sort -u
}

make_root() {
	wanted_packages >"$DIR/root.wanted"
	if [ -f "$DIR/root.stamp" ] && cmp -s "$DIR/root.wanted" "$DIR/root.stamp"; then
		say "root: cached $CT"
		return 0
	fi
	say "root: debootstrap $SUITE from $MIRROR ($(tr '\n' ' ' <"$DIR/root.wanted"))"
	rm -rf "$CT" "$DIR/root.stamp"
	timeout 1800 nice debootstrap --variant=minbase \
		--include="$(paste -sd, "$DIR/root.wanted")" \
		"$SUITE" "$CT" "$MIRROR" >>"$LOG" 2>&1 ||
		fail "debootstrap: $(tail -n 5 "$LOG")"
	# no machine-id: systemd makes one at each (volatile) boot
	: >"$CT/etc/machine-id"
	echo fl-package-test >"$CT/etc/hostname"
	# a console getty on a pipe would only fail
	rm -f "$CT/etc/systemd/system/getty.target.wants/"*
	mv "$DIR/root.wanted" "$DIR/root.stamp"
}

# --- the container ---------------------------------------------------------

stop_container() {
	[ -n "$NSPAWN_PID" ] || return 0
	# SIGTERM makes systemd-nspawn ask the container's systemd to power off
	kill -TERM "$NSPAWN_PID" 2>/dev/null || true
	i=0
	while kill -0 "$NSPAWN_PID" 2>/dev/null && [ "$i" -lt 60 ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 "$NSPAWN_PID" 2>/dev/null; then
		echo "container did not power off in 60 s: killed" >>"$LOG"
		kill -KILL "$NSPAWN_PID" 2>/dev/null || true
	fi
	wait "$NSPAWN_PID" 2>/dev/null || true
	NSPAWN_PID=""
}
trap 'stop_container' EXIT
trap 'exit 1' INT TERM

# The container's PID 1 on the host: the process systemd-nspawn started whose
# PID in its own namespace is 1.
leader_pid() {
	for p in /proc/[0-9]*; do
		[ "$(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null)" = "$NSPAWN_PID" ] || continue
		if awk '/^NSpid:/ {exit !($NF == 1)}' "$p/status" 2>/dev/null; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 1
}

# in_ct SECONDS SCRIPT: SCRIPT run by /bin/sh inside the container, as root in
# all its namespaces; output to stdout, also kept in the log.
in_ct() {
	limit=$1
	shift
	echo "-- in container: $*" >>"$LOG"
	rc=0
	timeout "$limit" nsenter --target "$LEADER" --all -- \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive /bin/sh -c "$*" >"$DIR/out" 2>>"$LOG" || rc=$?
	cat "$DIR/out" >>"$LOG"
	cat "$DIR/out"
	return "$rc"
}

# wait_for SECONDS SCRIPT: until SCRIPT succeeds inside the container.
wait_for() {
	limit=$1
	shift
	end=$(($(date +%s) + limit))
	while [ "$(date +%s)" -lt "$end" ]; do
		in_ct 30 "$*" >/dev/null 2>&1 && return 0
		sleep 1
	done
	return 1
}

# --register=no --keep-unit: no machined and no host systemd to ask for a
# scope (this also works where the host's PID 1 is not systemd).
boot() {
	say "boot: systemd-nspawn --boot $CT"
	: >"$DIR/console.log"
	systemd-nspawn --quiet --boot --register=no --keep-unit --private-network \
		--volatile=overlay --console=pipe --machine=fl-package-test \
		--bind-ro="$PKG:/srv/package" --directory="$CT" \
		</dev/null >>"$DIR/console.log" 2>&1 &
	NSPAWN_PID=$!
	LEADER=""
	i=0
	while [ -z "$LEADER" ] && [ "$i" -lt 30 ]; do
		kill -0 "$NSPAWN_PID" 2>/dev/null || fail "systemd-nspawn exited: $(tail -n 20 "$DIR/console.log")"
		LEADER=$(leader_pid) || LEADER=""
		sleep 1
		i=$((i + 1))
	done
	[ -n "$LEADER" ] || fail "no container PID 1 after 30 s: $(tail -n 20 "$DIR/console.log")"
	echo "container PID 1 is host PID $LEADER" >>"$LOG"
	state=""
	end=$(($(date +%s) + 120))
	while [ "$(date +%s)" -lt "$end" ]; do
		state=$(in_ct 30 'systemctl is-system-running' 2>/dev/null) || true
		case $state in running | degraded) break ;; esac
		sleep 1
	done
	case $state in
	running) ;;
	degraded) echo "degraded: $(in_ct 30 'systemctl --failed --no-legend')" >>"$LOG" ;;
	*) fail "the container's systemd is '$state' after 120 s: $(tail -n 20 "$DIR/console.log")" ;;
	esac
	say "boot: systemd is $state"
}

# --- the steps -------------------------------------------------------------

# prop NAME: one property of faultline.service, as systemctl shows it
prop() {
	in_ct 30 "systemctl show -P $1 faultline.service"
}

# The packaged inputs listen: UDP and TCP 514, UDP 162 (hex ports in
# /proc/net; 07 is an unconnected UDP socket, 0A a listening TCP one).
LISTENING='grep -q ":0202 00000000:0000 07" /proc/net/udp &&
	grep -q ":0202 00000000:0000 0A" /proc/net/tcp &&
	grep -q ":00A2 00000000:0000 07" /proc/net/udp'

step_install() {
	say "1. apt-get install ./$DEB_NAME"
	in_ct 300 "apt-get install -y --no-install-recommends /srv/package/$DEB_NAME" >/dev/null ||
		fail "apt-get install: $(tail -n 20 "$LOG")"
	in_ct 30 'getent passwd faultline' | grep -q '^faultline:x:[0-9]*:[0-9]*:.*:/var/lib/faultline:/usr/sbin/nologin$' ||
		fail "no system user faultline: $(in_ct 30 'getent passwd faultline')"
	[ "$(in_ct 30 'systemctl is-enabled faultline')" = enabled ] || fail "faultline.service is not enabled"
	wait_for 60 'systemctl is-active --quiet faultline' ||
		fail "faultline.service is not active: $(in_ct 30 'systemctl status --no-pager -l faultline; journalctl -b -u faultline --no-pager | tail -n 30')"
	# Type=notify: active (not activating) only once READY=1 came
	[ "$(prop Type)" = notify ] || fail "the unit is not Type=notify: $(prop Type)"
	[ "$(prop SubState)" = running ] || fail "faultline.service: $(prop SubState)"
	# what systemd itself finds wrong with the unit as installed (no man(1)
	# in a minimal root to look up its Documentation= pages)
	in_ct 60 'systemd-analyze verify --man=no faultline.service' >/dev/null 2>&1 ||
		fail "systemd-analyze verify --man=no faultline.service: $(in_ct 60 'systemd-analyze verify --man=no faultline.service 2>&1')"
	MAIN_PID=$(prop MainPID)
	ACTIVE_AT=$(date +%s)
	uid=$(in_ct 30 "awk '/^Uid:/ {print \$2}' /proc/$MAIN_PID/status")
	[ "$uid" = "$(in_ct 30 'id -u faultline')" ] || fail "the engine runs as uid $uid, not faultline"
	wait_for 30 "$LISTENING" || fail "the packaged inputs do not listen on 514/udp, 514/tcp, 162/udp"
	say "1. installed: user faultline, unit enabled and active (READY), main PID $MAIN_PID"
}

# Both ends of $SPAN lose light, one over UDP, one over TCP: logger writes
# the machine's name as the sender, so each runs in a UTS namespace named as
# the device.
storm() {
	in_ct 30 'unshare -u sh -c "hostname MY-SK-HT-OSN01 &&
			logger -n 127.0.0.1 -P 514 -d --rfc3164 -p local0.crit -t OSN \"R_LOS raised port=1-8-1\""' ||
		fail "logger over UDP"
	in_ct 30 'unshare -u sh -c "hostname MY-SK-SP-OSN01 &&
			logger -n 127.0.0.1 -P 514 -T --octet-count --rfc3164 -p local0.crit -t OSN \"R_LOS raised port=1-7-1\""' ||
		fail "logger over TCP"
}

TICKETS='faultline tickets --db /var/lib/faultline/faultline.db'

step_storm() {
	say "2. a fibre cut on $SPAN: R_LOS on both ends (UDP and TCP 514)"
	storm
	# the plan holds a cut about 30 s before it opens the incident
	wait_for 120 "$TICKETS list | grep -q $SPAN" ||
		fail "no ticket on $SPAN after 120 s: $(in_ct 30 "$TICKETS list; journalctl -b -u faultline --no-pager | tail -n 30")"
	in_ct 30 "$TICKETS --json list" >"$DIR/tickets.json"
	TICKET=$(grep -o '"id":"INC-[^"]*"' "$DIR/tickets.json" | head -n 1 | cut -d'"' -f4)
	[ -n "$TICKET" ] || fail "no ticket id in: $(cat "$DIR/tickets.json")"
	[ "$(grep -o '"id":"INC-' "$DIR/tickets.json" | wc -l)" -eq 1 ] ||
		fail "the storm is more than one ticket: $(cat "$DIR/tickets.json")"
	grep -q '"rule":"fibre_cut"' "$DIR/tickets.json" || fail "ticket $TICKET is not a fibre cut"
	grep -q "\"span\":\"$SPAN\"" "$DIR/tickets.json" || fail "ticket $TICKET is not located on $SPAN"
	grep -q '"evidence":"both ends"' "$DIR/tickets.json" || fail "ticket $TICKET lacks both ends (UDP and TCP)"
	in_ct 30 "$TICKETS show $TICKET" | grep -q "$SPAN" || fail "tickets show $TICKET does not name $SPAN"
	# more than WatchdogSec (30 s) since the start: a missed ping would have
	# restarted it by now
	while [ $(($(date +%s) - ACTIVE_AT)) -lt 40 ]; do sleep 1; done
	[ "$(prop NRestarts)" = 0 ] || fail "faultline.service restarted $(prop NRestarts) times"
	[ "$(prop MainPID)" = "$MAIN_PID" ] || fail "the main PID changed: $(prop MainPID), was $MAIN_PID"
	[ -n "$(prop WatchdogTimestampMonotonic | grep -v '^0$')" ] || fail "no watchdog ping recorded"
	if in_ct 30 'journalctl -b --no-pager | grep -i "faultline.service: watchdog timeout"' >/dev/null; then
		fail "the watchdog tripped"
	fi
	say "2. ticket $TICKET on $SPAN; no restart, watchdog pinged"
}

step_reload_restart() {
	say "3. systemctl reload, restart"
	in_ct 60 'systemctl reload faultline' >/dev/null ||
		fail "systemctl reload: $(in_ct 30 'journalctl -b -u faultline --no-pager | tail -n 20')"
	in_ct 30 'systemctl is-active --quiet faultline' || fail "not active after reload"
	[ "$(prop MainPID)" = "$MAIN_PID" ] || fail "reload replaced the process: $(prop MainPID), was $MAIN_PID"
	in_ct 30 'faultline status --control /run/faultline/control' | grep -q 'reloads: 1 ok, 0 failed' ||
		fail "the engine did not count the reload: $(in_ct 30 'faultline status --control /run/faultline/control')"
	in_ct 60 'systemctl restart faultline' >/dev/null ||
		fail "systemctl restart: $(in_ct 30 'journalctl -b -u faultline --no-pager | tail -n 20')"
	in_ct 30 'systemctl is-active --quiet faultline' || fail "not active after restart"
	new_pid=$(prop MainPID)
	[ "$new_pid" != "$MAIN_PID" ] && [ "$new_pid" != 0 ] || fail "restart kept main PID $MAIN_PID"
	in_ct 30 "$TICKETS show $TICKET" | grep -q "$SPAN" || fail "ticket $TICKET lost across the restart"
	wait_for 30 "$LISTENING" || fail "the inputs do not listen after the restart"
	say "3. reload kept PID $MAIN_PID; restart gave PID $new_pid, ticket $TICKET kept"
}

# Debian policy: remove keeps the configuration and the state (a reinstall
# finds its tickets), stops the service and takes the program away.
step_remove() {
	say "4. apt-get remove faultline"
	in_ct 300 'apt-get remove -y faultline' >/dev/null || fail "apt-get remove: $(tail -n 20 "$LOG")"
	! in_ct 30 'systemctl is-active --quiet faultline' || fail "faultline.service active after remove"
	! in_ct 30 'test -e /usr/bin/faultline' || fail "remove left /usr/bin/faultline"
	for f in /etc/faultline/faultline.conf /var/lib/faultline/faultline.db; do
		in_ct 30 "test -s $f" || fail "remove took $f (only purge may)"
	done
	say "4. removed: stopped, program gone, config and store kept"
}

step_purge() {
	say "4. apt-get purge faultline"
	in_ct 30 'journalctl -b --no-pager -u faultline' >/dev/null || true
	in_ct 300 'apt-get purge -y faultline' >/dev/null || fail "apt-get purge: $(tail -n 20 "$LOG")"
	in_ct 30 'dpkg-query -W -f="\${Status}" faultline 2>/dev/null | grep -q "not-installed"' ||
		in_ct 30 '! dpkg-query -W faultline >/dev/null 2>&1' || fail "dpkg still knows faultline"
	! in_ct 30 'systemctl is-active --quiet faultline' || fail "faultline.service still active"
	in_ct 30 'for p in /proc/[0-9]*; do cat $p/comm; done 2>/dev/null' | grep -qx faultline &&
		fail "a faultline process still runs"
	for f in /lib/systemd/system/faultline.service /usr/lib/systemd/system/faultline.service \
		/etc/systemd/system/multi-user.target.wants/faultline.service /etc/faultline \
		/var/lib/faultline /usr/bin/faultline; do
		! in_ct 30 "test -e $f || test -L $f" || fail "left after purge: $f"
	done
	in_ct 30 'systemctl cat faultline.service' >/dev/null 2>&1 && fail "systemd still has faultline.service"
	# the maintainer scripts keep the system user (debian/faultline.postrm)
	in_ct 30 'getent passwd faultline' >/dev/null || fail "purge removed the faultline user"
	say "4. purged: unit, config, store gone; user faultline kept"
}

make_root
boot
step_install
step_storm
step_reload_restart
step_remove
step_purge
say "5. power off"
stop_container
echo "package-test: ok ($(($(date +%s) - START)) s, log in $LOG)" | tee -a "$LOG"
