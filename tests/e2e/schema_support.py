"""Helpers of the schema e2e tests (tests/e2e/test_schema_*.py): one backend
class per database with a fresh database per call, a way to run SQL through
the database's own client library, a rich schema per dialect, and
SQLAlchemy's reflection as an independent reader of the schema."""
import json
import os
import sqlite3

import cli_support as cs
import run_support as rs


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, tmp):
        self.tmp = tmp
        self.n = 0

    def fresh(self):
        self.n += 1
        path = os.path.join(self.tmp, "db%d.sqlite" % self.n)
        sqlite3.connect(path).close()
        return "sqlite:///" + path

    def path(self, url):
        return url[len("sqlite:///"):]

    def execute(self, url, statements):
        con = sqlite3.connect(self.path(url))
        try:
            for st in statements:
                con.execute(st)
            con.commit()
        finally:
            con.close()

    def query(self, url, sql):
        con = sqlite3.connect(self.path(url))
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def sqlalchemy_url(self, url):
        return url

    def tables(self, url):
        return {r[0] for r in self.query(url, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")}

    def cleanup(self):
        pass


class PostgresDatabases(cs.PostgresDatabases):
    def __init__(self, tmp):
        super().__init__("sg_schema")

    def execute(self, url, statements):
        conn = rs.pg_connect(url)
        try:
            cur = conn.cursor()
            for st in statements:
                cur.execute(st)
        finally:
            conn.close()

    def sqlalchemy_url(self, url):
        return "postgresql+psycopg2" + url[url.index("://"):]


class MariadbDatabases(cs.MariadbDatabases):
    def __init__(self, tmp):
        super().__init__("sg_schema")

    def execute(self, url, statements):
        conn = rs.mysql_connect(url)
        try:
            cur = conn.cursor()
            for st in statements:
                cur.execute(st)
        finally:
            conn.close()

    def sqlalchemy_url(self, url):
        return "mysql+pymysql" + url[url.index("://"):]


BACKENDS = [SqliteDatabases, PostgresDatabases, MariadbDatabases]

# A rich schema: composite primary key, cascading foreign keys (one composite),
# partial and expression indexes (where the database has them), checks,
# defaults, a view, and on PostgreSQL an enum type.
RICH = {
    "sqlite": [
        "CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, "
        "mood TEXT DEFAULT 'ok' CHECK (mood IN ('sad', 'ok', 'happy')), created TEXT DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE orders (customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE, "
        "n INTEGER NOT NULL, total NUMERIC NOT NULL DEFAULT 0, status TEXT DEFAULT 'new', "
        "PRIMARY KEY (customer_id, n), CONSTRAINT orders_total_check CHECK (total >= 0))",
        "CREATE TABLE lines (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, n INTEGER NOT NULL, "
        "sku TEXT, FOREIGN KEY (customer_id, n) REFERENCES orders (customer_id, n) "
        "ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE INDEX orders_open ON orders (customer_id) WHERE status = 'new'",
        "CREATE UNIQUE INDEX customers_email_lower ON customers (lower(email))",
        "CREATE INDEX lines_sku ON lines (sku, n)",
        "CREATE VIEW big_orders AS SELECT customer_id, n, total FROM orders WHERE total > 100",
    ],
    "postgresql": [
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE TABLE customers (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "email text NOT NULL UNIQUE, mood mood DEFAULT 'ok', created timestamp DEFAULT now())",
        "CREATE TABLE orders (customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, "
        "n integer NOT NULL, total numeric(10,2) NOT NULL DEFAULT 0 CHECK (total >= 0), "
        "status varchar(20) DEFAULT 'new', PRIMARY KEY (customer_id, n))",
        "CREATE TABLE lines (id serial PRIMARY KEY, customer_id integer NOT NULL, n integer NOT NULL, "
        "sku text, FOREIGN KEY (customer_id, n) REFERENCES orders ON DELETE CASCADE ON UPDATE CASCADE)",
        "CREATE INDEX orders_open ON orders (customer_id) WHERE status = 'new'",
        "CREATE UNIQUE INDEX customers_email_lower ON customers (lower(email))",
        "CREATE INDEX lines_sku ON lines (sku, n)",
        "CREATE VIEW big_orders AS SELECT customer_id, n, total FROM orders WHERE total > 100",
    ],
    "mysql": [
        "CREATE TABLE customers (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, "
        "mood enum('sad','ok','happy') DEFAULT 'ok', created timestamp NULL DEFAULT current_timestamp())",
        "CREATE TABLE orders (customer_id int NOT NULL, n int NOT NULL, total decimal(10,2) NOT NULL DEFAULT 0, "
        "status varchar(20) DEFAULT 'new', PRIMARY KEY (customer_id, n), "
        "CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE, "
        "CONSTRAINT orders_total_check CHECK (total >= 0)) ENGINE=InnoDB",
        "CREATE TABLE `lines` (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, "
        "n int NOT NULL, sku varchar(50), CONSTRAINT lines_order_fk FOREIGN KEY (customer_id, n) "
        "REFERENCES orders (customer_id, n) ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB",
        "CREATE INDEX orders_status ON orders (status, n)",
        "CREATE INDEX lines_sku ON `lines` (sku(10), n)",
        "CREATE VIEW big_orders AS SELECT customer_id, n, total FROM orders WHERE total > 100",
    ],
}


def migration(rev, statements, down=""):
    """A revision file's text holding `statements`."""
    return ("-- revision: %s\n-- down_revision: %s\n-- message: schema\n"
            "-- create_date: 2025-01-01 00:00:00\n\n-- +upgrade\n%s;\n" % (rev, down, ";\n".join(statements)))


def inspect_json(url, tmp):
    out, _ = cs.expect(cs.sg("inspect", "--format", "json", "--url", url, cwd=tmp), 0, "inspect json")
    return json.loads(out)


def inspect_sql(url, tmp):
    out, _ = cs.expect(cs.sg("inspect", "--url", url, cwd=tmp), 0, "inspect sql")
    return [s.strip() for s in out.split(";\n\n") if s.strip() and not s.strip().startswith("--")]


def reflect(sqlalchemy_url):
    """SQLAlchemy's view of the schema: {table: {columns, nullable, pk, fks, indexes}}."""
    import sqlalchemy
    engine = sqlalchemy.create_engine(sqlalchemy_url)
    try:
        insp = sqlalchemy.inspect(engine)
        out = {}
        for t in insp.get_table_names():
            if t.startswith("sqlite_"):  # SQLite's own (sqlite_sequence)
                continue
            cols = insp.get_columns(t)
            out[t] = {
                "columns": [c["name"] for c in cols],
                "nullable": {c["name"]: bool(c["nullable"]) for c in cols},
                "pk": insp.get_pk_constraint(t)["constrained_columns"],
                "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                               tuple(f["referred_columns"])) for f in insp.get_foreign_keys(t)),
                "indexes": sorted(i["name"] for i in insp.get_indexes(t)),
            }
        return out, sorted(insp.get_view_names())
    finally:
        engine.dispose()
