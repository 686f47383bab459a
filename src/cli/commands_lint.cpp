// `schemagate lint [-r A:B]` (docs/zero-downtime.md): the lint rules over the
// revision files, without a database (src/run/directory.cpp); here the output.
#include <iostream>

#include "cli/commands.hpp"
#include "log/log.hpp"

namespace sg::cli {

ExitCode cmd_lint(const Invocation& inv) {
    Request req{Command::lint};
    req.name = inv.def->name;
    req.range = inv.opts.range;
    Outcome out = execute(inv.settings, req);
    int refused = 0, accepted = 0;
    for (const auto& f : out.findings) {
        if (f.allowed) {
            ++accepted;
            if (inv.opts.verbose) std::cout << format_finding(f) << "\n";
            continue;
        }
        ++refused;
        std::cout << format_finding(f) << "\n";
    }
    std::string accepted_note =
        accepted ? ", " + std::to_string(accepted) + " accepted by lint_allow" : "";
    if (refused > 0) {
        std::cout << "lint: " << refused << " finding(s) in " << out.ids.size() << " revision(s)"
                  << accepted_note << "\n";
        log::error(std::to_string(refused) + " lint finding(s)",
                   {{"exit_code", to_int(ExitCode::lint)},
                    {"hint",
                     "change the revisions as the findings say, or accept a rule for one "
                     "revision with `-- lint_allow: RULE`"}});
        return ExitCode::lint;
    }
    std::cout << "ok: " << out.ids.size() << " revision(s) linted, no finding" << accepted_note
              << "\n";
    return ExitCode::ok;
}

}  // namespace sg::cli
