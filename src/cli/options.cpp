#include "cli/options.hpp"

#include <algorithm>
#include <cxxopts.hpp>
#include <map>
#include <sstream>

#include "cli/option_table.hpp"
#include "run/facade.hpp"

namespace sg::cli {
namespace {

Error usage(const std::string& message) { return Error(ExitCode::usage, message); }

bool is_negative_number(const std::string& a) {
    return a.size() > 1 && a[0] == '-' &&
           std::all_of(a.begin() + 1, a.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// The command line as cxxopts read it: the options' values as written, in
/// order, and the positional arguments.
struct Parsed {
    std::map<std::string, std::vector<std::string>> given;
    std::vector<std::string> positionals;
};

std::string dashed(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

// "--name=value" or "-x" as cxxopts left it unmatched: the option's name.
std::string unknown_name(const std::string& token) {
    if (token.compare(0, 2, "--") == 0) return token.substr(0, token.find('='));
    return token.substr(0, 2);
}

// cxxopts' "Option 'NAME' is missing an argument": the name between the quotes.
std::string quoted_name(const std::string& what) {
    const std::string quotes = "'\u2018\u2019";  // cxxopts' LQUOTE and RQUOTE, as UTF-8
    size_t start = what.find_first_not_of(quotes, what.find_first_of(quotes));
    size_t end = what.find_first_of(quotes, start);
    if (start == std::string::npos || end == std::string::npos) return what;
    return what.substr(start, end - start);
}

/// A positional argument that starts with '-': cxxopts' tokenizer reads a
/// short option's value written against it only when it is alphanumeric
/// (-mshort), so `-r-2:head` arrives here. Anything else is unknown.
void take_short_spelling(const std::string& token, Parsed& out) {
    if (token.compare(0, 2, "--") == 0) throw usage("unknown option '" + unknown_name(token) + "'");
    for (size_t j = 1; j < token.size(); ++j) {
        const OptionDef* def = find_short(token[j]);
        if (!def) throw usage(std::string("unknown option '-") + token[j] + "'");
        if (def->kind == OptionKind::flag) {
            out.given[def->name].push_back("true");
            continue;
        }
        if (j + 1 == token.size())
            throw usage(std::string("option '-") + token[j] + "' needs a value");
        out.given[def->name].push_back(token.substr(j + 1));
        return;
    }
}

/// The digits cxxopts read as short options `-1`, `-12`: the relative targets
/// written, matched back to the arguments they came from.
void take_digits(const std::string& digits, const std::vector<std::string>& args, Parsed& out) {
    for (size_t i = 0; i < digits.size();) {
        size_t len = digits.size() - i;
        for (; len > 0; --len) {
            std::string arg = "-" + digits.substr(i, len);
            if (std::find(args.begin(), args.end(), arg) != args.end()) break;
        }
        if (len == 0) throw usage(std::string("unknown option '-") + digits[i] + "'");
        out.positionals.push_back("-" + digits.substr(i, len));
        i += len;
    }
}

/// The one parse of the command line: cxxopts with every option of the table.
Parsed parse_args(const std::vector<std::string>& args) {
    cxxopts::Options parser = build_parser();
    std::vector<const char*> argv{"schemagate"};
    for (const auto& a : args) argv.push_back(a.c_str());
    cxxopts::ParseResult result;
    try {
        result = parser.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const cxxopts::exceptions::missing_argument& e) {
        throw usage("option '" + dashed(quoted_name(e.what())) + "' needs a value");
    } catch (const cxxopts::exceptions::exception& e) {
        throw usage(e.what());
    }
    for (const auto& token : result.unmatched()) {
        throw usage("unknown option '" + unknown_name(token) + "'");
    }
    // The arguments after `--` are positional whatever they look like.
    auto marker = std::find(args.begin(), args.end(), "--");
    size_t literal = marker == args.end() ? 0 : static_cast<size_t>(args.end() - marker - 1);
    size_t positionals = 0;
    for (const auto& kv : result.arguments()) positionals += kv.key() == "args";
    size_t first_literal = positionals > literal ? positionals - literal : 0;
    Parsed out;
    std::string digits;
    size_t index = 0;
    for (const auto& kv : result.arguments()) {
        const std::string& key = kv.key();
        if (key.size() == 1 && std::isdigit(static_cast<unsigned char>(key[0]))) {
            digits += key;
            continue;
        }
        if (!digits.empty()) take_digits(digits, args, out), digits.clear();
        if (key != "args") {
            out.given[key].push_back(kv.value());
            continue;
        }
        const std::string& a = kv.value();
        if (index++ < first_literal && a.size() > 1 && a[0] == '-') {
            take_short_spelling(a, out);
            continue;
        }
        out.positionals.push_back(a);
    }
    if (!digits.empty()) take_digits(digits, args, out);
    return out;
}

/// Looks up one option: the flag, else (options with an env var) the environment.
class Lookup {
  public:
    Lookup(const Parsed& parsed, const Env& env) : m_given(parsed.given), m_env(env) {}

    std::optional<std::string> flag(const std::string& name) const {
        auto it = m_given.find(name);
        if (it == m_given.end()) return std::nullopt;
        return it->second.back();
    }
    std::optional<std::string> env(const std::string& name) const {
        const OptionDef* def = find_option(name);
        if (!def || def->scope == OptionScope::command) return std::nullopt;
        auto it = m_env.find(env_name(name));
        if (it == m_env.end() || it->second.empty()) return std::nullopt;
        return it->second;
    }
    std::optional<std::string> value(const std::string& name) const {
        auto f = flag(name);
        return f ? f : env(name);
    }
    bool given_flag(const std::string& name) const { return m_given.count(name) > 0; }
    bool flag_on(const std::string& name) const {
        auto f = flag(name);
        return f && parse_bool(*f, "--" + name);
    }
    // A boolean option: the flag, else the env var, else false.
    bool boolean(const std::string& name) const {
        if (given_flag(name)) return flag_on(name);
        auto e = env(name);
        return e ? parse_bool(*e, env_name(name)) : false;
    }
    // Every value given, comma-separated ones split.
    std::vector<std::string> list(const std::string& name) const {
        std::vector<std::string> out;
        auto it = m_given.find(name);
        if (it == m_given.end()) return out;
        for (const auto& v : it->second) {
            for (size_t pos = 0;;) {
                size_t comma = v.find(',', pos);
                out.push_back(v.substr(pos, comma == std::string::npos ? comma : comma - pos));
                if (comma == std::string::npos) break;
                pos = comma + 1;
            }
        }
        return out;
    }

  private:
    const std::map<std::string, std::vector<std::string>>& m_given;
    const Env& m_env;
};

// The name a message uses for where a value came from.
std::string origin(const Lookup& l, const std::string& name) {
    return l.flag(name) ? "--" + name : env_name(name);
}

void resolve_logging(const Lookup& l, Invocation& inv) {
    if (auto f = l.value("log-format")) {
        if (*f == "text")
            inv.log_format = log::Format::text;
        else if (*f == "json")
            inv.log_format = log::Format::json;
        else
            throw usage(origin(l, "log-format") + ": invalid value '" + *f +
                        "' (use text or json)");
        inv.settings.log_format = *f;
    }
    auto level_from = [&](const std::string& text, const std::string& from) {
        if (!log::parse_level(text, inv.log_level)) {
            throw usage(from + ": invalid log level '" + text +
                        "' (use debug, info, warn, error or off)");
        }
    };
    bool quiet_flag = l.flag_on("quiet"), verbose_flag = l.flag_on("verbose");
    if (quiet_flag && verbose_flag) throw usage("-q and -v cannot be used together");
    // Flags first (-q/-v, then --log-level), then the environment likewise.
    if (quiet_flag)
        inv.log_level = log::Level::error;
    else if (verbose_flag)
        inv.log_level = log::Level::debug;
    else if (auto f = l.flag("log-level"))
        level_from(*f, "--log-level");
    else if (!l.given_flag("quiet") && l.boolean("quiet"))
        inv.log_level = log::Level::error;
    else if (!l.given_flag("verbose") && l.boolean("verbose"))
        inv.log_level = log::Level::debug;
    else if (auto e = l.env("log-level"))
        level_from(*e, env_name("log-level"));
    inv.opts.verbose = l.boolean("verbose");
    static const char* names[] = {"debug", "info", "warn", "error", "off"};
    inv.settings.log_level = names[static_cast<int>(inv.log_level)];
}

// --dev-url (repeatable), else SCHEMAGATE_DEV_URL: URLs separated by spaces.
void resolve_dev_urls(const Lookup& l, Invocation& inv) {
    std::vector<std::string> urls = l.list("dev-url");
    if (urls.empty()) {
        if (auto e = l.env("dev-url")) {
            std::istringstream words(*e);
            for (std::string w; words >> w;) urls.push_back(w);
        }
    }
    for (const auto& u : urls) {
        try {
            inv.opts.dev_urls.push_back(parse_url(u));
        } catch (const Error& e) {
            throw Error(ExitCode::usage, origin(l, "dev-url") + ": " + e.what());
        }
        if (!inv.opts.dev_urls.back().password.empty())
            inv.secrets.push_back(inv.opts.dev_urls.back().password);
    }
}

void resolve_database(const Lookup& l, const Env& env, const FileReader& read_file,
                      Invocation& inv) {
    Settings& s = inv.settings;
    UrlChoice url = choose_url(l.flag("url"), env, read_file);
    inv.secrets = url.secrets;
    s.url_given = !url.url.empty();
    try {
        // The one parse of the URL: everything below uses s.db.
        s.db = parse_url(s.url_given ? url.url : kDefaultUrl);
    } catch (const Error& e) {
        throw Error(ExitCode::usage, (url.source.empty() ? "" : url.source + ": ") + e.what());
    }
    const DbUrl& parsed = s.db;
    for (const auto& secret : parsed.secrets()) inv.secrets.push_back(secret);
    if (auto d = l.value("dialect"); d && inv.def->has(kRawDialects)) {
        inv.opts.dialects = *d;  // a comma-separated list, checked by the command
    } else if (d) {
        // A comma-separated list wherever a dialect is named (what `import
        // alembic --dialect` took can be verified with the same flag);
        // commands that produce one dialect's SQL take one.
        for (size_t pos = 0;;) {
            size_t comma = d->find(',', pos);
            std::string name = d->substr(pos, comma == std::string::npos ? comma : comma - pos);
            auto one = parse_dialect(name);
            if (!one) {
                throw usage(origin(l, "dialect") + ": unknown dialect '" + name +
                            "' (use postgresql, mysql, mariadb or sqlite, comma-separated)");
            }
            auto& list = inv.opts.dialect_list;
            if (std::find(list.begin(), list.end(), *one) == list.end()) list.push_back(*one);
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
        if (inv.opts.dialect_list.size() > 1 && !inv.def->has(kDialectList) &&
            !(inv.command == "revision" && inv.opts.autogenerate)) {
            throw usage(origin(l, "dialect") + ": '" + inv.command + "' takes one dialect, not '" +
                        *d + "' (a list is for verify, import and revision --autogenerate)");
        }
        s.dialect = inv.opts.dialect_list.front();
    }
    Dialect dialect = s.dialect.value_or(parsed.dialect);
    if (auto v = l.value("version-table")) s.tables.version = *v;
    if (auto v = l.value("history-table")) s.tables.history = *v;
    validate_table_name(s.tables.version, dialect);
    validate_table_name(s.tables.history, dialect);
    if (auto v = l.value("migrations")) s.migrations = *v;
    resolve_dev_urls(l, inv);
}

void resolve_run(const Lookup& l, Settings& s) {
    auto duration = [&](const std::string& name, std::chrono::milliseconds& out) {
        if (auto v = l.value(name)) out = parse_duration(*v, origin(l, name));
    };
    auto text = [&](const std::string& name, std::string& out) {
        if (auto v = l.value(name)) out = *v;
    };
    text("target", s.target);
    duration("wait-timeout", s.wait_timeout);
    duration("lock-timeout", s.lock_timeout);
    duration("connect-timeout", s.connect_timeout);
    duration("ddl-lock-timeout", s.ddl_lock_timeout);
    if (auto v = l.value("ddl-lock-retries"))
        s.ddl_lock_retries = parse_count(*v, origin(l, "ddl-lock-retries"));
    s.allow_unknown = l.boolean("allow-unknown");
    s.allow_drift = l.boolean("allow-drift");
    s.allow_empty = l.boolean("allow-empty");
    s.atomic = l.boolean("atomic");
    if (auto v = l.value("backup")) {
        if (*v == "auto")
            s.backup = BackupMode::auto_;
        else if (*v == "always")
            s.backup = BackupMode::always;
        else if (*v == "never")
            s.backup = BackupMode::never;
        else
            throw usage(origin(l, "backup") + ": invalid value '" + *v +
                        "' (use auto, always or never)");
    }
    text("backup-dir", s.backup_dir);
    if (auto v = l.value("backup-keep")) s.backup_keep = parse_count(*v, origin(l, "backup-keep"));
    text("pg-dump", s.pg_dump);
    text("pg-restore", s.pg_restore);
    text("mysqldump", s.mysqldump);
    text("termination-log", s.termination_log);
    text("report", s.report);
    if (auto v = l.value("lint")) {
        auto mode = parse_lint_mode(*v);
        if (!mode)
            throw usage(origin(l, "lint") + ": invalid value '" + *v +
                        "' (use off, warn or error)");
        s.lint = *mode;
    }
}

void resolve_command_options(const Lookup& l, Invocation& inv) {
    CommandOptions& o = inv.opts;
    o.sql = l.flag_on("sql");
    o.purge = l.flag_on("purge");
    o.message = l.flag("message").value_or("");
    o.head = l.flag("head").value_or("");
    o.splice = l.flag_on("splice");
    o.branch_labels = l.list("branch-label");
    o.depends_on = l.list("depends-on");
    o.rev_id = l.flag("rev-id").value_or("");
    o.range = l.flag("rev-range").value_or("");
    o.config = l.flag("config").value_or(""), o.from_dir = l.flag("from").value_or("");
    o.python = l.flag("python").value_or("");
    o.import_timeout = l.flag("timeout").value_or("");
    if (!o.import_timeout.empty()) parse_duration(o.import_timeout, "--timeout");  // checked early
    o.format = l.flag("format").value_or("sql");
    o.diff_to = l.flag("to").value_or("");
    o.no_stamp = l.flag_on("no-stamp");
    if (inv.def->has(kBaseline)) o.baseline = l.value("baseline").value_or("");
    int actions = 0;
    if (l.flag_on("mark-applied")) o.repair = RepairAction::mark_applied, ++actions;
    if (l.flag_on("mark-reverted")) o.repair = RepairAction::mark_reverted, ++actions;
    if (l.flag_on("resume")) o.repair = RepairAction::resume, ++actions;
    if (inv.def->has(kRepairAction) && actions != 1) {
        throw usage("repair needs exactly one of --mark-applied, --mark-reverted, --resume");
    }
    if (inv.def->has(kNeedsMessage) && !l.flag("message")) {
        throw usage(inv.command + " needs a message: -m MESSAGE");
    }
}

void check_arguments(const Invocation& inv) {
    const CommandDef& cmd = *inv.def;
    size_t n = inv.args.size();
    if (n < cmd.min_args || n > cmd.max_args) {
        std::string want = cmd.args[0] ? std::string(cmd.args) : "no arguments";
        throw usage(
            "'" + inv.command + "' takes " + want +
            (n > cmd.max_args && n > 0 ? ", not '" + inv.args.back() + "'" : std::string()));
    }
}

}  // namespace

const std::vector<std::string>& command_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& c : commands()) out.push_back(c.name);
        return out;
    }();
    return names;
}

Invocation parse_invocation(const std::vector<std::string>& args, const Env& env,
                            const FileReader& read_file) {
    Invocation inv;
    Parsed parsed = parse_args(args);
    if (!parsed.positionals.empty()) {
        inv.command = parsed.positionals.front();
        inv.args.assign(parsed.positionals.begin() + 1, parsed.positionals.end());
        inv.def = find_command(inv.command);
        if (!inv.def) throw usage("unknown command '" + inv.command + "'");
    }
    for (const auto& [name, values] : parsed.given) {
        const OptionDef* def = find_option(name);
        if (def && !option_allowed(*def, inv.def)) {
            throw usage("option '--" + name + "' is only valid for: " + join(commands_with(*def)));
        }
    }
    Lookup lookup(parsed, env);
    inv.help = lookup.flag_on("help");
    if (inv.def && inv.def->has(kHelp)) {
        inv.help = true;
        inv.command = inv.args.empty() ? "" : inv.args.front();
        inv.def = inv.command.empty() ? nullptr : find_command(inv.command);
        if (!inv.command.empty() && !inv.def) {
            throw usage("unknown command '" + inv.command + "'");
        }
        inv.args.clear();
    }
    if (inv.help) return inv;
    if (!inv.def) throw usage("no command given");
    resolve_logging(lookup, inv);
    check_arguments(inv);
    if (inv.def->has(kNoConfig)) return inv;
    resolve_command_options(lookup, inv);
    if (inv.command == "revision") {
        // revision --autogenerate; SCHEMAGATE_SCHEMA and SCHEMAGATE_SQLALCHEMY
        // are read for it alone, and only when neither flag is given.
        inv.opts.autogenerate = lookup.flag_on("autogenerate");
        inv.opts.schema = lookup.flag("schema").value_or("");
        inv.opts.sqlalchemy = lookup.flag("sqlalchemy").value_or("");
        if (inv.opts.schema.empty() && inv.opts.sqlalchemy.empty()) {
            if (auto e = env.find("SCHEMAGATE_SCHEMA"); e != env.end()) inv.opts.schema = e->second;
            if (auto e = env.find("SCHEMAGATE_SQLALCHEMY"); e != env.end())
                inv.opts.sqlalchemy = e->second;
        }
        inv.opts.renames = lookup.list("rename");
        if (!inv.opts.autogenerate &&
            (lookup.flag("schema") || lookup.flag("sqlalchemy") || !inv.opts.renames.empty()))
            throw usage("--schema, --sqlalchemy and --rename need --autogenerate");
    }
    resolve_run(lookup, inv.settings);
    resolve_database(lookup, env, read_file, inv);
    if (inv.def->has(kTargetArg) && !inv.args.empty()) inv.settings.target = inv.args.front();
    inv.settings.tool_version = SCHEMAGATE_VERSION;
    for (const char* var : {"POD_NAME", "HOSTNAME"}) {
        auto it = env.find(var);
        if (inv.settings.applied_by.empty() && it != env.end())
            inv.settings.applied_by = it->second;
    }
    return inv;
}

EarlyOutputs early_outputs(const std::vector<std::string>& args, const Env& env) {
    EarlyOutputs out;
    auto take = [&](const std::string& name, const std::string& value) {
        if (name == "termination-log") out.termination_log = value;
        if (name == "report") out.report = value;
        if (name == "sql") out.sql = value != "false" && value != "0";
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            if (out.command.empty() && i + 1 < args.size()) out.command = args[i + 1];
            break;
        }
        if (a.compare(0, 2, "--") == 0) {
            size_t eq = a.find('=');
            std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            const OptionDef* def = find_option(name);
            bool has_value = def && def->kind != OptionKind::flag;
            if (eq != std::string::npos) {
                take(name, a.substr(eq + 1));
            } else if (has_value && i + 1 < args.size()) {
                take(name, args[++i]);
            } else if (!has_value) {
                take(name, "true");
            }
        } else if (a.size() > 1 && a[0] == '-' && !is_negative_number(a)) {
            for (size_t j = 1; j < a.size(); ++j) {
                const OptionDef* def = find_short(a[j]);
                if (def && def->kind != OptionKind::flag) {
                    if (j + 1 == a.size()) ++i;  // the value is the next argument
                    break;
                }
            }
        } else if (out.command.empty()) {
            out.command = a;
        }
    }
    auto from_env = [&](const std::string& option, std::string& value) {
        auto it = env.find(env_name(option));
        if (value.empty() && it != env.end()) value = it->second;
    };
    from_env("termination-log", out.termination_log);
    from_env("report", out.report);
    return out;
}

bool wants_json_logs(const std::vector<std::string>& args, const Env& env) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("--log-format=", 0) == 0) return args[i] == "--log-format=json";
        if (args[i] == "--log-format") return i + 1 < args.size() && args[i + 1] == "json";
    }
    auto it = env.find(env_name("log-format"));
    return it != env.end() && it->second == "json";
}

}  // namespace sg::cli
