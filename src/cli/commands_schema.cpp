// inspect and diff: the CLI side (the work is in src/schematool/).
#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "log/log.hpp"
#include "schematool/autogenerate.hpp"
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
    r.python = inv.opts.python;
    if (!inv.opts.import_timeout.empty())
        r.models_timeout = parse_duration(inv.opts.import_timeout, "--timeout");
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

ExitCode cmd_revision_autogenerate(const Invocation& inv) {
    const Settings& s = inv.settings;
    AutogenRequest r;
    r.message = inv.opts.message;
    r.head = inv.opts.head;
    r.rev_id = inv.opts.rev_id;
    r.migrations = s.migrations;
    r.schema_path = inv.opts.schema;
    r.sqlalchemy = inv.opts.sqlalchemy;
    r.python = inv.opts.python;
    if (!inv.opts.import_timeout.empty())
        r.models_timeout = parse_duration(inv.opts.import_timeout, "--timeout");
    r.dev_urls = inv.opts.dev_urls;
    r.renames = inv.opts.renames;
    r.dialects = inv.opts.dialect_list;
    if (r.dialects.empty()) r.dialects = {s.url_given ? s.db.dialect : Dialect::sqlite};
    r.connect.connect_timeout_s =
        static_cast<int>(std::max<long long>(1, s.connect_timeout.count() / 1000));
    AutogenResult out = autogenerate(r);
    std::cout << out.output;
    if (out.code != ExitCode::ok) {
        log::error("revision --autogenerate: the proof failed; no file written",
                   {{"exit_code", to_int(out.code)}, {"hint", out.hint}});
        return out.code;
    }
    if (!out.path.empty()) {
        std::cout << out.path << "\n";
        log::info("wrote revision", {{"path", out.path}, {"revision", out.rev_id}});
    }
    return ExitCode::ok;
}

ExitCode cmd_run_baseline(const Invocation& inv) {
    ExitCode c = execute(inv.settings, Command::wait).code;
    if (c != ExitCode::ok) return c;
    c = baseline_gate(inv.settings, inv.opts.baseline, inv.opts.dev_urls);
    if (c != ExitCode::ok) return c;
    return cmd_run(inv);
}

}  // namespace sg::cli
