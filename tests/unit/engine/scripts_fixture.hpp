#pragma once
// Small temporary migration directories written by tests (used by the engine
// unit tests and the conformance suite).
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "script/migration.hpp"

namespace sg::test {

/// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
  public:
    explicit TempDir(const std::string& tag = "sg") {
        static std::atomic<int> counter{0};
        m_path = std::filesystem::temp_directory_path() /
                 (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        if (!std::getenv("SG_KEEP_TEMP")) std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string path() const { return m_path.string(); }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

  private:
    std::filesystem::path m_path;
};

/// One revision file to write. `body` is everything after the header
/// (sections with their markers), so tests can use dialect sections freely.
struct RevFile {
    RevFile(std::string i, std::string d, std::string b, std::string extra = "",
            std::string msg = "")
        : id(std::move(i)),
          down(std::move(d)),
          body(std::move(b)),
          extra_header(std::move(extra)),
          message(std::move(msg)) {}
    std::string id;
    std::string down;  // "" root; "a,b" merge
    std::string body;
    std::string extra_header;  // e.g. "-- transaction: false\n"
    std::string message;       // default: "rev <id>"
};

inline std::string rev_text(const RevFile& r) {
    return "-- revision: " + r.id + "\n-- down_revision: " + r.down +
           "\n-- message: " + (r.message.empty() ? "rev " + r.id : r.message) + "\n" +
           r.extra_header + "\n" + r.body;
}

/// A simple body: one upgrade and one downgrade section.
inline std::string updown(const std::string& up, const std::string& down) {
    return "-- +upgrade\n" + up + "\n\n-- +downgrade\n" + down + "\n";
}

/// A migrations directory built from RevFiles.
class MigrationsDir {
  public:
    MigrationsDir() : m_dir("sg-migrations") {}
    void add(const RevFile& r) {
        std::ofstream(m_dir.file(r.id + ".sql"), std::ios::binary) << rev_text(r);
    }
    ScriptDirectory load() const { return load_directory(m_dir.path()); }
    std::string path() const { return m_dir.path(); }
    std::string file(const std::string& id) const { return m_dir.file(id + ".sql"); }

  private:
    TempDir m_dir;
};

}  // namespace sg::test
