// MySQL / MariaDB driver on the MariaDB client library's C API (libmariadb).
//
// Not mysql-connector-cpp: its session set-up (SET autocommit, SET SESSION
// TRANSACTION ISOLATION LEVEL, SHOW SESSION VARIABLES) costs three round
// trips on every connection whatever the options, and its parameters need
// server-side prepared statements (prepare + execute + close per query).
// Here a session costs the handshake only: the connection id, the database
// and TLS come from the handshake (mysql_thread_id, mysql_get_ssl_cipher);
// autocommit is the server's default (set only if the server says it is
// off); the isolation level is the server's (REPEATABLE READ by default).
// Internal queries' `?` parameters are inlined client-side as literals
// escaped by mysql_real_escape_string for the session's character set: one
// COM_QUERY, one round trip.
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
#include "db/mysql/mysql_connection.hpp"

#include <mysql.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "db/driver_support.hpp"

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
                  static_cast<unsigned long long>(driver::fnv1a64(full)));
    return buf;
}

/// What a session is opened with, parsed once from the URL.
struct MysqlOptions {
    std::string host;  // "" with a unix socket
    unsigned port = 3306;
    std::string socket;  // unix_socket=...
    std::string user, password, database, charset = "utf8mb4";
    unsigned connect_timeout = 10;
    std::string ssl_ca, ssl_cert, ssl_key;
    bool ssl_enforce = false, ssl_verify = false;
};

// ssl_mode as MySQL's client names it. The MariaDB client library has no
// ssl-mode option: the modes map to MYSQL_OPT_SSL_ENFORCE/_VERIFY_SERVER_CERT.
void apply_ssl_mode(const DbUrl& url, const std::string& mode, MysqlOptions& o) {
    std::string m;
    for (char c : mode) m += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (m == "DISABLED" || m == "PREFERRED") return;
    if (m != "REQUIRED" && m != "VERIFY_CA" && m != "VERIFY_IDENTITY") {
        throw Error(ExitCode::usage, "unknown ssl_mode '" + mode + "' in " + url.masked() +
                                         " (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, "
                                         "VERIFY_IDENTITY)");
    }
    o.ssl_enforce = true;
    if (m != "REQUIRED") o.ssl_verify = true;
}

MysqlOptions make_options(const DbUrl& url, const ConnectOptions& opts) {
    MysqlOptions o;
    auto q = [&](const char* key) -> const std::string* {
        auto it = url.query.find(key);
        return it == url.query.end() ? nullptr : &it->second;
    };
    if (const std::string* sock = q("unix_socket")) {
        o.socket = *sock;
    } else {
        o.host = url.host.empty() ? "localhost" : url.host;
        o.port = url.port == 0 ? 3306 : static_cast<unsigned>(url.port);
    }
    o.user = url.user;
    o.password = url.password;
    o.database = url.database;
    const std::string* timeout = q("connect_timeout");
    o.connect_timeout =
        static_cast<unsigned>(timeout ? std::atoi(timeout->c_str()) : opts.connect_timeout_s);
    if (const std::string* charset = q("charset")) o.charset = *charset;
    if (const std::string* v = q("ssl_ca")) o.ssl_ca = *v;
    if (const std::string* v = q("ssl_cert")) o.ssl_cert = *v;
    if (const std::string* v = q("ssl_key")) o.ssl_key = *v;
    if (const std::string* v = q("ssl_mode")) apply_ssl_mode(url, *v, o);
    return o;
}

struct MysqlFailure {
    int code;
    std::string sqlstate;
    std::string message;
};

MysqlFailure failure_of(MYSQL* m) {
    return {static_cast<int>(mysql_errno(m)), mysql_sqlstate(m), mysql_error(m)};
}

// Opens `m` (from mysql_init). TCP unless a socket is given: libmariadb
// would otherwise take "localhost" to mean its default unix socket.
bool open_session(MYSQL* m, const MysqlOptions& o, unsigned timeout) {
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, o.charset.c_str());
    unsigned protocol = o.socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
    mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol);
    auto str = [](const std::string& v) { return v.empty() ? nullptr : v.c_str(); };
    if (!o.ssl_ca.empty() || !o.ssl_cert.empty() || !o.ssl_key.empty())
        mysql_ssl_set(m, str(o.ssl_key), str(o.ssl_cert), str(o.ssl_ca), nullptr, nullptr);
    my_bool yes = 1;
    if (o.ssl_enforce) mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes);
    if (o.ssl_verify) mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
    // CLIENT_MULTI_RESULTS: a CALL may return several results. Multi-
    // statements stay off: one statement per execute (the splitter splits).
    return mysql_real_connect(m, str(o.host), o.user.c_str(), o.password.c_str(), str(o.database),
                              o.port, str(o.socket), CLIENT_MULTI_RESULTS) != nullptr;
}

