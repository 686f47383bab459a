#pragma once
// The one table of commands and options. Each command's entry holds its name,
// help, positional arguments, options, traits and handler: dispatch, naming,
// option checks, the argument parser (cxxopts) and the help text all read it.
#include <cstddef>
#include <string>
#include <vector>

#include "run/commands.hpp"  // ExitCode

namespace cxxopts {
class Options;
}

namespace sg::cli {

struct Invocation;

enum class OptionKind { flag, value, list };

/// global: every command, env SCHEMAGATE_<NAME>. run: configuration of
/// run/wait/backup (accepted by every command so one set of env vars and
/// flags serves all), env too. command: one invocation's arguments, no env;
/// valid for the commands whose entry lists it.
enum class OptionScope { global, run, command };

struct OptionDef {
    const char* name;  // long name, without "--"
    char short_name;   // 0: none
    OptionKind kind;
    OptionScope scope;
    const char* arg;  // value name in help ("URL", "DURATION")
    const char* help;
};

/// What a command's entry says about parsing and outputs.
enum Trait : unsigned {
    kNone = 0,
    kTargetArg = 1u << 0,      // the positional argument is the target (upgrade, check)
    kNeedsMessage = 1u << 1,   // -m is required (revision, merge, baseline)
    kDialectList = 1u << 2,    // --dialect may be a list (verify)
    kRawDialects = 1u << 3,    // --dialect is kept as text, checked by the command (import)
    kRepairAction = 1u << 4,   // exactly one repair action (repair)
    kBaseline = 1u << 5,       // reads --baseline / SCHEMAGATE_BASELINE (run)
    kNoConfig = 1u << 6,       // needs no configuration at all (version)
    kWritesOutputs = 1u << 7,  // writes the termination message and --report (not with --sql)
    kHelp = 1u << 8,           // `help [COMMAND]`
};

using Handler = ExitCode (*)(const Invocation&);

struct CommandDef {
    const char* name;
    const char* summary;
    const char* args;  // positional arguments in help, "" for none
    size_t min_args;
    size_t max_args;
    bool run_options;                  // show the run options in its help
    std::vector<std::string> options;  // its command-scope options (besides --help)
    unsigned traits;
    Handler handler;  // nullptr: `help`
    bool has(Trait t) const { return (traits & t) != 0; }
};

const std::vector<OptionDef>& options();
const std::vector<CommandDef>& commands();
const OptionDef* find_option(const std::string& name);
const OptionDef* find_short(char c);
const CommandDef* find_command(const std::string& name);
/// Whether `def` may be given with `command` (nullptr: before any command).
bool option_allowed(const OptionDef& def, const CommandDef* command);
/// The commands that accept a command-scope option.
std::vector<std::string> commands_with(const OptionDef& def);
/// A cxxopts parser for one command's help (its options, the global and run ones).
cxxopts::Options build_cxxopts(const std::string& command);
/// The one parser of the command line: every option of the table, the
/// positional arguments, and the digits of relative targets (`-1`).
cxxopts::Options build_parser();

}  // namespace sg::cli
