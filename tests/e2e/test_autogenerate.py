"""`revision --autogenerate --schema` against real databases (SQLite,
PostgreSQL 15, MariaDB 10.11): revisions written from desired-state .sql
files, proven by replay before they are written.
Run: SG_BIN=build/schemagate python3 tests/e2e/test_autogenerate.py"""
import glob
import os
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import cli_support as cs  # noqa: E402
import schema_support as ss  # noqa: E402

BACKENDS = {b.name: b for b in ss.BACKENDS}


@pytest.fixture
def tmp():
    return tempfile.mkdtemp(prefix="sg-e2e-autogen-")


def backend(name, tmp):
    try:
        return BACKENDS[name](tmp)
    except cs.Skip as e:
        pytest.skip(str(e))


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db(request, tmp):
    b = backend(request.param, tmp)
    yield b
    b.cleanup()


def dev_args(db):
    return [] if db.name == "sqlite" else ["--dev-url", db.fresh()]


def files(mig):
    return sorted(glob.glob(os.path.join(mig, "*.sql")))


def write(tmp, name, statements):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(";\n\n".join(statements) + ";\n")
    return path


def autogen(tmp, mig, schema, db, dev, *extra, dialect=None):
    return cs.sg("revision", "--autogenerate", "-m", "auto", "--schema", schema, "--migrations", mig,
                 "--dialect", dialect or db.name, *dev, *extra, cwd=tmp)


def reflect(db, url):
    tables, views = ss.reflect(db.sqlalchemy_url(url))
    tables.pop("alembic_version", None)
    tables.pop("schemagate_history", None)
    if db.name == "postgresql":
        # PostgreSQL adds a column at the end only: a column that a downgrade
        # brings back is last (docs/schema.md); compare the set of columns.
        for t in tables.values():
            t["columns"] = sorted(t["columns"])
    return tables, views


# --- the clinic: five desired states per dialect ---------------------------------

def id_col(d):
    return "id int NOT NULL PRIMARY KEY" if d == "mysql" else "id integer PRIMARY KEY"


def clinic(d, step):
    """The desired schema after step 1..5."""
    name = "name varchar(%d) NOT NULL" % (50 if step < 3 else 100)
    patients = [id_col(d), name]
    if step < 4:
        patients.append("born date")
    if step >= 3:
        patients.append("email varchar(100) NULL")
        patients.append("CONSTRAINT patients_email_key UNIQUE (email)")
    visits = [id_col(d), "patient_id int NOT NULL", "at varchar(30)"]
    if step >= 5:
        visits.append("status varchar(20) NOT NULL DEFAULT 'open'")
    out = []
    index = 2 <= step < 5
    if step >= 2:
        if d == "mysql" and index:
            visits.append("KEY visits_patient_idx (patient_id)")
        visits.append("CONSTRAINT visits_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (id)")
    out.append("CREATE TABLE patients (%s)" % ", ".join(patients))
    out.append("CREATE TABLE visits (%s)" % ", ".join(visits))
    if index and d != "mysql":
        out.append("CREATE INDEX visits_patient_idx ON visits (patient_id)")
    if step >= 4:
        out.append("CREATE TABLE prescriptions (%s, visit_id int NOT NULL, drug varchar(100) NOT NULL, "
                   "dose_mg int NOT NULL, CONSTRAINT prescriptions_dose_check CHECK (dose_mg > 0), "
                   "CONSTRAINT prescriptions_visit_fk FOREIGN KEY (visit_id) REFERENCES visits (id))"
                   % id_col(d))
    return out


def test_clinic_evolution(db, tmp):
    mig = os.path.join(tmp, "migrations")
    dev = dev_args(db)
    for step in range(1, 6):
        schema = write(tmp, "clinic%d.sql" % step, clinic(db.name, step))
        out, _ = cs.expect(autogen(tmp, mig, schema, db, dev, "--rev-id", "step%d" % step), 0,
                           "autogenerate step %d" % step)
        cs.check(len(files(mig)) == step, "step %d: files %s\n%s" % (step, files(mig), out))
        if dev:
            cs.check(db.tables(dev[1]) == set(), "dev database left: %s" % db.tables(dev[1]))
    # Again at the last state: no changes, no file.
    out, _ = cs.expect(autogen(tmp, mig, schema, db, dev), 0, "no changes")
    cs.check("no changes" in out and len(files(mig)) == 5, out)
    text = open(files(mig)[3]).read() + open(files(mig)[4]).read()
    cs.check("-- data loss: drops column patients.born" in text, text)
    down3 = open(files(mig)[2]).read().split("-- +downgrade")[1]
    cs.check("-- data loss: patients.name" in down3 and "(50): values wider" in down3, down3)
    # A fresh database upgraded through the steps reflects as the last state applied directly.
    live = db.fresh()
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade head")
    direct = {}
    for step in range(1, 6):
        url = db.fresh()
        db.execute(url, clinic(db.name, step))
        direct[step] = reflect(db, url)
    cs.check(reflect(db, live) == direct[5], "head differs:\n%s\n%s" % (reflect(db, live), direct[5]))
    for step in range(4, 0, -1):
        cs.expect(cs.sg("downgrade", "-1", "--url", live, "--migrations", mig, cwd=tmp), 0,
                  "downgrade to step %d" % step)
        cs.check(reflect(db, live) == direct[step],
                 "step %d differs:\n%s\n%s" % (step, reflect(db, live), direct[step]))


