// `history -r A:B`: Alembic's walk_revisions, i.e. _collect_upgrade_revisions
// with inclusive=True (A itself is listed) and implicit_base=False (only
// revisions at or above A).
#include <algorithm>

#include "core/graph.hpp"
#include "core/graph_walk.hpp"

namespace sg {
using detail::fail;
using detail::kNone;
using detail::Node;

namespace {

// One end of the range: a string as typed, or the database's rows.
struct End {
    std::vector<std::string> ids;
    bool is_rows = false;
    std::string text() const { return is_rows ? "current" : ids.front(); }
};

std::vector<Node> revisions_of(const detail::Walker& w, const End& e) {
    return e.is_rows ? w.get_revisions(e.ids) : w.get_revisions(e.ids.front());
}

std::vector<size_t> only_revisions(const std::vector<Node>& nodes) {
    std::vector<size_t> out;
    for (Node n : nodes)
        if (n >= 0) out.push_back(static_cast<size_t>(n));
    return out;
}

// Alembic narrows `label@...:` ranges to targets carrying the label; a
// revision id used as the label stands for its one branch label.
std::vector<size_t> narrow_to_branch(const RevisionGraph& g, const detail::Walker& w,
                                     const std::vector<size_t>& targets, const std::string& lower) {
    std::string branch = lower.substr(0, lower.find('@'));
    Node rev = w.get_revision(branch);
    const GraphLinks& links = g.links();
    if (rev >= 0 && w.id(static_cast<size_t>(rev)) == branch) {
        const auto& own = links.labels_of(static_cast<size_t>(rev));
        if (own.size() != 1) fail({GraphProblemKind::not_one_labelled_branch, {branch}});
        branch = own.front();
    }
    std::vector<size_t> out;
    for (size_t t : targets)
        if (links.has_label(t, branch)) out.push_back(t);
    return out;
}

}  // namespace

std::vector<std::string> RevisionGraph::history_range(
    const std::string& range, const std::vector<std::string>& current) const {
    auto colon = range.find(':');
    if (colon == std::string::npos || range.find(':', colon + 1) != std::string::npos)
        fail({GraphProblemKind::bad_history_range, {}, range});
    std::string a = range.substr(0, colon), b = range.substr(colon + 1);
    End lower{{a.empty() ? "base" : a}}, upper{{b.empty() ? "heads" : b}};
    if (b == "current")
        upper = current.empty() ? End{{"heads"}} : End{current, true};
    else if (a == "current")
        lower = current.empty() ? End{{"base"}} : End{current, true};
    const std::string shown = lower.text() + ":" + upper.text();

    detail::Walker w(*this);
    auto lower_ids = lower.is_rows ? lower.ids : std::vector<std::string>{lower.ids.front()};
    auto targets =
        only_revisions(upper.is_rows ? w.get_revisions(upper.ids)
                                     : w.parse_upgrade_target(lower_ids, upper.ids.front(), false));
    if (!lower.is_rows && lower.ids.front().find('@') != std::string::npos)
        targets = narrow_to_branch(*this, w, targets, lower.ids.front());
    detail::check_overlap(w, m_links, targets);
    auto required = detail::ancestor_mask(m_links, targets, true);

    auto now_nodes = revisions_of(w, lower);
    if (!now_nodes.empty() && now_nodes.front() == kNone) {
        // A relative lower bound that walked off the graph (`-9:`): Alembic
        // re-reads it as a downgrade target from the upper end.
        auto rev = w.parse_downgrade_target(upper.ids, lower.ids.front(), false).second;
        now_nodes.assign(1, rev);
    }
    for (Node n : now_nodes)
        if (n != kNone && (n < 0 || !required[static_cast<size_t>(n)]))
            fail({GraphProblemKind::range_not_along_branch, {}, shown});
    auto now = only_revisions(now_nodes);
    detail::check_overlap(w, m_links, now);
    auto below = detail::ancestor_mask(m_links, now, true);
    auto needs = required;
    for (size_t i = 0; i < needs.size(); ++i) needs[i] = needs[i] && !below[i];
    for (size_t n : now) needs[n] = 1;  // inclusive: the lower end is listed
    if (!now.empty()) {
        auto above = detail::descendant_mask(m_links, now, false);
        for (size_t i = 0; i < needs.size(); ++i) needs[i] = needs[i] && above[i];
    }
    auto order = detail::alembic_order(m_links, needs, targets);
    if (order.size() != static_cast<size_t>(std::count(needs.begin(), needs.end(), 1)))
        // Alembic fails an assertion here: part of the range hangs off the
        // upper end only through depends_on.
        fail({GraphProblemKind::range_not_walkable, {}, shown});
    std::vector<std::string> out;
    for (size_t i : order) out.push_back(m_revisions[i].id);
    return out;
}

}  // namespace sg
