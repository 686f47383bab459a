#!/usr/bin/python3
"""End-to-end: the repository's example `migrations/` on PostgreSQL, MariaDB and SQLite.

The clinic schema ($SG_SOURCE_DIR/migrations) has a labelled `billing` branch,
a merge and dialect-specific sections (identity columns, a PL/pgSQL trigger, a
MySQL `DELIMITER //` trigger, a SQLite `BEGIN ... END;` trigger). For every
database, on fresh databases: verify, upgrade billing@head, upgrade head, use
the schema (the trigger of 9e2d6c8a4f10 sets visits.updated_at), history marks
(current), downgrade -1, downgrade base; `run` twice (backup, then the fast
path); offline `upgrade --sql` piped into psql / mariadb / sqlite3 gives the
same version rows and tables as the online upgrade.

Servers: SG_TEST_PG_URL / SG_TEST_MYSQL_URL and the admin URLs from
`source /tmp/schemagate-test-servers/env`; with CI=true a missing URL fails,
otherwise that database is skipped with a message.
"""
import os
import sqlite3
import subprocess
import sys

import pytest

import run_support as rs
from cli_support import (SOURCE, MariadbDatabases, PostgresDatabases, backend_id, check, expect,
                         opened, scenario_id, sg)

MIGRATIONS = os.path.join(SOURCE, "migrations")

ROOT, EMAIL, VISITS, INVOICES = "1975ea83b712", "3f5aacf09e0d", "27c6a30d7c24", "8d1e4b2a9c31"
PRESCRIPTIONS, MERGE, HEAD = "5b0f7e3c2d19", "c4e9a7f1b6d2", "9e2d6c8a4f10"
CLINIC = {"patients", "visits", "invoices", "prescriptions"}
STATE = {"alembic_version", "schemagate_history"}


# --- one class per database: fresh database, queries, a client for scripts ---

class Postgres(PostgresDatabases):
    def __init__(self, tmp):
        super().__init__("sg_example")

    def routines(self, url):
        return {r[0] for r in self.query(url, "SELECT routine_name FROM "
                                              "information_schema.routines "
                                              "WHERE routine_schema = 'public'")}

    def feed(self, url, script):
        psql = os.path.join(os.environ.get("SG_TEST_PG_BIN", "/usr/bin"), "psql")
        if not os.path.exists(psql):
            psql = "psql"
        p = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url], input=script,
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "psql rejected the offline script: exit %d\n%s"
              % (p.returncode, p.stderr[-2000:]))


class Mariadb(MariadbDatabases):
    def __init__(self, tmp):
        super().__init__("sg_example")

    def routines(self, url):
        return {r[0] for r in self.query(url, "SHOW TRIGGERS")}

    def feed(self, url, script):
        p = rs.mysql_params(url)
        env = dict(os.environ, MYSQL_PWD=p["password"])  # never in argv
        cmd = ["mariadb", "--protocol=TCP", "-h", p["host"], "-P", str(p["port"]), "-u", p["user"],
               p["database"]]
        r = subprocess.run(cmd, input=script, capture_output=True, text=True, env=env, timeout=60)
        check(r.returncode == 0, "mariadb rejected the offline script: exit %d\n%s"
              % (r.returncode, r.stderr[-2000:]))


class Sqlite:
    name = "sqlite"

    def __init__(self, tmp):
        self.tmp = tmp
        self.n = 0

    def fresh(self):
        self.n += 1
        return "sqlite:///" + os.path.join(self.tmp, "clinic%d.db" % self.n)

    def cleanup(self):
        pass

    def query(self, url, sql):
        con = sqlite3.connect(url[len("sqlite:///"):])
        try:
            cur = con.execute(sql)
            out = cur.fetchall()
            con.commit()
            return out
        finally:
            con.close()

    def tables(self, url):
        return {r[0] for r in self.query(url, "SELECT name FROM sqlite_master WHERE type='table' "
                                              "AND name NOT LIKE 'sqlite_%'")}

    def columns(self, url, table):
        return {r[1] for r in self.query(url, "PRAGMA table_info(%s)" % table)}

    def routines(self, url):
        return {r[0] for r in self.query(url, "SELECT name FROM sqlite_master "
                                              "WHERE type='trigger'")}

    def feed(self, url, script):
        p = subprocess.run(["sqlite3", "-bail", url[len("sqlite:///"):]], input=script,
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and not p.stderr.strip(),
              "sqlite3 rejected the offline script: %s" % p.stderr[-2000:])


