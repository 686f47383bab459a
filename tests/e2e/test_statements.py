#!/usr/bin/python3
"""What a revision's statements may do to schemagate, and what schemagate
records about them, with the built binary against real PostgreSQL, MariaDB
and SQLite:

- a NUL byte anywhere in a file is exit 3 with file:line (`verify` and `run`),
  never a statement cut short;
- a statement that changes the session (`USE other;`, `SET search_path`)
  cannot move schemagate's own bookkeeping, and the recorded count is exact;
- a connection lost while a step's first statement runs outside a
  transaction leaves a history record that matches the exit code.
"""
import os
import sqlite3
import sys
import threading
import time

import pytest

from run_support import (Workdir, describe, mysql_connect, mysql_create_db, mysql_drop_db,
                         mysql_query, need_env, pg_admin, pg_create_db, pg_drop_db, pg_query, sg,
                         spawn, unique)

POLL_LIMIT = 60


def write_raw(path, data):
    with open(path, "wb") as f:
        f.write(data)


NUL_FILE = (b"-- revision: a1\n-- message: nul\n\n-- +upgrade\n"
            b"CREATE TABLE t (x INTEGER);\n"
            b"CREATE TABLE u (x INTEGER);\x00DROP TABLE t;\n")  # the NUL is on line 6


class NulByte:
    def __init__(self):
        self.w = Workdir()
        self.file = os.path.join(self.w.migrations, "a1.sql")
        write_raw(self.file, NUL_FILE)

    def close(self):
        self.w.cleanup()

    def expect_refused(self, p, line=6):
        assert p.returncode == 3, describe(p)
        assert ("%s:%d" % (self.file, line)) in p.stderr
        assert "NUL" in p.stderr


@pytest.fixture
def nul():
    case = NulByte()
    try:
        yield case
    finally:
        case.close()


def test_verify_every_dialect_and_each(nul):
    nul.expect_refused(sg(["verify", "--migrations", nul.w.migrations]))
    for d in ("postgresql", "mysql", "sqlite"):
        nul.expect_refused(sg(["verify", "--migrations", nul.w.migrations, "--dialect", d]))


def test_run_sqlite_changes_nothing(nul):
    db = os.path.join(nul.w.path, "app.db")
    nul.expect_refused(sg(nul.w.args("sqlite:///" + db)))
    assert not os.path.exists(db)
    assert "exit 3" in nul.w.read_termination()


def test_nul_in_the_header_and_in_a_downgrade(nul):
    write_raw(nul.file, b"-- revision: a1\x00\n-- message: x\n\n-- +upgrade\nSELECT 1;\n")
    nul.expect_refused(sg(["verify", "--migrations", nul.w.migrations]), line=1)
    write_raw(nul.file, b"-- revision: a1\n\n-- +upgrade\nSELECT 1;\n\n-- +downgrade\n"
                         b"SELECT 2;\n-- \x00 in a comment\n")
    nul.expect_refused(sg(["verify", "--migrations", nul.w.migrations]), line=8)


def test_utf16_file_names_the_nul(nul):
    text = "-- revision: a1\n\n-- +upgrade\nSELECT 1;\n"
    write_raw(nul.file, text.encode("utf-16-le"))
    p = sg(["verify", "--migrations", nul.w.migrations])
    nul.expect_refused(p, line=1)
    assert "UTF-16" in p.stderr


def test_run_postgres_and_mariadb(nul):
    need_env("SG_TEST_PG_URL", "SG_TEST_MYSQL_URL")
    pg_name, pg_url = pg_create_db("sg_nul")
    my_name, my_url = mysql_create_db("sg_nul")
    try:
        for url in (pg_url, my_url):
            nul.expect_refused(sg(nul.w.args(url)))
        assert (pg_query(pg_url, "SELECT count(*) FROM pg_tables WHERE "
                                          "schemaname = 'public'") == [(0,)])
        assert mysql_query(my_url, "SHOW TABLES") == []
    finally:
        pg_drop_db(pg_name)
        mysql_drop_db(my_name)


