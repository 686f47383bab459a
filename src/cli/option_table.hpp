#pragma once
// The table of commands and options: one place that drives the argument
// splitter, cxxopts, the environment variables and the help text.
#include <cstddef>
#include <string>
#include <vector>

namespace cxxopts {
class Options;
}

namespace sg::cli {

enum class OptionKind { flag, value, list };

/// global: every command, env SCHEMAGATE_<NAME>. run: configuration of
/// run/wait/backup (accepted by every command so one set of env vars and
/// flags serves all), env too. command: one invocation's arguments, no env.
enum class OptionScope { global, run, command };

struct OptionDef {
    const char* name;  // long name, without "--"
    char short_name;   // 0: none
    OptionKind kind;
    OptionScope scope;
    const char* arg;  // value name in help ("URL", "DURATION")
    const char* help;
    std::vector<std::string> commands;  // scope command: where it is valid
};

struct CommandDef {
    const char* name;
    const char* summary;
    const char* args;  // positional arguments in help, "" for none
    size_t min_args;
    size_t max_args;
    bool run_options;  // show the run options in its help
};

const std::vector<OptionDef>& options();
const std::vector<CommandDef>& commands();
const OptionDef* find_option(const std::string& name);
const OptionDef* find_short(char c);
const CommandDef* find_command(const std::string& name);
/// Whether `def` may be given with `command` ("" : before any command).
bool option_allowed(const OptionDef& def, const std::string& command);
/// A cxxopts parser for one command (its options, the global and run ones).
cxxopts::Options build_cxxopts(const std::string& command);

}  // namespace sg::cli
