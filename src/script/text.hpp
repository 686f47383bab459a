#pragma once
// Small text helpers shared by the script module (internal; not part of the
// module's interface).
#include <string>
#include <string_view>
#include <vector>

#include "script/migration.hpp"

namespace sg::text {

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

/// ASCII case-insensitive comparison; `lower` must be lower case.
inline bool iequals(std::string_view s, std::string_view lower) {
    if (s.size() != lower.size()) return false;
    for (size_t i = 0; i < s.size(); ++i)
        if (to_lower(s[i]) != lower[i]) return false;
    return true;
}

/// Branch labels (and depends_on items, which may name a label): the same rule
/// as the graph, so `label@head` and `label@-1` stay parseable.
inline bool valid_label(std::string_view s) { return valid_branch_label(s); }

/// The ScriptError for a list of problems: what() is one line naming the first
/// problem and how many more there are; problems() holds them all.
/// Calls `fn(word)` for each word of `sql` (a letter or '_', then letters,
/// digits, '_' and '$'), quotes and comments included; stops when it returns
/// true and returns whether it did.
template <typename F>
bool any_word(std::string_view sql, F&& fn) {
    for (size_t i = 0; i < sql.size();) {
        if (!is_alpha(sql[i]) && sql[i] != '_') {
            ++i;
            continue;
        }
        size_t start = i;
        while (i < sql.size() &&
               (is_alpha(sql[i]) || is_digit(sql[i]) || sql[i] == '_' || sql[i] == '$'))
            ++i;
        if (fn(sql.substr(start, i - start))) return true;
    }
    return false;
}

[[noreturn]] inline void throw_problems(std::vector<FileProblem> problems) {
    std::string summary = problems.front().where() + ": " + problems.front().message;
    if (problems.size() > 1)
        summary += " (and " + std::to_string(problems.size() - 1) + " more problem" +
                   (problems.size() > 2 ? "s" : "") + ")";
    throw ScriptError(summary, std::move(problems));
}

/// A NUL byte anywhere in a migration file is refused (exit 3, file:line):
/// the drivers take statements as C strings, so a NUL would silently cut the
/// statement (and drop what follows it). `first_line` is the file line of
/// text's first line.
inline void refuse_nul(std::string_view text, int first_line, const std::string& path) {
    size_t at = text.find('\0');
    if (at == std::string_view::npos) return;
    size_t line_start = text.rfind('\n', at);
    int line = first_line;
    for (size_t i = 0; i < at; ++i)
        if (text[i] == '\n') ++line;
    size_t column = at - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    throw_problems({{path, line,
                     "a NUL byte (\\0) at column " + std::to_string(column) +
                         ": a migration file is text, and a NUL would cut the statement it is "
                         "in (a file saved as UTF-16 has one in every other byte: save it as "
                         "UTF-8)"}});
}

}  // namespace sg::text
