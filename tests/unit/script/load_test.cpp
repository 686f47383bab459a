// The directory loader and the revision writer, on temporary directories.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "script/migration.hpp"

namespace fs = std::filesystem;
using sg::Dialect;
using sg::ScriptError;

namespace {

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "sg-script-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        m_path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(m_path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(m_path, ec);
    }
    std::string path() const { return m_path.string(); }
    std::string file(const std::string& rel, const std::string& content) const {
        fs::path p = m_path / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
        return p.string();
    }

  private:
    fs::path m_path;
};

std::string rev(const std::string& id, const std::string& down, const std::string& sql = "") {
    return "-- revision: " + id + "\n-- down_revision: " + down + "\n\n-- +upgrade\n" + sql +
           "\n-- +downgrade\n";
}

std::vector<std::string> ids(const sg::ScriptDirectory& s) {
    std::vector<std::string> out;
    for (const auto& m : s.migrations) out.push_back(m.rev.id);
    return out;
}

std::vector<sg::FileProblem> load_problems(const std::string& dir) {
    try {
        sg::load_directory(dir);
    } catch (const ScriptError& e) {
        CHECK(e.code() == sg::ExitCode::invalid);
        return e.problems();
    }
    FAIL("no ScriptError");
    return {};
}

bool has(const std::vector<sg::FileProblem>& all, const std::string& where,
         const std::string& fragment) {
    for (const auto& p : all)
        if (p.where() == where && p.message.find(fragment) != std::string::npos) return true;
    return false;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("the example migrations load and split for every dialect", "[load]") {
    auto s = sg::load_directory(std::string(SG_SOURCE_DIR) + "/migrations");
    REQUIRE(s.migrations.size() == 7);
    REQUIRE(s.migrations.size() == s.graph.revisions().size());
    for (size_t i = 0; i < s.migrations.size(); ++i) {
        CHECK(s.migrations[i].rev.id == s.graph.revisions()[i].id);
        CHECK(&s.get(s.migrations[i].rev.id) == &s.migrations[i]);
    }
    CHECK(s.migrations.front().rev.id == "1975ea83b712");
    const auto& touch = s.get("9e2d6c8a4f10");
    CHECK(touch.upgrade_statements(Dialect::sqlite).size() == 2);
    CHECK(touch.upgrade_statements(Dialect::postgresql).size() == 3);
    CHECK(touch.upgrade_statements(Dialect::mysql).size() == 2);
    CHECK_THROWS_AS(s.get("nope"), sg::GraphError);
}

TEST_CASE("discovery is recursive, sorted, and ignores other files", "[load]") {
    TempDir d;
    d.file("b/002_two.sql", rev("two", "one"));
    d.file("a/001_one.sql", rev("one", ""));
    d.file("README.md", "not a migration");
    d.file("a/notes.sql.txt", "nope");
    d.file(".hidden.sql", "garbage");
    d.file(".git/x.sql", "garbage");
    auto s = sg::load_directory(d.path());
    CHECK(ids(s) == std::vector<std::string>{"one", "two"});
    CHECK(s.get("two").rev.file == d.path() + "/b/002_two.sql");
    CHECK(s.path == d.path());
}

TEST_CASE("paths join the directory as given; a FIFO named .sql is a problem", "[load]") {
    TempDir d;
    d.file("sub/001_one.sql", rev("one", ""));
    auto s = sg::load_directory(d.path() + "/");  // a trailing slash adds no second one
    CHECK(s.get("one").rev.file == d.path() + "/sub/001_one.sql");
    // A .sql name that is not a regular file is reported, not skipped.
    REQUIRE(mkfifo((d.path() + "/002.sql").c_str(), 0600) == 0);
    CHECK(has(load_problems(d.path()), d.path() + "/002.sql", "not a regular file"));
    // A symlink to a file outside the directory is followed.
    TempDir other;
    std::string target = other.file("x.sql", rev("two", "one"));
    fs::remove(d.path() + "/002.sql");
    fs::create_symlink(target, d.path() + "/002.sql");
    CHECK(ids(sg::load_directory(d.path())) == std::vector<std::string>{"one", "two"});
}

TEST_CASE("a ConfigMap-style directory is read once", "[load]") {
    TempDir d;
    d.file("..2025_11_08_10_00_00.123/001.sql", rev("one", ""));
    d.file("..2025_11_08_10_00_00.123/002.sql", rev("two", "one"));
    fs::create_directory_symlink("..2025_11_08_10_00_00.123", d.path() + "/..data");
    fs::create_symlink("..data/001.sql", d.path() + "/001.sql");
    fs::create_symlink("..data/002.sql", d.path() + "/002.sql");
    CHECK(ids(sg::load_directory(d.path())) == std::vector<std::string>{"one", "two"});
}

TEST_CASE("symlinked directories are followed once", "[load]") {
    TempDir d;
    d.file("real/001.sql", rev("one", ""));
    fs::create_directory_symlink(d.path() + "/real", d.path() + "/real/loop");
    CHECK(ids(sg::load_directory(d.path())) == std::vector<std::string>{"one"});
}

TEST_CASE("every problem of every file is reported together", "[load]") {
    TempDir d;
    d.file("001.sql", rev("one", ""));
    std::string a = d.file("sub/002.sql", "-- revision: two\n-- colour: red\n-- +upgrade\n");
    std::string b = d.file("003.sql", "CREATE TABLE t (x INT);\n");
    std::string c = d.file("004.sql", rev("four", "one", "SELECT 'x;"));
    auto all = load_problems(d.path());
    CHECK(all.size() == 3);
    CHECK(has(all, a + ":2", "unknown header key 'colour'"));
    CHECK(has(all, b + ":1", "not a migration file"));
    CHECK(has(all, c + ":5", "unterminated string literal"));
}

TEST_CASE("graph problems of the files that parsed come after the file problems", "[load]") {
    TempDir d;
    d.file("001.sql", rev("one", ""));
    std::string x = d.file("002.sql", rev("x1", "y1"));
    d.file("003.sql", rev("y1", "x1"));
    std::string bad = d.file("004.sql", "-- revision: two\n-- colour: red\n-- +upgrade\n");
    auto all = load_problems(d.path());
    REQUIRE(all.size() == 2);
    CHECK(has(all, bad + ":2", "unknown header key 'colour'"));
    CHECK(all[1].message.find("cycle through revisions x1, y1") != std::string::npos);
    CHECK(all[1].file.find(x) != std::string::npos);
}

TEST_CASE("file problems win over graph problems; graph problems are GraphErrors", "[load]") {
    TempDir d;
    d.file("001.sql", rev("one", "missing_parent"));
    std::string bad = d.file("002.sql", "-- revision: two\n-- +upgrade oracle\n");
    auto all = load_problems(d.path());
    REQUIRE(all.size() == 2);  // bad dialect + missing upgrade; the unknown parent waits
    CHECK(all[0].file == bad);

    fs::remove(bad);
    try {
        sg::load_directory(d.path());
        FAIL("no GraphError");
    } catch (const sg::GraphError& e) {
        CHECK(e.code() == sg::ExitCode::invalid);
        REQUIRE_FALSE(e.problems().empty());
        CHECK(e.problems()[0].file.find("001.sql") != std::string::npos);
    }
}

TEST_CASE("an empty directory loads as an empty graph", "[load]") {
    TempDir d;
    auto s = sg::load_directory(d.path());
    CHECK(s.migrations.empty());
    CHECK(s.graph.heads().empty());
}

TEST_CASE("missing or unusable paths are exit 3 naming the path", "[load]") {
    TempDir d;
    auto missing = load_problems(d.path() + "/nope");
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].file == d.path() + "/nope");
    CHECK(missing[0].message.find("not found") != std::string::npos);

    std::string file = d.file("plain.txt", "x");
    auto not_dir = load_problems(file);
    CHECK(has(not_dir, file, "not a directory"));

    fs::create_symlink(d.path() + "/gone.sql", d.path() + "/broken.sql");
    CHECK(has(load_problems(d.path()), d.path() + "/broken.sql", "cannot read file"));
}

