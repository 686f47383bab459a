// The PostgreSQL driver against the test server (SG_TEST_PG_URL).
#include "driver_checks.hpp"

using namespace sg;
using namespace sg::test;

namespace {

void check_no_password(const DbError& e, const DbUrl& real) {
    std::string msg = e.what();
    CHECK(msg.find(real.password) == std::string::npos);
    CHECK(msg.find("WrongPassw0rd") == std::string::npos);
}

}  // namespace

TEST_CASE("postgres: connect and classify connection failures", "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    auto c = connect(url);
    CHECK(c->dialect() == Dialect::postgresql);
    CHECK(c->database_name() == url.database);
    CHECK(c->current_schema() == "public");
    CHECK(c->query("SELECT current_setting('application_name')", {}).at(0).at(0) ==
          Value("schemagate"));
    CHECK(c->query("SHOW client_encoding", {}).at(0).at(0) == Value("UTF8"));

    SECTION("SQLAlchemy suffix and postgres:// alias") {
        std::string rest = env->substr(env->find("://"));
        CHECK(connect(parse_url("postgresql+psycopg2" + rest))->database_name() == url.database);
        CHECK(connect(parse_url("postgres" + rest))->database_name() == url.database);
    }
    SECTION("wrong password -> auth, password not in the message") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.password = "WrongPassw0rd"; }));
        CHECK(e.kind() == DbErrorKind::auth);
        CHECK(e.code() == ExitCode::auth);
        CHECK_THAT(e.what(), Catch::Contains("password authentication failed"));
        CHECK_THAT(e.what(), Catch::Contains(":****@"));
        check_no_password(e, url);
    }
    SECTION("unknown database -> auth") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.database = "no_such_db_sg"; }));
        CHECK(e.kind() == DbErrorKind::auth);
        CHECK_THAT(e.what(), Catch::Contains("does not exist"));
        check_no_password(e, url);
    }
    SECTION("unknown role -> auth") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.user = "no_such_role_sg"; }));
        CHECK(e.kind() == DbErrorKind::auth);
    }
    SECTION("closed port -> unreachable") {
        DbError e = connect_error(edited(url, [](DbUrl& u) {
            u.host = "127.0.0.1";
            u.port = 1;
        }));
        CHECK(e.kind() == DbErrorKind::unreachable);
        CHECK(e.retryable());
        check_no_password(e, url);
    }
    SECTION("unresolvable host -> unreachable") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.host = "nonexistent.invalid"; }));
        CHECK(e.kind() == DbErrorKind::unreachable);
        check_no_password(e, url);
    }
    SECTION("IPv6 host where nothing listens -> unreachable") {
        DbError e = connect_error(edited(url, [](DbUrl& u) {
            u.host = "::1";
            u.port = 1;
        }));
        CHECK(e.kind() == DbErrorKind::unreachable);
    }
    SECTION("a query option libpq rejects is a usage error") {
        DbUrl bad = parse_url(*env + "?sslmode=sometimes");
        try {
            connect(bad);
            FAIL("no error");
        } catch (const DbError& e) {
            FAIL("DbError instead of a usage error: " << e.what());
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::usage);
            CHECK(std::string(e.what()).find(url.password) == std::string::npos);
        }
    }
    SECTION("sslmode=require against a server without TLS -> auth (not retried)") {
        DbError e = connect_error(parse_url(*env + "?sslmode=require"));
        CHECK(e.kind() == DbErrorKind::auth);
        check_no_password(e, url);
    }
    SECTION("query options pass through (sslmode=disable, application_name)") {
        auto o = connect(parse_url(*env + "?sslmode=disable&application_name=mine"));
        CHECK(o->query("SELECT current_setting('application_name')", {}).at(0).at(0) ==
              Value("mine"));
    }
}

TEST_CASE("postgres: statements, binds, transactions", "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    if (!env) return;
    auto c = connect(parse_url(*env));
    std::string table = unique_name("sg_driver_pg");
    c->execute("DROP TABLE IF EXISTS " + table);
    check_binds(*c, "CREATE TABLE " + table + " (id INTEGER, name TEXT)", table);
    check_rollback(*c, table);

    SECTION("DDL rolls back") {
        c->begin();
        c->execute("CREATE TABLE " + table + "_gone (x INTEGER)");
        c->rollback();
        CHECK(c->query("SELECT to_regclass(?)", {Value(table + "_gone")}).at(0).at(0) ==
              std::nullopt);
    }
    SECTION("statement errors keep SQLSTATE") {
        try {
            c->execute("SELECT * FROM no_such_table_sg");
            FAIL("no error");
        } catch (const DbError& e) {
            CHECK(e.kind() == DbErrorKind::statement);
            CHECK(e.sqlstate() == "42P01");
            CHECK(e.describe() == "ERROR 42P01: relation \"no_such_table_sg\" does not exist");
        }
        try {
            c->query("SELECT 1/0", {});
            FAIL("no error");
        } catch (const DbError& e) {
            CHECK(e.sqlstate() == "22012");
        }
    }
    SECTION("statements outside a transaction (CREATE INDEX CONCURRENTLY)") {
        c->execute("CREATE INDEX CONCURRENTLY " + table + "_ix ON " + table + " (name)");
        c->execute("DROP INDEX CONCURRENTLY " + table + "_ix");
    }
    SECTION("an aborted transaction rolls back") {
        c->begin();
        c->query("INSERT INTO " + table + " (id, name) VALUES (?, ?)", {Value("9"), Value("z")});
        CHECK_THROWS_AS(c->execute("SELEC 1"), DbError);
        c->rollback();
        CHECK(c->query("SELECT count(*) FROM " + table + " WHERE id = 9", {}).at(0).at(0) ==
              Value("0"));
    }
    SECTION("notices do not reach stderr; $$ bodies run") {
        c->execute("DO $$ BEGIN RAISE NOTICE 'quiet?'; END $$");
    }
    c->execute("DROP TABLE " + table);
}

