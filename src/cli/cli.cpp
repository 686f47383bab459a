#include "cli/cli.hpp"

#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/option_table.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "log/log.hpp"
#include "run/boundary.hpp"
#include "run/facade.hpp"
#include "run/report.hpp"
#include "run/session.hpp"

namespace sg::cli {
namespace {

log::Fields code_field(const Failure& f) {
    log::Fields fields{{"exit_code", to_int(f.code)}};
    if (!f.hint.empty()) fields.emplace_back("hint", f.hint);
    return fields;
}

// Logs what guard() caught outside a session (the session logs its own).
void report(const Failure& f, const std::string& command) {
    switch (f.kind) {
        case Failure::Kind::none:
        case Failure::Kind::problems:  // logged by guard(), with file:line
            return;
        case Failure::Kind::migration: {
            log::Fields fields = code_field(f);
            if (!f.revision.empty()) fields.emplace_back("revision", f.revision);
            if (!f.location.empty()) fields.emplace_back("location", f.location);
            if (!f.db_error.empty()) fields.emplace_back("db_error", f.db_error);
            log::error(f.error, fields);
            return;
        }
        case Failure::Kind::database:
        case Failure::Kind::internal:
            log::error(f.error, {{"exit_code", to_int(f.code)}});
            return;
        case Failure::Kind::error: {
            std::string msg = f.error;
            if (f.code == ExitCode::usage) {
                msg += command.empty() ? " (see 'schemagate --help')"
                                       : " (see 'schemagate " + command + " --help')";
            }
            log::error(msg, code_field(f));
            return;
        }
    }
}

}  // namespace

ExitCode dispatch(const Invocation& inv) {
    if (!inv.def || !inv.def->handler)
        throw Error(ExitCode::usage, "unknown command '" + inv.command + "'");
    return inv.def->handler(inv);
}

ExitCode cmd_version(const Invocation&) {
    std::cout << "schemagate " << SCHEMAGATE_VERSION << "\n";
    return ExitCode::ok;
}

namespace {

// The commands that use a database write the termination message and
// --report at every exit (docs/run.md step 9), not only once the run layer
// has started: a bad option, URL or secret file is written there too.
bool writes_outputs(const std::string& command, bool sql) {
    const CommandDef* def = find_command(command);
    if (!def || !def->has(kWritesOutputs)) return false;
    // upgrade/downgrade --sql needs no database, and writes no outputs.
    bool takes_sql =
        std::find(def->options.begin(), def->options.end(), "sql") != def->options.end();
    return !(sql && takes_sql);
}

// Runs the command inside the one error boundary (run/boundary.hpp);
// every error becomes its exit code, logged. `failure` describes it.
int run_command(const std::vector<std::string>& args, const Env& env, Invocation& inv, bool& parsed,
                Failure& failure) {
    ExitCode code = guard(
        [&] {
            inv = parse_invocation(args, env);
            parsed = true;
            if (inv.help) {
                std::cout << (inv.command.empty() ? program_help() : command_help(inv.command));
                return ExitCode::ok;
            }
            for (const auto& secret : inv.secrets) log::add_secret(secret);
            log::init(inv.log_format, inv.log_level);
            return dispatch(inv);
        },
        failure);
    report(failure, inv.command);
    if (failure.kind == Failure::Kind::database) failure.hint.clear();
    return to_int(code);
}

}  // namespace

int main(int argc, char** argv) {
    install_checked_stdout();
    std::vector<std::string> args(argv + 1, argv + argc);
    Env env = process_env();
    // Until the command line is parsed: JSON if asked for, secrets of the
    // environment masked already.
    log::init(wants_json_logs(args, env) ? log::Format::json : log::Format::text, log::Level::info);
    for (const char* var : {"DATABASE_PASSWORD"}) {
        auto it = env.find(var);
        if (it != env.end()) log::add_secret(it->second);
    }
    std::string started_at = utc_now();
    Invocation inv;
    bool parsed = false;
    Failure failure;
    int code = run_command(args, env, inv, parsed, failure);
    if (code != 0 && !outputs_written()) {
        EarlyOutputs out;
        if (parsed) {
            out.command = inv.command;
            out.sql = inv.opts.sql;
            out.termination_log = inv.settings.termination_log;
            out.report = inv.settings.report;
        } else {
            out = early_outputs(args, env);
        }
        if (writes_outputs(out.command, out.sql)) {
            RunReport r;
            r.command = out.command;
            r.tool_version = SCHEMAGATE_VERSION;
            r.started_at = started_at;
            r.code = static_cast<ExitCode>(code);
            r.error = log::redact(failure.error);
            r.hint = failure.hint.empty() ? default_hint(r.code) : failure.hint;
            if (parsed) {
                r.target = inv.settings.target;
                r.database = inv.settings.db.masked();
                r.dialect = dialect_name(inv.settings.db.dialect);
            }
            write_outputs(r, out.termination_log, out.report);
        }
    }
    // The output is checked when it is flushed: a full disk or a closed
    // stdout is exit 2, not a truncated file and exit 0 (an earlier error's
    // code stands).
    std::string failed = finish_output();
    if (!failed.empty() && code == 0) {
        code = to_int(ExitCode::usage);
        log::error("cannot write output: " + failed, {{"exit_code", code}});
    }
    return code;
}

}  // namespace sg::cli
