// Conformance: dirty steps (every revision on MariaDB, `transaction: false`
// elsewhere) and each way out of them.
#include "conformance_support.hpp"

using namespace sg;
using test::Names;
using test::RevFile;
using test::updown;


namespace {

// d0001 fails at its third statement: the table `later` does not exist yet.
void dirty_dir(test::MigrationsDir& dir) {
    dir.add({"a0001", "", updown("CREATE TABLE ta (id INTEGER);", "DROP TABLE ta;")});
    dir.add({"d0001", "a0001",
             updown("CREATE TABLE td (id INTEGER);\nINSERT INTO td VALUES (1);\n"
                    "INSERT INTO later VALUES (1);\nINSERT INTO td VALUES (2);",
                    "DROP TABLE td;"),
             "-- transaction: false\n"});
    dir.add({"e0001", "d0001", updown("CREATE TABLE te (id INTEGER);", "DROP TABLE te;")});
}

}  // namespace

TEST_CASE("a step failing outside a transaction is dirty; each repair choice", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    dirty_dir(dir);
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    r.opts.applied_by = "conformance";
    auto e = test::expect_failure([&] { r.upgrade(); });
    CHECK(e.code() == ExitCode::dirty);
    CHECK(e.revision() == "d0001");
    CHECK(e.location() == dir.file("d0001") + ":9");
    CHECK(e.hint().find("--mark-applied") != std::string::npos);
    CHECK(e.hint().find("--mark-reverted") != std::string::npos);
    CHECK(e.hint().find("--resume") != std::string::npos);
    REQUIRE(e.done().size() == 1);
    CHECK(r.versions() == Names{"a0001"});
    CHECK(db->has_table("td"));
    CHECK_FALSE(db->has_table("te"));

    auto st = r.state();
    auto dirty = st.dirty_step();
    REQUIRE(dirty);
    CHECK(dirty->revision == "d0001");
    CHECK(dirty->operation == "upgrade");
    CHECK(dirty->statements_done == 2);
    CHECK(dirty->statements_total == 4);
    CHECK(dirty->from_heads == "a0001");
    CHECK(dirty->to_heads == "d0001");
    CHECK(dirty->applied_by == "conformance");
    CHECK(dirty->error.find(dir.file("d0001") + ":9: ") == 0);
    CHECK(dirty->error.find("later") != std::string::npos);

    Migrator m(scripts, db->conn(), st, r.opts);
    SECTION("resume runs the remaining statements from the failed one") {
        db->conn().execute("CREATE TABLE later (id INTEGER)");
        m.repair_resume();
        CHECK(r.versions() == Names{"d0001"});
        CHECK(db->scalar("SELECT COUNT(*) FROM td") == "2");  // not run twice
        CHECK(db->scalar("SELECT COUNT(*) FROM later") == "1");
        CHECK_FALSE(st.dirty_step());
        CHECK(st.applied_checksums().count("d0001") == 1);
        auto last = st.history().back();
        CHECK(last.operation == "repair");
        CHECK(last.message.find("resume") == 0);
        CHECK(r.upgrade().size() == 1);  // the rest goes on
        CHECK(r.versions() == Names{"e0001"});
    }
    SECTION("resume that fails again stays dirty and counts on") {
        auto again = test::expect_failure([&] { m.repair_resume(); });
        CHECK(again.code() == ExitCode::dirty);
        CHECK(st.dirty_step()->statements_done == 2);
        CHECK(db->scalar("SELECT COUNT(*) FROM td") == "1");
    }
    SECTION("mark-applied records the revision as applied") {
        m.repair_mark_applied();
        CHECK(r.versions() == Names{"d0001"});
        CHECK_FALSE(st.dirty_step());
        auto last = st.history().back();
        CHECK(last.operation == "repair");
        CHECK(last.message.find("mark-applied") == 0);
        CHECK(last.from_heads == "a0001");
        CHECK(last.to_heads == "d0001");
        CHECK(r.upgrade().size() == 1);
    }
    SECTION("mark-reverted leaves the version table; the revision runs again") {
        db->conn().execute("DROP TABLE td");  // the person undid it by hand
        m.repair_mark_reverted();
        CHECK(r.versions() == Names{"a0001"});
        CHECK_FALSE(st.dirty_step());
        CHECK(st.history().back().message.find("mark-reverted") == 0);
        CHECK(test::error_code([&] { m.repair_mark_reverted(); }) == ExitCode::usage);
        db->conn().execute("CREATE TABLE later (id INTEGER)");
        CHECK(r.upgrade().size() == 2);
        CHECK(r.versions() == Names{"e0001"});
    }
}

TEST_CASE("nothing to repair without a dirty step", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    test::MigrationsDir dir;
    dirty_dir(dir);
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    r.upgrade("a0001");
    auto st = r.state();
    Migrator m(scripts, db->conn(), st, {});
    CHECK(test::error_code([&] { m.repair_resume(); }) == ExitCode::usage);
    CHECK(test::error_code([&] { m.repair_mark_applied(); }) == ExitCode::usage);
    CHECK(st.history().size() == 1);
}

TEST_CASE("a failure at the first statement outside a transaction changes nothing",
          "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    dir.add({"a0001", "", updown("INSERT INTO later VALUES (1);", "SELECT 1;"),
             "-- transaction: false\n"});
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    auto e = test::expect_failure([&] { r.upgrade(); });
    CHECK(e.code() == ExitCode::rolled_back);
    CHECK_FALSE(r.state().dirty_step());
    CHECK(r.versions().empty());
}
