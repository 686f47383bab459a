#pragma once
#include <map>
#include <string>
#include <vector>

namespace sg {

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
