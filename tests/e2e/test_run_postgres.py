#!/usr/bin/python3
"""`run` against the real PostgreSQL test server: concurrency, the lock,
signals, waiting, authentication, a dirty step."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from run_support import (Workdir, describe, fnv1a64, lock_name, need_env, password_of,
                         pg_admin, pg_connect, pg_create_db, pg_drop_db, pg_query, sg, spawn, with_database)


class TcpForwarder:
    """Accepts on `port` and relays to the real server: a database that
    "starts" when the forwarder does."""

    def __init__(self, port, target_port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.target_port = target_port
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


class PostgresRun:
    def __init__(self):
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.name, self.url = pg_create_db()
        self.w = Workdir()
        self.w.revision("a1", "", "CREATE TABLE t (id INTEGER);", "DROP TABLE t;")

    def close(self):
        self.w.cleanup()
        pg_drop_db(self.name)

    def history(self, rev):
        return pg_query(self.url, "SELECT count(*) FROM schemagate_history WHERE revision = %s "
                        "AND operation = 'upgrade' AND success", (rev,))[0][0]

    def lock_key(self):
        return fnv1a64(lock_name(self.name, "public"))

    def wait_for_query(self, text):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = pg_query(self.url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s "
                            "AND state = 'active'", (text + "%",))
            if rows[0][0]:
                return
            time.sleep(0.1)
        pytest.fail("the statement never started: " + text)


@pytest.fixture
def pg():
    case = PostgresRun()
    try:
        yield case
    finally:
        case.close()


def test_eight_concurrent_runners(pg):
    pg.w.revision("b2", "a1", "SELECT pg_sleep(1);\nINSERT INTO t VALUES (1);")
    pg.w.revision("c3", "b2", "INSERT INTO t VALUES (2);")
    args = ["run", "--url", pg.url, "--migrations", pg.w.migrations, "--log-format", "json",
            "--backup", "never"]
    procs = [spawn(args) for _ in range(8)]
    results = []
    for p in procs:
        _, err = p.communicate(timeout=60)
        results.append((p.returncode, err))
    for code, err in results:
        assert code == 0, err
        for line in err.splitlines():
            obj = json.loads(line)
            assert obj["level"] != "error", line
    for rev in ("a1", "b2", "c3"):
        assert pg.history(rev) == 1, rev
    assert pg_query(pg.url, "SELECT id FROM t ORDER BY id") == [(1,), (2,)]


def test_upgrade_and_run_share_the_lock_of_a_qualified_version_table(pg):
    conn = pg_connect(pg.url)
    conn.autocommit = True
    conn.cursor().execute("CREATE SCHEMA s")
    conn.close()
    tables = ["--version-table", "s.alembic_version", "--history-table",
              "s.schemagate_history"]
    key = fnv1a64(lock_name(pg.name, "s", "s.alembic_version"))
    holder = subprocess.Popen([sys.executable, "-c", (
        "import psycopg2, sys, time\n"
        "c = psycopg2.connect(sys.argv[1]); c.autocommit = True\n"
        "c.cursor().execute('SELECT pg_advisory_lock(%s)', (int(sys.argv[2]),))\n"
        "print('locked', flush=True)\n"
        "time.sleep(600)\n"), pg.url, str(key)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for command in ("run", "upgrade", "stamp"):
            args = [command, "--url", pg.url, "--migrations", pg.w.migrations,
                    "--lock-timeout", "1s", "--backup", "never"] + tables
            if command == "stamp":
                args.append("head")
            p = sg(args)
            assert p.returncode == 6, command + ": " + describe(p)
        assert pg_query(pg.url, "SELECT to_regclass('t') IS NULL") == [(True,)]
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


def test_lock_timeout_then_free_after_sigkill(pg):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import psycopg2, sys, time\n"
        "c = psycopg2.connect(sys.argv[1]); c.autocommit = True\n"
        "c.cursor().execute('SELECT pg_advisory_lock(%s)', (int(sys.argv[2]),))\n"
        "print('locked', flush=True)\n"
        "time.sleep(600)\n"), pg.url, str(pg.lock_key())], stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        p = sg(pg.w.args(pg.url, "--lock-timeout", "2s"))
        took = time.monotonic() - start
        assert p.returncode == 6, describe(p)
        assert took >= 2
        assert took < 8
        assert "pid" in p.stderr  # who holds the lock
        assert "exit 6" in pg.w.read_termination()
        assert pg_query(pg.url, "SELECT to_regclass('t') IS NULL") == [(True,)]
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        start = time.monotonic()
        p = sg(pg.w.args(pg.url, "--lock-timeout", "10s"))
        assert p.returncode == 0, describe(p)
        assert (time.monotonic() - start) < 5
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_lock_free_after_sigkill_of_a_runner_in_a_long_statement(pg):
    path = pg.w.revision("b2", "a1", "SELECT pg_sleep(60);")
    proc = spawn(pg.w.args(pg.url, "--backup", "never"))
    pg.wait_for_query("SELECT pg_sleep(60)")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    with open(path, "w") as f:  # not applied: the next image may change it
        f.write("-- revision: b2\n-- down_revision: a1\n\n-- +upgrade\nSELECT 1;\n")
    start = time.monotonic()
    p = sg(pg.w.args(pg.url, "--lock-timeout", "20s", "--backup", "never"))
    assert p.returncode == 0, describe(p)
    assert (time.monotonic() - start) < 5


def test_sigterm_while_waiting_for_the_database(pg):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    number = s.getsockname()[1]
    s.close()
    closed = pg.url.replace(":%s/" % os.environ["SG_TEST_PG_PORT"], ":%d/" % number)
    proc = spawn(pg.w.args(closed, "--wait-timeout", "60s"))
    time.sleep(1)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert (time.monotonic() - start) < 2
    assert proc.returncode == 143
    assert "exit 143" in pg.w.read_termination()


def test_failed_revision_rolled_back_exit_8(pg):
    pg.w.revision("b2", "a1", "CREATE TABLE half (id INTEGER);\nINSERT INTO nosuch VALUES (1);")
    p = sg(pg.w.args(pg.url, "--backup", "never"))
    assert p.returncode == 8, describe(p)
    assert "relation \"nosuch\" does not exist" in pg.w.read_termination()
    assert pg.w.read_report()["applied"][0]["revision"] == "a1"
    assert pg_query(pg.url, "SELECT to_regclass('half') IS NULL") == [(True,)]
    assert pg_query(pg.url, "SELECT version_num FROM alembic_version") == [("a1",)]


def test_sigterm_during_long_statement(pg):
    pg.w.revision("b2", "a1", "CREATE TABLE half (id INTEGER);\nSELECT pg_sleep(60);")
    proc = spawn(pg.w.args(pg.url, "--backup", "never"))
    pg.wait_for_query("SELECT pg_sleep(60)")
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert (time.monotonic() - start) < 5
    assert proc.returncode == 143, err
    assert "exit 143" in pg.w.read_termination()
    assert pg_query(pg.url, "SELECT to_regclass('half') IS NULL") == [(True,)]
    assert pg_query(pg.url, "SELECT version_num FROM alembic_version") == [("a1",)]
    # The interruption is recorded in the history table.
    assert (pg_query(pg.url, "SELECT count(*) FROM schemagate_history WHERE "
                              "revision = 'b2' AND NOT success AND error LIKE '%%SIGTERM%%'") == [(1,)])
    assert (pg_query(pg.url, "SELECT count(*) FROM pg_locks WHERE locktype = "
                              "'advisory'") == [(0,)])
    assert (pg_query(pg.url, "SELECT count(*) FROM pg_stat_activity WHERE query "
                              "LIKE 'SELECT pg_sleep(60)%%' AND state = 'active'") == [(0,)])


def test_database_started_after_run_begins(pg):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    late_url = pg.url.replace(":%s/" % os.environ["SG_TEST_PG_PORT"], ":%d/" % number)
    proc = spawn(pg.w.args(late_url, "--wait-timeout", "30s", "--backup", "never"))
    time.sleep(3)
    fwd = TcpForwarder(number, int(os.environ["SG_TEST_PG_PORT"]))
    try:
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert pg.w.read_report()["applied"][0]["revision"] == "a1"
        assert pg.w.read_report()["wait_attempts"] > 1
    finally:
        fwd.close()


def test_closed_port_exit_4(pg):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    number = s.getsockname()[1]
    s.close()
    closed = pg.url.replace(":%s/" % os.environ["SG_TEST_PG_PORT"], ":%d/" % number)
    start = time.monotonic()
    p = sg(pg.w.args(closed, "--wait-timeout", "3s"))
    took = time.monotonic() - start
    assert p.returncode == 4, describe(p)
    assert took >= 2.9
    assert took < 7
    assert "exit 4" in pg.w.read_termination()


def test_wrong_password_exit_5_fast_and_secret(pg):
    secret = "WrongPa55-xyzzy"
    bad = pg.url.replace(":" + pg.url.split(":")[2].split("@")[0] + "@",
                           ":" + secret + "@")
    assert secret in bad
    start = time.monotonic()
    p = sg(pg.w.args(bad, "--wait-timeout", "60s"))
    assert p.returncode == 5, describe(p)
    assert (time.monotonic() - start) < 2
    for text in (p.stdout, p.stderr, pg.w.read_termination(),
                 json.dumps(pg.w.read_report())):
        assert secret not in text
        assert password_of(pg.url) not in text


def test_unknown_database_exit_5(pg):
    p = sg(pg.w.args(with_database(pg.url, "no_such_db_x"), "--wait-timeout", "30s"))
    assert p.returncode == 5, describe(p)


def test_role_that_may_not_create_the_state_tables_exit_5(pg):
    # PostgreSQL 15: only the database owner may create in schema public.
    # A role that may connect but not create schemagate's own tables gets
    # exit 5 (a permission error) with a hint about privileges, not 8
    # blaming the revision; nothing is created. libpqxx 6.4 drops the
    # SQLSTATE of exactly this error (42501): the driver restores it.
    role = "sg_noperm_%d" % os.getpid()
    secret = "Np-Pa55-%d" % os.getpid()
    admin = pg_admin()
    try:
        admin.cursor().execute("DROP ROLE IF EXISTS %s" % role)
        admin.cursor().execute("CREATE ROLE %s LOGIN PASSWORD '%s'" % (role, secret))
        parts = urllib.parse.urlsplit(pg.url)
        url = urllib.parse.urlunsplit(
            (parts.scheme, "%s:%s@%s:%d" % (role, secret, parts.hostname, parts.port),
             parts.path, "", ""))
        for extra in ([], ["--atomic"]):
            p = sg(pg.w.args(url, "--backup", "never", *extra))
            assert p.returncode == 5, describe(p)
            assert "permission denied for schema public" in p.stderr
            assert "exit 5" in pg.w.read_termination()
            assert secret not in (p.stderr + pg.w.read_termination())
        assert "lacks a privilege" in sg(pg.w.args(url, "--backup", "never")).stderr
        tables = pg_query(pg.url, "SELECT count(*) FROM information_schema.tables "
                          "WHERE table_schema = 'public'")[0][0]
        assert tables == 0
    finally:
        admin.cursor().execute("DROP ROLE IF EXISTS %s" % role)
        admin.close()


def test_dirty_step_exit_9(pg):
    pg.w.revision("b2", "a1", """
        CREATE TABLE done_part (id INTEGER);
        INSERT INTO nosuch VALUES (1);
    """, headers="-- transaction: false\n")
    p = sg(pg.w.args(pg.url))
    assert p.returncode == 9, describe(p)
    report = pg.w.read_report()
    assert report["revision"] == "b2"
    backup = report["backup"]["path"]
    # The next run stops at the recorded dirty step, naming the way out.
    p = sg(pg.w.args(pg.url))
    assert p.returncode == 9, describe(p)
    term = pg.w.read_termination()
    for needle in ("b2", "statement 2 of 2", "--mark-applied", "--mark-reverted",
                   "--resume", backup):
        assert needle in term


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