TEST_CASE("postgres: advisory lock and cancel", "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    check_lock([&] { return connect(url); }, true);

    std::string name = unique_name("holder");
    auto a = connect(url);
    auto b = connect(url);
    REQUIRE(a->try_lock(name));
    std::string holder = b->lock_holder(name);
    CHECK_THAT(holder, Catch::Contains("pid "));
    CHECK_THAT(holder, Catch::Contains("schemagate"));
    CHECK(b->lock_holder(name + "_other").empty());

    check_cancel(*a, "SELECT pg_sleep(30)");
    CHECK_FALSE(b->try_lock(name));  // cancelling a statement keeps the session's lock
}

TEST_CASE("postgres: a terminated session is reported lost", "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    auto victim = connect(url);
    auto killer = connect(url);
    Value pid = victim->query("SELECT pg_backend_pid()", {}).at(0).at(0);
    killer->query("SELECT pg_terminate_backend(?::int)", {pid});
    try {
        victim->execute("SELECT 1");
        FAIL("no error");
    } catch (const DbError& e) {
        CHECK(e.kind() == DbErrorKind::lost);
    }
    victim->rollback();  // never throws, even on a dead session
}

TEST_CASE("postgres: a raw '@' and quotes in the password reach libpq as parsed",
          "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    auto admin_env = server_url("SG_TEST_PG_ADMIN_URL");
    if (!env || !admin_env) return;
    DbUrl url = parse_url(*env);
    auto admin = connect(parse_url(*admin_env));
    std::string role = unique_name("sg_at_role");
    admin->execute("DROP ROLE IF EXISTS " + role);
    // The password as written in the URL below: a raw '@' (the last '@' ends
    // the user info), a quote, a backslash and a space, percent-encoded.
    admin->execute("CREATE ROLE " + role + " LOGIN PASSWORD 'Tr0ub4dor@horse''s \\ x'");
    std::string hostport = url.host + ":" + std::to_string(url.port);
    std::string raw =
        "postgresql://" + role + ":Tr0ub4dor@horse%27s%20%5C%20x@" + hostport + "/" + url.database;
    {
        DbUrl at = parse_url(raw);
        REQUIRE(at.password == "Tr0ub4dor@horse's \\ x");
        auto c = connect(at, ConnectOptions{5});
        CHECK(c->query("SELECT current_user", {}).at(0).at(0) == Value(role));
    }
    SECTION("a wrong password with '@' is auth, and no fragment of it is printed") {
        DbError e = connect_error(parse_url("postgresql://" + role + ":Tr0ub4dor@wrong@" +
                                            hostport + "/" + url.database));
        CHECK(e.kind() == DbErrorKind::auth);
        CHECK_THAT(e.what(), !Catch::Contains("Tr0ub4dor"));
        CHECK_THAT(e.what(), !Catch::Contains("wrong@"));
    }
    admin->execute("DROP ROLE IF EXISTS " + role);
}

TEST_CASE("postgres: session settings come with the startup packet, not as statements",
          "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    std::string probe = "sg_probe_" + std::to_string(::getpid());
    url.query["application_name"] = probe;
    auto c = connect(url);
    auto watcher = connect(parse_url(*env));
    // The backend's last statement, seen from another session: none yet
    // (it was SET client_min_messages, SET client_connection_check_interval,
    // SELECT current_database()).
    Rows last =
        watcher->query("SELECT query FROM pg_stat_activity WHERE application_name = ?", {probe});
    REQUIRE(last.size() == 1);
    CHECK(last[0][0] == Value(""));
    CHECK(c->database_name() == url.database);
    CHECK(c->query("SELECT current_setting('client_min_messages'), "
                   "current_setting('client_connection_check_interval')",
                   {}) == Rows{{Value("warning"), Value("1s")}});
    // The user's own options come after ours and win.
    url.query["options"] = "-c client_min_messages=notice";
    CHECK(connect(url)->query("SELECT current_setting('client_min_messages')", {}) ==
          Rows{{Value("notice")}});
}

TEST_CASE("postgres: in_transaction asks libpq, not the server", "[driver][postgres]") {
    auto env = server_url("SG_TEST_PG_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    std::string probe = "sg_txprobe_" + std::to_string(::getpid());
    url.query["application_name"] = probe;
    auto c = connect(url);
    auto watcher = connect(parse_url(*env));
    auto last = [&] {
        return watcher->query("SELECT query FROM pg_stat_activity WHERE application_name = ?",
                              {probe});
    };
    c->begin();
    CHECK(c->in_transaction());
    // The backend's last statement is still BEGIN: no SAVEPOINT probe was sent
    // (it cost two round trips per revision).
    CHECK(last() == Rows{{Value("BEGIN")}});
    // An aborted block is still open: it must be rolled back.
    CHECK_THROWS_AS(c->execute("SELECT * FROM no_such_table_here"), DbError);
    CHECK(c->in_transaction());
    c->rollback();
    CHECK_FALSE(c->in_transaction());
    CHECK(last() == Rows{{Value("ROLLBACK")}});
}
