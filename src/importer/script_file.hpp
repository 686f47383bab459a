#pragma once
// An embedded Python helper (src/importer/alembic_import.py,
// src/schematool/models_render.py) written to a private temporary directory
// for the child to run, and removed again however the run ends.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sg::importer {

class ScriptFile {
  public:
    /// `prefix`: the directory's name ("schemagate-import"); `name`: the
    /// file's. Cannot create or write it: Error(usage).
    ScriptFile(const std::string& prefix, const std::string& name, std::string_view text) {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
        if (!::mkdtemp(templ.data()))
            throw Error(ExitCode::usage, "cannot create a temporary directory in " + templ);
        m_dir = templ;
        m_path = m_dir + "/" + name;
        std::ofstream f(m_path, std::ios::binary);
        f << text;
        if (!f.flush()) throw Error(ExitCode::usage, "cannot write " + m_path);
        ::chmod(m_path.c_str(), 0600);
    }
    ~ScriptFile() {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    ScriptFile(const ScriptFile&) = delete;
    ScriptFile& operator=(const ScriptFile&) = delete;
    const std::string& path() const { return m_path; }

  private:
    std::string m_dir, m_path;
};

}  // namespace sg::importer
