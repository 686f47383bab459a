#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sg {

/// Revision ids: 1-32 characters of [0-9A-Za-z_] (docs/reference.md §1).
inline bool valid_revision_id(std::string_view id) {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_'))
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
