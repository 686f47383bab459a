#!/usr/bin/python3
"""The README's image section, run as written: its `docker run` line is run
with podman (the CI flags added), the image name pointed at the built image
and DATABASE_URL at a fresh test database; the named volume is real."""
import os
import re
import shlex
import subprocess
import sys

import pytest

from container_support import (IMAGE, RUN, SOURCE_DIR, describe, need_env, need_images,
                               podman_run)
from run_support import pg_create_db, pg_drop_db, pg_query


def readme_block(marker):
    """The first ```sh block after the line containing MARKER, as lines."""
    with open(os.path.join(SOURCE_DIR, "README.md")) as f:
        text = f.read()
    start = text.index(marker)
    m = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    return m.group(1).splitlines()


class ReadmeImage:
    def __init__(self):
        need_images()
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.name, self.url = pg_create_db("sg_readme")
        self.volume = None

    def close(self):
        pg_drop_db(self.name)
        if self.volume:
            subprocess.run(["podman", "volume", "rm", "-f", self.volume], capture_output=True)


@pytest.fixture
def readme_image():
    case = ReadmeImage()
    try:
        yield case
    finally:
        case.close()


def test_docker_run_line(readme_image):
    lines = [l for l in readme_block("tests/container/test_readme.py")
             if l.startswith("docker run ")]
    assert len(lines) == 1, lines
    argv = shlex.split(lines[0].replace("$PWD", SOURCE_DIR))
    assert argv[-1] == "schemagate"
    argv[-1] = IMAGE
    for i, a in enumerate(argv):
        if a.startswith("DATABASE_URL="):
            argv[i] = "DATABASE_URL=" + readme_image.url
        if a.endswith(":/backups"):
            readme_image.volume = a.split(":")[0]
    assert readme_image.volume == "schemagate-backups"
    subprocess.run(["podman", "volume", "rm", "-f", readme_image.volume], capture_output=True)
    rest = argv[2:]
    assert rest[:3] == ["--rm", "--network", "host"]  # RUN has them already
    p = subprocess.run(RUN + rest[3:], capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, describe(p)
    assert "backup written and verified" in p.stderr
    h = podman_run(IMAGE, ["heads"], volumes=["%s/migrations:/migrations:ro" % SOURCE_DIR])
    assert h.returncode == 0, describe(h)
    heads = h.stdout.split()[0]
    assert pg_query(readme_image.url, "SELECT version_num FROM alembic_version") == [(heads,)]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
