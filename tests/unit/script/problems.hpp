#pragma once
// "file:line: message" of every problem parse_migration finds in a file's text.
#include <optional>
#include <string>
#include <vector>

#include "script/migration.hpp"

namespace sg::test {

/// Every problem of `text` (as file "m.sql"), or {} when it parses.
inline std::vector<std::string> problems(const std::string& text,
                                         std::optional<Dialect> only = std::nullopt) {
    try {
        parse_migration(text, "m.sql", only);
    } catch (const ScriptError& e) {
        std::vector<std::string> out;
        for (const auto& p : e.problems()) out.push_back(p.where() + ": " + p.message);
        return out;
    }
    return {};
}

}  // namespace sg::test
