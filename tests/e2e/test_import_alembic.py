#!/usr/bin/python3
"""End-to-end (issue 11): `schemagate import alembic` on real Alembic projects.

The projects (tests/e2e/alembic_projects.py) are modeled on the teams'
workflows: a labelled branch merged back, depends_on, data migrations with
op.execute and op.bulk_insert, a rename, indexes, an enum (native on
PostgreSQL), batch_alter_table (SQLite's table copy), a file_template, a
revision reading from the connection, and a Flask-Migrate layout whose env.py
cannot run here. Alembic is Debian's 1.8 (/usr/bin/alembic, psycopg2, pymysql).

For SQLite, PostgreSQL and MariaDB:
  same_schema_as_alembic  `alembic upgrade head` on one database and `schemagate
                          run` of the imported files on another: same schema
                          (catalog queries), same alembic_version rows, same data
  continue_from_middle    Alembic to a middle revision, `schemagate run` to head
                          (no stamp); then Alembic reads the result as head
  downgrade_base          `schemagate downgrade base` == `alembic downgrade base`
Without a server: the flagged revision fails verify/run with file:line until
edited, re-import writes nothing, heads/history print what Alembic prints, a
Flask-Migrate project imports without its env.py, per-dialect sections, and
no Python with Alembic is exit 2 with the install line.

Servers: SG_TEST_PG_URL / SG_TEST_MYSQL_URL and the admin URLs (scripts/
test-servers.sh); with CI=true a missing URL fails, else that backend is skipped.
"""
import os
import re
import sqlite3
import subprocess
import sys

import alembic  # noqa: F401 - Debian's python3-alembic: run with /usr/bin/python3
import pytest

import alembic_projects as ap
import run_support as rs
from cli_support import (MariadbDatabases, PostgresDatabases, backend_id, check, clean_env, expect,
                         opened, scenario_id, sg)

ALEMBIC = "/usr/bin/alembic"


# --- the projects and the tools ---------------------------------------------------

