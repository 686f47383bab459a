#pragma once
// The revision graph with Alembic 1.8 semantics: a pure value. No files, no
// database, no logging. See docs/reference.md §2.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/graph_error.hpp"
#include "core/revision.hpp"

namespace sg {

enum class Direction { upgrade, downgrade };

/// One change to the version-table rows, as Alembic's HeadMaintainer makes
/// them (insert / delete / update; a merge is deletes + an update, an unmerge
/// an update + inserts).
struct RowOp {
    enum Kind { insert, remove, update };
    Kind kind;
    std::string from;  // remove, update: the row removed or replaced
    std::string to;    // insert, update: the new row
};

/// One revision applied or reverted, with the row changes it makes.
struct Step {
    std::string revision;
    Direction direction;
    std::vector<RowOp> row_ops;
    /// The version-table rows after the step, sorted: on a plan's last step
    /// only (the rows after the plan), empty on the others. A copy per step
    /// would cost steps x rows (a root with 10,000 heads: 10^8 strings);
    /// replay row_ops (apply_row_ops) for the rows in between.
    std::vector<std::string> heads_after;
};

/// `rows` with `ops` applied (insert, remove, update as the version table
/// gets them), sorted.
std::vector<std::string> apply_row_ops(const std::vector<std::string>& rows,
                                       const std::vector<RowOp>& ops);
/// The rows a step takes away and the rows it puts in their place (each
/// sorted): what its history row records as from_heads / to_heads. Other
/// branches' rows are not part of it, so the record stays the size of the
/// step, not of the version table.
std::pair<std::vector<std::string>, std::vector<std::string>> step_rows(const Step& step);

/// Adjacency lists packed in one array (compressed rows): `adj[i]` is a
/// read-only range of positions. Rows are appended in order 0, 1, 2...
class Adjacency {
  public:
    struct Range {
        const uint32_t* first;
        const uint32_t* last;
        const uint32_t* begin() const { return first; }
        const uint32_t* end() const { return last; }
        size_t size() const { return static_cast<size_t>(last - first); }
        bool empty() const { return first == last; }
        size_t operator[](size_t k) const { return first[k]; }
        size_t front() const { return *first; }
        operator std::vector<size_t>() const { return {first, last}; }
    };
    Range operator[](size_t i) const {
        return {m_items.data() + m_start[i], m_items.data() + m_start[i + 1]};
    }
    size_t size() const { return m_start.size() - 1; }
    void push(size_t item) { m_items.push_back(static_cast<uint32_t>(item)); }
    void end_row() { m_start.push_back(static_cast<uint32_t>(m_items.size())); }
    /// Row j of the result lists the i with j in row i of `a` or `b`
    /// (ascending, each once), for n rows.
    static Adjacency reversed(const Adjacency& a, const Adjacency* b = nullptr);
    void shrink() {
        m_start.shrink_to_fit();
        m_items.shrink_to_fit();
    }

  private:
    std::vector<uint32_t> m_start{0};
    std::vector<uint32_t> m_items;
};

/// Adjacency derived from the revisions, by position in revisions(). Read by
/// the planning code (graph_*.cpp); not part of the contract for other modules.
struct GraphLinks {
    Adjacency down;                                // down_revision, in header order
    Adjacency deps;                                // depends_on (labels resolved)
    Adjacency norm_deps;                           // deps no ancestor depends on already
    Adjacency norm_down;                           // down + norm_deps
    Adjacency next;                                // children through down_revision
    Adjacency all_next;                            // children through down_revision or depends_on
    std::vector<uint32_t> input_pos;               // position in the constructor's input
    std::vector<size_t> heads, real_heads, bases;  // in input order
    std::map<std::string, size_t> labels;          // branch label -> revision declaring it
    /// Labels as Alembic propagates them: label_sets[label_set[i]] for
    /// revision i, sorted (many revisions share one set; set 0 is empty).
    std::vector<uint32_t> label_set;
    std::vector<std::vector<std::string>> label_sets;
    const std::vector<std::string>& labels_of(size_t i) const { return label_sets[label_set[i]]; }
    bool has_label(size_t i, const std::string& label) const;
};

/// Revision id -> position, as an open-addressing hash table of positions
/// (the ids themselves stay in the revisions: 8 bytes a revision).
class IdIndex {
  public:
    void build(const std::vector<Revision>& revs);
    void reset(size_t n);  // empty, sized for n ids
    /// Adds revs[i] unless its id is there already; the position holding it.
    size_t insert(const std::vector<Revision>& revs, size_t i);
    /// Position of `id` in `revs` (the vector it was built from), or SIZE_MAX.
    size_t find(const std::vector<Revision>& revs, std::string_view id) const;