struct MysqlCloser {
    void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;

class MysqlConnection : public Connection {
  public:
    MysqlConnection(const DbUrl& url, const ConnectOptions& opts)
        : m_url(url), m_options(make_options(url, opts)) {
        m_conn.reset(mysql_init(nullptr));
        if (!m_conn) throw DbError(DbErrorKind::other, "mysql_init failed: out of memory");
        if (!open_session(m_conn.get(), m_options, m_options.connect_timeout))
            throw connect_error(failure_of(m_conn.get()));
        check_tls_required();
        m_connection_id = std::to_string(mysql_thread_id(m_conn.get()));
        m_database = m_options.database;
        if (!(m_conn->server_status & SERVER_STATUS_AUTOCOMMIT)) execute("SET autocommit = 1");
    }

    Dialect dialect() const override { return Dialect::mysql; }

    void execute(const std::string& sql) override { run(sql); }

    Rows query(const std::string& sql, const std::vector<Value>& params) override {
        if (params.empty()) return run(sql);
        std::vector<std::string> literals;
        literals.reserve(params.size());
        for (const Value& v : params) literals.push_back(v ? quote(*v) : "NULL");
        return run(driver::inline_placeholders(sql, literals));
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

    void cancel() override {
        std::lock_guard<std::mutex> lock(m_cancel_mutex);
        if (!m_in_statement) return;
        m_cancel_requested = true;
        // best effort, from a signal-watching thread: a second session
        // sends KILL QUERY <id>
        MysqlHandle killer(mysql_init(nullptr));
        if (!killer || !open_session(killer.get(), m_options, 5)) return;
        std::string kill = "KILL QUERY " + m_connection_id;
        mysql_real_query(killer.get(), kill.data(), kill.size());
    }

    std::string database_name() const override { return m_database; }

    std::string current_schema() override {
        return query("SELECT DATABASE()", {}).at(0).at(0).value_or("");
    }

  private:
    // The MariaDB client library does not honour MYSQL_OPT_SSL_ENFORCE
    // reliably: check that the session really is encrypted.
    void check_tls_required() {
        if (!m_options.ssl_enforce) return;
        const char* cipher = mysql_get_ssl_cipher(m_conn.get());
        if (cipher && *cipher) return;
        m_conn.reset();
        throw DbError(DbErrorKind::auth, "cannot connect to " + m_url.masked() +
                                             ": ssl_mode requires TLS but the server did not "
                                             "encrypt the connection");
    }

    std::string quote(const std::string& v) {
        std::string out(v.size() * 2 + 3, '\0');
        out[0] = '\'';
        unsigned long n = mysql_real_escape_string(m_conn.get(), &out[1], v.data(), v.size());
        out.resize(n + 1);
        return out + "'";
    }

    // One COM_QUERY; every result is read (a CALL may return several), so
    // the next statement does not fail with "commands out of sync".
    Rows run(const std::string& sql) {
        {
            std::lock_guard<std::mutex> lock(m_cancel_mutex);
            m_in_statement = true;
            m_cancel_requested = false;
        }
        MYSQL* m = m_conn.get();
        Rows rows;
        bool failed = mysql_real_query(m, sql.data(), sql.size()) != 0;
        for (bool first = true; !failed; first = false) {
            MYSQL_RES* res = mysql_store_result(m);
            if (res) {
                if (first) rows = read_rows(res);
                mysql_free_result(res);
            } else if (mysql_field_count(m) != 0) {
                failed = true;
                break;
            }
            int more = mysql_next_result(m);  // 0: another result, -1: done
            if (more > 0) failed = true;
            if (more != 0) break;
        }
        MysqlFailure f{};
        if (failed) f = failure_of(m);
        bool cancelled;
        {
            std::lock_guard<std::mutex> lock(m_cancel_mutex);
            m_in_statement = false;
            cancelled = m_cancel_requested.load();
        }
        if (failed) throw statement_error(f, cancelled);
        return rows;
    }

    static Rows read_rows(MYSQL_RES* res) {
        Rows rows;
        unsigned columns = mysql_num_fields(res);
        while (MYSQL_ROW r = mysql_fetch_row(res)) {
            unsigned long* lengths = mysql_fetch_lengths(res);
            Row row;
            row.reserve(columns);
            for (unsigned c = 0; c < columns; ++c)
                row.push_back(r[c] ? Value(std::string(r[c], lengths[c])) : Value());
            rows.push_back(std::move(row));
        }
        return rows;
    }

    DbError statement_error(const MysqlFailure& f, bool cancelled) const {
        DbErrorKind kind = DbErrorKind::statement;
        if (f.code == 1317 || (cancelled && f.code != 0))
            kind = DbErrorKind::cancelled;
        else if (is_lost_code(f.code))
            kind = DbErrorKind::lost;
        return DbError(kind, driver::clean_message(f.message, m_url.password), f.sqlstate, f.code);
    }

    DbError connect_error(const MysqlFailure& f) const {
        std::string text = "cannot connect to " + m_url.masked() + ": " +
                           driver::clean_message(f.message, m_url.password);
        DbErrorKind kind = driver::classify_mysql_failure(f.code) == driver::ConnectFailure::auth
                               ? DbErrorKind::auth
                               : DbErrorKind::unreachable;
        return DbError(kind, text, f.sqlstate, f.code);
    }

    DbUrl m_url;
    MysqlOptions m_options;
    MysqlHandle m_conn;
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
