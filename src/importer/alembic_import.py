"""schemagate import alembic: Alembic renders an Alembic project's revisions.

Embedded in the schemagate binary and run by `schemagate import alembic` with a
Python that can import alembic. It never runs the project's env.py: it loads
the versions directory with Alembic's script API and calls each revision's
upgrade()/downgrade() inside an offline (as_sql) MigrationContext of each
requested dialect that it sets up itself. Alembic's own version-table
statements and transaction wrapping are never produced (run_migrations and
begin_transaction are not called).

What offline mode cannot capture is flagged, never dropped: a revision that
calls op.get_bind()/context.get_bind(), asks context.is_offline_mode(), whose
module cannot be imported, or that fails to render gets its Python quoted in
comments under a marker line (given by schemagate with --marker) that makes
`schemagate verify` and `run` fail until a person writes the SQL.

Output: JSON lines on the file descriptor that was stdout when the script
started (schemagate parses them; no value can break the framing). Whatever the
project's modules write to stdout, through Python or to file descriptor 1,
goes to stderr instead. One object per line, by "type":
    loading    {"file"}: about to import a revision module
    rendering  {"file", "function", "dialect"}: about to call upgrade()/downgrade()
    revision   {"revision", "down_revision": [..], "branch_labels": [..],
                "depends_on": [..], "message", "create_date", "file_name",
                "source", "transaction": bool, "flags": [..], "notes": [..],
                "body"}: one revision, converted
    unimported {"source", "reason"}: a file of versions/ that is not a revision
                schemagate can write (no usable id): a person must
    ignored    {"source", "reason"}: a file of versions/ Alembic ignores too
    error      {"message"}: the project cannot be read (then exit status 2)
    end        {"revisions", "unimported"}: the last line. Without it the
               output is incomplete, and the last loading/rendering line
               names the file that stopped it (os._exit(), a crash, a kill).
"""
import argparse
import ast
import datetime
import inspect
import io
import json
import os
import re
import sqlite3
import sys
import textwrap
import tokenize
import traceback

try:
    from alembic.config import Config
    from alembic.operations import Operations
    from alembic.runtime.environment import EnvironmentContext
    from alembic.runtime.migration import MigrationContext
    from alembic.script import Script, ScriptDirectory
    from alembic.util import CommandError
except ImportError as e:  # schemagate checks first; this is a last resort
    sys.stderr.write("cannot import alembic: %s\n" % e)
    sys.exit(2)

DIALECTS = ("postgresql", "mysql", "sqlite")


class ProjectError(Exception):
    """A problem with the project as a whole (exit status 2)."""


# --- the project --------------------------------------------------------------

def open_project(args):
    """Returns (Config, ScriptDirectory, has_file_template)."""
    ini = args.config
    if args.from_dir:
        d = os.path.abspath(args.from_dir)
        if not os.path.isdir(d):
            raise ProjectError("--from %s: not a directory" % args.from_dir)
        for cand in (os.path.join(d, "alembic.ini"), os.path.join(d, "migrations", "alembic.ini")):
            if os.path.isfile(cand):
                ini = cand
                break
        else:
            if not os.path.isdir(os.path.join(d, "versions")):
                raise ProjectError("--from %s: no alembic.ini and no versions/ folder there"
                                   % args.from_dir)
            cfg = Config()
            cfg.set_main_option("script_location", d)
            return cfg, script_directory(cfg), False
    ini = os.path.abspath(ini)
    if not os.path.isfile(ini):
        raise ProjectError("--config %s: no such file" % args.config)
    # Alembic resolves a relative script_location from where `alembic` runs:
    # next to alembic.ini.
    os.chdir(os.path.dirname(ini))
    cfg = Config(ini)
    try:
        location = cfg.get_main_option("script_location")
    except Exception as e:  # noqa: BLE001 - a broken ini
        raise ProjectError("%s: %s" % (ini, e))
    if not location:
        # Flask-Migrate: migrations/alembic.ini without script_location; the
        # folder holding it is the script directory.
        here = os.path.dirname(ini)
        if not os.path.isdir(os.path.join(here, "versions")):
            raise ProjectError("%s has no script_location and no versions/ folder beside it"
                               % ini)
        cfg.set_main_option("script_location", here)
    has_template = cfg.get_main_option("file_template") is not None
    return cfg, script_directory(cfg), has_template


