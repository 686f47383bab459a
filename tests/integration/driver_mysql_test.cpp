// The MySQL/MariaDB driver against the test server (SG_TEST_MYSQL_URL).
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

TEST_CASE("mysql: connect and classify connection failures", "[driver][mysql]") {
    auto env = server_url("SG_TEST_MYSQL_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    auto c = connect(url);
    CHECK(c->dialect() == Dialect::mysql);
    CHECK(c->database_name() == url.database);
    CHECK(c->current_schema() == url.database);
    CHECK(c->query("SELECT @@character_set_client", {}).at(0).at(0) == Value("utf8mb4"));

    SECTION("SQLAlchemy suffix and mariadb:// alias") {
        std::string rest = env->substr(env->find("://"));
        CHECK(connect(parse_url("mysql+pymysql" + rest))->database_name() == url.database);
        CHECK(connect(parse_url("mariadb" + rest))->database_name() == url.database);
    }
    SECTION("wrong password -> auth (1045), password not in the message") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.password = "WrongPassw0rd"; }));
        CHECK(e.kind() == DbErrorKind::auth);
        CHECK(e.native_code() == 1045);
        CHECK_THAT(e.what(), Catch::Contains(":****@"));
        check_no_password(e, url);
    }
    SECTION("unknown database -> auth") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.database = "no_such_db_sg"; }));
        CHECK(e.kind() == DbErrorKind::auth);
        CHECK((e.native_code() == 1049 || e.native_code() == 1044));
        check_no_password(e, url);
    }
    SECTION("closed port -> unreachable") {
        DbError e = connect_error(edited(url, [](DbUrl& u) {
            u.host = "127.0.0.1";
            u.port = 1;
        }));
        CHECK(e.kind() == DbErrorKind::unreachable);
        CHECK((e.native_code() == 2002 || e.native_code() == 2003));
        check_no_password(e, url);
    }
    SECTION("unresolvable host -> unreachable") {
        DbError e = connect_error(edited(url, [](DbUrl& u) { u.host = "nonexistent.invalid"; }));
        CHECK(e.kind() == DbErrorKind::unreachable);
        CHECK((e.native_code() == 2005 || e.native_code() == 2002 || e.native_code() == 2003));
    }
    SECTION("IPv6 host where nothing listens -> unreachable") {
        DbError e = connect_error(edited(url, [](DbUrl& u) {
            u.host = "::1";
            u.port = 1;
        }));
        CHECK(e.kind() == DbErrorKind::unreachable);
    }
    SECTION("ssl_mode=REQUIRED: auth error without TLS (10.11), TLS with it (11.4+)") {
        // MariaDB 11.4+ makes a certificate at startup and offers TLS out of
        // the box; the host's 10.11 has no TLS configured.
        std::string version = c->query("SELECT VERSION()", {}).at(0).at(0).value();
        int major = std::stoi(version);
        int minor = std::stoi(version.substr(version.find('.') + 1));
        if (major > 11 || (major == 11 && minor >= 4)) {
            auto tls = connect(parse_url(*env + "?ssl_mode=REQUIRED"));
            auto cipher = tls->query("SHOW SESSION STATUS LIKE 'Ssl_cipher'", {}).at(0).at(1);
            CHECK(!cipher.value_or("").empty());
        } else {
            DbError e = connect_error(parse_url(*env + "?ssl_mode=REQUIRED"));
            CHECK(e.kind() == DbErrorKind::auth);
            check_no_password(e, url);
        }
        try {
            connect(parse_url(*env + "?ssl_mode=sometimes"));
            FAIL("no error");
        } catch (const DbError& e) {
            FAIL("DbError instead of a usage error: " << e.what());
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::usage);
        }
    }
    SECTION("query options: charset, connect_timeout") {
        auto o = connect(parse_url(*env + "?charset=utf8&connect_timeout=3"));
        CHECK(o->query("SELECT @@character_set_client", {}).at(0).at(0) == Value("utf8mb3"));
    }
    SECTION("unix socket from ?unix_socket=") {
        const char* sock = std::getenv("SG_TEST_MYSQL_SOCKET");
        if (sock) {
            DbUrl s = edited(url, [&](DbUrl& u) {
                u.host.clear();
                u.port = 0;
                u.query["unix_socket"] = sock;
            });
            CHECK(connect(s)->database_name() == url.database);
        }
    }
}

