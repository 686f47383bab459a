// The pure helpers of the DDL lock retry (engine/ddl_lock.hpp): which index a
// timed-out CREATE INDEX CONCURRENTLY left, the names a statement mentions,
// how a blocker is described, and the back-off.
#include <catch2/catch.hpp>

#include "engine/ddl_lock.hpp"

using namespace sg::engine_detail;
using sg::Dialect;
using sg::LockBlocker;

TEST_CASE("concurrent_index_name: only PostgreSQL CREATE INDEX CONCURRENTLY with a name") {
    const Dialect pg = Dialect::postgresql;
    CHECK(concurrent_index_name("CREATE INDEX CONCURRENTLY p_x ON p (x)", pg) == "p_x");
    CHECK(concurrent_index_name("create unique index concurrently if not exists P_X on p (x)",
                                pg) == "p_x");
    CHECK(concurrent_index_name("CREATE INDEX CONCURRENTLY \"Mixed\" ON p (x)", pg) == "Mixed");
    CHECK(concurrent_index_name("CREATE INDEX /* c */ CONCURRENTLY -- x\n p_x ON p (x)", pg) ==
          "p_x");
    CHECK(concurrent_index_name("CREATE INDEX CONCURRENTLY ON p (x)", pg).empty());
    CHECK(concurrent_index_name("CREATE INDEX p_x ON p (x)", pg).empty());
    CHECK(concurrent_index_name("DROP INDEX CONCURRENTLY p_x", pg).empty());
    CHECK(concurrent_index_name("CREATE INDEX CONCURRENTLY p_x ON p (x)", Dialect::mysql).empty());
}

TEST_CASE("statement_names: words and identifiers, not strings or comments") {
    auto names = statement_names(
        "ALTER TABLE \"Patients\" /* orders */ ADD COLUMN x text DEFAULT 'invoices' -- bills",
        Dialect::postgresql);
    CHECK(names == std::vector<std::string>{"alter", "table", "Patients", "add", "column", "x",
                                            "text", "default"});
    CHECK(statement_names("ALTER TABLE `Orders` ADD y int", Dialect::mysql) ==
          std::vector<std::string>{"alter", "table", "Orders", "add", "y", "int"});
}

TEST_CASE("describe_blockers names pid, application, client, age and query") {
    LockBlocker b;
    b.id = "4242";
    b.user = "app";
    b.application = "billing";
    b.client = "10.0.0.5";
    b.transaction_age_s = 14;
    b.state = "idle in transaction";
    b.query = "SELECT 1";
    CHECK(describe_blockers({b}) ==
          "pid 4242 (user app, application 'billing', client 10.0.0.5, transaction open 14 s, "
          "idle in transaction): SELECT 1");
    CHECK(describe_blockers({}) == "an unknown session");
    sg::log::Fields f;
    add_blocker_fields(f, {b});
    CHECK(f.size() == 8);
}

TEST_CASE("RetryDelay: exponential with jitter, capped") {
    RetryDelay d;
    auto first = d.next().count();
    CHECK(first >= 100);
    CHECK(first <= 200);
    long long last = 0;
    for (int i = 0; i < 20; ++i) last = d.next().count();
    CHECK(last >= 2500);
    CHECK(last <= 5000);
}
