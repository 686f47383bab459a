#pragma once
#include <stdexcept>
#include <string>

#include "core/exit_code.hpp"

namespace sg {

/// The one error type of schemagate: a message for people and the exit code
/// it maps to. `main` catches it once. `hint` says what to do next (optional).
class Error : public std::runtime_error {
  public:
    Error(ExitCode code, const std::string& message, std::string hint = {})
        : std::runtime_error(message), m_code(code), m_hint(std::move(hint)) {}
    ExitCode code() const { return m_code; }
    const std::string& hint() const { return m_hint; }

  private:
    ExitCode m_code;
    std::string m_hint;
};

}  // namespace sg
