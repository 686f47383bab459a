// PostgreSQL driver (libpqxx 6.4 over libpq).
//
// Transactions: every statement runs through a short-lived
// pqxx::nontransaction, i.e. in autocommit mode, and begin()/commit()/
// rollback() are the plain SQL statements BEGIN/COMMIT/ROLLBACK. The engine
// owns the transaction boundaries this way, and `transaction: false`
// statements such as CREATE INDEX CONCURRENTLY run outside any transaction.
// PostgreSQL runs DDL transactionally, so a rolled-back revision leaves no
// trace.
// Locks: session-level pg_try_advisory_lock(key) with a 64-bit key from
// FNV-1a of the name (advisory locks are per database). They belong to the
// session, so a crashed runner's lock is freed with its connection.
// lock_holder() reads pg_locks joined with pg_stat_activity.
// cancel() is libpq's PQcancel (through pqxx's cancel_query), safe
// from another thread; the statement fails with SQLSTATE 57014 -> cancelled.
// Connection failures carry no SQLSTATE: they are classified on libpq's texts.
#include "db/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <pqxx/pqxx>

#include "db/driver_support.hpp"
#include "db/postgres/pg_errors.hpp"

namespace sg {
namespace {

// pqxx::connection with its libpq handle in reach: libpqxx 6.4 keeps the
// PGconn private, and PQtransactionStatus answers "is a transaction open?"
// locally, where a SAVEPOINT probe costs two round trips per revision. The
// class is basic_connection_base<connect_direct> with a policy that records
// the handle it opens.
class HandlePolicy : public pqxx::connect_direct {
  public:
    explicit HandlePolicy(const std::string& opts) : pqxx::connect_direct(opts) {}
    handle do_startconnect(handle orig) override {
        return m_handle = pqxx::connect_direct::do_startconnect(orig);
    }
    handle do_completeconnect(handle orig) override {
        return m_handle = pqxx::connect_direct::do_completeconnect(orig);
    }
    handle do_dropconnect(handle orig) noexcept override {
        m_handle = nullptr;
        return pqxx::connect_direct::do_dropconnect(orig);
    }
    handle do_disconnect(handle orig) noexcept override {
        m_handle = nullptr;
        return pqxx::connect_direct::do_disconnect(orig);
    }
    PGconn* raw() const { return m_handle; }

  private:
    PGconn* m_handle = nullptr;
};

class PqConnection : public pqxx::connection_base {
  public:
    explicit PqConnection(const std::string& options)
        : pqxx::connection_base(m_policy), m_options(options), m_policy(m_options) {
        init();
    }
    ~PqConnection() noexcept { close(); }
    PGconn* raw() const { return m_policy.raw(); }

  private:
    std::string m_options;  // before m_policy, which keeps a reference
    HandlePolicy m_policy;
};

// libpq: "ERROR:  msg\nLINE 1: ...\n   ^\nDETAIL:  ...\nHINT:  ..." -> one line
// "msg DETAIL: ... HINT: ..." (the caret lines point into a statement the
// caller names by file:line anyway).
std::string pg_message(const std::string& text, const std::string& password) {
    std::string out;
    size_t pos = 0;
    bool first = true;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        for (const char* prefix : {"ERROR:", "FATAL:"}) {
            if (line.rfind(prefix, 0) == 0) line = line.substr(std::strlen(prefix));
        }
        bool extra = line.rfind("DETAIL:", 0) == 0 || line.rfind("HINT:", 0) == 0 ||
                     line.rfind("CONTEXT:", 0) == 0;
        if (first || extra) out += (first ? "" : " ") + line;
        if (!line.empty()) first = false;
    }
    return driver::clean_message(out, password);
}

// Classifies a failure to open a session (libpq texts, docs/drivers.md).
[[noreturn]] void throw_connect_error(const DbUrl& url, const std::string& raw) {
    std::string text =
        "cannot connect to " + url.masked() + ": " + driver::clean_message(raw, url.password);
    switch (driver::classify_libpq_failure(raw)) {
        case driver::ConnectFailure::usage:
            throw Error(ExitCode::usage, text);
        case driver::ConnectFailure::auth:
            throw DbError(DbErrorKind::auth, text);
        case driver::ConnectFailure::unreachable:
            break;
    }
    throw DbError(DbErrorKind::unreachable, text);
}

// Session settings travel in the startup packet (libpq's `options`), not as
// SET statements: each SET was a round trip on every start.
// client_min_messages: no NOTICE chatter from IF NOT EXISTS and the like.
// client_connection_check_interval: PostgreSQL notices a vanished client only
// when it next writes to it, so a runner killed with SIGKILL during a long
// statement would keep its session, and the migration lock, until the
// statement ends; 14+ polls the socket while a query runs. Older servers
// refuse the unknown setting at startup, so the caller retries without it.
const char* const kSessionOptions = "-c client_min_messages=warning";
const char* const kDeadClientOption = " -c client_connection_check_interval=1s";

// Keyword/value parameters from the parsed URL, never its text (a raw '@'
// in a password would be split differently by libpq's URI parser).
std::string build_conninfo(const DbUrl& url, const ConnectOptions& opts, bool dead_client) {
    auto params = url.libpq_params();
    auto add = [&](const std::string& key, const std::string& value) {
        if (url.query.count(key)) return;  // the user's value wins
        params.emplace_back(key, value);
    };
    add("fallback_application_name", "schemagate");
    add("connect_timeout", std::to_string(opts.connect_timeout_s));
    add("client_encoding", "UTF8");
    std::string ours = std::string(kSessionOptions) + (dead_client ? kDeadClientOption : "");
    auto user = std::find_if(params.begin(), params.end(),
                             [](const auto& p) { return p.first == "options"; });
    if (user == params.end())
        params.emplace_back("options", ours);
    else
        user->second = ours + " " + user->second;  // the user's -c come later and win
    return driver::libpq_conninfo(params);
}

bool refused_dead_client_option(const std::string& text) {
    return text.find("client_connection_check_interval") != std::string::npos;
}

class PgConnection : public Connection {
  public:
    PgConnection(const DbUrl& url, const ConnectOptions& opts) : m_url(url) {
        try {
            open(url, opts);
        } catch (const pqxx::broken_connection& e) {
            throw_connect_error(url, e.what());
        } catch (const pqxx::failure& e) {
            throw_connect_error(url, e.what());
        }
        // libpq's PQdb: the database the session is connected to, the same
        // as current_database(), without a query.
        m_database = m_conn->dbname() ? m_conn->dbname() : "";
    }

