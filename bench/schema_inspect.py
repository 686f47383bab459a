#!/usr/bin/python3
"""Benchmark of the schema commands (issue: inspect, diff; bench/README.md).

1. `schemagate inspect` of a 500-table schema (6 columns, 2 indexes, 1 foreign
   key each) against `pg_dump --schema-only` on PostgreSQL and
   `mariadb-dump --no-data` on MariaDB, run alternately in one process so the
   ratio is measured side by side (median of N runs each).
2. `schemagate diff` of a live SQLite database against 200 migrations
   (replayed in memory).

Needs the test servers (scripts/test-servers.sh start; SG_TEST_PG_URL,
SG_TEST_PG_ADMIN_URL, SG_TEST_MYSQL_URL, SG_TEST_MYSQL_ADMIN_URL) and
SG_BIN (build/schemagate). Usage: bench/schema_inspect.py [--runs N] [--tables N]
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import run_support as rs  # noqa: E402

SG = os.environ.get("SG_BIN", os.path.join(os.path.dirname(__file__), "..", "build", "schemagate"))


def ddl(n, dialect):
    out = []
    for i in range(n):
        ref = "t%d" % (i - 1) if i else None
        text = "varchar(100)" if dialect == "mysql" else "text"
        cols = ["id integer PRIMARY KEY", "name %s NOT NULL" % text, "qty integer DEFAULT 0",
                "price numeric(10,2)", "created timestamp NULL", "parent_id integer"]
        fk = ", FOREIGN KEY (parent_id) REFERENCES %s (id) ON DELETE CASCADE" % ref if ref else ""
        out.append("CREATE TABLE t%d (%s%s)" % (i, ", ".join(cols), fk))
        out.append("CREATE INDEX t%d_name ON t%d (name)" % (i, i))
        out.append("CREATE INDEX t%d_qty ON t%d (qty, price)" % (i, i))
    return out


def timed(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, env=env)
    if p.returncode != 0:
        raise SystemExit("%s failed: %s" % (cmd[0], p.stderr.decode()[-500:]))
    return time.perf_counter() - t0


def side_by_side(name, ours, theirs, runs):
    a, b = [], []
    for _ in range(runs):
        a.append(timed(ours[0], ours[1]))
        b.append(timed(theirs[0], theirs[1]))
    ma, mb = statistics.median(a), statistics.median(b)
    print("%-12s schemagate inspect %7.1f ms   %-24s %7.1f ms   ratio %.2f %s"
          % (name, ma * 1000, theirs[2], mb * 1000, ma / mb, "OK" if ma <= mb else "SLOWER"))
    return ma <= mb


def bench_pg(n, runs):
    name, url = rs.pg_create_db("sg_bench_schema")
    try:
        conn = rs.pg_connect(url)
        cur = conn.cursor()
        for st in ddl(n, "postgresql"):
            cur.execute(st)
        conn.close()
        env = dict(os.environ, PGPASSWORD=rs.password_of(url))
        libpq = "postgresql" + url[url.index("://"):]
        plain = libpq.replace(":%s@" % rs.password_of(url), "@")
        return side_by_side("postgresql", ([SG, "inspect", "--url", url], None),
                            (["pg_dump", "--schema-only", "-d", plain], env, "pg_dump --schema-only"), runs)
    finally:
        rs.pg_drop_db(name)


def bench_mysql(n, runs):
    name, url = rs.mysql_create_db("sg_bench_schema")
    try:
        conn = rs.mysql_connect(url)
        cur = conn.cursor()
        for st in ddl(n, "mysql"):
            cur.execute(st)
        conn.close()
        p = rs.mysql_params(url)
        env = dict(os.environ, MYSQL_PWD=p["password"])
        dump = ["mariadb-dump", "--no-data", "-h", p["host"], "-P", str(p["port"]), "-u", p["user"], name]
        return side_by_side("mariadb", ([SG, "inspect", "--url", url], None),
                            (dump, env, "mariadb-dump --no-data"), runs)
    finally:
        rs.mysql_drop_db(name)


def bench_sqlite_diff(revisions, runs):
    tmp = tempfile.mkdtemp(prefix="sg_bench_schema_")
    try:
        mig = os.path.join(tmp, "migrations")
        os.mkdir(mig)
        prev = ""
        for i in range(revisions):
            rev = "r%04d" % i
            with open(os.path.join(mig, rev + ".sql"), "w") as f:
                f.write("-- revision: %s\n-- down_revision: %s\n-- message: m\n-- create_date: 2025-01-01 00:00:00\n\n"
                        "-- +upgrade\n%s;\n" % (rev, prev, ";\n".join(ddl(1, "sqlite")).replace("t0", "t%d" % i)))
            prev = rev
        db = os.path.join(tmp, "live.db")
        url = "sqlite:///" + db
        subprocess.run([SG, "upgrade", "--url", url, "--migrations", mig, "-q"], check=True)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.run([SG, "diff", "--url", url, "--migrations", mig, "-q"], capture_output=True)
            times.append(time.perf_counter() - t0)
            if p.returncode != 0:
                raise SystemExit("diff failed: %s" % p.stdout.decode()[-500:])
        m = statistics.median(times)
        print("%-12s schemagate diff (live vs %d migrations, in-memory replay) %7.1f ms   %s"
              % ("sqlite", revisions, m * 1000, "OK" if m <= 1.0 else "OVER 1 s"))
        return m <= 1.0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tables", type=int, default=500)
    ap.add_argument("--revisions", type=int, default=200)
    a = ap.parse_args()
    ok = bench_pg(a.tables, a.runs)
    ok = bench_mysql(a.tables, a.runs) and ok
    ok = bench_sqlite_diff(a.revisions, a.runs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
