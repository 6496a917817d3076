#!/bin/sh
# make package: builds the Debian package with `dpkg-buildpackage -us -uc -b`
# from a copy of the tracked tree (working-tree contents, no build
# directories), keeps the .deb in $FL_BUILD/package/, and checks it: the
# files of `make install PREFIX=/usr`, the config a conffile, the unit
# enabled and started by the maintainer scripts after the faultline user is
# created, the dependencies found from the libraries, and a binary that runs
# from the unpacked package. Minutes of compiling: not part of `make test`.
# It does not install the package on this machine (that would change its
# /etc and users under every other test).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FL_BUILD:?FL_BUILD must name the build directory}/package
T=$(mktemp -d "${TMPDIR:-/tmp}/fl-package.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

VERSION=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
SRC="$T/faultline-$VERSION"
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -z | xargs -0 cp -P --parents -t "$SRC")
echo "== dpkg-buildpackage -us -uc -b (faultline $VERSION, log in $OUT/build.log)"
mkdir -p "$OUT"
(cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=2" nice dpkg-buildpackage -us -uc -b) \
	>"$OUT/build.log" 2>&1 || fail "dpkg-buildpackage: $(tail -n 20 "$OUT/build.log")"
DEB="$T/faultline_${VERSION}_$ARCH.deb"
[ -f "$DEB" ] || fail "no $DEB: $(ls "$T")"
cp "$DEB" "$OUT/"

dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$T/files"
for f in /usr/bin/faultline /usr/lib/faultline/plugins/sms.so /usr/lib/faultline/plugins/webhook.so \
	/usr/share/faultline/rules/faultline.plan /usr/share/faultline/examples/network/spans.csv \
	/usr/share/man/man1/faultline.1.gz /usr/share/man/man5/faultline.conf.5.gz \
	/usr/share/man/man5/faultline-plan.5.gz /etc/faultline/faultline.conf; do
	grep -qx "$f" "$T/files" || fail "not in the package: $f"
done
grep -qE '^/(usr/)?lib/systemd/system/faultline.service$' "$T/files" || fail "no unit in the package"

mkdir -p "$T/control"
dpkg-deb -e "$DEB" "$T/control"
grep -qx '/etc/faultline/faultline.conf' "$T/control/conffiles" || fail "the config is not a conffile"
grep -q 'adduser --system' "$T/control/postinst" || fail "postinst does not create the user"
# the user exists before debhelper's snippet enables and starts the unit
user_at=$(grep -n 'adduser --system' "$T/control/postinst" | head -n 1 | cut -d: -f1)
start_at=$(grep -n 'deb-systemd-invoke.*start\|deb-systemd-helper.*enable\|systemctl.*start' \
	"$T/control/postinst" | head -n 1 | cut -d: -f1)
[ -n "$start_at" ] || fail "postinst does not enable or start faultline.service"
[ "$user_at" -lt "$start_at" ] || fail "postinst starts the service before creating its user"
grep -q 'rm -rf /var/lib/faultline' "$T/control/postrm" || fail "purge leaves the store"
dpkg-deb -f "$DEB" Depends >"$T/depends"
for d in libpcre2-8-0 librelp0 libsqlite3-0 libcurl4 adduser; do
	grep -q "$d" "$T/depends" || fail "Depends lacks $d: $(cat "$T/depends")"
done

dpkg-deb -x "$DEB" "$T/root"
"$T/root/usr/bin/faultline" --version | grep -qx "faultline $VERSION" ||
	fail "the packaged binary: $("$T/root/usr/bin/faultline" --version 2>&1)"
sed -e "s|/usr/|$T/root/usr/|g" -e "s|/var/lib/faultline|$T|g" "$T/root/etc/faultline/faultline.conf" \
	>"$T/faultline.conf"
"$T/root/usr/bin/faultline" check "$T/root/usr/share/faultline/rules/faultline.plan" \
	--data "$T/root/usr/share/faultline/examples/network" >"$T/check.out" 2>&1 ||
	fail "the packaged plan does not compile: $(tail -n 5 "$T/check.out")"
echo "package: ok: $OUT/$(basename "$DEB") ($(wc -l <"$T/files") entries)"
