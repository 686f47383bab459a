// Database URL parsing and masking (docs/reference.md §4).
#include "db/url.hpp"

#include <catch2/catch.hpp>
#include <cstdint>

#include "db/connection.hpp"
#include "db/driver_support.hpp"
#include "log/log.hpp"

using namespace sg;

namespace {

// The message of the usage error a bad URL raises.
std::string url_error(const std::string& url) {
    try {
        parse_url(url);
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
        std::string msg = e.what();
        CHECK(msg.find('\n') == std::string::npos);
        return msg;
    }
    FAIL("no error for " << url);
    return {};
}

// libpq_params() as "k=v k=v".
std::string kv(const DbUrl& u) {
    std::string out;
    for (const auto& [k, v] : u.libpq_params()) out += (out.empty() ? "" : " ") + k + "=" + v;
    return out;
}

}  // namespace

TEST_CASE("postgresql URLs", "[url]") {
    DbUrl u = parse_url("postgresql://app:s3cret@db.example.com:6543/clinic");
    CHECK(u.dialect == Dialect::postgresql);
    CHECK(u.user == "app");
    CHECK(u.password == "s3cret");
    CHECK(u.host == "db.example.com");
    CHECK(u.port == 6543);
    CHECK(u.database == "clinic");
    CHECK(u.query.empty());

    SECTION("postgres:// alias and no port") {
        DbUrl p = parse_url("postgres://app@localhost/clinic");
        CHECK(p.dialect == Dialect::postgresql);
        CHECK(p.port == 0);
        CHECK(p.password.empty());
        CHECK(kv(p) == "host=localhost user=app dbname=clinic");
    }
    SECTION("SQLAlchemy driver suffix is ignored") {
        DbUrl p = parse_url("postgresql+psycopg2://app:pw@h:5432/db");
        CHECK(p.dialect == Dialect::postgresql);
        CHECK(kv(p) == "host=h port=5432 user=app password=pw dbname=db");
        CHECK(parse_url("POSTGRESQL+ASYNCPG://h/db").dialect == Dialect::postgresql);
    }
    SECTION("query options are kept and decoded") {
        DbUrl p = parse_url(
            "postgresql://app@h/"
            "db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=5");
        CHECK(p.query.at("sslmode") == "verify-full");
        CHECK(p.query.at("sslrootcert") == "/etc/ca.pem");
        CHECK(p.query.at("connect_timeout") == "5");
        CHECK(kv(p) ==
              "host=h user=app dbname=db connect_timeout=5 sslmode=verify-full "
              "sslrootcert=/etc/ca.pem");
    }
    SECTION("IPv6 host") {
        DbUrl p = parse_url("postgresql://app:pw@[::1]:5432/db");
        CHECK(p.host == "::1");
        CHECK(p.port == 5432);
        DbUrl q = parse_url("postgresql://[fe80::1%25eth0]/db");
        CHECK(q.host == "fe80::1%eth0");
        CHECK(kv(q) == "host=fe80::1%eth0 dbname=db");
        CHECK(q.port == 0);
    }
    SECTION("no database, no host (libpq defaults)") {
        DbUrl p = parse_url("postgresql://");
        CHECK(p.host.empty());
        CHECK(p.database.empty());
        DbUrl s = parse_url("postgresql:///db?host=/var/run/postgresql");
        CHECK(s.database == "db");
        CHECK(s.query.at("host") == "/var/run/postgresql");
    }
    SECTION("several hosts are passed to libpq as written") {
        DbUrl p = parse_url("postgresql://u:pw@h1:5432,h2:5433/db?target_session_attrs=read-write");
        CHECK(p.host == "h1:5432,h2:5433");
        CHECK(p.masked() ==
              "postgresql://u:****@h1:5432,h2:5433/db?target_session_attrs=read-write");
        CHECK(kv(p) ==
              "host=h1,h2 port=5432,5433 user=u password=pw dbname=db "
              "target_session_attrs=read-write");
        CHECK(kv(parse_url("postgresql://[::1]:1,h2,h3:3/db")) ==
              "host=::1,h2,h3 port=1,,3 dbname=db");
        CHECK(kv(parse_url("postgresql://h1,h2/db")) == "host=h1,h2 dbname=db");
    }
}

