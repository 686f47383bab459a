// MySQL / MariaDB driver (mysql-connector-cpp 1.1, the classic sql:: API).
//
// Transactions: autocommit stays on; begin() is START TRANSACTION, commit()/
// rollback() are COMMIT/ROLLBACK. DDL commits implicitly on MySQL and
// MariaDB, so a transaction protects DML only: the engine records progress
// per statement (dirty state, docs/run.md) instead of relying on rollback.
// Locks: GET_LOCK(name, 0), tied to the session (freed when the connection
// ends, so no stale locks). GET_LOCK names are server-wide, so the name is
// prefixed with the database name to scope it like PostgreSQL's per-database
// advisory locks; names longer than 64 characters are replaced by a hash.
// lock_holder() is IS_USED_LOCK + information_schema.PROCESSLIST.
// cancel() opens a second short-lived connection and sends KILL QUERY <id>
// (only while a statement runs; the statement fails with 1317 -> cancelled).
// A statement that completed although cancel() was called is reported as
// done: on MySQL its effects stay, and the dirty-state count must say so.
// Multi-statements are off: one statement per execute (the splitter splits).
// Round trips: internal queries never use server-side prepared statements
// (prepare + execute + close, two round trips each): their `?` parameters
// are inlined as literals escaped by the client library for the session's
// character set (MySQL_Connection::escapeString, mysql_real_escape_string),
// so every query is one text-protocol round trip. The session asks nothing
// after connecting: the database name is the URL's (the schema the session
// was opened with) and the connection id, needed only by cancel(), is read
// before the first migration statement (execute()). The connector's own
// set-up in connect() (SET autocommit=1, SET SESSION TRANSACTION ISOLATION
// LEVEL REPEATABLE READ, SHOW SESSION VARIABLES LIKE
// 'lower_case_table_names') is unconditional in 1.1.12: no connection
// property turns it off (bench/README.md).
#include "db/mysql/mysql_connection.hpp"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "db/driver_support.hpp"
#include "db/mysql/mysql_errors.hpp"

namespace sg {
namespace {

bool is_lost_code(int code) {
    return code == 2006 || code == 2013 || code == 1927 || code == 4031 || code == 2055;
}

std::string prepare_name(const std::string& database, const std::string& name) {
    std::string full = database + ":" + name;
    if (full.size() <= 64) return full;
    char buf[32];
    std::snprintf(buf, sizeof buf, "schemagate:%016llx",
                  static_cast<unsigned long long>(fnv1a64(full)));
    return buf;
}

// ssl_mode as MySQL's client names it. The MariaDB client library under the
// connector ignores OPT_SSL_MODE, so the modes map to sslEnforce/sslVerify.
void apply_ssl_mode(const DbUrl& url, const std::string& mode, sql::ConnectOptionsMap& o) {
    std::string m;
    for (char c : mode) m += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (m == "DISABLED" || m == "PREFERRED") return;
    if (m != "REQUIRED" && m != "VERIFY_CA" && m != "VERIFY_IDENTITY") {
        throw Error(ExitCode::usage, "unknown ssl_mode '" + mode + "' in " + url.masked() +
                                         " (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, "
                                         "VERIFY_IDENTITY)");
    }
    o["sslEnforce"] = true;
    if (m != "REQUIRED") o["sslVerify"] = true;
}

sql::ConnectOptionsMap make_options(const DbUrl& url, const ConnectOptions& opts) {
    sql::ConnectOptionsMap o;
    auto q = [&](const char* key) -> const std::string* {
        auto it = url.query.find(key);
        return it == url.query.end() ? nullptr : &it->second;
    };
    if (const std::string* sock = q("unix_socket")) {
        o["hostName"] = sql::SQLString("unix://" + *sock);
    } else {
        std::string host = url.host.empty() ? "localhost" : url.host;
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        o["hostName"] = sql::SQLString("tcp://" + host);
        o["port"] = url.port == 0 ? 3306 : url.port;
    }
    o["userName"] = sql::SQLString(url.user);
    o["password"] = sql::SQLString(url.password);
    if (!url.database.empty()) o["schema"] = sql::SQLString(url.database);
    const std::string* timeout = q("connect_timeout");
    o["OPT_CONNECT_TIMEOUT"] = timeout ? std::atoi(timeout->c_str()) : opts.connect_timeout_s;
    const std::string* charset = q("charset");
    o["OPT_CHARSET_NAME"] = sql::SQLString(charset ? *charset : "utf8mb4");
    o["CLIENT_MULTI_STATEMENTS"] = false;
    if (const std::string* v = q("ssl_ca")) o["sslCA"] = sql::SQLString(*v);
    if (const std::string* v = q("ssl_cert")) o["sslCert"] = sql::SQLString(*v);
    if (const std::string* v = q("ssl_key")) o["sslKey"] = sql::SQLString(*v);
    if (const std::string* v = q("ssl_mode")) apply_ssl_mode(url, *v, o);
    return o;
}

class MysqlConnection : public Connection {
  public:
    MysqlConnection(const DbUrl& url, const ConnectOptions& opts)
        : m_url(url), m_options(make_options(url, opts)) {
        m_driver = sql::mysql::get_mysql_driver_instance();
        try {
            m_conn.reset(m_driver->connect(m_options));
        } catch (const sql::SQLException& e) {
            throw connect_error(e);
        }
        check_tls_required();
        m_database = url.database;
    }