TEST_CASE("an unreadable subdirectory or file is exit 3 naming it", "[load]") {
    if (geteuid() == 0) {
        WARN("running as root: permissions do not stop reading; skipped");
        return;
    }
    TempDir d;
    d.file("locked/001.sql", rev("one", ""));
    std::string f = d.file("002.sql", rev("two", ""));
    chmod((d.path() + "/locked").c_str(), 0);
    chmod(f.c_str(), 0);
    auto all = load_problems(d.path());
    CHECK(has(all, d.path() + "/locked", "cannot read directory"));
    CHECK(has(all, f, "cannot read file"));
    chmod((d.path() + "/locked").c_str(), 0700);
}

TEST_CASE("write_revision: name, header and round trip", "[write]") {
    TempDir d;
    sg::NewRevision r;
    r.message = "Add patient e-mail (unique!)";
    r.down_revisions = {"1975ea83b712", "27c6a30d7c24"};
    r.branch_labels = {"billing"};
    r.depends_on = {"8d1e4b2a9c31"};
    r.rev_id = "3f5aacf09e0d";
    r.created = "2025-11-08 14:30:00";
    std::string path = sg::write_revision(d.path() + "/new/dir", r);
    CHECK(path == d.path() + "/new/dir/20251108_1430_3f5aacf09e0d_add_patient_e_mail_unique.sql");
    CHECK(slurp(path) ==
          "-- revision: 3f5aacf09e0d\n"
          "-- down_revision: 1975ea83b712, 27c6a30d7c24\n"
          "-- message: Add patient e-mail (unique!)\n"
          "-- create_date: 2025-11-08 14:30:00\n"
          "-- branch_labels: billing\n"
          "-- depends_on: 8d1e4b2a9c31\n"
          "\n-- +upgrade\n\n-- +downgrade\n");
    auto m = sg::parse_migration(slurp(path), path);
    CHECK(m.rev.id == r.rev_id);
    CHECK(m.rev.down_revisions == r.down_revisions);
    CHECK(m.rev.branch_labels == r.branch_labels);
    CHECK(m.rev.depends_on == r.depends_on);
    CHECK(m.rev.message == r.message);
    CHECK(m.rev.create_date == r.created);
    CHECK(m.upgrade_statements(Dialect::sqlite).empty());
    CHECK(m.downgrade_statements(Dialect::sqlite).empty());

    try {
        sg::write_revision(d.path() + "/new/dir", r);
        FAIL("overwrote");
    } catch (const sg::Error& e) {
        CHECK(e.code() == sg::ExitCode::usage);
        CHECK(std::string(e.what()).find("refusing to overwrite") != std::string::npos);
    }
}

