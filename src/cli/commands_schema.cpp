// inspect and diff: the CLI side (the work is in src/schematool/).
#include <iostream>

#include "cli/commands.hpp"
#include "schematool/baseline.hpp"
#include "schematool/schema_commands.hpp"

namespace sg::cli {
namespace {

SchemaRequest request(const Invocation& inv) {
    SchemaRequest r;
    r.format = inv.opts.format;
    r.from = inv.opts.from_dir;
    r.to = inv.opts.diff_to;
    r.dev_urls = inv.opts.dev_urls;
    return r;
}

}  // namespace

ExitCode cmd_inspect(const Invocation& inv) {
    return inspect_command(inv.settings, request(inv), std::cout);
}

ExitCode cmd_diff(const Invocation& inv) {
    return diff_command(inv.settings, request(inv), std::cout);
}

ExitCode cmd_baseline(const Invocation& inv) {
    BaselineRequest r;
    r.message = inv.opts.message;
    r.head = inv.opts.head;
    r.rev_id = inv.opts.rev_id;
    r.no_stamp = inv.opts.no_stamp;
    r.dev_urls = inv.opts.dev_urls;
    return baseline_command(inv.settings, r, std::cout);
}

ExitCode cmd_run_baseline(const Invocation& inv) {
    ExitCode c = execute(inv.settings, Command::wait).code;
    if (c != ExitCode::ok) return c;
    c = baseline_gate(inv.settings, inv.opts.baseline, inv.opts.dev_urls);
    if (c != ExitCode::ok) return c;
    return execute(inv.settings, Command::run).code;
}

}  // namespace sg::cli
