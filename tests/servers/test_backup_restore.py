#!/usr/bin/python3
"""Backup -> restore round trip across the server matrix (issue 19), with the
runtime image (localhost/schemagate:ci) taking the backup with its own
pg_dump 17 / mariadb-dump 11.8, as a user's `run` does:
  - PostgreSQL 15 (the host's, scripts/test-servers.sh) and 17 (podman,
    scripts/newer-servers.sh): restored with the image's pg_restore 17;
  - MariaDB 10.11 (host) and 11.8 (podman): restored with the host's
    mariadb client 10.11.
Differences between the versions are pinned: the host's pg_dump 15 refuses
PostgreSQL 17 (exit 7, the hint names both versions and PG_MAJOR); pg_restore
15 cannot read pg_dump 17's archive, whatever the server; pg_restore 17 into
PostgreSQL 15 fails on the archive's SET transaction_timeout (exit 1, the
rest restored); mariadb-dump 11.8
writes the sandbox-mode first line that MariaDB clients before 10.11.8 reject,
and demands TLS (error 2026 on the host's 10.11, which has none) unless told
otherwise, as the image's /etc/my.cnf does."""
import contextlib
import gzip
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "container"))

from container_support import (CI, IMAGE, UID, backup_dir, describe,  # noqa: E402
                               need_images, podman_run)
from run_support import (Workdir, mysql_create_db, mysql_drop_db, mysql_params,  # noqa: E402
                         mysql_query, pg_create_db, pg_drop_db, pg_query, sg, subtest,
                         with_database)

NEWER_ENV = os.path.join(os.environ.get("SG_NEW_SERVER_DIR", "/tmp/schemagate-newer-servers"),
                         "env")
TOOLS = os.path.join(os.environ.get("SG_CONTAINER_OUT", ""), "tools", "bin")
SEED_PG = """
    CREATE TABLE patients (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
    INSERT INTO patients (name) VALUES ('ada'), ('bob');
"""
SEED_MY = """
    CREATE TABLE patients (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL);
    INSERT INTO patients (name) VALUES ('ada'), ('bob');
"""
NEXT = "ALTER TABLE patients ADD COLUMN email VARCHAR(100);"
SANDBOX = b"/*M!999999\\- enable the sandbox mode */"
VARS = ("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL", "SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL",
        "SG_TEST_PG_BIN")


def skip(msg):
    if CI:
        raise AssertionError(msg)
    pytest.skip(msg)


def newer_servers():
    """The SG_TEST_* variables of scripts/newer-servers.sh (its env file)."""
    if not os.path.exists(NEWER_ENV):
        skip("the newer servers are not running (%s; scripts/newer-servers.sh start)" % NEWER_ENV)
    env = {}
    with open(NEWER_ENV) as f:
        for word in shlex.split(f.read()):
            if "=" in word:
                key, value = word.split("=", 1)
                env[key] = value
    return env


def host_servers():
    missing = [v for v in VARS if not os.environ.get(v)]
    if missing:
        skip("missing %s (scripts/test-servers.sh start)" % ", ".join(missing))
    return {v: os.environ[v] for v in VARS}


@contextlib.contextmanager
def servers(env):
    """run_support's helpers read os.environ: point them at ENV meanwhile."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def major(version_num):
    return int(version_num) // 10000


class RoundTrip:
    def __init__(self):
        if not shutil.which("podman"):
            skip("podman is not installed (scripts/setup.sh)")
        need_images()
        if not os.access(os.path.join(TOOLS, "pg_restore"), os.X_OK):
            skip("the image's tools are missing in %s (tests/container/build_images.sh)" % TOOLS)
        self.matrix = [("host", host_servers()), ("newer", newer_servers())]
        self.cleanups = []
        self.later = contextlib.ExitStack()  # work directories, removed after the databases

    def close(self):
        for env, drop, name in reversed(self.cleanups):
            with servers(env):
                drop(name)
        self.later.close()

    def workdir(self):
        w = Workdir()
        os.chmod(w.path, 0o755)
        os.chmod(w.migrations, 0o755)
        backups = backup_dir()
        self.later.callback(w.cleanup)
        self.later.callback(subprocess.run, ["rm", "-rf", backups])
        return w, backups

    def migrate(self, w, backups, url):
        """The runtime image's default command, `run` (backup before a pending revision)."""
        return podman_run(IMAGE, env={"DATABASE_URL": url}, options=("--read-only",),
                          volumes=["%s:/migrations:ro" % w.migrations, "%s:/backups" % backups])

    def the_backup(self, backups, ext):
        names = [n for n in os.listdir(backups) if n.endswith(ext)]
        assert len(names) == 1, os.listdir(backups)
        path = os.path.join(backups, names[0])
        assert os.stat(path).st_uid == UID
        return path

    def backup_after_two_revisions(self, url, seed, ext):
        """a1 seeds patients, b2 adds a column: the backup taken before b2."""
        w, backups = self.workdir()
        w.revision("a1", "", seed)
        p = self.migrate(w, backups, url)
        assert p.returncode == 0, describe(p)
        os.unlink(self.the_backup(backups, ext))  # the empty database's
        w.revision("b2", "a1", NEXT)
        p = self.migrate(w, backups, url)
        assert p.returncode == 0, describe(p)
        assert "backup written and verified" in p.stderr
        return self.the_backup(backups, ext)

    def pg_dump_of(self, env, expect_major):
        with servers(env):
            name, url = pg_create_db("sg_rt")
            self.cleanups.append((env, pg_drop_db, name))
            assert major(pg_query(url, "SHOW server_version_num")[0][0]) == expect_major
            return url, self.backup_after_two_revisions(url, SEED_PG, ".dump")


