#pragma once
// Internal to src/core: the traversals and target parsing of Alembic's
// RevisionMap (alembic/script/revision.py, 1.8), ported function by function
// so that the odd corners behave the same. Positions are indices into
// RevisionGraph::revisions().
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.hpp"

namespace sg::detail {

/// A node as Alembic passes them around: a revision, None (`kNone`: base as
/// "no revision", or a walk that went too far) or the string "base" (`kBase`,
/// what a walk down past a root yields).
using Node = long;
constexpr Node kNone = -1;
constexpr Node kBase = -2;

void normalize_depends_on(GraphLinks& links);
void propagate_branch_labels(GraphLinks& links, const std::vector<Revision>& revs);

/// `starts` and all they reach through down_revision (+ depends_on if `deps`).
std::vector<char> ancestor_mask(const GraphLinks& links, const std::vector<size_t>& starts,
                                bool deps);
/// `starts` and all that reach them.
std::vector<char> descendant_mask(const GraphLinks& links, const std::vector<size_t>& starts,
                                  bool deps);

/// Throws GraphError(problem): the one way the traversals and plans fail.
[[noreturn]] void fail(GraphProblem problem);

class Walker {
  public:
    explicit Walker(const RevisionGraph& graph) : m_g(graph), m_l(graph.links()) {}

    /// _resolve_revision_number: ids (empty = base) and the label before '@'.
    struct Number {
        std::vector<std::string> ids;
        std::optional<std::string> label;
    };
    Number resolve_number(const std::string& id) const;

    Node revision_for_ident(const std::string& id, const std::optional<std::string>& branch) const;
    size_t resolve_branch(const std::string& label) const;
    std::optional<size_t> current_head(const std::optional<std::string>& label) const;
    std::vector<Node> get_revisions(const std::string& id) const;
    std::vector<Node> get_revisions(const std::vector<std::string>& ids) const;
    Node get_revision(const std::string& id) const;

    bool shares_lineage(size_t target, const std::vector<size_t>& against, bool deps) const;
    std::vector<size_t> filter_for_lineage(const std::vector<size_t>& targets,
                                           const std::string& check_against,
                                           bool deps = false) const;

    Node walk(Node start, long steps, const std::optional<std::string>& label,
              bool no_overwalk) const;
    std::vector<Node> parse_upgrade_target(const std::vector<std::string>& current,
                                           const std::string& target, bool assert_length) const;
    std::pair<std::optional<std::string>, Node> parse_downgrade_target(
        const std::vector<std::string>& current, const std::string& target,
        bool assert_length) const;

    const std::string& id(size_t i) const { return m_g.revisions()[i].id; }

  private:
    std::vector<Node> walk_down_from_heads(long steps,
                                           const std::optional<std::string>& label) const;
    std::optional<size_t> index(const std::string& key) const;  // id or label, exact

    const RevisionGraph& m_g;
    const GraphLinks& m_l;
};

/// Alembic's `check=True` traversal: fails when one of `revs` is an ancestor
/// of another.
void check_overlap(const Walker& w, const GraphLinks& links, const std::vector<size_t>& revs);

/// Matches Alembic's `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)` at the start of `target`.
struct Relative {
    std::optional<std::string> label;
    std::optional<std::string> symbol;
    long steps = 0;
    std::string text;  // "+2", "-1"
};
std::optional<Relative> parse_relative(const std::string& target);
/// The number of a relative revision; TargetError (relative_out_of_range,
/// exit 2) when a long cannot hold it or its magnitude (LONG_MIN).
long relative_steps(const std::string& text);

}  // namespace sg::detail

namespace sg::detail {

/// Revisions visited by the traversals of this file since the process started
/// (every node an ancestor/descendant walk or an AncestorScan explores). A
/// test hook: it lets unit tests check that planning stays linear.
size_t& visit_count();

/// The ancestors (through norm_down, the starts included) of a set of
/// revisions, explored lazily from the top. Positions are topological
/// (parents lower), so exploring in decreasing position finds every ancestor
/// at or above a position without looking further down: asking about a
/// revision near the starts costs only the revisions between them.
class AncestorScan {
  public:
    /// `covered` (optional) counts, per revision, the scans that hold it.
    AncestorScan(const GraphLinks& links, const std::vector<size_t>& starts,
                 std::vector<int>* covered = nullptr);
    /// Explores every ancestor at position >= pos.
    void explore_down_to(size_t pos);
    /// Highest position not explored yet; -1 when everything is.
    long frontier() const { return m_heap.empty() ? -1 : static_cast<long>(m_heap.front()); }
    /// Whether i is an ancestor (explores down to i first).
    bool contains(size_t i);
    /// The single start is explored; drop it: what is left are the ancestors
    /// of its one parent (a plain step down a line).
    void drop_top();
    /// Forgets everything (and un-counts it in `covered`).
    void release();

  private:
    const GraphLinks* m_links;
    std::vector<int>* m_covered;
    std::vector<uint32_t> m_heap;   // max-heap of positions still to explore
    std::vector<uint32_t> m_marks;  // explored ancestors, decreasing
    size_t m_begin = 0;             // m_marks before it are dropped
};

/// RevisionMap._topological_sort: the revisions of `todo` newest first, walking
/// down from `heads` (only those in `todo` count) branch by branch, as Alembic
/// orders upgrades (reversed), downgrades and history. Ties follow the input
/// order, as Alembic's follow its file order.
std::vector<size_t> alembic_order(const GraphLinks& links, std::vector<char> todo,
                                  const std::vector<size_t>& heads);

}  // namespace sg::detail
