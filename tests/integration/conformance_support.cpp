#include "conformance_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace sg::test {

namespace {

// `url` with its database (the path after the authority) replaced.
std::string with_database(const std::string& url, const std::string& db) {
    auto scheme = url.find("://");
    auto at = url.rfind('@');
    auto slash = url.find('/', at == std::string::npos ? scheme + 3 : at);
    auto query = url.find('?', slash == std::string::npos ? 0 : slash);
    std::string tail = query == std::string::npos ? "" : url.substr(query);
    return url.substr(0, slash) + "/" + db + tail;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string unique_db_name() {
    static std::atomic<int> counter{0};
    return "sgc_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

// Runs a shell command (built only from test-controlled paths and the admin
// URLs, which carry no password); returns its exit status and output.
int run_command(const std::string& cmd, std::string* output) {
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return -1;
    std::string out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int status = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TestDb::TestDb(Dialect d, std::string server_url)
    : m_dialect(d), m_server_url(std::move(server_url)), m_name(unique_db_name()) {
    if (d == Dialect::sqlite) {
        m_dir = std::make_unique<TempDir>("sg-conformance");
        m_url = "sqlite:///" + m_dir->file(m_name + ".db");
    } else {
        auto admin = connect(parse_url(m_server_url));
        if (d == Dialect::postgresql)
            admin->execute("CREATE DATABASE " + m_name + " ENCODING 'UTF8' TEMPLATE template0");
        else
            admin->execute("CREATE DATABASE " + m_name +
                           " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        m_url = with_database(m_server_url, m_name);
    }
    m_conn = open();
}

TestDb::~TestDb() {
    m_conn.reset();
    if (m_dialect == Dialect::sqlite || std::getenv("SG_KEEP_TEMP")) return;
    try {
        auto admin = connect(parse_url(m_server_url));
        admin->execute(m_dialect == Dialect::postgresql
                           ? "DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)"
                           : "DROP DATABASE IF EXISTS " + m_name);
    } catch (const std::exception& e) {
        WARN("could not drop test database " << m_name << ": " << e.what());
    }
}

std::unique_ptr<Connection> TestDb::open() const { return connect(parse_url(m_url)); }

int TestDb::pipe_script(const std::string& script, std::string* output) const {
    std::string cmd;
    switch (m_dialect) {
        case Dialect::postgresql: {
            std::string bin = env("SG_TEST_PG_BIN");
            cmd = (bin.empty() ? std::string("psql") : bin + "/psql") +
                  " -X -q -v ON_ERROR_STOP=1 -d '" +
                  with_database(env("SG_TEST_PG_ADMIN_URL"), m_name) + "' -f '" + script + "'";
            break;
        }
        case Dialect::mysql: {
            DbUrl admin = parse_url(env("SG_TEST_MYSQL_ADMIN_URL"));
            cmd = "mariadb --no-defaults --protocol=TCP -h " + admin.host + " -P " +
                  std::to_string(admin.port) + " -u " + admin.user + " " + m_name + " < '" +
                  script + "'";
            break;
        }
        case Dialect::sqlite:
            cmd = "sqlite3 -bail '" + parse_url(m_url).database + "' < '" + script + "'";
            break;
    }
    return run_command(cmd, output);
}

std::vector<std::string> TestDb::tables() {
    Rows rows;
    switch (m_dialect) {
        case Dialect::postgresql:
            rows = m_conn->query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema()");
            break;
        case Dialect::mysql:
            rows = m_conn->query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "DATABASE()");
            break;
        case Dialect::sqlite:
            rows = m_conn->query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                "'sqlite_%'");
            break;
    }
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.at(0).value_or(""));
    std::sort(out.begin(), out.end());
    return out;
}

bool TestDb::has_table(const std::string& name) {
    auto t = tables();
    return std::find(t.begin(), t.end(), name) != t.end();
}

std::string TestDb::scalar(const std::string& sql, const std::vector<Value>& params) {
    auto rows = m_conn->query(sql, params);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
    return *rows[0][0];
}

std::unique_ptr<TestDb> fresh_db(Dialect d) {
    if (d == Dialect::sqlite) return std::make_unique<TestDb>(d, "");
    const char* var = d == Dialect::postgresql ? "SG_TEST_PG_URL" : "SG_TEST_MYSQL_URL";
    std::string url = env(var);
    if (url.empty()) {
        if (env("CI") == "true")
            FAIL(var << " is not set (CI=true): start the servers with scripts/test-servers.sh");
        WARN(var << " is not set: skipping " << dialect_name(d)
                 << " (source /tmp/schemagate-test-servers/env)");
        return nullptr;
    }
    return std::make_unique<TestDb>(d, url);
}

std::vector<StepResult> Runner::upgrade(const std::string& target) {
    auto st = state();
    Migrator m(scripts, db.conn(), st, opts);
    return m.run(scripts.graph.plan_upgrade(st.versions(), target));
}

std::vector<StepResult> Runner::downgrade(const std::string& target) {
    auto st = state();
    Migrator m(scripts, db.conn(), st, opts);
    return m.run(scripts.graph.plan_downgrade(st.versions(), target));
}

}  // namespace sg::test
