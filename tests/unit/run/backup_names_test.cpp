#include <catch2/catch.hpp>

#include "backup/backup.hpp"
#include "db/mysql/mysqldump.hpp"
#include "db/postgres/pg_dump.hpp"

using namespace sg;

TEST_CASE("backup file names") {
    std::time_t t = 1762612200;  // 2025-11-08T14:30:00Z
    CHECK(backup_file_name("app", "base", t, "dump") == "app-base-20251108T143000Z.dump");
    CHECK(backup_file_name("my db/x-y", "3f5aacf09e0d", t, "sql.gz") ==
          "my_db_x-y-3f5aacf09e0d-20251108T143000Z.sql.gz");
    CHECK(backup_from_label({}) == "base");
    CHECK(backup_from_label({"a1", "b2"}) == "a1+b2");
}

TEST_CASE("many heads: the name shows the first id, the count and a hash") {
    std::time_t t = 1762612200;
    std::vector<std::string> heads;
    for (int i = 0; i < 20; ++i) heads.push_back(std::string(30, 'a') + std::to_string(10 + i));
    std::string from = backup_from_label(heads);
    std::string part = backup_from_part(from);
    CHECK(part.rfind(heads[0] + "+20heads_", 0) == 0);
    CHECK(part.size() == heads[0].size() + std::string("+20heads_").size() + 8);
    // Another list of as many heads gets another name.
    heads.back() = "zz";
    CHECK(backup_from_part(backup_from_label(heads)) != part);
    // Short lists are kept as they are.
    CHECK(backup_from_part("a1+b2") == "a1+b2");
    CHECK(backup_from_part("") == "base");
    DbUrl url;
    url.dialect = Dialect::mysql;
    url.database = std::string(200, 'd');
    std::string long_stem = backup_stem(url, url.database);
    CHECK(long_stem.size() == kMaxNamePart + 9);
    std::string name = backup_file_name(long_stem, from, t, "sql.gz");
    CHECK(name.size() < 255 - std::string("..partial-journal").size());
    // Still one of this database's backups for --backup-keep.
    std::string stem = "app-0123abcd";
    std::string mine = backup_file_name(stem, from, t, "dump");
    CHECK(own_backups({mine}, stem) == std::vector<std::string>{mine});
}

TEST_CASE("retention chooses only this database's own backups, oldest first") {
    std::vector<std::string> names = {
        "app-base-20250101T000000Z.dump",          "app-aaaa-20250103T000000Z.dump",
        "app-bbbb-20250102T000000Z.dump",
        "app-2-base-20240101T000000Z.dump",  // database "app-2"
        "other-base-20240101T000000Z.dump",        "app-notes.txt",
        ".app-cccc-20250104T000000Z.dump.partial",
    };
    CHECK(retention_victims(names, "app", 0).empty());
    CHECK(retention_victims(names, "app", 5).empty());
    CHECK(retention_victims(names, "app", 1) ==
          std::vector<std::string>{"app-base-20250101T000000Z.dump",
                                   "app-bbbb-20250102T000000Z.dump"});
    CHECK(retention_victims(names, "app-2", 0).empty());
    CHECK(own_backups(names, "app-2") ==
          std::vector<std::string>{"app-2-base-20240101T000000Z.dump"});
}

TEST_CASE("backup names carry an id of the database itself, not only its name") {
    std::string a = backup_stem(parse_url("sqlite:////srv/a/app.db"), "app");
    std::string b = backup_stem(parse_url("sqlite:////srv/b/app.db"), "app");
    CHECK(a.rfind("app-", 0) == 0);
    CHECK(a.size() == std::string("app-").size() + 8);
    CHECK(a != b);
    CHECK(a == backup_stem(parse_url("sqlite:////srv/a/./x/../app.db"), "app"));
    // Servers: host, port (default made explicit) and database name.
    std::string p1 = backup_stem(parse_url("postgresql://u:pw@db1/app"), "app");
    CHECK(p1 == backup_stem(parse_url("postgresql://other@DB1:5432/app"), "app"));
    CHECK(p1 != backup_stem(parse_url("postgresql://u:pw@db2/app"), "app"));
    CHECK(p1 != backup_stem(parse_url("postgresql://u:pw@db1:5433/app"), "app"));
    CHECK(p1 != backup_stem(parse_url("mysql://u:pw@db1/app"), "app"));

    // Two databases named app.db sharing a backup directory: retention of
    // one never deletes the other's backups.
    std::time_t t = 1762612200;
    std::vector<std::string> names = {backup_file_name(a, "base", t, "sqlite3"),
                                      backup_file_name(a, "r1", t + 1, "sqlite3"),
                                      backup_file_name(b, "base", t + 2, "sqlite3")};
    CHECK(retention_victims(names, a, 1) == std::vector<std::string>{names[0]});
    CHECK(retention_victims(names, b, 1).empty());
    CHECK(own_backups(names, b) == std::vector<std::string>{names[2]});
}

TEST_CASE("pg_dump gets credentials through its environment") {
    DbUrl u = parse_url("postgresql://u%40x:p%3Aw@db.example:6543/app?sslmode=require");
    auto env = postgres_child_env(u);
    CHECK(env["PGHOST"] == "db.example");
    CHECK(env["PGPORT"] == "6543");
    CHECK(env["PGUSER"] == "u@x");
    CHECK(env["PGPASSWORD"] == "p:w");
    CHECK(env["PGDATABASE"] == "app");
    CHECK(env["PGSSLMODE"] == "require");
}

TEST_CASE("mysqldump's option file quotes the password") {
    DbUrl u = parse_url("mysql://u:a%22b%5Cc%23d@db:3307/app");
    std::string f = mysql_defaults_file(u);
    CHECK(f.find("[client]\n") == 0);
    CHECK(f.find("password=\"a\\\"b\\\\c#d\"\n") != std::string::npos);
    CHECK(f.find("port=\"3307\"") != std::string::npos);
}
