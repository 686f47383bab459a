#!/usr/bin/python3
"""Differential test: schemagate against real Alembic 1.8 on SQLite.

For seeded random revision graphs (branches, merges, several bases, branch
labels, cross-branch depends_on) the same graph is written as an Alembic
project and as a schemagate migrations directory. Both tools then run the same
random sequence of upgrade / downgrade / stamp operations on fresh SQLite
databases, and after every operation the test compares

  * whether the operation failed (Alembic raised / schemagate exited non-zero),
  * the version-table rows (SELECT version_num FROM alembic_version),
  * the marker tables t_<rev> present (what the revisions' SQL actually did),
  * that the steps ran in an order the graph allows (every revision after its
    down_revisions and depends_on; every downgrade before its dependents).

It also checks `heads`, `current`, and continuity across the tools: a
database upgraded part way by one tool and finished by the other, and a
database on which each operation is run by a randomly chosen tool.

Alembic runs in-process through alembic.command (fast); schemagate runs as a
subprocess ($SG_BIN). See README.md next to this file for how to reproduce a
seed. Standard library + Alembic/SQLAlchemy (Debian packages) only.

Deliberately NOT generated (Alembic quirks, or targets outside docs/reference.md §2):
  * `downgrade -N` when the database has several rows: Alembic picks the first
    row and warns "downgrade -1 from multiple heads is ambiguous; this usage
    will be disallowed in a future release".
  * `label@+N` and `label@-N` (Alembic asserts a single current revision on
    the branch and crashes with an AssertionError otherwise).
  (Ambiguous walks -- a step with several children or through a merge -- are
  generated: Alembic rejects them deterministically with "Ambiguous walk".)
  * `REV+N` / `REV-N` that walk past a head or base: Alembic's _walk returns
    None and the symbol form does not check it (the command then acts on
    base, silently).
  * a bare branch label as a target: Alembic resolves it to the revision that
    declares the label, not to the branch head; docs/reference.md §2 lists only
    label@head / label@base.
  * upgrade to `label@base` (meaningless; Alembic treats it as base).
  * id prefixes shorter than 4 characters: Alembic 1.8 accepts any unique
    prefix (its `len(x) > 3` tests the candidate id, not the prefix);
    docs/reference.md §2 requires at least 4 characters, so schemagate rejects them.
  * `stamp --purge head` while there are several heads: Alembic empties the
    version table first and only then fails to resolve `head`, so the failed
    command leaves the table empty (schemagate fails before writing).
Graphs are generated so that each revision's down_revision + depends_on is an
antichain (none an ancestor of another). Alembic 1.8 mishandles the others:
  * a depends_on that is already an ancestor ("redundant"): it stays in
    _normalized_down_revisions, so `downgrade -1` from the dependent leaves
    BOTH the parent and the ancestor in alembic_version (rows {A, B} with A
    an ancestor of B); the next `upgrade heads` then fails with "Requested
    revision B overlaps with other requested revisions A".
  * a merge that depends_on a descendant of one of its parents: the
    HeadMaintainer's merge step deletes a row that is not there (KeyError).
If Alembic still crashes (an exception that is not one of its own errors),
the graph's sequence stops and the crash is listed as a note, not compared.
Marker SQL uses CREATE TABLE IF NOT EXISTS / DROP TABLE IF EXISTS so that a
`stamp` (which moves the rows without running SQL) cannot make a later step
fail on SQL: Alembic's SQLite dialect is not transactional-DDL, so a failed
step would leave half-done state that schemagate (which rolls back) would
rightly not reproduce.
"""
import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

BASE_SEED = int(os.environ.get("SG_DIFF_SEED", "20251122"))
N_GRAPHS = int(os.environ.get("SG_DIFF_GRAPHS", "36"))
N_OPS = int(os.environ.get("SG_DIFF_OPS", "14"))
KEEP = os.environ.get("SG_DIFF_KEEP", "") not in ("", "0")
ALEMBIC_ONLY = os.environ.get("SG_DIFF_ALEMBIC_ONLY", "") not in ("", "0")
SG_TIMEOUT = 60

