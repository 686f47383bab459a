// Unit tests of src/db/mysql/mysql_errors.cpp.
#include "db/mysql/mysql_errors.hpp"

#include <catch2/catch.hpp>

TEST_CASE("MySQL/MariaDB connection failure classification (error numbers)", "[classify]") {
    using namespace sg::driver;
    CHECK(classify_mysql_failure(1045) == ConnectFailure::auth);
    CHECK(classify_mysql_failure(1044) == ConnectFailure::auth);
    CHECK(classify_mysql_failure(1049) == ConnectFailure::auth);
    for (int code : {2002, 2003, 2005, 2013, 1040, 1053}) {
        CHECK(classify_mysql_failure(code) == ConnectFailure::unreachable);
    }
}
