#include "run/directory.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "core/util.hpp"
#include "engine/migrator.hpp"  // write_offline
#include "log/log.hpp"

namespace sg {
namespace {

using Scripts = std::shared_ptr<const ScriptDirectory>;

Scripts load_scripts(const Settings& s) {
    auto scripts = std::make_shared<const ScriptDirectory>(
        load_directory(s.migrations, script_dialect(s, true)));
    log::debug(
        "loaded migrations",
        {{"dir", s.migrations}, {"revisions", static_cast<long long>(scripts->migrations.size())}});
    return scripts;
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

/// The database's rows for marks, read through a Session (`history`):
/// nothing when no database is configured and the default SQLite file does
/// not exist; a warning when it cannot be read and the marks are all that
/// is lost.
std::vector<std::string> rows_for_marks(const Settings& s, bool required) {
    Request req{Command::history};
    req.name = "history";
    Outcome out = execute(s, req);
    if (out.code == ExitCode::ok) return out.rows;
    Error e(out.code, "cannot read the current revision (see the error above)");
    if (required) throw e;
    log::warn(std::string("cannot read the current revision: ") + e.what());
    return {};
}

bool mentions_current(const std::string& range) {
    size_t colon = range.find(':');
    return range.substr(0, colon) == "current" ||
           (colon != std::string::npos && range.substr(colon + 1) == "current");
}

void validate_rev_id(const RevisionGraph& g, const std::string& id) {
    if (!valid_revision_id(id)) {
        throw Error(ExitCode::usage,
                    "invalid revision id '" + id + "' (1-32 characters of 0-9, A-Z, a-z, _)");
    }
    if (g.find(id)) throw Error(ExitCode::usage, "revision id '" + id + "' already exists");
}

void validate_labels(const RevisionGraph& g, const std::vector<std::string>& labels) {
    for (const auto& label : labels) {
        for (const auto& r : g.revisions()) {
            const auto& l = r.branch_labels;
            if (std::find(l.begin(), l.end(), label) != l.end()) {
                throw Error(ExitCode::usage,
                            "branch label '" + label + "' is already used by " + r.id);
            }
        }
    }
}

/// Writes the file, then loads the directory again: a revision that the
/// loader would reject is removed rather than left behind.
std::string write_checked(const Settings& s, const NewRevision& r) {
    std::string path = write_revision(s.migrations, r);
    try {
        load_scripts(s);
    } catch (const Error& e) {
        std::filesystem::remove(path);
        throw Error(ExitCode::internal,
                    std::string("the new revision did not load; removed it: ") + e.what());
    }
    return path;
}

/// The parents of a new revision: --head, else the only head.
std::vector<std::string> new_parents(const RevisionGraph& g, const std::string& head, bool splice) {
    if (head == "base") return {};
    if (head.empty()) {
        auto heads = g.heads();
        if (heads.size() > 1) {
            throw Error(ExitCode::invalid,
                        "the migrations directory has several heads: " + join(heads),
                        "name one with --head, or merge them: schemagate merge heads -m MSG");
        }
        return heads;
    }
    auto ids = g.resolve(head);
    for (const auto& id : ids) {
        if (!splice && !g.children(id).empty()) {
            throw Error(ExitCode::invalid, "revision " + id + " is not a head",
                        "pass --splice to start a new branch from it; see 'schemagate heads'");
        }
    }
    return ids;
}

void history(const Settings& s, const Request& req, Outcome& out) {
    const RevisionGraph& g = out.scripts->graph;
    const auto& range = req.range;
    if (!range.empty() && range.find(':') == std::string::npos) {
        throw Error(ExitCode::usage, "history range needs A:B, A: or :B, not '" + range + "'");
    }
    // A range that does not name `current` is resolved before the database
    // is read: a bad one fails without a "finished exit_code=0" line first.
    if (!range.empty() && !mentions_current(range)) g.history_range(range, {});
    // The (current) marks need the database; an unreadable one only costs the marks.
    out.rows = rows_for_marks(s, mentions_current(range));
    if (range.empty()) {
        const auto& revs = g.revisions();  // newest first
        for (auto it = revs.rbegin(); it != revs.rend(); ++it) out.ids.push_back(it->id);
    } else {
        out.ids = g.history_range(range, out.rows);
    }
}

void verify(const Settings& s, const Request& req, Outcome& out) {
    // No --dialect: every dialect. A list: each of them, loaded in turn.
    const auto& listed = req.dialects;
    for (size_t i = 1; i < listed.size(); ++i) load_directory(s.migrations, listed[i]);
    out.scripts = std::make_shared<const ScriptDirectory>(load_directory(s.migrations, s.dialect));
    // Loading has already lexed every section for every dialect checked
    // (the splitter's own errors, and transaction control): what is left is
    // a dialect a revision has no upgrade section for.
    std::vector<FileProblem> problems;
    std::vector<Dialect> dialects = all_dialects();
    if (!listed.empty()) dialects = listed;
    for (const auto& m : out.scripts->migrations) {
        for (Dialect d : dialects) {
            if (!m.upgrade_for(d))
                problems.push_back({m.rev.file, 0,
                                    "revision " + m.rev.id + " has no -- +upgrade section for " +
                                        dialect_name(d)});
        }
    }
    if (!problems.empty()) {
        throw ScriptError(std::to_string(problems.size()) + " problem(s) in " + s.migrations,
                          problems);
    }
    out.ids = out.scripts->graph.heads();
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

void lint(const Settings& s, const Request& req, Outcome& out) {
    // The dialects to lint for: --dialect, else the configured URL's, else all.
    std::vector<Dialect> dialects = all_dialects();
    if (s.dialect)
        dialects = {*s.dialect};
    else if (s.url_given)
        dialects = {s.db.dialect};
    std::optional<Dialect> only;
    if (dialects.size() == 1) only = dialects.front();
    out.scripts = std::make_shared<const ScriptDirectory>(load_directory(s.migrations, only));
    out.ids = lint_range(out.scripts->graph, req.range);
    for (const auto& id : out.ids) {
        for (auto& f : lint_migration(out.scripts->get(id), dialects))
            out.findings.push_back(std::move(f));
    }
}

void new_revision(const Settings& s, const Request& req, Outcome& out) {
    if (!std::filesystem::exists(s.migrations)) {
        std::error_code ec;
        std::filesystem::create_directories(s.migrations, ec);
        if (ec) {
            throw Error(ExitCode::invalid, "cannot create the migrations directory " +
                                               s.migrations + ": " + ec.message());
        }
        log::info("created the migrations directory", {{"dir", s.migrations}});
    }
    auto scripts = load_scripts(s);
    const auto& g = scripts->graph;
    NewRevision r = req.revision;
    r.down_revisions = new_parents(g, req.head, req.splice);
    validate_labels(g, r.branch_labels);
    r.depends_on.clear();
    for (const auto& dep : req.revision.depends_on) {
        for (const auto& id : g.resolve(dep)) r.depends_on.push_back(id);
    }
    if (!r.rev_id.empty()) validate_rev_id(g, r.rev_id);
    out.path = write_checked(s, r);
}

void merge(const Settings& s, const Request& req, Outcome& out) {
    auto scripts = load_scripts(s);
    const auto& g = scripts->graph;
    std::vector<std::string> ids;
    for (const auto& arg : req.targets) {
        for (const auto& id : g.resolve(arg)) {
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
    }
    if (ids.size() < 2) {
        throw Error(ExitCode::usage,
                    "nothing to merge: " +
                        (ids.empty() ? std::string("no revisions") : "only " + ids.front()));
    }
    for (const auto& a : ids) {
        for (const auto& b : ids) {
            if (a != b && g.ancestors({b}).count(a)) {
                throw Error(ExitCode::usage, a + " is an ancestor of " + b + ": nothing to merge");
            }
        }
    }
    NewRevision r = req.revision;
    r.down_revisions = ids;
    validate_labels(g, r.branch_labels);
    if (!r.rev_id.empty()) validate_rev_id(g, r.rev_id);
    out.path = write_checked(s, r);
}

}  // namespace

bool uses_database(Command c) {
    switch (c) {
        case Command::heads:
        case Command::history_list:
        case Command::branches:
        case Command::show:
        case Command::verify:
        case Command::lint:
        case Command::revision:
        case Command::merge:
        case Command::inspect:
        case Command::diff:
        case Command::baseline:
            return false;
        default:
            return true;
    }
}

Outcome write_sql(const Settings& s, const Request& req) {
    Outcome out;
    const bool up = req.command == Command::upgrade;
    if (!up && req.command != Command::downgrade)
        throw Error(ExitCode::internal, "--sql is for upgrade and downgrade");
    Dialect d = script_dialect(s, true);
    out.scripts = std::make_shared<const ScriptDirectory>(load_directory(s.migrations, d));
    const RevisionGraph& g = out.scripts->graph;
    std::string arg = up ? s.target : req.targets.at(0);
    if (!up && arg.find(':') == std::string::npos) {
        throw Error(ExitCode::usage,
                    "downgrade --sql needs a range FROM:TO (there is no database to start from)");
    }
    auto [from, target] = split_range(g, arg);
    auto steps = up ? g.plan_upgrade(from, target) : g.plan_downgrade(from, target);
    write_offline(*req.sql_out, *out.scripts, d, s.tables, steps, from, up && from.empty());
    out.offline_steps = steps.size();
    return out;
}

Outcome run_directory(const Settings& s, const Request& req) {
    Outcome out;
    switch (req.command) {
        case Command::heads:
        case Command::branches:
            out.scripts = load_scripts(s);
            out.ids = out.scripts->graph.heads();
            break;
        case Command::history_list:
            out.scripts = load_scripts(s);
            history(s, req, out);
            break;
        case Command::show:
            out.scripts = load_scripts(s);
            if (req.range == "current") {
                out.rows = rows_for_marks(s, true);
                out.ids = out.rows;
            } else {
                out.ids = out.scripts->graph.resolve(req.range);
            }
            break;
        case Command::verify:
            verify(s, req, out);
            break;
        case Command::lint:
            lint(s, req, out);
            break;
        case Command::revision:
            new_revision(s, req, out);
            break;
        case Command::merge:
            merge(s, req, out);
            break;
        default:
            throw Error(ExitCode::internal, "not a directory command");
    }
    return out;
}

}  // namespace sg
