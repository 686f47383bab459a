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
import unittest
import urllib.parse

from run_support import (Workdir, describe, fnv1a64, lock_name, main, need_env, password_of,
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


class PostgresRun(unittest.TestCase):
    def setUp(self):
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.name, self.url = pg_create_db()
        self.w = Workdir()
        self.w.revision("a1", "", "CREATE TABLE t (id INTEGER);", "DROP TABLE t;")

    def tearDown(self):
        self.w.cleanup()
        pg_drop_db(self.name)

    def history(self, rev):
        return pg_query(self.url, "SELECT count(*) FROM schemagate_history WHERE revision = %s "
                        "AND operation = 'upgrade' AND success", (rev,))[0][0]

    def lock_key(self):
        return fnv1a64(lock_name(self.name, "public"))

    def test_eight_concurrent_runners(self):
        self.w.revision("b2", "a1", "SELECT pg_sleep(1);\nINSERT INTO t VALUES (1);")
        self.w.revision("c3", "b2", "INSERT INTO t VALUES (2);")
        args = ["run", "--url", self.url, "--migrations", self.w.migrations, "--log-format", "json",
                "--backup", "never"]
        procs = [spawn(args) for _ in range(8)]
        results = []
        for p in procs:
            _, err = p.communicate(timeout=60)
            results.append((p.returncode, err))
        for code, err in results:
            self.assertEqual(code, 0, err)
            for line in err.splitlines():
                obj = json.loads(line)
                self.assertNotEqual(obj["level"], "error", line)
        for rev in ("a1", "b2", "c3"):
            self.assertEqual(self.history(rev), 1, rev)
        self.assertEqual(pg_query(self.url, "SELECT id FROM t ORDER BY id"), [(1,), (2,)])

    def test_upgrade_and_run_share_the_lock_of_a_qualified_version_table(self):
        conn = pg_connect(self.url)
        conn.autocommit = True
        conn.cursor().execute("CREATE SCHEMA s")
        conn.close()
        tables = ["--version-table", "s.alembic_version", "--history-table",
                  "s.schemagate_history"]
        key = fnv1a64(lock_name(self.name, "s", "s.alembic_version"))
        holder = subprocess.Popen([sys.executable, "-c", (
            "import psycopg2, sys, time\n"
            "c = psycopg2.connect(sys.argv[1]); c.autocommit = True\n"
            "c.cursor().execute('SELECT pg_advisory_lock(%s)', (int(sys.argv[2]),))\n"
            "print('locked', flush=True)\n"
            "time.sleep(600)\n"), self.url, str(key)], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(holder.stdout.readline().strip(), "locked")
            for command in ("run", "upgrade", "stamp"):
                args = [command, "--url", self.url, "--migrations", self.w.migrations,
                        "--lock-timeout", "1s", "--backup", "never"] + tables
                if command == "stamp":
                    args.append("head")
                p = sg(args)
                self.assertEqual(p.returncode, 6, command + ": " + describe(p))
            self.assertEqual(pg_query(self.url, "SELECT to_regclass('t') IS NULL"), [(True,)])
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait()

    def test_lock_timeout_then_free_after_sigkill(self):
        holder = subprocess.Popen([sys.executable, "-c", (
            "import psycopg2, sys, time\n"
            "c = psycopg2.connect(sys.argv[1]); c.autocommit = True\n"
            "c.cursor().execute('SELECT pg_advisory_lock(%s)', (int(sys.argv[2]),))\n"
            "print('locked', flush=True)\n"
            "time.sleep(600)\n"), self.url, str(self.lock_key())], stdout=subprocess.PIPE,
            text=True)
        try:
            self.assertEqual(holder.stdout.readline().strip(), "locked")
            start = time.monotonic()
            p = sg(self.w.args(self.url, "--lock-timeout", "2s"))
            took = time.monotonic() - start
            self.assertEqual(p.returncode, 6, describe(p))
            self.assertGreaterEqual(took, 2)
            self.assertLess(took, 8)
            self.assertIn("pid", p.stderr)  # who holds the lock
            self.assertIn("exit 6", self.w.read_termination())
            self.assertEqual(pg_query(self.url, "SELECT to_regclass('t') IS NULL"), [(True,)])
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            start = time.monotonic()
            p = sg(self.w.args(self.url, "--lock-timeout", "10s"))
            self.assertEqual(p.returncode, 0, describe(p))
            self.assertLess(time.monotonic() - start, 5)
        finally:
            holder.kill()
            holder.wait()
            holder.stdout.close()

    def test_lock_free_after_sigkill_of_a_runner_in_a_long_statement(self):
        path = self.w.revision("b2", "a1", "SELECT pg_sleep(60);")
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        self.wait_for_query("SELECT pg_sleep(60)")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        with open(path, "w") as f:  # not applied: the next image may change it
            f.write("-- revision: b2\n-- down_revision: a1\n\n-- +upgrade\nSELECT 1;\n")
        start = time.monotonic()
        p = sg(self.w.args(self.url, "--lock-timeout", "20s", "--backup", "never"))
        self.assertEqual(p.returncode, 0, describe(p))
        self.assertLess(time.monotonic() - start, 5)

    def test_sigterm_while_waiting_for_the_database(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        number = s.getsockname()[1]
        s.close()
        closed = self.url.replace(":%s/" % os.environ["SG_TEST_PG_PORT"], ":%d/" % number)
        proc = spawn(self.w.args(closed, "--wait-timeout", "60s"))
        time.sleep(1)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
        self.assertLess(time.monotonic() - start, 2)
        self.assertEqual(proc.returncode, 143)
        self.assertIn("exit 143", self.w.read_termination())

    def test_failed_revision_rolled_back_exit_8(self):
        self.w.revision("b2", "a1", "CREATE TABLE half (id INTEGER);\nINSERT INTO nosuch VALUES (1);")
        p = sg(self.w.args(self.url, "--backup", "never"))
        self.assertEqual(p.returncode, 8, describe(p))
        self.assertIn("relation \"nosuch\" does not exist", self.w.read_termination())
        self.assertEqual(self.w.read_report()["applied"][0]["revision"], "a1")
        self.assertEqual(pg_query(self.url, "SELECT to_regclass('half') IS NULL"), [(True,)])
        self.assertEqual(pg_query(self.url, "SELECT version_num FROM alembic_version"), [("a1",)])

    def wait_for_query(self, text):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = pg_query(self.url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s "
                            "AND state = 'active'", (text + "%",))
            if rows[0][0]:
                return
            time.sleep(0.1)
        self.fail("the statement never started: " + text)

    def test_sigterm_during_long_statement(self):
        self.w.revision("b2", "a1", "CREATE TABLE half (id INTEGER);\nSELECT pg_sleep(60);")
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        self.wait_for_query("SELECT pg_sleep(60)")
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(proc.returncode, 143, err)
        self.assertIn("exit 143", self.w.read_termination())
        self.assertEqual(pg_query(self.url, "SELECT to_regclass('half') IS NULL"), [(True,)])
        self.assertEqual(pg_query(self.url, "SELECT version_num FROM alembic_version"), [("a1",)])
        # The interruption is recorded in the history table.
        self.assertEqual(pg_query(self.url, "SELECT count(*) FROM schemagate_history WHERE "
                                  "revision = 'b2' AND NOT success AND error LIKE '%%SIGTERM%%'"),
                         [(1,)])
        self.assertEqual(pg_query(self.url, "SELECT count(*) FROM pg_locks WHERE locktype = "
                                  "'advisory'"), [(0,)])
        self.assertEqual(pg_query(self.url, "SELECT count(*) FROM pg_stat_activity WHERE query "
                                  "LIKE 'SELECT pg_sleep(60)%%' AND state = 'active'"), [(0,)])

    def test_database_started_after_run_begins(self):
        port = socket.socket()
        port.bind(("127.0.0.1", 0))
        number = port.getsockname()[1]
        port.close()
        late_url = self.url.replace(":%s/" % os.environ["SG_TEST_PG_PORT"], ":%d/" % number)
        proc = spawn(self.w.args(late_url, "--wait-timeout", "30s", "--backup", "never"))
        time.sleep(3)
        fwd = TcpForwarder(number, int(os.environ["SG_TEST_PG_PORT"]))
        try:
            out, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 0, err)
            self.assertEqual(self.w.read_report()["applied"][0]["revision"], "a1")
            self.assertGreater(self.w.read_report()["wait_attempts"], 1)
        finally:
            fwd.close()

    def test_closed_port_exit_4(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        number = s.getsockname()[1]
        s.close()
        closed = self.url.replace(":%s/" % os.environ["SG_TEST_PG_PORT"], ":%d/" % number)
        start = time.monotonic()
        p = sg(self.w.args(closed, "--wait-timeout", "3s"))
        took = time.monotonic() - start
        self.assertEqual(p.returncode, 4, describe(p))
        self.assertGreaterEqual(took, 2.9)
        self.assertLess(took, 7)
        self.assertIn("exit 4", self.w.read_termination())

    def test_wrong_password_exit_5_fast_and_secret(self):
        secret = "WrongPa55-xyzzy"
        bad = self.url.replace(":" + self.url.split(":")[2].split("@")[0] + "@",
                               ":" + secret + "@")
        self.assertIn(secret, bad)
        start = time.monotonic()
        p = sg(self.w.args(bad, "--wait-timeout", "60s"))
        self.assertEqual(p.returncode, 5, describe(p))
        self.assertLess(time.monotonic() - start, 2)
        for text in (p.stdout, p.stderr, self.w.read_termination(),
                     json.dumps(self.w.read_report())):
            self.assertNotIn(secret, text)
            self.assertNotIn(password_of(self.url), text)

    def test_unknown_database_exit_5(self):
        p = sg(self.w.args(with_database(self.url, "no_such_db_x"), "--wait-timeout", "30s"))
        self.assertEqual(p.returncode, 5, describe(p))

    def test_role_that_may_not_create_the_state_tables_exit_5(self):
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
            parts = urllib.parse.urlsplit(self.url)
            url = urllib.parse.urlunsplit(
                (parts.scheme, "%s:%s@%s:%d" % (role, secret, parts.hostname, parts.port),
                 parts.path, "", ""))
            for extra in ([], ["--atomic"]):
                p = sg(self.w.args(url, "--backup", "never", *extra))
                self.assertEqual(p.returncode, 5, describe(p))
                self.assertIn("permission denied for schema public", p.stderr)
                self.assertIn("exit 5", self.w.read_termination())
                self.assertNotIn(secret, p.stderr + self.w.read_termination())
            self.assertIn("lacks a privilege", sg(self.w.args(url, "--backup", "never")).stderr)
            tables = pg_query(self.url, "SELECT count(*) FROM information_schema.tables "
                              "WHERE table_schema = 'public'")[0][0]
            self.assertEqual(tables, 0)
        finally:
            admin.cursor().execute("DROP ROLE IF EXISTS %s" % role)
            admin.close()

    def test_dirty_step_exit_9(self):
        self.w.revision("b2", "a1", """
            CREATE TABLE done_part (id INTEGER);
            INSERT INTO nosuch VALUES (1);
        """, headers="-- transaction: false\n")
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 9, describe(p))
        report = self.w.read_report()
        self.assertEqual(report["revision"], "b2")
        backup = report["backup"]["path"]
        # The next run stops at the recorded dirty step, naming the way out.
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 9, describe(p))
        term = self.w.read_termination()
        for needle in ("b2", "statement 2 of 2", "--mark-applied", "--mark-reverted",
                       "--resume", backup):
            self.assertIn(needle, term)


if __name__ == "__main__":
    main()
