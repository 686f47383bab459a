#!/usr/bin/python3
"""End-to-end (issue 3): real Alembic and schemagate take turns on one database.

The test writes a small Alembic project (alembic.ini, env.py, versions/*.py with
op.execute and plain SQL) and the equivalent schemagate files (same revision
ids, same SQL, docs/reference.md §1), both generated from one table below:

    r1 -> r2 -> r3 -> r4 ------\\
           \\-> r5 (audit) ----- r6 (merge)

Alembic (Debian's alembic 1.8, driven in-process through alembic.config.Config
and alembic.command, with psycopg2 / pymysql) and schemagate ($SG_BIN) then
continue each other's work on fresh PostgreSQL (and MariaDB) databases; the
end state must equal a pure-Alembic run. schemagate is given the SQLAlchemy
URL (`postgresql+psycopg2://`, `mysql+pymysql://`) unchanged.

Servers: SG_TEST_PG_URL / SG_TEST_MYSQL_URL and the admin URLs from
`source /tmp/schemagate-test-servers/env`; with CI=true a missing URL fails,
otherwise that database is skipped with a message.
"""
import io
import os
import sys

# Debian's alembic, psycopg2, pymysql: run with /usr/bin/python3 (a missing one fails the file).
import alembic  # noqa: F401
import psycopg2  # noqa: F401
import pymysql  # noqa: F401
import pytest

from cli_support import (MariadbDatabases, PostgresDatabases, backend_id, check, expect, opened,
                         scenario_id, sg)

R1, R2, R3, R4 = "1a2b3c4d5e6f", "2b3c4d5e6f70", "3c4d5e6f7081", "4d5e6f708192"
R5, R6 = "5e6f708192a3", "6f708192a3b4"

# (revision, down_revisions, branch label, message, upgrade SQL, downgrade SQL):
# plain SQL that PostgreSQL and MariaDB both accept.
REVISIONS = [
    (R1, [], None, "create accounts",
     ["CREATE TABLE accounts (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL)"],
     ["DROP TABLE accounts"]),
    (R2, [R1], None, "add account email",
     ["ALTER TABLE accounts ADD COLUMN email VARCHAR(200)"],
     ["ALTER TABLE accounts DROP COLUMN email"]),
    (R3, [R2], None, "create orders",
     ["CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, account_id INTEGER NOT NULL, "
      "total_cents INTEGER NOT NULL)"],
     ["DROP TABLE orders"]),
    (R4, [R3], None, "order notes and a seed account",
     ["ALTER TABLE orders ADD COLUMN note VARCHAR(50)",
      "INSERT INTO accounts (id, name, email) VALUES (1, 'seed', 'seed@example.org')"],
     ["DELETE FROM accounts WHERE id = 1",
      "ALTER TABLE orders DROP COLUMN note"]),
    (R5, [R2], "audit", "create audit log",
     ["CREATE TABLE audit_log (id INTEGER NOT NULL PRIMARY KEY, event VARCHAR(100) NOT NULL)"],
     ["DROP TABLE audit_log"]),
    (R6, [R4, R5], None, "merge audit",
     ["INSERT INTO audit_log (id, event) VALUES (1, 'merged')"],
     ["DELETE FROM audit_log WHERE id = 1"]),
]
HEAD = R6

ENV_PY = '''\
"""Alembic env.py of the interop test: the URL comes from Config.attributes."""
import os

from alembic import context
from sqlalchemy import create_engine

config = context.config
url = config.attributes.get("url") or os.environ["INTEROP_URL"]
version_table = config.attributes.get("version_table") or "alembic_version"

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, version_table=version_table,
                      output_buffer=config.attributes.get("output_buffer"))
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, version_table=version_table)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
'''


# --- the two projects ---------------------------------------------------------

