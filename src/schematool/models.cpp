// The `sqlalchemy:MODULE:ATTR` schema source: see models.hpp and docs/schema.md.
#include "schematool/models.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "importer/json_line.hpp"
#include "importer/script_file.hpp"
#include "log/log.hpp"
#include "process/process.hpp"
#include "schematool/dev_database.hpp"
#include "schematool/models_render_script.hpp"  // generated: k_models_render_script
#include "script/migration.hpp"

namespace sg {
namespace {

namespace fs = std::filesystem;
using importer::json::Json;

const char* const k_install =
    "install SQLAlchemy 1.4 or newer for a Python 3 (`apt-get install python3-sqlalchemy`, or "
    "`pip install 'sqlalchemy>=1.4'`), or name the interpreter of your project (its virtualenv) "
    "with --python PATH";

[[noreturn]] void config_error(const std::string& message, const std::string& hint = {}) {
    throw Error(ExitCode::usage, message, hint);
}

/// What the script wrote (models_render.py, its protocol).
struct ScriptOutput {
    std::map<Dialect, std::string> ddl;
    std::string error_kind, error;  // an "error" record
    std::string loading;            // the module whose import started
    bool ended = false;
    Json timing;
};

ScriptOutput parse_output(const std::string& out) {
    ScriptOutput o;
    o.ended = importer::json::read_records(
        out, "the models script", [&](const std::string& type, Json& rec) {
            if (type == "loading") {
                o.loading = rec.str("module");
            } else if (type == "ddl") {
                auto d = parse_dialect(rec.str("dialect"));
                if (!d)
                    throw Error(ExitCode::internal,
                                "the models script rendered an unknown dialect '" +
                                    rec.str("dialect") + "'");
                o.ddl[*d] = rec.str("sql");
            } else if (type == "timing") {
                o.timing = std::move(rec);
            } else if (type == "error") {
                o.error_kind = rec.str("kind");
                o.error = rec.str("message");
            } else {
                return false;
            }
            return true;
        });
    return o;
}

std::string duration_text(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string stderr_tail(const std::string& text) {
    if (text.empty()) return "";
    size_t start = text.size() > 2000 ? text.size() - 2000 : 0;
    return "; its stderr ends:\n" + log::redact(text.substr(start));
}

/// The interpreters to try, in order: --python alone, else every python3 on
/// PATH, then /usr/bin/python3. The first that has SQLAlchemy renders; the
/// others cost nothing unless the first lacks it.
std::vector<std::string> candidates(const std::string& given) {
    if (!given.empty()) return {given};
    std::vector<std::string> out;
    std::set<std::string> seen;
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "");
    for (std::string d; std::getline(dirs, d, ':');) {
        std::string c = (d.empty() ? "." : d) + "/python3";
        if (::access(c.c_str(), X_OK) != 0) continue;
        std::error_code ec;
        std::string real = fs::canonical(c, ec).string();
        if (seen.insert(ec ? c : real).second) out.push_back(c);
    }
    std::error_code ec;
    std::string real = fs::canonical("/usr/bin/python3", ec).string();
    if (out.empty() || seen.count(ec ? "/usr/bin/python3" : real) == 0)
        out.push_back("/usr/bin/python3");
    return out;
}

std::string workdir_of(const ModelsSource& src) {
    std::error_code ec;
    fs::path p = fs::absolute(src.workdir.empty() ? "." : src.workdir, ec).lexically_normal();
    std::string s = p.string();
    if (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

struct Attempt {
    bool no_sqlalchemy = false;  // try the next interpreter
    std::string why;             // its message
    ScriptOutput out;
};

Attempt run_once(const ModelsSource& src, const std::string& python, const std::string& dialects,
                 bool explicit_python) {
    const std::string label = "sqlalchemy:" + src.target;
    importer::ScriptFile script("schemagate-models", "models_render.py",
                                k_models_render_script);  // removed again however this ends
    std::string raw;
    process::ChildSpec spec;
    spec.argv = {python,       script.path(), "--target",  src.target,
                 "--dialects", dialects,      "--workdir", workdir_of(src)};
    spec.on_stdout = [&raw](const char* data, size_t n) { raw.append(data, n); };
    spec.own_process_group = true;  // what the models start goes with the child
    spec.timeout = src.timeout;
    process::ChildResult r;
    try {
        r = process::run_child(spec, "--python", src.interrupted);
    } catch (const Error& e) {
        if (e.code() == ExitCode::sigint || e.code() == ExitCode::sigterm) throw;
        if (explicit_python)
            config_error(label + ": --python " + python + ": " + e.what(), k_install);
        return {true, python + " cannot be started", {}};
    }
    Attempt a;
    a.out = parse_output(raw);
    const ScriptOutput& o = a.out;
    if (o.error_kind == "no_sqlalchemy") {
        a.no_sqlalchemy = true;
        a.why = python + ": " + o.error;
        return a;
    }
    if (!o.error.empty())
        config_error(label + ": " + log::redact(o.error),
                     o.error_kind == "import"
                         ? "the module is imported with " + python + " and " + spec.argv[7] +
                               " first on sys.path; name your project's interpreter with --python"
                         : std::string());
    const std::string doing = o.loading.empty() ? "before it imported the module"
                              : o.ddl.empty()   ? "while importing " + o.loading
                                                : "while rendering the DDL";
    if (r.timed_out)
        config_error(label + ": the models did not render within --timeout " +
                         duration_text(src.timeout) + " (stopped " + doing +
                         "); the Python was stopped",
                     "a module that waits at import (for a database, input, the network) cannot "
                     "be rendered; fix it, or give more time with --timeout");
    if (!o.ended)
        config_error(label + ": the Python (" + python + ") ended (" + r.describe() + ") " + doing +
                         ", before the render's end marker" + stderr_tail(r.stderr_text),
                     "a module that exits (sys.exit(), os._exit()) or crashes the interpreter at "
                     "import cannot be rendered");
    if (!r.ok())
        throw Error(ExitCode::internal, "the models script failed (" + r.describe() + ") under " +
                                            python + stderr_tail(r.stderr_text));
    if (!r.stderr_text.empty()) log::debug(log::redact(r.stderr_text));
    return a;
}

long long ms_of(const Json& timing, const char* key) {
    const Json* v = timing.get(key);
    if (!v || v->kind != Json::Kind::number) return -1;
    return static_cast<long long>(std::strtod(v->text.c_str(), nullptr) * 1000);
}

}  // namespace

std::string models_target(const std::string& value) {
    static const std::string prefix = "sqlalchemy:";
    if (value.rfind(prefix, 0) != 0) return "";
    return value.substr(prefix.size());
}

std::map<Dialect, std::string> render_models(const ModelsSource& src,
                                             const std::vector<Dialect>& dialects) {
    const std::string label = "sqlalchemy:" + src.target;
    size_t colon = src.target.find(':');
    if (colon == 0 || colon == std::string::npos || colon + 1 == src.target.size())
        config_error("'" + label + "' is not sqlalchemy:MODULE:ATTR",
                     "e.g. sqlalchemy:myapp.models:Base (ATTR: a MetaData, or an object with one "
                     "as .metadata)");
    std::string list;
    for (Dialect d : dialects) list += (list.empty() ? "" : ",") + std::string(dialect_name(d));
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> tried;
    for (const auto& python : candidates(src.python)) {
        Attempt a = run_once(src, python, list, !src.python.empty());
        if (a.no_sqlalchemy) {
            tried.push_back(a.why);
            continue;
        }
        const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        log::debug("models rendered",
                   {{"target", src.target},
                    {"python", python},
                    {"dialects", list},
                    {"total_ms", static_cast<long long>(total.count())},
                    {"import_sqlalchemy_ms", ms_of(a.out.timing, "import_sqlalchemy")},
                    {"import_models_ms", ms_of(a.out.timing, "import_models")},
                    {"render_ms", ms_of(a.out.timing, "render")}});
        for (Dialect d : dialects)
            if (!a.out.ddl.count(d))
                throw Error(ExitCode::internal,
                            label + ": the models script rendered nothing for " + dialect_name(d));
        return std::move(a.out.ddl);
    }
    std::string why;
    for (const auto& t : tried) why += (why.empty() ? "" : "; ") + t;
    config_error(label + ": no Python with SQLAlchemy 1.4+ (" + why + ")", k_install);
}

ModelsRender::ModelsRender(ModelsSource src, std::vector<Dialect> dialects)
    : m_result(std::async(std::launch::async, [src = std::move(src), ds = std::move(dialects)] {
          return render_models(src, ds);
      })) {}

void apply_rendered(DevDatabase& dev, Dialect d, const std::string& sql, const std::string& label) {
    const std::string where = label + " (rendered for " + dialect_name(d) + ")";
    for (const auto& st : split_sql(sql, d, 1, where)) {
        try {
            dev.conn().execute(st.sql);
        } catch (const DbError& e) {
            throw Error(ExitCode::invalid,
                        where + ", line " + std::to_string(st.line) + ": " + e.describe() +
                            "\n  the statement: " + st.sql,
                        "SQLAlchemy rendered a statement this database refuses: check the model "
                        "(a type or default of another dialect?)");
        }
    }
}

}  // namespace sg
