// What is particular to MySQL/MariaDB beyond the session (db/database.hpp).
#include "db/mysql/mysql_connection.hpp"
#include "db/mysql/mysqldump.hpp"

namespace sg {
namespace {

class MySql final : public Database {
  public:
    Dialect dialect() const override { return Dialect::mysql; }
    std::unique_ptr<Connection> connect(const DbUrl& url,
                                        const ConnectOptions& opts) const override {
        return connect_mysql(url, opts);
    }

    char identifier_quote() const override { return '`'; }
    bool quotes_identifier_with(char open) const override { return open == '`'; }
    std::string quote_literal(const std::string& s) const override {
        std::string out = "'";
        for (char c : s) {
            if (c == '\'')
                out += "''";
            else if (c == '\\')
                out += "\\\\";
            else
                out += c;
        }
        return out + "'";
    }
    bool hash_comments() const override { return true; }

    HistoryColumnTypes history_column_types() const override {
        return {"id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY", "BOOLEAN", "DATETIME"};
    }
    std::vector<std::string> find_tables(Connection& conn, const QualifiedName& version,
                                         const QualifiedName& history,
                                         const std::string& home) const override {
        Rows rows = conn.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "coalesce(?, DATABASE()) AND table_name IN (?, ?)",
            {home.empty() ? Value() : Value(home), version.name, history.name});
        std::vector<std::string> out;
        for (const auto& r : rows)
            if (r.at(0)) out.push_back(*r.at(0));
        return out;
    }
    std::string last_insert_id_sql() const override { return "SELECT LAST_INSERT_ID()"; }

    // DDL commits implicitly: no revision runs in a transaction.
    bool transactional_ddl() const override { return false; }

    // Migration files are UTF-8 whatever the client's locale says.
    std::string offline_preamble() const override { return "SET NAMES utf8mb4;\n\n"; }
    // Statements containing ';' (procedures, triggers) are wrapped in
    // DELIMITER lines so that the mariadb client does not split them.
    std::string offline_statement(const std::string& sql) const override {
        if (sql.find(';') == std::string::npos) return Database::offline_statement(sql);
        std::string delim = "/*sg-delimiter*/";
        for (const char* cand : {"//", "$$", "@@@", "//;//"}) {
            if (sql.find(cand) == std::string::npos) {
                delim = cand;
                break;
            }
        }
        return "DELIMITER " + delim + "\n" + sql + "\n" + delim + "\nDELIMITER ;\n";
    }

    std::string bounded_lock_wait_sql() const override {
        return "SET SESSION innodb_lock_wait_timeout = 10";
    }

    int default_port() const override { return 3306; }
    const char* backup_extension() const override { return "sql.gz"; }
    void dump(const DbUrl& url, const std::string& temp_path,
              const DumpOptions& opts) const override {
        dump_mysql(url, temp_path, opts);
    }
};

}  // namespace

const Database& mysql_database() {
    static const MySql db;
    return db;
}

}  // namespace sg
