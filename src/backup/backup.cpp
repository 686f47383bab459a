// Naming, the temporary file, the directory and retention; the dump tools
// themselves belong to each database's folder (Database::dump, src/db/<name>/).
#include "backup/backup.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <regex>
#include <thread>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "db/database.hpp"
#include "log/log.hpp"

namespace fs = std::filesystem;

namespace sg {
namespace {

[[noreturn]] void fail(const std::string& message, const std::string& hint = {}) {
    throw Error(ExitCode::backup_failed, message, hint);
}

std::string sanitize(const std::string& name) {
    std::string out = name.empty() ? "db" : name;
    for (char& c : out) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
        if (!ok) c = '_';
    }
    return out;
}

// What to do about an errno of writing into --backup-dir (docs/run.md,
// "Backups"): each cause has its own way out.
std::string dir_hint(int err) {
    switch (err) {
        case EROFS:
            return "--backup-dir is on a read-only file system (a read-only mount, or "
                   "readOnlyRootFilesystem in Kubernetes): mount a writable volume there (an "
                   "emptyDir or a persistent volume), or use --backup=never";
        case ENOSPC:
        case EDQUOT:
            return "the file system of --backup-dir is full: free space there (or remove old "
                   "backups, --backup-keep N), or use --backup=never";
        case EACCES:
        case EPERM:
            return "make --backup-dir writable for this user, or use --backup=never";
        default:
            return "check --backup-dir and the permissions of its parent, or use "
                   "--backup=never";
    }
}

// Creates the directory (0700) when missing; an existing one is left as the
// operator made it (a mounted volume).
void prepare_dir(const std::string& dir) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    fs::path p(dir);
    std::error_code parent_ec;
    if (p.has_parent_path() && !p.parent_path().empty())
        fs::create_directories(p.parent_path(), parent_ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        int err = errno;
        // A parent that could not be made is the cause, not the ENOENT after it.
        if (err == ENOENT && parent_ec) err = parent_ec.value();
        fail("cannot create the backup directory " + dir + ": " + std::strerror(err),
             dir_hint(err));
    }
}

// The temporary file, opened without following links and flock-ed while
// this run writes it (so a later run can tell a stale one from a live one);
// removed unless keep() was called.
class TempFile {
  public:
    explicit TempFile(std::string path) : m_path(std::move(path)) {
        m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (m_fd < 0) {
            int err = errno;
            fail("cannot write to the backup directory: " + m_path + ": " + std::strerror(err),
                 dir_hint(err));
        }
        ::flock(m_fd, LOCK_EX | LOCK_NB);
    }
    ~TempFile() {
        if (!m_kept) ::unlink(m_path.c_str());
        ::close(m_fd);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return m_path; }
    void keep() { m_kept = true; }

    // The dump tools wrote by path: make sure the path still names our file
    // (not a symlink or another file put there meanwhile), then set the mode
    // and flush through our descriptor, never by path.
    void seal() {
        struct stat ours {
        }, now{};
        if (::fstat(m_fd, &ours) != 0 || ::lstat(m_path.c_str(), &now) != 0 ||
            !S_ISREG(now.st_mode) || ours.st_dev != now.st_dev || ours.st_ino != now.st_ino) {
            fail("the temporary backup file " + m_path + " was replaced while the backup ran",
                 "make sure nothing else writes to --backup-dir");
        }
        ::fchmod(m_fd, 0600);
        ::fsync(m_fd);
    }

  private:
    std::string m_path;
    int m_fd = -1;
    bool m_kept = false;
};

// Flushes the directory entry, so a verified backup survives a power cut
// that comes right after the migration started.
void sync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string unique_final_name(const std::string& dir, const std::string& stem,
                              const std::string& from, const std::string& ext) {
    for (int i = 0; i < 30; ++i) {
        std::string name = backup_file_name(stem, from, std::time(nullptr), ext);
        std::error_code ec;
        if (!fs::exists(fs::path(dir) / name, ec) &&
            !fs::exists(fs::path(dir) / ("." + name + ".partial"), ec)) {
            return name;
        }
        // Same second as an earlier backup: the name format has no room for
        // a counter, so wait for the next second.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    fail("a backup file with the same name already exists in " + dir);
}

std::vector<std::string> list_files(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_regular_file(ec)) names.push_back(entry.path().filename().string());
    }
    return names;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Removes what a run of this database killed mid-backup left behind: the
// `.<name>.partial` files nobody holds a flock on any more, and their SQLite
// `-journal`. Other databases' files and live partials are left alone.
void remove_stale_partials(const std::string& dir, const std::string& stem) {
    std::vector<std::string> names = list_files(dir);
    for (const auto& name : names) {
        if (name.empty() || name[0] != '.' || !ends_with(name, ".partial")) continue;
        std::string inner = name.substr(1, name.size() - 1 - std::strlen(".partial"));
        if (own_backups({inner}, stem).empty()) continue;
        std::string path = (fs::path(dir) / name).string();
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) continue;
        bool stale = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (stale) {
            ::unlink(path.c_str());
            ::unlink((path + "-journal").c_str());
            log::info("removed a partial backup left by an interrupted run", {{"file", path}});
        }
        ::close(fd);
    }
    for (const auto& name : names) {  // a journal whose partial is gone
        if (name.empty() || name[0] != '.' || !ends_with(name, ".partial-journal")) continue;
        std::string inner = name.substr(1, name.size() - 1 - std::strlen(".partial-journal"));
        std::error_code ec;
        fs::path partial = fs::path(dir) / ("." + inner + ".partial");
        if (!own_backups({inner}, stem).empty() && !fs::exists(partial, ec)) {
            ::unlink((fs::path(dir) / name).c_str());
        }
    }
}

