#!/usr/bin/python3
"""Backups taken by `run`, with the built binary against real PostgreSQL,
MariaDB and SQLite:

- the file name stays short with many heads (first id, count, short hash),
  and the report lists every head;
- refusals come before the backup (and what needs no database, before
  connecting), so a crash loop adds no backup per retry;
- a missing schema in --version-table is exit 2 naming it, before the backup;
- the hints of a full or read-only backup directory name that cause.
"""
import os
import shutil
import subprocess
import unittest

from run_support import (SG_BIN, Workdir, clean_env, describe, free_port, main, mysql_create_db,
                         mysql_drop_db, mysql_query, need_env, pg_create_db, pg_drop_db, pg_query,
                         sg)


def backup_files(w):
    if not os.path.isdir(w.backups):
        return []
    return sorted(os.listdir(w.backups))


class ManyHeads(unittest.TestCase):
    def setUp(self):
        self.w = Workdir()
        self.db = os.path.join(self.w.path, "app.db")
        self.url = "sqlite:///" + self.db

    def tearDown(self):
        self.w.cleanup()

    def test_twenty_heads_of_32_characters(self):
        self.w.revision("r0", "", "CREATE TABLE t (x INTEGER);")
        heads = ["h%02d_%s" % (i, "x" * 28) for i in range(20)]
        self.assertTrue(all(len(h) == 32 for h in heads))
        for h in heads:
            self.w.revision(h, "r0", "INSERT INTO t VALUES (1);")
        p = sg(self.w.args(self.url, "--target", "heads", "--backup", "never"))
        self.assertEqual(p.returncode, 0, describe(p))
        self.w.revision("p1", heads[0], "INSERT INTO t VALUES (2);")
        p = sg(self.w.args(self.url, "--target", "heads"))
        self.assertEqual(p.returncode, 0, describe(p))
        files = backup_files(self.w)
        self.assertEqual(len(files), 1, files)
        name = files[0]
        self.assertLess(len(name) + len(".partial-journal") + 1, 255, name)
        self.assertRegex(name, r"^app-[0-9a-f]{8}-%s\+20heads_[0-9a-f]{8}-[0-9]{8}T[0-9]{6}Z"
                               r"\.sqlite3$" % heads[0])
        report = self.w.read_report()
        self.assertEqual(report["backup"]["from"], sorted(heads))
        self.assertEqual(sorted(report["from"]), sorted(heads))
        # The shortened name is still one of this database's backups (retention).
        p = sg(self.w.args(self.url, "--target", "heads", "--backup", "always",
                           "--backup-keep", "1"))
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(backup_files(self.w)), 1, backup_files(self.w))


class RefusalsBeforeTheBackup(unittest.TestCase):
    def setUp(self):
        self.w = Workdir()
        self.cleanups = []

    def tearDown(self):
        for c in reversed(self.cleanups):
            c()
        self.w.cleanup()

    def refused(self, url, code, *extra, text=None):
        p = sg(self.w.args(url, *extra))
        self.assertEqual(p.returncode, code, describe(p))
        if text:
            self.assertIn(text, p.stderr)
        self.assertEqual(backup_files(self.w), [], "a backup was taken before the refusal")
        self.assertIn("exit %d" % code, self.w.read_termination())
        return p

    def test_atomic_on_mariadb_before_connecting(self):
        self.w.revision("a1", "", "CREATE TABLE t (x INT);")
        # Nothing listens there: a refusal made before connecting is 2, not 4.
        url = "mysql://u:secretpw@127.0.0.1:%d/app" % free_port()
        p = self.refused(url, 2, "--atomic", "--wait-timeout", "5s", text="--atomic")
        self.assertNotIn("connected", p.stderr)
        need_env("SG_TEST_MYSQL_URL")
        name, url = mysql_create_db("sg_atomic")
        self.cleanups.append(lambda: mysql_drop_db(name))
        self.refused(url, 2, "--atomic", text="--atomic")
        self.assertEqual(mysql_query(url, "SHOW TABLES"), [])

    def test_atomic_with_a_transaction_false_revision(self):
        self.w.revision("a1", "", "CREATE TABLE t (x INTEGER);")
        self.w.revision("b2", "a1", "CREATE TABLE u (x INTEGER);",
                        headers="-- transaction: false\n")
        db = os.path.join(self.w.path, "app.db")
        self.refused("sqlite:///" + db, 2, "--atomic", text="transaction: false")

    def test_revision_without_a_section_for_the_dialect(self):
        need_env("SG_TEST_PG_URL")
        name, url = pg_create_db("sg_nosect")
        self.cleanups.append(lambda: pg_drop_db(name))
        path = os.path.join(self.w.migrations, "a1.sql")
        with open(path, "w") as f:
            f.write("-- revision: a1\n\n-- +upgrade sqlite\nCREATE TABLE t (x INTEGER);\n")
        self.refused(url, 3, text="a1")

    def test_missing_schema_of_the_version_table(self):
        need_env("SG_TEST_PG_URL")
        name, url = pg_create_db("sg_noschema")
        self.cleanups.append(lambda: pg_drop_db(name))
        self.w.revision("a1", "", "CREATE TABLE t (x int);")
        p = self.refused(url, 2, "--version-table", "nosuchschema.alembic_version",
                         text="nosuchschema")
        self.assertNotIn("fix the revision", p.stderr)
        self.assertEqual(pg_query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                       "'public'"), [(0,)])
        # With the schema there, the same command works and uses it.
        pg_query(url, "CREATE SCHEMA nosuchschema")
        p = sg(self.w.args(url, "--version-table", "nosuchschema.alembic_version"))
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(pg_query(url, "SELECT version_num FROM nosuchschema.alembic_version"),
                         [("a1",)])


