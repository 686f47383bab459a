// inspect, diff, baseline: requests of the run layer, which dispatches them
// to src/schematool.
#include <iostream>

#include "cli/commands.hpp"

namespace sg::cli {
namespace {

Request request(const Invocation& inv, Command c) {
    Request r{c};
    r.name = inv.def->name;
    r.out = &std::cout;
    r.schema.format = inv.opts.format;
    r.schema.from = inv.opts.from_dir;
    r.schema.to = inv.opts.diff_to;
    r.schema.dev_urls = inv.opts.dev_urls;
    r.schema.python = inv.opts.python;
    if (!inv.opts.import_timeout.empty())
        r.schema.models_timeout = parse_duration(inv.opts.import_timeout, "--timeout");
    return r;
}

}  // namespace

ExitCode cmd_inspect(const Invocation& inv) {
    return execute(inv.settings, request(inv, Command::inspect)).code;
}

ExitCode cmd_diff(const Invocation& inv) {
    return execute(inv.settings, request(inv, Command::diff)).code;
}

ExitCode cmd_baseline(const Invocation& inv) {
    Request r = request(inv, Command::baseline);
    r.baseline.message = inv.opts.message;
    r.baseline.head = inv.opts.head;
    r.baseline.rev_id = inv.opts.rev_id;
    r.baseline.no_stamp = inv.opts.no_stamp;
    r.baseline.dev_urls = inv.opts.dev_urls;
    return execute(inv.settings, r).code;
}

ExitCode cmd_run(const Invocation& inv) {
    Request r = request(inv, Command::run);
    r.baseline_rev = inv.opts.baseline;
    return execute(inv.settings, r).code;
}

}  // namespace sg::cli
