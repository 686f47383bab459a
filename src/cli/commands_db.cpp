// The database commands as the CLI sees them: build a Request for the run
// layer's orchestrator (src/run/orchestrator.cpp) and print its Outcome.
// Only offline `--sql` is handled here: it needs no database.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/output.hpp"
#include "core/util.hpp"
#include "engine/migrator.hpp"  // write_offline
#include "log/log.hpp"
#include "run/commands.hpp"

namespace sg::cli {
namespace {

/// `A:B` of offline --sql: A the starting rows ("" or base: none), B the target.
std::pair<std::vector<std::string>, std::string> split_range(const RevisionGraph& g,
                                                             const std::string& arg) {
    size_t colon = arg.find(':');
    if (colon == std::string::npos) return {{}, arg};
    std::string from = arg.substr(0, colon), to = arg.substr(colon + 1);
    if (to.empty()) throw Error(ExitCode::usage, "range '" + arg + "' needs an end: A:B");
    std::vector<std::string> rows;
    if (!from.empty() && from != "base") rows = g.resolve(from);
    return {rows, to};
}

ExitCode offline(const Invocation& inv, Direction dir) {
    const Settings& s = inv.settings;
    ScriptDirectory scripts = load_directory(s.migrations, s.dialect.value_or(s.db.dialect));
    std::string arg = dir == Direction::upgrade ? s.target : inv.args.front();
    if (dir == Direction::downgrade && arg.find(':') == std::string::npos) {
        throw Error(ExitCode::usage,
                    "downgrade --sql needs a range FROM:TO (there is no database to start from)");
    }
    auto [from, target] = split_range(scripts.graph, arg);
    auto steps = dir == Direction::upgrade ? scripts.graph.plan_upgrade(from, target)
                                           : scripts.graph.plan_downgrade(from, target);
    Dialect d = s.dialect.value_or(s.db.dialect);
    bool create = dir == Direction::upgrade && from.empty();
    write_offline(std::cout, scripts, d, s.tables, steps, from, create);
    // A script cut short (a full disk) must not be reported as written.
    if (std::string failed = finish_output(); !failed.empty()) {
        throw Error(ExitCode::usage, "cannot write output: " + failed,
                    "the SQL script is incomplete: free space or fix the output, then run again");
    }
    log::info("wrote offline SQL",
              {{"dialect", dialect_name(d)}, {"steps", static_cast<long long>(steps.size())}});
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

ExitCode execute_request(const Invocation& inv, Request req) {
    return execute(inv.settings, req).code;
}

}  // namespace

ExitCode cmd_upgrade(const Invocation& inv) {
    if (inv.opts.sql) return offline(inv, Direction::upgrade);
    return execute_request(inv, {Command::upgrade});
}

ExitCode cmd_downgrade(const Invocation& inv) {
    if (inv.opts.sql) return offline(inv, Direction::downgrade);
    const std::string& target = inv.args.front();
    if (target.find(':') != std::string::npos) {
        throw Error(ExitCode::usage, "a range FROM:TO is only for downgrade --sql");
    }
    Request req{Command::downgrade};
    req.targets = {target};
    return execute_request(inv, req);
}

ExitCode cmd_current(const Invocation& inv) {
    Request req{Command::current};
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
    Request req{Command::stamp};
    req.targets = inv.args;
    req.purge = inv.opts.purge;
    return execute_request(inv, req);
}

ExitCode cmd_repair(const Invocation& inv) {
    Request req{Command::repair};
    req.repair = inv.opts.repair;
    return execute_request(inv, req);
}

ExitCode cmd_check(const Invocation& inv) {
    Outcome out = execute(inv.settings, {Command::check});
    for (const auto& step : out.pending) {
        const Revision& r = out.scripts->graph.get(step.revision);
        std::cout << r.id << " " << r.message << "\n";
    }
    return out.code;
}

ExitCode cmd_run(const Invocation& inv) {
    if (!inv.opts.baseline.empty()) return cmd_run_baseline(inv);
    return execute_request(inv, {Command::run});
}
ExitCode cmd_wait(const Invocation& inv) { return execute_request(inv, {Command::wait}); }
ExitCode cmd_backup(const Invocation& inv) { return execute_request(inv, {Command::backup}); }

std::vector<std::string> read_current_rows(const Invocation& inv) {
    Outcome out = execute(inv.settings, {Command::history});
    if (out.code != ExitCode::ok) {
        throw Error(out.code, "cannot read the current revision (see the error above)");
    }
    return out.rows;
}

}  // namespace sg::cli
