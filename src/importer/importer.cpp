#include "importer/importer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/revision.hpp"
#include "importer/alembic_import_script.hpp"  // generated: k_alembic_import_script
#include "importer/json_line.hpp"
#include "importer/script_file.hpp"
#include "log/log.hpp"
#include "process/process.hpp"
#include "script/import_marker.hpp"
#include "script/migration.hpp"
#include "script/text.hpp"

namespace sg::importer {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void usage(const std::string& message) { throw Error(ExitCode::usage, message); }

const char* const k_install =
    "install Alembic for a Python 3 (`apt-get install python3-alembic`, or `pip install "
    "alembic`), or name an interpreter that has it with --python PATH";

process::ChildResult run(const std::vector<std::string>& argv, std::string* out = nullptr) {
    process::ChildSpec spec;
    spec.argv = argv;
    if (out) spec.on_stdout = [out](const char* data, size_t n) { out->append(data, n); };
    return process::run_child(spec, "--python", nullptr);
}

bool can_import_alembic(const std::string& python) {
    try {
        return run({python, "-c", "import alembic"}).ok();
    } catch (const Error&) {
        return false;  // not found or not executable
    }
}

using json::Json;

/// What the script wrote (src/importer/alembic_import.py, its protocol).
struct ScriptOutput {
    std::vector<Json> revisions;
    std::vector<OtherFile> unimported, ignored;
    std::string error;     // the project cannot be read
    bool ended = false;    // the end marker came
    std::string file;      // the revision file the script was busy with last
    std::string activity;  // and what it did there ("upgrade() for sqlite")
};

ScriptOutput parse_output(const std::string& out) {
    ScriptOutput o;
    o.ended = json::read_records(out, "the import script", [&](const std::string& type, Json& rec) {
        if (type == "loading") {
            o.file = rec.str("file");
            o.activity = "loading the module";  // its top-level code runs
        } else if (type == "rendering") {
            o.file = rec.str("file");
            o.activity = "rendering " + rec.str("function") + " for " + rec.str("dialect");
        } else if (type == "revision") {
            o.revisions.push_back(std::move(rec));
        } else if (type == "unimported") {
            o.unimported.push_back({rec.str("source"), rec.str("reason")});
        } else if (type == "ignored") {
            o.ignored.push_back({rec.str("source"), rec.str("reason")});
        } else if (type == "error") {
            o.error = rec.str("message");
        } else {
            return false;
        }
        return true;
    });
    return o;
}

/// Revision ids already in the migrations directory (header lines only, so a
/// directory with files still to be fixed by hand is read too) -> file.
std::map<std::string, std::string> existing_ids(const std::string& dir) {
    std::map<std::string, std::string> ids;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return ids;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file() || it->path().extension() != ".sql") continue;
        std::ifstream f(it->path());
        for (std::string line; std::getline(f, line);) {
            std::string_view t = text::trim(line);
            if (t.substr(0, 4) == "-- +") break;
            if (t.substr(0, 12) == "-- revision:")
                ids.emplace(std::string(text::trim(t.substr(12))), it->path().string());
        }
    }
    return ids;
}

std::vector<std::string> script_args(const ImportOptions& o, const std::string& python,
                                     const std::string& script) {
    std::vector<std::string> argv{python, script, "--marker", k_import_marker};
    if (!o.from_dir.empty()) {
        argv.insert(argv.end(), {"--from", fs::absolute(o.from_dir).string()});
    } else {
        argv.insert(argv.end(), {"--config", fs::absolute(o.config).string()});
    }
    std::string dialects;
    for (const auto& d : o.dialects) dialects += (dialects.empty() ? "" : ",") + d;
    if (!dialects.empty()) argv.insert(argv.end(), {"--dialects", dialects});
    if (!o.fallback_dialect.empty())
        argv.insert(argv.end(), {"--fallback-dialect", o.fallback_dialect});
    if (!o.version_table.empty()) argv.insert(argv.end(), {"--version-table", o.version_table});
    return argv;
}

std::string duration_text(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

/// The last lines of the child's stderr, for a message.
std::string stderr_tail(const std::string& text) {
    if (text.empty()) return "";
    size_t start = text.size() > 2000 ? text.size() - 2000 : 0;
    return "; its stderr ends:\n" + text.substr(start);
}

ScriptOutput run_script(const ImportOptions& o, const std::string& python) {
    ScriptFile script(
        "schemagate-import", "alembic_import.py",
        k_alembic_import_script);  // removed again however this ends (also on SIGTERM)
    std::string out;
    process::ChildSpec spec;
    spec.argv = script_args(o, python, script.path());
    spec.on_stdout = [&out](const char* data, size_t n) { out.append(data, n); };
    // What the revisions start goes with the child when it is stopped.
    spec.own_process_group = true;
    spec.timeout = o.timeout;
    process::ChildResult r = process::run_child(spec, "--python", o.interrupted);
    ScriptOutput parsed = parse_output(out);
    if (!parsed.error.empty()) usage(parsed.error);
    const std::string where = parsed.file.empty() ? "" : parsed.file + ": ";
    const std::string doing =
        parsed.file.empty() ? "before it reached a revision file" : "while " + parsed.activity;
    if (r.timed_out)
        throw Error(ExitCode::invalid,
                    where + "Alembic's render did not finish within --timeout " +
                        (o.timeout_text.empty() ? duration_text(o.timeout) : o.timeout_text) +
                        " (stopped " + doing + "); the Python was stopped and nothing was written",
                    "a revision that loops or waits (for input, a lock, the network) cannot be "
                    "rendered offline; fix it, or give more time with --timeout");
    if (!parsed.ended) {
        if (parsed.file.empty())
            throw Error(ExitCode::internal, "the import script failed (" + r.describe() +
                                                ") under " + python + stderr_tail(r.stderr_text));
        throw Error(ExitCode::invalid,
                    where + "the Python ended (" + r.describe() + ") " + doing +
                        ", before the import's end marker; nothing was written" +
                        stderr_tail(r.stderr_text),
                    "a revision that exits (os._exit(), sys.exit() at import) or crashes the "
                    "interpreter cannot be rendered: fix that file");
    }
    if (!r.ok())
        throw Error(ExitCode::internal, "the import script failed (" + r.describe() + ") under " +
                                            python + stderr_tail(r.stderr_text));
    if (!r.stderr_text.empty()) log::debug(r.stderr_text);
    return parsed;
}

NewRevision to_new_revision(const Json& rec) {
    NewRevision r;
    r.rev_id = rec.str("revision");
    r.down_revisions = rec.strings("down_revision");
    r.branch_labels = rec.strings("branch_labels");
    r.depends_on = rec.strings("depends_on");
    r.message = rec.str("message");
    r.created = rec.str("create_date");
    r.file_name = rec.str("file_name");
    r.transactional = rec.flag("transaction", true);
    r.body = rec.str("body");
    return r;
}

/// A value for a message: quoted, control characters escaped.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (unsigned char c : s) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else if (c == '\'' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "'";
}

