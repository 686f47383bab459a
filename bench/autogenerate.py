#!/usr/bin/python3
"""Benchmark of `revision --autogenerate` side by side with Alembic (issue 23;
bench/README.md, "revision --autogenerate").

The workload (generated into a temporary directory): a 50-table SQLAlchemy
model (6 columns, a foreign key to the previous table, an index each) built
by a 100-revision history (50 revisions create a table, 50 add a column and an
index), the same history as schemagate .sql revisions and as an Alembic
project (`op.execute` of the same statements, SQL rendered by SQLAlchemy per
dialect), and one model edit on top (a new table, a new column, a new index):
what the timed commands must find.

Timed, alternately, median of --runs (each run writes a revision file, which
is removed again before the next):
  SQLite      alembic revision --autogenerate            (database at head)
              schemagate revision --autogenerate --sqlalchemy ... --dialect sqlite
              schemagate revision --autogenerate --schema FILE --dialect sqlite
              schemagate diff --from migrations --to sqlalchemy:...  (no proof, no file)
  PostgreSQL  alembic revision --autogenerate            (database at head)
              schemagate revision --autogenerate --sqlalchemy ... --dialect postgresql --dev-url
  Start-up floors: python3 -c pass, python3 -c 'import sqlalchemy', python3
  importing the model module.
Then one schemagate run of each kind with `--log-level debug --log-format
json`: its log lines with their time offsets and timing fields show where the
time goes.

Needs the test servers for the PostgreSQL part (scripts/test-servers.sh start;
SG_TEST_PG_URL, SG_TEST_PG_ADMIN_URL; without them it is skipped), Debian's
python3-alembic (SQLAlchemy 1.4) on /usr/bin/python3, and SG_BIN
(default build/schemagate). Usage: bench/autogenerate.py [--runs N] [--keep DIR]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import run_support as rs  # noqa: E402

SG = os.environ.get("SG_BIN", os.path.join(HERE, "..", "build", "schemagate"))
PYTHON = "/usr/bin/python3"
TABLES = 50
REVISIONS = 100

MODEL_DEF = '''"""The benchmark's model: build(step, edited) (bench/autogenerate.py)."""
import sqlalchemy as sa

TABLES = %d


def build(step, edited=False):
    """The model after `step` revisions: 1..TABLES create table t00.. in
    turn; TABLES+1..2*TABLES add t(k).note and the index ix_tK_name."""
    md = sa.MetaData()
    for k in range(min(step, TABLES)):
        cols = [sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.String(100), nullable=False),
                sa.Column("qty", sa.Integer, nullable=False, server_default="0"),
                sa.Column("price", sa.Numeric(10, 2)),
                sa.Column("created", sa.DateTime)]
        if k:
            cols.append(sa.Column("parent_id", sa.Integer,
                                  sa.ForeignKey("t%%02d.id" %% (k - 1), name="fk_t%%02d_parent" %% k)))
        if step > TABLES + k:
            cols.append(sa.Column("note", sa.String(200)))
        if edited and k == 10:
            cols.append(sa.Column("email", sa.String(120)))
        t = sa.Table("t%%02d" %% k, md, *cols)
        if step > TABLES + k:
            sa.Index("ix_t%%02d_name" %% k, t.c.name)
        if edited and k == 10:
            sa.Index("ix_t10_email", t.c.email)
    if edited:
        sa.Table("audit", md,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("t00_id", sa.Integer, sa.ForeignKey("t00.id", name="fk_audit_t00"),
                           nullable=False),
                 sa.Column("what", sa.String(50), nullable=False))
    return md
''' % TABLES

ALEMBIC_INI = """[alembic]
script_location = %(dir)s/alembic
sqlalchemy.url = %(url)s

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %%(levelname)s %%(message)s
"""

ENV_PY = '''import sys
from alembic import context
from sqlalchemy import engine_from_config, pool

sys.path.insert(0, %r)
import bench_models  # noqa: E402

config = context.config
target_metadata = bench_models.metadata