def write_alembic_project(root):
    os.makedirs(os.path.join(root, "versions"))
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %s\n" % root)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ENV_PY)
    for rev, down, label, message, up, down_sql in REVISIONS:
        down_value = None if not down else (down[0] if len(down) == 1 else tuple(down))
        body = ['"""%s"""' % message, "from alembic import op", "",
                "revision = %r" % rev, "down_revision = %r" % (down_value,),
                "branch_labels = %r" % ((label,) if label else None,), "depends_on = None", "",
                "", "def upgrade():"]
        body += ["    op.execute(%r)" % s for s in up]
        body += ["", "", "def downgrade():"]
        body += ["    op.execute(%r)" % s for s in down_sql]
        with open(os.path.join(root, "versions", "%s_%s.py" % (rev, message.replace(" ", "_"))),
                  "w") as f:
            f.write("\n".join(body) + "\n")
    return os.path.join(root, "alembic.ini")


def write_schemagate_project(root):
    os.makedirs(root)
    for i, (rev, down, label, message, up, down_sql) in enumerate(REVISIONS):
        lines = ["-- revision: " + rev, "-- down_revision: " + ", ".join(down),
                 "-- message: " + message, "-- create_date: 2025-12-0%d 10:00:00" % (i + 1)]
        if label:
            lines.append("-- branch_labels: " + label)
        text = "\n".join(lines) + "\n\n-- +upgrade\n" + "".join(s + ";\n" for s in up)
        text += "\n-- +downgrade\n" + "".join(s + ";\n" for s in down_sql)
        name = "2025120%d_1000_%s_%s.sql" % (i + 1, rev, message.replace(" ", "_"))
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    return root


class Projects:
    def __init__(self, tmp):
        self.tmp = tmp
        self.ini = write_alembic_project(os.path.join(tmp, "alembic"))
        self.migrations = write_schemagate_project(os.path.join(tmp, "migrations"))
        self.backups = os.path.join(tmp, "backups")

    def alembic(self, url, cmd, *args, version_table=None):
        """Runs alembic.command.<cmd> in-process; returns what it printed."""
        from alembic import command
        from alembic.config import Config
        out = io.StringIO()
        cfg = Config(self.ini, stdout=out)
        cfg.attributes["url"] = url
        cfg.attributes["output_buffer"] = out  # offline (--sql) scripts
        cfg.attributes["version_table"] = version_table
        getattr(command, cmd)(cfg, *args)
        return out.getvalue()

    def sg(self, url, *args, code=0, what=None):
        return expect(sg("--migrations", self.migrations, "--url", url, "--backup-dir",
                         self.backups, *args, cwd=self.tmp),
                      code, "schemagate " + (what or " ".join(args)))

    def backup_files(self):
        return sorted(os.listdir(self.backups)) if os.path.isdir(self.backups) else []


# --- databases -------------------------------------------------------------------

class Postgres(PostgresDatabases):
    driver = "postgresql+psycopg2"

    def __init__(self):
        super().__init__("sg_interop")


class Mariadb(MariadbDatabases):
    driver = "mysql+pymysql"

    def __init__(self):
        super().__init__("sg_interop")


def sqlalchemy_url(db, url):
    """The application's URL: scheme with a driver suffix, otherwise unchanged."""
    return db.driver + url[url.index("://"):]


def rows(db, url):
    return sorted(r[0] for r in db.query(url, "SELECT version_num FROM alembic_version"))


def snapshot(db, url):
    """Version rows, user tables with their columns, and the data the revisions wrote."""
    tables = db.tables(url) - {"schemagate_history"}
    state = {"rows": rows(db, url), "tables": {t: db.columns(url, t) for t in sorted(tables)}}
    for t, order in (("accounts", "id"), ("audit_log", "id")):
        if t in tables:
            sql = "SELECT * FROM %s ORDER BY %s" % (t, order)
            state[t] = [tuple(r) for r in db.query(url, sql)]
    return state


def alembic_current(p, url):
    out = p.alembic(url, "current")
    return sorted(line.split()[0] for line in out.strip().splitlines() if line.strip())


# --- scenarios -----------------------------------------------------------------------

def pure_alembic_reference(db, p):
    url = sqlalchemy_url(db, db.fresh())
    p.alembic(url, "upgrade", "head")
    state = snapshot(db, url)
    check(state["rows"] == [HEAD], "pure Alembic reached head: %s" % state["rows"])
    check(set(state["tables"]) == {"alembic_version", "accounts", "orders", "audit_log"},
          "pure Alembic tables: %s" % state["tables"])
    return url, state


