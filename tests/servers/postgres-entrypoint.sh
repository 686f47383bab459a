#!/bin/sh
# postgres-entrypoint.sh PORT: a throw-away cluster (initdb at every start)
# listening on 127.0.0.1 and ::1, configured like scripts/test-servers.sh's:
# trust for postgres on loopback, passwords (scram) for everyone else, TLS
# only over ::1.
set -eu
port=$1
bin=/usr/lib/postgresql/$PG_MAJOR/bin
data=/var/lib/postgresql/sg
rm -rf "$data"
"$bin/initdb" -D "$data" -U postgres -A trust >/dev/null
cat >"$data/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all postgres ::1/128 trust
hostnossl all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
HBA
exec "$bin/postgres" -D "$data" -p "$port" -k /tmp -c listen_addresses=127.0.0.1,::1 \
    -c max_connections=200 -c fsync=off -c ssl=on \
    -c ssl_cert_file=/etc/sg-tls/server.crt -c ssl_key_file=/etc/sg-tls/server.key
