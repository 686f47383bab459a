#!/usr/bin/env bash
# Starts PostgreSQL 15 and MariaDB on loopback in a temporary directory,
# without systemd, for the tests and CI. Password users on both.
#   scripts/test-servers.sh start   # prints `export SG_TEST_*=...` lines
#   scripts/test-servers.sh stop
#   scripts/test-servers.sh env     # the export lines again
# SG_SERVER_DIR (default /tmp/schemagate-test-servers), SG_PG_PORT (54329),
# SG_MYSQL_PORT (33069) override the defaults.
set -euo pipefail

dir=${SG_SERVER_DIR:-/tmp/schemagate-test-servers}
pg_port=${SG_PG_PORT:-54329}
my_port=${SG_MYSQL_PORT:-33069}
pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
user=sg
password='sg-Pa55:w/rd@x'   # URL-hostile on purpose: tests percent-encoding
password_enc='sg-Pa55%3Aw%2Frd%40x'
db=sg_test

print_env() {
    echo "export SG_TEST_PG_URL='postgresql://$user:$password_enc@127.0.0.1:$pg_port/$db'"
    echo "export SG_TEST_MYSQL_URL='mysql://$user:$password_enc@127.0.0.1:$my_port/$db'"
    echo "export SG_TEST_PG_ADMIN_URL='postgresql://postgres@127.0.0.1:$pg_port/postgres'"
    echo "export SG_TEST_MYSQL_ADMIN_URL='mysql://root@127.0.0.1:$my_port/mysql'"
    echo "export SG_TEST_MYSQL_SOCKET='$dir/mysql-run/mysql.sock'"
    echo "export SG_TEST_PG_PORT=$pg_port SG_TEST_MYSQL_PORT=$my_port SG_TEST_PG_BIN='$pg_bin'"
    echo "export SG_TEST_SERVER_DIR='$dir'"
}

start_pg() {
    mkdir -p "$dir/pg-sock" "$dir/pg-log"
    chown -R postgres:postgres "$dir/pg-sock" "$dir/pg-log"
    if [ ! -f "$dir/pg/PG_VERSION" ]; then
        mkdir -p "$dir/pg" && chown postgres:postgres "$dir/pg"
        runuser -u postgres -- "$pg_bin/initdb" -D "$dir/pg" -U postgres -A trust >"$dir/pg-init.log" 2>&1
    fi
    # trust for the admin user on loopback, passwords for everyone else;
    # TLS (below) only over ::1: on 127.0.0.1 the server refuses it, so tests
    # have both a TLS server ([::1]) and one that refuses TLS (127.0.0.1).
    cat >"$dir/pg/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all postgres ::1/128 trust
hostnossl all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
HBA
    # --- TLS: always on, with a self-signed certificate made here, so clients
    # can test sslmode=require against [::1] (see pg_hba.conf above).
    if [ ! -f "$dir/pg-tls/server.key" ]; then
        mkdir -p "$dir/pg-tls"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
            -keyout "$dir/pg-tls/server.key" -out "$dir/pg-tls/server.crt" >/dev/null 2>&1
        chown -R postgres:postgres "$dir/pg-tls"
        chmod 600 "$dir/pg-tls/server.key"
    fi
    local tls="-c ssl=on -c ssl_cert_file=$dir/pg-tls/server.crt -c ssl_key_file=$dir/pg-tls/server.key"
    # --- end TLS
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg-log/pg.log" -w \
        -o "-p $pg_port -k $dir/pg-sock -c listen_addresses=127.0.0.1,::1 -c max_connections=200 -c fsync=off $tls" start >/dev/null
    local psql=("$pg_bin/psql" -h "$dir/pg-sock" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt)
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$user'")" != 1 ]; then
        "${psql[@]}" -c "CREATE ROLE $user LOGIN SUPERUSER PASSWORD '$password'"
        "${psql[@]}" -c "CREATE DATABASE $db OWNER $user"
    fi
}

start_mysql() {
    mkdir -p "$dir/mysql" "$dir/mysql-run"
    chown -R mysql:mysql "$dir/mysql" "$dir/mysql-run"
    if [ ! -d "$dir/mysql/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$dir/mysql" --user=mysql \
            --auth-root-authentication-method=normal --skip-test-db >"$dir/mysql-init.log" 2>&1
    fi
    chmod 755 "$dir"
    mariadbd --no-defaults --datadir="$dir/mysql" --user=mysql --bind-address=127.0.0.1 \
        --port="$my_port" --socket="$dir/mysql-run/mysql.sock" --pid-file="$dir/mysql-run/mysql.pid" \
        --max-connections=300 --innodb-flush-log-at-trx-commit=0 --skip-log-bin \
        >"$dir/mysql.log" 2>&1 &
    for _ in $(seq 1 100); do
        if mariadb-admin --no-defaults --socket="$dir/mysql-run/mysql.sock" -uroot ping >/dev/null 2>&1; then
            break
        fi
        sleep 0.2
    done
    mariadb-admin --no-defaults --socket="$dir/mysql-run/mysql.sock" -uroot ping >/dev/null
    mariadb --no-defaults --socket="$dir/mysql-run/mysql.sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS $db;
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$user'@'localhost' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
}

stop_all() {
    if [ -f "$dir/pg/postmaster.pid" ]; then
        runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$dir/mysql-run/mysql.pid" ]; then
        kill "$(cat "$dir/mysql-run/mysql.pid")" 2>/dev/null || true
        for _ in $(seq 1 50); do [ -f "$dir/mysql-run/mysql.pid" ] || break; sleep 0.2; done
    fi
}

case "${1:-}" in
    start)
        mkdir -p "$dir"
        if [ -f "$dir/pg/postmaster.pid" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
            :
        else
            start_pg
        fi
        if ! mariadb-admin --no-defaults --socket="$dir/mysql-run/mysql.sock" -uroot ping >/dev/null 2>&1; then
            start_mysql
        fi
        print_env >"$dir/env"
        print_env
        ;;
    stop) stop_all ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
