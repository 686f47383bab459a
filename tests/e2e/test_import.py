#!/usr/bin/python3
"""End-to-end (issue 22): `schemagate import alembic` on hostile or unusual
Alembic projects; every case runs the built binary with Debian's Alembic.

  D7   a file whose id is an expression (and cannot be imported here), or that
       assigns no id, is flagged and counted, never dropped
  D8   upgrade() calling os._exit(0): an error naming the file, nothing written
  D13  a revision in Latin-1 with a PEP 263 coding cookie is imported
  D14  op.execute('COMMIT') is flagged (exit 3) with the `transaction: false` advice
  D15  SIGTERM during a revision that loops forever stops the Python child and
       what it started, and removes the temporary directory; --timeout ends
       the render with an error naming the file
  B1   SQLite: a downgrade that drops an index, then batch-drops its column,
       runs (`downgrade base`)
  L1   a newline in `revision` or `depends_on` cannot inject a record
  L2   `revision = ""` is refused, no id invented
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import alembic  # noqa: F401 - Debian's python3-alembic: run with /usr/bin/python3

import alembic_projects as ap
from cli_support import SG, check, clean_env, expect, sg

INI = """[alembic]
script_location = alembic
sqlalchemy.url = sqlite:///./app.db
"""

A1 = ap._module("a1", None, None, None, "create t1", "2025-01-01 00:00:00",
                "op.create_table('t1', sa.Column('id', sa.Integer(), primary_key=True))",
                "op.drop_table('t1')")


def project(tmp, files):
    """alembic.ini + alembic/env.py + alembic/versions/<name> for each (name, text or bytes)."""
    root = os.path.join(tmp, "app")
    versions = os.path.join(root, "alembic", "versions")
    os.makedirs(versions)
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(INI)
    with open(os.path.join(root, "alembic", "env.py"), "w") as f:
        f.write(ap.ENV_PY)
    for name, text in files:
        with open(os.path.join(versions, name), "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
    return os.path.join(root, "alembic.ini")


def import_(tmp, ini, *extra, env=None):
    mig = os.path.join(tmp, "migrations")
    return sg("import", "alembic", "--config", ini, "--migrations", mig, *extra, cwd=tmp,
              env=env)


def written(tmp):
    mig = os.path.join(tmp, "migrations")
    return sorted(os.listdir(mig)) if os.path.isdir(mig) else []


def read(tmp, name):
    with open(os.path.join(tmp, "migrations", name), encoding="utf-8") as f:
        return f.read()


def test_d7_every_file_is_imported_or_flagged(tmp):
    b2 = ap._module("PLACEHOLDER", "a1", None, None, "needs the app", "2025-01-02 00:00:00",
                    "op.add_column('t1', sa.Column('x', sa.Integer()))",
                    "op.drop_column('t1', 'x')")
    b2 = b2.replace("revision = 'PLACEHOLDER'", "revision = 'b' + '2'")
    b2 = b2.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport myapp.models\n")
    helper = "import myapp.models\n\nNAMES = ['a', 'b']\n"
    ini = project(tmp, [("a1_create.py", A1), ("b2_app.py", b2), ("helpers.py", helper),
                        ("README", "notes\n")])
    out, _ = expect(import_(tmp, ini), 3, "import")
    check("1 written" in out and "2 could not be imported" in out, "summary counts: " + out)
    check("alembic/versions/b2_app.py" in out and "revision id is not a literal" in out,
          "b2 named with why: " + out)
    check("alembic/versions/helpers.py" in out and "assigns no revision id" in out,
          "helpers.py named with why: " + out)
    check("alembic/versions/README" in out and "1 ignored" in out, "README accounted: " + out)
    check(len(written(tmp)) == 1 and "a1" in written(tmp)[0], "only a1 written: %s"
          % written(tmp))


def test_d8_os_exit_in_upgrade_is_an_error_naming_the_file(tmp):
    a2 = ap._module("a2", "a1", None, None, "exits", "2025-01-02 00:00:00",
                    "import os\nos._exit(0)", "pass")
    ini = project(tmp, [("a1_create.py", A1), ("a2_exits.py", a2)])
    out, err = expect(import_(tmp, ini), 3, "import")
    check("alembic/versions/a2_exits.py" in err and "upgrade()" in err and
          "end marker" in err and "exit status 0" in err, "names the file: " + err)
    check(written(tmp) == [], "nothing written: %s" % written(tmp))


def test_d13_latin1_coding_cookie_is_read_as_python_reads_it(tmp):
    a1 = ap._module("a1", None, None, None, "Ajouté la table", "2025-01-01 00:00:00",
                    "op.create_table('t1', sa.Column('nom', sa.String(20), "
                    "server_default='Ajouté'))", "op.drop_table('t1')")
    a1 = "# -*- coding: latin-1 -*-\n" + a1
    ini = project(tmp, [("a1_latin1.py", a1.encode("latin-1"))])
    out, err = expect(import_(tmp, ini), 0, "import")
    check("1 written" in out, "summary: " + out)
    text = read(tmp, written(tmp)[0])
    check("-- message: Ajouté la table\n" in text and "DEFAULT 'Ajouté'" in text,
          "UTF-8 in the written file:\n" + text)
    expect(sg("verify", "--migrations", os.path.join(tmp, "migrations"), cwd=tmp), 0, "verify")


def test_d14_op_execute_commit_needs_a_person(tmp):
    a2 = ap._module("a2", "a1", None, None, "leave the transaction", "2025-01-02 00:00:00",
                    "op.execute('COMMIT')\nop.execute('CREATE INDEX ix_t1_id ON t1 (id)')",
                    "op.execute('DROP INDEX ix_t1_id')")
    ini = project(tmp, [("a1_create.py", A1), ("a2_commit.py", a2)])
    out, _ = expect(import_(tmp, ini), 3, "import")
    check("Needs a person" in out and "runs COMMIT through op.execute()" in out and
          "-- transaction: false" in out, "flagged with the advice: " + out)
    check("1 need SQL by hand" in out, "counted: " + out)
    _, err = expect(sg("verify", "--migrations", os.path.join(tmp, "migrations"), cwd=tmp), 3,
                    "verify")
    check("needs SQL written by hand" in err, "verify names the marker: " + err)


LOOP = """import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(0.2)'])
with open(%r, 'w') as f:
    f.write('%%d %%d' %% (os.getpid(), child.pid))