class Project:
    """An Alembic project in tmp/app and its import into tmp/migrations."""

    def __init__(self, tmp, app_url):
        self.tmp = tmp
        self.root = os.path.join(tmp, "app")
        self.ini = ap.write_project(self.root, app_url)
        self.migrations = os.path.join(tmp, "migrations")

    def alembic(self, url, *args):
        p = subprocess.run([ALEMBIC, "-c", self.ini] + list(args), cwd=self.root,
                           env=clean_env(DATABASE_URL=url), capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            raise AssertionError("alembic %s: exit %d\n%s" % (" ".join(args), p.returncode,
                                                               p.stderr[-3000:]))
        return p.stdout

    def sg(self, *args, code=0, url=None):
        extra = ["--url", url] if url else []
        return expect(sg("--migrations", self.migrations, "--backup", "never", *extra, *args,
                         cwd=self.tmp), code, "schemagate " + " ".join(args))

    def import_(self, *extra, code=3):
        return self.sg("import", "alembic", "--config", self.ini, *extra, code=code)

    def path_of(self, rev):
        for name in os.listdir(self.migrations):
            if rev in name:
                return os.path.join(self.migrations, name)
        raise AssertionError("no file for %s in %s" % (rev, os.listdir(self.migrations)))

    def write_r9_by_hand(self):
        """What the summary asks a person to do: replace the flagged section with SQL."""
        path = self.path_of(ap.R9)
        with open(path) as f:
            text = f.read()
        start, end = text.index("-- +upgrade\n"), text.index("-- +downgrade")
        with open(path, "w") as f:
            f.write(text[:start] + "-- +upgrade\n" + ap.R9_SQL + "\n" + text[end:])

    def imported(self, *extra):
        out, _ = self.import_(*extra)
        self.write_r9_by_hand()
        self.sg("verify")
        return out


# --- databases and their schemas -----------------------------------------------------

IGNORED = {"alembic_version", "schemagate_history"}


class Sqlite:
    name = "sqlite"

    def __init__(self, tmp):
        self.tmp, self.n = tmp, 0

    def app_url(self):
        return "sqlite:///./app.db"

    def fresh(self):
        self.n += 1
        return "sqlite:///" + os.path.join(self.tmp, "db%d.sqlite" % self.n)

    def query(self, url, sql):
        con = sqlite3.connect(url[len("sqlite:///"):])
        try:
            return [tuple(r) for r in con.execute(sql)]
        finally:
            con.close()

    def schema(self, url):
        return sorted(r for r in self.query(
            url, "SELECT type, name, tbl_name, sql FROM sqlite_master "
                 "WHERE name NOT LIKE 'sqlite_%'") if r[2] not in IGNORED)

    def cleanup(self):
        pass


class Server:
    """A fresh database per call (a counter keeps names made in the same
    millisecond apart), addressed with the application's SQLAlchemy URL."""
    count = 0

    def __init__(self, tmp):
        super().__init__("sg_import")

    def sqlalchemy(self, url):
        return self.driver + url[url.index("://"):]

    def app_url(self):
        return self.sqlalchemy(os.environ[self.env[0]])

    def fresh(self):
        Server.count += 1
        self.prefix = "sg_import%d" % Server.count
        return self.sqlalchemy(super().fresh())


class Postgres(Server, PostgresDatabases):
    driver = "postgresql+psycopg2"

    def schema(self, url):
        cols = self.query(url, """
            SELECT table_name, column_name, ordinal_position, data_type, udt_name,
                   character_maximum_length, is_nullable, column_default
            FROM information_schema.columns WHERE table_schema = 'public'""")
        idx = self.query(url, "SELECT tablename, indexname, indexdef FROM pg_indexes "
                              "WHERE schemaname = 'public'")
        cons = self.query(url, """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public'""")
        enums = self.query(url, """
            SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_type t
            JOIN pg_enum e ON e.enumtypid = t.oid""")
        keep = lambda rows: sorted(tuple(map(str, r)) for r in rows if r[0] not in IGNORED)
        return {"columns": keep(cols), "indexes": keep(idx), "constraints": keep(cons),
                "enums": sorted(tuple(map(str, r)) for r in enums)}


class Mariadb(Server, MariadbDatabases):
    driver = "mysql+pymysql"

    def query(self, url, sql):
        return [tuple(r) for r in rs.mysql_query("mysql" + url[url.index("://"):], sql)]

    def schema(self, url):
        out = {}
        for (t,) in self.query(url, "SHOW TABLES"):
            if t not in IGNORED:
                ddl = self.query(url, "SHOW CREATE TABLE `%s`" % t)[0][1]
                out[t] = re.sub(r" AUTO_INCREMENT=\d+", "", ddl)
        return out


def rows(db, url):
    return sorted(r[0] for r in db.query(url, "SELECT version_num FROM alembic_version"))


def data(db, url):
    """The rows the data migrations wrote (bulk_insert, op.execute)."""
    try:
        return sorted(tuple(map(str, r)) for r in db.query(
            url, "SELECT code, label, controlled FROM medication_codes"))
    except Exception:  # noqa: BLE001 - the table is not there
        return None


def state(db, url):
    return {"schema": db.schema(url), "rows": rows(db, url), "data": data(db, url)}


def flat(x, key=""):
    """Nested dicts and lists as (path, leaf) pairs, for a readable difference."""
    if isinstance(x, dict):
        return [p for k in sorted(x) for p in flat(x[k], "%s/%s" % (key, k))]
    if isinstance(x, list):
        return [p for i in x for p in flat(i, key)]
    return [(key, x)]


def same(a, b, what):
    if a != b:
        fa, fb = flat(a), flat(b)
        raise AssertionError("%s differ:\nonly alembic:    %r\nonly schemagate: %r" % (
            what, [p for p in fa if p not in fb], [p for p in fb if p not in fa]))


def empty(schema):
    return not any(flat(schema))


# --- scenarios on each database ------------------------------------------------------

def same_schema_as_alembic(db, p):
    p.imported()
    ref = db.fresh()
    p.alembic(ref, "upgrade", "head")
    url = db.fresh()
    p.sg("run", url=url)
    check(rows(db, url) == [ap.HEAD], "schemagate run reached head: %s" % rows(db, url))
    same(state(db, ref), state(db, url), "upgrade head")
    check(data(db, url) and len(data(db, url)) == 2, "bulk_insert rows: %s" % data(db, url))
    # Every step on the way, too: Alembic and schemagate to each revision.
    for target in (ap.R2, ap.R5, ap.R7):
        a, s = db.fresh(), db.fresh()
        p.alembic(a, "upgrade", target)
        p.sg("upgrade", target, url=s)
        same(state(db, a), state(db, s), "upgrade " + target)


def continue_from_middle(db, p):
    p.imported()
    ref = db.fresh()
    p.alembic(ref, "upgrade", "head")
    url = db.fresh()
    p.alembic(url, "upgrade", ap.MIDDLE)
    check(rows(db, url) == [ap.MIDDLE], "Alembic stopped in the middle: %s" % rows(db, url))
    out, _ = p.sg("current", url=url)
    check(out.split()[:1] == [ap.MIDDLE], "schemagate reads Alembic's row: " + out)
    p.sg("check", url=url, code=11)
    p.sg("run", url=url)  # no stamp
    same(state(db, ref), state(db, url), "Alembic to the middle, schemagate to head")
    check(p.alembic(url, "current").split()[:1] == [ap.HEAD], "Alembic sees head")
    # And the other way round: schemagate to the middle, Alembic finishes.
    url2 = db.fresh()
    p.sg("upgrade", ap.MIDDLE, url=url2)
    p.alembic(url2, "upgrade", "head")
    same(state(db, ref), state(db, url2), "schemagate to the middle, Alembic to head")


def downgrade_base(db, p):
    p.imported()
    a, s = db.fresh(), db.fresh()
    p.alembic(a, "upgrade", "head")
    p.sg("run", url=s)
    p.alembic(a, "downgrade", ap.R7)
    p.sg("downgrade", ap.R7, url=s)
    same(state(db, a), state(db, s), "downgrade to the merge")
    p.alembic(a, "downgrade", "base")
    p.sg("downgrade", "base", url=s)
    same(state(db, a), state(db, s), "downgrade base")
    check(rows(db, s) == [] and empty(db.schema(s)), "base is empty: %s" % db.schema(s))
    # schemagate also downgrades what Alembic applied (no checksums recorded).
    p.alembic(a, "upgrade", "head")
    p.sg("downgrade", "base", url=a)
    same(state(db, s), state(db, a), "schemagate downgrade base of an Alembic database")


SCENARIOS = [same_schema_as_alembic, continue_from_middle, downgrade_base]
BACKENDS = [Sqlite, Postgres, Mariadb]


# --- without a server ---------------------------------------------------------------

def sqlite_project(tmp):
    return Project(tmp, "sqlite:///./app.db")


def test_flagged_revision_fails_verify_until_edited(tmp):
    p = sqlite_project(tmp)
    out, _ = p.import_()
    r9 = p.path_of(ap.R9)
    check("9 written" in out and "1 need SQL by hand" in out, "summary: " + out)
    check(re.search(re.escape(r9) + r":7: .*reads from the connection \(get_bind\(\)\)", out),
          "summary names file:line and why: " + out)
    with open(r9) as f:
        text = f.read()
    check("--         conn = op.get_bind()" in text, "the Python is quoted:\n" + text)
    check("\nALTER TABLE patients DROP COLUMN first_name;" in text, "downgrade rendered")
    _, err = p.sg("verify", code=3)
    check(r9 + ":7:" in err and "needs SQL written by hand" in err, "verify: " + err)
    url = "sqlite:///" + os.path.join(tmp, "gate.db")
    _, err = p.sg("run", url=url, code=3)
    check(r9 + ":7:" in err, "run names file:line: " + err)
    check(not os.path.exists(url[len("sqlite:///"):]) or
          not sqlite3.connect(url[len("sqlite:///"):]).execute(
              "SELECT name FROM sqlite_master").fetchall(), "run wrote nothing")
    p.write_r9_by_hand()
    p.sg("verify")
    p.sg("run", url=url)
    # Importing again writes nothing and overwrites nothing.
    before = {n: os.stat(os.path.join(p.migrations, n)).st_mtime_ns
              for n in os.listdir(p.migrations)}
    out, _ = p.import_(code=0)
    check("0 written, 9 already there" in out, "re-import: " + out)
    after = {n: os.stat(os.path.join(p.migrations, n)).st_mtime_ns
             for n in os.listdir(p.migrations)}
    check(before == after, "nothing rewritten")


def test_heads_and_history_print_what_alembic_prints(tmp):
    p = sqlite_project(tmp)
    p.imported()
    url = "sqlite:///" + os.path.join(tmp, "x.db")
    for cmd in (["heads"], ["heads", "--verbose"], ["history"], ["branches"],
                ["history", "-r", "%s:%s" % (ap.R2, ap.R7)]):
        al = p.alembic(url, *cmd)
        ours, _ = p.sg(*cmd)
        norm = lambda s: [l for l in s.splitlines() if not l.startswith("Path:")]
        if cmd[0] in ("history", "branches"):
            # The order the graph leaves free may differ; Alembic lists a
            # branch point's children in the order of a Python set.
            norm = lambda s: sorted(s.splitlines())
        same(norm(al), norm(ours), " ".join(cmd))


def test_identity_and_file_names(tmp):
    p = sqlite_project(tmp)
    p.imported()
    with open(p.path_of(ap.R7)) as f:
        merge = f.read()
    check(merge.startswith("-- revision: %s\n-- down_revision: %s, %s\n-- message: Merge billing "
                           "and visits\n-- create_date: 2025-11-09 09:00:00\n"
                           % (ap.R7, ap.R5, ap.R6)), "merge header:\n" + merge)
    with open(p.path_of(ap.R5)) as f:
        seed = f.read()
    check("-- depends_on: %s\n" % ap.R3 in seed, "depends_on kept:\n" + seed)
    with open(p.path_of(ap.R4)) as f:
        check("-- branch_labels: billing\n" in f.read(), "branch label kept")
    with open(p.path_of(ap.R1)) as f:
        check("-- create_date: 2025-11-01 09:00:00.123456\n" in f.read(), "create date kept")
    # The project's file_template (seed 002's): YYYYMMDD_HHMM_rev_slug.
    check(os.path.basename(p.path_of(ap.R2)) ==
          "20251103_1430_1975ea83b712_add_patient_contact_information.sql",
          "file_template name: %s" % os.listdir(p.migrations))


def test_dialect_sections(tmp):
    p = sqlite_project(tmp)
    p.imported("--dialect", "postgresql,mysql,sqlite")
    with open(p.path_of(ap.R2)) as f:
        r2 = f.read()
    check("-- +upgrade\nALTER TABLE patients ADD COLUMN email VARCHAR(120);" in r2,
          "one generic upgrade where all render the same:\n" + r2)
    check("-- +downgrade mysql\nDROP INDEX ix_patients_email ON patients;" in r2 and
          "-- +downgrade sqlite\nDROP INDEX ix_patients_email;" in r2,
          "per-dialect downgrade where they differ:\n" + r2)
    with open(p.path_of(ap.R3)) as f:
        r3 = f.read()
    check("-- +upgrade postgresql\nCREATE TYPE visit_status AS ENUM ('scheduled', 'completed', "
          "'cancelled');" in r3, "the PostgreSQL enum type:\n" + r3)
    with open(p.path_of(ap.R8)) as f:
        r8 = f.read()
    check("-- +upgrade sqlite\nCREATE TABLE _alembic_tmp_patients" in r8 and
          "-- +upgrade postgresql\nALTER TABLE patients ADD COLUMN risk_score FLOAT;" in r8,
          "batch: table copy on SQLite, ALTER elsewhere:\n" + r8)
    for off in ("alembic_version", "BEGIN", "COMMIT"):
        for name in os.listdir(p.migrations):
            with open(os.path.join(p.migrations, name)) as f:
                check(off not in f.read(), "%s in %s" % (off, name))


def test_flask_migrate_layout(tmp):
    root = os.path.join(tmp, "flaskapp")
    mig = ap.write_flask_project(root)
    out_dir = os.path.join(tmp, "migrations")
    for how in (["--from", mig], ["--config", os.path.join(mig, "alembic.ini")]):
        if os.path.isdir(out_dir):
            for n in os.listdir(out_dir):
                os.unlink(os.path.join(out_dir, n))
        out, _ = expect(sg("import", "alembic", *how, "--dialect", "sqlite", "--migrations",
                           out_dir, cwd=tmp), 3, "import " + " ".join(how))
        check("3 written" in out and "1 need SQL by hand" in out, "summary: " + out)
        check("cannot be imported here (ModuleNotFoundError: No module named 'myapp')" in out,
              "the import error is named: " + out)
        names = sorted(os.listdir(out_dir))
        check(names[0] == "20251001_1200_a0b1c2d3e4f5_users_table.sql",
              "schemagate's default names without a file_template: %s" % names)
        with open(os.path.join(out_dir, names[2])) as f:
            text = f.read()
        check(text.startswith("-- revision: %s\n-- down_revision: %s\n" % (ap.F3, ap.F2)),
              "identity from the source of a module that cannot be imported:\n" + text)
        check("--         op.create_table(WizardState.__tablename__" in text, "quoted:\n" + text)


def test_offline_branches_and_render_failures_are_flagged(tmp):
    root = os.path.join(tmp, "odd")
    revs = [
        ("aaaa00000001", None, None, None, "create things", "2025-01-01 00:00:00",
         "op.create_table('things', sa.Column('id', sa.Integer(), primary_key=True))",
         "op.drop_table('things')"),
        ("aaaa00000002", "aaaa00000001", None, None, "offline aware", "2025-01-02 00:00:00", """
            from alembic import context
            if context.is_offline_mode():
                op.execute("UPDATE things SET id = id")
            else:
                op.execute("DELETE FROM things")
        """, "pass"),
        ("aaaa00000003", "aaaa00000002", None, None, "broken", "2025-01-03 00:00:00",
         "op.execute(undefined_helper())", "pass"),
    ]
    ini = ap.write_project(root, "sqlite:///./odd.db", revisions=revs, file_template=False)
    out_dir = os.path.join(tmp, "migrations")
    out, _ = expect(sg("import", "alembic", "--config", ini, "--migrations", out_dir, cwd=tmp),
                    3, "import")
    check("2 need SQL by hand" in out, "summary: " + out)
    check("branches on context.is_offline_mode()" in out, "offline branch named: " + out)
    check("fails to render (NameError: name 'undefined_helper' is not defined (line 20))" in out,
          "render failure named with its line: " + out)
    url = "sqlite:///" + os.path.join(tmp, "odd.db")
    expect(sg("run", "--url", url, "--migrations", out_dir, cwd=tmp), 3, "run refuses")
    db = url[len("sqlite:///"):]
    check(not os.path.exists(db) or not sqlite3.connect(db).execute(
        "SELECT name FROM sqlite_master").fetchall(), "nothing applied")


def test_python_search_skips_a_python3_without_alembic(tmp):
    """PATH's first python3 (pyenv's, here a stub) cannot import alembic."""
    bin_dir = os.path.join(tmp, "bin")
    os.makedirs(bin_dir)
    stub = os.path.join(bin_dir, "python3")
    with open(stub, "w") as f:
        f.write("#!/bin/sh\nexit 1\n")
    os.chmod(stub, 0o755)
    p = sqlite_project(tmp)
    env = clean_env(PATH=bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    out, _ = expect(sg("--migrations", p.migrations, "import", "alembic", "--config", p.ini,
                       cwd=tmp, env=env), 3, "import")
    check("9 written" in out, "imported: " + out)
    check("rendered by " + stub not in out, "the stub was not used: " + out)


def test_no_python_with_alembic_is_exit_2(tmp):
    p = sqlite_project(tmp)
    _, err = p.sg("import", "alembic", "--config", p.ini, "--python", "/bin/false", code=2)
    check("apt-get install python3-alembic" in err and "pip install alembic" in err,
          "install line: " + err)
    check(not os.path.exists(p.migrations), "nothing written")
    _, err = p.sg("import", "alembic", code=2)
    check("--config" in err and "--from" in err, "needs a project: " + err)
    _, err = p.sg("import", "flyway", "--config", p.ini, code=2)
    check("import alembic" in err, "unknown source: " + err)


@pytest.mark.parametrize("backend", BACKENDS, ids=backend_id)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_scenario(scenario, backend, tmp):
    with opened(backend(tmp)) as db:
        scenario(db, Project(tmp, db.app_url()))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
