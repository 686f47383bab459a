#!/usr/bin/env bash
# Installs the build and test dependencies from Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config git ca-certificates \
    libpqxx-dev libpq-dev libsqlitecpp-dev libsqlite3-dev libcxxopts-dev \
    libspdlog-dev libfmt-dev catch2 libssl-dev libmysqlcppconn-dev zlib1g-dev \
    postgresql postgresql-client mariadb-server mariadb-client sqlite3 \
    python3 alembic python3-alembic python3-psycopg2 python3-pymysql python3-pytest \
    procps util-linux \
    clang libclang-rt-14-dev llvm ccache >/dev/null
apt-get install -y -qq --no-install-recommends hyperfine >/dev/null  # bench/compare.sh
# The Helm chart's tests (tests/helm): the Go renderer (Helm's engine from
# Debian), yamllint, the podman runtime that plays the rendered pods.
apt-get install -y -qq --no-install-recommends \
    golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev \
    golang-github-xeipuuv-gojsonschema-dev yamllint python3-yaml \
    podman runc catatonit uidmap >/dev/null
# npm kubernetes-models validates the rendered objects; keep a Node.js that
# is already installed (with its npm), else take Debian's.
if ! command -v npm >/dev/null; then
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# The static build, the container images (podman, no Docker engine needed)
# and the linters (tests/container).
apt-get install -y -qq --no-install-recommends \
    dpkg-dev file libmariadb-dev openssl \
    podman buildah runc catatonit debootstrap uidmap \
    docker-compose python3-yaml yamllint shellcheck >/dev/null
