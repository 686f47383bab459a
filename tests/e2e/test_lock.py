#!/usr/bin/python3
"""The migration lock: every spelling of one SQLite file takes one lock.

Two real `run`s of the built binary at once, on one database file named two
ways (a symlink, a relative path, `..`, a hard link). The first one holds the
lock inside a revision that waits on a gate this test holds (an attached
database it keeps write-locked); the second one must wait for the lock, then
find the work done. Nothing sleeps a fixed time: the test polls the logs.

A SQLite file locked at open is waited for, and a huge --lock-timeout waits
instead of overflowing into an immediate timeout.
"""
import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

import cli_support as cs
from run_support import SG_BIN, Workdir, clean_env, describe

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


class OneLockPerFile:
    def __init__(self):
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

    def close(self):
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
        assert p.returncode == 0, describe(p)

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
        assert first.wait_for("migration lock acquired"), first.stderr()
        # b2 has started: its history row is written before the first statement.
        deadline = time.monotonic() + POLL_LIMIT
        while not self.rows("SELECT id FROM schemagate_history WHERE revision = 'b2'"):
            assert first.proc.poll() is None, first.stderr()
            assert time.monotonic() < deadline, "b2 never started"
            time.sleep(0.02)
        second = Runner(self.args(second_url), cwd=cwd)
        self.runners.append(second)
        waited = second.wait_for("waiting for the migration lock")
        self.open_gate()
        code_first, code_second = first.finish(), second.finish()
        assert code_first == 0, first.stderr()
        assert waited, "the second run did not wait for the lock:\n" + second.stderr()
        assert code_second == 0, second.stderr()
        assert "another runner applied the revisions" in second.stderr()
        assert self.rows("SELECT version_num FROM alembic_version") == [("b2",)]
        assert self.rows("SELECT count(*) FROM schemagate_history WHERE revision = 'b2'") == [(1,)]
        return first, second


@pytest.fixture
def files():
    case = OneLockPerFile()
    try:
        yield case
    finally:
        case.close()


def test_symlink(files):
    alias = os.path.join(files.d, "alias.db")
    os.symlink("x.db", alias)
    first, second = files.two_runs("sqlite:///" + alias)
    # The holder text is found through the real path too.
    assert ("pid %d" % first.proc.pid) in second.stderr()


def test_relative_path(files):
    first, second = files.two_runs("sqlite:///x.db", cwd=files.d)
    assert ("pid %d" % first.proc.pid) in second.stderr()


def test_dot_dot(files):
    files.two_runs("sqlite:///" + os.path.join(files.d, "sub", "..", "x.db"))


def test_hard_link_in_another_directory(files):
    other = os.path.join(files.w.path, "elsewhere")
    os.makedirs(other)
    # The link is made after the file exists; prepare() creates it.
    files.prepare()
    os.link(files.db, os.path.join(other, "hard.db"))
    files.prepare = lambda: None
    files.two_runs("sqlite:///" + os.path.join(other, "hard.db"))


# --- waiting for a locked SQLite file and for the migration lock -------------------------

def wait_for_line(proc, needle):
    """Reads the child's stderr until a line holds needle; returns what was read."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError("never saw %r; exit %s; stderr:\n%s" % (needle, proc.wait(), "".join(seen)))


def waits_until_released(tmp, args, needle, release):
    """Starts `run args`, waits for a stderr line holding needle, calls release(), and
    expects the run to finish with exit 0."""
    proc = subprocess.Popen([cs.SG, "run", "--backup", "never"] + args, cwd=tmp, env=cs.clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(proc, needle)
        cs.check(proc.poll() is None, "still waiting")
        release()
        rest = proc.stderr.read()
        cs.check(proc.wait(timeout=60) == 0, "finished once released: " + rest)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sqlite_locked_at_open_is_waited_for(tmp):
    cs.one_rev(tmp)
    db = os.path.join(tmp, "app.db")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("CREATE TABLE busy (x INTEGER)")
        holder.execute("BEGIN EXCLUSIVE")
        waits_until_released(tmp, ["-v", "--connect-timeout", "1s", "--wait-timeout", "60s",
                                   "--url", "sqlite:///" + db], "database is locked",
                             lambda: holder.execute("COMMIT"))
    finally:
        holder.close()


def test_huge_lock_timeout_waits_instead_of_expiring_at_once(tmp):
    cs.one_rev(tmp)
    db = os.path.join(tmp, "app.db")
    sqlite3.connect(db).close()
    with open(db + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waits_until_released(tmp, ["--lock-timeout", "2562048h", "--wait-timeout", "9999999999h",
                                   "--url", "sqlite:///" + db], "waiting for the migration lock",
                             lambda: fcntl.flock(lock, fcntl.LOCK_UN))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