    Dialect dialect() const override { return Dialect::mysql; }

    void execute(const std::string& sql) override {
        learn_connection_id();
        run([&] {
            std::unique_ptr<sql::Statement> st(m_conn->createStatement());
            // Results must be consumed, or the next statement fails with
            // "commands out of sync" (CALL may return several).
            std::unique_ptr<sql::ResultSet> rs;
            if (st->execute(sql)) rs.reset(st->getResultSet());
            while (st->getMoreResults()) rs.reset(st->getResultSet());
            return Rows{};
        });
    }

    Rows query(const std::string& sql, const std::vector<Value>& params) override {
        std::string text = sql;
        if (!params.empty()) {
            std::vector<std::string> literals;
            literals.reserve(params.size());
            for (const Value& v : params) literals.push_back(v ? literal(*v) : "NULL");
            text = driver::inline_placeholders(sql, literals);
        }
        return run([&] {
            std::unique_ptr<sql::ResultSet> rs;
            std::unique_ptr<sql::Statement> st(m_conn->createStatement());
            if (st->execute(text)) rs.reset(st->getResultSet());
            return rs ? read_rows(*rs) : Rows{};
        });
    }

    void begin() override { execute("START TRANSACTION"); }
    void commit() override { execute("COMMIT"); }

    void rollback() override {
        try {
            execute("ROLLBACK");
        } catch (const std::exception&) {
            // never throws: the caller is already handling an error
        }
    }

    // MariaDB's @@in_transaction; a server without it (MySQL) answers an
    // error, and "open" is then the safe answer (nothing is reported dirty).
    bool in_transaction() override {
        try {
            Rows r = query("SELECT @@in_transaction", {});
            return r.at(0).at(0).value_or("1") != "0";
        } catch (const DbError&) {
            return true;
        }
    }

    bool try_lock(const std::string& name) override {
        Rows r = query("SELECT GET_LOCK(?, 0)", {prepare_name(m_database, name)});
        return r.at(0).at(0).value_or("0") == "1";
    }

    void unlock(const std::string& name) override {
        query("SELECT RELEASE_LOCK(?)", {prepare_name(m_database, name)});
    }

    std::string lock_holder(const std::string& name) override {
        Rows r = query("SELECT IS_USED_LOCK(?)", {prepare_name(m_database, name)});
        if (r.empty() || !r[0][0]) return {};
        std::string id = *r[0][0];
        Rows p =
            query("SELECT USER, HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = ?", {id});
        if (p.empty()) return "connection id " + id;  // no PROCESS privilege
        return "connection id " + id + " (user " + p[0][0].value_or("?") + ", host " +
               p[0][1].value_or("?") + ", in its current state for " + p[0][2].value_or("?") +
               " s)";
    }

