#!/bin/sh
# pg_stop.sh DIR - ends the cluster pg_start.sh DIR started (fast shutdown,
# then immediate, bounded) and removes DIR.
set -u

dir=${1:?usage: pg_stop.sh DIR}
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as() { "$@"; }
[ "$(id -u)" = 0 ] && as() { runuser -u postgres -- "$@"; }
if [ -f "$dir/data/postmaster.pid" ]; then
	as "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
		as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
fi
rm -rf "$dir"
