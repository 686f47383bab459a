// upgrade, downgrade, current, stamp, repair, check: the commands that read
// or change a database. Planning comes before connecting, so a bad target
// fails (exit 3) without touching, or creating, the database.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/session.hpp"
#include "log/log.hpp"
#include "run/signals.hpp"

namespace sg::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "base" : out;
}

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

ExitCode offline(const Invocation& inv, const ScriptDirectory& scripts, Direction dir) {
    const Settings& s = inv.settings;
    std::string arg = dir == Direction::upgrade ? s.target : inv.args.front();
    if (dir == Direction::downgrade && arg.find(':') == std::string::npos) {
        throw Error(ExitCode::usage,
                    "downgrade --sql needs a range FROM:TO (there is no database to start from)");
    }
    auto [from, target] = split_range(scripts.graph, arg);
    auto steps = dir == Direction::upgrade ? scripts.graph.plan_upgrade(from, target)
                                           : scripts.graph.plan_downgrade(from, target);
    Dialect d = offline_dialect(s);
    bool create = dir == Direction::upgrade && from.empty();
    std::cout << render_offline(scripts, d, s.tables, steps, from, create) << std::flush;
    log::info("wrote offline SQL",
              {{"dialect", dialect_name(d)}, {"steps", static_cast<long long>(steps.size())}});
    return ExitCode::ok;
}

/// Plans against the current rows (without the lock, so a bad target or a
/// database at the target changes nothing), then takes the lock, reads the
/// rows again and applies. `plan` maps rows to steps.
template <typename Plan>
ExitCode migrate(const Invocation& inv, const ScriptDirectory& scripts, Plan plan, bool checksums) {
    const Settings& s = inv.settings;
    auto db = open_existing(s);
    auto rows = current_rows(db);
    if (db) check_state(s, scripts, *db->state, rows, checksums);
    if (plan(rows).empty()) {
        log::info("nothing to do: the database is at the target", {{"current", join(rows)}});
        return ExitCode::ok;
    }
    SignalWatch signals;
    if (!db) db = open_session(s);  // creates the SQLite file only now
    signals.watch(db->conn.get());
    auto lock = take_lock(s, *db->conn, signals.flag());
    rows = db->state->versions();
    check_state(s, scripts, *db->state, rows, checksums);
    auto steps = plan(rows);
    if (steps.empty()) {  // another runner did the work while we waited for the lock
        log::info("nothing to do: the database is at the target", {{"current", join(rows)}});
        return ExitCode::ok;
    }
    Migrator migrator(scripts, *db->conn, *db->state, migrate_options(s, signals.flag()));
    log::info(inv.command + " from " + join(rows),
              {{"steps", static_cast<long long>(steps.size())}});
    auto done = migrator.run(steps);
    signals.watch(nullptr);
    log::info(inv.command + " done", {{"current", join(db->state->versions())},
                                      {"steps", static_cast<long long>(done.size())}});
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

}  // namespace

ExitCode cmd_upgrade(const Invocation& inv) {
    auto scripts = load_scripts(inv.settings);
    if (inv.opts.sql) return offline(inv, scripts, Direction::upgrade);
    const std::string& target = inv.settings.target;
    return migrate(
        inv, scripts,
        [&](const std::vector<std::string>& rows) {
            return scripts.graph.plan_upgrade(rows, target);
        },
        true);
}

ExitCode cmd_downgrade(const Invocation& inv) {
    auto scripts = load_scripts(inv.settings);
    if (inv.opts.sql) return offline(inv, scripts, Direction::downgrade);
    const std::string& target = inv.args.front();
    if (target.find(':') != std::string::npos) {
        throw Error(ExitCode::usage, "a range FROM:TO is only for downgrade --sql");
    }
    return migrate(
        inv, scripts,
        [&](const std::vector<std::string>& rows) {
            return scripts.graph.plan_downgrade(rows, target);
        },
        false);
}

ExitCode cmd_current(const Invocation& inv) {
    const Settings& s = inv.settings;
    auto scripts = load_scripts(s);
    auto db = open_existing(s);
    auto rows = current_rows(db);
    bool verbose = inv.opts.verbose;
    std::vector<HistoryRow> history;
    if (verbose) {
        std::cout << "Current revision(s) for " << parse_url(s.url).masked() << ":\n";
        if (db) history = db->state->history();
    }
    for (const auto& row : rows) {
        const Revision* r = scripts.graph.find(row);
        if (!r) {
            std::cout << row << " (unknown to the migrations directory)\n";
            continue;
        }
        std::cout << format_line(scripts.graph, *r, {}, FormatFlags{false, false, verbose, true});
        std::string note = verbose ? applied_note(history, row) : "";
        std::cout << (note.empty() ? "" : "; " + note) << "\n";
    }
    if (rows.empty()) log::info("the database is at base (no revision applied)");
    return ExitCode::ok;
}

ExitCode cmd_stamp(const Invocation& inv) {
    const Settings& s = inv.settings;
    auto scripts = load_scripts(s);
    auto plan = [&](const std::vector<std::string>& rows) {
        auto out = rows;
        bool purge = inv.opts.purge;
        for (const auto& target : inv.args) {
            out = scripts.graph.plan_stamp(out, target, purge);
            purge = false;
        }
        return out;
    };
    auto db = open_existing(s);
    plan(current_rows(db));  // resolve the targets before creating anything
    SignalWatch signals;
    if (!db) db = open_session(s);
    signals.watch(db->conn.get());
    auto lock = take_lock(s, *db->conn, signals.flag());
    auto rows = db->state->versions();
    auto next = plan(rows);
    Migrator migrator(scripts, *db->conn, *db->state, migrate_options(s, signals.flag()));
    migrator.stamp(next);  // logs the new rows
    return ExitCode::ok;
}

ExitCode cmd_repair(const Invocation& inv) {
    const Settings& s = inv.settings;
    auto scripts = load_scripts(s);
    auto db = open_existing(s);
    if (!db || !db->state->dirty_step()) {
        log::info("nothing to repair: no dirty step is recorded");
        return ExitCode::ok;
    }
    SignalWatch signals;
    signals.watch(db->conn.get());
    auto lock = take_lock(s, *db->conn, signals.flag());
    Migrator migrator(scripts, *db->conn, *db->state, migrate_options(s, signals.flag()));
    switch (inv.opts.repair) {
        case RepairAction::mark_applied:
            migrator.repair_mark_applied();
            break;
        case RepairAction::mark_reverted:
            migrator.repair_mark_reverted();
            break;
        case RepairAction::resume:
            migrator.repair_resume();
            break;
        case RepairAction::none:
            break;
    }
    log::info("repaired", {{"current", join(db->state->versions())}});
    return ExitCode::ok;
}

ExitCode cmd_check(const Invocation& inv) {
    const Settings& s = inv.settings;
    auto scripts = load_scripts(s);
    auto db = open_existing(s);
    auto rows = current_rows(db);
    if (db) check_state(s, scripts, *db->state, rows, true);
    auto steps = scripts.graph.plan_upgrade(rows, s.target);
    if (steps.empty()) {
        log::info("the database is at the target", {{"target", s.target}, {"current", join(rows)}});
        return ExitCode::ok;
    }
    for (const auto& step : steps) {
        const Revision& r = scripts.graph.get(step.revision);
        std::cout << r.id << " " << r.message << "\n";
    }
    log::info(std::to_string(steps.size()) + " revision(s) pending",
              {{"target", s.target}, {"current", join(rows)}});
    return ExitCode::pending;
}

}  // namespace sg::cli
