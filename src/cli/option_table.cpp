#include "cli/option_table.hpp"

#include <algorithm>
#include <cxxopts.hpp>

#include "cli/commands.hpp"
#include "cli/config.hpp"
#include "cli/options.hpp"

namespace sg::cli {
namespace {

using K = OptionKind;
using S = OptionScope;

// One option per line reads better than clang-format's layout.
// clang-format off
const std::vector<OptionDef> kOptions = {
    // global
    {"url", 0, K::value, S::global, "URL", "database URL (env DATABASE_URL or SCHEMAGATE_URL; default sqlite:///./schemagate.db)"},
    {"migrations", 0, K::value, S::global, "DIR", "migrations directory (default ./migrations)"},
    {"version-table", 0, K::value, S::global, "NAME", "version table (default alembic_version)"},
    {"history-table", 0, K::value, S::global, "NAME", "history table (default schemagate_history)"},
    {"dialect", 0, K::value, S::global, "NAME", "SQL dialect of --sql output: postgresql, mysql, sqlite (default: the URL's); verify, import alembic and revision --autogenerate take a comma-separated list"},
    {"connect-timeout", 0, K::value, S::global, "DURATION", "timeout of one connection attempt (default 10s)"},
    {"log-format", 0, K::value, S::global, "FORMAT", "text or json (default text)"},
    {"log-level", 0, K::value, S::global, "LEVEL", "debug, info, warn, error, off (default info)"},
    {"dev-url", 0, K::list, S::global, "URL", "an empty database to replay migrations into (diff, baseline, revision --autogenerate; one per dialect; SQLite needs none)"},
    {"quiet", 'q', K::flag, S::global, "", "log errors only"},
    {"verbose", 'v', K::flag, S::global, "", "debug logs; long output of current, history, heads, branches"},
    {"help", 'h', K::flag, S::command, "", "show this help"},
    // run, wait, backup
    {"target", 0, K::value, S::run, "REV", "target revision of run (default head)"},
    {"wait-timeout", 0, K::value, S::run, "DURATION", "how long to wait for the database (default 60s; 0: try once)"},
    {"lock-timeout", 0, K::value, S::run, "DURATION", "how long to wait for the migration lock (default 300s); also bounds all DDL lock retries together"},
    {"ddl-lock-timeout", 0, K::value, S::run, "DURATION", "how long one statement may wait for a table lock before the revision is rolled back and retried (default 5s; 0: no bound)"},
    {"ddl-lock-retries", 0, K::value, S::run, "N", "retries after a DDL lock timeout, with back-off (default 10; then exit 6)"},
    {"allow-unknown", 0, K::flag, S::run, "", "accept applied revisions unknown to the migrations directory"},
    {"allow-drift", 0, K::flag, S::run, "", "accept checksum mismatches of applied revisions"},
    {"allow-empty", 0, K::flag, S::run, "", "accept a migrations directory without revisions (else exit 3)"},
    {"baseline", 0, K::value, S::run, "REV", "a database with tables and no version rows: stamp it at REV when its schema equals the migrations at REV (else exit 12)"},
    {"atomic", 0, K::flag, S::run, "", "apply all pending revisions in one transaction"},
    {"backup", 0, K::value, S::run, "MODE", "auto, always or never (default auto)"},
    {"backup-dir", 0, K::value, S::run, "DIR", "where backups go (default ./backups)"},
    {"backup-keep", 0, K::value, S::run, "N", "keep the newest N backups (default 0: all)"},
    {"pg-dump", 0, K::value, S::run, "PATH", "pg_dump to use (default pg_dump)"},
    {"pg-restore", 0, K::value, S::run, "PATH", "pg_restore to use (default pg_restore)"},
    {"mysqldump", 0, K::value, S::run, "PATH", "mysqldump to use (default mysqldump)"},
    {"termination-log", 0, K::value, S::run, "FILE", "termination message file (default /dev/termination-log when writable)"},
    {"report", 0, K::value, S::run, "FILE", "write the run as one JSON document"},
    {"lint", 0, K::value, S::run, "MODE", "lint the pending revisions before the lock: off, warn or error (exit 13; default warn)"},
    // commands
    {"sql", 0, K::flag, S::command, "", "print the SQL instead of running it (no connection)"},
    {"message", 'm', K::value, S::command, "MSG", "message of the new revision"},
    {"head", 0, K::value, S::command, "REV", "the head the new revision follows (revision: default the only head, 'base' for a new root; baseline: default a new root)"},
    {"branch-label", 0, K::list, S::command, "LABEL", "branch label(s) of the new revision"},
    {"splice", 0, K::flag, S::command, "", "allow --head to name a revision that is not a head (a new branch)"},
    {"depends-on", 0, K::list, S::command, "REV", "revision(s) the new one depends on"},
    {"rev-id", 0, K::value, S::command, "ID", "id of the new revision (default: 12 random hex)"},
    {"autogenerate", 0, K::flag, S::command, "", "write the revision's SQL from the desired schema (--schema), proven in the dev database before the file is written (exit 12 when the proof fails)"},
    {"schema", 0, K::value, S::command, "PATH", "revision --autogenerate: the desired schema, a .sql file or a directory of them applied in name order [env SCHEMAGATE_SCHEMA]"},
    {"sqlalchemy", 0, K::value, S::command, "MODULE:ATTR", "revision --autogenerate: the desired schema from your SQLAlchemy models (a MetaData, or an object with .metadata), rendered per dialect by --python [env SCHEMAGATE_SQLALCHEMY]"},
    {"rename", 0, K::list, S::command, "T.OLD=NEW", "revision --autogenerate: rename a column (TABLE.OLD=NEW) or a table (OLD=NEW) instead of dropping and adding it"},
    {"no-stamp", 0, K::flag, S::command, "", "only write the baseline file, do not stamp the database"},
    {"purge", 0, K::flag, S::command, "", "clear the version table first"},
    {"rev-range", 'r', K::value, S::command, "A:B", "only revisions in the range"},
    {"mark-applied", 0, K::flag, S::command, "", "the dirty revision was finished by hand: record it as applied"},
    {"mark-reverted", 0, K::flag, S::command, "", "the partial changes were undone: the revision counts as not applied"},
    {"resume", 0, K::flag, S::command, "", "run the remaining statements of the dirty revision (MySQL)"},
    {"config", 0, K::value, S::command, "FILE", "the Alembic project's alembic.ini"},
    {"from", 0, K::value, S::command, "DIR", "import: the Alembic project (or Flask-Migrate's migrations/ folder); diff: the schema compared from (URL, migrations[@REV], .sql file or directory, sqlalchemy:MODULE:ATTR)"},
    {"to", 0, K::value, S::command, "SRC", "the schema compared to (default: --url; same kinds as --from)"},
    {"format", 0, K::value, S::command, "FORMAT", "sql (default) or json"},
    {"python", 0, K::value, S::command, "PATH", "a Python that can import alembic (import) or SQLAlchemy (sqlalchemy: sources, --sqlalchemy) (default: python3 on PATH, then /usr/bin/python3)"},
    {"timeout", 0, K::value, S::command, "DURATION", "how long Alembic may take to render the revisions, or the models to render (default 5m; 0: no limit)"},
};
// clang-format on

const size_t kMany = 1000;

// clang-format off
const std::vector<CommandDef> kCommands = {
    {"run", "the init-container gate: wait, lock, check, back up, apply", "", 0, 0, true,
     {}, kBaseline | kWritesOutputs, cmd_run},
    {"upgrade", "apply revisions up to TARGET (default head); --sql: A:B ranges", "[TARGET]", 0, 1, true,
     {"sql"}, kTargetArg | kWritesOutputs, cmd_upgrade},
    {"downgrade", "revert revisions down to TARGET (-1, base, an id); --sql: A:B", "TARGET", 1, 1, true,
     {"sql"}, kWritesOutputs, cmd_downgrade},
    {"current", "show the database's current revision(s)", "", 0, 0, false,
     {}, kWritesOutputs, cmd_current},
    {"history", "list revisions, newest first", "", 0, 0, false,
     {"rev-range"}, kNone, cmd_history},
    {"heads", "show the heads of the migrations directory", "", 0, 0, false,
     {}, kNone, cmd_heads},
    {"branches", "show the branch points", "", 0, 0, false,
     {}, kNone, cmd_branches},
    {"show", "show one revision", "REV", 1, 1, false,
     {}, kNone, cmd_show},
    {"stamp", "set the version table without running SQL", "REV...", 1, kMany, false,
     {"purge"}, kWritesOutputs, cmd_stamp},
    {"repair", "resolve a dirty step", "", 0, 0, false,
     {"mark-applied", "mark-reverted", "resume"}, kRepairAction | kWritesOutputs, cmd_repair},
    {"revision", "write a new revision file", "", 0, 0, false,
     {"message", "head", "branch-label", "splice", "depends-on", "rev-id", "autogenerate", "schema", "sqlalchemy",
       "rename", "python", "timeout"}, kNeedsMessage, cmd_revision},
    {"merge", "write a merge revision ('merge heads' merges all heads)", "REV...", 1, kMany, false,
     {"message", "branch-label", "rev-id"}, kNeedsMessage, cmd_merge},
    {"check", "exit 0 at the target (default head), 11 when revisions are pending", "[TARGET]", 0, 1, true,
     {}, kTargetArg | kWritesOutputs, cmd_check},
    {"verify", "validate the migrations directory (no database)", "", 0, 0, false,
     {}, kDialectList, cmd_verify},
    {"lint", "report changes the running version cannot survive (no database; exit 13)", "", 0, 0, false,
     {"rev-range"}, kNone, cmd_lint},
    {"wait", "wait until the database accepts connections", "", 0, 0, true,
     {}, kWritesOutputs, cmd_wait},
    {"backup", "take a backup now", "", 0, 0, true,
     {}, kWritesOutputs, cmd_backup},
    {"version", "print the version", "", 0, 0, false,
     {}, kNoConfig, cmd_version},
    {"import", "convert an Alembic project into revision files (--config or --from)", "alembic", 1, 1, false,
     {"config", "from", "python", "timeout"}, kRawDialects, cmd_import},
    {"inspect", "print the database's schema as SQL or JSON (--format)", "", 0, 0, false,
     {"format"}, kNone, cmd_inspect},
    {"baseline", "adopt a database: write its schema as a proven revision, stamp it", "", 0, 0, false,
     {"message", "head", "rev-id", "no-stamp"}, kNeedsMessage, cmd_baseline},
    {"diff", "compare two schemas (default: migrations at the current revision vs --url)", "", 0, 0, false,
     {"from", "to", "python", "timeout"}, kNone, cmd_diff},
    {"help", "show help for a command", "[COMMAND]", 0, 1, false,
     {}, kHelp, nullptr},
};
// clang-format on

std::string help_text(const OptionDef& d) {
    std::string text = d.help;
    if (d.scope != OptionScope::command && std::string(d.name) != "url") {
        text += " [env " + env_name(d.name) + "]";
    }
    return text;
}

void add_option(cxxopts::Options& opts, const std::string& group, const OptionDef& d,
                bool parsing) {
    std::string spec = d.short_name ? std::string(1, d.short_name) + "," + d.name : d.name;
    auto adder = opts.add_options(group);
    switch (d.kind) {
        case OptionKind::flag:
            // The parser keeps a flag's text (--atomic=yes): parse_bool reads it.
            if (parsing)
                adder(spec, "", cxxopts::value<std::string>()->implicit_value("true"));
            else
                adder(spec, help_text(d), cxxopts::value<bool>());
            break;
        case OptionKind::value:
            adder(spec, help_text(d), cxxopts::value<std::string>(), d.arg);
            break;
        case OptionKind::list:
            adder(spec, help_text(d), cxxopts::value<std::vector<std::string>>(), d.arg);
            break;
    }
}

}  // namespace

const std::vector<OptionDef>& options() { return kOptions; }
const std::vector<CommandDef>& commands() { return kCommands; }

const OptionDef* find_option(const std::string& name) {
    for (const auto& d : kOptions) {
        if (name == d.name) return &d;
    }
    return nullptr;
}

const OptionDef* find_short(char c) {
    for (const auto& d : kOptions) {
        if (d.short_name == c) return &d;
    }
    return nullptr;
}

const CommandDef* find_command(const std::string& name) {
    for (const auto& c : kCommands) {
        if (name == c.name) return &c;
    }
    return nullptr;
}

bool option_allowed(const OptionDef& def, const CommandDef* command) {
    if (def.scope != OptionScope::command || std::string(def.name) == "help") return true;
    if (!command) return false;
    return std::find(command->options.begin(), command->options.end(), def.name) !=
           command->options.end();
}

std::vector<std::string> commands_with(const OptionDef& def) {
    std::vector<std::string> out;
    for (const auto& c : kCommands) {
        if (option_allowed(def, &c)) out.push_back(c.name);
    }
    return out;
}

cxxopts::Options build_cxxopts(const std::string& command) {
    const CommandDef* cmd = find_command(command);
    std::string program = command.empty() ? "schemagate" : "schemagate " + command;
    cxxopts::Options opts(program, cmd ? cmd->summary : "database schema migrations");
    opts.set_width(100);
    for (const auto& d : kOptions) {
        if (d.scope == OptionScope::command && option_allowed(d, cmd))
            add_option(opts, "", d, false);
    }
    for (const auto& d : kOptions) {
        if (d.scope == OptionScope::global) add_option(opts, "Global", d, false);
    }
    for (const auto& d : kOptions) {
        if (d.scope == OptionScope::run) add_option(opts, "Run", d, false);
    }
    return opts;
}

cxxopts::Options build_parser() {
    cxxopts::Options opts("schemagate");
    for (const auto& d : kOptions) add_option(opts, "", d, true);
    // `downgrade -1`: cxxopts reads -1 as the short option 1; the parser
    // turns the digits back into the argument (options.cpp).
    for (char c = '0'; c <= '9'; ++c) {
        opts.add_options("digits")(std::string(1, c), "",
                                   cxxopts::value<std::string>()->implicit_value(""));
    }
    opts.add_options("positional")("args", "", cxxopts::value<std::vector<std::string>>());
    opts.parse_positional("args");
    opts.allow_unrecognised_options();
    return opts;
}

// cxxopts' help starts with its own usage line; keep the option list only.
std::string option_list(cxxopts::Options& opts, const std::vector<std::string>& groups) {
    std::string text = opts.help(groups);
    size_t usage = text.find("Usage:");
    size_t body = usage == std::string::npos ? std::string::npos : text.find("\n\n", usage);
    return body == std::string::npos ? text : text.substr(body + 2);
}

std::string command_help(const std::string& command) {
    const CommandDef* cmd = find_command(command);
    if (!cmd) return program_help();
    auto opts = build_cxxopts(command);
    std::vector<std::string> groups{"", "Global"};
    if (cmd->run_options) groups.push_back("Run");
    std::string args = cmd->args[0] ? std::string(" ") + cmd->args : "";
    std::string text = "Usage: schemagate " + command + args + " [OPTION...]\n\n" + cmd->summary +
                       "\n\n" + option_list(opts, groups);
    if (!cmd->run_options) {
        text +=
            "\nThe run options (--wait-timeout, --backup, ...) are accepted too; see "
            "'schemagate run --help'.\n";
    }
    return text;
}

std::string program_help() {
    auto opts = build_cxxopts("");
    std::string text =
        "schemagate: database schema migrations with Alembic semantics\n\n"
        "Usage: schemagate [OPTION...] COMMAND [ARGS] [OPTION...]\n\nCommands:\n";
    for (const auto& c : kCommands) {
        std::string name = std::string(c.name) + (c.args[0] ? " " + std::string(c.args) : "");
        name.resize(std::max<size_t>(name.size() + 2, 20), ' ');
        text += "  " + name + c.summary + "\n";
    }
    text += "\n" + option_list(opts, {"Global"});
    text +=
        "\nEvery global and run option can also be set through the environment as\n"
        "SCHEMAGATE_<OPTION> (--wait-timeout -> SCHEMAGATE_WAIT_TIMEOUT); a flag wins over\n"
        "the environment. Without DATABASE_URL the URL is built from DATABASE_HOST,\n"
        "DATABASE_PORT, DATABASE_USER, DATABASE_PASSWORD, DATABASE_NAME, DATABASE_DIALECT;\n"
        "DATABASE_URL_FILE and DATABASE_PASSWORD_FILE read the value from a file.\n"
        "Durations: 500ms, 90 (seconds), 90s, 5m, 1h.\n"
        "Run 'schemagate COMMAND --help' for the options of a command.\n";
    return text;
}

}  // namespace sg::cli
