"""SQLAlchemy models as a schema source (`sqlalchemy:MODULE:ATTR`, docs/schema.md)
against real databases (SQLite, PostgreSQL 15, MariaDB 10.11): `diff` between a
database made by `metadata.create_all` and the models, a model change, the
rendered DDL read back by SQLAlchemy's reflection, and the models that cannot
be rendered (exit 2). Fixtures: tests/e2e/models/.
Run: SG_BIN=build/schemagate python3 tests/e2e/test_models.py"""
import importlib
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402
import schema_support as ss  # noqa: E402

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
SCRIPT = os.path.join(cs.SOURCE, "src", "schematool", "models_render.py")
PYTHON = "/usr/bin/python3"  # Debian's, with SQLAlchemy 1.4 (a python3 on PATH may lack it)
OWN_TABLES = ("alembic_version", "schemagate_history")

if MODELS not in sys.path:
    sys.path.insert(0, MODELS)


@pytest.fixture(params=ss.BACKENDS, ids=lambda b: b.name)
def db(request):
    tmp = tempfile.mkdtemp(prefix="sg_models_")
    try:
        backend = request.param(tmp)
    except cs.Skip as e:
        pytest.skip(str(e))
    yield backend
    backend.cleanup()


@pytest.fixture
def tmp():
    return tempfile.mkdtemp(prefix="sg_models_")


def sg(*args, env=None):
    """The binary, run in the models folder (the module's directory is the
    working directory, as in a project)."""
    return cs.sg(*args, "--python", PYTHON, cwd=MODELS, env=env)


def dev_args(db):
    return [] if db.name == "sqlite" else ["--dev-url", db.fresh()]


