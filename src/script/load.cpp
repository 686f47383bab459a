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
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

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

std::string join_path(const std::string& dir, const char* name) {
    return !dir.empty() && dir.back() == '/' ? dir + name : dir + "/" + name;
}

// POSIX opendir/readdir rather than std::filesystem: the listing's own type
// (d_type) answers for a plain file or directory without a stat, and no
// path object is built per entry. A symlink (a ConfigMap's files) or an
// unknown type takes one stat().
class Discovery {
  public:
    std::vector<Found> files;
    std::vector<FileProblem> problems;

    void walk(const std::string& dir, const std::string& rel) {
        DIR* d = ::opendir(dir.c_str());
        if (!d) return problem(dir, std::string("cannot read directory: ") + std::strerror(errno));
        struct stat st {};
        if (::fstat(::dirfd(d), &st) == 0 &&
            !m_visited.insert({st.st_dev, st.st_ino}).second) {  // a symlink loop
            ::closedir(d);
            return;
        }
        for (;;) {
            errno = 0;
            const dirent* e = ::readdir(d);
            if (!e) {
                if (errno)
                    problem(dir, std::string("cannot read directory: ") + std::strerror(errno));
                break;
            }
            entry(dir, rel, *e);
        }
        ::closedir(d);
    }

  private:
    std::set<std::pair<dev_t, ino_t>> m_visited;

    void problem(const std::string& path, std::string message) {
        problems.push_back({path, 0, std::move(message)});
    }

    void entry(const std::string& dir, const std::string& rel, const dirent& e) {
        const char* name = e.d_name;
        if (name[0] == '\0' || name[0] == '.') return;
        size_t len = std::strlen(name);
        bool sql = len > 4 && std::strcmp(name + len - 4, ".sql") == 0;
        if (e.d_type == DT_DIR) return walk(join_path(dir, name), rel + name + "/");
        if (e.d_type == DT_REG) {
            if (sql) files.push_back({rel + name, join_path(dir, name)});
            return;
        }
        if (e.d_type != DT_LNK && e.d_type != DT_UNKNOWN && !sql) return;
        std::string path = join_path(dir, name);
        struct stat st {};
        int rc = ::stat(path.c_str(), &st);  // follows symlinks
        int err = errno;
        if (rc == 0 && S_ISDIR(st.st_mode)) return walk(path, rel + name + "/");
        if (!sql) return;
        if (rc != 0)
            return problem(path, std::string("cannot read file: ") +
                                     (err == ENOENT ? "broken symlink" : std::strerror(err)));
        if (!S_ISREG(st.st_mode)) return problem(path, "not a regular file");
        files.push_back({rel + name, std::move(path)});
    }
};

// open/read/close, no stream: a migration file is read in one read() plus
// the one that sees the end.
std::optional<std::string> read_file(const std::string& path, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = std::strerror(errno);
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
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
                if (p.kind != GraphProblemKind::unknown_down_revision &&
                    p.kind != GraphProblemKind::unknown_depends_on)
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
    if (!r) throw GraphError({GraphProblemKind::unknown_revision, {id}}, {});
    return migrations[static_cast<size_t>(r - graph.revisions().data())];
}

}  // namespace sg
