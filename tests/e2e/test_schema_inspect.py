"""`inspect` and `diff` against real databases (SQLite, PostgreSQL 15, MariaDB 10.11):
the inspect round trip over a rich schema, SQLAlchemy's reflection as an
independent reader, drift after changes made by hand, the dev database rules
and bad input. Run: SG_BIN=build/schemagate /usr/bin/python3 -m pytest -q tests/e2e/test_schema_inspect.py [-k case|backend]"""
import json
import os
import sys

import pytest

import cli_support as cs
import schema_support as ss


def table(doc, name):
    for t in doc["tables"]:
        if t["name"] == name:
            return t
    raise AssertionError("no table %s in %s" % (name, [t["name"] for t in doc["tables"]]))


def rich(db, url):
    db.execute(url, ss.RICH[db.name])


def dev_args(db):
    """--dev-url of a fresh empty database (server dialects)."""
    return [] if db.name == "sqlite" else ["--dev-url", db.fresh()]


def inspect_round_trip(db, tmp):
    a = db.fresh()
    rich(db, a)
    doc = ss.inspect_json(a, tmp)
    check = cs.check
    check(doc["format_version"] == 1 and doc["dialect"] == db.name, "header: %s" % doc["dialect"])
    check(sorted(t["name"] for t in doc["tables"]) == ["customers", "lines", "orders"],
          "tables: %s" % [t["name"] for t in doc["tables"]])
    orders = table(doc, "orders")
    check(orders["primary_key"]["columns"] == ["customer_id", "n"], "composite pk: %s" % orders["primary_key"])
    fk = [f for f in table(doc, "lines")["foreign_keys"]]
    check(len(fk) == 1 and fk[0]["columns"] == ["customer_id", "n"] and fk[0]["on_delete"] == "CASCADE"
          and fk[0]["on_update"] == "CASCADE" and fk[0]["references"]["table"] == "orders", "lines fk: %s" % fk)
    check([c for c in orders["check_constraints"] if "total" in c["expression"]], "check: %s" % orders)
    total = [c for c in orders["columns"] if c["name"] == "total"][0]
    check(total["default"] is not None and not total["nullable"], "default: %s" % total)
    check([v["name"] for v in doc["views"]] == ["big_orders"], "views: %s" % doc["views"])
    if db.name != "mysql":
        idx = {i["name"]: i for i in orders["indexes"]}
        check(idx["orders_open"]["where"], "partial index: %s" % idx)
        cidx = {i["name"]: i for i in table(doc, "customers")["indexes"]}
        check(cidx["customers_email_lower"]["unique"] and "lower" in cidx["customers_email_lower"]["columns"][0],
              "expression index: %s" % cidx)
    if db.name == "postgresql":
        check(doc["enums"] == [{"name": "mood", "values": ["sad", "ok", "happy"]}], "enum: %s" % doc["enums"])
    # The SQL output applies to an empty database and inspects back the same.
    statements = ss.inspect_sql(a, tmp)
    b = db.fresh()
    db.execute(b, statements)
    doc_b = ss.inspect_json(b, tmp)
    check(doc_b == doc, "round trip differs:\n%s\n---\n%s" % (json.dumps(doc, indent=1), json.dumps(doc_b, indent=1)))
    out, _ = cs.expect(cs.sg("diff", "--from", a, "--to", b, cwd=tmp), 0, "diff of equal databases")
    check("no differences" in out, out)
    # A directory of .sql files, applied in name order, is a source too.
    d = os.path.join(tmp, "schema_dir")
    os.mkdir(d)
    half = len(ss.RICH[db.name]) // 2
    for name, part in (("10_second.sql", ss.RICH[db.name][half:]), ("02_first.sql", ss.RICH[db.name][:half])):
        with open(os.path.join(d, name), "w") as f:
            f.write(";\n".join(part) + ";\n")
    dev = [] if db.name == "sqlite" else ["--dev-url", db.fresh()]
    cs.expect(cs.sg("diff", "--from", d, "--to", a, *dev, cwd=tmp), 0, "a directory of .sql files")


