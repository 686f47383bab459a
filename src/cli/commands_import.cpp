// `schemagate import alembic` (docs/import-alembic.md): the options, and the
// summary of what was written and what needs a person.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/config.hpp"
#include "run/import.hpp"

namespace sg::cli {
namespace {

importer::ImportOptions import_options(const Invocation& inv) {
    if (inv.args.front() != "alembic")
        throw Error(ExitCode::usage,
                    "import knows one source: 'import alembic', not '" + inv.args.front() + "'");
    const CommandOptions& c = inv.opts;
    importer::ImportOptions o;
    o.config = c.config;
    o.from_dir = c.from_dir;
    o.python = c.python;
    o.migrations = inv.settings.migrations;
    if (inv.settings.tables.version != "alembic_version")
        o.version_table = inv.settings.tables.version;
    for (size_t pos = 0; pos <= c.dialects.size() && !c.dialects.empty();) {
        size_t comma = c.dialects.find(',', pos);
        std::string name = c.dialects.substr(pos, comma == std::string::npos ? comma : comma - pos);
        auto d = parse_dialect(name);
        if (!d)
            throw Error(ExitCode::usage, "--dialect: unknown dialect '" + name +
                                             "' (use postgresql, mysql, sqlite, comma-separated)");
        o.dialects.push_back(dialect_name(*d));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    if (inv.settings.url_given) o.fallback_dialect = dialect_name(inv.settings.db.dialect);
    if (!c.import_timeout.empty()) {
        o.timeout = parse_duration(c.import_timeout, "--timeout");
        o.timeout_text = c.import_timeout;
    }
    return o;
}

void print_summary(const importer::ImportResult& r, const std::string& dir) {
    size_t files = r.revisions.size() + r.unimported.size();
    std::cout << "Imported " << files << " Alembic revision file" << (files == 1 ? "" : "s")
              << " into " << dir << " (rendered by " << r.python << "): " << r.written
              << " written, " << r.skipped << " already there, " << r.refused << " not written, "
              << r.flagged << " need SQL by hand, " << r.unimported.size()
              << " could not be imported";
    if (!r.ignored.empty()) std::cout << ", " << r.ignored.size() << " ignored";
    std::cout << ".\n";
    for (const auto& rev : r.revisions) {
        if (!rev.path.empty())
            std::cout << "  wrote   " << rev.path << "  (from " << rev.source << ")\n";
        else
            std::cout << "  skipped " << rev.id << ": " << rev.skipped_because << "\n";
    }
    for (const auto& f : r.ignored)
        std::cout << "  ignored " << f.source << ": " << f.reason << "\n";
    for (const auto& rev : r.revisions)
        for (const auto& note : rev.notes)
            std::cout << "  note    " << rev.id << ": " << note << "\n";
    if (r.flagged == 0 && r.unimported.empty()) return;
    std::cout << "\nNeeds a person:\n";
    if (!r.unimported.empty()) {
        std::cout << "These files of the versions directory could not be imported; nothing was "
                     "written for them:\n";
        for (const auto& f : r.unimported)
            std::cout << "  " << f.source << ": " << f.reason << "\n";
    }
    if (r.flagged == 0) return;
    std::cout << "Offline mode could not capture these; `schemagate verify` and `run` refuse\n"
                 "the directory until each marked section is written as SQL:\n";
    for (const auto& rev : r.revisions)
        for (const auto& flag : rev.flags) std::cout << "  " << flag << "\n";
}

}  // namespace

ExitCode cmd_import(const Invocation& inv) {
    importer::ImportOptions o = import_options(inv);
    importer::ImportResult r = run_import(o);
    print_summary(r, o.migrations);
    if (r.refused > 0) return ExitCode::usage;
    return r.flagged > 0 || !r.unimported.empty() ? ExitCode::invalid : ExitCode::ok;
}

}  // namespace sg::cli
