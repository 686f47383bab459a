#!/usr/bin/python3
"""The static binary runs in an empty root: a directory holding only the
binary, /etc/hosts, /etc/passwd, the migrations and /tmp, entered with chroot
as a non-root user. `run` completes against the test PostgreSQL (over TLS,
sslmode=require and verify-ca with the test server's self-signed certificate)
and MariaDB, both reached by host name from that /etc/hosts, and SQLite.
The binary is the one the container_images fixture copied out of the image
(SG_STATIC_BIN), i.e. what scripts/build-static.sh built in the Dockerfile."""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from container_support import SOURCE_DIR, describe, need_env
from run_support import (mysql_create_db, mysql_drop_db, mysql_query, pg_create_db, pg_drop_db,
                         pg_query)

STATIC_BIN = os.environ.get("SG_STATIC_BIN", "")
UID = 10001
# PostgreSQL over ::1, where the test server accepts TLS (scripts/test-servers.sh).
HOSTS = "127.0.0.1 localhost mariadb.sg.test\n::1 pg.sg.test\n"


def swap_host(url, host):
    """The test server's URL with 127.0.0.1 replaced by a host name."""
    assert "@127.0.0.1:" in url, url
    return url.replace("@127.0.0.1:", "@%s:" % host)


class EmptyRoot:
    def __init__(self):
        if not os.path.exists(STATIC_BIN):
            pytest.fail("SG_STATIC_BIN missing: %r (the container_images fixture)" % STATIC_BIN)
        self.root = tempfile.mkdtemp(prefix="sg-empty-root-")
        os.chmod(self.root, 0o755)
        for d in ("etc", "tmp", "certs"):
            os.mkdir(os.path.join(self.root, d))
        os.chmod(os.path.join(self.root, "tmp"), 0o1777)
        shutil.copy(STATIC_BIN, os.path.join(self.root, "schemagate"))
        shutil.copytree(os.path.join(SOURCE_DIR, "migrations"),
                        os.path.join(self.root, "migrations"))
        with open(os.path.join(self.root, "etc", "hosts"), "w") as f:
            f.write(HOSTS)
        with open(os.path.join(self.root, "etc", "passwd"), "w") as f:
            f.write("root:x:0:0:root:/:/sbin/nologin\nsg:x:%d:%d:sg:/tmp:/sbin/nologin\n"
                    % (UID, UID))
        self.cleanups = []

    def close(self):
        for drop, name in self.cleanups:
            drop(name)
        shutil.rmtree(self.root, ignore_errors=True)

    def chroot_run(self, *args):
        cmd = [shutil.which("chroot"), "--userspec=%d:%d" % (UID, UID), self.root, "/schemagate"] + list(args)
        env = {"PATH": "/", "HOME": "/tmp"}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def empty_root():
    case = EmptyRoot()
    try:
        yield case
    finally:
        case.close()


def test_nothing_else_in_the_root(empty_root):
    assert sorted(os.listdir(empty_root.root)) == ["certs", "etc", "migrations", "schemagate", "tmp"]
    out = subprocess.run(["file", "-L", STATIC_BIN], capture_output=True, text=True).stdout
    assert "statically linked" in out
    assert "x86-64" in out
    assert "stripped" in out
    assert "not stripped" not in out
    size = os.path.getsize(STATIC_BIN)
    print("static binary: %.1f MB" % (size / 1024.0 / 1024.0))
    # 9 MiB before schema inspect/diff and lint (issues 20, 21); 10 MiB now.
    assert size <= (10 * 1024 * 1024)


def test_postgres_by_host_name_over_tls(empty_root):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL", "SG_TEST_SERVER_DIR")
    name, direct = pg_create_db("sg_root")
    empty_root.cleanups.append((pg_drop_db, name))
    url = swap_host(direct, "pg.sg.test")
    p = empty_root.chroot_run("run", "--url", url + "?sslmode=require", "--migrations",
                        "/migrations", "--backup", "never", "--wait-timeout", "0")
    assert p.returncode == 0, describe(p)
    assert len(pg_query(direct, "SELECT version_num FROM alembic_version")) == 1

    # TLS really happens: the server's certificate verifies against its
    # empty_root-signed certificate, and fails against another one.
    shutil.copy(os.path.join(os.environ["SG_TEST_SERVER_DIR"], "pg-tls", "server.crt"),
                os.path.join(empty_root.root, "certs", "server.crt"))
    p = empty_root.chroot_run("current", "--url",
                        url + "?sslmode=verify-ca&sslrootcert=/certs/server.crt")
    assert p.returncode == 0, describe(p)
    other = os.path.join(empty_root.root, "certs", "other.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=other", "-keyout", os.path.join(empty_root.root, "tmp", "k"),
                    "-out", other], capture_output=True, check=True)
    os.chmod(other, 0o644)
    p = empty_root.chroot_run("current", "--wait-timeout", "0", "--url",
                        url + "?sslmode=verify-ca&sslrootcert=/certs/other.crt")
    assert p.returncode != 0, describe(p)
    assert "certificate verify failed" in p.stderr


def test_mariadb_by_host_name(empty_root):
    need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    name, url = mysql_create_db("sg_root")
    empty_root.cleanups.append((mysql_drop_db, name))
    p = empty_root.chroot_run("run", "--url", swap_host(url, "mariadb.sg.test"), "--migrations",
                        "/migrations", "--backup", "never", "--wait-timeout", "0")
    assert p.returncode == 0, describe(p)
    assert len(mysql_query(url, "SELECT version_num FROM alembic_version")) == 1


def test_sqlite_with_its_backup(empty_root):
    p = empty_root.chroot_run("run", "--url", "sqlite:////tmp/app.db", "--migrations", "/migrations",
                        "--backup", "always", "--backup-dir", "/tmp/backups")
    assert p.returncode == 0, describe(p)
    backups = os.listdir(os.path.join(empty_root.root, "tmp", "backups"))
    assert len(backups) == 1, backups
    assert backups[0].endswith(".sqlite3"), backups
    p = empty_root.chroot_run("check", "--url", "sqlite:////tmp/app.db", "--migrations", "/migrations")
    assert p.returncode == 0, describe(p)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
