#!/usr/bin/python3
"""`run` on SQLite: exit codes, fast path, termination message, report,
JSON logs, SIGTERM/SIGINT during a long statement, backups."""
import json
import os
import re
import signal
import sqlite3
import stat
import time
import unittest

from run_support import Workdir, describe, main, sg, spawn

FIRST = "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT);"
SECOND = "INSERT INTO patients (name) VALUES ('ada'), ('bob');"
# A statement that runs for many seconds unless interrupted.
LONG = ("CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 2000000000) SELECT count(*) AS n FROM c;")


class SqliteRun(unittest.TestCase):
    def setUp(self):
        self.w = Workdir()
        self.db = os.path.join(self.w.path, "app.db")
        self.url = "sqlite:///" + self.db
        self.w.revision("a1", "", FIRST, "DROP TABLE patients;")
        self.w.revision("b2", "a1", SECOND, "DELETE FROM patients;")

    def tearDown(self):
        self.w.cleanup()

    def run_sg(self, *extra, code=0):
        self.w.clear_outputs()
        p = sg(self.w.args(self.url, *extra))
        self.assertEqual(p.returncode, code, describe(p))
        # The termination message and the report are written for every outcome.
        self.assertIn("exit %d" % code, self.w.read_termination())
        self.assertEqual(self.w.read_report()["exit_code"], code)
        return p

    def rows(self, sql):
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def test_apply_then_fast_path(self):
        self.run_sg()
        report = self.w.read_report()
        self.assertEqual([s["revision"] for s in report["applied"]], ["a1", "b2"])
        self.assertEqual(report["to"], ["b2"])
        self.assertTrue(report["backup"]["path"].endswith(".sqlite3"))
        self.assertEqual(self.rows("SELECT version_num FROM alembic_version"), [("b2",)])
        mtime = os.stat(self.db).st_mtime_ns
        self.run_sg()
        report = self.w.read_report()
        self.assertTrue(report["fast_path"])
        self.assertFalse(report["lock_taken"])
        self.assertIsNone(report["backup"])
        self.assertEqual(os.stat(self.db).st_mtime_ns, mtime, "fast path wrote to the database")
        self.assertEqual(len(os.listdir(self.w.backups)), 1)

    def test_backup_only_when_pending_and_restorable(self):
        self.w.revision("c3", "b2", "INSERT INTO patients (name) VALUES ('cy');")
        self.run_sg("--target", "b2")
        self.run_sg()
        files = sorted(os.listdir(self.w.backups))
        self.assertEqual(len(files), 2, files)
        self.assertTrue(any(re.match(r"app-[0-9a-f]{8}-b2-", f) for f in files), files)
        mode = stat.S_IMODE(os.stat(self.w.backups).st_mode)
        self.assertEqual(mode, 0o700)
        path = os.path.join(self.w.backups, [f for f in files if re.match(r"app-[0-9a-f]{8}-b2-", f)][0])
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        conn = sqlite3.connect(path)
        self.assertEqual(conn.execute("SELECT count(*) FROM patients").fetchone(), (2,))
        conn.close()

    def test_exit_codes(self):
        # 3: invalid directory
        bad = self.w.revision("zz", "nosuch", "SELECT 1;")
        p = self.run_sg(code=3)
        self.assertIn("nosuch", p.stderr)
        os.unlink(bad)
        # 2: bad configuration
        p = sg(self.w.args(self.url, "--wait-timeout", "soon"))
        self.assertEqual(p.returncode, 2, describe(p))
        self.run_sg()
        # 10: a changed applied file
        path = [os.path.join(self.w.migrations, f) for f in os.listdir(self.w.migrations)
                if "a1" in f][0]
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("name TEXT", "name VARCHAR(20)"))
        p = self.run_sg(code=10)
        self.assertIn(os.path.basename(path), self.w.read_termination())
        self.run_sg("--allow-drift")
        with open(path, "w") as f:
            f.write(text)
        # 10: the database is ahead of the files
        self.w.revision("c3", "b2", "SELECT 1;")
        self.run_sg("--backup", "never")
        os.unlink([os.path.join(self.w.migrations, f) for f in os.listdir(self.w.migrations)
                   if "c3" in f][0])
        self.run_sg(code=10)
        self.assertIn("ahead of this image", self.w.read_termination())
        self.run_sg("--allow-unknown")

    def test_failed_revision_rolls_back_exit_8(self):
        self.run_sg()
        self.w.revision("c3", "b2", """
            INSERT INTO patients (name) VALUES ('partial');
            INSERT INTO nosuch VALUES (1);
        """)
        self.run_sg(code=8)
        report = self.w.read_report()
        self.assertEqual(report["revision"], "c3")
        self.assertIn("c3.sql:", report["location"])
        self.assertIn("nosuch", report["db_error"] or report["error"])
        term = self.w.read_termination()
        self.assertIn("c3", term)
        self.assertIn("next:", term)
        self.assertEqual(self.rows("SELECT count(*) FROM patients WHERE name = 'partial'"), [(0,)])
        self.assertEqual(self.rows("SELECT version_num FROM alembic_version"), [("b2",)])

    def test_json_logs_parse_line_by_line(self):
        p = sg(self.w.args(self.url, "--log-format", "json"))
        self.assertEqual(p.returncode, 0, describe(p))
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            obj = json.loads(line)
            self.assertIn("ts", obj)
            self.assertIn("level", obj)
            self.assertIn("msg", obj)

    def interrupt_long_statement(self, sig, code):
        self.run_sg()
        self.w.revision("c3", "b2", "INSERT INTO patients (name) VALUES ('half');\n" + LONG)
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        time.sleep(1.5)
        start = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(proc.returncode, code, err)
        self.assertIn("exit %d" % code, self.w.read_termination())
        self.assertEqual(self.rows("SELECT count(*) FROM patients WHERE name = 'half'"), [(0,)])
        self.assertEqual(self.rows("SELECT version_num FROM alembic_version"), [("b2",)])
        # The lock is free: the next run gets it at once (and fails on the
        # same long statement only if it ran; give it a short revision).
        os.unlink([os.path.join(self.w.migrations, f) for f in os.listdir(self.w.migrations)
                   if "c3" in f][0])
        self.run_sg("--lock-timeout", "0")

    def test_sigterm_during_long_statement(self):
        self.interrupt_long_statement(signal.SIGTERM, 143)

    def test_sigint_during_long_statement(self):
        self.interrupt_long_statement(signal.SIGINT, 130)

    def test_wait_and_backup_commands(self):
        p = sg(["wait", "--url", self.url])
        self.assertEqual(p.returncode, 0, describe(p))
        p = sg(["backup", "--url", self.url, "--backup-dir", self.w.backups])
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertEqual(len(os.listdir(self.w.backups)), 1)

    def test_tool_version_in_history_and_report(self):
        self.run_sg()
        version = sg(["version"]).stdout.split()[-1]
        self.assertTrue(version)
        self.assertEqual(self.w.read_report()["tool_version"], version)
        self.assertEqual(self.rows("SELECT DISTINCT tool_version FROM schemagate_history"),
                         [(version,)])

    def test_concurrent_writer_is_exit_6_not_1(self):
        self.run_sg("--target", "a1")
        writer = sqlite3.connect(self.db, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            # Each attempt waits --ddl-lock-timeout; one retry (the default 10
            # would take a minute: docs/zero-downtime.md).
            p = self.run_sg("--connect-timeout", "1s", "--backup", "never", "--ddl-lock-timeout",
                            "1s", "--ddl-lock-retries", "1", code=6)
            self.assertIn("locked", p.stderr)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        self.run_sg()
        self.assertEqual(self.rows("SELECT version_num FROM alembic_version"), [("b2",)])

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run as another user")
    def test_lock_file_of_another_user_is_exit_5_not_1(self):
        self.run_sg("--target", "a1")  # leaves app.db.lock owned by root, mode 0600
        os.chmod(self.w.path, 0o777)
        os.chmod(self.db, 0o666)
        self.w.clear_outputs()
        p = sg(self.w.args(self.url, "--backup", "never"), user="nobody")
        self.assertEqual(p.returncode, 5, describe(p))
        self.assertIn("lock file", p.stderr)
        self.assertEqual(self.rows("SELECT version_num FROM alembic_version"), [("a1",)])

    def test_run_target_unknown_creates_no_database(self):
        p = self.run_sg("--target", "nosuch", code=3)
        self.assertIn("nosuch", p.stderr)
        self.assertFalse(os.path.exists(self.db))

    def test_empty_directory_is_exit_3_unless_allowed(self):
        for f in os.listdir(self.w.migrations):
            os.unlink(os.path.join(self.w.migrations, f))
        p = self.run_sg(code=3)
        self.assertIn("--allow-empty", self.w.read_termination())
        self.run_sg("--allow-empty")
        self.w.clear_outputs()
        p = sg(self.w.args(self.url), env={"SCHEMAGATE_ALLOW_EMPTY": "true"})
        self.assertEqual(p.returncode, 0, describe(p))

    def test_sigterm_during_transaction_false_revision_is_dirty_9(self):
        self.run_sg()
        self.w.revision("c3", "b2", "INSERT INTO patients (name) VALUES ('half');\n" + LONG,
                        headers="-- transaction: false\n")
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 9, err)
        term = self.w.read_termination()
        self.assertIn("exit 9", term)
        self.assertIn("repair --mark-applied", term)
        self.assertNotIn("rolled back", term)
        self.assertEqual(self.rows("SELECT count(*) FROM patients WHERE name = 'half'"), [(1,)])
        p = self.run_sg("--backup", "never", code=9)

    def test_upgrade_writes_the_same_outputs_and_maps_errors(self):
        self.run_sg("--target", "a1")
        writer = sqlite3.connect(self.db, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            p = sg(["upgrade", "--url", self.url, "--migrations", self.w.migrations,
                    "--connect-timeout", "1s", "--termination-log", self.w.termination,
                    "--report", self.w.report, "--ddl-lock-timeout", "1s",
                    "--ddl-lock-retries", "1"])
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        self.assertEqual(p.returncode, 6, describe(p))
        self.assertIn("exit 6", self.w.read_termination())
        self.assertEqual(self.w.read_report()["command"], "upgrade")

    def test_check_pending_exit_11(self):
        p = sg(["check", "--url", self.url, "--migrations", self.w.migrations])
        self.assertEqual(p.returncode, 11, describe(p))


if __name__ == "__main__":
    main()
