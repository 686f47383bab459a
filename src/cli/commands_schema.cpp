// inspect and diff: the CLI side (the work is in src/schematool/).
#include <iostream>

#include "cli/commands.hpp"
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

}  // namespace sg::cli
