// Graph problems as data: each error carries its kind and the ids, labels or
// targets it is about, and the message is worded from them. These tests
// check the kinds and fields; the other graph tests pin the wording.
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;
using K = GraphProblemKind;

namespace {

template <typename F>
GraphError graph_error(F&& f) {
    try {
        f();
    } catch (const GraphError& e) {
        CHECK(e.code() == ExitCode::invalid);
        CHECK(e.what() == e.problem().message);
        return e;
    }
    FAIL("expected a GraphError");
    throw;  // not reached
}

GraphError invalid(std::vector<Revision> revs) {
    try {
        RevisionGraph g(std::move(revs));
    } catch (const GraphError& e) {
        CHECK(e.code() == ExitCode::invalid);
        REQUIRE_FALSE(e.problems().empty());
        return e;
    }
    FAIL("expected an invalid graph");
    throw;  // not reached
}

std::vector<K> kinds(const std::vector<GraphProblem>& ps) {
    std::vector<K> out;
    for (const auto& p : ps) out.push_back(p.kind);
    return out;
}

// The one problem of `kind` (a copy: `e` is often a temporary).
GraphProblem only(const GraphError& e, K kind) {
    const GraphProblem* found = nullptr;
    for (const auto& p : e.problems())
        if (p.kind == kind) {
            REQUIRE(found == nullptr);
            found = &p;
        }
    REQUIRE(found != nullptr);
    return *found;
}

}  // namespace

TEST_CASE("every problem's message is describe() of its fields", "[graph][error]") {
    GraphProblem p{K::multiple_heads, {"a300", "b300"}, "head"};
    CHECK(p.message == describe(p));
    p.ids = {"x1"};
    CHECK(describe(p).find("(x1)") != std::string::npos);
    CHECK(GraphProblem(K::unknown_revision, {"zz"}).message == "unknown revision 'zz'");
    CHECK(GraphProblem(K::relative_too_short, {}, "+3", 3).message ==
          "Relative revision +3 didn't produce 3 migrations");
}

TEST_CASE("validation problems carry their kind, ids and label", "[graph][error][validate]") {
    SECTION("bad revision id, with the header line") {
        auto r = rev("bad-id");
        r.lines["revision"] = 1;
        auto e = invalid({r});
        auto p = only(e, K::bad_revision_id);
        CHECK(p.ids == Ids{"bad-id"});
        CHECK(p.where() == "bad-id.sql:1");
        CHECK(e.kind() == K::bad_revision_id);
        CHECK(std::string(e.what()) == "invalid revision graph: " + p.message);
    }
    SECTION("duplicate id names both files") {
        auto b = rev("a1000");
        b.file = "other.sql";
        auto p = only(invalid({rev("a1000"), b}), K::duplicate_revision_id);
        CHECK(p.ids == Ids{"a1000"});
        CHECK(p.file == "a1000.sql, other.sql");
    }
    SECTION("bad branch label") {
        auto p = only(invalid({rev("a1000", {}, {}, {"head"})}), K::bad_branch_label);
        CHECK(p.ids == Ids{"a1000"});
        CHECK(p.arg == "head");
    }
    SECTION("a label that is a revision id") {
        auto p = only(invalid({rev("a1000"), rev("b2000", {"a1000"}, {}, {"a1000"})}),
                      K::label_is_revision_id);
        CHECK(p.ids == Ids{"b2000"});
        CHECK(p.arg == "a1000");
    }
    SECTION("a label declared twice names both revisions") {
        auto p = only(invalid({rev("a1000", {}, {}, {"x"}), rev("b2000", {}, {}, {"x"})}),
                      K::duplicate_branch_label);
        CHECK(p.ids == Ids{"b2000", "a1000"});
        CHECK(p.arg == "x");
    }
    SECTION("a down_revision named twice") {
        auto p = only(invalid({rev("a1000"), rev("b2000", {"a1000", "a1000"})}),
                      K::repeated_down_revision);
        CHECK(p.ids == Ids{"b2000", "a1000"});
    }
    SECTION("unknown down_revision and depends_on: the revision, then the name") {
        auto e = invalid({rev("a1000", {"x1234"}), rev("b2000", {}, {"nope"})});
        CHECK(kinds(e.problems()) ==
              std::vector<K>{K::unknown_down_revision, K::unknown_depends_on});
        CHECK(e.problems()[0].ids == Ids{"a1000", "x1234"});
        CHECK(e.problems()[1].ids == Ids{"b2000", "nope"});
        CHECK(e.kind() == K::unknown_down_revision);  // the one what() words
        CHECK(std::string(e.what()).find("(and 1 more)") != std::string::npos);
    }
    SECTION("a cycle lists its revisions") {
        auto p = only(invalid({rev("a1000", {"b2000"}), rev("b2000", {"a1000"})}), K::cycle);
        CHECK(p.ids == Ids{"a1000", "b2000"});
    }
}

TEST_CASE("an unknown exact id: unknown_revision, listing 'no revision'", "[graph][error]") {
    auto g = linear();
    auto e = graph_error([&] { g.get("zzzz"); });
    CHECK(e.kind() == K::unknown_revision);
    CHECK(e.problem().ids == Ids{"zzzz"});
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].kind == K::no_revision);
    CHECK(e.problems()[0].ids == Ids{"zzzz"});
}

