#!/usr/bin/python3
"""Backups of `run` (docs/reference.md §6) against the real servers: taken only when
revisions are pending, restorable, credentials never in argv, failures are
exit 7 with the database untouched, retention."""
import gzip
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

import pytest

from run_support import (Workdir, describe, mysql_create_db, mysql_drop_db, mysql_params,
                         mysql_query, need_env, password_of, pg_create_db, pg_drop_db, pg_query, sg, spawn)

SEED_PG = """
    CREATE TABLE patients (id SERIAL PRIMARY KEY, name TEXT NOT NULL, photo BYTEA);
    INSERT INTO patients (name, photo) VALUES ('ada', '\\x00ff10'), ('bob', NULL);
"""
SEED_MY = """
    CREATE TABLE patients (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL,
                           photo BLOB);
    INSERT INTO patients (name, photo) VALUES ('ada', x'00ff10'), ('bob', NULL);
"""
NEXT = "ALTER TABLE patients ADD COLUMN email VARCHAR(100);"


def fake_tool(path, record, exit_code=None, real=None):
    """A pg_dump stand-in that records argv and environment, then runs the
    real tool or fails."""
    with open(path, "w") as f:
        f.write("#!/usr/bin/python3\n"
                "import json, os, sys\n"
                "json.dump({'argv': sys.argv, 'env': dict(os.environ)}, open(%r, 'w'))\n" % record)
        if exit_code is not None:
            f.write("sys.stderr.write('pg_dump: error: simulated failure\\n')\n"
                    "sys.exit(%d)\n" % exit_code)
        else:
            f.write("os.execv(%r, [%r] + sys.argv[1:])\n" % (real, real))
    os.chmod(path, 0o755)


class PostgresBackup:
    def __init__(self):
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.name, self.url = pg_create_db("sg_bk")
        self.restore_name = None
        self.w = Workdir()
        self.w.revision("a1", "", SEED_PG)

    def close(self):
        self.w.cleanup()
        pg_drop_db(self.name)
        if self.restore_name:
            pg_drop_db(self.restore_name)

    def assert_untouched(self):
        assert (pg_query(self.url, "SELECT to_regclass('alembic_version') IS NULL, "
                                  "to_regclass('patients') IS NULL") == [(True, True)])


@pytest.fixture
def postgres_backup():
    case = PostgresBackup()
    try:
        yield case
    finally:
        case.close()


