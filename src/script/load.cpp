// Loading a migrations directory: recursive discovery, parsing every file,
// and building the revision graph.
//
// Decisions written down here:
// - Files and directories whose name starts with '.' are skipped. A
//   Kubernetes ConfigMap volume holds each file twice: `x.sql` is a symlink
//   into a hidden `..2025_11_08_.../` directory; reading both would report
//   every revision as a duplicate.
// - Symlinks are followed (ConfigMaps again); a directory reached twice (a
//   symlink loop) is read once. A `.sql` name that cannot be opened (a broken
//   symlink, a FIFO) is a problem, not silently skipped.
// - Files are read in the order of their path relative to the directory
//   (byte order), which is the graph's tie-break order.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/util.hpp"
#include "script/migration.hpp"
#include "script/text.hpp"

namespace sg {
namespace {

namespace fs = std::filesystem;

struct Found {
    std::string rel;   // relative path, '/' separated: the sort key
    std::string path;  // for messages and Revision::file
};

bool ends_with_sql(const std::string& name) {
    return name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0;
}

class Discovery {
  public:
    std::vector<Found> files;
    std::vector<FileProblem> problems;

    void walk(const fs::path& dir, const std::string& rel) {
        std::error_code ec;
        fs::path canonical = fs::canonical(dir, ec);
        if (!ec && !m_visited.insert(canonical).second) return;  // a symlink loop
        fs::directory_iterator it(dir, ec);
        if (ec) return problem(dir, "cannot read directory: " + ec.message());
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec) return problem(dir, "cannot read directory: " + ec.message());
            entry(*it, rel);
        }
        if (ec) problem(dir, "cannot read directory: " + ec.message());
    }

  private:
    std::set<fs::path> m_visited;

    void problem(const fs::path& p, std::string message) {
        problems.push_back({p.string(), 0, std::move(message)});
    }

    void entry(const fs::directory_entry& e, const std::string& rel) {
        std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.') return;
        std::error_code ec;
        fs::file_status st = fs::status(e.path(), ec);  // follows symlinks
        if (fs::is_directory(st)) return walk(e.path(), rel + name + "/");
        if (!ends_with_sql(name)) return;
        if (ec || !fs::exists(st))
            return problem(e.path(), "cannot read file: " +
                                         (ec ? ec.message() : std::string("broken symlink")));
        if (!fs::is_regular_file(st)) return problem(e.path(), "not a regular file");
        files.push_back({rel + name, e.path().string()});
    }
};

std::optional<std::string> read_file(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) {
        error = "read error";
        return std::nullopt;
    }
    return buf.str();
}

[[noreturn]] void directory_problem(const std::string& dir, const std::string& message) {
    text::throw_problems(
        {{dir, 0, message + " (set it with --migrations or SCHEMAGATE_MIGRATIONS)"}});
}

}  // namespace

ScriptDirectory load_directory(const std::string& dir, std::optional<Dialect> only) {
    std::error_code ec;
    fs::file_status st = fs::status(dir, ec);
    if (!fs::exists(st)) directory_problem(dir, "migrations directory not found");
    if (!fs::is_directory(st)) directory_problem(dir, "migrations path is not a directory");

    Discovery found;
    found.walk(dir, "");
    std::sort(found.files.begin(), found.files.end(),
              [](const Found& a, const Found& b) { return a.rel < b.rel; });

    std::vector<FileProblem> problems = std::move(found.problems);
    std::vector<Migration> migrations;
    migrations.reserve(found.files.size());
    for (const Found& f : found.files) {
        std::string error;
        auto text = read_file(f.path, error);
        if (!text) {
            problems.push_back({f.path, 0, "cannot read file: " + error});
            continue;
        }
        try {
            migrations.push_back(parse_migration(*text, f.path, only));
        } catch (const ScriptError& e) {
            problems.insert(problems.end(), e.problems().begin(), e.problems().end());
        }
    }
    found.files = {};  // the paths live on in the revisions
    // The graph's copies take the header lines: only its validation messages
    // read them.
    std::vector<Revision> revisions;
    revisions.reserve(migrations.size());
    for (Migration& m : migrations) {
        auto lines = std::move(m.rev.lines);
        m.rev.lines.clear();
        revisions.push_back(m.rev);
        revisions.back().lines = std::move(lines);
    }

    // File problems first, then the graph problems of the files that parsed,
    // so one run lists everything. A reference to an unknown revision is left
    // out then: it is most likely a revision of a file that did not parse.
    if (!problems.empty()) {
        try {
            RevisionGraph check(revisions);
        } catch (const GraphError& e) {
            for (const GraphProblem& p : e.problems()) {
                if (p.message.find("is not a known revision") == std::string::npos)
                    problems.push_back({p.file, p.line, p.message});
            }
        }
        text::throw_problems(std::move(problems));
    }

    ScriptDirectory out;
    out.path = dir;
    out.graph = RevisionGraph(std::move(revisions));
    permute_in_place(migrations, out.graph.links().input_pos);  // into graph order
    out.migrations = std::move(migrations);
    return out;
}

const Migration& ScriptDirectory::get(const std::string& id) const {
    const Revision* r = graph.find(id);
    if (!r) throw GraphError("unknown revision '" + id + "'");
    return migrations[static_cast<size_t>(r - graph.revisions().data())];
}

}  // namespace sg
