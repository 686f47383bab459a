// What is particular to PostgreSQL beyond the session (db/database.hpp).
#include "db/postgres/pg_connection.hpp"
#include "db/postgres/pg_dump.hpp"

namespace sg {
namespace {

class Postgres final : public Database {
  public:
    Dialect dialect() const override { return Dialect::postgresql; }
    std::unique_ptr<Connection> connect(const DbUrl& url,
                                        const ConnectOptions& opts) const override {
        return connect_postgres(url, opts);
    }

    bool schema_qualified_tables() const override { return true; }
    HistoryColumnTypes history_column_types() const override {
        return {"id BIGSERIAL PRIMARY KEY", "BOOLEAN", "TIMESTAMP"};
    }
    // Unqualified names live where CREATE TABLE puts them: current_schema(),
    // the first existing schema of the search_path (as Alembic's has_table).
    std::vector<std::string> find_tables(Connection& conn, const QualifiedName& version,
                                         const QualifiedName& history,
                                         const std::string& home) const override {
        auto schema = [&home](const QualifiedName& q) -> Value {
            if (!q.schema.empty()) return Value(q.schema);
            return home.empty() ? Value() : Value(home);
        };
        Rows rows = conn.query(
            "SELECT table_name FROM information_schema.tables WHERE "
            "(table_schema = coalesce(?, current_schema()) AND table_name = ?) OR "
            "(table_schema = coalesce(?, current_schema()) AND table_name = ?)",
            {schema(version), version.name, schema(history), history.name});
        std::vector<std::string> out;
        for (const auto& r : rows)
            if (r.at(0)) out.push_back(*r.at(0));
        return out;
    }
    bool schema_exists(Connection& conn, const std::string& schema) const override {
        return !conn.query("SELECT 1 FROM pg_namespace WHERE nspname = ?", {schema}).empty();
    }
    std::string insert_returning_id() const override { return " RETURNING id"; }

    std::string offline_preamble() const override { return "SET client_encoding = 'UTF8';\n\n"; }

    std::string bounded_lock_wait_sql() const override { return "SET lock_timeout = '10s'"; }
    bool concurrent_indexes() const override { return true; }

    int default_port() const override { return 5432; }
    const char* backup_extension() const override { return "dump"; }
    void dump(const DbUrl& url, const std::string& temp_path,
              const DumpOptions& opts) const override {
        dump_postgres(url, temp_path, opts);
    }
};

}  // namespace

const Database& postgres_database() {
    static const Postgres db;
    return db;
}

}  // namespace sg
