"""Helpers of the end-to-end tests that run the built binary in a directory
(sg(), expect(), need(), write_rev(), server database classes).

The tests are pytest modules (tests/conftest.py: the `tmp` fixture, exit 77
when every case skipped); per-database cases are `pytest.mark.parametrize`d
over the database classes here and in schema_support.py. The server helpers
they use (fresh databases, queries) live in run_support.py.
"""
import contextlib
import os
import sqlite3
import subprocess

import pytest

import run_support as rs

SG = os.environ.get("SG_BIN", "")
SOURCE = os.environ.get("SG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CI = os.environ.get("CI") == "true"

# Raised to skip the running case (pytest's own skip exception): `raise Skip(why)`.
Skip = pytest.skip.Exception


# --- running the binary -------------------------------------------------------

def clean_env(**extra):
    return rs.clean_env(extra)


def sg(*args, cwd, env=None, stdin=None):
    p = subprocess.run([SG] + list(args), cwd=cwd, env=env or clean_env(), input=stdin,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(result, code, what):
    rc, out, err = result
    if rc != code:
        raise AssertionError("%s: exit %d, wanted %d\nstdout: %s\nstderr: %s"
                             % (what, rc, code, out[-2000:], err[-2000:]))
    return out, err


def need(*names):
    """Fails (CI=true) or skips the case when a server variable is missing."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        msg = "missing %s (source /tmp/schemagate-test-servers/env)" % ", ".join(missing)
        if CI:
            raise AssertionError(msg)
        pytest.skip(msg)


# --- migrations files and SQLite state ------------------------------------------

def write_rev(d, rev, down="", message="", up="SELECT 1;", down_sql=None, labels="", depends="",
              name=None):
    lines = ["-- revision: " + rev, "-- down_revision: " + down, "-- message: " + message,
             "-- create_date: 2025-01-01 00:00:00"]
    if labels:
        lines.append("-- branch_labels: " + labels)
    if depends:
        lines.append("-- depends_on: " + depends)
    text = "\n".join(lines) + "\n\n-- +upgrade\n" + up + "\n"
    if down_sql is not None:
        text += "\n-- +downgrade\n" + down_sql + "\n"
    path = os.path.join(d, name or (rev + ".sql"))
    with open(path, "w") as f:
        f.write(text)
    return path


def one_rev(tmp):
    """tmp/migrations with one revision creating table t; returns the directory."""
    d = os.path.join(tmp, "migrations")
    os.makedirs(d, exist_ok=True)
    write_rev(d, "aaaa00000001", "", "one", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;")
    return d


def rows(db, table="alembic_version"):
    con = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in con.execute("SELECT version_num FROM " + table))
    finally:
        con.close()


def tables(db):
    con = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))
    finally:
        con.close()


# --- fresh server databases for one case, dropped by cleanup() --------------------

class ServerDatabases:
    """Subclasses name the server: its variables, create/drop/query helpers and catalog SQL."""
    env = ()
    tables_sql = columns_sql = ""

    def __init__(self, prefix):
        need(*self.env)
        self.prefix = prefix
        self.dbs = []

    def fresh(self):
        name, url = self.create(self.prefix)
        self.dbs.append(name)
        return url

    def cleanup(self):
        for n in self.dbs:
            self.drop(n)

    def tables(self, url):
        return {r[0] for r in self.query(url, self.tables_sql)}

    def columns(self, url, table):
        return sorted(r[0] for r in self.query(url, self.columns_sql % table))


class PostgresDatabases(ServerDatabases):
    name = "postgresql"
    env = ("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    create, drop = staticmethod(rs.pg_create_db), staticmethod(rs.pg_drop_db)
    tables_sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    columns_sql = ("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                   "'public' AND table_name = '%s'")

    def query(self, url, sql):
        return rs.pg_query("postgresql" + url[url.index("://"):], sql)  # libpq: no "+driver"


class MariadbDatabases(ServerDatabases):
    name = "mysql"
    env = ("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    create, drop = staticmethod(rs.mysql_create_db), staticmethod(rs.mysql_drop_db)
    tables_sql = "SHOW TABLES"
    columns_sql = "SHOW COLUMNS FROM `%s`"

    def query(self, url, sql):
        return rs.mysql_query(url, sql)


# --- running the cases (pytest) ---------------------------------------------------

@contextlib.contextmanager
def opened(db, name=""):
    """Yields db (a ServerDatabases or alike) and drops its databases after the case."""
    try:
        yield db
    finally:
        try:
            db.cleanup()
        except Exception as e:  # noqa: BLE001 - a failed cleanup must not hide the result
            print("warning: cleanup of", name or type(db).__name__, "failed:", e)


def binary_ok():
    if not SG or not os.access(SG, os.X_OK):
        print("FAIL: SG_BIN (%r) is not an executable" % SG)
        return False
    return True


def backend_id(backend):
    """pytest id of a backend class or object: its name (sqlite, postgresql, mysql)."""
    return getattr(backend, "name", None) or getattr(backend, "__name__", str(backend))


def scenario_id(fn):
    return fn.__name__
