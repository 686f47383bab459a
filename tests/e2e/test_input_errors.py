#!/usr/bin/python3
"""End-to-end: bad inputs and exit codes of the CLI on SQLite.

Each bad input (broken header, cycle, missing parent, unknown header key, a
file without a header, a missing or non-directory migrations path, a target
that does not exist, bad flags) must give its message (file:line where there
is one), its exit code, and write nothing to the database: the database file
stays absent, or byte-for-byte unchanged when it existed.

An unreadable directory: the tests run as root, for whom chmod 000 does not
make a directory unreadable, so "unreadable" is covered by a path that does
not exist and by a regular file given as the directory.

Also exit 8 (a failing revision rolled back), 10 (drift and unknown revisions
through `upgrade`, which checks like `run`), 11 (`check`) and 2 (usage).
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys

from cli_support import SG, check, clean_env, expect, rows, sg, tables, write_rev


def digest(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def good_dir(tmp):
    m = os.path.join(tmp, "migrations")
    os.makedirs(m, exist_ok=True)
    write_rev(m, "aaaa00000001", "", "one", "CREATE TABLE one (x INTEGER);", "DROP TABLE one;")
    write_rev(m, "bbbb00000002", "aaaa00000001", "two", "CREATE TABLE two (x INTEGER);",
              "DROP TABLE two;")
    return m


def run_bad(tmp, args, code, patterns, db_exists=False):
    """Runs a failing command twice (fresh database, then an existing one) and
    checks the code, the messages and that the database did not change."""
    db = os.path.join(tmp, "app.db")
    full = ["--url", "sqlite:///" + db] + args
    for existing in ([False, True] if db_exists else [False]):
        for leftover in (db, db + ".lock"):
            if os.path.exists(leftover):
                os.remove(leftover)
        if existing:
            m = os.path.join(tmp, "migrations")
            saved = os.path.join(tmp, "saved")
            os.rename(m, saved)
            good_dir(tmp)
            expect(sg("--url", "sqlite:///" + db, "--migrations", m, "upgrade", "aaaa00000001",
                      cwd=tmp), 0, "prepare database")
            shutil.rmtree(m)
            os.rename(saved, m)
        before = digest(db)
        rc, out, err = sg(*full, cwd=tmp)
        check(rc == code, "%s: exit %d, wanted %d\n%s" % (args, rc, code, err))
        for p in patterns:
            check(re.search(p, err), "%s: stderr lacks %r:\n%s" % (args, p, err))
        check(digest(db) == before, "%s: the database changed (existed: %s)" % (args, existing))
        check(not os.path.exists(db + ".lock") or existing, "%s: lock file left" % (args,))
    return err


# --- invalid directories: exit 3, file:line, nothing written -------------------

def test_broken_header(tmp):
    m = good_dir(tmp)
    with open(os.path.join(m, "bad.sql"), "w") as f:
        f.write("-- revision: not a valid id!\n-- down_revision: bbbb00000002\n-- message: x\n\n"
                "-- +upgrade\nSELECT 1;\n")
    for cmd in (["upgrade"], ["verify"], ["heads"], ["check"]):
        run_bad(tmp, ["--migrations", m] + cmd, 3, [r"bad\.sql:\d+: "], db_exists=cmd == ["upgrade"])


def test_unknown_header_key(tmp):
    m = good_dir(tmp)
    with open(os.path.join(m, "colour.sql"), "w") as f:
        f.write("-- revision: cccc00000003\n-- down_revision: bbbb00000002\n-- message: x\n"
                "-- colour: blue\n\n-- +upgrade\nSELECT 1;\n")
    run_bad(tmp, ["--migrations", m, "upgrade"], 3, [r"colour\.sql:4: .*colour"], db_exists=True)


def test_file_without_header(tmp):
    m = good_dir(tmp)
    with open(os.path.join(m, "plain.sql"), "w") as f:
        f.write("CREATE TABLE plain (x INTEGER);\n")
    run_bad(tmp, ["--migrations", m, "upgrade"], 3, [r"plain\.sql:1: "], db_exists=True)


def test_every_problem_listed(tmp):
    m = good_dir(tmp)
    with open(os.path.join(m, "p1.sql"), "w") as f:
        f.write("CREATE TABLE plain (x INTEGER);\n")
    with open(os.path.join(m, "p2.sql"), "w") as f:
        f.write("-- revision: cccc00000003\n-- down_revision: bbbb00000002\n-- message: x\n"
                "-- colour: blue\n\n-- +upgrade\nSELECT 1;\n")
    run_bad(tmp, ["--migrations", m, "verify"], 3, [r"p1\.sql:1: ", r"p2\.sql:4: "])


def test_cycle(tmp):
    m = good_dir(tmp)
    write_rev(m, "cccc00000003", "dddd00000004", "c")
    write_rev(m, "dddd00000004", "cccc00000003", "d")
    run_bad(tmp, ["--migrations", m, "upgrade"], 3, [r"cycle", r"cccc00000003\.sql"],
            db_exists=True)


def test_missing_parent(tmp):
    m = good_dir(tmp)
    write_rev(m, "cccc00000003", "ffff99999999", "orphan")
    run_bad(tmp, ["--migrations", m, "upgrade"], 3,
            [r"cccc00000003\.sql:\d+: down_revision ffff99999999"], db_exists=True)


def test_unterminated_string(tmp):
    m = good_dir(tmp)
    write_rev(m, "cccc00000003", "bbbb00000002", "quote", "SELECT 1;\nSELECT 'oops;")
    run_bad(tmp, ["--migrations", m, "verify"], 3, [r"cccc00000003\.sql:\d+: "])


def test_missing_or_not_a_directory(tmp):
    run_bad(tmp, ["--migrations", os.path.join(tmp, "nope"), "upgrade"], 3, [r"nope"])
    path = os.path.join(tmp, "file.sql")
    with open(path, "w") as f:
        f.write("SELECT 1;\n")
    run_bad(tmp, ["--migrations", path, "upgrade"], 3, [r"file\.sql.*not a directory"])


def test_target_that_does_not_exist(tmp):
    m = good_dir(tmp)
    for args in (["upgrade", "ffff"], ["upgrade", "nosuchrev"], ["downgrade", "ffffffff"],
                 ["stamp", "ffffffff"], ["check", "ffffffff"], ["show", "ffffffff"],
                 ["upgrade", "+5"]):
        run_bad(tmp, ["--migrations", m] + args, 3, [r"error"], db_exists=args[0] != "show")


# --- exit codes ------------------------------------------------------------------

def test_usage_errors_exit_2(tmp):
    m = good_dir(tmp)
    for args in (["frobnicate"], ["upgrade", "--frobnicate"], ["current", "--sql"],
                 ["run", "--wait-timeout", "soon"], ["upgrade", "--backup", "sometimes"],
                 ["heads", "--log-format", "xml"], ["downgrade"], ["revision"], ["repair"],
                 ["heads", "--url", "ftp://nowhere"], []):
        err = run_bad(tmp, ["--migrations", m] + args, 2, [r"error"])
        lines = [l for l in err.splitlines() if l.strip()]
        check(len(lines) == 1, "%s: one line, got %r" % (args, err))


def test_failing_revision_rolls_back_exit_8(tmp):
    m = good_dir(tmp)
    write_rev(m, "cccc00000003", "bbbb00000002", "fails",
              "CREATE TABLE three (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
              "DROP TABLE three;")
    db = os.path.join(tmp, "app.db")
    rc, out, err = sg("--url", "sqlite:///" + db, "--migrations", m, "upgrade", cwd=tmp)
    check(rc == 8, "exit %d, wanted 8: %s" % (rc, err))
    check(re.search(r"cccc00000003\.sql:\d+", err), "file:line in: " + err)
    check(rows(db) == ["bbbb00000002"], "at the last good revision: %s" % rows(db))
    check("three" not in tables(db), "the failed revision left nothing: %s" % tables(db))


def test_drift_and_unknown_exit_10(tmp):
    m = good_dir(tmp)
    db = os.path.join(tmp, "app.db")
    a = ["--url", "sqlite:///" + db, "--migrations", m]
    expect(sg(*a, "upgrade", "aaaa00000001", cwd=tmp), 0, "upgrade one")
    write_rev(m, "aaaa00000001", "", "one", "CREATE TABLE one (x INTEGER, y INTEGER);",
              "DROP TABLE one;")
    before = digest(db)
    _, err = expect(sg(*a, "upgrade", cwd=tmp), 10, "changed applied file")
    check("aaaa00000001" in err, "drift names the revision: " + err)
    check(digest(db) == before, "drift changed nothing")
    expect(sg(*a, "check", cwd=tmp), 10, "check reports drift too")
    expect(sg(*a, "upgrade", "--allow-drift", cwd=tmp), 0, "--allow-drift")
    con = sqlite3.connect(db)
    con.execute("INSERT INTO alembic_version VALUES ('eeee99999999')")
    con.commit()
    con.close()
    _, err = expect(sg(*a, "upgrade", cwd=tmp), 10, "unknown applied revision")
    check("eeee99999999" in err, "unknown revision named: " + err)


def test_sigterm_during_upgrade_143(tmp):
    import signal
    import time
    m = os.path.join(tmp, "migrations")
    os.makedirs(m)
    write_rev(m, "aaaa00000001", "", "slow",
              "CREATE TABLE slow (x INTEGER);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
              "SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;",
              "DROP TABLE slow;")
    db = os.path.join(tmp, "app.db")
    p = subprocess.Popen([SG, "--url", "sqlite:///" + db, "--migrations", m, "upgrade"],
                         cwd=tmp, env=clean_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(signal.SIGTERM)
    start = time.time()
    _, err = p.communicate(timeout=30)
    check(p.returncode == 143, "exit %d, wanted 143: %s" % (p.returncode, err))
    check(time.time() - start < 5, "stopped within 5 s")
    check(rows(db) == [] and "slow" not in tables(db), "rolled back: %s" % tables(db))


def test_check_exit_11(tmp):
    m = good_dir(tmp)
    db = os.path.join(tmp, "app.db")
    a = ["--url", "sqlite:///" + db, "--migrations", m]
    out, _ = expect(sg(*a, "check", cwd=tmp), 11, "pending on a fresh database")
    check("aaaa00000001" in out and "bbbb00000002" in out, "pending listed: " + out)
    check(not os.path.exists(db), "check created no database")
    expect(sg(*a, "upgrade", cwd=tmp), 0, "upgrade")
    expect(sg(*a, "check", cwd=tmp), 0, "at head")


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
