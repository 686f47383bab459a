#include "cli/config.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run/facade.hpp"

extern char** environ;

namespace sg::cli {
namespace {

Error usage(const std::string& message) { return Error(ExitCode::usage, message); }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

// An unset or empty variable counts as absent: Kubernetes manifests and
// compose files often set variables to "". Not for the variables that name
// the database: see database_var.
std::optional<std::string> get(const Env& env, const std::string& name) {
    auto it = env.find(name);
    if (it == env.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// A variable that names the database (DATABASE_URL, SCHEMAGATE_URL, their
// _FILE forms): set but empty or blank is an error, never "unset". In a pod
// that is a secret with an empty key, and the next source (in the end the
// SQLite default) would migrate the wrong database and exit 0.
std::optional<std::string> database_var(const Env& env, const std::string& name) {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    if (blank(it->second)) {
        throw usage(name +
                    " is set but empty (a secret with an empty key?); give it a value or "
                    "unset it");
    }
    return it->second;
}

std::string named(const std::string& option) {
    return option.empty() ? std::string() : option + ": ";
}

// A value given directly or through NAME_FILE, never both. A configured file
// that yields nothing (unreadable, a directory, empty, only a newline) is an
// error naming the variable: falling back to the next source (in the end the
// SQLite default) would migrate the wrong database and exit 0.
std::optional<std::string> value_or_file(const Env& env, const std::string& name,
                                         const FileReader& read_file, bool names_database) {
    bool direct_set = env.count(name) > 0, file_set = env.count(name + "_FILE") > 0;
    if (names_database && direct_set && file_set) {
        throw usage("both " + name + " and " + name + "_FILE are set; use one of them");
    }
    auto direct = names_database ? database_var(env, name) : get(env, name);
    auto file = names_database ? database_var(env, name + "_FILE") : get(env, name + "_FILE");
    if (direct && file) {
        throw usage("both " + name + " and " + name + "_FILE are set; use one of them");
    }
    if (!file) return direct;
    std::string value;
    try {
        value = trim_newlines(read_file(*file));
    } catch (const Error& e) {
        throw usage(name + "_FILE: " + e.what());
    }
    if (names_database ? blank(value) : value.empty()) {
        throw usage(name + "_FILE: the file " + *file + " is empty");
    }
    return value;
}

}  // namespace

std::string read_secret_file(const std::string& path) {
    // A directory opens as a stream that reads nothing: refuse it by name.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw usage("cannot read secret file " + path + ": it is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage("cannot read secret file " + path);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) throw usage("cannot read secret file " + path);
    return trim_newlines(buf.str());
}

Env process_env() {
    Env env;
    for (char** e = environ; e && *e; ++e) {
        std::string entry(*e);
        size_t eq = entry.find('=');
        if (eq == std::string::npos) continue;
        env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return env;
}

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& option) {
    const std::string bad =
        named(option) + "invalid duration '" + text + "' (use e.g. 500ms, 90, 90s, 5m, 1h)";
    if (text.empty()) throw usage(bad);
    long long total = 0;
    size_t i = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) throw usage(bad);
        size_t seg_start = i;
        long long number = 0;
        for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
            if (number > LLONG_MAX / 10 - 10) throw usage(bad);
            number = number * 10 + (text[i] - '0');
        }
        size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string unit = text.substr(unit_start, i - unit_start);
        long long scale = 0;
        if (unit == "ms")
            scale = 1;
        else if (unit.empty() || unit == "s")
            scale = 1000;
        else if (unit == "m")
            scale = 60 * 1000;
        else if (unit == "h")
            scale = 3600 * 1000;
        else
            throw usage(bad);
        // A bare number is seconds, but only on its own: "1m30" is a typo.
        if (unit.empty() && (seg_start != 0 || i != text.size())) throw usage(bad);
        if (number > (LLONG_MAX - total) / scale) throw usage(bad);
        total += number * scale;
    }
    return std::chrono::milliseconds(total);
}

