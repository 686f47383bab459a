// history, heads, branches, show, verify, revision, merge: the commands that
// read (or write) the migrations directory. Only history and `show current`
// look at the database, and only when one is configured or already exists.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "core/util.hpp"
#include "log/log.hpp"

namespace sg::cli {
namespace {

ScriptDirectory load_scripts(const Settings& s) {
    auto scripts = load_directory(s.migrations, s.dialect.value_or(s.db.dialect));
    log::debug(
        "loaded migrations",
        {{"dir", s.migrations}, {"revisions", static_cast<long long>(scripts.migrations.size())}});
    return scripts;
}

/// The database's rows for marks, read by the run layer: nothing when no
/// database is configured and the default SQLite file does not exist; a
/// warning when it cannot be read and the marks are all that is lost.
std::vector<std::string> rows_for_marks(const Invocation& inv, bool required) {
    try {
        return read_current_rows(inv);
    } catch (const Error& e) {
        if (required) throw;
        log::warn(std::string("cannot read the current revision: ") + e.what());
        return {};
    }
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
    std::cout << path << "\n";
    log::info("wrote revision", {{"path", path}});
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

}  // namespace

ExitCode cmd_history(const Invocation& inv) {
    const Settings& s = inv.settings;
    auto scripts = load_scripts(s);
    const auto& range = inv.opts.range;
    if (!range.empty() && range.find(':') == std::string::npos) {
        throw Error(ExitCode::usage, "history range needs A:B, A: or :B, not '" + range + "'");
    }
    // A range that does not name `current` is resolved before the database
    // is read: a bad one fails without a "finished exit_code=0" line first.
    if (!range.empty() && !mentions_current(range)) scripts.graph.history_range(range, {});
    // The (current) marks need the database; an unreadable one only costs the marks.
    std::vector<std::string> rows = rows_for_marks(inv, mentions_current(range));
    std::vector<std::string> ids;
    if (range.empty()) {
        const auto& revs = scripts.graph.revisions();  // newest first
        for (auto it = revs.rbegin(); it != revs.rend(); ++it) ids.push_back(it->id);
    } else {
        ids = scripts.graph.history_range(range, rows);
    }
    std::set<std::string> current(rows.begin(), rows.end());
    for (const auto& id : ids) {
        const Revision& r = scripts.graph.get(id);
        if (inv.opts.verbose) {
            std::cout << format_entry(scripts.graph, r, current) << "\n";
        } else {
            std::cout << format_line(scripts.graph, r, current, FormatFlags{true, true, true, true})
                      << "\n";
        }
    }
    return ExitCode::ok;
}

ExitCode cmd_heads(const Invocation& inv) {
    auto scripts = load_scripts(inv.settings);
    for (const auto& id : scripts.graph.heads()) {
        const Revision& r = scripts.graph.get(id);
        std::cout << (inv.opts.verbose ? format_entry(scripts.graph, r, {})
                                       : format_line(scripts.graph, r, {},
                                                     FormatFlags{false, true, false, false}))
                  << "\n";
    }
    return ExitCode::ok;
}

ExitCode cmd_branches(const Invocation& inv) {
    auto scripts = load_scripts(inv.settings);
    std::cout << format_branches(scripts.graph, inv.opts.verbose);
    return ExitCode::ok;
}

ExitCode cmd_show(const Invocation& inv) {
    auto scripts = load_scripts(inv.settings);
    const std::string& rev = inv.args.front();
    std::vector<std::string> ids;
    std::vector<std::string> rows;
    if (rev == "current") {
        rows = rows_for_marks(inv, true);
        ids = rows;
    } else {
        ids = scripts.graph.resolve(rev);
    }
    std::set<std::string> current(rows.begin(), rows.end());
    for (const auto& id : ids) {
        std::cout << format_entry(scripts.graph, scripts.graph.get(id), current) << "\n";
    }
    return ExitCode::ok;
}

ExitCode cmd_verify(const Invocation& inv) {
    const Settings& s = inv.settings;
    // No --dialect: every dialect. A list: each of them, loaded in turn.
    const auto& listed = inv.opts.dialect_list;
    for (size_t i = 1; i < listed.size(); ++i) load_directory(s.migrations, listed[i]);
    auto scripts = load_directory(s.migrations, s.dialect);
    // Loading has already lexed every section for every dialect checked
    // (the splitter's own errors, and transaction control): what is left is
    // a dialect a revision has no upgrade section for.
    std::vector<FileProblem> problems;
    std::vector<Dialect> dialects{Dialect::postgresql, Dialect::mysql, Dialect::sqlite};
    if (!listed.empty()) dialects = listed;
    for (const auto& m : scripts.migrations) {
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
    auto heads = scripts.graph.heads();
    std::cout << "ok: " << scripts.migrations.size() << " revision(s), " << heads.size()
              << " head(s)" << (heads.empty() ? "" : ": " + join(heads)) << "\n";
    return ExitCode::ok;
}

ExitCode cmd_revision(const Invocation& inv) {
    const Settings& s = inv.settings;
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
    const auto& g = scripts.graph;
    NewRevision r;
    r.message = inv.opts.message;
    r.down_revisions = new_parents(g, inv.opts.head, inv.opts.splice);
    r.branch_labels = inv.opts.branch_labels;
    validate_labels(g, r.branch_labels);
    for (const auto& dep : inv.opts.depends_on) {
        for (const auto& id : g.resolve(dep)) r.depends_on.push_back(id);
    }
    if (!inv.opts.rev_id.empty()) validate_rev_id(g, inv.opts.rev_id);
    r.rev_id = inv.opts.rev_id;
    write_checked(s, r);
    return ExitCode::ok;
}

ExitCode cmd_merge(const Invocation& inv) {
    const Settings& s = inv.settings;
    auto scripts = load_scripts(s);
    const auto& g = scripts.graph;
    std::vector<std::string> ids;
    for (const auto& arg : inv.args) {
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
    NewRevision r;
    r.message = inv.opts.message;
    r.down_revisions = ids;
    r.branch_labels = inv.opts.branch_labels;
    validate_labels(g, r.branch_labels);
    if (!inv.opts.rev_id.empty()) validate_rev_id(g, inv.opts.rev_id);
    r.rev_id = inv.opts.rev_id;
    write_checked(s, r);
    return ExitCode::ok;
}

}  // namespace sg::cli