def version_rows(db, url):
    return sorted(r[0] for r in db.query(url, "SELECT version_num FROM alembic_version"))


# --- the scenarios -------------------------------------------------------------

def up_and_down(db, tmp):
    url = db.fresh()
    a = ["--migrations", MIGRATIONS, "--url", url]
    out, _ = expect(sg(*a, "verify", cwd=tmp), 0, "verify")
    check("7 revision" in out, "verify summary: " + out)

    # Only the billing branch: its revision and its ancestors.
    expect(sg(*a, "upgrade", INVOICES[:6], cwd=tmp), 0, "upgrade to the billing revision")
    check(version_rows(db, url) == [INVOICES], "rows on billing: %s" % version_rows(db, url))
    t = db.tables(url)
    check({"patients", "invoices"} <= t and not ({"visits", "prescriptions"} & t),
          "only the billing branch was applied: %s" % sorted(t))
    # After the merge the one head descends from the label, so billing@head is that head
    # (Alembic 1.8 resolves it the same way: ScriptDirectory.get_revisions('billing@head')).
    expect(sg(*a, "upgrade", "billing@head", cwd=tmp), 0, "upgrade billing@head")
    check(version_rows(db, url) == [HEAD], "rows at billing@head: %s" % version_rows(db, url))
    expect(sg(*a, "upgrade", "head", cwd=tmp), 0, "upgrade head (nothing left)")
    check(version_rows(db, url) == [HEAD], "rows at head: %s" % version_rows(db, url))
    check(CLINIC | STATE <= db.tables(url), "tables at head: %s" % sorted(db.tables(url)))
    out, _ = expect(sg(*a, "current", cwd=tmp), 0, "current")
    check(out.split()[:1] == [HEAD] and "(head)" in out, "current: " + out)
    expect(sg(*a, "check", cwd=tmp), 0, "check at head")

    # The schema works and the dialect's trigger (revision 9e2d6c8a4f10) fires.
    db.query(url, "INSERT INTO patients (id, full_name, email) VALUES (1, 'Ada', 'ada@x.org')")
    db.query(url, "INSERT INTO visits (id, patient_id, visited_at, reason) "
                  "VALUES (1, 1, '2025-11-20 10:00:00', 'checkup')")
    before = db.query(url, "SELECT updated_at FROM visits WHERE id = 1")
    check(before == [(None,)], "updated_at starts NULL: %s" % before)
    db.query(url, "UPDATE visits SET reason = 'follow-up' WHERE id = 1")
    after = db.query(url, "SELECT updated_at, reason FROM visits WHERE id = 1")
    check(len(after) == 1 and after[0][0] is not None and after[0][1] == "follow-up",
          "the trigger set updated_at: %s" % after)

    out, _ = expect(sg(*a, "history", cwd=tmp), 0, "history")
    lines = out.strip().splitlines()
    check(len(lines) == 7, "history has 7 lines: " + out)
    check(lines[0].startswith(MERGE + " -> " + HEAD) and "(current)" in lines[0]
          and "(head)" in lines[0], "history marks head and current: " + lines[0])
    check(sum("(current)" in l for l in lines) == 1, "one (current) mark: " + out)

    expect(sg(*a, "downgrade", "-1", cwd=tmp), 0, "downgrade -1")
    check(version_rows(db, url) == [MERGE], "rows after -1: %s" % version_rows(db, url))
    check("updated_at" not in db.columns(url, "visits"),
          "updated_at dropped: %s" % db.columns(url, "visits"))
    check(not ({"trg_visits_updated", "touch_visit"} & db.routines(url)),
          "trigger/function dropped: %s" % db.routines(url))

    expect(sg(*a, "downgrade", "base", cwd=tmp), 0, "downgrade base")
    check(version_rows(db, url) == [], "rows at base: %s" % version_rows(db, url))
    left = db.tables(url) - STATE
    check(not left, "tables left at base: %s" % sorted(left))
    check("alembic_version" in db.tables(url), "version table kept")
    hist = db.query(url, "SELECT operation, success FROM schemagate_history")
    ups = [h for h in hist if h[0] == "upgrade"]
    downs = [h for h in hist if h[0] == "downgrade"]
    check(len(ups) == 7 and len(downs) == 7 and all(h[1] for h in hist),
          "history rows: %s" % hist)


