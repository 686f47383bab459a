#include "db/url.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace sg {
namespace {

const char* const kMask = "****";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// The raw pieces of a server URL after "scheme://", as written (nothing
// decoded): user info, host[:port], path and query. The user info ends at
// the last '@' of the URL when the URL starts as "user:" (a password may
// hold '/', '?', '#', quotes, spaces and '@'); so a raw '@' in a query
// value after "host:port" must be written %40.
struct RawServer {
    bool has_user = false, has_password = false;
    std::string user, password, hostport, path, query;
    bool has_path = false, has_query = false;
};

RawServer split_server(const std::string& rest) {
    RawServer r;
    size_t authority_end = rest.find_first_of("/?");
    std::string authority = rest.substr(0, authority_end);
    size_t user_end = rest.find_first_of(":/?@");
    size_t at = std::string::npos;
    if (user_end != std::string::npos && rest[user_end] == ':') {
        size_t last_at = rest.rfind('@');
        if (last_at != std::string::npos && last_at > user_end) at = last_at;
    } else {
        at = authority.rfind('@');
    }
    std::string remainder = rest;
    if (at != std::string::npos) {
        std::string userinfo = rest.substr(0, at);
        size_t colon = userinfo.find(':');
        r.has_user = true;
        r.user = userinfo.substr(0, colon);
        if (colon != std::string::npos) {
            r.has_password = true;
            r.password = userinfo.substr(colon + 1);
        }
        remainder = rest.substr(at + 1);
    }
    size_t q = remainder.find('?');
    std::string main = remainder.substr(0, q);
    if (q != std::string::npos) {
        r.has_query = true;
        r.query = remainder.substr(q + 1);
    }
    size_t slash = main.find('/');
    r.hostport = main.substr(0, slash);
    if (slash != std::string::npos) {
        r.has_path = true;
        r.path = main.substr(slash + 1);
    }
    return r;
}

// A URL that could not be parsed, safe to print: its scheme and host only
// (the host as the parser would find it: after the user info, up to ':',
// '/', '?' or '#'), since whatever else it holds might be a password.
// Without "://" it is shown only when it has neither ':' nor '@'.
std::string safe_display(const std::string& url) {
    size_t sep = url.find("://");
    if (sep == std::string::npos) {
        return url.find(':') == std::string::npos && url.find('@') == std::string::npos
                   ? url
                   : std::string(kMask);
    }
    std::string hostport = split_server(url.substr(sep + 3)).hostport, host;
    if (!hostport.empty() && hostport[0] == '[') {
        size_t close = hostport.find(']');
        host = close == std::string::npos ? "[" : hostport.substr(0, close + 1);
    } else {
        host = hostport.substr(0, hostport.find_first_of(":#"));
    }
    return url.substr(0, sep + 3) + host;
}

bool secret_option(const std::string& raw_key) {
    return lower(raw_key).find("password") != std::string::npos;
}

// A raw query string with the value of every option named *password*
// replaced by the mask.
std::string mask_query(const std::string& q) {
    std::string out;
    size_t pos = 0;
    while (pos <= q.size()) {
        size_t amp = q.find('&', pos);
        if (amp == std::string::npos) amp = q.size();
        std::string item = q.substr(pos, amp - pos);
        size_t eq = item.find('=');
        if (secret_option(item.substr(0, eq))) {
            item = item.substr(0, eq) + (eq == std::string::npos ? "" : std::string("=") + kMask);
        }
        out += (pos == 0 ? "" : "&") + item;
        pos = amp + 1;
    }
    return out;
}

[[noreturn]] void bad_url(const std::string& url, const std::string& why) {
    throw Error(ExitCode::usage, "invalid database URL '" + safe_display(url) + "': " + why,
                "accepted forms: postgresql://user:password@host:5432/db, "
                "mysql://user:password@host:3306/db, sqlite:///relative.db, "
                "sqlite:////absolute.db, sqlite://:memory:");
}

std::string decode(const std::string& url, const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
        int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) bad_url(url, "bad percent-encoding (use %XX)");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::map<std::string, std::string> parse_query(const std::string& url, const std::string& q) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos <= q.size()) {
        size_t amp = q.find('&', pos);
        if (amp == std::string::npos) amp = q.size();
        std::string item = q.substr(pos, amp - pos);
        if (!item.empty()) {
            size_t eq = item.find('=');
            std::string key = decode(url, item.substr(0, eq));
            std::string value = eq == std::string::npos ? "" : decode(url, item.substr(eq + 1));
            if (key.empty()) bad_url(url, "empty query option name");
            out[key] = value;
        }
        pos = amp + 1;
    }
    return out;
}

