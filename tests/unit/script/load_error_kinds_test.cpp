// The loader's graph problems as data: the kind and ids of what it reports,
// and the kinds it holds back while files have problems of their own.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "script/migration.hpp"

namespace fs = std::filesystem;
using K = sg::GraphProblemKind;

namespace {

class Dir {
  public:
    Dir() {
        std::string tmpl = (fs::temp_directory_path() / "sg-kinds-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        m_path = tmpl;
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    std::string path() const { return m_path.string(); }
    std::string file(const std::string& name, const std::string& content) const {
        std::ofstream(m_path / name, std::ios::binary) << content;
        return (m_path / name).string();
    }

  private:
    fs::path m_path;
};

std::string rev(const std::string& id, const std::string& down, const std::string& depends = "") {
    return "-- revision: " + id + "\n-- down_revision: " + down + "\n" +
           (depends.empty() ? "" : "-- depends_on: " + depends + "\n") +
           "\n-- +upgrade\nSELECT 1;\n-- +downgrade\n";
}

}  // namespace

TEST_CASE("an unknown down_revision is a typed problem naming the file and line", "[load][kind]") {
    Dir d;
    std::string one = d.file("001.sql", rev("one", "missing_parent"));
    try {
        sg::load_directory(d.path());
        FAIL("no GraphError");
    } catch (const sg::GraphError& e) {
        CHECK(e.kind() == K::unknown_down_revision);
        REQUIRE(e.problems().size() == 1);
        const auto& p = e.problems()[0];
        CHECK(p.ids == std::vector<std::string>{"one", "missing_parent"});
        CHECK(p.file == one);
        CHECK(p.line == 2);
    }
}

TEST_CASE("while files have problems, unknown references (by kind) wait", "[load][kind]") {
    Dir d;
    d.file("001.sql", rev("one", "missing_parent"));
    d.file("002.sql", rev("two", "", "missing_dependency"));
    d.file("003.sql", rev("three", "") + rev("three", ""));  // a second header: a file problem
    std::string cyc = d.file("004.sql", rev("c1", "c2"));
    d.file("005.sql", rev("c2", "c1"));
    try {
        sg::load_directory(d.path());
        FAIL("no ScriptError");
    } catch (const sg::ScriptError& e) {
        // The file problem and the cycle; neither unknown reference.
        bool cycle = false;
        for (const auto& p : e.problems()) {
            CHECK(p.message.find("missing_parent") == std::string::npos);
            CHECK(p.message.find("missing_dependency") == std::string::npos);
            cycle = cycle || p.message.find("cycle through revisions c1, c2") != std::string::npos;
        }
        CHECK(cycle);
        CHECK(e.problems().size() >= 2);
    }
}

TEST_CASE("ScriptDirectory::get of an unknown id is unknown_revision", "[load][kind]") {
    Dir d;
    d.file("001.sql", rev("one", ""));
    auto s = sg::load_directory(d.path());
    try {
        s.get("nope");
        FAIL("no GraphError");
    } catch (const sg::GraphError& e) {
        CHECK(e.kind() == K::unknown_revision);
        CHECK(e.problem().ids == std::vector<std::string>{"nope"});
        CHECK(e.problems().empty());
        CHECK(std::string(e.what()) == "unknown revision 'nope'");
    }
}