def run_twice_and_offline(db, tmp):
    url = db.fresh()
    backups = os.path.join(tmp, "backups-" + db.name)
    a = ["--migrations", MIGRATIONS, "--url", url, "--backup-dir", backups,
         "--termination-log", os.path.join(tmp, "term.log")]
    expect(sg(*a, "run", cwd=tmp), 0, "first run")
    check(version_rows(db, url) == [HEAD], "run reached head: %s" % version_rows(db, url))
    files = sorted(os.listdir(backups)) if os.path.isdir(backups) else []
    check(len(files) == 1, "first run took one backup: %s" % files)
    check(os.path.getsize(os.path.join(backups, files[0])) > 0, "backup not empty")
    _, err = expect(sg(*a, "run", cwd=tmp), 0, "second run")
    check(sorted(os.listdir(backups)) == files, "second run took no backup: %s"
          % os.listdir(backups))
    hist = db.query(url, "SELECT COUNT(*) FROM schemagate_history")
    check(hist[0][0] == 7, "second run wrote no history rows: %s" % hist)

    # Offline: the script for the URL's dialect, fed to the database's own client.
    script, _ = expect(sg("--migrations", MIGRATIONS, "--url", url, "upgrade", "--sql", cwd=tmp),
                       0, "upgrade --sql")
    check("alembic_version" in script and "CREATE TABLE" in script, "offline script text")
    off = db.fresh()
    check(db.tables(off) == set(), "offline target starts empty")
    db.feed(off, script)
    check(version_rows(db, off) == version_rows(db, url) == [HEAD],
          "offline rows %s vs online %s" % (version_rows(db, off), version_rows(db, url)))
    check(db.tables(off) == db.tables(url), "offline tables %s vs online %s"
          % (sorted(db.tables(off)), sorted(db.tables(url))))
    check(db.columns(off, "visits") == db.columns(url, "visits"), "visits columns")
    check(db.routines(off) == db.routines(url), "offline triggers %s vs online %s"
          % (db.routines(off), db.routines(url)))
    # schemagate continues the offline-built database: nothing pending, no drift.
    expect(sg("--migrations", MIGRATIONS, "--url", off, "check", cwd=tmp), 0,
           "check on the offline-built database")
    expect(sg("--migrations", MIGRATIONS, "--url", off, "--backup-dir", backups, "run", cwd=tmp), 0,
           "run on the offline-built database")
    check(sorted(os.listdir(backups)) == files, "fast path on the offline-built database")


SCENARIOS = [up_and_down, run_twice_and_offline]
BACKENDS = [Postgres, Mariadb, Sqlite]


@pytest.fixture(scope="module", autouse=True)
def _example_migrations():
    assert os.path.isdir(MIGRATIONS), "no example migrations/ at %s (set SG_SOURCE_DIR)" % MIGRATIONS


@pytest.mark.parametrize("backend", BACKENDS, ids=backend_id)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_scenario(scenario, backend, tmp):
    with opened(backend(tmp)) as db:
        scenario(db, tmp)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
