#!/usr/bin/python3
"""`run` against the real MariaDB test server: concurrency, the lock,
SIGTERM during a long statement, a dirty step (DDL commits implicitly)."""
import json
import os
import signal
import time
import unittest
import urllib.parse

from run_support import (Workdir, describe, mysql_lock_name, main, mysql_connect, mysql_create_db,
                         mysql_drop_db, mysql_query, need_env, sg, spawn)


class MysqlRun(unittest.TestCase):
    def setUp(self):
        need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
        self.name, self.url = mysql_create_db()
        self.w = Workdir()
        self.w.revision("a1", "", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "DROP TABLE t;")

    def tearDown(self):
        self.w.cleanup()
        mysql_drop_db(self.name)

    def history(self, rev):
        return mysql_query(self.url, "SELECT count(*) FROM schemagate_history WHERE revision = %s "
                           "AND operation = 'upgrade' AND success", (rev,))[0][0]


    def test_user_that_may_not_create_the_state_tables_exit_5(self):
        # A user with SELECT only on the database: creating schemagate's own
        # tables is refused (1142) before any revision statement runs, so the
        # exit code is 5 with the server's error, and nothing is created.
        user = "sg_ro_%d" % os.getpid()
        secret = "Ro-Pa55-%d" % os.getpid()
        admin = os.environ["SG_TEST_MYSQL_ADMIN_URL"]
        mysql_query(admin, "DROP USER IF EXISTS '%s'@'%%'" % user)
        mysql_query(admin, "CREATE USER '%s'@'%%' IDENTIFIED BY '%s'" % (user, secret))
        try:
            mysql_query(admin, "GRANT SELECT ON `%s`.* TO '%s'@'%%'" % (self.name, user))
            parts = urllib.parse.urlsplit(self.url)
            url = urllib.parse.urlunsplit(
                (parts.scheme, "%s:%s@%s:%d" % (user, secret, parts.hostname, parts.port),
                 parts.path, "", ""))
            p = sg(self.w.args(url, "--backup", "never"))
            self.assertEqual(p.returncode, 5, describe(p))
            self.assertIn("1142", p.stderr)
            self.assertIn("exit 5", self.w.read_termination())
            self.assertNotIn(secret, p.stderr + self.w.read_termination())
            self.assertEqual(mysql_query(self.url, "SHOW TABLES"), [])
        finally:
            mysql_query(admin, "DROP USER IF EXISTS '%s'@'%%'" % user)
    def test_eight_concurrent_runners(self):
        self.w.revision("b2", "a1", "SELECT SLEEP(1);\nINSERT INTO t VALUES (1);")
        self.w.revision("c3", "b2", "INSERT INTO t VALUES (2);")
        args = ["run", "--url", self.url, "--migrations", self.w.migrations, "--log-format", "json",
                "--backup", "never"]
        procs = [spawn(args) for _ in range(8)]
        for p in procs:
            _, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
            for line in err.splitlines():
                self.assertNotEqual(json.loads(line)["level"], "error", line)
        for rev in ("a1", "b2", "c3"):
            self.assertEqual(self.history(rev), 1, rev)
        self.assertEqual(mysql_query(self.url, "SELECT id FROM t ORDER BY id"), [(1,), (2,)])

    def test_lock_timeout_exit_6(self):
        holder = mysql_connect(self.url)
        try:
            cur = holder.cursor()
            cur.execute("SELECT GET_LOCK(%s, 0)", (mysql_lock_name(self.name),))
            self.assertEqual(cur.fetchone(), (1,))
            p = sg(self.w.args(self.url, "--lock-timeout", "1s"))
            self.assertEqual(p.returncode, 6, describe(p))
        finally:
            holder.close()  # the session ends: the lock is free
        p = sg(self.w.args(self.url, "--lock-timeout", "5s"))
        self.assertEqual(p.returncode, 0, describe(p))

    def test_sigterm_during_long_statement(self):
        self.w.revision("b2", "a1", "SELECT SLEEP(60);")
        proc = spawn(self.w.args(self.url, "--backup", "never"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = mysql_query(self.url, "SELECT count(*) FROM information_schema.processlist "
                               "WHERE info LIKE 'SELECT SLEEP(60)%%'")
            if rows[0][0]:
                break
            time.sleep(0.1)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(proc.returncode, 143, err)
        self.assertIn("exit 143", self.w.read_termination())
        self.assertEqual(mysql_query(self.url, "SELECT version_num FROM alembic_version"),
                         [("a1",)])
        self.assertEqual(mysql_query(self.url, "SELECT count(*) FROM information_schema.processlist "
                                     "WHERE info LIKE 'SELECT SLEEP(60)%%'"), [(0,)])
        self.assertEqual(mysql_query(self.url, "SELECT IS_USED_LOCK(%s)",
                                     (mysql_lock_name(self.name),)), [(None,)])

    def test_dirty_step_exit_9(self):
        self.w.revision("b2", "a1", """
            CREATE TABLE done_part (id INTEGER);
            ALTER TABLE nosuch ADD COLUMN x INTEGER;
        """)
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 9, describe(p))
        self.assertTrue(self.w.read_report()["backup"]["path"].endswith(".sql.gz"))
        p = sg(self.w.args(self.url))
        self.assertEqual(p.returncode, 9, describe(p))
        term = self.w.read_termination()
        for needle in ("b2", "statement 2 of 2", "--mark-applied", "--mark-reverted", "--resume",
                       ".sql.gz"):
            self.assertIn(needle, term)


if __name__ == "__main__":
    main()