def alembic_first(db, p):
    """Alembic to r2; schemagate to head; schemagate back to r2; Alembic finishes."""
    ref_url, ref = pure_alembic_reference(db, p)
    url = sqlalchemy_url(db, db.fresh())  # the same URL string for both tools
    p.alembic(url, "upgrade", R2)
    check(rows(db, url) == [R2], "Alembic at r2: %s" % rows(db, url))
    out, _ = p.sg(url, "current")
    check(out.split()[:1] == [R2], "schemagate current reads Alembic's row: " + out)
    p.sg(url, "check", code=11, what="check with revisions pending")
    p.sg(url, "upgrade", "head")
    check(rows(db, url) == [HEAD], "schemagate continued to head: %s" % rows(db, url))
    check(alembic_current(p, url) == [HEAD], "Alembic current agrees: %s"
          % alembic_current(p, url))
    check("(head)" in p.alembic(url, "current"), "Alembic marks (head)")
    p.sg(url, "downgrade", R2)
    check(rows(db, url) == [R2], "schemagate downgraded to r2: %s" % rows(db, url))
    check(db.tables(url) - {"schemagate_history"} == {"alembic_version", "accounts"},
          "tables at r2: %s" % db.tables(url))
    p.alembic(url, "upgrade", "head")
    check(snapshot(db, url) == ref, "end state equals pure Alembic:\n%s\n%s"
          % (snapshot(db, url), ref))
    # Revisions applied by Alembic carry no checksum: not drift, nothing pending.
    p.sg(url, "check", what="check after Alembic finished")
    p.sg(url, "upgrade", "head", what="upgrade head on an Alembic-finished database")
    p.sg(url, "run", what="run on an Alembic-finished database")
    check(p.backup_files() == [], "run at head took no backup: %s" % p.backup_files())


def schemagate_first(db, p):
    """schemagate to r3 (plain URL); Alembic to head; Alembic back to r2; schemagate finishes."""
    ref_url, ref = pure_alembic_reference(db, p)
    plain = db.fresh()
    url = sqlalchemy_url(db, plain)
    p.sg(plain, "upgrade", R3)
    check(rows(db, url) == [R3], "schemagate at r3: %s" % rows(db, url))
    check(alembic_current(p, url) == [R3], "Alembic current reads schemagate's row: %s"
          % alembic_current(p, url))
    p.alembic(url, "upgrade", "head")
    check(rows(db, url) == [HEAD], "Alembic continued to head: %s" % rows(db, url))
    out, _ = p.sg(plain, "current")
    check(out.split()[:1] == [HEAD], "schemagate current after Alembic: " + out)
    p.sg(plain, "run", what="run after Alembic finished (fast path)")
    check(p.backup_files() == [], "fast path took no backup: %s" % p.backup_files())
    # Alembic downgrades revisions schemagate applied; schemagate re-applies them.
    p.alembic(url, "downgrade", R2)
    check(rows(db, url) == [R2], "Alembic downgraded to r2: %s" % rows(db, url))
    p.sg(url, "upgrade", "head", what="upgrade head after Alembic's downgrade")
    check(snapshot(db, url) == ref, "end state equals pure Alembic:\n%s\n%s"
          % (snapshot(db, url), ref))
    check(alembic_current(p, url) == [HEAD], "Alembic current at the end")
    # And back to base with Alembic: schemagate's state table is all that is left.
    p.alembic(url, "downgrade", "base")
    check(rows(db, url) == [], "Alembic downgrade base: %s" % rows(db, url))
    check(db.tables(url) == {"alembic_version", "schemagate_history"},
          "tables at base: %s" % db.tables(url))


