#pragma once
// Small helpers the schema commands share: a scratch copy of the migrations
// directory (where baseline and revision --autogenerate prove a new file
// before it is written for real), and the bare name of a state table.
#include <filesystem>
#include <string>

namespace sg {

/// A private temporary directory, removed with everything in it.
struct TempDir {
    /// `prefix`: the directory's name before the random part ("schemagate-baseline").
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::filesystem::path path;
};

/// Copies the .sql files below `from` (none when it is empty or missing) to
/// the same relative paths below `to`.
void copy_sql_files(const std::string& from, const std::string& to);

/// "schema.table" -> "table": the name introspection reports.
std::string base_name(const std::string& table);

}  // namespace sg
