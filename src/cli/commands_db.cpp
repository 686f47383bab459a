// The database commands as the CLI sees them: build a Request for the run
// layer (src/run/orchestrator.cpp; offline `--sql`: src/run/directory.cpp)
// and print its Outcome.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/output.hpp"
#include "log/log.hpp"
#include "run/commands.hpp"

namespace sg::cli {
namespace {

Request request(const Invocation& inv, Command c) {
    Request req{c};
    req.name = inv.def->name;
    return req;
}

ExitCode offline(const Invocation& inv, Command c) {
    Request req = request(inv, c);
    if (c == Command::downgrade) req.targets = {inv.args.front()};
    req.sql_out = &std::cout;
    Outcome out = execute(inv.settings, req);
    // A script cut short (a full disk) must not be reported as written.
    if (std::string failed = finish_output(); !failed.empty()) {
        throw Error(ExitCode::usage, "cannot write output: " + failed,
                    "the SQL script is incomplete: free space or fix the output, then run again");
    }
    log::info("wrote offline SQL", {{"dialect", dialect_name(script_dialect(inv.settings, true))},
                                    {"steps", static_cast<long long>(out.offline_steps)}});
    return ExitCode::ok;
}

// Applied time and host of a revision: its newest successful upgrade or stamp.
std::string applied_note(const std::vector<HistoryRow>& history, const std::string& rev) {
    std::string note;
    for (const auto& h : history) {
        if (h.revision != rev || !h.success || h.operation == "downgrade") continue;
        note = "applied " + h.finished_at + (h.applied_by.empty() ? "" : " by " + h.applied_by);
        if (h.operation != "upgrade") note += " (" + h.operation + ")";
    }
    return note;
}

ExitCode execute_request(const Invocation& inv, Command c) {
    return execute(inv.settings, request(inv, c)).code;
}

}  // namespace

ExitCode cmd_upgrade(const Invocation& inv) {
    if (inv.opts.sql) return offline(inv, Command::upgrade);
    return execute_request(inv, Command::upgrade);
}

ExitCode cmd_downgrade(const Invocation& inv) {
    if (inv.opts.sql) return offline(inv, Command::downgrade);
    const std::string& target = inv.args.front();
    if (target.find(':') != std::string::npos) {
        throw Error(ExitCode::usage, "a range FROM:TO is only for downgrade --sql");
    }
    Request req = request(inv, Command::downgrade);
    req.targets = {target};
    return execute(inv.settings, req).code;
}

ExitCode cmd_current(const Invocation& inv) {
    Request req = request(inv, Command::current);
    bool verbose = inv.opts.verbose;
    req.read_history = verbose;
    Outcome out = execute(inv.settings, req);
    if (out.code != ExitCode::ok) return out.code;
    const RevisionGraph& graph = out.scripts->graph;
    if (verbose) std::cout << "Current revision(s) for " << inv.settings.db.masked() << ":\n";
    for (const auto& row : out.rows) {
        const Revision* r = graph.find(row);
        if (!r) {
            std::cout << row << " (unknown to the migrations directory)\n";
            continue;
        }
        std::cout << format_line(graph, *r, {}, FormatFlags{false, false, verbose, true});
        std::string note = verbose ? applied_note(out.history, row) : "";
        std::cout << (note.empty() ? "" : "; " + note) << "\n";
    }
    if (out.rows.empty()) log::info("the database is at base (no revision applied)");
    return ExitCode::ok;
}

ExitCode cmd_stamp(const Invocation& inv) {
    Request req = request(inv, Command::stamp);
    req.targets = inv.args;
    req.purge = inv.opts.purge;
    return execute(inv.settings, req).code;
}

ExitCode cmd_repair(const Invocation& inv) {
    Request req = request(inv, Command::repair);
    req.repair = inv.opts.repair;
    return execute(inv.settings, req).code;
}

ExitCode cmd_check(const Invocation& inv) {
    Outcome out = execute(inv.settings, request(inv, Command::check));
    for (const auto& step : out.pending) {
        const Revision& r = out.scripts->graph.get(step.revision);
        std::cout << r.id << " " << r.message << "\n";
    }
    return out.code;
}

ExitCode cmd_wait(const Invocation& inv) { return execute_request(inv, Command::wait); }
ExitCode cmd_backup(const Invocation& inv) { return execute_request(inv, Command::backup); }

}  // namespace sg::cli