def script_directory(cfg):
    try:
        return ScriptDirectory.from_config(cfg)
    except CommandError as e:
        raise ProjectError(str(e))


def default_dialect(cfg):
    try:
        url = cfg.get_main_option("sqlalchemy.url")
    except Exception:  # noqa: BLE001 - %(here)s style interpolation problems
        url = None
    if not url:
        return None
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql",
            "mariadb": "mysql", "sqlite": "sqlite"}.get(scheme)


# --- one revision file ----------------------------------------------------------

class Rev:
    def __init__(self, path):
        self.path = path
        self.module = None
        self.import_error = None
        self.revision = None
        self.down = ()
        self.labels = ()
        self.depends = ()
        self.longdoc = ""
        self.source = ""
        self.flags = []
        self.notes = []
        self.transactional = True
        self.bodies = {}  # direction -> section text

    @property
    def doc(self):
        return re.split("\n\n", self.longdoc)[0]

    @property
    def create_date(self):
        m = re.search(r"^\s*Create Date:\s*(.+?)\s*$", self.longdoc, re.M)
        return m.group(1) if m else ""


def as_tuple(v):
    if v is None:
        return ()
    if isinstance(v, (list, tuple, set, frozenset)):
        return tuple(v)
    return (v,)


def check_identity(r):
    """Raises Unimported unless every id, label and dependency is a string
    (schemagate checks their characters when it writes the header)."""
    for what, values in (("down_revision", r.down), ("branch_labels", r.labels),
                         ("depends_on", r.depends)):
        for v in values:
            if not isinstance(v, str):
                raise Unimported("its %s holds %r: Alembic needs strings" % (what, v))
    return r


class Unimported(Exception):
    """A file of versions/ that cannot become a revision file: no usable id."""


def load_revisions(script_dir, out):
    """Every revision file of the version locations, imported with Alembic's
    Script loader; a file that cannot be imported is read with ast instead.
    Every regular file is accounted for: a revision, or an `unimported` or
    `ignored` record."""
    revs = []
    for location in script_dir._version_locations:
        if not os.path.isdir(location):
            continue
        for name in sorted(os.listdir(location)):
            path = os.path.join(location, name)
            if not os.path.isfile(path):
                continue  # __pycache__ and other folders
            if not name.endswith(".py") or name.startswith((".", "__")):
                out.record("ignored", source=rel(path),
                           reason="not a revision module (Alembic ignores it too)")
                continue
            out.record("loading", file=rel(path))
            try:
                revs.append(load_one(script_dir, location, name))
            except Unimported as e:
                out.record("unimported", source=rel(path), reason=str(e))
    return revs


def read_source(path):
    """The file's text, decoded as Python decodes source (PEP 263: a BOM or a
    coding cookie, else UTF-8)."""
    try:
        with tokenize.open(path) as f:
            return f.read()
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        raise Unimported("cannot be read as Python source (%s: %s)" % (type(e).__name__, e))


def load_one(script_dir, location, name):
    r = Rev(os.path.join(location, name))
    r.source = read_source(r.path)
    try:
        script = Script._from_filename(script_dir, location, name)
    except BaseException as e:  # noqa: BLE001 - the application is not importable here
        r.import_error = "%s: %s" % (type(e).__name__, e)
        return from_ast(r)
    if script is None:
        raise Unimported("Alembic's loader does not take it as a revision file")
    if not isinstance(script.revision, str) or not script.revision.strip():
        raise Unimported("its revision id is %r: Alembic needs a non-empty string"
                         % (script.revision,))
    r.module = script.module
    r.revision = script.revision
    r.down = as_tuple(script.down_revision)
    r.labels = tuple(sorted(as_tuple(script.branch_labels), key=str))
    r.depends = as_tuple(script.dependencies)
    r.longdoc = script.longdoc
    return check_identity(r)


