"""`baseline` and `run --baseline` against real databases (SQLite, PostgreSQL 15,
MariaDB 10.11): adopting a database made by create_all or by hand.
Run: SG_BIN=build/schemagate /usr/bin/python3 -m pytest -q tests/e2e/test_schema_baseline.py [-k case|backend]"""
import glob
import json
import os
import sys

import pytest

import cli_support as cs
import schema_support as ss


def dev_args(db):
    return [] if db.name == "sqlite" else ["--dev-url", db.fresh()]


def version_rows(db, url):
    try:
        return sorted(r[0] for r in db.query(url, "SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001 - no table
        return None


def baseline_then_fresh_database(db, tmp):
    live = db.fresh()
    db.execute(live, ss.RICH[db.name])
    mig = os.path.join(tmp, "migrations")
    dev = dev_args(db)
    out, _ = cs.expect(cs.sg("baseline", "-m", "adopt", "--rev-id", "base0001", "--url", live,
                             "--migrations", mig, *dev, cwd=tmp), 0, "baseline")
    files = glob.glob(os.path.join(mig, "*.sql"))
    cs.check(len(files) == 1 and "base0001" in files[0], "files: %s\n%s" % (files, out))
    cs.check(version_rows(db, live) == ["base0001"], "stamped: %s" % version_rows(db, live))
    if dev:
        cs.check(db.tables(dev[1]) == set(), "dev database left: %s" % db.tables(dev[1]))
    # A fresh database migrated with the baseline reflects to the same schema.
    fresh = db.fresh()
    cs.expect(cs.sg("upgrade", "--url", fresh, "--migrations", mig, cwd=tmp), 0, "upgrade fresh")
    cs.check(ss.inspect_json(fresh, tmp) == ss.inspect_json(live, tmp), "fresh schema differs")
    sa_live, views_live = ss.reflect(db.sqlalchemy_url(live))
    sa_fresh, views_fresh = ss.reflect(db.sqlalchemy_url(fresh))
    sa_fresh.pop("alembic_version", None), sa_fresh.pop("schemagate_history", None)
    sa_live.pop("alembic_version", None), sa_live.pop("schemagate_history", None)
    cs.check(sa_live == sa_fresh and views_live == views_fresh, "SQLAlchemy sees a difference")
    # And the live database shows no drift against it; its downgrade empties a database.
    cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, *dev_args(db), cwd=tmp), 0, "no drift")
    cs.expect(cs.sg("downgrade", "base", "--url", fresh, "--migrations", mig, cwd=tmp), 0, "downgrade")
    cs.check(db.tables(fresh) <= {"alembic_version", "schemagate_history"}, "left: %s" % db.tables(fresh))


def baseline_refusals(db, tmp):
    mig = os.path.join(tmp, "migrations")
    empty = db.fresh()
    _, err = cs.expect(cs.sg("baseline", "-m", "x", "--url", empty, "--migrations", mig, *dev_args(db),
                             cwd=tmp), 2, "empty database")
    cs.check("nothing to baseline" in err, err)
    live = db.fresh()
    db.execute(live, ["CREATE TABLE t (id integer PRIMARY KEY)"])
    cs.expect(cs.sg("baseline", "-m", "x", "--no-stamp", "--url", live, "--migrations", mig, *dev_args(db),
                    cwd=tmp), 0, "--no-stamp")
    cs.check(version_rows(db, live) is None, "--no-stamp stamped")
    cs.check(len(glob.glob(os.path.join(mig, "*.sql"))) == 1, "no file")
    cs.expect(cs.sg("stamp", "head", "--url", live, "--migrations", mig, cwd=tmp), 0, "stamp")
    _, err = cs.expect(cs.sg("baseline", "-m", "again", "--url", live, "--migrations", mig, *dev_args(db),
                             cwd=tmp), 2, "versioned database")
    cs.check("already versioned" in err, err)
    cs.check(len(glob.glob(os.path.join(mig, "*.sql"))) == 1, "a file was written")


def run_baseline(db, tmp):
    mig = os.path.join(tmp, "migrations")
    os.mkdir(mig)
    with open(os.path.join(mig, "0001_schema.sql"), "w") as f:
        f.write(ss.migration("0001", ss.RICH[db.name]))
    with open(os.path.join(mig, "0002_more.sql"), "w") as f:
        f.write(ss.migration("0002", ["CREATE TABLE later (id integer PRIMARY KEY)"], down="0001"))
    common = ["--migrations", mig, "--backup", "never", "--wait-timeout", "0"]
    # Tables made by create_all, equal to 0001: stamped at 0001, then 0002 runs.
    live = db.fresh()
    db.execute(live, ss.RICH[db.name])
    cs.expect(cs.sg("run", "--baseline", "0001", "--url", live, *common, *dev_args(db), cwd=tmp), 0,
              "run --baseline on equal tables")
    cs.check(version_rows(db, live) == ["0002"], "rows: %s" % version_rows(db, live))
    ops = [r[0] for r in db.query(live, "SELECT operation FROM schemagate_history ORDER BY id")]
    cs.check(ops == ["stamp", "upgrade"], "history: %s" % ops)
    # Stamped now: the option is ignored.
    cs.expect(cs.sg("run", "--baseline", "0001", "--url", live, *common, *dev_args(db), cwd=tmp), 0, "again")
    # Different tables: exit 12 listing the difference, nothing written.
    other = db.fresh()
    db.execute(other, ss.RICH[db.name] + ["ALTER TABLE orders ADD COLUMN note varchar(40)"])
    term = os.path.join(tmp, "termination")
    report = os.path.join(tmp, "report.json")
    env = cs.clean_env(SCHEMAGATE_BASELINE="0001")  # the environment variable works too
    out, err = cs.expect(cs.sg("run", "--url", other, "--termination-log", term, "--report", report, *common, *dev_args(db),
                               cwd=tmp, env=env), 12, "run --baseline on different tables")
    cs.check("orders.note" in err, err)
    cs.check(version_rows(db, other) is None, "something was written")
    with open(term) as f:
        text = f.read()
    cs.check("orders.note" in text and "12" in text, "termination message: %s" % text)
    with open(report) as f:
        doc = json.load(f)
    cs.check(doc["exit_code"] == 12 and any("orders.note" in d for d in doc["details"]), "report: %s" % doc)
    if db.name != "sqlite":
        # No dev database on a server: exit 2, said in the termination message too.
        os.remove(term)
        _, err = cs.expect(cs.sg("run", "--baseline", "0001", "--url", other, "--termination-log", term,
                                 *common, cwd=tmp), 2, "run --baseline without a dev database")
        with open(term) as f:
            text = f.read()
        cs.check("--dev-url" in err and "--dev-url" in text, "termination message: %s" % text)
        cs.check(version_rows(db, other) is None, "something was written")
    # An empty database migrates from base as usual.
    empty = db.fresh()
    cs.expect(cs.sg("run", "--baseline", "0001", "--url", empty, *common, *dev_args(db), cwd=tmp), 0,
              "run --baseline on an empty database")
    cs.check(version_rows(db, empty) == ["0002"], "rows: %s" % version_rows(db, empty))


SCENARIOS = [baseline_then_fresh_database, baseline_refusals, run_baseline]


@pytest.mark.parametrize("backend", ss.BACKENDS, ids=cs.backend_id)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=cs.scenario_id)
def test_scenario(scenario, backend, tmp):
    with cs.opened(backend(tmp)) as db:
        scenario(db, tmp)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
