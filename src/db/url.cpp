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

// A form of the URL safe to print in an error even when it could not be
// parsed: whatever might be a password (after "user:" before "@", or a
// non-numeric "port" when there is no "@") is replaced by ****.
std::string safe_display(const std::string& url) {
    size_t sep = url.find("://");
    if (sep == std::string::npos) {
        return url.find(':') == std::string::npos && url.find('@') == std::string::npos
                   ? url
                   : std::string(kMask);
    }
    size_t start = sep + 3;
    size_t end = url.find_first_of("/?", start);
    if (end == std::string::npos) end = url.size();
    std::string authority = url.substr(start, end - start);
    size_t at = authority.rfind('@');
    if (at != std::string::npos) {
        size_t colon = authority.find(':');
        if (colon != std::string::npos && colon < at) {
            authority = authority.substr(0, colon + 1) + kMask + authority.substr(at);
        }
    } else if (!authority.empty() && authority[0] != '[' && authority != ":memory:") {
        size_t colon = authority.find(':');
        if (colon != std::string::npos && !all_digits(authority.substr(colon + 1))) {
            authority = authority.substr(0, colon + 1) + kMask;
        }
    }
    return url.substr(0, start) + authority + url.substr(end);
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
        size_t colon = hostport.rfind(':');
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
    size_t q = rest.find('?');
    std::string main = rest.substr(0, q);
    if (q != std::string::npos) out.query = parse_query(url, rest.substr(q + 1));
    size_t slash = main.find('/');
    std::string authority = main.substr(0, slash);
    if (slash != std::string::npos) out.database = decode(url, main.substr(slash + 1));
    if (out.database.find('/') != std::string::npos) {
        bad_url(url, "the database name must not contain '/'");
    }
    size_t at = authority.rfind('@');
    if (at != std::string::npos) {
        std::string userinfo = authority.substr(0, at);
        size_t colon = userinfo.find(':');
        out.user = decode(url, userinfo.substr(0, colon));
        if (colon != std::string::npos) out.password = decode(url, userinfo.substr(colon + 1));
        authority = authority.substr(at + 1);
    }
    parse_host_port(url, authority, out);
}

// Builds a URL from the fields (used when `original` is empty, i.e. the URL
// came from DATABASE_HOST & co). `password` is what to write for it.
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
        s += sep + percent_encode(k) + "=" + percent_encode(v);
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
    if (dialect == Dialect::sqlite) return original;  // no credentials in a file URL
    return safe_display(original);
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