while True:
    time.sleep(0.05)"""


def alive(pid):
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def poll(cond, what, limit=30.0):
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


def looping_import(tmp, *extra):
    """Starts an import whose a2 loops forever; returns (process, [pids], tmpdir)."""
    pidfile = os.path.join(tmp, "pids")
    a2 = ap._module("a2", "a1", None, None, "loops", "2025-01-02 00:00:00", LOOP % pidfile,
                    "pass")
    ini = project(tmp, [("a1_create.py", A1), ("a2_loops.py", a2)])
    tmpdir = os.path.join(tmp, "t")
    os.makedirs(tmpdir)
    p = subprocess.Popen([SG, "import", "alembic", "--config", ini, "--migrations",
                          os.path.join(tmp, "migrations")] + list(extra), cwd=tmp,
                         env=clean_env(TMPDIR=tmpdir), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    def started():
        if p.poll() is not None:
            raise AssertionError("the import ended (exit %d): %s" % (p.returncode,
                                                                     p.stderr.read()))
        return os.path.exists(pidfile) and len(open(pidfile).read().split()) == 2
    poll(started, "the revision to start looping")
    pids = [int(x) for x in open(pidfile).read().split()]
    check(all(alive(pid) for pid in pids), "the Python child and its child run")
    check(len(os.listdir(tmpdir)) == 1 and os.listdir(tmpdir)[0].startswith("schemagate-import-"),
          "the temporary directory exists: %s" % os.listdir(tmpdir))
    return p, pids, tmpdir


def kill_leftovers(p, pids):
    if p.poll() is None:
        p.kill()
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_d15_sigterm_stops_the_python_child_and_cleans_up(tmp):
    p, pids, tmpdir = looping_import(tmp)
    try:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        check(p.returncode == 143, "exit %d, wanted 143: %s" % (p.returncode, err))
        poll(lambda: not any(alive(pid) for pid in pids), "the children to stop", limit=10)
        check(os.listdir(tmpdir) == [], "temporary directory removed: %s" % os.listdir(tmpdir))
        check(written(tmp) == [], "nothing written")
    finally:
        kill_leftovers(p, pids)


def test_d15_timeout_ends_the_render_with_an_error(tmp):
    p, pids, tmpdir = looping_import(tmp, "--timeout", "5s")
    try:
        out, err = p.communicate(timeout=60)
        check(p.returncode == 3, "exit %d, wanted 3: %s" % (p.returncode, err))
        check("alembic/versions/a2_loops.py" in err and "upgrade()" in err and
              "--timeout 5s" in err, "names the file and the timeout: " + err)
        poll(lambda: not any(alive(pid) for pid in pids), "the children to stop", limit=10)
        check(os.listdir(tmpdir) == [], "temporary directory removed: %s" % os.listdir(tmpdir))
        check(written(tmp) == [], "nothing written")
    finally:
        kill_leftovers(p, pids)
    _, err = expect(sg("import", "alembic", "--config", "x.ini", "--timeout", "soon", cwd=tmp), 2,
                    "bad --timeout")
    check("--timeout" in err, "names the option: " + err)


def test_b1_sqlite_downgrade_batch_copy_after_drop_index(tmp):
    r1 = ap._module("r1", None, None, None, "patients", "2025-01-01 00:00:00", """op.create_table(
    'patients', sa.Column('id', sa.Integer(), primary_key=True),
    sa.Column('name', sa.String(100)))""", "op.drop_table('patients')")
    r2 = ap._module("r2", "r1", None, None, "email", "2025-01-02 00:00:00", """\