    // lock_wait_timeout bounds metadata-lock waits (ALTER TABLE behind an
    // open transaction), innodb_lock_wait_timeout row-lock waits; both are
    // whole seconds (rounded up, at least 1). 0: the server's defaults.
    void set_ddl_lock_timeout(std::chrono::milliseconds timeout) override {
        if (timeout.count() <= 0) {
            execute("SET SESSION lock_wait_timeout = DEFAULT, innodb_lock_wait_timeout = DEFAULT");
            return;
        }
        std::string s = std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000));
        execute("SET SESSION lock_wait_timeout = " + s + ", innodb_lock_wait_timeout = " + s);
    }

    // The sessions holding a metadata lock on a table the statement names
    // (information_schema.METADATA_LOCK_INFO, when the metadata_lock_info
    // plugin is loaded), else the other sessions with an open InnoDB
    // transaction (INNODB_TRX): a transaction that read the table keeps its
    // metadata lock until it ends. Details from the processlist; oldest
    // transaction first.
    std::vector<LockBlocker> lock_blockers(const std::vector<std::string>& names) override {
        std::string ids;
        try {
            std::string in;
            std::vector<Value> params;
            for (const auto& n : names) {
                in += in.empty() ? "?" : ", ?";
                params.emplace_back(n);
            }
            if (!in.empty()) {
                Rows r = query(
                    "SELECT DISTINCT THREAD_ID FROM information_schema.METADATA_LOCK_INFO "
                    "WHERE THREAD_ID <> CONNECTION_ID() AND TABLE_SCHEMA = DATABASE() AND "
                    "LOWER(TABLE_NAME) IN (" +
                        in + ")",
                    params);
                for (const Row& row : r) ids += (ids.empty() ? "" : ",") + row[0].value_or("0");
            }
        } catch (const DbError&) {
            // no metadata_lock_info plugin: fall back to open transactions
        }
        std::string where = ids.empty() ? "t.trx_id IS NOT NULL" : "p.ID IN (" + ids + ")";
        Rows r = query(
            "SELECT p.ID, COALESCE(p.USER, ''), COALESCE(p.HOST, ''), "
            "COALESCE(TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), -1), "
            "COALESCE(p.COMMAND, ''), LEFT(COALESCE(p.INFO, t.trx_query, ''), 200), "
            "COALESCE(p.DB, '') "
            "FROM information_schema.PROCESSLIST p "
            "LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID "
            "WHERE p.ID <> CONNECTION_ID() AND " +
                where + " ORDER BY t.trx_started IS NULL, t.trx_started LIMIT 5",
            {});
        std::vector<LockBlocker> out;
        for (const Row& row : r) {
            LockBlocker b;
            b.id = row[0].value_or("");
            b.user = row[1].value_or("");
            b.client = row[2].value_or("");
            b.transaction_age_s = std::stoll(row[3].value_or("-1"));
            b.state = row[4].value_or("");
            b.query = row[5].value_or("");
            out.push_back(std::move(b));
        }
        return out;
    }

    void cancel() override {
        std::lock_guard<std::mutex> lock(m_cancel_mutex);
        if (!m_in_statement || m_connection_id.empty()) return;
        m_cancel_requested = true;
        try {
            sql::ConnectOptionsMap options = m_options;
            options["OPT_CONNECT_TIMEOUT"] = 5;
            std::unique_ptr<sql::Connection> killer(m_driver->connect(options));
            std::unique_ptr<sql::Statement> st(killer->createStatement());
            st->execute("KILL QUERY " + m_connection_id);
        } catch (const std::exception&) {
            // best effort: called from a signal-watching thread
        }
    }

    std::string database_name() const override { return m_database; }