connectable = engine_from_config(config.get_section(config.config_ini_section),
                                 prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

ALEMBIC_REV = '''"""step %(n)d"""
from alembic import op

revision = %(rev)r
down_revision = %(down)r
branch_labels = None
depends_on = None

SQL = %(sql)r


def upgrade():
    for statement in SQL[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    pass
'''


def step_sql(model, step, dialect_name):
    """The statements of revision `step` (1-based) for a dialect, rendered by
    SQLAlchemy from the difference between build(step-1) and build(step)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable
    dialect = {"sqlite": sqlite.dialect(paramstyle="named"),
               "postgresql": postgresql.dialect(paramstyle="named")}[dialect_name]
    md = model.build(step)
    if step <= TABLES:
        t = md.tables["t%02d" % (step - 1)]
        return [str(CreateTable(t).compile(dialect=dialect)).strip()]
    k = step - TABLES - 1
    t = md.tables["t%02d" % k]
    col = t.c.note
    spec = dialect.ddl_compiler(dialect, None).get_column_specification(col)
    idx = [i for i in t.indexes if i.name == "ix_t%02d_name" % k][0]
    return ["ALTER TABLE t%02d ADD COLUMN %s" % (k, spec),
            str(CreateIndex(idx).compile(dialect=dialect)).strip()]


def generate(work):
    with open(os.path.join(work, "model_def.py"), "w") as f:
        f.write(MODEL_DEF)
    with open(os.path.join(work, "bench_models.py"), "w") as f:
        f.write('"""The edited model."""\nfrom model_def import build\n\nmetadata = build(%d, edited=True)\n'
                % REVISIONS)
    sys.path.insert(0, work)
    import model_def
    mig = os.path.join(work, "migrations")
    versions = os.path.join(work, "alembic", "versions")
    os.makedirs(mig)
    os.makedirs(versions)
    with open(os.path.join(work, "alembic", "env.py"), "w") as f:
        f.write(ENV_PY % work)
    with open(os.path.join(work, "alembic", "script.py.mako"), "w") as f:
        f.write(SCRIPT_MAKO)
    down = None
    for n in range(1, REVISIONS + 1):
        rev = "r%03d" % n
        sql = {d: step_sql(model_def, n, d) for d in ("sqlite", "postgresql")}
        with open(os.path.join(versions, rev + "_step.py"), "w") as f:
            f.write(ALEMBIC_REV % {"n": n, "rev": rev, "down": down, "sql": sql})
        body = "-- +upgrade\n%s;\n\n-- +upgrade sqlite\n%s;\n" % (
            ";\n".join(sql["postgresql"]), ";\n".join(sql["sqlite"]))
        with open(os.path.join(mig, "%s_step.sql" % rev), "w") as f:
            f.write("-- revision: %s\n-- down_revision: %s\n-- message: step %d\n"
                    "-- create_date: 2025-01-01 00:00:00\n\n%s" % (rev, down or "", n, body))
        down = rev
    # The edited model as a desired-state file per dialect (for --schema).
    import sqlalchemy as sa
    for d in ("sqlite", "postgresql"):
        statements = []
        engine = sa.create_mock_engine(d + "://", lambda sql, *a, **k: statements.append(
            str(sql.compile(dialect=engine.dialect)).strip()), paramstyle="named")
        model_def.build(REVISIONS, edited=True).create_all(engine, checkfirst=False)
        with open(os.path.join(work, "schema_%s.sql" % d), "w") as f:
            f.write(";\n\n".join(statements) + ";\n")
    return mig, versions


def alembic_ini(work, name, url):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(ALEMBIC_INI % {"dir": work, "url": url})
    return path


def run(cmd, cwd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, p


def new_files(before, folder):
    return sorted(set(os.listdir(folder)) - before)


class Row:
    def __init__(self, label, cmd, folder=None, ok=(0,)):
        self.label, self.cmd, self.folder, self.ok = label, cmd, folder, ok
        self.times, self.error = [], None

    def once(self, cwd, env=None):
        before = set(os.listdir(self.folder)) if self.folder else set()
        t, p = run(self.cmd, cwd, env)
        if self.folder:
            made = new_files(before, self.folder)
            for name in made:
                path = os.path.join(self.folder, name)
                if os.path.isfile(path):
                    os.remove(path)
            if p.returncode in self.ok and not made and "no changes" not in (p.stdout + p.stderr):
                self.error = "exit %d but no revision file written" % p.returncode
        if p.returncode not in self.ok:
            self.error = "exit %d: %s" % (p.returncode, (p.stderr or p.stdout)[-600:])
        self.times.append(t)

    def median_ms(self):
        return statistics.median(self.times) * 1000 if self.times else float("nan")


def side_by_side(rows, runs, cwd, env=None):
    for _ in range(runs):
        for r in rows:
            if not r.error:
                r.once(cwd, env)


def describe(rows, base):
    out = []
    for r in rows:
        if r.error:
            out.append("| %s | failed: %s | |" % (r.label, r.error.replace("\n", " ").replace("|", "/")))
            continue
        ratio = r.median_ms() / base.median_ms() if base and not base.error else float("nan")
        out.append("| %s | %.0f ms (%.0f–%.0f) | ×%.2f |" % (
            r.label, r.median_ms(), min(r.times) * 1000, max(r.times) * 1000, ratio))
    return out


def debug_timeline(cmd, cwd, folder, env=None):
    """One run with JSON debug logs: each line's offset from the process start
    and its fields, to show where the time goes."""
    before = set(os.listdir(folder)) if folder else set()
    t0 = time.time()
    p = subprocess.run(cmd + ["--log-level", "debug", "--log-format", "json"], cwd=cwd, env=env,
                       capture_output=True, text=True)
    total = (time.time() - t0) * 1000
    if folder:
        for name in new_files(before, folder):
            os.remove(os.path.join(folder, name))
    lines = ["total %.0f ms, exit %d" % (total, p.returncode)]
    steps = []  # the replay's "[n/N] upgrade ..." lines: only the first and the last are shown
    for raw in p.stderr.splitlines():
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        ts = rec.pop("time", rec.pop("ts", rec.pop("timestamp", None)))
        when = ""
        if isinstance(ts, str) and "T" in ts:
            import datetime
            try:
                dt = datetime.datetime.strptime(ts.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
                when = "+%5.0f ms" % ((dt.replace(tzinfo=datetime.timezone.utc).timestamp() - t0) * 1000)
            except ValueError:
                pass
        msg = rec.pop("msg", rec.pop("message", ""))
        rec.pop("level", None)
        extra = " ".join("%s=%s" % (k, v) for k, v in rec.items())
        line = "%s %s %s" % (when, msg[:100], extra[:200])
        if re.match(r"\[\d+/\d+\] ", msg):
            steps.append(line)
            continue
        if steps:
            lines += steps[:1] + (["   ... %d more revisions" % (len(steps) - 2)] if len(steps) > 2 else []) \
                + (steps[-1:] if len(steps) > 1 else [])
            steps = []
        lines.append(line)
    if steps:
        lines += steps[:1] + (["   ... %d more" % (len(steps) - 1)] if len(steps) > 1 else [])
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="generate into this directory and keep it")
    a = ap.parse_args()
    load_start = os.getloadavg()
    work = a.keep or tempfile.mkdtemp(prefix="sg_bench_autogen_")
    if a.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    report = []
    pg_name = None
    pg_dev_name = None
    try:
        mig, versions = generate(work)
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        # --- SQLite -----------------------------------------------------------
        db = os.path.join(work, "alembic.db")
        ini = alembic_ini(work, "alembic_sqlite.ini", "sqlite:///" + db)
        _, p = run([PYTHON, "-m", "alembic", "-c", ini, "upgrade", "head"], work)
        if p.returncode:
            raise SystemExit("alembic upgrade head (setup) failed: " + p.stderr[-1000:])
        alembic = Row("`alembic revision --autogenerate` (SQLite at head)",
                      [PYTHON, "-m", "alembic", "-c", ini, "revision", "--autogenerate", "-m", "edit"],
                      versions)
        sg_common = [SG, "revision", "--autogenerate", "-m", "edit", "--migrations", mig]
        sg_models = Row("`schemagate revision --autogenerate --sqlalchemy bench_models:metadata "
                        "--dialect sqlite` (proof included)",
                        sg_common + ["--sqlalchemy", "bench_models:metadata", "--dialect", "sqlite",
                                     "--python", PYTHON], mig)
        sg_schema = Row("`schemagate revision --autogenerate --schema schema_sqlite.sql "
                        "--dialect sqlite` (proof included)",
                        sg_common + ["--schema", os.path.join(work, "schema_sqlite.sql"),
                                     "--dialect", "sqlite"], mig)
        sg_diff = Row("`schemagate diff --from migrations --to sqlalchemy:bench_models:metadata` "
                      "(SQLite, no proof, no file)",
                      [SG, "diff", "--url", "sqlite://:memory:", "--migrations", mig, "--from",
                       "migrations", "--to", "sqlalchemy:bench_models:metadata", "--python", PYTHON],
                      None, ok=(12,))
        floors = [Row("`python3 -c pass`", [PYTHON, "-c", "pass"]),
                  Row("`python3 -c 'import sqlalchemy'`", [PYTHON, "-c", "import sqlalchemy"]),
                  Row("`python3 -c 'import bench_models'` (SQLAlchemy + the 50-table model)",
                      [PYTHON, "-c", "import bench_models"])]
        sqlite_rows = [alembic, sg_models, sg_schema, sg_diff] + floors
        side_by_side(sqlite_rows, a.runs, work, env)
        report.append("### SQLite (%d runs each, alternated; ratio to Alembic)" % a.runs)
        report.append("")
        report.append("| command | median (min–max) | ratio |")
        report.append("|---|---|---|")
        report += describe(sqlite_rows, alembic)
        report.append("")
        timelines = {}
        for r in (sg_models, sg_schema):
            if not r.error:
                timelines[r.label] = debug_timeline(r.cmd, work, r.folder, env)
        # --- PostgreSQL ---------------------------------------------------------
        if os.environ.get("SG_TEST_PG_URL") and os.environ.get("SG_TEST_PG_ADMIN_URL"):
            pg_name, pg_url = rs.pg_create_db("sg_bench_autogen")
            pg_dev_name, pg_dev = rs.pg_create_db("sg_bench_autogen_dev")
            sa_url = "postgresql+psycopg2" + pg_url[pg_url.index("://"):]
            pini = alembic_ini(work, "alembic_pg.ini", sa_url.replace("%", "%%"))
            _, p = run([PYTHON, "-m", "alembic", "-c", pini, "upgrade", "head"], work)
            if p.returncode:
                raise SystemExit("alembic upgrade head on PostgreSQL (setup) failed: " + p.stderr[-1000:])
            pg_alembic = Row("`alembic revision --autogenerate` (PostgreSQL at head)",
                             [PYTHON, "-m", "alembic", "-c", pini, "revision", "--autogenerate",
                              "-m", "edit"], versions)
            pg_models = Row("`schemagate revision --autogenerate --sqlalchemy ... --dialect "
                            "postgresql --dev-url` (proof included)",
                            sg_common + ["--sqlalchemy", "bench_models:metadata", "--dialect",
                                         "postgresql", "--dev-url", pg_dev, "--python", PYTHON], mig)
            pg_schema = Row("`schemagate revision --autogenerate --schema schema_postgresql.sql "
                            "--dialect postgresql --dev-url` (proof included)",
                            sg_common + ["--schema", os.path.join(work, "schema_postgresql.sql"),
                                         "--dialect", "postgresql", "--dev-url", pg_dev], mig)
            pg_rows = [pg_alembic, pg_models, pg_schema]
            side_by_side(pg_rows, a.runs, work, env)
            report.append("### PostgreSQL 15 (%d runs each, alternated; ratio to Alembic)" % a.runs)
            report.append("")
            report.append("| command | median (min–max) | ratio |")
            report.append("|---|---|---|")
            report += describe(pg_rows, pg_alembic)
            report.append("")
            if not pg_models.error:
                timelines[pg_models.label] = debug_timeline(pg_models.cmd, work, mig, env)
        else:
            report.append("PostgreSQL part skipped: SG_TEST_PG_URL / SG_TEST_PG_ADMIN_URL not set.")
        report.append("### Where the time goes (one run each, `--log-level debug`)")
        for label, lines in timelines.items():
            report.append("")
            report.append(label + ":")
            report.append("```")
            report += lines
            report.append("```")
    finally:
        if pg_name:
            rs.pg_drop_db(pg_name)
        if pg_dev_name:
            rs.pg_drop_db(pg_dev_name)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("bench/autogenerate.py: %d tables, %d revisions; nproc %d, load average %.1f at the "
          "start, %.1f at the end\n" % (TABLES, REVISIONS, os.cpu_count(), load_start[0],
                                         os.getloadavg()[0]))
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