def views_and_enums(d, step):
    out = []
    cols = [id_col(d), "name varchar(50)"]
    view = "CREATE VIEW named AS SELECT id, name FROM patients WHERE name IS NOT NULL"
    if step == 2:
        if d == "postgresql":
            out.append("CREATE TYPE mood AS ENUM ('sad', 'ok')")
            cols.append("mood mood DEFAULT 'ok'")
        else:
            cols.append("mood varchar(10) DEFAULT 'ok'")
        view = "CREATE VIEW named AS SELECT id, name, mood FROM patients WHERE name IS NOT NULL"
    return out + ["CREATE TABLE patients (%s)" % ", ".join(cols), view]


def test_views_and_enums(db, tmp):
    mig = os.path.join(tmp, "migrations")
    dev = dev_args(db)
    for step in (1, 2):
        schema = write(tmp, "v%d.sql" % step, views_and_enums(db.name, step))
        cs.expect(autogen(tmp, mig, schema, db, dev, "--rev-id", "v%d" % step), 0, "step %d" % step)
    live = db.fresh()
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
    for step in (2, 1):
        direct = db.fresh()
        db.execute(direct, views_and_enums(db.name, step))
        cs.check(ss.inspect_json(live, tmp) == ss.inspect_json(direct, tmp), "step %d differs" % step)
        cs.check(reflect(db, live) == reflect(db, direct), "step %d reflects differently" % step)
        if step == 2:
            cs.expect(cs.sg("downgrade", "-1", "--url", live, "--migrations", mig, cwd=tmp), 0, "downgrade")


def test_two_dialects_in_one_run(tmp):
    lite = backend("sqlite", tmp)
    pg = backend("postgresql", tmp)
    try:
        mig = os.path.join(tmp, "migrations")
        schema = write(tmp, "s.sql", ["CREATE TABLE patients (id integer PRIMARY KEY, name varchar(50) NOT NULL)",
                                      "CREATE TABLE visits (id integer PRIMARY KEY, patient_id integer "
                                      "REFERENCES patients (id), at varchar(30))"])
        cs.expect(cs.sg("revision", "--autogenerate", "-m", "both", "--schema", schema, "--migrations", mig,
                        "--dialect", "sqlite,postgresql", "--dev-url", pg.fresh(), cwd=tmp), 0, "two dialects")
        text = open(files(mig)[0]).read()
        cs.check("-- +upgrade sqlite" in text and "-- +upgrade postgresql" in text, text)
        for b in (lite, pg):
            url = b.fresh()
            cs.expect(cs.sg("upgrade", "--url", url, "--migrations", mig, cwd=tmp), 0, "upgrade " + b.name)
            cs.check({"patients", "visits"} <= b.tables(url), b.tables(url))
            cs.expect(cs.sg("downgrade", "base", "--url", url, "--migrations", mig, cwd=tmp), 0,
                      "downgrade " + b.name)
            cs.check(not ({"patients", "visits"} & b.tables(url)), b.tables(url))
    finally:
        pg.cleanup()


