// Unit tests of src/db/postgres/pg_errors.cpp.
#include "db/postgres/pg_errors.hpp"

#include <catch2/catch.hpp>

TEST_CASE("PostgreSQL connection failure classification (libpq texts)", "[classify]") {
    using namespace sg::driver;
    auto pg = classify_libpq_failure;
    // Texts as libpq 15 prints them (docs/drivers.md; the real-server ones are also
    // exercised by the integration tests).
    CHECK(pg("connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs "
             "the server running on that host and accepting TCP/IP connections?") ==
          ConnectFailure::unreachable);
    CHECK(pg("could not translate host name \"db\" to address: Name or service not known") ==
          ConnectFailure::unreachable);
    CHECK(pg("connection to server at \"db\" (10.0.0.5), port 5432 failed: timeout expired") ==
          ConnectFailure::unreachable);
    CHECK(pg("connection to server at \"db\", port 5432 failed: FATAL:  the database system "
             "is starting up") == ConnectFailure::unreachable);
    CHECK(pg("FATAL:  the database system is shutting down") == ConnectFailure::unreachable);
    CHECK(pg("FATAL:  the database system is not yet accepting connections\nDETAIL:  "
             "Consistent recovery state has not been yet reached.") == ConnectFailure::unreachable);
    CHECK(pg("FATAL:  sorry, too many clients already") == ConnectFailure::unreachable);
    CHECK(pg("connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: No such "
             "file or directory") == ConnectFailure::unreachable);
    CHECK(pg("FATAL:  password authentication failed for user \"acc\"") == ConnectFailure::auth);
    CHECK(pg("FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database "
             "\"app\", no encryption") == ConnectFailure::auth);
    CHECK(pg("FATAL:  database \"x\" does not exist") == ConnectFailure::auth);
    CHECK(pg("FATAL:  role \"x\" does not exist") == ConnectFailure::auth);
    CHECK(pg("FATAL:  permission denied for database \"app\"") == ConnectFailure::auth);
    CHECK(pg("fe_sendauth: no password supplied") == ConnectFailure::auth);
    CHECK(pg("server does not support SSL, but SSL was required") == ConnectFailure::auth);
    CHECK(pg("invalid URI query parameter: \"ssl_mode\"") == ConnectFailure::usage);
    CHECK(pg("invalid sslmode value: \"sometimes\"") == ConnectFailure::usage);
    CHECK(pg("invalid integer value \"x\" for connection option \"connect_timeout\"") ==
          ConnectFailure::usage);
}
