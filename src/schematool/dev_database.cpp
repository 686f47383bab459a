// The dev database: see dev_database.hpp and docs/schema.md.
#include "schematool/dev_database.hpp"

#include <fstream>
#include <sstream>

#include "db/drivers/inspect.hpp"
#include "engine/migrator.hpp"
#include "engine/state.hpp"
#include "log/log.hpp"

namespace sg {
namespace {

const TableNames kDevTables{};  // the dev database keeps the default names

std::set<std::string> own_tables() { return {kDevTables.version, kDevTables.history}; }

bool empty(const schema::Schema& s) {
    return s.tables.empty() && s.views.empty() && s.enums.empty() && s.not_covered.empty();
}

std::string what_is_there(const schema::Schema& s) {
    std::vector<std::string> names;
    for (const auto& t : s.tables) names.push_back("table " + t.name);
    for (const auto& v : s.views) names.push_back("view " + v.name);
    for (const auto& e : s.enums) names.push_back("type " + e.name);
    for (const auto& o : s.not_covered) names.push_back(o.kind + " " + o.name);
    std::string out;
    for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > 5) out += ", ... (" + std::to_string(names.size()) + " objects)";
    return out;
}

/// DROP statements for everything in `s` (a dev database schemagate filled).
std::vector<std::string> drop_everything(const schema::Schema& s) {
    std::vector<std::string> out;
    const Dialect d = s.dialect;
    auto q = [&](const std::string& n) { return schema::quote(d, n); };
    if (d == Dialect::mysql) {
        out.push_back("SET FOREIGN_KEY_CHECKS = 0");
        for (const auto& v : s.views) out.push_back("DROP VIEW IF EXISTS " + q(v.name));
        for (const auto& t : s.tables) out.push_back("DROP TABLE IF EXISTS " + q(t.name));
        for (const auto& o : s.not_covered) {
            if (o.kind == "function" || o.kind == "procedure" || o.kind == "event" ||
                o.kind == "sequence") {
                std::string kind = o.kind;
                for (auto& c : kind)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                out.push_back("DROP " + kind + " IF EXISTS " + q(o.name));
            }
        }
        out.push_back("SET FOREIGN_KEY_CHECKS = 1");
        return out;
    }
    // PostgreSQL
    for (const auto& v : s.views) out.push_back("DROP VIEW IF EXISTS " + q(v.name) + " CASCADE");
    for (const auto& o : s.not_covered) {
        if (o.kind == "materialized view")
            out.push_back("DROP MATERIALIZED VIEW IF EXISTS " + q(o.name) + " CASCADE");
        if (o.kind == "foreign table")
            out.push_back("DROP FOREIGN TABLE IF EXISTS " + q(o.name) + " CASCADE");
    }
    for (const auto& t : s.tables) out.push_back("DROP TABLE IF EXISTS " + q(t.name) + " CASCADE");
    for (const auto& o : s.not_covered) {
        if (o.kind == "sequence")
            out.push_back("DROP SEQUENCE IF EXISTS " + q(o.name) + " CASCADE");
        if (o.kind == "function" || o.kind == "procedure" || o.kind == "aggregate") {
            size_t paren = o.name.find('(');
            std::string kind = o.kind == "function"    ? "FUNCTION"
                               : o.kind == "procedure" ? "PROCEDURE"
                                                       : "AGGREGATE";
            out.push_back("DROP " + kind + " IF EXISTS " + q(o.name.substr(0, paren)) +
                          o.name.substr(paren) + " CASCADE");
        }
        if (o.kind == "domain") out.push_back("DROP DOMAIN IF EXISTS " + q(o.name) + " CASCADE");
        if (o.kind == "range type" || o.kind == "composite type")
            out.push_back("DROP TYPE IF EXISTS " + q(o.name) + " CASCADE");
    }
    for (const auto& e : s.enums) out.push_back("DROP TYPE IF EXISTS " + q(e.name) + " CASCADE");
    return out;
}

}  // namespace

const DbUrl& dev_url_for(Dialect d, const std::vector<DbUrl>& urls) {
    for (const auto& u : urls) {
        if (u.dialect == d) return u;
    }
    if (urls.empty()) {
        throw Error(ExitCode::usage,
                    std::string("a dev database is needed to replay migrations or .sql files on ") +
                        dialect_name(d) +
                        ": give --dev-url (env SCHEMAGATE_DEV_URL), an empty database",
                    "SQLite needs none (it replays in memory)");
    }
    throw Error(ExitCode::usage, std::string("no dev URL of dialect ") + dialect_name(d) +
                                     " (got " + urls.front().masked() +
                                     "); the dev database must be of the compared dialect");
}