def in_own_mounts(script, *args):
    """Runs `sh -c script` in a mount namespace of its own (root only)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise unittest.SkipTest("needs root and unshare to mount a small file system")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        raise unittest.SkipTest("cannot make a mount namespace here")
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh"] + list(args),
                          capture_output=True, text=True, env=clean_env(), timeout=120)


class BackupDirectoryHints(unittest.TestCase):
    def setUp(self):
        self.w = Workdir()
        self.mnt = os.path.join(self.w.path, "mnt")
        os.makedirs(self.mnt)
        self.w.revision("a1", "", "CREATE TABLE t (x INTEGER);")
        self.cleanups = []

    def tearDown(self):
        for c in reversed(self.cleanups):
            c()
        self.w.cleanup()

    def run_with_backups_in(self, mount_script, url, backup_dir, *extra):
        args = ["run", "--url", url, "--migrations", self.w.migrations, "--backup-dir",
                backup_dir, "--termination-log", self.w.termination] + list(extra)
        return in_own_mounts(mount_script + ' && exec "$@"', SG_BIN, *args)

    def check_read_only(self, p):
        self.assertEqual(p.returncode, 7, "exit %d\n%s" % (p.returncode, p.stderr))
        self.assertIn("Read-only file system", p.stderr)
        self.assertIn("read-only file system", p.stderr.split("Read-only file system", 1)[1])
        self.assertNotIn("No such file or directory", p.stderr)
        self.assertNotIn("writable for this user", p.stderr)

    def test_read_only_backup_dir_missing(self):
        db = os.path.join(self.w.path, "app.db")
        p = self.run_with_backups_in("mount -t tmpfs -o ro,size=64k tmpfs %s" % self.mnt,
                                     "sqlite:///" + db, os.path.join(self.mnt, "a", "backups"))
        self.check_read_only(p)

    def test_read_only_backup_dir_existing(self):
        db = os.path.join(self.w.path, "app.db")
        mount = ("mount -t tmpfs -o size=64k tmpfs {m} && mkdir -m 700 {m}/backups && "
                 "mount -o remount,ro {m}").format(m=self.mnt)
        p = self.run_with_backups_in(mount, "sqlite:///" + db, os.path.join(self.mnt, "backups"))
        self.check_read_only(p)

    def test_pg_dump_on_a_full_disk(self):
        need_env("SG_TEST_PG_URL")
        name, url = pg_create_db("sg_full")
        self.cleanups.append(lambda: pg_drop_db(name))
        # Far more than the 64 KiB file system holds, even compressed.
        pg_query(url, "CREATE TABLE filler AS SELECT md5(random()::text) || md5(random()::text) "
                      "AS x FROM generate_series(1, 40000)")
        p = self.run_with_backups_in("mount -t tmpfs -o size=64k tmpfs %s" % self.mnt, url,
                                     os.path.join(self.mnt))
        self.assertEqual(p.returncode, 7, "exit %d\n%s" % (p.returncode, p.stderr))
        self.assertIn("No space left on device", p.stderr)
        self.assertIn("is full", p.stderr)
        self.assertNotIn("major version", p.stderr)
        self.assertEqual(pg_query(url, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
                         [(0,)])


if __name__ == "__main__":
    main()
