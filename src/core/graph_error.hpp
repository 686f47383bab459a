#pragma once
// Problems of the revision graph as data: what went wrong (a kind) and the
// revisions, labels and targets it is about (fields), the way Alembic's
// exceptions carry theirs (MultipleHeads.heads, RangeNotAncestorError.lower).
// The message people read is worded in one place, describe(); code that
// needs to tell problems apart looks at the kind, never at the text.
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sg {

/// What a GraphProblem is. The comment after each kind says what its fields hold.
enum class GraphProblemKind {
    // Validation (RevisionGraph's constructor): one problem per finding, each
    // naming its file(s); `file`/`line` set.
    bad_revision_id,         // ids {id}
    duplicate_revision_id,   // ids {id}
    bad_branch_label,        // ids {revision}, arg the label
    label_is_revision_id,    // ids {revision}, arg the label
    duplicate_branch_label,  // ids {revision, revision declaring it first}, arg the label
    repeated_down_revision,  // ids {revision, down_revision named twice}
    unknown_down_revision,   // ids {revision, down_revision it names}
    unknown_depends_on,      // ids {revision, depends_on entry it names}
    cycle,                   // ids: the revisions of the cycle

    // Resolving a target.
    unknown_revision,        // ids {id}: an exact id the graph does not hold
    cannot_locate,           // arg the id or prefix as given (no revision or label matches)
    ambiguous_prefix,        // arg the prefix, ids the matches
    not_on_branch,           // ids {revision}, arg the branch
    no_such_branch,          // arg the label
    multiple_heads,          // arg "head" or "LABEL@head", ids the heads
    multiple_revisions,      // arg the argument, ids what it resolves to (one was wanted)
    overlapping_revisions,   // ids {revision}: an ancestor of another requested revision
    relative_out_of_range,   // arg the relative number ("+99999999999999999999"); exit 2
    walk_up_from_base,       //
    ambiguous_walk,          //
    ambiguous_upgrade,       // several current revisions, none named
    relative_too_short,      // arg the relative number ("+3"), steps its value
    walked_too_far,          //
    ambiguous_branch_start,  // arg the label
    relative_past_branch,    // arg the target
    relative_past_graph,     // arg the target

    // Plans and history ranges.
    repeated_stamp_target,    // arg the target, ids {revision} ({} for base)
    no_downgrade_root,        // arg the target: no root of its label's branch
    not_a_downgrade_target,   // arg the target
    not_one_labelled_branch,  // ids {revision}
    bad_history_range,        // arg the range
    range_not_along_branch,   // arg the range as shown ("base:current")
    range_not_walkable,       // arg the range as shown
    stamp_without_row,        // arg what was missing ("to remove"): an internal error

    // Lines listed under another problem's message (GraphError::problems()).
    named_revision,  // ids {id}: one revision the message names (a head, a match)
    no_revision,     // ids {id}: listed under unknown_revision
};

/// One problem: its kind, the data it is about, and its message.
struct GraphProblem {
    GraphProblemKind kind = GraphProblemKind::named_revision;
    std::vector<std::string> ids;  // revisions (or labels) it names, as the kind says
    std::string arg;               // the target, label, prefix or range as given
    long steps = 0;                // relative_too_short: the relative number
    std::string file;              // the file(s) the problem is in ("" if none)
    int line = 0;                  // the header line in `file` when it is one file (0: none)
    std::string message;           // describe(*this), worded when made

    GraphProblem() = default;
    GraphProblem(GraphProblemKind kind, std::vector<std::string> ids, std::string arg = {},
                 long steps = 0);
    std::string where() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
};

/// The message of a problem: the one place each kind is worded.
std::string describe(const GraphProblem& problem);

/// Graph validation failures and unresolvable targets or plans; always exit 3.
/// problem() is the problem what() words; problems() are the lines listed
/// under it: every problem of an invalid graph, or the revisions a single
/// problem names (the heads of multiple_heads, the matches of ambiguous_prefix).
class GraphError : public Error {
  public:
    /// One problem; problems() lists the revisions its kind names.
    explicit GraphError(GraphProblem problem);
    /// One problem with the lines to list under it.
    GraphError(GraphProblem problem, std::vector<GraphProblem> listed);
    /// An invalid graph: what() is "invalid revision graph: " and the first
    /// problem (with how many more); problems() are all of them. `problems`
    /// must not be empty.
    static GraphError invalid_graph(std::vector<GraphProblem> problems);

    const GraphProblem& problem() const { return m_problem; }
    GraphProblemKind kind() const { return m_problem.kind; }
    const std::vector<GraphProblem>& problems() const { return m_problems; }

  private:
    GraphError(const std::string& message, GraphProblem problem, std::vector<GraphProblem> listed);
    GraphProblem m_problem;
    std::vector<GraphProblem> m_problems;
};

/// A target that cannot be a target at all (relative_out_of_range): a usage
/// error, exit 2, with its problem as data.
class TargetError : public Error {
  public:
    explicit TargetError(GraphProblem problem)
        : Error(ExitCode::usage, problem.message), m_problem(std::move(problem)) {}
    const GraphProblem& problem() const { return m_problem; }
    GraphProblemKind kind() const { return m_problem.kind; }

  private:
    GraphProblem m_problem;
};

}  // namespace sg
