// Revisions `import alembic` could not convert: the marker line fails the
// file with file:line; the writer's body, file name and transaction options.
#include "script/import_marker.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "script/migration.hpp"

namespace {

std::vector<std::string> problems(const std::string& text) {
    try {
        sg::parse_migration(text, "m.sql");
    } catch (const sg::ScriptError& e) {
        std::vector<std::string> out;
        for (const auto& p : e.problems()) out.push_back(p.where() + ": " + p.message);
        return out;
    }
    return {};
}

const std::string k_head = "-- revision: 0a1b2c3d4e5f\n-- down_revision: f6a7b8c9d0e1\n\n";

}  // namespace

TEST_CASE("a marker line fails the file at its line, wherever it stands", "[import]") {
    std::string text = k_head + "-- +upgrade\n" + sg::k_import_marker +
                       " reads from the connection (get_bind()) in upgrade()\n"
                       "--     conn = op.get_bind()\n"
                       "-- +downgrade\nALTER TABLE p DROP COLUMN x;\n";
    auto found = problems(text);
    REQUIRE(found.size() == 1);
    CHECK(found[0] ==
          "m.sql:5: imported from Alembic, needs SQL written by hand: reads from the connection "
          "(get_bind()) in upgrade()");
    // Indented, with CRLF, in the header: still found.
    CHECK(sg::import_marker_problems(
              "-- revision: a\r\n   " + std::string(sg::k_import_marker) + " x\r\n", "f")
              .at(0)
              .line == 2);
    // Replaced by SQL: the file parses.
    CHECK(problems(k_head + "-- +upgrade\nALTER TABLE p ADD x INT;\n").empty());
    // Only the exact marker counts: a TODO of the team's own is a comment.
    CHECK(problems(k_head + "-- +upgrade\n-- TODO(alice): index later\nSELECT 1;\n").empty());
}

TEST_CASE("the writer takes a body, a file name and transaction: false", "[import]") {
    auto dir = std::filesystem::temp_directory_path() / "sg_import_marker_test";
    std::filesystem::remove_all(dir);
    sg::NewRevision r;
    r.rev_id = "e5f6a7b8c9d0";
    r.down_revisions = {"c7d8e9f0a1b2", "d4e5f6a7b8c9"};
    r.message = "Merge billing and visits";
    r.created = "2025-11-09 09:00:00.123456";
    r.transactional = false;
    r.file_name = "custom_name.sql";
    r.body = "-- +upgrade\nCREATE INDEX CONCURRENTLY ix ON t (c);\n";
    std::string path = sg::write_revision(dir.string(), r);
    CHECK(path == (dir / "custom_name.sql").string());
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    sg::Migration m = sg::parse_migration(text.str(), path);
    CHECK(m.rev.down_revisions == r.down_revisions);
    CHECK(m.rev.create_date == "2025-11-09 09:00:00.123456");
    CHECK_FALSE(m.rev.transactional);
    CHECK(m.upgrade_statements(sg::Dialect::postgresql).at(0).sql ==
          "CREATE INDEX CONCURRENTLY ix ON t (c)");
    CHECK_THROWS(sg::write_revision(dir.string(), r));  // never overwrites
    r.file_name = "../escape.sql";
    CHECK_THROWS(sg::write_revision(dir.string(), r));
    std::filesystem::remove_all(dir);
}
