#include "importer/importer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "backup/process.hpp"
#include "core/error.hpp"
#include "importer/alembic_import_script.hpp"  // generated: k_alembic_import_script
#include "log/log.hpp"
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

backup::ChildResult run(const std::vector<std::string>& argv, std::string* out = nullptr) {
    backup::ChildSpec spec;
    spec.argv = argv;
    if (out) spec.on_stdout = [out](const char* data, size_t n) { out->append(data, n); };
    return backup::run_child(spec, "--python", nullptr);
}

bool can_import_alembic(const std::string& python) {
    try {
        return run({python, "-c", "import alembic"}).ok();
    } catch (const Error&) {
        return false;  // not found or not executable
    }
}

/// The script, written to a private temporary directory for the child.
class ScriptFile {
  public:
    ScriptFile() {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/schemagate-import-XXXXXX";
        if (!::mkdtemp(templ.data())) usage("cannot create a temporary directory in " + templ);
        m_dir = templ;
        m_path = m_dir + "/alembic_import.py";
        std::ofstream f(m_path, std::ios::binary);
        f << k_alembic_import_script;
        if (!f.flush()) usage("cannot write " + m_path);
        ::chmod(m_path.c_str(), 0600);
    }
    ~ScriptFile() {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    ScriptFile(const ScriptFile&) = delete;
    ScriptFile& operator=(const ScriptFile&) = delete;
    const std::string& path() const { return m_path; }

  private:
    std::string m_dir, m_path;
};

/// One record of the script's output (src/importer/alembic_import.py).
struct Record {
    std::map<std::string, std::string> fields;
    std::vector<std::string> flags, notes;
    std::string body;
};

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

std::vector<Record> parse_records(const std::string& out) {
    std::vector<Record> records;
    Record cur;
    size_t pos = 0;
    auto bad = [&](const std::string& what) {
        throw Error(ExitCode::internal, "the import script's output is not understood: " + what);
    };
    while (pos < out.size()) {
        size_t eol = out.find('\n', pos);
        if (eol == std::string::npos) bad("a line without its end");
        std::string line = out.substr(pos, eol - pos);
        pos = eol + 1;
        size_t sp = line.find(' ');
        std::string key = line.substr(0, sp);
        std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
        if (key == "end") {
            records.push_back(std::move(cur));
            cur = Record{};
        } else if (key == "flag") {
            cur.flags.push_back(value);
        } else if (key == "note") {
            cur.notes.push_back(value);
        } else if (key == "body") {
            size_t n = std::strtoul(value.c_str(), nullptr, 10);
            if (pos + n + 1 > out.size()) bad("a body shorter than announced");
            cur.body = out.substr(pos, n);
            pos += n + 1;  // and its newline
        } else {
            cur.fields[key] = value;
        }
    }
    return records;
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

std::string run_script(const ImportOptions& o, const std::string& python) {
    ScriptFile script;
    std::string out;
    backup::ChildResult r = run(script_args(o, python, script.path()), &out);
    if (r.exited && r.exit_status == 2) usage(r.stderr_text);
    if (!r.ok())
        throw Error(ExitCode::internal, "the import script failed (" + r.describe() + ") under " +
                                            python + ":\n" + r.stderr_text);
    if (!r.stderr_text.empty()) log::debug(r.stderr_text);
    return out;
}

NewRevision to_new_revision(const Record& rec) {
    auto get = [&](const char* k) {
        auto it = rec.fields.find(k);
        return it == rec.fields.end() ? std::string() : it->second;
    };
    NewRevision r;
    r.rev_id = get("revision");
    r.down_revisions = split_list(get("down_revision"));
    r.branch_labels = split_list(get("branch_labels"));
    r.depends_on = split_list(get("depends_on"));
    r.message = get("message");
    r.created = get("create_date");
    r.file_name = get("file_name");
    r.transactional = get("transaction") != "false";
    r.body = rec.body;
    return r;
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

ImportedRevision write_one(const Record& rec, const std::string& dir,
                           const std::map<std::string, std::string>& existing) {
    ImportedRevision out;
    NewRevision r = to_new_revision(rec);
    out.id = r.rev_id;
    out.notes = rec.notes;
    auto it = rec.fields.find("source");
    if (it != rec.fields.end()) out.source = it->second;
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
    std::vector<Record> records = parse_records(run_script(o, result.python));
    auto existing = existing_ids(o.migrations);
    for (const Record& rec : records) {
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
