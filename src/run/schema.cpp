// The schema commands as requests of the run layer: src/schematool does the
// work below run; the stamp after `baseline` and the `run --baseline` gate's
// termination message and report are the run layer's.
#include <algorithm>
#include <ostream>

#include "core/util.hpp"
#include "log/log.hpp"
#include "run/directory.hpp"
#include "run/report.hpp"

namespace sg {
namespace {

SchemaSettings schema_settings(const Settings& s) {
    SchemaSettings out;
    out.db = s.db;
    out.migrations = s.migrations;
    out.tables = s.tables;
    out.connect_timeout = s.connect_timeout;
    return out;
}

RunReport gate_report(const Settings& s, const std::string& started, ExitCode code,
                      const std::string& error, const std::string& hint) {
    RunReport report;
    report.tool_version = s.tool_version;
    report.database = s.db.masked();
    report.dialect = dialect_name(s.db.dialect);
    report.target = s.target;
    report.started_at = started;
    report.code = code;
    report.error = error;
    report.hint = hint;
    return report;
}

Outcome stamp(const Settings& s, const std::vector<std::string>& targets) {
    Request req{Command::stamp};
    req.name = "stamp";
    req.targets = targets;
    return execute(s, req);
}

ExitCode gate(const Settings& s, const std::string& rev, const std::vector<DbUrl>& dev_urls) {
    const std::string started = utc_now();
    GateResult g;
    try {
        g = baseline_gate(schema_settings(s), rev, dev_urls);
    } catch (const Error& e) {
        // In a pod the termination message is what people read: say why
        // the baseline check stopped the run; the error boundary logs it.
        write_outputs(
            gate_report(s, started, e.code(), "--baseline " + rev + ": " + e.what(), e.hint()),
            s.termination_log, s.report);
        throw;
    }
    if (g.code != ExitCode::ok) {
        RunReport report = gate_report(s, started, g.code, g.error, g.hint);
        report.details = g.details;
        write_outputs(report, s.termination_log, s.report);
        return g.code;
    }
    if (g.stamp.empty()) return ExitCode::ok;
    return stamp(s, g.stamp).code;
}

}  // namespace

bool is_schema_command(Command c) {
    return c == Command::inspect || c == Command::diff || c == Command::baseline ||
           c == Command::autogenerate;
}

Outcome run_schema(const Settings& s, const Request& req) {
    Outcome out;
    std::ostream& print = *req.out;
    switch (req.command) {
        case Command::inspect:
            out.code = inspect_command(schema_settings(s), req.schema, print);
            break;
        case Command::diff:
            out.code = diff_command(schema_settings(s), req.schema, print);
            break;
        case Command::baseline: {
            BaselineResult b = baseline_command(schema_settings(s), req.baseline, print);
            out.code = b.code;
            if (b.code != ExitCode::ok || req.baseline.no_stamp) break;
            out.code = stamp(s, {b.rev_id}).code;
            if (out.code == ExitCode::ok)
                print << "stamped " << s.db.masked() << " at " << b.rev_id << "\n";
            break;
        }
        case Command::autogenerate: {
            AutogenRequest a = req.autogen;
            a.migrations = s.migrations;
            if (a.dialects.empty()) a.dialects = {s.db.dialect};  // the URL's; default sqlite
            a.connect.connect_timeout_s =
                static_cast<int>(std::max<long long>(1, s.connect_timeout.count() / 1000));
            AutogenResult r = autogenerate(a);
            print << r.output;
            out.code = r.code;
            if (r.code != ExitCode::ok) {
                log::error("revision --autogenerate: the proof failed; no file written",
                           {{"exit_code", to_int(r.code)}, {"hint", r.hint}});
                break;
            }
            out.path = r.path;
            if (!r.path.empty()) {
                print << r.path << "\n";
                log::info("wrote revision", {{"path", r.path}, {"revision", r.rev_id}});
            }
            break;
        }
        default:
            throw Error(ExitCode::internal, "not a schema command");
    }
    return out;
}

Outcome run_with_baseline(const Settings& s, const Request& req, const Connector& connector) {
    Request wait{Command::wait};
    wait.name = "wait";
    Outcome out = execute(s, wait, connector);
    if (out.code != ExitCode::ok) return out;
    out.code = gate(s, req.baseline_rev, req.schema.dev_urls);
    if (out.code != ExitCode::ok) return out;
    Request run = req;
    run.baseline_rev.clear();
    return execute(s, run, connector);
}

}  // namespace sg