def test_renames_keep_data(db, tmp):
    mig = os.path.join(tmp, "migrations")
    dev = dev_args(db)
    s1 = write(tmp, "s1.sql", ["CREATE TABLE patients (%s, name varchar(50))" % id_col(db.name)])
    cs.expect(autogen(tmp, mig, s1, db, dev, "--rev-id", "a1"), 0, "first")
    live = db.fresh()
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
    db.execute(live, ["INSERT INTO patients (id, name) VALUES (7, 'Ada')"])
    s2 = write(tmp, "s2.sql", ["CREATE TABLE people (%s, full_name varchar(50))" % id_col(db.name)])
    out, _ = cs.expect(autogen(tmp, mig, s2, db, dev, "--rename", "patients=people",
                               "--rename", "patients.name=full_name", "--rev-id", "b2"), 0, "rename")
    text = open(files(mig)[1]).read()
    cs.check("RENAME TO" in text and "DROP TABLE" not in text.split("-- +downgrade")[0], text)
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade rename")
    cs.check([tuple(r) for r in db.query(live, "SELECT id, full_name FROM people")] == [(7, "Ada")], "data")
    cs.expect(cs.sg("downgrade", "-1", "--url", live, "--migrations", mig, cwd=tmp), 0, "downgrade")
    cs.check([tuple(r) for r in db.query(live, "SELECT id, name FROM patients")] == [(7, "Ada")], "back")


def test_not_null_without_default_fails_the_proof(db, tmp):
    mig = os.path.join(tmp, "migrations")
    dev = dev_args(db)
    s1 = write(tmp, "s1.sql", ["CREATE TABLE patients (%s, name varchar(50))" % id_col(db.name)])
    cs.expect(autogen(tmp, mig, s1, db, dev), 0, "first")
    s2 = write(tmp, "s2.sql", ["CREATE TABLE patients (%s, name varchar(50), ward int NOT NULL)"
                               % id_col(db.name)])
    out, err = cs.expect(autogen(tmp, mig, s2, db, dev), 12, "NOT NULL without default")
    cs.check("failed its proof" in out and "DEFAULT" in err, out + err)
    cs.check(len(files(mig)) == 1, files(mig))
    if dev:
        cs.check(db.tables(dev[1]) == set(), "dev database left: %s" % db.tables(dev[1]))
    # With a default it passes.
    s3 = write(tmp, "s3.sql", ["CREATE TABLE patients (%s, name varchar(50), ward int NOT NULL DEFAULT 1)"
                               % id_col(db.name)])
    cs.expect(autogen(tmp, mig, s3, db, dev), 0, "with a default")
    cs.check(len(files(mig)) == 2, files(mig))


def test_rows_that_cannot_be_generated_are_logged(tmp):
    mig = os.path.join(tmp, "migrations")
    s1 = write(tmp, "s1.sql", ["CREATE TABLE a (id integer PRIMARY KEY, b_id integer NOT NULL REFERENCES b (id))",
                               "CREATE TABLE b (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES a (id))",
                               "CREATE TABLE c (id integer PRIMARY KEY, note text)"])
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--schema", s1, "--migrations", mig, cwd=tmp), 0, "first")
    s2 = write(tmp, "s2.sql", open(s1).read().rstrip().rstrip(";").split(";\n\n") +
               ["CREATE INDEX c_note ON c (note)"])
    out, err = cs.expect(cs.sg("revision", "--autogenerate", "-m", "y", "--schema", s2, "--migrations", mig,
                               cwd=tmp), 0, "second")
    cs.check("no generated row in table" in err and "foreign-key cycle" in err, err)
    cs.check("one generated row in 1 of 3 table(s)" in err, err)


