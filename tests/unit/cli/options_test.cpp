// The command line: flag > env > default, global options anywhere, errors
// as exit 2.
#include <catch2/catch.hpp>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"

using namespace sg;
using namespace sg::cli;
using std::chrono::milliseconds;

namespace {

Invocation parse(const std::vector<std::string>& args, const Env& env = {}) {
    return parse_invocation(args, env, [](const std::string& path) -> std::string {
        if (path == "/secrets/pw") return "from-file";
        throw Error(ExitCode::usage, "cannot read " + path);
    });
}

ExitCode code_of(const std::vector<std::string>& args, const Env& env = {}) {
    try {
        parse(args, env);
    } catch (const Error& e) {
        return e.code();
    }
    return ExitCode::ok;
}

std::string message_of(const std::vector<std::string>& args, const Env& env = {}) {
    try {
        parse(args, env);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("defaults") {
    auto inv = parse({"upgrade"});
    const Settings& s = inv.settings;
    CHECK(inv.command == "upgrade");
    CHECK(s.db.dialect == Dialect::sqlite);
    CHECK(s.db.database == "./schemagate.db");
    CHECK_FALSE(s.url_given);
    CHECK(s.migrations == "./migrations");
    CHECK(s.tables.version == "alembic_version");
    CHECK(s.target == "head");
    CHECK(s.wait_timeout == milliseconds(60000));
    CHECK(s.lock_timeout == milliseconds(300000));
    CHECK(s.backup == BackupMode::auto_);
    CHECK(inv.log_format == log::Format::text);
    CHECK(inv.log_level == log::Level::info);
}

TEST_CASE("precedence: flag > env > default") {
    Env env{{"SCHEMAGATE_MIGRATIONS", "/env/migrations"},
            {"SCHEMAGATE_WAIT_TIMEOUT", "5m"},
            {"SCHEMAGATE_VERSION_TABLE", "env_version"},
            {"SCHEMAGATE_LOG_FORMAT", "json"},
            {"SCHEMAGATE_BACKUP", "never"},
            {"SCHEMAGATE_BACKUP_KEEP", "3"},
            {"SCHEMAGATE_ALLOW_DRIFT", "true"},
            {"SCHEMAGATE_TARGET", "abcd"}};
    auto from_env = parse({"run"}, env);
    CHECK(from_env.settings.migrations == "/env/migrations");
    CHECK(from_env.settings.wait_timeout == milliseconds(300000));
    CHECK(from_env.settings.tables.version == "env_version");
    CHECK(from_env.log_format == log::Format::json);
    CHECK(from_env.settings.backup == BackupMode::never);
    CHECK(from_env.settings.backup_keep == 3);
    CHECK(from_env.settings.allow_drift);
    CHECK(from_env.settings.target == "abcd");

    auto from_flags =
        parse({"run", "--migrations", "/flag/m", "--wait-timeout=500ms", "--version-table",
               "flag_version", "--log-format", "text", "--backup=always", "--backup-keep", "0",
               "--allow-drift=false", "--target", "head"},
              env);
    CHECK(from_flags.settings.migrations == "/flag/m");
    CHECK(from_flags.settings.wait_timeout == milliseconds(500));
    CHECK(from_flags.settings.tables.version == "flag_version");
    CHECK(from_flags.log_format == log::Format::text);
    CHECK(from_flags.settings.backup == BackupMode::always);
    CHECK(from_flags.settings.backup_keep == 0);
    CHECK_FALSE(from_flags.settings.allow_drift);
    CHECK(from_flags.settings.target == "head");
}

TEST_CASE("every run option is read from its env var") {
    Env env{{"SCHEMAGATE_LOCK_TIMEOUT", "90"},
            {"SCHEMAGATE_CONNECT_TIMEOUT", "2s"},
            {"SCHEMAGATE_ALLOW_UNKNOWN", "1"},
            {"SCHEMAGATE_ATOMIC", "yes"},
            {"SCHEMAGATE_BACKUP_DIR", "/b"},
            {"SCHEMAGATE_PG_DUMP", "/x/pg_dump"},
            {"SCHEMAGATE_PG_RESTORE", "/x/pg_restore"},
            {"SCHEMAGATE_MYSQLDUMP", "/x/mysqldump"},
            {"SCHEMAGATE_TERMINATION_LOG", "/t"},
            {"SCHEMAGATE_REPORT", "/r.json"},
            {"SCHEMAGATE_HISTORY_TABLE", "hist"},
            {"SCHEMAGATE_DIALECT", "mysql"},
            {"SCHEMAGATE_LOG_LEVEL", "warn"}};
    auto s = parse({"run"}, env).settings;
    CHECK(s.lock_timeout == milliseconds(90000));
    CHECK(s.connect_timeout == milliseconds(2000));
    CHECK(s.allow_unknown);
    CHECK(s.atomic);
    CHECK(s.backup_dir == "/b");
    CHECK(s.pg_dump == "/x/pg_dump");
    CHECK(s.pg_restore == "/x/pg_restore");
    CHECK(s.mysqldump == "/x/mysqldump");
    CHECK(s.termination_log == "/t");
    CHECK(s.report == "/r.json");
    CHECK(s.tables.history == "hist");
    REQUIRE(s.dialect);
    CHECK(*s.dialect == Dialect::mysql);
    CHECK(s.log_level == "warn");
}

TEST_CASE("global options before or after the command") {
    auto before = parse({"--migrations", "m", "-q", "upgrade", "abcd"});
    auto after = parse({"upgrade", "abcd", "--migrations", "m", "-q"});
    auto mixed = parse({"--migrations=m", "upgrade", "-q", "abcd"});
    for (const auto& inv : {before, after, mixed}) {
        CHECK(inv.command == "upgrade");
        CHECK(inv.settings.migrations == "m");
        CHECK(inv.settings.target == "abcd");
        CHECK(inv.log_level == log::Level::error);
    }
}

TEST_CASE("relative targets are arguments, not options") {
    auto inv = parse({"downgrade", "-1"});
    REQUIRE(inv.args.size() == 1);
    CHECK(inv.args[0] == "-1");
    CHECK(parse({"upgrade", "+2"}).settings.target == "+2");
    CHECK(parse({"upgrade", "--", "-x"}).settings.target == "-x");
}

TEST_CASE("the positional target wins over --target and SCHEMAGATE_TARGET") {
    CHECK(parse({"upgrade", "abcd"}, {{"SCHEMAGATE_TARGET", "ffff"}}).settings.target == "abcd");
    CHECK(parse({"upgrade"}, {{"SCHEMAGATE_TARGET", "ffff"}}).settings.target == "ffff");
    CHECK(parse({"check", "--target", "eeee"}).settings.target == "eeee");
}

TEST_CASE("command options") {
    auto rev = parse({"revision", "-m", "add email", "--head", "abcd", "--branch-label", "x",
                      "--depends-on", "a1,b2", "--depends-on", "c3", "--rev-id", "r1"});
    CHECK(rev.opts.message == "add email");
    CHECK(rev.opts.head == "abcd");
    CHECK(rev.opts.branch_labels == std::vector<std::string>{"x"});
    CHECK(rev.opts.depends_on == std::vector<std::string>{"a1", "b2", "c3"});
    CHECK(rev.opts.rev_id == "r1");
    CHECK(parse({"revision", "-mshort"}).opts.message == "short");
    CHECK(parse({"revision", "-m", "x", "--head", "abcd", "--splice"}).opts.splice);
    CHECK(code_of({"merge", "a", "b", "-m", "x", "--splice"}) == ExitCode::usage);
    CHECK(parse({"merge", "heads", "-m", "-1 merge"}).opts.message == "-1 merge");
    CHECK(parse({"history", "-r", "base:head"}).opts.range == "base:head");
    CHECK(parse({"history", "-r-2:head"}).opts.range == "-2:head");
    CHECK(parse({"stamp", "head", "--purge"}).opts.purge);
    CHECK(parse({"upgrade", "--sql", "a:b"}).opts.sql);
    CHECK(parse({"repair", "--resume"}).opts.repair == RepairAction::resume);
    CHECK(parse({"current", "--verbose"}).opts.verbose);
    CHECK(parse({"history", "-v"}).log_level == log::Level::debug);
}

TEST_CASE("-q, -v and --log-level") {
    CHECK(parse({"heads", "-v"}).log_level == log::Level::debug);
    CHECK(parse({"heads", "--log-level", "warn"}).log_level == log::Level::warn);
    CHECK(parse({"heads", "-q"}, {{"SCHEMAGATE_LOG_LEVEL", "debug"}}).log_level ==
          log::Level::error);
    CHECK(parse({"heads"}, {{"SCHEMAGATE_QUIET", "true"}}).log_level == log::Level::error);
    CHECK(parse({"heads", "--log-level=info"}, {{"SCHEMAGATE_QUIET", "true"}}).log_level ==
          log::Level::info);
    CHECK(code_of({"heads", "-q", "-v"}) == ExitCode::usage);
    CHECK(code_of({"heads", "-qv"}) == ExitCode::usage);
}

TEST_CASE("help") {
    CHECK(parse({"--help"}).help);
    CHECK(parse({"--help"}).command.empty());
    auto h = parse({"upgrade", "--help"});
    CHECK(h.help);
    CHECK(h.command == "upgrade");
    CHECK(parse({"help", "merge"}).command == "merge");
    CHECK(parse({"help", "merge"}).help);
    CHECK(code_of({"help", "nope"}) == ExitCode::usage);
    CHECK(program_help().find("upgrade") != std::string::npos);
    CHECK(command_help("upgrade").find("--sql") != std::string::npos);
    CHECK(command_help("run").find("--wait-timeout") != std::string::npos);
}

TEST_CASE("usage errors: exit 2 with a one-line message") {
    const std::vector<std::vector<std::string>> bad = {
        {},                                 // no command
        {"frobnicate"},                     // unknown command
        {"upgrade", "--frobnicate"},        // unknown long option
        {"upgrade", "-x"},                  // unknown short option
        {"current", "--sql"},               // option of another command
        {"upgrade", "--migrations"},        // missing value
        {"run", "--wait-timeout", "soon"},  // bad duration
        {"run", "--backup", "sometimes"},   // bad enum
        {"run", "--backup-keep", "-1"},     // bad count
        {"run", "--atomic=perhaps"},        // bad boolean
        {"heads", "--log-format", "xml"},   // bad log format
        {"heads", "--log-level", "loud"},   // bad log level
        {"upgrade", "--sql", "--dialect", "oracle"},
        {"heads", "--version-table", "bad name; drop"},
        {"upgrade", "a", "b"},  // too many arguments
        {"downgrade"},          // missing argument
        {"show"},
        {"revision"},         // no -m
        {"merge", "a", "b"},  // no -m
        {"repair"},           // no action
        {"repair", "--resume", "--mark-applied"},
        {"heads", "--url", "ftp://x"},  // bad URL
    };
    for (const auto& args : bad) {
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        INFO(joined);
        CHECK(code_of(args) == ExitCode::usage);
        CHECK(message_of(args).find('\n') == std::string::npos);
    }
    CHECK(code_of({"heads"}, {{"SCHEMAGATE_WAIT_TIMEOUT", "never"}}) == ExitCode::usage);
    CHECK(message_of({"heads"}, {{"SCHEMAGATE_WAIT_TIMEOUT", "never"}})
              .find("SCHEMAGATE_WAIT_TIMEOUT") != std::string::npos);
    CHECK(code_of({"heads"}, {{"DATABASE_URL", "nonsense"}}) == ExitCode::usage);
    CHECK(message_of({"heads"}, {{"DATABASE_URL", "nonsense"}}).find("DATABASE_URL") !=
          std::string::npos);
}

TEST_CASE("database URL sources and secrets") {
    auto inv = parse({"current"}, {{"DATABASE_URL", "postgresql://u:s%40cret@h/db"}});
    CHECK(inv.settings.db.dialect == Dialect::postgresql);
    CHECK(inv.settings.db.password == "s@cret");
    CHECK(inv.settings.db.host == "h");
    CHECK(inv.settings.url_given);
    CHECK(std::find(inv.secrets.begin(), inv.secrets.end(), "s@cret") != inv.secrets.end());

    auto flag =
        parse({"current", "--url", "sqlite:///f.db"}, {{"DATABASE_URL", "postgresql://u:p@h/db"}});
    CHECK(flag.settings.db.dialect == Dialect::sqlite);
    CHECK(flag.settings.db.database == "f.db");

    auto parts = parse({"current"}, {{"DATABASE_HOST", "db"},
                                     {"DATABASE_USER", "app"},
                                     {"DATABASE_PASSWORD_FILE", "/secrets/pw"},
                                     {"DATABASE_NAME", "clinic"}});
    CHECK(parts.settings.db.masked() == "postgresql://app:****@db/clinic");
    CHECK(parts.settings.db.password == "from-file");
    CHECK(std::find(parts.secrets.begin(), parts.secrets.end(), "from-file") !=
          parts.secrets.end());
    CHECK(code_of({"current"}, {{"DATABASE_URL_FILE", "/missing"}}) == ExitCode::usage);
}

TEST_CASE("applied_by comes from POD_NAME, else HOSTNAME") {
    CHECK(parse({"upgrade"}, {{"POD_NAME", "migrate-x"}, {"HOSTNAME", "h"}}).settings.applied_by ==
          "migrate-x");
    CHECK(parse({"upgrade"}, {{"HOSTNAME", "h"}}).settings.applied_by == "h");
}

TEST_CASE("version needs no configuration") {
    CHECK(parse({"version"}, {{"DATABASE_URL", "nonsense"}}).command == "version");
}

TEST_CASE("cli::main maps usage errors to exit 2 and prints help with exit 0") {
    auto run = [](std::vector<std::string> args) {
        args.insert(args.begin(), "schemagate");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        return sg::cli::main(static_cast<int>(argv.size()), argv.data());
    };
    CHECK(run({"frobnicate"}) == 2);
    CHECK(run({"upgrade", "--no-such-flag"}) == 2);
    CHECK(run({"run", "--wait-timeout", "soon"}) == 2);
    CHECK(run({"version"}) == 0);
    CHECK(run({"--help"}) == 0);
    CHECK(run({"verify", "--migrations", "/nonexistent/schemagate/dir"}) == 3);
}

TEST_CASE("JSON logs are recognised before parsing, flag over env") {
    CHECK(wants_json_logs({"upgrade", "--log-format", "json"}, {}));
    CHECK(wants_json_logs({"--log-format=json", "upgrade"}, {}));
    CHECK(wants_json_logs({"upgrade"}, {{"SCHEMAGATE_LOG_FORMAT", "json"}}));
    CHECK_FALSE(
        wants_json_logs({"upgrade", "--log-format=text"}, {{"SCHEMAGATE_LOG_FORMAT", "json"}}));
    CHECK_FALSE(wants_json_logs({"upgrade"}, {}));
}

TEST_CASE("early_outputs finds the command and the output paths whatever else is wrong",
          "[cli][options]") {
    // The error may be in the options themselves: nothing here throws.
    auto o = early_outputs({"--url", "run", "--bogus", "-q", "run", "--termination-log", "/t",
                            "--report=/r", "--wait-timeout", "soon"},
                           {});
    CHECK(o.command == "run");  // the first "run" is --url's value
    CHECK(o.termination_log == "/t");
    CHECK(o.report == "/r");
    CHECK_FALSE(o.sql);
    auto e = early_outputs({"upgrade", "--sql"},
                           {{"SCHEMAGATE_TERMINATION_LOG", "/te"}, {"SCHEMAGATE_REPORT", "/re"}});
    CHECK(e.command == "upgrade");
    CHECK(e.sql);
    CHECK(e.termination_log == "/te");
    CHECK(e.report == "/re");
    CHECK(early_outputs({"--termination-log"}, {}).command.empty());
}
