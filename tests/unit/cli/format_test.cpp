// Output of heads/history/branches/show, as Alembic 1.8 prints it for the
// same graph (checked against `alembic history` etc. by hand and in
// tests/e2e/test_alembic_output.py).
#include <catch2/catch.hpp>

#include "cli/format.hpp"

using namespace sg;
using namespace sg::cli;

namespace {

Revision rev(std::string id, std::vector<std::string> down, std::string message,
             std::vector<std::string> labels = {}, std::vector<std::string> deps = {}) {
    Revision r;
    r.id = std::move(id);
    r.down_revisions = std::move(down);
    r.message = std::move(message);
    r.branch_labels = std::move(labels);
    r.depends_on = std::move(deps);
    r.create_date = "2025-01-01 00:00:00";
    r.file = "m/" + r.id + ".sql";
    return r;
}

//   a -> b -> c (billing) -> e (merge)
//          \-> d ----------/
RevisionGraph diamond() {
    return RevisionGraph({rev("a", {}, "one"), rev("b", {"a"}, "two"),
                          rev("c", {"b"}, "three", {"billing"}), rev("d", {"b"}, "four"),
                          rev("e", {"c", "d"}, "merge")});
}

}  // namespace

TEST_CASE("history lines: parents, labels, marks, message") {
    auto g = diamond();
    FormatFlags history{true, true, true, true};
    CHECK(format_line(g, g.get("a"), {}, history) == "<base> -> a, one");
    CHECK(format_line(g, g.get("b"), {"b"}, history) == "a -> b (current) (branchpoint), two");
    CHECK(format_line(g, g.get("c"), {}, history) == "b -> c (billing), three");
    CHECK(format_line(g, g.get("e"), {}, history) ==
          "c, d -> e (billing) (head) (mergepoint), merge");
}

TEST_CASE("heads and current lines") {
    auto g = diamond();
    CHECK(format_line(g, g.get("e"), {}, FormatFlags{false, true, false, false}) ==
          "e (billing) (head)");
    CHECK(format_line(g, g.get("e"), {}, FormatFlags{}) == "e (head) (mergepoint)");
}

TEST_CASE("a head that others depend on is an effective head") {
    RevisionGraph g({rev("a", {}, "one"), rev("x", {}, "other root", {}, {"a"})});
    CHECK(format_line(g, g.get("a"), {}, FormatFlags{}) == "a (effective head)");
    CHECK(format_line(g, g.get("x"), {}, FormatFlags{true, false, false, true}) ==
          "<base> (a) -> x (head)");
}

TEST_CASE("verbose entry") {
    auto g = diamond();
    std::string e = format_entry(g, g.get("e"), {"e"});
    CHECK(e.rfind("Rev: e (head) (mergepoint) (current)\nMerges: c, d\n", 0) == 0);
    CHECK(e.find("Branch names: billing\n") != std::string::npos);
    CHECK(e.find("Path: m/e.sql\n") != std::string::npos);
    CHECK(e.find("    merge\n") != std::string::npos);
    CHECK(e.find("    Revision ID: e\n    Revises: c, d\n") != std::string::npos);
    std::string b = format_entry(g, g.get("b"), {});
    CHECK(b.rfind("Rev: b (branchpoint)\nParent: a\nBranches into: ", 0) == 0);
}

TEST_CASE("branches") {
    auto g = diamond();
    std::string out = format_branches(g, false);
    CHECK(out.rfind("b (branchpoint)\n", 0) == 0);
    CHECK(out.find("  -> c (billing)\n") != std::string::npos);
    CHECK(out.find("  -> d\n") != std::string::npos);
    CHECK(format_branches(RevisionGraph({rev("a", {}, "one")}), false).empty());
}