    Dialect dialect() const override { return Dialect::postgresql; }

    void execute(const std::string& sql) override {
        run([&](pqxx::nontransaction& tx) { return tx.exec(sql); });
    }

    Rows query(const std::string& sql, const std::vector<Value>& params) override {
        std::string text = driver::dollar_placeholders(sql);
        std::vector<const char*> values;
        for (const Value& v : params) values.push_back(v ? v->c_str() : nullptr);
        pqxx::result r = run([&](pqxx::nontransaction& tx) {
            return tx.exec_params(text, pqxx::prepare::make_dynamic_params(values));
        });
        Rows rows;
        for (const auto& row : r) {
            Row out;
            for (const auto& field : row) {
                out.push_back(field.is_null() ? Value()
                                              : Value(std::string(field.c_str(), field.size())));
            }
            rows.push_back(std::move(out));
        }
        return rows;
    }

    void begin() override { execute("BEGIN"); }
    void commit() override { execute("COMMIT"); }

    void rollback() override {
        try {
            execute("ROLLBACK");  // outside a transaction only a warning
        } catch (const std::exception&) {
            // never throws: the caller is already handling an error
        }
    }

    // PQtransactionStatus, no round trip. Without a usable handle, a
    // SAVEPOINT probe: outside a transaction block it fails with 25P01 and
    // changes nothing, inside one it is released at once (in an aborted block
    // it fails with 25P02: open).
    bool in_transaction() override {
        if (PGconn* c = m_conn->raw()) {
            switch (PQtransactionStatus(c)) {
                case PQTRANS_IDLE:
                    return false;
                case PQTRANS_INTRANS:
                case PQTRANS_INERROR:
                case PQTRANS_ACTIVE:
                    return true;
                default:
                    break;  // PQTRANS_UNKNOWN: a bad connection; the probe says how
            }
        }
        try {
            execute("SAVEPOINT schemagate_probe");
        } catch (const DbError& e) {
            return e.sqlstate() != "25P01";
        }
        execute("RELEASE SAVEPOINT schemagate_probe");
        return true;
    }

    bool try_lock(const std::string& name) override {
        Rows r = query("SELECT pg_try_advisory_lock(?::bigint)", {lock_key(name)});
        return r.at(0).at(0).value_or("f") == "t";
    }

    void unlock(const std::string& name) override {
        query("SELECT pg_advisory_unlock(?::bigint)", {lock_key(name)});
    }

    std::string lock_holder(const std::string& name) override {
        std::uint64_t key = fnv1a64(name);
        Rows r = query(
            "SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), "
            "coalesce(host(a.client_addr), 'local socket'), "
            "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid = ?::bigint::oid AND l.objid = ?::bigint::oid "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            {std::to_string(key >> 32), std::to_string(key & 0xffffffffu)});
        if (r.empty()) return {};
        const Row& h = r.front();
        return "pid " + h[0].value_or("?") + " (user " + h[1].value_or("") + ", application '" +
               h[2].value_or("") + "', client " + h[3].value_or("") + ", connected since " +
               h[4].value_or("?") + ")";
    }

    // SET LOCAL inside the revision's transaction; outside one, for the
    // session (the statements of a `transaction: false` revision).
    void set_ddl_lock_timeout(std::chrono::milliseconds timeout) override {
        execute(std::string(in_transaction() ? "SET LOCAL" : "SET") + " lock_timeout = '" +
                std::to_string(std::max<long long>(0, timeout.count())) + "ms'");
    }