std::vector<std::string> apply_retention(const std::string& dir, const std::string& stem,
                                         int keep) {
    std::error_code ec;
    std::vector<std::string> removed;
    for (const auto& name : retention_victims(list_files(dir), stem, keep)) {
        fs::path p = fs::path(dir) / name;
        if (fs::remove(p, ec)) {
            removed.push_back(p.string());
            log::info("removed old backup", {{"file", p.string()}});
        } else {
            log::warn("cannot remove old backup", {{"file", p.string()}, {"error", ec.message()}});
        }
    }
    return removed;
}

}  // namespace

std::string backup_extension(const DbUrl& url) { return database(url.dialect).backup_extension(); }

std::string backup_id(const DbUrl& url) {
    std::string identity = database(url.dialect).identity(url);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(fnv1a64(identity) & 0xffffffffu));
    return buf;
}

std::string backup_stem(const DbUrl& url, const std::string& database) {
    // The database part is cut at kMaxNamePart characters (a SQLite file
    // stem may be long); the id keeps two such databases apart.
    return sanitize(database).substr(0, kMaxNamePart) + "-" + backup_id(url);
}

std::string backup_from_part(const std::string& from) {
    if (from.empty()) return "base";
    if (from.size() <= kMaxNamePart) return from;
    // "<first>+<N>heads_<hash>": the first id, how many heads, and 8 hex
    // digits of the whole list (the report and the log have the list).
    size_t count = 1 + static_cast<size_t>(std::count(from.begin(), from.end(), '+'));
    std::string first = from.substr(0, from.find('+')).substr(0, 32);
    char hash[16];
    std::snprintf(hash, sizeof hash, "%08x", static_cast<unsigned>(fnv1a64(from) & 0xffffffffu));
    return first + "+" + std::to_string(count) + "heads_" + hash;
}

std::string backup_file_name(const std::string& stem, const std::string& from, std::time_t when,
                             const std::string& ext) {
    std::tm tm{};
    gmtime_r(&when, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    return sanitize(stem) + "-" + backup_from_part(from) + "-" + stamp + "." + ext;
}

std::string backup_from_label(const std::vector<std::string>& heads) {
    if (heads.empty()) return "base";
    std::string out;
    for (const auto& h : heads) out += (out.empty() ? "" : "+") + h;
    return out;
}

std::vector<std::string> own_backups(const std::vector<std::string>& names,
                                     const std::string& stem) {
    std::string escaped;
    for (char c : sanitize(stem)) {
        if (c == '.') escaped += "\\";
        escaped += c;
    }
    // Revision ids have no '-', so "app-2-base-..." never counts as a backup of "app".
    std::regex pattern(
        "^" + escaped +
        R"(-(base|[0-9A-Za-z_]+(\+[0-9A-Za-z_]+)*)-([0-9]{8}T[0-9]{6}Z)\.(dump|sql\.gz|sqlite3)$)");
    std::vector<std::pair<std::string, std::string>> ours;  // (timestamp, name)
    for (const auto& name : names) {
        std::smatch m;
        if (std::regex_match(name, m, pattern)) ours.emplace_back(m[3].str(), name);
    }
    std::sort(ours.begin(), ours.end());
    std::vector<std::string> out;
    for (auto& o : ours) out.push_back(std::move(o.second));
    return out;
}

std::vector<std::string> retention_victims(const std::vector<std::string>& names,
                                           const std::string& stem, int keep) {
    if (keep <= 0) return {};
    std::vector<std::string> ours = own_backups(names, stem);
    if (ours.size() <= static_cast<size_t>(keep)) return {};
    ours.resize(ours.size() - static_cast<size_t>(keep));
    return ours;
}

std::string newest_backup(const std::string& dir, const DbUrl& url, const std::string& database) {
    std::vector<std::string> ours = own_backups(list_files(dir), backup_stem(url, database));
    return ours.empty() ? "" : (fs::path(dir) / ours.back()).string();
}

BackupResult take_backup(const DbUrl& url, const std::string& database, const std::string& from,
                         const BackupOptions& opts) {
    auto started = std::chrono::steady_clock::now();
    const Database& db = sg::database(url.dialect);
    db.check_backup(url);
    prepare_dir(opts.dir);
    std::string stem = backup_stem(url, database);
    remove_stale_partials(opts.dir, stem);
    std::string final_name = unique_final_name(opts.dir, stem, from, backup_extension(url));
    std::string final_path = (fs::path(opts.dir) / final_name).string();
    TempFile temp((fs::path(opts.dir) / ("." + final_name + ".partial")).string());
    log::info("taking a backup", {{"file", final_path}, {"from", from}});

    db.dump(url, temp.path(), opts);
    temp.seal();
    if (::rename(temp.path().c_str(), final_path.c_str()) != 0) {
        fail("cannot rename the backup to " + final_path + ": " + std::strerror(errno));
    }
    temp.keep();
    sync_dir(opts.dir);

    BackupResult result;
    result.path = final_path;
    if (from != "base") {
        for (size_t start = 0; start <= from.size();) {
            size_t plus = std::min(from.find('+', start), from.size());
            result.from.push_back(from.substr(start, plus - start));
            start = plus + 1;
        }
    }
    std::error_code ec;
    result.bytes = static_cast<long long>(fs::file_size(final_path, ec));
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    log::info("backup written and verified",
              {{"file", final_path}, {"bytes", result.bytes}, {"duration_ms", result.duration_ms}});
    result.removed = apply_retention(opts.dir, stem, opts.keep);
    return result;
}

}  // namespace sg
