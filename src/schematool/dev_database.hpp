#pragma once
// The dev database (docs/schema.md): a scratch database of the wanted dialect
// into which migrations and .sql files are replayed. SQLite: in memory.
// PostgreSQL/MySQL: a --dev-url that must be empty at the start (else exit 2,
// untouched) and is emptied again at the end.
#include <memory>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "schema/schema.hpp"
#include "script/migration.hpp"

namespace sg {

class DevDatabase {
  public:
    /// Throws Error(usage) when no dev URL of dialect `d` is given (server
    /// dialects) or the database is not empty.
    DevDatabase(Dialect d, const std::vector<DbUrl>& urls, const ConnectOptions& opts);
    ~DevDatabase();  // empties the database again; never throws
    DevDatabase(const DevDatabase&) = delete;
    DevDatabase& operator=(const DevDatabase&) = delete;

    Connection& conn() { return *m_conn; }
    /// Applies a .sql file's statements; a failing one is Error(invalid)
    /// naming file:line and the database's error.
    void apply_sql_file(const std::string& path);
    /// The same for SQL text; errors name `origin` (a file, or what rendered it).
    void apply_sql(const std::string& text, const std::string& origin);
    /// Replays the migrations up to each of `targets` (ids, "head", ...)
    /// with the engine `upgrade` uses, from what is applied already. A
    /// failing revision is Error(invalid).
    void replay(const ScriptDirectory& scripts, const std::vector<std::string>& targets);
    /// Runs the downgrade from the replayed revisions to `target` ("base", an id).
    void downgrade(const ScriptDirectory& scripts, const std::string& target);
    /// The schema now, without schemagate's tables.
    schema::Schema inspect();
    /// Drops everything (the database was empty at the start).
    void clear();

  private:
    std::unique_ptr<Connection> m_conn;
    Dialect m_dialect;
    bool m_server = false;
};

/// The dev URLs' choice for dialect `d`. Throws Error(usage).
const DbUrl& dev_url_for(Dialect d, const std::vector<DbUrl>& urls);

}  // namespace sg
