#pragma once
// `schemagate import alembic` (docs/import-alembic.md): converts an Alembic
// project's revisions into schemagate revision files. Alembic itself renders
// the SQL, in offline mode, from a Python script embedded in this binary and
// run with a Python that can import alembic; this side finds that Python,
// runs the script (an argv vector, no shell), and writes the files.
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace sg::importer {

struct ImportOptions {
    std::string config;    // --config alembic.ini
    std::string from_dir;  // --from DIR (a project, or Flask-Migrate's migrations/)
    std::string python;    // --python PATH; empty: python3 on PATH, then /usr/bin/python3
    std::string migrations = "migrations";  // where the files go
    std::string version_table;              // empty: the project's, else alembic_version
    std::vector<std::string> dialects;      // empty: the project's sqlalchemy.url dialect
    std::string fallback_dialect;           // when the project names none (--url's)
    /// How long the Python may take for the whole render (0: no limit).
    std::chrono::milliseconds timeout = std::chrono::minutes(5);
    std::string timeout_text = "5m";                // as the user gave it, for messages
    const std::atomic<int>* interrupted = nullptr;  // signal number once one arrived
};

/// One revision as the script reported it, and what became of it.
struct ImportedRevision {
    std::string id, source, path, skipped_because;
    std::vector<std::string> flags;  // "file:line: reason" once written
    std::vector<std::string> notes;
};

/// A file of the versions directory that did not become a revision file.
struct OtherFile {
    std::string source, reason;
};

struct ImportResult {
    std::string python;  // the interpreter used
    std::vector<ImportedRevision> revisions;
    std::vector<OtherFile> unimported;  // no usable identity: a person must write it
    std::vector<OtherFile> ignored;     // not revision modules (Alembic ignores them too)
    int written = 0, skipped = 0, flagged = 0, refused = 0;
};

/// Runs the import. Throws Error(usage) when no Python can import alembic
/// (with the install line), when the project cannot be read, or on bad options;
/// Error(invalid) naming the revision file when the render did not finish
/// (the Python ended early, or ran past opts.timeout): nothing is written then;
/// Error(sigint/sigterm) when interrupted, after stopping the Python.
ImportResult import_alembic(const ImportOptions& opts);

/// The interpreter to use: `given` if it can import alembic, else the first
/// `python3` on PATH that can, else /usr/bin/python3; throws Error(usage).
std::string find_python(const std::string& given);

}  // namespace sg::importer
