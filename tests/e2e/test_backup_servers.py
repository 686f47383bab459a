#!/usr/bin/python3
"""Backups of `run` (docs/reference.md §6) against the real servers: taken only when
revisions are pending, restorable, credentials never in argv, failures are
exit 7 with the database untouched, retention."""
import gzip
import json
import os
import signal
import stat
import subprocess
import time
import unittest

from run_support import (Workdir, describe, main, mysql_create_db, mysql_drop_db, mysql_params,
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


class PostgresBackup(unittest.TestCase):
    def setUp(self):
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.name, self.url = pg_create_db("sg_bk")
        self.restore_name = None
        self.w = Workdir()
        self.w.revision("a1", "", SEED_PG)

    def tearDown(self):
        self.w.cleanup()
        pg_drop_db(self.name)
        if self.restore_name:
            pg_drop_db(self.restore_name)

    def test_backup_only_when_pending_and_restorable(self):
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(os.listdir(self.w.backups)[0][-5:], ".dump")
        self.w.revision("b2", "a1", NEXT)
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 0, describe(p))
        backup = self.w.read_report()["backup"]["path"]
        # <database>-<8 hex digits of the database's identity>-<from>-<time>.dump
        self.assertRegex(os.path.basename(backup), r"^%s-[0-9a-f]{8}-a1-" % self.name)
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.w.backups).st_mode), 0o700)
        p = sg(self.w.args(self.url))  # nothing pending: no new backup
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(os.listdir(self.w.backups)), 2)

        self.restore_name, restore_url = pg_create_db("sg_bk_restore")
        env = dict(os.environ, PGPASSWORD=password_of(self.url))
        r = subprocess.run(["pg_restore", "--no-owner", "-h", "127.0.0.1", "-p",
                            os.environ["SG_TEST_PG_PORT"], "-U", "sg", "-d", self.restore_name,
                            backup], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        q = "SELECT id, name, photo FROM patients ORDER BY id"
        restored = [(i, n, bytes(p) if p else None) for i, n, p in pg_query(restore_url, q)]
        self.assertEqual(restored, [(1, "ada", b"\x00\xff\x10"), (2, "bob", None)])
        self.assertEqual(pg_query(restore_url, "SELECT version_num FROM alembic_version"),
                         [("a1",)])

    def test_password_only_in_the_environment(self):
        record = os.path.join(self.w.path, "record.json")
        tool = os.path.join(self.w.path, "pg_dump")
        fake_tool(tool, record, real="/usr/bin/pg_dump")
        p = sg(self.w.args(self.url, "--pg-dump", tool))
        self.assertEqual(p.returncode, 0, describe(p))
        with open(record) as f:
            seen = json.load(f)
        secret = password_of(self.url)
        self.assertTrue(all(secret not in a for a in seen["argv"]), seen["argv"])
        self.assertEqual(seen["env"]["PGPASSWORD"], secret)
        self.assertEqual(seen["env"]["PGDATABASE"], self.name)
        self.assertIn("--format=custom", seen["argv"])

    def assert_untouched(self):
        self.assertEqual(pg_query(self.url, "SELECT to_regclass('alembic_version') IS NULL, "
                                  "to_regclass('patients') IS NULL"), [(True, True)])

    def test_failing_dump_tool_exit_7(self):
        tool = os.path.join(self.w.path, "pg_dump")
        fake_tool(tool, os.path.join(self.w.path, "record.json"), exit_code=1)
        p = sg(self.w.args(self.url, "--pg-dump", tool))
        self.assertEqual(p.returncode, 7, describe(p))
        self.assertIn("simulated failure", p.stderr)
        self.assertIn("simulated failure", self.w.read_termination())
        self.assertEqual(os.listdir(self.w.backups), [])  # no partial file left
        self.assert_untouched()

    def test_sigterm_during_the_backup(self):
        tool = os.path.join(self.w.path, "pg_dump")
        with open(tool, "w") as f:
            f.write("#!/bin/sh\necho started > %s/started\nexec sleep 60\n" % self.w.path)
        os.chmod(tool, 0o755)
        proc = spawn(self.w.args(self.url, "--pg-dump", tool))
        deadline = time.monotonic() + 10
        while not os.path.exists(os.path.join(self.w.path, "started")):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
        self.assertLess(time.monotonic() - start, 3)
        self.assertEqual(proc.returncode, 143)
        self.assertEqual(os.listdir(self.w.backups), [])
        self.assert_untouched()

    def test_missing_dump_tool_exit_7(self):
        p = sg(self.w.args(self.url, "--pg-dump", "/nonexistent/pg_dump"))
        self.assertEqual(p.returncode, 7, describe(p))
        self.assertIn("/nonexistent/pg_dump", p.stderr)
        self.assert_untouched()

    def test_unwritable_backup_dir_exit_7(self):
        blocker = os.path.join(self.w.path, "file")
        open(blocker, "w").close()
        args = self.w.args(self.url)
        args[args.index("--backup-dir") + 1] = os.path.join(blocker, "backups")
        p = sg(args)
        self.assertEqual(p.returncode, 7, describe(p))
        self.assertIn("exit 7", self.w.read_termination())
        self.assert_untouched()

    def test_backup_never_and_keep(self):
        p = sg(self.w.args(self.url, "--backup", "never"))
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertFalse(os.path.exists(self.w.backups))
        os.makedirs(self.w.backups)
        other = os.path.join(self.w.backups, "notes.txt")
        open(other, "w").close()
        for _ in range(3):
            p = sg(["backup", "--url", self.url, "--backup-dir", self.w.backups,
                    "--backup-keep", "2"])
            self.assertEqual(p.returncode, 0, describe(p))
        names = sorted(os.listdir(self.w.backups))
        self.assertEqual(len(names), 3, names)  # two backups and the foreign file
        self.assertIn("notes.txt", names)


class MysqlBackup(unittest.TestCase):
    def setUp(self):
        need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
        self.name, self.url = mysql_create_db("sg_bk")
        self.restore_name = None
        self.w = Workdir()
        self.w.revision("a1", "", SEED_MY)

    def tearDown(self):
        self.w.cleanup()
        mysql_drop_db(self.name)
        if self.restore_name:
            mysql_drop_db(self.restore_name)

    def test_dump_is_restorable(self):
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 0, describe(p))
        self.w.revision("b2", "a1", NEXT)
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 0, describe(p))
        backup = self.w.read_report()["backup"]["path"]
        self.assertTrue(backup.endswith(".sql.gz"), backup)
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600)
        # The option file with the password is gone.
        self.assertEqual([f for f in os.listdir(self.w.backups) if "mysql" in f], [])
        sql = gzip.open(backup).read()
        self.assertNotIn(password_of(self.url).encode(), sql)

        self.restore_name, restore_url = mysql_create_db("sg_bk_restore")
        params = mysql_params(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
        r = subprocess.run(["mysql", "--no-defaults", "-h", params["host"], "-P",
                            str(params["port"]), "-u", params["user"], self.restore_name],
                           input=sql, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        q = "SELECT id, name, photo FROM patients ORDER BY id"
        restored = mysql_query(restore_url, q)
        self.assertEqual(restored, [(1, "ada", b"\x00\xff\x10"), (2, "bob", None)])
        self.assertEqual(restored, mysql_query(self.url, q))
        self.assertEqual(mysql_query(restore_url, "SELECT version_num FROM alembic_version"),
                         [("a1",)])

    def test_failing_mysqldump_exit_7(self):
        p = sg(self.w.args(self.url, "--mysqldump", "/bin/false"))
        self.assertEqual(p.returncode, 7, describe(p))
        self.assertEqual(mysql_query(self.url, "SHOW TABLES"), [])


if __name__ == "__main__":
    main()
