// baseline and run --baseline: see baseline.hpp.
#include "schematool/baseline.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "core/util.hpp"
#include "db/drivers/inspect.hpp"
#include "engine/migrator.hpp"
#include "engine/state.hpp"
#include "log/log.hpp"
#include "schematool/dev_database.hpp"
#include "schematool/scratch.hpp"

namespace fs = std::filesystem;

namespace sg {
namespace {

ConnectOptions connect_options(const SchemaSettings& s) {
    ConnectOptions o;
    o.connect_timeout_s =
        static_cast<int>(std::max<long long>(1, s.connect_timeout.count() / 1000));
    return o;
}

bool has_objects(const schema::Schema& s) {
    return !s.tables.empty() || !s.views.empty() || !s.enums.empty();
}

/// The live schema and its version rows.
struct Live {
    schema::Schema schema;
    std::vector<std::string> rows;
};

Live read_live(const SchemaSettings& s) {
    if (s.db.dialect == Dialect::sqlite && s.db.database != ":memory:" &&
        !fs::exists(s.db.database)) {
        return {};
    }
    auto conn = connect(s.db, connect_options(s));
    StateStore state(*conn, s.tables);
    Live live;
    live.rows = state.versions();
    live.schema = inspect_schema(*conn, {base_name(s.tables.version), base_name(s.tables.history)});
    return live;
}

/// At most `limit` lines of `text`, then how many were left out.
std::string trimmed(const std::string& text, size_t limit) {
    size_t pos = 0, lines = 0;
    while (pos < text.size() && lines < limit) {
        pos = text.find('\n', pos);
        if (pos == std::string::npos) return text;
        ++pos;
        ++lines;
    }
    if (pos >= text.size()) return text;
    size_t rest = std::count(text.begin() + static_cast<long>(pos), text.end(), '\n');
    return text.substr(0, pos) + "... (" + std::to_string(rest) + " more lines)\n";
}

std::string statements_text(const std::vector<std::string>& st) {
    std::string out;
    for (const auto& s : st) out += s + ";\n\n";
    return out;
}

}  // namespace

BaselineResult baseline_command(const SchemaSettings& settings, const BaselineRequest& req,
                                std::ostream& out) {
    const Dialect d = settings.db.dialect;
    Live live = read_live(settings);
    if (!live.rows.empty() && !req.no_stamp) {
        throw Error(ExitCode::usage,
                    "the database is already versioned (at " + live.rows.front() +
                        "); baseline is for a database with tables and no version rows",
                    "use --no-stamp to only write the file");
    }
    if (!has_objects(live.schema)) {
        throw Error(ExitCode::usage, "nothing to baseline: the database " + settings.db.masked() +
                                         " has no tables, views or types");
    }
    // The revision, on top of --head or a new root.
    ScriptDirectory scripts;
    if (fs::exists(settings.migrations)) scripts = load_directory(settings.migrations, d);
    NewRevision r;
    r.message = req.message;
    if (!req.head.empty()) {
        auto ids = scripts.graph.resolve(req.head);
        if (ids.size() != 1)
            throw Error(ExitCode::usage, "--head must name one revision, not '" + req.head + "'");
        r.down_revisions = ids;
    }
    r.rev_id = req.rev_id.empty() ? generate_rev_id() : req.rev_id;
    for (const auto& m : scripts.migrations) {
        if (m.rev.id == r.rev_id)
            throw Error(ExitCode::usage, "revision " + r.rev_id + " exists already");
    }
    r.created = "";
    std::string body =
        "-- +upgrade\n-- The schema of the database (" + std::string(dialect_name(d)) +
        ") as `schemagate baseline` read it; proven by replay before it was written.\n";
    if (!live.schema.not_covered.empty()) {
        body += "-- Not included (not covered by the schema model; add them by hand if needed):\n";
        for (const auto& o : live.schema.not_covered)
            body += "--   " + o.kind + " " + (o.table.empty() ? "" : o.table + ".") + o.name + "\n";
        log::warn("the baseline does not include " +
                  std::to_string(live.schema.not_covered.size()) +
                  " object(s) the schema model does not cover (listed in the file)");
    }
    body += statements_text(schema::create_statements(live.schema));
    body += "-- +downgrade\n" + statements_text(schema::drop_statements(live.schema));
    r.body = body;

    // The proof: the directory with the new file, replayed into the dev
    // database, must give the live schema; the downgrade must undo it.
    TempDir tmp("schemagate-baseline");
    copy_sql_files(settings.migrations, tmp.path.string());
    std::string tmp_file = write_revision(tmp.path.string(), r);
    r.file_name = fs::path(tmp_file).filename().string();
    auto proof_scripts = load_directory(tmp.path.string(), d);
    const auto& created = proof_scripts.get(r.rev_id);
    r.created = created.rev.create_date;
    {
        DevDatabase dev(d, req.dev_urls, connect_options(settings));
        dev.replay(proof_scripts, {r.rev_id});
        auto result = schema::diff(dev.inspect(), live.schema);
        if (result.equal()) {
            // The downgrade goes back to what the parent had (nothing for a root).
            dev.downgrade(proof_scripts,
                          r.down_revisions.empty() ? "base" : r.down_revisions.front());
            auto after = dev.inspect();
            if (r.down_revisions.empty() && has_objects(after)) {
                out << "The baseline's downgrade does not drop everything; no file written.\n"
                    << schema::describe(schema::diff(schema::Schema{d, {}, {}, {}, {}}, after));
                return {ExitCode::schema_diff, ""};
            }
        }
        if (!result.equal()) {
            out << "The baseline does not rebuild the live schema; no file written.\n"
                << "--- the baseline replayed\n+++ " << settings.db.masked() << "\n"
                << schema::describe(result);
            return {ExitCode::schema_diff, ""};
        }
    }
    std::string path = write_revision(settings.migrations, r);
    out << "wrote " << path << "\n";
    log::info("baseline written", {{"revision", r.rev_id}, {"file", path}});
    return {ExitCode::ok, r.rev_id};
}

GateResult baseline_gate(const SchemaSettings& settings, const std::string& rev,
                         const std::vector<DbUrl>& dev_urls) {
    GateResult gate;
    Live live = read_live(settings);
    if (!live.rows.empty()) {
        log::debug("--baseline ignored: the database is versioned");
        return gate;
    }
    if (!has_objects(live.schema)) {
        log::debug("--baseline: the database is empty, migrating from base");
        return gate;
    }
    const Dialect d = settings.db.dialect;
    auto scripts = load_directory(settings.migrations, d);
    auto ids = scripts.graph.resolve(rev);
    schema::Schema want;
    {
        DevDatabase dev(d, dev_urls, connect_options(settings));
        dev.replay(scripts, {rev});
        want = dev.inspect();
    }
    auto result = schema::diff(want, live.schema);
    if (!result.equal()) {
        std::string text = trimmed(schema::describe(result), 40);
        gate.code = ExitCode::schema_diff;
        gate.error = "--baseline " + rev +
                     ": the database's schema differs from the migrations at " + rev +
                     "; nothing written";
        gate.hint =
            "schemagate diff --from migrations@" + rev + " shows the SQL of each difference";
        log::error(gate.error, {{"exit_code", to_int(ExitCode::schema_diff)},
                                {"differences", text},
                                {"hint", gate.hint}});
        // The termination message and the report list the differences
        // without their SQL, at most 20.
        for (const auto& x : result.differences) {
            if (gate.details.size() == 20) {
                gate.details.push_back("... " + std::to_string(result.differences.size() - 20) +
                                       " more differences");
                break;
            }
            char sign = x.kind == schema::Difference::Kind::added     ? '+'
                        : x.kind == schema::Difference::Kind::removed ? '-'
                                                                      : '~';
            std::string line = std::string(1, sign) + " " + x.object + " " + x.name;
            if (!x.detail.empty()) line += ": " + x.detail;
            gate.details.push_back(line.size() > 200 ? line.substr(0, 200) + "..." : line);
        }
        return gate;
    }
    log::info("--baseline: the database's schema equals the migrations at " + rev +
              "; stamping it");
    gate.stamp = ids;
    return gate;
}

}  // namespace sg
