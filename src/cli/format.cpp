#include "cli/format.hpp"

#include <algorithm>

namespace sg::cli {
namespace {

std::string down_text(const Revision& r) {
    return r.down_revisions.empty() ? "<base>" : join(r.down_revisions);
}

// Alembic's "real" head counts dependents as children too.
bool is_real_head(const RevisionGraph& g, const Revision& r) {
    return g.children(r.id).empty() && !g.is_depended_on(r.id);
}

}  // namespace

std::vector<std::string> dependents(const RevisionGraph& g, const std::string& id) {
    std::vector<std::string> out;
    for (const auto& r : g.revisions()) {
        if (std::find(r.depends_on.begin(), r.depends_on.end(), id) != r.depends_on.end()) {
            out.push_back(r.id);
        }
    }
    return out;
}

std::string format_line(const RevisionGraph& g, const Revision& r,
                        const std::set<std::string>& current, const FormatFlags& flags) {
    std::string text = r.id;
    if (flags.parents) {
        text = down_text(r) + (r.depends_on.empty() ? "" : " (" + join(r.depends_on) + ")") +
               " -> " + text;
    }
    // Labels as Alembic shows them: propagated along the labelled branch.
    auto labels = g.branch_labels(r.id);
    if (flags.branches && !labels.empty()) text += " (" + join(labels) + ")";
    bool head = g.children(r.id).empty();
    if (is_real_head(g, r)) text += " (head)";
    if (head && !is_real_head(g, r)) text += " (effective head)";
    if (current.count(r.id)) text += " (current)";
    if (flags.tree_indicators) {
        if (g.is_branch_point(r.id)) text += " (branchpoint)";
        if (g.is_merge_point(r.id)) text += " (mergepoint)";
    }
    if (flags.doc) text += ", " + r.message;
    return text;
}

std::string format_entry(const RevisionGraph& g, const Revision& r,
                         const std::set<std::string>& current) {
    bool merge = g.is_merge_point(r.id);
    std::string e = "Rev: " + r.id;
    if (g.children(r.id).empty()) e += " (head)";
    if (g.is_branch_point(r.id)) e += " (branchpoint)";
    if (merge) e += " (mergepoint)";
    if (current.count(r.id)) e += " (current)";
    e += "\n";
    e += (merge ? "Merges: " : "Parent: ") + down_text(r) + "\n";
    if (!r.depends_on.empty()) e += "Also depends on: " + join(r.depends_on) + "\n";
    if (g.is_branch_point(r.id)) e += "Branches into: " + join(g.children(r.id)) + "\n";
    auto labels = g.branch_labels(r.id);
    if (!labels.empty()) e += "Branch names: " + join(labels) + "\n";
    e += "Path: " + r.file + "\n\n";
    // Alembic indents the docstring: the message, then the id lines.
    e += "    " + r.message + "\n    \n";
    e += "    Revision ID: " + r.id + "\n";
    e += "    Revises: " + join(r.down_revisions) + "\n";
    e += "    Create Date: " + r.create_date + "\n";
    return e;
}

std::string format_branches(const RevisionGraph& g, bool verbose) {
    std::string out;
    const auto& revs = g.revisions();
    // Newest first, as Alembic's walk_revisions.
    for (auto it = revs.rbegin(); it != revs.rend(); ++it) {
        if (!g.is_branch_point(it->id)) continue;
        out += verbose ? format_entry(g, *it, {})
                       : format_line(g, *it, {}, FormatFlags{false, true, false, true});
        out += "\n";
        std::string indent(it->id.size(), ' ');
        for (const auto& child : g.children(it->id)) {
            FormatFlags flags{false, true, verbose, true};
            out += indent + " -> " + format_line(g, g.get(child), {}, flags) + "\n";
        }
        out += "\n";
    }
    return out;
}

}  // namespace sg::cli
