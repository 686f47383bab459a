#!/usr/bin/python3
"""End-to-end: every command of the CLI on SQLite, in temporary directories.

Runs $SG_BIN (the schemagate binary) against a small graph written by the
test (root, a branch point, a labelled branch, a merge) and against the
example `migrations/` of the repository ($SG_SOURCE_DIR).
"""
import os
import re
import sqlite3
import subprocess
import sys

from cli_support import SOURCE, check, expect, rows, sg, tables, write_rev


# --- the graph used by most tests -------------------------------------------
#   r1 -> r2 -> r3 (billing) ---\
#           \-> r4 ------------- r5 (merge)
R1, R2, R3, R4, R5 = "1975ea83b712", "3f5aacf09e0d", "8d1e4b2a9c31", "27c6a30d7c24", "c4e9a7f1b6d2"


def make_graph(tmp):
    m = os.path.join(tmp, "migrations")
    os.makedirs(m)
    write_rev(m, R1, "", "create patients", "CREATE TABLE patients (id INTEGER PRIMARY KEY);",
              "DROP TABLE patients;")
    write_rev(m, R2, R1, "add email", "ALTER TABLE patients ADD COLUMN email TEXT;",
              "ALTER TABLE patients DROP COLUMN email;")
    write_rev(m, R3, R2, "create invoices", "CREATE TABLE invoices (id INTEGER PRIMARY KEY);",
              "DROP TABLE invoices;", labels="billing")
    write_rev(m, R4, R2, "create visits", "CREATE TABLE visits (id INTEGER PRIMARY KEY);",
              "DROP TABLE visits;")
    write_rev(m, R5, R3 + ", " + R4, "merge billing", "-- nothing", "-- nothing")
    return m


def base_args(tmp):
    return ["--migrations", os.path.join(tmp, "migrations"),
            "--url", "sqlite:///" + os.path.join(tmp, "app.db")]


# --- tests --------------------------------------------------------------------

def test_version_and_help(tmp):
    out, _ = expect(sg("version", cwd=tmp), 0, "version")
    check(re.match(r"schemagate \d+\.\d+\.\d+", out), "version output: " + out)
    out, _ = expect(sg("--help", cwd=tmp), 0, "--help")
    for cmd in ["run", "upgrade", "downgrade", "current", "history", "heads", "branches", "show",
                "stamp", "repair", "revision", "merge", "check", "verify", "wait", "backup",
                "version"]:
        check(re.search(r"^\s+" + cmd + r"\b", out, re.M), "--help lists " + cmd)
    out, _ = expect(sg("upgrade", "--help", cwd=tmp), 0, "upgrade --help")
    check("--sql" in out and "--migrations" in out, "upgrade --help shows --sql and globals")
    out, _ = expect(sg("help", "revision", cwd=tmp), 0, "help revision")
    check("--rev-id" in out, "help revision shows --rev-id")


def test_inspection_without_database(tmp):
    make_graph(tmp)
    a = base_args(tmp)
    out, _ = expect(sg(*a, "heads", cwd=tmp), 0, "heads")
    check(out.split() == [R5, "(head)"] or out.startswith(R5), "heads: " + out)
    out, _ = expect(sg(*a, "branches", cwd=tmp), 0, "branches")
    check(out.startswith(R2 + " (branchpoint)"), "branches: " + out)
    check(("-> " + R3) in out and ("-> " + R4) in out, "branches children: " + out)
    out, _ = expect(sg(*a, "history", cwd=tmp), 0, "history")
    lines = out.strip().splitlines()
    check(len(lines) == 5, "history has 5 lines: " + out)
    check(lines[0].startswith(R3 + ", " + R4 + " -> " + R5) or
          lines[0].startswith(R4 + ", " + R3 + " -> " + R5), "merge line first: " + lines[0])
    check("(head)" in lines[0] and "(mergepoint)" in lines[0], "marks on merge: " + lines[0])
    check(lines[-1] == "<base> -> " + R1 + ", create patients", "root line: " + lines[-1])
    check(any(l.startswith(R1 + " -> " + R2) and "(branchpoint)" in l for l in lines),
          "branchpoint mark: " + out)
    check(any(("-> " + R3) in l and "(billing)" in l for l in lines), "label shown: " + out)
    out, _ = expect(sg(*a, "history", "-r", R2 + ":" + R4, cwd=tmp), 0, "history -r")
    ids = [l.split(" -> ")[1].split()[0].rstrip(",") for l in out.strip().splitlines()]
    check(set(ids) == {R2, R4}, "history -r range: " + out)
    out, _ = expect(sg(*a, "history", "--verbose", cwd=tmp), 0, "history --verbose")
    check(out.count("Rev: ") == 5 and "Merges: " in out and "Branches into: " in out,
          "verbose history: " + out)
    out, _ = expect(sg(*a, "show", R3[:6], cwd=tmp), 0, "show prefix")
    check(out.startswith("Rev: " + R3) and "Branch names: billing" in out, "show: " + out)
    check("Path: " in out and "create invoices" in out, "show path/message: " + out)
    out, _ = expect(sg(*a, "verify", cwd=tmp), 0, "verify")
    check("5 revision" in out, "verify summary: " + out)
    check(not os.path.exists(os.path.join(tmp, "app.db")), "inspection created no database")


