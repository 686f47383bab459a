#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg {

enum class Dialect { postgresql, mysql, sqlite };

inline const char* dialect_name(Dialect d) {
    switch (d) {
        case Dialect::postgresql:
            return "postgresql";
        case Dialect::mysql:
            return "mysql";
        case Dialect::sqlite:
            return "sqlite";
    }
    return "?";
}

/// Every dialect, in the order commands list them.
inline std::vector<Dialect> all_dialects() {
    return {Dialect::postgresql, Dialect::mysql, Dialect::sqlite};
}

/// Parses "postgresql"/"postgres"/"mysql"/"mariadb"/"sqlite".
inline std::optional<Dialect> parse_dialect(std::string_view s) {
    if (s == "postgresql" || s == "postgres") return Dialect::postgresql;
    if (s == "mysql" || s == "mariadb") return Dialect::mysql;
    if (s == "sqlite") return Dialect::sqlite;
    return std::nullopt;
}

}  // namespace sg