@pytest.fixture
def round_trip():
    case = RoundTrip()
    try:
        yield case
    finally:
        case.close()


def test_postgres_15_and_17_by_the_images_pg_dump_17(round_trip):
    for (label, env), expect in zip(round_trip.matrix, (15, 17)):
        with subtest(server=label, major=expect), servers(env):
            url, dump = round_trip.pg_dump_of(env, expect)
            restore, restore_url = pg_create_db("sg_rt_restore")
            round_trip.cleanups.append((env, pg_drop_db, restore))
            admin = with_database(env["SG_TEST_PG_ADMIN_URL"], restore)
            r = subprocess.run([os.path.join(TOOLS, "pg_restore"), "--no-owner", "-d", admin,
                                dump], capture_output=True, text=True)
            if expect < 17:
                # A pg_dump 17 archive sets transaction_timeout (new in
                # 17) whatever server it came from: restored into 15,
                # that one statement fails, pg_restore goes on and ends
                # with exit 1; everything else is restored.
                assert r.returncode == 1, r.stderr
                assert 'unrecognized configuration parameter "transaction_timeout"' in r.stderr
                assert "errors ignored on restore: 1\n" in r.stderr
            else:
                assert r.returncode == 0, r.stderr
            assert pg_query(restore_url, "SELECT name FROM patients ORDER BY id") == [("ada",), ("bob",)]
            assert pg_query(restore_url, "SELECT version_num FROM alembic_version") == [("a1",)]
            assert pg_query(url, "SELECT version_num FROM alembic_version") == [("b2",)]


def test_pg_restore_15_cannot_read_pg_dump_17_archives(round_trip):
    # Even of a PostgreSQL 15 server: restoring needs pg_restore >= 17.
    _, env = round_trip.matrix[0]
    _, dump = round_trip.pg_dump_of(env, 15)
    r = subprocess.run([os.path.join(env["SG_TEST_PG_BIN"], "pg_restore"), "--list", dump],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "unsupported version" in r.stderr


def test_host_pg_dump_15_refuses_postgres_17_exit_7(round_trip):
    _, env = round_trip.matrix[1]
    with servers(env):
        name, url = pg_create_db("sg_rt_old_dump")
        round_trip.cleanups.append((env, pg_drop_db, name))
        w = Workdir()
        round_trip.later.callback(w.cleanup)
        w.revision("a1", "", "CREATE TABLE t (id INTEGER);")
        p = sg(w.args(url, "--pg-dump", os.path.join(env["SG_TEST_PG_BIN"], "pg_dump")))
        assert p.returncode == 7, describe(p)
        assert re.search(r"the server is PostgreSQL 17\.\d+ but pg_dump is 15\.\d+", p.stderr)
        assert "PG_MAJOR" in p.stderr
        assert pg_query(url, "SELECT to_regclass('t') IS NULL") == [(True,)]


def test_mariadb_10_11_and_11_8_by_the_images_mariadb_dump(round_trip):
    for (label, env), expect in zip(round_trip.matrix, ("10.11.", "11.8.")):
        with subtest(server=label, version=expect), servers(env):
            name, url = mysql_create_db("sg_rt")
            round_trip.cleanups.append((env, mysql_drop_db, name))
            assert mysql_query(url, "SELECT VERSION()")[0][0].startswith(expect)
            sql = gzip.open(round_trip.backup_after_two_revisions(url, SEED_MY, ".sql.gz")).read()
            # mariadb-dump 11.8 (>= 10.11.8) writes this first line; older
            # clients stop at it ("Unknown command '\-'").
            assert sql.startswith(SANDBOX), sql[:80]
            restore, restore_url = mysql_create_db("sg_rt_restore")
            round_trip.cleanups.append((env, mysql_drop_db, restore))
            params = mysql_params(env["SG_TEST_MYSQL_ADMIN_URL"])
            r = subprocess.run(["mariadb", "--no-defaults", "-h", params["host"], "-P",
                                str(params["port"]), "-u", params["user"], restore],
                               input=sql, capture_output=True)
            assert r.returncode == 0, r.stderr
            assert mysql_query(restore_url, "SELECT name FROM patients ORDER BY id") == [("ada",), ("bob",)]
            assert mysql_query(restore_url, "SELECT version_num FROM alembic_version") == [("a1",)]
            assert mysql_query(url, "SELECT version_num FROM alembic_version") == [("b2",)]


def test_mariadb_dump_11_8_demands_tls_unless_configured(round_trip):
    # MariaDB 11.4+ clients require TLS with a verified certificate by
    # default: without the image's /etc/my.cnf (ssl-verify-server-cert=0)
    # mariadb-dump 11.8 refuses a server without TLS, the host's 10.11.
    # (The round trip above passes through the image, which has it.)
    _, env = round_trip.matrix[0]
    params = mysql_params(env["SG_TEST_MYSQL_URL"])
    w, _ = round_trip.workdir()
    cnf = os.path.join(w.path, "client.cnf")  # the password as schemagate passes it
    with open(cnf, "w") as f:
        f.write("[client]\nuser=%s\npassword=%s\nhost=%s\nport=%d\n" % (
            params["user"], params["password"], params["host"], params["port"]))
    bare = [os.path.join(TOOLS, "mariadb-dump"), "--defaults-file=" + cnf, params["database"]]
    r = subprocess.run(bare, capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert "2026" in r.stderr
    assert "SSL is required, but the server does not support it" in r.stderr
    r = subprocess.run(bare[:2] + ["--skip-ssl-verify-server-cert"] + bare[2:],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(os.path.join(TOOLS, "..", "..", "runtime-root", "etc", "my.cnf")) as f:
        assert "[client-mariadb]\nssl-verify-server-cert=0\n" in f.read()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