def test_sqlite_rebuild_keeps_rows_and_triggers(tmp):
    lite = backend("sqlite", tmp)
    mig = os.path.join(tmp, "migrations")
    trigger = ("CREATE TRIGGER visits_touch AFTER UPDATE OF note ON visits BEGIN "
               "UPDATE visits SET at = 'changed' WHERE id = new.id; END")
    first = ["CREATE TABLE visits (id integer PRIMARY KEY, at varchar(10), note text)",
             "CREATE INDEX visits_at ON visits (at)", trigger]
    # Triggers are not in the schema model: the first revision is written by hand.
    os.mkdir(mig)
    cs.write_rev(mig, "t1", up=";\n".join(first) + ";", down_sql="DROP TABLE visits;", name="0001_t1.sql")
    live = lite.fresh()
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
    lite.execute(live, ["INSERT INTO visits (id, note) VALUES (1, 'kept')"])
    # Made NOT NULL: the generated row holds NULL there, so the proof fails.
    s2 = write(tmp, "s2.sql", ["CREATE TABLE visits (id integer PRIMARY KEY, at varchar(40) NOT NULL DEFAULT '', "
                               "note text)", "CREATE INDEX visits_at ON visits (at)", trigger])
    out, err = cs.expect(cs.sg("revision", "--autogenerate", "-m", "y", "--schema", s2, "--migrations", mig,
                               "--rev-id", "t2", cwd=tmp), 12, "NOT NULL on a column holding NULL")
    cs.check("NOT NULL constraint failed" in out and "fill its NULLs" in err, out + err)
    cs.check(len(files(mig)) == 1, files(mig))
    # Widened: the rebuild copies the rows and makes the index and the trigger again.
    s2 = write(tmp, "s2.sql", ["CREATE TABLE visits (id integer PRIMARY KEY, at varchar(40), note text)",
                               "CREATE INDEX visits_at ON visits (at)", trigger])
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "y", "--schema", s2, "--migrations", mig,
                    "--rev-id", "t2", cwd=tmp), 0, "rebuild")
    text = open(files(mig)[1]).read()
    cs.check('CREATE TABLE "_sg_new_visits"' in text and "CREATE TRIGGER visits_touch" in text, text)
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade rebuild")
    rows = lite.query(live, "SELECT id, at, note FROM visits")
    cs.check(rows == [(1, None, "kept")], rows)
    lite.execute(live, ["UPDATE visits SET note = 'seen'"])
    rows = lite.query(live, "SELECT id, at, note FROM visits")
    cs.check(rows == [(1, "changed", "seen")], "the trigger after the rebuild: %s" % rows)
    names = {r[0] for r in lite.query(live, "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")}
    cs.check({"visits_touch", "visits_at"} <= names, names)
    cs.expect(cs.sg("downgrade", "-1", "--url", live, "--migrations", mig, cwd=tmp), 0, "downgrade")
    names = {r[0] for r in lite.query(live, "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")}
    cs.check({"visits_touch", "visits_at"} <= names, names)


def test_sqlite_rebuild_downgrade_keeps_head_triggers(tmp):
    """A desired schema without the trigger (inspect's output has none): the
    upgrade's rebuild keeps head's trigger, and so must the downgrade's."""
    lite = backend("sqlite", tmp)
    mig = os.path.join(tmp, "migrations")
    trigger = ("CREATE TRIGGER visits_touch AFTER UPDATE OF note ON visits BEGIN "
               "UPDATE visits SET at = 'changed' WHERE id = new.id; END")
    os.mkdir(mig)
    cs.write_rev(mig, "t1", up="CREATE TABLE visits (id integer PRIMARY KEY, at varchar(10), note text);\n"
                 + trigger + ";", down_sql="DROP TABLE visits;", name="0001_t1.sql")
    # A column in the middle: SQLite can only add at the end, so this is a rebuild.
    s2 = write(tmp, "s2.sql", ["CREATE TABLE visits (id integer PRIMARY KEY, at varchar(10), room text, "
                               "note text)"])
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "room", "--schema", s2, "--migrations", mig,
                    "--rev-id", "t2", cwd=tmp), 0, "rebuild")
    text = open(files(mig)[1]).read()
    down = text[text.index("-- +downgrade"):]
    cs.check('CREATE TABLE "_sg_new_visits"' in down and "CREATE TRIGGER visits_touch" in down, text)
    live = lite.fresh()
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
    cs.expect(cs.sg("downgrade", "-1", "--url", live, "--migrations", mig, cwd=tmp), 0, "downgrade")
    lite.execute(live, ["INSERT INTO visits (id, note) VALUES (1, 'new')", "UPDATE visits SET note = 'seen'"])
    rows = lite.query(live, "SELECT id, at, note FROM visits")
    cs.check(rows == [(1, "changed", "seen")], "the trigger after the downgrade: %s" % rows)


def test_postgresql_type_change_converts_values(tmp):
    pg = backend("postgresql", tmp)
    try:
        mig = os.path.join(tmp, "migrations")
        dev = ["--dev-url", pg.fresh()]
        s1 = write(tmp, "s1.sql", ["CREATE TABLE t (id integer PRIMARY KEY, code varchar(10))"])
        cs.expect(autogen(tmp, mig, s1, pg, dev, "--rev-id", "c1"), 0, "first")
        live = pg.fresh()
        cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
        pg.execute(live, ["INSERT INTO t VALUES (1, '42')"])
        s2 = write(tmp, "s2.sql", ["CREATE TABLE t (id integer PRIMARY KEY, code integer)"])
        cs.expect(autogen(tmp, mig, s2, pg, dev, "--rev-id", "c2"), 0, "to integer")
        text = open(files(mig)[1]).read()
        cs.check('USING "code"::integer' in text and "-- data loss: t.code" in text, text)
        cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
        cs.check(pg.query(live, "SELECT code FROM t") == [(42,)], pg.query(live, "SELECT code FROM t"))
    finally:
        pg.cleanup()


