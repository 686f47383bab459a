#pragma once
// The marker line of revisions that `schemagate import alembic` could not
// convert to SQL (docs/import-alembic.md).
#include <string>
#include <string_view>
#include <vector>

#include "script/migration.hpp"

namespace sg {

/// The start of the marker line; the rest of the line says why.
extern const char* const k_import_marker;

/// One problem (file:line) per marker line in a migration file's text, so
/// `verify` and `run` refuse the file until a person writes the SQL.
std::vector<FileProblem> import_marker_problems(std::string_view text, const std::string& path);

}  // namespace sg
