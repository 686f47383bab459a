#!/usr/bin/env bash
# Makes the Dockerfile's base image locally, for machines that build images
# with podman but reach no container registry (CI): a debootstrap'ed Debian 12
# imported under exactly the name the Dockerfile's FROM uses, so that
# `podman build --pull=never` builds the ordinary Dockerfile unchanged.
# The root file system tarball is cached in SG_CACHE_DIR
# (default ~/.cache/schemagate); an existing image is kept. Run as root.
set -euo pipefail
image=${SG_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
cache=${SG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/schemagate}
tarball=$cache/debian-bookworm-minbase.tar

if podman image exists "$image"; then
    exit 0
fi
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
        { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    # A slim image has no apt lists; keep the mirror debootstrap used.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
fi
podman import "$tarball" "$image" >/dev/null
