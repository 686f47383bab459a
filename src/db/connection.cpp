#include "db/connection.hpp"

namespace sg {
namespace {

ExitCode exit_code_for(DbErrorKind kind) {
    switch (kind) {
        case DbErrorKind::unreachable:
            return ExitCode::unreachable;
        case DbErrorKind::auth:
            return ExitCode::auth;
        case DbErrorKind::busy:
            return ExitCode::lock_timeout;
        default:
            return ExitCode::internal;
    }
}

}  // namespace

DbError::DbError(DbErrorKind kind, const std::string& message, std::string sqlstate,
                 int native_code)
    : Error(exit_code_for(kind), message),
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