try:
    import alembic
    from alembic import command as alembic_command
    from alembic.config import Config as AlembicConfig
    from alembic import util as alembic_util
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
except ImportError as exc:  # pragma: no cover
    print("FAIL: cannot import alembic with %s: %s" % (sys.executable, exc))
    print("      apt-get install alembic python3-alembic; run with /usr/bin/python3")
    sys.exit(1)


# --------------------------------------------------------------------------
# The random revision graph
# --------------------------------------------------------------------------


class Rev:
    def __init__(self, rid, down, labels, deps, index):
        self.id = rid
        self.down = tuple(down)  # () for a root
        self.labels = list(labels)
        self.deps = list(deps)
        self.index = index


class Graph:
    def __init__(self, seed):
        self.seed = seed
        self.revs = []  # creation order (a valid topological order)
        self.by_id = {}

    def add(self, rev):
        self.revs.append(rev)
        self.by_id[rev.id] = rev

    def ids(self):
        return [r.id for r in self.revs]

    def children(self, rid):
        return [r.id for r in self.revs if rid in r.down]

    def heads(self):
        named = {d for r in self.revs for d in r.down}
        return [r.id for r in self.revs if r.id not in named]

    def bases(self):
        return [r.id for r in self.revs if not r.down]

    def ancestors(self, ids, deps=True):
        """ids and everything reachable through down_revision (+ depends_on)."""
        seen, todo = set(), list(ids)
        while todo:
            rid = todo.pop()
            if rid in seen:
                continue
            seen.add(rid)
            rev = self.by_id[rid]
            todo.extend(rev.down)
            if deps:
                todo.extend(rev.deps)
        return seen

    def descendants(self, rid):
        seen, todo = set(), [rid]
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            todo.extend(self.children(cur))
        return seen

    def labels(self):
        return [lb for r in self.revs for lb in r.labels]

    def label_owner(self, label):
        return next(r.id for r in self.revs if label in r.labels)

    def describe(self):
        out = []
        for r in self.revs:
            parts = ["%s <- %s" % (r.id, ",".join(r.down) or "(root)")]
            if r.labels:
                parts.append("labels=" + ",".join(r.labels))
            if r.deps:
                parts.append("depends_on=" + ",".join(r.deps))
            out.append("    " + "  ".join(parts))
        return "\n".join(out)


def antichain(g, candidates, limit):
    """The first `limit` candidates, in order, none an ancestor of another
    (through down_revision and depends_on)."""
    chosen = []
    for c in candidates:
        if len(chosen) == limit:
            break
        if c in chosen or any(c in g.ancestors([x]) or x in g.ancestors([c]) for x in chosen):
            continue
        chosen.append(c)
    return tuple(chosen)


def make_graph(seed):
    rng = random.Random(seed)
    g = Graph(seed)
    n = rng.randint(3, 25)
    label_no = 0
    for i in range(n):
        # ids: 12 hex; sometimes sharing a 4-char prefix with an existing id so
        # that short prefixes are ambiguous.
        while True:
            rid = "%012x" % rng.getrandbits(48)
            if g.revs and rng.random() < 0.15:
                rid = rng.choice(g.revs).id[:4] + rid[4:]
            if rid not in g.by_id:
                break
        heads = g.heads()
        roll = rng.random()
        if not g.revs or roll < 0.10:
            down = ()
        elif roll < 0.30 and len(heads) >= 2:
            down = antichain(g, rng.sample(heads, len(heads)), rng.choice([2, 2, 2, 3]))
        elif roll < 0.36 and len(g.revs) >= 3:
            # a merge of revisions that need not be heads
            down = antichain(g, rng.sample(g.ids(), len(g.revs)), 2)
        else:
            pool = heads if rng.random() < 0.6 else g.ids()
            down = (rng.choice(pool),)
        deps = []
        if g.revs and rng.random() < 0.2:
            # down_revision + depends_on must stay an antichain; see the
            # module docstring for why.
            cands = antichain(g, list(down) + rng.sample(g.ids(), len(g.revs)), len(down) + 1)
            deps = list(cands[len(down):])
        labels = []
        is_branch_start = not down or any(len(g.children(d)) >= 1 for d in down)
        if rng.random() < (0.35 if is_branch_start else 0.08):
            label_no += 1
            labels.append("br%d_%s" % (label_no, rng.choice(["core", "billing", "audit", "x"])))
            if rng.random() < 0.15:
                labels.append("alias%d" % label_no)
        g.add(Rev(rid, down, labels, deps, i))
    return g