TEST_CASE("a raw '@' in a password reaches libpq as the parsed password", "[url]") {
    DbUrl u = parse_url("postgresql://alice:Tr0ub4dor@horse@db.example.com/app");
    CHECK(u.password == "Tr0ub4dor@horse");
    CHECK(kv(u) == "host=db.example.com user=alice password=Tr0ub4dor@horse dbname=app");
    CHECK(u.masked() == "postgresql://alice:****@db.example.com/app");
}

TEST_CASE("percent-encoded credentials", "[url]") {
    DbUrl u = parse_url("postgresql://us%40er:p%40ss%3Aw%2Frd%25x@h/db%20name");
    CHECK(u.user == "us@er");
    CHECK(u.password == "p@ss:w/rd%x");
    CHECK(u.database == "db name");
    CHECK(u.masked() == "postgresql://us%40er:****@h/db%20name");
    // libpq gets the decoded parts, never the URL text.
    CHECK(kv(u) == "host=h user=us@er password=p@ss:w/rd%x dbname=db name");
    // A raw '@' in the password: the last '@' ends the user info.
    DbUrl raw = parse_url("mysql://u:p@ss@h/db");
    CHECK(raw.password == "p@ss");
    CHECK(raw.host == "h");
    CHECK(raw.masked() == "mysql://u:****@h/db");
}

TEST_CASE("mysql and mariadb URLs", "[url]") {
    DbUrl m = parse_url("mysql://root:pw@127.0.0.1:3307/app?charset=utf8mb4&connect_timeout=3");
    CHECK(m.dialect == Dialect::mysql);
    CHECK(m.port == 3307);
    CHECK(m.database == "app");
    CHECK(m.query.at("charset") == "utf8mb4");
    CHECK(parse_url("mariadb://u@h/app").dialect == Dialect::mysql);
    CHECK(parse_url("mysql+pymysql://u:pw@h/app").dialect == Dialect::mysql);
    CHECK(parse_url("mariadb+mariadbconnector://u:pw@h/app").dialect == Dialect::mysql);
    DbUrl s = parse_url("mysql://u:pw@/app?unix_socket=/run/mysqld/mysqld.sock");
    CHECK(s.host.empty());
    CHECK(s.query.at("unix_socket") == "/run/mysqld/mysqld.sock");
}

TEST_CASE("sqlite URLs", "[url]") {
    CHECK(parse_url("sqlite:///relative/path.db").database == "relative/path.db");
    CHECK(parse_url("sqlite:///./schemagate.db").database == "./schemagate.db");
    CHECK(parse_url("sqlite:////absolute/path.db").database == "/absolute/path.db");
    CHECK(parse_url("sqlite://:memory:").database == ":memory:");
    CHECK(parse_url("sqlite:///:memory:").database == ":memory:");
    // An empty path is not in-memory (sqlite:///${UNSET}): only ":memory:" written out is.
    for (const char* empty : {"sqlite://", "sqlite:///", "sqlite:///?timeout=5"}) {
        CHECK(url_error(empty).find("empty") != std::string::npos);
    }
    DbUrl a = parse_url("sqlite+aiosqlite:///app.db?timeout=5");
    CHECK(a.dialect == Dialect::sqlite);
    CHECK(a.database == "app.db");
    CHECK(a.query.at("timeout") == "5");
    CHECK(parse_url("sqlite:///my%20app.db").database == "my app.db");
    CHECK(parse_url("sqlite://:memory:").masked() == "sqlite://:memory:");
    CHECK(parse_url("sqlite:////tmp/x.db").masked() == "sqlite:////tmp/x.db");
}