def sqlalchemy_agrees(db, tmp):
    a = db.fresh()
    rich(db, a)
    doc = ss.inspect_json(a, tmp)
    sa_tables, sa_views = ss.reflect(db.sqlalchemy_url(a))
    cs.check(sorted(sa_tables) == sorted(t["name"] for t in doc["tables"]), "tables: %s" % sorted(sa_tables))
    cs.check(sa_views == sorted(v["name"] for v in doc["views"]), "views: %s" % sa_views)
    for t in doc["tables"]:
        sa = sa_tables[t["name"]]
        cs.check(sa["columns"] == [c["name"] for c in t["columns"]], "%s columns: %s" % (t["name"], sa))
        cs.check(sa["nullable"] == {c["name"]: c["nullable"] for c in t["columns"]},
                 "%s nullable: %s vs %s" % (t["name"], sa["nullable"], t["columns"]))
        cs.check(sa["pk"] == (t["primary_key"] or {}).get("columns", []), "%s pk: %s" % (t["name"], sa["pk"]))
        ours = sorted((tuple(f["columns"]), f["references"]["table"], tuple(f["references"]["columns"]))
                      for f in t["foreign_keys"])
        cs.check(sa["fks"] == ours, "%s fks: %s vs %s" % (t["name"], sa["fks"], ours))
        # SQLAlchemy skips expression indexes and lists indexes that back
        # unique constraints; every one it lists is ours, and every plain
        # index of ours is in its list.
        names = {i["name"] for i in t["indexes"]} | {u["name"] for u in t["unique_constraints"]}
        cs.check(set(sa["indexes"]) <= names, "%s indexes: %s vs %s" % (t["name"], sa["indexes"], names))
        plain = {i["name"] for i in t["indexes"] if all(c in [x["name"] for x in t["columns"]] or "(" in c
                                                        and db.name == "mysql" for c in i["columns"])}
        cs.check(plain <= set(sa["indexes"]), "%s plain indexes %s not in %s" % (t["name"], plain, sa["indexes"]))


def drift_after_hand_changes(db, tmp):
    mig = os.path.join(tmp, "migrations")
    os.mkdir(mig)
    with open(os.path.join(mig, "0001_schema.sql"), "w") as f:
        f.write(ss.migration("0001", ss.RICH[db.name]))
    live = db.fresh()
    dev = dev_args(db)
    cs.expect(cs.sg("upgrade", "--url", live, "--migrations", mig, cwd=tmp), 0, "upgrade")
    out, _ = cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, *dev, cwd=tmp), 0, "no drift")
    cs.check("no differences" in out, out)
    q = "`" if db.name == "mysql" else '"'
    db.execute(live, ["ALTER TABLE orders ADD COLUMN note varchar(40)"])
    out, _ = cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, *dev, cwd=tmp), 12, "added column")
    cs.check("+ column orders.note" in out and "ADD COLUMN %snote%s" % (q, q) in out, out)
    index = "orders_status" if db.name == "mysql" else "orders_open"
    db.execute(live, ["DROP INDEX %s ON orders" % index if db.name == "mysql" else "DROP INDEX %s" % index])
    out, _ = cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, *dev, cwd=tmp), 12, "dropped index")
    cs.check("- index orders.%s" % index in out and "+ column orders.note" in out, out)
    cs.check("DROP INDEX %s%s%s" % (q, index, q) in out, out)
    if dev:  # the dev database is left empty
        cs.check(db.tables(dev[1]) == set(), "dev database not empty: %s" % db.tables(dev[1]))
    # --from migrations@REV against --to a .sql file.
    sql = os.path.join(tmp, "want.sql")
    with open(sql, "w") as f:
        f.write(";\n".join(ss.RICH[db.name]) + ";\n")
    cs.expect(cs.sg("diff", "--from", "migrations@0001", "--to", sql, "--url", live, "--migrations", mig,
                    *dev, cwd=tmp), 0, "migrations@0001 vs .sql file")


def bad_sql_file(db, tmp):
    sql = os.path.join(tmp, "broken.sql")
    with open(sql, "w") as f:
        f.write("CREATE TABLE a (id integer);\n\nCREATE TABLE a (id integer);\n")
    live = db.fresh()
    dev = dev_args(db)
    _, err = cs.expect(cs.sg("diff", "--from", sql, "--url", live, *dev, cwd=tmp), 3, "failing .sql file")
    cs.check("broken.sql:3" in err, err)
    if dev:
        cs.check(db.tables(dev[1]) == set(), "dev database not emptied: %s" % db.tables(dev[1]))


