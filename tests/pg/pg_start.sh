#!/bin/sh
# pg_start.sh DIR - a throwaway PostgreSQL for the tests: a cluster initdb'd
# in DIR, listening only on a unix socket in DIR (no TCP: listen_addresses
# is empty) on a port of its own, with a database named faultline. Prints
# the store URL to use, postgresql://...; pg_stop.sh DIR ends it.
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# postgres user (Debian's package makes it) and DIR is handed to it.
# Every wait is bounded (60 s for the server, 30 s for the database, for
# a machine whose every core is busy). Exit 0, or 1 with why on stderr and the server's
# log copied there.
set -eu

dir=${1:?usage: pg_start.sh DIR}
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bindir/initdb" ] || { echo "pg_start: no PostgreSQL server (install postgresql)" >&2; exit 1; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
as() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	chown postgres "$dir"
	as() { runuser -u postgres -- "$@"; }
fi

# A port from the pid: sockets live in DIR, so two clusters only share a
# port number, never a socket; the range stays clear of 5432.
port=${PG_PORT:-$((20000 + $$ % 20000))}
# fsync off: the tests need no durability; a benchmark sets PG_FSYNC=on
fsync=${PG_FSYNC:-off}

as "$bindir/initdb" -D "$dir/data" -A trust -U faultline --no-locale -E UTF8 \
	>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-k $dir -p $port -c listen_addresses='' -c fsync=$fsync -c max_connections=60" \
	start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "$port" >"$dir/port"
i=0
until as "$bindir/psql" -h "$dir" -p "$port" -U faultline -d postgres -qAtc \
	'CREATE DATABASE faultline' >/dev/null 2>"$dir/psql.err"; do
	i=$((i + 1))
	[ $i -lt 150 ] || { cat "$dir/psql.err" "$dir/server.log" >&2; exit 1; }
	sleep 0.2
done
echo "postgresql:///faultline?host=$dir&port=$port&user=faultline"
