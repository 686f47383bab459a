// Conformance: what the state reads cost in statements (issue 7), on every
// backend. A counting wrapper records each statement the engine sends
// through the Connection interface; the drivers' own set-up is checked in
// driver_*_test.cpp.
#include "conformance_support.hpp"
#include "engine/migrator.hpp"

using namespace sg;
using test::Names;
using test::updown;

namespace {

// Forwards to a real connection and records every statement it is given.
class CountingConnection : public Connection {
  public:
    explicit CountingConnection(Connection& real) : m_real(real) {}
    std::vector<std::string> sent;

    int count_containing(const std::string& needle) const {
        int n = 0;
        for (const auto& s : sent) n += s.find(needle) != std::string::npos;
        return n;
    }

    Dialect dialect() const override { return m_real.dialect(); }
    void execute(const std::string& sql) override {
        sent.push_back(sql);
        m_real.execute(sql);
    }
    Rows query(const std::string& sql, const std::vector<Value>& params) override {
        sent.push_back(sql);
        return m_real.query(sql, params);
    }
    void begin() override {
        sent.push_back("BEGIN");
        m_real.begin();
    }
    void commit() override {
        sent.push_back("COMMIT");
        m_real.commit();
    }
    void rollback() override {
        sent.push_back("ROLLBACK");
        m_real.rollback();
    }
    bool in_transaction() override { return m_real.in_transaction(); }
    bool try_lock(const std::string& n) override { return m_real.try_lock(n); }
    void unlock(const std::string& n) override { m_real.unlock(n); }
    std::string lock_holder(const std::string& n) override { return m_real.lock_holder(n); }
    void cancel() override { m_real.cancel(); }
    std::string database_name() const override { return m_real.database_name(); }
    std::string current_schema() override { return m_real.current_schema(); }

  private:
    Connection& m_real;
};

int lookups(const CountingConnection& c) {
    return c.count_containing("information_schema") + c.count_containing("sqlite_master");
}

void chain(test::MigrationsDir& dir, int n) {
    std::string prev;
    for (int i = 1; i <= n; ++i) {
        char id[16];
        std::snprintf(id, sizeof id, "f%04d", i);
        std::string t = std::string("t_") + id;
        dir.add(
            {id, prev, updown("CREATE TABLE " + t + " (id INTEGER);", "DROP TABLE " + t + ";")});
        prev = id;
    }
}

}  // namespace

TEST_CASE("applying N revisions looks the state tables up a fixed number of times",
          "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    chain(dir, 6);
    auto scripts = dir.load();
    CountingConnection counting(db->conn());
    StateStore st(counting, {});
    Migrator m(scripts, counting, st, {});
    CHECK(m.run(scripts.graph.plan_upgrade({}, "heads")).size() == 6);
    // Migrator::run's read and the first ensure_tables: not one per revision
    // (it was 2 per revision before issue 7).
    CHECK(lookups(counting) <= 2);
    CHECK(st.versions() == Names{"f0006"});
}

TEST_CASE("under the migration lock a fresh database is looked up once", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    chain(dir, 4);
    auto scripts = dir.load();
    CountingConnection counting(db->conn());
    StateStore st(counting, {});
    st.forget_tables();  // what the run flow does once it holds the lock
    CHECK(st.read_state().versions.empty());
    Migrator m(scripts, counting, st, {});
    CHECK(m.run(scripts.graph.plan_upgrade({}, "heads")).size() == 4);
    CHECK(lookups(counting) == 1);  // missing tables stay missing until created
    CHECK(st.versions() == Names{"f0004"});
    CHECK(lookups(counting) == 1);  // created and committed: known to exist
}

TEST_CASE("the state of a database at head is read in one statement", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    chain(dir, 3);
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    r.upgrade();

    CountingConnection counting(db->conn());
    StateStore st(counting, {});
    StoredState s = st.read_state();
    CHECK(counting.sent.size() == 1);
    CHECK(lookups(counting) == 0);
    CHECK(s.versions == Names{"f0003"});
    CHECK_FALSE(s.dirty);
    REQUIRE(s.checksums.size() == 3);
    CHECK(s.checksums.at("f0002") == scripts.get("f0002").checksum(d));
    // The same answer as the three reads it replaces.
    CHECK(s.versions == st.versions());
    CHECK(s.checksums == st.applied_checksums());

    // A recorded dirty step costs one more statement, for its whole row.
    HistoryRow row;
    row.revision = "f0003";
    row.operation = "upgrade";
    row.started_at = "2026-01-01 00:00:00";
    row.dirty = true;
    row.statements_total = 2;
    row.statements_done = 1;
    row.error = "x.sql:3: boom";
    st.history_insert(row);
    counting.sent.clear();
    s = st.read_state();
    CHECK(counting.sent.size() == 2);
    REQUIRE(s.dirty);
    CHECK(s.dirty->error == "x.sql:3: boom");
    CHECK(s.dirty->statements_done == 1);
}

TEST_CASE("the one-statement read of a database without the tables is empty", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    CountingConnection counting(db->conn());
    StateStore st(counting, {});
    StoredState s = st.read_state();
    CHECK(s.versions.empty());
    CHECK_FALSE(s.dirty);
    CHECK(s.checksums.empty());
    CHECK(counting.sent.size() == 2);  // the failing read, one lookup for both tables
    CHECK(db->tables().empty());       // reading creates nothing

    // Only the version table (a database Alembic managed): its rows, no history.
    db->conn().execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)");
    db->conn().execute("INSERT INTO alembic_version (version_num) VALUES ('abc')");
    s = st.read_state();
    CHECK(s.versions == Names{"abc"});
    CHECK(s.checksums.empty());
}