TEST_CASE("targets that resolve to nothing or too much", "[graph][error][resolve]") {
    SECTION("nothing matches: cannot_locate with the text as given") {
        auto g = linear();
        auto e = graph_error([&] { g.resolve("zzzzz"); });
        CHECK(e.kind() == K::cannot_locate);
        CHECK(e.problem().arg == "zzzzz");
        CHECK(e.problems().empty());
        CHECK(graph_error([&] { g.resolve("b20"); }).problem().arg == "b20");
    }
    SECTION("an ambiguous prefix carries its matches, listed one by one") {
        RevisionGraph g({rev("abcd1111"), rev("abcd2222", {"abcd1111"})});
        auto e = graph_error([&] { g.resolve("abcd"); });
        CHECK(e.kind() == K::ambiguous_prefix);
        CHECK(e.problem().arg == "abcd");
        CHECK(e.problem().ids == Ids{"abcd1111", "abcd2222"});
        CHECK(kinds(e.problems()) == std::vector<K>{K::named_revision, K::named_revision});
    }
    SECTION("head with several heads carries the heads (Alembic's MultipleHeads.heads)") {
        auto g = multiple_bases();
        auto e = graph_error([&] { g.resolve("head"); });
        CHECK(e.kind() == K::multiple_heads);
        CHECK(e.problem().arg == "head");
        CHECK(e.problem().ids == Ids{"a300", "b300"});
        CHECK(kinds(e.problems()) == std::vector<K>{K::named_revision, K::named_revision});
    }
    SECTION("several revisions where one is needed") {
        auto g = multiple_bases();
        auto e = graph_error([&] { g.resolve("heads+1"); });
        CHECK(e.kind() == K::multiple_revisions);
        CHECK(e.problem().arg == "heads");
        CHECK(e.problem().ids == Ids{"a300", "b300"});
    }
    SECTION("a revision off the named branch") {
        auto g = labelled();
        auto e = graph_error([&] { g.resolve("billing@cli1"); });
        CHECK(e.kind() == K::not_on_branch);
        CHECK(e.problem().ids == Ids{"cli1"});
        CHECK(e.problem().arg == "billing");
    }
    SECTION("an unknown branch") {
        auto g = labelled();
        auto e = graph_error([&] { g.resolve("nolabel@cli1"); });
        CHECK(e.kind() == K::no_such_branch);
        CHECK(e.problem().arg == "nolabel");
    }
    SECTION("a relative number no long holds is a usage error with its text") {
        auto g = linear();
        try {
            g.resolve("+99999999999999999999");
            FAIL("no error");
        } catch (const TargetError& e) {
            CHECK(e.code() == ExitCode::usage);
            CHECK(e.kind() == K::relative_out_of_range);
            CHECK(e.problem().arg == "+99999999999999999999");
        }
    }
}

TEST_CASE("relative walks that cannot be made", "[graph][error][relative]") {
    SECTION("up from a branch point") {
        auto g = diamond();
        CHECK(graph_error([&] { g.resolve("aaaa+1"); }).kind() == K::ambiguous_walk);
    }
    SECTION("+N from several current revisions") {
        auto g = multiple_bases();
        CHECK(graph_error([&] {
                  g.plan_upgrade({"a300", "b300"}, "+1");
              }).kind() == K::ambiguous_upgrade);
    }
    SECTION("+N beyond the head carries the number") {
        auto g = linear();
        auto e = graph_error([&] { g.plan_upgrade({"d4000"}, "+2"); });
        CHECK(e.kind() == K::relative_too_short);
        CHECK(e.problem().arg == "+2");
        CHECK(e.problem().steps == 2);
    }
    SECTION("REV-N below base") {
        auto g = linear();
        CHECK(graph_error([&] { g.plan_downgrade({"d4000"}, "b2000-5"); }).kind() ==
              K::walked_too_far);
    }
    SECTION("an upgrade to REV-N past the root") {
        auto g = linear();
        auto e = graph_error([&] { g.plan_upgrade({}, "a1000-1"); });
        CHECK(e.kind() == K::relative_past_graph);
        CHECK(e.problem().arg == "a1000-1");
    }
}

TEST_CASE("plans and ranges that cannot be made", "[graph][error][plan]") {
    SECTION("requested revisions that overlap") {
        auto g = linear();
        auto e = graph_error([&] { g.plan_upgrade({"a1000", "b2000"}, "head"); });
        CHECK(e.kind() == K::overlapping_revisions);
        CHECK(e.problem().ids == Ids{"a1000"});
    }
    SECTION("a downgrade target that is not applied") {
        auto g = linear();
        auto e = graph_error([&] { g.plan_downgrade({"b2000"}, "c3000"); });
        CHECK(e.kind() == K::not_a_downgrade_target);
        CHECK(e.problem().arg == "c3000");
    }
    SECTION("a stamp (--purge) reaching one revision from two heads") {
        RevisionGraph g({rev("aaaa"), rev("bbb1", {"aaaa"}), rev("bbb2", {"aaaa"})});
        auto e = graph_error([&] { g.plan_stamp({"bbb1", "bbb2"}, "-1", true); });
        CHECK(e.kind() == K::repeated_stamp_target);
        CHECK(e.problem().ids == Ids{"aaaa"});
        CHECK(e.problem().arg == "-1");
    }
    SECTION("a history range without a colon") {
        auto g = linear();
        auto e = graph_error([&] { g.history_range("a1000", {}); });
        CHECK(e.kind() == K::bad_history_range);
        CHECK(e.problem().arg == "a1000");
    }
    SECTION("a history range across branches") {
        auto g = multiple_bases();
        auto e = graph_error([&] { g.history_range("a200:b300", {}); });
        CHECK(e.kind() == K::range_not_along_branch);
        CHECK(e.problem().arg == "a200:b300");
    }
}