def test_schema_directory_in_name_order(tmp):
    schema = os.path.join(tmp, "schema")
    os.mkdir(schema)
    write(schema, "02_visits.sql", ["CREATE TABLE visits (id integer PRIMARY KEY, "
                                    "patient_id integer NOT NULL REFERENCES patients (id))",
                                    "CREATE VIEW visit_count AS SELECT count(*) AS n FROM visits"])
    write(schema, "01_patients.sql", ["CREATE TABLE patients (id integer PRIMARY KEY)"])
    write(schema, "notes.txt", ["not SQL"])
    mig = os.path.join(tmp, "migrations")
    out, _ = cs.expect(cs.sg("revision", "--autogenerate", "-m", "dir", "--schema", schema, "--migrations", mig,
                             cwd=tmp), 0, "directory")
    text = open(files(mig)[0]).read()
    up = text.split("-- +downgrade")[0]
    cs.check(up.index('CREATE TABLE "patients"') < up.index('CREATE TABLE "visits"') < up.index("CREATE VIEW"), up)
    down = text.split("-- +downgrade")[1]
    cs.check(down.index("DROP VIEW") < down.index('DROP TABLE "visits"') < down.index('DROP TABLE "patients"'),
             down)


def test_several_heads_exit_3(tmp):
    mig = os.path.join(tmp, "migrations")
    os.mkdir(mig)
    cs.write_rev(mig, "aaaa1", message="one")
    cs.write_rev(mig, "bbbb2", message="two")
    schema = write(tmp, "s.sql", ["CREATE TABLE t (id integer PRIMARY KEY)"])
    _, err = cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--schema", schema, "--migrations", mig,
                             cwd=tmp), 3, "several heads")
    cs.check("several heads" in err, err)
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--schema", schema, "--migrations", mig,
                    "--head", "aaaa1", cwd=tmp), 0, "--head")
    cs.check(len(files(mig)) == 3, files(mig))


def test_bad_input(tmp):
    mig = os.path.join(tmp, "migrations")
    bad = write(tmp, "broken.sql", ["CREATE TABLE ok (id integer PRIMARY KEY)", "CREATE TABLE (oops"])
    rc, out, err = cs.sg("revision", "--autogenerate", "-m", "x", "--schema", bad, "--migrations", mig, cwd=tmp)
    cs.check(rc != 0 and "broken.sql:3" in err and "syntax error" in err, (rc, out, err))
    cs.check(files(mig) == [], files(mig))
    good = write(tmp, "good.sql", ["CREATE TABLE ok (id integer PRIMARY KEY)"])
    # A server dialect without a dev URL.
    _, err = cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--schema", good, "--migrations", mig,
                             "--dialect", "postgresql", cwd=tmp), 2, "no dev URL")
    cs.check("--dev-url" in err, err)
    # --schema without --autogenerate; a missing schema; a malformed rename.
    cs.expect(cs.sg("revision", "-m", "x", "--schema", good, "--migrations", mig, cwd=tmp), 2, "no --autogenerate")
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--migrations", mig, cwd=tmp), 2, "no --schema")
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--schema", good, "--rename", "a.b", "--migrations",
                    mig, cwd=tmp), 2, "bad rename")
    cs.check(files(mig) == [], files(mig))
    # SCHEMAGATE_SCHEMA names the schema.
    cs.expect(cs.sg("revision", "--autogenerate", "-m", "env", "--migrations", mig, cwd=tmp,
                    env=cs.clean_env(SCHEMAGATE_SCHEMA=good)), 0, "env schema")
    cs.check(len(files(mig)) == 1, files(mig))


@pytest.mark.parametrize("name", ["postgresql", "mysql"])
def test_dev_url_not_empty_exit_2(name, tmp):
    b = backend(name, tmp)
    try:
        dev = b.fresh()
        b.execute(dev, ["CREATE TABLE someone_elses (id int PRIMARY KEY)"])
        schema = write(tmp, "s.sql", ["CREATE TABLE t (id int PRIMARY KEY)"])
        mig = os.path.join(tmp, "migrations")
        _, err = cs.expect(cs.sg("revision", "--autogenerate", "-m", "x", "--schema", schema, "--migrations", mig,
                                 "--dialect", name, "--dev-url", dev, cwd=tmp), 2, "dev URL not empty")
        cs.check("not empty" in err, err)
        cs.check(b.tables(dev) == {"someone_elses"}, b.tables(dev))
        cs.check(files(mig) == [], files(mig))
    finally:
        b.cleanup()


if __name__ == "__main__":
    import sys, pytest  # noqa: E401,F811
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
