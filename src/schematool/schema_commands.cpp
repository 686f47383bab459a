// `inspect` and `diff` (docs/schema.md).
#include "schematool/schema_commands.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "db/drivers/inspect.hpp"
#include "engine/state.hpp"
#include "schematool/dev_database.hpp"
#include "schematool/models.hpp"
#include "schematool/scratch.hpp"

namespace fs = std::filesystem;

namespace sg {
namespace {

std::set<std::string> own_tables(const SchemaSettings& s) {
    return {base_name(s.tables.version), base_name(s.tables.history)};
}

ConnectOptions connect_options(const SchemaSettings& s) {
    ConnectOptions o;
    o.connect_timeout_s =
        static_cast<int>(std::max<long long>(1, s.connect_timeout.count() / 1000));
    return o;
}

/// Connects to a database that must exist (a missing SQLite file is not created).
std::unique_ptr<Connection> connect_existing(const DbUrl& url, const SchemaSettings& s) {
    if (url.dialect == Dialect::sqlite && url.database != ":memory:" && !fs::exists(url.database)) {
        throw Error(ExitCode::usage, "the SQLite database " + url.database + " does not exist");
    }
    return connect(url, connect_options(s));
}

std::vector<std::string> sql_files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && name.size() > 4 && name.substr(name.size() - 4) == ".sql" &&
            name[0] != '.')
            out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    if (out.empty()) throw Error(ExitCode::invalid, dir + ": no .sql files");
    return out;
}

/// The schema a source names, in dialect `d` (the dev database's).
schema::Schema read_source(const SchemaSource& src, Dialect d, const SchemaSettings& settings,
                           const SchemaRequest& req, ModelsRender* models = nullptr) {
    if (src.kind == SchemaSource::Kind::url) {
        DbUrl url = parse_url(src.text);
        if (url.dialect != d) {
            throw Error(ExitCode::usage, std::string("cannot compare a ") +
                                             dialect_name(url.dialect) + " schema with a " +
                                             dialect_name(d) + " one");
        }
        auto conn = connect_existing(url, settings);
        return inspect_schema(*conn, own_tables(settings));
    }
    if (src.kind == SchemaSource::Kind::models) {
        auto sql = models->get();
        DevDatabase dev(d, req.dev_urls, connect_options(settings));
        apply_rendered(dev, d, sql[d], "sqlalchemy:" + src.text);
        return dev.inspect();
    }
    std::vector<std::string> targets;
    if (src.kind == SchemaSource::Kind::live_current) {
        auto conn = connect_existing(settings.db, settings);
        StateStore state(*conn, settings.tables);
        targets = state.versions();
    } else if (src.kind == SchemaSource::Kind::migrations) {
        targets = {src.text};
    }
    std::optional<ScriptDirectory> scripts;
    if (src.kind == SchemaSource::Kind::migrations ||
        src.kind == SchemaSource::Kind::live_current) {
        scripts = load_directory(settings.migrations, d);
        for (const auto& t : targets)
            scripts->graph.plan_upgrade({}, t);  // resolve before connecting
    }
    DevDatabase dev(d, req.dev_urls, connect_options(settings));
    if (scripts) {
        dev.replay(*scripts, targets);
    } else if (src.kind == SchemaSource::Kind::sql_file) {
        dev.apply_sql_file(src.text);
    } else {
        for (const auto& f : sql_files(src.text)) dev.apply_sql_file(f);
    }
    return dev.inspect();
}

std::string source_label(const SchemaSource& s, const SchemaSettings& settings) {
    switch (s.kind) {
        case SchemaSource::Kind::url:
            return parse_url(s.text).masked();
        case SchemaSource::Kind::migrations:
            return "migrations@" + s.text;
        case SchemaSource::Kind::live_current:
            return "migrations at the current revision of " + settings.db.masked();
        case SchemaSource::Kind::models:
            return "sqlalchemy:" + s.text;
        default:
            return s.text;
    }
}

}  // namespace

SchemaSource parse_source(const std::string& value) {
    if (std::string target = models_target(value); !target.empty())
        return {SchemaSource::Kind::models, target};
    if (value.find("://") != std::string::npos) return {SchemaSource::Kind::url, value};
    if (value == "migrations") return {SchemaSource::Kind::migrations, "head"};
    if (value.rfind("migrations@", 0) == 0) {
        std::string rev = value.substr(11);
        if (rev.empty())
            throw Error(ExitCode::usage,
                        "migrations@ needs a revision (migrations@head, migrations@ID)");
        return {SchemaSource::Kind::migrations, rev};
    }
    if (fs::is_directory(value)) return {SchemaSource::Kind::sql_dir, value};
    if (value.size() > 4 && value.substr(value.size() - 4) == ".sql") {
        if (!fs::exists(value)) throw Error(ExitCode::usage, value + ": no such file");
        return {SchemaSource::Kind::sql_file, value};
    }
    throw Error(ExitCode::usage,
                "'" + value +
                    "' is not a database URL, 'migrations[@REV]', a .sql file, a directory or "
                    "'sqlalchemy:MODULE:ATTR'");
}

ExitCode inspect_command(const SchemaSettings& settings, const SchemaRequest& req,
                         std::ostream& out) {
    if (req.format != "sql" && req.format != "json")
        throw Error(ExitCode::usage, "--format must be sql or json, not '" + req.format + "'");
    auto conn = connect_existing(settings.db, settings);
    auto s = inspect_schema(*conn, own_tables(settings));
    out << (req.format == "json" ? schema::to_json(s) : schema::render_sql(s));
    return ExitCode::ok;
}

ExitCode diff_command(const SchemaSettings& settings, const SchemaRequest& req, std::ostream& out) {
    SchemaSource from = req.from.empty() ? SchemaSource{SchemaSource::Kind::live_current, ""}
                                         : parse_source(req.from);
    SchemaSource to = req.to.empty() ? SchemaSource{SchemaSource::Kind::url, settings.db.original}
                                     : parse_source(req.to);
    // The dialect: a URL side's, else --url's.
    Dialect d = settings.db.dialect;
    for (const auto* s : {&to, &from}) {
        if (s->kind == SchemaSource::Kind::url) d = parse_url(s->text).dialect;
    }
    // The models render while the other side is read.
    std::unique_ptr<ModelsRender> models[2];
    for (int i = 0; i < 2; ++i) {
        const SchemaSource& s = i == 0 ? from : to;
        if (s.kind == SchemaSource::Kind::models)
            models[i] = std::make_unique<ModelsRender>(
                ModelsSource{s.text, req.python, ".", req.models_timeout}, std::vector<Dialect>{d});
    }
    auto a = read_source(from, d, settings, req, models[0].get());
    auto b = read_source(to, d, settings, req, models[1].get());
    auto result = schema::diff(a, b);
    out << "--- " << source_label(from, settings) << "\n+++ " << source_label(to, settings) << "\n";
    if (result.equal()) out << "no differences\n";
    out << schema::describe(result);
    return result.equal() ? ExitCode::ok : ExitCode::schema_diff;
}

}  // namespace sg
