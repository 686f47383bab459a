// Conformance: a database that real Alembic 1.8 (Debian's python3-alembic)
// manages is continued by schemagate, and the other way round, on all three
// backends. Skips when /usr/bin/python3 has no alembic (FAILs when CI=true).
#include <cstdlib>
#include <fstream>

#include "conformance_support.hpp"

using namespace sg;
using test::Names;
using test::RevFile;
using test::updown;


namespace {

bool have_alembic() {
    return std::system("/usr/bin/python3 -c 'import alembic' >/dev/null 2>&1") == 0;
}

// The SQLAlchemy URL of the test database, as the admin user (no password).
std::string alembic_url(test::TestDb& db) {
    auto name = [](const char* var) {
        const char* v = std::getenv(var);
        return v ? DbUrl(parse_url(v)) : DbUrl{};
    };
    switch (db.dialect()) {
        case Dialect::postgresql: {
            auto a = name("SG_TEST_PG_ADMIN_URL");
            return "postgresql+psycopg2://" + a.user + "@" + a.host + ":" + std::to_string(a.port) +
                   "/" + db.name();
        }
        case Dialect::mysql: {
            auto a = name("SG_TEST_MYSQL_ADMIN_URL");
            return "mysql+pymysql://" + a.user + "@" + a.host + ":" + std::to_string(a.port) + "/" +
                   db.name() + "?charset=utf8mb4";
        }
        case Dialect::sqlite:
            return "sqlite:///" + parse_url(db.url()).database;
    }
    return "";
}

// An Alembic project with the same three revisions as the schemagate files.
class AlembicProject {
  public:
    explicit AlembicProject(const std::string& url) {
        std::ofstream(m_dir.file("alembic.ini"))
            << "[alembic]\nscript_location = " << m_dir.path() << "/proj\n"
            << "sqlalchemy.url = " << url << "\n";
        std::filesystem::create_directories(m_dir.file("proj/versions"));
        std::ofstream(m_dir.file("proj/script.py.mako")) << "";
        std::ofstream(m_dir.file("proj/env.py"))
            << "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n"
               "config = context.config\n"
               "engine = engine_from_config(config.get_section(config.config_ini_section), "
               "prefix='sqlalchemy.', poolclass=pool.NullPool)\n"
               "with engine.connect() as connection:\n"
               "    context.configure(connection=connection, target_metadata=None)\n"
               "    with context.begin_transaction():\n"
               "        context.run_migrations()\n";
        rev("a0001", "None", "ta");
        rev("b0001", "'a0001'", "tb");
        rev("c0001", "'b0001'", "tc");
    }
    void run(const std::string& args) {
        std::string cmd = "cd '" + m_dir.path() +
                          "' && /usr/bin/python3 -m alembic -c alembic.ini " + args + " 2>&1";
        FILE* p = ::popen(cmd.c_str(), "r");
        REQUIRE(p);
        std::string out;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        int status = ::pclose(p);
        INFO("alembic " << args << ":\n" << out);
        REQUIRE(status == 0);
    }

  private:
    void rev(const std::string& id, const std::string& down, const std::string& table) {
        std::ofstream(m_dir.file("proj/versions/" + id + ".py"))
            << "from alembic import op\nrevision = '" << id << "'\ndown_revision = " << down
            << "\nbranch_labels = None\ndepends_on = None\n"
            << "def upgrade():\n    op.execute('CREATE TABLE " << table << " (id INTEGER)')\n"
            << "def downgrade():\n    op.execute('DROP TABLE " << table << "')\n";
    }
    test::TempDir m_dir{"sg-alembic"};
};

}  // namespace

TEST_CASE("Alembic and schemagate continue each other's databases", "[conformance][alembic]") {
    Dialect d = SG_BACKENDS;
    if (!have_alembic()) {
        const char* ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") FAIL("/usr/bin/python3 has no alembic module");
        WARN("alembic is not installed for /usr/bin/python3: skipping");
        return;
    }
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    dir.add({"a0001", "", updown("CREATE TABLE ta (id INTEGER);", "DROP TABLE ta;")});
    dir.add({"b0001", "a0001", updown("CREATE TABLE tb (id INTEGER);", "DROP TABLE tb;")});
    dir.add({"c0001", "b0001", updown("CREATE TABLE tc (id INTEGER);", "DROP TABLE tc;")});
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    AlembicProject alembic(alembic_url(*db));

    alembic.run("upgrade a0001");
    CHECK(r.versions() == Names{"a0001"});
    CHECK(r.upgrade("b0001").size() == 1);  // schemagate continues Alembic's table
    CHECK(r.versions() == Names{"b0001"});
    CHECK(db->has_table("tb"));

    alembic.run("upgrade head");  // Alembic continues schemagate's
    CHECK(r.versions() == Names{"c0001"});
    CHECK(db->has_table("tc"));
    alembic.run("downgrade a0001");
    CHECK(r.versions() == Names{"a0001"});
    CHECK(r.upgrade("heads").size() == 2);
    CHECK(r.versions() == Names{"c0001"});
    alembic.run("downgrade base");
    CHECK(r.versions().empty());
    CHECK(db->tables() == Names{"alembic_version", "schemagate_history"});
}
