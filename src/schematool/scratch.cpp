// Helpers the schema commands share (scratch.hpp).
#include "schematool/scratch.hpp"

#include <unistd.h>

#include <system_error>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace sg {

TempDir::TempDir(const std::string& prefix) {
    std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data()))
        throw Error(ExitCode::internal, "cannot create a temporary directory");
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

void copy_sql_files(const std::string& from, const std::string& to) {
    if (from.empty() || !fs::exists(from)) return;
    for (const auto& e : fs::recursive_directory_iterator(from)) {
        if (!e.is_regular_file() || e.path().extension() != ".sql") continue;
        fs::path target = fs::path(to) / fs::relative(e.path(), from);
        fs::create_directories(target.parent_path());
        fs::copy_file(e.path(), target);
    }
}

std::string base_name(const std::string& table) {
    size_t dot = table.rfind('.');
    return dot == std::string::npos ? table : table.substr(dot + 1);
}

}  // namespace sg
