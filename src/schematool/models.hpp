#pragma once
// The `sqlalchemy:MODULE:ATTR` schema source (docs/schema.md, "SQLAlchemy
// models"): a team's SQLAlchemy MetaData rendered to DDL for each dialect by
// a Python script embedded in this binary (models_render.py), run as a child
// process like `import alembic`'s: an argv vector, its own process group, a
// timeout, JSON lines on stdout with an end marker.
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "core/dialect.hpp"

namespace sg {

class DevDatabase;

struct ModelsSource {
    std::string target;         // MODULE:ATTR (ATTR: a MetaData, or has .metadata)
    std::string python;         // --python; empty: python3 on PATH, then /usr/bin/python3
    std::string workdir = ".";  // first on sys.path, and the script's working directory
    std::chrono::milliseconds timeout = std::chrono::minutes(5);  // 0: no limit
    const std::atomic<int>* interrupted = nullptr;                // signal number once one arrived
};

/// `metadata.create_all()`'s statements for each dialect, as SQL text (each
/// statement ends with ';'). Throws Error(usage) (exit 2) naming MODULE:ATTR
/// with the Python error when the module cannot be imported, ATTR is missing
/// or not a MetaData, no Python has SQLAlchemy 1.4+, or the render did not
/// finish (crash, timeout: the Python's process group is stopped).
std::map<Dialect, std::string> render_models(const ModelsSource& src,
                                             const std::vector<Dialect>& dialects);

/// render_models() on a thread of its own: the Python's start-up and the
/// model import overlap with what the caller does meanwhile (replaying the
/// migrations). get() waits and rethrows render_models()'s errors; the
/// destructor waits for the render too (it ends: the Python has a timeout).
class ModelsRender {
  public:
    ModelsRender(ModelsSource src, std::vector<Dialect> dialects);
    std::map<Dialect, std::string> get() { return m_result.get(); }

  private:
    std::future<std::map<Dialect, std::string>> m_result;
};

/// Runs rendered SQL in the dev database of its dialect; a failing statement
/// is Error(invalid) naming `label`, the statement and the database's error.
void apply_rendered(DevDatabase& dev, Dialect d, const std::string& sql, const std::string& label);

/// "sqlalchemy:MODULE:ATTR" -> "MODULE:ATTR"; "" when `value` has no such prefix.
std::string models_target(const std::string& value);

}  // namespace sg