def server_dev_rules(db, tmp):
    if db.name == "sqlite":
        raise cs.Skip("SQLite replays in memory")
    mig = os.path.join(tmp, "migrations")
    os.mkdir(mig)
    with open(os.path.join(mig, "0001_schema.sql"), "w") as f:
        f.write(ss.migration("0001", ["CREATE TABLE t (id integer PRIMARY KEY)"]))
    live = db.fresh()
    _, err = cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, cwd=tmp), 2, "no dev url")
    cs.check("--dev-url" in err, err)
    busy = db.fresh()
    db.execute(busy, ["CREATE TABLE keep_me (id integer)"])
    _, err = cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, "--dev-url", busy, cwd=tmp), 2,
                       "dev url not empty")
    cs.check("not empty" in err and "keep_me" in err, err)
    cs.check(db.tables(busy) == {"keep_me"}, "the busy dev database was touched: %s" % db.tables(busy))
    other = "sqlite:///" + os.path.join(tmp, "x.db")
    _, err = cs.expect(cs.sg("diff", "--url", live, "--migrations", mig, "--dev-url", other, cwd=tmp), 2,
                       "dev url of another dialect")
    cs.check("dialect" in err, err)
    # SCHEMAGATE_DEV_URL works like --dev-url, and its password is never printed.
    # A database never migrated, with a table made by hand: from nothing to it.
    db.execute(live, ["CREATE TABLE by_hand (id integer)"])
    dev = db.fresh()
    env = cs.clean_env(SCHEMAGATE_DEV_URL=dev)
    code, out, err = cs.sg("diff", "--url", live, "--migrations", mig, cwd=tmp, env=env)
    cs.check(code == 12 and "+ table by_hand" in out, "exit %d\n%s\n%s" % (code, out, err))
    cs.check(db.tables(dev) == set(), "dev database not emptied: %s" % db.tables(dev))
    pw = rs_password(dev)
    cs.check(not pw or (pw not in out and pw not in err), "password printed")


def rs_password(url):
    import run_support as rs
    return rs.password_of(url)


def not_compared_objects(db, tmp):
    a = db.fresh()
    if db.name == "postgresql":
        db.execute(a, ["CREATE TABLE t (id integer)",
                       "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
                       "CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch()",
                       "CREATE SEQUENCE loose_seq", "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x"])
        want = {("function", "touch()"), ("trigger", "t_touch"), ("sequence", "loose_seq"),
                ("materialized view", "mv")}
    elif db.name == "mysql":
        db.execute(a, ["CREATE TABLE t (id integer)",
                       "CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW SET NEW.id = NEW.id",
                       "CREATE FUNCTION one() RETURNS int DETERMINISTIC RETURN 1"])
        want = {("trigger", "t_touch"), ("function", "one")}
    else:
        db.execute(a, ["CREATE TABLE t (id integer)",
                       "CREATE TRIGGER t_touch AFTER INSERT ON t BEGIN SELECT 1; END"])
        want = {("trigger", "t_touch")}
    doc = ss.inspect_json(a, tmp)
    got = {(o["kind"], o["name"]) for o in doc["not_covered"]}
    cs.check(want <= got, "not_covered: %s" % got)
    b = db.fresh()
    db.execute(b, ["CREATE TABLE t (id integer)"])
    out, _ = cs.expect(cs.sg("diff", "--from", b, "--to", a, cwd=tmp), 0, "diff with uncovered objects")
    cs.check("not compared" in out and "t_touch" in out, out)


SCENARIOS = [inspect_round_trip, sqlalchemy_agrees, drift_after_hand_changes, bad_sql_file,
             server_dev_rules, not_compared_objects]


@pytest.mark.parametrize("backend", ss.BACKENDS, ids=cs.backend_id)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=cs.scenario_id)
def test_scenario(scenario, backend, tmp):
    with cs.opened(backend(tmp)) as db:
        scenario(db, tmp)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
