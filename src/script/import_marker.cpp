// The marker `schemagate import alembic` writes where Alembic's offline mode
// could not capture a revision (it reads from the connection, cannot be
// imported, fails to render). The section under it holds only the quoted
// Python, so without this check the revision would apply nothing, silently.
#include "script/import_marker.hpp"

#include "script/text.hpp"

namespace sg {

const char* const k_import_marker = "-- TODO(schemagate import):";

std::vector<FileProblem> import_marker_problems(std::string_view text, const std::string& path) {
    std::vector<FileProblem> out;
    const std::string_view marker = k_import_marker;
    int number = 1;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        std::string_view line =
            text::trim(text.substr(pos, end == std::string_view::npos ? end : end - pos));
        if (line.substr(0, marker.size()) == marker) {
            std::string_view reason = text::trim(line.substr(marker.size()));
            out.push_back(
                {path, number,
                 "imported from Alembic, needs SQL written by hand: " + std::string(reason)});
        }
        if (end == std::string_view::npos) break;
        pos = end + 1;
        ++number;
    }
    return out;
}

}  // namespace sg
