#!/usr/bin/env bash
# ctest fixture `container_images`: builds both images from the Dockerfile
# with podman, exactly as a user's `docker build` would (the build stage
# compiles the project with scripts/build-static.sh), tagged
#   localhost/schemagate:ci          (runtime, the default target)
#   localhost/schemagate:ci-minimal  (target minimal)
# and copies the image's static binary to $SG_CONTAINER_OUT/schemagate for
# the empty-root test. No registry is needed: the Debian base images (12 for
# the build stage, 13 for the tools stage) are made by
# scripts/podman-base-image.sh (cached debootstrap tarballs).
# The runtime image's root goes to $SG_CONTAINER_OUT/runtime-root, with
# wrappers in $SG_CONTAINER_OUT/tools/bin that run its pg_dump, pg_restore
# and mariadb-dump on the host through the image's own loader and libraries:
# the newer-server tests (tests/servers) back up with exactly the image's tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${SG_CONTAINER_OUT:?}
if ! command -v podman >/dev/null; then
    echo "podman is not installed (scripts/setup.sh)" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 77
fi
build=(podman build --isolation chroot --pull=never
       --ulimit nofile=20000:20000 --ulimit nproc=1000:1000)
cd "$root"
"$root/scripts/podman-base-image.sh"
start=$SECONDS
"${build[@]}" -t localhost/schemagate:ci .
echo "runtime image built in $((SECONDS - start)) s" >&2
start=$SECONDS
"${build[@]}" --target minimal -t localhost/schemagate:ci-minimal .
echo "minimal image built in $((SECONDS - start)) s" >&2
mkdir -p "$out"
container=$(podman create localhost/schemagate:ci-minimal)
trap 'podman rm -f "$container" >/dev/null' EXIT
podman cp "$container:/usr/bin/schemagate" "$out/schemagate.partial"
mv "$out/schemagate.partial" "$out/schemagate"
runtime=$(podman create localhost/schemagate:ci)
rm -rf "$out/runtime-root" "$out/tools"
mkdir -p "$out/runtime-root" "$out/tools/bin"
podman export "$runtime" | tar -C "$out/runtime-root" -x
podman rm -f "$runtime" >/dev/null
for tool in pg_dump pg_restore mariadb-dump mysqldump; do
    cat >"$out/tools/bin/$tool" <<WRAPPER
#!/bin/sh
# $tool of localhost/schemagate:ci (tests/container/build_images.sh)
exec "$out/runtime-root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$out/runtime-root/usr/lib/x86_64-linux-gnu" "$out/runtime-root/usr/bin/$tool" "\$@"
WRAPPER
    chmod 755 "$out/tools/bin/$tool"
done
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep 'localhost/schemagate:ci' >&2