TEST_CASE("bad URLs are usage errors without the password", "[url]") {
    CHECK_THAT(url_error("oracle://u:topsecret@h/db"), Catch::Contains("unsupported scheme"));
    CHECK_THAT(url_error("localhost:5432/db"), Catch::Contains("scheme://"));
    CHECK_THAT(url_error("://x"), Catch::Contains("scheme://"));
    CHECK_THAT(url_error("sqlite://host/file.db"), Catch::Contains("three slashes"));
    CHECK_THAT(url_error("postgresql://u:topsecret@h:99999/db"), Catch::Contains("port"));
    CHECK_THAT(url_error("postgresql://u:topsecret@h:abc/db"), Catch::Contains("port"));
    CHECK_THAT(url_error("postgresql://u:top%zzsecret@h/db"), Catch::Contains("percent"));
    CHECK_THAT(url_error("postgresql://u:topsecret@[::1/db"), Catch::Contains("IPv6"));
    CHECK_THAT(url_error("mysql://u:topsecret@h1,h2/db"), Catch::Contains("several hosts"));
    for (const char* url :
         {"oracle://u:topsecret@h/db", "postgresql://u:topsecret@h:99999/db",
          "postgresql://u:top%zzsecret@h/db", "postgresql://u:topsecret@[::1/db",
          "postgresql://u:topsecret/db", "mysql://u:topsecret@h1,h2/db", "u:topsecret@h"}) {
        std::string msg = url_error(url);
        CHECK(msg.find("topsecret") == std::string::npos);
        CHECK(msg.find("zzsecret") == std::string::npos);
    }
}

TEST_CASE("masking", "[url]") {
    CHECK(parse_url("postgresql://app:s3cret@h:5432/db?sslmode=require").masked() ==
          "postgresql://app:****@h:5432/db?sslmode=require");
    CHECK(parse_url("postgresql://app@h/db").masked() == "postgresql://app@h/db");
    CHECK(parse_url("mysql+pymysql://app:s3cret@h/db").masked() == "mysql+pymysql://app:****@h/db");

    SECTION("built from fields (DATABASE_HOST & co)") {
        DbUrl u;
        u.dialect = Dialect::postgresql;
        u.user = "app";
        u.password = "p@ss/w:rd";
        u.host = "::1";
        u.port = 5432;
        u.database = "clinic";
        u.query["sslmode"] = "disable";
        CHECK(u.masked() == "postgresql://app:****@[::1]:5432/clinic?sslmode=disable");
        CHECK(kv(u) ==
              "host=::1 port=5432 user=app password=p@ss/w:rd dbname=clinic "
              "sslmode=disable");
    }
    SECTION("mask_passwords in free text") {
        CHECK(log::mask_passwords("cannot reach postgresql://app:s3cret@h/db now") ==
              "cannot reach postgresql://app:****@h/db now");
        CHECK(log::mask_passwords("a mysql://u:p@ss@h/db and 'sqlite:///x.db'") ==
              "a mysql://u:****@h/db and 'sqlite:///x.db'");
        CHECK(log::mask_passwords("url=\"postgres://u:pw@h/db\" x@y") ==
              "url=\"postgres://u:****@h/db\" x@y");
        CHECK(log::mask_passwords("no url here: a@b") == "no url here: a@b");
        CHECK(log::mask_passwords("postgresql://u@h/db") == "postgresql://u@h/db");
        CHECK(log::mask_passwords("host='h' password='it\\'s me' dbname='d'") ==
              "host='h' password=**** dbname='d'");
        CHECK(log::mask_passwords("[client]\npassword=\"x y\"\nhost=h") ==
              "[client]\npassword=****\nhost=h");
        CHECK(log::mask_passwords("PGPASSWORD=pw psql") == "PGPASSWORD=**** psql");
        CHECK(log::mask_passwords("using password: YES") == "using password: YES");
    }
}

