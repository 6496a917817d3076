#!/bin/sh
# make install DESTDIR=$T PREFIX=/usr lays out what a packaged faultline needs,
# and what it lays out works: the default config, read by the installed
# binary with the installed rules, examples and plugins (paths moved under
# $T), starts `faultline run`; the unit passes `systemd-analyze verify`; the
# man pages render without a warning; a second install keeps an edited
# config. Then PREFIX=/usr/local puts config and unit under the prefix.
# FL_BUILD: the build directory (make install-check sets it).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${FL_BUILD:?FL_BUILD must name the build directory}
BUILD=${BUILD#"$ROOT"/}
T=$(mktemp -d "${TMPDIR:-/tmp}/fl-install.XXXXXX")
RUN_PID=""
cleanup() {
	[ -z "$RUN_PID" ] || kill "$RUN_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

make -s --no-print-directory -C "$ROOT" BUILD="$BUILD" install DESTDIR="$T/root" PREFIX=/usr \
	>"$T/install.out" 2>&1 || fail "make install: $(tail -n 5 "$T/install.out")"
R="$T/root"
for f in usr/bin/faultline \
	usr/lib/faultline/plugins/email.so usr/lib/faultline/plugins/exec.so \
	usr/lib/faultline/plugins/file.so usr/lib/faultline/plugins/sms.so \
	usr/lib/faultline/plugins/webhook.so \
	usr/share/faultline/rules/faultline.plan usr/share/faultline/rules/vendors/huawei.plan \
	usr/share/faultline/examples/network/spans.csv usr/share/faultline/examples/site.plan \
	usr/share/man/man1/faultline.1 usr/share/man/man5/faultline.conf.5 \
	usr/share/man/man5/faultline-plan.5 \
	lib/systemd/system/faultline.service etc/faultline/faultline.conf; do
	[ -f "$R/$f" ] || fail "not installed: /$f"
done
[ -x "$R/usr/bin/faultline" ] || fail "/usr/bin/faultline is not executable"
[ "$(stat -c %a "$R/etc/faultline/faultline.conf")" = 640 ] ||
	fail "the config is readable by all: $(stat -c %a "$R/etc/faultline/faultline.conf")"
! grep -n '@[A-Z]*@' "$R/lib/systemd/system/faultline.service" "$R/etc/faultline/faultline.conf" ||
	fail "a placeholder was left"
U="$R/lib/systemd/system/faultline.service"
grep -qx 'Type=notify' "$U" || fail "the unit is not Type=notify"
grep -qx 'ExecStart=/usr/bin/faultline run -C /etc/faultline/faultline.conf' "$U" ||
	fail "ExecStart: $(grep ExecStart "$U")"
for k in 'Restart=on-failure' 'User=faultline' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
	'PrivateTmp=yes' 'AmbientCapabilities=CAP_NET_BIND_SERVICE' 'WatchdogSec=30s'; do
	grep -qx "$k" "$U" || fail "the unit lacks $k"
done
grep -qx 'ExecReload=/usr/bin/faultline reload --control /run/faultline/control' "$U" ||
	fail "ExecReload: $(grep ExecReload "$U")"
grep -qx 'control = /run/faultline/control' "$R/etc/faultline/faultline.conf" ||
	fail "the config does not name the control socket ExecReload asks"
grep -qx 'plugin_dir = /usr/lib/faultline/plugins' "$R/etc/faultline/faultline.conf" ||
	fail "the config does not name the installed plugins"

# the unit as systemd reads it (the binary moved to where it was installed)
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/unit"
	sed "s|^\(Exec[A-Za-z]*\)=/usr/bin/faultline|\1=$R/usr/bin/faultline|" "$U" >"$T/unit/faultline.service"
	systemd-analyze verify --man=no "$T/unit/faultline.service" >"$T/verify.out" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$T/verify.out")"
fi
if command -v man >/dev/null 2>&1; then
	for m in man1/faultline.1 man5/faultline.conf.5 man5/faultline-plan.5; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$R/usr/share/man/$m" >"$T/man.out" 2>"$T/man.err" ||
			fail "man $m: $(cat "$T/man.err")"
		[ ! -s "$T/man.err" ] || fail "man $m warns: $(cat "$T/man.err")"
		grep -q 'SEE ALSO' "$T/man.out" || fail "man $m: no SEE ALSO"
	done
fi

# the default config, as installed, runs: only the paths move under $T, and
# the privileged ports become free loopback ones on the command line
sed -e "s|/usr/|$R/usr/|g" -e "s|/var/lib/faultline|$T/state|g" -e "s|/run/faultline|$T/run|g" \
	"$R/etc/faultline/faultline.conf" >"$T/faultline.conf"
mkdir -p "$T/state" "$T/run"
# run.err exists before the loop reads it: the background shell opens it
# when it is scheduled, and a grep of a missing file counted nothing, which
# the test read as "not a number" and left the loop before the inputs were up
: >"$T/run.err"
"$R/usr/bin/faultline" run -C "$T/faultline.conf" --udp 127.0.0.1:0 --tcp 127.0.0.1:0 \
	--trap 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
RUN_PID=$!
i=0
listening() { n=$(grep -c '^listening ' "$T/run.err" 2>/dev/null || true); echo "${n:-0}"; }
while [ "$(listening)" -lt 3 ]; do
	kill -0 "$RUN_PID" 2>/dev/null || fail "the installed config did not start: $(cat "$T/run.err")"
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no inputs after 30 s: $(cat "$T/run.err")"
	sleep 0.1
done
"$R/usr/bin/faultline" status --control "$T/run/control" >"$T/status.out" 2>&1 ||
	fail "the installed config's control socket does not answer: $(cat "$T/status.out")"
kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
RUN_PID=""
[ "$rc" -eq 0 ] || fail "faultline run from the installed config exited $rc: $(tail -n 3 "$T/run.err")"
[ -f "$T/state/faultline.db" ] || fail "no store where the config says"

# an operator's edit survives the next install
echo "# edited" >>"$R/etc/faultline/faultline.conf"
make -s --no-print-directory -C "$ROOT" BUILD="$BUILD" install DESTDIR="$T/root" PREFIX=/usr \
	>"$T/install.out" 2>&1 || fail "second make install: $(tail -n 5 "$T/install.out")"
tail -n 1 "$R/etc/faultline/faultline.conf" | grep -qx '# edited' || fail "install overwrote the config"

make -s --no-print-directory -C "$ROOT" BUILD="$BUILD" install DESTDIR="$T/local" \
	PREFIX=/usr/local >"$T/install.out" 2>&1 || fail "make install PREFIX=/usr/local"
for f in usr/local/bin/faultline usr/local/etc/faultline/faultline.conf \
	usr/local/lib/systemd/system/faultline.service usr/local/lib/faultline/plugins/sms.so; do
	[ -f "$T/local/$f" ] || fail "PREFIX=/usr/local: not installed: /$f"
done
grep -qx 'ExecStart=/usr/local/bin/faultline run -C /usr/local/etc/faultline/faultline.conf' \
	"$T/local/usr/local/lib/systemd/system/faultline.service" || fail "PREFIX=/usr/local: ExecStart"
echo "install: ok ($(find "$R" -type f | wc -l) files under PREFIX=/usr)"
