#!/usr/bin/python3
"""The migration lock: every spelling of one SQLite file takes one lock.

Two real `run`s of the built binary at once, on one database file named two
ways (a symlink, a relative path, `..`, a hard link). The first one holds the
lock inside a revision that waits on a gate this test holds (an attached
database it keeps write-locked); the second one must wait for the lock, then
find the work done. Nothing sleeps a fixed time: the test polls the logs.
"""
import os
import sqlite3
import subprocess
import threading
import time
import unittest

from run_support import SG_BIN, Workdir, clean_env, describe, main

POLL_LIMIT = 60  # seconds until a test gives up waiting for an event


class Runner:
    """A running `schemagate run` whose stderr is read line by line."""

    def __init__(self, args, cwd=None):
        self.proc = subprocess.Popen([SG_BIN] + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=cwd)
        self.lines = []
        self.out = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def stderr(self):
        return "".join(self.lines)

    def wait_for(self, text):
        """Polls until `text` is logged or the process ended; returns whether it was logged."""
        deadline = time.monotonic() + POLL_LIMIT
        while time.monotonic() < deadline:
            if text in self.stderr():
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return text in self.stderr()
            time.sleep(0.02)
        raise AssertionError("neither %r nor an exit within %d s:\n%s"
                             % (text, POLL_LIMIT, self.stderr()))

    def finish(self):
        # Only the reader thread reads stderr (communicate() would race it).
        self.proc.wait(timeout=POLL_LIMIT)
        self._reader.join(POLL_LIMIT)
        self.out = self.proc.stdout.read()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class OneLockPerFile(unittest.TestCase):
    def setUp(self):
        self.w = Workdir()
        self.d = os.path.join(self.w.path, "d")
        os.makedirs(os.path.join(self.d, "sub"))
        self.db = os.path.join(self.d, "x.db")
        self.gate = os.path.join(self.w.path, "gate.db")
        g = sqlite3.connect(self.gate)
        g.execute("CREATE TABLE g (x INTEGER)")
        g.commit()
        g.close()
        self.w.revision("a1", "", "CREATE TABLE t (x INTEGER);")
        # Runs outside a transaction, so it may ATTACH: the INSERT waits (busy
        # timeout) while this test holds the gate's write lock.
        self.w.revision("b2", "a1", """
            ATTACH DATABASE '%s' AS gate;
            INSERT INTO gate.g VALUES (1);
            DETACH DATABASE gate;
            CREATE TABLE b2_done (x INTEGER);
        """ % self.gate, headers="-- transaction: false\n")
        self.run_args = ["--backup", "never", "--connect-timeout", "120s", "--lock-timeout",
                         "120s"]
        self.runners = []
        self.holder = None

    def tearDown(self):
        for r in self.runners:
            r.kill()
        if self.holder is not None:
            self.holder.close()
        self.w.cleanup()

    def args(self, url):
        return ["run", "--url", url, "--migrations", self.w.migrations, "--backup-dir",
                self.w.backups] + self.run_args

    def prepare(self):
        p = subprocess.run([SG_BIN] + self.args("sqlite:///" + self.db) + ["--target", "a1"],
                           capture_output=True, text=True, env=clean_env(), timeout=60)
        self.assertEqual(p.returncode, 0, describe(p))

    def close_gate(self):
        self.holder = sqlite3.connect(self.gate, isolation_level=None)
        self.holder.execute("BEGIN IMMEDIATE")

    def open_gate(self):
        self.holder.execute("ROLLBACK")

    def rows(self, sql):
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def two_runs(self, second_url, cwd=None):
        """The first run (absolute path) holds the lock inside b2; the second, through
        `second_url`, must wait for it and then find b2 applied."""
        self.prepare()
        self.close_gate()
        first = Runner(self.args("sqlite:///" + self.db))
        self.runners.append(first)
        self.assertTrue(first.wait_for("migration lock acquired"), first.stderr())
        # b2 has started: its history row is written before the first statement.
        deadline = time.monotonic() + POLL_LIMIT
        while not self.rows("SELECT id FROM schemagate_history WHERE revision = 'b2'"):
            self.assertIsNone(first.proc.poll(), first.stderr())
            self.assertLess(time.monotonic(), deadline, "b2 never started")
            time.sleep(0.02)
        second = Runner(self.args(second_url), cwd=cwd)
        self.runners.append(second)
        waited = second.wait_for("waiting for the migration lock")
        self.open_gate()
        code_first, code_second = first.finish(), second.finish()
        self.assertEqual(code_first, 0, first.stderr())
        self.assertTrue(waited, "the second run did not wait for the lock:\n" + second.stderr())
        self.assertEqual(code_second, 0, second.stderr())
        self.assertIn("another runner applied the revisions", second.stderr())
        self.assertEqual(self.rows("SELECT version_num FROM alembic_version"), [("b2",)])
        self.assertEqual(self.rows("SELECT count(*) FROM schemagate_history WHERE revision = 'b2'"),
                         [(1,)])
        return first, second

    def test_symlink(self):
        alias = os.path.join(self.d, "alias.db")
        os.symlink("x.db", alias)
        first, second = self.two_runs("sqlite:///" + alias)
        # The holder text is found through the real path too.
        self.assertIn("pid %d" % first.proc.pid, second.stderr())

    def test_relative_path(self):
        first, second = self.two_runs("sqlite:///x.db", cwd=self.d)
        self.assertIn("pid %d" % first.proc.pid, second.stderr())

    def test_dot_dot(self):
        self.two_runs("sqlite:///" + os.path.join(self.d, "sub", "..", "x.db"))

    def test_hard_link_in_another_directory(self):
        other = os.path.join(self.w.path, "elsewhere")
        os.makedirs(other)
        # The link is made after the file exists; prepare() creates it.
        self.prepare()
        os.link(self.db, os.path.join(other, "hard.db"))
        self.prepare = lambda: None
        self.two_runs("sqlite:///" + os.path.join(other, "hard.db"))


if __name__ == "__main__":
    main()
