#pragma once
// Output of the inspection commands, worded as Alembic 1.8 words it
// (alembic/script/base.py: Script.log_entry, Script._head_only), so people
// and scripts used to Alembic read it the same way. Pure functions.
#include <set>
#include <string>
#include <vector>

#include "run/facade.hpp"

namespace sg::cli {

struct FormatFlags {
    bool parents = false;         // "a, b -> c" (history)
    bool branches = false;        // "(label)" after the id
    bool doc = false;             // ", message"
    bool tree_indicators = true;  // (branchpoint) (mergepoint)
};

/// One line: `<parents> -> <id> (labels) (head) (current) (branchpoint), doc`.
std::string format_line(const RevisionGraph& g, const Revision& r,
                        const std::set<std::string>& current, const FormatFlags& flags);

/// The multi-line `Rev: ... / Parent: ... / Path: ...` entry of --verbose and `show`.
std::string format_entry(const RevisionGraph& g, const Revision& r,
                         const std::set<std::string>& current);

/// `branches`: each branch point followed by its children, as Alembic.
std::string format_branches(const RevisionGraph& g, bool verbose);

/// Revisions that name `id` in depends_on.
std::vector<std::string> dependents(const RevisionGraph& g, const std::string& id);

}  // namespace sg::cli