def from_ast(r):
    try:
        tree = ast.parse(r.source, r.path)
    except SyntaxError as e:
        raise Unimported("cannot be imported here (%s)" % r.import_error)
    values = {}
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        for t in targets:
            try:
                values[t] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):
                pass
    if not isinstance(values.get("revision"), str) or not values["revision"].strip():
        assigned = any(isinstance(n, (ast.Assign, ast.AnnAssign)) and "revision" in (
            [t.id for t in n.targets if isinstance(t, ast.Name)] if isinstance(n, ast.Assign)
            else [getattr(n.target, "id", None)]) for n in tree.body)
        why = ("its revision id is %r: Alembic needs a non-empty string" % values["revision"]
               if "revision" in values else
               "its revision id is not a literal" if assigned else "it assigns no revision id")
        raise Unimported("cannot be imported here (%s), and %s; write this revision by hand"
                         % (r.import_error, why))
    r.revision = values["revision"]
    r.down = as_tuple(values.get("down_revision"))
    r.labels = tuple(sorted(as_tuple(values.get("branch_labels")), key=str))
    r.depends = as_tuple(values.get("depends_on"))
    r.longdoc = (ast.get_docstring(tree, clean=False) or "").strip()
    r.flags.append("the module cannot be imported here (%s)" % r.import_error)
    return check_identity(r)


def function_source(r, name):
    """The source of def `name` in the revision file, or ''."""
    try:
        tree = ast.parse(r.source)
    except SyntaxError:
        return ""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            lines = r.source.splitlines()[start - 1:node.end_lineno]
            return "\n".join(lines)
    return ""


# Names whose presence in upgrade()/downgrade() means offline SQL may not be
# what the Python does online, even on a path the offline run did not take.
CONNECTION_NAMES = {"get_bind": "reads from the connection (get_bind())",
                    "is_offline_mode": "branches on context.is_offline_mode()",
                    "inspect": "inspects the live database (inspect())",
                    "execution_options": "sets connection execution options"}


def static_reasons(r, name):
    src = function_source(r, name)
    if not src:
        return []
    try:
        tree = ast.parse(textwrap.dedent(src))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        ident = node.attr if isinstance(node, ast.Attribute) else (
            node.id if isinstance(node, ast.Name) else None)
        if ident in CONNECTION_NAMES and CONNECTION_NAMES[ident] not in found:
            found.append(CONNECTION_NAMES[ident])
    return found


# --- rendering --------------------------------------------------------------------

class Shadow:
    """An in-memory SQLite database holding the schema at one revision, built
    from the SQLite SQL rendered so far: what batch_alter_table reflects the
    table from in --sql mode (Alembic itself needs a live connection there)."""

    # Statements that change no schema: one that fails on the empty tables
    # here (a function SQLite lacks, say) does not stop the reflection.
    DATA_WORDS = ("insert", "update", "delete", "replace", "with", "select")

    def __init__(self, sql_texts):
        import sqlalchemy as sa
        self.engine = sa.create_engine("sqlite://")
        raw = self.engine.raw_connection()
        try:
            for text in sql_texts:
                for stmt in self.statements(text):
                    try:
                        raw.execute(stmt)
                    except sqlite3.Error:
                        if stmt.split(None, 1)[0].lower() not in self.DATA_WORDS:
                            raise
            raw.commit()
        finally:
            raw.close()

    @staticmethod
    def statements(text):
        stmt = ""
        for line in text.splitlines(keepends=True):
            stmt += line
            if sqlite3.complete_statement(stmt):
                if stmt.strip():
                    yield stmt
                stmt = ""
        if stmt.strip():
            yield stmt

    def table(self, name, schema=None):
        import sqlalchemy as sa
        return sa.Table(name, sa.MetaData(), autoload_with=self.engine, schema=schema)


