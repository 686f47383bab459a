#!/usr/bin/python3
"""`run` on SQLite: exit codes, fast path, termination message, report,
JSON logs, SIGTERM/SIGINT during a long statement, backups, a file that is
not a database."""
import json
import os
import re
import signal
import sqlite3
import stat
import sys
import time

import pytest

import cli_support as cs
from run_support import Workdir, describe, sg, spawn

FIRST = "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT);"
SECOND = "INSERT INTO patients (name) VALUES ('ada'), ('bob');"
# A statement that runs for many seconds unless interrupted.
LONG = ("CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 2000000000) SELECT count(*) AS n FROM c;")


class SqliteRun:
    def __init__(self):
        self.w = Workdir()
        self.db = os.path.join(self.w.path, "app.db")
        self.url = "sqlite:///" + self.db
        self.w.revision("a1", "", FIRST, "DROP TABLE patients;")
        self.w.revision("b2", "a1", SECOND, "DELETE FROM patients;")

    def close(self):
        self.w.cleanup()

    def run_sg(self, *extra, code=0):
        self.w.clear_outputs()
        p = sg(self.w.args(self.url, *extra))
        assert p.returncode == code, describe(p)
        # The termination message and the report are written for every outcome.
        assert ("exit %d" % code) in self.w.read_termination()
        assert self.w.read_report()["exit_code"] == code
        return p

    def rows(self, sql):
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def interrupt_long_statement(self, sig, code):
        self.run_sg()
        self.w.revision("c3", "b2", "INSERT INTO patients (name) VALUES ('half');\n" + LONG)
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        time.sleep(1.5)
        start = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
        assert (time.monotonic() - start) < 5
        assert proc.returncode == code, err
        assert ("exit %d" % code) in self.w.read_termination()
        assert self.rows("SELECT count(*) FROM patients WHERE name = 'half'") == [(0,)]
        assert self.rows("SELECT version_num FROM alembic_version") == [("b2",)]
        # The lock is free: the next run gets it at once (and fails on the
        # same long statement only if it ran; give it a short revision).
        os.unlink([os.path.join(self.w.migrations, f) for f in os.listdir(self.w.migrations)
                   if "c3" in f][0])
        self.run_sg("--lock-timeout", "0")


@pytest.fixture
def sqlite_run():
    case = SqliteRun()
    try:
        yield case
    finally:
        case.close()


def test_apply_then_fast_path(sqlite_run):
    sqlite_run.run_sg()
    report = sqlite_run.w.read_report()
    assert [s["revision"] for s in report["applied"]] == ["a1", "b2"]
    assert report["to"] == ["b2"]
    assert report["backup"]["path"].endswith(".sqlite3")
    assert sqlite_run.rows("SELECT version_num FROM alembic_version") == [("b2",)]
    mtime = os.stat(sqlite_run.db).st_mtime_ns
    sqlite_run.run_sg()
    report = sqlite_run.w.read_report()
    assert report["fast_path"]
    assert not report["lock_taken"]
    assert report["backup"] is None
    assert os.stat(sqlite_run.db).st_mtime_ns == mtime, "fast path wrote to the database"
    assert len(os.listdir(sqlite_run.w.backups)) == 1


