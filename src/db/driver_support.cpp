#include "db/driver_support.hpp"

#include <algorithm>
#include <cctype>

#include "db/url.hpp"

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
    if (password.size() >= 4) {
        for (size_t pos = out.find(password); pos != std::string::npos;
             pos = out.find(password, pos)) {
            out.replace(pos, password.size(), "****");
        }
    }
    return mask_urls(out);
}

std::uint64_t fnv1a64(const std::string& s) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string dollar_placeholders(const std::string& sql) {
    std::string out;
    int n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?') {
            out += "$" + std::to_string(++n);
            continue;
        }
        out += c;
    }
    return out;
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
