#pragma once
// The command line (docs/reference.md §4): `schemagate [global options] COMMAND
// [args]`, global options before or after the command, flag > env > default.
// parse_invocation is pure (arguments + an environment map), so precedence
// and error handling are unit tests.
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "log/log.hpp"
#include "run/commands.hpp"  // RepairAction
#include "run/settings.hpp"

namespace sg::cli {

using sg::RepairAction;

/// Options that belong to one command and have no environment variable:
/// they describe this invocation, not the deployment.
struct CommandOptions {
    bool sql = false;      // upgrade/downgrade: print the SQL, no connection
    bool verbose = false;  // -v: debug logs, and long output of inspection commands
    bool purge = false;    // stamp
    std::string message;   // revision/merge -m
    std::string head;      // revision --head
    bool splice = false;   // revision: --head may name a non-head
    std::vector<std::string> branch_labels;
    std::vector<std::string> depends_on;
    std::string rev_id;
    std::string range;  // history -r A:B
    RepairAction repair = RepairAction::none;
    std::string config, from_dir, python, dialects;  // import alembic (dialects: a,b,c)
    std::string import_timeout;                      // import --timeout, as given (empty: default)
    std::string format, diff_to;  // inspect --format; diff --to (--from: from_dir)
    std::vector<DbUrl> dev_urls;  // --dev-url / SCHEMAGATE_DEV_URL
    bool no_stamp = false;        // baseline --no-stamp
    std::string baseline;         // run --baseline REV (SCHEMAGATE_BASELINE)
    /// --dialect as a list (verify checks each; other commands take one).
    std::vector<Dialect> dialect_list;

    // revision --autogenerate: --schema (or SCHEMAGATE_SCHEMA), --rename.
    bool autogenerate = false;
    std::string schema;
    std::vector<std::string> renames;
    std::string sqlalchemy;  // --sqlalchemy / SCHEMAGATE_SQLALCHEMY (models)
};

struct CommandDef;

struct Invocation {
    std::string command;              // "" with --help and no command
    const CommandDef* def = nullptr;  // its entry in the command table
    std::vector<std::string> args;    // positional arguments after the command
    bool help = false;                // print help for `command` (or the program)
    CommandOptions opts;
    Settings settings;
    log::Format log_format = log::Format::text;
    log::Level log_level = log::Level::info;
    std::vector<std::string> secrets;  // register with log::add_secret before logging
};

/// The commands, in the order of `--help`.
const std::vector<std::string>& command_names();

/// Parses `args` (without the program name). Throws Error(usage) with a
/// one-line message on an unknown command or flag, a missing or bad value,
/// or a wrong number of arguments.
Invocation parse_invocation(const std::vector<std::string>& args, const Env& env,
                            const FileReader& read_file = read_secret_file);

/// `schemagate --help` and `schemagate COMMAND --help`.
std::string program_help();
std::string command_help(const std::string& command);

/// Best effort before parsing succeeded: was JSON logging asked for? So even
/// a usage error comes out in the format a log collector expects.
/// What an error before the command ran needs to write the termination
/// message and --report: the command and the two paths, read from the
/// arguments and environment without failing on anything else in them
/// (the error may be a bad option).
struct EarlyOutputs {
    std::string command, termination_log, report;
    bool sql = false;  // upgrade/downgrade --sql: no database, no outputs
};
EarlyOutputs early_outputs(const std::vector<std::string>& args, const Env& env);

bool wants_json_logs(const std::vector<std::string>& args, const Env& env);

}  // namespace sg::cli
