#!/bin/sh
# with_pg.sh COMMAND... - runs COMMAND with FL_TEST_PG_URL naming a
# throwaway PostgreSQL (pg_start.sh), stopped and removed afterwards
# whatever COMMAND does. Exits with COMMAND's status.
set -u

here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/fl-pg-XXXXXX) || exit 1
trap 'sh "$here/pg_stop.sh" "$dir"' EXIT
trap 'exit 130' INT TERM
FL_TEST_PG_URL=$(sh "$here/pg_start.sh" "$dir") || exit 1
export FL_TEST_PG_URL
"$@"