void parse_sqlite(const std::string& url, const std::string& rest, DbUrl& out) {
    size_t q = rest.find('?');
    std::string path = rest.substr(0, q);
    if (q != std::string::npos) out.query = parse_query(url, rest.substr(q + 1));
    if (path == ":memory:" || path == "/:memory:") {
        out.database = ":memory:";
        return;
    }
    // SQLAlchemy reads an empty path as in-memory, but here it is nearly
    // always sqlite:///${UNSET}: a run would migrate nothing and exit 0.
    if (path.empty() || path == "/") {
        bad_url(url,
                "the SQLite file path is empty (an unset variable?); write sqlite://:memory: "
                "for an in-memory database");
    }
    if (path[0] != '/') {
        bad_url(url,
                "a sqlite URL has no host: use sqlite:///relative.db (three slashes) "
                "or sqlite:////absolute.db (four)");
    }
    out.database = decode(url, path.substr(1));
}

void parse_host_port(const std::string& url, const std::string& hostport, DbUrl& out) {
    std::string port;
    if (hostport.find(',') != std::string::npos) {
        // Several hosts (libpq failover list): kept as written, split by
        // libpq_params().
        if (out.dialect != Dialect::postgresql) bad_url(url, "several hosts are PostgreSQL only");
        // Each item is host[:port] or [ipv6][:port]: anything else (a
        // "user:password" with the '@' left out) is no host list.
        for (size_t pos = 0;;) {
            size_t comma = hostport.find(',', pos);
            std::string item =
                hostport.substr(pos, comma == std::string::npos ? comma : comma - pos);
            size_t colon = item.empty() ? std::string::npos
                                        : item.find(':', item[0] == '[' ? item.find(']') : 0);
            if (!item.empty() && item[0] == '[' && item.find(']') == std::string::npos)
                bad_url(url, "unclosed '[' in an IPv6 host");
            std::string port = colon == std::string::npos ? "" : item.substr(colon + 1);
            if (colon != std::string::npos && (!all_digits(port) || port.size() > 5 ||
                                               std::stoi(port) < 1 || std::stoi(port) > 65535)) {
                bad_url(url, "the port must be a number from 1 to 65535");
            }
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
        out.host = hostport;
        return;
    }
    if (!hostport.empty() && hostport[0] == '[') {
        size_t close = hostport.find(']');
        if (close == std::string::npos) bad_url(url, "unclosed '[' in an IPv6 host");
        out.host = decode(url, hostport.substr(1, close - 1));  // fe80::1%25eth0
        std::string after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') bad_url(url, "expected ':port' after ']'");
            port = after.substr(1);
        }
    } else {
        size_t colon = hostport.find(':');
        // Only one ':' (before the port): more is an IPv6 address without
        // [], or "user:password" with the '@' left out.
        if (colon != std::string::npos && hostport.find(':', colon + 1) != std::string::npos) {
            bad_url(url, "more than one ':' in the host (write an IPv6 address as [::1])");
        }
        out.host = decode(url, hostport.substr(0, colon));
        if (colon != std::string::npos) port = hostport.substr(colon + 1);
    }
    if (port.empty()) return;
    if (!all_digits(port) || port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535) {
        bad_url(url, "the port must be a number from 1 to 65535");
    }
    out.port = std::stoi(port);
}

void parse_server(const std::string& url, const std::string& rest, DbUrl& out) {
    RawServer r = split_server(rest);
    if (r.has_query) out.query = parse_query(url, r.query);
    if (r.has_path) out.database = decode(url, r.path);
    if (out.database.find('/') != std::string::npos) {
        bad_url(url, "the database name must not contain '/'");
    }
    if (r.has_user) out.user = decode(url, r.user);
    if (r.has_password) out.password = decode(url, r.password);
    parse_host_port(url, r.hostport, out);
}