DevDatabase::DevDatabase(Dialect d, const std::vector<DbUrl>& urls, const ConnectOptions& opts)
    : m_dialect(d) {
    if (d == Dialect::sqlite) {
        m_conn = connect(parse_url("sqlite://:memory:"), opts);
        return;
    }
    const DbUrl& url = dev_url_for(d, urls);
    m_conn = connect(url, opts);
    auto now = inspect_schema(*m_conn, {});
    if (!empty(now)) {
        m_conn.reset();
        throw Error(
            ExitCode::usage,
            "the dev database " + url.masked() + " is not empty (" + what_is_there(now) +
                "); schemagate only uses an empty one and never drops what it did not create",
            "create an empty database for --dev-url");
    }
    m_server = true;
}

DevDatabase::~DevDatabase() {
    try {
        clear();
    } catch (const std::exception& e) {
        log::warn(std::string("could not empty the dev database: ") + e.what());
    }
}

void DevDatabase::clear() {
    if (!m_server || !m_conn) return;
    try {
        m_conn->rollback();
    } catch (...) {
    }
    for (int round = 0; round < 3; ++round) {
        auto now = inspect_schema(*m_conn, {});
        if (empty(now)) return;
        for (const auto& st : drop_everything(now)) m_conn->execute(st);
    }
    auto left = inspect_schema(*m_conn, {});
    if (!empty(left))
        log::warn("the dev database is not empty after cleaning: " + what_is_there(left));
}

schema::Schema DevDatabase::inspect() { return inspect_schema(*m_conn, own_tables()); }

void DevDatabase::apply_sql_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ExitCode::invalid, path + ": cannot read the file");
    std::stringstream buf;
    buf << in.rdbuf();
    apply_sql(buf.str(), path);
}

void DevDatabase::apply_sql(const std::string& text, const std::string& path) {
    for (const auto& st : split_sql(text, m_dialect, 1, path)) {
        try {
            m_conn->execute(st.sql);
        } catch (const DbError& e) {
            throw Error(ExitCode::invalid,
                        path + ":" + std::to_string(st.line) + ": " + e.describe(),
                        "the file does not apply to an empty " +
                            std::string(dialect_name(m_dialect)) + " database");
        }
    }
}

void DevDatabase::replay(const ScriptDirectory& scripts, const std::vector<std::string>& targets) {
    log::info("replaying the migrations into the dev database",
              {{"dialect", dialect_name(m_dialect)},
               {"targets", static_cast<long long>(targets.size())}});
    StateStore state(*m_conn, kDevTables);
    MigrateOptions mo;
    mo.applied_by = "schemagate dev database";
    Migrator migrator(scripts, *m_conn, state, mo);
    // From what is applied already: a replay can go on from an earlier one.
    std::vector<std::string> current = state.versions();
    for (const auto& target : targets) {
        auto steps = scripts.graph.plan_upgrade(current, target);
        try {
            migrator.run(steps);
        } catch (const MigrationFailure& e) {
            std::string msg =
                std::string("replaying the migrations into the dev database: ") + e.what();
            if (!e.location().empty()) msg += " at " + e.location();
            if (!e.db_error().empty()) msg += ": " + e.db_error();
            throw Error(ExitCode::invalid, msg);
        }
        current = state.versions();
    }
}

void DevDatabase::downgrade(const ScriptDirectory& scripts, const std::string& target) {
    StateStore state(*m_conn, kDevTables);
    MigrateOptions mo;
    mo.applied_by = "schemagate dev database";
    Migrator migrator(scripts, *m_conn, state, mo);
    try {
        migrator.run(scripts.graph.plan_downgrade(state.versions(), target));
    } catch (const MigrationFailure& e) {
        std::string msg = std::string("replaying the downgrade in the dev database: ") + e.what();
        if (!e.location().empty()) msg += " at " + e.location();
        if (!e.db_error().empty()) msg += ": " + e.db_error();
        throw Error(ExitCode::invalid, msg);
    }
}

}  // namespace sg
