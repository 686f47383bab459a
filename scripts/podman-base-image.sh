#!/usr/bin/env bash
# Makes the Dockerfile's base images locally, for machines that build images
# with podman but reach no container registry (CI): a debootstrap'ed Debian
# root imported under exactly the name the Dockerfile's FROM uses, so that
# `podman build --pull=never` builds the ordinary Dockerfile unchanged.
#   scripts/podman-base-image.sh [SUITE...]   (default: bookworm trixie)
#   bookworm -> docker.io/library/debian:bookworm-slim (Debian 12: build stage)
#   trixie   -> docker.io/library/debian:trixie-slim   (Debian 13: tools stage,
#               and the newer test servers of scripts/newer-servers.sh)
# Each root file system tarball is cached in SG_CACHE_DIR (default
# ${XDG_CACHE_HOME:-~/.cache}/schemagate); an existing image is kept. Two
# missing suites are debootstrap'ed in parallel (the time is the mirror's).
# Run as root.
set -euo pipefail
cache=${SG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/schemagate}
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$cache"

# make_tarball SUITE: the cached debootstrap --variant=minbase root of SUITE.
make_tarball() {
    local suite=$1 tarball=$cache/debian-$1-minbase.tar rootfs
    [ -s "$tarball" ] && return 0
    rootfs=$(mktemp -d "$cache/rootfs-$suite.XXXXXX")
    if ! debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1; then
        tail -n 20 "$cache/debootstrap-$suite.log" >&2
        rm -rf "$rootfs"
        return 1
    fi
    # A slim image has no apt lists; keep the mirror debootstrap used.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
}

pids=()
for suite in "${suites[@]}"; do
    podman image exists "docker.io/library/debian:$suite-slim" && continue
    make_tarball "$suite" &
    pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ "$status" = 0 ] || exit 1
for suite in "${suites[@]}"; do
    image=docker.io/library/debian:$suite-slim
    podman image exists "$image" || podman import -q "$cache/debian-$suite-minbase.tar" "$image" >/dev/null
done