bool parse_bool(const std::string& text, const std::string& option) {
    std::string v = lower(text);
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    throw usage(named(option) + "invalid boolean '" + text + "' (use true or false)");
}

int parse_count(const std::string& text, const std::string& option) {
    bool digits =
        !text.empty() && text.size() <= 9 &&
        std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits) throw usage(named(option) + "invalid number '" + text + "'");
    return std::stoi(text);
}

std::string env_name(const std::string& option) {
    std::string name = "SCHEMAGATE_";
    for (char c : option) {
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name;
}

std::string url_from_parts(const Env& env, const std::optional<std::string>& password) {
    auto host = get(env, "DATABASE_HOST");
    auto name = get(env, "DATABASE_NAME");
    if (!host && !name) return "";
    auto port = get(env, "DATABASE_PORT");
    if (port && !std::all_of(port->begin(), port->end(),
                             [](unsigned char c) { return std::isdigit(c) != 0; })) {
        throw usage("DATABASE_PORT: invalid port '" + *port + "'");
    }
    // Without DATABASE_DIALECT the port decides (3306 is MySQL); PostgreSQL otherwise.
    std::string dialect = lower(
        get(env, "DATABASE_DIALECT").value_or(port && *port == "3306" ? "mysql" : "postgresql"));
    if (!parse_dialect(dialect)) {
        throw usage("DATABASE_DIALECT: unknown dialect '" + dialect +
                    "' (use postgresql, mysql, mariadb or sqlite)");
    }
    if (dialect == "sqlite") {
        if (!name)
            throw usage("DATABASE_NAME (the SQLite file) is required with DATABASE_DIALECT=sqlite");
        return *name == ":memory:" ? "sqlite://:memory:" : "sqlite:///" + *name;
    }
    if (dialect == "postgres") dialect = "postgresql";
    std::string url = dialect + "://";
    auto user = get(env, "DATABASE_USER");
    if (user || password) {
        url += percent_encode(user.value_or(""));
        if (password) url += ":" + percent_encode(*password);
        url += "@";
    }
    std::string h = host.value_or("localhost");
    url += h.find(':') != std::string::npos && h.front() != '[' ? "[" + h + "]" : h;
    if (port) url += ":" + *port;
    if (name) url += "/" + percent_encode(*name);
    return url;
}

UrlChoice choose_url(const std::optional<std::string>& flag, const Env& env,
                     const FileReader& read_file) {
    UrlChoice choice;
    // The password of DATABASE_PASSWORD(_FILE) is masked even when a full URL wins.
    auto password = value_or_file(env, "DATABASE_PASSWORD", read_file, false);
    if (password) choice.secrets.push_back(*password);
    // Each source that is set is used, or is an error when it holds nothing:
    // `--url "$DATABASE_URL"` with the variable unset must not fall back.
    if (flag) {
        if (blank(*flag)) {
            throw usage(
                "--url is empty (an unset variable in --url \"$VAR\"?); give a URL or "
                "leave out --url");
        }
        choice.url = *flag;
        choice.source = "--url";
    } else if (auto url = database_var(env, "SCHEMAGATE_URL")) {
        choice.url = *url;
        choice.source = "SCHEMAGATE_URL";
    } else if (auto db_url = value_or_file(env, "DATABASE_URL", read_file, true)) {
        choice.url = *db_url;
        choice.source = env.count("DATABASE_URL") ? "DATABASE_URL" : "DATABASE_URL_FILE";
    } else {
        choice.url = url_from_parts(env, password);
        if (!choice.url.empty()) {
            choice.source = "DATABASE_HOST/DATABASE_NAME";
        } else {
            for (const char* part : {"DATABASE_HOST", "DATABASE_NAME"}) {
                if (env.count(part)) database_var(env, part);  // set but blank: an error
            }
        }
    }
    return choice;
}

}  // namespace sg::cli
