// history, heads, branches, show, verify, revision, merge: the commands that
// read (or write) the migrations directory, as Requests of the run layer
// (src/run/directory.cpp); here only their output. Only history and `show
// current` look at the database, and only when one is configured or
// already exists.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "log/log.hpp"

namespace sg::cli {
namespace {

Request request(const Invocation& inv, Command c) {
    Request req{c};
    req.name = inv.def->name;
    return req;
}

Request new_revision(const Invocation& inv, Command c) {
    Request req = request(inv, c);
    req.revision.message = inv.opts.message;
    req.revision.branch_labels = inv.opts.branch_labels;
    req.revision.depends_on = inv.opts.depends_on;
    req.revision.rev_id = inv.opts.rev_id;
    req.head = inv.opts.head;
    req.splice = inv.opts.splice;
    req.targets = inv.args;
    return req;
}

ExitCode print_written(const Outcome& out) {
    std::cout << out.path << "\n";
    log::info("wrote revision", {{"path", out.path}});
    return ExitCode::ok;
}

}  // namespace

ExitCode cmd_history(const Invocation& inv) {
    Request req = request(inv, Command::history_list);
    req.range = inv.opts.range;
    Outcome out = execute(inv.settings, req);
    const RevisionGraph& g = out.scripts->graph;
    std::set<std::string> current(out.rows.begin(), out.rows.end());
    for (const auto& id : out.ids) {
        const Revision& r = g.get(id);
        if (inv.opts.verbose) {
            std::cout << format_entry(g, r, current) << "\n";
        } else {
            std::cout << format_line(g, r, current, FormatFlags{true, true, true, true}) << "\n";
        }
    }
    return ExitCode::ok;
}

ExitCode cmd_heads(const Invocation& inv) {
    Outcome out = execute(inv.settings, request(inv, Command::heads));
    const RevisionGraph& g = out.scripts->graph;
    for (const auto& id : out.ids) {
        const Revision& r = g.get(id);
        std::cout << (inv.opts.verbose
                          ? format_entry(g, r, {})
                          : format_line(g, r, {}, FormatFlags{false, true, false, false}))
                  << "\n";
    }
    return ExitCode::ok;
}

ExitCode cmd_branches(const Invocation& inv) {
    Outcome out = execute(inv.settings, request(inv, Command::branches));
    std::cout << format_branches(out.scripts->graph, inv.opts.verbose);
    return ExitCode::ok;
}

ExitCode cmd_show(const Invocation& inv) {
    Request req = request(inv, Command::show);
    req.range = inv.args.front();
    Outcome out = execute(inv.settings, req);
    const RevisionGraph& g = out.scripts->graph;
    std::set<std::string> current(out.rows.begin(), out.rows.end());
    for (const auto& id : out.ids) std::cout << format_entry(g, g.get(id), current) << "\n";
    return ExitCode::ok;
}

ExitCode cmd_verify(const Invocation& inv) {
    Request req = request(inv, Command::verify);
    req.dialects = inv.opts.dialect_list;
    Outcome out = execute(inv.settings, req);
    const auto& heads = out.ids;
    std::cout << "ok: " << out.scripts->migrations.size() << " revision(s), " << heads.size()
              << " head(s)" << (heads.empty() ? "" : ": " + join(heads)) << "\n";
    return ExitCode::ok;
}

ExitCode cmd_revision(const Invocation& inv) {
    if (inv.opts.autogenerate) {
        Request r{Command::autogenerate};
        r.name = inv.def->name;
        r.out = &std::cout;
        AutogenRequest& a = r.autogen;
        a.message = inv.opts.message;
        a.head = inv.opts.head;
        a.rev_id = inv.opts.rev_id;
        a.schema_path = inv.opts.schema;
        a.sqlalchemy = inv.opts.sqlalchemy;
        a.python = inv.opts.python;
        if (!inv.opts.import_timeout.empty())
            a.models_timeout = parse_duration(inv.opts.import_timeout, "--timeout");
        a.dev_urls = inv.opts.dev_urls;
        a.renames = inv.opts.renames;
        a.dialects = inv.opts.dialect_list;
        return execute(inv.settings, r).code;
    }
    return print_written(execute(inv.settings, new_revision(inv, Command::revision)));
}

ExitCode cmd_merge(const Invocation& inv) {
    return print_written(execute(inv.settings, new_revision(inv, Command::merge)));
}

}  // namespace sg::cli