TEST_CASE("mysql: statements, binds, transactions", "[driver][mysql]") {
    auto env = server_url("SG_TEST_MYSQL_URL");
    if (!env) return;
    auto c = connect(parse_url(*env));
    std::string table = unique_name("sg_driver_my");
    c->execute("DROP TABLE IF EXISTS " + table);
    check_binds(
        *c,
        "CREATE TABLE " + table + " (id INTEGER, name TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        table);
    check_rollback(*c, table);  // DML only: DDL commits implicitly on MySQL

    SECTION("statement errors keep the error number and SQLSTATE") {
        try {
            c->execute("SELECT * FROM no_such_table_sg");
            FAIL("no error");
        } catch (const DbError& e) {
            CHECK(e.kind() == DbErrorKind::statement);
            CHECK(e.native_code() == 1146);
            CHECK(e.sqlstate() == "42S02");
            CHECK_THAT(e.describe(), Catch::StartsWith("ERROR 1146 (42S02): "));
        }
        CHECK(c->query("SELECT 1", {}).at(0).at(0) == Value("1"));
    }
    SECTION("statements returning rows and procedures returning results") {
        c->execute("SELECT 1");
        c->execute("DROP PROCEDURE IF EXISTS " + table + "_p");
        c->execute("CREATE PROCEDURE " + table + "_p() BEGIN SELECT 1; SELECT 2; END");
        c->execute("CALL " + table + "_p()");
        c->execute("DROP PROCEDURE " + table + "_p");
        CHECK(c->query("SELECT 3", {}).at(0).at(0) == Value("3"));
    }
    c->execute("DROP TABLE " + table);
}

TEST_CASE("mysql: GET_LOCK and cancel", "[driver][mysql]") {
    auto env = server_url("SG_TEST_MYSQL_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    check_lock([&] { return connect(url); }, true);

    std::string name = unique_name("holder");
    auto a = connect(url);
    auto b = connect(url);
    REQUIRE(a->try_lock(name));
    CHECK_THAT(b->lock_holder(name), Catch::Contains("connection id"));
    CHECK(b->lock_holder(name + "_other").empty());
    std::string long_name(100, 'x');
    CHECK(a->try_lock(long_name));  // hashed to 64 characters
    CHECK_FALSE(b->try_lock(long_name));

    check_cancel(*a, "SELECT SLEEP(30)");
    CHECK_FALSE(b->try_lock(name));  // cancelling a statement keeps the session's lock
}

TEST_CASE("mysql: a killed session is reported lost", "[driver][mysql]") {
    auto env = server_url("SG_TEST_MYSQL_URL");
    if (!env) return;
    DbUrl url = parse_url(*env);
    auto victim = connect(url);
    auto killer = connect(url);
    Value id = victim->query("SELECT CONNECTION_ID()", {}).at(0).at(0);
    killer->execute("KILL CONNECTION " + id.value_or("0"));
    try {
        victim->execute("SELECT 1");
        FAIL("no error");
    } catch (const DbError& e) {
        INFO(e.describe());
        CHECK(e.kind() == DbErrorKind::lost);
    }
    victim->rollback();  // never throws, even on a dead session
}

TEST_CASE("mysql: a statement that ends normally despite cancel() counts as done",
          "[driver][mysql]") {
    // MariaDB ends a killed `DO SLEEP(n)` early WITHOUT an error (a killed
    // `SELECT SLEEP(n)` fails with 1317). The driver reports what the server
    // says: a statement that succeeded is done; on MySQL its effects stay, so
    // the dirty-state count must include it.
    auto env = server_url("SG_TEST_MYSQL_URL");
    if (!env) return;
    auto c = connect(parse_url(*env));
    std::atomic<bool> done{false};
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        while (!done) {
            c->cancel();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    auto start = std::chrono::steady_clock::now();
    CHECK_NOTHROW(c->execute("DO SLEEP(30)"));
    done = true;
    canceller.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("mysql: a raw '@' and quotes in the password are handed over as parsed",
          "[driver][mysql]") {
    auto env = server_url("SG_TEST_MYSQL_URL");
    auto admin_env = server_url("SG_TEST_MYSQL_ADMIN_URL");
    if (!env || !admin_env) return;
    DbUrl url = parse_url(*env);
    auto admin = connect(parse_url(*admin_env));
    std::string user = unique_name("sg_at_user");
    admin->execute("DROP USER IF EXISTS '" + user + "'@'%'");
    admin->execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'Tr0ub4dor@horse''s \\\\ x'");
    admin->execute("GRANT ALL ON `" + url.database + "`.* TO '" + user + "'@'%'");
    std::string hostport = url.host + ":" + std::to_string(url.port);
    DbUrl at = parse_url("mysql://" + user + ":Tr0ub4dor@horse%27s%20%5C%20x@" + hostport + "/" +
                         url.database);
    REQUIRE(at.password == "Tr0ub4dor@horse's \\ x");
    {
        auto c = connect(at, ConnectOptions{5});
        CHECK(c->query("SELECT CURRENT_USER()", {}).at(0).at(0).value_or("").rfind(user, 0) == 0);
    }
    DbError e = connect_error(
        parse_url("mysql://" + user + ":Tr0ub4dor@wrong@" + hostport + "/" + url.database));
    CHECK(e.kind() == DbErrorKind::auth);
    CHECK_THAT(e.what(), !Catch::Contains("Tr0ub4dor"));
    admin->execute("DROP USER IF EXISTS '" + user + "'@'%'");
}

TEST_CASE("mysql: a session sends nothing of its own after connecting, and no prepares",
          "[driver][mysql]") {
    auto env = server_url("SG_TEST_MYSQL_URL");
    if (!env) return;
    auto c = connect(parse_url(*env));
    auto status = [&](const char* name) {
        Rows r = c->query(std::string("SHOW SESSION STATUS LIKE '") + name + "'", {});
        return std::stoi(r.at(0).at(1).value_or("-1"));
    };
    // mysql-connector-cpp's own set-up in connect() (SET autocommit,
    // SET SESSION TRANSACTION ISOLATION LEVEL, SHOW SESSION VARIABLES) and
    // this SHOW: nothing of the driver's (it was SELECT CONNECTION_ID(),
    // DATABASE()).
    CHECK(status("Questions") == 4);
    // Parameters are inlined client-side: one text query, no prepare.
    CHECK(c->query("SELECT ?, ?, ?", {Value("a'b\\c"), Value(), Value("x?y")}) ==
          Rows{{Value("a'b\\c"), Value(), Value("x?y")}});
    CHECK(status("Com_stmt_prepare") == 0);
    CHECK(status("Questions") == 7);  // the SHOW above, the SELECT, this SHOW
}
