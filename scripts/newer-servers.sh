#!/usr/bin/env bash
# The newer half of the test suite's server matrix: PostgreSQL 17 and MariaDB
# 11.8 from Debian 13, run as podman containers on loopback ports (the older
# half, PostgreSQL 15 and MariaDB 10.11, are the host's: scripts/test-servers.sh).
#   scripts/newer-servers.sh start   # prints `export SG_TEST_*=...` lines for
#                                    # the newer servers (also in $dir/env)
#   scripts/newer-servers.sh stop
#   scripts/newer-servers.sh env
# The images (tests/servers/*.Containerfile) build on the debootstrap'ed
# trixie of scripts/podman-base-image.sh, the same base as the Dockerfile's
# tools stage. Each image is tagged by a hash of its files and saved to
# SG_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/schemagate)/images, so a
# later run on the machine loads it if podman's own store lost it; CI
# (CI=true, a fresh machine) builds each image once and saves nothing.
# Both servers start from an empty data directory every time (a few seconds).
# SG_NEW_SERVER_DIR (default /tmp/schemagate-newer-servers), SG_NEW_PG_PORT
# (54339), SG_NEW_MYSQL_PORT (33079) override the defaults. Without podman
# `start` exits 77 (skipped), or 1 when CI=true. Run as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SG_NEW_SERVER_DIR:-/tmp/schemagate-newer-servers}
pg_port=${SG_NEW_PG_PORT:-54339}
my_port=${SG_NEW_MYSQL_PORT:-33079}
cache=${SG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/schemagate}
pg_major=17
pg_name=sg-test-postgres$pg_major-$pg_port
my_name=sg-test-mariadb11-$my_port
host_pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
user=sg
password='sg-Pa55:w/rd@x'   # as scripts/test-servers.sh
password_enc='sg-Pa55%3Aw%2Frd%40x'
db=sg_test
podman_run=(podman --runtime runc run -d --network host
            --ulimit nofile=20000:20000 --ulimit nproc=1000:1000)

print_env() {
    echo "export SG_TEST_PG_URL='postgresql://$user:$password_enc@127.0.0.1:$pg_port/$db'"
    echo "export SG_TEST_MYSQL_URL='mysql://$user:$password_enc@127.0.0.1:$my_port/$db'"
    echo "export SG_TEST_PG_ADMIN_URL='postgresql://postgres@127.0.0.1:$pg_port/postgres'"
    echo "export SG_TEST_MYSQL_ADMIN_URL='mysql://root@127.0.0.1:$my_port/mysql'"
    echo "export SG_TEST_MYSQL_SOCKET='$dir/mysql-run/mysql.sock'"
    echo "export SG_TEST_PG_PORT=$pg_port SG_TEST_MYSQL_PORT=$my_port SG_TEST_PG_BIN='$host_pg_bin'"
    echo "export SG_TEST_SERVER_DIR='$dir' SG_TEST_PG_MAJOR=$pg_major SG_TEST_MARIADB_MAJOR=11"
}

# image NAME: the image of tests/servers/NAME.Containerfile, built or loaded.
image() {
    local name=$1 tag tarball image
    tag=$(cat "$root/tests/servers/$name".* | sha256sum | cut -c1-12)
    image=localhost/schemagate-test-$name:$tag
    tarball=$cache/images/schemagate-test-$name-$tag.tar
    if ! podman image exists "$image"; then
        if [ -s "$tarball" ]; then
            podman load -q -i "$tarball" >/dev/null
        else
            "$root/scripts/podman-base-image.sh" trixie
            podman build -q --isolation chroot --pull=never \
                --ulimit nofile=20000:20000 --ulimit nproc=1000:1000 \
                -f "$root/tests/servers/$name.Containerfile" -t "$image" \
                "$root/tests/servers" >/dev/null
            # ~7 s and ~600 MB each; skipped on CI's fresh machines, whose
            # cache directory is thrown away (SG_CACHE_IMAGES=1 keeps it).
            if [ "${CI:-}" != true ] || [ "${SG_CACHE_IMAGES:-}" = 1 ]; then
                mkdir -p "$cache/images"
                rm -f "$cache/images/schemagate-test-$name-"*.tar
                podman save -q -o "$tarball.partial" "$image" && mv "$tarball.partial" "$tarball"
            fi
        fi
    fi
    echo "$image"
}

# wait_for WHAT CONTAINER COMMAND...: polls COMMAND (0.2 s steps, 60 s at most)
# while the container runs.
wait_for() {
    local what=$1 container=$2
    shift 2
    for _ in $(seq 1 300); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        if [ "$(podman inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
            break
        fi
        sleep 0.2
    done
    echo "$what did not start; its log:" >&2
    podman logs "$container" 2>&1 | tail -n 30 >&2
    return 1
}

start() {
    if ! command -v podman >/dev/null; then
        echo "podman is not installed (scripts/setup.sh): the newer servers cannot run" >&2
        [ "${CI:-}" = true ] && exit 1
        exit 77
    fi
    local pg_image my_image psql
    pg_image=$(image postgres)
    my_image=$(image mariadb)
    stop
    mkdir -p "$dir/mysql-run"
    chmod 1777 "$dir/mysql-run"
    "${podman_run[@]}" --name "$pg_name" "$pg_image" "$pg_port" >/dev/null
    "${podman_run[@]}" --name "$my_name" -v "$dir/mysql-run:/run/sg-mysql" \
        "$my_image" "$my_port" /run/sg-mysql/mysql.sock >/dev/null
    psql=("$host_pg_bin/psql" -X -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
    wait_for "PostgreSQL $pg_major" "$pg_name" "${psql[@]}" -c "SELECT 1"
    "${psql[@]}" -c "CREATE ROLE $user LOGIN SUPERUSER PASSWORD '$password'"
    "${psql[@]}" -c "CREATE DATABASE $db OWNER $user"
    local mariadb=(--no-defaults --socket="$dir/mysql-run/mysql.sock" -uroot)
    wait_for "MariaDB 11" "$my_name" mariadb "${mariadb[@]}" -e "SELECT 1"
    mariadb "${mariadb[@]}" <<SQL
CREATE DATABASE IF NOT EXISTS $db;
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$user'@'localhost' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
    print_env >"$dir/env"
    print_env
}

stop() {
    command -v podman >/dev/null || return 0
    podman rm -f -t 0 "$pg_name" "$my_name" >/dev/null 2>&1 || true
    rm -f "$dir/env"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
