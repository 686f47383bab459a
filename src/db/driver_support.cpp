#include "db/driver_support.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "core/error.hpp"
#include "db/url.hpp"
#include "log/log.hpp"

namespace sg::driver {

std::string clean_message(const std::string& text, const std::string& password) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    if (password.size() >= log::kMinSubstringSecret) {
        for (size_t pos = out.find(password); pos != std::string::npos;
             pos = out.find(password, pos)) {
            out.replace(pos, password.size(), "****");
        }
    }
    return log::mask_passwords(out);
}

std::string libpq_conninfo(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string out;
    for (const auto& [key, value] : params) {
        bool word = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
            return std::isalnum(c) != 0 || c == '_';
        });
        if (!word) {
            throw Error(ExitCode::usage, "invalid PostgreSQL connection option name '" + key + "'");
        }
        if (!out.empty()) out += ' ';
        out += key + "='";
        for (char c : value) {
            if (c == '\\' || c == '\'') out += '\\';
            out += c;
        }
        out += '\'';
    }
    return out;
}

namespace {

template <typename F>
std::string replace_placeholders(const std::string& sql, F&& replacement) {
    std::string out;
    size_t n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = c;
        } else if (c == '?') {
            out += replacement(n++);
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

std::string dollar_placeholders(const std::string& sql) {
    return replace_placeholders(sql, [](size_t n) { return "$" + std::to_string(n + 1); });
}

std::string inline_placeholders(const std::string& sql, const std::vector<std::string>& literals) {
    return replace_placeholders(
        sql, [&](size_t n) { return n < literals.size() ? literals[n] : std::string("?"); });
}

bool contains_nocase(const std::string& text, const std::string& needle) {
    auto it =
        std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
        });
    return it != text.end();
}

}  // namespace sg::driver