# --------------------------------------------------------------------------
# Writing the two projects
# --------------------------------------------------------------------------

ENV_PY = '''\
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section),
                            prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''

ALEMBIC_INI = '''\
[alembic]
script_location = {script}
sqlalchemy.url = sqlite:///{db}
'''


def py_value(ids):
    if not ids:
        return "None"
    if len(ids) == 1:
        return repr(ids[0])
    return "(" + ", ".join(repr(x) for x in ids) + ")"


def marker_sql(rev):
    return {
        "up": ["CREATE TABLE IF NOT EXISTS t_%s (x INTEGER)" % rev.id,
               "INSERT INTO step_log (rev, dir) VALUES ('%s', 'up')" % rev.id],
        "down": ["DROP TABLE IF EXISTS t_%s" % rev.id,
                 "INSERT INTO step_log (rev, dir) VALUES ('%s', 'down')" % rev.id],
    }


def write_alembic(g, root):
    script = os.path.join(root, "alembic")
    os.makedirs(os.path.join(script, "versions"))
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI.format(script=script, db=os.path.join(root, "alembic.db")))
    with open(os.path.join(script, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(script, "script.py.mako"), "w") as f:
        f.write("")
    for rev in g.revs:
        sql = marker_sql(rev)
        body = [
            "from alembic import op",
            "",
            "revision = %r" % rev.id,
            "down_revision = %s" % py_value(list(rev.down)),
            "branch_labels = %s" % (py_value(rev.labels) if len(rev.labels) != 1 else "(%r,)" % rev.labels[0]),
            "depends_on = %s" % py_value(rev.deps),
            "",
            "",
            "def upgrade():",
        ] + ["    op.execute(%r)" % s for s in sql["up"]] + [
            "",
            "",
            "def downgrade():",
        ] + ["    op.execute(%r)" % s for s in sql["down"]]
        with open(os.path.join(script, "versions", "%s_m.py" % rev.id), "w") as f:
            f.write("\n".join(body) + "\n")
    return os.path.join(root, "alembic.ini")


def write_schemagate(g, root, rng):
    mig = os.path.join(root, "sg_migrations")
    os.makedirs(os.path.join(mig, "sub"))
    for rev in g.revs:
        sql = marker_sql(rev)
        text = ["-- revision: %s" % rev.id,
                "-- down_revision: %s" % ", ".join(rev.down),
                "-- message: rev %d of graph %d" % (rev.index, g.seed)]
        if rev.labels:
            text.append("-- branch_labels: %s" % ", ".join(rev.labels))
        if rev.deps:
            text.append("-- depends_on: %s" % ", ".join(rev.deps))
        text += ["", "-- +upgrade"] + [s + ";" for s in sql["up"]]
        text += ["", "-- +downgrade"] + [s + ";" for s in sql["down"]]
        # File names in random order (identity comes from the header), some in a
        # sub-directory (discovery is recursive).
        name = "%04d_%s.sql" % (rng.randint(0, 9999), rev.id)
        where = "sub" if rng.random() < 0.25 else ""
        with open(os.path.join(mig, where, name), "w") as f:
            f.write("\n".join(text) + "\n")
    return mig


# --------------------------------------------------------------------------
# Database state
# --------------------------------------------------------------------------


def new_db(path):
    if os.path.exists(path):
        os.unlink(path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE step_log (n INTEGER PRIMARY KEY AUTOINCREMENT, rev TEXT, dir TEXT)")
    con.commit()
    con.close()


class DbState:
    def __init__(self, rows, tables, log_len):
        self.rows = rows
        self.tables = tables
        self.log_len = log_len

    def same(self, other):
        return self.rows == other.rows and self.tables == other.tables


def read_state(path):
    con = sqlite3.connect(path)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = set()
        if "alembic_version" in names:
            rows = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
        tables = {n[2:] for n in names if n.startswith("t_")}
        log_len = con.execute("SELECT count(*) FROM step_log").fetchone()[0]
        return DbState(rows, tables, log_len)
    finally:
        con.close()


def read_log(path, since):
    con = sqlite3.connect(path)
    try:
        return [(r[0], r[1]) for r in
                con.execute("SELECT rev, dir FROM step_log WHERE n > ? ORDER BY n", (since,))]
    finally:
        con.close()


def fmt_set(s):
    return "{" + ", ".join(sorted(s)) + "}"


# --------------------------------------------------------------------------
# The two tools
# --------------------------------------------------------------------------


class AlembicTool:
    name = "alembic"

    def __init__(self, ini):
        self.ini = ini

    def _config(self, db):
        out = io.StringIO()
        cfg = AlembicConfig(self.ini, stdout=out)
        cfg.set_main_option("sqlalchemy.url", "sqlite:///" + db)
        return cfg

    def heads(self):
        return set(ScriptDirectory.from_config(self._config(":memory:")).get_heads())

    def run(self, db, op):
        """op = (kind, target, purge). Returns (ok, message)."""
        kind, target, purge = op
        cfg = self._config(db)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if kind == "upgrade":
                    alembic_command.upgrade(cfg, target)
                elif kind == "downgrade":
                    alembic_command.downgrade(cfg, target)
                else:
                    alembic_command.stamp(cfg, target, purge=purge)
            return True, ""
        except (alembic_util.CommandError, RevisionError) as exc:
            return False, "%s: %s" % (type(exc).__name__, (str(exc).strip().splitlines() or [""])[0])
        except Exception as exc:  # a crash inside Alembic: not comparable
            raise AlembicCrash("%s: %s" % (type(exc).__name__, exc)) from exc


class AlembicCrash(Exception):
    pass


class SchemagateTool:
    name = "schemagate"

    def __init__(self, binary, migrations, known_ids):
        self.binary = binary
        self.migrations = migrations
        self.known = set(known_ids)

    def _run(self, db, args):
        cmd = [self.binary, "--url", "sqlite:///" + os.path.abspath(db),
               "--migrations", self.migrations] + args
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SCHEMAGATE_") and not k.startswith("DATABASE_")}
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=SG_TIMEOUT, env=env)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return -999, "", "timed out after %ds" % SG_TIMEOUT

    def heads(self, db):
        code, out, err = self._run(db, ["heads"])
        return code, first_tokens(out, self.known), err

    def current(self, db):
        code, out, err = self._run(db, ["current"])
        return code, first_tokens(out, self.known), err

    def run(self, db, op):
        kind, target, purge = op
        args = [kind] + (["--purge"] if purge else []) + [target]
        code, out, err = self._run(db, args)
        if code == 0:
            return True, ""
        tail = (err.strip() or out.strip()).splitlines()[-3:]
        return False, "exit %d: %s" % (code, " | ".join(tail))


def first_tokens(text, known):
    """The revision id each output line starts with: the first token of the
    line, stripped of punctuation, when it is a known id (lenient about
    '(head)', labels, arrows and other decoration)."""
    out = set()
    for line in text.splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        token = parts[0].strip(",:;()[]*")
        if token in known:
            out.add(token)
        else:
            # e.g. "Rev: abc (head)" -- accept the first known id on the line
            ids = [p.strip(",:;()[]*") for p in parts]
            hit = next((t for t in ids if t in known), None)
            if hit:
                out.add(hit)
    return out


# --------------------------------------------------------------------------
# Random operations
# --------------------------------------------------------------------------


def walk_up(g, start, steps):
    """How Alembic's _walk goes up `steps` from `start` (None = base):
    'ok', 'ambiguous' (a step with several children; a deterministic error)
    or 'overrun' (past a head)."""
    cur = start
    for _ in range(steps):
        nxt = g.children(cur) if cur else g.bases()
        if len(nxt) > 1:
            return "ambiguous"
        if not nxt:
            return "overrun"
        cur = nxt[0]
    return "ok"


def walk_down(g, start, steps):
    """Likewise down through down_revision: a merge is 'ambiguous'; walking
    below base is 'overrun' (a deterministic error in Alembic)."""
    cur = start
    for _ in range(steps):
        if cur is None:
            return "overrun"
        down = g.by_id[cur].down
        if len(down) > 1:
            return "ambiguous"
        cur = down[0] if down else None
    return "ok"


def random_op(rng, g, rows):
    """An operation chosen from the graph and the (Alembic) database's rows."""
    ids = g.ids()
    labels = g.labels()
    applied = g.ancestors(rows)
    kind = rng.choices(["upgrade", "downgrade", "stamp"], weights=[50, 35, 15])[0]
    if kind == "upgrade":
        choice = rng.choices(["head", "heads", "id", "prefix", "bad", "label@head", "+N", "REV+N"],
                             weights=[10, 15, 40, 6, 2, 12 if labels else 0, 10, 6])[0]
        if choice in ("head", "heads"):
            return ("upgrade", choice, False)
        if choice == "id":
            pending = [r for r in ids if r not in applied]
            pool = pending if pending and rng.random() < 0.75 else ids
            return ("upgrade", rng.choice(pool), False)
        if choice == "prefix":  # >= 4 characters, see the top
            return ("upgrade", rng.choice(ids)[:rng.choice([4, 4, 6, 8])], False)
        if choice == "bad":
            return ("upgrade", rng.choice(["0123456789ab", "nosuchrev", "nolabel@head"]), False)
        if choice == "label@head":
            return ("upgrade", rng.choice(labels) + "@head", False)
        n = rng.choice([1, 1, 2])
        if choice == "+N":
            # several rows: "Ambiguous upgrade from multiple current revisions";
            # an ambiguous walk or an overrun: an error too (all deterministic)
            return ("upgrade", "+%d" % n, False)
        rev = rng.choice(ids)
        if walk_up(g, rev, n) != "overrun":  # REV+N overrun: quirk, see top
            return ("upgrade", "%s+%d" % (rev, n), False)
        return ("upgrade", rev, False)
    if kind == "downgrade":
        choice = rng.choices(["id", "-N", "base", "label@base", "REV-N"],
                             weights=[40, 20, 12, 12 if labels else 0, 8])[0]
        if choice == "id":
            pool = sorted(applied) if applied and rng.random() < 0.8 else ids
            return ("downgrade", rng.choice(pool), False)
        if choice == "-N":
            n = rng.choice([1, 1, 2])
            if len(rows) <= 1:  # no rows: an error in both
                return ("downgrade", "-%d" % n, False)
            return ("downgrade", "base", False)  # several rows: quirk, see top
        if choice == "base":
            return ("downgrade", "base", False)
        if choice == "label@base":
            return ("downgrade", rng.choice(labels) + "@base", False)
        return ("downgrade", "%s-%d" % (rng.choice(ids), rng.choice([1, 1, 2])), False)
    target = rng.choices(["id", "heads", "head", "base"], weights=[60, 15, 10, 15])[0]
    if target == "id":
        target = rng.choice(ids)
    purge = rng.random() < 0.3 and not (target == "head" and len(g.heads()) > 1)
    return ("stamp", target, purge)


def op_text(op):
    kind, target, purge = op
    return "%s%s %s" % (kind, " --purge" if purge else "", target)


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.failures = {}  # category -> list of text
        self.notes = {}

    def fail(self, category, text):
        self.failures.setdefault(category, []).append(text)

    def note(self, category, text):
        self.notes.setdefault(category, []).append(text)


def check_order(g, rows_before, log):
    """Every step of one operation in an order the graph allows. Returns a
    problem description or None."""
    applied = g.ancestors(rows_before)
    for rev, direction in log:
        r = g.by_id[rev]
        if direction == "up":
            if rev in applied:
                return "%s upgraded twice" % rev
            missing = [p for p in r.down + tuple(r.deps) if p not in applied]
            if missing:
                return "%s upgraded before %s" % (rev, ",".join(missing))
            applied.add(rev)
        else:
            if rev not in applied:
                return "%s downgraded while not applied" % rev
            dependents = [x.id for x in g.revs
                          if x.id in applied and (rev in x.down or rev in x.deps)]
            if dependents:
                return "%s downgraded before its dependents %s" % (rev, ",".join(dependents))
            applied.discard(rev)
    return None


def compare_after(report, ctx, header, a_db, s_db, a_before, s_before, g, kind):
    """After one operation: same rows, same marker tables, a legal order.
    Everything wrong is reported as one entry whose category names the kinds
    of disagreement (rows, applied, order)."""
    a = read_state(a_db)
    s = read_state(s_db)
    kinds, lines = [], []
    if a.rows != s.rows:
        kinds.append("rows")
        lines.append("      alembic rows:       %s\n      schemagate rows:    %s"
                     % (fmt_set(a.rows), fmt_set(s.rows)))
    if a.tables != s.tables:
        kinds.append("applied")
        lines.append("      alembic applied:    %s\n      schemagate applied: %s"
                     "\n      only alembic: %s  only schemagate: %s"
                     % (fmt_set(a.tables), fmt_set(s.tables),
                        fmt_set(a.tables - s.tables), fmt_set(s.tables - a.tables)))
    if kind != "stamp":
        s_log = read_log(s_db, s_before.log_len)
        problem = check_order(g, s_before.rows, s_log)
        if problem:
            kinds.append("order")
            lines.append("      schemagate order: %s (steps: %s)"
                         % (problem, ", ".join("%s %s" % (d, r) for r, d in s_log)))
        problem = check_order(g, a_before.rows, read_log(a_db, a_before.log_len))
        if problem:  # the test's model of the graph, or an Alembic quirk: informative
            report.note("alembic-order", "%s: %s" % (ctx, problem))
    if kinds:
        report.fail("+".join(kinds), "%s\n      rows before: %s\n%s\n%s"
                    % (ctx, fmt_set(a_before.rows), "\n".join(lines), header))
    return not kinds


# --------------------------------------------------------------------------
# One graph
# --------------------------------------------------------------------------


def run_graph(report, seed, work, sg_bin, stats):
    g = make_graph(seed)
    rng = random.Random(seed * 7919 + 1)
    root = os.path.join(work, "g%d" % seed)
    os.makedirs(root)
    alembic_tool = AlembicTool(write_alembic(g, root))
    sg_tool = SchemagateTool(sg_bin, write_schemagate(g, root, random.Random(seed * 31 + 2)), g.ids()) if sg_bin else None
    header = "graph seed %d (%d revisions, dir %s)\n%s" % (seed, len(g.revs), root, g.describe())

    def where(what):
        return "seed %d: %s\n%s" % (seed, what, header)

    # Sanity of the generator against Alembic's own reading of the graph.
    a_heads = alembic_tool.heads()
    if a_heads != set(g.heads()):
        report.note("model", "seed %d: alembic heads %s, model %s" % (seed, fmt_set(a_heads), fmt_set(g.heads())))

    if sg_tool:
        code, s_heads, err = sg_tool.heads(os.path.join(root, "heads.db"))
        if code != 0 or s_heads != a_heads:
            report.fail("heads", where("heads\n      alembic:    %s\n      schemagate: %s (exit %d) %s"
                                       % (fmt_set(a_heads), fmt_set(s_heads), code, err.strip()[-300:])))
            return  # the rest would only repeat this

    # ---- the random operation sequence, on 3 databases:
    #      alembic only, schemagate only, and "mixed" (each op by a random tool).
    a_db, s_db, m_db = (os.path.join(root, n) for n in ("alembic.db", "sg.db", "mixed.db"))
    for db in (a_db, s_db, m_db):
        new_db(db)
    mixed_ok = True
    history = []
    for step in range(N_OPS):
        rows = read_state(a_db).rows
        op = random_op(rng, g, rows)
        history.append(op_text(op))
        ctx = "seed %d op %d `%s` (ops so far: %s)" % (seed, step + 1, op_text(op), "; ".join(history))
        a_before = read_state(a_db)
        a_ok, a_msg = alembic_tool.run(a_db, op)
        stats["ops"] += 1
        stats["alembic_errors"] += 0 if a_ok else 1
        if not sg_tool:
            if a_ok and op[0] != "stamp":
                problem = check_order(g, a_before.rows, read_log(a_db, a_before.log_len))
                if problem:
                    report.note("alembic-order", "%s: %s" % (ctx, problem))
            continue
        s_before = read_state(s_db)
        s_ok, s_msg = sg_tool.run(s_db, op)
        if a_ok != s_ok:
            cat = "alembic-fails-schemagate-succeeds" if not a_ok else "schemagate-fails-alembic-succeeds"
            report.fail(cat, "%s\n      rows before: %s\n      alembic:    %s\n      schemagate: %s\n%s"
                        % (ctx, fmt_set(a_before.rows), a_msg or "ok", s_msg or "ok", header))
            return
        if not a_ok and not s_msg.startswith("exit 3:"):
            report.note("exit-code", "%s: both failed; alembic %s; schemagate %s (expected exit 3)"
                        % (ctx, a_msg, s_msg))
        if not compare_after(report, ctx + "\n      alembic: " + (a_msg or "ok"), header,
                             a_db, s_db, a_before, s_before, g, op[0]):
            return
        # The mixed database must follow the Alembic one whatever tool runs the step.
        if mixed_ok:
            tool = sg_tool if rng.random() < 0.5 else alembic_tool
            m_ok, m_msg = tool.run(m_db, op)
            if m_ok != a_ok or not read_state(m_db).same(read_state(a_db)):
                m = read_state(m_db)
                a = read_state(a_db)
                report.fail("mixed-continuity",
                            "%s, run by %s on the mixed database: %s\n      alembic rows %s tables %s"
                            "\n      mixed   rows %s tables %s\n%s"
                            % (ctx, tool.name, m_msg or "ok", fmt_set(a.rows), fmt_set(a.tables),
                               fmt_set(m.rows), fmt_set(m.tables), header))
                mixed_ok = False

    if sg_tool:
        code, cur, err = sg_tool.current(s_db)
        a_rows = read_state(a_db).rows
        if code != 0 or cur != a_rows:
            report.fail("current", where("`current` after: %s\n      version table: %s\n      schemagate current: %s (exit %d) %s"
                                         % ("; ".join(history), fmt_set(a_rows), fmt_set(cur), code, err.strip()[-300:])))

    # ---- cross-tool continuity: part way by one tool, finished by the other.
    if not sg_tool:
        return
    mid = rng.choice(g.ids())
    pure = os.path.join(root, "pure.db")
    new_db(pure)
    alembic_tool.run(pure, ("upgrade", "heads", False))
    for first, second in ((alembic_tool, sg_tool), (sg_tool, alembic_tool)):
        db = os.path.join(root, "cont_%s.db" % first.name)
        new_db(db)
        ok1, msg1 = first.run(db, ("upgrade", mid, False))
        ok2, msg2 = second.run(db, ("upgrade", "heads", False))
        p, c = read_state(pure), read_state(db)
        if not (ok1 and ok2) or not p.same(c):
            report.fail("continuity",
                        where("upgrade %s by %s (%s), then upgrade heads by %s (%s)\n"
                              "      pure alembic: rows %s tables %s\n      continued:    rows %s tables %s"
                              % (mid, first.name, msg1 or "ok", second.name, msg2 or "ok",
                                 fmt_set(p.rows), fmt_set(p.tables), fmt_set(c.rows), fmt_set(c.tables))))
        # and back down part way by the second tool, compared with Alembic
        down = rng.choice(sorted(g.ancestors(p.rows)))
        ref = os.path.join(root, "ref_down.db")
        shutil.copy(pure, ref)
        ok_r, msg_r = alembic_tool.run(ref, ("downgrade", down, False))
        ok_c, msg_c = second.run(db, ("downgrade", down, False))
        r, c = read_state(ref), read_state(db)
        if ok_r != ok_c or not r.same(c):
            report.fail("continuity",
                        where("after the above, downgrade %s by %s (%s); alembic on a pure copy (%s)\n"
                              "      alembic:   rows %s tables %s\n      continued: rows %s tables %s"
                              % (down, second.name, msg_c or "ok", msg_r or "ok",
                                 fmt_set(r.rows), fmt_set(r.tables), fmt_set(c.rows), fmt_set(c.tables))))


# --------------------------------------------------------------------------


def find_binary():
    sg_bin = os.environ.get("SG_BIN", "")
    if sg_bin and os.access(sg_bin, os.X_OK):
        return os.path.abspath(sg_bin)
    return None


def main():
    print("alembic %s, base seed %d, %d graphs x %d ops" % (alembic.__version__, BASE_SEED, N_GRAPHS, N_OPS))
    sg_bin = None if ALEMBIC_ONLY else find_binary()
    if not sg_bin and not ALEMBIC_ONLY:
        print("FAIL: SG_BIN (%r) is not an executable schemagate binary. "
              "Set SG_DIFF_ALEMBIC_ONLY=1 to check the Alembic side alone." % os.environ.get("SG_BIN"))
        return 1
    # SQLite fsyncs every commit; on a busy disk that dominates the run time,
    # so prefer a RAM file system.
    tmp = os.environ.get("SG_DIFF_TMPDIR") or ("/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    work = tempfile.mkdtemp(prefix="sg-diff-", dir=tmp)
    report = Report()
    stats = {"ops": 0, "alembic_errors": 0}
    started = time.time()
    try:
        for i in range(N_GRAPHS):
            seed = BASE_SEED + i
            try:
                run_graph(report, seed, work, sg_bin, stats)
            except AlembicCrash as exc:
                report.note("alembic-crash", "seed %d: %s (graph skipped from there on)" % (seed, exc))
            except Exception:
                report.fail("test-crash", "seed %d:\n%s" % (seed, traceback.format_exc()))
    finally:
        if KEEP or report.failures:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d operations (%d rejected by Alembic) in %.1fs"
          % (stats["ops"], stats["alembic_errors"], time.time() - started))
    for cat, items in sorted(report.notes.items()):
        print("note [%s] x%d (not a failure), first: %s" % (cat, len(items), items[0]))
    if not report.failures:
        print("OK: schemagate agrees with Alembic" if sg_bin else "OK: Alembic side ran (no schemagate)")
        return 0
    total = sum(len(v) for v in report.failures.values())
    print("\nDISAGREEMENTS: %d (categories: %s)" % (
        total, ", ".join("%s=%d" % (k, len(v)) for k, v in sorted(report.failures.items()))))
    for cat, items in sorted(report.failures.items()):
        print("\n===== %s (%d) =====" % (cat, len(items)))
        for text in items:
            print("--- " + text)
    print("\nreproduce one graph: SG_DIFF_SEED=<seed> SG_DIFF_GRAPHS=1 SG_DIFF_KEEP=1 "
          "SG_BIN=%s /usr/bin/python3 %s" % (sg_bin, os.path.abspath(__file__)))
    return 1



def test_schemagate_agrees_with_alembic():
    """The whole run as one pytest case (ctest runs it under pytest; the
    report above goes to the captured output shown on failure)."""
    assert main() == 0, "schemagate and Alembic disagree: see the report in the captured stdout"


if __name__ == "__main__":
    # Run directly for the full report while reproducing a graph (README.md).
    sys.exit(main())
