#include "engine/ddl_lock.hpp"

#include <algorithm>

#include "db/database.hpp"
#include "script/migration.hpp"

namespace sg::engine_detail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool is_word(std::string_view t) {
    if (t.empty()) return false;
    char c = t[0];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// A token as a name: a word in lower case, a quoted identifier unquoted; "".
std::string name_of(std::string_view t, Dialect d) {
    if (is_word(t) && t.find('\'') == std::string_view::npos) return lower(t);
    bool quoted = t.size() >= 2 && database(d).quotes_identifier_with(t[0]);
    return quoted ? std::string(t.substr(1, t.size() - 2)) : std::string();
}

std::vector<Token> tokens_of(const std::string& sql, Dialect d) {
    std::vector<Token> out;
    try {
        for (auto& s : lex_sql(sql, d, 1)) out.insert(out.end(), s.tokens.begin(), s.tokens.end());
    } catch (const std::exception&) {
        // A statement that ran was split by the same lexer: cannot happen.
    }
    return out;
}

}  // namespace

std::string describe_blockers(const std::vector<LockBlocker>& blockers) {
    if (blockers.empty()) return "an unknown session";
    std::string out;
    for (const auto& b : blockers) {
        if (!out.empty()) out += "; ";
        out += (b.id.empty() ? "session ?" : "pid " + b.id) + " (user " + b.user;
        if (!b.application.empty()) out += ", application '" + b.application + "'";
        if (!b.client.empty()) out += ", client " + b.client;
        if (b.transaction_age_s >= 0)
            out += ", transaction open " + std::to_string(b.transaction_age_s) + " s";
        if (!b.state.empty()) out += ", " + b.state;
        out += ")";
        if (!b.query.empty()) out += ": " + b.query;
    }
    return out;
}

void add_blocker_fields(log::Fields& fields, const std::vector<LockBlocker>& blockers) {
    fields.emplace_back("blockers", static_cast<int>(blockers.size()));
    if (blockers.empty()) return;
    const LockBlocker& b = blockers.front();
    fields.emplace_back("blocker_pid", b.id);
    fields.emplace_back("blocker_user", b.user);
    fields.emplace_back("blocker_application", b.application);
    fields.emplace_back("blocker_client", b.client);
    fields.emplace_back("blocker_xact_age_s", b.transaction_age_s);
    fields.emplace_back("blocker_state", b.state);
    fields.emplace_back("blocker_query", b.query);
}

std::vector<std::string> statement_names(const std::string& sql, Dialect d) {
    std::vector<std::string> out;
    for (const auto& t : tokens_of(sql, d)) {
        std::string n = name_of(t.text, d);
        if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
    return out;
}

std::string concurrent_index_name(const std::string& sql, Dialect d) {
    if (!database(d).concurrent_indexes()) return "";
    std::vector<Token> t = tokens_of(sql, d);
    size_t i = 0;
    auto word = [&](const char* w) {
        if (i < t.size() && lower(t[i].text) == w) {
            ++i;
            return true;
        }
        return false;
    };
    if (!word("create")) return "";
    word("unique");
    if (!word("index") || !word("concurrently")) return "";
    if (word("if")) {
        if (!word("not") || !word("exists")) return "";
    }
    if (i >= t.size() || lower(t[i].text) == "on") return "";
    return name_of(t[i].text, d);
}

}  // namespace sg::engine_detail