/// Why the revision's identity cannot be written as a schemagate header, or "".
/// An id or a list item may not be empty (none is invented) nor hold anything
/// a header line cannot (a newline, a comma).
std::string bad_identity(const NewRevision& r) {
    if (r.rev_id.empty()) return "its revision id is empty ('')";
    if (!valid_revision_id(r.rev_id))
        return "its revision id " + quoted(r.rev_id) + " is not 1-32 characters of [0-9A-Za-z_]";
    for (const auto& id : r.down_revisions)
        if (!valid_revision_id(id))
            return "its down_revision " + quoted(id) + " is not 1-32 characters of [0-9A-Za-z_]";
    for (const auto& l : r.branch_labels)
        if (!text::valid_label(l))
            return "its branch label " + quoted(l) + " is not letters, digits, _ - and .";
    for (const auto& d : r.depends_on)
        if (!text::valid_label(d))
            return "its depends_on " + quoted(d) + " is not a revision id or branch label";
    return "";
}

/// file:line of each marker in the written file, with its reason.
std::vector<std::string> marker_lines(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream text;
    text << f.rdbuf();
    std::vector<std::string> out;
    for (const auto& p : import_marker_problems(text.str(), path))
        out.push_back(p.where() + ": " + p.message);
    return out;
}

ImportedRevision write_one(const Json& rec, const std::string& dir,
                           const std::map<std::string, std::string>& existing) {
    ImportedRevision out;
    NewRevision r = to_new_revision(rec);
    out.id = r.rev_id;
    out.notes = rec.strings("notes");
    out.source = rec.str("source");
    if (auto e = existing.find(r.rev_id); e != existing.end()) {
        out.skipped_because = "already in " + e->second;
        return out;
    }
    try {
        out.path = write_revision(dir, r);
    } catch (const Error& e) {
        out.skipped_because = e.what();
        return out;
    }
    out.flags = marker_lines(out.path);
    return out;
}

}  // namespace

std::string find_python(const std::string& given) {
    if (!given.empty()) {
        if (can_import_alembic(given)) return given;
        usage("--python " + given + " cannot import alembic: " + k_install);
    }
    std::vector<std::string> tried;
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "");
    for (std::string d; std::getline(dirs, d, ':');) {
        std::string candidate = (d.empty() ? "." : d) + "/python3";
        if (::access(candidate.c_str(), X_OK) != 0) continue;
        tried.push_back(candidate);
        if (can_import_alembic(candidate)) return candidate;
    }
    if (can_import_alembic("/usr/bin/python3")) return "/usr/bin/python3";
    tried.push_back("/usr/bin/python3");
    std::string list;
    for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
    usage("no Python that can import alembic (tried " + list + "): " + k_install);
}

ImportResult import_alembic(const ImportOptions& o) {
    if (o.config.empty() == o.from_dir.empty())
        usage("import alembic needs one of --config alembic.ini or --from DIR");
    ImportResult result;
    result.python = find_python(o.python);
    log::info("rendering the Alembic revisions with " + result.python);
    ScriptOutput out = run_script(o, result.python);
    if (int sig = o.interrupted ? o.interrupted->load() : 0; sig != 0)
        throw Error(sig == SIGINT ? ExitCode::sigint : ExitCode::sigterm,
                    "interrupted before the imported files were written; nothing was written");
    result.ignored = std::move(out.ignored);
    result.unimported = std::move(out.unimported);
    auto existing = existing_ids(o.migrations);
    for (const Json& rec : out.revisions) {
        if (std::string why = bad_identity(to_new_revision(rec)); !why.empty()) {
            result.unimported.push_back(
                {rec.str("source"), why + "; fix it in the Alembic file, or write this revision "
                                          "by hand"});
            continue;
        }
        ImportedRevision r = write_one(rec, o.migrations, existing);
        if (!r.path.empty()) ++result.written;
        if (!r.skipped_because.empty()) {
            (r.skipped_because.rfind("already in ", 0) == 0 ? result.skipped : result.refused)++;
        }
        if (!r.flags.empty()) ++result.flagged;
        result.revisions.push_back(std::move(r));
    }
    return result;
}

}  // namespace sg::importer