  private:
    std::vector<uint32_t> m_slots;  // position + 1; 0 is empty
};

class RevisionGraph {
  public:
    RevisionGraph() = default;
    /// Validates and builds. Throws GraphError listing every problem, each with
    /// its file: duplicate ids, bad ids, unknown down_revision/depends_on,
    /// cycles, duplicate branch labels.
    explicit RevisionGraph(std::vector<Revision> revisions);

    /// All revisions in the deterministic upgrade order: topological (parents
    /// and depends_on first), ties broken by input order, then id. Their
    /// `lines` are empty: they only serve the messages of the constructor.
    const std::vector<Revision>& revisions() const { return m_revisions; }
    const Revision* find(const std::string& id) const;  // exact id or nullptr
    const Revision& get(const std::string& id) const;   // throws GraphError

    std::vector<std::string> heads() const;  // no revision names them as down_revision
    /// Heads that no revision depends on either (Alembic's `_real_heads`; what
    /// the target `heads` means).
    std::vector<std::string> real_heads() const;
    std::vector<std::string> bases() const;                          // no down_revision
    std::vector<std::string> children(const std::string& id) const;  // name id as down_revision
    bool is_branch_point(const std::string& id) const;               // more than one child
    bool is_merge_point(const std::string& id) const;                // more than one down_revision
    /// Some revision names `id` in its depends_on (as written, labels not resolved).
    bool is_depended_on(const std::string& id) const;
    /// The revision's own labels plus those Alembic propagates along its branch.
    std::vector<std::string> branch_labels(const std::string& id) const;

    /// `ids` and everything reachable from them through down_revision and depends_on.
    std::set<std::string> ancestors(const std::vector<std::string>& ids) const;
    /// Pairs (ancestor, descendant) of `rows` that are ancestors of each
    /// other (ids unknown to the graph are left out), by descendant in the
    /// rows' order. Linear in the graph when there are none.
    std::vector<std::pair<std::string, std::string>> overlapping_rows(
        const std::vector<std::string>& rows) const;
    /// The applied set of a database whose version table holds `rows`.
    std::set<std::string> applied(const std::vector<std::string>& rows) const {
        return ancestors(rows);
    }

    /// Resolves a target to revision ids ("base" gives none): head, heads, base,
    /// a full id, a unique prefix of >= 4 characters, label@head, label@base,
    /// label (as Alembic: the revision that declares it), +N, -N, REV+N,
    /// REV-N, label@+N, label@-N.
    /// `current` (the version-table rows) anchors relative targets.
    /// Throws GraphError: unknown id, ambiguous prefix (lists the matches),
    /// `head` while there are several heads (lists them), relative overrun.
    std::vector<std::string> resolve(const std::string& target,
                                     const std::vector<std::string>& current = {}) const;

    // The plans follow Alembic 1.8 step for step: the revisions it would run,
    // in the order its own topological walk visits them, each with the row
    // changes its HeadMaintainer makes. `current` is the version table's rows
    // in the order read (`-1` with several rows walks down from the first, as
    // Alembic does). Revisions are applied ancestors(target) - ancestors(current).

    /// Steps that take a database at `current` up to `target` (default head);
    /// empty when the target is applied already.
    std::vector<Step> plan_upgrade(const std::vector<std::string>& current,
                                   const std::string& target) const;
    /// Steps that take a database at `current` down to `target` (-1, base, id,
    /// label@-1...): the applied descendants of the target, with what depends
    /// on them; other branches stay. Errors when the target is not applied.
    std::vector<Step> plan_downgrade(const std::vector<std::string>& current,
                                     const std::string& target) const;
    /// The version-table rows after `stamp target` (purge: start from empty).
    std::vector<std::string> plan_stamp(const std::vector<std::string>& current,
                                        const std::string& target, bool purge) const;
    /// `history -r A:B` (either side may be empty, "base", "head", "current"):
    /// the revisions in the range, newest first. As Alembic, A itself is listed
    /// and only revisions above A count.
    std::vector<std::string> history_range(const std::string& range,
                                           const std::vector<std::string>& current) const;

    const GraphLinks& links() const { return m_links; }
    size_t index_of(const std::string& id) const;  // position in revisions(); throws GraphError

  private:
    void validate_and_order(std::vector<Revision> input);
    void build_links();

    std::vector<Revision> m_revisions;  // header lines dropped once validated
    IdIndex m_index;                    // id -> position in m_revisions
    GraphLinks m_links;
    std::vector<std::string> m_depended_on;  // every depends_on entry, sorted, once
};

}  // namespace sg
