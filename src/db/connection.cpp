#include "db/connection.hpp"

namespace sg {
namespace {

// The one mapping of database errors to exit codes, for every command.
ExitCode exit_code_for(DbErrorKind kind, const std::string& sqlstate, int native) {
    switch (kind) {
        case DbErrorKind::unreachable:
        case DbErrorKind::lost:
            return ExitCode::unreachable;
        case DbErrorKind::auth:
            return ExitCode::auth;
        case DbErrorKind::busy:
            return ExitCode::lock_timeout;
        default:
            break;
    }
    // PostgreSQL insufficient_privilege; MySQL 1044/1045/1142 access denied.
    if (sqlstate == "42501" || native == 1044 || native == 1045 || native == 1142)
        return ExitCode::auth;
    // PostgreSQL lock_not_available, MySQL lock wait timeout.
    if (sqlstate == "55P03" || native == 1205) return ExitCode::lock_timeout;
    return ExitCode::internal;
}

}  // namespace

DbError::DbError(DbErrorKind kind, const std::string& message, std::string sqlstate,
                 int native_code)
    : Error(exit_code_for(kind, sqlstate, native_code), message),
      m_kind(kind),
      m_sqlstate(std::move(sqlstate)),
      m_native(native_code) {}

std::string DbError::describe() const {
    // PostgreSQL: "ERROR 42P01: ..."; MySQL as its client: "ERROR 1146 (42S02): ...".
    if (m_native != 0) {
        std::string code = std::to_string(m_native);
        if (!m_sqlstate.empty()) code += " (" + m_sqlstate + ")";
        return "ERROR " + code + ": " + what();
    }
    if (!m_sqlstate.empty()) return "ERROR " + m_sqlstate + ": " + what();
    return what();
}

const char* db_error_kind_name(DbErrorKind kind) {
    switch (kind) {
        case DbErrorKind::unreachable:
            return "unreachable";
        case DbErrorKind::auth:
            return "auth";
        case DbErrorKind::statement:
            return "statement";
        case DbErrorKind::cancelled:
            return "cancelled";
        case DbErrorKind::lost:
            return "lost";
        case DbErrorKind::busy:
            return "busy";
        case DbErrorKind::other:
            return "other";
    }
    return "other";
}

}  // namespace sg