class Renderer:
    def __init__(self, cfg, script_dir, version_table, revs, out):
        self.out = out
        self.cfg = cfg
        self.script_dir = script_dir
        self.version_table = version_table
        self.by_id = {r.revision: r for r in revs}
        self.sqlite_up = {}  # revision -> rendered SQLite upgrade SQL

    def ancestors(self, rev):
        """rev's ancestors (down_revision and depends_on closure) in an order
        where each comes after its parents."""
        seen, order = set(), []

        def visit(rid):
            if rid in seen or rid not in self.by_id:
                return
            seen.add(rid)
            for p in self.by_id[rid].down + self.by_id[rid].depends:
                visit(p)
            order.append(rid)
        for p in rev.down + rev.depends:
            visit(p)
        return order

    def shadow_for(self, rev, direction, so_far):
        """The schema at this point of rev's `direction`: the ancestors'
        upgrades, rev's own upgrade for a downgrade, then `so_far`, the SQLite
        SQL this function rendered before the batch (a drop_index before the
        batch must not come back with the copy)."""
        ids = self.ancestors(rev) + ([rev.revision] if direction == "downgrade" else [])
        texts = []
        for rid in ids:
            if rid not in self.sqlite_up:
                raise RuntimeError("batch_alter_table needs revision %s rendered for sqlite first"
                                   % rid)
            texts.append(self.sqlite_up[rid])
        return Shadow(texts + [so_far])

    def render(self, rev, direction, dialect):
        """(sql, reasons, error): the offline SQL of rev's direction for dialect."""
        fn = getattr(rev.module, direction, None)
        if fn is None:
            return None, [], None
        self.out.record("rendering", file=rel(rev.path), function=direction + "()",
                        dialect=dialect)
        buf = io.StringIO()
        mc = MigrationContext.configure(dialect_name=dialect, opts={
            "as_sql": True, "output_buffer": buf, "literal_binds": True,
            "version_table": self.version_table})
        reasons = []
        renderer = self

        op = Operations(mc)
        plain_get_bind, plain_batch = op.get_bind, op.batch_alter_table

        def get_bind():
            if "reads from the connection (get_bind())" not in reasons:
                reasons.append("reads from the connection (get_bind())")
            return plain_get_bind()

        def batch_alter_table(table_name, *a, **kw):
            if dialect == "sqlite" and kw.get("copy_from") is None:
                kw["copy_from"] = renderer.shadow_for(rev, direction, buf.getvalue()).table(
                    table_name, kw.get("schema"))
                rev.notes.append("%s(): batch_alter_table(%r) rendered for sqlite from the "
                                 "table as it stands at that point of the revision"
                                 % (direction, table_name))
            return plain_batch(table_name, *a, **kw)
        # The module-level `op` proxy calls these through the instance.
        op.get_bind, op.batch_alter_table = get_bind, batch_alter_table

        def autocommit():
            if rev.transactional:
                rev.transactional = False
                rev.notes.append("uses autocommit_block(): written with transaction: false")
            # Offline Alembic would print COMMIT/BEGIN around the block.
            from contextlib import nullcontext
            return nullcontext()
        mc.autocommit_block = autocommit

        keep_tabs(mc.impl, reasons)
        env = EnvironmentContext(self.cfg, self.script_dir)
        env._migration_context = mc
        env.is_offline_mode = lambda: (reasons.append("branches on context.is_offline_mode()")
                                       or True)
        env.get_bind = lambda: (reasons.append("reads from the connection (get_bind())")
                                or mc.bind)
        op._install_proxy()
        env._install_proxy()
        try:
            fn()
            error = None
        except BaseException as e:  # noqa: BLE001 - flagged with the error
            error = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip()
                                else "")
            tb = traceback.extract_tb(e.__traceback__)
            for frame in reversed(tb):
                if os.path.abspath(frame.filename) == os.path.abspath(rev.path):
                    error += " (line %d)" % frame.lineno
                    break
        finally:
            env._remove_proxy()
            op._remove_proxy()
        return buf.getvalue(), reasons, error


# The first words of a statement that ends or opens a transaction (the words
# schemagate refuses in a transactional revision, src/script/tx_control.cpp).
TX_CONTROL = re.compile(
    r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*"
    r"(commit|end|abort|start\s+transaction|prepare\s+transaction"
    r"|begin(?!\s+not\s+atomic\b)"
    r"|rollback(?!\s+(?:work\s+|transaction\s+)?to\b))\b", re.I | re.S)


