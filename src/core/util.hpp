#pragma once
// Small helpers every layer uses, kept here once: joining lists, UTC time
// stamps, and the exit code of a signal. Standard library only.
#include <csignal>
#include <ctime>
#include <string>
#include <vector>

#include "core/exit_code.hpp"

namespace sg {

/// `items` joined with `sep` ("" for none).
inline std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : std::string()) + items[i];
    return out;
}

/// Version-table rows for people: "a, b", or "base" for none.
inline std::string heads_text(const std::vector<std::string>& heads) {
    return heads.empty() ? std::string("base") : join(heads);
}

/// Formats for utc_now(): the history table's and the ISO 8601 of reports.
inline constexpr const char* kSqlTime = "%Y-%m-%d %H:%M:%S";
inline constexpr const char* kIsoTime = "%Y-%m-%dT%H:%M:%SZ";

/// Now in UTC, formatted with strftime `format`.
inline std::string utc_now(const char* format = kIsoTime) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

/// The backslash escape of `c` shared by JSON strings and MySQL option-file
/// values (`\\`, `\"`, `\n`, `\r`, `\t`); "" for any other character.
inline const char* backslash_escape(char c) {
    switch (c) {
        case '\\':
            return "\\\\";
        case '"':
            return "\\\"";
        case '\n':
            return "\\n";
        case '\r':
            return "\\r";
        case '\t':
            return "\\t";
        default:
            return "";
    }
}

/// Reorders `items` in place so that position p holds what was at from[p]
/// (`from` a permutation), cycle by cycle: no second vector of big items.
template <typename T, typename Index>
void permute_in_place(std::vector<T>& items, const std::vector<Index>& from) {
    std::vector<char> placed(items.size(), 0);
    for (size_t start = 0; start < items.size(); ++start) {
        if (placed[start]) continue;
        T held = std::move(items[start]);
        size_t p = start;
        while (static_cast<size_t>(from[p]) != start) {
            items[p] = std::move(items[static_cast<size_t>(from[p])]);
            placed[p] = 1;
            p = static_cast<size_t>(from[p]);
        }
        items[p] = std::move(held);
        placed[p] = 1;
    }
}

/// 130 for SIGINT, 143 for SIGTERM (128 + n for any other signal).
inline ExitCode exit_for_signal(int sig) {
    if (sig == SIGINT) return ExitCode::sigint;
    if (sig == SIGTERM) return ExitCode::sigterm;
    return static_cast<ExitCode>(128 + sig);
}

}  // namespace sg