    std::string current_schema() override {
        return query("SELECT DATABASE()", {}).at(0).at(0).value_or("");
    }

  private:
    // A quoted string literal, escaped client-side (no round trip).
    std::string literal(const std::string& value) {
        auto* native = dynamic_cast<sql::mysql::MySQL_Connection*>(m_conn.get());
        if (!native) throw DbError(DbErrorKind::other, "not a mysql-connector-cpp connection");
        return "'" + std::string(native->escapeString(value)) + "'";
    }

    // cancel() kills the statement by connection id; only migration
    // statements (execute) run long enough to need it.
    void learn_connection_id() {
        if (!m_connection_id.empty()) return;
        Rows r = query("SELECT CONNECTION_ID()", {});
        std::lock_guard<std::mutex> lock(m_cancel_mutex);
        m_connection_id = r.at(0).at(0).value_or("");
    }

    // The MariaDB client library under the connector does not honour
    // sslEnforce reliably: check that the session really is encrypted.
    void check_tls_required() {
        if (m_options.count("sslEnforce") == 0) return;
        Rows r = query("SHOW SESSION STATUS LIKE 'Ssl_cipher'", {});
        if (!r.empty() && r[0].size() > 1 && !r[0][1].value_or("").empty()) return;
        m_conn.reset();
        throw DbError(DbErrorKind::auth, "cannot connect to " + m_url.masked() +
                                             ": ssl_mode requires TLS but the server did not "
                                             "encrypt the connection");
    }

    static Rows read_rows(sql::ResultSet& rs) {
        Rows rows;
        unsigned columns = rs.getMetaData()->getColumnCount();
        while (rs.next()) {
            Row row;
            for (unsigned c = 1; c <= columns; ++c) {
                // getString before isNull: the connector reports NULL after a read.
                std::string text = rs.getString(c);
                row.push_back(rs.isNull(c) ? Value() : Value(text));
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }

    template <typename F>
    Rows run(F&& f) {
        {
            std::lock_guard<std::mutex> lock(m_cancel_mutex);
            m_in_statement = true;
            m_cancel_requested = false;
        }
        auto done = [&] {
            std::lock_guard<std::mutex> lock(m_cancel_mutex);
            m_in_statement = false;
            return m_cancel_requested.load();
        };
        try {
            Rows rows = f();
            done();
            return rows;
        } catch (const sql::SQLException& e) {
            bool cancelled = done();
            throw statement_error(e, cancelled);
        }
    }

    DbError statement_error(const sql::SQLException& e, bool cancelled) const {
        int code = e.getErrorCode();
        DbErrorKind kind = DbErrorKind::statement;
        if (code == 1317 || (cancelled && code != 0))
            kind = DbErrorKind::cancelled;
        else if (is_lost_code(code))
            kind = DbErrorKind::lost;
        return DbError(kind, driver::clean_message(e.what(), m_url.password), e.getSQLState(),
                       code);
    }

    DbError connect_error(const sql::SQLException& e) const {
        int code = e.getErrorCode();
        std::string text = "cannot connect to " + m_url.masked() + ": " +
                           driver::clean_message(e.what(), m_url.password);
        DbErrorKind kind = driver::classify_mysql_failure(code) == driver::ConnectFailure::auth
                               ? DbErrorKind::auth
                               : DbErrorKind::unreachable;
        return DbError(kind, text, e.getSQLState(), code);
    }

    DbUrl m_url;
    sql::ConnectOptionsMap m_options;
    sql::mysql::MySQL_Driver* m_driver = nullptr;
    std::unique_ptr<sql::Connection> m_conn;
    std::string m_connection_id;
    std::string m_database;
    std::mutex m_cancel_mutex;
    std::atomic<bool> m_in_statement{false};
    std::atomic<bool> m_cancel_requested{false};
};

}  // namespace

std::unique_ptr<Connection> connect_mysql(const DbUrl& url, const ConnectOptions& opts) {
    return std::make_unique<MysqlConnection>(url, opts);
}

}  // namespace sg
