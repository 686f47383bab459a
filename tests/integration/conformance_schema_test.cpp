// Conformance: introspection and the schema's SQL on every backend. The SQL
// the pure module renders (CREATE, DROP, and each difference of a diff) is
// run on the real database and the result inspected again.
#include "conformance_support.hpp"
#include "db/drivers/inspect.hpp"
#include "schema/schema.hpp"

using namespace sg;

namespace {

void run_all(Connection& c, const std::vector<std::string>& statements) {
    c.begin();
    for (const auto& st : statements) {
        INFO(st);
        c.execute(st);
    }
    c.commit();
}

void make(Connection& c, const std::vector<std::string>& ddl) {
    for (const auto& st : ddl) c.execute(st);
}

const std::vector<std::string> kFrom = {
    "CREATE TABLE parent (id integer PRIMARY KEY, name varchar(50) NOT NULL)",
    "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL, qty integer DEFAULT "
    "0, "
    "note varchar(50), CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) "
    "ON DELETE CASCADE)",
    "CREATE INDEX child_qty ON child (qty)",
    "CREATE TABLE gone (id integer PRIMARY KEY)",
    "CREATE VIEW child_notes AS SELECT id, note FROM child",
};

const std::vector<std::string> kTo = {
    "CREATE TABLE parent (id integer PRIMARY KEY, name varchar(50) NOT NULL, "
    "CONSTRAINT parent_name_check CHECK (name <> ''))",
    "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL, qty integer NOT NULL "
    "DEFAULT 0, "
    "note varchar(50), extra varchar(20), CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) "
    "REFERENCES parent (id) ON DELETE CASCADE)",
    "CREATE INDEX child_note ON child (note)",
    "CREATE TABLE tag (id integer PRIMARY KEY, label varchar(30) UNIQUE)",
    "CREATE VIEW child_notes AS SELECT id, note, extra FROM child",
};

/// A Connection that counts the internal queries of another.
class Counting : public Connection {
  public:
    explicit Counting(Connection& c) : m_c(c) {}
    int queries = 0;
    Dialect dialect() const override { return m_c.dialect(); }
    void execute(const std::string& sql) override { m_c.execute(sql); }
    Rows query(const std::string& sql, const std::vector<Value>& params) override {
        ++queries;
        return m_c.query(sql, params);
    }
    void begin() override { m_c.begin(); }
    void commit() override { m_c.commit(); }
    void rollback() override { m_c.rollback(); }
    bool in_transaction() override { return m_c.in_transaction(); }
    bool try_lock(const std::string& n) override { return m_c.try_lock(n); }
    void unlock(const std::string& n) override { m_c.unlock(n); }
    std::string lock_holder(const std::string& n) override { return m_c.lock_holder(n); }
    void cancel() override { m_c.cancel(); }
    std::string database_name() const override { return m_c.database_name(); }
    std::string current_schema() override { return m_c.current_schema(); }

  private:
    Connection& m_c;
};

}  // namespace

TEST_CASE("schema: the diff's SQL turns FROM into TO, both ways", "[conformance][schema]") {
    Dialect d = SG_BACKENDS;
    auto a = test::fresh_db(d);
    if (!a) return;
    auto b = test::fresh_db(d);
    INFO(dialect_name(d));
    make(a->conn(), kFrom);
    make(b->conn(), kTo);
    auto from = inspect_schema(a->conn(), {});
    auto to = inspect_schema(b->conn(), {});
    auto forward = schema::diff(from, to);
    REQUIRE_FALSE(forward.equal());
    INFO(schema::describe(forward));
    run_all(a->conn(), forward.script);
    auto after = schema::diff(inspect_schema(a->conn(), {}), to);
    INFO("left after applying:\n" << schema::describe(after));
    CHECK(after.equal());

    auto back = schema::diff(to, from);
    INFO(schema::describe(back));
    run_all(b->conn(), back.script);
    auto after_back = schema::diff(inspect_schema(b->conn(), {}), from);
    INFO("left after applying back:\n" << schema::describe(after_back));
    CHECK(after_back.equal());
}

TEST_CASE("schema: CREATE statements rebuild it, DROP statements empty it",
          "[conformance][schema]") {
    Dialect d = SG_BACKENDS;
    auto a = test::fresh_db(d);
    if (!a) return;
    auto b = test::fresh_db(d);
    INFO(dialect_name(d));
    make(a->conn(), kTo);
    auto s = inspect_schema(a->conn(), {});
    REQUIRE(s.tables.size() == 3);
    run_all(b->conn(), schema::create_statements(s));
    auto rebuilt = inspect_schema(b->conn(), {});
    INFO(schema::describe(schema::diff(rebuilt, s)));
    CHECK(schema::diff(rebuilt, s).equal());
    run_all(b->conn(), schema::drop_statements(s));
    auto empty = inspect_schema(b->conn(), {});
    CHECK(empty.tables.empty());
    CHECK(empty.views.empty());
}

TEST_CASE("schema: introspection is set-based, its queries do not grow with the tables",
          "[conformance][schema]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    auto count = [&] {
        Counting c(db->conn());
        inspect_schema(c, {});
        return c.queries;
    };
    make(db->conn(), {"CREATE TABLE t0 (id integer PRIMARY KEY)"});
    const int few = count();
    for (int i = 1; i < 40; ++i) {
        std::string n = "t" + std::to_string(i), p = "t" + std::to_string(i - 1);
        make(db->conn(), {"CREATE TABLE " + n + " (id integer PRIMARY KEY, p integer, CONSTRAINT " +
                              n + "_fk FOREIGN KEY (p) REFERENCES " + p + " (id))",
                          "CREATE INDEX " + n + "_p ON " + n + " (p)"});
    }
    CHECK(count() == few);
    CHECK(few <= 10);
    // schemagate's own tables are never part of the schema.
    StateStore state(db->conn(), {});
    db->conn().begin();
    state.ensure_tables();
    db->conn().commit();
    auto s = inspect_schema(db->conn(), {"alembic_version", "schemagate_history"});
    CHECK(s.tables.size() == 40);
    CHECK_FALSE(s.table("alembic_version"));
}
