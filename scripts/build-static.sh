#!/usr/bin/env bash
# Builds one fully static, stripped x86-64 schemagate (all three drivers, TLS)
# into build-static/schemagate (BUILD_DIR overrides), through the CMake option
# SCHEMAGATE_STATIC=ON. Used as is by the Dockerfile's build stage.
#
# Debian 12's libpq.a does not link statically (it needs GSSAPI/LDAP, which
# have no static archives, and libpgcommon/libpgport, which are not shipped),
# so libpq is built from the PostgreSQL source package without them. That
# build is cached in SG_CACHE_DIR (default ~/.cache/schemagate) and reused.
#   scripts/build-static.sh            # libpq (when not cached), then schemagate
#   scripts/build-static.sh --deps     # only libpq (the Dockerfile caches this layer)
# Needs the build packages of scripts/setup.sh and dpkg-dev; the first run
# adds a deb-src entry and runs `apt-get update` (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-static}
cache=${SG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/schemagate}
pg_source=postgresql-15
deps=$cache/static-deps/$pg_source

# Adds deb-src entries mirroring the deb ones (deb822 or one-line format).
enable_deb_src() {
    local list=/etc/apt/sources.list.d/schemagate-deb-src
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$list.sources"
    else
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$list.list"
    fi
    apt-get update -qq
}

# Downloads the source package; the first version that downloads wins (a
# security version has been seen to 404 while the main-archive one worked).
download_source() {
    local dir=$1 version
    if [ -z "$(apt-cache showsrc "$pg_source" 2>/dev/null | grep '^Version:' || true)" ]; then
        enable_deb_src
    fi
    for version in $(apt-cache showsrc "$pg_source" | awk '/^Version:/ {print $2}' | sort -Vru); do
        if (cd "$dir" && apt-get source -qq --download-only "$pg_source=$version") >/dev/null 2>&1; then
            return 0
        fi
        echo "build-static: $pg_source=$version did not download, trying the next" >&2
    done
    echo "build-static: cannot download the $pg_source source package" >&2
    return 1
}

build_libpq() {
    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/sg-libpq.XXXXXX")
    download_source "$work"
    tar -C "$work" -xf "$work"/"$pg_source"_*.orig.tar.*
    local src
    src=$(find "$work" -maxdepth 1 -type d -name 'postgresql-*' | head -n 1)
    (
        cd "$src"
        ./configure --quiet --without-readline --without-icu --without-gssapi --without-ldap \
            --with-ssl=openssl --without-zlib >configure.out 2>&1 || { tail -n 30 configure.out >&2; exit 1; }
        make -s -j"$(nproc)" -C src/interfaces/libpq >/dev/null
        make -s -j"$(nproc)" -C src/common >/dev/null
        make -s -j"$(nproc)" -C src/port >/dev/null
    )
    mkdir -p "$deps.partial/lib"
    cp "$src/src/interfaces/libpq/libpq.a" "$src/src/common/libpgcommon_shlib.a" \
        "$src/src/port/libpgport_shlib.a" "$deps.partial/lib/"
    basename "$src" >"$deps.partial/VERSION"
    rm -rf "$deps" "$work"
    mv "$deps.partial" "$deps"
}

if [ ! -f "$deps/lib/libpq.a" ]; then
    mkdir -p "$(dirname "$deps")"
    rm -rf "$deps.partial"
    build_libpq
    echo "build-static: built libpq from $(cat "$deps/VERSION") into $deps" >&2
fi
if [ "${1:-}" = --deps ]; then
    exit 0
fi

launcher=()
if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSCHEMAGATE_STATIC=ON -DSCHEMAGATE_TESTS=OFF \
    -DSCHEMAGATE_LIBPQ_DIR="$deps/lib" "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target schemagate
strip "$build/schemagate"
file "$build/schemagate"