def test_upgrade_current_check_downgrade(tmp):
    make_graph(tmp)
    a = base_args(tmp)
    db = os.path.join(tmp, "app.db")
    out, _ = expect(sg(*a, "check", cwd=tmp), 11, "check on a fresh database")
    check(out.split()[0::2][:1] == [R1] and len(out.strip().splitlines()) == 5,
          "check lists pending: " + out)
    check(not os.path.exists(db), "check created no database")
    expect(sg(*a, "upgrade", R2, cwd=tmp), 0, "upgrade to R2")
    check(rows(db) == [R2], "rows after upgrade R2: %s" % rows(db))
    out, _ = expect(sg(*a, "current", cwd=tmp), 0, "current")
    check(out.strip() == R2 + " (branchpoint)", "current: " + out)
    out, _ = expect(sg(*a, "current", "--verbose", cwd=tmp), 0, "current --verbose")
    check("add email" in out and "applied " in out, "current --verbose: " + out)
    out, _ = expect(sg(*a, "history", cwd=tmp), 0, "history with current")
    check(any(l.startswith(R1 + " -> " + R2) and "(current)" in l for l in out.splitlines()),
          "history marks current: " + out)
    expect(sg(*a, "check", cwd=tmp), 11, "check pending")
    expect(sg(*a, "check", R2, cwd=tmp), 0, "check at explicit target")
    expect(sg(*a, "upgrade", R3[:4], cwd=tmp), 0, "upgrade to a 4-character prefix")
    check(rows(db) == [R3], "rows after upgrade R3: %s" % rows(db))
    expect(sg(*a, "upgrade", cwd=tmp), 0, "upgrade head")
    check(rows(db) == [R5], "rows at head: %s" % rows(db))
    check({"invoices", "visits", "patients"} <= set(tables(db)), "tables: %s" % tables(db))
    expect(sg(*a, "check", cwd=tmp), 0, "check at head")
    expect(sg(*a, "upgrade", cwd=tmp), 0, "upgrade again is a no-op")
    # -1 from a merge point is an "Ambiguous walk" in Alembic 1.8 too.
    expect(sg(*a, "downgrade", "-1", cwd=tmp), 3, "downgrade -1 from a merge")
    # Down to R4 removes R4's descendants only: the merge (as Alembic does).
    expect(sg(*a, "downgrade", R4, cwd=tmp), 0, "downgrade to R4")
    check(rows(db) == sorted([R3, R4]), "rows after downgrade R4: %s" % rows(db))
    expect(sg(*a, "downgrade", R2, cwd=tmp), 0, "downgrade to R2")
    check(rows(db) == [R2], "rows after downgrade R2: %s" % rows(db))
    check("invoices" not in tables(db), "invoices dropped: %s" % tables(db))
    expect(sg(*a, "downgrade", "-1", cwd=tmp), 0, "downgrade -1")
    check(rows(db) == [R1], "rows after downgrade -1: %s" % rows(db))
    expect(sg(*a, "downgrade", "base", cwd=tmp), 0, "downgrade base")
    check(rows(db) == [], "rows at base: %s" % rows(db))
    check("patients" not in tables(db), "tables at base: %s" % tables(db))
    con = sqlite3.connect(db)
    hist = con.execute("SELECT revision, operation, success FROM schemagate_history").fetchall()
    con.close()
    check(len(hist) >= 10 and all(h[2] == 1 for h in hist), "history rows: %s" % hist)


