#pragma once
// Pieces of render.cpp that diff.cpp reuses (not part of the module's interface).
#include "schema/schema.hpp"

namespace sg::schema {
std::string render_fk_clause(Dialect d, const ForeignKey& fk);
std::string render_index(Dialect d, const Table& t, const Index& ix);
std::string render_mysql_inline_index(const Table& t, const Index& ix);
std::string render_literal(const std::string& s);
/// Whether `text` names `name` as a whole word.
bool mentions(const std::string& text, const std::string& name);
}  // namespace sg::schema