def test_backup_only_when_pending_and_restorable(postgres_backup):
    p = sg(postgres_backup.w.args(postgres_backup.url))
    assert p.returncode == 0, describe(p)
    assert os.listdir(postgres_backup.w.backups)[0][-5:] == ".dump"
    postgres_backup.w.revision("b2", "a1", NEXT)
    p = sg(postgres_backup.w.args(postgres_backup.url))
    assert p.returncode == 0, describe(p)
    backup = postgres_backup.w.read_report()["backup"]["path"]
    # <database>-<8 hex digits of the database's identity>-<from>-<time>.dump
    assert re.search(r"^%s-[0-9a-f]{8}-a1-" % postgres_backup.name, os.path.basename(backup))
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(postgres_backup.w.backups).st_mode) == 0o700
    p = sg(postgres_backup.w.args(postgres_backup.url))  # nothing pending: no new backup
    assert p.returncode == 0, describe(p)
    assert len(os.listdir(postgres_backup.w.backups)) == 2

    postgres_backup.restore_name, restore_url = pg_create_db("sg_bk_restore")
    env = dict(os.environ, PGPASSWORD=password_of(postgres_backup.url))
    r = subprocess.run(["pg_restore", "--no-owner", "-h", "127.0.0.1", "-p",
                        os.environ["SG_TEST_PG_PORT"], "-U", "sg", "-d", postgres_backup.restore_name,
                        backup], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    q = "SELECT id, name, photo FROM patients ORDER BY id"
    restored = [(i, n, bytes(p) if p else None) for i, n, p in pg_query(restore_url, q)]
    assert restored == [(1, "ada", b"\x00\xff\x10"), (2, "bob", None)]
    assert pg_query(restore_url, "SELECT version_num FROM alembic_version") == [("a1",)]


def test_password_only_in_the_environment(postgres_backup):
    record = os.path.join(postgres_backup.w.path, "record.json")
    tool = os.path.join(postgres_backup.w.path, "pg_dump")
    fake_tool(tool, record, real="/usr/bin/pg_dump")
    p = sg(postgres_backup.w.args(postgres_backup.url, "--pg-dump", tool))
    assert p.returncode == 0, describe(p)
    with open(record) as f:
        seen = json.load(f)
    secret = password_of(postgres_backup.url)
    assert all(secret not in a for a in seen["argv"]), seen["argv"]
    assert seen["env"]["PGPASSWORD"] == secret
    assert seen["env"]["PGDATABASE"] == postgres_backup.name
    assert "--format=custom" in seen["argv"]


def test_failing_dump_tool_exit_7(postgres_backup):
    tool = os.path.join(postgres_backup.w.path, "pg_dump")
    fake_tool(tool, os.path.join(postgres_backup.w.path, "record.json"), exit_code=1)
    p = sg(postgres_backup.w.args(postgres_backup.url, "--pg-dump", tool))
    assert p.returncode == 7, describe(p)
    assert "simulated failure" in p.stderr
    assert "simulated failure" in postgres_backup.w.read_termination()
    assert os.listdir(postgres_backup.w.backups) == []  # no partial file left
    postgres_backup.assert_untouched()


def test_sigterm_during_the_backup(postgres_backup):
    tool = os.path.join(postgres_backup.w.path, "pg_dump")
    with open(tool, "w") as f:
        f.write("#!/bin/sh\necho started > %s/started\nexec sleep 60\n" % postgres_backup.w.path)
    os.chmod(tool, 0o755)
    proc = spawn(postgres_backup.w.args(postgres_backup.url, "--pg-dump", tool))
    deadline = time.monotonic() + 10
    while not os.path.exists(os.path.join(postgres_backup.w.path, "started")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert (time.monotonic() - start) < 3
    assert proc.returncode == 143
    assert os.listdir(postgres_backup.w.backups) == []
    postgres_backup.assert_untouched()


def test_missing_dump_tool_exit_7(postgres_backup):
    p = sg(postgres_backup.w.args(postgres_backup.url, "--pg-dump", "/nonexistent/pg_dump"))
    assert p.returncode == 7, describe(p)
    assert "/nonexistent/pg_dump" in p.stderr
    postgres_backup.assert_untouched()


def test_unwritable_backup_dir_exit_7(postgres_backup):
    blocker = os.path.join(postgres_backup.w.path, "file")
    open(blocker, "w").close()
    args = postgres_backup.w.args(postgres_backup.url)
    args[args.index("--backup-dir") + 1] = os.path.join(blocker, "backups")
    p = sg(args)
    assert p.returncode == 7, describe(p)
    assert "exit 7" in postgres_backup.w.read_termination()
    postgres_backup.assert_untouched()


def test_backup_never_and_keep(postgres_backup):
    p = sg(postgres_backup.w.args(postgres_backup.url, "--backup", "never"))
    assert p.returncode == 0, describe(p)
    assert not os.path.exists(postgres_backup.w.backups)
    os.makedirs(postgres_backup.w.backups)
    other = os.path.join(postgres_backup.w.backups, "notes.txt")
    open(other, "w").close()
    for _ in range(3):
        p = sg(["backup", "--url", postgres_backup.url, "--backup-dir", postgres_backup.w.backups,
                "--backup-keep", "2"])
        assert p.returncode == 0, describe(p)
    names = sorted(os.listdir(postgres_backup.w.backups))
    assert len(names) == 3, names  # two backups and the foreign file
    assert "notes.txt" in names


class MysqlBackup:
    def __init__(self):
        need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
        self.name, self.url = mysql_create_db("sg_bk")
        self.restore_name = None
        self.w = Workdir()
        self.w.revision("a1", "", SEED_MY)

    def close(self):
        self.w.cleanup()
        mysql_drop_db(self.name)
        if self.restore_name:
            mysql_drop_db(self.restore_name)


@pytest.fixture
def my():
    case = MysqlBackup()
    try:
        yield case
    finally:
        case.close()


def test_dump_is_restorable(my):
    p = sg(my.w.args(my.url))
    assert p.returncode == 0, describe(p)
    my.w.revision("b2", "a1", NEXT)
    p = sg(my.w.args(my.url))
    assert p.returncode == 0, describe(p)
    backup = my.w.read_report()["backup"]["path"]
    assert backup.endswith(".sql.gz"), backup
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    # The option file with the password is gone.
    assert [f for f in os.listdir(my.w.backups) if "mysql" in f] == []
    sql = gzip.open(backup).read()
    assert password_of(my.url).encode() not in sql

    my.restore_name, restore_url = mysql_create_db("sg_bk_restore")
    params = mysql_params(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    r = subprocess.run(["mysql", "--no-defaults", "-h", params["host"], "-P",
                        str(params["port"]), "-u", params["user"], my.restore_name],
                       input=sql, capture_output=True)
    assert r.returncode == 0, r.stderr
    q = "SELECT id, name, photo FROM patients ORDER BY id"
    restored = mysql_query(restore_url, q)
    assert restored == [(1, "ada", b"\x00\xff\x10"), (2, "bob", None)]
    assert restored == mysql_query(my.url, q)
    assert mysql_query(restore_url, "SELECT version_num FROM alembic_version") == [("a1",)]


def test_failing_mysqldump_exit_7(my):
    p = sg(my.w.args(my.url, "--mysqldump", "/bin/false"))
    assert p.returncode == 7, describe(p)
    assert mysql_query(my.url, "SHOW TABLES") == []


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