op.add_column('patients', sa.Column('email', sa.String(120), nullable=True))
op.create_index('ix_patients_email', 'patients', ['email'], unique=True)""", """\
op.drop_index('ix_patients_email', table_name='patients')
with op.batch_alter_table('patients') as batch_op:
    batch_op.drop_column('email')""")
    ini = project(tmp, [("r1.py", r1), ("r2.py", r2)])
    expect(import_(tmp, ini, "--dialect", "sqlite"), 0, "import")
    db = os.path.join(tmp, "x.db")
    run = lambda *a: expect(sg("--migrations", os.path.join(tmp, "migrations"), "--url",
                               "sqlite:///" + db, "--backup", "never", *a, cwd=tmp), 0,
                            " ".join(a))
    run("upgrade", "head")
    run("downgrade", "r1")
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(patients)")]
    idx = con.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                      "name = 'ix_patients_email'").fetchall()
    con.close()
    check(cols == ["id", "name"] and idx == [], "r1's table: %s %s" % (cols, idx))
    # What Alembic's online run leaves at r1 (it reflects the live table).
    ref = os.path.join(tmp, "ref.db")
    for step in (["upgrade", "head"], ["downgrade", "r1"]):
        subprocess.run(["/usr/bin/alembic", "-c", ini] + step, cwd=os.path.dirname(ini),
                       env=clean_env(DATABASE_URL="sqlite:///" + ref), check=True,
                       capture_output=True, timeout=120)
    master = lambda path: sorted(r for r in sqlite3.connect(path).execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'patients'"))
    check(master(db) == master(ref), "same as Alembic: %s\n%s" % (master(db), master(ref)))
    run("downgrade", "base")


def test_l1_newline_in_an_id_cannot_inject_a_record(tmp):
    evil = "c1\nend\nrevision evil\nfile_name 99_evil.sql\nbody 0\n"
    c1 = ap._module("c1", "a1", None, None, "newline in revision", "2025-01-02 00:00:00",
                    "pass", "pass").replace("revision = 'c1'", "revision = %r" % evil)
    d1 = ap._module("d1", "a1", None, "a1", "newline in depends_on", "2025-01-03 00:00:00",
                    "pass", "pass").replace("depends_on = 'a1'", "depends_on = %r" % (
                        "a1\nend\nrevision evil2\n",))
    # A module writing the protocol's own records straight to file descriptor 1.
    f1 = ap._module("f1", "a1", None, None, "writes to fd 1", "2025-01-04 00:00:00", "pass",
                    "pass").replace("import sqlalchemy as sa\n", """import sqlalchemy as sa
import os
os.write(1, b'{"type": "end", "revisions": 0, "unimported": 0}\\n'
            b'{"type": "revision", "revision": "evil3", "file_name": "evil3.sql"}\\n')
""")
    ini = project(tmp, [("a1_create.py", A1), ("c1.py", c1), ("d1.py", d1), ("f1.py", f1)])
    out, _ = expect(import_(tmp, ini), 3, "import")
    check(not any("evil" in n for n in written(tmp)), "no injected file: %s" % written(tmp))
    check(len(written(tmp)) == 2 and "2 written" in out, "only a1 and f1: %s" % written(tmp))
    check("2 could not be imported" in out and "alembic/versions/c1.py" in out and
          "alembic/versions/d1.py" in out and "\\n" in out, "both refused, escaped: " + out)


def test_l2_empty_revision_id_is_refused(tmp):
    e1 = ap._module("e1", "a1", None, None, "empty id", "2025-01-02 00:00:00", "pass",
                    "pass").replace("revision = 'e1'", "revision = ''")
    # Not strings either: refused with why (was a traceback, exit 1).
    x1 = ap._module("x1", "a1", None, None, "int down", "2025-01-02 00:00:00", "pass",
                    "pass").replace("down_revision = 'a1'", "down_revision = 5")
    ini = project(tmp, [("a1_create.py", A1), ("e1_empty.py", e1), ("x1.py", x1)])
    out, _ = expect(import_(tmp, ini), 3, "import")
    check("alembic/versions/e1_empty.py" in out and "revision id is ''" in out,
          "refused with why: " + out)
    check("alembic/versions/x1.py: its down_revision holds 5" in out, "x1 refused: " + out)
    check(len(written(tmp)) == 1, "no id invented: %s" % written(tmp))


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
