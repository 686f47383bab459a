#!/usr/bin/python3
"""Backups taken by `run`, with the built binary against real PostgreSQL,
MariaDB and SQLite:

- the file name stays short with many heads (first id, count, short hash),
  and the report lists every head;
- refusals come before the backup (and what needs no database, before
  connecting), so a crash loop adds no backup per retry;
- a missing schema in --version-table is exit 2 naming it, before the backup;
- the hints of a full or read-only backup directory name that cause;
- a SQLite file or directory this user cannot write is exit 5 before the
  backup; partials of a killed backup are removed; retention keeps each
  database's own backups.
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

import cli_support as cs
from run_support import (SG_BIN, Workdir, clean_env, describe, free_port, mysql_create_db,
                         mysql_drop_db, mysql_query, need_env, pg_create_db, pg_drop_db, pg_query,
                         sg)


def backup_files(w):
    if not os.path.isdir(w.backups):
        return []
    return sorted(os.listdir(w.backups))


class ManyHeads:
    def __init__(self):
        self.w = Workdir()
        self.db = os.path.join(self.w.path, "app.db")
        self.url = "sqlite:///" + self.db

    def close(self):
        self.w.cleanup()


@pytest.fixture
def many_heads():
    case = ManyHeads()
    try:
        yield case
    finally:
        case.close()


def test_twenty_heads_of_32_characters(many_heads):
    many_heads.w.revision("r0", "", "CREATE TABLE t (x INTEGER);")
    heads = ["h%02d_%s" % (i, "x" * 28) for i in range(20)]
    assert all(len(h) == 32 for h in heads)
    for h in heads:
        many_heads.w.revision(h, "r0", "INSERT INTO t VALUES (1);")
    p = sg(many_heads.w.args(many_heads.url, "--target", "heads", "--backup", "never"))
    assert p.returncode == 0, describe(p)
    many_heads.w.revision("p1", heads[0], "INSERT INTO t VALUES (2);")
    p = sg(many_heads.w.args(many_heads.url, "--target", "heads"))
    assert p.returncode == 0, describe(p)
    files = backup_files(many_heads.w)
    assert len(files) == 1, files
    name = files[0]
    assert (len(name) + len(".partial-journal") + 1) < 255, name
    assert (re.search(r"^app-[0-9a-f]{8}-%s\+20heads_[0-9a-f]{8}-[0-9]{8}T[0-9]{6}Z"
                           r"\.sqlite3$" % heads[0], name))
    report = many_heads.w.read_report()
    assert report["backup"]["from"] == sorted(heads)
    assert sorted(report["from"]) == sorted(heads)
    # The shortened name is still one of this database's backups (retention).
    p = sg(many_heads.w.args(many_heads.url, "--target", "heads", "--backup", "always",
                       "--backup-keep", "1"))
    assert p.returncode == 0, describe(p)
    assert len(backup_files(many_heads.w)) == 1, backup_files(many_heads.w)


class RefusalsBeforeTheBackup:
    def __init__(self):
        self.w = Workdir()
        self.cleanups = []

    def close(self):
        for c in reversed(self.cleanups):
            c()
        self.w.cleanup()

    def refused(self, url, code, *extra, text=None):
        p = sg(self.w.args(url, *extra))
        assert p.returncode == code, describe(p)
        if text:
            assert text in p.stderr
        assert backup_files(self.w) == [], "a backup was taken before the refusal"
        assert ("exit %d" % code) in self.w.read_termination()
        return p


@pytest.fixture
def refusals():
    case = RefusalsBeforeTheBackup()
    try:
        yield case
    finally:
        case.close()


def test_atomic_on_mariadb_before_connecting(refusals):
    refusals.w.revision("a1", "", "CREATE TABLE t (x INT);")
    # Nothing listens there: a refusal made before connecting is 2, not 4.
    url = "mysql://u:secretpw@127.0.0.1:%d/app" % free_port()
    p = refusals.refused(url, 2, "--atomic", "--wait-timeout", "5s", text="--atomic")
    assert "connected" not in p.stderr
    need_env("SG_TEST_MYSQL_URL")
    name, url = mysql_create_db("sg_atomic")
    refusals.cleanups.append(lambda: mysql_drop_db(name))
    refusals.refused(url, 2, "--atomic", text="--atomic")
    assert mysql_query(url, "SHOW TABLES") == []


def test_atomic_with_a_transaction_false_revision(refusals):
    refusals.w.revision("a1", "", "CREATE TABLE t (x INTEGER);")
    refusals.w.revision("b2", "a1", "CREATE TABLE u (x INTEGER);",
                    headers="-- transaction: false\n")
    db = os.path.join(refusals.w.path, "app.db")
    refusals.refused("sqlite:///" + db, 2, "--atomic", text="transaction: false")


def test_revision_without_a_section_for_the_dialect(refusals):
    need_env("SG_TEST_PG_URL")
    name, url = pg_create_db("sg_nosect")
    refusals.cleanups.append(lambda: pg_drop_db(name))
    path = os.path.join(refusals.w.migrations, "a1.sql")
    with open(path, "w") as f:
        f.write("-- revision: a1\n\n-- +upgrade sqlite\nCREATE TABLE t (x INTEGER);\n")
    refusals.refused(url, 3, text="a1")


def test_missing_schema_of_the_version_table(refusals):
    need_env("SG_TEST_PG_URL")
    name, url = pg_create_db("sg_noschema")
    refusals.cleanups.append(lambda: pg_drop_db(name))
    refusals.w.revision("a1", "", "CREATE TABLE t (x int);")
    p = refusals.refused(url, 2, "--version-table", "nosuchschema.alembic_version",
                     text="nosuchschema")
    assert "fix the revision" not in p.stderr
    assert (pg_query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                   "'public'") == [(0,)])
    # With the schema there, the same command works and uses it.
    pg_query(url, "CREATE SCHEMA nosuchschema")
    p = sg(refusals.w.args(url, "--version-table", "nosuchschema.alembic_version"))
    assert p.returncode == 0, describe(p)
    assert pg_query(url, "SELECT version_num FROM nosuchschema.alembic_version") == [("a1",)]


def in_own_mounts(script, *args):
    """Runs `sh -c script` in a mount namespace of its own (root only)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a small file system")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a mount namespace here")
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh"] + list(args),
                          capture_output=True, text=True, env=clean_env(), timeout=120)