    // After the statement timed out it no longer waits, so pg_blocking_pids()
    // of this session is empty: the blockers are the other sessions holding
    // a lock on a relation the statement names (pg_locks + pg_stat_activity).
    // Only granted locks count (the sessions that queued behind the
    // statement hold none yet). Oldest transaction first.
    std::vector<LockBlocker> lock_blockers(const std::vector<std::string>& names) override {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : "\x01") + n;
        Rows r = query(
            "SELECT DISTINCT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), "
            "coalesce(host(a.client_addr), 'local socket'), "
            "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, -1), "
            "coalesce(a.state, ''), left(coalesce(a.query, ''), 200), a.xact_start "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid() "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.relation IN (SELECT c.oid FROM pg_class c "
            "WHERE c.relname = ANY (string_to_array(?, chr(1)))) "
            "ORDER BY a.xact_start NULLS LAST LIMIT 5",
            {list});
        std::vector<LockBlocker> out;
        for (const Row& row : r) {
            LockBlocker b;
            b.id = row[0].value_or("");
            b.user = row[1].value_or("");
            b.application = row[2].value_or("");
            b.client = row[3].value_or("");
            b.transaction_age_s = std::stoll(row[4].value_or("-1"));
            b.state = row[5].value_or("");
            b.query = row[6].value_or("");
            out.push_back(std::move(b));
        }
        return out;
    }

    std::optional<bool> index_valid(const std::string& name) override {
        Rows r = query(
            "SELECT i.indisvalid::text FROM pg_index i "
            "WHERE i.indexrelid = to_regclass(quote_ident(?))",
            {name});
        if (r.empty()) return std::nullopt;
        return r.front()[0].value_or("") == "true";
    }

    void drop_index(const std::string& name) override {
        Rows r = query("SELECT quote_ident(?)", {name});
        execute("DROP INDEX CONCURRENTLY IF EXISTS " + r.front()[0].value_or(name));
    }

    void cancel() override {
        try {
            m_conn->cancel_query();
        } catch (const std::exception&) {
            // best effort: called from a signal-watching thread
        }
    }

    std::string database_name() const override { return m_database; }

    std::string current_schema() override {
        return query("SELECT current_schema()", {}).at(0).at(0).value_or("public");
    }

  private:
    void open(const DbUrl& url, const ConnectOptions& opts) {
        try {
            m_conn = std::make_unique<PqConnection>(build_conninfo(url, opts, true));
        } catch (const pqxx::broken_connection& e) {
            if (!refused_dead_client_option(e.what())) throw;  // a server before 14
            m_conn = std::make_unique<PqConnection>(build_conninfo(url, opts, false));
        }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        // A silently re-opened session would have lost its locks and
        // its transaction: fail instead.
        m_conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    }

    static std::string lock_key(const std::string& name) {
        return std::to_string(static_cast<std::int64_t>(fnv1a64(name)));
    }

    template <typename F>
    pqxx::result run(F&& f) {
        try {
            pqxx::nontransaction tx(*m_conn);
            pqxx::result r = f(tx);
            tx.commit();  // a no-op for a nontransaction: ends the pqxx object cleanly
            return r;
        } catch (const pqxx::insufficient_privilege& e) {
            // libpqxx 6.4 throws this one without its SQLSTATE: without
            // 42501 the error would not map to exit 5.
            throw DbError(DbErrorKind::statement, pg_message(e.what(), m_url.password), "42501");
        } catch (const pqxx::sql_error& e) {
            DbErrorKind kind =
                e.sqlstate() == "57014" ? DbErrorKind::cancelled : DbErrorKind::statement;
            throw DbError(kind, pg_message(e.what(), m_url.password), e.sqlstate());
        } catch (const pqxx::deadlock_detected& e) {
            throw DbError(DbErrorKind::statement, pg_message(e.what(), m_url.password), "40P01");
        } catch (const pqxx::serialization_failure& e) {
            throw DbError(DbErrorKind::statement, pg_message(e.what(), m_url.password), "40001");
        } catch (const pqxx::broken_connection& e) {
            throw DbError(DbErrorKind::lost, "connection to the database lost: " +
                                                 pg_message(e.what(), m_url.password));
        } catch (const pqxx::in_doubt_error& e) {
            throw DbError(DbErrorKind::lost,
                          "connection lost during COMMIT: " + pg_message(e.what(), m_url.password));
        } catch (const pqxx::failure& e) {
            throw DbError(DbErrorKind::statement, pg_message(e.what(), m_url.password));
        }
    }

    DbUrl m_url;
    std::unique_ptr<PqConnection> m_conn;
    std::string m_database;
};

}  // namespace

std::unique_ptr<Connection> connect_postgres(const DbUrl& url, const ConnectOptions& opts) {
    return std::make_unique<PgConnection>(url, opts);
}

}  // namespace sg
