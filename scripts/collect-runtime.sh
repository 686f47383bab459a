#!/usr/bin/env bash
# Used by the Dockerfile: copies programs and exactly the shared libraries
# they load (ldd) into OUT, laid out as in a Debian 12 root (merged /usr), so
# a FROM scratch stage can run them. Also writes the image's /etc files.
#   scripts/collect-runtime.sh OUT UID PROGRAM...
set -euo pipefail
out=$1 uid=$2
shift 2
libdir=usr/lib/x86_64-linux-gnu
mkdir -p "$out/usr/bin" "$out/$libdir" "$out/usr/lib64" "$out/etc" "$out/tmp" \
    "$out/migrations" "$out/backups"
ln -sfn usr/lib "$out/lib"
ln -sfn usr/lib64 "$out/lib64"
for program in "$@"; do
    cp -L "$program" "$out/usr/bin/"
    # "libx.so.1 => /lib/.../libx.so.1 (0x...)" and the loader "/lib64/ld-linux... (0x...)"
    ldd "$program" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
        while read -r lib; do
            case "$lib" in
                */ld-linux*) cp -L "$lib" "$out/usr/lib64/" ;;
                *) cp -L "$lib" "$out/$libdir/" ;;
            esac
        done
done
strip --strip-unneeded "$out/usr/bin/"* "$out/$libdir/"*.so* 2>/dev/null || true
chmod 1777 "$out/tmp"
chown "$uid:$uid" "$out/backups"
chmod 0700 "$out/backups"
cat >"$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
schemagate:x:$uid:$uid:schemagate:/backups:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<GROUP
root:x:0:
schemagate:x:$uid:
GROUP
echo "hosts: files dns" >"$out/etc/nsswitch.conf"
