#!/usr/bin/python3
"""End-to-end: the inspection commands print what Alembic 1.8 prints.

For a few graph shapes (linear, diamond with a labelled branch, several
bases, a cross-branch depends_on) the same graph is written as an Alembic
project and as schemagate files; `heads`, `branches`, `history`,
`history --verbose` and `show REV` of both are compared line by line. Known,
harmless differences are normalised: `Path:` lines (different files), the
order of comma lists that Alembic takes from a Python set (`Branches into:`,
the children under a branch point), and the order of revisions that the
graph leaves free (compared as sets, after checking ours is newest-first).
Alembic runs in-process with output captured; schemagate as $SG_BIN.
"""
import io
import os
import re
import sys

from cli_support import check, expect, sg, write_rev


# (id, down_revisions, message, branch_labels, depends_on)
SHAPES = {
    "linear": [("a1a1a1a1a1a1", [], "one", [], []),
               ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], "two", [], []),
               ("c3c3c3c3c3c3", ["b2b2b2b2b2b2"], "three", [], [])],
    "diamond_labelled": [("a1a1a1a1a1a1", [], "root", [], []),
                         ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], "branch point", [], []),
                         ("c3c3c3c3c3c3", ["b2b2b2b2b2b2"], "billing", ["billing"], []),
                         ("d4d4d4d4d4d4", ["c3c3c3c3c3c3"], "more billing", [], []),
                         ("e5e5e5e5e5e5", ["b2b2b2b2b2b2"], "visits", [], []),
                         ("f6f6f6f6f6f6", ["d4d4d4d4d4d4", "e5e5e5e5e5e5"], "merge", [], [])],
    "two_bases_depends": [("a1a1a1a1a1a1", [], "app root", ["app"], []),
                          ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], "app two", [], []),
                          ("c3c3c3c3c3c3", [], "lib root", ["lib"], []),
                          ("d4d4d4d4d4d4", ["c3c3c3c3c3c3"], "lib two", [], ["a1a1a1a1a1a1"]),
                          ("e5e5e5e5e5e5", ["b2b2b2b2b2b2"], "app three", [], [])],
    "open_heads": [("a1a1a1a1a1a1", [], "root", [], []),
                   ("b2b2b2b2b2b2", ["a1a1a1a1a1a1"], "left", [], []),
                   ("c3c3c3c3c3c3", ["a1a1a1a1a1a1"], "right", ["r"], []),
                   ("d4d4d4d4d4d4", ["a1a1a1a1a1a1"], "middle", [], [])],
}


def write_alembic(d, revs):
    versions = os.path.join(d, "versions")
    os.makedirs(versions)
    for rid, down, msg, labels, deps in revs:
        if not down:
            dr = "None"
        elif len(down) == 1:
            dr = repr(down[0])
        else:
            dr = repr(tuple(down))
        doc = "%s\n\nRevision ID: %s\nRevises: %s\nCreate Date: 2025-01-01 00:00:00\n\n" % (
            msg, rid, ", ".join(down))
        with open(os.path.join(versions, rid + ".py"), "w") as f:
            f.write('"""%s"""\nrevision = %r\ndown_revision = %s\nbranch_labels = %s\n'
                    "depends_on = %s\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n"
                    "    pass\n" % (doc, rid, dr, repr(tuple(labels)) if labels else "None",
                                    repr(tuple(deps)) if deps else "None"))
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write("")
    with open(os.path.join(d, "script.py.mako"), "w") as f:
        f.write("")


def alembic_output(d, fn, *args, **kw):
    from alembic import command
    from alembic.config import Config
    buf = io.StringIO()
    cfg = Config(stdout=buf)
    cfg.set_main_option("script_location", d)
    getattr(command, fn)(cfg, *args, **kw)
    return buf.getvalue()


def normalise(text):
    out = []
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith("Path: "):
            continue
        m = re.match(r"^(Branches into|Merges): (.*)$", line)
        if m:
            line = "%s: %s" % (m.group(1), ", ".join(sorted(m.group(2).split(", "))))
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def blocks(lines):
    """Splits on blank lines; each block sorted inside (child order is free)."""
    result, cur = [], []
    for l in lines + [""]:
        if l == "":
            if cur:
                result.append(tuple([cur[0]] + sorted(cur[1:])))
            cur = []
        else:
            cur.append(l)
    return sorted(result)


def entries(lines):
    """Verbose history: entries start with 'Rev: '; compared as a set."""
    result, cur = [], []
    for l in lines:
        if l.startswith("Rev: ") and cur:
            result.append(tuple(x for x in cur if x))
            cur = []
        cur.append(l)
    if cur:
        result.append(tuple(x for x in cur if x))
    return sorted(result)


def compare_shape(tmp, name):
    revs = SHAPES[name]
    alembic_dir = os.path.join(tmp, "alembic")
    write_alembic(alembic_dir, revs)
    m = os.path.join(tmp, "migrations")
    os.makedirs(m)
    for rid, down, msg, labels, deps in revs:
        write_rev(m, rid, ", ".join(down), msg, "SELECT 1;", "SELECT 1;",
                  labels=",".join(labels), depends=",".join(deps))
    a = ["--migrations", m, "--url", "sqlite:///" + os.path.join(tmp, "none.db")]

    def ours(*args):
        out, _ = expect(sg(*a, *args, cwd=tmp), 0, "schemagate " + " ".join(args))
        return out

    theirs = normalise(alembic_output(alembic_dir, "heads"))
    mine = normalise(ours("heads"))
    check(sorted(mine) == sorted(theirs), "%s heads:\n%s\nvs alembic:\n%s" % (name, mine, theirs))

    theirs = blocks(normalise(alembic_output(alembic_dir, "branches")))
    mine = blocks(normalise(ours("branches")))
    check(mine == theirs, "%s branches:\n%s\nvs alembic:\n%s" % (name, mine, theirs))

    theirs = normalise(alembic_output(alembic_dir, "history"))
    mine = normalise(ours("history"))
    check(sorted(mine) == sorted(theirs), "%s history:\n%s\nvs alembic:\n%s"
          % (name, "\n".join(mine), "\n".join(theirs)))
    seen = set()
    for line in mine:  # newest first: a revision comes before its parents
        rid = line.split(" -> ")[1].split()[0].rstrip(",")
        parents = [p for p in line.split(" -> ")[0].split(" (")[0].split(", ") if p != "<base>"]
        check(rid not in seen, "history lists %s twice" % rid)
        for p in parents:
            check(p not in seen, "%s history: parent %s before %s" % (name, p, rid))
        seen.add(rid)

    theirs = entries(normalise(alembic_output(alembic_dir, "history", verbose=True)))
    mine = entries(normalise(ours("history", "--verbose")))
    check(mine == theirs, "%s history --verbose:\n%s\nvs alembic:\n%s" % (name, mine, theirs))

    for rid, *_ in revs:
        theirs = normalise(alembic_output(alembic_dir, "show", rid))
        mine = normalise(ours("show", rid))
        check(mine == theirs, "%s show %s:\n%s\nvs alembic:\n%s"
              % (name, rid, "\n".join(mine), "\n".join(theirs)))


def test_linear(tmp):
    compare_shape(tmp, "linear")


def test_diamond_labelled(tmp):
    compare_shape(tmp, "diamond_labelled")


def test_two_bases_depends(tmp):
    compare_shape(tmp, "two_bases_depends")


def test_open_heads(tmp):
    compare_shape(tmp, "open_heads")


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