class BackupDirectoryHints:
    def __init__(self):
        self.w = Workdir()
        self.mnt = os.path.join(self.w.path, "mnt")
        os.makedirs(self.mnt)
        self.w.revision("a1", "", "CREATE TABLE t (x INTEGER);")
        self.cleanups = []

    def close(self):
        for c in reversed(self.cleanups):
            c()
        self.w.cleanup()

    def run_with_backups_in(self, mount_script, url, backup_dir, *extra):
        args = ["run", "--url", url, "--migrations", self.w.migrations, "--backup-dir",
                backup_dir, "--termination-log", self.w.termination] + list(extra)
        return in_own_mounts(mount_script + ' && exec "$@"', SG_BIN, *args)

    def check_read_only(self, p):
        assert p.returncode == 7, "exit %d\n%s" % (p.returncode, p.stderr)
        assert "Read-only file system" in p.stderr
        assert "read-only file system" in p.stderr.split("Read-only file system", 1)[1]
        assert "No such file or directory" not in p.stderr
        assert "writable for this user" not in p.stderr


@pytest.fixture
def hints():
    case = BackupDirectoryHints()
    try:
        yield case
    finally:
        case.close()


def test_read_only_backup_dir_missing(hints):
    db = os.path.join(hints.w.path, "app.db")
    p = hints.run_with_backups_in("mount -t tmpfs -o ro,size=64k tmpfs %s" % hints.mnt,
                                 "sqlite:///" + db, os.path.join(hints.mnt, "a", "backups"))
    hints.check_read_only(p)


def test_read_only_backup_dir_existing(hints):
    db = os.path.join(hints.w.path, "app.db")
    mount = ("mount -t tmpfs -o size=64k tmpfs {m} && mkdir -m 700 {m}/backups && "
             "mount -o remount,ro {m}").format(m=hints.mnt)
    p = hints.run_with_backups_in(mount, "sqlite:///" + db, os.path.join(hints.mnt, "backups"))
    hints.check_read_only(p)