class SessionState:
    """A revision's `USE` / `SET search_path` stays the revision's business."""

    def __init__(self):
        self.w = Workdir()
        self.cleanups = []

    def close(self):
        for c in reversed(self.cleanups):
            c()
        self.w.cleanup()

    def run_ok(self, url):
        p = sg(self.w.args(url, "--backup", "never"))
        assert p.returncode == 0, describe(p)
        return p


@pytest.fixture
def session_state():
    case = SessionState()
    try:
        yield case
    finally:
        case.close()


def test_mariadb_use_other_database(session_state):
    need_env("SG_TEST_MYSQL_URL")
    name, url = mysql_create_db("sg_use")
    other, _ = mysql_create_db("sg_other")
    session_state.cleanups += [lambda: mysql_drop_db(name), lambda: mysql_drop_db(other)]
    session_state.w.revision("a1", "", "CREATE TABLE t1 (x INT);")
    session_state.w.revision("b2", "a1", "USE %s;\nCREATE TABLE t2 (x INT);\nCREATE TABLE t3 (x INT);"
                    % other)
    session_state.w.revision("c3", "b2", "CREATE TABLE t4 (x INT);")
    session_state.run_ok(url)
    assert mysql_query(url, "SELECT version_num FROM alembic_version") == [("c3",)]
    rows = mysql_query(url, "SELECT revision, statements_done, statements_total, dirty, "
                            "success FROM schemagate_history ORDER BY id")
    assert [tuple(r) for r in rows] == [("a1", 1, 1, 0, 1), ("b2", 3, 3, 0, 1), ("c3", 1, 1, 0, 1)]
    # The revision's own statements followed its USE: that is the revision's choice.
    tables = {r[0] for r in mysql_query(url, "SELECT table_name FROM "
                                             "information_schema.tables WHERE "
                                             "table_schema = '%s'" % other)}
    assert tables == {"t2", "t3", "t4"}
    # The next run takes the fast path in the right database.
    p = session_state.run_ok(url)
    assert "at the target" in p.stderr


def test_mariadb_xa_transactions(session_state):
    need_env("SG_TEST_MYSQL_URL")
    name, url = mysql_create_db("sg_xa")
    session_state.cleanups.append(lambda: mysql_drop_db(name))
    session_state.w.revision("a1", "", "CREATE TABLE t (x INT);")
    # A complete XA transaction: schemagate's rows are not part of it.
    session_state.w.revision("b2", "a1", "XA START 'x1';\nINSERT INTO t VALUES (1);\nXA END 'x1';\n"
                                "XA PREPARE 'x1';\nXA COMMIT 'x1';")
    session_state.run_ok(url)
    assert mysql_query(url, "SELECT x FROM t") == [(1,)]
    rows = mysql_query(url, "SELECT revision, statements_done, statements_total, dirty "
                            "FROM schemagate_history ORDER BY id")
    assert [tuple(r) for r in rows] == [("a1", 1, 1, 0), ("b2", 5, 5, 0)]
    # One left open would lose its INSERT when the session ends: not a success.
    session_state.w.revision("c3", "b2", "XA START 'x2';\nINSERT INTO t VALUES (2);")
    p = sg(session_state.w.args(url, "--backup", "never"))
    assert p.returncode == 9, describe(p)
    assert "left a transaction open" in p.stderr
    rows = mysql_query(url, "SELECT revision, statements_done, dirty, error FROM "
                            "schemagate_history WHERE revision = 'c3'")
    assert len(rows) == 1, rows
    assert rows[0][:3] == ("c3", 2, 1)
    assert "left a transaction open" in rows[0][3]
    assert mysql_query(url, "SELECT version_num FROM alembic_version") == [("b2",)]


