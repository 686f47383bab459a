"""schemagate's SQLAlchemy models renderer: a MetaData rendered to DDL.

Embedded in the schemagate binary (src/schematool/models.cpp) and run with a
Python that can import SQLAlchemy 1.4 or newer for the `sqlalchemy:MODULE:ATTR`
schema source (`diff --to/--from`, `revision --autogenerate --sqlalchemy`).

It imports MODULE with the given working directory first on sys.path, takes
ATTR (a dotted path is allowed: `app.models:Base` or `app:db.metadata`),
which is a MetaData or has one as `.metadata` (a declarative Base, a
Flask-SQLAlchemy `db`), and renders for each requested dialect exactly what
`metadata.create_all()` would execute on an empty database of that dialect:
it calls create_all() on SQLAlchemy's mock engine (no database, no DBAPI),
so the order is create_all's (dependency order, enum types before the tables
that use them, foreign keys of cycles added after the tables), and DDL attached
to the metadata's or tables' create events (a CREATE VIEW, a trigger) is
rendered too, in its place.

Output: JSON lines on the file descriptor that was stdout when the script
started; whatever the models print goes to stderr. One object per line, by
"type":
    loading {"module"}: about to import the module (its top-level code runs)
    ddl     {"dialect", "sql", "statements"}: the statements for one dialect,
            each ending with ';', separated by a blank line
    timing  {"import_sqlalchemy", "import_models", "render"}: seconds
    error   {"kind", "message"}: kind is no_sqlalchemy (exit status 3: try
            another Python), or import, attribute, type, render, usage
            (exit status 2)
    end     {}: the last line; without it the output is incomplete
"""
import argparse
import importlib
import json
import os
import sys
import time
import traceback

DIALECTS = {"sqlite": "sqlite://", "postgresql": "postgresql://", "mysql": "mysql://"}


class Output:
    """The JSON lines of the protocol, each written and flushed whole."""

    def __init__(self, fd):
        self.f = os.fdopen(fd, "w", encoding="ascii", newline="\n")

    def record(self, record_type, **fields):
        fields["type"] = record_type
        self.f.write(json.dumps(fields, ensure_ascii=True, sort_keys=True) + "\n")
        self.f.flush()


class Failure(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


def python_error(e):
    """The Python error as one or a few lines, with the innermost file:line."""
    text = "".join(traceback.format_exception_only(type(e), e)).strip()
    tb = traceback.extract_tb(e.__traceback__) if e.__traceback__ else []
    # The innermost frame that is not this script or importlib's machinery.
    where = ""
    machinery = os.path.dirname(importlib.__file__)
    for frame in reversed(tb):
        if (frame.filename != __file__ and not frame.filename.startswith("<frozen")
                and not frame.filename.startswith(machinery)):
            where = "%s:%d" % (frame.filename, frame.lineno)
            break
    if where and not isinstance(e, SyntaxError):
        text += " (at %s)" % where
    return text


def load_metadata(target, out):
    import sqlalchemy
    module, sep, attr = target.partition(":")
    if not sep or not module or not attr:
        raise Failure("usage", "'%s' is not MODULE:ATTR (e.g. myapp.models:Base)" % target)
    out.record("loading", module=module)
    try:
        obj = importlib.import_module(module)
    except BaseException as e:  # noqa: BLE001 - SystemExit, KeyboardInterrupt at import too
        raise Failure("import", "importing %s failed: %s" % (module, python_error(e)))
    path = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise Failure("attribute", "%s has no attribute '%s'" % (path, part))
        except BaseException as e:  # noqa: BLE001 - a property that raises
            raise Failure("attribute", "reading %s.%s failed: %s" % (path, part, python_error(e)))
        path += "." + part
    if isinstance(obj, sqlalchemy.MetaData):
        return obj
    md = getattr(obj, "metadata", None)
    if isinstance(md, sqlalchemy.MetaData):
        return md
    raise Failure("type", "%s (of type %s) is not a sqlalchemy MetaData nor an object with one "
                          "as .metadata (a declarative Base)" % (path, type(obj).__name__))


def render(md, dialect):
    import sqlalchemy
    statements = []

    def executor(sql, *multiparams, **params):
        text = str(sql.compile(dialect=engine.dialect)).strip()
        if not text:
            return
        if not text.endswith(";"):
            text += ";"
        statements.append(text)

    # paramstyle named: no '%' doubling in the rendered text (a CHECK with
    # LIKE 'a%' stays as written).
    engine = sqlalchemy.create_mock_engine(DIALECTS[dialect], executor, paramstyle="named")
    try:
        md.create_all(engine, checkfirst=False)
    except Exception as e:  # noqa: BLE001
        raise Failure("render", "rendering for %s failed: %s" % (dialect, python_error(e)))
    return statements


def main():
    out = Output(os.dup(1))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--dialects", required=True)
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    t0 = time.monotonic()
    try:
        import sqlalchemy
    except ImportError as e:
        out.record("error", kind="no_sqlalchemy", message="cannot import sqlalchemy: %s" % e)
        return 3
    version = tuple(int(x) for x in sqlalchemy.__version__.split(".")[:2] if x.isdigit())
    if version < (1, 4):
        out.record("error", kind="no_sqlalchemy",
                   message="SQLAlchemy %s found; 1.4 or newer is needed" % sqlalchemy.__version__)
        return 3
    t1 = time.monotonic()
    workdir = os.path.abspath(args.workdir)
    sys.path.insert(0, workdir)
    os.chdir(workdir)
    try:
        dialects = [d for d in args.dialects.split(",") if d]
        for d in dialects:
            if d not in DIALECTS:
                raise Failure("usage", "unknown dialect %s" % d)
        md = load_metadata(args.target, out)
        t2 = time.monotonic()
        for d in dialects:
            statements = render(md, d)
            out.record("ddl", dialect=d, sql="\n\n".join(statements) + ("\n" if statements else ""),
                       statements=len(statements))
        t3 = time.monotonic()
    except Failure as e:
        out.record("error", kind=e.kind, message=str(e))
        return 2
    out.record("timing", import_sqlalchemy=round(t1 - t0, 4), import_models=round(t2 - t1, 4),
               render=round(t3 - t2, 4))
    out.record("end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