def test_pg_dump_on_a_full_disk(hints):
    need_env("SG_TEST_PG_URL")
    name, url = pg_create_db("sg_full")
    hints.cleanups.append(lambda: pg_drop_db(name))
    # Far more than the 64 KiB file system holds, even compressed.
    pg_query(url, "CREATE TABLE filler AS SELECT md5(random()::text) || md5(random()::text) "
                  "AS x FROM generate_series(1, 40000)")
    p = hints.run_with_backups_in("mount -t tmpfs -o size=64k tmpfs %s" % hints.mnt, url,
                                 os.path.join(hints.mnt))
    assert p.returncode == 7, "exit %d\n%s" % (p.returncode, p.stderr)
    assert "No space left on device" in p.stderr
    assert "is full" in p.stderr
    assert "major version" not in p.stderr
    assert pg_query(url, "SELECT count(*) FROM pg_tables WHERE tablename = 't'") == [(0,)]


# --- SQLite permission refusals before the backup, partials, retention -------------------

def as_nobody(args, cwd):
    """Runs the binary as user nobody: root writes to read-only files, so permission
    problems only show for another user."""
    if os.geteuid() != 0:
        raise cs.Skip("needs root to run the binary as nobody (setpriv)")
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", cs.SG]
                       + list(args), cwd=cwd, env=cs.clean_env(), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def shared_dir(tmp, mode):
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "data")
    os.makedirs(d)
    os.chmod(d, mode)
    os.chmod(cs.one_rev(tmp), 0o755)
    return d


def test_sqlite_read_only_file_is_exit_5_before_the_backup(tmp):
    d = shared_dir(tmp, 0o777)
    db = os.path.join(d, "app.db")
    sqlite3.connect(db).close()
    os.chmod(db, 0o644)  # root's file: read-only for nobody
    backups = os.path.join(d, "backups")
    _, err = cs.expect(as_nobody(["run", "--backup", "always", "--backup-dir", backups,
                               "--url", "sqlite:///" + db], tmp), 5, "read-only file")
    cs.check("read-only" in err, err)
    cs.check(not glob.glob(os.path.join(backups, "*")), "no backup taken")


def test_sqlite_unwritable_directory_is_exit_5_before_the_backup(tmp):
    d = shared_dir(tmp, 0o755)  # root's directory: no journal for nobody
    db = os.path.join(d, "app.db")
    sqlite3.connect(db).close()
    os.chown(db, 65534, 65534)
    backups = os.path.join(tmp, "backups")
    os.makedirs(backups)
    os.chmod(backups, 0o777)
    _, err = cs.expect(as_nobody(["run", "--backup", "always", "--backup-dir", backups,
                               "--url", "sqlite:///" + db], tmp), 5, "unwritable directory")
    cs.check(not glob.glob(os.path.join(backups, "*")), "no backup taken")


def backup_run(tmp, db, backups, *extra):
    return cs.expect(cs.sg("run", "--backup", "always", "--backup-dir", backups, "--url",
                     "sqlite:///" + db, *extra, cwd=tmp), 0, "backup run " + db)


def test_stale_partials_of_a_killed_backup_are_removed(tmp):
    cs.one_rev(tmp)
    db = os.path.join(tmp, "app.db")
    backups = os.path.join(tmp, "backups")
    backup_run(tmp, db, backups)
    first = os.listdir(backups)
    cs.check(len(first) == 1, first)
    stem = first[0].split("-base-")[0] if "-base-" in first[0] else first[0].rsplit("-", 2)[0]
    stale = os.path.join(backups, ".%s-base-20200101T000000Z.sqlite3.partial" % stem)
    other = os.path.join(backups, ".other-12345678-base-20200101T000000Z.sqlite3.partial")
    for p in (stale, stale + "-journal", other):
        open(p, "w").close()
    backup_run(tmp, db, backups)
    left = sorted(os.listdir(backups))
    cs.check(os.path.basename(stale) not in left and os.path.basename(stale) + "-journal" not in left,
          "stale partials removed: %s" % left)
    cs.check(os.path.basename(other) in left, "another database's partial kept: %s" % left)


def test_retention_keeps_each_database_its_own_backups(tmp):
    cs.one_rev(tmp)
    backups = os.path.join(tmp, "backups")
    dbs = []
    for sub in ("a", "b"):
        os.makedirs(os.path.join(tmp, sub))
        dbs.append(os.path.join(tmp, sub, "app.db"))
    backup_run(tmp, dbs[0], backups, "--backup-keep", "1")
    backup_run(tmp, dbs[1], backups, "--backup-keep", "1")
    names = os.listdir(backups)
    cs.check(len(names) == 2, "one backup of each app.db kept: %s" % names)
    cs.check(len({n.split("-")[1] for n in names}) == 2, "names tell the databases apart: %s" % names)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
