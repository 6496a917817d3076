#!/bin/sh
# Install the Debian packages faultline needs to build, test and run, if any are missing.
# Idempotent and quiet when everything is present; called by `make deps` (and so by
# `make run` and `make test`). Needs root or sudo only when something must be installed.
set -eu

PACKAGES="
gcc make pkg-config flex bison tzdata
libpcre2-dev librelp-dev libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev libcriterion-dev
clang libclang-rt-14-dev
bsdutils rsyslog rsyslog-relp snmp curl
python3 python3-aiosmtpd kannel kannel-extras
sqlite3 sec libvectorscan-dev
faketime stress-ng
libivykis0 libnet1 libjson-c5 libpcre3 libwrap0 libglib2.0-0
"

# syslog-ng-core is deliberately absent: Debian makes it conflict with rsyslog (both
# provide system-log-daemon), and the tests need rsyslog as a real sender. The
# benchmark that compares with syslog-ng unpacks its package privately instead
# (bench/peers.bench.sh); the libraries it links with, listed above, conflict with nothing.

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