def test_backup_only_when_pending_and_restorable(sqlite_run):
    sqlite_run.w.revision("c3", "b2", "INSERT INTO patients (name) VALUES ('cy');")
    sqlite_run.run_sg("--target", "b2")
    sqlite_run.run_sg()
    files = sorted(os.listdir(sqlite_run.w.backups))
    assert len(files) == 2, files
    assert any(re.match(r"app-[0-9a-f]{8}-b2-", f) for f in files), files
    mode = stat.S_IMODE(os.stat(sqlite_run.w.backups).st_mode)
    assert mode == 0o700
    path = os.path.join(sqlite_run.w.backups, [f for f in files if re.match(r"app-[0-9a-f]{8}-b2-", f)][0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM patients").fetchone() == (2,)
    conn.close()


def test_exit_codes(sqlite_run):
    # 3: invalid directory
    bad = sqlite_run.w.revision("zz", "nosuch", "SELECT 1;")
    p = sqlite_run.run_sg(code=3)
    assert "nosuch" in p.stderr
    os.unlink(bad)
    # 2: bad configuration
    p = sg(sqlite_run.w.args(sqlite_run.url, "--wait-timeout", "soon"))
    assert p.returncode == 2, describe(p)
    sqlite_run.run_sg()
    # 10: a changed applied file
    path = [os.path.join(sqlite_run.w.migrations, f) for f in os.listdir(sqlite_run.w.migrations)
            if "a1" in f][0]
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("name TEXT", "name VARCHAR(20)"))
    p = sqlite_run.run_sg(code=10)
    assert os.path.basename(path) in sqlite_run.w.read_termination()
    sqlite_run.run_sg("--allow-drift")
    with open(path, "w") as f:
        f.write(text)
    # 10: the database is ahead of the files
    sqlite_run.w.revision("c3", "b2", "SELECT 1;")
    sqlite_run.run_sg("--backup", "never")
    os.unlink([os.path.join(sqlite_run.w.migrations, f) for f in os.listdir(sqlite_run.w.migrations)
               if "c3" in f][0])
    sqlite_run.run_sg(code=10)
    assert "ahead of this image" in sqlite_run.w.read_termination()
    sqlite_run.run_sg("--allow-unknown")


def test_failed_revision_rolls_back_exit_8(sqlite_run):
    sqlite_run.run_sg()
    sqlite_run.w.revision("c3", "b2", """
        INSERT INTO patients (name) VALUES ('partial');
        INSERT INTO nosuch VALUES (1);
    """)
    sqlite_run.run_sg(code=8)
    report = sqlite_run.w.read_report()
    assert report["revision"] == "c3"
    assert "c3.sql:" in report["location"]
    assert "nosuch" in (report["db_error"] or report["error"])
    term = sqlite_run.w.read_termination()
    assert "c3" in term
    assert "next:" in term
    assert sqlite_run.rows("SELECT count(*) FROM patients WHERE name = 'partial'") == [(0,)]
    assert sqlite_run.rows("SELECT version_num FROM alembic_version") == [("b2",)]


def test_json_logs_parse_line_by_line(sqlite_run):
    p = sg(sqlite_run.w.args(sqlite_run.url, "--log-format", "json"))
    assert p.returncode == 0, describe(p)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert lines
    for line in lines:
        obj = json.loads(line)
        assert "ts" in obj
        assert "level" in obj
        assert "msg" in obj


def test_sigterm_during_long_statement(sqlite_run):
    sqlite_run.interrupt_long_statement(signal.SIGTERM, 143)


def test_sigint_during_long_statement(sqlite_run):
    sqlite_run.interrupt_long_statement(signal.SIGINT, 130)


def test_wait_and_backup_commands(sqlite_run):
    p = sg(["wait", "--url", sqlite_run.url])
    assert p.returncode == 0, describe(p)
    p = sg(["backup", "--url", sqlite_run.url, "--backup-dir", sqlite_run.w.backups])
    assert p.returncode == 0, describe(p)
    assert len(os.listdir(sqlite_run.w.backups)) == 1


def test_tool_version_in_history_and_report(sqlite_run):
    sqlite_run.run_sg()
    version = sg(["version"]).stdout.split()[-1]
    assert version
    assert sqlite_run.w.read_report()["tool_version"] == version
    assert sqlite_run.rows("SELECT DISTINCT tool_version FROM schemagate_history") == [(version,)]


def test_concurrent_writer_is_exit_6_not_1(sqlite_run):
    sqlite_run.run_sg("--target", "a1")
    writer = sqlite3.connect(sqlite_run.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        # Each attempt waits --ddl-lock-timeout; one retry (the default 10
        # would take a minute: docs/zero-downtime.md).
        p = sqlite_run.run_sg("--connect-timeout", "1s", "--backup", "never", "--ddl-lock-timeout",
                        "1s", "--ddl-lock-retries", "1", code=6)
        assert "locked" in p.stderr
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    sqlite_run.run_sg()
    assert sqlite_run.rows("SELECT version_num FROM alembic_version") == [("b2",)]


@pytest.mark.skipif(not (os.geteuid() == 0), reason="needs root to run as another user")
def test_lock_file_of_another_user_is_exit_5_not_1(sqlite_run):
    sqlite_run.run_sg("--target", "a1")  # leaves app.db.lock owned by root, mode 0600
    os.chmod(sqlite_run.w.path, 0o777)
    os.chmod(sqlite_run.db, 0o666)
    sqlite_run.w.clear_outputs()
    p = sg(sqlite_run.w.args(sqlite_run.url, "--backup", "never"), user="nobody")
    assert p.returncode == 5, describe(p)
    assert "lock file" in p.stderr
    assert sqlite_run.rows("SELECT version_num FROM alembic_version") == [("a1",)]


def test_run_target_unknown_creates_no_database(sqlite_run):
    p = sqlite_run.run_sg("--target", "nosuch", code=3)
    assert "nosuch" in p.stderr
    assert not os.path.exists(sqlite_run.db)


def test_empty_directory_is_exit_3_unless_allowed(sqlite_run):
    for f in os.listdir(sqlite_run.w.migrations):
        os.unlink(os.path.join(sqlite_run.w.migrations, f))
    p = sqlite_run.run_sg(code=3)
    assert "--allow-empty" in sqlite_run.w.read_termination()
    sqlite_run.run_sg("--allow-empty")
    sqlite_run.w.clear_outputs()
    p = sg(sqlite_run.w.args(sqlite_run.url), env={"SCHEMAGATE_ALLOW_EMPTY": "true"})
    assert p.returncode == 0, describe(p)


def test_sigterm_during_transaction_false_revision_is_dirty_9(sqlite_run):
    sqlite_run.run_sg()
    sqlite_run.w.revision("c3", "b2", "INSERT INTO patients (name) VALUES ('half');\n" + LONG,
                    headers="-- transaction: false\n")
    proc = spawn(sqlite_run.w.args(sqlite_run.url, "--backup", "never"))
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 9, err
    term = sqlite_run.w.read_termination()
    assert "exit 9" in term
    assert "repair --mark-applied" in term
    assert "rolled back" not in term
    assert sqlite_run.rows("SELECT count(*) FROM patients WHERE name = 'half'") == [(1,)]
    p = sqlite_run.run_sg("--backup", "never", code=9)


def test_upgrade_writes_the_same_outputs_and_maps_errors(sqlite_run):
    sqlite_run.run_sg("--target", "a1")
    writer = sqlite3.connect(sqlite_run.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        p = sg(["upgrade", "--url", sqlite_run.url, "--migrations", sqlite_run.w.migrations,
                "--connect-timeout", "1s", "--termination-log", sqlite_run.w.termination,
                "--report", sqlite_run.w.report, "--ddl-lock-timeout", "1s",
                "--ddl-lock-retries", "1"])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert p.returncode == 6, describe(p)
    assert "exit 6" in sqlite_run.w.read_termination()
    assert sqlite_run.w.read_report()["command"] == "upgrade"


def test_check_pending_exit_11(sqlite_run):
    p = sg(["check", "--url", sqlite_run.url, "--migrations", sqlite_run.w.migrations])
    assert p.returncode == 11, describe(p)


# --- a file that is not a database -------------------------------------------------------

def test_sqlite_not_a_database_hint(tmp):
    cs.one_rev(tmp)
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "w") as f:
        f.write("this is not a database file, just some text that is long enough......")
    _, err = cs.expect(cs.sg("run", "--url", "sqlite:///" + junk, cwd=tmp), 2, "junk file")
    cs.check("not an SQLite database" in err, err)
    cs.check("check the user" not in err, "no password hint: " + err)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
