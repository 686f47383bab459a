// The driver table hands out one Database object per dialect
// (docs/architecture.md, "One folder per database").
#include <catch2/catch.hpp>

#include "db/database.hpp"

using namespace sg;

TEST_CASE("every dialect has its database object", "[engine][database]") {
    for (Dialect d : all_dialects()) {
        const Database& db = database(d);
        CHECK(db.dialect() == d);
        CHECK(&database(d) == &db);
        CHECK(std::string(db.backup_extension()).size() > 0);
    }
    CHECK(database(Dialect::postgresql).default_port() == 5432);
    CHECK(database(Dialect::mysql).default_port() == 3306);
    CHECK(database(Dialect::sqlite).default_port() == 0);
}

TEST_CASE("database objects quote and terminate as their clients expect", "[engine][database]") {
    CHECK(database(Dialect::postgresql).quote_identifier("a\"b") == "\"a\"\"b\"");
    CHECK(database(Dialect::mysql).quote_identifier("a`b") == "`a``b`");
    CHECK(database(Dialect::sqlite).quote_identifier("t") == "\"t\"");
    CHECK(database(Dialect::mysql).offline_statement("SELECT 1 # c") == "SELECT 1 # c\n;\n");
    CHECK(database(Dialect::postgresql).offline_statement("SELECT 1 # c") == "SELECT 1 # c;\n");
    CHECK(database(Dialect::mysql).offline_statement("BEGIN SELECT 1; END") ==
          "DELIMITER //\nBEGIN SELECT 1; END\n//\nDELIMITER ;\n");
    CHECK_FALSE(database(Dialect::mysql).transactional_ddl());
    CHECK(database(Dialect::postgresql).transactional_ddl());
    CHECK(database(Dialect::sqlite).transactional_ddl());
}
