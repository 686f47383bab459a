#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sg {

/// Revision ids: 1-32 characters of [0-9A-Za-z_] (docs/reference.md §1). The
/// one rule: the parser, the graph, the writer, the importer and `revision
/// --rev-id` all call this.
inline bool valid_revision_id(std::string_view id) {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_'))
            return false;
    return true;
}

/// Branch labels: 1 or more of [0-9A-Za-z_.-], and not one of the symbolic
/// names. Labels appear in targets (`label@head`, `label@-1`), so they must
/// not hold the characters of that syntax.
inline bool valid_branch_label(std::string_view label) {
    if (label.empty() || label == "head" || label == "heads" || label == "base" ||
        label == "current")
        return false;
    for (char c : label)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    return true;
}

/// One node of the revision graph: the header of a migration file, nothing
/// about SQL. Built by the script layer, consumed by the graph.
struct Revision {
    std::string id;
    std::vector<std::string> down_revisions;  // empty for a root; >1 for a merge
    std::vector<std::string> branch_labels;
    std::vector<std::string> depends_on;
    std::string message;
    std::string create_date;
    bool transactional = true;         // header `transaction: false` clears it
    std::string file;                  // path for messages ("" in unit tests)
    std::map<std::string, int> lines;  // header key -> its line in `file`, for messages
};

}  // namespace sg