def metadata_of(target):
    module, attr = target.split(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return getattr(obj, "metadata", obj)


def create_all(db, target):
    """A fresh database made by SQLAlchemy's own metadata.create_all."""
    import sqlalchemy
    url = db.fresh()
    engine = sqlalchemy.create_engine(db.sqlalchemy_url(url))
    try:
        metadata_of(target).create_all(engine)
    finally:
        engine.dispose()
    return url


def reflect(db, url):
    tables, views = ss.reflect(db.sqlalchemy_url(url))
    for t in OWN_TABLES:
        tables.pop(t, None)
    return tables, views


def rendered_statements(target, dialect):
    """The statements the embedded script renders (its source file is what the
    binary embeds), split on the blank line between them."""
    import json
    p = subprocess.run([PYTHON, SCRIPT, "--target", target, "--dialects", dialect,
                        "--workdir", MODELS], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    records = [json.loads(line) for line in p.stdout.splitlines()]
    assert records[-1]["type"] == "end", records
    ddl = [r for r in records if r["type"] == "ddl"]
    assert len(ddl) == 1 and ddl[0]["dialect"] == dialect, records
    statements = [s.strip() for s in ddl[0]["sql"].split(";\n\n") if s.strip()]
    assert len(statements) == ddl[0]["statements"], ddl
    return [s[:-1] if s.endswith(";") else s for s in statements]


# --- a database made by create_all, and the models -----------------------------


def test_create_all_database_equals_its_models(db):
    live = create_all(db, "clinic:Base")
    out, _ = cs.expect(sg("diff", "--url", live, "--from", live, "--to", "sqlalchemy:clinic:Base",
                          *dev_args(db)), 0, "diff create_all vs models")
    assert "+++ sqlalchemy:clinic:Base" in out and "no differences" in out, out
    # --from works the same way round.
    cs.expect(sg("diff", "--url", live, "--from", "sqlalchemy:clinic:Base", "--to", live,
                 *dev_args(db)), 0, "diff models vs create_all")


def test_model_change_is_a_difference(db):
    live = create_all(db, "clinic_v4:metadata")
    out, _ = cs.expect(sg("diff", "--url", live, "--from", live, "--to",
                          "sqlalchemy:clinic_v5:metadata", *dev_args(db)), 12, "diff v4 vs v5")
    # Step 5: ix_visits_day dropped, patients.active added (NOT NULL with a default).
    assert "patients.active" in out and "ix_visits_day" in out, out
    cs.expect(sg("diff", "--url", live, "--from", live, "--to", "sqlalchemy:clinic_v4:metadata",
                 *dev_args(db)), 0, "diff v4 vs v4")


def test_view_on_a_create_event_is_rendered(db):
    live = create_all(db, "views_models:metadata")
    assert reflect(db, live)[1] == ["open_visits"], reflect(db, live)
    cs.expect(sg("diff", "--url", live, "--from", live, "--to", "sqlalchemy:views_models:metadata",
                 *dev_args(db)), 0, "diff with a view")
    empty = db.fresh()
    out, _ = cs.expect(sg("diff", "--url", empty, "--from", empty, "--to",
                          "sqlalchemy:views_models:metadata", *dev_args(db)), 12, "diff vs empty")
    assert "+ view open_visits" in out, out


def test_rendered_ddl_reflects_as_create_all(db):
    for target in ("clinic:Base", "clinic_v1:metadata", "clinic_v5:metadata"):
        expected = reflect(db, create_all(db, target))
        built = db.fresh()
        db.execute(built, rendered_statements(target, db.name))
        assert reflect(db, built) == expected, target


def test_models_against_migrations_at_head(db, tmp):
    """The `alembic check` question: migrations at head vs the models."""
    mig = os.path.join(tmp, "migrations")
    os.mkdir(mig)
    with open(os.path.join(mig, "0001_clinic.sql"), "w") as f:
        f.write(ss.migration("c1", rendered_statements("clinic_v2:metadata", db.name)))
    url = db.fresh()
    base = ["diff", "--url", url, "--migrations", mig, "--from", "migrations"]
    cs.expect(sg(*base, "--to", "sqlalchemy:clinic_v2:metadata", *dev_args(db)), 0, "at head")
    out, _ = cs.expect(sg(*base, "--to", "sqlalchemy:clinic_v3:metadata", *dev_args(db)), 12,
                       "a model change without a revision")
    assert "patients.email" in out, out


# --- models that cannot be rendered: exit 2, never a crash or a hang -------------


def diff_models(target, tmp, *extra, env=None):
    live = os.path.join(tmp, "live.db")
    import sqlite3
    sqlite3.connect(live).close()
    return sg("diff", "--url", "sqlite:///" + live, "--from", "sqlite:///" + live,
              "--to", "sqlalchemy:" + target, *extra, env=env)


def test_import_failure_is_exit_2_with_the_python_error(tmp):
    _, err = cs.expect(diff_models("broken_models:metadata", tmp), 2, "broken module")
    assert "sqlalchemy:broken_models:metadata" in err, err
    assert "ModuleNotFoundError: No module named 'clinic_helpers_that_do_not_exist'" in err, err
    assert "broken_models.py:3" in err, err


def test_unknown_module_is_exit_2(tmp):
    _, err = cs.expect(diff_models("no_such_models:metadata", tmp), 2, "unknown module")
    assert "No module named 'no_such_models'" in err, err


def test_missing_attribute_is_exit_2(tmp):
    _, err = cs.expect(diff_models("clinic:Basis", tmp), 2, "missing ATTR")
    assert "sqlalchemy:clinic:Basis" in err and "clinic has no attribute 'Basis'" in err, err


def test_attribute_that_is_no_metadata_is_exit_2(tmp):
    _, err = cs.expect(diff_models("clinic:Patient.name", tmp), 2, "not a MetaData")
    assert "not a sqlalchemy MetaData" in err, err


def test_source_without_attribute_is_exit_2(tmp):
    _, err = cs.expect(diff_models("clinic", tmp), 2, "no ATTR")
    assert "sqlalchemy:MODULE:ATTR" in err, err


def test_password_in_the_python_error_is_masked(tmp):
    _, err = cs.expect(diff_models("secret_models:metadata", tmp), 2, "secret in the error")
    assert "Sup3rSecretPw" not in err, err
    assert "RuntimeError: cannot reach postgresql://app:****@db.internal/app" in err, err


def test_python_without_sqlalchemy_is_exit_2(tmp):
    bare = os.path.join(tmp, "bare-python")
    with open(bare, "w") as f:
        f.write("#!/bin/sh\nexec %s -I -S \"$@\"\n" % PYTHON)  # -S: no dist-packages
    os.chmod(bare, stat.S_IRWXU)
    live = os.path.join(tmp, "live.db")
    import sqlite3
    sqlite3.connect(live).close()
    _, err = cs.expect(cs.sg("diff", "--url", "sqlite:///" + live, "--from", "sqlite:///" + live,
                             "--to", "sqlalchemy:clinic:Base",
                             "--python", bare, cwd=MODELS), 2, "no SQLAlchemy")
    assert "no Python with SQLAlchemy 1.4+" in err and "cannot import sqlalchemy" in err, err


def test_output_of_the_models_does_not_break_the_protocol(tmp):
    import sqlite3
    live = os.path.join(tmp, "live.db")
    con = sqlite3.connect(live)
    con.execute("CREATE TABLE notes (id INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (id))")
    con.close()
    out, _ = cs.expect(sg("diff", "--url", "sqlite:///" + live, "--from", "sqlite:///" + live,
                          "--to", "sqlalchemy:noisy_models:metadata"), 0, "noisy module")
    assert "no differences" in out and "noise" not in out, out


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of an exited child that is not ours counts as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_module_that_hangs_is_stopped_by_the_timeout(tmp):
    pidfile = os.path.join(tmp, "pids")
    env = cs.clean_env(SG_MODELS_PIDFILE=pidfile)
    _, err = cs.expect(diff_models("slow_models:metadata", tmp, "--timeout", "3s", env=env), 2,
                       "hanging module")
    assert "did not render within --timeout 3s" in err and "slow_models" in err, err
    with open(pidfile) as f:
        pids = [int(p) for p in f.read().split()]
    try:
        # The Python and the child its module started go with the group (a
        # SIGKILL: poll until the kernel has finished them).
        deadline = time.monotonic() + 30
        while [p for p in pids if alive(p)] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p in pids if alive(p)] == [], pids
    finally:
        for p in pids:
            if alive(p):
                os.kill(p, signal.SIGKILL)


if __name__ == "__main__":
    import sys, pytest  # noqa: E401,F811
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