TEST_CASE("DbError describe and exit codes", "[url][error]") {
    DbError pg(DbErrorKind::statement, "relation \"x\" does not exist", "42P01");
    CHECK(pg.describe() == "ERROR 42P01: relation \"x\" does not exist");
    DbError my(DbErrorKind::statement, "Table 'a.x' doesn't exist", "42S02", 1146);
    CHECK(my.describe() == "ERROR 1146 (42S02): Table 'a.x' doesn't exist");
    CHECK(DbError(DbErrorKind::other, "boom").describe() == "boom");
    CHECK(DbError(DbErrorKind::unreachable, "x").code() == ExitCode::unreachable);
    CHECK(DbError(DbErrorKind::unreachable, "x").retryable());
    CHECK(DbError(DbErrorKind::auth, "x").code() == ExitCode::auth);
    CHECK_FALSE(DbError(DbErrorKind::auth, "x").retryable());
    CHECK(DbError(DbErrorKind::statement, "x").code() == ExitCode::internal);
    CHECK(std::string(db_error_kind_name(DbErrorKind::cancelled)) == "cancelled");
}

TEST_CASE("driver helpers", "[url]") {
    using namespace sg::driver;
    CHECK(dollar_placeholders("SELECT ? , '?', \"a?\" WHERE x = ?") ==
          "SELECT $1 , '?', \"a?\" WHERE x = $2");
    CHECK(clean_message("FATAL:  x\n\tIs the  server running?\n") ==
          "FATAL: x Is the server running?");
    CHECK(clean_message("user s3cret-passw0rd failed", "s3cret-passw0rd") == "user **** failed");
    CHECK(clean_message("user secret1 failed", "secret1") == "user secret1 failed");
    CHECK(clean_message("a b", "a") == "a b");  // too short to replace safely
    CHECK(fnv1a64("") == 14695981039346656037ull);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
    CHECK(contains_nocase("Connection REFUSED", "refused"));
}

TEST_CASE("libpq_conninfo quotes every value", "[url]") {
    CHECK(driver::libpq_conninfo({{"host", "h"}, {"password", "it's a \\ @pw"}}) ==
          "host='h' password='it\\'s a \\\\ @pw'");
    CHECK(driver::libpq_conninfo({}) == "");
    for (const char* bad : {"", "a b", "a=b", "x'"}) {
        INFO(bad);
        CHECK_THROWS_AS(driver::libpq_conninfo({{bad, "v"}}), Error);
    }
}

TEST_CASE("short and common passwords are masked where they stand, not as substrings", "[url]") {
    // docker-compose's postgres:postgres: the scheme, user and database stay readable.
    std::string msg = "cannot connect to postgresql://postgres:postgres@127.0.0.1:1/postgres";
    CHECK(driver::clean_message(msg, "postgres") ==
          "cannot connect to postgresql://postgres:****@127.0.0.1:1/postgres");
    CHECK(parse_url("postgresql://postgres:postgres@127.0.0.1:1/postgres").masked() ==
          "postgresql://postgres:****@127.0.0.1:1/postgres");
    // A one-letter password: the mask must not show where the letter occurs.
    CHECK(driver::clean_message("password authentication failed for user \"a\"", "a") ==
          "password authentication failed for user \"a\"");
    // A long secret is still masked anywhere.
    CHECK(driver::clean_message("echo Sup3rL0ngSecret here", "Sup3rL0ngSecret") ==
          "echo **** here");
    log::add_secret("p");
    log::add_secret("postgres");
    CHECK(log::redact("role postgres at postgresql://postgres:postgres@h/postgres") ==
          "role postgres at postgresql://postgres:****@h/postgres");
    log::add_secret("Sup3rL0ngSecret");
    CHECK(log::redact("x Sup3rL0ngSecret y") == "x **** y");
}

