// `schemagate lint [-r A:B]` (docs/zero-downtime.md): the lint rules over the
// revision files, without a database.
#include <iostream>

#include "cli/commands.hpp"
#include "log/log.hpp"
#include "script/lint.hpp"

namespace sg::cli {
namespace {

// The dialects to lint for: --dialect, else the configured URL's, else all.
std::vector<Dialect> lint_dialects(const Settings& s) {
    if (s.dialect) return {*s.dialect};
    if (s.url_given) return {s.db.dialect};
    return all_dialects();
}

// The revisions of `-r A:B` in upgrade order; every revision without it.
std::vector<std::string> lint_range(const RevisionGraph& g, const std::string& range) {
    std::vector<std::string> ids;
    if (range.empty()) {
        for (const auto& r : g.revisions()) ids.push_back(r.id);
        return ids;
    }
    if (range.find(':') == std::string::npos)
        throw Error(ExitCode::usage, "lint range needs A:B, A: or :B, not '" + range + "'");
    if (range.find("current") != std::string::npos)
        throw Error(ExitCode::usage, "lint reads no database: 'current' is not a lint range");
    ids = g.history_range(range, {});  // newest first
    return {ids.rbegin(), ids.rend()};
}

}  // namespace

ExitCode cmd_lint(const Invocation& inv) {
    const Settings& s = inv.settings;
    std::vector<Dialect> dialects = lint_dialects(s);
    std::optional<Dialect> only;
    if (dialects.size() == 1) only = dialects.front();
    auto scripts = load_directory(s.migrations, only);
    auto ids = lint_range(scripts.graph, inv.opts.range);
    int refused = 0, accepted = 0;
    for (const auto& id : ids) {
        for (const auto& f : lint_migration(scripts.get(id), dialects)) {
            if (f.allowed) {
                ++accepted;
                if (inv.opts.verbose) std::cout << format_finding(f) << "\n";
                continue;
            }
            ++refused;
            std::cout << format_finding(f) << "\n";
        }
    }
    std::string accepted_note =
        accepted ? ", " + std::to_string(accepted) + " accepted by lint_allow" : "";
    if (refused > 0) {
        std::cout << "lint: " << refused << " finding(s) in " << ids.size() << " revision(s)"
                  << accepted_note << "\n";
        log::error(std::to_string(refused) + " lint finding(s)",
                   {{"exit_code", to_int(ExitCode::lint)},
                    {"hint",
                     "change the revisions as the findings say, or accept a rule for one "
                     "revision with `-- lint_allow: RULE`"}});
        return ExitCode::lint;
    }
    std::cout << "ok: " << ids.size() << " revision(s) linted, no finding" << accepted_note << "\n";
    return ExitCode::ok;
}

}  // namespace sg::cli
