#!/bin/sh
# Install the Debian packages faultline needs, if any are missing, by set:
#   runtime  what the installed binary and its plugins load and read
#   build    compilers, generators and headers for `make all`
#   test     what `make test` drives or compares against (receivers, senders,
#            fuzzing, load, sanitizers, the unit test framework)
#   package  what `make package` and `make package-test` need on top of build
#            (dpkg-buildpackage; debootstrap and systemd-nspawn to boot a Debian
#            with systemd and install the package there)
# Usage: deps.sh [SET...] (no SET: runtime build test). `make run` asks for
# runtime and build, `make test` for those and test, `make package` for
# runtime, build and package. Idempotent and quiet when everything is
# present; needs root or sudo only when something must be installed.
set -eu

RUNTIME="
libpcre2-8-0 librelp0 libgnutls30 libsqlite3-0 libpq5 libcurl4 libmicrohttpd12 libnettle8 tzdata
"
BUILD="
gcc make pkg-config flex bison
libpcre2-dev librelp-dev libgnutls28-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev libmicrohttpd-dev nettle-dev libcrypt-dev
"
TEST="
libcriterion-dev clang libclang-rt-14-dev
bsdutils rsyslog rsyslog-relp rsyslog-gnutls gnutls-bin snmp curl
python3 python3-aiosmtpd kannel kannel-extras
sqlite3 postgresql sec libvectorscan-dev
faketime stress-ng chromium chromium-driver python3-selenium fonts-wqy-microhei
libivykis0 libnet1 libjson-c5 libpcre3 libwrap0 libglib2.0-0
"
PACKAGE="
dpkg-dev debhelper fakeroot
debootstrap systemd-container
"

# syslog-ng-core is deliberately absent: Debian makes it conflict with rsyslog (both
# provide system-log-daemon), and the tests need rsyslog as a real sender. The
# benchmark that compares with syslog-ng unpacks its package privately instead
# (bench/peers.bench.sh); the libraries it links with, listed above, conflict with nothing.

[ $# -gt 0 ] || set -- runtime build test
PACKAGES=""
for set in "$@"; do
	case $set in
	runtime) PACKAGES="$PACKAGES $RUNTIME" ;;
	build) PACKAGES="$PACKAGES $BUILD" ;;
	test) PACKAGES="$PACKAGES $TEST" ;;
	package) PACKAGES="$PACKAGES $PACKAGE" ;;
	*)
		echo "deps: no set '$set' (runtime, build, test, package)" >&2
		exit 2
		;;
	esac
done

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