def test_stamp_and_repair(tmp):
    make_graph(tmp)
    a = base_args(tmp)
    db = os.path.join(tmp, "app.db")
    expect(sg(*a, "stamp", "head", cwd=tmp), 0, "stamp head")
    check(rows(db) == [R5], "rows after stamp head: %s" % rows(db))
    check("patients" not in tables(db), "stamp ran no SQL")
    expect(sg(*a, "stamp", R3, cwd=tmp), 0, "stamp R3")
    check(rows(db) == [R3], "rows after stamp R3: %s" % rows(db))
    expect(sg(*a, "stamp", "--purge", R4, cwd=tmp), 0, "stamp --purge R4")
    check(rows(db) == [R4], "rows after stamp --purge: %s" % rows(db))
    expect(sg(*a, "stamp", "base", cwd=tmp), 0, "stamp base")
    check(rows(db) == [], "rows after stamp base: %s" % rows(db))
    _, err = expect(sg(*a, "repair", "--mark-applied", cwd=tmp), 0, "repair without dirty step")
    check("nothing to repair" in err, "repair message: " + err)
    expect(sg(*a, "repair", cwd=tmp), 2, "repair without an action")


def test_revision_and_merge_write_valid_files(tmp):
    m = os.path.join(tmp, "migrations")
    a = ["--migrations", m, "--url", "sqlite:///" + os.path.join(tmp, "app.db")]
    out, _ = expect(sg(*a, "revision", "-m", "create patients", cwd=tmp), 0, "first revision")
    first = out.strip()
    check(re.search(r"/\d{8}_\d{4}_[0-9a-f]{12}_create_patients\.sql$", first), "name: " + first)
    root = re.search(r"_([0-9a-f]{12})_", os.path.basename(first)).group(1)
    with open(first) as f:
        text = f.read()
    check("-- revision: " + root in text and "-- +upgrade" in text, "file content: " + text)
    expect(sg(*a, "revision", "-m", "add email", "--rev-id", "email01", cwd=tmp), 0, "rev-id")
    expect(sg(*a, "revision", "-m", "billing", "--branch-label", "billing", cwd=tmp), 0,
           "branch label")
    expect(sg(*a, "revision", "-m", "visits", "--head", "email01", "--splice", cwd=tmp), 0,
           "--splice")
    _, err = expect(sg(*a, "revision", "-m", "ambiguous", cwd=tmp), 3, "several heads")
    check("several heads" in err, "several heads message: " + err)
    expect(sg(*a, "revision", "-m", "dup", "--rev-id", "email01", "--head", "billing@head",
              cwd=tmp), 2, "duplicate rev id")
    expect(sg(*a, "revision", "-m", "bad id", "--rev-id", "no-dash", "--head", "billing@head",
              cwd=tmp), 2, "bad rev id")
    out, _ = expect(sg(*a, "merge", "heads", "-m", "merge heads", cwd=tmp), 0, "merge heads")
    with open(out.strip()) as f:
        text = f.read()
    check(re.search(r"-- down_revision: \w+, \w+", text), "merge down_revision: " + text)
    expect(sg(*a, "merge", "heads", "-m", "again", cwd=tmp), 2, "merge with one head")
    expect(sg(*a, "revision", "-m", "after merge", "--depends-on", "email01", cwd=tmp), 0,
           "depends-on")
    out, _ = expect(sg(*a, "verify", cwd=tmp), 0, "verify the written files")
    check("6 revision" in out and "1 head" in out, "verify: " + out)
    expect(sg(*a, "upgrade", cwd=tmp), 0, "upgrade the written files")
    expect(sg(*a, "downgrade", "base", cwd=tmp), 0, "downgrade the written files")