def transaction_reason(sql):
    m = TX_CONTROL.match(sql)
    if not m:
        return None
    word = " ".join(m.group(1).upper().split())
    return ("runs %s through op.execute() (Alembic's idiom to leave its transaction; "
            "schemagate owns the revision's transaction: write the statements without it, "
            "with `-- transaction: false` in the header if they must run outside one)" % word)


def keep_tabs(impl, reasons):
    """Alembic's offline output turns every tab into four spaces, inside string
    literals of op.execute() too; online, the text reaches the database as
    written (SQLite even keeps CREATE TABLE's text). Render as online does.
    A statement that commits or opens a transaction (op.execute('COMMIT'))
    is a reason to flag the direction."""
    from sqlalchemy import schema, text

    def _exec(construct, execution_options=None, multiparams=(), params=None):
        if isinstance(construct, str):
            construct = text(construct)
        if multiparams or params:
            raise Exception("Execution arguments not allowed with as_sql")
        kw = {}
        if impl.literal_binds and not isinstance(construct, schema.DDLElement):
            kw = {"compile_kwargs": {"literal_binds": True}}
        sql = str(construct.compile(dialect=impl.dialect, **kw)).strip()
        reason = transaction_reason(sql)
        if reason and reason not in reasons:
            reasons.append(reason)
        impl.static_output(sql + impl.command_terminator)
    impl._exec = _exec


def comment(text, indent="    "):
    return "".join("--" + ((" " + indent + line) if line.strip() else "") + "\n"
                   for line in text.rstrip().splitlines())


def rel(path):
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def flagged_section(marker, rev, direction, reasons, rendered):
    out = "%s %s in %s; write this section as SQL, then delete this line\n" % (
        marker, "; ".join(reasons), direction + "()")
    src = function_source(rev, direction)
    out += "-- The Python of %s():\n" % direction
    out += comment(src) if src else "--     (not found in %s)\n" % rel(rev.path)
    texts = {}
    for dialect, sql in rendered:
        if sql and sql.strip():
            texts.setdefault(clean_sql(sql), []).append(dialect)
    for sql, dialects in texts.items():
        out += "-- What Alembic's offline mode rendered for %s (check it does what the " \
               "Python does online):\n" % ", ".join(dialects)
        out += comment(sql)
    return out


def direction_sections(renderer, rev, direction, dialects, marker):
    """The text of rev's sections for one direction."""
    if rev.module is None:
        reasons = list(dict.fromkeys(rev.flags))
        if not function_source(rev, direction) and direction == "downgrade":
            return ""
        return "-- +%s\n%s" % (direction, flagged_section(marker, rev, direction, reasons, []))
    if getattr(rev.module, direction, None) is None:
        if direction == "upgrade":
            return "-- +upgrade\n%s no upgrade() in %s\n" % (marker, rel(rev.path))
        return ""  # no downgrade(): Alembic cannot downgrade it either
    reasons = static_reasons(rev, direction)
    rendered, errors = [], {}
    for d in dialects:
        sql, dyn, error = renderer.render(rev, direction, d)
        for reason in dyn:
            if reason not in reasons:
                reasons.append(reason)
        if error:
            errors.setdefault(error, []).append(d)
        rendered.append((d, sql or ""))
        if d == "sqlite" and direction == "upgrade" and not error:
            renderer.sqlite_up[rev.revision] = sql or ""
    connection_reasons = list(reasons)
    for error, ds in errors.items():
        if connection_reasons:
            break  # a consequence of the mock connection: the reasons above say why
        where = "" if len(ds) == len(dialects) else " for " + ", ".join(ds)
        reasons.append("fails to render%s (%s)" % (where, error))
    if reasons:
        for reason in reasons:
            rev.flags.append("%s(): %s" % (direction, reason))
        return "-- +%s\n%s" % (direction, flagged_section(marker, rev, direction, reasons,
                                                           rendered))
    texts = [clean_sql(sql) for _, sql in rendered]
    if all(t == texts[0] for t in texts):
        return "-- +%s\n%s" % (direction, texts[0])
    return "".join("-- +%s %s\n%s\n" % (direction, d, t) for (d, _), t in zip(rendered, texts))


def clean_sql(sql):
    """Alembic's output with runs of blank lines collapsed."""
    text = re.sub(r"\n{3,}", "\n\n", sql.strip("\n"))
    return text + "\n" if text else ""


