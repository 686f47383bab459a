#pragma once
// Internal to src/core: Alembic's HeadMaintainer (alembic/runtime/migration.py,
// 1.8) replayed on a set of version-table rows, recording the row changes of
// each RevisionStep / StampStep.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/graph_walk.hpp"

namespace sg::detail {

class HeadMaintainer {
  public:
    HeadMaintainer(const RevisionGraph& graph, const std::vector<std::string>& rows);

    Step upgrade(size_t rev);
    Step downgrade(size_t rev);
    /// A StampStep: from_ / to_ ids, upgrade or not, branch_move.
    void stamp(const std::vector<std::string>& from, const std::vector<std::string>& to,
               bool is_upgrade, bool branch_move);

    std::vector<std::string> rows() const { return {m_rows.begin(), m_rows.end()}; }

  private:
    void insert(const std::string& id);
    void remove(const std::string& id);
    void update(const std::string& from, const std::string& to);
    /// `revs` minus everything at or below the rows other than `except`.
    std::vector<size_t> minus_other_ancestors(const std::vector<size_t>& revs,
                                              const std::set<std::string>& except);
    Step finish(size_t rev, Direction direction);

    /// Counts, per revision, the rows that name it as a direct parent
    /// (norm_down): what answers "is it below another row?" at once in the
    /// common case, a root with thousands of heads included.
    void count_parents(const std::string& row, int delta);
    /// Whether `rev` is a row other than those in `except`, or a direct
    /// parent of one. A sufficient condition for being covered, never a
    /// false positive.
    bool directly_covered(size_t rev, const std::set<std::string>& except) const;

    const RevisionGraph& m_graph;
    std::set<std::string> m_rows;
    std::vector<int> m_row_children;
    std::vector<RowOp> m_ops;
    std::vector<std::string> m_cache_key;  // the rows m_cache_scan looks below
    std::optional<AncestorScan> m_cache_scan;
};

}  // namespace sg::detail
