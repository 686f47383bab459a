#!/bin/sh
# mariadb-entrypoint.sh PORT SOCKET: a throw-away data directory (made at
# every start) on 127.0.0.1:PORT and SOCKET (a directory the host mounts),
# configured like scripts/test-servers.sh's MariaDB.
set -eu
port=$1 socket=$2
data=/var/lib/sg-mysql
rm -rf "$data"
mkdir -p "$data" && chown mysql:mysql "$data"
mariadb-install-db --no-defaults --datadir="$data" --user=mysql \
    --auth-root-authentication-method=normal --skip-test-db >/dev/null
exec mariadbd --no-defaults --datadir="$data" --user=mysql --bind-address=127.0.0.1 \
    --port="$port" --socket="$socket" --pid-file="$data/mysql.pid" \
    --max-connections=300 --innodb-flush-log-at-trx-commit=0 --skip-log-bin