// Builds a URL from the fields (used when `original` is empty, i.e. the URL
// came from DATABASE_HOST & co) for display: `password` is what to write
// for it, options named *password* are masked.
std::string build(const DbUrl& u, const std::string& scheme, const std::string& password) {
    if (u.dialect == Dialect::sqlite) {
        if (u.database == ":memory:" || u.database.empty()) return "sqlite://:memory:";
        return "sqlite:///" + u.database;
    }
    std::string s = scheme + "://";
    if (!u.user.empty() || !password.empty()) {
        s += percent_encode(u.user);
        if (!password.empty()) s += ":" + password;
        s += "@";
    }
    if (u.host.find(':') != std::string::npos && u.host.find(',') == std::string::npos) {
        s += "[" + u.host + "]";
    } else {
        s += u.host;
    }
    if (u.port != 0) s += ":" + std::to_string(u.port);
    if (!u.database.empty()) s += "/" + percent_encode(u.database);
    char sep = '?';
    for (const auto& [k, v] : u.query) {
        s += sep + percent_encode(k) + "=" + (secret_option(k) ? kMask : percent_encode(v));
        sep = '&';
    }
    return s;
}

}  // namespace

std::string percent_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

DbUrl parse_url(const std::string& url) {
    size_t sep = url.find("://");
    if (sep == std::string::npos || sep == 0) bad_url(url, "expected scheme://...");
    std::string scheme = lower(url.substr(0, sep));
    std::string base = scheme.substr(0, scheme.find('+'));  // SQLAlchemy +driver suffix
    std::optional<Dialect> dialect = parse_dialect(base);
    if (!dialect) {
        bad_url(url, "unsupported scheme '" + base +
                         "' (use postgresql://, postgres://, mysql://, mariadb:// or sqlite://)");
    }
    DbUrl out;
    out.dialect = *dialect;
    out.original = url;
    std::string rest = url.substr(sep + 3);
    if (out.dialect == Dialect::sqlite) {
        parse_sqlite(url, rest, out);
    } else {
        parse_server(url, rest, out);
    }
    return out;
}

std::string DbUrl::masked() const {
    if (original.empty()) return build(*this, dialect_name(dialect), password.empty() ? "" : kMask);
    // From the pieces the parser reads, whatever the password holds; a URL
    // that does not parse (changed after parsing?) as scheme and host only.
    try {
        parse_url(original);
    } catch (const Error&) {
        return safe_display(original);
    }
    size_t sep = original.find("://");
    std::string scheme = original.substr(0, sep + 3), rest = original.substr(sep + 3);
    if (dialect == Dialect::sqlite) {
        size_t q = rest.find('?');
        if (q == std::string::npos) return original;
        return scheme + rest.substr(0, q + 1) + mask_query(rest.substr(q + 1));
    }
    RawServer r = split_server(rest);
    std::string s = scheme;
    if (r.has_user) s += r.user + (r.has_password ? std::string(":") + kMask : "") + "@";
    s += r.hostport;
    if (r.has_path) s += "/" + r.path;
    if (r.has_query) s += "?" + mask_query(r.query);
    return s;
}

std::vector<std::string> DbUrl::secrets() const {
    std::vector<std::string> out;
    if (!password.empty()) out.push_back(password);
    for (const auto& [key, value] : query) {
        if (secret_option(key) && !value.empty()) out.push_back(value);
    }
    return out;
}

namespace {

// libpq's failover list "h1:5432,[::1]:5433,h3", kept as written by the
// parser, as libpq's parallel host and port lists (an empty port item means
// the default port).
std::pair<std::string, std::string> split_host_list(const std::string& list) {
    std::string hosts, ports;
    size_t pos = 0;
    for (bool first = true;; first = false) {
        size_t comma = list.find(',', pos);
        std::string h = list.substr(pos, comma == std::string::npos ? comma : comma - pos), p;
        if (!h.empty() && h[0] == '[') {
            size_t close = h.find(']');
            if (close != std::string::npos && close + 1 < h.size()) p = h.substr(close + 2);
            h = h.substr(1, close == std::string::npos ? close : close - 1);
        } else if (size_t colon = h.rfind(':'); colon != std::string::npos) {
            p = h.substr(colon + 1);
            h = h.substr(0, colon);
        }
        hosts += (first ? "" : ",") + decode(h, h);
        ports += (first ? "" : ",") + p;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return {hosts, ports};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> DbUrl::libpq_params() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (host.find(',') != std::string::npos) {
        auto [hosts, ports] = split_host_list(host);
        out.emplace_back("host", hosts);
        if (ports.find_first_not_of(',') != std::string::npos) out.emplace_back("port", ports);
    } else {
        if (!host.empty()) out.emplace_back("host", host);
        if (port != 0) out.emplace_back("port", std::to_string(port));
    }
    if (!user.empty()) out.emplace_back("user", user);
    if (!password.empty()) out.emplace_back("password", password);
    if (!database.empty()) out.emplace_back("dbname", database);
    for (const auto& [key, value] : query) out.emplace_back(key, value);  // later keys win
    return out;
}

}  // namespace sg
