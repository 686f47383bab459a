// The wording of every graph problem, once. The texts follow Alembic's where
// Alembic has the same error (so its users recognise them) and are frozen:
// tests and people's scripts read them.
#include "core/graph_error.hpp"

#include <cstdlib>

#include "core/util.hpp"

namespace sg {
namespace {

const std::string& id_at(const GraphProblem& p, size_t i) {
    static const std::string none;
    return i < p.ids.size() ? p.ids[i] : none;
}

}  // namespace

GraphProblem::GraphProblem(GraphProblemKind kind, std::vector<std::string> ids, std::string arg,
                           long steps)
    : kind(kind), ids(std::move(ids)), arg(std::move(arg)), steps(steps) {
    message = describe(*this);
}

std::string describe(const GraphProblem& p) {
    using K = GraphProblemKind;
    const std::string& a = id_at(p, 0);
    const std::string& b = id_at(p, 1);
    switch (p.kind) {
        case K::bad_revision_id:
            return "bad revision id '" + a + "': use 1-32 characters of [0-9A-Za-z_]";
        case K::duplicate_revision_id:
            return "duplicate revision id '" + a + "'";
        case K::bad_branch_label:
            return "bad branch label '" + p.arg + "' in revision " + a;
        case K::label_is_revision_id:
            return "branch label '" + p.arg + "' of revision " + a + " is already a revision id";
        case K::duplicate_branch_label:
            return "branch label '" + p.arg + "' in revision " + a +
                   " is already used by revision " + b;
        case K::repeated_down_revision:
            return "revision " + a + " names down_revision " + b + " twice";
        case K::unknown_down_revision:
            return "down_revision " + b + " of revision " + a + " is not a known revision";
        case K::unknown_depends_on:
            return "depends_on " + b + " of revision " + a +
                   " is not a known revision or branch label";
        case K::cycle:
            return "cycle through revisions " + join(p.ids) + " (down_revision / depends_on)";

        case K::unknown_revision:
            return "unknown revision '" + a + "'";
        case K::cannot_locate:
            return "Can't locate revision identified by '" + p.arg + "'" +
                   (p.arg.size() < 4 ? " (give at least four characters of a partial id)" : "");
        case K::ambiguous_prefix:
            return "Multiple revisions start with '" + p.arg + "': " + join(p.ids);
        case K::not_on_branch:
            return "Revision " + a + " is not a member of branch '" + p.arg + "'";
        case K::no_such_branch:
            return "No such branch: '" + p.arg + "'";
        case K::multiple_heads:
            return "Multiple head revisions are present for given argument '" + p.arg + "' (" +
                   join(p.ids) +
                   "); please specify a specific target revision, '<branchname>@head' to "
                   "narrow to a specific head, or 'heads' for all heads";
        case K::multiple_revisions:
            return "Multiple heads are present for given argument '" + p.arg + "' (" + join(p.ids) +
                   ")";
        case K::overlapping_revisions:
            return "Requested revision " + a +
                   " overlaps with other requested revisions (it is an ancestor of one of them)";
        case K::relative_out_of_range:
            return "relative revision " + p.arg + " is out of range";
        case K::walk_up_from_base:
            return "cannot walk up from base";
        case K::ambiguous_walk:
            return "Ambiguous walk";
        case K::ambiguous_upgrade:
            return "Ambiguous upgrade from multiple current revisions";
        case K::relative_too_short:
            return "Relative revision " + p.arg + " didn't produce " +
                   std::to_string(std::labs(p.steps)) + " migrations";
        case K::walked_too_far:
            return "Walked too far";
        case K::ambiguous_branch_start:
            return "cannot tell which current revision of branch '" + p.arg + "' to start from";
        case K::relative_past_branch:
            return "Relative revision " + p.arg + " walked past the end of a branch";
        case K::relative_past_graph:
            return "Relative revision " + p.arg + " walks past the end of the graph";

        case K::repeated_stamp_target: {
            std::string what = p.ids.empty() ? "base" : "revision " + a;
            std::string name = p.ids.empty() ? "base" : a;
            return "Cannot stamp '" + p.arg + "': it leads to " + what +
                   " from more than one head; name the revision to stamp (stamp " + name + ")";
        }
        case K::no_downgrade_root:
            return "Not a valid downgrade target from current heads";
        case K::not_a_downgrade_target:
            return "Destination " + p.arg + " is not a valid downgrade target from current head(s)";
        case K::not_one_labelled_branch:
            return "Revision " + a + " is not on exactly one labelled branch";
        case K::bad_history_range:
            return "History range requires [start]:[end], [start]:, or :[end]";
        case K::range_not_along_branch:
            return "Requested range " + p.arg +
                   " does not refer to ancestor/descendant revisions along the same branch";
        case K::range_not_walkable:
            return "Requested range " + p.arg + " cannot be walked from its upper end";
        case K::stamp_without_row:
            return "cannot stamp: no version-table row " + p.arg;

        case K::named_revision:
            return a;
        case K::no_revision:
            return "no revision " + a;
    }
    return "revision graph problem";  // not reached: every kind is worded above
}

namespace {

// The lines a single problem lists under its message: the revisions it names
// when the message is a list of them.
std::vector<GraphProblem> named_revisions(const GraphProblem& p) {
    using K = GraphProblemKind;
    std::vector<GraphProblem> out;
    if (p.kind == K::ambiguous_prefix || p.kind == K::multiple_heads ||
        p.kind == K::multiple_revisions) {
        for (const auto& id : p.ids) out.emplace_back(K::named_revision, std::vector{id});
    }
    return out;
}

std::string invalid_summary(const std::vector<GraphProblem>& problems) {
    std::string summary = "invalid revision graph: " + problems.front().message;
    if (problems.size() > 1) summary += " (and " + std::to_string(problems.size() - 1) + " more)";
    return summary;
}

}  // namespace

GraphError::GraphError(const std::string& message, GraphProblem problem,
                       std::vector<GraphProblem> listed)
    : Error(ExitCode::invalid, message),
      m_problem(std::move(problem)),
      m_problems(std::move(listed)) {}

GraphError::GraphError(GraphProblem problem)
    : GraphError(problem.message, problem, named_revisions(problem)) {}

GraphError::GraphError(GraphProblem problem, std::vector<GraphProblem> listed)
    : GraphError(problem.message, problem, std::move(listed)) {}

GraphError GraphError::invalid_graph(std::vector<GraphProblem> problems) {
    GraphProblem first = problems.front();
    std::string summary = invalid_summary(problems);
    return GraphError(summary, std::move(first), std::move(problems));
}

}  // namespace sg
