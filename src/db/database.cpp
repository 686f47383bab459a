// The defaults of Database (db/database.hpp) that most databases share.
#include "db/database.hpp"

#include <cctype>

#include "log/log.hpp"

namespace sg {

std::string Database::quote_identifier(const std::string& ident) const {
    // Quoting keeps the exact case, as SQLAlchemy does for names that are not
    // all lower case. Validated names hold no quote character; a session's
    // schema or database name may (doubled, as SQL escapes it).
    char q = identifier_quote();
    std::string out(1, q);
    for (char c : ident) {
        out += c;
        if (c == q) out += c;
    }
    return out + q;
}

std::string Database::quote_literal(const std::string& s) const {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "''";
        else
            out += c;
    }
    return out + "'";
}

std::string Database::offline_statement(const std::string& sql) const {
    // A trailing line comment would swallow a ';' on the same line, so the
    // ';' goes on a line of its own then.
    auto nl = sql.rfind('\n');
    std::string last = nl == std::string::npos ? sql : sql.substr(nl + 1);
    bool comment = last.find("--") != std::string::npos ||
                   (hash_comments() && last.find('#') != std::string::npos);
    return sql + (comment ? "\n;" : ";") + "\n";
}

std::string Database::identity(const DbUrl& url) const {
    int port = url.port != 0 ? url.port : default_port();
    std::string host = url.host.empty() ? "localhost" : url.host;
    for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* key : {"host", "unix_socket"}) {
        auto it = url.query.find(key);
        if (it != url.query.end()) host = it->second;
    }
    return std::string(dialect_name(dialect())) + "://" + host + ":" + std::to_string(port) + "/" +
           url.database;
}

std::string tool_failure(const std::string& tool, const std::string& status,
                         const std::string& stderr_text) {
    std::string text = tool + " failed (" + status + ")";
    if (!stderr_text.empty()) text += ": " + stderr_text;
    return log::redact(text);
}

}  // namespace sg
