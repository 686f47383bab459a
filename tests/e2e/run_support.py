"""Helpers of the end-to-end tests that run the built binary (SG_BIN) against
the real test servers (scripts/test-servers.sh; SG_TEST_PG_URL,
SG_TEST_MYSQL_URL, admin URLs) and SQLite: a work directory with migrations,
sg()/spawn(), fresh databases with unique names, queries through psycopg2 and
pymysql, and the lock names the binary uses (computed here independently, so
a changed key is caught). The tests are pytest modules (tests/conftest.py).
"""
import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
import urllib.parse

SG_BIN = os.environ.get("SG_BIN", "")
CI = os.environ.get("CI") == "true"


def need_env(*names):
    """Skips (or fails in CI) when a variable is missing."""
    missing = [n for n in names if not os.environ.get(n)]
    if not missing:
        return
    msg = "missing " + ", ".join(missing) + " (run scripts/test-servers.sh start)"
    if CI:
        raise AssertionError(msg)
    import pytest  # here: bench/ scripts import this module without pytest
    pytest.skip(msg)


_unique_count = itertools.count()


def unique(prefix):
    # pid + a counter: two names asked for in one millisecond still differ
    # (a clock-only suffix once gave MariaDB "database exists").
    return "%s_%d_%d_%d" % (prefix, os.getpid(), int(time.time() * 1000) % 100000000,
                            next(_unique_count))


def with_database(url, name):
    p = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def password_of(url):
    return urllib.parse.unquote(urllib.parse.urlsplit(url).password or "")


def fnv1a64_unsigned(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def fnv1a64(text):
    """As PostgreSQL's signed bigint advisory-lock key."""
    h = fnv1a64_unsigned(text)
    return h - (1 << 64) if h >= (1 << 63) else h


def lock_name(database, schema, table="alembic_version"):
    """src/run/lock.cpp lock_name()."""
    name = "schemagate:%s:%s:%s" % (database, schema, table)
    if len(name) <= 64:
        return name
    return name[:47] + "#%016x" % fnv1a64_unsigned(name)


def mysql_lock_name(database, table="alembic_version"):
    """The GET_LOCK name: the MySQL driver scopes lock_name() by database."""
    full = database + ":" + lock_name(database, database, table)
    if len(full) <= 64:
        return full
    return "schemagate:%016x" % fnv1a64_unsigned(full)


class Workdir:
    """A temporary directory with a migrations folder."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="sg-e2e-run-")
        self.migrations = os.path.join(self.path, "migrations")
        os.makedirs(self.migrations)
        self.backups = os.path.join(self.path, "backups")
        self.termination = os.path.join(self.path, "termination.log")
        self.report = os.path.join(self.path, "report.json")

    def cleanup(self):
        for root, dirs, _ in os.walk(self.path):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o700)
                except OSError:
                    pass
        shutil.rmtree(self.path, ignore_errors=True)

    def revision(self, rev, down, upgrade, downgrade="", name=None, headers=""):
        text = "-- revision: %s\n" % rev
        if down:
            text += "-- down_revision: %s\n" % down
        text += "-- message: %s\n" % (name or rev)
        text += headers
        text += "\n-- +upgrade\n" + textwrap.dedent(upgrade).strip() + "\n"
        if downgrade:
            text += "\n-- +downgrade\n" + textwrap.dedent(downgrade).strip() + "\n"
        path = os.path.join(self.migrations, "%s_%s.sql" % (len(os.listdir(self.migrations)), rev))
        with open(path, "w") as f:
            f.write(text)
        return path

    def args(self, url, *extra):
        return ["run", "--url", url, "--migrations", self.migrations, "--backup-dir",
                self.backups, "--termination-log", self.termination, "--report",
                self.report] + list(extra)

    def read_report(self):
        with open(self.report) as f:
            return json.load(f)

    def read_termination(self):
        with open(self.termination) as f:
            return f.read()

    def clear_outputs(self):
        for p in (self.termination, self.report):
            if os.path.exists(p):
                os.unlink(p)


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SCHEMAGATE_") and not k.startswith("DATABASE_")}
    env.update(extra or {})
    return env


def sg(args, timeout=60, env=None, user=None):
    """Runs the binary (as `user` when given); returns CompletedProcess (text)."""
    return subprocess.run([SG_BIN] + args, capture_output=True, text=True, timeout=timeout,
                          env=clean_env(env), user=user)


def spawn(args, env=None):
    return subprocess.Popen([SG_BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=clean_env(env))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def describe(proc):
    return "exit %s\nstdout:\n%s\nstderr:\n%s" % (proc.returncode, proc.stdout, proc.stderr)


# --- PostgreSQL -----------------------------------------------------------

def pg_admin():
    import psycopg2
    conn = psycopg2.connect(os.environ["SG_TEST_PG_ADMIN_URL"])
    conn.autocommit = True
    return conn


def pg_create_db(prefix="sg_run"):
    """Creates a fresh database; returns (name, URL for the sg user)."""
    name = unique(prefix)
    conn = pg_admin()
    try:
        conn.cursor().execute('CREATE DATABASE "%s" OWNER sg' % name)
    finally:
        conn.close()
    return name, with_database(os.environ["SG_TEST_PG_URL"], name)


def pg_drop_db(name):
    conn = pg_admin()
    try:
        conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    finally:
        conn.close()


def pg_connect(url):
    import psycopg2
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def pg_query(url, sql, params=None):
    conn = pg_connect(url)
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []
    finally:
        conn.close()


# --- MariaDB --------------------------------------------------------------

def mysql_params(url):
    p = urllib.parse.urlsplit(url)
    return dict(host=p.hostname, port=p.port or 3306, user=urllib.parse.unquote(p.username or ""),
                password=urllib.parse.unquote(p.password or ""), database=p.path.lstrip("/") or None,
                autocommit=True)


def mysql_connect(url):
    import pymysql
    return pymysql.connect(**mysql_params(url))


def mysql_create_db(prefix="sg_run"):
    name = unique(prefix)
    conn = mysql_connect(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    try:
        conn.cursor().execute("CREATE DATABASE `%s`" % name)
    finally:
        conn.close()
    return name, with_database(os.environ["SG_TEST_MYSQL_URL"], name)


def mysql_drop_db(name):
    conn = mysql_connect(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    try:
        conn.cursor().execute("DROP DATABASE IF EXISTS `%s`" % name)
    finally:
        conn.close()


def mysql_query(url, sql, params=None):
    conn = mysql_connect(url)
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []
    finally:
        conn.close()



@contextlib.contextmanager
def subtest(*args, **kwargs):
    """Names one case of a loop in its failure (as unittest's subTest did);
    the loop stops at the first failing case."""
    try:
        yield
    except AssertionError as e:
        what = ", ".join([str(a) for a in args] + ["%s=%r" % kv for kv in kwargs.items()])
        raise AssertionError("[%s] %s" % (what, e)) from e