def test_postgres_set_search_path(session_state):
    need_env("SG_TEST_PG_URL")
    name, url = pg_create_db("sg_path")
    session_state.cleanups.append(lambda: pg_drop_db(name))
    session_state.w.revision("a1", "", "CREATE SCHEMA other;\nSET search_path TO other;\n"
                              "CREATE TABLE t1 (x int);")
    session_state.w.revision("b2", "a1", "SET search_path TO other;\nCREATE TABLE t2 (x int);\n"
                                "CREATE TABLE t3 (x int);",
                    headers="-- transaction: false\n")
    session_state.w.revision("c3", "b2", "CREATE TABLE t4 (x int);")
    session_state.run_ok(url)
    assert pg_query(url, "SELECT version_num FROM public.alembic_version") == [("c3",)]
    rows = pg_query(url, "SELECT revision, statements_done, statements_total, dirty, success "
                         "FROM public.schemagate_history ORDER BY id")
    assert (rows == [("a1", 3, 3, False, True), ("b2", 3, 3, False, True),
                            ("c3", 1, 1, False, True)])
    assert (pg_query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                   "'other' AND tablename IN ('alembic_version', "
                                   "'schemagate_history')") == [(0,)])
    p = session_state.run_ok(url)
    assert "at the target" in p.stderr


class LostConnection:
    """The server ends the session while a step's first statement runs outside a
    transaction: whether that statement took effect is unknown, so the step is
    dirty (exit 9) with the error recorded, and the next run says the same."""

    def __init__(self):
        self.w = Workdir()
        self.cleanups = []

    def close(self):
        for c in reversed(self.cleanups):
            c()
        self.w.cleanup()

    def kill_when_running(self, find, kill):
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        self.cleanups.append(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        deadline = time.monotonic() + POLL_LIMIT
        target = None
        while target is None:
            assert proc.poll() is None, proc.communicate()[1] if proc.poll() is not None else ""
            assert time.monotonic() < deadline, "the slow statement never ran"
            target = find()
            if target is None:
                time.sleep(0.02)
        kill(target)
        out, err = proc.communicate(timeout=POLL_LIMIT)
        return proc.returncode, err

    def check_consistent(self, code, err, history):
        assert code == 9, err
        assert "connection was lost" in err
        rows = history()
        assert len(rows) == 1, rows
        dirty, error, done = rows[0]
        assert dirty
        assert error is not None, "the error was not recorded"
        assert done == 0
        self.w.clear_outputs()
        again = sg(self.w.args(self.url, "--backup", "never"))
        assert again.returncode == 9, describe(again)


@pytest.fixture
def lost_connection():
    case = LostConnection()
    try:
        yield case
    finally:
        case.close()


def test_postgres_transaction_false(lost_connection):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    name, lost_connection.url = pg_create_db("sg_lost")
    lost_connection.cleanups.append(lambda: pg_drop_db(name))
    marker = unique("lost")
    lost_connection.w.revision("a1", "", "SELECT pg_sleep(120), '%s';\nCREATE TABLE t (x int);" % marker,
                    headers="-- transaction: false\n")
    admin = pg_admin()
    lost_connection.cleanups.append(admin.close)

    def find():
        cur = admin.cursor()
        cur.execute("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE "
                    "%s AND query NOT LIKE '%%pg_stat_activity%%'", ("%" + marker + "%",))
        row = cur.fetchone()
        return row[0] if row else None

    code, err = lost_connection.kill_when_running(
        find, lambda pid: admin.cursor().execute("SELECT pg_terminate_backend(%s)", (pid,)))
    lost_connection.check_consistent(code, err, lambda: pg_query(
        lost_connection.url, "SELECT dirty, error, statements_done FROM schemagate_history"))


def test_mariadb(lost_connection):
    need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    name, lost_connection.url = mysql_create_db("sg_lost")
    lost_connection.cleanups.append(lambda: mysql_drop_db(name))
    marker = unique("lost")
    lost_connection.w.revision("a1", "", "SELECT SLEEP(120), '%s';\nCREATE TABLE t (x INT);" % marker)
    admin = mysql_connect(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    lost_connection.cleanups.append(admin.close)

    def find():
        cur = admin.cursor()
        cur.execute("SELECT id FROM information_schema.processlist WHERE info LIKE %s "
                    "AND info NOT LIKE '%%processlist%%'", ("%" + marker + "%",))
        row = cur.fetchone()
        return row[0] if row else None

    code, err = lost_connection.kill_when_running(find, lambda i: admin.cursor().execute("KILL %d" % i))
    lost_connection.check_consistent(code, err, lambda: [
        (bool(d), e, n) for d, e, n in
        mysql_query(lost_connection.url, "SELECT dirty, error, statements_done FROM schemagate_history")])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