TEST_CASE("masking works on the parsed URL, whatever the password holds (issue 22 D2/D3)",
          "[url]") {
    // The user info ends at the last '@': quotes, '/', spaces, '?' and '#'
    // belong to the password.
    DbUrl u = parse_url("postgresql://app:pa\"ss/WORD secret@db/app");
    CHECK(u.password == "pa\"ss/WORD secret");
    CHECK(u.host == "db");
    CHECK(u.database == "app");
    CHECK(u.masked() == "postgresql://app:****@db/app");
    CHECK(parse_url("postgresql://app:pa?ss#x@db:5432/app").masked() ==
          "postgresql://app:****@db:5432/app");
    CHECK(parse_url("mysql://app:it's/a?b@db/app?charset=utf8mb4").masked() ==
          "mysql://app:****@db/app?charset=utf8mb4");
    // A password= query option is masked, its value registered as a secret.
    DbUrl q = parse_url("postgresql://app@db/app?sslmode=require&password=hunter2xyz");
    CHECK(q.masked() == "postgresql://app@db/app?sslmode=require&password=****");
    CHECK(q.secrets() == std::vector<std::string>{"hunter2xyz"});
    CHECK(parse_url("postgresql://db/app?PassWord=abc&sslpassword=def").masked() ==
          "postgresql://db/app?PassWord=****&sslpassword=****");
    CHECK(parse_url("sqlite:///x.db?password=abc").masked() == "sqlite:///x.db?password=****");
    DbUrl built;
    built.dialect = Dialect::postgresql;
    built.host = "h";
    built.query["password"] = "abc";
    CHECK(built.masked() == "postgresql://h?password=****");
    // A URL that cannot be parsed is shown as scheme and host only.
    std::string msg = url_error("postgresql://app:pa%zzss/WORD secret@db/app");
    CHECK_THAT(msg, Catch::Contains("'postgresql://db'"));
    CHECK(msg.find("WORD") == std::string::npos);
    CHECK_THAT(url_error("postgresql://app:secretword/x"), Catch::Contains("'postgresql://app'"));
    // "user:password" without '@' and a trailing ':' is not a host (found by fuzz_url).
    CHECK_THAT(url_error("postgresql://app:secretword:"), Catch::Contains("'postgresql://app'"));
    CHECK_THAT(url_error("postgresql://::1/db"), Catch::Contains("[::1]"));
    // A host list whose item is "user:password" is no host list (fuzz_url).
    CHECK_THAT(url_error("postgresql://app:s3,cret/db"), Catch::Contains("'postgresql://app'"));
    CHECK(parse_url("postgresql://h1:5432,[::1]:5433,h3/db").host == "h1:5432,[::1]:5433,h3");
}

TEST_CASE("no 3-character fragment of a random password survives masking", "[url]") {
    // The fuzz target tests/fuzz/fuzz_url.cpp does the same with libFuzzer's
    // passwords; here a fixed pseudo-random sequence, every printable byte.
    std::uint32_t state = 22;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    const std::string prefixes[] = {"postgresql://app:", "mysql+pymysql://app:",
                                    "postgresql://db/app?sslmode=require&password="};
    const std::string suffixes[] = {"@db.example:5432/clinic?sslmode=require", "@db/app", ""};
    for (int i = 0; i < 3000; ++i) {
        std::string pw;
        size_t len = 3 + next() % 20;
        size_t form = next() % 3;
        for (size_t k = 0; k < len; ++k) {
            char c = static_cast<char>(' ' + next() % 95);
            pw += form == 2 && c == '&' ? 'x' : c;  // '&' would start the next option
        }
        std::string url = prefixes[form] + pw + suffixes[form];
        std::string shown;
        try {
            shown = parse_url(url).masked();
        } catch (const Error& e) {
            shown = e.what();
            shown = shown.substr(0, shown.rfind("': "));  // the URL as shown, not the reason
        }
        const char* hosts[] = {"db.example", "db", "db"};  // shown when it does not parse
        std::string context = prefixes[form] + "****" + suffixes[form] + "invalid database URL '" +
                              prefixes[form].substr(0, prefixes[form].find("://") + 3) +
                              hosts[form];
        for (size_t k = 0; k + 3 <= pw.size(); ++k) {
            std::string fragment = pw.substr(k, 3);
            if (context.find(fragment) != std::string::npos) continue;
            CAPTURE(url, shown, fragment);
            CHECK(shown.find(fragment) == std::string::npos);
        }
    }
}
