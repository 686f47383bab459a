#pragma once
// Offline `--sql` scripts (no connection): literal SQL that psql -v
// ON_ERROR_STOP=1, the mariadb client and sqlite3 accept as it is.
#include <iosfwd>
#include <string>
#include <vector>

#include "core/dialect.hpp"
#include "core/graph.hpp"
#include "engine/table_names.hpp"
#include "script/migration.hpp"

namespace sg {

/// Literal SQL for offline scripts: the DDL and the row changes, in the
/// dialect's syntax, each ending with ";".
struct OfflineSql {
    static std::string create_tables(Dialect d, const TableNames& n);
    static std::vector<std::string> row_ops(Dialect d, const TableNames& n,
                                            const std::vector<RowOp>& ops);
    static std::string quote_literal(Dialect d, const std::string& s);
};

/// The offline `--sql` script for `steps` (DDL first when `create_tables`),
/// written to `out` once every step is known to render (else it throws and
/// writes nothing).
void write_offline(std::ostream& out, const ScriptDirectory& scripts, Dialect d,
                   const TableNames& names, const std::vector<Step>& steps,
                   const std::vector<std::string>& from, bool create_tables);
/// write_offline into a string.
std::string render_offline(const ScriptDirectory& scripts, Dialect d, const TableNames& names,
                           const std::vector<Step>& steps, const std::vector<std::string>& from,
                           bool create_tables);

}  // namespace sg
