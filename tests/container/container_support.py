"""Helpers for the container tests (tests/container/test_*.py): running the
images built by the `container_images` fixture (build_images.sh) with podman,
as the project's CI does (runc, host network, explicit ulimits)."""
import os
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from run_support import CI, describe, need_env  # noqa: E402,F401

IMAGE = "localhost/schemagate:ci"
MINIMAL = "localhost/schemagate:ci-minimal"
UID = 10001
SOURCE_DIR = os.environ.get("SG_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RUN = ["podman", "--runtime", "runc", "run", "--rm", "--network", "host",
       "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1000:1000"]


def need_images():
    """Skips (fails in CI) when the fixture's images are missing."""
    for image in (IMAGE, MINIMAL):
        r = subprocess.run(["podman", "image", "exists", image], capture_output=True)
        if r.returncode != 0:
            msg = "image %s missing (the container_images fixture builds it)" % image
            if CI:
                raise AssertionError(msg)
            pytest.skip(msg)


def podman_run(image, args=(), env=None, volumes=(), options=(), timeout=180):
    """`podman run` of IMAGE with ARGS after the entrypoint; env: dict;
    volumes: "host:container[:ro]" strings. Returns CompletedProcess (text)."""
    cmd = list(RUN) + list(options)
    for key, value in (env or {}).items():
        cmd += ["-e", "%s=%s" % (key, value)]
    for v in volumes:
        cmd += ["-v", v]
    cmd += [image] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def image_inspect(image, fmt):
    r = subprocess.run(["podman", "image", "inspect", "--format", fmt, image],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip()


def backup_dir():
    """A host directory the image's user may write, as a /backups volume."""
    path = tempfile.mkdtemp(prefix="sg-container-backups-")
    os.chown(path, UID, UID)
    os.chmod(path, 0o700)
    return path