def topological(revs):
    by_id = {r.revision: r for r in revs}
    seen, order = set(), []

    def visit(r):
        if r.revision in seen:
            return
        seen.add(r.revision)
        for p in r.down + r.depends:
            if p in by_id:
                visit(by_id[p])
        order.append(r)
    for r in revs:
        visit(r)
    return order


# --- output -------------------------------------------------------------------------

def one_line(s):
    return " ".join(str(s).split())


def file_name(script_dir, has_template, rev):
    """The file name from the project's file_template (Alembic's own
    _rev_path), else '' (schemagate's default) unless the date is unusable."""
    created = None
    try:
        if len(rev.create_date) >= 16:  # schemagate's names need the minute
            created = datetime.datetime.fromisoformat(rev.create_date)
    except ValueError:
        pass
    if has_template and created is not None:
        try:
            path = script_dir._rev_path(".", rev.revision, rev.doc, created)
            return os.path.basename(path)[:-3] + ".sql"
        except Exception:  # noqa: BLE001 - fall back to the file's own name
            pass
    if has_template or created is None:
        return os.path.splitext(os.path.basename(rev.path))[0] + ".sql"
    return ""


class Output:
    """The JSON lines of the protocol (see the top), each written and flushed
    whole, on a file descriptor of their own."""

    def __init__(self, fd):
        self.f = os.fdopen(fd, "w", encoding="ascii", newline="\n")
        self.counts = {}

    def record(self, kind, **fields):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        fields["type"] = kind
        self.f.write(json.dumps(fields, ensure_ascii=True, sort_keys=True) + "\n")
        self.f.flush()


def emit(out, rev, name, body):
    out.record("revision", revision=rev.revision, down_revision=list(rev.down),
               branch_labels=list(rev.labels), depends_on=list(rev.depends),
               message=one_line(rev.doc), create_date=one_line(rev.create_date),
               file_name=name, source=rel(rev.path), transaction=rev.transactional,
               flags=[one_line(f) for f in dict.fromkeys(rev.flags)],
               notes=[one_line(n) for n in dict.fromkeys(rev.notes)], body=body)


def main():
    # The records go to a file descriptor of their own (a copy of the real
    # stdout); anything the project's modules print while they load or run,
    # through sys.stdout or straight to file descriptor 1, goes to stderr.
    out = Output(os.dup(1))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    p = argparse.ArgumentParser()
    p.add_argument("--config")
    p.add_argument("--from", dest="from_dir")
    p.add_argument("--dialects", default="")
    p.add_argument("--fallback-dialect", default="")
    p.add_argument("--version-table", default="")
    p.add_argument("--marker", required=True)
    args = p.parse_args()
    try:
        cfg, script_dir, has_template = open_project(args)
        dialects = [d for d in args.dialects.split(",") if d] or \
            [default_dialect(cfg) or args.fallback_dialect]
        if not dialects[0]:
            raise ProjectError("the project's sqlalchemy.url names no dialect: "
                               "give --dialect postgresql, mysql or sqlite")
        version_table = args.version_table or cfg.get_main_option("version_table") or \
            "alembic_version"
        revs = load_revisions(script_dir, out)
        if not revs and not out.counts.get("unimported"):
            raise ProjectError("no revision files in %s"
                               % ", ".join(script_dir._version_locations))
    except ProjectError as e:
        out.record("error", message=str(e))
        return 2
    sys.stderr.write("importing %d revisions from %s for %s\n"
                     % (len(revs), rel(script_dir.dir), ", ".join(dialects)))
    renderer = Renderer(cfg, script_dir, version_table, revs, out)
    order = topological(revs)
    bodies = {}
    for rev in order:
        bodies[rev.revision] = (direction_sections(renderer, rev, "upgrade", dialects, args.marker)
                                + "\n")
    for rev in order:
        down = direction_sections(renderer, rev, "downgrade", dialects, args.marker)
        if down:
            bodies[rev.revision] += down
        emit(out, rev, file_name(script_dir, has_template, rev), bodies[rev.revision])
    out.record("end", revisions=len(order), unimported=out.counts.get("unimported", 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