TEST_CASE("write_revision: a fresh root loads, ids are 12 hex", "[write]") {
    TempDir d;
    sg::NewRevision r;
    r.message = "  first  ";
    std::string path = sg::write_revision(d.path(), r);
    std::string name = fs::path(path).filename().string();
    CHECK(std::regex_match(name, std::regex(R"(\d{8}_\d{4}_[0-9a-f]{12}_first\.sql)")));
    std::string text = slurp(path);
    CHECK(text.find("-- down_revision: \n") != std::string::npos);
    CHECK(text.find("-- message: first\n") != std::string::npos);
    CHECK(text.find("branch_labels") == std::string::npos);
    auto s = sg::load_directory(d.path());
    REQUIRE(s.migrations.size() == 1);
    CHECK(s.migrations[0].rev.down_revisions.empty());

    auto a = sg::generate_rev_id(), b = sg::generate_rev_id();
    CHECK(std::regex_match(a, std::regex("[0-9a-f]{12}")));
    CHECK(a != b);
}

TEST_CASE("write_revision: slugs and bad input", "[write]") {
    TempDir d;
    sg::NewRevision r;
    r.created = "2025-01-02 03:04:05";
    r.rev_id = "aaa";
    r.message = std::string(60, 'x') + " tail";
    CHECK(fs::path(sg::write_revision(d.path(), r)).filename() ==
          "20250102_0304_aaa_" + std::string(40, 'x') + ".sql");
    r.rev_id = "bbb";
    r.message = "!!!";
    CHECK(fs::path(sg::write_revision(d.path(), r)).filename() == "20250102_0304_bbb.sql");
    r.rev_id = "ccc";
    r.message = "two\nlines";
    std::string p = sg::write_revision(d.path(), r);
    CHECK(slurp(p).find("-- message: two lines\n") != std::string::npos);

    auto code = [&](sg::NewRevision x) {
        try {
            sg::write_revision(d.path(), x);
        } catch (const sg::Error& e) {
            return e.code();
        }
        return sg::ExitCode::ok;
    };
    sg::NewRevision bad = r;
    bad.rev_id = "no-dash";
    CHECK(code(bad) == sg::ExitCode::usage);
    bad = r;
    bad.rev_id = "ddd";
    bad.branch_labels = {"a@b"};
    CHECK(code(bad) == sg::ExitCode::usage);
    bad = r;
    bad.rev_id = "eee";
    bad.created = "yesterday";
    CHECK(code(bad) == sg::ExitCode::usage);
}

TEST_CASE("load_directory checks the dialect it is given, or all of them", "[load][dialect]") {
    TempDir d;
    d.file("a.sql", rev("a1", "", "INSERT INTO paths VALUES ('C:\\');"));
    std::string commit = d.file("b.sql", rev("b1", "a1", "SELECT 1;\nCOMMIT;"));
    CHECK(has(load_problems(d.path()), commit + ":6", "transaction control (COMMIT)"));
    fs::remove(commit);
    CHECK(ids(sg::load_directory(d.path(), Dialect::sqlite)) == std::vector<std::string>{"a1"});
    CHECK(ids(sg::load_directory(d.path(), Dialect::postgresql)) == std::vector<std::string>{"a1"});
    CHECK_THROWS_AS(sg::load_directory(d.path(), Dialect::mysql), ScriptError);
    CHECK_THROWS_AS(sg::load_directory(d.path()), ScriptError);
}