def alembic_managed_fast_path(db, p):
    """A database only Alembic ever touched, at head: `run` exits 0 at once, writes nothing."""
    url, _ = pure_alembic_reference(db, p)
    out, _ = p.sg(url, "current")
    check(out.split()[:1] == [HEAD], "schemagate current on an Alembic database: " + out)
    p.sg(url, "check", what="check on an Alembic database at head")
    p.sg(url, "run", what="run on an Alembic database at head")
    check(p.backup_files() == [], "no backup: %s" % p.backup_files())
    check("schemagate_history" not in db.tables(url),
          "the fast path wrote nothing (no history table): %s" % db.tables(url))
    check(rows(db, url) == [HEAD], "rows unchanged: %s" % rows(db, url))
    # Behind again (Alembic downgrades): `run` applies the rest, with a backup first.
    p.alembic(url, "downgrade", R3)
    p.sg(url, "run", what="run on an Alembic database behind head")
    check(rows(db, url) == [HEAD], "run reached head: %s" % rows(db, url))
    check(len(p.backup_files()) == 1, "run took one backup: %s" % p.backup_files())
    # Offline scripts agree on the version table: Alembic's and schemagate's --sql.
    al = p.alembic(url, "upgrade", "%s:%s" % (R2, HEAD), True)
    sgs, _ = p.sg(url, "upgrade", "--sql", "%s:%s" % (R2, HEAD))
    for text in (al, sgs):
        check(("'%s'" % HEAD) in text, "offline script names the head")


def two_heads_in_version_table(db, p):
    """Both branches applied but not merged: two version rows, read and written by both."""
    _, ref = pure_alembic_reference(db, p)
    url = sqlalchemy_url(db, db.fresh())
    p.alembic(url, "upgrade", R4)
    p.alembic(url, "upgrade", R5)
    check(rows(db, url) == sorted([R4, R5]), "Alembic left two heads: %s" % rows(db, url))
    out, _ = p.sg(url, "current")
    check(sorted(l.split()[0] for l in out.strip().splitlines()) == sorted([R4, R5]),
          "schemagate current lists both rows: " + out)
    p.sg(url, "upgrade", "head")
    check(rows(db, url) == [HEAD], "schemagate merged: %s" % rows(db, url))
    p.sg(url, "downgrade", R5)
    check(rows(db, url) == sorted([R4, R5]), "schemagate unmerged: %s" % rows(db, url))
    check(alembic_current(p, url) == sorted([R4, R5]), "Alembic current: %s"
          % alembic_current(p, url))
    p.alembic(url, "upgrade", "head")
    check(snapshot(db, url) == ref, "end state equals pure Alembic:\n%s\n%s"
          % (snapshot(db, url), ref))


def custom_version_table(db, p):
    """Alembic's version_table option and schemagate's --version-table name the same table;
    schemagate downgrades revisions that only Alembic applied (no history rows)."""
    url = sqlalchemy_url(db, db.fresh())
    vt = ["--version-table", "app_version"]
    p.alembic(url, "upgrade", R3, version_table="app_version")
    check(db.tables(url) == {"app_version", "accounts", "orders"},
          "Alembic used app_version: %s" % db.tables(url))
    out, _ = p.sg(url, *vt, "current")
    check(out.split()[:1] == [R3], "schemagate current in app_version: " + out)
    p.sg(url, *vt, "upgrade", "head")
    got = sorted(r[0] for r in db.query(url, "SELECT version_num FROM app_version"))
    check(got == [HEAD], "app_version at head: %s" % got)
    out = p.alembic(url, "current", version_table="app_version")
    check(out.split()[:1] == [HEAD], "Alembic current in app_version: " + out)
    p.sg(url, *vt, "downgrade", "base")
    check(db.tables(url) == {"app_version", "schemagate_history"},
          "schemagate downgraded Alembic's revisions too: %s" % db.tables(url))
    p.alembic(url, "upgrade", "head", version_table="app_version")
    got = sorted(r[0] for r in db.query(url, "SELECT version_num FROM app_version"))
    check(got == [HEAD] and "alembic_version" not in db.tables(url),
          "Alembic back at head in app_version: %s %s" % (got, db.tables(url)))
    p.sg(url, *vt, "run", what="run at head with --version-table")
    check(p.backup_files() == [], "fast path: %s" % p.backup_files())


SCENARIOS = [alembic_first, schemagate_first, alembic_managed_fast_path,
             two_heads_in_version_table, custom_version_table]
BACKENDS = [Postgres, Mariadb]


@pytest.mark.parametrize("backend", BACKENDS, ids=backend_id)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_scenario(scenario, backend, tmp):
    with opened(backend()) as db:
        scenario(db, Projects(tmp))


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