def test_offline_sql_into_sqlite3(tmp):
    make_graph(tmp)
    a = base_args(tmp)
    out, _ = expect(sg(*a, "upgrade", "--sql", cwd=tmp), 0, "upgrade --sql")
    check(not os.path.exists(os.path.join(tmp, "app.db")), "--sql made no connection")
    off = os.path.join(tmp, "offline.db")
    p = subprocess.run(["sqlite3", off], input=out, capture_output=True, text=True)
    check(p.returncode == 0, "sqlite3 accepted the script: " + p.stderr)
    check(rows(off) == [R5], "offline rows: %s" % rows(off))
    expect(sg(*a, "upgrade", cwd=tmp), 0, "online upgrade")
    online = os.path.join(tmp, "app.db")
    user = lambda db: [t for t in tables(db) if t not in ("schemagate_history",)]
    check(user(off) == user(online), "same tables: %s vs %s" % (user(off), user(online)))
    # A range: from R2 to head, applied on a database stamped at R2 by the first part.
    part = os.path.join(tmp, "part.db")
    out1, _ = expect(sg(*a, "upgrade", "--sql", R2, cwd=tmp), 0, "upgrade --sql R2")
    out2, _ = expect(sg(*a, "upgrade", "--sql", R2 + ":head", cwd=tmp), 0, "upgrade --sql A:B")
    for script in (out1, out2):
        p = subprocess.run(["sqlite3", part], input=script, capture_output=True, text=True)
        check(p.returncode == 0, "sqlite3 range script: " + p.stderr)
    check(rows(part) == [R5], "rows after ranged scripts: %s" % rows(part))
    out3, _ = expect(sg(*a, "downgrade", "--sql", "head:base", cwd=tmp), 0, "downgrade --sql")
    p = subprocess.run(["sqlite3", part], input=out3, capture_output=True, text=True)
    check(p.returncode == 0, "sqlite3 downgrade script: " + p.stderr)
    check(rows(part) == [] and "patients" not in tables(part), "offline downgrade to base")
    expect(sg(*a, "downgrade", "--sql", "base", cwd=tmp), 2, "downgrade --sql without range")
    for dialect in ("postgresql", "mysql"):
        out, _ = expect(sg(*a, "upgrade", "--sql", "--dialect", dialect, cwd=tmp), 0,
                        "--sql --dialect " + dialect)
        check("CREATE TABLE" in out and "alembic_version" in out, dialect + " script")
    out, _ = expect(sg("--migrations", os.path.join(tmp, "migrations"), "--url",
                       "postgresql://u:secret@127.0.0.1:1/db", "upgrade", "--sql", cwd=tmp),
                    0, "--sql takes the dialect from the URL without connecting")
    check("-- schemagate offline script for postgresql" in out or "postgresql" in out,
          "postgresql dialect from URL")


def test_run_wait_backup_dispatch(tmp):
    make_graph(tmp)
    a = base_args(tmp) + ["--backup-dir", os.path.join(tmp, "bk")]
    db = os.path.join(tmp, "app.db")
    expect(sg(*a, "run", cwd=tmp), 0, "run")
    check(rows(db) == [R5], "run reached head: %s" % rows(db))
    check(len(os.listdir(os.path.join(tmp, "bk"))) == 1, "run took one backup")
    expect(sg(*a, "wait", "--wait-timeout", "1s", cwd=tmp), 0, "wait")
    expect(sg(*a, "backup", cwd=tmp), 0, "backup")
    check(len(os.listdir(os.path.join(tmp, "bk"))) == 2, "backup wrote a file")
    # Drift through run: an applied file changes.
    write_rev(os.path.join(tmp, "migrations"), R1, "", "create patients",
              "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT);", "DROP TABLE patients;")
    _, err = expect(sg(*a, "run", cwd=tmp), 10, "run with drift")
    check(R1 in err, "drift names the revision: " + err)


def test_example_migrations_up_and_down(tmp):
    src = os.path.join(SOURCE, "migrations")
    if not os.path.isdir(src):
        raise AssertionError("no example migrations/ at " + src)
    db = os.path.join(tmp, "clinic.db")
    a = ["--migrations", src, "--url", "sqlite:///" + db]
    expect(sg(*a, "verify", cwd=tmp), 0, "verify example")
    out, _ = expect(sg(*a, "heads", cwd=tmp), 0, "heads of example")
    head = out.split()[0]
    expect(sg(*a, "upgrade", "head", cwd=tmp), 0, "upgrade example to head")
    check(rows(db) == [head], "example at head: %s" % rows(db))
    check({"patients", "visits", "prescriptions"} <= set(tables(db)), "clinic tables")
    expect(sg(*a, "check", cwd=tmp), 0, "check example at head")
    expect(sg(*a, "downgrade", "base", cwd=tmp), 0, "downgrade example to base")
    check(rows(db) == [], "example at base")
    left = [t for t in tables(db) if t not in ("alembic_version", "schemagate_history")]
    check(left == [], "tables left after base: %s" % left)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
