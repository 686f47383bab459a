#!/usr/bin/python3
"""`run` against the real MariaDB test server: concurrency, the lock,
SIGTERM during a long statement, a dirty step (DDL commits implicitly)."""
import json
import os
import signal
import sys
import time
import urllib.parse

import pytest

from run_support import (Workdir, describe, mysql_lock_name, mysql_connect, mysql_create_db,
                         mysql_drop_db, mysql_query, need_env, sg, spawn)


class MysqlRun:
    def __init__(self):
        need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
        self.name, self.url = mysql_create_db()
        self.w = Workdir()
        self.w.revision("a1", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;")

    def close(self):
        self.w.cleanup()
        mysql_drop_db(self.name)

    def history(self, rev):
        return mysql_query(self.url, "SELECT count(*) FROM schemagate_history WHERE revision = %s "
                           "AND operation = 'upgrade' AND success", (rev,))[0][0]


@pytest.fixture
def my():
    case = MysqlRun()
    try:
        yield case
    finally:
        case.close()


def test_user_that_may_not_create_the_state_tables_exit_5(my):
    # A user with SELECT only on the database: creating schemagate's own
    # tables is refused (1142) before any revision statement runs, so the
    # exit code is 5 with the server's error, and nothing is created.
    user = "sg_ro_%d" % os.getpid()
    secret = "Ro-Pa55-%d" % os.getpid()
    admin = os.environ["SG_TEST_MYSQL_ADMIN_URL"]
    mysql_query(admin, "DROP USER IF EXISTS '%s'@'%%'" % user)
    mysql_query(admin, "CREATE USER '%s'@'%%' IDENTIFIED BY '%s'" % (user, secret))
    try:
        mysql_query(admin, "GRANT SELECT ON `%s`.* TO '%s'@'%%'" % (my.name, user))
        parts = urllib.parse.urlsplit(my.url)
        url = urllib.parse.urlunsplit(
            (parts.scheme, "%s:%s@%s:%d" % (user, secret, parts.hostname, parts.port),
             parts.path, "", ""))
        p = sg(my.w.args(url, "--backup", "never"))
        assert p.returncode == 5, describe(p)
        assert "1142" in p.stderr
        assert "exit 5" in my.w.read_termination()
        assert secret not in (p.stderr + my.w.read_termination())
        assert mysql_query(my.url, "SHOW TABLES") == []
    finally:
        mysql_query(admin, "DROP USER IF EXISTS '%s'@'%%'" % user)


def test_eight_concurrent_runners(my):
    my.w.revision("b2", "a1", "SELECT SLEEP(1);\nINSERT INTO t VALUES (1);")
    my.w.revision("c3", "b2", "INSERT INTO t VALUES (2);")
    args = ["run", "--url", my.url, "--migrations", my.w.migrations, "--log-format", "json",
            "--backup", "never"]
    procs = [spawn(args) for _ in range(8)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        for line in err.splitlines():
            assert json.loads(line)["level"] != "error", line
    for rev in ("a1", "b2", "c3"):
        assert my.history(rev) == 1, rev
    assert mysql_query(my.url, "SELECT id FROM t ORDER BY id") == [(1,), (2,)]


def test_lock_timeout_exit_6(my):
    holder = mysql_connect(my.url)
    try:
        cur = holder.cursor()
        cur.execute("SELECT GET_LOCK(%s, 0)", (mysql_lock_name(my.name),))
        assert cur.fetchone() == (1,)
        p = sg(my.w.args(my.url, "--lock-timeout", "1s"))
        assert p.returncode == 6, describe(p)
    finally:
        holder.close()  # the session ends: the lock is free
    p = sg(my.w.args(my.url, "--lock-timeout", "5s"))
    assert p.returncode == 0, describe(p)


def test_sigterm_during_long_statement(my):
    my.w.revision("b2", "a1", "SELECT SLEEP(60);")
    proc = spawn(my.w.args(my.url, "--backup", "never"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = mysql_query(my.url, "SELECT count(*) FROM information_schema.processlist "
                           "WHERE info LIKE 'SELECT SLEEP(60)%%'")
        if rows[0][0]:
            break
        time.sleep(0.1)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert (time.monotonic() - start) < 5
    assert proc.returncode == 143, err
    assert "exit 143" in my.w.read_termination()
    assert mysql_query(my.url, "SELECT version_num FROM alembic_version") == [("a1",)]
    assert (mysql_query(my.url, "SELECT count(*) FROM information_schema.processlist "
                                 "WHERE info LIKE 'SELECT SLEEP(60)%%'") == [(0,)])
    assert (mysql_query(my.url, "SELECT IS_USED_LOCK(%s)",
                                 (mysql_lock_name(my.name),)) == [(None,)])


def test_dirty_step_exit_9(my):
    my.w.revision("b2", "a1", """
        CREATE TABLE done_part (id INTEGER);
        ALTER TABLE nosuch ADD COLUMN x INTEGER;
    """)
    p = sg(my.w.args(my.url))
    assert p.returncode == 9, describe(p)
    assert my.w.read_report()["backup"]["path"].endswith(".sql.gz")
    p = sg(my.w.args(my.url))
    assert p.returncode == 9, describe(p)
    term = my.w.read_termination()
    for needle in ("b2", "statement 2 of 2", "--mark-applied", "--mark-reverted", "--resume",
                   ".sql.gz"):
        assert needle in term


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
